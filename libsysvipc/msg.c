/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * msgget, msgsnd, msgrcv, msgctl.
 *
 * glibc makes msgsnd and msgrcv cancellation points; neither ioctl() nor
 * syscall() is one, so here they are not (see semop in sem.c).
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include "lib.h"

SYSVIPC_API int msgget(key_t key, int msgflg)
{
	struct sysvipc_get arg = {
		.key = key,
		.flags = msgflg,
	};
	int fd = sysvipc_dev_fd();

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_msgget, key, msgflg);
	if (fd < 0)
		return -1;
	return sysvipc_call(fd, SYSVIPC_IOC_MSGGET, &arg, 0);
}

SYSVIPC_API int msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg)
{
	struct sysvipc_msgsnd arg = {
		.id = msqid,
		.flags = msgflg,
		.msgp = (uintptr_t)msgp,
		.msgsz = msgsz,
	};
	int fd = sysvipc_dev_fd();

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_msgsnd, msqid, msgp, msgsz, msgflg);
	if (fd < 0)
		return -1;
	return sysvipc_call(fd, SYSVIPC_IOC_MSGSND, &arg, 1);
}

/* The byte count fits an int: the module caps messages like msgmax does. */
SYSVIPC_API ssize_t msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp,
			   int msgflg)
{
	struct sysvipc_msgrcv arg = {
		.id = msqid,
		.flags = msgflg,
		.msgp = (uintptr_t)msgp,
		.msgsz = msgsz,
		.msgtyp = msgtyp,
	};
	int fd = sysvipc_dev_fd();

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_msgrcv, msqid, msgp, msgsz, msgtyp, msgflg);
	if (fd < 0)
		return -1;
	return sysvipc_call(fd, SYSVIPC_IOC_MSGRCV, &arg, 1);
}

SYSVIPC_API int msgctl(int msqid, int cmd, struct msqid_ds *buf)
{
	struct sysvipc_ctl arg = {
		.id = msqid,
		.cmd = cmd,
		.arg = (uintptr_t)buf,
	};
	int fd = sysvipc_dev_fd();

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_msgctl, msqid, cmd, buf);
	if (fd < 0)
		return -1;
	return sysvipc_call(fd, SYSVIPC_IOC_MSGCTL, &arg, 0);
}
