// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming messages into one receiver: io_uring batched receive on a queue
 * fd against a msgrcv loop.
 *
 *   uring_msg loop N SIZE          a sender process msgsnd()s N SIZE-byte
 *                                  messages, the receiver msgrcv()s them   msgs/s
 *   uring_msg uring N SIZE BATCH   the same sender; the receiver keeps BATCH
 *                                  IORING_OP_READs in flight on a queue fd
 *                                  (sysvipc_fd()) and re-arms them as they
 *                                  complete                                msgs/s
 *
 * Variants (BENCH_VARIANT, see common.h): "loop" runs as kernel (no
 * preload: the kernel's msgrcv) and as sysvipc (LD_PRELOAD=libsysvipc.so:
 * the module's); "uring" needs sysvipc, the kernel's queues have no fds.
 * One VM boot, e.g.:
 *
 *   B=build/bench/uring_msg L=$PWD/libsysvipc/libsysvipc.so
 *   BENCH_VARIANT=kernel  $B loop  200000 64
 *   BENCH_VARIANT=sysvipc LD_PRELOAD=$L $B loop  200000 64
 *   BENCH_VARIANT=sysvipc LD_PRELOAD=$L $B uring 200000 64 64
 *
 * build: gcc -O2 -Wall -Iuapi -Ilibsysvipc/include bench/uring_msg.c \
 *            -luring -ldl -o build/bench/uring_msg
 * (sysvipc_fd is found with dlsym, so the binary does not link libsysvipc
 * and the kernel variant really uses the kernel's calls.)
 *
 * Checks: each message carries its sequence number; the receiver counts
 * them and sums the numbers (io_uring may complete a batch out of order),
 * so a lost, duplicated or truncated message fails the run.  The queue is
 * empty at the end.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <liburing.h>
#include <linux/sysvipc.h>
#include "common.h"

struct msg {
	long mtype;
	char mtext[];
};

static struct msg *msg_alloc(size_t size)
{
	struct msg *m = calloc(1, sizeof(*m) + (size < 8 ? 8 : size));

	if (!m)
		die("calloc");
	return m;
}

static void sender(int q, long n, size_t size)
{
	struct msg *m = msg_alloc(size);
	long i;

	start_wait();
	m->mtype = 1;
	for (i = 0; i < n; i++) {
		memcpy(m->mtext, &i, sizeof(i));
		if (msgsnd(q, m, size, 0))
			die("msgsnd %ld", i);
	}
	exit(0);
}

struct tally {
	long count;
	uint64_t sum;
};

static void take(struct tally *t, const struct msg *m, long len, size_t size)
{
	long seq;

	if (len != (long)size || m->mtype != 1) {
		errno = 0;
		die("message %ld: length %ld type %ld", t->count, len, m->mtype);
	}
	memcpy(&seq, m->mtext, sizeof(seq));
	t->count++;
	t->sum += seq;
}

static void loop(int q, long n, size_t size, struct tally *t)
{
	struct msg *m = msg_alloc(size);
	long len;

	while (t->count < n) {
		len = msgrcv(q, m, size, 0, 0);
		if (len < 0)
			die("msgrcv");
		take(t, m, len, size);
	}
	free(m);
}

static void uring(int q, long n, size_t size, int batch, struct tally *t)
{
	int (*objfd)(int, int, const struct sysvipc_objfd *, int);
	struct io_uring ring;
	struct msg **bufs;
	long armed = 0;
	int fd, i;

	objfd = (int (*)(int, int, const struct sysvipc_objfd *, int))
		dlsym(RTLD_DEFAULT, "sysvipc_fd");
	if (!objfd)
		die("sysvipc_fd: run with LD_PRELOAD=libsysvipc.so");
	fd = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("sysvipc_fd");
	if (io_uring_queue_init(batch, &ring, 0))
		die("io_uring_queue_init");
	bufs = calloc(batch, sizeof(*bufs));
	if (!bufs)
		die("calloc");
	for (i = 0; i < batch && armed < n; i++, armed++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		bufs[i] = msg_alloc(size);
		io_uring_prep_read(sqe, fd, bufs[i], sizeof(long) + size, 0);
		io_uring_sqe_set_data64(sqe, i);
	}
	while (t->count < n) {
		struct io_uring_cqe *cqe;
		unsigned int head, seen = 0;

		if (io_uring_submit_and_wait(&ring, 1) < 0)
			die("io_uring_submit_and_wait");
		io_uring_for_each_cqe(&ring, head, cqe) {
			int slot = (int)cqe->user_data;

			if (cqe->res < 0) {
				errno = -cqe->res;
				die("receive");
			}
			take(t, bufs[slot], cqe->res - (long)sizeof(long),
			     size);
			seen++;
			if (armed < n) {
				struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

				io_uring_prep_read(sqe, fd, bufs[slot],
						   sizeof(long) + size, 0);
				io_uring_sqe_set_data64(sqe, slot);
				armed++;
			}
		}
		io_uring_cq_advance(&ring, seen);
	}
	io_uring_queue_exit(&ring);
	close(fd);
	for (i = 0; i < batch; i++)
		free(bufs[i]);
	free(bufs);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	long n = arg(argc, argv, 2, 100000);
	size_t size = arg(argc, argv, 3, 64);
	int batch = arg(argc, argv, 4, 64);
	struct tally t = { 0, 0 };
	struct msqid_ds ds;
	double t0, t1;
	int q;

	if (strcmp(mode, "loop") && strcmp(mode, "uring")) {
		fprintf(stderr, "usage: %s loop|uring N SIZE [BATCH]\n", argv[0]);
		return 2;
	}
	if (size < sizeof(long) || batch < 1)
		die("SIZE >= %zu, BATCH >= 1", sizeof(long));
	check_variant();
	q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (q < 0)
		die("msgget");
	/* Room for a batch's worth and more, as bench_msg's stream. */
	if (msgctl(q, IPC_STAT, &ds))
		die("IPC_STAT");
	ds.msg_qbytes = 1 << 20;
	if (msgctl(q, IPC_SET, &ds))
		die("IPC_SET (msg_qbytes 1 MiB needs root)");

	start_init();
	if (fork() == 0)
		sender(q, n, size);
	t0 = start_go();
	if (!strcmp(mode, "loop"))
		loop(q, n, size, &t);
	else
		uring(q, n, size, batch, &t);
	t1 = now();
	reap(1);
	if (t.count != n || t.sum != (uint64_t)n * (n - 1) / 2) {
		errno = 0;
		die("got %ld messages, sum %llu", t.count,
		    (unsigned long long)t.sum);
	}
	if (msgctl(q, IPC_STAT, &ds) || ds.msg_qnum)
		die("queue not empty at the end");
	msgctl(q, IPC_RMID, NULL);
	report(n / (t1 - t0), "msgs/s");
	return 0;
}
