// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile users: an unprivileged uid (65534) goes after root's objects.
 *
 * Every attempt runs in its own forked child as nobody:nogroup (sometimes
 * with a supplementary group) and must fail with exactly the errno the
 * kernel's own IPC gives (the native build is the oracle), or succeed
 * where the kernel lets it (mode 0 gets, *_STAT_ANY, *_INFO).  Besides the
 * permission checks of every operation, the order of the checks matters:
 * whether an error reveals that a key or id exists, or how big an object
 * is, must match the kernel (e.g. a stale id gives EINVAL before any
 * permission check; a get with too large a size gives EINVAL even when
 * the mode asked for would be refused, as 6.1 checks the size first).  Library mode adds the module's own doors: a raw mmap of
 * /dev/sysvipc with a segment id as offset, and mprotect() of a read-only
 * attach.
 *
 * The last case prints the number of attempts refused ("# hostile: N
 * attempts refused, M allowed as the kernel allows").
 */
#include <setjmp.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <linux/sysvipc.h>
#include "common.h"

#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif
#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

/*
 * tallies, in a page shared by every test (the harness forks one process
 * per test) and the children: [0] refused, [1] allowed
 */
static long *tally;

__attribute__((constructor)) static void tally_init(void)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	tally = p == MAP_FAILED ? NULL : p;
}

struct objs {
	key_t key;
	int shm, sem, msg;
	int shm_idx, sem_idx, msg_idx;	/* index for *_STAT */
	size_t segsz;
	int nsems;
	int arg;		/* per-attempt argument */
};

/* root's objects with @mode, group TEST_GID, one message queued */
static int make_objs(struct objs *o, int mode)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	union semun u = { .buf = &seds };
	struct { long mtype; char t[16]; } m = { 1, "secret" };
	unsigned short vals[3] = { 1, 2, 3 };

	memset(o, 0, sizeof(*o));
	o->key = unique_key();
	o->segsz = 2 * PAGE_SZ;
	o->nsems = 3;
	o->shm = t_shmget(o->key, o->segsz, IPC_CREAT | IPC_EXCL | mode);
	o->sem = t_semget(o->key, o->nsems, IPC_CREAT | IPC_EXCL | mode);
	o->msg = t_msgget(o->key, IPC_CREAT | IPC_EXCL | mode);
	if (o->key == IPC_PRIVATE || o->shm < 0 || o->sem < 0 || o->msg < 0)
		return -1;
	u.array = vals;
	if (semctl(o->sem, 0, SETALL, u) || msgsnd(o->msg, &m, sizeof(m.t), 0))
		return -1;
	u.buf = &seds;
	if (shmctl(o->shm, IPC_STAT, &sds) || semctl(o->sem, 0, IPC_STAT, u) ||
	    msgctl(o->msg, IPC_STAT, &mds))
		return -1;
	sds.shm_perm.gid = seds.sem_perm.gid = mds.msg_perm.gid = TEST_GID;
	if (shmctl(o->shm, IPC_SET, &sds) || semctl(o->sem, 0, IPC_SET, u) ||
	    msgctl(o->msg, IPC_SET, &mds))
		return -1;
	o->shm_idx = o->shm % 32768;
	o->sem_idx = o->sem % 32768;
	o->msg_idx = o->msg % 32768;
	return 0;
}

typedef int (*attempt_fn)(struct objs *o);

/* run @fn as nobody (in @group if nonzero); 0 or the errno it reports */
static int as_nobody(struct objs *o, attempt_fn fn, gid_t group)
{
	int r = group ? run_as_nobody_in(group, (child_fn)fn, o)
		      : run_as_nobody((child_fn)fn, o);

	if (tally)
		tally[r == 0 ? 1 : 0]++;
	return r;
}

/* the object is unchanged: values, message, mode and owner */
static bool objs_intact(struct objs *o, unsigned int mode)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	union semun u = { .buf = &seds };

	if (shmctl(o->shm, IPC_STAT, &sds) || semctl(o->sem, 0, IPC_STAT, u) ||
	    msgctl(o->msg, IPC_STAT, &mds))
		return false;
	if ((sds.shm_perm.mode & 0777) != mode || (seds.sem_perm.mode & 0777) != mode ||
	    (mds.msg_perm.mode & 0777) != mode)
		return false;
	if (sds.shm_perm.uid != 0 || seds.sem_perm.uid != 0 || mds.msg_perm.uid != 0)
		return false;
	if (sds.shm_nattch != 0 || mds.msg_qnum != 1 || sds.shm_perm.__key != o->key)
		return false;
	for (int i = 0; i < 3; i++)
		if (semctl(o->sem, i, GETVAL) != i + 1)
			return false;
	return true;
}

/* ---- attempts (each in a child as nobody; returns 0 or errno) ---- */

static int a_shmat_rw(struct objs *o)
{
	void *p = shmat(o->shm, NULL, 0);

	return p == (void *)-1 ? errno : (shmdt(p), 0);
}

static int a_shmat_ro(struct objs *o)
{
	void *p = shmat(o->shm, NULL, SHM_RDONLY);

	return p == (void *)-1 ? errno : (shmdt(p), 0);
}

static int a_shmat_exec(struct objs *o)
{
	void *p = shmat(o->shm, NULL, SHM_RDONLY | SHM_EXEC);

	return p == (void *)-1 ? errno : (shmdt(p), 0);
}

/* read-only attach, then try to make it writable */
static int a_shmat_ro_mprotect(struct objs *o)
{
	void *p = shmat(o->shm, NULL, SHM_RDONLY);
	int e;

	if (p == (void *)-1)
		return CHILD_SETUP_FAILED;
	e = ERRNO_OF(mprotect(p, PAGE_SZ, PROT_READ | PROT_WRITE));
	shmdt(p);
	return e;
}

static sigjmp_buf segv_jb;
static void on_segv(int sig)
{
	(void)sig;
	siglongjmp(segv_jb, 1);
}

/* read-only attach, then write: SIGSEGV (reported as EFAULT) */
static int a_shmat_ro_write(struct objs *o)
{
	volatile char *p = shmat(o->shm, NULL, SHM_RDONLY);

	if (p == (void *)-1)
		return CHILD_SETUP_FAILED;
	signal(SIGSEGV, on_segv);
	if (sigsetjmp(segv_jb, 1))
		return EFAULT;
	p[0] = 'x';
	return 0;
}

static int a_shm_stat(struct objs *o)
{
	struct shmid_ds ds;

	return ERRNO_OF(shmctl(o->shm, IPC_STAT, &ds));
}

static int a_shm_stat_idx(struct objs *o)
{
	struct shmid_ds ds;

	return ERRNO_OF(shmctl(o->shm_idx, SHM_STAT, &ds));
}

/* SHM_STAT_ANY: allowed, and it returns the id and the real contents */
static int a_shm_stat_any(struct objs *o)
{
	struct shmid_ds ds;
	int id = shmctl(o->shm_idx, SHM_STAT_ANY, &ds);

	if (id < 0)
		return errno;
	return id == o->shm && ds.shm_segsz == o->segsz ? 0 : CHILD_MISMATCH;
}

static int a_shm_set(struct objs *o)
{
	struct shmid_ds ds = { 0 };

	ds.shm_perm.uid = NOBODY_UID;
	ds.shm_perm.gid = NOBODY_GID;
	ds.shm_perm.mode = 0666;
	return ERRNO_OF(shmctl(o->shm, IPC_SET, &ds));
}

static int a_shm_rmid(struct objs *o)
{
	return ERRNO_OF(shmctl(o->shm, IPC_RMID, NULL));
}

static int a_shm_lock(struct objs *o)
{
	return ERRNO_OF(shmctl(o->shm, SHM_LOCK, NULL));
}

static int a_shm_unlock(struct objs *o)
{
	return ERRNO_OF(shmctl(o->shm, SHM_UNLOCK, NULL));
}

static int a_sem_getval(struct objs *o)
{
	return ERRNO_OF(semctl(o->sem, 1, GETVAL));
}

static int a_sem_getall(struct objs *o)
{
	unsigned short v[3];
	union semun u = { .array = v };

	return ERRNO_OF(semctl(o->sem, 0, GETALL, u));
}

static int a_sem_getpid(struct objs *o)
{
	return ERRNO_OF(semctl(o->sem, 0, GETPID));
}

static int a_sem_getncnt(struct objs *o)
{
	return ERRNO_OF(semctl(o->sem, 0, GETNCNT));
}

static int a_sem_getzcnt(struct objs *o)
{
	return ERRNO_OF(semctl(o->sem, 0, GETZCNT));
}

static int a_sem_setval(struct objs *o)
{
	union semun u = { .val = 100 };

	return ERRNO_OF(semctl(o->sem, 0, SETVAL, u));
}

static int a_sem_setall(struct objs *o)
{
	unsigned short v[3] = { 9, 9, 9 };
	union semun u = { .array = v };

	return ERRNO_OF(semctl(o->sem, 0, SETALL, u));
}

static int a_sem_stat(struct objs *o)
{
	struct semid_ds ds;
	union semun u = { .buf = &ds };

	return ERRNO_OF(semctl(o->sem, 0, IPC_STAT, u));
}

static int a_sem_stat_idx(struct objs *o)
{
	struct semid_ds ds;
	union semun u = { .buf = &ds };

	return ERRNO_OF(semctl(o->sem_idx, 0, SEM_STAT, u));
}

static int a_sem_stat_any(struct objs *o)
{
	struct semid_ds ds;
	union semun u = { .buf = &ds };
	int id = semctl(o->sem_idx, 0, SEM_STAT_ANY, u);

	if (id < 0)
		return errno;
	return id == o->sem && ds.sem_nsems == 3 ? 0 : CHILD_MISMATCH;
}

static int a_sem_set(struct objs *o)
{
	struct semid_ds ds = { 0 };
	union semun u = { .buf = &ds };

	ds.sem_perm.uid = NOBODY_UID;
	ds.sem_perm.mode = 0666;
	return ERRNO_OF(semctl(o->sem, 0, IPC_SET, u));
}

static int a_sem_rmid(struct objs *o)
{
	return ERRNO_OF(semctl(o->sem, 0, IPC_RMID));
}

/* decrement (alter), with and without SEM_UNDO */
static int a_semop_dec(struct objs *o)
{
	struct sembuf sb = { 0, -1, IPC_NOWAIT | o->arg };

	return ERRNO_OF(semop(o->sem, &sb, 1));
}

/* increment (alter) */
static int a_semop_inc(struct objs *o)
{
	struct sembuf sb = { 2, 1, IPC_NOWAIT };

	return ERRNO_OF(semop(o->sem, &sb, 1));
}

/* wait-for-zero needs read permission only */
static int a_semop_zero(struct objs *o)
{
	struct sembuf sb = { 0, 0, IPC_NOWAIT };

	return ERRNO_OF(semop(o->sem, &sb, 1));
}

static int a_semtimedop(struct objs *o)
{
	struct sembuf sb = { 0, -5, 0 };
	struct timespec ts = { 0, 1000000 };

	return ERRNO_OF(semtimedop(o->sem, &sb, 1, &ts));
}

static int a_msgsnd(struct objs *o)
{
	struct { long mtype; char t[8]; } m = { 2, "evil" };

	return ERRNO_OF(msgsnd(o->msg, &m, sizeof(m.t), IPC_NOWAIT));
}

static int a_msgrcv(struct objs *o)
{
	struct { long mtype; char t[64]; } m;

	return ERRNO_OF(msgrcv(o->msg, &m, sizeof(m.t), 0, IPC_NOWAIT));
}

static int a_msgrcv_copy(struct objs *o)
{
	struct { long mtype; char t[64]; } m;

	return ERRNO_OF(msgrcv(o->msg, &m, sizeof(m.t), 0, IPC_NOWAIT | MSG_COPY));
}

/* a blocking receive that would otherwise wait: refused before it sleeps */
static int a_msgrcv_block(struct objs *o)
{
	struct { long mtype; char t[64]; } m;

	alarm(2);
	return ERRNO_OF(msgrcv(o->msg, &m, sizeof(m.t), 99, 0));
}

static int a_msg_stat(struct objs *o)
{
	struct msqid_ds ds;

	return ERRNO_OF(msgctl(o->msg, IPC_STAT, &ds));
}

static int a_msg_stat_idx(struct objs *o)
{
	struct msqid_ds ds;

	return ERRNO_OF(msgctl(o->msg_idx, MSG_STAT, &ds));
}

static int a_msg_stat_any(struct objs *o)
{
	struct msqid_ds ds;
	int id = msgctl(o->msg_idx, MSG_STAT_ANY, &ds);

	if (id < 0)
		return errno;
	return id == o->msg && ds.msg_qnum == 1 ? 0 : CHILD_MISMATCH;
}

static int a_msg_set(struct objs *o)
{
	struct msqid_ds ds = { 0 };

	ds.msg_perm.uid = NOBODY_UID;
	ds.msg_perm.mode = 0666;
	ds.msg_qbytes = 16384;
	return ERRNO_OF(msgctl(o->msg, IPC_SET, &ds));
}

static int a_msg_rmid(struct objs *o)
{
	return ERRNO_OF(msgctl(o->msg, IPC_RMID, NULL));
}

/* gets on root's key: o->arg is the flag */
static int a_get_all(struct objs *o)
{
	int e0 = ERRNO_OF(shmget(o->key, 0, o->arg));
	int e1 = ERRNO_OF(semget(o->key, 0, o->arg));
	int e2 = ERRNO_OF(msgget(o->key, o->arg));

	return e0 == e1 && e1 == e2 ? e0 : CHILD_MISMATCH;
}

/* a size/nsems larger than the object's with flag o->arg */
static int a_get_bigger(struct objs *o)
{
	int e0 = ERRNO_OF(shmget(o->key, o->segsz * 2, o->arg));
	int e1 = ERRNO_OF(semget(o->key, o->nsems + 1, o->arg));

	return e0 == e1 ? e0 : CHILD_MISMATCH;
}

/* stale ids (another sequence number): EINVAL, before any permission check */
static int a_stale_ids(struct objs *o)
{
	struct shmid_ds sds;
	struct semid_ds seds;
	struct msqid_ds mds;
	union semun u = { .buf = &seds };
	int e0 = ERRNO_OF(shmctl(o->shm + 32768, IPC_STAT, &sds));
	int e1 = ERRNO_OF(semctl(o->sem + 32768, 0, IPC_STAT, u));
	int e2 = ERRNO_OF(msgctl(o->msg + 32768, IPC_STAT, &mds));
	int e3 = ERRNO_OF(shmctl(o->shm + 32768, IPC_RMID, NULL));

	return e0 == e1 && e1 == e2 && e2 == e3 ? e0 : CHILD_MISMATCH;
}

/* *_INFO: allowed for anyone */
static int a_info(struct objs *o)
{
	struct shm_info si;
	struct seminfo se;
	struct msginfo mi;
	union semun u = { .__buf = &se };

	(void)o;
	if (shmctl(0, SHM_INFO, (struct shmid_ds *)&si) < 0 ||
	    semctl(0, 0, SEM_INFO, u) < 0 ||
	    msgctl(0, MSG_INFO, (struct msqid_ds *)&mi) < 0)
		return errno;
	return si.used_ids >= 1 && se.semusz >= 1 && mi.msgpool >= 1 ? 0 : CHILD_MISMATCH;
}

/* ---- the module's own doors (library mode) ---- */

/* raw mmap of the device with the segment id as offset: o->arg = prot */
static int a_dev_mmap(struct objs *o)
{
	int fd = open("/dev/sysvipc", O_RDWR | O_CLOEXEC);
	void *p;

	if (fd < 0)
		return CHILD_SETUP_FAILED;
	p = mmap(NULL, o->segsz, o->arg, MAP_SHARED, fd, (off_t)o->shm * PAGE_SZ);
	close(fd);
	if (p == MAP_FAILED)
		return errno;
	munmap(p, o->segsz);
	return 0;
}

/* the same, read-only, then mprotect to writable */
static int a_dev_mmap_mprotect(struct objs *o)
{
	int fd = open("/dev/sysvipc", O_RDWR | O_CLOEXEC);
	void *p;
	int e;

	if (fd < 0)
		return CHILD_SETUP_FAILED;
	p = mmap(NULL, o->segsz, PROT_READ, MAP_SHARED, fd, (off_t)o->shm * PAGE_SZ);
	close(fd);
	if (p == MAP_FAILED)
		return CHILD_SETUP_FAILED;
	e = ERRNO_OF(mprotect(p, PAGE_SZ, PROT_READ | PROT_WRITE));
	munmap(p, o->segsz);
	return e;
}

/* raw ioctls with the reserved fields set: EINVAL like everyone else's */
static int a_dev_reserved(struct objs *o)
{
	int fd = open("/dev/sysvipc", O_RDWR | O_CLOEXEC);
	struct sysvipc_ctl c = { .id = o->shm, .cmd = IPC_RMID, .reserved = { 1, 0 } };
	int e;

	if (fd < 0)
		return CHILD_SETUP_FAILED;
	e = ERRNO_OF(ioctl(fd, SYSVIPC_IOC_SHMCTL, &c));
	close(fd);
	return e;
}

#define LIB_ONLY() do { if (!is_lib_mode()) SKIP(return, "library-only: the module's device"); } while (0)

/* ---- the cases ---- */

TEST_F(ipc, mode_0600_shm_refused)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0600));
	EXPECT_EQ(EACCES, as_nobody(&o, a_shmat_rw, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_shmat_ro, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_shmat_exec, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_shm_stat, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_shm_stat_idx, 0));
	EXPECT_EQ(EPERM, as_nobody(&o, a_shm_set, 0));
	EXPECT_EQ(EPERM, as_nobody(&o, a_shm_rmid, 0));
	EXPECT_EQ(EPERM, as_nobody(&o, a_shm_lock, 0));
	EXPECT_EQ(EPERM, as_nobody(&o, a_shm_unlock, 0));
	/* the group member gets no more: the group bits are 0 too */
	EXPECT_EQ(EACCES, as_nobody(&o, a_shmat_ro, TEST_GID));
	EXPECT_EQ(EPERM, as_nobody(&o, a_shm_rmid, TEST_GID));
	EXPECT_TRUE(objs_intact(&o, 0600));
}

TEST_F(ipc, mode_0640_shm_group_reads_only)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0640));
	EXPECT_EQ(0, as_nobody(&o, a_shmat_ro, TEST_GID));
	EXPECT_EQ(0, as_nobody(&o, a_shm_stat, TEST_GID));
	EXPECT_EQ(EACCES, as_nobody(&o, a_shmat_rw, TEST_GID));
	/* SHM_EXEC asks for the execute bit as well */
	EXPECT_EQ(EACCES, as_nobody(&o, a_shmat_exec, TEST_GID));
	EXPECT_EQ(EACCES, as_nobody(&o, a_shmat_ro_mprotect, TEST_GID));
	EXPECT_EQ(EFAULT, as_nobody(&o, a_shmat_ro_write, TEST_GID));
	EXPECT_EQ(EPERM, as_nobody(&o, a_shm_set, TEST_GID));
	EXPECT_EQ(EPERM, as_nobody(&o, a_shm_rmid, TEST_GID));
	EXPECT_EQ(EPERM, as_nobody(&o, a_shm_lock, TEST_GID));
	/* not in the group: nothing */
	EXPECT_EQ(EACCES, as_nobody(&o, a_shmat_ro, 0));
	EXPECT_TRUE(objs_intact(&o, 0640));
}

TEST_F(ipc, mode_0600_sem_refused)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0600));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_getval, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_getall, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_getpid, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_getncnt, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_getzcnt, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_setval, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_setall, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_stat, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_stat_idx, 0));
	EXPECT_EQ(EPERM, as_nobody(&o, a_sem_set, 0));
	EXPECT_EQ(EPERM, as_nobody(&o, a_sem_rmid, 0));
	o.arg = 0;
	EXPECT_EQ(EACCES, as_nobody(&o, a_semop_dec, 0));
	o.arg = SEM_UNDO;
	EXPECT_EQ(EACCES, as_nobody(&o, a_semop_dec, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_semop_inc, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_semop_zero, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_semtimedop, 0));
	EXPECT_TRUE(objs_intact(&o, 0600));
}

TEST_F(ipc, mode_0640_sem_group_reads_only)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0640));
	EXPECT_EQ(0, as_nobody(&o, a_sem_getval, TEST_GID));
	EXPECT_EQ(0, as_nobody(&o, a_sem_getall, TEST_GID));
	EXPECT_EQ(0, as_nobody(&o, a_sem_getncnt, TEST_GID));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_setval, TEST_GID));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_setall, TEST_GID));
	o.arg = SEM_UNDO;
	EXPECT_EQ(EACCES, as_nobody(&o, a_semop_dec, TEST_GID));
	EXPECT_EQ(EACCES, as_nobody(&o, a_semop_inc, TEST_GID));
	/* wait-for-zero is a read: allowed, and the value (1) is not zero */
	EXPECT_EQ(EAGAIN, as_nobody(&o, a_semop_zero, TEST_GID));
	EXPECT_EQ(EPERM, as_nobody(&o, a_sem_set, TEST_GID));
	EXPECT_EQ(EPERM, as_nobody(&o, a_sem_rmid, TEST_GID));
	EXPECT_TRUE(objs_intact(&o, 0640));
}

TEST_F(ipc, mode_0600_msg_refused)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0600));
	EXPECT_EQ(EACCES, as_nobody(&o, a_msgsnd, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_msgrcv, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_msgrcv_copy, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_msgrcv_block, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_msg_stat, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_msg_stat_idx, 0));
	EXPECT_EQ(EPERM, as_nobody(&o, a_msg_set, 0));
	EXPECT_EQ(EPERM, as_nobody(&o, a_msg_rmid, 0));
	EXPECT_TRUE(objs_intact(&o, 0600));
}

TEST_F(ipc, mode_0620_msg_group_sends_only)
{
	struct objs o;
	struct { long mtype; char t[64]; } m;

	ASSERT_EQ(0, make_objs(&o, 0620));
	EXPECT_EQ(EACCES, as_nobody(&o, a_msgrcv, TEST_GID));
	EXPECT_EQ(EACCES, as_nobody(&o, a_msgrcv_copy, TEST_GID));
	EXPECT_EQ(EACCES, as_nobody(&o, a_msg_stat, TEST_GID));
	EXPECT_EQ(EPERM, as_nobody(&o, a_msg_rmid, TEST_GID));
	EXPECT_EQ(EACCES, as_nobody(&o, a_msgsnd, 0));
	EXPECT_EQ(0, as_nobody(&o, a_msgsnd, TEST_GID));
	/* root receives what nobody sent, after its own message */
	EXPECT_EQ(16, msgrcv(o.msg, &m, sizeof(m.t), 0, IPC_NOWAIT));
	EXPECT_EQ(1, m.mtype);
	EXPECT_EQ(8, msgrcv(o.msg, &m, sizeof(m.t), 0, IPC_NOWAIT));
	EXPECT_EQ(2, m.mtype);
	EXPECT_STREQ("evil", m.t);
}

/* *_STAT needs read permission, *_STAT_ANY does not (6.1) */
TEST_F(ipc, stat_vs_stat_any)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0600));
	EXPECT_EQ(EACCES, as_nobody(&o, a_shm_stat_idx, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_sem_stat_idx, 0));
	EXPECT_EQ(EACCES, as_nobody(&o, a_msg_stat_idx, 0));
	EXPECT_EQ(0, as_nobody(&o, a_shm_stat_any, 0));
	EXPECT_EQ(0, as_nobody(&o, a_sem_stat_any, 0));
	EXPECT_EQ(0, as_nobody(&o, a_msg_stat_any, 0));
	EXPECT_EQ(0, as_nobody(&o, a_info, 0));
}

/* what keys and ids tell a stranger: the kernel's answers, in its order */
TEST_F(ipc, keys_and_ids_leak_nothing_more)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0600));
	/* a get asking for nothing finds the object (as in the kernel) */
	o.arg = 0;
	EXPECT_EQ(0, as_nobody(&o, a_get_all, 0));
	/* asking for access the user lacks: EACCES */
	o.arg = 0400;
	EXPECT_EQ(EACCES, as_nobody(&o, a_get_all, 0));
	o.arg = 0004;
	EXPECT_EQ(EACCES, as_nobody(&o, a_get_all, 0));
	o.arg = IPC_CREAT | 0666;
	EXPECT_EQ(EACCES, as_nobody(&o, a_get_all, 0));
	/* IPC_EXCL tells that the key exists, before any permission check */
	o.arg = IPC_CREAT | IPC_EXCL | 0600;
	EXPECT_EQ(EEXIST, as_nobody(&o, a_get_all, 0));
	/*
	 * a bigger size: 6.1 checks the size (more_checks) before the
	 * permissions, so a stranger learns the size bound either way
	 */
	o.arg = 0600;
	EXPECT_EQ(EINVAL, as_nobody(&o, a_get_bigger, 0));
	o.arg = 0;
	EXPECT_EQ(EINVAL, as_nobody(&o, a_get_bigger, 0));
	/* a stale sequence number is EINVAL, not EACCES */
	EXPECT_EQ(EINVAL, as_nobody(&o, a_stale_ids, 0));
	EXPECT_TRUE(objs_intact(&o, 0600));
}

/* nobody's own queue: raising msg_qbytes past msgmnb needs CAP_SYS_RESOURCE */
static int a_own_queue_qbytes(struct objs *o)
{
	struct msqid_ds ds;
	int id = msgget(IPC_PRIVATE, 0600);
	int e;

	(void)o;
	if (id < 0)
		return CHILD_SETUP_FAILED;
	if (msgctl(id, IPC_STAT, &ds))
		return CHILD_SETUP_FAILED;
	ds.msg_qbytes = sysctl_read_ul("msgmnb") + 1;
	e = ERRNO_OF(msgctl(id, IPC_SET, &ds));
	msgctl(id, IPC_RMID, NULL);
	return e;
}

/* nobody's own segment: SHM_LOCK with RLIMIT_MEMLOCK 0, then too small */
static int a_own_shm_lock(struct objs *o)
{
	struct rlimit rl = { 0, 0 };
	int id = shmget(IPC_PRIVATE, 4 * PAGE_SZ, 0600);
	int e0;

	(void)o;
	if (id < 0)
		return CHILD_SETUP_FAILED;
	setrlimit(RLIMIT_MEMLOCK, &rl);
	e0 = ERRNO_OF(shmctl(id, SHM_LOCK, NULL));
	shmctl(id, IPC_RMID, NULL);
	return e0;
}

static int a_own_shm_lock_small(struct objs *o)
{
	struct rlimit rl = { PAGE_SZ, PAGE_SZ };
	int id = shmget(IPC_PRIVATE, 4 * PAGE_SZ, 0600);
	int e;

	(void)o;
	if (id < 0)
		return CHILD_SETUP_FAILED;
	setrlimit(RLIMIT_MEMLOCK, &rl);
	e = ERRNO_OF(shmctl(id, SHM_LOCK, NULL));
	shmctl(id, IPC_RMID, NULL);
	return e;
}

TEST_F(ipc, own_objects_limits_hold)
{
	struct objs o;

	ASSERT_EQ(0, make_objs(&o, 0600));
	EXPECT_EQ(EPERM, as_nobody(&o, a_own_queue_qbytes, 0));
	EXPECT_EQ(EPERM, as_nobody(&o, a_own_shm_lock, 0));
	EXPECT_EQ(ENOMEM, as_nobody(&o, a_own_shm_lock_small, 0));
}

TEST_F(ipc, device_doors_refused)
{
	struct objs o;

	LIB_ONLY();
	ASSERT_EQ(0, make_objs(&o, 0640));
	o.arg = PROT_READ;
	EXPECT_EQ(EACCES, as_nobody(&o, a_dev_mmap, 0));
	EXPECT_EQ(0, as_nobody(&o, a_dev_mmap, TEST_GID));
	o.arg = PROT_READ | PROT_WRITE;
	EXPECT_EQ(EACCES, as_nobody(&o, a_dev_mmap, TEST_GID));
	EXPECT_EQ(EACCES, as_nobody(&o, a_dev_mmap_mprotect, TEST_GID));
	EXPECT_EQ(EINVAL, as_nobody(&o, a_dev_reserved, 0));
	EXPECT_TRUE(objs_intact(&o, 0640));
}

/* last: the figures */
TEST_F(ipc, zz_tally)
{
	ASSERT_NE(NULL, tally);
	/* the earlier cases ran (each in its own process) */
	EXPECT_GT(tally[0], 50);
	printf("# hostile: %ld attempts refused, %ld allowed as the kernel allows\n",
	       tally[0], tally[1]);
	fflush(stdout);
}

TEST_HARNESS_MAIN
