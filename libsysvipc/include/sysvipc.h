/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsysvipc: glibc's System V IPC calls (shmget ... msgctl) served by the
 * sysvipc module through /dev/sysvipc.  Link with -lsysvipc, or load with
 * LD_PRELOAD=libsysvipc.so.1 to take over an unmodified program's calls.
 *
 * Without the device the calls fall back to the kernel's own SysV IPC for
 * the life of the process; with SYSVIPC_FALLBACK=0 in the environment they
 * fail with ENOSYS instead.
 */
#ifndef _SYSVIPC_H
#define _SYSVIPC_H

#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/msg.h>
#include <linux/sysvipc.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Fill @v from the module (SYSVIPC_IOC_VERSION).  Returns 0, or -1 with
 * errno set: ENOSYS when the process does not use the module.
 */
int sysvipc_version(struct sysvipc_version *v);

/*
 * 1 when this process's calls go to the module, 0 when they go to the
 * kernel's syscalls (or fail with ENOSYS).  Opens the device if no call has
 * yet; -1 with errno set if that fails for another reason than its absence.
 */
int sysvipc_active(void);

#ifdef __cplusplus
}
#endif

#endif /* _SYSVIPC_H */
