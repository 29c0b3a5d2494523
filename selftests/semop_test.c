// SPDX-License-Identifier: GPL-2.0
/*
 * semop / semtimedop and SEM_UNDO.
 *
 * Every case runs against the kernel (plain build, the oracle) and against
 * the module (lib build); the expectations are 6.1's.
 * Reference: ipc/sem.c do_semtimedop(), __do_semtimedop(),
 * perform_atomic_semop(), update_queue(), wake_const_ops(), count_semcnt(),
 * find_alloc_undo(), exit_sem(), freeary(), semctl_setval().
 */
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <linux/sysvipc.h>
#include "common.h"

/* ---- helpers ---- */

static int getval(int id, int num)
{
	return semctl(id, num, GETVAL);
}

/* A child doing one semop and reporting its errno (0 on success). */
struct op_arg {
	int id;
	int nsops;
	struct sembuf sops[4];
	long timeout_ms;	/* semtimedop if > 0 */
};

static int child_op(void *p)
{
	struct op_arg *a = p;
	struct timespec ts = {
		.tv_sec = a->timeout_ms / 1000,
		.tv_nsec = (a->timeout_ms % 1000) * 1000000,
	};
	int ret;

	if (a->timeout_ms > 0)
		ret = semtimedop(a->id, a->sops, a->nsops, &ts);
	else
		ret = semop(a->id, a->sops, a->nsops);
	return ret < 0 ? errno : 0;
}

static pid_t spawn_op1(struct op_arg *a, int id, unsigned short num,
		       short op, short flg)
{
	memset(a, 0, sizeof(*a));
	a->id = id;
	a->nsops = 1;
	a->sops[0].sem_num = num;
	a->sops[0].sem_op = op;
	a->sops[0].sem_flg = flg;
	return spawn_child(child_op, a);
}

/* ---- argument errors ---- */

TEST_F(ipc, nsops_zero_einval)
{
	struct sembuf sb = { 0, 1, 0 };
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(-1, semop(id, &sb, 0));
	EXPECT_EQ(EINVAL, errno);
	/* checked before the operations are read */
	EXPECT_EQ(-1, semop(id, unmapped_addr(), 0));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, nsops_over_semopm_e2big)
{
	struct sem_limits l;
	struct sembuf *sops;
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	modparams_follow_sysctl();
	ASSERT_EQ(0, sem_limits_read(&l));
	sops = calloc(l.semopm + 1, sizeof(*sops));
	ASSERT_NE(NULL, sops);
	EXPECT_EQ(-1, semop(id, sops, l.semopm + 1));
	EXPECT_EQ(E2BIG, errno);
	/* before the set is looked up or the operations read */
	EXPECT_EQ(-1, semop(-1, sops, l.semopm + 1));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(-1, semop(id, unmapped_addr(), l.semopm + 1));
	EXPECT_EQ(E2BIG, errno);
	/* exactly SEMOPM is fine: semopm increments of 0 (wait-for-zero) */
	EXPECT_EQ(0, semop(id, sops, l.semopm));
	free(sops);
}

TEST_F(ipc, semopm_sysctl_followed)
{
	struct sem_limits l, small;
	struct sembuf sops[4] = { { 0, 1, 0 }, { 0, 1, 0 }, { 0, 1, 0 },
				  { 0, 1, 0 } };
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	modparams_follow_sysctl();
	ASSERT_EQ(0, sem_limits_read(&l));
	small = l;
	small.semopm = 3;
	ASSERT_EQ(0, sem_limits_set(&small));
	EXPECT_EQ(-1, semop(id, sops, 4));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(0, semop(id, sops, 3));
	EXPECT_EQ(3, getval(id, 0));
}

TEST_F(ipc, sem_num_efbig)
{
	struct sembuf sops[2] = { { 0, 1, 0 }, { 3, 1, 0 } };
	int id = new_set(3, 0, 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(-1, semop(id, sops, 2));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(0, getval(id, 0));
	sops[1].sem_num = 65535;
	EXPECT_EQ(-1, semop(id, sops, 2));
	EXPECT_EQ(EFBIG, errno);
	sops[1].sem_num = 2;
	EXPECT_EQ(0, semop(id, sops, 2));
}

TEST_F(ipc, bad_id_einval)
{
	struct sembuf sb = { 0, 1, 0 };
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(-1, semop(-1, &sb, 1));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	/* a removed set's id */
	EXPECT_EQ(-1, semop(id, &sb, 1));
	EXPECT_EQ(EINVAL, errno);
	sb.sem_flg = SEM_UNDO;
	EXPECT_EQ(-1, semop(id, &sb, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, efault)
{
	struct sembuf sb = { 0, -1, 0 };
	struct timespec ts = { 0, 0 };
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(-1, semop(id, unmapped_addr(), 1));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, semtimedop(id, &sb, 1, unmapped_addr()));
	EXPECT_EQ(EFAULT, errno);
	/* the timeout is read first */
	EXPECT_EQ(-1, semtimedop(id, &sb, 0, unmapped_addr()));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, semtimedop(id, &sb, 1, &ts));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(ipc, bad_timeout_einval)
{
	struct sembuf sb = { 0, -1, 0 };
	struct timespec bad[] = {
		{ 0, 1000000000 }, { 0, -1 }, { -1, 0 }, { 1, 1000000000 },
	};
	int id = new_set(1, 1, 0600);

	ASSERT_GE(id, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		EXPECT_EQ(-1, semtimedop(id, &sb, 1, &bad[i]));
		EXPECT_EQ(EINVAL, errno);
	}
	/* checked even when the operation would not wait */
	EXPECT_EQ(1, getval(id, 0));
	/* a bad timeout and a bad id: EINVAL either way */
	EXPECT_EQ(-1, semtimedop(-1, &sb, 1, &bad[0]));
	EXPECT_EQ(EINVAL, errno);
}

static int id_for_child;

static int try_alter(void *p)
{
	(void)p;
	return ERRNO_OF(op1(id_for_child, 0, 1, IPC_NOWAIT));
}

static int try_zero(void *p)
{
	(void)p;
	return ERRNO_OF(op1(id_for_child, 0, 0, IPC_NOWAIT));
}

TEST_F(ipc, eacces)
{
	/* read-only for others: wait-for-zero allowed, alter denied */
	id_for_child = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0604);
	ASSERT_GE(id_for_child, 0);
	EXPECT_EQ(EACCES, run_as_nobody(try_alter, NULL));
	EXPECT_EQ(0, run_as_nobody(try_zero, NULL));
	/* write-only for others: alter allowed, wait-for-zero denied */
	id_for_child = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0602);
	ASSERT_GE(id_for_child, 0);
	EXPECT_EQ(0, run_as_nobody(try_alter, NULL));
	EXPECT_EQ(1, getval(id_for_child, 0));
	EXPECT_EQ(EACCES, run_as_nobody(try_zero, NULL));
	/* nothing for others */
	id_for_child = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_GE(id_for_child, 0);
	EXPECT_EQ(EACCES, run_as_nobody(try_alter, NULL));
	EXPECT_EQ(EACCES, run_as_nobody(try_zero, NULL));
}

TEST_F(ipc, erange_semvmx)
{
	struct sembuf sops[2] = { { 0, -1, 0 }, { 1, 2, 0 } };
	int id = new_set(2, 0, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 0, 5));
	ASSERT_EQ(0, setval(id, 1, SEMVMX - 1));
	EXPECT_EQ(0, op1(id, 1, 1, 0));
	EXPECT_EQ(-1, op1(id, 1, 1, 0));
	EXPECT_EQ(ERANGE, errno);
	/* halfway through an array: nothing applied */
	sops[1].sem_num = 1;
	EXPECT_EQ(-1, semop(id, sops, 2));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(5, getval(id, 0));
	EXPECT_EQ(SEMVMX, getval(id, 1));
	/* intermediate values count: +1 then -1 on the same semaphore */
	sops[0] = (struct sembuf){ 1, 1, 0 };
	sops[1] = (struct sembuf){ 1, -1, 0 };
	EXPECT_EQ(-1, semop(id, sops, 2));
	EXPECT_EQ(ERANGE, errno);
	/* a blocking operation before the overflow wins (EAGAIN) */
	sops[0] = (struct sembuf){ 0, -6, IPC_NOWAIT };
	sops[1] = (struct sembuf){ 1, 1, 0 };
	EXPECT_EQ(-1, semop(id, sops, 2));
	EXPECT_EQ(EAGAIN, errno);
	/* SETVAL beyond SEMVMX */
	EXPECT_EQ(-1, setval(id, 0, SEMVMX + 1));
	EXPECT_EQ(ERANGE, errno);
}

TEST_F(ipc, erange_semaem_undo)
{
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 0, SEMVMX));
	/* adjustment +32767 */
	EXPECT_EQ(0, op1(id, 0, -SEMVMX, SEM_UNDO));
	EXPECT_EQ(0, op1(id, 0, 1, 0));
	/* +32768 would exceed SEMAEM */
	EXPECT_EQ(-1, op1(id, 0, -1, SEM_UNDO));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(1, getval(id, 0));
	/* without SEM_UNDO it is fine */
	EXPECT_EQ(0, op1(id, 0, -1, 0));
	/* the other way: -32768 is the lowest adjustment */
	ASSERT_EQ(0, setval(id, 0, 0));	/* clears the adjustment */
	EXPECT_EQ(0, op1(id, 0, SEMVMX, SEM_UNDO));
	EXPECT_EQ(0, op1(id, 0, -SEMVMX, 0));
	EXPECT_EQ(0, op1(id, 0, 1, SEM_UNDO));
	EXPECT_EQ(-1, op1(id, 0, 1, SEM_UNDO));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(1, getval(id, 0));
}

TEST_F(ipc, nowait_eagain)
{
	struct sembuf sops[2] = { { 0, -1, 0 }, { 1, -1, IPC_NOWAIT } };
	int id = new_set(2, 0, 0600);

	ASSERT_GE(id, 0);
	EXPECT_EQ(-1, op1(id, 0, -1, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, op1(id, 0, 0, IPC_NOWAIT));
	ASSERT_EQ(0, setval(id, 0, 1));
	EXPECT_EQ(-1, op1(id, 0, 0, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	/* the flag of the blocking operation decides */
	EXPECT_EQ(-1, semop(id, sops, 2));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, getval(id, 0));
	EXPECT_EQ(0, semctl(id, 0, GETNCNT));
}

TEST_F(ipc, timeout_eagain)
{
	struct sembuf sb = { 0, -1, 0 };
	struct timespec ts = { 0, 200000000 };
	double t0, dt;
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	t0 = now_s();
	EXPECT_EQ(-1, semtimedop(id, &sb, 1, &ts));
	EXPECT_EQ(EAGAIN, errno);
	dt = now_s() - t0;
	EXPECT_GE(dt, 0.15);
	EXPECT_LE(dt, 3.0);
	EXPECT_EQ(0, semctl(id, 0, GETNCNT));
	/* zero timeout: fails at once when it would wait */
	ts.tv_nsec = 0;
	EXPECT_EQ(-1, semtimedop(id, &sb, 1, &ts));
	EXPECT_EQ(EAGAIN, errno);
	/* and succeeds when it would not */
	ASSERT_EQ(0, setval(id, 0, 1));
	EXPECT_EQ(0, semtimedop(id, &sb, 1, &ts));
	EXPECT_EQ(0, getval(id, 0));
	/* wait-for-zero with a timeout */
	ASSERT_EQ(0, setval(id, 0, 1));
	sb.sem_op = 0;
	ts.tv_nsec = 100000000;
	EXPECT_EQ(-1, semtimedop(id, &sb, 1, &ts));
	EXPECT_EQ(EAGAIN, errno);
	/* NULL timeout = semop */
	ASSERT_EQ(0, setval(id, 0, 0));
	EXPECT_EQ(0, semtimedop(id, &sb, 1, NULL));
}

TEST_F(ipc, timeout_woken_in_time)
{
	struct op_arg a = { .nsops = 1, .timeout_ms = 5000,
			    .sops = { { 0, -1, 0 } } };
	pid_t pid;
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	a.id = id;
	pid = spawn_child(child_op, &a);
	ASSERT_GT(pid, 0);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(0, getval(id, 0));
}

/* ---- atomicity ---- */

TEST_F(ipc, atomic_nowait)
{
	struct sembuf sops[3] = { { 0, -1, 0 }, { 1, 1, 0 },
				  { 2, -1, IPC_NOWAIT } };
	int id = new_set(3, 0, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 0, 1));
	EXPECT_EQ(-1, semop(id, sops, 3));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(1, getval(id, 0));
	EXPECT_EQ(0, getval(id, 1));
	EXPECT_EQ(0, getval(id, 2));
	ASSERT_EQ(0, setval(id, 2, 1));
	EXPECT_EQ(0, semop(id, sops, 3));
	EXPECT_EQ(0, getval(id, 0));
	EXPECT_EQ(1, getval(id, 1));
	EXPECT_EQ(0, getval(id, 2));
}

TEST_F(ipc, atomic_blocking_array)
{
	struct op_arg a = { .nsops = 2, .sops = { { 0, -1, 0 }, { 1, -1, 0 } } };
	pid_t pid;
	int id = new_set(2, 0, 0600);

	ASSERT_GE(id, 0);
	a.id = id;
	ASSERT_EQ(0, setval(id, 0, 1));
	pid = spawn_child(child_op, &a);
	ASSERT_GT(pid, 0);
	/* it waits on semaphore 1 and has not taken semaphore 0 */
	ASSERT_TRUE(wait_for(id, 1, GETNCNT, 1));
	EXPECT_EQ(0, semctl(id, 0, GETNCNT));
	EXPECT_EQ(1, getval(id, 0));
	/* another process can take semaphore 0 meanwhile ... */
	EXPECT_EQ(0, op1(id, 0, -1, IPC_NOWAIT));
	EXPECT_EQ(0, op1(id, 1, 1, 0));
	/* ... and now the waiter blocks on semaphore 0 */
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	EXPECT_EQ(1, getval(id, 1));
	EXPECT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(0, getval(id, 0));
	EXPECT_EQ(0, getval(id, 1));
}

/* ---- sempid, sem_otime ---- */

TEST_F(ipc, sempid_otime)
{
	struct semid_ds ds;
	union semun u = { .buf = &ds };
	struct sembuf sops[2] = { { 0, 1, 0 }, { 1, 0, 0 } };
	struct op_arg a;
	pid_t pid;
	int id = new_set(3, 0, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, semctl(id, 0, IPC_STAT, u));
	EXPECT_EQ(0, ds.sem_otime);
	/* a failed operation changes neither */
	EXPECT_EQ(-1, op1(id, 0, -1, IPC_NOWAIT));
	ASSERT_EQ(0, semctl(id, 0, IPC_STAT, u));
	EXPECT_EQ(0, ds.sem_otime);
	/* a wait-for-zero stamps both, for every semaphore it names */
	pid = spawn_op1(&a, id, 2, 0, 0);
	ASSERT_GT(pid, 0);
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(pid, semctl(id, 2, GETPID));
	/* SETVAL (in new_set) recorded us */
	EXPECT_EQ(getpid(), semctl(id, 0, GETPID));
	ASSERT_EQ(0, semctl(id, 0, IPC_STAT, u));
	EXPECT_TRUE(time_near_now(ds.sem_otime, 5));
	/* an array stamps all its semaphores */
	EXPECT_EQ(0, semop(id, sops, 2));
	EXPECT_EQ(getpid(), semctl(id, 0, GETPID));
	EXPECT_EQ(getpid(), semctl(id, 1, GETPID));
	EXPECT_EQ(pid, semctl(id, 2, GETPID));
	/* a waiter completed by another process records its own pid */
	pid = spawn_op1(&a, id, 1, -1, 0);
	ASSERT_GT(pid, 0);
	ASSERT_TRUE(wait_for(id, 1, GETNCNT, 1));
	EXPECT_EQ(0, op1(id, 1, 1, 0));
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(pid, semctl(id, 1, GETPID));
}

/* ---- wake-up order and counts ---- */

TEST_F(ipc, wake_order_simple_fifo)
{
	struct op_arg a, b;
	pid_t pa, pb;
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	pa = spawn_op1(&a, id, 0, -1, 0);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	pb = spawn_op1(&b, id, 0, -1, 0);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 2));
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(pa, wait(NULL));
	EXPECT_EQ(1, semctl(id, 0, GETNCNT));
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(pb, wait(NULL));
}

TEST_F(ipc, wake_order_small_decrement_passes)
{
	struct op_arg a, b;
	pid_t pa, pb;
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	/* -2 first, -1 second: a +1 lets the second through */
	pa = spawn_op1(&a, id, 0, -2, 0);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	pb = spawn_op1(&b, id, 0, -1, 0);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 2));
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(pb, wait(NULL));
	EXPECT_EQ(1, semctl(id, 0, GETNCNT));
	EXPECT_EQ(0, getval(id, 0));
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	usleep(100000);
	EXPECT_EQ(1, semctl(id, 0, GETNCNT));
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(pa, wait(NULL));
	EXPECT_EQ(0, getval(id, 0));
}

TEST_F(ipc, wake_order_complex_queue)
{
	struct op_arg c = { .nsops = 2, .sops = { { 0, -1, 0 }, { 1, -1, 0 } } };
	struct op_arg s;
	pid_t pc, ps;
	int id = new_set(2, 0, 0600);

	ASSERT_GE(id, 0);
	c.id = id;
	/* a complex waiter first, then a simple one on semaphore 0 */
	pc = spawn_child(child_op, &c);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	ps = spawn_op1(&s, id, 0, -1, 0);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 2));
	/* semaphore 0 alone: the complex one still waits for 1 */
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(ps, wait(NULL));
	/* the complex waiter now blocks on semaphore 0 again */
	EXPECT_EQ(1, semctl(id, 0, GETNCNT));
	EXPECT_EQ(0, semctl(id, 1, GETNCNT));
	/* both at once in one array */
	struct sembuf up[2] = { { 0, 1, 0 }, { 1, 1, 0 } };

	ASSERT_EQ(0, semop(id, up, 2));
	EXPECT_EQ(pc, wait(NULL));
	EXPECT_EQ(0, getval(id, 0));
	EXPECT_EQ(0, getval(id, 1));
}

TEST_F(ipc, wait_for_zero)
{
	struct op_arg z1, z2, d;
	pid_t p1, p2, pd;
	int id = new_set(1, 2, 0600);

	ASSERT_GE(id, 0);
	p1 = spawn_op1(&z1, id, 0, 0, 0);
	p2 = spawn_op1(&z2, id, 0, 0, 0);
	ASSERT_TRUE(wait_for(id, 0, GETZCNT, 2));
	EXPECT_EQ(0, semctl(id, 0, GETNCNT));
	/* a decrement to zero completes a waiter that then wakes the zeros */
	pd = spawn_op1(&d, id, 0, -3, 0);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(0, reap_child(pd));
	EXPECT_EQ(0, reap_child(p1));
	EXPECT_EQ(0, reap_child(p2));
	EXPECT_EQ(0, semctl(id, 0, GETZCNT));
	/* wait-for-zero on a semaphore already at zero does not wait */
	EXPECT_EQ(0, op1(id, 0, 0, 0));
}

TEST_F(ipc, getncnt_getzcnt)
{
	struct op_arg n[3], z[2], cx, cz;
	pid_t pids[7];
	int np = 0, id = new_set(3, 0, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 1, 1));
	for (int i = 0; i < 3; i++)
		pids[np++] = spawn_op1(&n[i], id, 0, -1, 0);
	for (int i = 0; i < 2; i++)
		pids[np++] = spawn_op1(&z[i], id, 1, 0, 0);
	/* complex: blocks on semaphore 0 first, counts only there */
	memset(&cx, 0, sizeof(cx));
	cx.id = id;
	cx.nsops = 3;
	cx.sops[0] = (struct sembuf){ 2, 1, 0 };
	cx.sops[1] = (struct sembuf){ 0, -1, 0 };
	cx.sops[2] = (struct sembuf){ 1, 0, 0 };
	pids[np++] = spawn_child(child_op, &cx);
	/* complex wait-for-zero: blocks on semaphore 1 */
	memset(&cz, 0, sizeof(cz));
	cz.id = id;
	cz.nsops = 2;
	cz.sops[0] = (struct sembuf){ 2, 0, 0 };
	cz.sops[1] = (struct sembuf){ 1, 0, 0 };
	pids[np++] = spawn_child(child_op, &cz);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 4));
	ASSERT_TRUE(wait_for(id, 1, GETZCNT, 3));
	EXPECT_EQ(0, semctl(id, 0, GETZCNT));
	EXPECT_EQ(0, semctl(id, 1, GETNCNT));
	EXPECT_EQ(0, semctl(id, 2, GETNCNT));
	EXPECT_EQ(0, semctl(id, 2, GETZCNT));
	EXPECT_EQ(0, getval(id, 2));
	/* semnum out of range */
	EXPECT_EQ(-1, semctl(id, 3, GETNCNT));
	EXPECT_EQ(EINVAL, errno);
	/* release everything: 4 for semaphore 0, semaphore 1 to zero */
	struct sembuf rel[2] = { { 0, 4, 0 }, { 1, -1, 0 } };

	ASSERT_EQ(0, semop(id, rel, 2));
	for (int i = 0; i < np; i++) {
		EXPECT_EQ(0, reap_child(pids[i]));
	}
	EXPECT_EQ(0, semctl(id, 0, GETNCNT));
	EXPECT_EQ(0, semctl(id, 1, GETZCNT));
	EXPECT_EQ(0, getval(id, 0));
	EXPECT_EQ(1, getval(id, 2));
}

TEST_F(ipc, setval_setall_wake)
{
	unsigned short vals[2] = { 2, 0 };
	union semun u = { .array = vals };
	struct op_arg a, b, z;
	pid_t pa, pb, pz;
	int id = new_set(2, 0, 0600);

	ASSERT_GE(id, 0);
	pa = spawn_op1(&a, id, 0, -1, 0);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	ASSERT_EQ(0, setval(id, 0, 1));
	EXPECT_EQ(0, reap_child(pa));
	EXPECT_EQ(0, getval(id, 0));
	ASSERT_EQ(0, setval(id, 1, 3));
	pb = spawn_op1(&b, id, 0, -2, 0);
	pz = spawn_op1(&z, id, 1, 0, 0);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	ASSERT_TRUE(wait_for(id, 1, GETZCNT, 1));
	ASSERT_EQ(0, semctl(id, 0, SETALL, u));
	EXPECT_EQ(0, reap_child(pb));
	EXPECT_EQ(0, reap_child(pz));
	EXPECT_EQ(0, getval(id, 0));
}

/* ---- EINTR, EIDRM ---- */

static void on_usr1(int sig)
{
	(void)sig;
}

struct intr_arg {
	int id;
	int restart;
	int timed;
};

static int child_intr(void *p)
{
	struct intr_arg *a = p;
	struct sigaction sa = { .sa_handler = on_usr1 };
	struct sembuf sb = { 0, -1, 0 };
	struct timespec ts = { 20, 0 };
	int ret;

	sa.sa_flags = a->restart ? SA_RESTART : 0;
	sigaction(SIGUSR1, &sa, NULL);
	ret = a->timed ? semtimedop(a->id, &sb, 1, &ts) : semop(a->id, &sb, 1);
	if (ret == 0)
		return CHILD_UNEXPECTED_OK;
	if (errno != EINTR)
		return errno;
	/* it left the queue */
	return semctl(a->id, 0, GETNCNT) == 0 ? 0 : CHILD_MISMATCH;
}

TEST_F(ipc, eintr_not_restarted)
{
	struct intr_arg a;
	pid_t pid;
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	for (int i = 0; i < 4; i++) {
		a.id = id;
		a.restart = i & 1;	/* semop is never restarted */
		a.timed = i >> 1;
		pid = spawn_child(child_intr, &a);
		ASSERT_GT(pid, 0);
		ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
		ASSERT_EQ(0, kill(pid, SIGUSR1));
		EXPECT_EQ(0, reap_child(pid)) TH_LOG("case %d", i);
	}
	EXPECT_EQ(0, getval(id, 0));
}

static int child_eidrm(void *p)
{
	struct op_arg *a = p;
	int err = child_op(a);

	return err;
}

TEST_F(ipc, eidrm_wakes_all)
{
	struct op_arg a[3];
	pid_t pids[3];
	int id = new_set(2, 1, 0600);

	ASSERT_GE(id, 0);
	pids[0] = spawn_op1(&a[0], id, 0, -2, 0);
	pids[1] = spawn_op1(&a[1], id, 1, 0, 0);
	memset(&a[2], 0, sizeof(a[2]));
	a[2].id = id;
	a[2].nsops = 2;
	a[2].timeout_ms = 20000;
	a[2].sops[0] = (struct sembuf){ 0, -1, SEM_UNDO };
	a[2].sops[1] = (struct sembuf){ 1, -2, SEM_UNDO };
	pids[2] = spawn_child(child_eidrm, &a[2]);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	ASSERT_TRUE(wait_for(id, 1, GETZCNT, 1));
	ASSERT_TRUE(wait_for(id, 1, GETNCNT, 1));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	for (int i = 0; i < 3; i++) {
		EXPECT_EQ(EIDRM, reap_child(pids[i])) TH_LOG("waiter %d", i);
	}
}

/* ---- producer / consumer ---- */

#define PC_SLOTS	8
#define PC_PRODUCERS	3	/* processes */
#define PC_THREADS	2	/* threads per process */
#define PC_ITEMS	300	/* per thread */
#define PC_TOTAL	(PC_PRODUCERS * PC_THREADS * PC_ITEMS)

struct pc_shared {
	int ring[PC_SLOTS];
	int head, tail;
	int seen[PC_TOTAL];
};

enum { PC_MUTEX, PC_EMPTY, PC_FULL };

static struct pc_shared *pc;
static int pc_id;
static int pc_base;

static int pc_lock(int id)
{
	return op1(id, PC_MUTEX, -1, SEM_UNDO);
}

static int pc_unlock(int id)
{
	return op1(id, PC_MUTEX, 1, SEM_UNDO);
}

static void *pc_producer(void *p)
{
	int base = (int)(intptr_t)p;

	for (int i = 0; i < PC_ITEMS; i++) {
		/* take an empty slot and the lock in one array */
		struct sembuf get[2] = { { PC_EMPTY, -1, 0 },
					 { PC_MUTEX, -1, 0 } };
		struct sembuf put[2] = { { PC_MUTEX, 1, 0 },
					 { PC_FULL, 1, 0 } };

		if (semop(pc_id, get, 2))
			return (void *)1;
		pc->ring[pc->head] = base + i;
		pc->head = (pc->head + 1) % PC_SLOTS;
		if (semop(pc_id, put, 2))
			return (void *)1;
	}
	return NULL;
}

static void *pc_consumer(void *p)
{
	long n = (long)p;

	for (long i = 0; i < n; i++) {
		int item;

		if (op1(pc_id, PC_FULL, -1, 0) || pc_lock(pc_id))
			return (void *)1;
		item = pc->ring[pc->tail];
		pc->tail = (pc->tail + 1) % PC_SLOTS;
		if (item >= 0 && item < PC_TOTAL)
			__atomic_add_fetch(&pc->seen[item], 1, __ATOMIC_RELAXED);
		if (pc_unlock(pc_id) || op1(pc_id, PC_EMPTY, 1, 0))
			return (void *)1;
	}
	return NULL;
}

static int pc_run(void *p)
{
	int producer = (int)(intptr_t)p >= 0;
	pthread_t th[PC_THREADS];
	void *ret;
	int bad = 0;

	for (int t = 0; t < PC_THREADS; t++) {
		if (producer)
			pthread_create(&th[t], NULL, pc_producer,
				       (void *)(intptr_t)((int)(intptr_t)p +
							  t * PC_ITEMS));
		else
			pthread_create(&th[t], NULL, pc_consumer,
				       (void *)(long)(PC_TOTAL / 2 / PC_THREADS));
	}
	for (int t = 0; t < PC_THREADS; t++) {
		pthread_join(th[t], &ret);
		bad |= ret != NULL;
	}
	return bad;
}

TEST_F(ipc, producer_consumer)
{
	pid_t pids[PC_PRODUCERS + 2];
	int n = 0;

	pc = mmap(NULL, sizeof(*pc), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, pc);
	pc_id = new_set(3, 0, 0600);
	ASSERT_GE(pc_id, 0);
	ASSERT_EQ(0, setval(pc_id, PC_MUTEX, 1));
	ASSERT_EQ(0, setval(pc_id, PC_EMPTY, PC_SLOTS));
	pc_base = 0;
	/* two consumer processes, each taking half */
	for (int c = 0; c < 2; c++)
		pids[n++] = spawn_child(pc_run, (void *)(intptr_t)-1);
	for (int i = 0; i < PC_PRODUCERS; i++)
		pids[n++] = spawn_child(pc_run, (void *)(intptr_t)(i * PC_THREADS *
							    PC_ITEMS));
	for (int i = 0; i < n; i++) {
		EXPECT_EQ(0, reap_child(pids[i]));
	}
	for (int i = 0; i < PC_TOTAL; i++)
		if (pc->seen[i] != 1) {
			EXPECT_EQ(1, pc->seen[i]) TH_LOG("item %d", i);
			break;
		}
	EXPECT_EQ(1, getval(pc_id, PC_MUTEX));
	EXPECT_EQ(PC_SLOTS, getval(pc_id, PC_EMPTY));
	EXPECT_EQ(0, getval(pc_id, PC_FULL));
	munmap(pc, sizeof(*pc));
}

/*
 * Races between completion, timeout, signals and SETVAL: short timeouts
 * and a signal storm while posters increment.  Every successful decrement
 * is counted; at the end value == posts - decrements, and nobody is left
 * queued.
 */
#define RACE_SECS	1.5

struct race_shared {
	long took, posted;
	int stop;
};

static struct race_shared *rs;
static int race_id;

static void *race_taker(void *p)
{
	struct sembuf sb[2] = { { 0, -1, 0 }, { 1, 0, 0 } };
	struct timespec ts = { 0, 1000000 };
	long i = 0;

	(void)p;
	while (!__atomic_load_n(&rs->stop, __ATOMIC_RELAXED)) {
		/* alternate simple and complex operations */
		int n = 1 + (i++ & 1);

		if (semtimedop(race_id, sb, n, &ts) == 0)
			__atomic_add_fetch(&rs->took, 1, __ATOMIC_RELAXED);
		else if (errno != EAGAIN && errno != EINTR)
			return (void *)1;
	}
	return NULL;
}

static int race_takers(void *p)
{
	pthread_t th[2];
	void *ret;
	int bad = 0;

	(void)p;
	for (int i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, race_taker, NULL);
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], &ret);
		bad |= ret != NULL;
	}
	return bad;
}

static int race_poster(void *p)
{
	(void)p;
	while (!__atomic_load_n(&rs->stop, __ATOMIC_RELAXED)) {
		if (op1(race_id, 0, 1, 0))
			return errno;
		__atomic_add_fetch(&rs->posted, 1, __ATOMIC_RELAXED);
		if ((rs->posted & 15) == 0)
			usleep(getval(race_id, 0) > 100 ? 1000 : 100);
	}
	return 0;
}

TEST_F(ipc, race_timeouts_signals_wakeups)
{
	pid_t takers[3], poster;
	double end;
	int nt = 0;

	rs = mmap(NULL, sizeof(*rs), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, rs);
	race_id = new_set(2, 0, 0600);
	ASSERT_GE(race_id, 0);
	/* inherited, so no signal can arrive before the handler is in place */
	ASSERT_EQ(0, sigaction(SIGUSR1, &(struct sigaction){ .sa_handler = on_usr1 },
			       NULL));
	for (int i = 0; i < 3; i++)
		takers[nt++] = spawn_child(race_takers, NULL);
	poster = spawn_child(race_poster, NULL);
	end = now_s() + RACE_SECS;
	while (now_s() < end) {
		for (int i = 0; i < nt; i++)
			kill(takers[i], SIGUSR1);
		usleep(2000);
	}
	__atomic_store_n(&rs->stop, 1, __ATOMIC_RELAXED);
	EXPECT_EQ(0, reap_child(poster));
	for (int i = 0; i < nt; i++)
		EXPECT_EQ(0, reap_child(takers[i]));
	EXPECT_EQ(rs->posted - rs->took, getval(race_id, 0))
		TH_LOG("posted %ld took %ld", rs->posted, rs->took);
	EXPECT_GT(rs->took, 0);
	EXPECT_EQ(0, semctl(race_id, 0, GETNCNT));
	EXPECT_EQ(0, semctl(race_id, 1, GETZCNT));
	munmap(rs, sizeof(*rs));
}

/* ---- SEM_UNDO ---- */

struct undo_arg {
	int id;
	short op;
	int pipe_rd;		/* wait for a byte (or EOF) before exiting */
	int ready_wr;		/* report a byte once the operation is done */
	int pipe_wr;		/* the other end of pipe_rd, closed first */
};

static int child_undo(void *p)
{
	struct undo_arg *a = p;
	char c;

	if (a->pipe_wr > 0)
		close(a->pipe_wr);
	if (op1(a->id, 0, a->op, SEM_UNDO))
		return errno;
	if (a->ready_wr >= 0 && write(a->ready_wr, "x", 1) != 1)
		return CHILD_SETUP_FAILED;
	if (a->pipe_rd >= 0 && read(a->pipe_rd, &c, 1) < 0)
		return CHILD_SETUP_FAILED;
	return 0;
}

TEST_F(ipc, undo_on_exit)
{
	struct undo_arg a = { .op = -2, .pipe_rd = -1, .ready_wr = -1 };
	pid_t pid;
	int id = new_set(1, 5, 0600);

	ASSERT_GE(id, 0);
	a.id = id;
	pid = spawn_child(child_undo, &a);
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(5, getval(id, 0));
	/* the exiting process is recorded */
	EXPECT_EQ(pid, semctl(id, 0, GETPID));
	/* increments too */
	a.op = 3;
	pid = spawn_child(child_undo, &a);
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(5, getval(id, 0));
	/* adjustments of our own process do not apply before we exit */
	EXPECT_EQ(0, op1(id, 0, -1, SEM_UNDO));
	EXPECT_EQ(4, getval(id, 0));
}

TEST_F(ipc, undo_on_sigkill)
{
	struct undo_arg a = { .op = -3, .ready_wr = -1 };
	int p[2], r[2];
	char c;
	pid_t pid;
	int id = new_set(1, 5, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(r));
	a.id = id;
	a.pipe_rd = p[0];
	a.pipe_wr = p[1];
	a.ready_wr = r[1];
	pid = spawn_child(child_undo, &a);
	ASSERT_EQ(1, read(r[0], &c, 1));
	EXPECT_EQ(2, getval(id, 0));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(-1, reap_child(pid));
	EXPECT_EQ(5, getval(id, 0));
	close(p[0]);
	close(p[1]);
	close(r[0]);
	close(r[1]);
}

TEST_F(ipc, undo_on_crash)
{
	pid_t pid;
	int id = new_set(1, 5, 0600);

	ASSERT_GE(id, 0);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		if (op1(id, 0, -1, SEM_UNDO))
			_exit(1);
		*(volatile int *)unmapped_addr() = 1;
		_exit(2);
	}
	EXPECT_EQ(-1, reap_child(pid));
	EXPECT_EQ(5, getval(id, 0));
}

TEST_F(ipc, undo_blocked_waiter_killed)
{
	struct op_arg a;
	pid_t pid;
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	/* it never got the semaphore: nothing to undo */
	pid = spawn_op1(&a, id, 0, -1, SEM_UNDO);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	EXPECT_EQ(-1, reap_child(pid));
	EXPECT_EQ(0, getval(id, 0));
	EXPECT_EQ(0, semctl(id, 0, GETNCNT));
	/* it got it when woken, then died: undone */
	pid = spawn_op1(&a, id, 0, -1, SEM_UNDO);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(1, getval(id, 0));
}

/* Threads: the adjustment waits for the last thread of the process. */
static int thr_id;
static int thr_ctl[2];		/* test -> threads */
static int thr_rep[2];		/* threads -> test */

static void *thr_undo(void *p)
{
	char c;

	(void)p;
	if (op1(thr_id, 0, -1, SEM_UNDO))
		return NULL;
	if (write(thr_rep[1], "t", 1) != 1)
		return NULL;
	/* wait for our turn to exit */
	if (read(thr_ctl[0], &c, 1) != 1)
		return NULL;
	return NULL;
}

/* main thread: starts @n threads, then waits for the go to exit */
static int thr_child(void *p)
{
	int order = (int)(intptr_t)p;
	pthread_t th[3];
	char c;

	for (int i = 0; i < 3; i++)
		pthread_create(&th[i], NULL, thr_undo, NULL);
	if (order == 0) {
		/* main thread leaves first, threads carry on */
		if (write(thr_rep[1], "m", 1) != 1)
			return 1;
		pthread_exit(NULL);
	}
	/* main thread leaves last, after one read from the control pipe */
	if (read(thr_ctl[0], &c, 1) != 1)
		return 1;
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	return 0;
}

TEST_F(ipc, undo_threads_last_exit)
{
	for (int order = 0; order < 2; order++) {
		char c;
		pid_t pid;
		int got;

		thr_id = new_set(1, 10, 0600);
		ASSERT_GE(thr_id, 0);
		ASSERT_EQ(0, pipe(thr_ctl));
		ASSERT_EQ(0, pipe(thr_rep));
		pid = spawn_child(thr_child, (void *)(intptr_t)order);
		ASSERT_GT(pid, 0);
		/* three thread reports, plus the main thread's for order 0 */
		for (got = 0; got < 3 + (order == 0); got++) {
			ASSERT_EQ(1, read(thr_rep[0], &c, 1));
		}
		EXPECT_EQ(7, getval(thr_id, 0));
		/*
		 * Let the readers go one at a time (3 threads, plus the main
		 * thread for order 1); while one is left, nothing is undone.
		 */
		for (int i = 0; i < 2 + order; i++) {
			ASSERT_EQ(1, write(thr_ctl[1], "g", 1));
			usleep(50000);
			EXPECT_EQ(7, getval(thr_id, 0)) TH_LOG("order %d after %d",
							      order, i + 1);
		}
		ASSERT_EQ(1, write(thr_ctl[1], "g", 1));
		EXPECT_EQ(0, reap_child(pid));
		EXPECT_EQ(10, getval(thr_id, 0)) TH_LOG("order %d", order);
		close(thr_ctl[0]);
		close(thr_ctl[1]);
		close(thr_rep[0]);
		close(thr_rep[1]);
	}
}

static int child_fork_no_inherit(void *p)
{
	int id = (int)(intptr_t)p;
	pid_t g;
	int st;

	if (op1(id, 0, -2, SEM_UNDO))
		return 10;
	g = fork();
	if (g == 0) {
		/* the child's own adjustment is its own */
		if (op1(id, 0, 1, SEM_UNDO))
			_exit(1);
		_exit(0);
	}
	if (waitpid(g, &st, 0) != g || !WIFEXITED(st) || WEXITSTATUS(st))
		return 11;
	/* the grandchild's exit undid only its own +1 */
	if (getval(id, 0) != 3)
		return 12;
	return 0;
}

TEST_F(ipc, undo_not_inherited_by_fork)
{
	int id = new_set(1, 5, 0600);
	pid_t pid;

	ASSERT_GE(id, 0);
	pid = spawn_child(child_fork_no_inherit, (void *)(intptr_t)id);
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(5, getval(id, 0));
}

static int exec_in[2], exec_sync[2];

static int child_exec(void *p)
{
	int id = (int)(intptr_t)p;

	if (op1(id, 0, -4, SEM_UNDO))
		return 10;
	dup2(exec_in[0], 0);
	close(exec_in[0]);
	close(exec_in[1]);
	close(exec_sync[0]);
	/* exec_sync[1] is close-on-exec: EOF tells the test exec happened */
	execl("/bin/cat", "cat", (char *)NULL);
	return 11;
}

TEST_F(ipc, undo_kept_across_exec)
{
	int id = new_set(1, 5, 0600);
	char c;
	pid_t pid;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, pipe(exec_in));
	ASSERT_EQ(0, pipe2(exec_sync, O_CLOEXEC));
	pid = spawn_child(child_exec, (void *)(intptr_t)id);
	ASSERT_GT(pid, 0);
	close(exec_in[0]);
	close(exec_sync[1]);
	ASSERT_EQ(0, read(exec_sync[0], &c, 1));
	/* cat runs: the adjustment is still pending */
	usleep(50000);
	EXPECT_EQ(1, getval(id, 0));
	close(exec_in[1]);
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(5, getval(id, 0));
	close(exec_sync[0]);
}

TEST_F(ipc, undo_cleared_by_setval_setall)
{
	unsigned short vals[2] = { 7, 7 };
	union semun u = { .array = vals };
	struct undo_arg a = { .op = -1, .ready_wr = -1 };
	int p[2], r[2];
	char c;
	pid_t pid;
	int id = new_set(2, 5, 0600);

	ASSERT_GE(id, 0);
	for (int cmd = 0; cmd < 2; cmd++) {
		ASSERT_EQ(0, setval(id, 0, 5));
		ASSERT_EQ(0, pipe(p));
		ASSERT_EQ(0, pipe(r));
		a.id = id;
		a.pipe_rd = p[0];
		a.pipe_wr = p[1];
		a.ready_wr = r[1];
		pid = spawn_child(child_undo, &a);
		ASSERT_EQ(1, read(r[0], &c, 1));
		EXPECT_EQ(4, getval(id, 0));
		if (cmd == 0) {
			ASSERT_EQ(0, setval(id, 0, 10));
		} else {
			ASSERT_EQ(0, semctl(id, 0, SETALL, u));
		}
		close(p[1]);
		EXPECT_EQ(0, reap_child(pid));
		/* the adjustment is gone */
		EXPECT_EQ(cmd == 0 ? 10 : 7, getval(id, 0));
		close(p[0]);
		close(r[0]);
		close(r[1]);
	}
	/* SETVAL of another semaphore keeps it */
	ASSERT_EQ(0, setval(id, 0, 5));
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(r));
	a.pipe_rd = p[0];
	a.pipe_wr = p[1];
	a.ready_wr = r[1];
	pid = spawn_child(child_undo, &a);
	ASSERT_EQ(1, read(r[0], &c, 1));
	ASSERT_EQ(0, setval(id, 1, 3));
	close(p[1]);
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(5, getval(id, 0));
	close(p[0]);
	close(r[0]);
	close(r[1]);
}

TEST_F(ipc, undo_clamped_at_exit)
{
	struct undo_arg a = { .ready_wr = -1 };
	int p[2], r[2];
	char c;
	pid_t pid;
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	/* +5 with undo (adjustment -5), then someone else takes 5: 0 - 5 -> 0 */
	for (int i = 0; i < 2; i++) {
		ASSERT_EQ(0, pipe(p));
		ASSERT_EQ(0, pipe(r));
		a.id = id;
		a.op = i == 0 ? 5 : -3;
		a.pipe_rd = p[0];
		a.pipe_wr = p[1];
		a.ready_wr = r[1];
		if (i == 1) {
			ASSERT_EQ(0, setval(id, 0, 3));
		}
		pid = spawn_child(child_undo, &a);
		ASSERT_EQ(1, read(r[0], &c, 1));
		if (i == 0) {
			EXPECT_EQ(0, op1(id, 0, -5, 0));
		} else {
			/* 0 now; push close to SEMVMX: 32766 + 3 -> SEMVMX */
			EXPECT_EQ(0, op1(id, 0, SEMVMX - 1, 0));
		}
		close(p[1]);
		EXPECT_EQ(0, reap_child(pid));
		EXPECT_EQ(i == 0 ? 0 : SEMVMX, getval(id, 0));
		EXPECT_EQ(pid, semctl(id, 0, GETPID));
		close(p[0]);
		close(r[0]);
		close(r[1]);
	}
}

TEST_F(ipc, undo_wakes_waiters)
{
	struct undo_arg a = { .op = -1, .ready_wr = -1 };
	struct op_arg w;
	int p[2], r[2];
	char c;
	pid_t holder, waiter;
	int id = new_set(1, 1, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(r));
	a.id = id;
	a.pipe_rd = p[0];
	a.pipe_wr = p[1];
	a.ready_wr = r[1];
	holder = spawn_child(child_undo, &a);
	ASSERT_EQ(1, read(r[0], &c, 1));
	waiter = spawn_op1(&w, id, 0, -1, 0);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	/* the holder dies: its undo hands the semaphore to the waiter */
	ASSERT_EQ(0, kill(holder, SIGKILL));
	EXPECT_EQ(-1, reap_child(holder));
	EXPECT_EQ(0, reap_child(waiter));
	EXPECT_EQ(0, getval(id, 0));
	EXPECT_EQ(waiter, semctl(id, 0, GETPID));
	close(p[0]);
	close(p[1]);
	close(r[0]);
	close(r[1]);
}

TEST_F(ipc, undo_set_removed_first)
{
	struct undo_arg a = { .op = -1, .ready_wr = -1 };
	int p[2], r[2];
	char c;
	pid_t pid;
	int id = new_set(1, 3, 0600), id2;

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(r));
	a.id = id;
	a.pipe_rd = p[0];
	a.pipe_wr = p[1];
	a.ready_wr = r[1];
	pid = spawn_child(child_undo, &a);
	ASSERT_EQ(1, read(r[0], &c, 1));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	id2 = new_set(1, 3, 0600);
	ASSERT_GE(id2, 0);
	close(p[1]);
	EXPECT_EQ(0, reap_child(pid));
	/* a new set is not touched by the old adjustment */
	EXPECT_EQ(3, getval(id2, 0));
	close(p[0]);
	close(r[0]);
	close(r[1]);
}

/* Many processes, each with an undo list on the same set. */
#define MANY	1000

static int many_child(void *p)
{
	int id = (int)(intptr_t)p;
	struct sembuf sops[2] = { { 0, -1, SEM_UNDO }, { 1, 1, SEM_UNDO } };

	if (semop(id, sops, 2))
		return errno;
	/* wait for the test's go: semaphore 2 at zero */
	if (op1(id, 2, 0, 0))
		return errno;
	return 0;
}

/* a thousand forks take longer than the harness's 30 s on the debug kernel */
TEST_F_TIMEOUT(ipc, undo_many_processes, 600)
{
	pid_t pids[MANY];
	long base = -1, during;
	bool lib = is_lib_mode() && modparam_exists("undo_lists");
	int id = new_set(3, 0, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, setval(id, 0, 2 * MANY));
	ASSERT_EQ(0, setval(id, 2, 1));
	if (lib)
		base = modparam_read("undo_lists");
	for (int i = 0; i < MANY; i++) {
		pids[i] = spawn_child(many_child, (void *)(intptr_t)id);
		ASSERT_GT(pids[i], 0);
	}
	ASSERT_TRUE(wait_for(id, 2, GETZCNT, MANY));
	EXPECT_EQ(MANY, getval(id, 0));
	EXPECT_EQ(MANY, getval(id, 1));
	if (lib) {
		during = modparam_read("undo_lists");
		EXPECT_GE(during, base + MANY);
	}
	ASSERT_EQ(0, setval(id, 2, 0));
	for (int i = 0; i < MANY; i++) {
		EXPECT_EQ(0, reap_child(pids[i]));
	}
	EXPECT_EQ(2 * MANY, getval(id, 0));
	EXPECT_EQ(0, getval(id, 1));
	if (lib) {
		EXPECT_EQ(base, modparam_read("undo_lists"));
	}
}

/* Module only: every undo list is gone once its process is. */
TEST_F(ipc, undo_lists_counter)
{
	struct undo_arg a = { .op = 1, .pipe_rd = -1, .ready_wr = -1 };
	pid_t pid;
	long before;
	int id = new_set(1, 0, 0600);

	if (!is_lib_mode())
		SKIP(return, "module only");
	ASSERT_TRUE(modparam_exists("undo_lists"));
	ASSERT_GE(id, 0);
	before = modparam_read("undo_lists");
	ASSERT_GE(before, 0);
	a.id = id;
	for (int i = 0; i < 5; i++) {
		pid = spawn_child(child_undo, &a);
		EXPECT_EQ(0, reap_child(pid));
	}
	EXPECT_EQ(before, modparam_read("undo_lists"));
	/* our own list exists until this test process exits */
	EXPECT_EQ(0, op1(id, 0, 1, SEM_UNDO));
	EXPECT_EQ(before + 1, modparam_read("undo_lists"));
	/* and is one list for several sets */
	int id2 = new_set(1, 0, 0600);

	ASSERT_GE(id2, 0);
	EXPECT_EQ(0, op1(id2, 0, 1, SEM_UNDO));
	EXPECT_EQ(before + 1, modparam_read("undo_lists"));
}

/* Module only: the ioctl's own checks and the feature bits. */
TEST_F(ipc, abi_reserved_and_features)
{
	struct sembuf sb = { 0, 1, 0 };
	struct sysvipc_version v;
	struct sysvipc_semop a;
	int fd, id = new_set(1, 0, 0600);

	if (!is_lib_mode())
		SKIP(return, "module only");
	ASSERT_GE(id, 0);
	fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, SYSVIPC_IOC_VERSION, &v));
	EXPECT_EQ(SYSVIPC_FEAT_SEMOP | SYSVIPC_FEAT_SEM_UNDO,
		  v.features & (SYSVIPC_FEAT_SEMOP | SYSVIPC_FEAT_SEM_UNDO));
	for (int i = 0; i < 2; i++) {
		memset(&a, 0, sizeof(a));
		a.id = id;
		a.nsops = 1;
		a.sops = (uintptr_t)&sb;
		a.reserved[i] = 1;
		EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_SEMOP, &a));
		EXPECT_EQ(EINVAL, errno);
	}
	EXPECT_EQ(0, getval(id, 0));
	a.reserved[1] = 0;
	EXPECT_EQ(0, ioctl(fd, SYSVIPC_IOC_SEMOP, &a));
	EXPECT_EQ(1, getval(id, 0));
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_SEMOP, unmapped_addr()));
	EXPECT_EQ(EFAULT, errno);
	close(fd);
}

TEST_HARNESS_MAIN
