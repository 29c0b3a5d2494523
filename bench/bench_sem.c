// SPDX-License-Identifier: GPL-2.0
/*
 * Semaphores.
 *
 *   bench_sem uncontended N [undo]   one process, semop +1 then -1 (2N calls)   semop/s
 *   bench_sem pingpong N PAIRS       PAIRS pairs of processes pass a turn back and
 *                                    forth through two SysV semaphores       round-trips/s
 *   bench_sem posix N PAIRS          the same with sem_post/sem_wait on
 *                                    process-shared POSIX semaphores          round-trips/s
 *
 * Checks: final values are 0 and a -1 with IPC_NOWAIT fails; in the
 * ping-pongs each side verifies a shared turn counter on every step, so a
 * semaphore that lets a waiter through early fails the run.
 */
#include <semaphore.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include "common.h"

static void sop(int id, unsigned short num, short op, short flg)
{
	struct sembuf b = { .sem_num = num, .sem_op = op, .sem_flg = flg };

	if (semop(id, &b, 1))
		die("semop(%d, %u, %d)", id, num, op);
}

static double uncontended(long n, short flg)
{
	int id = semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	struct sembuf b = { .sem_num = 0, .sem_op = -1, .sem_flg = IPC_NOWAIT };
	double t;
	long i;

	if (id < 0)
		die("semget");
	t = now();
	for (i = 0; i < n; i++) {
		sop(id, 0, 1, flg);
		sop(id, 0, -1, flg);
	}
	t = now() - t;
	if (semctl(id, 0, GETVAL) != 0 || semop(id, &b, 1) != -1 || errno != EAGAIN)
		die("semaphore value wrong after %ld +1/-1 pairs", n);
	if (semctl(id, 0, GETPID) != getpid())
		die("sempid wrong");
	semctl(id, 0, IPC_RMID);
	return 2 * n / t;
}

struct pp {
	volatile long turn;
	sem_t ps[2];
	char pad[64];
};

/* One side of a ping-pong: side 0 starts. sem ids are sysv (id >= 0) or posix. */
static void side(int id, struct pp *p, int me, long n)
{
	long i, expect;

	for (i = 0; i < n; i++) {
		if (me == 1) {
			if (id >= 0)
				sop(id, 0, -1, 0);
			else if (sem_wait(&p->ps[0]))
				die("sem_wait");
		}
		expect = 2 * i + me;
		if (p->turn != expect) {
			errno = 0;
			die("side %d: turn %ld, expected %ld", me, p->turn, expect);
		}
		p->turn = expect + 1;
		if (id >= 0)
			sop(id, me ? 1 : 0, 1, 0);
		else if (sem_post(&p->ps[me]))
			die("sem_post");
		if (me == 0) {
			if (id >= 0)
				sop(id, 1, -1, 0);
			else if (sem_wait(&p->ps[1]))
				die("sem_wait");
		}
	}
}

static double pingpong(long n, int pairs, int posix)
{
	struct pp *pp = shared_page(pairs * sizeof(*pp));
	int *ids = calloc(pairs, sizeof(int));
	int k, s;
	double t;

	start_init();
	for (k = 0; k < pairs; k++) {
		ids[k] = -1;
		if (posix) {
			if (sem_init(&pp[k].ps[0], 1, 0) || sem_init(&pp[k].ps[1], 1, 0))
				die("sem_init");
		} else if ((ids[k] = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600)) < 0) {
			die("semget");
		}
		for (s = 0; s < 2; s++) {
			switch (fork()) {
			case -1:
				die("fork");
			case 0:
				start_wait();
				side(ids[k], &pp[k], s, n);
				exit(0);
			}
		}
	}
	t = start_go();
	reap(2 * pairs);
	t = now() - t;
	for (k = 0; k < pairs; k++) {
		if (pp[k].turn != 2 * n) {
			errno = 0;
			die("pair %d: turn %ld after %ld round trips", k, pp[k].turn, n);
		}
		if (!posix) {
			if (semctl(ids[k], 0, GETVAL) || semctl(ids[k], 1, GETVAL))
				die("pair %d: semaphores not 0 at the end", k);
			semctl(ids[k], 0, IPC_RMID);
		}
	}
	return (double)n * pairs / t;
}

int main(int argc, char **argv)
{
	long n = arg(argc, argv, 2, 10000);

	if (argc < 2)
		die("usage: bench_sem uncontended|pingpong|posix N [undo|PAIRS]");
	check_variant();
	if (!strcmp(argv[1], "uncontended"))
		report(uncontended(n, argc > 3 && !strcmp(argv[3], "undo") ? SEM_UNDO : 0), "semop/s");
	else if (!strcmp(argv[1], "pingpong"))
		report(pingpong(n, arg(argc, argv, 3, 1), 0), "round-trips/s");
	else if (!strcmp(argv[1], "posix"))
		report(pingpong(n, arg(argc, argv, 3, 1), 1), "round-trips/s");
	else
		die("unknown mode %s", argv[1]);
	return 0;
}
