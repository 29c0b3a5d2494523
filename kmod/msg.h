/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysvipc: what msg.c shares with msgring.c, the receive ring.
 */
#ifndef SYSVIPC_MSG_H
#define SYSVIPC_MSG_H

#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/time64.h>

#include "sysvipc.h"

struct msg_ring;

#define MSG_SPARES	2	/* freed messages a queue keeps for its sends */

struct sysvipc_msq {
	struct sysvipc_obj perm;
	/* All under perm.lock. */
	time64_t stime;
	time64_t rtime;
	time64_t ctime;
	unsigned long cbytes;	/* bytes queued */
	unsigned long qnum;	/* messages queued */
	unsigned long qbytes;	/* most bytes the queue may hold */
	struct pid *lspid;
	struct pid *lrpid;
	pid_t lspid_user;	/* the ring lessee's own pid, or 0: lspid */
	pid_t lrpid_user;	/* a ring receiver's own pid, or 0: lrpid */
	struct msg_ring *ring;	/* the receive ring (msgring.c), or NULL */
	u16 lease_seq;		/* the last send lease's generation */
	/*
	 * The blocks of messages a receive freed, kept for sends (msg.c,
	 * msg_keep_spare()).  Set under perm.lock while the queue is not
	 * deleted, with their room; taken with xchg() under RCU, without the
	 * lock; freed by msg_release().
	 */
	struct sysvipc_msg *spare[MSG_SPARES];
	u32 spare_room[MSG_SPARES];	/* under perm.lock */
	struct list_head messages;	/* struct sysvipc_msg, oldest first */
	struct list_head receivers;	/* struct msg_receiver, FIFO */
	struct list_head senders;	/* struct msg_sender, FIFO */
};

/* The text beyond the first block, in blocks of at most a page. */
struct sysvipc_msgseg {
	struct sysvipc_msgseg *next;
	char text[];
};

/*
 * One message.  Immutable once linked, except @list (under the queue's
 * lock).  @refs is 1 for the queue or the receiver that owns it, plus one
 * for each MSG_COPY reader copying it out; the last put frees it.
 */
struct sysvipc_msg {
	struct list_head list;
	refcount_t refs;
	u32 room;		/* bytes of text the blocks hold, >= @size */
	size_t size;		/* bytes of text */
	long type;
	const void *owner;	/* the allocating process's mm, only compared */
	struct sysvipc_msgseg *next;
	char text[];
};

#define MSG_HEAD_TEXT	(PAGE_SIZE - sizeof(struct sysvipc_msg))
#define MSG_SEG_TEXT	(PAGE_SIZE - sizeof(struct sysvipc_msgseg))

static inline struct sysvipc_msq *to_msq(struct sysvipc_obj *obj)
{
	return container_of(obj, struct sysvipc_msq, perm);
}

/* msg.c */
void msg_put(struct sysvipc_msg *msg);
void msg_status_update(struct sysvipc_msq *msq);

/* msgring.c (and sysvipc.h); the queue's lock held, except msg_ring_free(). */
void msg_ring_reap(struct sysvipc_msq *msq);
void msg_ring_absorb(struct sysvipc_msq *msq);
bool msg_ring_put(struct sysvipc_msq *msq, struct sysvipc_msg *msg);
void msg_ring_retire(struct sysvipc_msq *msq, u32 flag);
void msg_ring_status(struct sysvipc_msq *msq);
void msg_ring_free(struct sysvipc_msq *msq);

#endif /* SYSVIPC_MSG_H */
