/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * shmget, shmat, shmdt, shmctl.
 *
 * Each call either goes to the module as one ioctl or, in a process without
 * the device, to the kernel's own syscall with the arguments glibc would
 * pass (on LP64, commands without IPC_64 and buffers untouched).
 */
#include <errno.h>
#include <stdint.h>
#include <unistd.h>
#include "lib.h"

SYSVIPC_API int shmget(key_t key, size_t size, int shmflg)
{
	struct sysvipc_get arg = {
		.key = key,
		.flags = shmflg,
		.size = size,
	};
	int fd = sysvipc_fd();

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_shmget, key, size, shmflg);
	if (fd < 0)
		return -1;
	return sysvipc_call(fd, SYSVIPC_IOC_SHMGET, &arg, 0);
}

SYSVIPC_API void *shmat(int shmid, const void *shmaddr, int shmflg)
{
	struct sysvipc_shmat arg = {
		.id = shmid,
		.flags = shmflg,
		.addr = (uintptr_t)shmaddr,
	};
	int fd = sysvipc_fd();

	if (fd == SYSVIPC_FD_SYSCALL)
		return (void *)syscall(SYS_shmat, shmid, shmaddr, shmflg);
	if (fd < 0 || sysvipc_call(fd, SYSVIPC_IOC_SHMAT, &arg, 1) == -1)
		return (void *)-1;
	return (void *)(uintptr_t)arg.addr;
}

SYSVIPC_API int shmdt(const void *shmaddr)
{
	struct sysvipc_shmdt arg = {
		.addr = (uintptr_t)shmaddr,
	};
	int fd = sysvipc_fd();

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_shmdt, shmaddr);
	if (fd < 0)
		return -1;
	return sysvipc_call(fd, SYSVIPC_IOC_SHMDT, &arg, 1);
}

SYSVIPC_API int shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
	struct sysvipc_ctl arg = {
		.id = shmid,
		.cmd = cmd,
		.arg = (uintptr_t)buf,
	};
	int fd = sysvipc_fd();

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_shmctl, shmid, cmd, buf);
	if (fd < 0)
		return -1;
	return sysvipc_call(fd, SYSVIPC_IOC_SHMCTL, &arg, 0);
}
