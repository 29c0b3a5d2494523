// SPDX-License-Identifier: GPL-2.0
/*
 * The raw ioctl ABI of /dev/sysvipc (uapi/linux/sysvipc.h).  Lib mode only:
 * natively every test SKIPs (the harness counts skip-natively +
 * pass-in-lib as a pass).
 */
#include <sys/ioctl.h>
#include <linux/sysvipc.h>

#include "common.h"

#define NEED_LIB() do { \
	if (!is_lib_mode()) \
		SKIP(return, "raw module ABI: lib mode only"); \
} while (0)

static int dev_open(void)
{
	return open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
}

static const unsigned long get_cmds[3] = {
	SYSVIPC_IOC_SHMGET, SYSVIPC_IOC_SEMGET, SYSVIPC_IOC_MSGGET,
};
static const unsigned long ctl_cmds[3] = {
	SYSVIPC_IOC_SHMCTL, SYSVIPC_IOC_SEMCTL, SYSVIPC_IOC_MSGCTL,
};
static const char *const fam_name[3] = { "shm", "sem", "msg" };

/* a valid GET for family @f: create (or look up) @key */
static void fill_get(struct sysvipc_get *g, int f, key_t key, int flags)
{
	memset(g, 0, sizeof(*g));
	g->key = key;
	g->flags = flags;
	g->size = f == FAM_SHM ? 4096 : f == FAM_SEM ? 1 : 0;
}

static void fill_ctl(struct sysvipc_ctl *c, int id, int cmd, void *arg)
{
	memset(c, 0, sizeof(*c));
	c->id = id;
	c->cmd = cmd;
	c->arg = (uintptr_t)arg;
}

FIXTURE(dev) {
	int fd;
	key_t key;
	int id[3];
};

FIXTURE_SETUP(dev)
{
	self->fd = -1;
	self->id[0] = self->id[1] = self->id[2] = -1;
	if (!is_lib_mode())
		return;
	self->fd = dev_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", SYSVIPC_DEVICE,
				      strerror(errno));
	self->key = unique_key();
	ASSERT_NE(IPC_PRIVATE, self->key);
	/* one object per family with self->key, created through the ABI */
	for (int f = 0; f < 3; f++) {
		struct sysvipc_get g;

		fill_get(&g, f, self->key, IPC_CREAT | IPC_EXCL | 0600);
		self->id[f] = ioctl(self->fd, get_cmds[f], &g);
		ASSERT_LE(0, self->id[f]) TH_LOG("%s get: %s", fam_name[f],
						 strerror(errno));
	}
}

FIXTURE_TEARDOWN(dev)
{
	for (int f = 0; f < 3; f++) {
		struct sysvipc_ctl c;

		if (self->id[f] < 0)
			continue;
		fill_ctl(&c, self->id[f], IPC_RMID, NULL);
		ioctl(self->fd, ctl_cmds[f], &c);
	}
	if (self->fd >= 0)
		close(self->fd);
}

/* ---- the device node ---- */

TEST_F(dev, device_node)
{
	struct stat st;

	NEED_LIB();
	ASSERT_EQ(0, stat(SYSVIPC_DEVICE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666U, st.st_mode & 07777);
}

static int child_open(void *p)
{
	struct sysvipc_version v;
	int fd = dev_open();

	(void)p;
	if (fd < 0)
		return errno;
	memset(&v, 0, sizeof(v));
	if (ioctl(fd, SYSVIPC_IOC_VERSION, &v) < 0)
		return errno;
	close(fd);
	return v.major == SYSVIPC_ABI_MAJOR ? 0 : CHILD_MISMATCH;
}

TEST_F(dev, unprivileged_open)
{
	NEED_LIB();
	EXPECT_EQ(0, run_as_nobody(child_open, NULL));
}

/* ---- VERSION ---- */

TEST_F(dev, version)
{
	struct sysvipc_version v;
	const __u64 want = SYSVIPC_FEAT_SHM | SYSVIPC_FEAT_SEM |
			   SYSVIPC_FEAT_MSG;

	NEED_LIB();
	memset(&v, 0xa5, sizeof(v));
	ASSERT_EQ(0, ioctl(self->fd, SYSVIPC_IOC_VERSION, &v));
	EXPECT_EQ((__u32)SYSVIPC_ABI_MAJOR, v.major);
	EXPECT_EQ(want, v.features & want);
	EXPECT_EQ(0ULL, v.reserved[0]);
	EXPECT_EQ(0ULL, v.reserved[1]);
}

/* ---- unknown ioctls ---- */

TEST_F(dev, unknown_ioctl_enotty)
{
	struct sysvipc_get g;
	char big[256];

	NEED_LIB();
	memset(big, 0, sizeof(big));
	EXPECT_EQ(-1, ioctl(self->fd, _IO(SYSVIPC_IOC_MAGIC, 0x7f)));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(SYSVIPC_IOC_MAGIC, 0x7f,
					   struct sysvipc_get), big));
	EXPECT_EQ(ENOTTY, errno);
	/* another magic with a known nr */
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(0xEA, 0x10, struct sysvipc_get),
			    big));
	EXPECT_EQ(ENOTTY, errno);
	/* a known nr with the wrong size */
	fill_get(&g, FAM_SHM, self->key, 0);
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(SYSVIPC_IOC_MAGIC, 0x10, __u64),
			    &g));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(SYSVIPC_IOC_MAGIC, 0x11, char[200]),
			    big));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(SYSVIPC_IOC_MAGIC, 0x00, __u64),
			    big));
	EXPECT_EQ(ENOTTY, errno);
	/* a known nr and size with the wrong direction */
	EXPECT_EQ(-1, ioctl(self->fd, _IO(SYSVIPC_IOC_MAGIC, 0x10)));
	EXPECT_EQ(ENOTTY, errno);
}

/* ---- GET ---- */

TEST_F(dev, get_lookup)
{
	NEED_LIB();
	for (int f = 0; f < 3; f++) {
		struct sysvipc_get g;

		fill_get(&g, f, self->key, 0);
		EXPECT_EQ(self->id[f], ioctl(self->fd, get_cmds[f], &g));
	}
}

TEST_F(dev, get_reserved_einval)
{
	NEED_LIB();
	for (int f = 0; f < 3; f++) {
		struct sysvipc_get g;

		fill_get(&g, f, self->key, 0);
		g.at_id = 1;
		EXPECT_EQ(-1, ioctl(self->fd, get_cmds[f], &g));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s reserved", fam_name[f]);
		g.at_id = 1ULL << 63;
		EXPECT_EQ(-1, ioctl(self->fd, get_cmds[f], &g));
		EXPECT_EQ(EINVAL, errno);

		/* unknown get_flags bits, and a backing fd without its flag */
		fill_get(&g, f, self->key, 0);
		g.get_flags = 1U << 31;
		EXPECT_EQ(-1, ioctl(self->fd, get_cmds[f], &g));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s get_flags", fam_name[f]);
		fill_get(&g, f, self->key, 0);
		g.backing_fd = 3;
		EXPECT_EQ(-1, ioctl(self->fd, get_cmds[f], &g));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s backing_fd", fam_name[f]);
	}
}

/* Only shmget takes a backing file; a bad descriptor is EBADF. */
TEST_F(dev, get_backing_fd)
{
	struct sysvipc_get g;

	NEED_LIB();
	for (int f = 1; f < 3; f++) {
		fill_get(&g, f, self->key, 0);
		g.get_flags = SYSVIPC_GET_BACKING_FD;
		g.backing_fd = 0;
		EXPECT_EQ(-1, ioctl(self->fd, get_cmds[f], &g));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s", fam_name[f]);
	}
	fill_get(&g, 0, IPC_PRIVATE, 0);
	g.flags = SHM_HUGETLB | 0600;
	g.size = 4096;
	g.get_flags = SYSVIPC_GET_BACKING_FD;
	g.backing_fd = -1;
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_SHMGET, &g));
	EXPECT_EQ(EBADF, errno);
	/* not a hugetlbfs file */
	g.backing_fd = self->fd;
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_SHMGET, &g));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- CTL ---- */

TEST_F(dev, ctl_stat)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	void *buf[3] = { &sds, &seds, &mds };

	NEED_LIB();
	for (int f = 0; f < 3; f++) {
		struct sysvipc_ctl c;

		fill_ctl(&c, self->id[f], IPC_STAT, buf[f]);
		EXPECT_EQ(0, ioctl(self->fd, ctl_cmds[f], &c))
			TH_LOG("%s: %s", fam_name[f], strerror(errno));
	}
	EXPECT_EQ(self->key, sds.shm_perm.__key);
	EXPECT_EQ(4096UL, sds.shm_segsz);
	EXPECT_EQ(self->key, seds.sem_perm.__key);
	EXPECT_EQ(1UL, seds.sem_nsems);
	EXPECT_EQ(self->key, mds.msg_perm.__key);
}

TEST_F(dev, ctl_reserved_einval)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	void *buf[3] = { &sds, &seds, &mds };

	NEED_LIB();
	for (int f = 0; f < 3; f++) {
		struct sysvipc_ctl c;

		fill_ctl(&c, self->id[f], IPC_STAT, buf[f]);
		c.pad = 1;
		EXPECT_EQ(-1, ioctl(self->fd, ctl_cmds[f], &c));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s pad", fam_name[f]);
		for (int r = 0; r < 2; r++) {
			fill_ctl(&c, self->id[f], IPC_STAT, buf[f]);
			c.reserved[r] = 1;
			EXPECT_EQ(-1, ioctl(self->fd, ctl_cmds[f], &c));
			EXPECT_EQ(EINVAL, errno) TH_LOG("%s reserved[%d]",
							fam_name[f], r);
		}
	}
	/* IPC_RMID with a reserved field set must not remove anything */
	for (int f = 0; f < 3; f++) {
		struct sysvipc_ctl c;

		fill_ctl(&c, self->id[f], IPC_RMID, NULL);
		c.reserved[1] = 1;
		EXPECT_EQ(-1, ioctl(self->fd, ctl_cmds[f], &c));
		EXPECT_EQ(EINVAL, errno);
		fill_ctl(&c, self->id[f], IPC_STAT, buf[f]);
		EXPECT_EQ(0, ioctl(self->fd, ctl_cmds[f], &c));
	}
}

/* ---- bad argument pointers ---- */

TEST_F(dev, bad_arg_pointer_efault)
{
	void *bad[3] = { NULL, unmapped_addr(), (void *)-4096L };
	unsigned long cmds[7] = {
		SYSVIPC_IOC_VERSION,
		SYSVIPC_IOC_SHMGET, SYSVIPC_IOC_SEMGET, SYSVIPC_IOC_MSGGET,
		SYSVIPC_IOC_SHMCTL, SYSVIPC_IOC_SEMCTL, SYSVIPC_IOC_MSGCTL,
	};

	NEED_LIB();
	for (int i = 0; i < 7; i++) {
		for (int b = 0; b < 3; b++) {
			EXPECT_EQ(-1, ioctl(self->fd, cmds[i], bad[b]));
			EXPECT_EQ(EFAULT, errno) TH_LOG("cmd %#lx arg %p",
							cmds[i], bad[b]);
		}
	}
}

/* the pointer inside a CTL argument */
TEST_F(dev, ctl_stat_bad_buffer_efault)
{
	void *bad[3] = { NULL, unmapped_addr(), (void *)-4096L };

	NEED_LIB();
	for (int f = 0; f < 3; f++) {
		for (int b = 0; b < 3; b++) {
			struct sysvipc_ctl c;

			fill_ctl(&c, self->id[f], IPC_STAT, bad[b]);
			EXPECT_EQ(-1, ioctl(self->fd, ctl_cmds[f], &c));
			EXPECT_EQ(EFAULT, errno) TH_LOG("%s IPC_STAT %p",
							fam_name[f], bad[b]);
			fill_ctl(&c, self->id[f], IPC_SET, bad[b]);
			EXPECT_EQ(-1, ioctl(self->fd, ctl_cmds[f], &c));
			EXPECT_EQ(EFAULT, errno) TH_LOG("%s IPC_SET %p",
							fam_name[f], bad[b]);
		}
	}
}

/* a buffer whose end runs into an unmapped page */
TEST_F(dev, ctl_stat_partly_unmapped_efault)
{
	char *p;

	NEED_LIB();
	p = mmap(NULL, 2 * PAGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + PAGE_SZ, PAGE_SZ));
	for (int f = 0; f < 3; f++) {
		struct sysvipc_ctl c;

		fill_ctl(&c, self->id[f], IPC_STAT, p + PAGE_SZ - 8);
		EXPECT_EQ(-1, ioctl(self->fd, ctl_cmds[f], &c));
		EXPECT_EQ(EFAULT, errno) TH_LOG("%s", fam_name[f]);
	}
	munmap(p, PAGE_SZ);
}

/* the ioctl argument itself straddling into an unmapped page */
TEST_F(dev, arg_partly_unmapped_efault)
{
	struct sysvipc_get g;
	char *p;

	NEED_LIB();
	p = mmap(NULL, 2 * PAGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, munmap(p + PAGE_SZ, PAGE_SZ));
	fill_get(&g, FAM_SHM, self->key, 0);
	memcpy(p + PAGE_SZ - 8, &g, 8);
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_SHMGET, p + PAGE_SZ - 8));
	EXPECT_EQ(EFAULT, errno);
	munmap(p, PAGE_SZ);
}

TEST_HARNESS_MAIN
