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

TEST_HARNESS_MAIN
