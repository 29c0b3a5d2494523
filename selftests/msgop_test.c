// SPDX-License-Identifier: GPL-2.0
/*
 * msgsnd / msgrcv: sizes, types, flags, errnos, blocking, hand-off to a
 * sleeping receiver, removal and signals while blocked, many processes.
 * Reference: ipc/msg.c do_msgsnd(), do_msgrcv(), find_msg(),
 * pipelined_send(), ss_wakeup(), expunge_all(), msgctl_down(), freeque();
 * ipc/msgutil.c load_msg(), copy_msg().
 *
 * Natively these run against the kernel's IPC (the oracle); with
 * -DSYSVIPC_TEST_LIB=1 against the module.  Expectations are 6.1's.
 */
#include <limits.h>
#include <sys/ioctl.h>
#include <linux/sysvipc.h>

#include "common.h"

#ifndef MSG_COPY
#define MSG_COPY	040000
#endif

#define BUFSZ		256

struct tmsg {
	long mtype;
	char mtext[BUFSZ];
};

/* Payload byte @i of a message tagged @tag. */
static inline char pat(long tag, size_t i)
{
	return (char)((unsigned long)tag * 31 + i * 7 + 1);
}

static void fill(struct tmsg *m, long type, long tag, size_t len)
{
	m->mtype = type;
	for (size_t i = 0; i < len; i++)
		m->mtext[i] = pat(tag, i);
}

static bool check(const char *text, long tag, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (text[i] != pat(tag, i))
			return false;
	return true;
}

/* Send @len bytes of pattern @tag with type @type. */
static int snd(int id, long type, long tag, size_t len, int flg)
{
	struct tmsg m;

	fill(&m, type, tag, len);
	return msgsnd(id, &m, len, flg);
}

static int new_queue(void)
{
	return t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
}

static int q_stat(int id, struct msqid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	return msgctl(id, IPC_STAT, ds);
}

static long q_num(int id)
{
	struct msqid_ds ds;

	return q_stat(id, &ds) ? -1 : (long)ds.msg_qnum;
}

static int set_qbytes(int id, unsigned long qbytes)
{
	struct msqid_ds ds;

	if (q_stat(id, &ds))
		return -1;
	ds.msg_qbytes = qbytes;
	return msgctl(id, IPC_SET, &ds);
}

/* ---- child processes ---- */

/* Process state letter from /proc/PID/stat, or 0. */
static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/*
 * Wait until @pid sleeps (state S) for a few consecutive looks: the child
 * announced itself through a pipe just before its blocking call, so a
 * steady S means it is blocked in that call.
 */
static bool wait_blocked(pid_t pid)
{
	int steady = 0;

	for (int i = 0; i < 400 && steady < 5; i++) {
		steady = proc_state(pid) == 'S' ? steady + 1 : 0;
		usleep(5000);
	}
	return steady >= 5;
}

/* Exit status of @pid, 300 + signal if killed, -1 if still running. */
static int wait_exit(pid_t pid, int timeout_ms)
{
	int status;

	for (int i = 0; i <= timeout_ms; i += 5) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) :
			       300 + WTERMSIG(status);
		if (r < 0)
			return -2;
		usleep(5000);
	}
	return -1;
}

static void reap(pid_t pid)
{
	if (wait_exit(pid, 0) == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

struct child_op {
	int id;
	bool send;
	long type;		/* send: mtype; receive: msgtyp */
	long tag;
	size_t len;		/* send: bytes; receive: buffer size */
	int flg;
	int sig_flags;		/* SIGUSR1 handler's sa_flags, -1: none */
	uid_t uid;		/* 0: stay root */
};

static void on_usr1(int sig)
{
	(void)sig;
}

/*
 * Fork a child that does one msgsnd or msgrcv and exits with: 0 for a
 * send, 100 + the received mtype (types < 100) for a receive whose
 * payload checks out, errno for a failure, 250+ for setup problems.
 */
static pid_t start_child(const struct child_op *op)
{
	int pfd[2];
	pid_t pid;
	char c;

	if (pipe(pfd))
		return -1;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		struct tmsg m;
		ssize_t n;

		close(pfd[0]);
		if (op->sig_flags >= 0) {
			struct sigaction sa;

			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = on_usr1;
			sa.sa_flags = op->sig_flags;
			sigemptyset(&sa.sa_mask);
			if (sigaction(SIGUSR1, &sa, NULL))
				_exit(252);
		}
		if (op->uid && (setresgid(NOBODY_GID, NOBODY_GID, NOBODY_GID) ||
				setresuid(op->uid, op->uid, op->uid)))
			_exit(CHILD_SETUP_FAILED);
		if (write(pfd[1], "x", 1) != 1)
			_exit(253);
		close(pfd[1]);
		if (op->send) {
			fill(&m, op->type, op->tag, op->len);
			_exit(msgsnd(op->id, &m, op->len, op->flg) ? errno : 0);
		}
		n = msgrcv(op->id, &m, op->len, op->type, op->flg);
		if (n < 0)
			_exit(errno);
		if (m.mtype >= 100 || (size_t)n > op->len ||
		    !check(m.mtext, op->tag, n))
			_exit(CHILD_MISMATCH);
		_exit(100 + (int)m.mtype);
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1) {
		close(pfd[0]);
		reap(pid);
		return -1;
	}
	close(pfd[0]);
	return pid;
}

static pid_t start_rcv(int id, long msgtyp, long tag, size_t bufsz, int flg)
{
	struct child_op op = {
		.id = id, .type = msgtyp, .tag = tag, .len = bufsz,
		.flg = flg, .sig_flags = -1,
	};

	return start_child(&op);
}

static pid_t start_snd(int id, long type, long tag, size_t len)
{
	struct child_op op = {
		.id = id, .send = true, .type = type, .tag = tag, .len = len,
		.sig_flags = -1,
	};

	return start_child(&op);
}

/* ---- basics and stamps ---- */

TEST_F(ipc, send_receive_stamps)
{
	struct msqid_ds ds;
	struct tmsg m;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, snd(id, 7, 1, 100, 0));
	ASSERT_EQ(0, snd(id, 8, 2, 28, 0));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(2UL, ds.msg_qnum);
	EXPECT_EQ(128UL, ds.__msg_cbytes);
	EXPECT_EQ(getpid(), ds.msg_lspid);
	EXPECT_EQ(0, ds.msg_lrpid);
	EXPECT_TRUE(time_near_now(ds.msg_stime, 5));
	EXPECT_EQ(0, ds.msg_rtime);

	memset(&m, 0, sizeof(m));
	ASSERT_EQ(100, msgrcv(id, &m, BUFSZ, 0, 0));
	EXPECT_EQ(7, m.mtype);
	EXPECT_TRUE(check(m.mtext, 1, 100));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(1UL, ds.msg_qnum);
	EXPECT_EQ(28UL, ds.__msg_cbytes);
	EXPECT_EQ(getpid(), ds.msg_lrpid);
	EXPECT_TRUE(time_near_now(ds.msg_rtime, 5));
	ASSERT_EQ(28, msgrcv(id, &m, BUFSZ, 0, IPC_NOWAIT));
	EXPECT_EQ(8, m.mtype);
	EXPECT_TRUE(check(m.mtext, 2, 28));
	EXPECT_EQ(0L, q_num(id));
}

TEST_F(ipc, stamps_other_processes)
{
	struct msqid_ds ds;
	struct tmsg m;
	pid_t pid;
	int id = new_queue();

	ASSERT_GE(id, 0);
	pid = start_snd(id, 3, 3, 10);
	ASSERT_GT(pid, 0);
	ASSERT_EQ(0, wait_exit(pid, 5000));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(pid, ds.msg_lspid);
	EXPECT_EQ(0, ds.msg_lrpid);
	EXPECT_EQ(1UL, ds.msg_qnum);
	EXPECT_EQ(10UL, ds.__msg_cbytes);

	pid = start_rcv(id, 0, 3, BUFSZ, 0);
	ASSERT_GT(pid, 0);
	ASSERT_EQ(103, wait_exit(pid, 5000));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(pid, ds.msg_lrpid);
	EXPECT_NE(pid, ds.msg_lspid);
	EXPECT_EQ(0UL, ds.msg_qnum);
	EXPECT_EQ(0UL, ds.__msg_cbytes);

	/* parent sends, child receives */
	ASSERT_EQ(0, snd(id, 4, 4, 1, 0));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(getpid(), ds.msg_lspid);
	ASSERT_EQ(1, msgrcv(id, &m, BUFSZ, 4, 0));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(getpid(), ds.msg_lrpid);
}

/* ---- sizes ---- */

TEST_F(ipc, zero_length)
{
	struct tmsg m;
	struct msqid_ds ds;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, snd(id, 5, 0, 0, 0));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(1UL, ds.msg_qnum);
	EXPECT_EQ(0UL, ds.__msg_cbytes);
	m.mtype = 0;
	ASSERT_EQ(0, msgrcv(id, &m, 0, 0, 0));
	EXPECT_EQ(5, m.mtype);
	/* a zero-length receive of a non-empty message is E2BIG */
	ASSERT_EQ(0, snd(id, 6, 0, 1, 0));
	EXPECT_EQ(-1, msgrcv(id, &m, 0, 0, IPC_NOWAIT));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(0, msgrcv(id, &m, 0, 0, IPC_NOWAIT | MSG_NOERROR));
	EXPECT_EQ(6, m.mtype);
}

TEST_F(ipc, max_length)
{
	size_t max;
	struct tmsg *m;
	int id;

	modparams_follow_sysctl();
	max = sysctl_read_ul("msgmax");
	ASSERT_GT(max, 0UL);
	m = malloc(sizeof(long) + max + 64);
	ASSERT_NE(NULL, m);
	id = new_queue();
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, set_qbytes(id, 2 * max + 2));

	m->mtype = 9;
	for (size_t i = 0; i < max + 1; i++)
		m->mtext[i] = pat(9, i);
	EXPECT_EQ(-1, msgsnd(id, m, max + 1, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, msgsnd(id, m, max, IPC_NOWAIT));
	EXPECT_EQ(0, msgsnd(id, m, max, IPC_NOWAIT));
	memset(m, 0, sizeof(long) + max + 64);
	ASSERT_EQ((ssize_t)max, msgrcv(id, m, max + 64, 0, IPC_NOWAIT));
	EXPECT_EQ(9, m->mtype);
	EXPECT_TRUE(check(m->mtext, 9, max));
	/* truncated to one byte less */
	memset(m, 0, sizeof(long) + max + 64);
	ASSERT_EQ((ssize_t)max - 1,
		  msgrcv(id, m, max - 1, 0, IPC_NOWAIT | MSG_NOERROR));
	EXPECT_TRUE(check(m->mtext, 9, max - 1));
	EXPECT_EQ(0, m->mtext[max - 1]);
	free(m);
}

/* A raised kernel.msgmax: messages far larger than a page. */
TEST_F(ipc, large_msgmax)
{
	const size_t big = 3 << 20;
	struct tmsg *m;
	struct msqid_ds ds;
	int id;

	if (!have_cap(CAP_SYS_RESOURCE_BIT))
		SKIP(return, "no CAP_SYS_RESOURCE");
	modparams_follow_sysctl();
	ASSERT_EQ(0, sysctl_set_ul("msgmax", big));
	m = malloc(sizeof(long) + big);
	ASSERT_NE(NULL, m);
	id = new_queue();
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, set_qbytes(id, 2 * big));
	m->mtype = 2;
	for (size_t i = 0; i < big; i++)
		m->mtext[i] = pat(77, i);
	ASSERT_EQ(0, msgsnd(id, m, big, IPC_NOWAIT));
	ASSERT_EQ(0, msgsnd(id, m, big - 1, IPC_NOWAIT));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(2 * big - 1, ds.__msg_cbytes);
	memset(m, 0, sizeof(long) + big);
	ASSERT_EQ((ssize_t)big, msgrcv(id, m, big, 0, IPC_NOWAIT | MSG_COPY));
	EXPECT_TRUE(check(m->mtext, 77, big));
	memset(m, 0, sizeof(long) + big);
	ASSERT_EQ((ssize_t)big, msgrcv(id, m, big, 0, IPC_NOWAIT));
	EXPECT_EQ(2, m->mtype);
	EXPECT_TRUE(check(m->mtext, 77, big));
	ASSERT_EQ((ssize_t)big - 1, msgrcv(id, m, big, 0, IPC_NOWAIT));
	EXPECT_TRUE(check(m->mtext, 77, big - 1));
	free(m);
}

/*
 * Sizes on either side of where a message's text crosses a page, sent and
 * received in turn, so that each message may reuse the memory of one of a
 * different size (the module keeps a freed message's blocks for the next
 * send): every size and every byte must come back as sent.
 */
static const size_t edge_sizes[] = {
	0, 1, 8, 100, 4031, 4032, 4033, 4047, 4048, 4049, 4096, 8119, 8120,
	8121, 8135, 8136, 8137, 8191, 8192, 3, 8192, 4048, 8137, 0, 4033,
};

static void *edge_buf(size_t max)
{
	return malloc(sizeof(long) + max + 64);
}

#define N_EDGES	(sizeof(edge_sizes) / sizeof(edge_sizes[0]))

/* Send edge_sizes[@k] bytes, tagged by @k. */
static int send_edge(int id, struct tmsg *m, size_t k, int flg)
{
	m->mtype = 1 + k;
	for (size_t i = 0; i < edge_sizes[k]; i++)
		m->mtext[i] = pat(100 + k, i);
	return msgsnd(id, m, edge_sizes[k], flg);
}

/*
 * Receive what send_edge(@k) sent into @m (room for @max + 64 bytes of
 * text): whether the size, the type, every byte, and the byte after the
 * text (the receiver's own) are right.
 */
static bool receive_edge(int id, struct tmsg *m, size_t max, size_t k, int flg)
{
	size_t len = edge_sizes[k];

	memset(m, 0x5a, sizeof(long) + max + 64);
	return msgrcv(id, m, max + 64, 0, flg) == (ssize_t)len &&
	       m->mtype == (long)(1 + k) && check(m->mtext, 100 + k, len) &&
	       m->mtext[len] == 0x5a;
}

/* Send edge_sizes[] (those up to @max) in turn. */
static int send_edges(int id, struct tmsg *m, size_t max, bool wait_each)
{
	for (size_t k = 0; k < N_EDGES; k++) {
		if (edge_sizes[k] > max)
			continue;
		if (send_edge(id, m, k, 0))
			return -1;
		/* the receiver takes it before the next is sent */
		while (wait_each && q_num(id) > 0)
			usleep(100);
	}
	return 0;
}

/* Receive what send_edges() sent; whether all of it is right. */
static bool receive_edges(int id, struct tmsg *m, size_t max)
{
	for (size_t k = 0; k < N_EDGES; k++) {
		if (edge_sizes[k] <= max && !receive_edge(id, m, max, k, 0))
			return false;
	}
	return true;
}

TEST_F(ipc, sizes_alternate_one_process)
{
	size_t max = sysctl_read_ul("msgmax");
	struct tmsg *m = edge_buf(max);
	struct msqid_ds ds;
	int id = new_queue();

	ASSERT_NE(NULL, m);
	ASSERT_GE(id, 0);
	for (size_t k = 0; k < N_EDGES; k++) {
		if (edge_sizes[k] > max)
			continue;
		ASSERT_EQ(0, send_edge(id, m, k, IPC_NOWAIT));
		EXPECT_TRUE(receive_edge(id, m, max, k, IPC_NOWAIT))
			TH_LOG("size %zu", edge_sizes[k]);
	}
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(0UL, ds.msg_qnum);
	EXPECT_EQ(0UL, ds.__msg_cbytes);
	free(m);
}

/* A send that faults after a receive freed a message, then good ones. */
TEST_F(ipc, send_efault_after_receive)
{
	size_t max = sysctl_read_ul("msgmax");
	struct tmsg *m = edge_buf(max);
	char *page;
	long *mp;
	int id = new_queue();

	ASSERT_NE(NULL, m);
	ASSERT_GE(id, 0);
	ASSERT_GE(max, (size_t)PAGE_SZ);
	page = mmap(NULL, 2 * PAGE_SZ, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	/* not munmap(): the library's own mappings could land in a hole */
	ASSERT_EQ(0, mprotect(page + PAGE_SZ, PAGE_SZ, PROT_NONE));
	mp = (long *)page;
	mp[0] = 3;
	for (int round = 0; round < 3; round++) {
		m->mtype = 4;
		for (size_t i = 0; i < max; i++)
			m->mtext[i] = pat(round, i);
		ASSERT_EQ(0, msgsnd(id, m, max, IPC_NOWAIT));
		ASSERT_EQ((ssize_t)max, msgrcv(id, m, max, 0, IPC_NOWAIT));
		/* same size, text runs off the mapping */
		EXPECT_EQ(-1, msgsnd(id, mp, max, IPC_NOWAIT));
		EXPECT_EQ(EFAULT, errno);
		EXPECT_EQ(0L, q_num(id));
	}
	m->mtype = 6;
	for (size_t i = 0; i < max; i++)
		m->mtext[i] = pat(7, i);
	ASSERT_EQ(0, msgsnd(id, m, max, IPC_NOWAIT));
	ASSERT_EQ(0, msgsnd(id, m, 1, IPC_NOWAIT));
	memset(m, 0, sizeof(long) + max);
	ASSERT_EQ((ssize_t)max, msgrcv(id, m, max, 0, IPC_NOWAIT));
	EXPECT_EQ(6, m->mtype);
	EXPECT_TRUE(check(m->mtext, 7, max));
	ASSERT_EQ(1, msgrcv(id, m, max, 0, IPC_NOWAIT));
	munmap(page, 2 * PAGE_SZ);
	free(m);
}

/*
 * A sender and a receiver in different processes, in lockstep and then
 * running freely, and the queue removed with nothing in it afterwards.
 */
TEST_F(ipc, sizes_alternate_two_processes)
{
	size_t max = sysctl_read_ul("msgmax");
	struct tmsg *m = edge_buf(max);
	int id = new_queue(), status;
	pid_t pid;

	ASSERT_NE(NULL, m);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, set_qbytes(id, 64 * max));
	for (int lockstep = 1; lockstep >= 0; lockstep--) {
		pid = fork();
		ASSERT_GE(pid, 0);
		if (pid == 0)
			_exit(send_edges(id, m, max, lockstep) ? 1 : 0);
		EXPECT_TRUE(receive_edges(id, m, max));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	/* and back: the parent sends, a child receives */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(receive_edges(id, m, max) ? 0 : 1);
	EXPECT_EQ(0, send_edges(id, m, max, false));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT_EQ(0L, q_num(id));
	EXPECT_EQ(0, msgctl(id, IPC_RMID, NULL));
	free(m);
}

/* ---- argument errors ---- */

TEST_F(ipc, send_einval)
{
	size_t max;
	struct tmsg m;
	int id, gone;

	modparams_follow_sysctl();
	max = sysctl_read_ul("msgmax");
	id = new_queue();
	ASSERT_GE(id, 0);
	fill(&m, 1, 0, 8);
	EXPECT_EQ(-1, msgsnd(id, &m, max + 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgsnd(id, &m, (size_t)-1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgsnd(id, &m, (size_t)LONG_MAX + 1, 0));
	EXPECT_EQ(EINVAL, errno);
	m.mtype = 0;
	EXPECT_EQ(-1, msgsnd(id, &m, 8, 0));
	EXPECT_EQ(EINVAL, errno);
	m.mtype = -5;
	EXPECT_EQ(-1, msgsnd(id, &m, 8, 0));
	EXPECT_EQ(EINVAL, errno);
	m.mtype = LONG_MIN;
	EXPECT_EQ(-1, msgsnd(id, &m, 8, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
	m.mtype = 1;
	EXPECT_EQ(-1, msgsnd(-1, &m, 8, 0));
	EXPECT_EQ(EINVAL, errno);
	gone = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_GE(gone, 0);
	ASSERT_EQ(0, msgctl(gone, IPC_RMID, NULL));
	EXPECT_EQ(-1, msgsnd(gone, &m, 8, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0L, q_num(id));
	/* unknown flags are ignored */
	EXPECT_EQ(0, msgsnd(id, &m, 8, IPC_NOWAIT | 0x40000000));
}

TEST_F(ipc, send_efault)
{
	char *page;
	long *mp;
	int id = new_queue();

	ASSERT_GE(id, 0);
	EXPECT_EQ(-1, msgsnd(id, unmapped_addr(), 8, IPC_NOWAIT));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, msgsnd(id, NULL, 0, IPC_NOWAIT));
	EXPECT_EQ(EFAULT, errno);
	/* mtype is read before the size is checked */
	EXPECT_EQ(-1, msgsnd(id, unmapped_addr(), (size_t)-1, IPC_NOWAIT));
	EXPECT_EQ(EFAULT, errno);
	/* mtype readable, text runs into an unmapped page */
	page = mmap(NULL, 2 * PAGE_SZ, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	/* not munmap(): the library's own mappings could land in a hole */
	ASSERT_EQ(0, mprotect(page + PAGE_SZ, PAGE_SZ, PROT_NONE));
	mp = (long *)(page + PAGE_SZ - 2 * sizeof(long));
	mp[0] = 1;
	EXPECT_EQ(0, msgsnd(id, mp, sizeof(long), IPC_NOWAIT));
	EXPECT_EQ(-1, msgsnd(id, mp, sizeof(long) + 1, IPC_NOWAIT));
	EXPECT_EQ(EFAULT, errno);
	/* the size check comes before the text is read */
	EXPECT_EQ(-1, msgsnd(id, mp, (size_t)-1, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1L, q_num(id));
	munmap(page, 2 * PAGE_SZ);
}

TEST_F(ipc, receive_einval)
{
	struct tmsg m;
	int id = new_queue(), gone;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, snd(id, 1, 0, 4, 0));
	EXPECT_EQ(-1, msgrcv(id, &m, (size_t)-1, 0, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgrcv(id, &m, (size_t)LONG_MAX + 1, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgrcv(-1, &m, BUFSZ, 0, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
	gone = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_GE(gone, 0);
	ASSERT_EQ(0, msgctl(gone, IPC_RMID, NULL));
	EXPECT_EQ(-1, msgrcv(gone, &m, BUFSZ, 0, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(1L, q_num(id));
}

/* The message has left the queue before the copy-out fails: it is lost. */
TEST_F(ipc, receive_efault_loses_message)
{
	struct msqid_ds ds;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, snd(id, 1, 0, 16, 0));
	EXPECT_EQ(-1, msgrcv(id, unmapped_addr(), BUFSZ, 0, IPC_NOWAIT));
	EXPECT_EQ(EFAULT, errno);
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(0UL, ds.msg_qnum);
	EXPECT_EQ(getpid(), ds.msg_lrpid);
	/* an empty queue fails with ENOMSG before touching the buffer */
	EXPECT_EQ(-1, msgrcv(id, unmapped_addr(), BUFSZ, 0, IPC_NOWAIT));
	EXPECT_EQ(ENOMSG, errno);
}

static int nobody_send(void *arg)
{
	return ERRNO_OF(snd(*(int *)arg, 1, 0, 4, IPC_NOWAIT));
}

static int nobody_receive(void *arg)
{
	struct tmsg m;

	return ERRNO_OF(msgrcv(*(int *)arg, &m, BUFSZ, 0, IPC_NOWAIT));
}

TEST_F(ipc, permissions)
{
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, snd(id, 1, 0, 4, 0));
	/* 0600: nobody may do neither */
	EXPECT_EQ(EACCES, run_as_nobody(nobody_send, &id));
	EXPECT_EQ(EACCES, run_as_nobody(nobody_receive, &id));
	EXPECT_EQ(1L, q_num(id));
	/* 0602: write only */
	{
		struct msqid_ds ds;

		ASSERT_EQ(0, q_stat(id, &ds));
		ds.msg_perm.mode = 0602;
		ASSERT_EQ(0, msgctl(id, IPC_SET, &ds));
	}
	EXPECT_EQ(0, run_as_nobody(nobody_send, &id));
	EXPECT_EQ(EACCES, run_as_nobody(nobody_receive, &id));
	EXPECT_EQ(2L, q_num(id));
	{
		struct msqid_ds ds;

		ASSERT_EQ(0, q_stat(id, &ds));
		ds.msg_perm.mode = 0604;
		ASSERT_EQ(0, msgctl(id, IPC_SET, &ds));
	}
	EXPECT_EQ(EACCES, run_as_nobody(nobody_send, &id));
	EXPECT_EQ(0, run_as_nobody(nobody_receive, &id));
	EXPECT_EQ(1L, q_num(id));
}

/* ---- full queues ---- */

TEST_F(ipc, full_queue_eagain)
{
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, set_qbytes(id, 100));
	ASSERT_EQ(0, snd(id, 1, 0, 60, IPC_NOWAIT));
	EXPECT_EQ(-1, snd(id, 1, 0, 41, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, snd(id, 1, 0, 40, IPC_NOWAIT));
	EXPECT_EQ(-1, snd(id, 1, 0, 1, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(2L, q_num(id));
}

/* The kernel also limits the number of messages to msg_qbytes. */
TEST_F(ipc, message_count_limit)
{
	struct tmsg m;
	pid_t pid;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, set_qbytes(id, 3));
	ASSERT_EQ(0, snd(id, 1, 0, 0, IPC_NOWAIT));
	ASSERT_EQ(0, snd(id, 1, 0, 0, IPC_NOWAIT));
	ASSERT_EQ(0, snd(id, 1, 0, 1, IPC_NOWAIT));
	EXPECT_EQ(-1, snd(id, 1, 0, 0, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, msgrcv(id, &m, BUFSZ, 0, IPC_NOWAIT));
	EXPECT_EQ(0, snd(id, 1, 0, 0, IPC_NOWAIT));
	/* a blocked zero-length sender waits for a free slot */
	pid = start_snd(id, 2, 0, 0);
	ASSERT_GT(pid, 0);
	EXPECT_TRUE(wait_blocked(pid));
	EXPECT_EQ(-1, wait_exit(pid, 0));
	ASSERT_EQ(0, msgrcv(id, &m, BUFSZ, 0, IPC_NOWAIT));
	EXPECT_EQ(0, wait_exit(pid, 5000));
	EXPECT_EQ(3L, q_num(id));
	reap(pid);
}

TEST_F(ipc, blocked_sender_woken_by_receive)
{
	struct msqid_ds ds;
	struct tmsg m;
	pid_t pid;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, set_qbytes(id, 100));
	ASSERT_EQ(0, snd(id, 1, 1, 80, 0));
	pid = start_snd(id, 2, 2, 50);
	ASSERT_GT(pid, 0);
	EXPECT_TRUE(wait_blocked(pid));
	EXPECT_EQ(-1, wait_exit(pid, 0));
	EXPECT_EQ(1L, q_num(id));
	/* receiving a message that leaves too little room wakes nobody useful */
	ASSERT_EQ(0, snd(id, 3, 3, 20, IPC_NOWAIT));
	ASSERT_EQ(20, msgrcv(id, &m, BUFSZ, 3, IPC_NOWAIT));
	EXPECT_TRUE(wait_blocked(pid));
	EXPECT_EQ(-1, wait_exit(pid, 0));
	ASSERT_EQ(80, msgrcv(id, &m, BUFSZ, 0, 0));
	EXPECT_EQ(0, wait_exit(pid, 5000));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(1UL, ds.msg_qnum);
	EXPECT_EQ(50UL, ds.__msg_cbytes);
	EXPECT_EQ(pid, ds.msg_lspid);
	ASSERT_EQ(50, msgrcv(id, &m, BUFSZ, 0, IPC_NOWAIT));
	EXPECT_EQ(2, m.mtype);
	EXPECT_TRUE(check(m.mtext, 2, 50));
	reap(pid);
}

TEST_F(ipc, ipc_set_larger_queue_wakes_sender)
{
	pid_t pid;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, set_qbytes(id, 100));
	ASSERT_EQ(0, snd(id, 1, 1, 80, 0));
	pid = start_snd(id, 2, 2, 50);
	ASSERT_GT(pid, 0);
	EXPECT_TRUE(wait_blocked(pid));
	ASSERT_EQ(0, set_qbytes(id, 120));
	EXPECT_TRUE(wait_blocked(pid));
	EXPECT_EQ(-1, wait_exit(pid, 0));
	ASSERT_EQ(0, set_qbytes(id, 130));
	EXPECT_EQ(0, wait_exit(pid, 5000));
	EXPECT_EQ(2L, q_num(id));
	reap(pid);
}

/* ---- type selection ---- */

TEST_F(ipc, type_selection)
{
	static const long types[] = { 3, 1, 2, 3, 1, 5 };
	struct tmsg m;
	int id = new_queue();

	ASSERT_GE(id, 0);
	for (int i = 0; i < 6; i++)
		ASSERT_EQ(0, snd(id, types[i], i, 1 + i, 0));

	/* first of type 3 */
	ASSERT_EQ(1, msgrcv(id, &m, BUFSZ, 3, IPC_NOWAIT));
	EXPECT_EQ(3, m.mtype);
	EXPECT_TRUE(check(m.mtext, 0, 1));
	/* lowest type <= 2, oldest of those */
	ASSERT_EQ(2, msgrcv(id, &m, BUFSZ, -2, IPC_NOWAIT));
	EXPECT_EQ(1, m.mtype);
	EXPECT_TRUE(check(m.mtext, 1, 2));
	/* first that is not type 3 */
	ASSERT_EQ(3, msgrcv(id, &m, BUFSZ, 3, IPC_NOWAIT | MSG_EXCEPT));
	EXPECT_EQ(2, m.mtype);
	/* left: 3(tag 3) 1(tag 4) 5(tag 5) */
	EXPECT_EQ(-1, msgrcv(id, &m, BUFSZ, 4, IPC_NOWAIT));
	EXPECT_EQ(ENOMSG, errno);
	ASSERT_EQ(5, msgrcv(id, &m, BUFSZ, -4, IPC_NOWAIT));
	EXPECT_EQ(1, m.mtype);
	EXPECT_EQ(-1, msgrcv(id, &m, BUFSZ, -2, IPC_NOWAIT));
	EXPECT_EQ(ENOMSG, errno);
	/* MSG_EXCEPT with type 0 is "any", with a negative type it is ignored */
	ASSERT_EQ(4, msgrcv(id, &m, BUFSZ, 0, IPC_NOWAIT | MSG_EXCEPT));
	EXPECT_EQ(3, m.mtype);
	EXPECT_EQ(-1, msgrcv(id, &m, BUFSZ, -4, IPC_NOWAIT | MSG_EXCEPT));
	EXPECT_EQ(ENOMSG, errno);
	EXPECT_EQ(-1, msgrcv(id, &m, BUFSZ, 5, IPC_NOWAIT | MSG_EXCEPT));
	EXPECT_EQ(ENOMSG, errno);
	ASSERT_EQ(6, msgrcv(id, &m, BUFSZ, -5, IPC_NOWAIT | MSG_EXCEPT));
	EXPECT_EQ(5, m.mtype);
	EXPECT_EQ(0L, q_num(id));
}

TEST_F(ipc, type_lessequal_extremes)
{
	static const long types[] = { 9, LONG_MAX, 4, 7, 4, 2, 6 };
	struct tmsg m;
	int id = new_queue();

	ASSERT_GE(id, 0);
	for (int i = 0; i < 7; i++)
		ASSERT_EQ(0, snd(id, types[i], i, 1, 0));
	ASSERT_EQ(1, msgrcv(id, &m, BUFSZ, -10, IPC_NOWAIT));
	EXPECT_EQ(2, m.mtype);
	ASSERT_EQ(1, msgrcv(id, &m, BUFSZ, -10, IPC_NOWAIT));
	EXPECT_EQ(4, m.mtype);
	EXPECT_TRUE(check(m.mtext, 2, 1));
	ASSERT_EQ(1, msgrcv(id, &m, BUFSZ, -4, IPC_NOWAIT));
	EXPECT_EQ(4, m.mtype);
	EXPECT_TRUE(check(m.mtext, 4, 1));
	/* -LONG_MIN does not exist: the kernel uses LONG_MAX */
	ASSERT_EQ(1, msgrcv(id, &m, BUFSZ, LONG_MIN, IPC_NOWAIT));
	EXPECT_EQ(6, m.mtype);
	ASSERT_EQ(1, msgrcv(id, &m, BUFSZ, LONG_MAX, IPC_NOWAIT));
	EXPECT_EQ(LONG_MAX, m.mtype);
	ASSERT_EQ(1, msgrcv(id, &m, BUFSZ, -LONG_MAX, IPC_NOWAIT));
	EXPECT_EQ(7, m.mtype);
	ASSERT_EQ(1, msgrcv(id, &m, BUFSZ, 0, IPC_NOWAIT));
	EXPECT_EQ(9, m.mtype);
}

/* ---- truncation ---- */

TEST_F(ipc, noerror_truncates)
{
	struct msqid_ds ds;
	struct tmsg m;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, snd(id, 1, 5, 100, 0));
	memset(&m, 0, sizeof(m));
	ASSERT_EQ(10, msgrcv(id, &m, 10, 0, IPC_NOWAIT | MSG_NOERROR));
	EXPECT_EQ(1, m.mtype);
	EXPECT_TRUE(check(m.mtext, 5, 10));
	EXPECT_EQ(0, m.mtext[10]);
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(0UL, ds.msg_qnum);
	EXPECT_EQ(0UL, ds.__msg_cbytes);
}

TEST_F(ipc, e2big_keeps_message)
{
	struct msqid_ds ds;
	struct tmsg m;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, snd(id, 1, 5, 100, 0));
	EXPECT_EQ(-1, msgrcv(id, &m, 99, 0, IPC_NOWAIT));
	EXPECT_EQ(E2BIG, errno);
	/* E2BIG even for a blocking receive: the message is there */
	EXPECT_EQ(-1, msgrcv(id, &m, 10, 1, 0));
	EXPECT_EQ(E2BIG, errno);
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(1UL, ds.msg_qnum);
	EXPECT_EQ(100UL, ds.__msg_cbytes);
	EXPECT_EQ(0, ds.msg_lrpid);
	EXPECT_EQ(0, ds.msg_rtime);
	ASSERT_EQ(100, msgrcv(id, &m, 100, 0, IPC_NOWAIT));
	EXPECT_TRUE(check(m.mtext, 5, 100));
}

/* ---- MSG_COPY ---- */

TEST_F(ipc, msg_copy)
{
	struct msqid_ds ds;
	struct tmsg m;
	int id = new_queue();

	ASSERT_GE(id, 0);
	for (int i = 0; i < 3; i++)
		ASSERT_EQ(0, snd(id, 10 + i, 20 + i, 30 + i, 0));
	for (int i = 2; i >= 0; i--) {
		memset(&m, 0, sizeof(m));
		ASSERT_EQ(30 + i, msgrcv(id, &m, BUFSZ, i,
					 IPC_NOWAIT | MSG_COPY));
		EXPECT_EQ(10 + i, m.mtype);
		EXPECT_TRUE(check(m.mtext, 20 + i, 30 + i));
	}
	/* the index counts positions, whatever the type */
	EXPECT_EQ(-1, msgrcv(id, &m, BUFSZ, 3, IPC_NOWAIT | MSG_COPY));
	EXPECT_EQ(ENOMSG, errno);
	EXPECT_EQ(-1, msgrcv(id, &m, BUFSZ, -1, IPC_NOWAIT | MSG_COPY));
	EXPECT_EQ(ENOMSG, errno);
	EXPECT_EQ(-1, msgrcv(id, &m, BUFSZ, 0, MSG_COPY));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgrcv(id, &m, BUFSZ, 0,
			     IPC_NOWAIT | MSG_COPY | MSG_EXCEPT));
	EXPECT_EQ(EINVAL, errno);
	/* too small: E2BIG; with MSG_NOERROR the kernel's copy fails EINVAL */
	EXPECT_EQ(-1, msgrcv(id, &m, 29, 0, IPC_NOWAIT | MSG_COPY));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, msgrcv(id, &m, 29, 0,
			     IPC_NOWAIT | MSG_COPY | MSG_NOERROR));
	EXPECT_EQ(EINVAL, errno);
	memset(&m, 0, sizeof(m));
	ASSERT_EQ(31, msgrcv(id, &m, BUFSZ, 1,
			     IPC_NOWAIT | MSG_COPY | MSG_NOERROR));
	EXPECT_TRUE(check(m.mtext, 21, 31));
	/* nothing changed */
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(3UL, ds.msg_qnum);
	EXPECT_EQ(93UL, ds.__msg_cbytes);
	EXPECT_EQ(0, ds.msg_lrpid);
	EXPECT_EQ(0, ds.msg_rtime);
	/* after a real receive, index 0 is the next message */
	ASSERT_EQ(30, msgrcv(id, &m, BUFSZ, 0, IPC_NOWAIT));
	ASSERT_EQ(31, msgrcv(id, &m, BUFSZ, 0, IPC_NOWAIT | MSG_COPY));
	EXPECT_EQ(11, m.mtype);
}

/* The kernel reads MSG_COPY's buffer first: EFAULT before anything else. */
TEST_F(ipc, msg_copy_efault)
{
	struct tmsg m;
	int id = new_queue();

	ASSERT_GE(id, 0);
	EXPECT_EQ(-1, msgrcv(id, unmapped_addr(), 16, 0,
			     IPC_NOWAIT | MSG_COPY));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, msgrcv(id, unmapped_addr(), 0, 0,
			     IPC_NOWAIT | MSG_COPY));
	EXPECT_EQ(ENOMSG, errno);
	EXPECT_EQ(-1, msgrcv(id, &m, BUFSZ, 0, IPC_NOWAIT | MSG_COPY));
	EXPECT_EQ(ENOMSG, errno);
}

/* ---- hand-off to sleeping receivers ---- */

TEST_F(ipc, handoff_to_waiting_receiver)
{
	struct msqid_ds ds;
	pid_t pid;
	int id = new_queue();

	ASSERT_GE(id, 0);
	pid = start_rcv(id, 7, 70, BUFSZ, 0);
	ASSERT_GT(pid, 0);
	EXPECT_TRUE(wait_blocked(pid));
	/* not matching: queued */
	ASSERT_EQ(0, snd(id, 3, 30, 33, 0));
	EXPECT_TRUE(wait_blocked(pid));
	EXPECT_EQ(-1, wait_exit(pid, 0));
	/* matching: handed over, never queued */
	ASSERT_EQ(0, snd(id, 7, 70, 77, 0));
	EXPECT_EQ(107, wait_exit(pid, 5000));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(1UL, ds.msg_qnum);
	EXPECT_EQ(33UL, ds.__msg_cbytes);
	EXPECT_EQ(pid, ds.msg_lrpid);
	EXPECT_EQ(getpid(), ds.msg_lspid);
	EXPECT_TRUE(time_near_now(ds.msg_rtime, 5));
	reap(pid);
}

TEST_F(ipc, handoff_fifo_order)
{
	pid_t a, b, c;
	int id = new_queue();

	ASSERT_GE(id, 0);
	a = start_rcv(id, 0, 1, BUFSZ, 0);
	ASSERT_GT(a, 0);
	EXPECT_TRUE(wait_blocked(a));
	b = start_rcv(id, -5, 1, BUFSZ, 0);
	ASSERT_GT(b, 0);
	EXPECT_TRUE(wait_blocked(b));
	c = start_rcv(id, 9, 1, BUFSZ, MSG_EXCEPT);
	ASSERT_GT(c, 0);
	EXPECT_TRUE(wait_blocked(c));
	/* type 9: only a (any) matches, c excludes it, b wants <= 5 */
	ASSERT_EQ(0, snd(id, 9, 1, 5, 0));
	EXPECT_EQ(109, wait_exit(a, 5000));
	/* type 6: b does not match, c does */
	ASSERT_EQ(0, snd(id, 6, 1, 5, 0));
	EXPECT_EQ(106, wait_exit(c, 5000));
	EXPECT_EQ(-1, wait_exit(b, 0));
	ASSERT_EQ(0, snd(id, 2, 1, 5, 0));
	EXPECT_EQ(102, wait_exit(b, 5000));
	EXPECT_EQ(0L, q_num(id));
	reap(a);
	reap(b);
	reap(c);
}

/* A waiting receiver whose buffer is too small gets E2BIG at once. */
TEST_F(ipc, handoff_e2big)
{
	pid_t a, b;
	int id = new_queue();

	ASSERT_GE(id, 0);
	a = start_rcv(id, 0, 4, 8, 0);
	ASSERT_GT(a, 0);
	EXPECT_TRUE(wait_blocked(a));
	b = start_rcv(id, 0, 4, BUFSZ, 0);
	ASSERT_GT(b, 0);
	EXPECT_TRUE(wait_blocked(b));
	ASSERT_EQ(0, snd(id, 1, 4, 9, 0));
	EXPECT_EQ(E2BIG, wait_exit(a, 5000));
	EXPECT_EQ(101, wait_exit(b, 5000));
	EXPECT_EQ(0L, q_num(id));
	/* alone, the too-small receiver leaves the message queued */
	a = start_rcv(id, 0, 4, 8, 0);
	ASSERT_GT(a, 0);
	EXPECT_TRUE(wait_blocked(a));
	ASSERT_EQ(0, snd(id, 1, 4, 9, 0));
	EXPECT_EQ(E2BIG, wait_exit(a, 5000));
	EXPECT_EQ(1L, q_num(id));
	/* MSG_NOERROR receivers take anything */
	a = start_rcv(id, 2, 4, 8, MSG_NOERROR);
	ASSERT_GT(a, 0);
	EXPECT_TRUE(wait_blocked(a));
	ASSERT_EQ(0, snd(id, 2, 4, 200, 0));
	EXPECT_EQ(102, wait_exit(a, 5000));
	EXPECT_EQ(1L, q_num(id));
	reap(a);
	reap(b);
}

/* IPC_SET wakes receivers to re-check their permission. */
TEST_F(ipc, ipc_set_rechecks_receivers)
{
	struct child_op op = {
		.type = 0, .len = BUFSZ, .sig_flags = -1, .uid = NOBODY_UID,
	};
	struct msqid_ds ds;
	pid_t pid;

	op.id = t_msgget(IPC_PRIVATE, IPC_CREAT | 0666);
	ASSERT_GE(op.id, 0);
	pid = start_child(&op);
	ASSERT_GT(pid, 0);
	EXPECT_TRUE(wait_blocked(pid));
	/* still allowed: keeps waiting */
	ASSERT_EQ(0, q_stat(op.id, &ds));
	ds.msg_perm.mode = 0664;
	ASSERT_EQ(0, msgctl(op.id, IPC_SET, &ds));
	EXPECT_TRUE(wait_blocked(pid));
	EXPECT_EQ(-1, wait_exit(pid, 0));
	ds.msg_perm.mode = 0660;
	ASSERT_EQ(0, msgctl(op.id, IPC_SET, &ds));
	EXPECT_EQ(EACCES, wait_exit(pid, 5000));
	reap(pid);
}

/* ---- removal, signals ---- */

TEST_F(ipc, rmid_wakes_everyone)
{
	pid_t pids[4];
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, set_qbytes(id, 10));
	ASSERT_EQ(0, snd(id, 1, 0, 10, 0));
	pids[0] = start_rcv(id, 2, 0, BUFSZ, 0);
	pids[1] = start_rcv(id, 1, 0, BUFSZ, MSG_EXCEPT | MSG_NOERROR);
	pids[2] = start_snd(id, 2, 0, 1);
	pids[3] = start_snd(id, 3, 0, 5);
	for (int i = 0; i < 4; i++) {
		ASSERT_GT(pids[i], 0);
		EXPECT_TRUE(wait_blocked(pids[i]));
	}
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(EIDRM, wait_exit(pids[i], 5000));
	for (int i = 0; i < 4; i++)
		reap(pids[i]);
}

static void eintr_case(struct __test_metadata *_metadata, int id, bool send,
		       int sig_flags)
{
	struct child_op op = {
		.id = id, .send = send, .type = send ? 1 : 0,
		.len = send ? 10 : BUFSZ,
		.sig_flags = sig_flags,
	};
	pid_t pid = start_child(&op);

	ASSERT_GT(pid, 0);
	EXPECT_TRUE(wait_blocked(pid));
	ASSERT_EQ(0, kill(pid, SIGUSR1));
	/* msgsnd/msgrcv are not restarted after a handler, even SA_RESTART */
	EXPECT_EQ(EINTR, wait_exit(pid, 5000));
	reap(pid);
}

TEST_F(ipc, eintr)
{
	int id = new_queue();

	ASSERT_GE(id, 0);
	eintr_case(_metadata, id, false, 0);
	eintr_case(_metadata, id, false, SA_RESTART);
	ASSERT_EQ(0, set_qbytes(id, 10));
	ASSERT_EQ(0, snd(id, 1, 0, 10, 0));
	eintr_case(_metadata, id, true, 0);
	eintr_case(_metadata, id, true, SA_RESTART);
	EXPECT_EQ(1L, q_num(id));
}

/* Without a handler (stop/continue) the call restarts transparently. */
TEST_F(ipc, stop_continue_restarts)
{
	int status;
	pid_t pid;
	int id = new_queue();

	ASSERT_GE(id, 0);
	pid = start_rcv(id, 0, 8, BUFSZ, 0);
	ASSERT_GT(pid, 0);
	EXPECT_TRUE(wait_blocked(pid));
	ASSERT_EQ(0, kill(pid, SIGSTOP));
	ASSERT_EQ(pid, waitpid(pid, &status, WUNTRACED));
	EXPECT_TRUE(WIFSTOPPED(status));
	ASSERT_EQ(0, kill(pid, SIGCONT));
	EXPECT_TRUE(wait_blocked(pid));
	ASSERT_EQ(0, snd(id, 8, 8, 8, 0));
	EXPECT_EQ(108, wait_exit(pid, 5000));
	EXPECT_EQ(0L, q_num(id));
	reap(pid);
}

/* A killed sleeper leaves nothing behind: no hand-off, no stale sender. */
TEST_F(ipc, sigkill_blocked)
{
	struct msqid_ds ds;
	struct tmsg m;
	pid_t pid;
	int id = new_queue();

	ASSERT_GE(id, 0);
	pid = start_rcv(id, 0, 0, BUFSZ, 0);
	ASSERT_GT(pid, 0);
	EXPECT_TRUE(wait_blocked(pid));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(300 + SIGKILL, wait_exit(pid, 5000));
	ASSERT_EQ(0, snd(id, 1, 1, 10, 0));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(1UL, ds.msg_qnum);
	EXPECT_EQ(0, ds.msg_lrpid);

	ASSERT_EQ(0, set_qbytes(id, 10));
	pid = start_snd(id, 2, 2, 5);
	ASSERT_GT(pid, 0);
	EXPECT_TRUE(wait_blocked(pid));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(300 + SIGKILL, wait_exit(pid, 5000));
	ASSERT_EQ(10, msgrcv(id, &m, BUFSZ, 0, IPC_NOWAIT));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(0UL, ds.msg_qnum);
	EXPECT_NE(pid, ds.msg_lspid);
	EXPECT_EQ(-1, msgrcv(id, &m, BUFSZ, 0, IPC_NOWAIT));
	EXPECT_EQ(ENOMSG, errno);
}

/* ---- many processes ---- */

#define NSND	4
#define NRCV	4
#define PER	1000

struct stress {
	unsigned int total;
	unsigned int bad;		/* payload, order or errno problems */
	unsigned char seen[NSND][PER];
};

/* Message i of sender s: 4..63 bytes, the sequence number first. */
static size_t stress_len(int s, int i)
{
	return sizeof(int) + (size_t)(i * 13 + s) % 60;
}

static void stress_sender(int id, int s)
{
	struct tmsg m;

	for (int i = 0; i < PER; i++) {
		size_t len = stress_len(s, i);

		fill(&m, s + 1, s * PER + i, len);
		memcpy(m.mtext, &i, sizeof(int));
		if (msgsnd(id, &m, len, 0))
			_exit(errno);
	}
	_exit(0);
}

static bool stress_ok(const struct tmsg *m, ssize_t n, int s, int i)
{
	if (i < 0 || i >= PER || (size_t)n != stress_len(s, i))
		return false;
	for (size_t j = sizeof(int); j < (size_t)n; j++)
		if (m->mtext[j] != pat(s * PER + i, j))
			return false;
	return true;
}

/*
 * Receivers 0 and 1 take anything, 2 the lowest type <= 2, 3 type 3 only.
 * Each checks that it sees every sender's messages in sending order.
 */
static void stress_receiver(int id, int r, struct stress *st)
{
	static const long sel[NRCV] = { 0, 0, -2, 3 };
	int last[NSND] = { -1, -1, -1, -1 };
	struct tmsg m;

	for (;;) {
		ssize_t n = msgrcv(id, &m, BUFSZ, sel[r], 0);
		int s, i;

		/*
		 * The end: EIDRM when IPC_RMID finds us asleep, EINVAL when it
		 * came while we were between calls (the kernel does the same).
		 */
		if (n < 0)
			_exit(errno == EIDRM || errno == EINVAL ? 0 : errno);
		s = (int)m.mtype - 1;
		if (s < 0 || s >= NSND || n < (ssize_t)sizeof(int)) {
			__atomic_add_fetch(&st->bad, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		memcpy(&i, m.mtext, sizeof(int));
		if (!stress_ok(&m, n, s, i) || i <= last[s] ||
		    (sel[r] < 0 && m.mtype > -sel[r]) ||
		    (sel[r] > 0 && m.mtype != sel[r])) {
			__atomic_add_fetch(&st->bad, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		last[s] = i;
		__atomic_add_fetch(&st->seen[s][i], 1, __ATOMIC_SEQ_CST);
		__atomic_add_fetch(&st->total, 1, __ATOMIC_SEQ_CST);
	}
}

TEST_F(ipc, many_processes)
{
	struct stress *st;
	pid_t pids[NSND + NRCV];
	int id = new_queue(), missing = 0, dup = 0;

	ASSERT_GE(id, 0);
	/* small: senders block often */
	ASSERT_EQ(0, set_qbytes(id, 512));
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, st);
	memset(st, 0, sizeof(*st));
	fflush(stdout);
	fflush(stderr);
	for (int r = 0; r < NRCV; r++) {
		pids[NSND + r] = fork();
		if (!pids[NSND + r])
			stress_receiver(id, r, st);
	}
	for (int s = 0; s < NSND; s++) {
		pids[s] = fork();
		if (!pids[s])
			stress_sender(id, s);
	}
	for (int s = 0; s < NSND; s++)
		EXPECT_EQ(0, wait_exit(pids[s], 20000));
	for (int i = 0; i < 4000 &&
	     __atomic_load_n(&st->total, __ATOMIC_SEQ_CST) < NSND * PER; i++)
		usleep(5000);
	EXPECT_EQ(0L, q_num(id));
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	for (int r = 0; r < NRCV; r++)
		EXPECT_EQ(0, wait_exit(pids[NSND + r], 5000));
	for (int i = 0; i < NSND + NRCV; i++)
		reap(pids[i]);
	for (int s = 0; s < NSND; s++)
		for (int i = 0; i < PER; i++) {
			missing += st->seen[s][i] == 0;
			dup += st->seen[s][i] > 1;
		}
	EXPECT_EQ(0U, st->bad);
	EXPECT_EQ(0, missing);
	EXPECT_EQ(0, dup);
	EXPECT_EQ((unsigned int)(NSND * PER), st->total);
	munmap(st, sizeof(*st));
}

/* ---- MSG_INFO counters ---- */

TEST_F(ipc, msg_info_counts)
{
	struct msginfo before, after;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_GE(msgctl(0, MSG_INFO, (struct msqid_ds *)&before), 0);
	ASSERT_EQ(0, snd(id, 1, 0, 100, 0));
	ASSERT_EQ(0, snd(id, 1, 0, 50, 0));
	ASSERT_GE(msgctl(0, MSG_INFO, (struct msqid_ds *)&after), 0);
	EXPECT_EQ(before.msgmap + 2, after.msgmap);
	EXPECT_EQ(before.msgtql + 150, after.msgtql);
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	ASSERT_GE(msgctl(0, MSG_INFO, (struct msqid_ds *)&after), 0);
	EXPECT_EQ(before.msgmap, after.msgmap);
	EXPECT_EQ(before.msgtql, after.msgtql);
}

/* ---- the raw ABI (lib mode only) ---- */

TEST_F(ipc, abi_reserved_fields)
{
	struct sysvipc_msgsnd s;
	struct sysvipc_msgrcv r;
	struct tmsg m;
	int fd, id;

	if (!is_lib_mode())
		SKIP(return, "raw module ABI: lib mode only");
	fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	id = new_queue();
	ASSERT_GE(id, 0);
	fill(&m, 1, 0, 4);
	memset(&s, 0, sizeof(s));
	s.id = id;
	s.msgp = (uintptr_t)&m;
	s.msgsz = 4;
	s.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGSND, &s));
	EXPECT_EQ(EINVAL, errno);
	s.reserved[1] = 0;
	EXPECT_EQ(0, ioctl(fd, SYSVIPC_IOC_MSGSND, &s));
	memset(&r, 0, sizeof(r));
	r.id = id;
	r.msgp = (uintptr_t)&m;
	r.msgsz = BUFSZ;
	r.flags = IPC_NOWAIT;
	r.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGRCV, &r));
	EXPECT_EQ(EINVAL, errno);
	r.reserved[0] = 0;
	EXPECT_EQ(4, ioctl(fd, SYSVIPC_IOC_MSGRCV, &r));
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGRCV, unmapped_addr()));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

TEST_HARNESS_MAIN
