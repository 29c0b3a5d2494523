// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: a message queue's ring (SYSVIPC_IOC_MSGRING, _MSGLEASE).
 *
 * A queue that a process asked to map gets a page of slots that receivers
 * take messages from without a system call (the protocol is described in
 * uapi/linux/sysvipc.h).  The module fills slots in msgsnd, only when the
 * message may go to the back of an otherwise empty queue that nobody
 * waits on: so the ring holds the oldest messages, and a receive from it
 * owes no one a wake-up.  Every message the module put in the ring is
 * still a struct sysvipc_msg here, counted in qnum and cbytes, until the
 * module notices that a receiver moved head past it (msg_ring_reap()).
 * Whatever else looks at messages first takes the ring back into the list
 * (msg_ring_absorb()), in one exchange of head, which makes every
 * receiver's compare-and-swap in flight fail.
 *
 * Send lease (SYSVIPC_IOC_MSGLEASE): one process may fill the ring itself
 * while the module leaves it alone.  Its messages are not the module's
 * until the lease ends, which is the first thing any module call on the
 * queue does (ring_settle()): the lessee's compare-and-swap on tail is
 * made to fail, what it sent is counted and copied into messages set aside
 * when the lease was granted (the pool: no allocation under the lock), and
 * if the lessee may still be writing a slot (its busy word stays set, e.g.
 * it was stopped or killed halfway), the page is retired, so that no slot
 * it might still write is ever read again.
 *
 * Locking: struct msg_ring belongs to the queue and is under its
 * perm.lock.  Of the page, head, rpid and rtime are user space's, and so
 * are tail, busy, spid, stime and the slots while a lease is in force:
 * read once each and checked, never trusted.  The page lives until the
 * queue drops it (IPC_SET, IPC_RMID, a lessee stuck halfway, the queue's
 * end) and the last mapping goes (see sysvipc_vma_page()).
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
#define RING_POS	SYSVIPC_MSGRING_POS
#define RING_BUSY_WAIT	1000	/* pauses an ending lease waits for busy */

struct msg_ring {
	struct page *page;
	struct sysvipc_msgring_page *up;	/* page_address(page) */
	u64 head;	/* positions before it were taken and freed here */
	u64 tail;	/* the next position to fill, as last published */
	/*
	 * The module's messages in the ring, by slot, and their positions
	 * (in [head, tail)); a lessee's message has none until adopted.
	 */
	struct sysvipc_msg *msgs[RING_SLOTS];
	u64 msgpos[RING_SLOTS];
	u16 lease;		/* the send lease's generation, 0: none */
	u64 lease_start;	/* the lessee's positions start here */
	unsigned int npool;
	struct sysvipc_msg *pool[RING_SLOTS];	/* for the lessee's messages */
};

/* A possible pid from user space, or 0. */
static pid_t ring_pid(s32 pid)
{
	return pid > 0 && pid <= PID_MAX_LIMIT ? pid : 0;
}

/* A time from user space, clamped to the present. */
static time64_t ring_time(s64 t)
{
	time64_t now = ktime_get_real_seconds();

	return t > 0 && t <= now ? t : now;
}

/*
 * Receivers took positions [r->head, @h): drop those messages and stamp
 * the queue as they asked.  An @h the module did not hand out is ignored.
 * Returns whether anything was taken.
 */
static bool ring_taken(struct sysvipc_msq *msq, struct msg_ring *r, u64 h)
{
	struct sysvipc_msg **slot;
	unsigned int i;

	if (h == r->head || h - r->head > r->tail - r->head)
		return false;
	/* By slot: a lessee may have sent far more than a ring's worth. */
	for (i = 0; i < RING_SLOTS; i++) {
		slot = &r->msgs[i];
		if (!*slot || r->msgpos[i] - r->head >= h - r->head)
			continue;
		msq->qnum--;
		msq->cbytes -= (*slot)->size;
		msg_put(*slot);		/* one block, the last reference */
		*slot = NULL;
	}
	r->head = h;
	msq->rtime = ring_time(READ_ONCE(r->up->rtime));
	msq->lrpid_user = ring_pid(READ_ONCE(r->up->rpid));
	return true;
}

/*
 * The lessee's message at position @p, not yet taken, becomes the
 * module's: a pool message with the slot's contents, clamped.
 */
static void ring_adopt(struct sysvipc_msq *msq, struct msg_ring *r, u64 p)
{
	struct sysvipc_msgring_slot *slot = &r->up->slot[p % RING_SLOTS];
	struct sysvipc_msg *msg;

	if (WARN_ON_ONCE(!r->npool))
		return;
	msg = r->pool[--r->npool];
	refcount_set(&msg->refs, 1);
	msg->room = SYSVIPC_MSGRING_TEXT;
	msg->owner = NULL;	/* not a spare: allocated for the ring */
	msg->next = NULL;
	msg->type = max_t(long, READ_ONCE(slot->mtype), 1);
	msg->size = min_t(u32, READ_ONCE(slot->size), SYSVIPC_MSGRING_TEXT);
	memcpy(msg->text, slot->text, msg->size);
	r->msgs[p % RING_SLOTS] = msg;
	r->msgpos[p % RING_SLOTS] = p;
	msq->qnum++;
	msq->cbytes += msg->size;
}

/*
 * End the send lease: the lessee's compare-and-swap fails from now on,
 * what it sent counts as sent through the module.  Returns false if it
 * may still be writing a slot.  Lock held.
 */
static bool ring_revoke(struct sysvipc_msq *msq, struct msg_ring *r)
{
	struct sysvipc_msgring_page *up = r->up;
	unsigned int i;
	u64 w, old, t, h;
	bool idle;

	r->lease = 0;
	w = READ_ONCE(up->tail);
	while ((old = cmpxchg(&up->tail, w, w & RING_POS)) != w)
		w = old;
	/* The cmpxchg is a full barrier: see busy's rule in the uapi. */
	for (i = 0; READ_ONCE(up->busy) && i < RING_BUSY_WAIT; i++)
		cpu_relax();
	idle = !READ_ONCE(up->busy);
	t = w & RING_POS;
	h = READ_ONCE(up->head);
	/*
	 * The lessee moves tail only forward, and at most a ring's worth
	 * ahead of head; anything else is not its protocol: what it sent is
	 * dropped.
	 */
	if (t - r->tail > RING_POS / 2 || h - r->head > t - r->head ||
	    t - h > RING_SLOTS) {
		t = r->tail;
		WRITE_ONCE(up->tail, t);
	}
	if (t != r->lease_start) {
		msq->stime = ring_time(READ_ONCE(up->stime));
		msq->lspid_user = ring_pid(READ_ONCE(up->spid));
	}
	r->tail = t;
	/* What receivers took, then what is left of the lessee's. */
	ring_taken(msq, r, h);
	for (t = max(r->head, r->lease_start); t != r->tail; t++)
		ring_adopt(msq, r, t);
	msg_status_update(msq);
	return idle;
}

/*
 * Before the module uses the ring: end a lease; the ring, or NULL if
 * there is none (or it had to be retired).  Lock held.
 */
static struct msg_ring *ring_settle(struct sysvipc_msq *msq)
{
	struct msg_ring *r = msq->ring;

	if (r && r->lease && !ring_revoke(msq, r)) {
		msg_ring_retire(msq, SYSVIPC_MSGRING_MOVED);
		return NULL;
	}
	return r;
}

/* Account for what receivers took since the last look.  Lock held. */
void msg_ring_reap(struct sysvipc_msq *msq)
{
	struct msg_ring *r = ring_settle(msq);

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
	struct msg_ring *r = ring_settle(msq);
	struct sysvipc_msg **slot;
	LIST_HEAD(older);

	if (!r || r->head == r->tail)
		return;
	/* From here on every receiver's compare-and-swap on head fails. */
	ring_taken(msq, r, xchg(&r->up->head, r->tail));
	for (; r->head != r->tail; r->head++) {
		slot = &r->msgs[r->head % RING_SLOTS];
		if (!*slot || r->msgpos[r->head % RING_SLOTS] != r->head)
			continue;	/* not the module's: hostile head */
		list_add_tail(&(*slot)->list, &older);
		*slot = NULL;
	}
	list_splice(&older, &msq->messages);
	msg_status_update(msq);
}

/*
 * Whether messages may enter the ring (from the module or a lessee): the
 * list is empty, nobody sleeps in msgsnd or msgrcv, no fd is polled.
 * Lock held.
 */
static bool ring_quiet(struct sysvipc_msq *msq)
{
	if (!list_empty(&msq->messages) || !list_empty(&msq->receivers) ||
	    !list_empty(&msq->senders))
		return false;
	/*
	 * A poller adds itself to poll_wq before it takes the lock and
	 * absorbs (sysvipc_msg_fd_poll()): one we miss here still sees
	 * what enters the ring, and nothing enters after its absorb.
	 */
	return !waitqueue_active(&msq->perm.poll_wq);
}

/*
 * msgsnd: put @msg, which fits the queue, in the ring if it may go there
 * (see the top of the file); the caller counts it.  Lock held, ring reaped.
 */
bool msg_ring_put(struct sysvipc_msq *msq, struct sysvipc_msg *msg)
{
	struct msg_ring *r = msq->ring;
	struct sysvipc_msgring_slot *slot;

	if (!r || r->lease || msg->size > SYSVIPC_MSGRING_TEXT ||
	    r->tail - r->head >= RING_SLOTS || !ring_quiet(msq))
		return false;
	slot = &r->up->slot[r->tail % RING_SLOTS];
	WRITE_ONCE(slot->mtype, msg->type);
	WRITE_ONCE(slot->size, msg->size);
	memcpy(slot->text, msg->text, msg->size);
	r->msgs[r->tail % RING_SLOTS] = msg;
	r->msgpos[r->tail % RING_SLOTS] = r->tail;
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
	while (msq->ring->npool)
		kfree(msq->ring->pool[--msq->ring->npool]);
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
	struct msg_ring *r = msq->ring;
	struct sysvipc_msgring_page *up;

	if (!r)
		return;
	/*
	 * End a lease here, not in ring_settle(): a lessee stuck halfway
	 * would have it retire the ring under us.  The page goes anyway.
	 */
	if (r->lease)
		ring_revoke(msq, r);
	msg_ring_absorb(msq);
	up = r->up;
	memset(up->slot, 0, sizeof(up->slot));
	WRITE_ONCE(up->list_qnum, 0);
	WRITE_ONCE(up->flags, READ_ONCE(up->flags) | flag);
	ring_drop(msq);
}

/* The queue's end: free what the ring still holds.  No lock needed. */
void msg_ring_free(struct sysvipc_msq *msq)
{
	struct msg_ring *r = msq->ring;
	unsigned int i;

	if (!r)
		return;
	for (i = 0; i < RING_SLOTS; i++)
		if (r->msgs[i])
			msg_put(r->msgs[i]);
	ring_drop(msq);
}

static struct msg_ring *ring_alloc(void)
{
	struct msg_ring *r;

	BUILD_BUG_ON(sizeof(struct sysvipc_msgring_page) != 4096);
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
 * Mapping the ring and leasing it need what msgrcv and msgsnd both need;
 * 0 or an errno.  Lock held.
 */
static long ring_may(struct sysvipc_obj *obj)
{
	if (!sysvipc_may(obj, 0666))
		return -EACCES;
	return obj->deleted ? -EIDRM : 0;
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

	*err = ring_may(obj);
	if (*err)
		return NULL;
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

/*
 * Under the queue's lock: grant the send lease if it may be (see the
 * uapi), taking the set-aside messages @spare[0 .. *@n) it needs.
 */
static long ring_grant(struct sysvipc_msq *msq, struct sysvipc_msg **spare,
		       unsigned int *n, u32 *gen)
{
	struct msg_ring *r = msq->ring;
	struct sysvipc_msgring_page *up;
	long err = ring_may(&msq->perm);

	if (err)
		return err;
	if (!r)
		return -ENXIO;
	if (r->lease)
		return -EBUSY;
	msg_ring_reap(msq);
	if (!ring_quiet(msq))
		return -EAGAIN;
	while (*n && r->npool < RING_SLOTS)
		r->pool[r->npool++] = spare[--*n];
	if (r->npool < RING_SLOTS)
		return -ENOMEM;
	/* Per queue, not per ring: a lessee of a retired ring stays out. */
	if (!++msq->lease_seq)
		msq->lease_seq = 1;
	r->lease = msq->lease_seq;
	r->lease_start = r->tail;
	up = r->up;
	WRITE_ONCE(up->qbytes, msq->qbytes);
	WRITE_ONCE(up->msgmax, min_t(unsigned int, sysvipc_msgmax(), INT_MAX));
	WRITE_ONCE(up->busy, 0);
	/* Pairs with the lessee's acquire load of tail. */
	smp_store_release(&up->tail,
			  (u64)r->lease << SYSVIPC_MSGRING_GEN_SHIFT | r->tail);
	*gen = r->lease;
	return 0;
}

long sysvipc_msglease(void __user *argp)
{
	struct sysvipc_msg *spare[RING_SLOTS];
	struct sysvipc_msglease a;
	struct sysvipc_obj *obj;
	struct sysvipc_msq *msq;
	unsigned int n, need;
	long err;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.id < 0 || a.gen || a.reserved[0] || a.reserved[1])
		return -EINVAL;
	if (!READ_ONCE(msg_ring))
		return -EOPNOTSUPP;
	obj = sysvipc_obtain_ref(sysvipc_msg_ids(), a.id);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	msq = to_msq(obj);
	spin_lock(&obj->lock);
	need = msq->ring ? RING_SLOTS - msq->ring->npool : 0;
	spin_unlock(&obj->lock);
	/* What taking the lessee's messages back needs, set aside unlocked. */
	for (n = 0; n < need; n++) {
		spare[n] = kmalloc(sizeof(*spare[n]) + SYSVIPC_MSGRING_TEXT,
				   GFP_KERNEL_ACCOUNT);
		if (!spare[n])
			break;
	}
	spin_lock(&obj->lock);
	err = ring_grant(msq, spare, &n, &a.gen);
	spin_unlock(&obj->lock);
	while (n)
		kfree(spare[--n]);
	sysvipc_obj_put(obj);
	if (err)
		return err;
	return copy_to_user(argp, &a, sizeof(a)) ? -EFAULT : 0;
}
