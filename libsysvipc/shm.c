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
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib.h"

/* The kernel's <linux/shm.h> values; glibc's headers lack them. */
#ifndef SHM_HUGE_SHIFT
#define SHM_HUGE_SHIFT	26
#define SHM_HUGE_MASK	0x3f
#endif

/*
 * SHM_HUGETLB: the module cannot make a huge-page file, so we hand it an
 * empty one of the requested page size; it sizes and keeps it only when it
 * creates a segment.  Errors are the kernel's for that case.
 */
static int shm_huge_backing(key_t key, int shmflg)
{
	/* SHM_HUGE_* and MFD_HUGE_* both put log2(page size) at bit 26. */
	unsigned int huge = shmflg & (SHM_HUGE_MASK << SHM_HUGE_SHIFT);
	char name[16];
	int fd;

	snprintf(name, sizeof(name), "SYSV%08x", (unsigned int)key);
	fd = memfd_create(name, MFD_CLOEXEC | MFD_HUGETLB | huge);
	if (fd < 0 && errno != ENOMEM && errno != EPERM)
		errno = EINVAL;
	return fd;
}

SYSVIPC_API int shmget(key_t key, size_t size, int shmflg)
{
	struct sysvipc_get arg = {
		.key = key,
		.flags = shmflg,
		.size = size,
	};
	int fd = sysvipc_dev_fd(), ret, saved;

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_shmget, key, size, shmflg);
	if (fd < 0)
		return -1;
	if (!(shmflg & SHM_HUGETLB))
		return sysvipc_call(fd, SYSVIPC_IOC_SHMGET, &arg, 0);

	arg.backing_fd = shm_huge_backing(key, shmflg);
	if (arg.backing_fd < 0)
		return -1;
	arg.get_flags = SYSVIPC_GET_BACKING_FD;
	ret = sysvipc_call(fd, SYSVIPC_IOC_SHMGET, &arg, 0);
	saved = errno;
	close(arg.backing_fd);
	errno = saved;
	return ret;
}

SYSVIPC_API void *shmat(int shmid, const void *shmaddr, int shmflg)
{
	struct sysvipc_shmat arg = {
		.id = shmid,
		.flags = shmflg,
		.addr = (uintptr_t)shmaddr,
	};
	int fd = sysvipc_dev_fd();

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
	int fd = sysvipc_dev_fd();

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
	int fd = sysvipc_dev_fd();

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_shmctl, shmid, cmd, buf);
	if (fd < 0)
		return -1;
	return sysvipc_call(fd, SYSVIPC_IOC_SHMCTL, &arg, 0);
}
