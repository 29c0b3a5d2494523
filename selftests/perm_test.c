// SPDX-License-Identifier: GPL-2.0
/*
 * Permission rules as an unprivileged user (uid/gid 65534).
 * Reference: ipc/util.c ipcperms(), ipcget_public(), ipc_check_perms();
 * ipc/{shm,sem,msg}.c *ctl_stat().
 *
 * ipcperms(): requested = (flag >> 6) | (flag >> 3) | flag; the caller gets
 * the owner bits if euid is uid or cuid, else the group bits if it is in
 * gid or cgid, else the other bits; CAP_IPC_OWNER overrides.
 */
#include "common.h"

struct objs {
	int shm, sem, msg;
	key_t key;
	int flg;	/* flags for the get calls */
};

/* make three objects with @key and @mode, owned by uid 0 and group @gid */
static int make_objs(struct objs *o, int mode, gid_t gid)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	union semun u = { .buf = &seds };

	o->key = unique_key();
	if (o->key == IPC_PRIVATE)
		return -1;
	o->shm = t_shmget(o->key, 4096, IPC_CREAT | IPC_EXCL | mode);
	o->sem = t_semget(o->key, 1, IPC_CREAT | IPC_EXCL | mode);
	o->msg = t_msgget(o->key, IPC_CREAT | IPC_EXCL | mode);
	if (o->shm < 0 || o->sem < 0 || o->msg < 0)
		return -1;
	if (shmctl(o->shm, IPC_STAT, &sds) || semctl(o->sem, 0, IPC_STAT, u) ||
	    msgctl(o->msg, IPC_STAT, &mds))
		return -1;
	sds.shm_perm.gid = gid;
	seds.sem_perm.gid = gid;
	mds.msg_perm.gid = gid;
	if (shmctl(o->shm, IPC_SET, &sds) || semctl(o->sem, 0, IPC_SET, u) ||
	    msgctl(o->msg, IPC_SET, &mds))
		return -1;
	return 0;
}

static int set_owner_all(struct objs *o, uid_t uid, gid_t gid, int mode)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	union semun u = { .buf = &seds };

	if (shmctl(o->shm, IPC_STAT, &sds) || semctl(o->sem, 0, IPC_STAT, u) ||
	    msgctl(o->msg, IPC_STAT, &mds))
		return -1;
	sds.shm_perm.uid = seds.sem_perm.uid = mds.msg_perm.uid = uid;
	sds.shm_perm.gid = seds.sem_perm.gid = mds.msg_perm.gid = gid;
	sds.shm_perm.mode = seds.sem_perm.mode = mds.msg_perm.mode = mode;
	if (shmctl(o->shm, IPC_SET, &sds) || semctl(o->sem, 0, IPC_SET, u) ||
	    msgctl(o->msg, IPC_SET, &mds))
		return -1;
	return 0;
}

/*
 * In the child: the three gets with o->flg; all three must agree.
 * Returns 0 if all succeeded with the right ids, the common errno, or
 * CHILD_MISMATCH.
 */
static int child_get(void *p)
{
	struct objs *o = p;
	int r[3], e[3];

	r[0] = shmget(o->key, 0, o->flg);
	e[0] = r[0] < 0 ? errno : 0;
	r[1] = semget(o->key, 0, o->flg);
	e[1] = r[1] < 0 ? errno : 0;
	r[2] = msgget(o->key, o->flg);
	e[2] = r[2] < 0 ? errno : 0;
	if (e[0] != e[1] || e[0] != e[2])
		return CHILD_MISMATCH;
	if (!e[0] && (r[0] != o->shm || r[1] != o->sem || r[2] != o->msg))
		return CHILD_MISMATCH;
	return e[0];
}

/* IPC_STAT of the three; the common errno or CHILD_MISMATCH */
static int child_stat(void *p)
{
	struct objs *o = p;
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	union semun u = { .buf = &seds };
	int e0, e1, e2;

	e0 = ERRNO_OF(shmctl(o->shm, IPC_STAT, &sds));
	e1 = ERRNO_OF(semctl(o->sem, 0, IPC_STAT, u));
	e2 = ERRNO_OF(msgctl(o->msg, IPC_STAT, &mds));
	if (e0 != e1 || e0 != e2)
		return CHILD_MISMATCH;
	return e0;
}

static int get_as(struct objs *o, int flg, const gid_t *groups, int ngroups)
{
	o->flg = flg;
	return run_as_ids(NOBODY_UID, NOBODY_GID, groups, ngroups, child_get, o);
}

/* ---- group bits ---- */

TEST_F(ipc, group_member_read_only)
{
	struct objs o;
	gid_t g = TEST_GID;

	ASSERT_EQ(0, make_objs(&o, 0640, TEST_GID));
	EXPECT_EQ(0, run_as_nobody_in(g, child_stat, &o));
	EXPECT_EQ(0, get_as(&o, 0440, &g, 1));
	EXPECT_EQ(0, get_as(&o, 0400, &g, 1));
	EXPECT_EQ(0, get_as(&o, 0040, &g, 1));
	EXPECT_EQ(EACCES, get_as(&o, 0660, &g, 1));
	EXPECT_EQ(EACCES, get_as(&o, 0200, &g, 1));
	EXPECT_EQ(EACCES, get_as(&o, 0020, &g, 1));
}

/* requested bits of all three triplets are folded together */
TEST_F(ipc, requested_triplets_folded)
{
	struct objs o;
	gid_t g = TEST_GID;

	ASSERT_EQ(0, make_objs(&o, 0640, TEST_GID));
	/* "other read" asks for read: granted by the group bits */
	EXPECT_EQ(0, get_as(&o, 0004, &g, 1));
	/* "other write" asks for write: not granted */
	EXPECT_EQ(EACCES, get_as(&o, 0002, &g, 1));
	/* execute bits count too */
	EXPECT_EQ(EACCES, get_as(&o, 0100, &g, 1));
}

/* the group bits apply, not the (larger) other bits */
TEST_F(ipc, group_bits_not_other_bits)
{
	struct objs o;
	gid_t g = TEST_GID;

	ASSERT_EQ(0, make_objs(&o, 0606, TEST_GID));
	EXPECT_EQ(EACCES, run_as_nobody_in(g, child_stat, &o));
	EXPECT_EQ(EACCES, get_as(&o, 0400, &g, 1));
	/* without the group, the other bits give rw */
	EXPECT_EQ(0, run_as_nobody(child_stat, &o));
	EXPECT_EQ(0, get_as(&o, 0600, NULL, 0));
}

TEST_F(ipc, other_denied)
{
	struct objs o;
	gid_t g = TEST_GID2;

	ASSERT_EQ(0, make_objs(&o, 0640, TEST_GID));
	EXPECT_EQ(EACCES, run_as_nobody(child_stat, &o));
	EXPECT_EQ(EACCES, get_as(&o, 0400, NULL, 0));
	/* another supplementary group does not help */
	EXPECT_EQ(EACCES, run_as_nobody_in(g, child_stat, &o));
	EXPECT_EQ(EACCES, get_as(&o, 0040, &g, 1));
}

TEST_F(ipc, get_mode_zero_always_ok)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0000, TEST_GID));
	EXPECT_EQ(0, get_as(&o, 0, NULL, 0));
	EXPECT_EQ(0, get_as(&o, IPC_CREAT, NULL, 0));
	/* but IPC_STAT needs read */
	EXPECT_EQ(EACCES, run_as_nobody(child_stat, &o));
}

TEST_F(ipc, get_existing_without_bits_eacces)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0604, TEST_GID));
	EXPECT_EQ(0, get_as(&o, 0404, NULL, 0));
	EXPECT_EQ(EACCES, get_as(&o, 0606, NULL, 0));
	EXPECT_EQ(EACCES, get_as(&o, IPC_CREAT | 0666, NULL, 0));
}

/* ---- owner and creator ---- */

TEST_F(ipc, owner_bits_for_owner)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0600, TEST_GID));
	ASSERT_EQ(0, set_owner_all(&o, NOBODY_UID, TEST_GID, 0466));
	/* owner bits r--: read ok, write denied, though other has rw */
	EXPECT_EQ(0, run_as_nobody(child_stat, &o));
	EXPECT_EQ(0, get_as(&o, 0400, NULL, 0));
	EXPECT_EQ(EACCES, get_as(&o, 0600, NULL, 0));
}

/* owner but mode 0: no IPC_STAT (the owner is not exempt) */
TEST_F(ipc, owner_without_read_eacces)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0600, TEST_GID));
	ASSERT_EQ(0, set_owner_all(&o, NOBODY_UID, NOBODY_GID, 0066));
	EXPECT_EQ(EACCES, run_as_nobody(child_stat, &o));
	EXPECT_EQ(EACCES, get_as(&o, 0400, NULL, 0));
}

/* cgid grants the group bits even after gid was changed */
TEST_F(ipc, creator_group_grants)
{
	struct objs o;
	gid_t g = getegid();	/* the creator's group (cgid) */

	ASSERT_EQ(0, make_objs(&o, 0640, TEST_GID));
	ASSERT_NE((gid_t)TEST_GID, g);
	EXPECT_EQ(0, run_as_nobody_in(g, child_stat, &o));
	EXPECT_EQ(0, get_as(&o, 0440, &g, 1));
	EXPECT_EQ(EACCES, get_as(&o, 0660, &g, 1));
}

static int child_create(void *p)
{
	struct objs *o = p;

	child_data[0] = shmget(o->key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	child_data[1] = semget(o->key, 1, IPC_CREAT | IPC_EXCL | 0600);
	child_data[2] = msgget(o->key, IPC_CREAT | IPC_EXCL | 0600);
	if (child_data[0] < 0 || child_data[1] < 0 || child_data[2] < 0)
		return errno;
	return 0;
}

static int child_rmid(void *p)
{
	struct objs *o = p;
	int e0, e1, e2;

	e0 = ERRNO_OF(shmctl(o->shm, IPC_RMID, NULL));
	e1 = ERRNO_OF(semctl(o->sem, 0, IPC_RMID));
	e2 = ERRNO_OF(msgctl(o->msg, IPC_RMID, NULL));
	if (e0 != e1 || e0 != e2)
		return CHILD_MISMATCH;
	return e0;
}

/*
 * Created by nobody, ownership given to root with mode 0600: the creator
 * still gets the owner bits (cuid) and may still IPC_RMID.
 */
TEST_F(ipc, creator_uid_grants)
{
	struct shmid_ds sds;
	struct objs o;
	int r;

	o.key = unique_key();
	ASSERT_NE(IPC_PRIVATE, o.key);
	r = run_as_nobody(child_create, &o);
	o.shm = child_data[0];
	o.sem = child_data[1];
	o.msg = child_data[2];
	track(FAM_SHM, o.shm);
	track(FAM_SEM, o.sem);
	track(FAM_MSG, o.msg);
	ASSERT_EQ(0, r);

	ASSERT_EQ(0, shmctl(o.shm, IPC_STAT, &sds));
	EXPECT_EQ((uid_t)NOBODY_UID, sds.shm_perm.uid);
	EXPECT_EQ((uid_t)NOBODY_UID, sds.shm_perm.cuid);
	EXPECT_EQ((gid_t)NOBODY_GID, sds.shm_perm.gid);
	EXPECT_EQ((gid_t)NOBODY_GID, sds.shm_perm.cgid);

	ASSERT_EQ(0, set_owner_all(&o, 0, 0, 0600));
	EXPECT_EQ(0, run_as_nobody(child_stat, &o));
	EXPECT_EQ(0, get_as(&o, 0600, NULL, 0));
	EXPECT_EQ(0, run_as_nobody(child_rmid, &o));
	EXPECT_EQ(-1, shmctl(o.shm, IPC_STAT, &sds));
	EXPECT_EQ(EINVAL, errno);
}

/* ---- root ---- */

/* CAP_IPC_OWNER passes every ipcperms() check */
TEST_F(ipc, root_bypasses_mode)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	union semun u = { .buf = &seds };
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0000, TEST_GID));
	ASSERT_EQ(0, set_owner_all(&o, NOBODY_UID, NOBODY_GID, 0000));
	EXPECT_EQ(o.shm, shmget(o.key, 4096, 0666));
	EXPECT_EQ(o.sem, semget(o.key, 1, 0666));
	EXPECT_EQ(o.msg, msgget(o.key, 0666));
	EXPECT_EQ(0, shmctl(o.shm, IPC_STAT, &sds));
	EXPECT_EQ(0, semctl(o.sem, 0, IPC_STAT, u));
	EXPECT_EQ(0, msgctl(o.msg, IPC_STAT, &mds));
}

/* unprivileged creation: the new object belongs to the caller */
TEST_F(ipc, unprivileged_create_owned_by_caller)
{
	struct semid_ds seds;
	struct msqid_ds mds;
	union semun u = { .buf = &seds };
	struct objs o;
	int r;

	o.key = unique_key();
	ASSERT_NE(IPC_PRIVATE, o.key);
	r = run_as_nobody(child_create, &o);
	o.shm = child_data[0];
	o.sem = child_data[1];
	o.msg = child_data[2];
	track(FAM_SHM, o.shm);
	track(FAM_SEM, o.sem);
	track(FAM_MSG, o.msg);
	ASSERT_EQ(0, r);
	ASSERT_EQ(0, semctl(o.sem, 0, IPC_STAT, u));
	EXPECT_EQ((uid_t)NOBODY_UID, seds.sem_perm.uid);
	EXPECT_EQ((gid_t)NOBODY_GID, seds.sem_perm.cgid);
	EXPECT_EQ(0600U, seds.sem_perm.mode);
	ASSERT_EQ(0, msgctl(o.msg, IPC_STAT, &mds));
	EXPECT_EQ((uid_t)NOBODY_UID, mds.msg_perm.cuid);
	EXPECT_EQ((gid_t)NOBODY_GID, mds.msg_perm.gid);
	/* and the creator can see it */
	EXPECT_EQ(0, run_as_nobody(child_stat, &o));
	EXPECT_EQ(0, get_as(&o, 0600, NULL, 0));
}

TEST_HARNESS_MAIN
