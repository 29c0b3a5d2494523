// SPDX-License-Identifier: GPL-2.0
/*
 * Receive throughput of 64 B (SIZE-byte) messages: a msgrcv loop against
 * io_uring reads of a queue fd, one message per read or batched.
 *
 *   uring_msg WORKLOAD RECEIVER N SIZE [INFLIGHT [BUFSZ]]         msgs/s
 *
 * WORKLOAD
 *   drain    the receiving process itself fills the queue with CHUNK
 *            (8192) messages, untimed, then receives them all, timed; again
 *            until N messages have been received.  Only receiving is
 *            measured: this is the workload `make bench` runs.
 *   stream   a second process msgsnd()s N messages while the receiver takes
 *            them; the rate is bounded by the single sender for every
 *            receiver (kept for manual runs).
 * RECEIVER
 *   loop     msgrcv() in a loop (the kernel's without preload, the
 *            module's with LD_PRELOAD=libsysvipc.so)
 *   uring    INFLIGHT (64) IORING_OP_READs on a plain queue fd, one
 *            message each, re-armed as they complete (sysvipc only)
 *   batch    INFLIGHT (4) reads of BUFSZ (65536) bytes on a queue fd made
 *            with SYSVIPC_OBJFD_MSG_BATCH | SYSVIPC_OBJFD_MSG_EXCLUSIVE:
 *            each read takes as many messages as fit (sysvipc only)
 *
 * e.g. in one VM boot (bench/vm.sh does this):
 *   B=build/bench/uring_msg L=$PWD/libsysvipc/libsysvipc.so
 *   BENCH_VARIANT=kernel  $B drain loop 200000 64
 *   BENCH_VARIANT=sysvipc LD_PRELOAD=$L $B drain loop 200000 64
 *   BENCH_VARIANT=sysvipc LD_PRELOAD=$L $B drain batch 200000 64
 *
 * build: make bench (or gcc -O2 -Wall -Iuapi -Ilibsysvipc/include
 *        bench/uring_msg.c -luring -ldl -o build/bench/uring_msg).
 * sysvipc_fd is found with dlsym, so the binary does not link libsysvipc
 * and the kernel variant really uses the kernel's calls.
 *
 * Checks: each message carries its sequence number; the receiver counts
 * them and sums the numbers (io_uring may complete reads out of order), so
 * a lost, duplicated or truncated message fails the run.  The queue is
 * empty at the end.  msg_qbytes is raised to hold a chunk (needs root).
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <liburing.h>
#include <linux/sysvipc.h>
#include "common.h"

#define CHUNK 8192L

struct msg {
	long mtype;
	char mtext[];
};

struct tally {
	long count;
	uint64_t sum;
};

static struct msg *msg_alloc(size_t size)
{
	struct msg *m = calloc(1, sizeof(*m) + (size < 8 ? 8 : size));

	if (!m)
		die("calloc");
	return m;
}

/* Send messages [from, to) with their sequence numbers. */
static void send_range(int q, long from, long to, size_t size)
{
	struct msg *m = msg_alloc(size);
	long i;

	m->mtype = 1;
	for (i = from; i < to; i++) {
		memcpy(m->mtext, &i, sizeof(i));
		if (msgsnd(q, m, size, 0))
			die("msgsnd %ld", i);
	}
	free(m);
}

static void take(struct tally *t, long type, const char *text, long len,
		 size_t size)
{
	long seq;

	if (len != (long)size || type != 1) {
		errno = 0;
		die("message %ld: length %ld type %ld", t->count, len, type);
	}
	memcpy(&seq, text, sizeof(seq));
	t->count++;
	t->sum += seq;
}

/* A receiver takes @n messages from the queue, counting into @t. */
struct receiver {
	void (*init)(struct receiver *r, int q);
	void (*recv)(struct receiver *r, long n, struct tally *t);
	void (*quiesce)(struct receiver *r);	/* after a drained chunk */
	void (*fini)(struct receiver *r);
	int q, fd, inflight;
	size_t size, bufsz;
	struct io_uring ring;
	char **bufs;
};

static void loop_recv(struct receiver *r, long n, struct tally *t)
{
	struct msg *m = msg_alloc(r->size);
	long end = t->count + n, len;

	while (t->count < end) {
		len = msgrcv(r->q, m, r->size, 0, 0);
		if (len < 0)
			die("msgrcv");
		take(t, m->mtype, m->mtext, len, r->size);
	}
	free(m);
}

static void uring_init(struct receiver *r, __u64 objfd_flags)
{
	int (*objfd)(int, int, const struct sysvipc_objfd *, int);
	struct sysvipc_objfd cfg = { .objfd_flags = objfd_flags };
	int i;

	objfd = (int (*)(int, int, const struct sysvipc_objfd *, int))
		dlsym(RTLD_DEFAULT, "sysvipc_fd");
	if (!objfd)
		die("sysvipc_fd: run with LD_PRELOAD=libsysvipc.so");
	r->fd = objfd(SYSVIPC_OBJ_MSG, r->q, &cfg, O_RDWR | O_CLOEXEC);
	if (r->fd < 0)
		die("sysvipc_fd");
	if (io_uring_queue_init(2 * r->inflight, &r->ring, 0))
		die("io_uring_queue_init");
	r->bufs = calloc(r->inflight, sizeof(*r->bufs));
	if (!r->bufs)
		die("calloc");
	for (i = 0; i < r->inflight; i++) {
		r->bufs[i] = malloc(r->bufsz);
		if (!r->bufs[i])
			die("malloc");
	}
}

static void uring_one_init(struct receiver *r, int q)
{
	r->q = q;
	r->bufsz = sizeof(long) + r->size;
	uring_init(r, 0);
}

static void uring_batch_init(struct receiver *r, int q)
{
	r->q = q;
	uring_init(r, SYSVIPC_OBJFD_MSG_BATCH | SYSVIPC_OBJFD_MSG_EXCLUSIVE);
}

static void arm(struct receiver *r, int slot)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);

	io_uring_prep_read(sqe, r->fd, r->bufs[slot], r->bufsz, 0);
	io_uring_sqe_set_data64(sqe, slot);
}

/*
 * Keep up to INFLIGHT reads armed while fewer than @n messages have come;
 * a read armed beyond that stays parked for the next call (or is
 * discarded with the ring).  Batch reads store sysvipc_msgrec records.
 */
static void uring_recv(struct receiver *r, long n, struct tally *t,
		       bool batch)
{
	long end = t->count + n;
	int i;

	/* In a stream the reads stay armed to the end: only one call. */
	for (i = 0; i < r->inflight; i++)
		arm(r, i);
	while (t->count < end) {
		struct io_uring_cqe *cqe;
		unsigned int head, seen = 0;

		if (io_uring_submit_and_wait(&r->ring, 1) < 0)
			die("io_uring_submit_and_wait");
		io_uring_for_each_cqe(&r->ring, head, cqe) {
			int slot = (int)cqe->user_data;
			const char *b = r->bufs[slot];
			long res = cqe->res, off;

			if (res < 0) {
				errno = -res;
				die("receive");
			}
			if (!batch)
				take(t, *(const long *)b, b + sizeof(long),
				     res - (long)sizeof(long), r->size);
			for (off = 0; batch && off < res;
			     off = SYSVIPC_MSGREC_NEXT(off, r->size)) {
				const struct sysvipc_msgrec *rec =
					(const void *)(b + off);

				take(t, rec->mtype, b + off + sizeof(*rec),
				     rec->mtext_size, r->size);
			}
			seen++;
			arm(r, slot);
		}
		io_uring_cq_advance(&r->ring, seen);
	}
}

/*
 * After a drained chunk: the queue is empty, so every read still armed is
 * parked (or about to be); cancel them all, so that none takes a message
 * of the next chunk while it is being sent.  Not timed.
 */
static void uring_quiesce(struct receiver *r)
{
	const __u64 cancel_tag = ~0ULL;
	struct __kernel_timespec ts = { .tv_sec = 10 };
	struct io_uring_sqe *sqe = io_uring_get_sqe(&r->ring);
	struct io_uring_cqe *cqe;
	int left = r->inflight + 1;

	io_uring_prep_cancel_fd(sqe, r->fd, IORING_ASYNC_CANCEL_ALL);
	io_uring_sqe_set_data64(sqe, cancel_tag);
	if (io_uring_submit(&r->ring) < 0)
		die("io_uring_submit");
	for (; left > 0; left--) {
		if (io_uring_wait_cqe_timeout(&r->ring, &cqe, &ts))
			die("cancel: %d reads not cancelled", left - 1);
		if (cqe->user_data == cancel_tag ? cqe->res < 0 :
		    cqe->res != -ECANCELED) {
			errno = 0;
			die("cancel: %llu: %d", cqe->user_data, cqe->res);
		}
		io_uring_cqe_seen(&r->ring, cqe);
	}
}

static void uring_one_recv(struct receiver *r, long n, struct tally *t)
{
	uring_recv(r, n, t, false);
}

static void uring_batch_recv(struct receiver *r, long n, struct tally *t)
{
	uring_recv(r, n, t, true);
}

static void uring_fini(struct receiver *r)
{
	int i;

	io_uring_queue_exit(&r->ring);
	close(r->fd);
	for (i = 0; i < r->inflight; i++)
		free(r->bufs[i]);
	free(r->bufs);
}

static void loop_init(struct receiver *r, int q)
{
	r->q = q;
}

static void nop_fini(struct receiver *r)
{
	(void)r;
}

int main(int argc, char **argv)
{
	const char *wl = argc > 1 ? argv[1] : "", *rcv = argc > 2 ? argv[2] : "";
	long n = arg(argc, argv, 3, 100000);
	size_t size = arg(argc, argv, 4, 64);
	struct receiver r = { .size = size };
	struct tally t = { 0, 0 };
	bool drain = !strcmp(wl, "drain");
	struct msqid_ds ds;
	double t0, t1, busy = 0;
	long done, c;
	int q;

	if (!strcmp(rcv, "loop")) {
		r.init = loop_init;
		r.recv = loop_recv;
		r.quiesce = nop_fini;
		r.fini = nop_fini;
	} else if (!strcmp(rcv, "uring")) {
		r.init = uring_one_init;
		r.recv = uring_one_recv;
		r.quiesce = uring_quiesce;
		r.fini = uring_fini;
		r.inflight = arg(argc, argv, 5, 64);
	} else if (!strcmp(rcv, "batch")) {
		r.init = uring_batch_init;
		r.recv = uring_batch_recv;
		r.quiesce = uring_quiesce;
		r.fini = uring_fini;
		r.inflight = arg(argc, argv, 5, 4);
		r.bufsz = arg(argc, argv, 6, 65536);
	}
	if ((!drain && strcmp(wl, "stream")) || !r.init) {
		fprintf(stderr, "usage: %s drain|stream loop|uring|batch N SIZE [INFLIGHT [BUFSZ]]\n",
			argv[0]);
		return 2;
	}
	if (size < sizeof(long) || (r.init != loop_init && r.inflight < 1) ||
	    (r.init == uring_batch_init &&
	     r.bufsz < sizeof(struct sysvipc_msgrec) + size))
		die("SIZE >= %zu, INFLIGHT >= 1, BUFSZ >= a record", sizeof(long));
	check_variant();
	q = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	if (q < 0)
		die("msgget");
	/* Room for a chunk (drain) or a good backlog (stream). */
	if (msgctl(q, IPC_STAT, &ds))
		die("IPC_STAT");
	ds.msg_qbytes = drain ? CHUNK * size : 1 << 20;
	if (msgctl(q, IPC_SET, &ds))
		die("IPC_SET (raising msg_qbytes needs root)");
	r.init(&r, q);

	if (drain) {
		for (done = 0; done < n; done += c) {
			c = n - done < CHUNK ? n - done : CHUNK;
			send_range(q, done, done + c, size);
			t0 = now();
			r.recv(&r, c, &t);
			busy += now() - t0;
			r.quiesce(&r);
		}
	} else {
		start_init();
		if (fork() == 0) {
			start_wait();
			send_range(q, 0, n, size);
			exit(0);
		}
		t0 = start_go();
		r.recv(&r, n, &t);
		t1 = now();
		reap(1);
		busy = t1 - t0;
	}
	r.fini(&r);
	if (t.count != n || t.sum != (uint64_t)n * (n - 1) / 2) {
		errno = 0;
		die("got %ld messages, sum %llu", t.count,
		    (unsigned long long)t.sum);
	}
	if (msgctl(q, IPC_STAT, &ds) || ds.msg_qnum)
		die("queue not empty at the end");
	msgctl(q, IPC_RMID, NULL);
	report(n / busy, "msgs/s");
	return 0;
}
