// SPDX-License-Identifier: GPL-2.0
/*
 * shmctl SHM_LOCK / SHM_UNLOCK, shmget SHM_HUGETLB and SHM_NORESERVE, and
 * the memory cgroup a segment's pages are charged to.
 *
 *  - SHM_LOCK / SHM_UNLOCK: the SHM_LOCKED mode bit, who may (owner,
 *    creator, CAP_IPC_LOCK), RLIMIT_MEMLOCK (0 → EPERM, too small →
 *    ENOMEM), the per-user sum of locked segments, release of the charge by
 *    SHM_UNLOCK (whoever unlocks), by IPC_RMID and by the last detach of a
 *    removed segment, and the Unevictable LRU in /proc/meminfo.
 *  - SHM_HUGETLB: pool accounting (free - reserved huge pages, which the
 *    kernel reserves and the module allocates at creation: only what both
 *    do is tested), IPC_STAT's shm_segsz vs the huge-page rounded attach,
 *    ENOMEM beyond the pool, SHM_NORESERVE, SHM_HUGE_2MB / SHM_HUGE_1GB /
 *    unknown sizes, vm.hugetlb_shm_group (mirrored by the module parameter
 *    hugetlb_shm_group), SHM_LOCK as a no-op, SHM_INFO's shm_rss and
 *    shm_tot in small pages.
 *  - memcg: pages go to the memory cgroup of the task that faults them in
 *    (not the creator's) and stay charged after that task detached and
 *    exited, until the segment goes.
 *  - SHM_NORESERVE on a normal segment under vm.overcommit_memory 0, 1, 2
 *    (the kernel ignores SHM_NORESERVE under OVERCOMMIT_NEVER).
 *
 * Reference (6.1): ipc/shm.c newseg(), shmctl_do_lock(), shm_destroy(),
 * shm_add_rss_swap(), shm_get_stat(); mm/shmem.c shmem_lock(),
 * shmem_acct_size(), shmem_get_folio_gfp() (charge_mm = the faulting
 * mm); mm/mlock.c user_shm_lock() / user_shm_unlock() (per-user ucounts,
 * CAP_IPC_LOCK bypass); mm/util.c __vm_enough_memory();
 * fs/hugetlbfs/inode.c hugetlb_file_setup(), can_do_hugetlb_shm();
 * include/linux/hugetlb.h hstate_sizelog(); mm/filemap.c
 * __filemap_add_folio() (a hugetlb folio counts 1 in nrpages).
 */
#include <sys/resource.h>
#include <sys/sysinfo.h>

#include "common.h"

#ifndef SHM_DEST
#define SHM_DEST	01000
#endif
#ifndef SHM_LOCKED
#define SHM_LOCKED	02000
#endif
#ifndef SHM_HUGETLB
#define SHM_HUGETLB	04000
#endif
#ifndef SHM_NORESERVE
#define SHM_NORESERVE	010000
#endif
#ifndef SHM_HUGE_SHIFT
#define SHM_HUGE_SHIFT	26
#endif
#ifndef SHM_HUGE_2MB
#define SHM_HUGE_2MB	(21 << SHM_HUGE_SHIFT)
#endif
#ifndef SHM_HUGE_1GB
#define SHM_HUGE_1GB	(30 << SHM_HUGE_SHIFT)
#endif
/* a size no x86-64 hstate has */
#define SHM_HUGE_4MB	(22 << SHM_HUGE_SHIFT)

#define PG		PAGE_SZ
#define MiB		(1024UL * 1024UL)
#define GiB		(1024UL * MiB)
#define HPAGE		(2 * MiB)
#define FAILED		((void *)-1)

#define HUGE_DIR	"/sys/kernel/mm/hugepages/hugepages-2048kB/"
#define HUGE_1G_DIR	"/sys/kernel/mm/hugepages/hugepages-1048576kB"
#define VM_SYSCTL_DIR	"/proc/sys/vm/"
#define CG_ROOT		"/sys/fs/cgroup"

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

/* shm_perm.mode, or -1 with errno when IPC_STAT fails */
static long mode_of(int id)
{
	struct shmid_ds ds;

	memset(&ds, 0, sizeof(ds));
	if (shmctl(id, IPC_STAT, &ds))
		return -1;
	return ds.shm_perm.mode;
}

static bool is_locked(int id)
{
	long mode = mode_of(id);

	return mode >= 0 && (mode & SHM_LOCKED);
}

static size_t segsz_of(int id)
{
	struct shmid_ds ds;

	memset(&ds, 0, sizeof(ds));
	if (shmctl(id, IPC_STAT, &ds))
		return 0;
	return ds.shm_segsz;
}

/* errno of shmctl(id, cmd, NULL), 0 on success */
static int ctl_errno(int id, int cmd)
{
	return ERRNO_OF(shmctl(id, cmd, NULL));
}

/* IPC_SET the owner of @id to @uid:@gid, keeping the mode */
static int set_owner(int id, uid_t uid, gid_t gid)
{
	struct shmid_ds ds;

	if (shmctl(id, IPC_STAT, &ds))
		return -1;
	ds.shm_perm.uid = uid;
	ds.shm_perm.gid = gid;
	return shmctl(id, IPC_SET, &ds);
}

/*
 * RLIMIT_MEMLOCK (soft and hard) of this test process; run_as children
 * inherit it.  Every test runs in a process of its own, so nothing leaks.
 */
static int set_memlock(rlim_t bytes)
{
	struct rlimit rl = { bytes, bytes };

	return setrlimit(RLIMIT_MEMLOCK, &rl);
}

struct shm_op {
	int id;
	int cmd;
	size_t size;
	int flg;
};

/* child: shmctl(id, cmd, NULL) */
static int child_ctl(void *arg)
{
	struct shm_op *op = arg;

	return ERRNO_OF(shmctl(op->id, op->cmd, NULL));
}

/* child: shmget(IPC_PRIVATE, size, flg), the id into child_data[0] */
static int child_get(void *arg)
{
	struct shm_op *op = arg;
	int id = shmget(IPC_PRIVATE, op->size, op->flg);

	child_data[0] = id;
	return ERRNO_OF(id);
}

/* SHM_LOCK / SHM_UNLOCK of @id as nobody (no supplementary groups) */
static int nobody_ctl(int id, int cmd)
{
	struct shm_op op = { .id = id, .cmd = cmd };

	return run_as_nobody(child_ctl, &op);
}

/* A segment of @size owned (and created) by root, owner set to nobody. */
static int nobody_owned(size_t size, int flg)
{
	int id = t_shmget(IPC_PRIVATE, size, IPC_CREAT | flg | 0600);

	if (id >= 0 && set_owner(id, NOBODY_UID, NOBODY_GID)) {
		shmctl(id, IPC_RMID, NULL);
		return -1;
	}
	return id;
}

/* "Field:   value kB" (or a bare count) from /proc/meminfo, -1 if absent */
static long meminfo(const char *field)
{
	FILE *f = fopen("/proc/meminfo", "re");
	size_t len = strlen(field);
	char line[256];
	long ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, len) && line[len] == ':') {
			ret = strtol(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return ret;
}

static long file_read_long(const char *path)
{
	char buf[64];

	if (file_read_str(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* vm.<name> := @val, the old value restored in FIXTURE_TEARDOWN(ipc) */
static int vm_sysctl_set(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), VM_SYSCTL_DIR "%s", name);
	if (save_file(path))
		return -1;
	return file_write_str(path, val);
}

static long huge_read(const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), HUGE_DIR "%s", name);
	return file_read_long(path);
}

/* 2 MiB pages neither in use nor reserved */
static long huge_avail(void)
{
	return huge_read("free_hugepages") - huge_read("resv_hugepages");
}

/*
 * A pool of @n default-size (2 MiB) huge pages, no surplus pages.  Returns
 * false when the machine has no such pool or cannot fill it.
 */
static bool huge_pool(long n)
{
	char buf[32];

	if (access(HUGE_DIR, F_OK) || meminfo("Hugepagesize") != 2048)
		return false;
	if (vm_sysctl_set("nr_overcommit_hugepages", "0"))
		return false;
	snprintf(buf, sizeof(buf), "%ld", n);
	if (vm_sysctl_set("nr_hugepages", buf))
		return false;
	return huge_read("nr_hugepages") == n;
}

#define REQUIRE_HUGE_POOL(n) do {					\
	if (!huge_pool(n))						\
		SKIP(return, "cannot set up %d 2 MiB huge pages", (int)(n)); \
} while (0)

/* Length of the /proc/self/maps entry starting at @addr, 0 if none. */
static size_t maps_len(const void *addr)
{
	FILE *f = fopen("/proc/self/maps", "re");
	unsigned long start, end;
	char line[512];
	size_t ret = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 &&
		    start == (unsigned long)addr) {
			ret = end - start;
			break;
		}
	}
	fclose(f);
	return ret;
}

static int shm_info_of(struct shm_info *si)
{
	memset(si, 0, sizeof(*si));
	return shmctl(0, SHM_INFO, (struct shmid_ds *)si);
}

/* write a pattern over p[0, len) and check it reads back */
static bool fill_check(char *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i += 512)
		p[i] = (char)(seed + i / 512);
	for (size_t i = 0; i < len; i += 512)
		if (p[i] != (char)(seed + i / 512))
			return false;
	return true;
}

/* /proc/meminfo Unevictable in kB, read a few times until it settles */
static long unevictable_kb(void)
{
	long prev = meminfo("Unevictable"), cur;

	for (int i = 0; i < 10; i++) {
		usleep(20000);
		cur = meminfo("Unevictable");
		if (cur == prev)
			break;
		prev = cur;
	}
	return prev;
}

/* ------------------------------------------------------------------ */
/* SHM_LOCK / SHM_UNLOCK                                              */
/* ------------------------------------------------------------------ */

TEST_F(ipc, lock_sets_and_clears_mode_bit)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0640);

	ASSERT_GE(id, 0);
	EXPECT_EQ(0640L, mode_of(id));
	ASSERT_EQ(0, ctl_errno(id, SHM_LOCK));
	EXPECT_EQ((long)(SHM_LOCKED | 0640), mode_of(id));
	/* locking twice is fine and changes nothing */
	EXPECT_EQ(0, ctl_errno(id, SHM_LOCK));
	EXPECT_EQ((long)(SHM_LOCKED | 0640), mode_of(id));
	EXPECT_EQ(0, ctl_errno(id, SHM_UNLOCK));
	EXPECT_EQ(0640L, mode_of(id));
	/* so is unlocking twice */
	EXPECT_EQ(0, ctl_errno(id, SHM_UNLOCK));
	EXPECT_EQ(0640L, mode_of(id));
	/* unlocking a segment never locked */
	id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(0, ctl_errno(id, SHM_UNLOCK));
	EXPECT_EQ(0600L, mode_of(id));
}

/* the buffer argument is not used by SHM_LOCK / SHM_UNLOCK */
TEST_F(ipc, lock_ignores_buffer)
{
	int id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	struct shmid_ds *bad = unmapped_addr();

	ASSERT_GE(id, 0);
	EXPECT_EQ(0, ERRNO_OF(shmctl(id, SHM_LOCK, bad)));
	EXPECT_TRUE(is_locked(id));
	EXPECT_EQ(0, ERRNO_OF(shmctl(id, SHM_UNLOCK, bad)));
	EXPECT_FALSE(is_locked(id));
}

TEST_F(ipc, lock_bad_and_stale_id)
{
	int id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(EINVAL, ctl_errno(-1, SHM_LOCK));
	EXPECT_EQ(EINVAL, ctl_errno(-1, SHM_UNLOCK));
	/* right index, wrong sequence number */
	EXPECT_EQ(EINVAL, ctl_errno(id + 0x8000, SHM_LOCK));
	/* an index nothing uses */
	EXPECT_EQ(EINVAL, ctl_errno((id & ~0x7fff) | 0x7ffe, SHM_UNLOCK));
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(EINVAL, ctl_errno(id, SHM_LOCK));
	EXPECT_EQ(EINVAL, ctl_errno(id, SHM_UNLOCK));
}

/* removed while attached (SHM_DEST): the id still works for SHM_LOCK */
TEST_F(ipc, lock_removed_but_attached)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	void *p;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(0, ctl_errno(id, SHM_LOCK));
	EXPECT_EQ((long)(SHM_DEST | SHM_LOCKED | 0600), mode_of(id));
	EXPECT_EQ(0, ctl_errno(id, SHM_UNLOCK));
	EXPECT_EQ((long)(SHM_DEST | 0600), mode_of(id));
	EXPECT_EQ(0, ctl_errno(id, SHM_LOCK));
	EXPECT_EQ(0, shmdt(p));
	/* gone with the last detach, locked or not */
	EXPECT_EQ(EINVAL, ctl_errno(id, SHM_UNLOCK));
}

/* neither owner nor creator, no CAP_IPC_LOCK: EPERM, whatever the mode */
TEST_F(ipc, lock_not_owner_eperm)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0666);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, set_memlock(64 * PG));
	EXPECT_EQ(EPERM, nobody_ctl(id, SHM_LOCK));
	EXPECT_FALSE(is_locked(id));
	EXPECT_EQ(EPERM, nobody_ctl(id, SHM_UNLOCK));
	/* locked by root: nobody cannot unlock it either */
	ASSERT_EQ(0, ctl_errno(id, SHM_LOCK));
	EXPECT_EQ(EPERM, nobody_ctl(id, SHM_UNLOCK));
	EXPECT_TRUE(is_locked(id));
	/* the group does not count: gid nogroup is not enough */
	ASSERT_EQ(0, ctl_errno(id, SHM_UNLOCK));
	ASSERT_EQ(0, set_owner(id, 0, NOBODY_GID));
	EXPECT_EQ(EPERM, nobody_ctl(id, SHM_LOCK));
	EXPECT_FALSE(is_locked(id));
}

/* the owner (IPC_SET uid) and the creator (cuid) may both */
TEST_F(ipc, lock_owner_or_creator)
{
	struct shm_op op = { .size = 4 * PG, .flg = IPC_CREAT | 0600 };
	int id;

	ASSERT_EQ(0, set_memlock(64 * PG));
	/* owner, not creator */
	id = nobody_owned(4 * PG, 0);
	ASSERT_GE(id, 0);
	EXPECT_EQ(0, nobody_ctl(id, SHM_LOCK));
	EXPECT_TRUE(is_locked(id));
	EXPECT_EQ(0, nobody_ctl(id, SHM_UNLOCK));
	EXPECT_FALSE(is_locked(id));

	/* creator, no longer owner */
	ASSERT_EQ(0, run_as_nobody(child_get, &op));
	id = (int)child_data[0];
	track(FAM_SHM, id);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, set_owner(id, 0, 0));
	EXPECT_EQ(0, nobody_ctl(id, SHM_LOCK));
	EXPECT_TRUE(is_locked(id));
	EXPECT_EQ(0, nobody_ctl(id, SHM_UNLOCK));
	EXPECT_FALSE(is_locked(id));
}

/* RLIMIT_MEMLOCK 0: SHM_LOCK is EPERM for the owner; SHM_UNLOCK is not */
TEST_F(ipc, lock_rlimit_zero_eperm)
{
	int id = nobody_owned(PG, 0);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, set_memlock(0));
	EXPECT_EQ(EPERM, nobody_ctl(id, SHM_LOCK));
	EXPECT_FALSE(is_locked(id));
	/* locked by root, unlocked by the owner with no lock limit */
	ASSERT_EQ(0, ctl_errno(id, SHM_LOCK));
	EXPECT_EQ(0, nobody_ctl(id, SHM_UNLOCK));
	EXPECT_FALSE(is_locked(id));
}

/* a segment beyond RLIMIT_MEMLOCK: ENOMEM; up to it: fine */
TEST_F(ipc, lock_rlimit_size)
{
	/* the limit is rounded down to pages, the segment up */
	int over = nobody_owned(16 * PG + 1, 0);
	int exact = nobody_owned(16 * PG, 0);
	int small = nobody_owned(PG, 0);

	ASSERT_GE(over, 0);
	ASSERT_GE(exact, 0);
	ASSERT_GE(small, 0);
	ASSERT_EQ(0, set_memlock(16 * PG + PG / 2));
	EXPECT_EQ(ENOMEM, nobody_ctl(over, SHM_LOCK));
	EXPECT_FALSE(is_locked(over));
	/* a failed lock charged nothing: the full limit is still there */
	EXPECT_EQ(0, nobody_ctl(exact, SHM_LOCK));
	EXPECT_TRUE(is_locked(exact));
	/* and now it is used up */
	EXPECT_EQ(ENOMEM, nobody_ctl(small, SHM_LOCK));
	/* locking the locked one again charges nothing more */
	EXPECT_EQ(0, nobody_ctl(exact, SHM_LOCK));
	EXPECT_EQ(0, nobody_ctl(exact, SHM_UNLOCK));
	EXPECT_EQ(0, nobody_ctl(small, SHM_LOCK));
	EXPECT_TRUE(is_locked(small));
}

/*
 * The limit holds for the sum of what one user has locked, across
 * processes (each nobody_ctl is a process of its own).
 */
TEST_F(ipc, lock_rlimit_sum_per_user)
{
	int a = nobody_owned(10 * PG, 0);
	int b = nobody_owned(8 * PG, 0);
	int c = nobody_owned(6 * PG, 0);

	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	ASSERT_GE(c, 0);
	ASSERT_EQ(0, set_memlock(16 * PG));
	ASSERT_EQ(0, nobody_ctl(a, SHM_LOCK));
	/* 10 + 8 > 16 */
	EXPECT_EQ(ENOMEM, nobody_ctl(b, SHM_LOCK));
	EXPECT_FALSE(is_locked(b));
	/* 10 + 6 = 16 */
	EXPECT_EQ(0, nobody_ctl(c, SHM_LOCK));
	EXPECT_EQ(0, nobody_ctl(c, SHM_UNLOCK));
	/* unlocking the first frees its room */
	EXPECT_EQ(0, nobody_ctl(a, SHM_UNLOCK));
	EXPECT_EQ(0, nobody_ctl(b, SHM_LOCK));
	EXPECT_TRUE(is_locked(b));
	/* 8 + 10 > 16 the other way round */
	EXPECT_EQ(ENOMEM, nobody_ctl(a, SHM_LOCK));
	EXPECT_EQ(0, nobody_ctl(c, SHM_LOCK));
	/*
	 * Root unlocks b: the charge goes back to nobody, who locked it,
	 * whoever unlocks (the segment remembers the locker).
	 */
	EXPECT_EQ(0, ctl_errno(b, SHM_UNLOCK));
	EXPECT_EQ(0, nobody_ctl(a, SHM_LOCK));
	EXPECT_TRUE(is_locked(a));
	EXPECT_TRUE(is_locked(c));
}

/* root's locks are not charged to nobody, and nobody's don't limit root */
TEST_F(ipc, lock_charge_is_per_user)
{
	int mine = t_shmget(IPC_PRIVATE, 16 * PG, IPC_CREAT | 0600);
	int theirs = nobody_owned(16 * PG, 0);
	int more = t_shmget(IPC_PRIVATE, 16 * PG, IPC_CREAT | 0600);

	ASSERT_GE(mine, 0);
	ASSERT_GE(theirs, 0);
	ASSERT_GE(more, 0);
	ASSERT_EQ(0, set_memlock(16 * PG));
	/* root locks first, within its own limit */
	ASSERT_EQ(0, ctl_errno(mine, SHM_LOCK));
	EXPECT_EQ(0, nobody_ctl(theirs, SHM_LOCK));
	EXPECT_TRUE(is_locked(theirs));
	/* and beyond it: CAP_IPC_LOCK */
	EXPECT_EQ(0, ctl_errno(more, SHM_LOCK));
	EXPECT_TRUE(is_locked(more));
}

/* CAP_IPC_LOCK: neither owner nor limit matter */
TEST_F(ipc, lock_cap_ipc_lock_bypasses)
{
	int big = nobody_owned(64 * PG, 0);
	int other = nobody_owned(PG, 0);

	ASSERT_GE(big, 0);
	ASSERT_GE(other, 0);
	/* not the owner, a limit of one page */
	ASSERT_EQ(0, set_memlock(PG));
	EXPECT_EQ(0, ctl_errno(big, SHM_LOCK));
	EXPECT_TRUE(is_locked(big));
	/* a zero limit */
	ASSERT_EQ(0, set_memlock(0));
	EXPECT_EQ(0, ctl_errno(other, SHM_LOCK));
	EXPECT_TRUE(is_locked(other));
	EXPECT_EQ(0, ctl_errno(big, SHM_UNLOCK));
	EXPECT_EQ(0, ctl_errno(other, SHM_UNLOCK));
	EXPECT_FALSE(is_locked(big));
	EXPECT_FALSE(is_locked(other));
}

/* IPC_RMID of a locked segment releases its charge */
TEST_F(ipc, lock_charge_released_by_rmid)
{
	int a = nobody_owned(16 * PG, 0);
	int b = nobody_owned(16 * PG, 0);
	struct shm_op rm = { .id = a, .cmd = IPC_RMID };

	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	ASSERT_EQ(0, set_memlock(16 * PG));
	ASSERT_EQ(0, nobody_ctl(a, SHM_LOCK));
	EXPECT_EQ(ENOMEM, nobody_ctl(b, SHM_LOCK));
	/* the owner removes it, still locked */
	ASSERT_EQ(0, run_as_nobody(child_ctl, &rm));
	EXPECT_EQ(EINVAL, ctl_errno(a, IPC_STAT));
	EXPECT_EQ(0, nobody_ctl(b, SHM_LOCK));
	EXPECT_TRUE(is_locked(b));
}

/* ... at the last detach when it was attached */
TEST_F(ipc, lock_charge_released_at_last_detach)
{
	int a = nobody_owned(16 * PG, 0);
	int b = nobody_owned(16 * PG, 0);
	void *p;

	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	ASSERT_EQ(0, set_memlock(16 * PG));
	p = shmat(a, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, nobody_ctl(a, SHM_LOCK));
	ASSERT_EQ(0, shmctl(a, IPC_RMID, NULL));
	/* SHM_DEST, still there and still locked: still charged */
	EXPECT_EQ((long)(SHM_DEST | SHM_LOCKED | 0600), mode_of(a));
	EXPECT_EQ(ENOMEM, nobody_ctl(b, SHM_LOCK));
	ASSERT_EQ(0, shmdt(p));
	EXPECT_EQ(EINVAL, ctl_errno(a, IPC_STAT));
	EXPECT_EQ(0, nobody_ctl(b, SHM_LOCK));
	EXPECT_TRUE(is_locked(b));
}

/*
 * Pages faulted into a locked segment go to the unevictable LRU and come
 * back from it at SHM_UNLOCK (shmem_lock() marks the mapping unevictable;
 * shmem_unlock_mapping() moves the pages back).  Deltas are loose: other
 * unevictable pages may come and go meanwhile.
 */
TEST_F(ipc, lock_pages_unevictable)
{
	const size_t size = 32 * MiB;
	const long size_kb = (long)(size / 1024);
	long base, touched, unlocked;
	int id = t_shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	char *p;

	ASSERT_GE(id, 0);
	ASSERT_GE(meminfo("Unevictable"), 0);
	base = unevictable_kb();
	ASSERT_EQ(0, ctl_errno(id, SHM_LOCK));
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	memset(p, 0x5a, size);
	touched = unevictable_kb();
	TH_LOG("Unevictable: %ld kB before, %ld kB touched and locked",
	       base, touched);
	EXPECT_GE(touched - base, size_kb * 3 / 4);
	EXPECT_LE(touched - base, size_kb * 5 / 4);

	ASSERT_EQ(0, ctl_errno(id, SHM_UNLOCK));
	unlocked = unevictable_kb();
	TH_LOG("Unevictable: %ld kB unlocked", unlocked);
	EXPECT_GE(touched - unlocked, size_kb * 3 / 4);
	/* the pages are still there */
	EXPECT_EQ(0x5a, p[0]);
	EXPECT_EQ(0x5a, p[size - 1]);

	/* and gone with the segment */
	ASSERT_EQ(0, shmdt(p));
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_LE(unevictable_kb() - base, size_kb / 4);
}

/* ------------------------------------------------------------------ */
/* SHM_HUGETLB                                                        */
/* ------------------------------------------------------------------ */

/*
 * 3 MiB in 2 MiB pages: two pages; IPC_STAT says 3 MiB, the attach maps 4.
 * The kernel reserves the pages at shmget (HugePages_Rsvd), the module
 * allocates them; either way free - reserved drops by two at creation,
 * free drops by two once everything is touched, both come back when the
 * segment goes.
 */
TEST_F(ipc, hugetlb_basic)
{
	long free0, avail0;
	int id;
	char *p, *q;

	REQUIRE_HUGE_POOL(8);
	free0 = huge_read("free_hugepages");
	avail0 = huge_avail();
	ASSERT_EQ(8L, avail0);

	id = t_shmget(IPC_PRIVATE, 3 * MiB, IPC_CREAT | SHM_HUGETLB | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(3 * MiB, segsz_of(id));
	EXPECT_EQ(0600L, mode_of(id));
	EXPECT_EQ(avail0 - 2, huge_avail());

	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	EXPECT_EQ(0UL, (unsigned long)p & (HPAGE - 1));
	EXPECT_EQ(4 * MiB, maps_len(p));
	/* the whole attach is usable, beyond shm_segsz up to the huge page */
	EXPECT_TRUE(fill_check(p, 4 * MiB, 7));
	EXPECT_EQ(free0 - 2, huge_read("free_hugepages"));
	EXPECT_EQ(avail0 - 2, huge_avail());

	/* a second attach sees the same pages */
	q = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(FAILED, q);
	EXPECT_EQ(4 * MiB, maps_len(q));
	EXPECT_EQ(0, memcmp(p, q, 4 * MiB));
	EXPECT_EQ(0, shmdt(q));
	EXPECT_EQ(0, shmdt(p));

	/* still there after the detaches, until IPC_RMID */
	EXPECT_EQ(free0 - 2, huge_read("free_hugepages"));
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(free0, huge_read("free_hugepages"));
	EXPECT_EQ(avail0, huge_avail());
}

/* removed while attached: the pages go at the last detach */
TEST_F(ipc, hugetlb_rmid_attached)
{
	long free0;
	int id;
	char *p;

	REQUIRE_HUGE_POOL(8);
	free0 = huge_read("free_hugepages");
	id = t_shmget(IPC_PRIVATE, HPAGE, IPC_CREAT | SHM_HUGETLB | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(free0 - 1, huge_avail());
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	EXPECT_EQ(HPAGE, maps_len(p));
	memset(p, 1, HPAGE);
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(free0 - 1, huge_read("free_hugepages"));
	EXPECT_EQ(1, p[HPAGE - 1]);
	ASSERT_EQ(0, shmdt(p));
	EXPECT_EQ(free0, huge_read("free_hugepages"));
	EXPECT_EQ(free0, huge_avail());
}

/* more than the pool has: ENOMEM, and nothing is left taken */
TEST_F(ipc, hugetlb_beyond_pool_enomem)
{
	long avail0;
	int all, one;

	REQUIRE_HUGE_POOL(8);
	avail0 = huge_avail();
	ASSERT_EQ(8L, avail0);

	EXPECT_EQ(ENOMEM, ERRNO_OF(t_shmget(IPC_PRIVATE, 9 * HPAGE,
					    IPC_CREAT | SHM_HUGETLB | 0600)));
	EXPECT_EQ(avail0, huge_avail());
	/* one byte more than the pool is a page more */
	EXPECT_EQ(ENOMEM, ERRNO_OF(t_shmget(IPC_PRIVATE, 8 * HPAGE + 1,
					    IPC_CREAT | SHM_HUGETLB | 0600)));
	EXPECT_EQ(avail0, huge_avail());

	/* the whole pool, then nothing more */
	all = t_shmget(IPC_PRIVATE, 8 * HPAGE, IPC_CREAT | SHM_HUGETLB | 0600);
	ASSERT_GE(all, 0);
	EXPECT_EQ(0L, huge_avail());
	EXPECT_EQ(ENOMEM, ERRNO_OF(t_shmget(IPC_PRIVATE, PG,
					    IPC_CREAT | SHM_HUGETLB | 0600)));
	/* a key that failed was not created */
	{
		key_t key = unique_key();

		ASSERT_NE(IPC_PRIVATE, key);
		EXPECT_EQ(ENOMEM, ERRNO_OF(t_shmget(key, PG, IPC_CREAT |
						    SHM_HUGETLB | 0600)));
		EXPECT_EQ(ENOENT, ERRNO_OF(shmget(key, 0, 0)));
	}
	ASSERT_EQ(0, shmctl(all, IPC_RMID, NULL));
	EXPECT_EQ(avail0, huge_avail());
	one = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | SHM_HUGETLB | 0600);
	EXPECT_GE(one, 0);
	EXPECT_EQ(avail0 - 1, huge_avail());
}

/* SHM_NORESERVE: no reservation, so more than the pool can be created */
TEST_F(ipc, hugetlb_noreserve_beyond_pool)
{
	long avail0;
	int id, id2;

	REQUIRE_HUGE_POOL(8);
	avail0 = huge_avail();
	id = t_shmget(IPC_PRIVATE, 16 * HPAGE,
		      IPC_CREAT | SHM_HUGETLB | SHM_NORESERVE | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(16 * HPAGE, segsz_of(id));
	EXPECT_EQ(avail0, huge_avail());
	/* the pool is untouched: a reserving segment still gets all of it */
	id2 = t_shmget(IPC_PRIVATE, 8 * HPAGE, IPC_CREAT | SHM_HUGETLB | 0600);
	EXPECT_GE(id2, 0);
	EXPECT_EQ(avail0 - 8, huge_avail());
}

/* SHM_HUGE_2MB works; page sizes without a pool: EINVAL */
TEST_F(ipc, hugetlb_page_size_flags)
{
	int id, err1g;

	REQUIRE_HUGE_POOL(8);
	id = t_shmget(IPC_PRIVATE, HPAGE + 1,
		      IPC_CREAT | SHM_HUGETLB | SHM_HUGE_2MB | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(HPAGE + 1, segsz_of(id));
	EXPECT_EQ(6L, huge_avail());

	/*
	 * 1 GiB: hstate_sizelog() finds no hstate → EINVAL, unless the CPU
	 * has gbpages (then a 1 GiB hstate with an empty pool → ENOMEM).
	 */
	err1g = access(HUGE_1G_DIR, F_OK) ? EINVAL : ENOMEM;
	EXPECT_EQ(err1g, ERRNO_OF(t_shmget(IPC_PRIVATE, HPAGE, IPC_CREAT |
					   SHM_HUGETLB | SHM_HUGE_1GB | 0600)));
	/* 4 MiB: no such huge page size on x86-64 */
	EXPECT_EQ(EINVAL, ERRNO_OF(t_shmget(IPC_PRIVATE, HPAGE, IPC_CREAT |
					    SHM_HUGETLB | SHM_HUGE_4MB | 0600)));
	EXPECT_EQ(6L, huge_avail());

	/* size bits without SHM_HUGETLB mean nothing */
	id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | SHM_HUGE_1GB | 0600);
	EXPECT_GE(id, 0);
	EXPECT_EQ(0600L, mode_of(id));
	id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | SHM_HUGE_4MB | 0600);
	EXPECT_GE(id, 0);
}

/*
 * Without CAP_IPC_LOCK only members of vm.hugetlb_shm_group (gid 0 by
 * default) may: EPERM for the others, before any pool check.  The module
 * cannot read the sysctl; its hugetlb_shm_group parameter mirrors it.
 */
TEST_F(ipc, hugetlb_shm_group)
{
	struct shm_op op = {
		.size = HPAGE, .flg = IPC_CREAT | SHM_HUGETLB | 0600,
	};
	struct shm_op big = {
		.size = 64 * HPAGE, .flg = IPC_CREAT | SHM_HUGETLB | 0600,
	};
	char buf[32];
	long avail0;

	REQUIRE_HUGE_POOL(8);
	avail0 = huge_avail();
	/* the group allowed: TEST_GID, in the kernel and in the module */
	snprintf(buf, sizeof(buf), "%d", TEST_GID);
	ASSERT_EQ(0, vm_sysctl_set("hugetlb_shm_group", buf));
	if (is_lib_mode())
		ASSERT_EQ(0, modparam_set("hugetlb_shm_group", TEST_GID));

	/* RLIMIT_MEMLOCK does not matter (it used to) */
	ASSERT_EQ(0, set_memlock(RLIM_INFINITY));
	EXPECT_EQ(EPERM, run_as_nobody(child_get, &op));
	track(FAM_SHM, (int)child_data[0]);
	EXPECT_EQ(-1L, child_data[0]);
	EXPECT_EQ(EPERM, run_as_nobody(child_get, &big));
	track(FAM_SHM, (int)child_data[0]);
	EXPECT_EQ(avail0, huge_avail());
	/* nor the gid of another group */
	EXPECT_EQ(EPERM, run_as_nobody_in(TEST_GID2, child_get, &op));
	track(FAM_SHM, (int)child_data[0]);

	/* a member (supplementary group) may */
	EXPECT_EQ(0, run_as_nobody_in(TEST_GID, child_get, &op));
	track(FAM_SHM, (int)child_data[0]);
	ASSERT_GE(child_data[0], 0L);
	EXPECT_EQ(HPAGE, segsz_of((int)child_data[0]));
	EXPECT_EQ(avail0 - 1, huge_avail());
	/* and then the pool applies */
	EXPECT_EQ(ENOMEM, run_as_nobody_in(TEST_GID, child_get, &big));
	track(FAM_SHM, (int)child_data[0]);
	/* so does the primary group */
	EXPECT_EQ(0, run_as_ids(NOBODY_UID, TEST_GID, NULL, 0, child_get, &op));
	track(FAM_SHM, (int)child_data[0]);
	EXPECT_GE(child_data[0], 0L);
	EXPECT_EQ(avail0 - 2, huge_avail());
	/* normal segments are not affected */
	op.flg = IPC_CREAT | 0600;
	EXPECT_EQ(0, run_as_nobody(child_get, &op));
	track(FAM_SHM, (int)child_data[0]);
}

/*
 * SHM_LOCK on a hugetlb segment: the permission checks apply, then
 * nothing happens (no SHM_LOCKED, no charge).
 */
TEST_F(ipc, hugetlb_lock_is_noop)
{
	int id, small;

	REQUIRE_HUGE_POOL(8);
	id = nobody_owned(2 * HPAGE, SHM_HUGETLB);
	ASSERT_GE(id, 0);
	EXPECT_EQ(0, ctl_errno(id, SHM_LOCK));
	EXPECT_FALSE(is_locked(id));
	EXPECT_EQ(0600L, mode_of(id));
	EXPECT_EQ(0, ctl_errno(id, SHM_UNLOCK));
	EXPECT_EQ(0600L, mode_of(id));

	/* the owner, with a one-page limit: 0, and nothing charged */
	small = nobody_owned(PG, 0);
	ASSERT_GE(small, 0);
	ASSERT_EQ(0, set_memlock(PG));
	EXPECT_EQ(0, nobody_ctl(id, SHM_LOCK));
	EXPECT_FALSE(is_locked(id));
	EXPECT_EQ(0, nobody_ctl(small, SHM_LOCK));
	EXPECT_TRUE(is_locked(small));
	EXPECT_EQ(0, nobody_ctl(id, SHM_UNLOCK));
	/* a zero limit: EPERM still comes first */
	ASSERT_EQ(0, set_memlock(0));
	EXPECT_EQ(EPERM, nobody_ctl(id, SHM_LOCK));
	/* and so does the owner check */
	ASSERT_EQ(0, set_owner(id, 0, 0));
	ASSERT_EQ(0, set_memlock(64 * HPAGE));
	EXPECT_EQ(EPERM, nobody_ctl(id, SHM_LOCK));
	EXPECT_EQ(EPERM, nobody_ctl(id, SHM_UNLOCK));
}

/*
 * SHM_INFO: shm_tot counts the requested size in small pages, shm_rss
 * the huge pages in small pages once they are in.
 */
TEST_F(ipc, hugetlb_shm_info)
{
	struct shm_info before, after;
	int id;
	char *p;

	REQUIRE_HUGE_POOL(8);
	ASSERT_LE(0, shm_info_of(&before));
	id = t_shmget(IPC_PRIVATE, 3 * MiB, IPC_CREAT | SHM_HUGETLB | 0600);
	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	memset(p, 3, 4 * MiB);
	ASSERT_LE(0, shm_info_of(&after));
	EXPECT_EQ(before.used_ids + 1, after.used_ids);
	EXPECT_EQ(3 * MiB / PG, after.shm_tot - before.shm_tot);
	EXPECT_EQ(4 * MiB / PG, after.shm_rss - before.shm_rss);
	EXPECT_EQ(before.shm_swp, after.shm_swp);
	ASSERT_EQ(0, shmdt(p));
	/* detached: the pages stay with the segment */
	ASSERT_LE(0, shm_info_of(&after));
	EXPECT_EQ(4 * MiB / PG, after.shm_rss - before.shm_rss);
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	ASSERT_LE(0, shm_info_of(&after));
	EXPECT_EQ(before.shm_rss, after.shm_rss);
	EXPECT_EQ(before.shm_tot, after.shm_tot);
}

/* ------------------------------------------------------------------ */
/* SHM_NORESERVE on normal segments, vm.overcommit_memory             */
/* ------------------------------------------------------------------ */

/*
 * A size beyond RAM + swap (the OVERCOMMIT_GUESS limit) and beyond
 * CommitLimit (OVERCOMMIT_NEVER's), at least 4 GiB; 0 if kernel.shmmax or
 * kernel.shmall do not allow it.
 */
static size_t too_big(void)
{
	struct sysinfo si;
	unsigned long long ram, commit, size = 4ULL * GiB;

	if (sysinfo(&si))
		return 0;
	ram = ((unsigned long long)si.totalram + si.totalswap) * si.mem_unit;
	commit = (unsigned long long)meminfo("CommitLimit") * 1024;
	if (size < 2 * ram)
		size = 2 * ram;
	if (size < 2 * commit)
		size = 2 * commit;
	size = (size + GiB - 1) & ~(GiB - 1);
	if (sysctl_read_ul("shmmax") < size ||
	    sysctl_read_ul("shmall") < size / PG * 4)
		return 0;
	return size;
}

#define REQUIRE_TOO_BIG(var) do {					\
	modparams_follow_sysctl();					\
	(var) = too_big();						\
	if (!(var))							\
		SKIP(return, "kernel.shmmax/shmall too small");		\
} while (0)

/*
 * OVERCOMMIT_GUESS: a SHM_NORESERVE segment is not accounted and can be
 * bigger than memory; a normal one cannot exceed RAM + swap.
 */
TEST_F(ipc, noreserve_overcommit_guess)
{
	size_t big;
	int id;

	REQUIRE_TOO_BIG(big);
	ASSERT_EQ(0, vm_sysctl_set("overcommit_memory", "0"));
	id = t_shmget(IPC_PRIVATE, big, IPC_CREAT | SHM_NORESERVE | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(big, segsz_of(id));
	EXPECT_EQ(0600L, mode_of(id));
	EXPECT_EQ(ENOMEM, ERRNO_OF(t_shmget(IPC_PRIVATE, big,
					    IPC_CREAT | 0600)));
	/* a second one: still nothing accounted */
	EXPECT_GE(t_shmget(IPC_PRIVATE, big, IPC_CREAT | SHM_NORESERVE | 0600),
		  0);
	EXPECT_GE(t_shmget(IPC_PRIVATE, 64 * MiB, IPC_CREAT | 0600), 0);
}

/* OVERCOMMIT_ALWAYS: anything goes */
TEST_F(ipc, noreserve_overcommit_always)
{
	size_t big;

	REQUIRE_TOO_BIG(big);
	ASSERT_EQ(0, vm_sysctl_set("overcommit_memory", "1"));
	EXPECT_GE(t_shmget(IPC_PRIVATE, big, IPC_CREAT | 0600), 0);
	EXPECT_GE(t_shmget(IPC_PRIVATE, big, IPC_CREAT | SHM_NORESERVE | 0600),
		  0);
}

/*
 * OVERCOMMIT_NEVER: newseg() does not honour SHM_NORESERVE ("Do not allow
 * no accounting for OVERCOMMIT_NEVER"), so both are held to CommitLimit.
 */
TEST_F(ipc, noreserve_overcommit_never)
{
	size_t big;

	REQUIRE_TOO_BIG(big);
	ASSERT_EQ(0, vm_sysctl_set("overcommit_memory", "2"));
	EXPECT_EQ(ENOMEM, ERRNO_OF(t_shmget(IPC_PRIVATE, big,
					    IPC_CREAT | 0600)));
	EXPECT_EQ(ENOMEM, ERRNO_OF(t_shmget(IPC_PRIVATE, big, IPC_CREAT |
					    SHM_NORESERVE | 0600)));
	/* what fits still works */
	EXPECT_GE(t_shmget(IPC_PRIVATE, 16 * MiB, IPC_CREAT | 0600), 0);
	EXPECT_GE(t_shmget(IPC_PRIVATE, 16 * MiB,
			   IPC_CREAT | SHM_NORESERVE | 0600), 0);
}

/* ------------------------------------------------------------------ */
/* Memory cgroup charging                                             */
/* ------------------------------------------------------------------ */

/*
 * A fixture of its own: besides the objects and saved files of
 * FIXTURE(ipc), a cgroup and a child process to clean up.
 */
FIXTURE(memcg) {
	char cg[128];
	pid_t child;
	bool enabled_memory;	/* we wrote +memory to the root's subtree */
};

FIXTURE_SETUP(memcg)
{
	tracked_n[0] = tracked_n[1] = tracked_n[2] = 0;
	n_saved = 0;
	self->cg[0] = '\0';
	self->child = 0;
	self->enabled_memory = false;
}

FIXTURE_TEARDOWN(memcg)
{
	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	cleanup_tracked();
	if (self->cg[0]) {
		for (int i = 0; i < 50 && rmdir(self->cg) && errno == EBUSY; i++)
			usleep(20000);
	}
	if (self->enabled_memory)
		file_write_str(CG_ROOT "/cgroup.subtree_control", "-memory");
	restore_saved();
}

static long long cg_read_ll(const char *cg, const char *file)
{
	char path[192], buf[64];

	snprintf(path, sizeof(path), "%s/%s", cg, file);
	if (file_read_str(path, buf, sizeof(buf)))
		return -1;
	return strtoll(buf, NULL, 10);
}

/* the "key value" line @key of memory.stat, -1 if none */
static long long cg_stat(const char *cg, const char *key)
{
	char path[192], line[256];
	size_t len = strlen(key);
	long long ret = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, len) && line[len] == ' ') {
			ret = strtoll(line + len + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return ret;
}

static bool has_word(const char *list, const char *word)
{
	size_t len = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += len)
		if ((p == list || p[-1] == ' ') && (p[len] == '\0' ||
						    p[len] == ' '))
			return true;
	return false;
}

#define SEG_MC	(64 * MiB)

/*
 * The child: moves itself into @cg, says 'm'; gets the id, attaches and
 * touches everything, says 't'; on the next byte detaches and exits.
 * EOF from the test (it died) ends it early.
 */
static void memcg_child(const char *cg, int rfd, int wfd)
{
	char path[192], c;
	int id;
	char *p;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	c = file_write_str(path, "0") ? 'x' : 'm';
	if (write(wfd, &c, 1) != 1 || c != 'm')
		_exit(1);
	if (read(rfd, &id, sizeof(id)) != sizeof(id))
		_exit(2);
	p = shmat(id, NULL, 0);
	if (p == FAILED)
		_exit(3);
	memset(p, 0x6d, SEG_MC);
	c = 't';
	if (write(wfd, &c, 1) != 1)
		_exit(4);
	if (read(rfd, &c, 1) != 1)
		_exit(5);
	_exit(shmdt(p) ? 6 : 0);
}

/*
 * Pages go to the memcg of the task that faults them in (shmem charges the
 * faulting mm), not to the creator's; the charge stays with the pages after
 * that task detached and left, and goes with the segment.
 */
TEST_F(memcg, charged_to_faulting_task)
{
	long long base, created, touched, left, removed, shmem;
	char ctl[256];
	int p2c[2], c2p[2], status, id;
	char c;

	if (access(CG_ROOT "/cgroup.controllers", F_OK) ||
	    file_read_str(CG_ROOT "/cgroup.controllers", ctl, sizeof(ctl)) ||
	    !has_word(ctl, "memory"))
		SKIP(return, "no cgroup2 memory controller at " CG_ROOT);
	ASSERT_EQ(0, file_read_str(CG_ROOT "/cgroup.subtree_control", ctl,
				   sizeof(ctl)));
	if (!has_word(ctl, "memory")) {
		ASSERT_EQ(0, file_write_str(CG_ROOT "/cgroup.subtree_control",
					    "+memory"));
		self->enabled_memory = true;
	}
	snprintf(self->cg, sizeof(self->cg), CG_ROOT "/shmtest-%d%s",
		 (int)getpid(), is_lib_mode() ? "-lib" : "");
	if (mkdir(self->cg, 0755)) {
		self->cg[0] = '\0';
		ASSERT_EQ(0, errno);
	}
	ASSERT_LE(0LL, cg_read_ll(self->cg, "memory.current"));

	ASSERT_EQ(0, pipe(p2c));
	ASSERT_EQ(0, pipe(c2p));
	fflush(stdout);
	fflush(stderr);
	self->child = fork();
	ASSERT_LE(0, self->child);
	if (self->child == 0) {
		close(p2c[1]);
		close(c2p[0]);
		memcg_child(self->cg, p2c[0], c2p[1]);
	}
	close(p2c[0]);
	close(c2p[1]);
	ASSERT_EQ(1, read(c2p[0], &c, 1));
	ASSERT_EQ('m', c);

	/* the child's in the cgroup; the test process creates the segment */
	usleep(100000);
	base = cg_read_ll(self->cg, "memory.current");
	id = t_shmget(IPC_PRIVATE, SEG_MC, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	created = cg_read_ll(self->cg, "memory.current");
	TH_LOG("memory.current: %lld with the child, %lld after shmget",
	       base, created);
	EXPECT_LT(created - base, (long long)MiB);

	/* the child touches it all */
	ASSERT_EQ((ssize_t)sizeof(id), write(p2c[1], &id, sizeof(id)));
	ASSERT_EQ(1, read(c2p[0], &c, 1));
	ASSERT_EQ('t', c);
	touched = cg_read_ll(self->cg, "memory.current");
	shmem = cg_stat(self->cg, "shmem");
	TH_LOG("memory.current: %lld touched (shmem %lld)", touched, shmem);
	EXPECT_GE(touched - base, (long long)(56 * MiB));
	EXPECT_LE(touched - base, (long long)(72 * MiB));
	EXPECT_GE(shmem, (long long)(56 * MiB));

	/* the child detaches and exits: the pages stay charged */
	c = 'd';
	ASSERT_EQ(1, write(p2c[1], &c, 1));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = 0;
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	left = cg_read_ll(self->cg, "memory.current");
	TH_LOG("memory.current: %lld after the child left", left);
	EXPECT_GE(left - base, (long long)(56 * MiB));
	EXPECT_GE(cg_stat(self->cg, "shmem"), (long long)(56 * MiB));
	/* the pages hold what the child wrote */
	{
		char *p = shmat(id, NULL, SHM_RDONLY);

		ASSERT_NE(FAILED, p);
		EXPECT_EQ(0x6d, p[0]);
		EXPECT_EQ(0x6d, p[SEG_MC - 1]);
		EXPECT_EQ(0, shmdt(p));
	}

	/* removed: uncharged */
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	for (int i = 0; i < 50; i++) {
		removed = cg_read_ll(self->cg, "memory.current");
		if (removed - base < (long long)(8 * MiB))
			break;
		usleep(20000);
	}
	TH_LOG("memory.current: %lld after IPC_RMID", removed);
	EXPECT_LT(removed - base, (long long)(8 * MiB));
	close(p2c[1]);
	close(c2p[0]);
}

TEST_HARNESS_MAIN
