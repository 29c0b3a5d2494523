// SPDX-License-Identifier: GPL-2.0
/*
 * shmat / shmdt and the life of an attached segment: errnos, SHM_RND,
 * SHM_REMAP, address hints, attach accounting (shm_nattch, shm_atime,
 * shm_dtime, shm_lpid, shm_cpid) across fork, exec, exit, mremap, partial
 * munmap and mprotect, shmdt's fragment rule, the SHM_DEST life cycle,
 * sharing between processes, read-only attaches, zero fill, a large
 * segment, /proc/self/maps and map_files naming, SHM_INFO's shm_rss, what
 * goes through the attach's file (msync, MADV_REMOVE, remap_file_pages)
 * and kernel.shm_rmid_forced at the last detach.  Lib mode also covers a
 * raw mmap() of /dev/sysvipc at offset id * page size and the module
 * reference each attach holds.
 *
 * Reference (6.1): ipc/shm.c do_shmat(), ksys_shmdt(), shm_open(),
 * __shm_open(), shm_close(), __shm_close(), shm_may_destroy(),
 * do_shm_rmid(), shm_mmap(), shm_fsync(), shm_fallocate(), newseg() (the
 * "SYSV%08x" name, i_ino = id);
 * mm/mmap.c __split_vma() (vm_ops->open on the new piece),
 * is_mergeable_vma() (VMAs with ->close never merge), copy_vma() (mremap:
 * open on the new VMA, then the old one is unmapped); man 2 shmop.
 *
 * x86-64: SHMLBA is the page size and not __ARCH_FORCE_SHMLBA.
 */
#include <sys/resource.h>
#include <sys/statvfs.h>
#include <linux/sysvipc.h>

#include "common.h"

#ifndef SHM_REMAP
#define SHM_REMAP	040000
#endif
#ifndef SHM_EXEC
#define SHM_EXEC	0100000
#endif
#ifndef SHM_DEST
#define SHM_DEST	01000
#endif

#define PG		PAGE_SZ
#define FAILED		((void *)-1)

/* ------------------------------------------------------------------ */
/* Helpers                                                            */
/* ------------------------------------------------------------------ */

static int stat_of(int id, struct shmid_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	return shmctl(id, IPC_STAT, ds);
}

/* shm_nattch, or -1 with errno when IPC_STAT fails */
static long nattch(int id)
{
	struct shmid_ds ds;

	if (stat_of(id, &ds))
		return -1;
	return (long)ds.shm_nattch;
}

static pid_t lpid_of(int id)
{
	struct shmid_ds ds;

	if (stat_of(id, &ds))
		return -1;
	return ds.shm_lpid;
}

/* errno of shmat(), 0 if it succeeded (and then detach again) */
static int shmat_errno(int id, const void *addr, int flg)
{
	void *p = shmat(id, addr, flg);

	if (p == FAILED)
		return errno;
	shmdt(p);
	return 0;
}

/*
 * An address with @len bytes free after it (mapped and unmapped again).
 * @len plus a guard page on each side is reserved, so the result does not
 * touch a neighbouring mapping.
 */
static char *free_area(size_t len)
{
	char *p = mmap(NULL, len + 2 * PG, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	munmap(p, len + 2 * PG);
	return p + PG;
}

/* exit status of @pid, 128 + signal if it was killed, -1 on error */
static int wait_status(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return -1;
}

static void no_core(void)
{
	struct rlimit rl = { 0, 0 };

	setrlimit(RLIMIT_CORE, &rl);
}

/* the byte at offset @i of a pattern with @seed */
static char pat(size_t i, unsigned int seed)
{
	return (char)(seed + i * 7 + (i >> 12));
}

/* write the pattern to p[from, to) */
static void fill(char *p, size_t from, size_t to, unsigned int seed)
{
	for (size_t i = from; i < to; i++)
		p[i] = pat(i, seed);
}

/* does p[from, to) hold the pattern? */
static bool check_fill(const char *p, size_t from, size_t to,
		       unsigned int seed)
{
	for (size_t i = from; i < to; i++)
		if (p[i] != pat(i, seed))
			return false;
	return true;
}

/*
 * The /proc/self/maps line of the mapping starting at @addr: fills @perms
 * (5 chars), @ino, @len and @name (the path column).  Returns 0 if found.
 */
static int maps_entry(const void *addr, char *perms, unsigned long *ino,
		      size_t *len, char *name, size_t namelen)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[512];
	int ret = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end, off, inode;
		char p[8], dev[32];
		int n = 0;

		if (sscanf(line, "%lx-%lx %7s %lx %31s %lu %n", &start, &end,
			   p, &off, dev, &inode, &n) < 6)
			continue;
		if (start != (unsigned long)addr)
			continue;
		memcpy(perms, p, 4);
		perms[4] = '\0';
		*ino = inode;
		*len = end - start;
		line[strcspn(line, "\n")] = '\0';
		snprintf(name, namelen, "%s", n ? line + n : "");
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static bool mapped(const void *addr)
{
	char perms[8], name[128];
	unsigned long ino;
	size_t len;

	return maps_entry(addr, perms, &ino, &len, name, sizeof(name)) == 0;
}

static unsigned long shm_rss(void)
{
	struct shm_info si;

	memset(&si, 0, sizeof(si));
	if (shmctl(0, SHM_INFO, (struct shmid_ds *)&si) < 0)
		return 0;
	return si.shm_rss;
}

/* ------------------------------------------------------------------ */
/* shmat errors                                                       */
/* ------------------------------------------------------------------ */

TEST_F(ipc, shmat_bad_id)
{
	int id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(EINVAL, shmat_errno(-1, NULL, 0));
	EXPECT_EQ(EINVAL, shmat_errno(INT32_MIN, NULL, 0));
	/* an index nothing uses (the index part is id & 0x7fff) */
	EXPECT_EQ(EINVAL, shmat_errno((id & ~0x7fff) | 0x7ffe, NULL, 0));
	/* right index, wrong sequence number */
	EXPECT_EQ(EINVAL, shmat_errno(id + 0x8000, NULL, 0));
	EXPECT_EQ(EINVAL, shmat_errno(id + 0x8000, NULL, SHM_RDONLY));
}

TEST_F(ipc, shmat_stale_id)
{
	int id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	int id2;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(EINVAL, shmat_errno(id, NULL, 0));
	/* the slot used again: still the old id is stale */
	id2 = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	ASSERT_GE(id2, 0);
	EXPECT_NE(id, id2);
	EXPECT_EQ(EINVAL, shmat_errno(id, NULL, 0));
	EXPECT_EQ(0, shmat_errno(id2, NULL, 0));
}

TEST_F(ipc, shmat_misaligned_without_rnd)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *a = free_area(4 * PG);

	ASSERT_GE(id, 0);
	ASSERT_NE(NULL, a);
	EXPECT_EQ(EINVAL, shmat_errno(id, a + 1, 0));
	EXPECT_EQ(EINVAL, shmat_errno(id, a + PG / 2, SHM_RDONLY));
	EXPECT_EQ(EINVAL, shmat_errno(id, a + PG - 1, SHM_REMAP));
	EXPECT_FALSE(mapped(a));
	EXPECT_EQ(0L, nattch(id));
}

TEST_F(ipc, shmat_remap_without_address)
{
	int id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(EINVAL, shmat_errno(id, NULL, SHM_REMAP));
	EXPECT_EQ(EINVAL, shmat_errno(id, NULL, SHM_REMAP | SHM_RND));
	/* rounds down to 0 with SHM_REMAP: "the round-down is non-nil" */
	EXPECT_EQ(EINVAL, shmat_errno(id, (void *)1, SHM_REMAP | SHM_RND));
	EXPECT_EQ(EINVAL, shmat_errno(id, (void *)(PG - 1),
				      SHM_REMAP | SHM_RND));
	EXPECT_EQ(0L, nattch(id));
}

/* an anonymous page in the middle of where the segment would go */
TEST_F(ipc, shmat_occupied_range)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	char *a = free_area(4 * PG), *anon;

	ASSERT_GE(id, 0);
	ASSERT_NE(NULL, a);
	anon = mmap(a + 2 * PG, PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	ASSERT_EQ(a + 2 * PG, anon);
	anon[0] = 0x5a;

	EXPECT_EQ(EINVAL, shmat_errno(id, a, 0));
	EXPECT_EQ(EINVAL, shmat_errno(id, a, SHM_RDONLY));
	/* ending exactly at the anonymous page / starting on it */
	EXPECT_EQ(EINVAL, shmat_errno(id, a - PG, 0));
	EXPECT_EQ(EINVAL, shmat_errno(id, anon, 0));
	/* SHM_RND rounding onto the occupied range */
	EXPECT_EQ(EINVAL, shmat_errno(id, a + 17, SHM_RND));
	EXPECT_EQ(0x5a, anon[0]);
	EXPECT_FALSE(mapped(a));
	EXPECT_EQ(0L, nattch(id));
	munmap(anon, PG);
}

/* occupied by another attach of the same segment */
TEST_F(ipc, shmat_occupied_by_attach)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *p;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	EXPECT_EQ(EINVAL, shmat_errno(id, p, 0));
	EXPECT_EQ(EINVAL, shmat_errno(id, p + PG, 0));
	EXPECT_EQ(EINVAL, shmat_errno(id, p - PG, SHM_RDONLY));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(0, shmdt(p));
}

/* do_shmat(): addr + size wraps → EINVAL before anything is mapped */
TEST_F(ipc, shmat_address_wraps)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(EINVAL, shmat_errno(id, (void *)(0UL - 2 * PG), 0));
	EXPECT_EQ(EINVAL, shmat_errno(id, (void *)(0UL - 2 * PG + 5),
				      SHM_RND));
	EXPECT_EQ(0L, nattch(id));
}

/* beyond TASK_SIZE (even with 5-level paging): do_mmap() says ENOMEM */
TEST_F(ipc, shmat_beyond_task_size)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(ENOMEM, shmat_errno(id, (void *)(1UL << 57), 0));
	EXPECT_EQ(0L, nattch(id));
}

struct perm_arg {
	int id;
	int flg;
	void *addr;
};

/* as nobody: errno of shmat(id, addr, flg); on success reads it and checks
 * the mapping's permissions in /proc/self/maps against child_data */
static int child_shmat(void *p)
{
	struct perm_arg *a = p;
	volatile char *m = shmat(a->id, a->addr, a->flg);
	char perms[8], name[128];
	unsigned long ino;
	size_t len;

	if (m == FAILED)
		return errno;
	(void)m[0];
	if (maps_entry((void *)m, perms, &ino, &len, name, sizeof(name)))
		return CHILD_MISMATCH;
	memcpy(&child_data[0], perms, 5);
	if (shmdt((void *)m))
		return CHILD_MISMATCH;
	return 0;
}

static int make_owned(int size, int mode)
{
	struct shmid_ds ds;
	int id = t_shmget(IPC_PRIVATE, size, IPC_CREAT | mode);

	if (id < 0 || stat_of(id, &ds))
		return -1;
	/* owned by root:root, so nobody gets the "other" bits */
	ds.shm_perm.uid = 0;
	ds.shm_perm.gid = 0;
	ds.shm_perm.mode = mode;
	if (shmctl(id, IPC_SET, &ds))
		return -1;
	return id;
}

TEST_F(ipc, shmat_eacces_write_without_w)
{
	struct perm_arg a = { .flg = 0 };
	char perms[8] = "";

	a.id = make_owned(PG, 0644);
	ASSERT_GE(a.id, 0);
	EXPECT_EQ(EACCES, run_as_nobody(child_shmat, &a));
	a.flg = SHM_RND;
	EXPECT_EQ(EACCES, run_as_nobody(child_shmat, &a));
	/* SHM_RDONLY needs only r */
	a.flg = SHM_RDONLY;
	EXPECT_EQ(0, run_as_nobody(child_shmat, &a));
	memcpy(perms, child_data, 4);
	EXPECT_STREQ("r--s", perms);
	EXPECT_EQ(0L, nattch(a.id));
}

TEST_F(ipc, shmat_eacces_read_without_r)
{
	struct perm_arg a = { .flg = SHM_RDONLY };

	a.id = make_owned(PG, 0622);
	ASSERT_GE(a.id, 0);
	/* every attach needs r, even a "write" one */
	EXPECT_EQ(EACCES, run_as_nobody(child_shmat, &a));
	a.flg = 0;
	EXPECT_EQ(EACCES, run_as_nobody(child_shmat, &a));
}

TEST_F(ipc, shmat_rw_with_rw)
{
	struct perm_arg a = { .flg = 0 };
	char perms[8] = "";

	a.id = make_owned(PG, 0666);
	ASSERT_GE(a.id, 0);
	EXPECT_EQ(0, run_as_nobody(child_shmat, &a));
	memcpy(perms, child_data, 4);
	EXPECT_STREQ("rw-s", perms);
}

TEST_F(ipc, shmat_exec_needs_x)
{
	struct perm_arg a = { .flg = SHM_RDONLY | SHM_EXEC };
	char perms[8] = "";

	a.id = make_owned(PG, 0644);
	ASSERT_GE(a.id, 0);
	EXPECT_EQ(EACCES, run_as_nobody(child_shmat, &a));

	a.id = make_owned(PG, 0755);
	ASSERT_GE(a.id, 0);
	EXPECT_EQ(0, run_as_nobody(child_shmat, &a));
	memcpy(perms, child_data, 4);
	EXPECT_STREQ("r-xs", perms);
	/* write + exec needs rwx */
	a.flg = SHM_EXEC;
	EXPECT_EQ(EACCES, run_as_nobody(child_shmat, &a));

	a.id = make_owned(PG, 0777);
	ASSERT_GE(a.id, 0);
	EXPECT_EQ(0, run_as_nobody(child_shmat, &a));
	memcpy(perms, child_data, 4);
	EXPECT_STREQ("rwxs", perms);
}

/* CAP_IPC_OWNER (root) bypasses the mode entirely */
TEST_F(ipc, shmat_root_ignores_mode)
{
	int id = make_owned(PG, 0);
	char *p;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, SHM_EXEC);
	ASSERT_NE(FAILED, p);
	p[0] = 1;
	EXPECT_EQ(0, shmdt(p));
}

/*
 * SHM_RND rounding an address below SHMLBA down to 0 without SHM_REMAP:
 * do_shmat() maps at 0 with MAP_FIXED, which nobody (no CAP_SYS_RAWIO,
 * below vm.mmap_min_addr) may not: EPERM.
 */
TEST_F(ipc, shmat_rnd_to_zero_unprivileged)
{
	struct perm_arg a = { .flg = SHM_RND, .addr = (void *)1 };

	char buf[32];

	a.id = make_owned(PG, 0666);
	ASSERT_GE(a.id, 0);
	ASSERT_EQ(0, file_read_str("/proc/sys/vm/mmap_min_addr", buf,
				   sizeof(buf)));
	if (strtoul(buf, NULL, 10) < PG)
		SKIP(return, "vm.mmap_min_addr below a page");
	EXPECT_EQ(EPERM, run_as_nobody(child_shmat, &a));
	EXPECT_EQ(0L, nattch(a.id));
}

/* ------------------------------------------------------------------ */
/* Addresses: hints, SHM_RND, SHM_REMAP                               */
/* ------------------------------------------------------------------ */

TEST_F(ipc, shmat_address_hint)
{
	int id = t_shmget(IPC_PRIVATE, 3 * PG, IPC_CREAT | 0600);
	char *a = free_area(3 * PG), *p;

	ASSERT_GE(id, 0);
	ASSERT_NE(NULL, a);
	p = shmat(id, a, 0);
	ASSERT_EQ(a, p);
	p[3 * PG - 1] = 1;
	EXPECT_EQ(0, shmdt(p));

	/* no address: the kernel picks a page-aligned one */
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	EXPECT_EQ(0UL, (unsigned long)p % PG);
	EXPECT_EQ(1, p[3 * PG - 1]);
	EXPECT_EQ(0, shmdt(p));
}

TEST_F(ipc, shmat_rnd_rounds_down)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *a = free_area(2 * PG), *p;

	ASSERT_GE(id, 0);
	ASSERT_NE(NULL, a);
	EXPECT_EQ((size_t)SHMLBA, PG);
	p = shmat(id, a + 123, SHM_RND);
	EXPECT_EQ(a, p);
	if (p != FAILED)
		EXPECT_EQ(0, shmdt(p));
	p = shmat(id, a + PG - 1, SHM_RND | SHM_RDONLY);
	EXPECT_EQ(a, p);
	if (p != FAILED)
		EXPECT_EQ(0, shmdt(p));
	/* an aligned address with SHM_RND stays as it is */
	p = shmat(id, a, SHM_RND);
	EXPECT_EQ(a, p);
	if (p != FAILED)
		EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0L, nattch(id));
}

TEST_F(ipc, shmat_remap_replaces_anon)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	char *anon, *p, *q;

	ASSERT_GE(id, 0);
	q = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, q);
	fill(q, 0, 4 * PG, 3);

	/* a larger anonymous mapping: the segment replaces its first part */
	anon = mmap(NULL, 6 * PG, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, anon);
	memset(anon, 0xaa, 6 * PG);
	p = shmat(id, anon, SHM_REMAP);
	ASSERT_EQ(anon, p);
	EXPECT_TRUE(check_fill(p, 0, 4 * PG, 3));
	EXPECT_EQ((char)0xaa, anon[4 * PG]);
	EXPECT_EQ(2L, nattch(id));
	p[0] = 9;
	EXPECT_EQ(9, q[0]);
	EXPECT_EQ(0, shmdt(p));
	/* the range is free now; the anonymous tail is still there */
	EXPECT_FALSE(mapped(anon));
	EXPECT_EQ((char)0xaa, anon[5 * PG]);
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(0, shmdt(q));
	munmap(anon + 4 * PG, 2 * PG);
}

/* SHM_REMAP over an attach of the same segment: still one attach */
TEST_F(ipc, shmat_remap_over_attach)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *p, *q;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	q = shmat(id, p, SHM_REMAP);
	ASSERT_EQ(p, q);
	EXPECT_EQ(1L, nattch(id));
	/* and with SHM_RND from a misaligned address */
	q = shmat(id, p + 99, SHM_REMAP | SHM_RND | SHM_RDONLY);
	ASSERT_EQ(p, q);
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0L, nattch(id));
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(p)));
}

/* ------------------------------------------------------------------ */
/* Attach accounting                                                  */
/* ------------------------------------------------------------------ */

TEST_F(ipc, stat_across_attach_detach)
{
	struct shmid_ds ds;
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *p, *q;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(0UL, ds.shm_nattch);
	EXPECT_EQ(0, ds.shm_atime);
	EXPECT_EQ(0, ds.shm_dtime);
	EXPECT_EQ(0, ds.shm_lpid);
	EXPECT_EQ(getpid(), ds.shm_cpid);

	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(1UL, ds.shm_nattch);
	EXPECT_TRUE(time_near_now(ds.shm_atime, 5));
	EXPECT_EQ(0, ds.shm_dtime);
	EXPECT_EQ(getpid(), ds.shm_lpid);
	EXPECT_EQ(getpid(), ds.shm_cpid);

	/* a second attach in the same process counts too */
	q = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(FAILED, q);
	EXPECT_NE(p, q);
	EXPECT_EQ(2L, nattch(id));

	EXPECT_EQ(0, shmdt(q));
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(1UL, ds.shm_nattch);
	EXPECT_TRUE(time_near_now(ds.shm_dtime, 5));
	EXPECT_EQ(0, shmdt(p));
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(0UL, ds.shm_nattch);
	EXPECT_TRUE(time_near_now(ds.shm_atime, 5));
	EXPECT_TRUE(time_near_now(ds.shm_dtime, 5));
	EXPECT_EQ(getpid(), ds.shm_lpid);
	/* ctime is not touched by attaching */
	EXPECT_TRUE(time_near_now(ds.shm_ctime, 5));
}

/* a failed attach leaves no trace in nattch */
TEST_F(ipc, failed_attach_keeps_stat)
{
	struct shmid_ds ds;
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *p;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	EXPECT_EQ(EINVAL, shmat_errno(id, p, 0));
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(1UL, ds.shm_nattch);
	EXPECT_EQ(0, ds.shm_dtime);
	EXPECT_EQ(0, shmdt(p));
}

TEST_F(ipc, fork_inherits_attach)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	int go[2];
	char *p;
	pid_t pid;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char c;

		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(10);
		p[PG] = 'c';
		_exit(shmdt(p) ? 11 : 0);
	}
	close(go[0]);
	/* dup_mmap() called shm_open() in the parent's context */
	EXPECT_EQ(2L, nattch(id));
	EXPECT_EQ(getpid(), lpid_of(id));
	ASSERT_EQ(1, write(go[1], "x", 1));
	close(go[1]);
	EXPECT_EQ(0, wait_status(pid));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(pid, lpid_of(id));
	EXPECT_EQ('c', p[PG]);
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0L, nattch(id));
	EXPECT_EQ(getpid(), lpid_of(id));
}

TEST_F(ipc, exit_detaches)
{
	struct shmid_ds ds;
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *p;
	pid_t pid;

	ASSERT_GE(id, 0);
	/* an inherited attach, gone at the child's exit */
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0)
		_exit(0);
	EXPECT_EQ(0, wait_status(pid));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(pid, lpid_of(id));
	EXPECT_EQ(0, shmdt(p));

	/* the child's own attaches (two of them), gone at its exit */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (shmat(id, NULL, 0) == FAILED ||
		    shmat(id, NULL, SHM_RDONLY) == FAILED)
			_exit(10);
		_exit(0);
	}
	EXPECT_EQ(0, wait_status(pid));
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(0UL, ds.shm_nattch);
	EXPECT_EQ(pid, ds.shm_lpid);
	EXPECT_TRUE(time_near_now(ds.shm_dtime, 5));
	EXPECT_EQ(getpid(), ds.shm_cpid);
}

/* the creator's pid stays, even after the creator is gone */
TEST_F(ipc, cpid_is_creator)
{
	struct shmid_ds ds;
	int id, *shared;
	pid_t pid;

	shared = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, shared);
	*shared = -1;
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		*shared = shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
		_exit(*shared < 0);
	}
	EXPECT_EQ(0, wait_status(pid));
	id = *shared;
	munmap(shared, PG);
	track(FAM_SHM, id);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(pid, ds.shm_cpid);
	EXPECT_EQ(0, ds.shm_lpid);
	ASSERT_NE(FAILED, shmat(id, NULL, 0));
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(pid, ds.shm_cpid);
	EXPECT_EQ(getpid(), ds.shm_lpid);
}

/*
 * exec drops the attachment (exec_mmap() puts the old mm before the
 * close-on-exec descriptors go): the child execs cat, blocked on a pipe.
 */
TEST_F(ipc, exec_detaches)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	int sync[2], in[2];
	char c, *p;
	pid_t pid;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, pipe2(sync, O_CLOEXEC));
	ASSERT_EQ(0, pipe2(in, O_CLOEXEC));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		/* an attach of its own as well */
		if (shmat(id, NULL, SHM_RDONLY) == FAILED)
			_exit(10);
		if (dup2(in[0], 0) != 0)
			_exit(11);
		execl("/bin/cat", "cat", (char *)NULL);
		_exit(12);
	}
	close(sync[1]);
	close(in[0]);
	/* EOF once the exec is past the point of no return */
	EXPECT_EQ(0, read(sync[0], &c, 1));
	close(sync[0]);
	EXPECT_EQ(0, waitpid(pid, NULL, WNOHANG));	/* cat still runs */
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(pid, lpid_of(id));
	close(in[1]);
	EXPECT_EQ(0, wait_status(pid));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0L, nattch(id));
}

/* /bin/true, the simple way: nattch is back after the child is reaped */
TEST_F(ipc, exec_true_detaches)
{
	int id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	char *p;
	pid_t pid;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(12);
	}
	EXPECT_EQ(0, wait_status(pid));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(pid, lpid_of(id));
	EXPECT_EQ(0, shmdt(p));
}

/* mremap moving the mapping: copy_vma() opens, the old VMA closes */
TEST_F(ipc, mremap_keeps_nattch)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	char *p, *q, *r, *dst;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	/* chosen while p is mapped, so the two cannot overlap */
	dst = free_area(4 * PG);
	ASSERT_NE(NULL, dst);
	fill(p, 0, 4 * PG, 11);
	q = mremap(p, 4 * PG, 4 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	ASSERT_EQ(dst, q);
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(getpid(), lpid_of(id));
	EXPECT_TRUE(check_fill(q, 0, 4 * PG, 11));
	EXPECT_FALSE(mapped(p));

	/* still the segment: a new attach sees writes through the moved one */
	r = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(FAILED, r);
	EXPECT_EQ(2L, nattch(id));
	q[5] = 77;
	EXPECT_EQ(77, r[5]);
	EXPECT_EQ(0, shmdt(r));

	/* shmdt works at the new address, not at the old one */
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(p)));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(0, shmdt(q));
	EXPECT_EQ(0L, nattch(id));
}

/* mremap shrinking in place unmaps the tail: still one VMA */
TEST_F(ipc, mremap_shrink)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	char *p, *q;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	q = mremap(p, 4 * PG, 2 * PG, 0);
	ASSERT_EQ(p, q);
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0L, nattch(id));
}

/* nattch counts VMAs: __split_vma() opens the new piece */
TEST_F(ipc, partial_munmap_splits)
{
	int id = t_shmget(IPC_PRIVATE, 8 * PG, IPC_CREAT | 0600);
	char *p;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	fill(p, 0, 8 * PG, 5);

	/* the last page: one VMA left */
	ASSERT_EQ(0, munmap(p + 7 * PG, PG));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(getpid(), lpid_of(id));
	/* a hole in the middle: two VMAs */
	ASSERT_EQ(0, munmap(p + 3 * PG, PG));
	EXPECT_EQ(2L, nattch(id));
	/* the first page: still two */
	ASSERT_EQ(0, munmap(p, PG));
	EXPECT_EQ(2L, nattch(id));
	EXPECT_TRUE(check_fill(p, PG, 3 * PG, 5));
	EXPECT_TRUE(check_fill(p, 4 * PG, 7 * PG, 5));

	/* shmdt at the original address finds the fragments (pgoff rule) */
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0L, nattch(id));
	EXPECT_FALSE(mapped(p + PG));
	EXPECT_FALSE(mapped(p + 4 * PG));
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(p)));
}

/* munmap of the whole attach is a detach */
TEST_F(ipc, munmap_whole_detaches)
{
	struct shmid_ds ds;
	int id = t_shmget(IPC_PRIVATE, 3 * PG, IPC_CREAT | 0600);
	char *p;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, munmap(p, 3 * PG));
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(0UL, ds.shm_nattch);
	EXPECT_TRUE(time_near_now(ds.shm_dtime, 5));
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(p)));
}

/* mprotect on part: three VMAs that never merge back (they have ->close) */
TEST_F(ipc, partial_mprotect_splits)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	char *p;
	pid_t pid;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, mprotect(p + PG, PG, PROT_READ));
	EXPECT_EQ(3L, nattch(id));

	/* the read-only piece faults on write */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		no_core();
		p[0] = 1;
		p[2 * PG] = 1;
		*(volatile char *)(p + PG) = 1;
		_exit(0);
	}
	EXPECT_EQ(128 + SIGSEGV, wait_status(pid));
	EXPECT_EQ(3L, nattch(id));
	EXPECT_EQ(1, p[0]);

	ASSERT_EQ(0, mprotect(p + PG, PG, PROT_READ | PROT_WRITE));
	EXPECT_EQ(3L, nattch(id));
	/* the whole range: no new split */
	ASSERT_EQ(0, mprotect(p, 4 * PG, PROT_READ | PROT_WRITE));
	EXPECT_EQ(3L, nattch(id));

	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0L, nattch(id));
	EXPECT_FALSE(mapped(p + 2 * PG));
}

/* wait until time(NULL) moves on to the next second */
static void next_second(void)
{
	time_t t = time(NULL);

	while (time(NULL) == t)
		usleep(20000);
}

/*
 * shm_open() (fork, split) stamps atime and lpid; shm_close() (munmap,
 * exit) stamps dtime and lpid.  A second boundary is crossed between steps
 * so that each stamp can be seen to move.
 */
TEST_F(ipc, times_on_fork_split_close)
{
	struct shmid_ds ds;
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	time_t a0, a1, a2, d1;
	char *p;
	pid_t pid;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, stat_of(id, &ds));
	a0 = ds.shm_atime;
	EXPECT_NE(0, a0);

	/* fork: open in the child's new mm → atime moves, dtime stays 0 */
	next_second();
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	ASSERT_EQ(0, stat_of(id, &ds));
	a1 = ds.shm_atime;
	EXPECT_GT(a1, a0);
	EXPECT_EQ(0, ds.shm_dtime);
	EXPECT_EQ(2UL, ds.shm_nattch);
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, wait_status(pid));
	ASSERT_EQ(0, stat_of(id, &ds));
	d1 = ds.shm_dtime;
	EXPECT_GE(d1, a1);
	EXPECT_EQ(a1, ds.shm_atime);
	EXPECT_EQ(pid, ds.shm_lpid);
	EXPECT_EQ(1UL, ds.shm_nattch);

	/* mprotect split: an open only → atime moves, dtime stays */
	next_second();
	ASSERT_EQ(0, mprotect(p + 2 * PG, 2 * PG, PROT_READ));
	ASSERT_EQ(0, stat_of(id, &ds));
	a2 = ds.shm_atime;
	EXPECT_GT(a2, a1);
	EXPECT_EQ(d1, ds.shm_dtime);
	EXPECT_EQ(getpid(), ds.shm_lpid);
	EXPECT_EQ(2UL, ds.shm_nattch);

	/* munmap of one piece: a close only → dtime moves, atime stays */
	next_second();
	ASSERT_EQ(0, munmap(p + 2 * PG, 2 * PG));
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(a2, ds.shm_atime);
	EXPECT_GT(ds.shm_dtime, d1);
	EXPECT_EQ(1UL, ds.shm_nattch);
	EXPECT_EQ(0, shmdt(p));
}

/* MADV_DONTFORK: the child does not get the attach */
TEST_F(ipc, madv_dontfork)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *p;
	pid_t pid;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, madvise(p, 2 * PG, MADV_DONTFORK));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	EXPECT_EQ(1L, nattch(id));
	kill(pid, SIGKILL);
	EXPECT_EQ(128 + SIGKILL, wait_status(pid));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(getpid(), lpid_of(id));
	EXPECT_EQ(0, shmdt(p));
}

/* mremap growing a shrunken attach back in place: no new VMA */
TEST_F(ipc, mremap_grow_in_place)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	char *p, *q;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	fill(p, 0, 4 * PG, 13);
	ASSERT_EQ(0, munmap(p + 2 * PG, 2 * PG));
	EXPECT_EQ(1L, nattch(id));
	q = mremap(p, 2 * PG, 4 * PG, 0);
	ASSERT_EQ(p, q);
	EXPECT_EQ(1L, nattch(id));
	EXPECT_TRUE(check_fill(p, 0, 4 * PG, 13));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0L, nattch(id));
	EXPECT_FALSE(mapped(p + 2 * PG));
}

/*
 * remap_file_pages(): do_mmap() of vma->vm_file again with another pgoff
 * (shm_mmap() → __shm_open(): one more attach).  Page 0 of the mapping
 * becomes segment page 2: [p, p+P) pgoff 2 and [p+P, p+4P) pgoff 1, two
 * VMAs.  shmdt(p) then matches only the second (its pgoff is its distance
 * from p) and leaves the remapped page.
 */
TEST_F(ipc, remap_file_pages_counts)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	char *p;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	for (int i = 0; i < 4; i++)
		p[i * PG] = (char)('a' + i);
	ASSERT_EQ(0, remap_file_pages(p, PG, 0, 2, 0));
	EXPECT_EQ('c', p[0]);
	EXPECT_EQ('b', p[PG]);
	EXPECT_EQ(2L, nattch(id));
	p[1] = 'x';
	EXPECT_EQ('x', p[2 * PG + 1]);

	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_TRUE(mapped(p));
	EXPECT_FALSE(mapped(p + PG));
	EXPECT_EQ('c', p[0]);
	ASSERT_EQ(0, munmap(p, PG));
	EXPECT_EQ(0L, nattch(id));
}

/* remap_file_pages() on an attach of a segment removed meanwhile: the
 * segment is SHM_DEST but still there, so it works */
TEST_F(ipc, remap_file_pages_shm_dest)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *p;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	p[PG] = 'z';
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	ASSERT_EQ(0, remap_file_pages(p, PG, 0, 1, 0));
	EXPECT_EQ('z', p[0]);
	EXPECT_EQ(2L, nattch(id));
	ASSERT_EQ(0, munmap(p, 2 * PG));
	EXPECT_EQ(-1L, nattch(id));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * msync(MS_SYNC) goes to vma->vm_file's ->fsync (vfs_fsync_range(): none
 * → EINVAL); the kernel's shm file forwards to shmem (noop_fsync): 0.
 */
TEST_F(ipc, msync_attach)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *p;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	p[0] = 1;
	EXPECT_EQ(0, ERRNO_OF(msync(p, 2 * PG, MS_SYNC)));
	EXPECT_EQ(0, ERRNO_OF(msync(p, 2 * PG, MS_ASYNC)));
	EXPECT_EQ(0, ERRNO_OF(msync(p, PG, MS_INVALIDATE)));
	EXPECT_EQ(0, shmdt(p));
}

/*
 * madvise(MADV_REMOVE) punches a hole through vma->vm_file's ->fallocate
 * (vfs_fallocate(): none → EOPNOTSUPP); the kernel's shm file forwards to
 * shmem_fallocate(): the pages are freed and read back as zeroes.
 */
TEST_F(ipc, madv_remove_punches_hole)
{
	int id = t_shmget(IPC_PRIVATE, 8 * PG, IPC_CREAT | 0600);
	unsigned long rss0;
	char *p, *q;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	q = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(FAILED, q);
	memset(p, 0x33, 8 * PG);
	rss0 = shm_rss();
	EXPECT_EQ(0, ERRNO_OF(madvise(p + 2 * PG, 4 * PG, MADV_REMOVE)));
	/* before reading: a read fault on a hole allocates a page again */
	EXPECT_LE(shm_rss() + 4, rss0);
	EXPECT_EQ(0, p[2 * PG]);
	EXPECT_EQ(0, q[5 * PG + 7]);
	EXPECT_EQ(0x33, q[6 * PG]);
	EXPECT_EQ(0x33, p[PG]);
	/* a read-only attach may not punch: EACCES */
	EXPECT_EQ(EACCES, ERRNO_OF(madvise(q, PG, MADV_REMOVE)));
	EXPECT_EQ(0x33, q[0]);
	EXPECT_EQ(0, shmdt(q));
	EXPECT_EQ(0, shmdt(p));
}

/*
 * /proc/self/map_files/<range> names the segment; opening it gives the
 * bare shmem file (dentry_open of vm_file's path), whose mappings are not
 * attaches: nattch does not count them.
 */
TEST_F(ipc, map_files_link)
{
	char link[128], target[128], want[64];
	key_t key = unique_key();
	int id, fd;
	ssize_t n;
	char *p, *m;

	ASSERT_NE(IPC_PRIVATE, key);
	id = t_shmget(key, 2 * PG, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	p[PG] = 'f';
	snprintf(link, sizeof(link), "/proc/self/map_files/%lx-%lx",
		 (unsigned long)p, (unsigned long)p + 2 * PG);
	n = readlink(link, target, sizeof(target) - 1);
	ASSERT_GT(n, 0) TH_LOG("readlink %s: %s", link, strerror(errno));
	target[n] = '\0';
	snprintf(want, sizeof(want), "/SYSV%08x (deleted)", (unsigned int)key);
	EXPECT_STREQ(want, target);

	fd = open(link, O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0) TH_LOG("open %s: %s", link, strerror(errno));
	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, m);
	close(fd);
	EXPECT_EQ('f', m[PG]);
	m[0] = 'g';
	EXPECT_EQ('g', p[0]);
	EXPECT_EQ(1L, nattch(id));
	/* not an attach for shmdt either */
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(m)));
	munmap(m, 2 * PG);
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(0, shmdt(p));
}

/* ------------------------------------------------------------------ */
/* shmdt                                                              */
/* ------------------------------------------------------------------ */

TEST_F(ipc, shmdt_middle_einval)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	char *p;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	p[2 * PG] = 42;
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(p + PG)));
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(p + 3 * PG)));
	/* not page aligned */
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(p + 1)));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(42, p[2 * PG]);

	/* a piece split off by mprotect does not start at its own pgoff 0 */
	ASSERT_EQ(0, mprotect(p + 2 * PG, 2 * PG, PROT_READ));
	EXPECT_EQ(2L, nattch(id));
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(p + 2 * PG)));
	EXPECT_EQ(2L, nattch(id));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0L, nattch(id));
}

TEST_F(ipc, shmdt_not_shm)
{
	char *anon = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE,
			  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int fd;
	char *f;

	ASSERT_NE(MAP_FAILED, anon);
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(anon)));
	EXPECT_TRUE(mapped(anon));
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(unmapped_addr())));
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(NULL)));
	munmap(anon, 2 * PG);

	/* a shared file mapping is not an attach either */
	fd = memfd_create("shmat_test", MFD_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ftruncate(fd, PG));
	f = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, f);
	EXPECT_EQ(EINVAL, ERRNO_OF(shmdt(f)));
	EXPECT_TRUE(mapped(f));
	munmap(f, PG);
	close(fd);
}

/*
 * ksys_shmdt(): after the first VMA, only VMAs ending within the first
 * one's segment size from addr are candidates.  A 2-page segment at X and
 * the fragment [X+2P, X+4P) of a 4-page segment at its right offset: the
 * fragment ends 4 pages from X, past the 2-page limit, so it stays.
 */
TEST_F(ipc, shmdt_fragment_size_limit)
{
	int big = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	int small = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *x, *s;

	ASSERT_GE(big, 0);
	ASSERT_GE(small, 0);
	x = shmat(big, NULL, 0);
	ASSERT_NE(FAILED, x);
	ASSERT_EQ(0, munmap(x, 2 * PG));
	EXPECT_EQ(1L, nattch(big));
	s = shmat(small, x, 0);
	ASSERT_EQ(x, s);
	EXPECT_EQ(0, shmdt(x));
	EXPECT_EQ(0L, nattch(small));
	EXPECT_EQ(1L, nattch(big));
	EXPECT_TRUE(mapped(x + 2 * PG));
	/* the fragment alone: found through its pgoff again */
	EXPECT_EQ(0, shmdt(x));
	EXPECT_EQ(0L, nattch(big));
}

/*
 * ksys_shmdt(): fragments of *another attach* are left alone, even of the
 * same segment (the kernel compares vma->vm_file, one per shmat).  Attach
 * A at X with its first half unmapped; attach B's first half moved into
 * the hole by mremap: shmdt(X) takes B's piece, not A's fragment.
 */
TEST_F(ipc, shmdt_fragment_other_attach)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	char *x, *y, *m;

	ASSERT_GE(id, 0);
	x = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, x);
	ASSERT_EQ(0, munmap(x, 2 * PG));
	y = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, y);
	ASSERT_EQ(0, munmap(y + 2 * PG, 2 * PG));
	EXPECT_EQ(2L, nattch(id));
	m = mremap(y, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, x);
	ASSERT_EQ(x, m);
	EXPECT_EQ(2L, nattch(id));
	x[0] = 1;
	x[3 * PG] = 2;

	EXPECT_EQ(0, shmdt(x));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_FALSE(mapped(x));
	EXPECT_TRUE(mapped(x + 2 * PG));
	EXPECT_EQ(2, x[3 * PG]);
	EXPECT_EQ(0, shmdt(x));
	EXPECT_EQ(0L, nattch(id));
}

/* two adjacent attaches: shmdt of the first leaves the second */
TEST_F(ipc, shmdt_adjacent_attach_stays)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	char *a = free_area(4 * PG), *p, *q;

	ASSERT_GE(id, 0);
	ASSERT_NE(NULL, a);
	p = shmat(id, a, 0);
	ASSERT_EQ(a, p);
	q = shmat(id, a + 2 * PG, 0);
	ASSERT_EQ(a + 2 * PG, q);
	EXPECT_EQ(2L, nattch(id));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_TRUE(mapped(q));
	EXPECT_EQ(0, shmdt(q));
}

/* ------------------------------------------------------------------ */
/* SHM_DEST                                                           */
/* ------------------------------------------------------------------ */

TEST_F(ipc, shm_dest_life_cycle)
{
	struct shmid_ds ds;
	key_t key = unique_key();
	int id, id2;
	char *p, *q;

	ASSERT_NE(IPC_PRIVATE, key);
	id = t_shmget(key, 2 * PG, IPC_CREAT | IPC_EXCL | 0640);
	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	strcpy(p, "still here");

	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(SHM_DEST | 0640U, ds.shm_perm.mode);
	EXPECT_EQ(IPC_PRIVATE, ds.shm_perm.__key);
	EXPECT_EQ(1UL, ds.shm_nattch);
	/* the key is free again */
	EXPECT_EQ(-1, shmget(key, 0, 0));
	EXPECT_EQ(ENOENT, errno);
	id2 = t_shmget(key, PG, IPC_CREAT | IPC_EXCL | 0600);
	EXPECT_GE(id2, 0);
	EXPECT_NE(id, id2);
	EXPECT_STREQ("still here", p);

	/* 6.1 still attaches a SHM_DEST segment by id */
	q = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(FAILED, q);
	EXPECT_STREQ("still here", q);
	EXPECT_EQ(2L, nattch(id));

	/* a second IPC_RMID is fine */
	EXPECT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(0, shmdt(p));
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(1UL, ds.shm_nattch);
	EXPECT_EQ(SHM_DEST | 0640U, ds.shm_perm.mode);

	/* the last detach frees it */
	EXPECT_EQ(0, shmdt(q));
	EXPECT_EQ(-1, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(EINVAL, shmat_errno(id, NULL, 0));
}

/* the last attach going at a child's exit frees a SHM_DEST segment */
TEST_F(ipc, shm_dest_freed_at_exit)
{
	int used, id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	struct shmid_ds ds;
	int go[2];
	pid_t pid;
	char c;

	ASSERT_GE(id, 0);
	used = shm_used_ids();
	ASSERT_EQ(0, pipe(go));
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		close(go[1]);
		if (shmat(id, NULL, 0) == FAILED)
			_exit(10);
		/* hold the attach until the parent closes the pipe */
		while (read(go[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(go[0]);
	for (int i = 0; i < 500 && nattch(id) != 1; i++)
		usleep(10000);
	ASSERT_EQ(1L, nattch(id));
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	ASSERT_EQ(0, stat_of(id, &ds));
	EXPECT_EQ(SHM_DEST | 0600U, ds.shm_perm.mode);
	EXPECT_EQ(used, shm_used_ids());
	close(go[1]);
	EXPECT_EQ(0, wait_status(pid));
	EXPECT_EQ(-1L, nattch(id));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(used - 1, shm_used_ids());
}

/*
 * kernel.shm_rmid_forced = 1: shm_may_destroy() is true at nattch 0 even
 * without SHM_DEST, so the last detach destroys a segment that was never
 * removed (__shm_close()).
 */
TEST_F(ipc, rmid_forced_last_detach_destroys)
{
	key_t key = unique_key();
	int id;
	char *p, *q;

	ASSERT_NE(IPC_PRIVATE, key);
	id = t_shmget(key, PG, IPC_CREAT | IPC_EXCL | 0600);
	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, sysctl_set("shm_rmid_forced", "1"));
	q = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, q);
	EXPECT_EQ(0, shmdt(q));
	EXPECT_EQ(1L, nattch(id));	/* still attached: stays */
	EXPECT_EQ(id, shmget(key, 0, 0));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(-1L, nattch(id));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmget(key, 0, 0));
	EXPECT_EQ(ENOENT, errno);
}

/* IPC_RMID with nothing attached: gone at once */
TEST_F(ipc, rmid_unattached_is_immediate)
{
	int id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	char *p;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, shmdt(p));
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(-1L, nattch(id));
	EXPECT_EQ(EINVAL, errno);
}

/* ------------------------------------------------------------------ */
/* Contents                                                           */
/* ------------------------------------------------------------------ */

TEST_F(ipc, zero_filled)
{
	size_t size = 64 * PG + 100;
	int id = t_shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
	unsigned char *p;
	size_t i;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(FAILED, p);
	/* to the end of the last page, past shm_segsz */
	for (i = 0; i < 65 * PG; i++)
		if (p[i])
			break;
	EXPECT_EQ(65 * PG, i);
	EXPECT_EQ(0, shmdt(p));
}

TEST_F(ipc, fork_shares_writes)
{
	int id = t_shmget(IPC_PRIVATE, 16 * PG, IPC_CREAT | 0600);
	char *p;
	pid_t pid;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	fill(p, 0, 8 * PG, 21);

	/* an inherited attach */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		if (!check_fill(p, 0, 8 * PG, 21))
			_exit(10);
		fill(p, 8 * PG, 16 * PG, 22);
		_exit(0);
	}
	EXPECT_EQ(0, wait_status(pid));
	EXPECT_TRUE(check_fill(p, 8 * PG, 16 * PG, 22));

	/* an attach of the child's own */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		char *q = shmat(id, NULL, 0);

		if (q == FAILED)
			_exit(9);
		if (!check_fill(q, 8 * PG, 16 * PG, 22))
			_exit(10);
		fill(q, 0, 8 * PG, 23);
		_exit(shmdt(q) ? 11 : 0);
	}
	EXPECT_EQ(0, wait_status(pid));
	EXPECT_TRUE(check_fill(p, 0, 8 * PG, 23));
	EXPECT_EQ(0, shmdt(p));
}

/* two attaches in one process alias each other */
TEST_F(ipc, two_attaches_alias)
{
	int id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	volatile char *p, *q;

	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, (void *)p);
	q = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, (void *)q);
	p[PG + 3] = 'p';
	EXPECT_EQ('p', q[PG + 3]);
	q[7] = 'q';
	EXPECT_EQ('q', p[7]);
	EXPECT_EQ(0, shmdt((void *)p));
	EXPECT_EQ(0, shmdt((void *)q));
	/* contents outlive attaches */
	p = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(FAILED, (void *)p);
	EXPECT_EQ('q', p[7]);
	EXPECT_EQ(0, shmdt((void *)p));
}

TEST_F(ipc, rdonly_write_faults)
{
	int id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	volatile char *p;
	pid_t pid;

	ASSERT_GE(id, 0);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		no_core();
		p = shmat(id, NULL, SHM_RDONLY);
		if (p == FAILED)
			_exit(10);
		if (p[0] != 0)
			_exit(11);
		p[0] = 1;
		_exit(0);
	}
	EXPECT_EQ(128 + SIGSEGV, wait_status(pid));
	EXPECT_EQ(0L, nattch(id));

	/* the attach file is read-only: no mprotect to writable */
	p = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(FAILED, (void *)p);
	EXPECT_EQ(EACCES, ERRNO_OF(mprotect((void *)p, PG,
					    PROT_READ | PROT_WRITE)));
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(0, shmdt((void *)p));
}

/* a segment whose size is not a multiple of the page: SIGSEGV past the
 * last page (the VMA ends there) */
TEST_F(ipc, access_past_last_page_faults)
{
	int id = t_shmget(IPC_PRIVATE, PG + 10, IPC_CREAT | 0600);
	char *a = free_area(3 * PG), *p;
	pid_t pid;

	ASSERT_GE(id, 0);
	ASSERT_NE(NULL, a);
	p = shmat(id, a, 0);
	ASSERT_EQ(a, p);
	p[2 * PG - 1] = 1;	/* inside the last page */
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		no_core();
		*(volatile char *)(p + 2 * PG) = 1;
		_exit(0);
	}
	EXPECT_EQ(128 + SIGSEGV, wait_status(pid));
	EXPECT_EQ(0, shmdt(p));
}

/*
 * 512 MiB touched end to end: one byte per page written, then verified.
 * In the test VM the touch loop takes about 2.5 s natively and 1.3 s via
 * the module (see TH_LOG).
 */
#define BIG_SIZE	(512UL << 20)

TEST_F_TIMEOUT(ipc, touch_512mib, 180)
{
	struct timespec t0, t1, t2;
	unsigned long rss0, rss1;
	size_t pages = BIG_SIZE / PG, bad = 0;
	int id;
	char *p;

	modparams_follow_sysctl();
	if (sysctl_read_ul("shmmax") < BIG_SIZE)
		SKIP(return, "kernel.shmmax below 512 MiB");
	id = t_shmget(IPC_PRIVATE, BIG_SIZE, IPC_CREAT | 0600);
	ASSERT_GE(id, 0) TH_LOG("shmget 512 MiB: %s", strerror(errno));
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	rss0 = shm_rss();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < pages; i++)
		p[i * PG + (i % PG)] = (char)(i * 31 + 1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (size_t i = 0; i < pages; i++)
		if (p[i * PG + (i % PG)] != (char)(i * 31 + 1) ||
		    p[i * PG + ((i + 1) % PG)] != 0)
			bad++;
	clock_gettime(CLOCK_MONOTONIC, &t2);
	EXPECT_EQ(0UL, bad);
	rss1 = shm_rss();
	EXPECT_GE(rss1, rss0 + pages);
	TH_LOG("touch %.2f s, verify %.2f s",
	       (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
	       (t2.tv_sec - t1.tv_sec) + (t2.tv_nsec - t1.tv_nsec) / 1e9);

	/* a second attach sees the same pages */
	{
		char *q = shmat(id, NULL, SHM_RDONLY);

		ASSERT_NE(FAILED, q);
		EXPECT_EQ((char)((pages - 1) * 31 + 1),
			  q[(pages - 1) * PG + ((pages - 1) % PG)]);
		EXPECT_EQ(0, shmdt(q));
	}
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_LE(shm_rss() + pages, rss1);
}

/* ------------------------------------------------------------------ */
/* Naming and SHM_INFO                                                */
/* ------------------------------------------------------------------ */

TEST_F(ipc, proc_maps_name)
{
	char perms[8], name[128], want[64];
	key_t key = unique_key();
	unsigned long ino;
	size_t len;
	int id;
	char *p, *q;

	ASSERT_NE(IPC_PRIVATE, key);
	id = t_shmget(key, PG + 1000, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, maps_entry(p, perms, &ino, &len, name, sizeof(name)));
	snprintf(want, sizeof(want), "/SYSV%08x (deleted)", (unsigned int)key);
	EXPECT_STREQ(want, name);
	EXPECT_STREQ("rw-s", perms);
	/* newseg(): the inode number is the id */
	EXPECT_EQ((unsigned long)id, ino);
	EXPECT_EQ(2 * PG, len);

	q = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(FAILED, q);
	ASSERT_EQ(0, maps_entry(q, perms, &ino, &len, name, sizeof(name)));
	EXPECT_STREQ(want, name);
	EXPECT_STREQ("r--s", perms);
	EXPECT_EQ(0, shmdt(q));

	/* the name stays after IPC_RMID made the key private */
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	ASSERT_EQ(0, maps_entry(p, perms, &ino, &len, name, sizeof(name)));
	EXPECT_STREQ(want, name);
	EXPECT_EQ(0, shmdt(p));

	/* IPC_PRIVATE: /SYSV00000000 */
	id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	ASSERT_EQ(0, maps_entry(p, perms, &ino, &len, name, sizeof(name)));
	EXPECT_STREQ("/SYSV00000000 (deleted)", name);
	EXPECT_EQ((unsigned long)id, ino);
	EXPECT_EQ(0, shmdt(p));
}

TEST_F(ipc, shm_info_rss_grows)
{
	int id = t_shmget(IPC_PRIVATE, 64 * PG, IPC_CREAT | 0600);
	unsigned long rss0, rss1;
	long tot0;
	char *p;

	ASSERT_GE(id, 0);
	tot0 = shm_tot_pages();
	ASSERT_GE(tot0, 64);
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	rss0 = shm_rss();
	for (int i = 0; i < 64; i++)
		p[i * PG] = 1;
	rss1 = shm_rss();
	EXPECT_GE(rss1, rss0 + 64);
	/* shm_tot counts the size, not what is touched */
	EXPECT_EQ(tot0, shm_tot_pages());
	/* the pages stay after the detach; they go with the segment */
	EXPECT_EQ(0, shmdt(p));
	EXPECT_GE(shm_rss(), rss0 + 64);
	EXPECT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_LE(shm_rss() + 64, rss1);
	EXPECT_EQ(tot0 - 64, shm_tot_pages());
}

/* ------------------------------------------------------------------ */
/* Lib mode: a raw mmap() of /dev/sysvipc at offset id * page size     */
/* ------------------------------------------------------------------ */

#define NEED_LIB() do { \
	if (!is_lib_mode()) \
		SKIP(return, "mmap of " SYSVIPC_DEVICE ": lib mode only"); \
} while (0)

TEST_F(ipc, dev_mmap_attaches)
{
	int id, fd;
	char *m, *p, perms[8], name[128], want[64];
	key_t key = unique_key();
	unsigned long ino;
	size_t len;

	NEED_LIB();
	ASSERT_NE(IPC_PRIVATE, key);
	id = t_shmget(key, 4 * PG, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0);

	m = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)id * (off_t)PG);
	ASSERT_NE(MAP_FAILED, m) TH_LOG("mmap: %s", strerror(errno));
	close(fd);	/* the mapping does not need the descriptor */
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(getpid(), lpid_of(id));

	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	EXPECT_EQ(2L, nattch(id));
	m[3 * PG + 1] = 'm';
	EXPECT_EQ('m', p[3 * PG + 1]);
	p[5] = 's';
	EXPECT_EQ('s', m[5]);

	/* it looks like any attach */
	ASSERT_EQ(0, maps_entry(m, perms, &ino, &len, name, sizeof(name)));
	snprintf(want, sizeof(want), "/SYSV%08x (deleted)", (unsigned int)key);
	EXPECT_STREQ(want, name);
	EXPECT_STREQ("rw-s", perms);
	EXPECT_EQ((unsigned long)id, ino);

	/* a fork inherits it */
	{
		pid_t pid = fork();

		ASSERT_GE(pid, 0);
		if (pid == 0)
			_exit(m[5] == 's' ? 0 : 10);
		EXPECT_EQ(0, wait_status(pid));
	}
	EXPECT_EQ(2L, nattch(id));
	EXPECT_EQ(0, munmap(m, 4 * PG));
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(0L, nattch(id));
}

/* shmdt of a raw mapping: the same vm_ops, so the same rule */
TEST_F(ipc, dev_mmap_shmdt)
{
	int id, fd;
	char *m;

	NEED_LIB();
	id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)id * (off_t)PG);
	ASSERT_NE(MAP_FAILED, m);
	close(fd);
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(0, shmdt(m));
	EXPECT_EQ(0L, nattch(id));
}

TEST_F(ipc, dev_mmap_errors)
{
	int id, fd, dead;
	char *m;

	NEED_LIB();
	id = t_shmget(IPC_PRIVATE, 2 * PG, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	dead = shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	ASSERT_GE(dead, 0);
	ASSERT_EQ(0, shmctl(dead, IPC_RMID, NULL));
	fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0);

	/* MAP_PRIVATE: EINVAL */
	m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd,
		 (off_t)id * (off_t)PG);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EINVAL, errno);
	m = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd,
		 (off_t)id * (off_t)PG);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EINVAL, errno);
	/* a removed segment's id */
	m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (off_t)dead * (off_t)PG);
	EXPECT_EQ(MAP_FAILED, m);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0L, nattch(id));

	/* read-only mapping stays read-only */
	m = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd,
		 (off_t)id * (off_t)PG);
	ASSERT_NE(MAP_FAILED, m);
	EXPECT_EQ(1L, nattch(id));
	EXPECT_EQ(EACCES, ERRNO_OF(mprotect(m, 2 * PG, PROT_READ | PROT_WRITE)));
	EXPECT_EQ(0, munmap(m, 2 * PG));
	EXPECT_EQ(0L, nattch(id));
	close(fd);
}

static long module_refcnt(void)
{
	char buf[32];

	if (file_read_str("/sys/module/sysvipc/refcnt", buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/*
 * Attaches hold the module through their file.  The module keeps a shmem
 * segment's attach file for the next attach (kmod/shm.c,
 * shm_attach_file()): one reference, shared by every attach and split of
 * the same caller, until the segment goes.
 */
TEST_F(ipc, attach_pins_module)
{
	int id = t_shmget(IPC_PRIVATE, 4 * PG, IPC_CREAT | 0600);
	long r0;
	char *p, *q;

	NEED_LIB();
	ASSERT_GE(id, 0);
	r0 = module_refcnt();
	ASSERT_GE(r0, 1L);	/* at least the library's descriptor */
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	EXPECT_EQ(r0 + 1, module_refcnt());
	q = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, q);
	EXPECT_EQ(r0 + 1, module_refcnt());
	ASSERT_EQ(0, munmap(p + PG, PG));
	EXPECT_EQ(r0 + 1, module_refcnt());
	EXPECT_EQ(0, shmdt(q));
	EXPECT_EQ(0, shmdt(p));
	/* detached but listed: the kept file stays */
	EXPECT_EQ(r0 + 1, module_refcnt());
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	EXPECT_EQ(r0 + 1, module_refcnt());
	/* removed while attached: the attach still holds the module */
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(r0 + 1, module_refcnt());
	/* the last detach destroys the segment, and its kept file goes */
	EXPECT_EQ(0, shmdt(p));
	EXPECT_EQ(r0, module_refcnt());
}

/* removing an unattached segment lets go of its kept attach file */
TEST_F(ipc, rmid_drops_kept_attach_file)
{
	int id = t_shmget(IPC_PRIVATE, PG, IPC_CREAT | 0600);
	long r0;
	char *p;

	NEED_LIB();
	ASSERT_GE(id, 0);
	r0 = module_refcnt();
	p = shmat(id, NULL, SHM_RDONLY);
	ASSERT_NE(FAILED, p);
	EXPECT_EQ(0, shmdt(p));
	p = shmat(id, NULL, 0);
	ASSERT_NE(FAILED, p);
	EXPECT_EQ(0, shmdt(p));
	/* one kept file per access mode */
	EXPECT_EQ(r0 + 2, module_refcnt());
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(r0, module_refcnt());
}

/* permissions as for shmat: nobody without w gets EACCES for a writable
 * mapping, and a read-only one works */
static int child_dev_mmap(void *p)
{
	struct perm_arg *a = p;
	int fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	char *m;

	if (fd < 0)
		return CHILD_SETUP_FAILED;
	m = mmap(NULL, PG, a->flg, MAP_SHARED, fd, (off_t)a->id * (off_t)PG);
	close(fd);
	if (m == MAP_FAILED)
		return errno;
	(void)*(volatile char *)m;
	munmap(m, PG);
	return 0;
}

TEST_F(ipc, dev_mmap_permissions)
{
	struct perm_arg a = { .flg = PROT_READ | PROT_WRITE };
	struct statvfs sv;

	NEED_LIB();
	a.id = make_owned(PG, 0644);
	ASSERT_GE(a.id, 0);
	EXPECT_EQ(EACCES, run_as_nobody(child_dev_mmap, &a));
	a.flg = PROT_READ;
	EXPECT_EQ(0, run_as_nobody(child_dev_mmap, &a));
	/* PROT_EXEC needs x (unless /dev is noexec: EPERM before us) */
	if (statvfs("/dev", &sv) == 0 && !(sv.f_flag & ST_NOEXEC)) {
		a.flg = PROT_READ | PROT_EXEC;
		EXPECT_EQ(EACCES, run_as_nobody(child_dev_mmap, &a));
		a.id = make_owned(PG, 0755);
		ASSERT_GE(a.id, 0);
		EXPECT_EQ(0, run_as_nobody(child_dev_mmap, &a));
	}
	EXPECT_EQ(0L, nattch(a.id));
}

TEST_HARNESS_MAIN
