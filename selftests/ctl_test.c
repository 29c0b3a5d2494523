// SPDX-License-Identifier: GPL-2.0
/*
 * shmctl / semctl / msgctl: IPC_STAT, IPC_SET, IPC_RMID, IPC_INFO, *_INFO,
 * *_STAT, *_STAT_ANY.
 * Reference: ipc/shm.c ksys_shmctl(), shmctl_stat(), shmctl_down(),
 * shmctl_ipc_info(), shmctl_shm_info(); ipc/sem.c ksys_semctl(),
 * semctl_stat(), semctl_info(), semctl_down(); ipc/msg.c ksys_msgctl(),
 * msgctl_stat(), msgctl_info(), msgctl_down(); ipc/util.c
 * ipcctl_obtain_check(), ipc_update_perm(), kernel_to_ipc64_perm().
 */
#include "common.h"

#define SEQ_OF(id)	((unsigned short)((unsigned int)(id) >> 15))

static int shm_stat(int id, struct shmid_ds *ds)
{
	return shmctl(id, IPC_STAT, ds);
}

static int sem_stat(int id, struct semid_ds *ds)
{
	union semun u = { .buf = ds };

	return semctl(id, 0, IPC_STAT, u);
}

static int sem_set(int id, struct semid_ds *ds)
{
	union semun u = { .buf = ds };

	return semctl(id, 0, IPC_SET, u);
}

/* ---- IPC_STAT right after creation ---- */

TEST_F(ipc, shm_stat_after_create)
{
	struct shmid_ds ds;
	key_t key = unique_key();
	int id;

	ASSERT_NE(IPC_PRIVATE, key);
	id = t_shmget(key, 12345, IPC_CREAT | 0640);
	ASSERT_GE(id, 0);
	memset(&ds, 0xa5, sizeof(ds));
	ASSERT_EQ(0, shm_stat(id, &ds));
	EXPECT_EQ(key, ds.shm_perm.__key);
	EXPECT_EQ(geteuid(), ds.shm_perm.uid);
	EXPECT_EQ(getegid(), ds.shm_perm.gid);
	EXPECT_EQ(geteuid(), ds.shm_perm.cuid);
	EXPECT_EQ(getegid(), ds.shm_perm.cgid);
	EXPECT_EQ(0640U, ds.shm_perm.mode);
	EXPECT_EQ(SEQ_OF(id), ds.shm_perm.__seq);
	EXPECT_EQ(12345UL, ds.shm_segsz);
	EXPECT_EQ(getpid(), ds.shm_cpid);
	EXPECT_EQ(0, ds.shm_lpid);
	EXPECT_EQ(0UL, ds.shm_nattch);
	EXPECT_EQ(0, ds.shm_atime);
	EXPECT_EQ(0, ds.shm_dtime);
	EXPECT_TRUE(time_near_now(ds.shm_ctime, 5));
}

TEST_F(ipc, sem_stat_after_create)
{
	struct semid_ds ds;
	key_t key = unique_key();
	int id;

	ASSERT_NE(IPC_PRIVATE, key);
	id = t_semget(key, 5, IPC_CREAT | 0604);
	ASSERT_GE(id, 0);
	memset(&ds, 0xa5, sizeof(ds));
	ASSERT_EQ(0, sem_stat(id, &ds));
	EXPECT_EQ(key, ds.sem_perm.__key);
	EXPECT_EQ(geteuid(), ds.sem_perm.uid);
	EXPECT_EQ(getegid(), ds.sem_perm.gid);
	EXPECT_EQ(geteuid(), ds.sem_perm.cuid);
	EXPECT_EQ(getegid(), ds.sem_perm.cgid);
	EXPECT_EQ(0604U, ds.sem_perm.mode);
	EXPECT_EQ(SEQ_OF(id), ds.sem_perm.__seq);
	EXPECT_EQ(5UL, ds.sem_nsems);
	EXPECT_EQ(0, ds.sem_otime);
	EXPECT_TRUE(time_near_now(ds.sem_ctime, 5));
}

TEST_F(ipc, msg_stat_after_create)
{
	struct msqid_ds ds;
	key_t key = unique_key();
	int id;

	modparams_follow_sysctl();
	ASSERT_NE(IPC_PRIVATE, key);
	id = t_msgget(key, IPC_CREAT | 0620);
	ASSERT_GE(id, 0);
	memset(&ds, 0xa5, sizeof(ds));
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(key, ds.msg_perm.__key);
	EXPECT_EQ(geteuid(), ds.msg_perm.uid);
	EXPECT_EQ(getegid(), ds.msg_perm.gid);
	EXPECT_EQ(geteuid(), ds.msg_perm.cuid);
	EXPECT_EQ(getegid(), ds.msg_perm.cgid);
	EXPECT_EQ(0620U, ds.msg_perm.mode);
	EXPECT_EQ(SEQ_OF(id), ds.msg_perm.__seq);
	EXPECT_EQ(sysctl_read_ul("msgmnb"), ds.msg_qbytes);
	EXPECT_EQ(0UL, ds.msg_qnum);
	EXPECT_EQ(0UL, ds.__msg_cbytes);
	EXPECT_EQ(0, ds.msg_lspid);
	EXPECT_EQ(0, ds.msg_lrpid);
	EXPECT_EQ(0, ds.msg_stime);
	EXPECT_EQ(0, ds.msg_rtime);
	EXPECT_TRUE(time_near_now(ds.msg_ctime, 5));
}

/* newseg()/newary()/newque() keep only S_IRWXUGO of the flags */
TEST_F(ipc, create_mode_low_bits_only)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	int id;

	id = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | IPC_EXCL | 01777);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, shm_stat(id, &sds));
	EXPECT_EQ(0777U, sds.shm_perm.mode);

	id = t_semget(IPC_PRIVATE, 1, IPC_CREAT | IPC_EXCL | 07777);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, sem_stat(id, &seds));
	EXPECT_EQ(0777U, seds.sem_perm.mode);

	id = t_msgget(IPC_PRIVATE, IPC_CREAT | IPC_EXCL | 07777);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &mds));
	EXPECT_EQ(0777U, mds.msg_perm.mode);
}

/* ---- IPC_SET ---- */

TEST_F(ipc, set_owner_and_mode)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);

	ASSERT_EQ(0, shm_stat(shm, &sds));
	sds.shm_perm.uid = NOBODY_UID;
	sds.shm_perm.gid = TEST_GID;
	sds.shm_perm.mode = 0644;
	ASSERT_EQ(0, shmctl(shm, IPC_SET, &sds));
	memset(&sds, 0, sizeof(sds));
	ASSERT_EQ(0, shm_stat(shm, &sds));
	EXPECT_EQ((uid_t)NOBODY_UID, sds.shm_perm.uid);
	EXPECT_EQ((gid_t)TEST_GID, sds.shm_perm.gid);
	EXPECT_EQ(geteuid(), sds.shm_perm.cuid);
	EXPECT_EQ(getegid(), sds.shm_perm.cgid);
	EXPECT_EQ(0644U, sds.shm_perm.mode);
	EXPECT_EQ(4096UL, sds.shm_segsz);

	ASSERT_EQ(0, sem_stat(sem, &seds));
	seds.sem_perm.uid = NOBODY_UID;
	seds.sem_perm.gid = TEST_GID;
	seds.sem_perm.mode = 0640;
	ASSERT_EQ(0, sem_set(sem, &seds));
	memset(&seds, 0, sizeof(seds));
	ASSERT_EQ(0, sem_stat(sem, &seds));
	EXPECT_EQ((uid_t)NOBODY_UID, seds.sem_perm.uid);
	EXPECT_EQ((gid_t)TEST_GID, seds.sem_perm.gid);
	EXPECT_EQ(geteuid(), seds.sem_perm.cuid);
	EXPECT_EQ(getegid(), seds.sem_perm.cgid);
	EXPECT_EQ(0640U, seds.sem_perm.mode);
	EXPECT_EQ(2UL, seds.sem_nsems);

	ASSERT_EQ(0, msgctl(msg, IPC_STAT, &mds));
	mds.msg_perm.uid = NOBODY_UID;
	mds.msg_perm.gid = TEST_GID;
	mds.msg_perm.mode = 0604;
	ASSERT_EQ(0, msgctl(msg, IPC_SET, &mds));
	memset(&mds, 0, sizeof(mds));
	ASSERT_EQ(0, msgctl(msg, IPC_STAT, &mds));
	EXPECT_EQ((uid_t)NOBODY_UID, mds.msg_perm.uid);
	EXPECT_EQ((gid_t)TEST_GID, mds.msg_perm.gid);
	EXPECT_EQ(geteuid(), mds.msg_perm.cuid);
	EXPECT_EQ(getegid(), mds.msg_perm.cgid);
	EXPECT_EQ(0604U, mds.msg_perm.mode);
}

/* ipc_update_perm(): mode = (mode & ~S_IRWXUGO) | (new & S_IRWXUGO) */
TEST_F(ipc, set_mode_low_bits_only)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);

	/* SHM_DEST (01000) and SHM_LOCKED (02000) cannot be set this way */
	ASSERT_EQ(0, shm_stat(shm, &sds));
	sds.shm_perm.mode = 0xffff;
	ASSERT_EQ(0, shmctl(shm, IPC_SET, &sds));
	ASSERT_EQ(0, shm_stat(shm, &sds));
	EXPECT_EQ(0777U, sds.shm_perm.mode);
	sds.shm_perm.mode = SHM_DEST | SHM_LOCKED | 0400;
	ASSERT_EQ(0, shmctl(shm, IPC_SET, &sds));
	ASSERT_EQ(0, shm_stat(shm, &sds));
	EXPECT_EQ(0400U, sds.shm_perm.mode);

	ASSERT_EQ(0, sem_stat(sem, &seds));
	seds.sem_perm.mode = 0xffff;
	ASSERT_EQ(0, sem_set(sem, &seds));
	ASSERT_EQ(0, sem_stat(sem, &seds));
	EXPECT_EQ(0777U, seds.sem_perm.mode);

	ASSERT_EQ(0, msgctl(msg, IPC_STAT, &mds));
	mds.msg_perm.mode = 07000 | 0440;
	ASSERT_EQ(0, msgctl(msg, IPC_SET, &mds));
	ASSERT_EQ(0, msgctl(msg, IPC_STAT, &mds));
	EXPECT_EQ(0440U, mds.msg_perm.mode);
}

/* IPC_SET only looks at uid, gid, mode (and msg_qbytes) */
TEST_F(ipc, set_ignores_other_fields)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);

	ASSERT_EQ(0, shm_stat(shm, &sds));
	sds.shm_perm.__key = 1234;
	sds.shm_perm.cuid = 77;
	sds.shm_perm.cgid = 77;
	sds.shm_segsz = 1;
	sds.shm_cpid = 1;
	sds.shm_nattch = 9;
	sds.shm_atime = 5;
	ASSERT_EQ(0, shmctl(shm, IPC_SET, &sds));
	ASSERT_EQ(0, shm_stat(shm, &sds));
	EXPECT_EQ(IPC_PRIVATE, sds.shm_perm.__key);
	EXPECT_EQ(geteuid(), sds.shm_perm.cuid);
	EXPECT_EQ(getegid(), sds.shm_perm.cgid);
	EXPECT_EQ(4096UL, sds.shm_segsz);
	EXPECT_EQ(getpid(), sds.shm_cpid);
	EXPECT_EQ(0UL, sds.shm_nattch);
	EXPECT_EQ(0, sds.shm_atime);

	ASSERT_EQ(0, sem_stat(sem, &seds));
	seds.sem_nsems = 1;
	seds.sem_otime = 5;
	ASSERT_EQ(0, sem_set(sem, &seds));
	ASSERT_EQ(0, sem_stat(sem, &seds));
	EXPECT_EQ(3UL, seds.sem_nsems);
	EXPECT_EQ(0, seds.sem_otime);
}

TEST_F(ipc, set_updates_ctime)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	time_t t0;
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);
	ASSERT_EQ(0, shm_stat(shm, &sds));
	ASSERT_EQ(0, sem_stat(sem, &seds));
	ASSERT_EQ(0, msgctl(msg, IPC_STAT, &mds));
	t0 = sds.shm_ctime;
	if (seds.sem_ctime > t0)
		t0 = seds.sem_ctime;
	if (mds.msg_ctime > t0)
		t0 = mds.msg_ctime;

	/* wait for the clock to tick past the creation second */
	while (time(NULL) <= t0)
		usleep(20000);

	ASSERT_EQ(0, shmctl(shm, IPC_SET, &sds));
	ASSERT_EQ(0, sem_set(sem, &seds));
	ASSERT_EQ(0, msgctl(msg, IPC_SET, &mds));
	ASSERT_EQ(0, shm_stat(shm, &sds));
	ASSERT_EQ(0, sem_stat(sem, &seds));
	ASSERT_EQ(0, msgctl(msg, IPC_STAT, &mds));
	EXPECT_GT(sds.shm_ctime, t0);
	EXPECT_GT(seds.sem_ctime, t0);
	EXPECT_GT(mds.msg_ctime, t0);
	EXPECT_TRUE(time_near_now(sds.shm_ctime, 5));
	EXPECT_TRUE(time_near_now(seds.sem_ctime, 5));
	EXPECT_TRUE(time_near_now(mds.msg_ctime, 5));
}

/* ipc_update_perm(): an unmappable uid/gid (-1) is EINVAL */
TEST_F(ipc, set_invalid_uid_einval)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);

	ASSERT_EQ(0, shm_stat(shm, &sds));
	sds.shm_perm.uid = (uid_t)-1;
	sds.shm_perm.mode = 0666;
	EXPECT_EQ(-1, shmctl(shm, IPC_SET, &sds));
	EXPECT_EQ(EINVAL, errno);
	sds.shm_perm.uid = 0;
	sds.shm_perm.gid = (gid_t)-1;
	EXPECT_EQ(-1, shmctl(shm, IPC_SET, &sds));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, shm_stat(shm, &sds));
	EXPECT_EQ(0600U, sds.shm_perm.mode);	/* unchanged */

	ASSERT_EQ(0, sem_stat(sem, &seds));
	seds.sem_perm.uid = (uid_t)-1;
	EXPECT_EQ(-1, sem_set(sem, &seds));
	EXPECT_EQ(EINVAL, errno);

	ASSERT_EQ(0, msgctl(msg, IPC_STAT, &mds));
	mds.msg_perm.gid = (gid_t)-1;
	EXPECT_EQ(-1, msgctl(msg, IPC_SET, &mds));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- msg_qbytes ---- */

TEST_F(ipc, msg_qbytes_lower)
{
	struct msqid_ds ds;
	unsigned long mnb = sysctl_read_ul("msgmnb");
	int id = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	modparams_follow_sysctl();
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
	ds.msg_qbytes = mnb / 2;
	ASSERT_EQ(0, msgctl(id, IPC_SET, &ds));
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(mnb / 2, ds.msg_qbytes);
}

TEST_F(ipc, msg_qbytes_zero_allowed)
{
	struct msqid_ds ds;
	int id = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
	ds.msg_qbytes = 0;
	ASSERT_EQ(0, msgctl(id, IPC_SET, &ds));
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(0UL, ds.msg_qbytes);
}

TEST_F(ipc, msg_qbytes_raise_as_root)
{
	struct msqid_ds ds;
	unsigned long mnb;
	int id;

	modparams_follow_sysctl();
	mnb = sysctl_read_ul("msgmnb");
	id = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
	ds.msg_qbytes = mnb * 2;
	if (!have_cap(CAP_SYS_RESOURCE_BIT)) {
		/* e.g. a container: capable(CAP_SYS_RESOURCE) is required */
		EXPECT_EQ(-1, msgctl(id, IPC_SET, &ds));
		EXPECT_EQ(EPERM, errno);
		SKIP(return, "no CAP_SYS_RESOURCE");
	}
	ASSERT_EQ(0, msgctl(id, IPC_SET, &ds));
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(mnb * 2, ds.msg_qbytes);
}

struct qbytes_args {
	int id;
	unsigned long qbytes;
};

static int child_set_qbytes(void *p)
{
	struct qbytes_args *a = p;
	struct msqid_ds ds;

	if (msgctl(a->id, IPC_STAT, &ds))
		return errno;
	ds.msg_qbytes = a->qbytes;
	return ERRNO_OF(msgctl(a->id, IPC_SET, &ds));
}

/*
 * msgctl_down(): msg_qbytes > msgmnb needs CAP_SYS_RESOURCE, even for the
 * owner, and even if the value is not being raised (it already was above).
 */
TEST_F(ipc, msg_qbytes_raise_unpriv_eperm)
{
	struct msqid_ds ds;
	struct qbytes_args a;
	unsigned long mnb;

	modparams_follow_sysctl();
	mnb = sysctl_read_ul("msgmnb");
	a.id = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_GE(a.id, 0);
	ASSERT_EQ(0, msgctl(a.id, IPC_STAT, &ds));
	ds.msg_perm.uid = NOBODY_UID;
	ASSERT_EQ(0, msgctl(a.id, IPC_SET, &ds));

	a.qbytes = mnb + 1;
	EXPECT_EQ(EPERM, run_as_nobody(child_set_qbytes, &a));
	a.qbytes = mnb;
	EXPECT_EQ(0, run_as_nobody(child_set_qbytes, &a));
	a.qbytes = mnb / 4;
	EXPECT_EQ(0, run_as_nobody(child_set_qbytes, &a));
	ASSERT_EQ(0, msgctl(a.id, IPC_STAT, &ds));
	EXPECT_EQ(mnb / 4, ds.msg_qbytes);

	/* root raises it; the owner cannot even re-set the same value */
	if (!have_cap(CAP_SYS_RESOURCE_BIT))
		SKIP(return, "no CAP_SYS_RESOURCE for the last step");
	ds.msg_qbytes = mnb * 2;
	ASSERT_EQ(0, msgctl(a.id, IPC_SET, &ds));
	a.qbytes = mnb * 2;
	EXPECT_EQ(EPERM, run_as_nobody(child_set_qbytes, &a));
}

/* ---- who may IPC_SET / IPC_RMID ---- */

struct ids3 {
	int shm, sem, msg;
	int mode;
};

static int child_set_all(void *p)
{
	struct ids3 *a = p;
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	int e;

	/* the objects are readable (0644): fetch, then write back */
	if (shm_stat(a->shm, &sds) || sem_stat(a->sem, &seds) ||
	    msgctl(a->msg, IPC_STAT, &mds))
		return CHILD_MISMATCH;
	sds.shm_perm.mode = a->mode;
	seds.sem_perm.mode = a->mode;
	mds.msg_perm.mode = a->mode;
	e = ERRNO_OF(shmctl(a->shm, IPC_SET, &sds));
	if (e != ERRNO_OF(sem_set(a->sem, &seds)))
		return CHILD_MISMATCH;
	if (e != ERRNO_OF(msgctl(a->msg, IPC_SET, &mds)))
		return CHILD_MISMATCH;
	return e;
}

static int child_rmid_all(void *p)
{
	struct ids3 *a = p;
	int e;

	e = ERRNO_OF(shmctl(a->shm, IPC_RMID, NULL));
	if (e != ERRNO_OF(semctl(a->sem, 0, IPC_RMID)))
		return CHILD_MISMATCH;
	if (e != ERRNO_OF(msgctl(a->msg, IPC_RMID, NULL)))
		return CHILD_MISMATCH;
	return e;
}

TEST_F(ipc, set_rmid_by_stranger_eperm)
{
	struct ids3 a = { .mode = 0666 };

	/* even full rw access does not allow IPC_SET / IPC_RMID */
	a.shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0666);
	a.sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0666);
	a.msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0666);
	ASSERT_GE(a.shm, 0);
	ASSERT_GE(a.sem, 0);
	ASSERT_GE(a.msg, 0);

	EXPECT_EQ(EPERM, run_as_nobody(child_set_all, &a));
	EXPECT_EQ(EPERM, run_as_nobody(child_rmid_all, &a));
	/* a member of the owning group is no better */
	EXPECT_EQ(EPERM, run_as_nobody_in(getegid(), child_rmid_all, &a));
}

/* ipcctl_obtain_check(): euid == uid (owner) is enough */
TEST_F(ipc, set_rmid_by_owner)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	struct ids3 a = { .mode = 0600 };

	a.shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0644);
	a.sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0644);
	a.msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0644);
	ASSERT_GE(a.shm, 0);
	ASSERT_GE(a.sem, 0);
	ASSERT_GE(a.msg, 0);
	ASSERT_EQ(0, shm_stat(a.shm, &sds));
	sds.shm_perm.uid = NOBODY_UID;
	ASSERT_EQ(0, shmctl(a.shm, IPC_SET, &sds));
	ASSERT_EQ(0, sem_stat(a.sem, &seds));
	seds.sem_perm.uid = NOBODY_UID;
	ASSERT_EQ(0, sem_set(a.sem, &seds));
	ASSERT_EQ(0, msgctl(a.msg, IPC_STAT, &mds));
	mds.msg_perm.uid = NOBODY_UID;
	ASSERT_EQ(0, msgctl(a.msg, IPC_SET, &mds));

	EXPECT_EQ(0, run_as_nobody(child_set_all, &a));
	ASSERT_EQ(0, shm_stat(a.shm, &sds));
	EXPECT_EQ(0600U, sds.shm_perm.mode);
	ASSERT_EQ(0, sem_stat(a.sem, &seds));
	EXPECT_EQ(0600U, seds.sem_perm.mode);
	ASSERT_EQ(0, msgctl(a.msg, IPC_STAT, &mds));
	EXPECT_EQ(0600U, mds.msg_perm.mode);

	EXPECT_EQ(0, run_as_nobody(child_rmid_all, &a));
	EXPECT_EQ(-1, shm_stat(a.shm, &sds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, sem_stat(a.sem, &seds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(a.msg, IPC_STAT, &mds));
	EXPECT_EQ(EINVAL, errno);
}

/* IPC_RMID never touches the buffer argument */
TEST_F(ipc, rmid_ignores_buffer)
{
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	union semun u = { .buf = (struct semid_ds *)1 };

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);
	EXPECT_EQ(0, shmctl(shm, IPC_RMID, (struct shmid_ds *)1));
	EXPECT_EQ(0, semctl(sem, 0, IPC_RMID, u));
	EXPECT_EQ(0, msgctl(msg, IPC_RMID, (struct msqid_ds *)1));
}

/* ---- bad arguments ---- */

TEST_F(ipc, unknown_cmd_einval)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	union semun u = { .buf = &seds };
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);
	EXPECT_EQ(-1, shmctl(shm, 99, &sds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(shm, 1000, &sds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, semctl(sem, 0, 99, u));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, semctl(sem, 0, 1000, u));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(msg, 99, &mds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(msg, 1000, &mds));
	EXPECT_EQ(EINVAL, errno);
	/* the objects are untouched */
	EXPECT_EQ(0, shm_stat(shm, &sds));
	EXPECT_EQ(0, sem_stat(sem, &seds));
	EXPECT_EQ(0, msgctl(msg, IPC_STAT, &mds));
}

/* ksys_*ctl(): a negative id is EINVAL for every command, *_INFO included */
TEST_F(ipc, negative_id_einval)
{
	struct shmid_ds sds;
	struct shminfo si;
	struct semid_ds seds;
	struct seminfo sei;
	struct msqid_ds mds;
	struct msginfo mi;
	union semun u = { .buf = &seds };
	union semun ui = { .__buf = &sei };

	EXPECT_EQ(-1, shmctl(-1, IPC_STAT, &sds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(-1, IPC_RMID, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(-1, IPC_INFO, (struct shmid_ds *)&si));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(-5, SHM_STAT, &sds));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-1, semctl(-1, 0, IPC_STAT, u));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, semctl(-1, 0, IPC_RMID));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, semctl(-1, 0, IPC_INFO, ui));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, semctl(-5, 0, SEM_STAT, u));
	EXPECT_EQ(EINVAL, errno);

	EXPECT_EQ(-1, msgctl(-1, IPC_STAT, &mds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(-1, IPC_RMID, NULL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(-1, IPC_INFO, (struct msqid_ds *)&mi));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(-5, MSG_STAT, &mds));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, stat_bad_buffer_efault)
{
	void *bad[2] = { (void *)1, unmapped_addr() };
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);
	for (int i = 0; i < 2; i++) {
		union semun u = { .buf = bad[i] };

		EXPECT_EQ(-1, shmctl(shm, IPC_STAT, bad[i]));
		EXPECT_EQ(EFAULT, errno);
		EXPECT_EQ(-1, semctl(sem, 0, IPC_STAT, u));
		EXPECT_EQ(EFAULT, errno);
		EXPECT_EQ(-1, msgctl(msg, IPC_STAT, bad[i]));
		EXPECT_EQ(EFAULT, errno);
	}
}

/* the object is looked up before the buffer is written */
TEST_F(ipc, stat_stale_id_bad_buffer_einval)
{
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	union semun u = { .buf = (struct semid_ds *)1 };

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);
	ASSERT_EQ(0, shmctl(shm, IPC_RMID, NULL));
	ASSERT_EQ(0, semctl(sem, 0, IPC_RMID));
	ASSERT_EQ(0, msgctl(msg, IPC_RMID, NULL));
	EXPECT_EQ(-1, shmctl(shm, IPC_STAT, (struct shmid_ds *)1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, semctl(sem, 0, IPC_STAT, u));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(msg, IPC_STAT, (struct msqid_ds *)1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, set_bad_buffer_efault)
{
	void *bad[2] = { (void *)1, unmapped_addr() };
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);
	for (int i = 0; i < 2; i++) {
		union semun u = { .buf = bad[i] };

		EXPECT_EQ(-1, shmctl(shm, IPC_SET, bad[i]));
		EXPECT_EQ(EFAULT, errno);
		EXPECT_EQ(-1, semctl(sem, 0, IPC_SET, u));
		EXPECT_EQ(EFAULT, errno);
		EXPECT_EQ(-1, msgctl(msg, IPC_SET, bad[i]));
		EXPECT_EQ(EFAULT, errno);
	}
}

/* ksys_*ctl(): IPC_SET copies the buffer in before looking up the id */
TEST_F(ipc, set_bad_buffer_before_lookup)
{
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	union semun u = { .buf = (struct semid_ds *)1 };

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);
	ASSERT_EQ(0, shmctl(shm, IPC_RMID, NULL));
	ASSERT_EQ(0, semctl(sem, 0, IPC_RMID));
	ASSERT_EQ(0, msgctl(msg, IPC_RMID, NULL));
	EXPECT_EQ(-1, shmctl(shm, IPC_SET, (struct shmid_ds *)1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, semctl(sem, 0, IPC_SET, u));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, msgctl(msg, IPC_SET, (struct msqid_ds *)1));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(ipc, info_bad_buffer_efault)
{
	void *bad = unmapped_addr();
	union semun u = { .__buf = bad };

	EXPECT_EQ(-1, shmctl(0, IPC_INFO, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, shmctl(0, SHM_INFO, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, semctl(0, 0, IPC_INFO, u));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, semctl(0, 0, SEM_INFO, u));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, msgctl(0, IPC_INFO, bad));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, msgctl(0, MSG_INFO, bad));
	EXPECT_EQ(EFAULT, errno);
}

/* ---- IPC_INFO / *_INFO ---- */

TEST_F(ipc, shm_ipc_info_matches_sysctl)
{
	struct shminfo si;
	int id, ret;

	modparams_follow_sysctl();
	id = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	memset(&si, 0xa5, sizeof(si));
	ret = shmctl(0, IPC_INFO, (struct shmid_ds *)&si);
	ASSERT_GE(ret, 0);
	EXPECT_EQ(sysctl_read_ul("shmmax"), si.shmmax);
	EXPECT_EQ(sysctl_read_ul("shmall"), si.shmall);
	EXPECT_EQ(sysctl_read_ul("shmmni"), si.shmmni);
	EXPECT_EQ(si.shmmni, si.shmseg);
	EXPECT_EQ(1UL, si.shmmin);
	EXPECT_EQ(0UL, si.__glibc_reserved1);
	EXPECT_EQ(0UL, si.__glibc_reserved4);
	/* the highest index in use: at least ours */
	EXPECT_GE(ret, id & 0x7fff);
}

TEST_F(ipc, shm_info_counts)
{
	struct shm_info before, after;
	struct shminfo si;
	int ret;

	ASSERT_GE(shmctl(0, SHM_INFO, (struct shmid_ds *)&before), 0);
	ASSERT_GE(t_shmget(IPC_PRIVATE, 1, IPC_CREAT | 0600), 0);
	ASSERT_GE(t_shmget(IPC_PRIVATE, 3 * PAGE_SZ - 1, IPC_CREAT | 0600), 0);
	ret = shmctl(0, SHM_INFO, (struct shmid_ds *)&after);
	ASSERT_GE(ret, 0);
	EXPECT_EQ(before.used_ids + 2, after.used_ids);
	EXPECT_EQ(before.shm_tot + 4, after.shm_tot);
	EXPECT_EQ(0UL, after.swap_attempts);
	EXPECT_EQ(0UL, after.swap_successes);
	/* both return the highest index in use */
	EXPECT_EQ(ret, shmctl(0, IPC_INFO, (struct shmid_ds *)&si));
	cleanup_tracked();
	ASSERT_GE(shmctl(0, SHM_INFO, (struct shmid_ds *)&after), 0);
	EXPECT_EQ(before.used_ids, after.used_ids);
	EXPECT_EQ(before.shm_tot, after.shm_tot);
}

TEST_F(ipc, sem_ipc_info_matches_sysctl)
{
	struct sem_limits l;
	struct seminfo si;
	union semun u = { .__buf = &si };
	int id, ret;

	modparams_follow_sysctl();
	ASSERT_EQ(0, sem_limits_read(&l));
	id = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	memset(&si, 0xa5, sizeof(si));
	ret = semctl(0, 0, IPC_INFO, u);
	ASSERT_GE(ret, 0);
	EXPECT_EQ(l.semmsl, si.semmsl);
	EXPECT_EQ(l.semmns, si.semmns);
	EXPECT_EQ(l.semopm, si.semopm);
	EXPECT_EQ(l.semmni, si.semmni);
	/* compile-time constants of include/uapi/linux/sem.h */
	EXPECT_EQ(32767, si.semvmx);		/* SEMVMX */
	EXPECT_EQ(20, si.semusz);		/* SEMUSZ (IPC_INFO only) */
	EXPECT_EQ(32767, si.semaem);		/* SEMAEM (IPC_INFO only) */
	EXPECT_EQ(32000 * 32000, si.semmnu);	/* SEMMNU = SEMMNS */
	EXPECT_EQ(32000 * 32000, si.semmap);	/* SEMMAP = SEMMNS */
	EXPECT_EQ(500, si.semume);		/* SEMUME = SEMOPM */
	EXPECT_GE(ret, id & 0x7fff);
}

TEST_F(ipc, sem_info_counts)
{
	struct seminfo before, after, si;
	union semun ub = { .__buf = &before }, ua = { .__buf = &after };
	union semun ui = { .__buf = &si };
	int ret;

	ASSERT_GE(semctl(0, 0, SEM_INFO, ub), 0);
	ASSERT_GE(t_semget(IPC_PRIVATE, 3, IPC_CREAT | 0600), 0);
	ASSERT_GE(t_semget(IPC_PRIVATE, 4, IPC_CREAT | 0600), 0);
	ret = semctl(0, 0, SEM_INFO, ua);
	ASSERT_GE(ret, 0);
	EXPECT_EQ(before.semusz + 2, after.semusz);	/* sets in use */
	EXPECT_EQ(before.semaem + 7, after.semaem);	/* sems in use */
	EXPECT_EQ(after.semmni, before.semmni);
	EXPECT_EQ(32767, after.semvmx);
	EXPECT_EQ(ret, semctl(0, 0, IPC_INFO, ui));
	cleanup_tracked();
	ASSERT_GE(semctl(0, 0, SEM_INFO, ua), 0);
	EXPECT_EQ(before.semusz, after.semusz);
	EXPECT_EQ(before.semaem, after.semaem);
}

TEST_F(ipc, msg_ipc_info_matches_sysctl)
{
	struct msginfo mi;
	int id, ret;

	modparams_follow_sysctl();
	id = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	memset(&mi, 0xa5, sizeof(mi));
	ret = msgctl(0, IPC_INFO, (struct msqid_ds *)&mi);
	ASSERT_GE(ret, 0);
	EXPECT_EQ((int)sysctl_read_ul("msgmax"), mi.msgmax);
	EXPECT_EQ((int)sysctl_read_ul("msgmnb"), mi.msgmnb);
	EXPECT_EQ((int)sysctl_read_ul("msgmni"), mi.msgmni);
	/* compile-time constants of include/uapi/linux/msg.h */
	EXPECT_EQ(16, mi.msgssz);			/* MSGSSZ */
	EXPECT_EQ(0xffff, mi.msgseg);			/* MSGSEG */
	EXPECT_EQ(32000 * 16384 / 1024, mi.msgpool);	/* MSGPOOL */
	EXPECT_EQ(16384, mi.msgmap);			/* MSGMAP */
	EXPECT_EQ(16384, mi.msgtql);			/* MSGTQL */
	EXPECT_GE(ret, id & 0x7fff);
}

TEST_F(ipc, msg_info_counts)
{
	struct msginfo before, after, mi;
	int ret;

	ASSERT_GE(msgctl(0, MSG_INFO, (struct msqid_ds *)&before), 0);
	ASSERT_GE(t_msgget(IPC_PRIVATE, IPC_CREAT | 0600), 0);
	ASSERT_GE(t_msgget(IPC_PRIVATE, IPC_CREAT | 0600), 0);
	ret = msgctl(0, MSG_INFO, (struct msqid_ds *)&after);
	ASSERT_GE(ret, 0);
	EXPECT_EQ(before.msgpool + 2, after.msgpool);	/* queues in use */
	EXPECT_EQ(16, after.msgssz);
	EXPECT_EQ(ret, msgctl(0, IPC_INFO, (struct msqid_ds *)&mi));
	cleanup_tracked();
	ASSERT_GE(msgctl(0, MSG_INFO, (struct msqid_ds *)&after), 0);
	EXPECT_EQ(before.msgpool, after.msgpool);
}

/* ---- *_STAT by index ---- */

TEST_F(ipc, shm_stat_by_index)
{
	struct shmid_ds ds, ref;
	struct shminfo si;
	int id, maxidx, found = -1;

	id = t_shmget(IPC_PRIVATE, 7777, IPC_CREAT | 0640);
	ASSERT_GE(id, 0);
	maxidx = shmctl(0, IPC_INFO, (struct shmid_ds *)&si);
	ASSERT_GE(maxidx, 0);
	for (int i = 0; i <= maxidx; i++) {
		int r = shmctl(i, SHM_STAT, &ds);

		if (r < 0) {
			EXPECT_TRUE(errno == EINVAL || errno == EACCES);
			continue;
		}
		if (r == id) {
			found = i;
			break;
		}
	}
	ASSERT_GE(found, 0);
	ASSERT_EQ(0, shm_stat(id, &ref));
	EXPECT_EQ(0, memcmp(&ref, &ds, sizeof(ds)));
	EXPECT_EQ(id, shmctl(found, SHM_STAT_ANY, &ds));
	EXPECT_EQ(0, memcmp(&ref, &ds, sizeof(ds)));

	EXPECT_EQ(-1, shmctl(maxidx + 1, SHM_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(maxidx + 1, SHM_STAT_ANY, &ds));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, sem_stat_by_index)
{
	struct semid_ds ds, ref;
	struct seminfo si;
	union semun u = { .buf = &ds }, ui = { .__buf = &si };
	int id, maxidx, found = -1;

	id = t_semget(IPC_PRIVATE, 6, IPC_CREAT | 0640);
	ASSERT_GE(id, 0);
	maxidx = semctl(0, 0, IPC_INFO, ui);
	ASSERT_GE(maxidx, 0);
	for (int i = 0; i <= maxidx; i++) {
		int r = semctl(i, 0, SEM_STAT, u);

		if (r < 0) {
			EXPECT_TRUE(errno == EINVAL || errno == EACCES);
			continue;
		}
		if (r == id) {
			found = i;
			break;
		}
	}
	ASSERT_GE(found, 0);
	ASSERT_EQ(0, sem_stat(id, &ref));
	EXPECT_EQ(0, memcmp(&ref, &ds, sizeof(ds)));
	EXPECT_EQ(id, semctl(found, 0, SEM_STAT_ANY, u));
	EXPECT_EQ(0, memcmp(&ref, &ds, sizeof(ds)));

	EXPECT_EQ(-1, semctl(maxidx + 1, 0, SEM_STAT, u));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, semctl(maxidx + 1, 0, SEM_STAT_ANY, u));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, msg_stat_by_index)
{
	struct msqid_ds ds, ref;
	struct msginfo mi;
	int id, maxidx, found = -1;

	id = t_msgget(IPC_PRIVATE, IPC_CREAT | 0640);
	ASSERT_GE(id, 0);
	maxidx = msgctl(0, IPC_INFO, (struct msqid_ds *)&mi);
	ASSERT_GE(maxidx, 0);
	for (int i = 0; i <= maxidx; i++) {
		int r = msgctl(i, MSG_STAT, &ds);

		if (r < 0) {
			EXPECT_TRUE(errno == EINVAL || errno == EACCES);
			continue;
		}
		if (r == id) {
			found = i;
			break;
		}
	}
	ASSERT_GE(found, 0);
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ref));
	EXPECT_EQ(0, memcmp(&ref, &ds, sizeof(ds)));
	EXPECT_EQ(id, msgctl(found, MSG_STAT_ANY, &ds));
	EXPECT_EQ(0, memcmp(&ref, &ds, sizeof(ds)));

	EXPECT_EQ(-1, msgctl(maxidx + 1, MSG_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(maxidx + 1, MSG_STAT_ANY, &ds));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * *_STAT take an index, but the kernel only masks the argument with
 * ipcid_to_idx() (low 15 bits) and does not check the sequence number, so
 * a full id works as well (shm_obtain_object() -> ipc_obtain_object_idr()).
 */
TEST_F(ipc, stat_cmd_ignores_seq_bits)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	union semun u = { .buf = &seds };
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);
	EXPECT_EQ(shm, shmctl(shm & 0x7fff, SHM_STAT, &sds));
	EXPECT_EQ(shm, shmctl(shm, SHM_STAT, &sds));
	EXPECT_EQ(shm, shmctl(shm ^ (1 << 15), SHM_STAT_ANY, &sds));
	EXPECT_EQ(sem, semctl(sem & 0x7fff, 0, SEM_STAT, u));
	EXPECT_EQ(sem, semctl(sem, 0, SEM_STAT, u));
	EXPECT_EQ(msg, msgctl(msg & 0x7fff, MSG_STAT, &mds));
	EXPECT_EQ(msg, msgctl(msg ^ (1 << 16), MSG_STAT_ANY, &mds));
}

struct stat_args {
	int idx[3];	/* shm, sem, msg index */
	int id[3];
	int any;	/* use *_STAT_ANY */
};

static int child_stat_index(void *p)
{
	struct stat_args *a = p;
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	union semun u = { .buf = &seds };
	int r[3];

	r[0] = shmctl(a->idx[0], a->any ? SHM_STAT_ANY : SHM_STAT, &sds);
	if (r[0] < 0)
		r[0] = -errno;
	r[1] = semctl(a->idx[1], 0, a->any ? SEM_STAT_ANY : SEM_STAT, u);
	if (r[1] < 0)
		r[1] = -errno;
	r[2] = msgctl(a->idx[2], a->any ? MSG_STAT_ANY : MSG_STAT, &mds);
	if (r[2] < 0)
		r[2] = -errno;
	for (int i = 0; i < 3; i++)
		child_data[i] = r[i];
	return 0;
}

static int child_ipc_stat(void *p)
{
	struct stat_args *a = p;
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;

	child_data[0] = ERRNO_OF(shm_stat(a->id[0], &sds));
	child_data[1] = ERRNO_OF(sem_stat(a->id[1], &seds));
	child_data[2] = ERRNO_OF(msgctl(a->id[2], IPC_STAT, &mds));
	return 0;
}

/* *_STAT check read permission, *_STAT_ANY do not */
TEST_F(ipc, stat_any_skips_permission)
{
	struct stat_args a = { .any = 0 };

	a.id[0] = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	a.id[1] = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	a.id[2] = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	for (int i = 0; i < 3; i++) {
		ASSERT_GE(a.id[i], 0);
		a.idx[i] = a.id[i] & 0x7fff;
	}

	ASSERT_EQ(0, run_as_nobody(child_ipc_stat, &a));
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(EACCES, child_data[i]);

	ASSERT_EQ(0, run_as_nobody(child_stat_index, &a));
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(-EACCES, child_data[i]);

	a.any = 1;
	ASSERT_EQ(0, run_as_nobody(child_stat_index, &a));
	for (int i = 0; i < 3; i++)
		EXPECT_EQ(a.id[i], child_data[i]);
}

TEST_HARNESS_MAIN
