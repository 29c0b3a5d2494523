// SPDX-License-Identifier: GPL-2.0
/*
 * Object file descriptors (SYSVIPC_IOC_OBJFD through sysvipc_fd()): poll
 * and epoll readiness, read/write against the SysV calls on the same
 * objects, segment fds (pread/pwrite/mmap/fstat, OFD locks between
 * processes) and io_uring (batched receives, cancellation, teardown with
 * requests pending).  The kernel's own IPC has no such descriptors: every
 * case SKIPs natively.
 */
#include <poll.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <liburing.h>

#include "common.h"

#if SYSVIPC_TEST_LIB
#include <sysvipc.h>
#include <sysvipc_uring.h>
static int objfd(int type, int id, const struct sysvipc_objfd *cfg, int flags)
{
	return sysvipc_fd(type, id, cfg, flags);
}
#else
#include <linux/sysvipc.h>
static int objfd(int type, int id, const struct sysvipc_objfd *cfg, int flags)
{
	(void)type; (void)id; (void)cfg; (void)flags;
	errno = ENOSYS;
	return -1;
}
#endif

#define NEED_LIB() do { \
	if (!is_lib_mode()) \
		SKIP(return, "object fds: lib mode only"); \
} while (0)

struct msg64 {
	long mtype;
	char mtext[64];
};

/* poll(2) with timeout 0: the ready events (POLLIN|POLLOUT|ERR|HUP) */
static short poll_now(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

	if (poll(&p, 1, 0) < 0)
		return -1;
	return p.revents;
}

static int msgq_new(void)
{
	return t_msgget(IPC_PRIVATE, IPC_CREAT | 0600);
}

static int msgq_set_qbytes(int id, unsigned long qbytes)
{
	struct msqid_ds ds;

	if (msgctl(id, IPC_STAT, &ds))
		return -1;
	ds.msg_qbytes = qbytes;
	return msgctl(id, IPC_SET, &ds);
}

static long msgq_qnum(int id)
{
	struct msqid_ds ds;

	if (msgctl(id, IPC_STAT, &ds))
		return -1;
	return (long)ds.msg_qnum;
}

static int send_text(int id, long type, const char *text)
{
	struct msg64 m = { .mtype = type };

	snprintf(m.mtext, sizeof(m.mtext), "%s", text);
	return msgsnd(id, &m, strlen(text), IPC_NOWAIT);
}

#if SYSVIPC_TEST_LIB
/* The module's reference count: every open file of ours pins it. */
static long module_refcnt(void)
{
	char buf[32];

	if (file_read_str("/sys/module/sysvipc/refcnt", buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

/* Wait up to @ms for the count to drop back to @want (async teardown). */
static long refcnt_settle(long want, int ms)
{
	long n = module_refcnt();

	for (; ms > 0 && n != want; ms -= 10) {
		usleep(10000);
		n = module_refcnt();
	}
	return n;
}
#endif

/* ---------------------------------------------------------------- */
/* creation                                                         */
/* ---------------------------------------------------------------- */

static int child_open_msg(void *p)
{
	int fd = objfd(SYSVIPC_OBJ_MSG, *(int *)p, NULL, O_RDONLY);

	if (fd >= 0) {
		close(fd);
		return CHILD_UNEXPECTED_OK;
	}
	return errno;
}

TEST_F(ipc, create_errors)
{
	struct sysvipc_objfd cfg;
	int q, s, m, fd;

	NEED_LIB();
	q = msgq_new();
	s = t_semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	m = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
	ASSERT_LE(0, q);
	ASSERT_LE(0, s);
	ASSERT_LE(0, m);

	memset(&cfg, 0, sizeof(cfg));
	cfg.reserved[1] = 1;
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_MSG, q, &cfg, O_RDWR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, objfd(0, q, NULL, O_RDWR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR | O_APPEND));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_MSG, q + 1, NULL, O_RDWR));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_MSG, -1, NULL, O_RDWR));
	EXPECT_EQ(EINVAL, errno);
	memset(&cfg, 0, sizeof(cfg));
	cfg.msgflg = IPC_NOWAIT;
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_MSG, q, &cfg, O_RDWR));
	EXPECT_EQ(EINVAL, errno);
	memset(&cfg, 0, sizeof(cfg));
	cfg.sem_op = -1;	/* sem fields on a queue */
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_MSG, q, &cfg, O_RDWR));
	EXPECT_EQ(EINVAL, errno);
	cfg.sem_num = 2;	/* beyond nsems: semop's EFBIG */
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_SEM, s, &cfg, O_RDONLY));
	EXPECT_EQ(EFBIG, errno);
	cfg.sem_num = 0;
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_SEM, s, &cfg, O_WRONLY));
	EXPECT_EQ(EINVAL, errno);
	cfg.sem_flg = IPC_NOWAIT;
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_SEM, s, &cfg, O_RDONLY));
	EXPECT_EQ(EINVAL, errno);
	memset(&cfg, 0, sizeof(cfg));
	cfg.msgtyp = 1;
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_SHM, m, &cfg, O_RDWR));
	EXPECT_EQ(EINVAL, errno);

	/* O_CLOEXEC and O_NONBLOCK are honoured */
	fd = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR | O_CLOEXEC | O_NONBLOCK);
	ASSERT_LE(0, fd);
	EXPECT_EQ(FD_CLOEXEC, fcntl(fd, F_GETFD));
	EXPECT_EQ(O_NONBLOCK, fcntl(fd, F_GETFL) & O_NONBLOCK);
	EXPECT_EQ(O_RDWR, fcntl(fd, F_GETFL) & O_ACCMODE);
	close(fd);
	fd = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, fcntl(fd, F_GETFD));
	EXPECT_EQ(0, fcntl(fd, F_GETFL) & O_NONBLOCK);
	close(fd);

	/* permissions: as the object's own calls */
	EXPECT_EQ(EACCES, run_as_nobody(child_open_msg, &q));
	ASSERT_EQ(0, msgctl(q, IPC_RMID, NULL));
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(ipc, version_feature)
{
	struct sysvipc_version v;

	NEED_LIB();
#if SYSVIPC_TEST_LIB
	ASSERT_EQ(0, sysvipc_version(&v));
	EXPECT_EQ(1U, v.major);
	EXPECT_LE(2U, v.minor);
	EXPECT_TRUE(v.features & SYSVIPC_FEAT_OBJFD);
#else
	(void)v;
#endif
}

/* ---------------------------------------------------------------- */
/* queue fds                                                        */
/* ---------------------------------------------------------------- */

TEST_F(ipc, msg_poll_transitions)
{
	struct sysvipc_objfd cfg = { .msgsz = 40 };
	struct msg64 m;
	int q, fd;

	NEED_LIB();
	q = msgq_new();
	ASSERT_LE(0, q);
	ASSERT_EQ(0, msgq_set_qbytes(q, 64));
	fd = objfd(SYSVIPC_OBJ_MSG, q, &cfg, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);

	EXPECT_EQ(POLLOUT, poll_now(fd));
	ASSERT_EQ(0, send_text(q, 1, "0123456789012345678901234"));	/* 25 */
	/* 25 + 40 > 64: a 40-byte message no longer fits */
	EXPECT_EQ(POLLIN, poll_now(fd));
	memset(&m, 0, sizeof(m));
	EXPECT_EQ((ssize_t)sizeof(long) + 25, read(fd, &m, sizeof(m)));
	EXPECT_EQ(1, m.mtype);
	EXPECT_EQ(0, memcmp(m.mtext, "0123456789012345678901234", 25));
	EXPECT_EQ(POLLOUT, poll_now(fd));
	EXPECT_EQ(-1, read(fd, &m, sizeof(m)));
	EXPECT_EQ(EAGAIN, errno);

	/* a write-only fd reports POLLOUT only, a read-only one POLLIN only */
	ASSERT_EQ(0, send_text(q, 1, "x"));
	{
		int ro = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDONLY);
		int wo = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_WRONLY);

		ASSERT_LE(0, ro);
		ASSERT_LE(0, wo);
		EXPECT_EQ(POLLIN, poll_now(ro));
		EXPECT_EQ(POLLOUT, poll_now(wo));
		EXPECT_EQ(-1, write(ro, &m, sizeof(long) + 1));
		EXPECT_EQ(EBADF, errno);
		EXPECT_EQ(-1, read(wo, &m, sizeof(m)));
		EXPECT_EQ(EBADF, errno);
		close(ro);
		close(wo);
	}

	ASSERT_EQ(0, msgctl(q, IPC_RMID, NULL));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(fd));
	EXPECT_EQ(-1, read(fd, &m, sizeof(m)));
	EXPECT_EQ(EIDRM, errno);
	m.mtype = 1;
	EXPECT_EQ(-1, write(fd, &m, sizeof(long) + 1));
	EXPECT_EQ(EIDRM, errno);
	close(fd);
}

TEST_F(ipc, msg_typed_poll)
{
	struct sysvipc_objfd cfg = { .msgtyp = 5 };
	struct msg64 m;
	int q, fd, fx;

	NEED_LIB();
	q = msgq_new();
	ASSERT_LE(0, q);
	fd = objfd(SYSVIPC_OBJ_MSG, q, &cfg, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	cfg.msgflg = MSG_EXCEPT;
	fx = objfd(SYSVIPC_OBJ_MSG, q, &cfg, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fx);

	ASSERT_EQ(0, send_text(q, 3, "three"));
	EXPECT_EQ(0, poll_now(fd));
	EXPECT_EQ(POLLIN, poll_now(fx));
	EXPECT_EQ(-1, read(fd, &m, sizeof(m)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, send_text(q, 5, "five"));
	EXPECT_EQ(POLLIN, poll_now(fd));
	EXPECT_EQ((ssize_t)sizeof(long) + 4, read(fd, &m, sizeof(m)));
	EXPECT_EQ(5, m.mtype);
	EXPECT_EQ(0, poll_now(fd));
	EXPECT_EQ((ssize_t)sizeof(long) + 5, read(fx, &m, sizeof(m)));
	EXPECT_EQ(3, m.mtype);
	EXPECT_EQ(0, poll_now(fx));
	close(fd);
	close(fx);
}

TEST_F(ipc, msg_rw_agrees_with_sysv)
{
	struct sysvipc_objfd cfg = { 0 };
	struct msg64 m, r;
	int q, fd, fn;

	NEED_LIB();
	q = msgq_new();
	ASSERT_LE(0, q);
	fd = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);

	/* fd write -> msgrcv */
	m.mtype = 7;
	memcpy(m.mtext, "hello through the fd", 20);
	EXPECT_EQ((ssize_t)sizeof(long) + 20, write(fd, &m, sizeof(long) + 20));
	EXPECT_EQ(1, msgq_qnum(q));
	memset(&r, 0, sizeof(r));
	EXPECT_EQ(20, msgrcv(q, &r, sizeof(r.mtext), 0, IPC_NOWAIT));
	EXPECT_EQ(7, r.mtype);
	EXPECT_EQ(0, memcmp(r.mtext, m.mtext, 20));

	/* msgsnd -> fd read; order kept */
	ASSERT_EQ(0, send_text(q, 2, "first"));
	ASSERT_EQ(0, send_text(q, 9, "second"));
	EXPECT_EQ((ssize_t)sizeof(long) + 5, read(fd, &r, sizeof(r)));
	EXPECT_EQ(2, r.mtype);
	EXPECT_EQ(0, memcmp(r.mtext, "first", 5));
	EXPECT_EQ((ssize_t)sizeof(long) + 6, read(fd, &r, sizeof(r)));
	EXPECT_EQ(9, r.mtype);
	EXPECT_EQ(0, msgq_qnum(q));

	/* a zero-length message */
	m.mtype = 4;
	EXPECT_EQ((ssize_t)sizeof(long), write(fd, &m, sizeof(long)));
	EXPECT_EQ((ssize_t)sizeof(long), read(fd, &r, sizeof(r)));
	EXPECT_EQ(4, r.mtype);

	/* errors as msgsnd's and msgrcv's */
	m.mtype = 0;
	EXPECT_EQ(-1, write(fd, &m, sizeof(long) + 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, write(fd, &m, 4));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(fd, &r, 4));
	EXPECT_EQ(EINVAL, errno);
	ASSERT_EQ(0, send_text(q, 1, "too long for eight"));
	EXPECT_EQ(-1, read(fd, &r, sizeof(long) + 8));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(1, msgq_qnum(q));		/* the message stays */
	cfg.msgflg = MSG_NOERROR;
	fn = objfd(SYSVIPC_OBJ_MSG, q, &cfg, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fn);
	EXPECT_EQ((ssize_t)sizeof(long) + 8, read(fn, &r, sizeof(long) + 8));
	EXPECT_EQ(0, memcmp(r.mtext, "too long", 8));
	EXPECT_EQ(0, msgq_qnum(q));
	close(fn);

	/* a full queue: the write would block */
	ASSERT_EQ(0, msgq_set_qbytes(q, 16));
	m.mtype = 1;
	EXPECT_EQ((ssize_t)sizeof(long) + 16, write(fd, &m, sizeof(long) + 16));
	EXPECT_EQ(-1, write(fd, &m, sizeof(long) + 1));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

/* child: wait @ms, then msgsnd one message of type @type */
static pid_t delayed_send(int q, long type, int ms)
{
	pid_t pid = fork();

	if (pid == 0) {
		usleep(ms * 1000);
		_exit(send_text(q, type, "late") ? 1 : 0);
	}
	return pid;
}

static int child_status(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

TEST_F(ipc, msg_blocking_read_and_epoll)
{
	struct epoll_event ev = { .events = EPOLLIN }, out;
	struct msg64 r;
	int q, fd, ep;
	pid_t pid;

	NEED_LIB();
	q = msgq_new();
	ASSERT_LE(0, q);
	fd = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR);
	ASSERT_LE(0, fd);

	/* a blocking read is woken by another process's msgsnd */
	pid = delayed_send(q, 3, 100);
	ASSERT_LT(0, pid);
	EXPECT_EQ((ssize_t)sizeof(long) + 4, read(fd, &r, sizeof(r)));
	EXPECT_EQ(3, r.mtype);
	EXPECT_EQ(0, child_status(pid));

	/* epoll_wait sleeps until the message arrives */
	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ev.data.fd = fd;
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	pid = delayed_send(q, 6, 100);
	ASSERT_LT(0, pid);
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 5000));
	EXPECT_EQ(EPOLLIN, out.events);
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ((ssize_t)sizeof(long) + 4, read(fd, &r, sizeof(r)));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	/* removal: EPOLLERR | EPOLLHUP although only EPOLLIN was asked */
	ASSERT_EQ(0, msgctl(q, IPC_RMID, NULL));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 1000));
	EXPECT_EQ(EPOLLERR | EPOLLHUP, out.events);
	close(ep);
	close(fd);
}

/* ---------------------------------------------------------------- */
/* semaphore fds                                                    */
/* ---------------------------------------------------------------- */

static int sem_val(int s, int n)
{
	return semctl(s, n, GETVAL);
}

TEST_F(ipc, sem_poll_transitions)
{
	struct sysvipc_objfd down = { .sem_num = 1, .sem_op = -2 };
	struct sysvipc_objfd zero = { .sem_num = 1, .sem_op = 0 };
	struct sembuf up = { .sem_num = 1, .sem_op = 1 };
	uint64_t v = 0;
	int s, fd, fz;

	NEED_LIB();
	s = t_semget(IPC_PRIVATE, 2, IPC_CREAT | 0600);
	ASSERT_LE(0, s);
	fd = objfd(SYSVIPC_OBJ_SEM, s, &down, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	fz = objfd(SYSVIPC_OBJ_SEM, s, &zero, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fz);

	EXPECT_EQ(0, poll_now(fd));
	EXPECT_EQ(POLLIN, poll_now(fz));
	EXPECT_EQ(-1, read(fd, &v, sizeof(v)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, semop(s, &up, 1));
	EXPECT_EQ(0, poll_now(fd));		/* 1 < 2 */
	EXPECT_EQ(0, poll_now(fz));
	EXPECT_EQ(-1, read(fz, &v, sizeof(v)));
	EXPECT_EQ(EAGAIN, errno);
	ASSERT_EQ(0, semctl(s, 1, SETVAL, 5));
	EXPECT_EQ(POLLIN, poll_now(fd));
	EXPECT_EQ((ssize_t)sizeof(v), read(fd, &v, sizeof(v)));
	EXPECT_EQ(1U, v);
	EXPECT_EQ(3, sem_val(s, 1));
	EXPECT_EQ((ssize_t)sizeof(v), read(fd, &v, sizeof(v)));
	EXPECT_EQ(1, sem_val(s, 1));
	EXPECT_EQ(getpid(), semctl(s, 1, GETPID));
	EXPECT_EQ(0, poll_now(fd));
	EXPECT_EQ(-1, read(fd, &v, 4));
	EXPECT_EQ(EINVAL, errno);
	up.sem_op = -1;
	ASSERT_EQ(0, semop(s, &up, 1));
	EXPECT_EQ(POLLIN, poll_now(fz));
	EXPECT_EQ((ssize_t)sizeof(v), read(fz, &v, sizeof(v)));
	EXPECT_EQ(0, sem_val(s, 0));		/* the other semaphore untouched */

	ASSERT_EQ(0, semctl(s, 0, IPC_RMID));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(fd));
	EXPECT_EQ(-1, read(fd, &v, sizeof(v)));
	EXPECT_EQ(EIDRM, errno);
	close(fd);
	close(fz);
}

static int child_semop_later(int s, int ms)
{
	struct sembuf up = { .sem_num = 0, .sem_op = 1 };

	usleep(ms * 1000);
	return semop(s, &up, 1) ? errno : 0;
}

TEST_F(ipc, sem_blocking_read_epoll_undo)
{
	struct sysvipc_objfd down = { .sem_op = -1, .sem_flg = SEM_UNDO };
	struct epoll_event ev = { .events = EPOLLIN }, out;
	uint64_t v;
	int s, fd, ep;
	pid_t pid;

	NEED_LIB();
	s = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_LE(0, s);
	fd = objfd(SYSVIPC_OBJ_SEM, s, &down, O_RDONLY);
	ASSERT_LE(0, fd);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_semop_later(s, 100));
	EXPECT_EQ((ssize_t)sizeof(v), read(fd, &v, sizeof(v)));
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(0, sem_val(s, 0));

	ep = epoll_create1(EPOLL_CLOEXEC);
	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &out, 1, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(child_semop_later(s, 100));
	EXPECT_EQ(1, epoll_wait(ep, &out, 1, 5000));
	EXPECT_EQ(EPOLLIN, out.events);
	EXPECT_EQ(0, child_status(pid));
	close(ep);

	/* SEM_UNDO through the fd: a child's decrement is undone at exit */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(read(fd, &v, sizeof(v)) == sizeof(v) ? 0 : errno);
	EXPECT_EQ(0, child_status(pid));
	EXPECT_EQ(1, sem_val(s, 0));
	close(fd);
}

/* ---------------------------------------------------------------- */
/* segment fds                                                      */
/* ---------------------------------------------------------------- */

TEST_F(ipc, shm_fd_io_mmap_fstat)
{
	size_t size = 3 * PAGE_SZ + 100;
	struct shmid_ds ds;
	struct stat st;
	char buf[64], *at, *map;
	int m, fd;

	NEED_LIB();
	m = t_shmget(IPC_PRIVATE, size, IPC_CREAT | 0640);
	ASSERT_LE(0, m);
	fd = objfd(SYSVIPC_OBJ_SHM, m, NULL, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	at = shmat(m, NULL, 0);
	ASSERT_NE((void *)-1, at);

	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ((off_t)size, st.st_size);
	EXPECT_TRUE(S_ISREG(st.st_mode));
	EXPECT_EQ(0640U, st.st_mode & 07777);
	EXPECT_EQ(getuid(), st.st_uid);

	/* pwrite -> shmat view, shmat view -> pread */
	EXPECT_EQ(5, pwrite(fd, "hello", 5, 100));
	EXPECT_EQ(0, memcmp(at + 100, "hello", 5));
	memcpy(at + 2 * PAGE_SZ, "world", 5);
	EXPECT_EQ(5, pread(fd, buf, 5, 2 * PAGE_SZ));
	EXPECT_EQ(0, memcmp(buf, "world", 5));
	/* the segment never grows */
	EXPECT_EQ((off_t)size, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(10, pwrite(fd, "0123456789ABCDEF", 16, size - 10));
	EXPECT_EQ(-1, pwrite(fd, "x", 1, size));
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_EQ(0, pread(fd, buf, sizeof(buf), size));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ((off_t)size, st.st_size);
	EXPECT_EQ(0, lseek(fd, 0, SEEK_SET));
	EXPECT_EQ(3, write(fd, "abc", 3));
	EXPECT_EQ(0, memcmp(at, "abc", 3));

	/* an mmap of the fd is an attach */
	ASSERT_EQ(0, shmctl(m, IPC_STAT, &ds));
	EXPECT_EQ(1U, ds.shm_nattch);
	map = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, shmctl(m, IPC_STAT, &ds));
	EXPECT_EQ(2U, ds.shm_nattch);
	EXPECT_EQ(0, memcmp(map + 100, "hello", 5));
	map[7] = 'Z';
	EXPECT_EQ('Z', at[7]);
	munmap(map, size);
	ASSERT_EQ(0, shmctl(m, IPC_STAT, &ds));
	EXPECT_EQ(1U, ds.shm_nattch);

	/* IPC_SET shows in fstat */
	ds.shm_perm.mode = 0604;
	ASSERT_EQ(0, shmctl(m, IPC_SET, &ds));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(0604U, st.st_mode & 07777);

	/* poll: ready until removed; SHM_DEST is not removed yet */
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(fd));
	ASSERT_EQ(0, shmctl(m, IPC_RMID, NULL));
	EXPECT_EQ(POLLIN | POLLOUT, poll_now(fd));
	EXPECT_EQ(5, pread(fd, buf, 5, 100));
	ASSERT_EQ(0, shmdt(at));
	EXPECT_EQ(POLLERR | POLLHUP, poll_now(fd));
	EXPECT_EQ(-1, pread(fd, buf, 5, 100));
	EXPECT_EQ(EIDRM, errno);
	EXPECT_EQ(MAP_FAILED, mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0));
	close(fd);
}

static int child_rdonly_write(void *p)
{
	int fd = objfd(SYSVIPC_OBJ_SHM, *(int *)p, NULL, O_RDONLY);
	char c = 0;

	if (fd < 0)
		return 100 + errno;
	if (pread(fd, &c, 1, 0) != 1)
		return 150;
	if (pwrite(fd, &c, 1, 0) != -1)
		return CHILD_UNEXPECTED_OK;
	if (errno != EBADF)
		return CHILD_MISMATCH;
	if (mmap(NULL, 4096, PROT_WRITE, MAP_SHARED, fd, 0) != MAP_FAILED)
		return CHILD_UNEXPECTED_OK;
	return errno == EACCES ? 0 : CHILD_MISMATCH;
}

static int child_rdwr(void *p)
{
	int fd = objfd(SYSVIPC_OBJ_SHM, *(int *)p, NULL, O_RDWR);

	if (fd >= 0)
		return CHILD_UNEXPECTED_OK;
	return errno;
}

TEST_F(ipc, shm_fd_permissions)
{
	int m;

	NEED_LIB();
	m = t_shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0644);
	ASSERT_LE(0, m);
	EXPECT_EQ(0, run_as_nobody(child_rdonly_write, &m));
	EXPECT_EQ(EACCES, run_as_nobody(child_rdwr, &m));
}

/* OFD locks between two processes, each with its own fd */
TEST_F(ipc, shm_ofd_locks)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
			    .l_start = 0, .l_len = 100 };
	int m, m2, fd, sync_pipe[2];
	char c;
	pid_t pid;

	NEED_LIB();
	m = t_shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	m2 = t_shmget(IPC_PRIVATE, 8192, IPC_CREAT | 0600);
	ASSERT_LE(0, m);
	ASSERT_LE(0, m2);
	fd = objfd(SYSVIPC_OBJ_SHM, m, NULL, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, F_OFD_SETLK, &fl));
	ASSERT_EQ(0, pipe(sync_pipe));

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct flock l = fl;
		int cfd = objfd(SYSVIPC_OBJ_SHM, m, NULL, O_RDWR);
		int cfd2 = objfd(SYSVIPC_OBJ_SHM, m2, NULL, O_RDWR);

		if (cfd < 0 || cfd2 < 0)
			_exit(10);
		/* overlapping: refused, and F_OFD_GETLK names the lock */
		l.l_start = 50;
		if (fcntl(cfd, F_OFD_SETLK, &l) != -1 || errno != EAGAIN)
			_exit(11);
		l.l_type = F_WRLCK;
		if (fcntl(cfd, F_OFD_GETLK, &l) || l.l_type != F_WRLCK ||
		    l.l_start != 0 || l.l_len != 100 || l.l_pid != -1)
			_exit(12);
		/* beside it: granted (OFD requests want l_pid 0) */
		l.l_type = F_WRLCK;
		l.l_pid = 0;
		l.l_start = 100;
		l.l_len = 100;
		if (fcntl(cfd, F_OFD_SETLK, &l))
			_exit(13);
		/* the same range of another segment: its own inode */
		l.l_start = 0;
		if (fcntl(cfd2, F_OFD_SETLK, &l))
			_exit(14);
		/* wait for the parent's unlock, then write under the lock */
		if (write(sync_pipe[1], "r", 1) != 1)
			_exit(15);
		l.l_start = 0;
		if (fcntl(cfd, F_OFD_SETLKW, &l))
			_exit(16);
		if (pwrite(cfd, "child", 5, 0) != 5)
			_exit(17);
		l.l_type = F_UNLCK;
		if (fcntl(cfd, F_OFD_SETLK, &l))
			_exit(18);
		_exit(0);
	}
	close(sync_pipe[1]);
	if (read(sync_pipe[0], &c, 1) != 1) {
		/* the child failed before: its exit code says where */
		EXPECT_EQ(0, child_status(pid));
		close(sync_pipe[0]);
		close(fd);
		return;
	}
	usleep(100000);		/* the child sleeps in F_OFD_SETLKW */
	EXPECT_EQ(5, pwrite(fd, "paren", 5, 0));
	fl.l_type = F_UNLCK;
	ASSERT_EQ(0, fcntl(fd, F_OFD_SETLK, &fl));
	EXPECT_EQ(0, child_status(pid));
	{
		char buf[5];

		EXPECT_EQ(5, pread(fd, buf, 5, 0));
		EXPECT_EQ(0, memcmp(buf, "child", 5));
	}
	close(sync_pipe[0]);
	close(fd);
}

/* ---------------------------------------------------------------- */
/* io_uring                                                         */
/* ---------------------------------------------------------------- */

#if SYSVIPC_TEST_LIB
/* Reap exactly @n completions within @ms; returns how many came. */
static int reap(struct io_uring *ring, struct io_uring_cqe **out, int n,
		int ms)
{
	struct __kernel_timespec ts = { .tv_sec = ms / 1000,
					.tv_nsec = (ms % 1000) * 1000000L };
	struct io_uring_cqe *cqe;
	int got = 0;

	while (got < n) {
		if (io_uring_wait_cqe_timeout(ring, &cqe, &ts))
			break;
		out[got++] = cqe;
		io_uring_cqe_seen(ring, cqe);
	}
	return got;
}
#endif

TEST_F(ipc, uring_batch64)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	static struct msg64 bufs[64];
	struct io_uring_cqe *cqes[64];
	struct io_uring ring;
	bool seen[64] = { false };
	int q, fd, i, n;
	pid_t pid;

	q = msgq_new();
	ASSERT_LE(0, q);
	fd = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, io_uring_queue_init(128, &ring, 0));
	for (i = 0; i < 64; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		sysvipc_prep_msgrcv(sqe, fd, &bufs[i], sizeof(bufs[i].mtext));
		io_uring_sqe_set_data64(sqe, i);
	}
	ASSERT_EQ(64, io_uring_submit(&ring));
	/* nothing completes before a message arrives */
	EXPECT_EQ(0, reap(&ring, cqes, 1, 50));

	/* another process sends 64 messages, a few at a time */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		for (i = 0; i < 64; i++) {
			struct msg64 m = { .mtype = 1 + i };

			memset(m.mtext, 'a' + i % 26, sizeof(m.mtext));
			if (msgsnd(q, &m, sizeof(m.mtext), 0))
				_exit(1);
			if (i % 8 == 7)
				usleep(5000);
		}
		_exit(0);
	}
	n = reap(&ring, cqes, 64, 10000);
	EXPECT_EQ(64, n);
	EXPECT_EQ(0, child_status(pid));
	for (i = 0; i < n; i++) {
		long t;

		EXPECT_EQ(64, sysvipc_uring_msglen(cqes[i]->res));
		if (cqes[i]->res < 0)
			continue;
		t = bufs[cqes[i]->user_data].mtype;
		ASSERT_TRUE(t >= 1 && t <= 64);
		EXPECT_FALSE(seen[t - 1]);
		seen[t - 1] = true;
		EXPECT_EQ('a' + (t - 1) % 26,
			  bufs[cqes[i]->user_data].mtext[63]);
	}
	EXPECT_EQ(0, msgq_qnum(q));
	io_uring_queue_exit(&ring);
	close(fd);
#endif
}

TEST_F(ipc, uring_cancel)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	struct io_uring_cqe *cqes[4];
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	struct msg64 buf;
	int q, fd, i;

	q = msgq_new();
	ASSERT_LE(0, q);
	fd = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	sqe = io_uring_get_sqe(&ring);
	sysvipc_prep_msgrcv(sqe, fd, &buf, sizeof(buf.mtext));
	io_uring_sqe_set_data64(sqe, 1);
	ASSERT_EQ(1, io_uring_submit(&ring));
	EXPECT_EQ(0, reap(&ring, cqes, 1, 50));
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_cancel64(sqe, 1, 0);
	io_uring_sqe_set_data64(sqe, 2);
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(2, reap(&ring, cqes, 2, 2000));
	for (i = 0; i < 2; i++) {
		if (cqes[i]->user_data == 1) {
			EXPECT_EQ(-ECANCELED, cqes[i]->res);
		} else {
			EXPECT_EQ(0, cqes[i]->res);
		}
	}
	/* the cancelled receive takes nothing */
	ASSERT_EQ(0, send_text(q, 1, "kept"));
	usleep(20000);
	EXPECT_EQ(1, msgq_qnum(q));
	io_uring_queue_exit(&ring);
	close(fd);
#endif
}

TEST_F(ipc, uring_ring_closed_pending)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	static struct msg64 bufs[16];
	struct io_uring ring;
	long base;
	int q, fd, i;

	q = msgq_new();
	ASSERT_LE(0, q);
	base = module_refcnt();
	ASSERT_LT(0, base);
	fd = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(base + 1, module_refcnt());
	ASSERT_EQ(0, io_uring_queue_init(32, &ring, 0));
	for (i = 0; i < 16; i++)
		sysvipc_prep_msgrcv(io_uring_get_sqe(&ring), fd, &bufs[i],
				    sizeof(bufs[i].mtext));
	ASSERT_EQ(16, io_uring_submit(&ring));
	close(fd);		/* the ring's requests still hold the file */
	io_uring_queue_exit(&ring);
	/* the ring's teardown is asynchronous: the file goes soon after */
	EXPECT_EQ(base, refcnt_settle(base, 5000));
	ASSERT_EQ(0, send_text(q, 1, "kept"));
	EXPECT_EQ(1, msgq_qnum(q));
#endif
}

TEST_F(ipc, uring_killed_pending)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	int q, s, p[2], st;
	long base;
	char c;
	pid_t pid;

	q = msgq_new();
	s = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_LE(0, q);
	ASSERT_LE(0, s);
	base = module_refcnt();
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static struct msg64 bufs[16];
		struct sysvipc_objfd down = { .sem_op = -1 };
		struct io_uring ring;
		uint64_t v[4];
		int fd = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR);
		int sfd = objfd(SYSVIPC_OBJ_SEM, s, &down, O_RDONLY);

		if (fd < 0 || sfd < 0 || io_uring_queue_init(32, &ring, 0))
			_exit(1);
		for (int i = 0; i < 16; i++)
			sysvipc_prep_msgrcv(io_uring_get_sqe(&ring), fd,
					    &bufs[i], sizeof(bufs[i].mtext));
		for (int i = 0; i < 4; i++)
			sysvipc_prep_semop(io_uring_get_sqe(&ring), sfd, &v[i]);
		if (io_uring_submit(&ring) != 20)
			_exit(2);
		if (write(p[1], "x", 1) != 1)
			_exit(3);
		pause();
		_exit(4);
	}
	close(p[1]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	close(p[0]);
	usleep(20000);
	ASSERT_EQ(0, kill(pid, SIGKILL));
	alarm(20);	/* a hang fails the test instead of the run */
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	alarm(0);
	EXPECT_TRUE(WIFSIGNALED(st));
	EXPECT_EQ(base, refcnt_settle(base, 5000));
	ASSERT_EQ(0, send_text(q, 1, "kept"));
	EXPECT_EQ(1, msgq_qnum(q));
	ASSERT_EQ(0, semctl(s, 0, SETVAL, 1));
	EXPECT_EQ(1, sem_val(s, 0));
#endif
}

TEST_F(ipc, uring_removed_pending)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	static struct msg64 bufs[8];
	struct sysvipc_objfd down = { .sem_op = -1 };
	struct io_uring_cqe *cqes[16];
	struct io_uring ring;
	uint64_t v[2];
	int q, s, fd, sfd, i, n;

	q = msgq_new();
	s = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_LE(0, q);
	ASSERT_LE(0, s);
	fd = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR);
	sfd = objfd(SYSVIPC_OBJ_SEM, s, &down, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, io_uring_queue_init(16, &ring, 0));
	for (i = 0; i < 8; i++)
		sysvipc_prep_msgrcv(io_uring_get_sqe(&ring), fd, &bufs[i],
				    sizeof(bufs[i].mtext));
	for (i = 0; i < 2; i++)
		sysvipc_prep_semop(io_uring_get_sqe(&ring), sfd, &v[i]);
	ASSERT_EQ(10, io_uring_submit(&ring));
	EXPECT_EQ(0, reap(&ring, cqes, 1, 50));
	ASSERT_EQ(0, msgctl(q, IPC_RMID, NULL));
	ASSERT_EQ(0, semctl(s, 0, IPC_RMID));
	n = reap(&ring, cqes, 10, 5000);
	EXPECT_EQ(10, n);
	for (i = 0; i < n; i++)
		EXPECT_EQ(-EIDRM, cqes[i]->res);
	io_uring_queue_exit(&ring);
	close(fd);
	close(sfd);
#endif
}

TEST_F(ipc, uring_sem_and_send)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	struct sysvipc_objfd down = { .sem_op = -1 };
	struct io_uring_cqe *cqes[4];
	struct io_uring ring;
	struct msg64 m = { .mtype = 3 }, r;
	uint64_t v = 0;
	int q, s, fd, sfd;

	q = msgq_new();
	s = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_LE(0, q);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, msgq_set_qbytes(q, 64));
	fd = objfd(SYSVIPC_OBJ_MSG, q, NULL, O_RDWR);
	sfd = objfd(SYSVIPC_OBJ_SEM, s, &down, O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, sfd);
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));

	/* a semaphore wait completes when another process posts */
	sysvipc_prep_semop(io_uring_get_sqe(&ring), sfd, &v);
	ASSERT_EQ(1, io_uring_submit(&ring));
	EXPECT_EQ(0, reap(&ring, cqes, 1, 50));
	ASSERT_EQ(0, semctl(s, 0, SETVAL, 1));
	ASSERT_EQ(1, reap(&ring, cqes, 1, 5000));
	EXPECT_EQ(8, cqes[0]->res);
	EXPECT_EQ(1U, v);
	EXPECT_EQ(0, sem_val(s, 0));

	/* a send into a full queue completes when a receive makes room */
	ASSERT_EQ(0, send_text(q, 1,
		"0123456789012345678901234567890123456789012345678901234"));
	memset(m.mtext, 'm', sizeof(m.mtext));
	sysvipc_prep_msgsnd(io_uring_get_sqe(&ring), fd, &m, 32);
	ASSERT_EQ(1, io_uring_submit(&ring));
	EXPECT_EQ(0, reap(&ring, cqes, 1, 50));
	EXPECT_EQ(55, msgrcv(q, &r, sizeof(r.mtext), 0, IPC_NOWAIT));
	ASSERT_EQ(1, reap(&ring, cqes, 1, 5000));
	EXPECT_EQ((int)sizeof(long) + 32, cqes[0]->res);
	EXPECT_EQ(32, msgrcv(q, &r, sizeof(r.mtext), 0, IPC_NOWAIT));
	EXPECT_EQ(3, r.mtype);
	io_uring_queue_exit(&ring);
	close(fd);
	close(sfd);
#endif
}

/* ---------------------------------------------------------------- */
/* batch reads and exclusive wake-ups (ABI 1.3)                     */
/* ---------------------------------------------------------------- */

#if SYSVIPC_TEST_LIB
static int msg_fd_flags(int q, __u64 objfd_flags, int msgflg, long msgtyp,
			int flags)
{
	struct sysvipc_objfd cfg = { .objfd_flags = objfd_flags,
				     .msgflg = msgflg, .msgtyp = msgtyp };

	return objfd(SYSVIPC_OBJ_MSG, q, &cfg, flags);
}

/* A counter from the fd's /proc/self/fdinfo entry, or -1. */
static long fdinfo_val(int fd, const char *key)
{
	char path[64], buf[1024], *p;
	size_t klen = strlen(key);

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (file_read_str(path, buf, sizeof(buf)))
		return -1;
	for (p = buf; p; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (!strncmp(p, key, klen) && p[klen] == ':')
			return strtol(p + klen + 1, NULL, 0);
	}
	return -1;
}

static int send_n(int q, long type, size_t len, char fill)
{
	struct { long mtype; char mtext[256]; } m = { .mtype = type };

	memset(m.mtext, fill, len);
	return msgsnd(q, &m, len, IPC_NOWAIT);
}
#endif

TEST_F(ipc, batch_flags_errors)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	struct sysvipc_objfd cfg = { .objfd_flags = SYSVIPC_OBJFD_MSG_BATCH };
	struct sysvipc_version v;
	int q, s, fd;

	fd = open(SYSVIPC_DEVICE, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SYSVIPC_IOC_VERSION, &v));
	close(fd);
	EXPECT_LE(3U, v.minor);
	EXPECT_TRUE(v.features & SYSVIPC_FEAT_MSG_BATCH);

	q = msgq_new();
	s = t_semget(IPC_PRIVATE, 1, IPC_CREAT | 0600);
	ASSERT_LE(0, q);
	ASSERT_LE(0, s);
	/* unknown flag bits, and the flags on other object types */
	EXPECT_EQ(-1, msg_fd_flags(q, 1ULL << 2, 0, 0, O_RDONLY));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, msg_fd_flags(q, 1ULL << 63, 0, 0, O_RDONLY));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_SEM, s, &cfg, O_RDONLY));
	EXPECT_EQ(EINVAL, errno);
	cfg.objfd_flags = SYSVIPC_OBJFD_MSG_EXCLUSIVE;
	EXPECT_EQ(-1, objfd(SYSVIPC_OBJ_SEM, s, &cfg, O_RDONLY));
	EXPECT_EQ(EINVAL, errno);

	/* a batch read needs room for one record header */
	fd = msg_fd_flags(q, SYSVIPC_OBJFD_MSG_BATCH, 0, 0, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);
	{
		char buf[64];

		EXPECT_EQ(-1, read(fd, buf, sizeof(struct sysvipc_msgrec) - 1));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
		EXPECT_EQ(EAGAIN, errno);
	}
	EXPECT_EQ(SYSVIPC_OBJFD_MSG_BATCH, fdinfo_val(fd, "objfd_flags"));
	EXPECT_EQ(1, fdinfo_val(fd, "empty_reads"));
	close(fd);
	semctl(s, 0, IPC_RMID);
#endif
}

TEST_F(ipc, batch_read_layout)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	static const size_t sizes[] = { 3, 8, 13, 0, 64, 1 };
	const size_t hdr = sizeof(struct sysvipc_msgrec);
	unsigned char buf[1024];
	size_t off, end, i, k;
	ssize_t n;
	int q, fd;

	q = msgq_new();
	ASSERT_LE(0, q);
	for (i = 0; i < 6; i++)
		ASSERT_EQ(0, send_n(q, 10 + i, sizes[i], 'a' + i));
	fd = msg_fd_flags(q, SYSVIPC_OBJFD_MSG_BATCH, 0, 0, O_RDONLY);
	ASSERT_LE(0, fd);
	memset(buf, 0xff, sizeof(buf));
	n = read(fd, buf, sizeof(buf));
	/* records on 8-byte boundaries; the count ends with the last text */
	for (i = 0, off = 0, end = 0; i < 6; i++) {
		struct sysvipc_msgrec rec;

		memcpy(&rec, buf + off, hdr);
		EXPECT_EQ((__s64)(10 + i), rec.mtype);
		EXPECT_EQ(sizes[i], rec.mtext_size);
		for (k = 0; k < sizes[i]; k++)
			ASSERT_EQ('a' + i, buf[off + hdr + k]);
		end = off + hdr + sizes[i];
		off = SYSVIPC_MSGREC_NEXT(off, sizes[i]);
		EXPECT_EQ(0U, off % 8);
		/* padding between records is zeroed */
		for (k = end; i < 5 && k < off; k++)
			EXPECT_EQ(0, buf[k]);
	}
	EXPECT_EQ((ssize_t)end, n);
	EXPECT_EQ(0xff, buf[end]);
	EXPECT_EQ(0, msgq_qnum(q));
	EXPECT_EQ(1, fdinfo_val(fd, "reads"));
	close(fd);
#endif
}

TEST_F(ipc, batch_partial_buffer_and_type)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	const size_t hdr = sizeof(struct sysvipc_msgrec);
	struct sysvipc_msgrec rec;
	unsigned char buf[256];
	struct msg64 m;
	int q, fd, fd2;

	q = msgq_new();
	ASSERT_LE(0, q);
	ASSERT_EQ(0, send_n(q, 1, 20, 'x'));
	ASSERT_EQ(0, send_n(q, 2, 20, 'y'));
	ASSERT_EQ(0, send_n(q, 1, 20, 'z'));
	fd = msg_fd_flags(q, SYSVIPC_OBJFD_MSG_BATCH, 0, 0,
			  O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	/* room for one record and part of the next: one record */
	EXPECT_EQ((ssize_t)(hdr + 20), read(fd, buf, hdr + 20 + hdr + 19));
	memcpy(&rec, buf, hdr);
	EXPECT_EQ(1, rec.mtype);
	EXPECT_EQ(2, msgq_qnum(q));
	/* a typed batch fd takes only its type and leaves the rest */
	ASSERT_EQ(0, send_n(q, 2, 5, 'w'));
	fd2 = msg_fd_flags(q, SYSVIPC_OBJFD_MSG_BATCH, 0, 2,
			   O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd2);
	EXPECT_EQ((ssize_t)(40 + hdr + 5), read(fd2, buf, sizeof(buf)));
	memcpy(&rec, buf, hdr);
	EXPECT_EQ(2, rec.mtype);
	EXPECT_EQ('y', buf[hdr]);
	memcpy(&rec, buf + 40, hdr);
	EXPECT_EQ(2, rec.mtype);
	EXPECT_EQ(5U, rec.mtext_size);
	EXPECT_EQ('w', buf[40 + hdr]);
	EXPECT_EQ(-1, read(fd2, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	/* what is left is the last type-1 message, for msgrcv */
	EXPECT_EQ(20, msgrcv(q, &m, sizeof(m.mtext), 0, IPC_NOWAIT));
	EXPECT_EQ(1, m.mtype);
	EXPECT_EQ('z', m.mtext[0]);
	close(fd);
	close(fd2);
#endif
}

TEST_F(ipc, batch_e2big_noerror)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	const size_t hdr = sizeof(struct sysvipc_msgrec);
	struct sysvipc_msgrec rec;
	unsigned char buf[256];
	int q, fd, fdn;

	q = msgq_new();
	ASSERT_LE(0, q);
	ASSERT_EQ(0, send_n(q, 1, 100, 'b'));
	fd = msg_fd_flags(q, SYSVIPC_OBJFD_MSG_BATCH, 0, 0,
			  O_RDONLY | O_NONBLOCK);
	fdn = msg_fd_flags(q, SYSVIPC_OBJFD_MSG_BATCH, MSG_NOERROR, 0,
			   O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, fdn);
	/* a first message too long: E2BIG, and it stays */
	EXPECT_EQ(-1, read(fd, buf, hdr + 99));
	EXPECT_EQ(E2BIG, errno);
	EXPECT_EQ(1, msgq_qnum(q));
	/* MSG_NOERROR truncates the first message, mtext_size says so */
	EXPECT_EQ((ssize_t)(hdr + 50), read(fdn, buf, hdr + 50));
	memcpy(&rec, buf, hdr);
	EXPECT_EQ(50U, rec.mtext_size);
	EXPECT_EQ('b', buf[hdr + 49]);
	EXPECT_EQ(0, msgq_qnum(q));
	/* but never a later one: it stays whole for the next read */
	ASSERT_EQ(0, send_n(q, 1, 10, 'c'));
	ASSERT_EQ(0, send_n(q, 1, 100, 'd'));
	EXPECT_EQ((ssize_t)(hdr + 10), read(fdn, buf, 24 + hdr + 50));
	EXPECT_EQ(1, msgq_qnum(q));
	EXPECT_EQ((ssize_t)(hdr + 100), read(fd, buf, sizeof(buf)));
	memcpy(&rec, buf, hdr);
	EXPECT_EQ(100U, rec.mtext_size);
	EXPECT_EQ('d', buf[hdr + 99]);
	close(fd);
	close(fdn);
#endif
}

/* A fault while copying a batch out: EFAULT, the messages taken are lost. */
TEST_F(ipc, batch_fault_loses_taken)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *buf;
	int q, fd, i;

	q = msgq_new();
	ASSERT_LE(0, q);
	ASSERT_EQ(0, msgq_set_qbytes(q, 1 << 16));
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, send_n(q, 1, 64, 'f'));
	fd = msg_fd_flags(q, SYSVIPC_OBJFD_MSG_BATCH, 0, 0,
			  O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	buf = mmap(NULL, 2 * pg, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, munmap(buf + pg, pg));
	/* room for 100 records claimed, one page mapped: ~51 fit in it */
	EXPECT_EQ(-1, read(fd, buf, 100 * 80));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(0, msgq_qnum(q));
	munmap(buf, pg);
	close(fd);
#endif
}

#if SYSVIPC_TEST_LIB
/* Park @m receives on @fd, user_data = index. */
static int park_reads(struct io_uring *ring, int fd, struct msg64 *bufs,
		      int m)
{
	int i;

	for (i = 0; i < m; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

		sysvipc_prep_msgrcv(sqe, fd, &bufs[i], sizeof(bufs[i].mtext));
		io_uring_sqe_set_data64(sqe, i);
	}
	return io_uring_submit(ring);
}
#endif

/*
 * M parked receives, N messages one at a time: exactly N complete, and on
 * an exclusive fd no other request was retried (fdinfo's empty_reads),
 * while a plain fd retries every parked request for each message.
 */
TEST_F(ipc, uring_exclusive_wake)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	enum { M = 16, N = 4 };
	static struct msg64 bufs[M];
	struct io_uring_cqe *cqes[M];
	struct io_uring ring;
	long e0;
	int q, fd, i, pass;

	for (pass = 0; pass < 2; pass++) {
		bool excl = pass == 0;

		q = msgq_new();
		ASSERT_LE(0, q);
		fd = msg_fd_flags(q, excl ? SYSVIPC_OBJFD_MSG_EXCLUSIVE : 0,
				  0, 0, O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, io_uring_queue_init(2 * M, &ring, 0));
		ASSERT_EQ(M, park_reads(&ring, fd, bufs, M));
		EXPECT_EQ(0, reap(&ring, cqes, 1, 50));
		e0 = fdinfo_val(fd, "empty_reads");
		for (i = 0; i < N; i++) {
			ASSERT_EQ(0, send_text(q, 1 + i, "one"));
			ASSERT_EQ(1, reap(&ring, cqes, 1, 5000));
			EXPECT_EQ((int)sizeof(long) + 3, cqes[0]->res);
			if (excl) {
				/* the oldest parked request takes it */
				EXPECT_EQ((__u64)i, cqes[0]->user_data);
			}
		}
		/* nothing else completes */
		EXPECT_EQ(0, reap(&ring, cqes, 1, 100));
		EXPECT_EQ(N, fdinfo_val(fd, "reads"));
		if (excl) {
			EXPECT_EQ(e0, fdinfo_val(fd, "empty_reads"));
		} else {
			/* most of the other M - 1, for each message */
			EXPECT_LE(e0 + N * (M - 1) / 2,
				  fdinfo_val(fd, "empty_reads"));
		}
		/* removal still wakes every one of the rest */
		ASSERT_EQ(0, msgctl(q, IPC_RMID, NULL));
		ASSERT_EQ(M - N, reap(&ring, cqes, M - N, 5000));
		for (i = 0; i < M - N; i++)
			EXPECT_EQ(-EIDRM, cqes[i]->res);
		io_uring_queue_exit(&ring);
		close(fd);
	}
#endif
}

/* An exclusive wake-up that ends in E2BIG passes on to the next reader. */
TEST_F(ipc, uring_exclusive_e2big_passes_on)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	struct io_uring_cqe *cqes[2];
	struct io_uring ring;
	struct msg64 small, big;
	struct io_uring_sqe *sqe;
	int q, fd, i;

	q = msgq_new();
	ASSERT_LE(0, q);
	fd = msg_fd_flags(q, SYSVIPC_OBJFD_MSG_EXCLUSIVE, 0, 0, O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, io_uring_queue_init(4, &ring, 0));
	sqe = io_uring_get_sqe(&ring);
	sysvipc_prep_msgrcv(sqe, fd, &small, 8);
	io_uring_sqe_set_data64(sqe, 0);
	ASSERT_EQ(1, io_uring_submit(&ring));
	sqe = io_uring_get_sqe(&ring);
	sysvipc_prep_msgrcv(sqe, fd, &big, sizeof(big.mtext));
	io_uring_sqe_set_data64(sqe, 1);
	ASSERT_EQ(1, io_uring_submit(&ring));
	EXPECT_EQ(0, reap(&ring, cqes, 1, 50));
	ASSERT_EQ(0, send_n(q, 7, 32, 'e'));
	ASSERT_EQ(2, reap(&ring, cqes, 2, 5000));
	for (i = 0; i < 2; i++) {
		if (cqes[i]->user_data == 0) {
			EXPECT_EQ(-E2BIG, cqes[i]->res);
		} else {
			EXPECT_EQ((int)sizeof(long) + 32, cqes[i]->res);
			EXPECT_EQ(7, big.mtype);
		}
	}
	EXPECT_EQ(0, msgq_qnum(q));
	io_uring_queue_exit(&ring);
	close(fd);
#endif
}

/*
 * A burst from another process into few parked requests, re-armed as they
 * complete: nothing is lost or stranded, on an exclusive fd with one
 * message per read and on an exclusive batch fd.
 */
TEST_F(ipc, uring_exclusive_burst)
{
	NEED_LIB();
#if SYSVIPC_TEST_LIB
	enum { K = 8, TOTAL = 400 };
	const size_t hdr = sizeof(struct sysvipc_msgrec);
	static unsigned char bufs[K][512];
	static bool seen[TOTAL];
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int q, fd, i, pass, got;
	pid_t pid;

	for (pass = 0; pass < 2; pass++) {
		bool batch = pass == 1;
		size_t len = batch ? sizeof(bufs[0]) : sizeof(long) + 8;

		memset(seen, 0, sizeof(seen));
		q = msgq_new();
		ASSERT_LE(0, q);
		ASSERT_EQ(0, msgq_set_qbytes(q, 1 << 20));
		fd = msg_fd_flags(q, SYSVIPC_OBJFD_MSG_EXCLUSIVE |
				  (batch ? SYSVIPC_OBJFD_MSG_BATCH : 0),
				  0, 0, O_RDWR);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, io_uring_queue_init(2 * K, &ring, 0));
		for (i = 0; i < K; i++) {
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_read(sqe, fd, bufs[i], len, 0);
			io_uring_sqe_set_data64(sqe, i);
		}
		ASSERT_EQ(K, io_uring_submit(&ring));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			for (i = 0; i < TOTAL; i++) {
				struct { long mtype; int seq; int pad; } m = {
					1, i, 0 };

				if (msgsnd(q, &m, 8, 0))
					_exit(1);
				if (i % 50 == 49)
					usleep(2000);
			}
			_exit(0);
		}
		got = 0;
		while (got < TOTAL) {
			struct __kernel_timespec ts = { .tv_sec = 5 };
			int slot, res, seq;
			size_t off;

			if (io_uring_wait_cqe_timeout(&ring, &cqe, &ts))
				break;
			slot = (int)cqe->user_data;
			res = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
			ASSERT_LT(0, res);
			if (!batch) {
				ASSERT_EQ((int)sizeof(long) + 8, res);
				memcpy(&seq, bufs[slot] + sizeof(long),
				       sizeof(seq));
				ASSERT_TRUE(seq >= 0 && seq < TOTAL);
				EXPECT_FALSE(seen[seq]);
				seen[seq] = true;
				got++;
			}
			for (off = 0; batch && off < (size_t)res;
			     off = SYSVIPC_MSGREC_NEXT(off, 8)) {
				struct sysvipc_msgrec rec;

				memcpy(&rec, bufs[slot] + off, hdr);
				ASSERT_EQ(8U, rec.mtext_size);
				memcpy(&seq, bufs[slot] + off + hdr,
				       sizeof(seq));
				ASSERT_TRUE(seq >= 0 && seq < TOTAL);
				EXPECT_FALSE(seen[seq]);
				seen[seq] = true;
				got++;
			}
			sqe = io_uring_get_sqe(&ring);
			io_uring_prep_read(sqe, fd, bufs[slot], len, 0);
			io_uring_sqe_set_data64(sqe, slot);
			ASSERT_EQ(1, io_uring_submit(&ring));
		}
		EXPECT_EQ(TOTAL, got) TH_LOG("pass %d", pass);
		EXPECT_EQ(0, child_status(pid));
		EXPECT_EQ(0, msgq_qnum(q));
		io_uring_queue_exit(&ring);
		close(fd);
		msgctl(q, IPC_RMID, NULL);
	}
#endif
}

TEST_HARNESS_MAIN
