// SPDX-License-Identifier: GPL-2.0
/*
 * Memory bounds: what an unprivileged user can make the module pin.
 *  - message bytes: at most msgmnb per queue (msg_qbytes, which only
 *    CAP_SYS_RESOURCE raises) and msgmni queues; zero-length messages
 *    count one byte each against msg_qbytes (so headers are bounded too)
 *  - semaphore arrays: SEMMNS semaphores in all
 *  - undo lists: one per process, however many sets and operations
 *    (library mode: the module's undo_lists parameter)
 *  - memory cgroup: queued messages are charged to the sender's cgroup
 *    (memory.current rises by about the queued bytes and falls when the
 *    queue goes), and a cgroup at memory.max makes msgsnd fail with ENOMEM
 *    (kernel and module alike), not crash
 * Natively the kernel is the oracle.
 */
#include <limits.h>
#include <sys/resource.h>
#include "common.h"

#define CG_ROOT "/sys/fs/cgroup"

struct bound_args {
	int created, refused_errno;
	long qbytes_total, msgs_total;
};

/* as nobody: as many queues as allowed, each filled to EAGAIN */
static int fill_queues(void *p)
{
	struct bound_args *a = p;
	struct { long mtype; char t[1000]; } m = { 1, "x" };
	int ids[64];

	a->created = 0;
	for (int i = 0; i < 64; i++) {
		ids[i] = msgget(IPC_PRIVATE, 0600);
		if (ids[i] < 0) {
			a->refused_errno = errno;
			break;
		}
		a->created++;
		/* big messages, then zero-length ones */
		while (msgsnd(ids[i], &m, sizeof(m.t), IPC_NOWAIT) == 0)
			;
		if (errno != EAGAIN)
			return errno;
		while (msgsnd(ids[i], &m, 0, IPC_NOWAIT) == 0)
			;
		if (errno != EAGAIN)
			return errno;
	}
	for (int i = 0; i < a->created; i++) {
		struct msqid_ds ds;

		if (msgctl(ids[i], IPC_STAT, &ds))
			return errno;
		if (ds.msg_cbytes > ds.msg_qbytes || ds.msg_qnum > ds.msg_qbytes)
			return CHILD_MISMATCH;
		a->qbytes_total += ds.msg_cbytes;
		a->msgs_total += ds.msg_qnum;
	}
	for (int i = 0; i < a->created; i++)
		msgctl(ids[i], IPC_RMID, NULL);
	return 0;
}

TEST_F(ipc, msg_bytes_bounded_by_msgmni_msgmnb)
{
	struct bound_args *a = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
				    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int used = msg_queues_used();

	ASSERT_NE(MAP_FAILED, a);
	ASSERT_GE(used, 0);
	modparams_follow_sysctl();
	ASSERT_EQ(0, sysctl_set_ul("msgmni", used + 8));
	ASSERT_EQ(0, sysctl_set_ul("msgmnb", 4096));
	ASSERT_EQ(0, run_as_nobody(fill_queues, a));
	EXPECT_EQ(8, a->created);
	EXPECT_EQ(ENOSPC, a->refused_errno);
	EXPECT_LE(a->qbytes_total, 8L * 4096);
	/*
	 * 4 messages of 1000 bytes and 4092 empty ones per queue: as in the
	 * kernel, msg_qnum is bounded by msg_qbytes too, so the headers an
	 * empty message pins are bounded as well
	 */
	EXPECT_LE(a->msgs_total, 8L * 4096);
	TH_LOG("%d queues, %ld bytes in %ld messages (bound %d bytes)", a->created,
	       a->qbytes_total, a->msgs_total, 8 * 4096);
}

static int semmns_child(void *p)
{
	int *r = p;
	int a = semget(IPC_PRIVATE, 250, 0600);
	int b = semget(IPC_PRIVATE, 250, 0600);
	int eb = errno;
	int c = semget(IPC_PRIVATE, 50, 0600);
	int d = semget(IPC_PRIVATE, 1, 0600);
	int ed = errno;

	r[0] = a >= 0;
	r[1] = b < 0 ? eb : 0;
	r[2] = c >= 0;
	r[3] = d < 0 ? ed : 0;
	for (int i = 0; i < 4; i++) {
		int id = i == 0 ? a : i == 1 ? b : i == 2 ? c : d;

		if (id >= 0)
			semctl(id, 0, IPC_RMID);
	}
	return 0;
}

TEST_F(ipc, sem_arrays_bounded_by_semmns)
{
	struct sem_limits l;
	int *r = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, r);
	ASSERT_EQ(0, sem_sets_used()) TH_LOG("other sets exist; the bound would be off");
	modparams_follow_sysctl();
	ASSERT_EQ(0, sem_limits_read(&l));
	l.semmsl = 250;
	l.semmns = 300;
	ASSERT_EQ(0, sem_limits_set(&l));
	ASSERT_EQ(0, run_as_nobody(semmns_child, r));
	EXPECT_EQ(1, r[0]);
	EXPECT_EQ(ENOSPC, r[1]);
	EXPECT_EQ(1, r[2]);
	EXPECT_EQ(ENOSPC, r[3]);
}

/* many SEM_UNDO operations on many sets: one list for the process */
static int undo_child(void *p)
{
	long *during = p;
	int ids[20];

	for (int s = 0; s < 20; s++) {
		ids[s] = semget(IPC_PRIVATE, 4, 0600);
		if (ids[s] < 0)
			return errno;
	}
	for (int k = 0; k < 100; k++)
		for (int s = 0; s < 20; s++) {
			struct sembuf sb[2] = { { (unsigned short)(k & 3), 1, SEM_UNDO },
						{ (unsigned short)(k & 3), -1, SEM_UNDO } };

			if (semop(ids[s], sb, 2))
				return errno;
		}
	*during = modparam_read("undo_lists");
	for (int s = 0; s < 20; s++)
		semctl(ids[s], 0, IPC_RMID);
	return 0;
}

TEST_F(ipc, undo_lists_one_per_process)
{
	long *during = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long base;

	if (!is_lib_mode())
		SKIP(return, "library-only: undo_lists is the module's counter");
	ASSERT_NE(MAP_FAILED, during);
	base = modparam_read("undo_lists");
	ASSERT_GE(base, 0);
	ASSERT_EQ(0, run_as_nobody(undo_child, during));
	EXPECT_EQ(base + 1, *during);
	EXPECT_EQ(base, modparam_read("undo_lists"));
}

/* ---- memory cgroup ---- */

static char cg[128];

static long cg_read(const char *file)
{
	char path[256], buf[64];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	if (file_read_str(path, buf, sizeof(buf)))
		return -1;
	if (!strcmp(buf, "max"))
		return LONG_MAX;
	return strtol(buf, NULL, 10);
}

static int cg_write(const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	return file_write_str(path, val);
}

/* a fresh cgroup with the memory controller, or a reason to skip */
static const char *cg_make(void)
{
	char ctl[256];

	if (file_read_str(CG_ROOT "/cgroup.controllers", ctl, sizeof(ctl)))
		return "no cgroup2 at " CG_ROOT;
	if (!strstr(ctl, "memory"))
		return "no memory controller";
	file_write_str(CG_ROOT "/cgroup.subtree_control", "+memory");
	snprintf(cg, sizeof(cg), CG_ROOT "/sysvipc-membound-%d", getpid());
	if (mkdir(cg, 0755) && errno != EEXIST)
		return "cannot make a cgroup";
	if (cg_read("memory.current") < 0)
		return "no memory.current";
	return NULL;
}

static void cg_remove(void)
{
	for (int i = 0; i < 50 && rmdir(cg) && errno == EBUSY; i++)
		usleep(20000);
}

/* in the cgroup: child_data[0] = bytes queued, [1] = memory.current delta */
#define NQ 4
#define PER_Q (256 * 1024)

struct bigmsg { long mtype; char t[8000]; };

static int charge_child(void *p)
{
	static struct bigmsg m = { 1, "" };
	int *ids = p;
	long c0, c1, sent = 0;
	char pid[32];

	snprintf(pid, sizeof(pid), "%d", getpid());
	if (cg_write("cgroup.procs", pid))
		return CHILD_SETUP_FAILED;
	memset(m.t, 'c', sizeof(m.t));
	/* make the library open its device now, outside the measurement */
	msgctl(ids[0], IPC_STAT, &(struct msqid_ds){ 0 });
	c0 = cg_read("memory.current");
	for (int q = 0; q < NQ; q++)
		for (long in_q = 0; in_q + (long)sizeof(m.t) <= PER_Q; in_q += sizeof(m.t)) {
			if (msgsnd(ids[q], &m, sizeof(m.t), IPC_NOWAIT))
				return errno;
			sent += sizeof(m.t);
		}
	c1 = cg_read("memory.current");
	child_data[0] = sent;
	child_data[1] = c1 - c0;
	return 0;
}

TEST_F(ipc, memcg_charged_with_queued_bytes)
{
	const char *why = cg_make();
	int ids[NQ];
	long before_rm, after_rm;

	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, cg_write("memory.max", "67108864"));
	for (int q = 0; q < NQ; q++) {
		struct msqid_ds ds;

		ids[q] = t_msgget(IPC_PRIVATE, 0600);
		ASSERT_GE(ids[q], 0);
		ASSERT_EQ(0, msgctl(ids[q], IPC_STAT, &ds));
		ds.msg_qbytes = PER_Q;
		ASSERT_EQ(0, msgctl(ids[q], IPC_SET, &ds));
	}
	ASSERT_EQ(0, run_as_ids(0, 0, NULL, 0, charge_child, ids));
	TH_LOG("queued %ld bytes; the cgroup's memory.current rose by %ld", child_data[0],
	       child_data[1]);
	EXPECT_GE(child_data[1], child_data[0] * 9 / 10);
	/* a debug kernel's redzones (KASAN, SLUB debug) double kmalloc sizes */
	EXPECT_LE(child_data[1], child_data[0] * 25 / 10 + 256 * 1024);
	/* the charge stays with the cgroup until the messages go */
	before_rm = cg_read("memory.current");
	for (int q = 0; q < NQ; q++)
		ASSERT_EQ(0, msgctl(ids[q], IPC_RMID, NULL));
	usleep(100000);
	after_rm = cg_read("memory.current");
	TH_LOG("memory.current %ld before IPC_RMID, %ld after", before_rm, after_rm);
	/* freed slab pages and per-cpu charge caches lag behind: half at least */
	EXPECT_GE(before_rm - after_rm, child_data[0] / 2);
	cg_remove();
}

static int limit_child(void *p)
{
	static struct bigmsg m = { 1, "" };
	int id = *(int *)p;
	char pid[32], max[32];
	long sent = 0;
	int e = 0;

	snprintf(pid, sizeof(pid), "%d", getpid());
	/* not an OOM victim: the charge must fail instead */
	if (file_write_str("/proc/self/oom_score_adj", "-1000") ||
	    cg_write("cgroup.procs", pid))
		return CHILD_SETUP_FAILED;
	memset(m.t, 'l', sizeof(m.t));
	msgctl(id, IPC_STAT, &(struct msqid_ds){ 0 });
	snprintf(max, sizeof(max), "%ld", cg_read("memory.current") + 512 * 1024);
	if (cg_write("memory.max", max))
		return CHILD_SETUP_FAILED;
	while (sent < 4L << 20) {
		if (msgsnd(id, &m, sizeof(m.t), IPC_NOWAIT)) {
			e = errno;
			break;
		}
		sent += sizeof(m.t);
	}
	child_data[0] = sent;
	return e;
}

TEST_F(ipc, memcg_limit_gives_enomem)
{
	const char *why = cg_make();
	struct msqid_ds ds;
	char printk[64];
	int id;

	if (why)
		SKIP(return, "%s", why);
	id = t_msgget(IPC_PRIVATE, 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
	ds.msg_qbytes = 4 << 20;
	ASSERT_EQ(0, msgctl(id, IPC_SET, &ds));
	/*
	 * The memcg OOM path logs a report with a stack dump ("no killable
	 * processes"): expected here, so keep it off the console that
	 * `make check` scans for splats (it still goes to dmesg).
	 */
	ASSERT_EQ(0, sysctl_read("printk", printk, sizeof(printk)));
	ASSERT_EQ(0, sysctl_set("printk", "1 4 1 7"));
	EXPECT_EQ(ENOMEM, run_as_ids(0, 0, NULL, 0, limit_child, &id));
	restore_saved();
	TH_LOG("%ld bytes queued before ENOMEM (memory.max = start + 512 KiB)", child_data[0]);
	EXPECT_LT(child_data[0], 1L << 20);
	EXPECT_GT(child_data[0], 0);
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ((unsigned long)child_data[0], ds.msg_cbytes);
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	cg_remove();
}

TEST_HARNESS_MAIN
