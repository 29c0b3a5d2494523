/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * semget, semop, semtimedop, semctl.
 *
 * glibc makes semop and semtimedop cancellation points.  Doing the same
 * needs glibc's internal SYSCALL_CANCEL; the old asynchronous-cancel trick
 * loses a semaphore operation that completes just as the cancel arrives, so
 * these are not cancellation points here (nor in the fallback, which goes
 * through syscall()).
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <unistd.h>
#include "lib.h"

#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY	20
#endif

/* glibc's union semun; POSIX leaves defining it to the caller. */
union semun_arg {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

SYSVIPC_API int semget(key_t key, int nsems, int semflg)
{
	struct sysvipc_get arg = {
		.key = key,
		.flags = semflg,
		/* Sign-extended, so a negative count stays invalid (> INT_MAX). */
		.size = (__u64)(__s64)nsems,
	};
	int fd = sysvipc_dev_fd();

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_semget, key, nsems, semflg);
	if (fd < 0)
		return -1;
	return sysvipc_call(fd, SYSVIPC_IOC_SEMGET, &arg, 0);
}

static int do_semop(int semid, struct sembuf *sops, size_t nsops,
		    const struct timespec *timeout, long nr)
{
	struct sysvipc_semop arg = {
		.id = semid,
		/* Too many stays too many (E2BIG) instead of wrapping. */
		.nsops = nsops > UINT_MAX ? UINT_MAX : nsops,
		.sops = (uintptr_t)sops,
		/* On LP64, struct timespec is struct __kernel_timespec. */
		.timeout = (uintptr_t)timeout,
	};
	int fd = sysvipc_dev_fd();
	int ret;

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(nr, semid, sops, nsops, timeout);
	if (fd < 0)
		return -1;
	ret = sysvipc_semfast_op(semid, sops, nsops, timeout);
	if (ret <= 0)
		return ret;
	ret = sysvipc_call(fd, SYSVIPC_IOC_SEMOP, &arg, 1);
	if (!ret || errno == EAGAIN)
		sysvipc_semfast_learn(fd, semid, sops, nsops, timeout);
	return ret;
}

SYSVIPC_API int semop(int semid, struct sembuf *sops, size_t nsops)
{
	return do_semop(semid, sops, nsops, NULL, SYS_semop);
}

SYSVIPC_API int semtimedop(int semid, struct sembuf *sops, size_t nsops,
			   const struct timespec *timeout)
{
	return do_semop(semid, sops, nsops, timeout, SYS_semtimedop);
}

SYSVIPC_API int semctl(int semid, int semnum, int cmd, ...)
{
	union semun_arg u = { 0 };
	struct sysvipc_ctl arg = {
		.id = semid,
		.semnum = semnum,
		.cmd = cmd,
	};
	va_list ap;
	int fd;

	/* Read the fourth argument only where there is one, as glibc does. */
	switch (cmd) {
	case SETVAL:
	case GETALL:
	case SETALL:
	case IPC_STAT:
	case IPC_SET:
	case SEM_STAT:
	case SEM_STAT_ANY:
	case IPC_INFO:
	case SEM_INFO:
		va_start(ap, cmd);
		u = va_arg(ap, union semun_arg);
		va_end(ap);
		break;
	}

	fd = sysvipc_dev_fd();
	/* The kernel takes the whole union as one word, like glibc sends it. */
	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_semctl, semid, semnum, cmd, u.array);
	if (fd < 0)
		return -1;
	arg.arg = cmd == SETVAL ? (__u64)(unsigned int)u.val
				: (__u64)(uintptr_t)u.array;
	return sysvipc_call(fd, SYSVIPC_IOC_SEMCTL, &arg, 0);
}
