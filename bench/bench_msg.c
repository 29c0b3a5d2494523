// SPDX-License-Identifier: GPL-2.0
/*
 * Message queues.
 *
 *   bench_msg pingpong N SIZE        two processes bounce a SIZE-byte message
 *                                    through two SysV queues            round-trips/s
 *   bench_msg stream N SIZE PAIRS    PAIRS sender/receiver pairs, one queue
 *                                    each (msg_qbytes 1 MiB), N messages
 *                                    one way per pair                    msgs/s (total)
 *   bench_msg mq N SIZE              the ping-pong with POSIX mq_send/mq_receive
 *                                                                         round-trips/s
 *
 * Checks: every message carries its sequence number (and a pattern word at
 * its end); receivers verify type, size, sequence and pattern, so a lost,
 * duplicated, reordered or truncated message fails the run. Queues are empty
 * at the end.
 */
#include <fcntl.h>
#include <mqueue.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include "common.h"

struct msg {
	long mtype;
	char mtext[];
};

static struct msg *msg_alloc(size_t size)
{
	struct msg *m = calloc(1, sizeof(*m) + size + 8);

	if (!m || size < 2 * sizeof(long))
		die("message size %zu (minimum %zu)", size, 2 * sizeof(long));
	return m;
}

static void fill(char *text, size_t size, long seq)
{
	memcpy(text, &seq, sizeof(seq));
	memcpy(text + size - sizeof(seq), &seq, sizeof(seq));
}

static void verify(const char *text, ssize_t got, size_t size, long seq)
{
	long a, b;

	memcpy(&a, text, sizeof(a));
	memcpy(&b, text + size - sizeof(b), sizeof(b));
	if (got != (ssize_t)size || a != seq || b != seq) {
		errno = 0;
		die("message %ld: got %zd bytes, seq %ld/%ld (expected %zu bytes)", seq, got, a, b, size);
	}
}

static void snd(int q, struct msg *m, size_t size, long seq)
{
	m->mtype = 1 + (seq & 7);
	fill(m->mtext, size, seq);
	if (msgsnd(q, m, size, 0))
		die("msgsnd");
}

static void rcv(int q, struct msg *m, size_t size, long seq)
{
	ssize_t got = msgrcv(q, m, size, 0, 0);

	if (got < 0)
		die("msgrcv");
	if (m->mtype != 1 + (seq & 7)) {
		errno = 0;
		die("message %ld: mtype %ld", seq, m->mtype);
	}
	verify(m->mtext, got, size, seq);
}

static void empty(int q)
{
	struct msqid_ds ds;

	if (msgctl(q, IPC_STAT, &ds) || ds.msg_qnum || ds.msg_cbytes)
		die("queue not empty at the end: %lu messages", (unsigned long)ds.msg_qnum);
	msgctl(q, IPC_RMID, NULL);
}

static int newq(void)
{
	int q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	if (q < 0)
		die("msgget");
	return q;
}

static double pingpong(long n, size_t size)
{
	int a = newq(), b = newq();
	struct msg *m = msg_alloc(size);
	double t;
	long i;

	start_init();
	switch (fork()) {
	case -1:
		die("fork");
	case 0:
		start_wait();
		for (i = 0; i < n; i++) {
			rcv(a, m, size, i);
			snd(b, m, size, i);
		}
		exit(0);
	}
	t = start_go();
	for (i = 0; i < n; i++) {
		snd(a, m, size, i);
		rcv(b, m, size, i);
	}
	reap(1);
	t = now() - t;
	empty(a);
	empty(b);
	return n / t;
}

static double stream(long n, size_t size, int pairs)
{
	int *qs = calloc(pairs, sizeof(int));
	struct msg *m = msg_alloc(size);
	struct msqid_ds ds;
	int k, s;
	long i;
	double t;

	start_init();
	for (k = 0; k < pairs; k++) {
		qs[k] = newq();
		if (msgctl(qs[k], IPC_STAT, &ds))
			die("IPC_STAT");
		ds.msg_qbytes = 1 << 20;
		/* raising it needs CAP_SYS_RESOURCE: only the VM run insists */
		if (msgctl(qs[k], IPC_SET, &ds) && (errno != EPERM || getenv("BENCH_VARIANT")))
			die("IPC_SET msg_qbytes");
		for (s = 0; s < 2; s++) {
			switch (fork()) {
			case -1:
				die("fork");
			case 0:
				start_wait();
				for (i = 0; i < n; i++) {
					if (s)
						rcv(qs[k], m, size, i);
					else
						snd(qs[k], m, size, i);
				}
				exit(0);
			}
		}
	}
	t = start_go();
	reap(2 * pairs);
	t = now() - t;
	for (k = 0; k < pairs; k++)
		empty(qs[k]);
	return (double)n * pairs / t;
}

static mqd_t mq(const char *tag, size_t size)
{
	struct mq_attr at = { .mq_maxmsg = 8, .mq_msgsize = (long)size };
	char name[64];
	mqd_t q;

	snprintf(name, sizeof(name), "/bench-%d-%s", (int)getpid(), tag);
	q = mq_open(name, O_RDWR | O_CREAT | O_EXCL, 0600, &at);
	if (q == (mqd_t)-1)
		die("mq_open %s", name);
	mq_unlink(name);
	return q;
}

static void mq_rcv(mqd_t q, char *buf, size_t size, long seq)
{
	ssize_t got = mq_receive(q, buf, size, NULL);

	if (got < 0)
		die("mq_receive");
	verify(buf, got, size, seq);
}

static void mq_snd(mqd_t q, char *buf, size_t size, long seq)
{
	fill(buf, size, seq);
	if (mq_send(q, buf, size, 0))
		die("mq_send");
}

static double mq_pingpong(long n, size_t size)
{
	mqd_t a = mq("a", size), b = mq("b", size);
	char *buf = msg_alloc(size)->mtext;
	struct mq_attr at;
	double t;
	long i;

	start_init();
	switch (fork()) {
	case -1:
		die("fork");
	case 0:
		start_wait();
		for (i = 0; i < n; i++) {
			mq_rcv(a, buf, size, i);
			mq_snd(b, buf, size, i);
		}
		exit(0);
	}
	t = start_go();
	for (i = 0; i < n; i++) {
		mq_snd(a, buf, size, i);
		mq_rcv(b, buf, size, i);
	}
	reap(1);
	t = now() - t;
	if (mq_getattr(a, &at) || at.mq_curmsgs || mq_getattr(b, &at) || at.mq_curmsgs)
		die("POSIX queue not empty at the end");
	return n / t;
}

int main(int argc, char **argv)
{
	long n = arg(argc, argv, 2, 10000), size = arg(argc, argv, 3, 64);

	if (argc < 2)
		die("usage: bench_msg pingpong|stream|mq N SIZE [PAIRS]");
	check_variant();
	if (!strcmp(argv[1], "pingpong"))
		report(pingpong(n, size), "round-trips/s");
	else if (!strcmp(argv[1], "stream"))
		report(stream(n, size, arg(argc, argv, 4, 1)), "msgs/s");
	else if (!strcmp(argv[1], "mq"))
		report(mq_pingpong(n, size), "round-trips/s");
	else
		die("unknown mode %s", argv[1]);
	return 0;
}
