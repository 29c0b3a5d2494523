// SPDX-License-Identifier: GPL-2.0
/*
 * SIGKILL at random points, in blocking and non-blocking operations: what
 * is left must be consistent (semaphore values and wait counts, nattch,
 * msg_qnum/msg_cbytes against what a drain finds, no dead waiter that
 * swallows a wake-up).  Natively the kernel is the oracle.
 * The kill points come from a fixed seed, so a failure can be replayed;
 * SYSVIPC_KILL_SEED changes it.
 */
#include "common.h"

#define ROUNDS 12
#define KIDS 6

static unsigned int seed;

static unsigned int rnd(unsigned int n)
{
	seed = seed * 1103515245U + 12345U;
	return (seed >> 8) % n;
}

static void seed_init(void)
{
	const char *s = getenv("SYSVIPC_KILL_SEED");

	seed = s ? (unsigned int)strtoul(s, NULL, 0) : 12345;
}

/* fork KIDS children running fn(i); kill them at random moments; reap */
static void run_and_kill(void (*fn)(int id, int i), int id, unsigned int max_us)
{
	pid_t pids[KIDS];

	for (int i = 0; i < KIDS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			fn(id, i);
			_exit(0);
		}
	}
	for (int i = 0; i < KIDS; i++) {
		usleep(rnd(max_us));
		if (pids[i] > 0)
			kill(pids[i], SIGKILL);
	}
	for (int i = 0; i < KIDS; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

/* sem 0: down/up pairs with SEM_UNDO; sem 1: blocked forever (value 0) */
static void sem_kid(int id, int i)
{
	struct sembuf down = { 0, -1, SEM_UNDO }, up = { 0, 1, SEM_UNDO };
	struct sembuf block = { 1, -1, (short)(i & 1 ? SEM_UNDO : 0) };
	struct sembuf zero = { 1, 0, 0 };

	if (i % 3 == 2) {
		/* take sem 0 with undo, then block on sem 1 holding it */
		semop(id, &down, 1);
		semop(id, &block, 1);
	}
	if (i % 3 == 1)
		semop(id, &zero, 1), semop(id, &block, 1);
	for (;;) {
		semop(id, &down, 1);
		semop(id, &up, 1);
	}
}

TEST_F(ipc, sem_values_and_waiters_after_kills)
{
	int id = t_semget(IPC_PRIVATE, 2, 0600);
	union semun u = { .val = 3 };

	ASSERT_GE(id, 0);
	seed_init();
	ASSERT_EQ(0, semctl(id, 0, SETVAL, u));
	for (int r = 0; r < ROUNDS; r++) {
		run_and_kill(sem_kid, id, 20000);
		ASSERT_EQ(3, semctl(id, 0, GETVAL)) TH_LOG("round %d", r);
		ASSERT_EQ(0, semctl(id, 1, GETVAL));
		ASSERT_EQ(0, semctl(id, 0, GETNCNT));
		ASSERT_EQ(0, semctl(id, 1, GETNCNT)) TH_LOG("round %d", r);
		ASSERT_EQ(0, semctl(id, 1, GETZCNT));
	}
	/* no dead waiter takes a wake-up: an up on sem 1 stays there */
	{
		struct sembuf up = { 1, 1, 0 }, down = { 1, -1, IPC_NOWAIT };

		ASSERT_EQ(0, semop(id, &up, 1));
		ASSERT_EQ(1, semctl(id, 1, GETVAL));
		ASSERT_EQ(0, semop(id, &down, 1));
	}
}

struct msg { long mtype; char t[24]; };

/*
 * kids 0,1: blocked receivers of type 7 (never sent before the kill)
 * kids 2,3: senders blocked on the full queue
 * kids 4,5: non-blocking send/receive pairs
 */
static void msg_kid(int id, int i)
{
	struct msg m = { 1, "payload" };

	if (i < 2)
		for (;;)
			msgrcv(id, &m, sizeof(m.t), 7, 0);
	if (i < 4)
		for (;;)
			msgsnd(id, &m, sizeof(m.t), 0);
	for (;;) {
		m.mtype = 2;
		msgsnd(id, &m, sizeof(m.t), IPC_NOWAIT);
		msgrcv(id, &m, sizeof(m.t), 2, IPC_NOWAIT);
	}
}

TEST_F(ipc, msg_queue_consistent_after_kills)
{
	int id = t_msgget(IPC_PRIVATE, 0600);
	struct msqid_ds ds;
	struct msg m = { 1, "payload" };

	ASSERT_GE(id, 0);
	seed_init();
	ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
	ds.msg_qbytes = 10 * sizeof(m.t);
	ASSERT_EQ(0, msgctl(id, IPC_SET, &ds));
	for (int r = 0; r < ROUNDS; r++) {
		unsigned long n = 0, bytes = 0;

		/* half full, so both blocked senders and pairs make progress */
		while (msgsnd(id, &m, sizeof(m.t), IPC_NOWAIT) == 0 && ++n < 8)
			;
		run_and_kill(msg_kid, id, 20000);
		ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
		n = 0;
		while (msgrcv(id, &m, sizeof(m.t), 0, IPC_NOWAIT) >= 0) {
			n++;
			bytes += sizeof(m.t);
		}
		ASSERT_EQ(ENOMSG, errno);
		ASSERT_EQ(ds.msg_qnum, n) TH_LOG("round %d", r);
		ASSERT_EQ(ds.msg_cbytes, bytes);
		ASSERT_EQ(0, msgctl(id, IPC_STAT, &ds));
		ASSERT_EQ(0, ds.msg_qnum);
		ASSERT_EQ(0, ds.msg_cbytes);
		/* a type-7 message is not swallowed by a killed receiver */
		m.mtype = 7;
		ASSERT_EQ(0, msgsnd(id, &m, sizeof(m.t), IPC_NOWAIT));
		ASSERT_EQ((ssize_t)sizeof(m.t), msgrcv(id, &m, sizeof(m.t), 7, IPC_NOWAIT));
		m.mtype = 1;
	}
}

/* attach, write, detach; some keep a second attach; some fork first */
static void shm_kid(int id, int i)
{
	if (i == 5)
		fork();	/* the grandchild runs on; killed through the group below */
	for (;;) {
		char *p = shmat(id, NULL, 0);
		char *q = i & 1 ? shmat(id, NULL, SHM_RDONLY) : NULL;

		if (p != (void *)-1) {
			p[0]++;
			shmdt(p);
		}
		if (q && q != (void *)-1)
			shmdt(q);
	}
}

TEST_F(ipc, shm_nattch_after_kills)
{
	int id = t_shmget(IPC_PRIVATE, 8 * PAGE_SZ, 0600);
	struct shmid_ds ds;
	int base = shm_used_ids();

	ASSERT_GE(id, 0);
	seed_init();
	for (int r = 0; r < ROUNDS; r++) {
		pid_t g = fork();

		/* a process group, so the grandchild dies with the rest */
		if (g == 0) {
			setpgid(0, 0);
			run_and_kill(shm_kid, id, 20000);
			_exit(0);
		}
		ASSERT_GT(g, 0);
		waitpid(g, NULL, 0);
		kill(-g, SIGKILL);
		usleep(20000);
		for (int t = 0; t < 100; t++) {
			ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
			if (ds.shm_nattch == 0)
				break;
			usleep(10000);
		}
		ASSERT_EQ(0, ds.shm_nattch) TH_LOG("round %d", r);
	}
	/* removed while attached by children that are then killed: gone */
	{
		pid_t pids[3];

		for (int i = 0; i < 3; i++) {
			pids[i] = fork();
			if (pids[i] == 0) {
				if (shmat(id, NULL, 0) == (void *)-1)
					_exit(1);
				pause();
			}
		}
		usleep(100000);
		ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
		EXPECT_EQ(3, ds.shm_nattch);
		ASSERT_EQ(0, shmctl(id, IPC_RMID, NULL));
		for (int i = 0; i < 3; i++) {
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
		EXPECT_EQ(-1, shmctl(id, IPC_STAT, &ds));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(base - 1, shm_used_ids());
	}
}

TEST_HARNESS_MAIN
