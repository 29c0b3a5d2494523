// SPDX-License-Identifier: GPL-2.0
/*
 * The producer/consumer pair that selftests/criu.sh checkpoints and
 * restores with CRIU, built plain (kernel IPC) and against libsysvipc.
 *
 *   criu_pair DIR N   run the pair; DIR gets "progress" and "result"
 *
 * The producer sends N numbered messages over three types, a little apart,
 * then an end message; the consumer takes them in arrival order and checks
 * that every type's numbers come in order, none twice, none missing.  Both
 * add 1 to a "live" semaphore with SEM_UNDO, so each exit takes its 1 back:
 * the producer sees 1 once the consumer is gone, and an observer forked
 * last sees 0 once the producer is gone too.  An "in flight" semaphore, +1
 * before each send and -1 after each receive (plain semops, which
 * libsysvipc does in user space), ends at 0.  A checkpoint in the middle
 * must change none of that.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/wait.h>

#define TYPES	3

struct pair_msg {
	long mtype;		/* 1..TYPES; TYPES + 1 ends the run */
	long seq;		/* 1..N over all types */
};

static const char *dir;

/* DIR/@name written (@mode "w": whole, through a rename) or appended to. */
static void __attribute__((format(printf, 3, 4)))
write_to(const char *name, const char *mode, const char *fmt, ...)
{
	char path[4096], tmp[4200];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(*mode == 'w' ? tmp : path, mode);
	if (!f)
		exit(90);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	if (fclose(f) || (*mode == 'w' && rename(tmp, path)))
		exit(91);
}

#define put(name, ...)	write_to(name, "w", __VA_ARGS__)
#define append(...)	write_to("result", "a", __VA_ARGS__)

#define LIVE		0
#define IN_FLIGHT	1

static int sem_add(int sem, int num, int delta, int flags)
{
	struct sembuf op = { .sem_num = num, .sem_op = delta, .sem_flg = flags };

	while (semop(sem, &op, 1) < 0)
		if (errno != EINTR)
			return -1;
	return 0;
}

static int consume(int q, int sem, long n)
{
	long last[TYPES + 1] = { 0 }, got = 0, sum = 0;
	struct pair_msg m;

	for (;;) {
		if (msgrcv(q, &m, sizeof(m.seq), 0, 0) < 0) {
			if (errno == EINTR)
				continue;
			append("consumer: msgrcv: %s\n", strerror(errno));
			return 1;
		}
		if (m.mtype == TYPES + 1)
			break;
		if (sem_add(sem, IN_FLIGHT, -1, 0)) {
			append("consumer: semop: %s\n", strerror(errno));
			return 1;
		}
		if (m.mtype < 1 || m.mtype > TYPES || m.seq <= last[m.mtype]) {
			append("consumer: type %ld seq %ld after %ld\n", m.mtype, m.seq,
			       m.mtype >= 1 && m.mtype <= TYPES ? last[m.mtype] : -1L);
			return 1;
		}
		last[m.mtype] = m.seq;
		got++;
		sum += m.seq;
	}
	if (got != n || sum != n * (n + 1) / 2) {
		append("consumer: %ld messages, sum %ld; want %ld, %ld\n", got, sum, n,
		       n * (n + 1) / 2);
		return 1;
	}
	append("consumer: %ld messages in order, none lost or twice\n", got);
	return 0;
}

/* Forked last: reports the live count once the producer has exited. */
static void observe(int sem, pid_t producer)
{
	while (getppid() == producer)
		usleep(10000);
	append("final in flight=%d\n", semctl(sem, IN_FLIGHT, GETVAL));
	append("final live=%d\n", semctl(sem, LIVE, GETVAL));
	exit(0);
}

int main(int argc, char **argv)
{
	struct pair_msg m;
	int q, sem, st;
	pid_t child, me = getpid();
	long n, i;

	if (argc != 3 || (n = atol(argv[2])) <= 0)
		return 2;
	dir = argv[1];
	q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	sem = semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	if (q < 0 || sem < 0 || sem_add(sem, LIVE, 1, SEM_UNDO))
		return 3;
	child = fork();
	if (child < 0)
		return 4;
	if (child == 0) {
		if (sem_add(sem, LIVE, 1, SEM_UNDO))
			_exit(5);
		_exit(consume(q, sem, n));
	}
	put("progress", "0\n");
	for (i = 1; i <= n; i++) {
		m.mtype = 1 + i % TYPES;
		m.seq = i;
		if (sem_add(sem, IN_FLIGHT, 1, 0))
			return 6;
		while (msgsnd(q, &m, sizeof(m.seq), 0) < 0)
			if (errno != EINTR)
				return 6;
		if (i % 50 == 0)
			put("progress", "%ld\n", i);
		usleep(2000);
	}
	m.mtype = TYPES + 1;
	while (msgsnd(q, &m, sizeof(m.seq), 0) < 0)
		if (errno != EINTR)
			return 7;
	while (waitpid(child, &st, 0) < 0)
		if (errno != EINTR)
			return 8;
	append("consumer status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
	append("producer: live=%d\n", semctl(sem, LIVE, GETVAL));
	if (fork() == 0)
		observe(sem, me);
	/* the observer removes nothing: the script checks and cleans up */
	return 0;
}
