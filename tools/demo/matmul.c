// SPDX-License-Identifier: GPL-2.0
/*
 * Two or more unrelated processes multiply matrices through System V IPC.
 *
 *   matmul coordinator KEYFILE N   create the objects, hand out rows, check
 *   matmul worker KEYFILE          compute rows until told to stop
 *
 * They meet by key (ftok of KEYFILE): a segment holds A, B and C; a
 * message queue carries row numbers to the workers; a semaphore counts
 * finished rows, which the coordinator waits for with one semop.  Linked
 * with -lsysvipc, every object lives in the sysvipc module.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#define MSG_ROW		1	/* mtext: the row to compute */
#define MSG_STOP	2	/* no more rows */

struct grid {
	int n;
	double m[];		/* A, then B, then C: n * n each */
};

struct row_msg {
	long mtype;
	int row;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static double *mat(struct grid *g, int which)
{
	return g->m + (size_t)which * g->n * g->n;
}

static key_t demo_key(const char *path, int id)
{
	key_t key = ftok(path, id);

	if (key == -1)
		die("ftok");
	return key;
}

/* Wait for an object the coordinator makes: the worker may start first. */
static int wait_get(int (*get)(key_t, int), key_t key)
{
	int id, tries;

	for (tries = 0; tries < 600; tries++) {
		id = get(key, 0);
		if (id >= 0 || errno != ENOENT)
			return id;
		usleep(50000);
	}
	return -1;
}

static int get_shm(key_t key, int flg)
{
	return shmget(key, 0, flg);
}

static int get_sem(key_t key, int flg)
{
	return semget(key, 0, flg);
}

static int worker(const char *path)
{
	struct sembuf done = { .sem_num = 0, .sem_op = 1 };
	int shmid, semid, msqid, rows = 0, i, j, k;
	struct row_msg msg;
	struct grid *g;
	double *a, *b, *c;

	msqid = wait_get(msgget, demo_key(path, 'Q'));
	semid = wait_get(get_sem, demo_key(path, 'S'));
	shmid = wait_get(get_shm, demo_key(path, 'M'));
	if (msqid < 0 || semid < 0 || shmid < 0)
		die("worker: looking up the objects");
	g = shmat(shmid, NULL, 0);
	if (g == (void *)-1)
		die("worker: shmat");
	for (;;) {
		if (msgrcv(msqid, &msg, sizeof(msg.row), 0, 0) < 0)
			die("worker: msgrcv");
		if (msg.mtype == MSG_STOP)
			break;
		/* The grid is filled before the first row is sent, not before we attach. */
		a = mat(g, 0);
		b = mat(g, 1);
		c = mat(g, 2);
		i = msg.row;
		for (j = 0; j < g->n; j++) {
			double sum = 0;

			for (k = 0; k < g->n; k++)
				sum += a[i * g->n + k] * b[k * g->n + j];
			c[i * g->n + j] = sum;
		}
		if (semop(semid, &done, 1))
			die("worker: semop");
		rows++;
	}
	printf("worker %d: computed %d rows\n", getpid(), rows);
	return shmdt(g);
}

static int coordinator(const char *path, int n, int workers)
{
	struct sembuf all = { .sem_num = 0, .sem_op = -n };
	size_t size = sizeof(struct grid) + 3 * sizeof(double) * n * n;
	int shmid, semid, msqid, i, j, k, bad = 0;
	struct row_msg msg;
	struct grid *g;
	struct timespec t0, t1;

	shmid = shmget(demo_key(path, 'M'), size, IPC_CREAT | IPC_EXCL | 0600);
	semid = semget(demo_key(path, 'S'), 1, IPC_CREAT | IPC_EXCL | 0600);
	msqid = msgget(demo_key(path, 'Q'), IPC_CREAT | IPC_EXCL | 0600);
	if (shmid < 0 || semid < 0 || msqid < 0)
		die("coordinator: creating the objects");
	g = shmat(shmid, NULL, 0);
	if (g == (void *)-1)
		die("coordinator: shmat");
	g->n = n;
	for (i = 0; i < n * n; i++) {
		mat(g, 0)[i] = (i % 7) - 3;
		mat(g, 1)[i] = (i % 5) + 1;
	}
	printf("coordinator %d: shm %d, sem %d, msg %d; %d rows to %d workers\n",
	       getpid(), shmid, semid, msqid, n, workers);
	fflush(stdout);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		msg.mtype = MSG_ROW;
		msg.row = i;
		if (msgsnd(msqid, &msg, sizeof(msg.row), 0))
			die("coordinator: msgsnd");
	}
	if (semop(semid, &all, 1))
		die("coordinator: semop");
	clock_gettime(CLOCK_MONOTONIC, &t1);

	for (i = 0; i < n && !bad; i++)
		for (j = 0; j < n; j++) {
			double sum = 0;

			for (k = 0; k < n; k++)
				sum += mat(g, 0)[i * n + k] * mat(g, 1)[k * n + j];
			if (sum != mat(g, 2)[i * n + j]) {
				bad = 1;
				break;
			}
		}
	printf("coordinator: %dx%d product %s in %.3f s\n", n, n,
	       bad ? "WRONG" : "checked", (t1.tv_sec - t0.tv_sec) +
	       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	fflush(stdout);
	/* Let the demo script list the objects while they exist. */
	if (getenv("MATMUL_PAUSE"))
		sleep(atoi(getenv("MATMUL_PAUSE")));

	msg.mtype = MSG_STOP;
	for (i = 0; i < workers; i++)
		if (msgsnd(msqid, &msg, sizeof(msg.row), 0))
			die("coordinator: msgsnd stop");
	/* The queue goes once the workers have taken their stop messages. */
	while (1) {
		struct msqid_ds ds;

		if (msgctl(msqid, IPC_STAT, &ds) || !ds.msg_qnum)
			break;
		usleep(10000);
	}
	shmdt(g);
	shmctl(shmid, IPC_RMID, NULL);
	semctl(semid, 0, IPC_RMID);
	msgctl(msqid, IPC_RMID, NULL);
	return bad;
}

int main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "coordinator"))
		return coordinator(argv[2], atoi(argv[3]), atoi(argv[4]));
	if (argc == 3 && !strcmp(argv[1], "worker"))
		return worker(argv[2]);
	fprintf(stderr, "usage: %s coordinator KEYFILE N WORKERS | worker KEYFILE\n",
		argv[0]);
	return 2;
}
