// SPDX-License-Identifier: GPL-2.0
/*
 * msgrcv where the library may take messages from a queue's receive ring
 * (ABI 1.5, SYSVIPC_IOC_MSGRING): the boundary between the ring and the
 * module's list.
 *
 * The first cases are plain SysV programs whose expectations are the
 * kernel's (6.1), so the native build is the oracle; in the lib build a
 * queue is mapped by the first msgrcv the module completes, and small
 * messages then go through the ring whenever nobody waits on the queue.
 * The last cases use the ioctl and the page directly and skip natively.
 * selftests/run.sh runs the suite (and msgop_test) again with the
 * module's msg_ring=0.
 */
#include <sys/ioctl.h>
#include <linux/sysvipc.h>
#include "common.h"

#define SMALL	48	/* fits a ring slot */
#define BIG	(SYSVIPC_MSGRING_TEXT + 1)	/* never does */

struct tmsg {
	long mtype;
	char mtext[8192];
};

static int new_queue(void)
{
	return t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
}

/* A message of @size bytes whose text starts with @seq. */
static int snd(int id, long type, int seq, size_t size, int flg)
{
	struct tmsg m = { .mtype = type };

	memset(m.mtext, 'a' + seq % 26, size);
	if (size >= sizeof(int))
		memcpy(m.mtext, &seq, sizeof(int));
	return msgsnd(id, &m, size, flg);
}

/* Receive; the sequence number, -1 with errno, or -2 for a bad text. */
static int rcv(int id, long type, size_t size, int flg, long *got_type)
{
	struct tmsg m;
	ssize_t n;
	int seq;

	n = msgrcv(id, &m, sizeof(m.mtext), type, flg);
	if (n < 0)
		return -1;
	if ((size_t)n != size || n < (ssize_t)sizeof(int))
		return -2;
	memcpy(&seq, m.mtext, sizeof(int));
	for (ssize_t i = sizeof(int); i < n; i++)
		if (m.mtext[i] != 'a' + seq % 26)
			return -2;
	if (got_type)
		*got_type = m.mtype;
	return seq;
}

static int q_stat(int id, struct msqid_ds *ds)
{
	return msgctl(id, IPC_STAT, ds);
}

/* In the lib build: a receive through the module maps the queue. */
static int warm(int id)
{
	if (snd(id, 1, 0, SMALL, 0))
		return -1;
	return rcv(id, 0, SMALL, IPC_NOWAIT, NULL);
}

/* ---- order across the ring and the list ---- */

/*
 * Small messages (the ring), large ones (the list, and whatever follows
 * them until the list empties) interleaved: one FIFO all the same.
 */
TEST_F(ipc, fifo_across_sizes)
{
	int id = new_queue(), seq;
	size_t size;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, warm(id));
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 60; i++) {
			size = i % 7 == 3 ? BIG : SMALL;
			ASSERT_EQ(0, snd(id, 1, i, size, IPC_NOWAIT));
		}
		for (int i = 0; i < 60; i++) {
			size = i % 7 == 3 ? BIG : SMALL;
			seq = rcv(id, 0, size, IPC_NOWAIT, NULL);
			ASSERT_EQ(i, seq);
		}
		EXPECT_EQ(-1, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
		EXPECT_EQ(ENOMSG, errno);
	}
}

/* Typed receives whose message is not the oldest, mixed with msgtyp 0. */
TEST_F(ipc, typed_selection_mixed)
{
	long type;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, warm(id));
	/* types 1 2 3 1 2 3 ... */
	for (int i = 0; i < 12; i++)
		ASSERT_EQ(0, snd(id, 1 + i % 3, i, SMALL, 0));
	EXPECT_EQ(2, rcv(id, 3, SMALL, IPC_NOWAIT, &type));	/* first 3 */
	EXPECT_EQ(3L, type);
	EXPECT_EQ(0, rcv(id, 0, SMALL, IPC_NOWAIT, &type));	/* oldest */
	EXPECT_EQ(1, rcv(id, 1, SMALL, IPC_NOWAIT | MSG_EXCEPT, &type));
	EXPECT_EQ(2L, type);
	EXPECT_EQ(3, rcv(id, -1, SMALL, IPC_NOWAIT, &type));	/* lowest */
	EXPECT_EQ(1L, type);
	EXPECT_EQ(4, rcv(id, 2, SMALL, IPC_NOWAIT, &type));	/* head */
	EXPECT_EQ(5, rcv(id, 0, SMALL, IPC_NOWAIT, &type));
	EXPECT_EQ(-1, rcv(id, 9, SMALL, IPC_NOWAIT, &type));
	EXPECT_EQ(ENOMSG, errno);
	for (int i = 6; i < 12; i++)
		EXPECT_EQ(i, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
}

/* E2BIG leaves the oldest message queued; MSG_NOERROR truncates it. */
TEST_F(ipc, e2big_and_noerror)
{
	struct tmsg m;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, warm(id));
	ASSERT_EQ(0, snd(id, 5, 7, 40, 0));
	ASSERT_EQ(0, snd(id, 6, 8, 40, 0));
	EXPECT_EQ(-1, msgrcv(id, &m, 39, 0, IPC_NOWAIT));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, msgrcv(id, &m, 39, 5, IPC_NOWAIT));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(10, msgrcv(id, &m, 10, 0, IPC_NOWAIT | MSG_NOERROR));
	EXPECT_EQ(5L, m.mtype);
	EXPECT_EQ(7, *(int *)m.mtext);
	EXPECT_EQ(8, rcv(id, 0, 40, IPC_NOWAIT, NULL));
	/* a bad size is EINVAL, not a message */
	ASSERT_EQ(0, snd(id, 1, 9, 8, 0));
	EXPECT_EQ(-1, msgrcv(id, &m, (size_t)-1, 0, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(9, rcv(id, 0, 8, IPC_NOWAIT, NULL));
}

/* msg_qnum, msg_cbytes, msg_lrpid, msg_rtime after receives. */
TEST_F(ipc, stat_after_receives)
{
	struct msqid_ds ds;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, warm(id));
	for (int i = 0; i < 20; i++)
		ASSERT_EQ(0, snd(id, 1, i, 10 + i, 0));
	for (int i = 0; i < 7; i++)
		ASSERT_EQ(i, rcv(id, 0, 10 + i, IPC_NOWAIT, NULL));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(13UL, ds.msg_qnum);
	EXPECT_EQ((unsigned long)(20 * 10 + 19 * 20 / 2 - (7 * 10 + 6 * 7 / 2)),
		  ds.msg_cbytes);
	EXPECT_EQ(getpid(), ds.msg_lrpid);
	EXPECT_EQ(getpid(), ds.msg_lspid);
	EXPECT_TRUE(time_near_now(ds.msg_rtime, 5));
	for (int i = 7; i < 20; i++)
		ASSERT_EQ(i, rcv(id, 0, 10 + i, IPC_NOWAIT, NULL));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(0UL, ds.msg_qnum);
	EXPECT_EQ(0UL, ds.msg_cbytes);
}

static int stat_child_receives(void *p)
{
	int id = *(int *)p;

	return rcv(id, 0, SMALL, IPC_NOWAIT, NULL) == 1 ? 0 : 1;
}

/* Another process's receive is its pid in msg_lrpid. */
TEST_F(ipc, lrpid_of_other_receiver)
{
	struct msqid_ds ds;
	pid_t pid;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, warm(id));
	ASSERT_EQ(0, snd(id, 1, 1, SMALL, 0));
	pid = spawn_child(stat_child_receives, &id);
	ASSERT_GT(pid, 0);
	EXPECT_EQ(0, reap_child(pid));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(pid, ds.msg_lrpid);
	EXPECT_EQ(0UL, ds.msg_qnum);
}

/* ---- waiting ---- */

static int full_sender(void *p)
{
	int id = *(int *)p;

	/* Blocks: the queue is full until the parent receives. */
	return snd(id, 1, 99, SMALL, 0) ? errno : 0;
}

/* A sender blocked on a full queue is woken by a receive. */
TEST_F(ipc, blocked_sender_woken)
{
	struct msqid_ds ds;
	pid_t pid;
	int id = new_queue(), i;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, warm(id));
	ASSERT_EQ(0, q_stat(id, &ds));
	ds.msg_qbytes = 4 * SMALL;
	ASSERT_EQ(0, msgctl(id, IPC_SET, &ds));
	ASSERT_EQ(0, warm(id));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, snd(id, 1, i, SMALL, IPC_NOWAIT));
	EXPECT_EQ(-1, snd(id, 1, i, SMALL, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	pid = spawn_child(full_sender, &id);
	ASSERT_GT(pid, 0);
	usleep(200 * 1000);
	EXPECT_EQ(0, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	EXPECT_EQ(0, reap_child(pid));
	for (i = 1; i < 4; i++)
		EXPECT_EQ(i, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	EXPECT_EQ(99, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
}

static int late_receiver(void *p)
{
	int id = *(int *)p;

	/* The first through the module maps the queue; then it waits. */
	if (rcv(id, 0, SMALL, 0, NULL) != 1)
		return 1;
	return rcv(id, 0, SMALL, 0, NULL) == 2 ? 0 : 2;
}

/* A receiver that waits is handed the next message. */
TEST_F(ipc, waiting_receiver_gets_message)
{
	pid_t pid;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, snd(id, 1, 1, SMALL, 0));
	pid = spawn_child(late_receiver, &id);
	ASSERT_GT(pid, 0);
	usleep(300 * 1000);
	ASSERT_EQ(0, snd(id, 1, 2, SMALL, 0));
	EXPECT_EQ(0, reap_child(pid));
}

/* ---- many processes: every message once, in order per sender ---- */

#define MP_SENDERS	2
#define MP_RECEIVERS	3
#define MP_MSGS		3000	/* per sender */

struct mp_seen {
	int last[MP_SENDERS];	/* per receiver, the last seq per sender */
};

static int mp_id;
static unsigned char *mp_count;	/* shared: how often each message came */

static int mp_sender(void *p)
{
	long me = (long)p;

	for (int i = 0; i < MP_MSGS; i++) {
		/* sender in the type, mostly small, now and then large */
		if (snd(mp_id, me + 1, i, i % 50 == 49 ? BIG : SMALL, 0))
			return 1;
	}
	return 0;
}

static int mp_receiver(void *p)
{
	struct mp_seen seen;
	long type, me = (long)p;
	struct tmsg m;
	ssize_t n;
	int seq;

	for (int s = 0; s < MP_SENDERS; s++)
		seen.last[s] = -1;
	for (;;) {
		n = msgrcv(mp_id, &m, sizeof(m.mtext), 0,
			   me == 0 ? IPC_NOWAIT : 0);
		if (n < 0) {
			if (errno == ENOMSG)
				continue;
			/* the end: removed while waiting, or before the call */
			return errno == EIDRM || errno == EINVAL ? 0 : 1;
		}
		type = m.mtype;
		memcpy(&seq, m.mtext, sizeof(int));
		if (type < 1 || type > MP_SENDERS || seq < 0 || seq >= MP_MSGS)
			return 2;
		/* per sender, each receiver sees increasing numbers */
		if (seq <= seen.last[type - 1])
			return 3;
		seen.last[type - 1] = seq;
		__atomic_add_fetch(&mp_count[(type - 1) * MP_MSGS + seq], 1,
				   __ATOMIC_SEQ_CST);
	}
}

TEST_F(ipc, many_processes_exactly_once)
{
	pid_t snd_pid[MP_SENDERS], rcv_pid[MP_RECEIVERS];
	struct msqid_ds ds;
	int total = 0, bad = 0;

	mp_count = mmap(NULL, MP_SENDERS * MP_MSGS, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, mp_count);
	mp_id = new_queue();
	ASSERT_GE(mp_id, 0);
	for (long i = 0; i < MP_RECEIVERS; i++)
		rcv_pid[i] = spawn_child(mp_receiver, (void *)i);
	for (long i = 0; i < MP_SENDERS; i++)
		snd_pid[i] = spawn_child(mp_sender, (void *)i);
	for (int i = 0; i < MP_SENDERS; i++)
		EXPECT_EQ(0, reap_child(snd_pid[i]));
	/* wait until everything was received */
	for (int tries = 0; tries < 6000; tries++) {
		ASSERT_EQ(0, q_stat(mp_id, &ds));
		if (!ds.msg_qnum)
			break;
		usleep(10 * 1000);
	}
	EXPECT_EQ(0UL, ds.msg_qnum);
	usleep(100 * 1000);
	ASSERT_EQ(0, msgctl(mp_id, IPC_RMID, NULL));
	for (int i = 0; i < MP_RECEIVERS; i++)
		EXPECT_EQ(0, reap_child(rcv_pid[i]));
	for (int i = 0; i < MP_SENDERS * MP_MSGS; i++) {
		total += mp_count[i];
		bad += mp_count[i] != 1;
	}
	EXPECT_EQ(MP_SENDERS * MP_MSGS, total);
	EXPECT_EQ(0, bad);
	munmap(mp_count, MP_SENDERS * MP_MSGS);
}

static int fork_child_receives(void *p)
{
	int id = *(int *)p;

	for (int i = 1; i <= 5; i++)
		if (rcv(id, 0, SMALL, IPC_NOWAIT, NULL) != i)
			return i;
	return 0;
}

/* A child of a process that mapped the queue receives all the same. */
TEST_F(ipc, fork_child_receives)
{
	pid_t pid;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, warm(id));
	for (int i = 1; i <= 10; i++)
		ASSERT_EQ(0, snd(id, 1, i, SMALL, 0));
	pid = spawn_child(fork_child_receives, &id);
	ASSERT_GT(pid, 0);
	EXPECT_EQ(0, reap_child(pid));
	for (int i = 6; i <= 10; i++)
		EXPECT_EQ(i, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
}

/*
 * A backlog of small messages behind a large one, all in the list (lib
 * build): counts, MSG_COPY indexes, typed receives and the order, while
 * the receives move between the list and the ring.
 */
TEST_F(ipc, backlog_counts_copy_and_order)
{
	struct msqid_ds ds;
	struct tmsg m;
	long type;
	int id = new_queue(), next = 1;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, warm(id));
	ASSERT_EQ(0, snd(id, 1, 0, BIG, IPC_NOWAIT));
	for (int i = 1; i <= 100; i++)
		ASSERT_EQ(0, snd(id, 1 + i % 2, i, SMALL, IPC_NOWAIT));
	EXPECT_EQ(0, rcv(id, 0, BIG, IPC_NOWAIT, NULL));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(100UL, ds.msg_qnum);
	EXPECT_EQ(100UL * SMALL, ds.msg_cbytes);
	EXPECT_EQ(getpid(), ds.msg_lrpid);
	/* the 6th message is seq 6, and stays */
	ASSERT_EQ((ssize_t)SMALL, msgrcv(id, &m, sizeof(m.mtext), 5,
					 IPC_NOWAIT | MSG_COPY));
	EXPECT_EQ(6, *(int *)m.mtext);
	for (; next <= 10; next++)
		ASSERT_EQ(next, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	/* the first type 1 is seq 12 (odd seqs are type 2); then 11 */
	EXPECT_EQ(12, rcv(id, 1, SMALL, IPC_NOWAIT, &type));
	EXPECT_EQ(1L, type);
	EXPECT_EQ(11, rcv(id, 0, SMALL, IPC_NOWAIT, &type));
	EXPECT_EQ(2L, type);
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(88UL, ds.msg_qnum);
	for (next = 13; next <= 100; next++)
		ASSERT_EQ(next, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	EXPECT_EQ(-1, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	EXPECT_EQ(ENOMSG, errno);
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(0UL, ds.msg_qnum);
	EXPECT_EQ(0UL, ds.msg_cbytes);
}

#define LATE_AHEAD	300	/* queued before the receiver starts */
#define LATE_TOTAL	5000

static int late_sender(void *p)
{
	int id = *(int *)p;

	for (int i = LATE_AHEAD; i < LATE_TOTAL; i++)
		if (snd(id, 1, i, SMALL, 0))
			return 1;
	return 0;
}

/*
 * A receiver that starts behind a sender (a full queue's worth queued,
 * the sender then blocking and streaming on): every message, in order.
 */
TEST_F(ipc, late_receiver_catches_up)
{
	int id = new_queue(), seq = 0;
	pid_t pid;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, warm(id));
	for (int i = 0; i < LATE_AHEAD; i++)
		ASSERT_EQ(0, snd(id, 1, i, SMALL, IPC_NOWAIT));
	pid = spawn_child(late_sender, &id);
	ASSERT_GT(pid, 0);
	for (int i = 0; i < LATE_TOTAL && seq == i; i++)
		seq = rcv(id, 0, SMALL, 0, NULL) == i ? i + 1 : -1;
	EXPECT_EQ(LATE_TOTAL, seq);
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(-1, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	EXPECT_EQ(ENOMSG, errno);
}

/* IPC_SET between receives; IPC_RMID with messages waiting. */
TEST_F(ipc, set_and_rmid_between_receives)
{
	struct msqid_ds ds;
	int id = new_queue();

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, warm(id));
	for (int i = 1; i <= 6; i++)
		ASSERT_EQ(0, snd(id, 1, i, SMALL, 0));
	EXPECT_EQ(1, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	ASSERT_EQ(0, q_stat(id, &ds));
	ds.msg_perm.mode = 0640;
	ASSERT_EQ(0, msgctl(id, IPC_SET, &ds));
	for (int i = 2; i <= 4; i++)
		EXPECT_EQ(i, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(2UL, ds.msg_qnum);
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	EXPECT_EQ(-1, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- the ring itself (library only) ---- */

static bool msg_ring_off(void)
{
	char buf[8];

	return !file_read_str(MODPARAM_DIR "msg_ring", buf, sizeof(buf)) &&
	       buf[0] == 'N';
}

static int dev_fd(void)
{
	return open("/dev/sysvipc", O_RDWR | O_CLOEXEC);
}

static struct sysvipc_msgring_page *ring_map(int fd, int id)
{
	struct sysvipc_msgring m = { .id = id };

	if (ioctl(fd, SYSVIPC_IOC_MSGRING, &m))
		return NULL;
	return (struct sysvipc_msgring_page *)(uintptr_t)m.addr;
}

/*
 * The prologue of a case on the page itself: library only, with rings on;
 * a device fd, a new queue and its ring.
 */
#define RING_SETUP(fd, id, pg) do {					\
	if (!is_lib_mode())						\
		SKIP(return, "the module's ring");			\
	if (msg_ring_off())						\
		SKIP(return, "msg_ring=0: nothing to map");		\
	fd = dev_fd();							\
	ASSERT_GE(fd, 0);						\
	id = new_queue();						\
	ASSERT_GE(id, 0);						\
	pg = ring_map(fd, id);						\
	ASSERT_NE(NULL, pg);						\
} while (0)

TEST_F(ipc, msgring_ioctl_checks)
{
	struct sysvipc_msgring m = { 0 };
	struct sysvipc_msgring_page *pg;
	struct sysvipc_version v;
	unsigned long long off = 0;
	char line[512];
	FILE *f;
	int fd, id;
	void *b;

	if (!is_lib_mode())
		SKIP(return, "the module's ioctl");
	fd = dev_fd();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, SYSVIPC_IOC_VERSION, &v));
	EXPECT_NE(0, v.features & SYSVIPC_FEAT_MSG_RING);
	EXPECT_GE(v.minor, 5);
	id = new_queue();
	ASSERT_GE(id, 0);
	m.id = id;
	if (msg_ring_off()) {
		EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGRING, &m));
		EXPECT_EQ(EOPNOTSUPP, errno);
		close(fd);
		return;
	}
	m.id = -1;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGRING, &m));
	EXPECT_EQ(EINVAL, errno);
	m.id = id;
	m.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGRING, &m));
	EXPECT_EQ(EINVAL, errno);
	m.reserved[1] = 0;
	m.addr = 4096;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGRING, &m));
	EXPECT_EQ(EINVAL, errno);
	m.addr = 0;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGRING, unmapped_addr()));
	EXPECT_EQ(EFAULT, errno);
	m.id = id + 1;	/* names no queue */
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGRING, &m));
	EXPECT_EQ(EINVAL, errno);

	pg = ring_map(fd, id);
	ASSERT_NE(NULL, pg);
	EXPECT_EQ(SYSVIPC_MSGRING_MAGIC, pg->magic);
	EXPECT_EQ(SYSVIPC_MSGRING_VERSION, pg->version);
	EXPECT_EQ(id, pg->id);
	EXPECT_EQ(SYSVIPC_MSGRING_SLOTS, pg->slots);
	EXPECT_EQ(SYSVIPC_MSGRING_TEXT, pg->slot_text);
	EXPECT_EQ(0U, pg->flags);
	/* the ioctl's mapping is the device at SYSVIPC_MMAP_MSGRING + id */
	f = fopen("/proc/self/maps", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strtoull(line, NULL, 16) == (uintptr_t)pg)
			sscanf(line, "%*s %*s %llx", &off);
	fclose(f);
	EXPECT_EQ((SYSVIPC_MMAP_MSGRING + id) * 4096, off);
	b = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (SYSVIPC_MMAP_MSGRING + id) * 4096);
	ASSERT_NE(MAP_FAILED, b);
	EXPECT_EQ(0, memcmp(pg, b, 64));
	EXPECT_EQ(0, munmap(b, PAGE_SZ));
	/* one shared page, not inherited, not growable, not executable */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * PAGE_SZ, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, (SYSVIPC_MMAP_MSGRING + id) * 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE_SZ, PROT_READ, MAP_PRIVATE, fd,
				   (SYSVIPC_MMAP_MSGRING + id) * 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mremap(pg, PAGE_SZ, 2 * PAGE_SZ, 0));
	EXPECT_EQ(-1, mprotect(pg, PAGE_SZ, PROT_READ | PROT_EXEC));
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	EXPECT_NE(0U, pg->flags & SYSVIPC_MSGRING_REMOVED);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
				   MAP_SHARED, fd, (SYSVIPC_MMAP_MSGRING + id) * 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, munmap(pg, PAGE_SZ));
	close(fd);
}

static int ring_map_as_nobody(void *p)
{
	int fd = dev_fd();

	if (fd < 0)
		return CHILD_SETUP_FAILED;
	if (ring_map(fd, *(int *)p))
		return CHILD_UNEXPECTED_OK;
	return errno;
}

/* Mapping needs both read and write permission. */
TEST_F(ipc, msgring_needs_read_and_write)
{
	int ro, wo;

	if (!is_lib_mode())
		SKIP(return, "the module's ioctl");
	if (msg_ring_off())
		SKIP(return, "msg_ring=0: nothing to map");
	ro = t_msgget(IPC_PRIVATE, IPC_CREAT | 0644);
	wo = t_msgget(IPC_PRIVATE, IPC_CREAT | 0622);
	ASSERT_GE(ro, 0);
	ASSERT_GE(wo, 0);
	EXPECT_EQ(EACCES, run_as_nobody(ring_map_as_nobody, &ro));
	EXPECT_EQ(EACCES, run_as_nobody(ring_map_as_nobody, &wo));
}

/* The module fills slots, receivers move head; IPC_SET retires the page. */
TEST_F(ipc, msgring_protocol)
{
	struct sysvipc_msgring_page *pg, *pg2;
	struct msqid_ds ds;
	uint64_t h;
	int fd, id;

	RING_SETUP(fd, id, pg);
	ASSERT_EQ(0, snd(id, 3, 11, 20, 0));
	ASSERT_EQ(0, snd(id, 4, 12, BIG, 0));	/* to the list */
	EXPECT_EQ(1ULL, pg->tail & SYSVIPC_MSGRING_POS);
	EXPECT_EQ(0ULL, pg->head);
	EXPECT_EQ(1ULL, pg->list_qnum);
	EXPECT_EQ(3, pg->slot[0].mtype);
	EXPECT_EQ(20U, pg->slot[0].size);
	EXPECT_EQ(11, *(int *)pg->slot[0].text);
	/* take it by hand, as the library does */
	h = 0;
	ASSERT_TRUE(__atomic_compare_exchange_n(&pg->head, &h, 1, false,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
	pg->rpid = 4242;
	pg->rtime = 1000;
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(1UL, ds.msg_qnum);
	EXPECT_EQ((unsigned long)BIG, ds.msg_cbytes);
	EXPECT_EQ(4242, ds.msg_lrpid);
	EXPECT_EQ(1000, ds.msg_rtime);
	/* the list empties; the ring fills again */
	EXPECT_EQ(12, rcv(id, 0, BIG, IPC_NOWAIT, NULL));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(getpid(), ds.msg_lrpid);
	ASSERT_EQ(0, snd(id, 5, 13, SMALL, 0));
	EXPECT_EQ(2ULL, pg->tail & SYSVIPC_MSGRING_POS);
	/* a typed receive through the module takes the ring back */
	ASSERT_EQ(0, snd(id, 6, 14, SMALL, 0));
	EXPECT_EQ(3ULL, pg->tail & SYSVIPC_MSGRING_POS);
	EXPECT_EQ(14, rcv(id, 6, SMALL, IPC_NOWAIT, NULL));
	EXPECT_EQ(3ULL, pg->head);
	EXPECT_EQ(1ULL, pg->list_qnum);
	/* IPC_SET: the page is retired, emptied, zeroed; a new one follows */
	ASSERT_EQ(0, q_stat(id, &ds));
	ASSERT_EQ(0, msgctl(id, IPC_SET, &ds));
	EXPECT_NE(0U, pg->flags & SYSVIPC_MSGRING_MOVED);
	EXPECT_EQ(0, pg->slot[0].mtype);
	pg2 = ring_map(fd, id);
	ASSERT_NE(NULL, pg2);
	EXPECT_EQ(0U, pg2->flags);
	EXPECT_EQ(1ULL, pg2->list_qnum);
	EXPECT_EQ(13, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	EXPECT_EQ(0, munmap(pg, PAGE_SZ));
	EXPECT_EQ(0, munmap(pg2, PAGE_SZ));
	close(fd);
}

/* What user space writes in the page cannot break the queue. */
TEST_F(ipc, scribbled_ring_cannot_hurt)
{
	struct sysvipc_msgring_page *pg;
	struct msqid_ds ds;
	int fd, id, got = 0;
	uint64_t *w;

	RING_SETUP(fd, id, pg);
	w = (uint64_t *)pg;
	for (int round = 0; round < 4; round++) {
		for (int i = 0; i < 40; i++)
			ASSERT_EQ(0, snd(id, 1, i, 8 + i, IPC_NOWAIT));
		/* head ahead of tail, behind it, garbage stamps and slots */
		pg->head = round & 1 ? pg->tail + 1000 : 0;
		pg->rpid = -5;
		pg->rtime = round & 2 ? -1 : 0x7fffffffffffLL;
		if (round == 3)
			for (size_t i = 0; i < PAGE_SZ / 8; i++)
				w[i] = i * 0x9e3779b97f4a7c15ULL;
		ASSERT_EQ(0, q_stat(id, &ds));
		EXPECT_LE(ds.msg_qnum, 40UL);
		EXPECT_LE(ds.msg_cbytes, ds.msg_qbytes);
		EXPECT_GE(ds.msg_lrpid, 0);
		EXPECT_LE(ds.msg_rtime, time(NULL));
		EXPECT_GE(ds.msg_rtime, 0);
		/* everything still queued comes out through the module */
		while (msgrcv(id, &(struct tmsg){ 0 }, 8192, 1, IPC_NOWAIT) >= 0)
			got++;
		EXPECT_EQ(ENOMSG, errno);
		ASSERT_EQ(0, q_stat(id, &ds));
		EXPECT_EQ(0UL, ds.msg_qnum);
		EXPECT_EQ(0UL, ds.msg_cbytes);
	}
	EXPECT_GT(got, 0);
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	EXPECT_NE(0U, pg->flags & SYSVIPC_MSGRING_REMOVED);
	EXPECT_EQ(0, munmap(pg, PAGE_SZ));
	close(fd);
}

static int lease(int fd, int id, unsigned int *gen)
{
	struct sysvipc_msglease a = { .id = id };

	if (ioctl(fd, SYSVIPC_IOC_MSGLEASE, &a))
		return -1;
	*gen = a.gen;
	return 0;
}

/* The lessee's steps (uapi/linux/sysvipc.h), by hand; 0 when sent. */
static int lessee_send(struct sysvipc_msgring_page *pg, unsigned int gen,
		       long type, int seq, uint32_t size)
{
	struct sysvipc_msgring_slot *slot;
	uint64_t w = pg->tail, pos = w & SYSVIPC_MSGRING_POS;
	int ret = -1;

	if (w >> SYSVIPC_MSGRING_GEN_SHIFT != gen)
		return -1;
	__atomic_exchange_n(&pg->busy, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&pg->tail, __ATOMIC_SEQ_CST) != w)
		goto out;
	slot = &pg->slot[pos % SYSVIPC_MSGRING_SLOTS];
	slot->mtype = type;
	slot->size = size;
	memset(slot->text, 'a' + seq % 26, size);
	memcpy(slot->text, &seq, sizeof(int));
	if (!__atomic_compare_exchange_n(&pg->tail, &w, w + 1, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		goto out;
	pg->spid = 4343;
	pg->stime = 2000;
	ret = 0;
out:
	__atomic_store_n(&pg->busy, 0, __ATOMIC_RELEASE);
	return ret;
}

TEST_F(ipc, msglease_checks)
{
	struct sysvipc_msglease a = { 0 };
	struct sysvipc_msgring_page *pg;
	unsigned int gen, gen2;
	struct msqid_ds ds;
	int fd, id;

	if (!is_lib_mode())
		SKIP(return, "the module's ioctl");
	fd = dev_fd();
	ASSERT_GE(fd, 0);
	id = new_queue();
	ASSERT_GE(id, 0);
	a.id = id;
	if (msg_ring_off()) {
		EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGLEASE, &a));
		EXPECT_EQ(EOPNOTSUPP, errno);
		close(fd);
		return;
	}
	a.id = -1;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGLEASE, &a));
	EXPECT_EQ(EINVAL, errno);
	a.id = id;
	a.gen = 1;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGLEASE, &a));
	EXPECT_EQ(EINVAL, errno);
	a.gen = 0;
	a.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGLEASE, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_MSGLEASE, unmapped_addr()));
	EXPECT_EQ(EFAULT, errno);
	/* no ring yet */
	EXPECT_EQ(-1, lease(fd, id, &gen));
	EXPECT_EQ(ENXIO, errno);
	pg = ring_map(fd, id);
	ASSERT_NE(NULL, pg);
	ASSERT_EQ(0, lease(fd, id, &gen));
	EXPECT_NE(0U, gen);
	EXPECT_EQ(gen, pg->tail >> SYSVIPC_MSGRING_GEN_SHIFT);
	ASSERT_EQ(0, q_stat(id, &ds));	/* any module call ends it */
	EXPECT_EQ(0ULL, pg->tail >> SYSVIPC_MSGRING_GEN_SHIFT);
	EXPECT_EQ(ds.msg_qbytes, pg->qbytes);
	EXPECT_GE(pg->msgmax, (uint64_t)SYSVIPC_MSGRING_TEXT);
	ASSERT_EQ(0, lease(fd, id, &gen2));
	EXPECT_NE(gen, gen2);
	EXPECT_EQ(-1, lease(fd, id, &gen));
	EXPECT_EQ(EBUSY, errno);
	/* the list not empty: no lease */
	ASSERT_EQ(0, snd(id, 1, 1, BIG, 0));
	EXPECT_EQ(-1, lease(fd, id, &gen));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	EXPECT_EQ(-1, lease(fd, id, &gen));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, munmap(pg, PAGE_SZ));
	close(fd);
}

static int lease_as_nobody(void *p)
{
	unsigned int gen;
	int fd = dev_fd();

	if (fd < 0)
		return CHILD_SETUP_FAILED;
	if (!lease(fd, *(int *)p, &gen))
		return CHILD_UNEXPECTED_OK;
	return errno;
}

TEST_F(ipc, msglease_needs_read_and_write)
{
	struct sysvipc_msgring_page *pg;
	int fd, ro;

	if (!is_lib_mode())
		SKIP(return, "the module's ioctl");
	if (msg_ring_off())
		SKIP(return, "msg_ring=0: nothing to lease");
	fd = dev_fd();
	ASSERT_GE(fd, 0);
	ro = t_msgget(IPC_PRIVATE, IPC_CREAT | 0644);
	ASSERT_GE(ro, 0);
	pg = ring_map(fd, ro);
	ASSERT_NE(NULL, pg);
	EXPECT_EQ(EACCES, run_as_nobody(lease_as_nobody, &ro));
	EXPECT_EQ(0, munmap(pg, PAGE_SZ));
	close(fd);
}

/* What a lessee sends is the queue's: counted, stamped, received in order. */
TEST_F(ipc, msglease_protocol)
{
	struct sysvipc_msgring_page *pg;
	struct msqid_ds ds;
	unsigned int gen;
	int fd, id;

	RING_SETUP(fd, id, pg);
	ASSERT_EQ(0, snd(id, 2, 1, SMALL, 0));	/* the module's, in the ring */
	ASSERT_EQ(0, lease(fd, id, &gen));
	for (int i = 2; i <= 5; i++)
		ASSERT_EQ(0, lessee_send(pg, gen, 2, i, 10 * i));
	/* the module's next call ends the lease and counts what it sent */
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(5UL, ds.msg_qnum);
	EXPECT_EQ((unsigned long)(SMALL + 20 + 30 + 40 + 50), ds.msg_cbytes);
	EXPECT_EQ(4343, ds.msg_lspid);
	EXPECT_EQ(2000, ds.msg_stime);
	/* the lease is over: the lessee's next send fails */
	EXPECT_EQ(-1, lessee_send(pg, gen, 2, 6, 8));
	EXPECT_EQ(1, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	EXPECT_EQ(2, rcv(id, 2, 20, IPC_NOWAIT, NULL));	/* typed: the module */
	/* a module send comes after all of them */
	ASSERT_EQ(0, snd(id, 2, 7, BIG, 0));
	for (int i = 3; i <= 5; i++)
		EXPECT_EQ(i, rcv(id, 0, 10 * i, IPC_NOWAIT, NULL));
	EXPECT_EQ(7, rcv(id, 0, BIG, IPC_NOWAIT, NULL));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(0UL, ds.msg_qnum);
	EXPECT_EQ(0UL, ds.msg_cbytes);
	EXPECT_EQ(0, munmap(pg, PAGE_SZ));
	close(fd);
}

/*
 * A lessee that sent message @seq (type 3, 16 bytes) and stopped halfway
 * through its next send: its busy word stays set.  0 when done.
 */
static int stuck_lessee(int fd, int id, struct sysvipc_msgring_page *pg,
			int seq)
{
	unsigned int gen;

	if (lease(fd, id, &gen) || lessee_send(pg, gen, 3, seq, 16))
		return -1;
	pg->busy = 1;
	return 0;
}

/* A lessee stopped halfway (busy stays set): the page is retired. */
TEST_F(ipc, msglease_stuck_lessee)
{
	struct sysvipc_msgring_page *pg;
	struct msqid_ds ds;
	unsigned int gen;
	int fd, id;

	RING_SETUP(fd, id, pg);
	ASSERT_EQ(0, stuck_lessee(fd, id, pg, 1));
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(1UL, ds.msg_qnum);
	EXPECT_NE(0U, pg->flags & SYSVIPC_MSGRING_MOVED);
	EXPECT_EQ(0ULL, pg->tail >> SYSVIPC_MSGRING_GEN_SHIFT);
	EXPECT_EQ(1, rcv(id, 0, 16, IPC_NOWAIT, NULL));
	/* a lessee writing ahead of the module's view: dropped, no harm */
	EXPECT_EQ(0, munmap(pg, PAGE_SZ));
	pg = ring_map(fd, id);
	ASSERT_NE(NULL, pg);
	ASSERT_EQ(0, lease(fd, id, &gen));
	ASSERT_EQ(0, lessee_send(pg, gen, 3, 2, 16));
	pg->tail += 1000;
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(0UL, ds.msg_qnum);
	EXPECT_EQ(0UL, ds.msg_cbytes);
	ASSERT_EQ(0, snd(id, 1, 3, SMALL, 0));
	EXPECT_EQ(3, rcv(id, 0, SMALL, IPC_NOWAIT, NULL));
	EXPECT_EQ(0, munmap(pg, PAGE_SZ));
	close(fd);
}

/*
 * A lessee stuck halfway when IPC_SET or IPC_RMID is the module's next
 * call on the queue: the lease ends there and the page is retired, with
 * the flag of the call.
 */
TEST_F(ipc, msglease_stuck_lessee_at_set_and_rmid)
{
	struct sysvipc_msgring_page *pg;
	struct msqid_ds ds;
	int fd, id;

	RING_SETUP(fd, id, pg);
	ASSERT_EQ(0, q_stat(id, &ds));
	ASSERT_EQ(0, stuck_lessee(fd, id, pg, 1));
	ASSERT_EQ(0, msgctl(id, IPC_SET, &ds));
	EXPECT_NE(0U, pg->flags & SYSVIPC_MSGRING_MOVED);
	EXPECT_EQ(0ULL, pg->tail >> SYSVIPC_MSGRING_GEN_SHIFT);
	ASSERT_EQ(0, q_stat(id, &ds));
	EXPECT_EQ(1UL, ds.msg_qnum);
	EXPECT_EQ(1, rcv(id, 0, 16, IPC_NOWAIT, NULL));
	EXPECT_EQ(0, munmap(pg, PAGE_SZ));

	pg = ring_map(fd, id);
	ASSERT_NE(NULL, pg);
	ASSERT_EQ(0, stuck_lessee(fd, id, pg, 2));
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	EXPECT_NE(0U, pg->flags & SYSVIPC_MSGRING_REMOVED);
	EXPECT_EQ(0ULL, pg->tail >> SYSVIPC_MSGRING_GEN_SHIFT);
	EXPECT_EQ(0, munmap(pg, PAGE_SZ));
	close(fd);
}

TEST_HARNESS_MAIN
