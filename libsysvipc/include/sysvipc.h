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

/*
 * A file descriptor for one object (SYSVIPC_IOC_OBJFD, module ABI 1.2):
 * @type is SYSVIPC_OBJ_SHM, SYSVIPC_OBJ_SEM or SYSVIPC_OBJ_MSG, @id the
 * object's id, @flags O_RDONLY, O_WRONLY or O_RDWR, plus O_CLOEXEC and
 * O_NONBLOCK.  @cfg supplies the per-type fields (msgtyp, msgflg, msgsz;
 * sem_num, sem_op, sem_flg) and may be NULL for none; its type, id and
 * flags are ignored, its reserved fields must be zero.
 *
 *   segment: pread/pwrite/lseek/mmap/fstat and fcntl (OFD) locks
 *   queue:   read = msgrcv(msgtyp, msgflg) into { long mtype; text },
 *            returns sizeof(long) + text bytes; write = msgsnd of such a
 *            buffer; POLLIN when a read would find a message, POLLOUT
 *            when a message of msgsz text bytes would fit
 *   sem:     read (8 bytes) = semop({ sem_num, sem_op, sem_flg }), stores
 *            the __u64 1; POLLIN when it would not block
 *
 * Returns the descriptor, or -1 with errno set: ENOSYS when the process
 * does not use the module (the kernel's own IPC has no such descriptors)
 * or the module predates ABI 1.2, else the errno of the object's own call
 * (EINVAL, EIDRM, EACCES, EFBIG ...).  See <sysvipc_uring.h> for io_uring.
 */
int sysvipc_fd(int type, int id, const struct sysvipc_objfd *cfg, int flags);

#ifdef __cplusplus
}
#endif

#endif /* _SYSVIPC_H */
