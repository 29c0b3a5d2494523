/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsysvipc: io_uring helpers for object file descriptors (sysvipc_fd()).
 * Header only; include after <liburing.h>.
 *
 * IORING_OP_READ and IORING_OP_WRITE on a queue or semaphore fd are
 * asynchronous msgrcv, msgsnd and semop: the module fails their first,
 * non-blocking attempt with EAGAIN, and io_uring parks the request on the
 * object's wait queue and retries it when the queue or set changes.  Parked
 * requests are cancellable (io_uring_prep_cancel), and go when the ring is
 * closed or the process exits.  Do not make the fd O_NONBLOCK: io_uring
 * then completes with -EAGAIN instead of waiting.
 */
#ifndef _SYSVIPC_URING_H
#define _SYSVIPC_URING_H

#include <stdint.h>
#include <liburing.h>
#include <sysvipc.h>

/*
 * Receive one message into @msgp (struct { long mtype; char mtext[]; })
 * with room for @msgsz text bytes: msgrcv with the fd's msgtyp and msgflg.
 * The completion's res is sysvipc_uring_msglen(res) text bytes, or -errno.
 */
static inline void sysvipc_prep_msgrcv(struct io_uring_sqe *sqe, int qfd,
				       void *msgp, size_t msgsz)
{
	io_uring_prep_read(sqe, qfd, msgp, msgsz + sizeof(long), 0);
}

/* Send the message at @msgp with @msgsz text bytes; res = msgsz + 8. */
static inline void sysvipc_prep_msgsnd(struct io_uring_sqe *sqe, int qfd,
				       const void *msgp, size_t msgsz)
{
	io_uring_prep_write(sqe, qfd, msgp, msgsz + sizeof(long), 0);
}

/* Perform a semaphore fd's operation; res = 8, *@done = 1. */
static inline void sysvipc_prep_semop(struct io_uring_sqe *sqe, int semfd,
				      uint64_t *done)
{
	io_uring_prep_read(sqe, semfd, done, sizeof(*done), 0);
}

/* A receive's completion: text bytes, or the negative errno. */
static inline long sysvipc_uring_msglen(int res)
{
	return res < 0 ? res : res - (long)sizeof(long);
}

#endif /* _SYSVIPC_URING_H */
