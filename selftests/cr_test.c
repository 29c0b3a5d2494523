// SPDX-License-Identifier: GPL-2.0
/*
 * The checkpoint/restore ioctls (ABI 1.3): SYSVIPC_GET_AT_ID,
 * SYSVIPC_IOC_RESTORE, SYSVIPC_IOC_UNDO_GET/SET.  The kernel's IPC has no
 * such calls, so every case is library-only and SKIPs natively.  The
 * whole-state dump/reload/restore cycle is selftests/cr.sh.
 */
#include <sys/ioctl.h>
#include <linux/sysvipc.h>

#include "common.h"

#define NEED_LIB() do { \
	if (!is_lib_mode()) \
		SKIP(return, "checkpoint/restore: lib mode only"); \
} while (0)

static const unsigned long get_cmds[3] = {
	SYSVIPC_IOC_SHMGET, SYSVIPC_IOC_SEMGET, SYSVIPC_IOC_MSGGET,
};
static const unsigned long ctl_cmds[3] = {
	SYSVIPC_IOC_SHMCTL, SYSVIPC_IOC_SEMCTL, SYSVIPC_IOC_MSGCTL,
};

FIXTURE(cr) {
	int fd;
	int ids[16][2];		/* family, id */
	int n;
};

FIXTURE_SETUP(cr)
{
	self->fd = -1;
	self->n = 0;
	if (!is_lib_mode())
		return;
	self->fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

static long cctl(int fd, int f, int id, int cmd, int semnum, void *arg)
{
	struct sysvipc_ctl c = { .id = id, .cmd = cmd, .semnum = semnum,
				 .arg = (uintptr_t)arg };

	return ioctl(fd, ctl_cmds[f], &c);
}

FIXTURE_TEARDOWN(cr)
{
	for (int i = 0; i < self->n; i++)
		cctl(self->fd, self->ids[i][0], self->ids[i][1], IPC_RMID, 0, NULL);
	if (self->fd >= 0)
		close(self->fd);
}

static int get_at(int fd, int f, key_t key, int flags, int at)
{
	struct sysvipc_get g = {
		.key = key, .flags = flags,
		.size = f == 0 ? 4096 : f == 1 ? 3 : 0,
		.get_flags = SYSVIPC_GET_AT_ID, .at_id = (uint64_t)at,
	};

	return ioctl(fd, get_cmds[f], &g);
}

static void keep(FIXTURE_DATA(cr) *self, int f, int id)
{
	if (id >= 0 && self->n < 16) {
		self->ids[self->n][0] = f;
		self->ids[self->n][1] = id;
		self->n++;
	}
}

/* A free index for family @f: above whatever is in use. */
static int free_idx(int fd, int f)
{
	char info[256];
	static const int info_cmd[3] = { SHM_INFO, SEM_INFO, MSG_INFO };
	long max = cctl(fd, f, 0, info_cmd[f], 0, info);

	return (int)max + 100;
}

TEST_F(cr, version_features)
{
	struct sysvipc_version v;

	NEED_LIB();
	ASSERT_EQ(0, ioctl(self->fd, SYSVIPC_IOC_VERSION, &v));
	EXPECT_LE(3U, v.minor);
	EXPECT_TRUE(v.features & SYSVIPC_FEAT_UNDO_RW);
	EXPECT_TRUE(v.features & SYSVIPC_FEAT_RESTORE);
}

TEST_F(cr, create_at_id)
{
	NEED_LIB();
	for (int f = 0; f < 3; f++) {
		int idx = free_idx(self->fd, f);
		int want = 7 * 32768 + idx, id;
		key_t key = unique_key();

		id = get_at(self->fd, f, IPC_PRIVATE, 0600, want);
		keep(self, f, id);
		ASSERT_EQ(want, id) TH_LOG("family %d: %s", f, strerror(errno));
		EXPECT_EQ(0, cctl(self->fd, f, id, IPC_STAT, 0, (char[256]){}));
		/* the index is taken, whatever the sequence number */
		EXPECT_EQ(-1, get_at(self->fd, f, IPC_PRIVATE, 0600, want));
		EXPECT_EQ(EBUSY, errno);
		EXPECT_EQ(-1, get_at(self->fd, f, IPC_PRIVATE, 0600, idx));
		EXPECT_EQ(EBUSY, errno);
		/* a key: only new, with IPC_CREAT | IPC_EXCL */
		id = get_at(self->fd, f, key, IPC_CREAT | IPC_EXCL | 0600, idx + 1);
		keep(self, f, id);
		EXPECT_EQ(idx + 1, id);
		EXPECT_EQ(-1, get_at(self->fd, f, key, IPC_CREAT | IPC_EXCL | 0600, idx + 2));
		EXPECT_EQ(EEXIST, errno);
		EXPECT_EQ(-1, get_at(self->fd, f, key, IPC_CREAT | 0600, idx + 2));
		EXPECT_EQ(EINVAL, errno);
		/* not an id */
		EXPECT_EQ(-1, get_at(self->fd, f, IPC_PRIVATE, 0600, -1));
		EXPECT_EQ(EINVAL, errno);
		/* the normal allocation goes on around the restored ids */
		{
			struct sysvipc_get g = { .key = IPC_PRIVATE, .flags = 0600,
						 .size = f == 0 ? 4096 : f == 1 ? 1 : 0 };

			id = ioctl(self->fd, get_cmds[f], &g);
			keep(self, f, id);
			EXPECT_LE(0, id);
			EXPECT_NE(want, id);
		}
	}
}

static int child_get_at(void *arg)
{
	int fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	struct sysvipc_get g = { .key = IPC_PRIVATE, .flags = 0600,
				 .get_flags = SYSVIPC_GET_AT_ID,
				 .at_id = (uint64_t)(uintptr_t)arg };

	if (fd < 0)
		return 100;
	return ioctl(fd, SYSVIPC_IOC_MSGGET, &g) < 0 ? errno : 0;
}

static int child_restore(void *arg)
{
	int fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	struct sysvipc_restore r = { .type = SYSVIPC_OBJ_MSG,
				     .id = (int)(uintptr_t)arg, .mode = 0666 };

	if (fd < 0)
		return 100;
	return ioctl(fd, SYSVIPC_IOC_RESTORE, &r) < 0 ? errno : 0;
}

static int child_undo_get(void *arg)
{
	int fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	struct sysvipc_undo_io io = { .pid = (int)(uintptr_t)arg };

	if (fd < 0)
		return 100;
	return ioctl(fd, SYSVIPC_IOC_UNDO_GET, &io) < 0 ? errno : 0;
}

TEST_F(cr, unprivileged_refused)
{
	struct sysvipc_get g = { .key = IPC_PRIVATE, .flags = 0666 };
	int idx, id;

	NEED_LIB();
	idx = free_idx(self->fd, 2);
	EXPECT_EQ(EPERM, run_as_nobody(child_get_at, (void *)(uintptr_t)idx));
	id = ioctl(self->fd, SYSVIPC_IOC_MSGGET, &g);
	keep(self, 2, id);
	ASSERT_LE(0, id);
	EXPECT_EQ(EPERM, run_as_nobody(child_restore, (void *)(uintptr_t)id));
	/* root's process and the caller's own: no CAP_CHECKPOINT_RESTORE */
	EXPECT_EQ(EPERM, run_as_nobody(child_undo_get, (void *)(uintptr_t)getpid()));
	EXPECT_EQ(EPERM, run_as_nobody(child_undo_get, NULL));
}

TEST_F(cr, restore_state)
{
	struct sysvipc_get g = { .key = IPC_PRIVATE, .flags = 0600 };
	struct sysvipc_restore_sem sv[3] = { { 5, getpid() }, { 0, 0 }, { 32767, getpid() } };
	struct sysvipc_restore r = {
		.uid = 1, .gid = 2, .cuid = 3, .cgid = 4, .mode = 0640,
		.time = { 1000, 2000, 3000 },
	};
	unsigned short vals[3];
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	int id;

	NEED_LIB();
	/* segment */
	g.size = 4096;
	id = ioctl(self->fd, SYSVIPC_IOC_SHMGET, &g);
	keep(self, 0, id);
	ASSERT_LE(0, id);
	r.type = SYSVIPC_OBJ_SHM;
	r.id = id;
	r.pid[0] = getpid();
	r.pid[1] = 0;
	ASSERT_EQ(0, ioctl(self->fd, SYSVIPC_IOC_RESTORE, &r)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, cctl(self->fd, 0, id, IPC_STAT, 0, &sds));
	EXPECT_EQ(1U, sds.shm_perm.uid);
	EXPECT_EQ(2U, sds.shm_perm.gid);
	EXPECT_EQ(3U, sds.shm_perm.cuid);
	EXPECT_EQ(4U, sds.shm_perm.cgid);
	EXPECT_EQ(0640, sds.shm_perm.mode & 0777);
	EXPECT_EQ(1000, sds.shm_atime);
	EXPECT_EQ(2000, sds.shm_dtime);
	EXPECT_EQ(3000, sds.shm_ctime);
	EXPECT_EQ(getpid(), sds.shm_cpid);
	EXPECT_EQ(0, sds.shm_lpid);

	/* queue */
	g.size = 0;
	id = ioctl(self->fd, SYSVIPC_IOC_MSGGET, &g);
	keep(self, 2, id);
	ASSERT_LE(0, id);
	r.type = SYSVIPC_OBJ_MSG;
	r.id = id;
	r.pid[0] = 0;
	r.pid[1] = getpid();
	ASSERT_EQ(0, ioctl(self->fd, SYSVIPC_IOC_RESTORE, &r));
	ASSERT_EQ(0, cctl(self->fd, 2, id, IPC_STAT, 0, &mds));
	EXPECT_EQ(1000, mds.msg_stime);
	EXPECT_EQ(2000, mds.msg_rtime);
	EXPECT_EQ(3000, mds.msg_ctime);
	EXPECT_EQ(0, mds.msg_lspid);
	EXPECT_EQ(getpid(), mds.msg_lrpid);
	EXPECT_EQ(3U, mds.msg_perm.cuid);

	/* set: values, pids and both times at once */
	g.size = 3;
	id = ioctl(self->fd, SYSVIPC_IOC_SEMGET, &g);
	keep(self, 1, id);
	ASSERT_LE(0, id);
	memset(&r.pid, 0, sizeof(r.pid));
	r.type = SYSVIPC_OBJ_SEM;
	r.id = id;
	r.time[2] = 0;
	r.nsems = 3;
	r.sems = (uintptr_t)sv;
	ASSERT_EQ(0, ioctl(self->fd, SYSVIPC_IOC_RESTORE, &r)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, cctl(self->fd, 1, id, GETALL, 0, vals));
	EXPECT_EQ(5, vals[0]);
	EXPECT_EQ(0, vals[1]);
	EXPECT_EQ(32767, vals[2]);
	EXPECT_EQ(getpid(), cctl(self->fd, 1, id, GETPID, 0, NULL));
	EXPECT_EQ(0, cctl(self->fd, 1, id, GETPID, 1, NULL));
	ASSERT_EQ(0, cctl(self->fd, 1, id, IPC_STAT, 0, &seds));
	EXPECT_EQ(1000, seds.sem_otime);
	EXPECT_EQ(2000, seds.sem_ctime);

	/* refusals, and nothing changed by them */
	r.nsems = 2;
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_RESTORE, &r));
	EXPECT_EQ(EINVAL, errno);
	r.nsems = 3;
	sv[1].val = 32768;
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_RESTORE, &r));
	EXPECT_EQ(ERANGE, errno);
	sv[1].val = 1;
	r.time[2] = 5;
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_RESTORE, &r));
	EXPECT_EQ(EINVAL, errno);
	r.time[2] = 0;
	r.time[0] = -1;
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_RESTORE, &r));
	EXPECT_EQ(EINVAL, errno);
	r.time[0] = 1000;
	r.mode = 01777;
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_RESTORE, &r));
	EXPECT_EQ(EINVAL, errno);
	r.mode = 0640;
	r.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_RESTORE, &r));
	EXPECT_EQ(EINVAL, errno);
	r.reserved[1] = 0;
	r.type = 9;
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_RESTORE, &r));
	EXPECT_EQ(EINVAL, errno);
	r.type = SYSVIPC_OBJ_SEM;
	r.id = id + 32768;	/* stale */
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_RESTORE, &r));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, cctl(self->fd, 1, id, GETALL, 0, vals));
	EXPECT_EQ(0, vals[1]);
}

static long undo_get(int fd, pid_t pid, struct sysvipc_undo_entry *e, unsigned int n)
{
	struct sysvipc_undo_io io = { .pid = pid, .count = n, .entries = (uintptr_t)e };

	return ioctl(fd, SYSVIPC_IOC_UNDO_GET, &io);
}

static long undo_set(int fd, pid_t pid, struct sysvipc_undo_entry *e, unsigned int n)
{
	struct sysvipc_undo_io io = { .pid = pid, .count = n, .entries = (uintptr_t)e };

	return ioctl(fd, SYSVIPC_IOC_UNDO_SET, &io);
}

TEST_F(cr, undo_roundtrip_and_refusals)
{
	struct sysvipc_get g = { .key = IPC_PRIVATE, .flags = 0600, .size = 3 };
	struct sysvipc_undo_entry e[4], out[8];
	struct sysvipc_undo_io io = { 0 };
	int id, id2;

	NEED_LIB();
	id = ioctl(self->fd, SYSVIPC_IOC_SEMGET, &g);
	keep(self, 1, id);
	g.size = 1;
	id2 = ioctl(self->fd, SYSVIPC_IOC_SEMGET, &g);
	keep(self, 1, id2);
	ASSERT_LE(0, id);
	ASSERT_LE(0, id2);

	/* this process, in any order; GET sorts */
	e[0] = (struct sysvipc_undo_entry){ id, 2, -7 };
	e[1] = (struct sysvipc_undo_entry){ id, 0, 5 };
	e[2] = (struct sysvipc_undo_entry){ id2, 0, 0 };
	ASSERT_EQ(0, undo_set(self->fd, 0, e, 3)) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(3, undo_get(self->fd, getpid(), out, 8));
	EXPECT_EQ(id < id2 ? id : id2, out[0].semid);
	for (int i = 0; i < 3; i++) {
		bool good;

		if (out[i].semid == id && out[i].semnum == 0)
			good = out[i].adj == 5;
		else if (out[i].semid == id)
			good = out[i].semnum == 2 && out[i].adj == -7;
		else
			good = out[i].semid == id2 && out[i].semnum == 0 && !out[i].adj;
		EXPECT_TRUE(good) TH_LOG("entry %d: %d %u %d", i, out[i].semid,
					 out[i].semnum, out[i].adj);
	}
	/* too small a buffer: the count, entries up to the room */
	io.entries = (uintptr_t)out;
	io.count = 1;
	EXPECT_EQ(3, ioctl(self->fd, SYSVIPC_IOC_UNDO_GET, &io));
	EXPECT_EQ(3U, io.count);

	/* refusals leave the list as it was */
	e[3] = (struct sysvipc_undo_entry){ id, 3, 1 };
	EXPECT_EQ(-1, undo_set(self->fd, 0, e + 3, 1));
	EXPECT_EQ(EFBIG, errno);
	e[3] = (struct sysvipc_undo_entry){ id, 0, 1 };
	EXPECT_EQ(-1, undo_set(self->fd, 0, e + 1, 3));	/* id:0 twice */
	EXPECT_EQ(EINVAL, errno);
	e[3] = (struct sysvipc_undo_entry){ id + 32768, 0, 1 };
	EXPECT_EQ(-1, undo_set(self->fd, 0, e + 3, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, undo_set(self->fd, 0, e, SYSVIPC_UNDO_MAX + 1));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, undo_set(self->fd, 0, (void *)8, 1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, undo_get(self->fd, -5, out, 8));
	EXPECT_EQ(ESRCH, errno);
	io.pid = 0;
	io.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SYSVIPC_IOC_UNDO_GET, &io));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(3, undo_get(self->fd, 0, out, 8));

	/* removing a set drops its entry; an empty SET clears the rest */
	ASSERT_EQ(0, cctl(self->fd, 1, id2, IPC_RMID, 0, NULL));
	EXPECT_EQ(2, undo_get(self->fd, 0, out, 8));
	EXPECT_EQ(0, undo_set(self->fd, 0, NULL, 0));
	EXPECT_EQ(0, undo_get(self->fd, 0, out, 8));
}

/* A child with no IPC of its own gets a list; its exit applies it. */
TEST_F(cr, undo_installed_list_applied_at_exit)
{
	struct sysvipc_get g = { .key = IPC_PRIVATE, .flags = 0600, .size = 2 };
	unsigned short vals[2] = { 10, 10 };
	struct sysvipc_undo_entry e[2];
	struct semid_ds ds;
	int id, pipefd[2];
	pid_t pid;
	char c;

	NEED_LIB();
	id = ioctl(self->fd, SYSVIPC_IOC_SEMGET, &g);
	keep(self, 1, id);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, cctl(self->fd, 1, id, SETALL, 0, vals));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		close(pipefd[1]);
		/* wait for the parent, then exit: no IPC call at all */
		_exit(read(pipefd[0], &c, 1) == 0 ? 0 : 1);
	}
	close(pipefd[0]);
	e[0] = (struct sysvipc_undo_entry){ id, 0, 4 };
	e[1] = (struct sysvipc_undo_entry){ id, 1, -3 };
	EXPECT_EQ(0, undo_set(self->fd, pid, e, 2)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(2, undo_get(self->fd, pid, e, 2));
	close(pipefd[1]);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_EQ(0, cctl(self->fd, 1, id, GETALL, 0, vals));
	EXPECT_EQ(14, vals[0]);
	EXPECT_EQ(7, vals[1]);
	EXPECT_EQ(pid, cctl(self->fd, 1, id, GETPID, 0, NULL));
	ASSERT_EQ(0, cctl(self->fd, 1, id, IPC_STAT, 0, &ds));
	EXPECT_NE(0, ds.sem_otime);
	/* an exited process: ESRCH */
	EXPECT_EQ(-1, undo_set(self->fd, pid, e, 1));
	EXPECT_EQ(ESRCH, errno);
	EXPECT_EQ(0, modparam_read("undo_lists"));
}

TEST_HARNESS_MAIN
