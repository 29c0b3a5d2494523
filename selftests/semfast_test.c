// SPDX-License-Identifier: GPL-2.0
/*
 * semop where the library may complete operations in user space (ABI 1.3,
 * SYSVIPC_IOC_SEMMAP): the boundary between the fast path and the module.
 *
 * Every case but the last two is a plain SysV program whose expectations
 * are the kernel's (6.1), so the native build is the oracle; in the lib
 * build the same calls go through the fast path once a set is mapped (the
 * first single operation on a set maps it).  The last cases use the ioctl
 * directly and skip natively.
 */
#include <pthread.h>
#include <sys/ioctl.h>
#include <linux/sysvipc.h>
#include "common.h"

static void *shared(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* ---- items counted exactly once ---- */

/*
 * Semaphore 0 counts items.  Producers post with single operations (the
 * fast path) and with two-operation arrays (always the module); consumers
 * take with blocking single operations, with IPC_NOWAIT ones, with
 * semtimedop (always the module) and with arrays that also count on
 * semaphore 1.  Threads and processes mix; every item must be taken once.
 */
#define MIX_PROCS	3
#define MIX_THREADS	3
#define MIX_ITEMS	3000	/* per producer thread */

struct mix {
	long produced;
	long consumed;
	long complex_taken;
	long stop;
};

static struct mix *mx;
static int mix_id;

static void *mix_producer(void *p)
{
	long seed = (long)p;
	struct sembuf two[2] = { { 0, 1, 0 }, { 2, 1, 0 } };

	for (int i = 0; i < MIX_ITEMS; i++) {
		seed = seed * 1103515245 + 12345;
		if ((seed >> 8) % 4 == 0) {
			if (semop(mix_id, two, 2))
				return (void *)1;
		} else if (op1(mix_id, 0, 1, 0)) {
			return (void *)1;
		}
		__atomic_add_fetch(&mx->produced, 1, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

static void *mix_consumer(void *p)
{
	long seed = (long)p, kind;
	struct sembuf two[2] = { { 0, -1, 0 }, { 1, 1, 0 } };
	struct timespec ts = { 0, 20 * 1000000 };
	struct sembuf one = { 0, -1, 0 };

	for (;;) {
		seed = seed * 1103515245 + 12345;
		kind = (seed >> 8) % 8;
		if (kind == 0) {
			if (!semop(mix_id, two, 2)) {
				__atomic_add_fetch(&mx->complex_taken, 1,
						   __ATOMIC_SEQ_CST);
				goto took;
			}
		} else if (kind == 1) {
			if (!semtimedop(mix_id, &one, 1, &ts))
				goto took;
		} else if (kind == 2) {
			if (!op1(mix_id, 0, -1, IPC_NOWAIT))
				goto took;
		} else {
			if (!op1(mix_id, 0, -1, 0))
				goto took;
		}
		if (errno == EIDRM || errno == EINVAL)
			return NULL;	/* the end */
		if (errno != EAGAIN)
			return (void *)1;
		continue;
took:
		__atomic_add_fetch(&mx->consumed, 1, __ATOMIC_SEQ_CST);
	}
}

static int mix_proc(void *p)
{
	long me = (long)p;
	pthread_t t[2 * MIX_THREADS];
	void *ret;
	int bad = 0;

	for (long i = 0; i < MIX_THREADS; i++) {
		if (pthread_create(&t[i], NULL, mix_producer,
				   (void *)(me * 100 + i + 1)) ||
		    pthread_create(&t[MIX_THREADS + i], NULL, mix_consumer,
				   (void *)(me * 100 + i + 51)))
			return 1;
	}
	for (int i = 0; i < 2 * MIX_THREADS; i++) {
		pthread_join(t[i], &ret);
		bad |= ret != NULL;
	}
	return bad;
}

TEST_F(ipc, items_counted_once)
{
	long total = (long)MIX_PROCS * MIX_THREADS * MIX_ITEMS;
	pid_t pids[MIX_PROCS];
	double end;

	mx = shared(sizeof(*mx));
	ASSERT_NE(NULL, mx);
	mix_id = new_set(3, 0, 0600);
	ASSERT_GE(mix_id, 0);
	for (long i = 0; i < MIX_PROCS; i++)
		pids[i] = spawn_child(mix_proc, (void *)i);
	/* Every item produced and taken: the consumers then block. */
	end = now_s() + 50;
	while (now_s() < end &&
	       (__atomic_load_n(&mx->produced, __ATOMIC_SEQ_CST) < total ||
		__atomic_load_n(&mx->consumed, __ATOMIC_SEQ_CST) < total))
		usleep(2000);
	EXPECT_EQ(total, mx->produced);
	EXPECT_EQ(total, mx->consumed);
	EXPECT_EQ(0, semctl(mix_id, 0, GETVAL));
	EXPECT_EQ(mx->complex_taken, semctl(mix_id, 1, GETVAL));
	/* Removal ends the consumers (EIDRM while they sleep, else EINVAL). */
	EXPECT_EQ(0, semctl(mix_id, 0, IPC_RMID));
	for (int i = 0; i < MIX_PROCS; i++)
		EXPECT_EQ(0, reap_child(pids[i]));
	munmap(mx, sizeof(*mx));
}

/* ---- sleepers and posts ---- */

static int sl_id;

static int take_one(void *p)
{
	(void)p;
	return op1(sl_id, 0, -1, 0) ? errno : 0;
}

TEST_F(ipc, sleeper_woken_by_post)
{
	pid_t pid;

	sl_id = new_set(1, 0, 0600);
	ASSERT_GE(sl_id, 0);
	/* Map the set first (lib), so the post may take the fast path. */
	ASSERT_EQ(0, op1(sl_id, 0, 1, 0));
	ASSERT_EQ(0, op1(sl_id, 0, -1, 0));
	for (int round = 0; round < 20; round++) {
		pid = spawn_child(take_one, NULL);
		ASSERT_TRUE(wait_for(sl_id, 0, GETNCNT, 1));
		EXPECT_EQ(0, op1(sl_id, 0, 1, 0));
		EXPECT_EQ(0, reap_child(pid));
		EXPECT_EQ(0, semctl(sl_id, 0, GETVAL));
		EXPECT_EQ(0, semctl(sl_id, 0, GETNCNT));
	}
	/* After the sleepers are gone, fast operations work again. */
	EXPECT_EQ(0, op1(sl_id, 0, 2, 0));
	EXPECT_EQ(0, op1(sl_id, 0, -1, IPC_NOWAIT));
	EXPECT_EQ(1, semctl(sl_id, 0, GETVAL));
}

/* Waiters for zero are woken by the decrement that reaches zero. */
static int wait_zero(void *p)
{
	(void)p;
	return op1(sl_id, 0, 0, 0) ? errno : 0;
}

TEST_F(ipc, zero_waiter_woken_by_decrement)
{
	pid_t pid;

	sl_id = new_set(1, 2, 0600);
	ASSERT_GE(sl_id, 0);
	ASSERT_EQ(0, op1(sl_id, 0, -1, 0));
	pid = spawn_child(wait_zero, NULL);
	ASSERT_TRUE(wait_for(sl_id, 0, GETZCNT, 1));
	EXPECT_EQ(0, op1(sl_id, 0, -1, 0));
	EXPECT_EQ(0, reap_child(pid));
	/* Zero now: a wait for zero completes at once. */
	EXPECT_EQ(0, op1(sl_id, 0, 0, IPC_NOWAIT));
	EXPECT_EQ(0, op1(sl_id, 0, 1, 0));
	EXPECT_EQ(-1, op1(sl_id, 0, 0, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
}

/* FIFO order of simple waiters, with the set mapped and used fast before. */
struct order {
	long next;
	long seen[4];
};

static struct order *ord;

static int ordered_take(void *p)
{
	long me = (long)p;

	if (op1(sl_id, 0, -1, 0))
		return errno;
	ord->seen[__atomic_fetch_add(&ord->next, 1, __ATOMIC_SEQ_CST)] = me;
	return 0;
}

TEST_F(ipc, wake_order_fifo_after_fast_ops)
{
	pid_t pids[4];

	ord = shared(sizeof(*ord));
	ASSERT_NE(NULL, ord);
	sl_id = new_set(1, 0, 0600);
	ASSERT_GE(sl_id, 0);
	for (int i = 0; i < 100; i++) {
		ASSERT_EQ(0, op1(sl_id, 0, 1, 0));
		ASSERT_EQ(0, op1(sl_id, 0, -1, 0));
	}
	for (long i = 0; i < 4; i++) {
		pids[i] = spawn_child(ordered_take, (void *)i);
		ASSERT_TRUE(wait_for(sl_id, 0, GETNCNT, i + 1));
	}
	for (long i = 0; i < 4; i++) {
		double end = now_s() + 10;

		EXPECT_EQ(0, op1(sl_id, 0, 1, 0));
		/* One waiter woke and recorded itself: the oldest. */
		while (__atomic_load_n(&ord->next, __ATOMIC_SEQ_CST) < i + 1 &&
		       now_s() < end)
			usleep(1000);
		EXPECT_EQ(i, ord->seen[i]);
		EXPECT_EQ(3 - i, semctl(sl_id, 0, GETNCNT));
	}
	for (int i = 0; i < 4; i++)
		EXPECT_EQ(0, reap_child(pids[i]));
	munmap(ord, sizeof(*ord));
}

/* ---- removal, permissions, fork ---- */

TEST_F(ipc, rmid_then_einval)
{
	int id = new_set(2, 1, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, op1(id, 0, -1, 0));
	ASSERT_EQ(0, op1(id, 0, 1, 0));
	ASSERT_EQ(0, semctl(id, 0, IPC_RMID));
	/* The id names nothing now, whatever the operation. */
	EXPECT_EQ(-1, op1(id, 0, 1, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, op1(id, 0, -1, IPC_NOWAIT));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, op1(id, 1, 0, 0));
	EXPECT_EQ(EINVAL, errno);
}

static int rm_sleeper(void *p)
{
	(void)p;
	if (!op1(sl_id, 0, -1, 0))
		return CHILD_UNEXPECTED_OK;
	return errno == EIDRM ? 0 : errno;
}

TEST_F(ipc, rmid_wakes_sleeper_eidrm)
{
	pid_t pid;

	sl_id = new_set(1, 1, 0600);
	ASSERT_GE(sl_id, 0);
	ASSERT_EQ(0, op1(sl_id, 0, -1, 0));
	pid = spawn_child(rm_sleeper, NULL);
	ASSERT_TRUE(wait_for(sl_id, 0, GETNCNT, 1));
	ASSERT_EQ(0, semctl(sl_id, 0, IPC_RMID));
	EXPECT_EQ(0, reap_child(pid));
}

/* A user that loses write permission through IPC_SET gets EACCES. */
static int rv_fds[2][2];

static int revoked_user(void *p)
{
	int id = *(int *)p;
	char c;

	if (op1(id, 0, 1, 0) || op1(id, 0, -1, 0))
		return errno;
	if (write(rv_fds[0][1], "x", 1) != 1 ||
	    read(rv_fds[1][0], &c, 1) != 1)
		return CHILD_SETUP_FAILED;
	if (!op1(id, 0, 1, 0))
		return CHILD_UNEXPECTED_OK;
	if (errno != EACCES)
		return errno;
	if (!op1(id, 0, -1, IPC_NOWAIT))
		return CHILD_UNEXPECTED_OK;
	return errno == EACCES ? 0 : errno;
}

TEST_F(ipc, ipc_set_revokes)
{
	struct semid_ds ds;
	int status, id;
	pid_t pid;
	char c;

	id = new_set(1, 1, 0666);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, pipe(rv_fds[0]));
	ASSERT_EQ(0, pipe(rv_fds[1]));
	fflush(stdout);
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		alarm(30);
		if (setresgid(NOBODY_GID, NOBODY_GID, NOBODY_GID) ||
		    setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID))
			_exit(CHILD_SETUP_FAILED);
		_exit(revoked_user(&id));
	}
	ASSERT_EQ(1, read(rv_fds[0][0], &c, 1));
	ASSERT_EQ(0, semctl(id, 0, IPC_STAT, &ds));
	ds.sem_perm.mode = 0600;
	ASSERT_EQ(0, semctl(id, 0, IPC_SET, &ds));
	ASSERT_EQ(1, write(rv_fds[1][1], "x", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1, semctl(id, 0, GETVAL));
	/* The owner still may, also through a fresh mapping. */
	EXPECT_EQ(0, op1(id, 0, -1, 0));
	EXPECT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(1, semctl(id, 0, GETVAL));
	for (int i = 0; i < 2; i++) {
		close(rv_fds[i][0]);
		close(rv_fds[i][1]);
	}
}

static int fk_id;

static int fork_child(void *p)
{
	(void)p;
	for (int i = 0; i < 1000; i++)
		if (op1(fk_id, 0, -1, 0) || op1(fk_id, 1, 1, 0))
			return errno;
	if (!op1(fk_id, 0, -1, IPC_NOWAIT))
		return CHILD_UNEXPECTED_OK;
	return errno == EAGAIN ? 0 : errno;
}

TEST_F(ipc, fork_child_uses_set)
{
	pid_t pid;

	fk_id = new_set(2, 0, 0600);
	ASSERT_GE(fk_id, 0);
	/* Mapped in the parent; the child does not inherit the mapping. */
	ASSERT_EQ(0, op1(fk_id, 0, 1000, 0));
	pid = spawn_child(fork_child, NULL);
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(0, semctl(fk_id, 0, GETVAL));
	EXPECT_EQ(1000, semctl(fk_id, 1, GETVAL));
	EXPECT_EQ(pid, semctl(fk_id, 0, GETPID));
	EXPECT_EQ(pid, semctl(fk_id, 1, GETPID));
	/* The parent's own mapping still works. */
	EXPECT_EQ(0, op1(fk_id, 1, -1000, 0));
	EXPECT_EQ(getpid(), semctl(fk_id, 1, GETPID));
}

/* ---- what semctl reports after fast operations ---- */

TEST_F(ipc, getpid_ncnt_otime_after_fast_ops)
{
	struct semid_ds ds;
	unsigned short all[3];
	time_t t0;
	pid_t pid;
	int id;

	/* No SETVAL: it would stamp sempid. */
	id = t_semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
	ASSERT_GE(id, 0);
	ASSERT_EQ(0, semctl(id, 0, IPC_STAT, &ds));
	EXPECT_EQ(0, ds.sem_otime);
	t0 = time(NULL);
	ASSERT_EQ(0, op1(id, 1, 5, 0));
	ASSERT_EQ(0, op1(id, 1, -2, 0));
	ASSERT_EQ(0, op1(id, 2, 0, 0));
	EXPECT_EQ(3, semctl(id, 1, GETVAL));
	EXPECT_EQ(getpid(), semctl(id, 1, GETPID));
	EXPECT_EQ(getpid(), semctl(id, 2, GETPID));
	EXPECT_EQ(0, semctl(id, 0, GETPID));
	EXPECT_EQ(0, semctl(id, 1, GETNCNT));
	ASSERT_EQ(0, semctl(id, 0, GETALL, all));
	EXPECT_EQ(0, all[0]);
	EXPECT_EQ(3, all[1]);
	EXPECT_EQ(0, all[2]);
	ASSERT_EQ(0, semctl(id, 0, IPC_STAT, &ds));
	EXPECT_GE(ds.sem_otime, t0 - 1);
	EXPECT_LE(ds.sem_otime, time(NULL));
	/* SETVAL stamps the caller too, and a fast op after it again. */
	sl_id = id;
	ASSERT_EQ(0, setval(id, 0, 0));
	pid = spawn_child(take_one, NULL);
	ASSERT_TRUE(wait_for(id, 0, GETNCNT, 1));
	EXPECT_EQ(1, semctl(id, 0, GETNCNT));
	EXPECT_EQ(0, op1(id, 0, 1, 0));
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(pid, semctl(id, 0, GETPID));
	EXPECT_EQ(0, semctl(id, 0, GETNCNT));
	EXPECT_EQ(0, op1(id, 1, -3, 0));
	EXPECT_EQ(getpid(), semctl(id, 1, GETPID));
}

TEST_F(ipc, erange_and_nowait_after_fast_ops)
{
	int id = new_set(1, 0, 0600);

	ASSERT_GE(id, 0);
	ASSERT_EQ(0, op1(id, 0, SEMVMX, 0));
	EXPECT_EQ(-1, op1(id, 0, 1, 0));
	EXPECT_EQ(ERANGE, errno);
	EXPECT_EQ(SEMVMX, semctl(id, 0, GETVAL));
	EXPECT_EQ(0, op1(id, 0, -SEMVMX, 0));
	EXPECT_EQ(-1, op1(id, 0, -1, IPC_NOWAIT));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(-1, op1(id, 1, -1, IPC_NOWAIT));
	EXPECT_EQ(EFBIG, errno);
	EXPECT_EQ(0, semctl(id, 0, GETVAL));
}

/* ---- the mapping itself (library only) ---- */

/* selftests/run.sh runs this suite again with the module's sem_fast=0. */
static bool sem_fast_off(void)
{
	char buf[8];

	return !file_read_str(MODPARAM_DIR "sem_fast", buf, sizeof(buf)) &&
	       buf[0] == 'N';
}

static int dev_fd(void)
{
	return open("/dev/sysvipc", O_RDWR | O_CLOEXEC);
}

static int scr_id;

static int scr_sleeper(void *p)
{
	(void)p;
	/* Woken by SETVAL below, or by the removal. */
	if (op1(scr_id, 0, -1, 0) && errno != EIDRM)
		return errno;
	return 0;
}

TEST_F(ipc, scribbled_page_cannot_hurt)
{
	struct sysvipc_semmap m = { 0 };
	unsigned short all[8];
	struct semid_ds ds;
	uint32_t *w;
	pid_t pid;
	int fd, v;

	if (!is_lib_mode())
		SKIP(return, "the module's ioctl");
	if (sem_fast_off())
		SKIP(return, "sem_fast=0: nothing to map");
	fd = dev_fd();
	ASSERT_GE(fd, 0);
	scr_id = new_set(8, 3, 0600);
	ASSERT_GE(scr_id, 0);
	m.id = scr_id;
	ASSERT_EQ(0, ioctl(fd, SYSVIPC_IOC_SEMMAP, &m));
	EXPECT_EQ(8, m.nsems);
	EXPECT_EQ(SYSVIPC_SEMMAP_READ, m.out_flags);
	w = (uint32_t *)(uintptr_t)m.addr;
	EXPECT_EQ(SYSVIPC_SEM_PAGE_MAGIC, w[0]);
	/* Words thawed, values as set. */
	EXPECT_EQ(3, w[16]);
	/* Garbage everywhere, SLOW bits and values beyond SEMVMX included. */
	memset(w, 0xff, PAGE_SZ);
	v = semctl(scr_id, 0, GETVAL);
	EXPECT_GE(v, 0);
	EXPECT_LE(v, SEMVMX);
	for (int i = 0; i < (int)(PAGE_SZ / 4); i++)
		w[i] = 0x7fff0000u | (i * 2654435761u >> 20);
	ASSERT_EQ(0, semctl(scr_id, 0, GETALL, all));
	for (int i = 0; i < 8; i++)
		EXPECT_LE(all[i], SEMVMX);
	v = semctl(scr_id, 3, GETPID);
	EXPECT_GE(v, 0);
	ASSERT_EQ(0, semctl(scr_id, 0, IPC_STAT, &ds));
	EXPECT_LE(ds.sem_otime, time(NULL));
	EXPECT_GE(ds.sem_otime, 0);
	/* A sleeper; the scribbler keeps writing; SETVAL still wakes it. */
	ASSERT_EQ(0, setval(scr_id, 0, 0));
	pid = spawn_child(scr_sleeper, NULL);
	ASSERT_TRUE(wait_for(scr_id, 0, GETNCNT, 1));
	for (int i = 0; i < (int)(PAGE_SZ / 4); i++)
		w[i] = 0x0000ffffu;
	ASSERT_EQ(0, setval(scr_id, 0, 1));
	EXPECT_EQ(0, reap_child(pid));
	EXPECT_EQ(0, semctl(scr_id, 0, GETVAL));
	/* Operations through the module keep every value in range. */
	for (int i = 0; i < 100; i++) {
		w[16 + 2 * (i % 8)] = (uint32_t)i * 0x9e3779b1u;
		op1(scr_id, i % 8, 1, IPC_NOWAIT);
		op1(scr_id, i % 8, -2, IPC_NOWAIT);
		v = semctl(scr_id, i % 8, GETVAL);
		EXPECT_GE(v, 0);
		EXPECT_LE(v, SEMVMX);
	}
	ASSERT_EQ(0, semctl(scr_id, 0, IPC_RMID));
	/* The dead page stays mapped and says so. */
	EXPECT_NE(0, ((struct sysvipc_sem_page_hdr *)w)->flags &
		     SYSVIPC_SEM_PAGE_REMOVED);
	EXPECT_EQ(0, munmap(w, PAGE_SZ));
	close(fd);
}

TEST_F(ipc, semmap_ioctl_checks)
{
	struct sysvipc_semmap m = { 0 };
	struct sysvipc_version v;
	int fd, id, big;
	void *p;

	if (!is_lib_mode())
		SKIP(return, "the module's ioctl");
	fd = dev_fd();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, SYSVIPC_IOC_VERSION, &v));
	EXPECT_NE(0, v.features & SYSVIPC_FEAT_SEM_FAST);
	EXPECT_GE(v.minor, 3);
	id = new_set(1, 0, 0600);
	ASSERT_GE(id, 0);
	if (sem_fast_off()) {
		m.id = id;
		EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_SEMMAP, &m));
		EXPECT_EQ(EOPNOTSUPP, errno);
		close(fd);
		return;
	}
	m.id = -1;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_SEMMAP, &m));
	EXPECT_EQ(EINVAL, errno);
	m.id = id;
	m.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_SEMMAP, &m));
	EXPECT_EQ(EINVAL, errno);
	m.reserved[1] = 0;
	EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_SEMMAP, unmapped_addr()));
	EXPECT_EQ(EFAULT, errno);
	big = t_semget(IPC_PRIVATE, SYSVIPC_SEM_PAGE_MAX + 1, IPC_CREAT | 0600);
	if (big >= 0) {
		m.id = big;
		EXPECT_EQ(-1, ioctl(fd, SYSVIPC_IOC_SEMMAP, &m));
		EXPECT_EQ(E2BIG, errno);
	}
	/* Not inherited, not growable. */
	m.id = id;
	ASSERT_EQ(0, ioctl(fd, SYSVIPC_IOC_SEMMAP, &m));
	p = (void *)(uintptr_t)m.addr;
	EXPECT_EQ(MAP_FAILED, mremap(p, PAGE_SZ, 2 * PAGE_SZ, 0));
	EXPECT_EQ(-1, mprotect(p, PAGE_SZ, PROT_READ | PROT_EXEC));
	EXPECT_EQ(0, munmap(p, PAGE_SZ));
	close(fd);
}

/* The page by its page offset, as CRIU maps it again (ABI 1.4). */
TEST_F(ipc, semmap_by_offset)
{
	struct sysvipc_semmap m = { 0 };
	struct sysvipc_sem_page_hdr *a, *b;
	struct sysvipc_version v;
	unsigned long long off = 0;
	char line[512];
	FILE *f;
	int fd, id;

	if (!is_lib_mode())
		SKIP(return, "the module's mmap");
	if (sem_fast_off())
		SKIP(return, "sem_fast=0: nothing to map");
	fd = dev_fd();
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, ioctl(fd, SYSVIPC_IOC_VERSION, &v));
	EXPECT_NE(0, v.features & SYSVIPC_FEAT_MMAP_PGOFF);
	id = new_set(2, 7, 0600);
	ASSERT_GE(id, 0);
	m.id = id;
	ASSERT_EQ(0, ioctl(fd, SYSVIPC_IOC_SEMMAP, &m));
	a = (void *)(uintptr_t)m.addr;
	/* the ioctl's mapping is the device at SYSVIPC_MMAP_SEM + id */
	f = fopen("/proc/self/maps", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strtoull(line, NULL, 16) == m.addr)
			sscanf(line, "%*s %*s %llx", &off);
	fclose(f);
	EXPECT_EQ((SYSVIPC_MMAP_SEM + id) * 4096, off);
	b = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		 (SYSVIPC_MMAP_SEM + id) * 4096);
	ASSERT_NE(MAP_FAILED, b);
	EXPECT_EQ(SYSVIPC_SEM_PAGE_MAGIC, b->magic);
	EXPECT_EQ(id, b->id);
	EXPECT_EQ(0, memcmp(a, b, 64));
	EXPECT_EQ(0, munmap(b, PAGE_SZ));
	/* one page, an existing set */
	EXPECT_EQ(MAP_FAILED, mmap(NULL, 2 * PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED,
				   fd, (SYSVIPC_MMAP_SEM + id) * 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, semctl(id, 0, IPC_RMID));
	EXPECT_EQ(MAP_FAILED, mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED,
				   fd, (SYSVIPC_MMAP_SEM + id) * 4096));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(0, munmap(a, PAGE_SZ));
	close(fd);
}

static int semmap_as_reader(void *p)
{
	struct sysvipc_semmap m = { .id = *(int *)p };
	int fd = dev_fd();

	if (fd < 0)
		return CHILD_SETUP_FAILED;
	if (!ioctl(fd, SYSVIPC_IOC_SEMMAP, &m))
		return CHILD_UNEXPECTED_OK;
	return errno;
}

TEST_F(ipc, semmap_needs_alter)
{
	int id;

	if (!is_lib_mode())
		SKIP(return, "the module's ioctl");
	if (sem_fast_off())
		SKIP(return, "sem_fast=0: nothing to map");
	id = new_set(1, 0, 0644);
	ASSERT_GE(id, 0);
	EXPECT_EQ(EACCES, run_as_nobody(semmap_as_reader, &id));
}

TEST_HARNESS_MAIN
