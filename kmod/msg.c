// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: message queues.
 *
 * Semantics follow Linux 6.1's ipc/msg.c: one FIFO of messages per queue,
 * typed receive by a linear scan, senders that sleep while the queue is
 * full, and receivers that sleep until a sender hands them a matching
 * message directly (the message then never enters the queue).
 *
 * Locking: everything mutable in a queue is under its perm.lock (a
 * spinlock, never held while sleeping, allocating or touching user memory).
 * Lookups by id run under rcu_read_lock(); a task that sleeps holds a
 * reference on the queue instead, never a registry lock.  The registry's
 * rwsem is taken only by msgget and the IPC_SET/IPC_RMID paths.
 *
 * Memory: a message is a chain of at most page-sized kmalloc() blocks (no
 * high-order or vmalloc allocations, whatever msgmax is), charged to the
 * sender's memory cgroup, filled from user space before any lock is taken
 * and copied out only after it has been unlinked, with no lock held.
 * Messages are immutable once queued, which lets MSG_COPY take a reference
 * on the queued message under the lock and copy it out after unlocking,
 * instead of copying the text under the spinlock.
 *
 * Wake-ups: each sleeper has a small record on its own stack (struct
 * msg_receiver, struct msg_sender) linked into the queue.  A waker decides
 * under the lock, pins the task with get_task_struct() and calls
 * wake_up_process() after unlocking (struct msg_wake, our stand-in for the
 * kernel's unexported wake_q).  Pollers of the queue's fds (kmod/objfd.c)
 * are told after unlocking too, while the queue is known to be alive:
 * POLLIN when a message is queued, POLLOUT when one leaves.
 *
 * Ring (kmod/msgring.c): the oldest small messages may sit in a page that
 * processes map, where receivers (and one lessee, sending) work without a
 * system call.  Every path here that looks at messages or is about to
 * sleep first takes the ring back (msg_ring_absorb()) or accounts for
 * what was taken from it (msg_ring_reap()), under the queue's lock.
 */
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/file.h>
#include <linux/errno.h>
#include <linux/list.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/msg.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uio.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <linux/sysvipc.h>
#include "compat.h"
#include "msg.h"

/* The kernel's MSGSSZ and MSGSEG, reported by IPC_INFO. */
#define SYSVIPC_MSGSSZ	16
#define SYSVIPC_MSGSEG	0xffff

/* How a receiver selects messages: the kernel's SEARCH_* modes. */
enum msg_mode {
	MSG_ANY,		/* msgtyp 0: the first message */
	MSG_EQUAL,		/* msgtyp > 0: the first of that type */
	MSG_NOTEQUAL,		/* msgtyp > 0 with MSG_EXCEPT */
	MSG_LESSEQUAL,		/* msgtyp < 0: lowest type <= |msgtyp| */
	MSG_NUMBER,		/* MSG_COPY: the msgtyp'th message */
};

/*
 * A receiver sleeping in msgrcv, on its own stack, in msq->receivers.
 * @msg is ERR_PTR(-EAGAIN) while it waits.  A waker unlinks it, then
 * publishes a message or an error with smp_store_release(); from that
 * moment the receiver may return without taking the lock, so the waker
 * never touches the record again.  IPC_SET leaves @msg at -EAGAIN and just
 * wakes the receiver, which then unlinks itself under the lock and retries.
 */
struct msg_receiver {
	struct list_head list;
	struct task_struct *task;
	enum msg_mode mode;
	long type;
	long maxsize;		/* larger messages get E2BIG */
	struct sysvipc_msg *msg;
};

/*
 * A sender sleeping in msgsnd, on its own stack, in msq->senders.  It
 * always unlinks itself, under the lock, after it wakes (or, when the queue
 * was removed, leaves the dead queue's list alone).
 */
struct msg_sender {
	struct list_head list;
	struct task_struct *task;
	size_t size;
};

/*
 * Tasks to wake once the queue's lock is dropped.  Each holds a task
 * reference.  When the batch is full, further tasks are woken at once,
 * under the lock: correct (they cannot have left, see msg_wake_add()),
 * only less efficient.
 */
#define MSG_WAKE_BATCH	16

struct msg_wake {
	unsigned int n;
	__poll_t poll;		/* events for the queue's pollers */
	struct task_struct *task[MSG_WAKE_BATCH];
};

static struct sysvipc_ids msg_ids;

/*
 * The status region (SYSVIPC_IOC_MSGSTATUS): one read-only slot per index,
 * which user space polls to spin before a call that would sleep.  Allocated
 * on the first request and kept until the module goes (every mapping pins
 * the module through its file).  Published with smp_store_release() under
 * msg_ids.rwsem (read), which keeps queues from being created or removed
 * while the slots of the existing ones are filled in; after that, every
 * change is written under the queue's lock by msg_status_update().  A
 * writer that still saw no region held the lock before the filling pass
 * took it, so the pass writes its values.
 */
#define MSG_STATUS_SIZE	PAGE_ALIGN(SYSVIPC_MSG_SLOTS *		\
				   sizeof(struct sysvipc_msg_slot))

static struct sysvipc_msg_slot *msg_status;
static DEFINE_MUTEX(msg_status_mutex);	/* serialises the allocation */

/* Write @msq's slot (and its ring's list count).  Queue lock held. */
void msg_status_update(struct sysvipc_msq *msq)
{
	/* Pairs with smp_store_release() in msg_status_get(). */
	struct sysvipc_msg_slot *st = smp_load_acquire(&msg_status);
	struct sysvipc_obj *obj = &msq->perm;

	msg_ring_status(msq);
	if (!st)
		return;
	st += obj->id & (SYSVIPC_MSG_SLOTS - 1);
	WRITE_ONCE(st->id, obj->deleted ? -1 : obj->id);
	WRITE_ONCE(st->qnum, msq->qnum);
	WRITE_ONCE(st->cbytes, msq->cbytes);
	WRITE_ONCE(st->qbytes, msq->qbytes);
}

/*
 * Queue @task for a wake-up.  Called under the queue's lock while @task's
 * waiter record is still linked or unpublished, so @task cannot have
 * returned from msgsnd/msgrcv yet and is alive.
 */
static void msg_wake_add(struct msg_wake *w, struct task_struct *task)
{
	if (w->n < MSG_WAKE_BATCH) {
		get_task_struct(task);
		w->task[w->n++] = task;
	} else {
		wake_up_process(task);
	}
}

/* After unlocking: wake everyone msg_wake_add() collected. */
static void msg_wake_flush(struct msg_wake *w)
{
	unsigned int i;

	for (i = 0; i < w->n; i++) {
		wake_up_process(w->task[i]);
		put_task_struct(w->task[i]);
	}
	w->n = 0;
}

/* After unlocking, the queue still alive: tell its pollers. */
static void msg_poll_flush(struct sysvipc_obj *obj, struct msg_wake *w)
{
	if (w->poll) {
		sysvipc_poll_wake(obj, w->poll);
		w->poll = 0;
	}
}

/* The kernel caps a message by an int-sized sysctl; so do we. */
static size_t msg_max(void)
{
	return min_t(unsigned int, sysvipc_msgmax(), INT_MAX);
}

static void msg_free(struct sysvipc_msg *msg)
{
	struct sysvipc_msgseg *seg = msg->next, *next;

	kfree(msg);
	for (; seg; seg = next) {
		next = seg->next;
		kfree(seg);
		cond_resched();
	}
}

void msg_put(struct sysvipc_msg *msg)
{
	if (refcount_dec_and_test(&msg->refs))
		msg_free(msg);
}

/* Frees a list of messages that no queue lists any more; no lock held. */
static void msg_put_list(struct list_head *head)
{
	struct sysvipc_msg *msg, *tmp;

	list_for_each_entry_safe(msg, tmp, head, list) {
		list_del(&msg->list);
		msg_put(msg);
		cond_resched();
	}
}

/*
 * msg_put_list() for a batch read's messages: the single-block ones whose
 * last reference this is are freed with kfree_bulk(), 32 at a time.  No
 * lock held.
 */
static void msg_put_batch(struct list_head *head)
{
	struct sysvipc_msg *msg, *tmp;
	void *bulk[32];
	size_t n = 0;

	list_for_each_entry_safe(msg, tmp, head, list) {
		list_del(&msg->list);
		if (msg->next) {
			msg_put(msg);
			continue;
		}
		if (!refcount_dec_and_test(&msg->refs))
			continue;
		bulk[n++] = msg;
		if (n == ARRAY_SIZE(bulk)) {
			kfree_bulk(n, bulk);
			n = 0;
			cond_resched();
		}
	}
	if (n)
		kfree_bulk(n, bulk);
}

/* @n bytes from @from if set (an object fd's write), else from @src. */
static bool msg_copy_in(void *dst, const char __user *src,
			struct iov_iter *from, size_t n)
{
	if (from)
		return copy_from_iter(dst, n, from) == n;
	return !copy_from_user(dst, src, n);
}

/* How many blocks hold @size bytes of text. */
static size_t msg_blocks(size_t size)
{
	if (size <= MSG_HEAD_TEXT)
		return 1;
	return 1 + DIV_ROUND_UP(size - MSG_HEAD_TEXT, MSG_SEG_TEXT);
}

/* The blocks for @size bytes of text, unfilled.  No lock held. */
static struct sysvipc_msg *msg_alloc(size_t size)
{
	struct sysvipc_msgseg **link, *seg;
	struct sysvipc_msg *msg;
	size_t n, left;

	n = min(size, MSG_HEAD_TEXT);
	msg = kmalloc(sizeof(*msg) + n, GFP_KERNEL_ACCOUNT);
	if (!msg)
		return NULL;
	msg->room = size;
	msg->owner = current->mm;
	msg->next = NULL;
	link = &msg->next;
	for (left = size - n; left; left -= n) {
		n = min(left, MSG_SEG_TEXT);
		cond_resched();
		seg = kmalloc(sizeof(*seg) + n, GFP_KERNEL_ACCOUNT);
		if (!seg) {
			msg_free(msg);
			return NULL;
		}
		seg->next = NULL;
		*link = seg;
		link = &seg->next;
	}
	return msg;
}

/*
 * Fill @msg, which has room for @size bytes, from @src, or from @from when
 * it is set; frees it on a fault.  No lock held: this sleeps.
 */
static struct sysvipc_msg *msg_fill_text(struct sysvipc_msg *msg,
					 long type, const char __user *src,
					 struct iov_iter *from, size_t size)
{
	struct sysvipc_msgseg *seg = msg->next;
	size_t n, left;

	refcount_set(&msg->refs, 1);
	msg->size = size;
	msg->type = type;
	n = min(size, MSG_HEAD_TEXT);
	if (!msg_copy_in(msg->text, src, from, n))
		goto fault;
	for (left = size - n; left; left -= n, seg = seg->next) {
		src += n;
		n = min(left, MSG_SEG_TEXT);
		cond_resched();
		if (!msg_copy_in(seg->text, src, from, n))
			goto fault;
	}
	return msg;

fault:
	msg_free(msg);
	return ERR_PTR(-EFAULT);
}

/*
 * Like the kernel, a send allocates the whole message, then copies the
 * text in, before it looks at the queue.  @size is at most msg_max().
 */
static struct sysvipc_msg *msg_load(long type, const char __user *src,
				    struct iov_iter *from, size_t size)
{
	struct sysvipc_msg *msg = msg_alloc(size);

	if (!msg)
		return ERR_PTR(-ENOMEM);
	return msg_fill_text(msg, type, src, from, size);
}

/*
 * Spare blocks.  A stream of large messages spends most of its time in
 * kmalloc() and kfree() (three blocks each way for 8 KiB, each zeroed
 * first where init_on_alloc is on, as on Debian), so a queue keeps the
 * blocks of the last MSG_SPARES messages a receive freed, and a send
 * reuses them when they have the right shape: as many blocks as the new
 * message needs, enough room, and allocated by the same process (so the
 * memory stays charged to the memory cgroup that would pay for a new
 * message).  The spares of a queue hold at most msg_qbytes bytes of text,
 * so it never pins more than twice what the kernel's would; they are freed
 * with the queue.
 */
static struct sysvipc_msg *msg_spare_take(struct sysvipc_msq *msq)
{
	struct sysvipc_msg *msg;
	int i;

	for (i = 0; i < MSG_SPARES; i++) {
		if (READ_ONCE(msq->spare[i])) {
			msg = xchg(&msq->spare[i], NULL);
			if (msg)
				return msg;
		}
	}
	return NULL;
}

/* Whether @msg's blocks fit a new message of @size bytes from us. */
static bool msg_spare_fits(const struct sysvipc_msg *msg, size_t size)
{
	return msg->owner == current->mm && size <= msg->room &&
	       msg_blocks(size) == msg_blocks(msg->room);
}

/* A send's message: the spare's blocks (already taken) or new ones. */
static struct sysvipc_msg *msg_load_spare(struct sysvipc_msg *spare,
					  long type, const char __user *src,
					  struct iov_iter *from, size_t size)
{
	if (spare && msg_spare_fits(spare, size))
		return msg_fill_text(spare, type, src, from, size);
	if (spare)
		msg_free(spare);
	return msg_load(type, src, from, size);
}

/*
 * Keep @msg, whose last reference the caller dropped, as one of @obj's
 * spares if a slot is free and the spares stay within msg_qbytes.  Returns
 * the blocks it did not keep, for msg_free() (which sleeps: not under RCU).
 */
static struct sysvipc_msg *msg_keep_spare(struct sysvipc_obj *obj,
					  struct sysvipc_msg *msg)
{
	struct sysvipc_msq *msq = to_msq(obj);
	unsigned long bytes = msg->room;
	int i, free = -1;

	if (!msg->owner)
		return msg;
	spin_lock(&obj->lock);
	/* Senders take spares without the lock: no spare is dereferenced. */
	for (i = 0; i < MSG_SPARES; i++) {
		if (READ_ONCE(msq->spare[i]))
			bytes += msq->spare_room[i];
		else
			free = i;
	}
	if (free >= 0 && bytes <= msq->qbytes && !obj->deleted) {
		msq->spare_room[free] = msg->room;
		WRITE_ONCE(msq->spare[free], msg);
		msg = NULL;
	}
	spin_unlock(&obj->lock);
	return msg;
}

/*
 * Store mtype and the first @size bytes of text at the user's msgbuf;
 * returns the byte count.  No lock held.  On EFAULT the message is lost,
 * as with the kernel (it has left the queue already).
 */
static long msg_store(char __user *dst, const struct sysvipc_msg *msg,
		      size_t size)
{
	const struct sysvipc_msgseg *seg = msg->next;
	size_t n, left;

	if (put_user(msg->type, (long __user *)dst))
		return -EFAULT;
	dst += sizeof(long);
	n = min(size, MSG_HEAD_TEXT);
	if (copy_to_user(dst, msg->text, n))
		return -EFAULT;
	for (left = size - n; left; left -= n, seg = seg->next) {
		dst += n;
		n = min(left, MSG_SEG_TEXT);
		cond_resched();
		if (copy_to_user(dst, seg->text, n))
			return -EFAULT;
	}
	return size;
}

/* The first @size bytes of @msg's text into @to, no lock held. */
static long msg_store_text_iter(struct iov_iter *to,
				const struct sysvipc_msg *msg, size_t size)
{
	const struct sysvipc_msgseg *seg = msg->next;
	size_t n, left;

	n = min(size, MSG_HEAD_TEXT);
	if (copy_to_iter(msg->text, n, to) != n)
		return -EFAULT;
	for (left = size - n; left; left -= n, seg = seg->next) {
		n = min(left, MSG_SEG_TEXT);
		cond_resched();
		if (copy_to_iter(seg->text, n, to) != n)
			return -EFAULT;
	}
	return size;
}

/* msg_store() for an object fd's read: into @to, no lock held. */
static long msg_store_iter(struct iov_iter *to, const struct sysvipc_msg *msg,
			   size_t size)
{
	long type = msg->type;

	if (copy_to_iter(&type, sizeof(type), to) != sizeof(type))
		return -EFAULT;
	return msg_store_text_iter(to, msg, size);
}

/*
 * MSG_COPY: the kernel first reads the caller's buffer into a scratch
 * message (that is its copy destination), so an unreadable buffer fails
 * with EFAULT before anything else is looked at.  We copy out of the queued
 * message itself and need no scratch buffer, but read the same bytes to
 * fail the same way.
 */
static int msg_probe_user(const char __user *src, size_t len)
{
	char buf[256];
	size_t n;

	for (; len; len -= n) {
		n = min(len, sizeof(buf));
		if (copy_from_user(buf, src, n))
			return -EFAULT;
		src += n;
		if (len > n)
			cond_resched();
	}
	return 0;
}

/* The pid stamps: keep a reference on the latest one. */
static void msg_set_pid(struct pid **slot, struct pid *pid)
{
	if (*slot != pid) {
		put_pid(*slot);
		*slot = get_pid(pid);
	}
}

/* msg_lrpid: a receive through the module. */
static void msg_set_lrpid(struct sysvipc_msq *msq, struct pid *pid)
{
	msg_set_pid(&msq->lrpid, pid);
	msq->lrpid_user = 0;
}

static bool msg_match(const struct sysvipc_msg *msg, long type,
		      enum msg_mode mode)
{
	switch (mode) {
	case MSG_ANY:
	case MSG_NUMBER:
		return true;
	case MSG_EQUAL:
		return msg->type == type;
	case MSG_NOTEQUAL:
		return msg->type != type;
	case MSG_LESSEQUAL:
		return msg->type <= type;
	}
	return false;
}

/*
 * The message a receive with (@type, @mode) takes, or ERR_PTR(-EAGAIN).
 * MSG_LESSEQUAL wants the lowest type, the oldest among equals; type 1
 * cannot be beaten, so it ends the scan.  MSG_NUMBER counts positions.
 * Queue lock held.
 */
static struct sysvipc_msg *msg_find(struct sysvipc_msq *msq, long type,
				    enum msg_mode mode)
{
	struct sysvipc_msg *msg, *best = NULL;
	long pos = 0;

	list_for_each_entry(msg, &msq->messages, list) {
		switch (mode) {
		case MSG_NUMBER:
			if (pos++ == type)
				return msg;
			break;
		case MSG_LESSEQUAL:
			if (msg->type > type)
				break;
			if (msg->type == 1)
				return msg;
			best = msg;
			type = msg->type - 1;
			break;
		default:
			if (msg_match(msg, type, mode))
				return msg;
			break;
		}
	}
	return best ?: ERR_PTR(-EAGAIN);
}

/* The kernel's message-count limit rides on msg_qbytes too. */
static bool msg_fits(const struct sysvipc_msq *msq, size_t size)
{
	return size + msq->cbytes <= msq->qbytes &&
	       1 + msq->qnum <= msq->qbytes;
}

/*
 * Wake the sleeping senders whose message now fits, in FIFO order, like
 * the kernel's ss_wakeup(): a sender that still does not fit moves to the
 * tail, and the walk stops when it meets the first such sender again.
 * Woken senders stay linked until they run.  Queue lock held.
 */
static void msg_wake_senders(struct sysvipc_msq *msq, struct msg_wake *w)
{
	struct msg_sender *mss, *tmp;
	struct task_struct *first_skipped = NULL;

	list_for_each_entry_safe(mss, tmp, &msq->senders, list) {
		if (mss->task == first_skipped)
			break;
		if (!msg_fits(msq, mss->size)) {
			if (!first_skipped)
				first_skipped = mss->task;
			list_move_tail(&mss->list, &msq->senders);
			continue;
		}
		msg_wake_add(w, mss->task);
	}
}

/* Give a receiver its result; see struct msg_receiver.  Lock held. */
static void msg_receiver_done(struct msg_receiver *msr,
			      struct sysvipc_msg *result, struct msg_wake *w)
{
	list_del(&msr->list);
	msg_wake_add(w, msr->task);
	/* Pairs with smp_load_acquire() in msg_do_receive(). */
	smp_store_release(&msr->msg, result);
}

/*
 * The queue goes away: every receiver gets EIDRM, every sender is woken
 * and sees perm.deleted.  The lists are reset; no sleeper touches them
 * once deleted is set.  Queue lock held.
 */
static void msg_wake_all_removed(struct sysvipc_msq *msq, struct msg_wake *w)
{
	struct msg_receiver *msr, *rtmp;
	struct msg_sender *mss;

	list_for_each_entry_safe(msr, rtmp, &msq->receivers, list)
		msg_receiver_done(msr, ERR_PTR(-EIDRM), w);
	list_for_each_entry(mss, &msq->senders, list)
		msg_wake_add(w, mss->task);
	INIT_LIST_HEAD(&msq->senders);
}

/*
 * Direct hand-off, the kernel's pipelined_send(): the first sleeping
 * receiver (FIFO) whose selection matches takes @msg.  Matching receivers
 * whose buffer is too small are woken with E2BIG on the way.  The stamps
 * follow the kernel, including its use of the receiving thread's pid (not
 * the process's) for msg_lrpid.  Queue lock held.
 */
static bool msg_hand_off(struct sysvipc_msq *msq, struct sysvipc_msg *msg,
			 struct msg_wake *w)
{
	struct msg_receiver *msr, *tmp;

	list_for_each_entry_safe(msr, tmp, &msq->receivers, list) {
		if (!msg_match(msg, msr->type, msr->mode))
			continue;
		if ((size_t)msr->maxsize < msg->size) {
			msg_receiver_done(msr, ERR_PTR(-E2BIG), w);
			continue;
		}
		msg_set_lrpid(msq, task_pid(msr->task));
		msq->rtime = ktime_get_real_seconds();
		msg_receiver_done(msr, msg, w);
		return true;
	}
	return false;
}

static void msg_release(struct sysvipc_obj *obj)
{
	struct sysvipc_msq *msq = to_msq(obj);
	struct sysvipc_msg *spare;
	int i;

	/* Only module unload gets here with messages still queued. */
	msg_ring_free(msq);
	for (i = 0; i < MSG_SPARES; i++) {
		spare = xchg(&msq->spare[i], NULL);	/* a sender may race us */
		if (spare)
			msg_free(spare);
	}
	msg_put_list(&msq->messages);
	put_pid(msq->lspid);
	put_pid(msq->lrpid);
	kfree_rcu(msq, perm.rcu);
}

static int msg_create(struct sysvipc_ids *ids, key_t key, int flg, u64 size,
		      void *priv)
{
	struct sysvipc_msq *msq;
	int id;

	msq = kzalloc(sizeof(*msq), GFP_KERNEL_ACCOUNT);
	if (!msq)
		return -ENOMEM;
	msq->ctime = ktime_get_real_seconds();
	msq->qbytes = sysvipc_msgmnb();
	INIT_LIST_HEAD(&msq->messages);
	INIT_LIST_HEAD(&msq->receivers);
	INIT_LIST_HEAD(&msq->senders);
	id = sysvipc_ids_add(ids, &msq->perm, key, flg, sysvipc_msgmni());
	if (id < 0) {
		kfree(msq);
		return id;
	}
	/* Listed, but not removable before we drop ids->rwsem. */
	spin_lock(&msq->perm.lock);
	msg_status_update(msq);
	spin_unlock(&msq->perm.lock);
	return id;
}

static const struct sysvipc_get_ops msg_get_ops = {
	.create = msg_create,
};

long sysvipc_msgget(const void __user *argp)
{
	struct sysvipc_get g;
	int err;

	err = sysvipc_copy_get(&g, argp);
	if (err)
		return err;
	/* Only shmget takes a backing file. */
	if (g.get_flags & ~SYSVIPC_GET_AT_ID)
		return -EINVAL;
	if (g.size)
		return -EINVAL;
	return sysvipc_ids_get(&msg_ids, g.key, g.flags, 0, &msg_get_ops, NULL,
			       sysvipc_get_at_id(&g));
}

/*
 * Queue @msg (or hand it to a receiver), sleeping while it does not fit
 * unless @flg has IPC_NOWAIT.  Called in an RCU read section that keeps
 * @obj alive, which it ends; consumes @msg.  @perm: check the caller's
 * write permission (msgsnd), not done for an object fd's write.
 */
static long msg_send(struct sysvipc_obj *obj, struct sysvipc_msg *msg,
		     int flg, bool perm)
	__releases(RCU)
{
	struct sysvipc_msq *msq = to_msq(obj);
	size_t size = msg->size;
	struct msg_sender mss;
	struct msg_wake w = { };
	bool ref = false;
	long err;

	spin_lock(&obj->lock);
	for (;;) {
		err = -EACCES;
		if (perm && !sysvipc_may(obj, 0222))
			break;
		err = -EIDRM;
		if (obj->deleted)
			break;
		err = 0;
		msg_ring_reap(msq);
		if (msg_fits(msq, size))
			break;
		err = -EAGAIN;
		if (flg & IPC_NOWAIT)
			break;
		/* A receive from the ring would not wake us. */
		msg_ring_absorb(msq);

		/*
		 * Sleep until a receive or IPC_SET makes room.  The queue is
		 * listed, so the registry's reference keeps refs above zero.
		 */
		if (!ref) {
			sysvipc_obj_get(obj);
			ref = true;
		}
		mss.task = current;
		mss.size = size;
		list_add_tail(&mss.list, &msq->senders);
		__set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock(&obj->lock);
		rcu_read_unlock();
		schedule();
		rcu_read_lock();
		spin_lock(&obj->lock);

		err = -EIDRM;
		if (obj->deleted)	/* our record is on a dead list */
			break;
		list_del(&mss.list);
		/* Like the kernel: EINTR for a handler, else a restart. */
		err = -ERESTARTNOHAND;
		if (signal_pending(current))
			break;
	}
	if (!err) {
		msg_set_pid(&msq->lspid, task_tgid(current));
		msq->lspid_user = 0;
		msq->stime = ktime_get_real_seconds();
		if (!msg_hand_off(msq, msg, &w)) {
			if (!msg_ring_put(msq, msg))
				list_add_tail(&msg->list, &msq->messages);
			msq->cbytes += size;
			msq->qnum++;
			msg_status_update(msq);
			w.poll |= EPOLLIN | EPOLLRDNORM;
		}
		msg = NULL;
	}
	spin_unlock(&obj->lock);
	msg_poll_flush(obj, &w);
	rcu_read_unlock();
	msg_wake_flush(&w);
	if (ref)
		sysvipc_obj_put(obj);
	if (msg)
		msg_put(msg);
	return err;
}

static long msg_do_send(int id, long type, const char __user *text,
			u64 size, int flg)
{
	struct sysvipc_msg *msg, *spare;
	struct sysvipc_obj *obj;

	if (size > msg_max() || (s64)size < 0 || id < 0)
		return -EINVAL;
	if (type < 1)
		return -EINVAL;
	/* A first look for the queue's spare; the send looks it up again. */
	rcu_read_lock();
	obj = sysvipc_obtain(&msg_ids, id);
	spare = IS_ERR(obj) ? NULL : msg_spare_take(to_msq(obj));
	rcu_read_unlock();
	msg = msg_load_spare(spare, type, text, NULL, size);
	if (IS_ERR(msg))
		return PTR_ERR(msg);

	rcu_read_lock();
	obj = sysvipc_obtain(&msg_ids, id);
	if (IS_ERR(obj)) {
		rcu_read_unlock();
		msg_put(msg);
		return PTR_ERR(obj);
	}
	return msg_send(obj, msg, flg, true);
}

/* One copy of the argument, then the kernel's ksys_msgsnd() order. */
long sysvipc_msgsnd(const void __user *argp)
{
	struct sysvipc_msgsnd a;
	char __user *msgp;
	long type;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.reserved[0] || a.reserved[1])
		return -EINVAL;
	msgp = u64_to_user_ptr(a.msgp);
	if (get_user(type, (long __user *)msgp))
		return -EFAULT;
	return msg_do_send(a.id, type, msgp + sizeof(long), a.msgsz, a.flags);
}

static enum msg_mode msg_mode_of(long *type, int flg)
{
	if (flg & MSG_COPY)
		return MSG_NUMBER;
	if (*type == 0)
		return MSG_ANY;
	if (*type < 0) {
		/* -LONG_MIN does not exist; LONG_MAX selects the same. */
		*type = *type == LONG_MIN ? LONG_MAX : -*type;
		return MSG_LESSEQUAL;
	}
	return flg & MSG_EXCEPT ? MSG_NOTEQUAL : MSG_EQUAL;
}

/*
 * Take the selected message off the queue (or, for MSG_COPY, a reference
 * on it).  Returns the message, ERR_PTR(-EAGAIN) when none matches, or
 * another error.  Queue lock held.
 */
static struct sysvipc_msg *msg_take(struct sysvipc_msq *msq, long type,
				    enum msg_mode mode, u64 bufsz,
				    size_t copy_max, int flg,
				    struct msg_wake *w)
{
	struct sysvipc_msg *msg;

	msg = msg_find(msq, type, mode);
	if (IS_ERR(msg))
		return msg;
	if (bufsz < msg->size && !(flg & MSG_NOERROR))
		return ERR_PTR(-E2BIG);	/* the message stays */
	if (flg & MSG_COPY) {
		/* The kernel's copy_msg() into its min(bufsz, msgmax) scratch. */
		if (msg->size > copy_max)
			return ERR_PTR(-EINVAL);
		refcount_inc(&msg->refs);
		return msg;
	}
	list_del(&msg->list);
	msq->qnum--;
	msq->cbytes -= msg->size;
	msg_status_update(msq);
	msq->rtime = ktime_get_real_seconds();
	msg_set_lrpid(msq, task_tgid(current));
	msg_wake_senders(msq, w);
	w->poll |= EPOLLOUT | EPOLLWRNORM;
	return msg;
}

/*
 * The message a receive selects, waiting for one unless @flg has
 * IPC_NOWAIT; the caller owns it.  Called in an RCU read section that
 * keeps @obj alive, which it ends.  @perm: check the caller's read
 * permission (msgrcv), not done for an object fd's read.
 */
static struct sysvipc_msg *msg_receive(struct sysvipc_obj *obj, u64 bufsz,
				       long type, enum msg_mode mode, int flg,
				       size_t copy_max, bool perm)
	__releases(RCU)
{
	struct sysvipc_msq *msq = to_msq(obj);
	struct sysvipc_msg *msg;
	struct msg_receiver msr;
	struct msg_wake w = { };
	bool ref = false;

	spin_lock(&obj->lock);
	for (;;) {
		msg = ERR_PTR(-EACCES);
		if (perm && !sysvipc_may(obj, 0444))
			break;
		msg = ERR_PTR(-EIDRM);
		if (obj->deleted)
			break;
		msg_ring_absorb(msq);
		msg = msg_take(msq, type, mode, bufsz, copy_max, flg, &w);
		if (msg != ERR_PTR(-EAGAIN))
			break;
		msg = ERR_PTR(-ENOMSG);
		if (flg & IPC_NOWAIT)
			break;

		/* Sleep until a sender hands us a message; see msg_hand_off(). */
		if (!ref) {
			sysvipc_obj_get(obj);
			ref = true;
		}
		msr.task = current;
		msr.mode = mode;
		msr.type = type;
		msr.maxsize = flg & MSG_NOERROR ? INT_MAX : (long)bufsz;
		msr.msg = ERR_PTR(-EAGAIN);
		list_add_tail(&msr.list, &msq->receivers);
		__set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock(&obj->lock);
		rcu_read_unlock();
		schedule();

		/* Pairs with smp_store_release() in msg_receiver_done(). */
		msg = smp_load_acquire(&msr.msg);
		if (msg != ERR_PTR(-EAGAIN))
			goto unlocked;

		rcu_read_lock();
		spin_lock(&obj->lock);
		msg = msr.msg;
		if (msg != ERR_PTR(-EAGAIN))
			break;
		/* A signal, a spurious wake-up, or IPC_SET: unlink, retry. */
		list_del(&msr.list);
		msg = ERR_PTR(-ERESTARTNOHAND);
		if (signal_pending(current))
			break;
	}
	spin_unlock(&obj->lock);
	msg_poll_flush(obj, &w);
	rcu_read_unlock();
unlocked:
	msg_wake_flush(&w);
	if (ref)
		sysvipc_obj_put(obj);
	return msg;
}

static long msg_do_receive(int id, char __user *msgp, u64 bufsz, long type,
			   int flg)
{
	struct sysvipc_msg *msg;
	struct sysvipc_obj *obj;
	enum msg_mode mode;
	size_t copy_max = 0;
	long ret;

	if (id < 0 || (s64)bufsz < 0)
		return -EINVAL;
	if (flg & MSG_COPY) {
		if ((flg & MSG_EXCEPT) || !(flg & IPC_NOWAIT))
			return -EINVAL;
		copy_max = min_t(u64, bufsz, msg_max());
		ret = msg_probe_user(msgp, copy_max);
		if (ret)
			return ret;
	}
	mode = msg_mode_of(&type, flg);

	rcu_read_lock();
	obj = sysvipc_obtain(&msg_ids, id);
	if (IS_ERR(obj)) {
		rcu_read_unlock();
		return PTR_ERR(obj);
	}
	msg = msg_receive(obj, bufsz, type, mode, flg, copy_max, true);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	ret = msg_store(msgp, msg, min_t(u64, bufsz, msg->size));

	if (!refcount_dec_and_test(&msg->refs))
		return ret;
	/* The queue may be gone (or its id reused): look again. */
	rcu_read_lock();
	obj = sysvipc_obtain(&msg_ids, id);
	if (!IS_ERR(obj))
		msg = msg_keep_spare(obj, msg);
	rcu_read_unlock();
	if (msg)
		msg_free(msg);
	return ret;
}

long sysvipc_msgrcv(const void __user *argp)
{
	struct sysvipc_msgrcv a;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.reserved[0] || a.reserved[1])
		return -EINVAL;
	return msg_do_receive(a.id, u64_to_user_ptr(a.msgp), a.msgsz,
			      a.msgtyp, a.flags);
}

/*
 * What IPC_SET and IPC_RMID do under the locks (sysvipc_down() holds the
 * registry rwsem and the queue's lock around the callbacks), and what they
 * leave to do after unlocking.
 */
struct msg_down {
	struct msqid64_ds ds;
	struct msg_wake wake;
	struct list_head gone;	/* messages of a removed queue */
};

static long msg_rmid(struct sysvipc_obj *obj, void *arg)
{
	struct sysvipc_msq *msq = to_msq(obj);
	struct msg_down *d = arg;

	msg_ring_retire(msq, SYSVIPC_MSGRING_REMOVED);
	msg_wake_all_removed(msq, &d->wake);
	list_splice_init(&msq->messages, &d->gone);
	msq->qnum = 0;
	msq->cbytes = 0;
	sysvipc_ids_remove(obj->ids, obj);
	msg_status_update(msq);
	return 0;
}

static long msg_set(struct sysvipc_obj *obj, void *arg)
{
	struct sysvipc_msq *msq = to_msq(obj);
	struct msg_down *d = arg;
	struct msqid64_ds *ds = &d->ds;
	struct msg_receiver *msr;
	int err;

	/* Raising the queue size above msgmnb is a resource decision. */
	if (ds->msg_qbytes > sysvipc_msgmnb() && !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	err = sysvipc_update_perm(obj, &ds->msg_perm);
	if (err)
		return err;
	/* Mapped under the old permissions: map again under the new ones. */
	msg_ring_retire(msq, SYSVIPC_MSGRING_MOVED);
	msq->qbytes = ds->msg_qbytes;
	msq->ctime = ktime_get_real_seconds();
	msg_status_update(msq);
	/*
	 * Like the kernel: sleeping receivers re-check their permission (they
	 * stay linked and retry, see struct msg_receiver), and senders whose
	 * message fits a larger queue go ahead.
	 */
	list_for_each_entry(msr, &msq->receivers, list)
		msg_wake_add(&d->wake, msr->task);
	msg_wake_senders(msq, &d->wake);
	/*
	 * A new size may let a message fit.  Woken here, under the lock:
	 * after sysvipc_down() nothing keeps the queue alive.
	 */
	sysvipc_poll_wake(obj, EPOLLOUT | EPOLLWRNORM);
	return 0;
}

static void msg_fill(struct sysvipc_obj *obj, void *buf)
{
	struct sysvipc_msq *msq = to_msq(obj);
	struct msqid64_ds *ds = buf;

	msg_ring_reap(msq);
	sysvipc_fill_perm(obj, &ds->msg_perm);
	ds->msg_stime = msq->stime;
	ds->msg_rtime = msq->rtime;
	ds->msg_ctime = msq->ctime;
	ds->msg_cbytes = msq->cbytes;
	ds->msg_qnum = msq->qnum;
	ds->msg_qbytes = msq->qbytes;
	ds->msg_lspid = msq->lspid_user ?: pid_vnr(msq->lspid);
	ds->msg_lrpid = msq->lrpid_user ?: pid_vnr(msq->lrpid);
}

static long msg_ctl_down(int id, int cmd, void __user *buf)
{
	struct msg_down d;
	long ret;

	d.wake.n = 0;
	INIT_LIST_HEAD(&d.gone);
	if (cmd == IPC_RMID) {
		ret = sysvipc_down(&msg_ids, id, msg_rmid, &d);
	} else {
		if (copy_from_user(&d.ds, buf, sizeof(d.ds)))
			return -EFAULT;
		ret = sysvipc_down(&msg_ids, id, msg_set, &d);
	}
	msg_wake_flush(&d.wake);
	msg_put_list(&d.gone);
	return ret;
}

static long msg_ctl_obj(int id, int cmd, void __user *buf)
{
	struct msqid64_ds ds;
	long ret;

	switch (cmd) {
	case IPC_RMID:
	case IPC_SET:
		return msg_ctl_down(id, cmd, buf);
	default:
		memset(&ds, 0, sizeof(ds));
		ret = sysvipc_stat(&msg_ids, id, cmd, MSG_STAT_ANY, msg_fill, &ds);
		if (ret >= 0 && copy_to_user(buf, &ds, sizeof(ds)))
			ret = -EFAULT;
		return ret;
	}
}

static long msg_info(int cmd, void __user *buf)
{
	struct sysvipc_obj *obj;
	struct msginfo info;
	unsigned long idx;
	unsigned long hdrs = 0, bytes = 0;
	int ret;

	memset(&info, 0, sizeof(info));
	info.msgmni = sysvipc_msgmni();
	info.msgmax = sysvipc_msgmax();
	info.msgmnb = sysvipc_msgmnb();
	info.msgssz = SYSVIPC_MSGSSZ;
	info.msgseg = SYSVIPC_MSGSEG;
	down_read(&msg_ids.rwsem);
	if (cmd == MSG_INFO) {
		info.msgpool = msg_ids.in_use;
		xa_for_each(&msg_ids.objs, idx, obj) {
			spin_lock(&obj->lock);
			msg_ring_reap(to_msq(obj));
			hdrs += to_msq(obj)->qnum;
			bytes += to_msq(obj)->cbytes;
			spin_unlock(&obj->lock);
		}
		info.msgmap = min_t(unsigned long, hdrs, INT_MAX);
		info.msgtql = min_t(unsigned long, bytes, INT_MAX);
	} else {
		info.msgmap = MSGMAP;
		info.msgpool = MSGPOOL;
		info.msgtql = MSGTQL;
	}
	ret = max(sysvipc_ids_maxidx(&msg_ids), 0);
	up_read(&msg_ids.rwsem);
	return copy_to_user(buf, &info, sizeof(info)) ? -EFAULT : ret;
}

long sysvipc_msgctl(const void __user *argp)
{
	struct sysvipc_ctl c;
	void __user *buf;
	int err;

	err = sysvipc_copy_ctl(&c, argp);
	if (err)
		return err;
	if (c.semnum)
		return -EINVAL;
	if (c.cmd < 0 || c.id < 0)
		return -EINVAL;
	buf = u64_to_user_ptr(c.arg);

	switch (c.cmd) {
	case IPC_INFO:
	case MSG_INFO:
		return msg_info(c.cmd, buf);
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY:
	case IPC_SET:
	case IPC_RMID:
		return msg_ctl_obj(c.id, c.cmd, buf);
	default:
		return -EINVAL;
	}
}

/* ---- the status region, SYSVIPC_IOC_MSGSTATUS ---- */

static_assert(SYSVIPC_MSG_SLOTS == SYSVIPC_IDX_MAX);

/* The region, allocated and filled in on first use. */
static struct sysvipc_msg_slot *msg_status_get(void)
{
	struct sysvipc_msg_slot *st;
	struct sysvipc_obj *obj;
	unsigned long idx;
	unsigned int i;

	/* Pairs with smp_store_release() below. */
	st = smp_load_acquire(&msg_status);
	if (st)
		return st;
	mutex_lock(&msg_status_mutex);
	st = msg_status;
	if (st)
		goto out;
	st = vmalloc_user(MSG_STATUS_SIZE);
	if (!st)
		goto out;
	for (i = 0; i < SYSVIPC_MSG_SLOTS; i++)
		st[i].id = -1;
	down_read(&msg_ids.rwsem);
	/* Pairs with smp_load_acquire() in msg_status_update() and above. */
	smp_store_release(&msg_status, st);
	xa_for_each(&msg_ids.objs, idx, obj) {
		spin_lock(&obj->lock);
		msg_status_update(to_msq(obj));
		spin_unlock(&obj->lock);
		cond_resched();
	}
	up_read(&msg_ids.rwsem);
out:
	mutex_unlock(&msg_status_mutex);
	return st;
}

/*
 * mmap of /dev/sysvipc at SYSVIPC_MMAP_MSGSTATUS, from SYSVIPC_IOC_MSGSTATUS
 * or directly: the existing region, read-only for good.  Creating it takes
 * the registry lock, which must not nest inside mmap_lock: only the ioctl
 * creates it, before it maps.
 */
int sysvipc_msgstatus_mmap(struct vm_area_struct *vma)
{
	/* Pairs with smp_store_release() in msg_status_get(). */
	struct sysvipc_msg_slot *st = smp_load_acquire(&msg_status);

	if (!st)
		return -ENXIO;
	if (vma->vm_flags & VM_WRITE)
		return -EACCES;
	if (vma->vm_end - vma->vm_start != MSG_STATUS_SIZE)
		return -EINVAL;
	sysvipc_vma_clear_flags(vma, VM_MAYWRITE | VM_MAYEXEC);
	return remap_vmalloc_range(vma, st, 0);
}

long sysvipc_msgstatus(struct file *dev, void __user *argp)
{
	struct sysvipc_msgstatus a;
	unsigned long addr;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.addr || a.size || a.slots || a.slot_size || a.reserved[0] ||
	    a.reserved[1])
		return -EINVAL;
	/* An argument we cannot write back fails before anything is mapped. */
	if (copy_to_user(argp, &a, sizeof(a)))
		return -EFAULT;
	if (!msg_status_get())
		return -ENOMEM;
	/* The device file itself, so the mapping can be made again by offset. */
	addr = vm_mmap(dev, 0, MSG_STATUS_SIZE, PROT_READ, MAP_SHARED,
		       SYSVIPC_MMAP_MSGSTATUS << PAGE_SHIFT);
	if (IS_ERR_VALUE(addr))
		return (long)addr;
	a.addr = addr;
	a.size = MSG_STATUS_SIZE;
	a.slots = SYSVIPC_MSG_SLOTS;
	a.slot_size = sizeof(struct sysvipc_msg_slot);
	/*
	 * Another thread unmapped the argument meanwhile: the mapping stays,
	 * like an attach whose address the kernel's ipc(SHMAT) cannot store.
	 * Unmapping it could hit whatever that thread mapped there since.
	 */
	if (copy_to_user(argp, &a, sizeof(a)))
		return -EFAULT;
	return 0;
}

/* ---- object fds (kmod/objfd.c) ---- */

struct sysvipc_obj *sysvipc_msg_fd_obj(int id, int acc)
{
	return sysvipc_obtain_may(&msg_ids, id, acc);
}

/*
 * Whether a message that a read with (@type, @mode) would take is queued.
 * For an exclusive fd's reader, which then wakes the next (kmod/objfd.c).
 */
static bool msg_fd_more(struct sysvipc_obj *obj, long type,
			enum msg_mode mode)
{
	bool more;

	spin_lock(&obj->lock);
	msg_ring_absorb(to_msq(obj));
	more = !obj->deleted && !IS_ERR(msg_find(to_msq(obj), type, mode));
	spin_unlock(&obj->lock);
	return more;
}

/*
 * read() of a queue fd: one message into @to (mtype, then the text), as
 * msgrcv with the fd's (@type, @msgflg) would.  Returns the bytes stored.
 * The fd's reference keeps @obj alive.  @more, if set: tell whether a
 * message this read could select is still queued afterwards (E2BIG leaves
 * the one it found).
 */
ssize_t sysvipc_msg_fd_read(struct sysvipc_obj *obj, struct iov_iter *to,
			    long type, int msgflg, bool nowait, bool *more)
{
	u64 bufsz = iov_iter_count(to) - sizeof(long);
	struct sysvipc_msg *msg;
	enum msg_mode mode;
	long ret;

	if (nowait)
		msgflg |= IPC_NOWAIT;
	mode = msg_mode_of(&type, msgflg);
	rcu_read_lock();
	msg = msg_receive(obj, bufsz, type, mode, msgflg, 0, false);
	if (IS_ERR(msg)) {
		if (more)
			*more = msg == ERR_PTR(-E2BIG);
		return msg == ERR_PTR(-ENOMSG) ? -EAGAIN : PTR_ERR(msg);
	}
	if (more)
		*more = msg_fd_more(obj, type, mode);
	ret = msg_store_iter(to, msg, min_t(u64, bufsz, msg->size));
	if (refcount_dec_and_test(&msg->refs)) {
		msg = msg_keep_spare(obj, msg);
		if (msg)
			msg_free(msg);
	}
	return ret < 0 ? ret : ret + sizeof(long);
}

/*
 * A batch read's output: records are assembled in a page (@stage) and
 * copied out a page at a time, as one copy_to_iter() per page costs far
 * less than two or three per message; a record that does not fit in what
 * is left of the page is written straight to @to.  @pos is the count
 * written so far (staged or not).
 */
struct msg_batch_out {
	struct iov_iter *to;
	char *stage;		/* PAGE_SIZE bytes, or NULL: write directly */
	size_t staged;
	size_t pos;
};

static int msg_batch_flush(struct msg_batch_out *out)
{
	size_t n = out->staged;

	out->staged = 0;
	return copy_to_iter(out->stage, n, out->to) == n ? 0 : -EFAULT;
}

/* One record, @size text bytes of @msg, 8-byte aligned after the last. */
static int msg_store_rec(struct msg_batch_out *out,
			 const struct sysvipc_msg *msg, size_t size)
{
	struct sysvipc_msgrec rec = { .mtype = msg->type, .mtext_size = size };
	size_t pad = ALIGN(out->pos, 8) - out->pos;
	size_t len = pad + sizeof(rec) + size;
	bool stage = out->stage && len <= PAGE_SIZE && size <= MSG_HEAD_TEXT;
	char *p;

	out->pos += len;
	/* What is staged goes first, whichever way this record goes. */
	if (out->staged && (!stage || out->staged + len > PAGE_SIZE) &&
	    msg_batch_flush(out))
		return -EFAULT;
	if (stage) {
		p = out->stage + out->staged;
		memset(p, 0, pad);
		memcpy(p + pad, &rec, sizeof(rec));
		memcpy(p + pad + sizeof(rec), msg->text, size);
		out->staged += len;
		return 0;
	}
	if (pad && iov_iter_zero(pad, out->to) != pad)
		return -EFAULT;
	if (copy_to_iter(&rec, sizeof(rec), out->to) != sizeof(rec))
		return -EFAULT;
	return msg_store_text_iter(out->to, msg, size) < 0 ? -EFAULT : 0;
}

/*
 * read() of a SYSVIPC_OBJFD_MSG_BATCH queue fd: the first message as
 * sysvipc_msg_fd_read() takes it (waiting, E2BIG, MSG_NOERROR), then,
 * under one more hold of the lock, every further message the fd selects
 * whose whole record fits, up to SYSVIPC_MSG_BATCH_MAX; they are copied
 * out after unlocking (see struct msg_batch_out).  Like msgrcv, messages
 * taken are lost if the copy faults.  @more as for sysvipc_msg_fd_read().
 */
ssize_t sysvipc_msg_fd_read_batch(struct sysvipc_obj *obj,
				  struct iov_iter *to, long type, int msgflg,
				  bool nowait, bool *more)
{
	const size_t hdr = sizeof(struct sysvipc_msgrec);
	size_t count = iov_iter_count(to), off, first_size;
	struct sysvipc_msq *msq = to_msq(obj);
	struct msg_batch_out out = { .to = to };
	struct sysvipc_msg *first, *msg;
	struct msg_wake w = { };
	unsigned int n = 1;
	enum msg_mode mode;
	LIST_HEAD(batch);
	int err;

	if (nowait)
		msgflg |= IPC_NOWAIT;
	mode = msg_mode_of(&type, msgflg);
	rcu_read_lock();
	first = msg_receive(obj, count - hdr, type, mode, msgflg, 0, false);
	if (IS_ERR(first)) {
		if (more)
			*more = first == ERR_PTR(-E2BIG);
		return first == ERR_PTR(-ENOMSG) ? -EAGAIN : PTR_ERR(first);
	}
	first_size = min(count - hdr, first->size);
	off = SYSVIPC_MSGREC_NEXT(0, first_size);

	/*
	 * Only whole messages from here on (no MSG_NOERROR).  What
	 * msg_take() does per message is done once for the lot: the same
	 * state results, as no one sees the queue in between.
	 */
	spin_lock(&obj->lock);
	msg_ring_absorb(msq);
	while (!obj->deleted && n < SYSVIPC_MSG_BATCH_MAX &&
	       off + hdr <= count) {
		msg = msg_find(msq, type, mode);
		if (IS_ERR(msg) || msg->size > count - off - hdr)
			break;
		list_move_tail(&msg->list, &batch);
		msq->qnum--;
		msq->cbytes -= msg->size;
		off = SYSVIPC_MSGREC_NEXT(off, msg->size);
		n++;
	}
	if (n > 1) {
		msg_status_update(msq);
		msq->rtime = ktime_get_real_seconds();
		msg_set_lrpid(msq, task_tgid(current));
		msg_wake_senders(msq, &w);
		w.poll |= EPOLLOUT | EPOLLWRNORM;
	}
	if (more)
		*more = !obj->deleted && !IS_ERR(msg_find(msq, type, mode));
	spin_unlock(&obj->lock);
	/* The fd's reference keeps the queue alive. */
	msg_poll_flush(obj, &w);
	msg_wake_flush(&w);

	/* Without a page, records go out one by one: slower, still right. */
	out.stage = n > 1 ? kmalloc(PAGE_SIZE, GFP_KERNEL) : NULL;
	err = msg_store_rec(&out, first, first_size);
	msg_put(first);
	list_for_each_entry(msg, &batch, list) {
		if (err)
			break;
		err = msg_store_rec(&out, msg, msg->size);
	}
	if (!err && out.staged)
		err = msg_batch_flush(&out);
	kfree(out.stage);
	msg_put_batch(&batch);
	return err ?: out.pos;
}

/* write() of a queue fd: one message laid out as msgsnd's buffer. */
ssize_t sysvipc_msg_fd_write(struct sysvipc_obj *obj, struct iov_iter *from,
			     bool nowait)
{
	size_t count = iov_iter_count(from);
	struct sysvipc_msg *msg;
	long type, err;

	if (count < sizeof(long) || count - sizeof(long) > msg_max())
		return -EINVAL;
	if (copy_from_iter(&type, sizeof(type), from) != sizeof(type))
		return -EFAULT;
	if (type < 1)
		return -EINVAL;
	msg = msg_load_spare(msg_spare_take(to_msq(obj)), type, NULL, from,
			     count - sizeof(long));
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	rcu_read_lock();
	err = msg_send(obj, msg, nowait ? IPC_NOWAIT : 0, false);
	return err ?: count;
}

/*
 * poll() of a queue fd: POLLIN when a read would find a message, POLLOUT
 * when a message of @msgsz text bytes would fit; @want limits the work to
 * what the fd's access mode allows.
 */
__poll_t sysvipc_msg_fd_poll(struct sysvipc_obj *obj, long type, int msgflg,
			     u64 msgsz, __poll_t want)
{
	struct sysvipc_msq *msq = to_msq(obj);
	enum msg_mode mode = msg_mode_of(&type, msgflg);
	__poll_t mask = 0;

	spin_lock(&obj->lock);
	if (obj->deleted) {
		mask = EPOLLERR | EPOLLHUP;
	} else {
		/* A poller is queued now: sends keep off the ring. */
		msg_ring_absorb(msq);
		if ((want & EPOLLIN) && !IS_ERR(msg_find(msq, type, mode)))
			mask |= EPOLLIN | EPOLLRDNORM;
		if ((want & EPOLLOUT) && msg_fits(msq, msgsz))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	spin_unlock(&obj->lock);
	return mask;
}

int sysvipc_msg_init(void)
{
	sysvipc_ids_init(&msg_ids, msg_release);
	return 0;
}

/* Module unload: no task can be inside msgsnd/msgrcv (the file pins us). */
void sysvipc_msg_exit(void)
{
	sysvipc_ids_destroy(&msg_ids, NULL);
	/* No mapping is left: each one pins the module. */
	vfree(msg_status);
}

/* The status file /proc/driver/sysvipc/msg (kmod/proc.c). */
struct sysvipc_ids *sysvipc_msg_ids(void)
{
	return &msg_ids;
}

/* One line in the format of the kernel's sysvipc_msg_proc_show(). */
void sysvipc_msg_proc_show(struct seq_file *s, struct sysvipc_obj *obj,
			   struct pid_namespace *pid_ns)
{
	struct user_namespace *user_ns = seq_user_ns(s);
	struct sysvipc_msq *msq = to_msq(obj);

	spin_lock(&obj->lock);
	msg_ring_reap(msq);
	seq_printf(s, "%10d %10d  %4o  %10lu %10lu %5u %5u %5u %5u %5u %5u %10llu %10llu %10llu\n",
		   obj->key, obj->id, obj->mode, msq->cbytes, msq->qnum,
		   msq->lspid_user ?: pid_nr_ns(msq->lspid, pid_ns),
		   msq->lrpid_user ?: pid_nr_ns(msq->lrpid, pid_ns),
		   from_kuid_munged(user_ns, obj->uid),
		   from_kgid_munged(user_ns, obj->gid),
		   from_kuid_munged(user_ns, obj->cuid),
		   from_kgid_munged(user_ns, obj->cgid),
		   msq->stime, msq->rtime, msq->ctime);
	spin_unlock(&obj->lock);
}

/* SYSVIPC_IOC_RESTORE of a queue (kmod/cr.c). */
long sysvipc_msg_restore(int id, struct sysvipc_restore_k *k)
{
	struct sysvipc_obj *obj;
	struct sysvipc_msq *msq;
	long err = 0;

	down_write(&msg_ids.rwsem);
	obj = sysvipc_obtain(&msg_ids, id);
	if (IS_ERR(obj)) {
		up_write(&msg_ids.rwsem);
		return PTR_ERR(obj);
	}
	msq = to_msq(obj);
	spin_lock(&obj->lock);
	if (obj->deleted) {
		err = -EIDRM;
	} else {
		msg_ring_reap(msq);
		msq->lspid_user = 0;
		msq->lrpid_user = 0;
		sysvipc_restore_perm(obj, k);
		msq->stime = k->time[0];
		msq->rtime = k->time[1];
		msq->ctime = k->time[2];
		swap(msq->lspid, k->pid[0]);
		swap(msq->lrpid, k->pid[1]);
	}
	spin_unlock(&obj->lock);
	up_write(&msg_ids.rwsem);
	return err;
}
