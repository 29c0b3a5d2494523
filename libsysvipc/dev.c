/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The process's handle on /dev/sysvipc.
 *
 * dev_fd holds the mode the process runs in, decided by the first call that
 * needs it and fixed from then on: a descriptor of the device, or one of the
 * no-device modes.  It is never decided in a constructor, so programs that
 * never use SysV IPC never touch the device.  The descriptor is O_CLOEXEC:
 * a forked child shares it (and the module's objects are global, so that is
 * right), an exec'd program starts over and opens its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include "lib.h"

#define FD_UNSET	(-1)	/* nothing decided yet */
#define FD_ENOSYS	(-3)	/* no device and SYSVIPC_FALLBACK=0 */

static int dev_fd = FD_UNSET;
/* st_rdev of the device when we opened it: tells our fd from a reused one. */
static dev_t dev_rdev;

/*
 * SYSVIPC_MAPS=0: map none of the module's pages (the semaphore fast path,
 * the queues' status region).  Calls then always take the ioctl.  For CRIU
 * with modules before ABI 1.4, whose anonymous-inode mappings it refuses
 * (docs/criu.md).
 */
int sysvipc_maps_on(void)
{
	static int on = -1;
	const char *s;

	if (__atomic_load_n(&on, __ATOMIC_RELAXED) < 0) {
		s = getenv("SYSVIPC_MAPS");
		__atomic_store_n(&on, !(s && !strcmp(s, "0")), __ATOMIC_RELAXED);
	}
	return __atomic_load_n(&on, __ATOMIC_RELAXED);
}

static int no_device_mode(void)
{
	const char *s = getenv("SYSVIPC_FALLBACK");

	return s && !strcmp(s, "0") ? FD_ENOSYS : SYSVIPC_FD_SYSCALL;
}

/*
 * Open the device and publish it in place of @old: FD_UNSET on first use,
 * or a descriptor that stopped being ours.  Returns what is in force
 * afterwards, or -1 with errno set when nothing could be published.
 *
 * Only the first decision may pick a no-device mode: once the process holds
 * ids from the module, sending them to the kernel's syscalls would reach
 * unrelated objects.  Errors other than "no such device" (EACCES, EMFILE ...)
 * may be transient, so they fail the call and are not remembered.
 */
static int dev_install(int old)
{
	int saved = errno, fd, new;
	struct stat st;

	fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		if (fstat(fd, &st) < 0) {
			close(fd);
			return -1;
		}
		__atomic_store_n(&dev_rdev, st.st_rdev, __ATOMIC_RELAXED);
		new = fd;
	} else if (old == FD_UNSET &&
		   (errno == ENOENT || errno == ENODEV || errno == ENXIO)) {
		errno = saved;	/* a successful call leaves errno alone */
		new = no_device_mode();
	} else {
		return -1;
	}

	/* Racing threads: the first to publish wins, the others use its fd. */
	if (!__atomic_compare_exchange_n(&dev_fd, &old, new, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (fd >= 0)
			close(fd);
		new = old;
	}
	return new;
}

static int dev_get(void)
{
	int fd = __atomic_load_n(&dev_fd, __ATOMIC_ACQUIRE);

	return fd == FD_UNSET ? dev_install(FD_UNSET) : fd;
}

/*
 * A descriptor of the device, SYSVIPC_FD_SYSCALL when calls go to the
 * kernel's own syscalls, or -1 with errno set (ENOSYS when the fallback is
 * disabled).
 */
int sysvipc_dev_fd(void)
{
	int fd = dev_get();

	if (fd == FD_ENOSYS) {
		errno = ENOSYS;
		return -1;
	}
	return fd;
}

/*
 * @fd failed with @err (EBADF or ENOTTY).  Programs that close every
 * descriptor (daemons) take ours away, and the number may already name
 * another file.  Returns the descriptor to retry on, or -1 when the error
 * is the module's own answer.
 */
static int dev_recover(int fd, int err)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) &&
	    st.st_rdev == __atomic_load_n(&dev_rdev, __ATOMIC_RELAXED))
		/*
		 * Still the device: ENOTTY came from the module.  EBADF cannot
		 * have; another thread reopened onto the same number in
		 * between, so the retry goes to the new open file.
		 */
		return err == EBADF ? fd : -1;
	return dev_install(fd);
}

/*
 * Issue one ioctl, with at most one reopen and retry.  @optional marks the
 * operations a module may not implement yet: their ENOTTY reads as ENOSYS.
 */
int sysvipc_call(int fd, unsigned long req, void *arg, int optional)
{
	int saved = errno, ret, err;

	ret = ioctl(fd, req, arg);
	if (ret == -1 && (errno == EBADF || errno == ENOTTY)) {
		err = errno;
		fd = dev_recover(fd, err);
		if (fd >= 0) {
			errno = saved;
			ret = ioctl(fd, req, arg);
		} else {
			errno = err;
		}
	}
	if (ret == -1 && optional && errno == ENOTTY)
		errno = ENOSYS;
	return ret;
}

SYSVIPC_API int sysvipc_version(struct sysvipc_version *v)
{
	int fd = sysvipc_dev_fd();

	if (fd == SYSVIPC_FD_SYSCALL) {
		errno = ENOSYS;
		return -1;
	}
	if (fd < 0)
		return -1;
	return sysvipc_call(fd, SYSVIPC_IOC_VERSION, v, 0);
}

SYSVIPC_API int sysvipc_active(void)
{
	int fd = dev_get();

	if (fd >= 0)
		return 1;
	if (fd == SYSVIPC_FD_SYSCALL || fd == FD_ENOSYS)
		return 0;
	return -1;
}
