/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * msgget, msgsnd, msgrcv, msgctl.
 *
 * glibc makes msgsnd and msgrcv cancellation points; neither ioctl() nor
 * syscall() is one, so here they are not (see semop in sem.c).
 *
 * Spinning: a blocking msgrcv on an empty queue, or a blocking msgsnd on a
 * queue its message does not fit, would go to sleep in the module and be
 * woken by the next msgsnd or msgrcv: most of a ping-pong round trip.
 * Before issuing such a call, the library watches the queue's slot in the
 * module's status region (SYSVIPC_IOC_MSGSTATUS, mapped read-only once per
 * process) for up to sysvipc_spin_budget() iterations (spin.c), and issues
 * the call as soon as the slot says it would not sleep.  The slot only decides
 * when the call is issued, never what it returns: a slot of another queue
 * (the index was reused) or a stale value just ends or prolongs the spin.
 *
 * Before all that, msgsnd and msgrcv try the queue's message ring
 * (msgring.c), which may complete them without a system call.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib.h"

/* msg_status when the module has no status region to map. */
#define STATUS_NONE	((const struct sysvipc_msg_slot *)-1)

/* The mapped region; NULL until the first spin asks for it. */
static const struct sysvipc_msg_slot *msg_status;

/* The status region, mapping it on first use; NULL if there is none. */
static const struct sysvipc_msg_slot *msg_status_get(int fd)
{
	const struct sysvipc_msg_slot *st, *old = NULL;
	struct sysvipc_msgstatus a = { 0 };
	int saved = errno;

	st = __atomic_load_n(&msg_status, __ATOMIC_ACQUIRE);
	if (st)
		return st == STATUS_NONE ? NULL : st;
	st = STATUS_NONE;
	if (sysvipc_maps_on() && ioctl(fd, SYSVIPC_IOC_MSGSTATUS, &a) == 0) {
		if (a.slots == SYSVIPC_MSG_SLOTS &&
		    a.slot_size == sizeof(struct sysvipc_msg_slot))
			st = (const struct sysvipc_msg_slot *)(uintptr_t)a.addr;
		else
			munmap((void *)(uintptr_t)a.addr, a.size);
	}
	errno = saved;
	/* Racing threads: the first to publish wins. */
	if (!__atomic_compare_exchange_n(&msg_status, &old, st, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (st != STATUS_NONE)
			munmap((void *)st, a.size);
		st = old;
	}
	return st == STATUS_NONE ? NULL : st;
}

/* The slot of @msqid, or NULL when spinning is off or impossible. */
static const struct sysvipc_msg_slot *msg_slot(int fd, int msqid)
{
	const struct sysvipc_msg_slot *st;

	if (msqid < 0 || !sysvipc_spin_limit())
		return NULL;
	st = msg_status_get(fd);
	return st ? &st[msqid & (SYSVIPC_MSG_SLOTS - 1)] : NULL;
}

/* Would a receive on the queue of @slot, still @msqid, find it empty? */
static int slot_empty(const struct sysvipc_msg_slot *slot, int msqid)
{
	return __atomic_load_n(&slot->id, __ATOMIC_RELAXED) == msqid &&
	       __atomic_load_n(&slot->qnum, __ATOMIC_RELAXED) == 0;
}

/* Would @msgsz bytes not fit the queue of @slot, still @msqid? */
static int slot_full(const struct sysvipc_msg_slot *slot, int msqid,
		     size_t msgsz)
{
	uint64_t qbytes = __atomic_load_n(&slot->qbytes, __ATOMIC_RELAXED);

	return __atomic_load_n(&slot->id, __ATOMIC_RELAXED) == msqid &&
	       (__atomic_load_n(&slot->cbytes, __ATOMIC_RELAXED) + msgsz > qbytes ||
		__atomic_load_n(&slot->qnum, __ATOMIC_RELAXED) + 1 > qbytes);
}

/* What a spin before msgsnd or msgrcv watches. */
struct slot_wait {
	const struct sysvipc_msg_slot *slot;
	int msqid;
	size_t msgsz;
};

static bool slot_has_room(const void *arg)
{
	const struct slot_wait *w = arg;

	return !slot_full(w->slot, w->msqid, w->msgsz);
}

static bool slot_has_message(const void *arg)
{
	const struct slot_wait *w = arg;

	return !slot_empty(w->slot, w->msqid);
}

static void msg_spin_send(int fd, int msqid, size_t msgsz)
{
	struct slot_wait w = { msg_slot(fd, msqid), msqid, msgsz };

	if (w.slot && !slot_has_room(&w))
		sysvipc_spin_until(slot_has_room, &w);
}

static void msg_spin_receive(int fd, int msqid)
{
	struct slot_wait w = { msg_slot(fd, msqid), msqid, 0 };

	if (w.slot && !slot_has_message(&w))
		sysvipc_spin_until(slot_has_message, &w);
}

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
	int ret;

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_msgsnd, msqid, msgp, msgsz, msgflg);
	if (fd < 0)
		return -1;
	if (!sysvipc_msgring_send(msqid, msgp, msgsz, msgflg))
		return 0;
	if (!(msgflg & IPC_NOWAIT))
		msg_spin_send(fd, msqid, msgsz);
	ret = sysvipc_call(fd, SYSVIPC_IOC_MSGSND, &arg, 1);
	if (!ret)
		sysvipc_msgring_sent(fd, msqid);
	return ret;
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
	ssize_t ret;
	int how;

	if (fd == SYSVIPC_FD_SYSCALL)
		return syscall(SYS_msgrcv, msqid, msgp, msgsz, msgtyp, msgflg);
	if (fd < 0)
		return -1;
	how = sysvipc_msgring_receive(msqid, msgp, msgsz, msgtyp, msgflg, &ret);
	if (!how)
		return ret;
	if (how == 1 && !(msgflg & IPC_NOWAIT))
		msg_spin_receive(fd, msqid);
	ret = sysvipc_call(fd, SYSVIPC_IOC_MSGRCV, &arg, 1);
	if (ret >= 0)
		sysvipc_msgring_learn(fd, msqid);
	return ret;
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
