// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: a message queue's receive ring (SYSVIPC_IOC_MSGRING).
 *
 * A queue that a process asked to map gets a page of slots that receivers
 * take messages from without a system call (the protocol is described in
 * uapi/linux/sysvipc.h).  Only the module fills slots, in msgsnd, and
 * only when the message may go to the back of an otherwise empty queue
 * that nobody waits on: so the ring holds the oldest messages, and a
 * receive from it owes no one a wake-up.  Every message in the ring is
 * still a struct sysvipc_msg here, counted in qnum and cbytes, until the
 * module notices that a receiver moved head past it (msg_ring_reap()).
 * Whatever else looks at messages first takes the ring back into the list
 * (msg_ring_absorb()), in one exchange of head, which makes every
 * receiver's compare-and-swap in flight fail.
 *
 * Locking: struct msg_ring belongs to the queue and is under its
 * perm.lock.  Of the page, head, rpid and rtime are user space's: read
 * once each (head also exchanged) and checked, never trusted.  The page
 * lives until the queue drops it (IPC_SET, IPC_RMID, the queue's end) and
 * the last mapping goes (see sysvipc_vma_page()).
 */
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/wait.h>

#include <linux/sysvipc.h>
#include "msg.h"

static bool msg_ring = true;
module_param(msg_ring, bool, 0644);
MODULE_PARM_DESC(msg_ring, "Let processes map message queues' receive rings (SYSVIPC_IOC_MSGRING)");

#define RING_SLOTS	SYSVIPC_MSGRING_SLOTS

struct msg_ring {
	struct page *page;
	struct sysvipc_msgring_page *up;	/* page_address(page) */
	u64 head;	/* positions before it were taken and freed here */
	u64 tail;	/* the next position to fill, as published */
	struct sysvipc_msg *msgs[RING_SLOTS];	/* positions [head, tail) */
};

/*
 * Receivers took positions [r->head, @h): drop those messages and stamp
 * the queue as they asked.  An @h the module did not hand out is ignored.
 * Returns whether anything was taken.
 */
static bool ring_taken(struct sysvipc_msq *msq, struct msg_ring *r, u64 h)
{
	struct sysvipc_msg **slot;
	time64_t now, t;
	s32 pid;

	if (h == r->head || h - r->head > r->tail - r->head)
		return false;
	for (; r->head != h; r->head++) {
		slot = &r->msgs[r->head % RING_SLOTS];
		msq->qnum--;
		msq->cbytes -= (*slot)->size;
		msg_put(*slot);		/* one block, the last reference */
		*slot = NULL;
	}
	now = ktime_get_real_seconds();
	t = READ_ONCE(r->up->rtime);
	msq->rtime = t > 0 && t <= now ? t : now;
	pid = READ_ONCE(r->up->rpid);
	msq->lrpid_user = pid > 0 && pid <= PID_MAX_LIMIT ? pid : 0;
	return true;
}

/* Account for what receivers took since the last look.  Lock held. */
void msg_ring_reap(struct sysvipc_msq *msq)
{
	struct msg_ring *r = msq->ring;

	if (r && r->head != r->tail &&
	    ring_taken(msq, r, READ_ONCE(r->up->head)))
		msg_status_update(msq);
}

/*
 * Take the ring back: what receivers have not taken goes to the front of
 * the list, where it belongs (it is older than all of it).  Lock held.
 */
void msg_ring_absorb(struct sysvipc_msq *msq)
{
	struct msg_ring *r = msq->ring;
	struct sysvipc_msg **slot;
	LIST_HEAD(older);

	if (!r || r->head == r->tail)
		return;
	/* From here on every receiver's compare-and-swap on head fails. */
	ring_taken(msq, r, xchg(&r->up->head, r->tail));
	for (; r->head != r->tail; r->head++) {
		slot = &r->msgs[r->head % RING_SLOTS];
		list_add_tail(&(*slot)->list, &older);
		*slot = NULL;
	}
	list_splice(&older, &msq->messages);
	msg_status_update(msq);
}

/*
 * msgsnd: put @msg, which fits the queue, in the ring if it may go there
 * (see the top of the file); the caller counts it.  Lock held, ring reaped.
 */
bool msg_ring_put(struct sysvipc_msq *msq, struct sysvipc_msg *msg)
{
	struct msg_ring *r = msq->ring;
	struct sysvipc_msgring_slot *slot;

	if (!r || msg->size > SYSVIPC_MSGRING_TEXT ||
	    r->tail - r->head >= RING_SLOTS ||
	    !list_empty(&msq->messages) || !list_empty(&msq->receivers) ||
	    !list_empty(&msq->senders))
		return false;
	/*
	 * A poller adds itself to poll_wq before it takes the lock and
	 * absorbs (sysvipc_msg_fd_poll()): one we miss here still sees
	 * this message, and sends after its absorb see it.
	 */
	if (waitqueue_active(&msq->perm.poll_wq))
		return false;
	slot = &r->up->slot[r->tail % RING_SLOTS];
	WRITE_ONCE(slot->mtype, msg->type);
	WRITE_ONCE(slot->size, msg->size);
	memcpy(slot->text, msg->text, msg->size);
	r->msgs[r->tail % RING_SLOTS] = msg;
	r->tail++;
	/* Pairs with the receivers' acquire load of tail. */
	smp_store_release(&r->up->tail, r->tail);
	return true;
}

/* The list's share of qnum, for receivers deciding whether to spin. */
void msg_ring_status(struct sysvipc_msq *msq)
{
	struct msg_ring *r = msq->ring;

	if (r)
		WRITE_ONCE(r->up->list_qnum, msq->qnum - (r->tail - r->head));
}

static void ring_drop(struct sysvipc_msq *msq)
{
	put_page(msq->ring->page);
	kfree(msq->ring);
	msq->ring = NULL;
}

/*
 * IPC_SET and IPC_RMID: take the ring back, zero its slots (a process that
 * loses its permission keeps the page mapped), mark it with @flag and
 * forget it.  Lock held.
 */
void msg_ring_retire(struct sysvipc_msq *msq, u32 flag)
{
	struct sysvipc_msgring_page *up;

	if (!msq->ring)
		return;
	msg_ring_absorb(msq);
	up = msq->ring->up;
	memset(up->slot, 0, sizeof(up->slot));
	WRITE_ONCE(up->list_qnum, 0);
	WRITE_ONCE(up->flags, READ_ONCE(up->flags) | flag);
	ring_drop(msq);
}

/* The queue's end: free what the ring still holds.  No lock needed. */
void msg_ring_free(struct sysvipc_msq *msq)
{
	struct msg_ring *r = msq->ring;

	if (!r)
		return;
	for (; r->head != r->tail; r->head++)
		msg_put(r->msgs[r->head % RING_SLOTS]);
	ring_drop(msq);
}

static struct msg_ring *ring_alloc(void)
{
	struct msg_ring *r;

	BUILD_BUG_ON(sizeof(struct sysvipc_msgring_page) != 4096);
	BUILD_BUG_ON(sizeof(struct sysvipc_msgring_page) > PAGE_SIZE);
	r = kzalloc(sizeof(*r), GFP_KERNEL_ACCOUNT);
	if (!r)
		return NULL;
	r->page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!r->page) {
		kfree(r);
		return NULL;
	}
	r->up = page_address(r->page);
	r->up->magic = SYSVIPC_MSGRING_MAGIC;
	r->up->version = SYSVIPC_MSGRING_VERSION;
	r->up->slots = RING_SLOTS;
	r->up->slot_text = SYSVIPC_MSGRING_TEXT;
	return r;
}

/*
 * Under the queue's lock: its ring page with a reference for a mapping,
 * after the checks, installing *@new (and clearing it) if it has none.
 * NULL with *@err 0 when a ring must be allocated first.
 */
static struct page *ring_map_page(struct sysvipc_msq *msq,
				  struct msg_ring **new, long *err)
{
	struct sysvipc_obj *obj = &msq->perm;

	*err = -EACCES;
	if (!sysvipc_may(obj, 0666))
		return NULL;
	*err = -EIDRM;
	if (obj->deleted)
		return NULL;
	*err = 0;
	if (!msq->ring) {
		if (!*new)
			return NULL;
		msq->ring = *new;
		*new = NULL;
		msq->ring->up->id = obj->id;
		msg_ring_status(msq);
	}
	get_page(msq->ring->page);
	return msq->ring->page;
}

/*
 * mmap of /dev/sysvipc at SYSVIPC_MMAP_MSGRING + @id, from
 * SYSVIPC_IOC_MSGRING or directly: one shared page, for a caller that may
 * both receive and send.  Called with mmap_lock held; allocates outside
 * the queue's lock.
 */
int sysvipc_msgring_mmap(struct vm_area_struct *vma, unsigned long id)
{
	struct msg_ring *new = NULL;
	struct sysvipc_obj *obj;
	struct page *page;
	long err;

	if (vma_pages(vma) != 1 || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (!READ_ONCE(msg_ring))
		return -EOPNOTSUPP;
	obj = sysvipc_obtain_ref(sysvipc_msg_ids(), id);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	for (;;) {
		spin_lock(&obj->lock);
		page = ring_map_page(to_msq(obj), &new, &err);
		spin_unlock(&obj->lock);
		if (page || err)
			break;
		new = ring_alloc();
		err = -ENOMEM;
		if (!new)
			break;
	}
	if (page)
		sysvipc_vma_page(vma, page);
	if (new) {
		__free_page(new->page);
		kfree(new);
	}
	sysvipc_obj_put(obj);
	return err;
}

long sysvipc_msgring(struct file *dev, void __user *argp)
{
	struct sysvipc_msgring m;
	unsigned long addr;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	if (m.id < 0 || m.pad || m.addr || m.reserved[0] || m.reserved[1])
		return -EINVAL;
	if (!READ_ONCE(msg_ring))
		return -EOPNOTSUPP;
	/* The device file itself, so the mapping can be made again by offset. */
	addr = vm_mmap(dev, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       (SYSVIPC_MMAP_MSGRING + m.id) << PAGE_SHIFT);
	if (IS_ERR_VALUE(addr))
		return (long)addr;
	m.addr = addr;
	if (copy_to_user(argp, &m, sizeof(m))) {
		vm_munmap(addr, PAGE_SIZE);
		return -EFAULT;
	}
	return 0;
}
