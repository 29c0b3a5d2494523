/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/sysvipc/{shm,sem,msg} → /proc/driver/sysvipc/{shm,sem,msg}.
 *
 * Tools such as util-linux's ipcs read the kernel's status files before they
 * fall back to the *_STAT calls.  In a process whose calls go to the module,
 * those files would list the kernel's objects, not the ones the process
 * works with; so opens of exactly these three absolute paths are sent to the
 * module's files, which have the same format.  Everything else, and every
 * open in a process that does not use the module (no device, see
 * sysvipc_active()), passes through unchanged.  Relative paths and openat()
 * with a directory descriptor other than AT_FDCWD are never redirected.
 *
 * open/openat (and the 64 and _2 fortify variants) are the openat syscall
 * here, as they are in glibc on LP64; fopen goes to the next fopen in the
 * lookup order (glibc's), found with dlsym(RTLD_NEXT).  Deciding whether the
 * module is in use opens /dev/sysvipc through open() above, which is not a
 * redirected path, so there is no recursion.
 */
#undef _FORTIFY_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lib.h"

#define PROC_KERNEL	"/proc/sysvipc/"
#define PROC_MODULE	"/proc/driver/sysvipc/"

/* The module's file for @path, or NULL when @path is not to be redirected. */
static const char *proc_redirect(const char *path, char *buf, size_t len)
{
	const char *name;

	if (!path || strncmp(path, PROC_KERNEL, strlen(PROC_KERNEL)))
		return NULL;
	name = path + strlen(PROC_KERNEL);
	if (strcmp(name, "shm") && strcmp(name, "sem") && strcmp(name, "msg"))
		return NULL;
	if (sysvipc_active() != 1)
		return NULL;
	snprintf(buf, len, PROC_MODULE "%s", name);
	return buf;
}

static int proc_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	char buf[sizeof(PROC_MODULE "shm")];
	const char *to = NULL;
	int saved = errno, fd;

	if (dirfd == AT_FDCWD)
		to = proc_redirect(path, buf, sizeof(buf));
	if (to) {
		fd = syscall(SYS_openat, dirfd, to, flags, mode);
		if (fd >= 0 || errno != ENOENT)
			return fd;
		errno = saved;	/* an older module without the files */
	}
	return syscall(SYS_openat, dirfd, path, flags, mode);
}

/* The mode argument exists only with O_CREAT or O_TMPFILE. */
#define PROC_MODE(flags, last)						\
	({								\
		mode_t m_ = 0;						\
		if ((flags) & (O_CREAT | __O_TMPFILE)) {		\
			va_list ap_;					\
			va_start(ap_, last);				\
			m_ = va_arg(ap_, mode_t);			\
			va_end(ap_);					\
		}							\
		m_;							\
	})

SYSVIPC_API int open(const char *path, int flags, ...)
{
	return proc_openat(AT_FDCWD, path, flags, PROC_MODE(flags, flags));
}

SYSVIPC_API int open64(const char *path, int flags, ...)
{
	return proc_openat(AT_FDCWD, path, flags, PROC_MODE(flags, flags));
}

SYSVIPC_API int openat(int dirfd, const char *path, int flags, ...)
{
	return proc_openat(dirfd, path, flags, PROC_MODE(flags, flags));
}

SYSVIPC_API int openat64(int dirfd, const char *path, int flags, ...)
{
	return proc_openat(dirfd, path, flags, PROC_MODE(flags, flags));
}

/* _FORTIFY_SOURCE builds call these when the mode is not a constant. */
SYSVIPC_API int __open_2(const char *path, int flags)
{
	return proc_openat(AT_FDCWD, path, flags, 0);
}

SYSVIPC_API int __open64_2(const char *path, int flags)
{
	return proc_openat(AT_FDCWD, path, flags, 0);
}

SYSVIPC_API int __openat_2(int dirfd, const char *path, int flags)
{
	return proc_openat(dirfd, path, flags, 0);
}

SYSVIPC_API int __openat64_2(int dirfd, const char *path, int flags)
{
	return proc_openat(dirfd, path, flags, 0);
}

typedef FILE *fopen_fn(const char *, const char *);

/* The next fopen/fopen64 (glibc's), looked up once; racing lookups agree. */
static FILE *proc_fopen(fopen_fn **cache, const char *sym, const char *path,
			const char *mode)
{
	fopen_fn *next = __atomic_load_n(cache, __ATOMIC_ACQUIRE);
	char buf[sizeof(PROC_MODULE "shm")];
	const char *to;
	int saved = errno;
	FILE *f;

	if (!next) {
		next = (fopen_fn *)dlsym(RTLD_NEXT, sym);
		if (!next) {
			errno = ENOSYS;
			return NULL;
		}
		__atomic_store_n(cache, next, __ATOMIC_RELEASE);
	}
	to = proc_redirect(path, buf, sizeof(buf));
	if (to) {
		f = next(to, mode);
		if (f || errno != ENOENT)
			return f;
		errno = saved;
	}
	return next(path, mode);
}

static fopen_fn *next_fopen, *next_fopen64;

SYSVIPC_API FILE *fopen(const char *path, const char *mode)
{
	return proc_fopen(&next_fopen, "fopen", path, mode);
}

SYSVIPC_API FILE *fopen64(const char *path, const char *mode)
{
	return proc_fopen(&next_fopen64, "fopen64", path, mode);
}
