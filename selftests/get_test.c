// SPDX-License-Identifier: GPL-2.0
/*
 * shmget / semget / msgget: key lookup, creation, and the order of checks.
 * Reference: ipc/util.c ipcget(), ipcget_new(), ipcget_public();
 * ipc/shm.c newseg(), shm_more_checks(); ipc/sem.c ksys_semget(), newary(),
 * sem_more_checks(); ipc/msg.c newque().
 */
#include "common.h"

/* ---- IPC_PRIVATE ---- */

TEST_F(ipc, private_always_creates)
{
	int a, b;

	a = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	b = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	EXPECT_NE(a, b);

	a = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	b = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	EXPECT_NE(a, b);

	a = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	b = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_GE(a, 0);
	ASSERT_GE(b, 0);
	EXPECT_NE(a, b);
}

/* ipcget_new() ignores IPC_CREAT / IPC_EXCL entirely */
TEST_F(ipc, private_creates_without_ipc_creat)
{
	struct shmid_ds ds;
	int id;

	id = t_shmget(IPC_PRIVATE, 4096, 0);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(0U, ds.shm_perm.mode & 0777);
	EXPECT_EQ(IPC_PRIVATE, ds.shm_perm.__key);

	ASSERT_GE(t_semget(IPC_PRIVATE, 1, 0), 0);
	ASSERT_GE(t_msgget(IPC_PRIVATE, 0), 0);
	ASSERT_GE(t_msgget(IPC_PRIVATE, IPC_EXCL | 0600), 0);
}

/* ---- IPC_CREAT, same key ---- */

TEST_F(ipc, same_key_same_id)
{
	key_t key = unique_key();
	int id;

	ASSERT_NE(IPC_PRIVATE, key);

	id = t_shmget(key, 8192, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(id, shmget(key, 8192, IPC_CREAT | 0600));
	EXPECT_EQ(id, shmget(key, 8192, 0));
	EXPECT_EQ(id, shmget(key, 0, 0));

	id = t_semget(key, 3, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(id, semget(key, 3, IPC_CREAT | 0600));
	EXPECT_EQ(id, semget(key, 3, 0));
	EXPECT_EQ(id, semget(key, 0, 0));

	id = t_msgget(key, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(id, msgget(key, IPC_CREAT | 0600));
	EXPECT_EQ(id, msgget(key, 0));
}

TEST_F(ipc, families_have_separate_keyspaces)
{
	key_t key = unique_key();

	ASSERT_NE(IPC_PRIVATE, key);
	ASSERT_GE(t_shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600), 0);
	/* the same key is still free for the other two families */
	ASSERT_GE(t_semget(key, 1, IPC_CREAT | IPC_EXCL | 0600), 0);
	ASSERT_GE(t_msgget(key, IPC_CREAT | IPC_EXCL | 0600), 0);
}

TEST_F(ipc, excl_on_existing_eexist)
{
	key_t key = unique_key();

	ASSERT_NE(IPC_PRIVATE, key);
	ASSERT_GE(t_shmget(key, 4096, IPC_CREAT | 0600), 0);
	ASSERT_GE(t_semget(key, 2, IPC_CREAT | 0600), 0);
	ASSERT_GE(t_msgget(key, IPC_CREAT | 0600), 0);

	EXPECT_EQ(-1, shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, semget(key, 2, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);
	EXPECT_EQ(-1, msgget(key, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);
}

/* IPC_EXCL without IPC_CREAT is ignored on an existing key */
TEST_F(ipc, excl_without_creat_on_existing_ok)
{
	key_t key = unique_key();
	int id;

	ASSERT_NE(IPC_PRIVATE, key);
	id = t_shmget(key, 4096, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(id, shmget(key, 4096, IPC_EXCL));
	id = t_semget(key, 1, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(id, semget(key, 1, IPC_EXCL));
	id = t_msgget(key, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(id, msgget(key, IPC_EXCL));
}

/* ---- missing key ---- */

TEST_F(ipc, missing_key_enoent)
{
	key_t key = unique_key();

	ASSERT_NE(IPC_PRIVATE, key);
	EXPECT_EQ(-1, shmget(key, 4096, 0600));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, semget(key, 1, 0600));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, msgget(key, 0600));
	EXPECT_EQ(ENOENT, errno);

	/* size/nsems 0 do not matter when nothing is created */
	EXPECT_EQ(-1, shmget(key, 0, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, semget(key, 0, 0));
	EXPECT_EQ(ENOENT, errno);
}

TEST_F(ipc, missing_key_excl_only_enoent)
{
	key_t key = unique_key();

	ASSERT_NE(IPC_PRIVATE, key);
	EXPECT_EQ(-1, shmget(key, 4096, IPC_EXCL | 0600));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, semget(key, 1, IPC_EXCL | 0600));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(-1, msgget(key, IPC_EXCL | 0600));
	EXPECT_EQ(ENOENT, errno);
	/* nothing was created as a side effect */
	EXPECT_TRUE(key_unused(key));
}

/* ---- shmget sizes ---- */

TEST_F(ipc, shm_size_zero_create_einval)
{
	key_t key = unique_key();

	ASSERT_NE(IPC_PRIVATE, key);
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, t_shmget(key, 0, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, t_shmget(key, 0, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(key_unused(key));
}

TEST_F(ipc, shm_size_above_shmmax_einval)
{
	unsigned long shmmax = sysctl_read_ul("shmmax");

	ASSERT_NE(0UL, shmmax);
	if (shmmax < (unsigned long)SIZE_MAX) {
		EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, (size_t)shmmax + 1,
				       IPC_CREAT | 0600));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, SIZE_MAX, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, shm_lookup_size_vs_segsz)
{
	key_t key = unique_key();
	int id;

	ASSERT_NE(IPC_PRIVATE, key);
	/* segsz is the exact requested size, not rounded to pages */
	id = t_shmget(key, 5000, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(id, shmget(key, 5000, 0));
	EXPECT_EQ(id, shmget(key, 1, 0));
	EXPECT_EQ(id, shmget(key, 0, 0));
	EXPECT_EQ(id, shmget(key, 4999, IPC_CREAT | 0600));
	EXPECT_EQ(-1, shmget(key, 5001, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmget(key, 8192, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
}

/* ipcget_public(): IPC_CREAT|IPC_EXCL is checked before shm_more_checks() */
TEST_F(ipc, shm_excl_before_size_check)
{
	key_t key = unique_key();

	ASSERT_NE(IPC_PRIVATE, key);
	ASSERT_GE(t_shmget(key, 4096, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, shmget(key, 1 << 20, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);
	/* size 0 is only checked in newseg(): existing key wins */
	EXPECT_EQ(-1, shmget(key, 0, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);
}

TEST_F(ipc, shmall_exhausted_enospc)
{
	long tot = shm_tot_pages();

	modparams_follow_sysctl();
	ASSERT_GE(tot, 0);
	/* room for exactly one more page */
	ASSERT_EQ(0, sysctl_set_ul("shmall", (unsigned long)tot + 1));
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, 2 * PAGE_SZ, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_GE(t_shmget(IPC_PRIVATE, PAGE_SZ, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
}

/* ---- semget nsems ---- */

TEST_F(ipc, sem_nsems_negative_einval)
{
	key_t key = unique_key();

	ASSERT_NE(IPC_PRIVATE, key);
	EXPECT_EQ(-1, t_semget(IPC_PRIVATE, -1, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	/* checked in ksys_semget() before the key is even looked up */
	EXPECT_EQ(-1, t_semget(key, -1, 0));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_GE(t_semget(key, 1, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, semget(key, -1, 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, sem_nsems_above_semmsl_einval)
{
	struct sem_limits l;
	key_t key = unique_key();

	ASSERT_NE(IPC_PRIVATE, key);
	ASSERT_EQ(0, sem_limits_read(&l));
	EXPECT_EQ(-1, t_semget(IPC_PRIVATE, l.semmsl + 1, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	/* before lookup: a missing key gives EINVAL, not ENOENT */
	EXPECT_EQ(-1, t_semget(key, l.semmsl + 1, 0));
	EXPECT_EQ(EINVAL, errno);
	/* ... and an existing key with IPC_EXCL gives EINVAL, not EEXIST */
	ASSERT_GE(t_semget(key, 1, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, semget(key, l.semmsl + 1, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, sem_nsems_zero)
{
	key_t key = unique_key();
	int id;

	ASSERT_NE(IPC_PRIVATE, key);
	EXPECT_EQ(-1, t_semget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, t_semget(key, 0, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(key_unused(key));

	id = t_semget(key, 4, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(id, semget(key, 0, 0));
	EXPECT_EQ(id, semget(key, 0, IPC_CREAT | 0600));
}

TEST_F(ipc, sem_lookup_nsems_vs_set)
{
	key_t key = unique_key();
	int id;

	ASSERT_NE(IPC_PRIVATE, key);
	id = t_semget(key, 4, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	EXPECT_EQ(id, semget(key, 4, 0));
	EXPECT_EQ(id, semget(key, 1, 0));
	EXPECT_EQ(-1, semget(key, 5, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, semget(key, 5, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	/* IPC_EXCL is checked first */
	EXPECT_EQ(-1, semget(key, 5, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);
}

/* ---- order of checks against permissions ---- */

struct get_args {
	key_t key;
	size_t size;
	int flg;
};

static int child_shmget(void *p)
{
	struct get_args *a = p;

	return ERRNO_OF(shmget(a->key, a->size, a->flg));
}

static int child_semget(void *p)
{
	struct get_args *a = p;

	return ERRNO_OF(semget(a->key, (int)a->size, a->flg));
}

static int child_msgget(void *p)
{
	struct get_args *a = p;

	return ERRNO_OF(msgget(a->key, a->flg));
}

/*
 * ipcget_public(): EEXIST, then more_checks (EINVAL), then ipcperms
 * (EACCES).  An unprivileged caller sees EEXIST / EINVAL on a root-only
 * object before it sees EACCES.
 */
TEST_F(ipc, get_checks_before_permissions)
{
	key_t key = unique_key();
	struct get_args a = { .key = key };

	ASSERT_NE(IPC_PRIVATE, key);
	ASSERT_GE(t_shmget(key, 4096, IPC_CREAT | 0600), 0);
	ASSERT_GE(t_semget(key, 2, IPC_CREAT | 0600), 0);
	ASSERT_GE(t_msgget(key, IPC_CREAT | 0600), 0);

	a.size = 4096;
	a.flg = IPC_CREAT | IPC_EXCL | 0600;
	EXPECT_EQ(EEXIST, run_as_nobody(child_shmget, &a));
	a.size = 2;
	EXPECT_EQ(EEXIST, run_as_nobody(child_semget, &a));
	EXPECT_EQ(EEXIST, run_as_nobody(child_msgget, &a));

	a.flg = 0600;
	a.size = 8192;
	EXPECT_EQ(EINVAL, run_as_nobody(child_shmget, &a));
	a.size = 3;
	EXPECT_EQ(EINVAL, run_as_nobody(child_semget, &a));

	a.size = 4096;
	EXPECT_EQ(EACCES, run_as_nobody(child_shmget, &a));
	a.size = 2;
	EXPECT_EQ(EACCES, run_as_nobody(child_semget, &a));
	EXPECT_EQ(EACCES, run_as_nobody(child_msgget, &a));
}

/* ---- removal ---- */

TEST_F(ipc, removed_key_gone_and_recreatable)
{
	key_t key = unique_key();
	int id, id2;

	ASSERT_NE(IPC_PRIVATE, key);

	id = t_shmget(key, 4096, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(-1, shmget(key, 4096, 0));
	EXPECT_EQ(ENOENT, errno);
	id2 = t_shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
	ASSERT_GE(id2, 0);
	EXPECT_NE(id, id2);

	id = t_semget(key, 1, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	EXPECT_EQ(-1, semget(key, 1, 0));
	EXPECT_EQ(ENOENT, errno);
	id2 = t_semget(key, 1, IPC_CREAT | IPC_EXCL | 0600);
	ASSERT_GE(id2, 0);
	EXPECT_NE(id, id2);

	id = t_msgget(key, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	EXPECT_EQ(-1, msgget(key, 0));
	EXPECT_EQ(ENOENT, errno);
	id2 = t_msgget(key, IPC_CREAT | IPC_EXCL | 0600);
	ASSERT_GE(id2, 0);
	EXPECT_NE(id, id2);
}

TEST_F(ipc, ids_differ)
{
	int ids[8];

	for (int i = 0; i < 8; i++) {
		ids[i] = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
		ASSERT_GE(ids[i], 0);
		for (int j = 0; j < i; j++)
			EXPECT_NE(ids[j], ids[i]);
	}
	for (int i = 0; i < 8; i++) {
		ids[i] = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
		ASSERT_GE(ids[i], 0);
		for (int j = 0; j < i; j++)
			EXPECT_NE(ids[j], ids[i]);
	}
	for (int i = 0; i < 8; i++) {
		ids[i] = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
		ASSERT_GE(ids[i], 0);
		for (int j = 0; j < i; j++)
			EXPECT_NE(ids[j], ids[i]);
	}
}

/* a freed id is not handed out again right away (cyclic idr, seq) */
TEST_F(ipc, removed_id_not_reused_immediately)
{
	int id, id2;

	id = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	id2 = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
	ASSERT_GE(id2, 0);
	EXPECT_NE(id, id2);

	id = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	id2 = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	ASSERT_GE(id2, 0);
	EXPECT_NE(id, id2);

	id = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	id2 = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_GE(id2, 0);
	EXPECT_NE(id, id2);
}

TEST_F(ipc, stale_shm_id_einval)
{
	struct shmid_ds ds;
	int id = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(-1, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(id, IPC_SET, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, shmctl(id, IPC_RMID, NULL));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, stale_sem_id_einval)
{
	struct semid_ds ds;
	union semun u = { .buf = &ds };
	int id = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, semctl(id, 0, IPC_STAT, u));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	EXPECT_EQ(-1, semctl(id, 0, IPC_STAT, u));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, semctl(id, 0, IPC_SET, u));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, semctl(id, 0, IPC_RMID));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, stale_msg_id_einval)
{
	struct msqid_ds ds;
	int id = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
	ASSERT_EQ(0, msgctl(id, IPC_RMID, NULL));
	EXPECT_EQ(-1, msgctl(id, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(id, IPC_SET, &ds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(id, IPC_RMID, NULL));
	EXPECT_EQ(EINVAL, errno);
}

/* an id whose index is in use but whose sequence number is wrong */
TEST_F(ipc, wrong_seq_einval)
{
	struct shmid_ds sds;
	struct msqid_ds mds;
	struct semid_ds seds;
	union semun u = { .buf = &seds };
	int shm = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	int sem = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	int msg = t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);

	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);
	/* flip one bit of the sequence number (bits 15..30) */
	EXPECT_EQ(-1, shmctl(shm ^ (1 << 15), IPC_STAT, &sds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, semctl(sem ^ (1 << 15), 0, IPC_STAT, u));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(msg ^ (1 << 15), IPC_STAT, &mds));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msgctl(msg ^ (1 << 15), IPC_RMID, NULL));
	EXPECT_EQ(EINVAL, errno);
	/* the real object is untouched */
	EXPECT_EQ(0, msgctl(msg, IPC_STAT, &mds));
}

TEST_HARNESS_MAIN
