// SPDX-License-Identifier: GPL-2.0
/*
 * Limits: kernel.shmmni/shmmax/shmall, kernel.sem (SEMMSL SEMMNS SEMOPM
 * SEMMNI), kernel.msgmni, and (lib mode) the module parameters that override
 * them.  Every sysctl / parameter touched is restored in the teardown.
 *
 * "In use" counts come from *_INFO (used_ids, semusz/semaem, msgpool), which
 * in each mode count the objects of that implementation only.
 * Reference: ipc/util.c ipc_addid() (ENOSPC at the *mni limit);
 * ipc/shm.c newseg(); ipc/sem.c ksys_semget(), newary(); ipc/msg.c newque().
 */
#include "common.h"

TEST_F(ipc, shmmni_enospc)
{
	int used;

	modparams_follow_sysctl();
	used = shm_used_ids();
	ASSERT_GE(used, 0);
	ASSERT_EQ(0, sysctl_set_ul("shmmni", used + 2));
	ASSERT_GE(t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600), 0);
	ASSERT_GE(t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	/* with a key too */
	EXPECT_EQ(-1, t_shmget(unique_key(), 4096, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	/* freeing one makes room for one */
	ASSERT_EQ(0, shmctl(tracked_ids[FAM_SHM][0], IPC_RMID, NULL));
	ASSERT_GE(t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
}

TEST_F(ipc, msgmni_enospc)
{
	int used;

	modparams_follow_sysctl();
	used = msg_queues_used();
	ASSERT_GE(used, 0);
	ASSERT_EQ(0, sysctl_set_ul("msgmni", used + 2));
	ASSERT_GE(t_msgget(IPC_PRIVATE, IPC_CREAT | 0600), 0);
	ASSERT_GE(t_msgget(IPC_PRIVATE, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_msgget(IPC_PRIVATE, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, t_msgget(unique_key(), IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
}

TEST_F(ipc, semmni_enospc)
{
	struct sem_limits l;
	int used;

	modparams_follow_sysctl();
	used = sem_sets_used();
	ASSERT_GE(used, 0);
	ASSERT_EQ(0, sem_limits_read(&l));
	l.semmni = used + 2;
	ASSERT_EQ(0, sem_limits_set(&l));
	ASSERT_GE(t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600), 0);
	ASSERT_GE(t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(-1, t_semget(unique_key(), 1, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
}

/* a lookup of an existing object is not affected by a full table */
TEST_F(ipc, lookup_ok_at_limit)
{
	struct sem_limits l;
	key_t key = unique_key();
	int shm, sem, msg;

	modparams_follow_sysctl();
	ASSERT_NE(IPC_PRIVATE, key);
	shm = t_shmget(key, 4096, IPC_CREAT | 0600);
	sem = t_semget(key, 2, IPC_CREAT | 0600);
	msg = t_msgget(key, IPC_CREAT | 0600);
	ASSERT_GE(shm, 0);
	ASSERT_GE(sem, 0);
	ASSERT_GE(msg, 0);
	ASSERT_EQ(0, sysctl_set_ul("shmmni", shm_used_ids()));
	ASSERT_EQ(0, sysctl_set_ul("msgmni", msg_queues_used()));
	ASSERT_EQ(0, sem_limits_read(&l));
	l.semmni = sem_sets_used();
	l.semmns = sem_sems_used();
	ASSERT_EQ(0, sem_limits_set(&l));
	EXPECT_EQ(shm, shmget(key, 4096, IPC_CREAT | 0600));
	EXPECT_EQ(sem, semget(key, 2, IPC_CREAT | 0600));
	EXPECT_EQ(msg, msgget(key, IPC_CREAT | 0600));
	EXPECT_EQ(-1, shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600));
	EXPECT_EQ(EEXIST, errno);
}

/* SEMMNS: total semaphores; checked in newary() before SEMMNI */
TEST_F(ipc, semmns_enospc)
{
	struct sem_limits l;
	int used;

	modparams_follow_sysctl();
	used = sem_sems_used();
	ASSERT_GE(used, 0);
	ASSERT_EQ(0, sem_limits_read(&l));
	l.semmns = used + 5;
	ASSERT_EQ(0, sem_limits_set(&l));
	ASSERT_GE(t_semget(IPC_PRIVATE, 3, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_semget(IPC_PRIVATE, 3, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_GE(t_semget(IPC_PRIVATE, 2, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	/* SEM_INFO agrees */
	EXPECT_EQ(used + 5, sem_sems_used());
}

TEST_F(ipc, semmsl_einval)
{
	struct sem_limits l;
	key_t key = unique_key();
	int id;

	modparams_follow_sysctl();
	ASSERT_NE(IPC_PRIVATE, key);
	/* a set of 8, made before SEMMSL is lowered to 4 */
	id = t_semget(key, 8, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, sem_limits_read(&l));
	l.semmsl = 4;
	ASSERT_EQ(0, sem_limits_set(&l));
	EXPECT_EQ(-1, t_semget(IPC_PRIVATE, 5, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_GE(t_semget(IPC_PRIVATE, 4, IPC_CREAT | 0600), 0);
	/* ksys_semget() checks SEMMSL before the lookup, even for a set
	 * that is larger than the new SEMMSL */
	EXPECT_EQ(-1, semget(key, 6, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(id, semget(key, 4, 0));
	EXPECT_EQ(id, semget(key, 0, 0));
}

TEST_F(ipc, semmsl_reported_by_ipc_info)
{
	struct sem_limits l;
	struct seminfo si;
	union semun u = { .__buf = &si };

	modparams_follow_sysctl();
	ASSERT_EQ(0, sem_limits_read(&l));
	l.semmsl = 7;
	l.semopm = 9;
	ASSERT_EQ(0, sem_limits_set(&l));
	ASSERT_GE(semctl(0, 0, IPC_INFO, u), 0);
	EXPECT_EQ(7, si.semmsl);
	EXPECT_EQ(9, si.semopm);
	EXPECT_EQ(l.semmns, si.semmns);
	EXPECT_EQ(l.semmni, si.semmni);
}

TEST_F(ipc, shmmax_einval)
{
	struct shminfo si;
	key_t key = unique_key();
	int id;

	modparams_follow_sysctl();
	ASSERT_NE(IPC_PRIVATE, key);
	id = t_shmget(key, 2 << 20, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, sysctl_set_ul("shmmax", 1 << 20));
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, (1 << 20) + 1, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_GE(t_shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0600), 0);
	/* a lookup compares with the segment's size only (shm_more_checks) */
	EXPECT_EQ(id, shmget(key, 2 << 20, 0));
	ASSERT_GE(shmctl(0, IPC_INFO, (struct shmid_ds *)&si), 0);
	EXPECT_EQ(1UL << 20, si.shmmax);
}

/* SHMALL is in pages; sizes round up to whole pages */
TEST_F(ipc, shmall_enospc)
{
	struct shminfo si;
	long tot;

	modparams_follow_sysctl();
	tot = shm_tot_pages();
	ASSERT_GE(tot, 0);
	ASSERT_EQ(0, sysctl_set_ul("shmall", tot + 3));
	ASSERT_GE(t_shmget(IPC_PRIVATE, 1, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, 2 * PAGE_SZ + 1, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_GE(t_shmget(IPC_PRIVATE, 2 * PAGE_SZ, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(tot + 3, shm_tot_pages());
	ASSERT_GE(shmctl(0, IPC_INFO, (struct shmid_ds *)&si), 0);
	EXPECT_EQ((unsigned long)tot + 3, si.shmall);
	/* removing a segment gives its pages back */
	cleanup_tracked();
	EXPECT_EQ(tot, shm_tot_pages());
	ASSERT_GE(t_shmget(IPC_PRIVATE, 3 * PAGE_SZ, IPC_CREAT | 0600), 0);
}

/* newseg(): size (EINVAL) is checked before shmall (ENOSPC) */
TEST_F(ipc, shm_size_checked_before_shmall)
{
	modparams_follow_sysctl();
	ASSERT_EQ(0, sysctl_set_ul("shmall", 0));
	ASSERT_EQ(0, sysctl_set_ul("shmmax", 1 << 20));
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, 0, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, (1 << 20) + 1, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
}

/* IPC_INFO reports kernel.shmmni as both shmmni and shmseg */
TEST_F(ipc, shm_limits_report_ipc_info)
{
	struct shminfo si;

	modparams_follow_sysctl();
	ASSERT_EQ(0, sysctl_set_ul("shmmni", 17));
	ASSERT_GE(shmctl(0, IPC_INFO, (struct shmid_ds *)&si), 0);
	EXPECT_EQ(17UL, si.shmmni);
	EXPECT_EQ(17UL, si.shmseg);
}

TEST_F(ipc, msg_limits_report_ipc_info)
{
	struct msginfo mi;
	struct msqid_ds ds;

	modparams_follow_sysctl();
	ASSERT_EQ(0, sysctl_set_ul("msgmax", 1000));
	ASSERT_EQ(0, sysctl_set_ul("msgmnb", 3000));
	ASSERT_EQ(0, sysctl_set_ul("msgmni", 123));
	ASSERT_GE(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi), 0);
	EXPECT_EQ(1000, mi.msgmax);
	EXPECT_EQ(3000, mi.msgmnb);
	EXPECT_EQ(123, mi.msgmni);
	/* a new queue's msg_qbytes is msgmnb at creation time */
	ASSERT_GE(t_msgget(IPC_PRIVATE, IPC_CREAT | 0600), 0);
	ASSERT_EQ(0, msgctl(tracked_ids[FAM_MSG][0], IPC_STAT, &ds));
	EXPECT_EQ(3000UL, ds.msg_qbytes);
	ASSERT_EQ(0, sysctl_set_ul("msgmnb", 5000));
	ASSERT_EQ(0, msgctl(tracked_ids[FAM_MSG][0], IPC_STAT, &ds));
	EXPECT_EQ(3000UL, ds.msg_qbytes);
}

/* ---- module parameters (lib mode only) ---- */

#define NEED_MODPARAM(name) do { \
	if (!is_lib_mode()) \
		SKIP(return, "module parameters: lib mode only"); \
	if (!modparam_exists(name)) \
		SKIP(return, "no " MODPARAM_DIR name); \
} while (0)

TEST_F(ipc, modparam_msgmni_overrides_sysctl)
{
	struct msginfo mi;
	int used;

	NEED_MODPARAM("msgmni");
	modparams_follow_sysctl();
	used = msg_queues_used();
	ASSERT_GE(used, 0);
	ASSERT_EQ(0, sysctl_set_ul("msgmni", used + 100));
	ASSERT_EQ(0, modparam_set("msgmni", used + 1));
	ASSERT_GE(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi), 0);
	EXPECT_EQ(used + 1, mi.msgmni);
	ASSERT_GE(t_msgget(IPC_PRIVATE, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_msgget(IPC_PRIVATE, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	/* back to 0: the sysctl is in force again */
	ASSERT_EQ(0, modparam_set("msgmni", 0));
	ASSERT_GE(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi), 0);
	EXPECT_EQ(used + 100, mi.msgmni);
	ASSERT_GE(t_msgget(IPC_PRIVATE, IPC_CREAT | 0600), 0);
}

TEST_F(ipc, modparam_shmmni_overrides_sysctl)
{
	struct shminfo si;
	int used;

	NEED_MODPARAM("shmmni");
	modparams_follow_sysctl();
	used = shm_used_ids();
	ASSERT_GE(used, 0);
	ASSERT_EQ(0, sysctl_set_ul("shmmni", used + 100));
	ASSERT_EQ(0, modparam_set("shmmni", used + 1));
	ASSERT_GE(shmctl(0, IPC_INFO, (struct shmid_ds *)&si), 0);
	EXPECT_EQ((unsigned long)used + 1, si.shmmni);
	ASSERT_GE(t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, modparam_set("shmmni", 0));
	ASSERT_GE(shmctl(0, IPC_INFO, (struct shmid_ds *)&si), 0);
	EXPECT_EQ((unsigned long)used + 100, si.shmmni);
	ASSERT_GE(t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600), 0);
}

TEST_F(ipc, modparam_semmni_overrides_sysctl)
{
	struct sem_limits l;
	struct seminfo si;
	union semun u = { .__buf = &si };
	int used;

	NEED_MODPARAM("semmni");
	modparams_follow_sysctl();
	used = sem_sets_used();
	ASSERT_GE(used, 0);
	ASSERT_EQ(0, sem_limits_read(&l));
	l.semmni = used + 100;
	ASSERT_EQ(0, sem_limits_set(&l));
	ASSERT_EQ(0, modparam_set("semmni", used + 1));
	ASSERT_GE(semctl(0, 0, IPC_INFO, u), 0);
	EXPECT_EQ(used + 1, si.semmni);
	ASSERT_GE(t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600), 0);
	EXPECT_EQ(-1, t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600));
	EXPECT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, modparam_set("semmni", 0));
	ASSERT_GE(semctl(0, 0, IPC_INFO, u), 0);
	EXPECT_EQ(used + 100, si.semmni);
	ASSERT_GE(t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600), 0);
}

TEST_F(ipc, modparam_shmmax_overrides_sysctl)
{
	struct shminfo si;

	NEED_MODPARAM("shmmax");
	modparams_follow_sysctl();
	ASSERT_EQ(0, modparam_set("shmmax", 1 << 20));
	ASSERT_GE(shmctl(0, IPC_INFO, (struct shmid_ds *)&si), 0);
	EXPECT_EQ(1UL << 20, si.shmmax);
	EXPECT_EQ(-1, t_shmget(IPC_PRIVATE, (1 << 20) + 1, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_GE(t_shmget(IPC_PRIVATE, 1 << 20, IPC_CREAT | 0600), 0);
	ASSERT_EQ(0, modparam_set("shmmax", 0));
	ASSERT_GE(t_shmget(IPC_PRIVATE, (1 << 20) + 1, IPC_CREAT | 0600), 0);
}

TEST_F(ipc, modparam_semmsl_overrides_sysctl)
{
	struct seminfo si;
	union semun u = { .__buf = &si };

	NEED_MODPARAM("semmsl");
	modparams_follow_sysctl();
	ASSERT_EQ(0, modparam_set("semmsl", 3));
	ASSERT_GE(semctl(0, 0, IPC_INFO, u), 0);
	EXPECT_EQ(3, si.semmsl);
	EXPECT_EQ(-1, t_semget(IPC_PRIVATE, 4, IPC_CREAT | 0600));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_GE(t_semget(IPC_PRIVATE, 3, IPC_CREAT | 0600), 0);
}

TEST_F(ipc, modparam_msgmnb_sets_new_qbytes)
{
	struct msginfo mi;
	struct msqid_ds ds;

	NEED_MODPARAM("msgmnb");
	modparams_follow_sysctl();
	ASSERT_EQ(0, modparam_set("msgmnb", 2222));
	ASSERT_GE(msgctl(0, IPC_INFO, (struct msqid_ds *)&mi), 0);
	EXPECT_EQ(2222, mi.msgmnb);
	ASSERT_GE(t_msgget(IPC_PRIVATE, IPC_CREAT | 0600), 0);
	ASSERT_EQ(0, msgctl(tracked_ids[FAM_MSG][0], IPC_STAT, &ds));
	EXPECT_EQ(2222UL, ds.msg_qbytes);
}

TEST_HARNESS_MAIN
