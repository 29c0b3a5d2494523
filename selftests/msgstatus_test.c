// SPDX-License-Identifier: GPL-2.0
/*
 * The message queues' status region (SYSVIPC_IOC_MSGSTATUS) and the
 * library's spinning before a msgrcv or msgsnd that would sleep.
 *
 * The region itself exists only in the module: those cases SKIP natively.
 * The spinning cases are plain SysV programs run in both builds with a
 * long spin (SYSVIPC_SPIN), and must give the kernel's results: the spin
 * may change when a call is issued, never what it returns.
 */
#include <setjmp.h>
#include <sys/ioctl.h>
#include <linux/sysvipc.h>

#include "common.h"

#if SYSVIPC_TEST_LIB
#include <sysvipc.h>
#endif

#define NEED_LIB() do { \
	if (!is_lib_mode()) \
		SKIP(return, "status region: lib mode only"); \
} while (0)

/* Spin long, so the cases below do spin (0.1 s or more under emulation). */
#define LONG_SPIN	"1000000"

struct msg64 {
	long mtype;
	char mtext[64];
};

struct status_map {
	int fd;
	const struct sysvipc_msg_slot *slot;
	size_t size;
};

static int status_ioctl(int fd, struct sysvipc_msgstatus *a)
{
	return ioctl(fd, SYSVIPC_IOC_MSGSTATUS, a);
}

/* Map the region; 0 or an errno. */
static int status_map(struct status_map *m)
{
	struct sysvipc_msgstatus a = { 0 };

	m->fd = open("/dev/sysvipc", O_RDWR | O_CLOEXEC);
	if (m->fd < 0)
		return errno;
	if (status_ioctl(m->fd, &a))
		return errno;
	m->slot = (const struct sysvipc_msg_slot *)(uintptr_t)a.addr;
	m->size = a.size;
	if (a.slots != SYSVIPC_MSG_SLOTS || a.slot_size != sizeof(*m->slot) ||
	    a.size < SYSVIPC_MSG_SLOTS * sizeof(*m->slot))
		return EPROTO;
	return 0;
}

/*
 * Mappings of the region in this process, by /proc/self/maps: the device
 * at page offset SYSVIPC_MMAP_MSGSTATUS (ABI 1.4).
 */
static int status_mappings(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long long off;
	char line[512];
	int n = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		n += strstr(line, " /dev/sysvipc") &&
		     sscanf(line, "%*s %*s %llx", &off) == 1 &&
		     off == SYSVIPC_MMAP_MSGSTATUS * 4096;
	fclose(f);
	return n;
}

static const struct sysvipc_msg_slot *slot_of(struct status_map *m, int id)
{
	return &m->slot[id % SYSVIPC_MSG_SLOTS];
}

/* The slot agrees with IPC_STAT; 0, -1 (no IPC_STAT) or the field's line. */
static int slot_vs_stat(struct status_map *m, int id)
{
	const volatile struct sysvipc_msg_slot *s = slot_of(m, id);
	struct msqid_ds ds;

	if (msgctl(id, IPC_STAT, &ds))
		return -1;
	if (s->id != id)
		return __LINE__;
	if (s->qnum != ds.msg_qnum)
		return __LINE__;
	if (s->cbytes != ds.__msg_cbytes)
		return __LINE__;
	if (s->qbytes != ds.msg_qbytes)
		return __LINE__;
	return 0;
}

TEST_F(ipc, status_region_shape)
{
	struct sysvipc_msgstatus a;
	struct sysvipc_version v;
	struct status_map m;
	void *ro;
	int fd;

	NEED_LIB();
	ASSERT_EQ(0, status_map(&m));
	EXPECT_EQ(0U, m.size % PAGE_SZ);

	fd = m.fd;
	ASSERT_EQ(0, ioctl(fd, SYSVIPC_IOC_VERSION, &v));
	EXPECT_TRUE(v.features & SYSVIPC_FEAT_MSG_STATUS);
	EXPECT_LE(3U, v.minor);

	/* every input field must be zero */
	memset(&a, 0, sizeof(a));
	a.reserved[1] = 1;
	EXPECT_EQ(-1, status_ioctl(fd, &a));
	EXPECT_EQ(EINVAL, errno);
	memset(&a, 0, sizeof(a));
	a.addr = (uintptr_t)m.slot;
	EXPECT_EQ(-1, status_ioctl(fd, &a));
	EXPECT_EQ(EINVAL, errno);
	memset(&a, 0, sizeof(a));
	a.slot_size = 32;
	EXPECT_EQ(-1, status_ioctl(fd, &a));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, status_ioctl(fd, NULL));
	EXPECT_EQ(EFAULT, errno);
	/* a readable, unwritable argument: EFAULT before anything is mapped */
	ro = mmap(NULL, PAGE_SZ, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	EXPECT_EQ(1, status_mappings());
	EXPECT_EQ(-1, status_ioctl(fd, ro));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(1, status_mappings());
	munmap(ro, PAGE_SZ);

	/* a second mapping shows the same slots */
	memset(&a, 0, sizeof(a));
	ASSERT_EQ(0, status_ioctl(fd, &a));
	EXPECT_NE((uintptr_t)m.slot, a.addr);
	EXPECT_EQ(0, memcmp(m.slot, (void *)(uintptr_t)a.addr, 4096));
	EXPECT_EQ(2, status_mappings());
	EXPECT_EQ(0, munmap((void *)(uintptr_t)a.addr, a.size));
	EXPECT_EQ(0, munmap((void *)m.slot, m.size));
	EXPECT_EQ(0, status_mappings());
	close(fd);
}

/* The region by its page offset, as CRIU maps it again (ABI 1.4). */
TEST_F(ipc, status_region_by_offset)
{
	const off_t off = SYSVIPC_MMAP_MSGSTATUS * 4096;
	struct sysvipc_version v;
	struct status_map m;
	void *p;
	int id;

	NEED_LIB();
	ASSERT_EQ(0, status_map(&m));
	ASSERT_EQ(0, ioctl(m.fd, SYSVIPC_IOC_VERSION, &v));
	EXPECT_NE(0, v.features & SYSVIPC_FEAT_MMAP_PGOFF);
	EXPECT_GE(v.minor, 4);
	id = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	p = mmap(NULL, m.size, PROT_READ, MAP_SHARED, m.fd, off);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(2, status_mappings());
	EXPECT_EQ(id, ((const struct sysvipc_msg_slot *)p)[id % SYSVIPC_MSG_SLOTS].id);
	EXPECT_EQ(0, memcmp(p, m.slot, m.size));
	EXPECT_EQ(0, munmap(p, m.size));
	/* never writable, never another size */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, m.size, PROT_READ | PROT_WRITE, MAP_SHARED, m.fd, off));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 4096, PROT_READ, MAP_SHARED, m.fd, off));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, munmap((void *)m.slot, m.size));
	close(m.fd);
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	siglongjmp(fault_jmp, sig);
}

TEST_F(ipc, status_region_readonly)
{
	struct sigaction sa = { .sa_handler = on_fault }, old_segv, old_bus;
	volatile struct sysvipc_msg_slot *w;
	struct status_map m;
	volatile int sig;
	void *p;

	NEED_LIB();
	ASSERT_EQ(0, status_map(&m));
	w = (volatile struct sysvipc_msg_slot *)m.slot;

	/* a store faults */
	sigaction(SIGSEGV, &sa, &old_segv);
	sigaction(SIGBUS, &sa, &old_bus);
	sig = sigsetjmp(fault_jmp, 1);
	if (!sig)
		w[5].pad = 1;
	sigaction(SIGSEGV, &old_segv, NULL);
	sigaction(SIGBUS, &old_bus, NULL);
	EXPECT_EQ(SIGSEGV, sig);
	EXPECT_EQ(0U, w[5].pad);

	/* and cannot be made writable, executable or larger */
	EXPECT_EQ(-1, mprotect((void *)m.slot, m.size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	EXPECT_EQ(-1, mprotect((void *)m.slot, m.size, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	p = mremap((void *)m.slot, m.size, 2 * m.size, MREMAP_MAYMOVE);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(0, munmap((void *)m.slot, m.size));
	close(m.fd);
}

TEST_F(ipc, status_slot_matches_ipc_stat)
{
	struct msg64 buf = { .mtype = 1 };
	struct status_map m;
	struct msqid_ds ds;
	int q, early, i;
	pid_t pid;

	NEED_LIB();
	/* a queue with messages before this process maps the region */
	early = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_LE(0, early);
	ASSERT_EQ(0, msgsnd(early, &buf, 10, 0));
	ASSERT_EQ(0, status_map(&m));
	EXPECT_EQ(0, slot_vs_stat(&m, early));

	q = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_LE(0, q);
	EXPECT_EQ(0, slot_vs_stat(&m, q));
	EXPECT_EQ(0U, slot_of(&m, q)->qnum);
	for (i = 1; i <= 5; i++) {
		buf.mtype = i;
		ASSERT_EQ(0, msgsnd(q, &buf, 7 * i, 0));
		EXPECT_EQ(0, slot_vs_stat(&m, q));
	}
	EXPECT_EQ(5U, slot_of(&m, q)->qnum);
	EXPECT_EQ(105U, slot_of(&m, q)->cbytes);
	/* MSG_COPY leaves the queue alone; a typed receive takes one */
	ASSERT_EQ(28, msgrcv(q, &buf, sizeof(buf.mtext), 3, MSG_COPY | IPC_NOWAIT));
	EXPECT_EQ(0, slot_vs_stat(&m, q));
	ASSERT_EQ(21, msgrcv(q, &buf, sizeof(buf.mtext), 3, 0));
	EXPECT_EQ(0, slot_vs_stat(&m, q));
	EXPECT_EQ(84U, slot_of(&m, q)->cbytes);
	/* a new size */
	ASSERT_EQ(0, msgctl(q, IPC_STAT, &ds));
	ds.msg_qbytes = 1000;
	ASSERT_EQ(0, msgctl(q, IPC_SET, &ds));
	EXPECT_EQ(0, slot_vs_stat(&m, q));
	EXPECT_EQ(1000U, slot_of(&m, q)->qbytes);

	/* a forked child sees the same region, updated by its calls */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (msgrcv(q, &buf, sizeof(buf.mtext), 0, 0) != 7)
			_exit(1);
		_exit(slot_of(&m, q)->qnum == 3 ? 0 : 2);
	}
	ASSERT_EQ(pid, waitpid(pid, &i, 0));
	EXPECT_EQ(0, i);
	EXPECT_EQ(0, slot_vs_stat(&m, q));

	/* removal: the slot says so */
	ASSERT_EQ(0, msgctl(q, IPC_RMID, NULL));
	EXPECT_EQ(-1, slot_of(&m, q)->id);
	ASSERT_EQ(0, msgctl(early, IPC_RMID, NULL));
	EXPECT_EQ(-1, slot_of(&m, early)->id);
	EXPECT_EQ(0, munmap((void *)m.slot, m.size));
	close(m.fd);
}

/* A batch read on a queue fd takes several messages: the slot follows. */
TEST_F(ipc, status_slot_after_batch_read)
{
#if SYSVIPC_TEST_LIB
	struct sysvipc_objfd cfg = { .objfd_flags = SYSVIPC_OBJFD_MSG_BATCH };
	struct msg64 buf = { .mtype = 1 };
	struct status_map m;
	char rec[4096];
	int q, fd, i;

	ASSERT_EQ(0, status_map(&m));
	q = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_LE(0, q);
	for (i = 0; i < 5; i++)
		ASSERT_EQ(0, msgsnd(q, &buf, 10, 0));
	EXPECT_EQ(0, slot_vs_stat(&m, q));
	fd = sysvipc_fd(SYSVIPC_OBJ_MSG, q, &cfg, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	/* room for two records of 10 bytes, not three */
	ASSERT_LT(0, read(fd, rec, SYSVIPC_MSGREC_NEXT(SYSVIPC_MSGREC_NEXT(0, 10), 10)));
	EXPECT_EQ(3U, slot_of(&m, q)->qnum);
	EXPECT_EQ(0, slot_vs_stat(&m, q));
	ASSERT_LT(0, read(fd, rec, sizeof(rec)));
	EXPECT_EQ(0U, slot_of(&m, q)->qnum);
	EXPECT_EQ(0, slot_vs_stat(&m, q));
	close(fd);
	EXPECT_EQ(0, munmap((void *)m.slot, m.size));
	close(m.fd);
#else
	SKIP(return, "status region: lib mode only");
#endif
}

/* ---------------------------------------------------------------- */
/* spinning: the same results as the kernel's, in both builds        */
/* ---------------------------------------------------------------- */

static void long_spin(void)
{
	setenv("SYSVIPC_SPIN", LONG_SPIN, 1);
}

/* Two processes bounce typed, numbered messages; all must arrive intact. */
TEST_F(ipc, spin_pingpong_intact)
{
	int a, b, i, st;
	struct msg64 m;
	pid_t pid;

	long_spin();
	a = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	b = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_LE(0, a);
	ASSERT_LE(0, b);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (i = 0; i < 2000; i++) {
			if (msgrcv(a, &m, sizeof(m.mtext), 0, 0) != 8 ||
			    m.mtype != 1 + i % 5 || memcmp(m.mtext, &i, sizeof(i)))
				_exit(1);
			m.mtype = 7;
			if (msgsnd(b, &m, 8, 0))
				_exit(2);
		}
		_exit(0);
	}
	for (i = 0; i < 2000; i++) {
		memset(&m, 0, sizeof(m));
		m.mtype = 1 + i % 5;
		memcpy(m.mtext, &i, sizeof(i));
		ASSERT_EQ(0, msgsnd(a, &m, 8, 0));
		ASSERT_EQ(8, msgrcv(b, &m, sizeof(m.mtext), 7, 0));
		ASSERT_EQ(0, memcmp(m.mtext, &i, sizeof(i)));
	}
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, st);
}

/*
 * A typed receive with other messages queued: the slot says "not empty",
 * yet the receive must sleep until its type arrives.
 */
TEST_F(ipc, spin_typed_receive_waits)
{
	struct msg64 m = { .mtype = 2 };
	int q, st;
	pid_t pid;

	long_spin();
	q = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, msgsnd(q, &m, 4, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (msgrcv(q, &m, sizeof(m.mtext), 1, 0) != 3 || m.mtype != 1)
			_exit(1);
		_exit(0);
	}
	usleep(200000);
	EXPECT_EQ(0, waitpid(pid, &st, WNOHANG));
	m.mtype = 1;
	ASSERT_EQ(0, msgsnd(q, &m, 3, 0));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, st);
	/* the type-2 message is still there */
	EXPECT_EQ(4, msgrcv(q, &m, sizeof(m.mtext), 0, IPC_NOWAIT));
	EXPECT_EQ(2, m.mtype);
}

/* A sender on a full queue goes ahead once a receive makes room. */
TEST_F(ipc, spin_send_full_queue)
{
	struct msg64 m = { .mtype = 1 };
	struct msqid_ds ds;
	int q, st;
	pid_t pid;

	long_spin();
	q = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, msgctl(q, IPC_STAT, &ds));
	ds.msg_qbytes = 64;
	ASSERT_EQ(0, msgctl(q, IPC_SET, &ds));
	ASSERT_EQ(0, msgsnd(q, &m, 40, 0));
	EXPECT_EQ(-1, msgsnd(q, &m, 40, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		m.mtype = 2;
		_exit(msgsnd(q, &m, 40, 0) ? errno : 0);
	}
	usleep(200000);
	EXPECT_EQ(0, waitpid(pid, &st, WNOHANG));
	EXPECT_EQ(40, msgrcv(q, &m, sizeof(m.mtext), 0, 0));
	EXPECT_EQ(1, m.mtype);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(0, WEXITSTATUS(st));
	EXPECT_EQ(40, msgrcv(q, &m, sizeof(m.mtext), 0, IPC_NOWAIT));
	EXPECT_EQ(2, m.mtype);
}

/*
 * A removed queue, and a new queue made after it: the old id gets
 * EINVAL at once from blocking calls (its slot is empty or another
 * queue's), the new one works as usual.
 */
TEST_F(ipc, spin_removed_queue)
{
	struct msg64 m = { .mtype = 1 };
	int q, q2;

	long_spin();
	q = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_LE(0, q);
	ASSERT_EQ(0, msgctl(q, IPC_RMID, NULL));
	q2 = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_LE(0, q2);
	EXPECT_EQ(-1, msgrcv(q, &m, sizeof(m.mtext), 0, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgsnd(q, &m, 8, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, msgsnd(q2, &m, 8, 0));
	EXPECT_EQ(8, msgrcv(q2, &m, sizeof(m.mtext), 0, 0));
}

/* Removed under a receiver that spun (default spin), then slept: EIDRM. */
TEST_F(ipc, spin_removed_under_receiver)
{
	struct msg64 m;
	int q, st;
	pid_t pid;

	q = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_LE(0, q);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(msgrcv(q, &m, sizeof(m.mtext), 0, 0) < 0 ? errno : 0);
	usleep(300000);
	ASSERT_EQ(0, msgctl(q, IPC_RMID, NULL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFEXITED(st));
	EXPECT_EQ(EIDRM, WEXITSTATUS(st));
}

TEST_HARNESS_MAIN
