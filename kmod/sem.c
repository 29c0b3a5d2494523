// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: semaphore sets.
 *
 * semop follows ipc/sem.c of 6.1 in what it does, with one lock per set
 * (obj->lock) instead of the kernel's per-semaphore locks:
 *  - An operation array applies in order and entirely or not at all; the
 *    first operation that cannot proceed decides (sleep, or EAGAIN with its
 *    IPC_NOWAIT); a value beyond SEMVMX or an adjustment beyond SEMAEM is
 *    ERANGE.
 *  - A sleeper queues its whole array: a single operation on the queue of
 *    its semaphore (alter or wait-for-zero), a complex one on the set's
 *    queues.  While complex alter operations wait, the simple alter ones
 *    move to the set's queue too, so all alter operations are retried in
 *    arrival order; they move back when the last complex one leaves.  After
 *    every change, waiters are retried in the kernel's order (wait-for-zero
 *    first, then alter, rescanning after a completed complex operation).
 *  - GETNCNT/GETZCNT count a waiter only on the semaphore of its first
 *    blocking operation, like the kernel since 3.16.
 * Waiters live on the sleepers' stacks.  A waker completes a waiter under
 * the lock (result, state SEMQ_WAKING) and collects it on a private list;
 * after unlocking it publishes SEMQ_DONE and wakes the task.  A sleeper
 * that sees SEMQ_WAKING waits for SEMQ_DONE before it returns, so the
 * waiter never disappears under a waker.  Sleepers hold a reference on the
 * set, never a registry lock.  Pollers of the set's fds (kmod/objfd.c) are
 * told of every change to the values by the same sem_wake_all(), which
 * therefore runs while the set is known to be alive (in the RCU read
 * section of the lookup, or under a reference).
 *
 * Fast path (SYSVIPC_IOC_SEMMAP, uapi/linux/sysvipc.h).  A set that a
 * process asked to map gets a page of value words (sma->fpage) that user
 * space may change with compare-and-swap while a word's SLOW bit is clear.
 * sems[i].val stays the module's copy; it is the value whenever the word
 * is frozen (SLOW set by the module) or the set has no page.  Under
 * obj->lock:
 *  - an operation freezes the words it reads or writes first (an atomic
 *    OR of SLOW, whose result is the current value) and works on
 *    sems[].val; sem_unlock() thaws them, storing sems[].val with SLOW
 *    clear, unless the set must stay slow;
 *  - while anything sleeps on the set (queued semop waiters, pollers of
 *    its fds, io_uring requests parked on them) every word stays frozen
 *    (sma->fslow), so only the module changes values and wakes sleepers
 *    in the kernel's order; the unlock that finds no sleeper left thaws
 *    them all.  A poller that went away unnoticed keeps the set slow until
 *    the next operation through the module.
 *  - IPC_SET and IPC_RMID retire the page: every word frozen, the header
 *    marked MOVED or REMOVED, and the set forgets it (the mappings keep
 *    the page alive); IPC_SET's next SEMMAP gets a fresh page, checked
 *    against the new permissions.
 * The page is user-writable: the module reads back only value bits
 * (clamped to SEMVMX), pid words (GETPID, range-checked) and otime
 * (clamped to now), so a process can do to the set no more than SETVAL
 * lets it do.
 */
#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/sem.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/time64.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include <linux/sysvipc.h>
#include "compat.h"
#include "sysvipc.h"

static bool sem_fast = true;
module_param(sem_fast, bool, 0644);
MODULE_PARM_DESC(sem_fast, "Let processes map semaphore values (SYSVIPC_IOC_SEMMAP)");

/* A word of the fast-path page, as struct sysvipc_sem_word. */
struct sem_fword {
	atomic_t val;
	u32 pid;
};

/* Words one operation freezes one by one; more freeze the whole set. */
#define SEM_FROZEN_MAX	8

struct sysvipc_semval {
	int val;
	struct pid *pid;		/* last process to operate on it */
	/* A fast-path pid folded back from a retired page, 0 if ->pid. */
	u32 upid;
	struct list_head pending_alter;	/* simple waiters that change it */
	struct list_head pending_const;	/* simple waiters for zero */
};

struct sysvipc_sem {
	struct sysvipc_obj perm;
	int nsems;		/* fixed */
	/* The rest is under perm.lock. */
	time64_t otime;
	time64_t ctime;
	struct list_head pending_alter;	/* complex (and, meanwhile, simple) */
	struct list_head pending_const;	/* complex wait-for-zero */
	int complex_count;	/* complex waiters queued */
	struct list_head undos;	/* struct sysvipc_undo.list_id */
	int nwaiters;		/* semop waiters queued */
	/* The fast path (see the top of the file), also under perm.lock. */
	struct page *fpage;	/* the mapped page, or NULL */
	struct sysvipc_sem_page_hdr *fhdr;	/* fpage's address */
	struct sem_fword *fwords;		/* its words */
	bool fslow;		/* every word is frozen */
	int nfrozen;		/* words this operation froze, in frozen[] */
	u16 frozen[SEM_FROZEN_MAX];
	struct sysvipc_semval sems[];
};

/* Where a waiter stands; see the comment at the top. */
enum {
	SEMQ_WAITING,		/* queued, the sleeper's to remove */
	SEMQ_WAKING,		/* dequeued, a waker still uses it */
	SEMQ_DONE,		/* the sleeper's again, @result final */
};

/* A sleeping semop, on the sleeper's stack. */
struct sem_waiter {
	struct list_head list;
	struct sembuf *sops;
	int nsops;
	int blocking;		/* index of the operation that blocked */
	int result;
	int state;
	struct sysvipc_undo *undo;
	struct pid *pid;	/* the sleeper's tgid */
	struct task_struct *sleeper;
	struct sem_waiter *wake_next;
};

/* Waiters completed under the lock, woken after it is released. */
struct sem_wake {
	struct sem_waiter *first;
	struct sem_waiter **tail;
	struct sysvipc_obj *poll;	/* values changed: its pollers */
};

#define SEM_WAKE_INIT(name) \
	{ .first = NULL, .tail = &(name).first, .poll = NULL }

/* semop arrays up to this size are copied to the stack */
#define SEMOPS_FAST	32

static struct sysvipc_ids sem_ids;
/* Semaphores in all sets, the kernel's used_sems: under sem_ids.rwsem. */
static int sem_used;

static struct sysvipc_sem *to_sem(struct sysvipc_obj *obj)
{
	return container_of(obj, struct sysvipc_sem, perm);
}

static void sem_release(struct sysvipc_obj *obj)
{
	struct sysvipc_sem *sma = to_sem(obj);
	int i;

	for (i = 0; i < sma->nsems; i++)
		put_pid(sma->sems[i].pid);
	if (sma->fpage)
		put_page(sma->fpage);
	kvfree_rcu(sma, perm.rcu);
}

static int sem_create(struct sysvipc_ids *ids, key_t key, int flg, u64 size,
		      void *priv)
{
	int nsems = size;
	struct sysvipc_sem *sma;
	int id;

	if (!nsems)
		return -EINVAL;
	if (sem_used + nsems > sysvipc_semmns())
		return -ENOSPC;
	sma = kvzalloc(struct_size(sma, sems, nsems), GFP_KERNEL_ACCOUNT);
	if (!sma)
		return -ENOMEM;
	sma->nsems = nsems;
	sma->ctime = ktime_get_real_seconds();
	INIT_LIST_HEAD(&sma->pending_alter);
	INIT_LIST_HEAD(&sma->pending_const);
	INIT_LIST_HEAD(&sma->undos);
	for (id = 0; id < nsems; id++) {
		INIT_LIST_HEAD(&sma->sems[id].pending_alter);
		INIT_LIST_HEAD(&sma->sems[id].pending_const);
	}
	id = sysvipc_ids_add(ids, &sma->perm, key, flg, sysvipc_semmni());
	if (id < 0) {
		kvfree(sma);
		return id;
	}
	sem_used += nsems;
	return id;
}

static int sem_more_checks(struct sysvipc_obj *obj, u64 size)
{
	return size > to_sem(obj)->nsems ? -EINVAL : 0;
}

static const struct sysvipc_get_ops sem_get_ops = {
	.create = sem_create,
	.more_checks = sem_more_checks,
};

long sysvipc_semget(const void __user *argp)
{
	struct sysvipc_get g;
	int err;

	err = sysvipc_copy_get(&g, argp);
	if (err)
		return err;
	/* Only shmget takes a backing file. */
	if (g.get_flags & ~SYSVIPC_GET_AT_ID)
		return -EINVAL;
	/* size carries nsems; a negative int arrives sign-extended. */
	if (g.size > sysvipc_semmsl())
		return -EINVAL;
	return sysvipc_ids_get(&sem_ids, g.key, g.flags, g.size, &sem_get_ops,
			       NULL, sysvipc_get_at_id(&g));
}

/* ---- the fast-path page (see the top of the file) ---- */

/* A value read from the page: untrusted, so clamped. */
static int sem_fword_val(u32 word)
{
	return min_t(int, word & SYSVIPC_SEM_VALUE, SEMVMX);
}

/* Freeze every word: sems[].val then holds every value. */
static void sem_freeze_all(struct sysvipc_sem *sma)
{
	u32 old;
	int i;

	if (!sma->fpage || sma->fslow)
		return;
	for (i = 0; i < sma->nsems; i++) {
		old = atomic_fetch_or(SYSVIPC_SEM_SLOW, &sma->fwords[i].val);
		/* Frozen already: by this operation, or by a scribbler. */
		if (!(old & SYSVIPC_SEM_SLOW))
			sma->sems[i].val = sem_fword_val(old);
	}
	sma->fslow = true;
	sma->nfrozen = 0;
}

/* Freeze the word of semaphore @num (< nsems) before an operation uses it. */
static void sem_freeze(struct sysvipc_sem *sma, int num)
{
	u32 old;
	int i;

	if (!sma->fpage || sma->fslow)
		return;
	num = array_index_nospec(num, sma->nsems);
	for (i = 0; i < sma->nfrozen; i++)
		if (sma->frozen[i] == num)
			return;
	if (sma->nfrozen == SEM_FROZEN_MAX) {
		sem_freeze_all(sma);
		return;
	}
	old = atomic_fetch_or(SYSVIPC_SEM_SLOW, &sma->fwords[num].val);
	if (!(old & SYSVIPC_SEM_SLOW))
		sma->sems[num].val = sem_fword_val(old);
	sma->frozen[sma->nfrozen++] = num;
}

/*
 * Before every unlock: keep every word frozen while something sleeps on
 * the set, else hand the frozen ones back to user space.  The release
 * orders the module's writes before a fast path's use of the value.
 */
static void sem_fast_settle(struct sysvipc_sem *sma)
{
	int i;

	if (!sma->fpage)
		return;
	if (sma->nwaiters || wq_has_sleeper(&sma->perm.poll_wq)) {
		sem_freeze_all(sma);
		return;
	}
	if (sma->fslow) {
		for (i = 0; i < sma->nsems; i++)
			atomic_set_release(&sma->fwords[i].val,
					   sma->sems[i].val);
		sma->fslow = false;
	} else {
		for (i = 0; i < sma->nfrozen; i++)
			atomic_set_release(&sma->fwords[sma->frozen[i]].val,
					   sma->sems[sma->frozen[i]].val);
	}
	sma->nfrozen = 0;
}

/* sem_otime: the module's, or a later one the fast path stored. */
static time64_t sem_otime(struct sysvipc_sem *sma)
{
	time64_t t;

	if (!sma->fpage)
		return sma->otime;
	t = clamp_t(time64_t, READ_ONCE(sma->fhdr->otime), 0,
		    ktime_get_real_seconds());
	return max(t, sma->otime);
}

/* GETPID: a fast-path pid (in the caller's namespace) if it is newer. */
static int sem_getpid(struct sysvipc_sem *sma, int num)
{
	u32 upid = sma->fpage ? READ_ONCE(sma->fwords[num].pid)
			      : sma->sems[num].upid;

	if (upid && upid <= PID_MAX_LIMIT)
		return upid;
	return pid_vnr(sma->sems[num].pid);
}

/* Publish @page, zeroed, as the set's page; its words start frozen. */
static void sem_page_install(struct sysvipc_sem *sma, struct page *page)
{
	struct sysvipc_sem_page_hdr *hdr = page_address(page);
	struct sem_fword *w = (struct sem_fword *)(hdr + 1);
	int i;

	BUILD_BUG_ON(sizeof(*hdr) != 64);
	BUILD_BUG_ON(sizeof(*w) != sizeof(struct sysvipc_sem_word));
	BUILD_BUG_ON(sizeof(*hdr) + SYSVIPC_SEM_PAGE_MAX * sizeof(*w) >
		     PAGE_SIZE);
	hdr->magic = SYSVIPC_SEM_PAGE_MAGIC;
	hdr->version = SYSVIPC_SEM_PAGE_VERSION;
	hdr->id = sma->perm.id;
	hdr->nsems = sma->nsems;
	hdr->otime = sma->otime;
	for (i = 0; i < sma->nsems; i++) {
		atomic_set(&w[i].val, sma->sems[i].val | SYSVIPC_SEM_SLOW);
		w[i].pid = sma->sems[i].upid;
	}
	sma->fpage = page;
	sma->fhdr = hdr;
	sma->fwords = w;
	/* sem_unlock() thaws them if nothing sleeps. */
	sma->fslow = true;
	sma->nfrozen = 0;
}

/*
 * IPC_SET and IPC_RMID: freeze every word for good, mark the header with
 * @flag and forget the page; the mappings keep it alive.
 */
static void sem_page_retire(struct sysvipc_sem *sma, u32 flag)
{
	int i;

	if (!sma->fpage)
		return;
	sem_freeze_all(sma);
	sma->otime = sem_otime(sma);
	for (i = 0; i < sma->nsems; i++) {
		sma->sems[i].upid = READ_ONCE(sma->fwords[i].pid);
		if (sma->sems[i].upid > PID_MAX_LIMIT)
			sma->sems[i].upid = 0;
	}
	WRITE_ONCE(sma->fhdr->flags, READ_ONCE(sma->fhdr->flags) | flag);
	put_page(sma->fpage);
	sma->fpage = NULL;
	sma->fhdr = NULL;
	sma->fwords = NULL;
	sma->fslow = false;
}

/* ---- waiting and waking ---- */

static void sem_wake_add(struct sem_wake *wake, struct sem_waiter *q,
			 int result)
{
	q->result = result;
	q->state = SEMQ_WAKING;
	q->wake_next = NULL;
	*wake->tail = q;
	wake->tail = &q->wake_next;
}

/*
 * After the set's lock is released: hand each waiter back to its sleeper
 * and wake it.  A sleeper in SEMQ_WAKING cannot return, so its task is
 * alive when read here, and the RCU read section keeps the task_struct
 * until the wake-up even if the sleeper returns and exits right after
 * SEMQ_DONE is published.
 */
static void sem_wake_all(struct sem_wake *wake)
{
	struct sem_waiter *q, *next;
	struct task_struct *tsk;

	if (wake->poll) {
		sysvipc_poll_wake(wake->poll, EPOLLIN | EPOLLRDNORM);
		wake->poll = NULL;
	}
	if (!wake->first)
		return;
	rcu_read_lock();
	for (q = wake->first; q; q = next) {
		next = q->wake_next;
		tsk = q->sleeper;
		/* Orders our reads of @q before the sleeper reuses it. */
		smp_store_release(&q->state, SEMQ_DONE);
		wake_up_process(tsk);
	}
	rcu_read_unlock();
}

static void sem_unlink(struct sysvipc_sem *sma, struct sem_waiter *q)
{
	list_del(&q->list);
	sma->nwaiters--;
	if (q->nsops > 1)
		sma->complex_count--;
}

/* The first complex waiter arrives: simple alter waiters join its queue. */
static void sem_merge_queues(struct sysvipc_sem *sma)
{
	int i;

	for (i = 0; i < sma->nsems; i++)
		list_splice_tail_init(&sma->sems[i].pending_alter,
				      &sma->pending_alter);
}

/*
 * Before every unlock: with no complex waiter left, the simple alter
 * waiters go back to their semaphores' queues, in order.
 */
static void sem_unmerge_queues(struct sysvipc_sem *sma)
{
	struct sem_waiter *q, *tmp;

	if (sma->complex_count)
		return;
	list_for_each_entry_safe(q, tmp, &sma->pending_alter, list)
		list_move_tail(&q->list,
			       &sma->sems[q->sops[0].sem_num].pending_alter);
}

static void sem_set_pid(struct sysvipc_sem *sma, int num, struct pid *pid)
{
	struct sysvipc_semval *sem = &sma->sems[num];

	if (sem->pid != pid) {
		put_pid(sem->pid);
		sem->pid = get_pid(pid);
	}
	sem->upid = 0;
	if (sma->fpage)
		WRITE_ONCE(sma->fwords[num].pid, 0);
}

/*
 * Try @q's operations in order.  Returns 0 when all were applied (values,
 * adjustments and pids updated), 1 when @q must wait (->blocking says on
 * which operation), or -EAGAIN (that operation has IPC_NOWAIT) or -ERANGE,
 * with nothing changed.
 */
static int sem_perform(struct sysvipc_sem *sma, struct sem_waiter *q)
{
	struct sysvipc_undo *un = q->undo;
	struct sembuf *sop;
	int i, num, val, adj, err;

	for (i = 0; i < q->nsops; i++) {
		sop = &q->sops[i];
		num = array_index_nospec(sop->sem_num, sma->nsems);
		val = sma->sems[num].val;
		if (!sop->sem_op && val)
			goto would_block;
		val += sop->sem_op;
		if (val < 0)
			goto would_block;
		if (val > SEMVMX) {
			err = -ERANGE;
			goto undo;
		}
		if (sop->sem_flg & SEM_UNDO) {
			adj = un->semadj[num] - sop->sem_op;
			if (adj < -SEMAEM - 1 || adj > SEMAEM) {
				err = -ERANGE;
				goto undo;
			}
			un->semadj[num] = adj;
		}
		sma->sems[num].val = val;
	}
	for (i = 0; i < q->nsops; i++)
		sem_set_pid(sma, q->sops[i].sem_num, q->pid);
	return 0;

would_block:
	q->blocking = i;
	err = sop->sem_flg & IPC_NOWAIT ? -EAGAIN : 1;
undo:
	while (--i >= 0) {
		sop = &q->sops[i];
		sma->sems[sop->sem_num].val -= sop->sem_op;
		if (sop->sem_flg & SEM_UNDO)
			un->semadj[sop->sem_num] += sop->sem_op;
	}
	return err;
}

/* Retry the wait-for-zero waiters on @list; true if one completed. */
static bool sem_wake_const(struct sysvipc_sem *sma, struct list_head *list,
			   struct sem_wake *wake)
{
	struct sem_waiter *q, *tmp;
	bool completed = false;
	int err;

	list_for_each_entry_safe(q, tmp, list, list) {
		err = sem_perform(sma, q);
		if (err > 0)
			continue;
		sem_unlink(sma, q);
		sem_wake_add(wake, q, err);
		if (!err)
			completed = true;
	}
	return completed;
}

/*
 * Wait-for-zero waiters after a change to the semaphores of @sops (all of
 * them when @sops is NULL); true if one completed.
 */
static bool sem_wakeup_zero(struct sysvipc_sem *sma, struct sembuf *sops,
			    int nsops, struct sem_wake *wake)
{
	bool completed = false, got_zero = false;
	int i, num;

	for (i = 0; i < (sops ? nsops : sma->nsems); i++) {
		num = sops ? sops[i].sem_num : i;
		if (!sma->sems[num].val) {
			got_zero = true;
			completed |= sem_wake_const(sma,
					&sma->sems[num].pending_const, wake);
		}
	}
	if (got_zero)
		completed |= sem_wake_const(sma, &sma->pending_const, wake);
	return completed;
}

/*
 * Retry the alter waiters of semaphore @semnum, or of the set's queue when
 * @semnum is -1, in order; true if one completed.
 */
static bool sem_update_queue(struct sysvipc_sem *sma, int semnum,
			     struct sem_wake *wake)
{
	struct list_head *list;
	struct sem_waiter *q, *tmp;
	bool completed = false, restart;
	int err;

	list = semnum < 0 ? &sma->pending_alter
			  : &sma->sems[semnum].pending_alter;
again:
	list_for_each_entry_safe(q, tmp, list, list) {
		/*
		 * A simple waiter on one semaphore's queue decrements it (a
		 * simple increment never waits): none can run at zero.
		 */
		if (semnum >= 0 && !sma->sems[semnum].val)
			break;
		err = sem_perform(sma, q);
		if (err > 0)
			continue;
		sem_unlink(sma, q);
		restart = false;
		if (!err) {
			completed = true;
			sem_wakeup_zero(sma, q->sops, q->nsops, wake);
			/*
			 * A completed simple decrement cannot help the
			 * older waiters; anything else may have.
			 */
			restart = !list_empty(&sma->pending_alter) ||
				  q->nsops > 1;
		}
		sem_wake_add(wake, q, err);
		if (restart)
			goto again;
	}
	return completed;
}

/*
 * Retry whatever the change just made (by @sops, or to any semaphore when
 * @sops is NULL) may let proceed; stamps sem_otime if @otime or if a
 * waiter completed.  The wake-ups are left in @wake.
 */
static void sem_update(struct sysvipc_sem *sma, struct sembuf *sops,
		       int nsops, bool otime, struct sem_wake *wake)
{
	int i;

	wake->poll = &sma->perm;
	otime |= sem_wakeup_zero(sma, sops, nsops, wake);
	if (!list_empty(&sma->pending_alter)) {
		otime |= sem_update_queue(sma, -1, wake);
	} else if (!sops) {
		for (i = 0; i < sma->nsems; i++)
			otime |= sem_update_queue(sma, i, wake);
	} else {
		/* Only simple decrements wait: only increments help them. */
		for (i = 0; i < nsops; i++)
			if (sops[i].sem_op > 0)
				otime |= sem_update_queue(sma,
							  sops[i].sem_num,
							  wake);
	}
	if (otime)
		sma->otime = ktime_get_real_seconds();
}

static void sem_unlock(struct sysvipc_sem *sma)
	__releases(&sma->perm.lock)
{
	sem_unmerge_queues(sma);
	sem_fast_settle(sma);
	spin_unlock(&sma->perm.lock);
}

/* GETNCNT (@zero false) and GETZCNT: the kernel's count_semcnt(). */
static int sem_count_waiters(struct sysvipc_sem *sma, int semnum, bool zero)
{
	struct sem_waiter *q;
	struct sembuf *sop;
	int n = 0;

	list_for_each_entry(q, zero ? &sma->sems[semnum].pending_const
				    : &sma->sems[semnum].pending_alter, list)
		n++;
	list_for_each_entry(q, &sma->pending_alter, list) {
		sop = &q->sops[q->blocking];
		if (sop->sem_num == semnum &&
		    (zero ? !sop->sem_op : sop->sem_op < 0))
			n++;
	}
	if (zero) {
		list_for_each_entry(q, &sma->pending_const, list) {
			sop = &q->sops[q->blocking];
			if (sop->sem_num == semnum && !sop->sem_op)
				n++;
		}
	}
	return n;
}

/* ---- semop ---- */

/*
 * Sleep until @q completes, times out or a signal arrives.  Called with
 * @q queued and the caller's reference on the set, which is dropped here.
 */
static long sem_sleep(struct sysvipc_sem *sma, struct sem_waiter *q,
		      ktime_t *exp)
{
	bool timed_out;
	int state;

	for (;;) {
		timed_out = !schedule_hrtimeout_range(exp,
						      current->timer_slack_ns,
						      HRTIMER_MODE_ABS);
		/* Pairs with sem_wake_all(): @q->result is read after it. */
		if (smp_load_acquire(&q->state) != SEMQ_WAITING)
			break;
		spin_lock(&sma->perm.lock);
		state = q->state;
		if (state == SEMQ_WAITING) {
			if (timed_out || signal_pending(current)) {
				/* A timeout wins over a signal, as in 6.1. */
				q->result = timed_out ? -EAGAIN : -EINTR;
				sem_unlink(sma, q);
				state = SEMQ_DONE;
				q->state = state;
			} else {
				/* Spurious: sleep again with the same expiry. */
				__set_current_state(TASK_INTERRUPTIBLE);
			}
		}
		sem_unlock(sma);
		if (state != SEMQ_WAITING)
			break;
	}
	/* A waker may still be on its way to publish SEMQ_DONE. */
	for (;;) {
		set_current_state(TASK_UNINTERRUPTIBLE);
		/* Pairs with the release in sem_wake_all(). */
		if (smp_load_acquire(&q->state) == SEMQ_DONE)
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	sysvipc_obj_put(&sma->perm);
	return q->result;
}

static void sem_enqueue(struct sysvipc_sem *sma, struct sem_waiter *q,
			bool alter)
{
	struct sysvipc_semval *curr;

	sma->nwaiters++;
	if (q->nsops == 1) {
		curr = &sma->sems[array_index_nospec(q->sops[0].sem_num,
						     sma->nsems)];
		if (!alter)
			list_add_tail(&q->list, &curr->pending_const);
		else if (sma->complex_count)
			list_add_tail(&q->list, &sma->pending_alter);
		else
			list_add_tail(&q->list, &curr->pending_alter);
	} else {
		if (!sma->complex_count)
			sem_merge_queues(sma);
		list_add_tail(&q->list, alter ? &sma->pending_alter
					      : &sma->pending_const);
		sma->complex_count++;
	}
}

/*
 * The caller's undo entry for @sma, or NULL when one must be allocated
 * first.  @new, if set and of the right size, is linked and consumed.
 */
static struct sysvipc_undo *sem_undo_get(struct sysvipc_sem *sma,
					 struct sysvipc_undo_list *ulp,
					 struct sysvipc_undo **new)
{
	struct sysvipc_undo *un;

	un = sysvipc_undo_find(ulp, sma->perm.id);
	if (un || !*new || (*new)->nsems != sma->nsems)
		return un;
	un = *new;
	*new = NULL;
	sysvipc_undo_link(ulp, un, sma->perm.id);
	list_add(&un->list_id, &sma->undos);
	return un;
}

/*
 * First attempt, under the set's lock: 0 or -errno when done, 1 when @q
 * was queued; then the caller holds a reference and sleeps.
 */
static int sem_start(struct sysvipc_sem *sma, struct sem_waiter *q,
		     bool alter, struct sem_wake *wake)
{
	int err = sem_perform(sma, q);

	if (!err) {
		if (alter)
			sem_update(sma, q->sops, q->nsops, true, wake);
		else
			sma->otime = ktime_get_real_seconds();
	} else if (err > 0) {
		sem_enqueue(sma, q, alter);
		q->state = SEMQ_WAITING;
		q->sleeper = current;
		/* Before the unlock: a waker's wake_up_process() follows. */
		__set_current_state(TASK_INTERRUPTIBLE);
		sysvipc_obj_get(&sma->perm);
	}
	return err;
}

enum { SEMOP_DONE, SEMOP_SLEEP, SEMOP_NEED_UNDO };

static long sem_do_semop(int semid, struct sembuf *sops, int nsops,
			 const struct timespec64 *timeout)
{
	struct sysvipc_undo_list *ulp = NULL;
	struct sysvipc_undo *new = NULL;
	struct sem_wake wake = SEM_WAKE_INIT(wake);
	struct sem_waiter q = {
		.sops = sops,
		.nsops = nsops,
		.pid = task_tgid(current),
	};
	bool undos = false, alter = false;
	ktime_t expires, *exp = NULL;
	struct sysvipc_obj *obj;
	struct sysvipc_sem *sma;
	int i, max = 0, what, nsems = 0;
	long err;

	if (semid < 0)
		return -EINVAL;
	if (timeout) {
		if (!timespec64_valid(timeout))
			return -EINVAL;
		expires = ktime_add_safe(ktime_get(),
					 timespec64_to_ktime(*timeout));
		exp = &expires;
	}
	for (i = 0; i < nsops; i++) {
		max = max_t(int, max, sops[i].sem_num);
		if (sops[i].sem_flg & SEM_UNDO)
			undos = true;
		if (sops[i].sem_op)
			alter = true;
	}
	if (undos) {
		ulp = sysvipc_undo_list_get();
		if (IS_ERR(ulp))
			return PTR_ERR(ulp);
	}

again:
	what = SEMOP_DONE;
	rcu_read_lock();
	obj = sysvipc_obtain(&sem_ids, semid);
	if (IS_ERR(obj)) {
		rcu_read_unlock();
		err = PTR_ERR(obj);
		goto out;
	}
	sma = to_sem(obj);
	if (max >= sma->nsems) {
		rcu_read_unlock();
		err = -EFBIG;
		goto out;
	}
	spin_lock(&obj->lock);
	if (!sysvipc_may(obj, alter ? 0222 : 0444)) {
		err = -EACCES;
	} else if (obj->deleted) {
		err = -EIDRM;
	} else {
		if (undos)
			q.undo = sem_undo_get(sma, ulp, &new);
		if (undos && !q.undo) {
			nsems = sma->nsems;
			what = SEMOP_NEED_UNDO;
			err = 0;
		} else {
			for (i = 0; i < nsops; i++)
				sem_freeze(sma, sops[i].sem_num);
			err = sem_start(sma, &q, alter, &wake);
			if (err > 0)
				what = SEMOP_SLEEP;
		}
	}
	sem_unlock(sma);
	sem_wake_all(&wake);
	rcu_read_unlock();

	if (what == SEMOP_SLEEP) {
		err = sem_sleep(sma, &q, exp);
	} else if (what == SEMOP_NEED_UNDO) {
		kvfree(new);
		new = kvzalloc(struct_size(new, semadj, nsems),
			       GFP_KERNEL_ACCOUNT);
		if (!new)
			return -ENOMEM;
		new->nsems = nsems;
		goto again;
	}
out:
	kvfree(new);
	return err;
}

long sysvipc_semop(const void __user *argp)
{
	struct sembuf fast_sops[SEMOPS_FAST];
	struct sembuf *sops = fast_sops;
	struct timespec64 ts;
	struct sysvipc_semop a;
	long err;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.reserved[0] || a.reserved[1])
		return -EINVAL;
	/* The kernel's order: timeout, nsops, then the operations. */
	if (a.timeout && get_timespec64(&ts, u64_to_user_ptr(a.timeout)))
		return -EFAULT;
	if (a.nsops > (unsigned int)sysvipc_semopm())
		return -E2BIG;
	if (a.nsops < 1)
		return -EINVAL;
	if (a.nsops > SEMOPS_FAST) {
		sops = kvmalloc_array(a.nsops, sizeof(*sops),
				      GFP_KERNEL | __GFP_NOWARN);
		if (!sops)
			return -ENOMEM;
	}
	if (copy_from_user(sops, u64_to_user_ptr(a.sops),
			   a.nsops * sizeof(*sops)))
		err = -EFAULT;
	else
		err = sem_do_semop(a.id, sops, a.nsops,
				   a.timeout ? &ts : NULL);
	if (sops != fast_sops)
		kvfree(sops);
	return err;
}

/* ---- SYSVIPC_IOC_SEMMAP ---- */

/*
 * Under obj->lock: the set's page with a reference for the caller, after
 * semop's checks for altering; installs @new (consuming it) if the set has
 * none.  NULL with *err 0 when a page must be allocated first.
 */
static struct page *sem_map_page(struct sysvipc_sem *sma, struct page **new,
				 u32 *flags, long *err)
{
	struct sysvipc_obj *obj = &sma->perm;

	*err = 0;
	if (!sysvipc_may(obj, 0222)) {
		*err = -EACCES;
		return NULL;
	}
	if (obj->deleted) {
		*err = -EIDRM;
		return NULL;
	}
	if (!sma->fpage) {
		if (!*new)
			return NULL;
		sem_page_install(sma, *new);
		*new = NULL;
	}
	*flags = sysvipc_may(obj, 0444) ? SYSVIPC_SEMMAP_READ : 0;
	get_page(sma->fpage);
	return sma->fpage;
}

/*
 * mmap of /dev/sysvipc at SYSVIPC_MMAP_SEM + @id, from SYSVIPC_IOC_SEMMAP
 * or directly: semop's permission to alter the set, one shared page.
 * Called with mmap_lock held: the page is allocated outside the set lock.
 */
int sysvipc_semmap_mmap(struct vm_area_struct *vma, unsigned long id)
{
	struct page *page = NULL, *new = NULL;
	struct sysvipc_obj *obj;
	struct sysvipc_sem *sma;
	u32 flags;
	long err;

	if (vma_pages(vma) != 1 || !(vma->vm_flags & VM_SHARED))
		return -EINVAL;
	if (!READ_ONCE(sem_fast))
		return -EOPNOTSUPP;
	obj = sysvipc_obtain_ref(&sem_ids, id);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	sma = to_sem(obj);
	err = -E2BIG;
	if (sma->nsems > SYSVIPC_SEM_PAGE_MAX)
		goto out;
	for (;;) {
		spin_lock(&obj->lock);
		page = sem_map_page(sma, &new, &flags, &err);
		sem_unlock(sma);
		if (page || err)
			break;
		new = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
		err = -ENOMEM;
		if (!new)
			goto out;
	}
	if (err)
		goto out;
	sysvipc_vma_page(vma, page);
out:
	if (new)
		__free_page(new);
	sysvipc_obj_put(obj);
	return err;
}

long sysvipc_semmap(struct file *dev, void __user *argp)
{
	struct sysvipc_semmap m;
	struct sysvipc_obj *obj;
	unsigned long addr;
	long err;

	if (copy_from_user(&m, argp, sizeof(m)))
		return -EFAULT;
	if (m.out_flags || m.addr || m.nsems || m.pad || m.reserved[0] ||
	    m.reserved[1] || m.id < 0)
		return -EINVAL;
	if (!READ_ONCE(sem_fast))
		return -EOPNOTSUPP;
	/* What the caller may do, as of now; IPC_SET later retires the page. */
	obj = sysvipc_obtain_ref(&sem_ids, m.id);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	spin_lock(&obj->lock);
	m.out_flags = sysvipc_may(obj, 0444) ? SYSVIPC_SEMMAP_READ : 0;
	m.nsems = to_sem(obj)->nsems;
	spin_unlock(&obj->lock);
	sysvipc_obj_put(obj);
	/* The device file itself, so the mapping can be made again by offset. */
	addr = vm_mmap(dev, 0, PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       (SYSVIPC_MMAP_SEM + m.id) << PAGE_SHIFT);
	if (IS_ERR_VALUE(addr))
		return (long)addr;
	m.addr = addr;
	err = 0;
	if (copy_to_user(argp, &m, sizeof(m))) {
		vm_munmap(addr, PAGE_SIZE);
		err = -EFAULT;
	}
	return err;
}

/*
 * Process exit (the sched_process_exit probe, preemption disabled): apply
 * and free @ulp's entry for set @semid, as the kernel's exit_sem(): values
 * clamped to [0, SEMVMX], the exiting process recorded as the last to
 * operate on the adjusted semaphores, waiters retried, sem_otime stamped.
 * Nothing to do if IPC_RMID removed the set (and the entry) meanwhile.
 */
void sysvipc_sem_undo_exit(struct sysvipc_undo_list *ulp, int semid)
{
	struct pid *pid = task_tgid(current);
	struct sem_wake wake = SEM_WAKE_INIT(wake);
	struct sysvipc_undo *un = NULL;
	struct sysvipc_obj *obj;
	struct sysvipc_sem *sma;
	int i, val;

	rcu_read_lock();
	obj = sysvipc_obtain(&sem_ids, semid);
	if (IS_ERR(obj)) {
		rcu_read_unlock();
		return;
	}
	sma = to_sem(obj);
	spin_lock(&obj->lock);
	if (!obj->deleted)
		un = sysvipc_undo_find(ulp, semid);
	if (un) {
		list_del(&un->list_id);
		sysvipc_undo_unlink(un);
		for (i = 0; i < sma->nsems; i++) {
			if (!un->semadj[i])
				continue;
			sem_freeze(sma, i);
			val = sma->sems[i].val + un->semadj[i];
			sma->sems[i].val = clamp(val, 0, SEMVMX);
			sem_set_pid(sma, i, pid);
		}
		sem_update(sma, NULL, 0, true, &wake);
	}
	sem_unlock(sma);
	sem_wake_all(&wake);
	rcu_read_unlock();
	if (un)
		kvfree_rcu(un, rcu);
}

/*
 * IPC_RMID, under obj->lock: drop the undo entries, fail every waiter with
 * EIDRM (woken from @arg, a struct sem_wake, after the unlock) and unlist.
 */
static long sem_rmid(struct sysvipc_obj *obj, void *arg)
{
	struct sysvipc_sem *sma = to_sem(obj);
	struct sem_waiter *q, *tq;
	struct sysvipc_undo *un, *tu;
	struct sem_wake *wake = arg;
	int i;

	list_for_each_entry_safe(un, tu, &sma->undos, list_id) {
		list_del(&un->list_id);
		sysvipc_undo_unlink(un);
		kvfree_rcu(un, rcu);
	}
	list_for_each_entry_safe(q, tq, &sma->pending_const, list) {
		sem_unlink(sma, q);
		sem_wake_add(wake, q, -EIDRM);
	}
	list_for_each_entry_safe(q, tq, &sma->pending_alter, list) {
		sem_unlink(sma, q);
		sem_wake_add(wake, q, -EIDRM);
	}
	for (i = 0; i < sma->nsems; i++) {
		list_for_each_entry_safe(q, tq, &sma->sems[i].pending_const,
					 list) {
			sem_unlink(sma, q);
			sem_wake_add(wake, q, -EIDRM);
		}
		list_for_each_entry_safe(q, tq, &sma->sems[i].pending_alter,
					 list) {
			sem_unlink(sma, q);
			sem_wake_add(wake, q, -EIDRM);
		}
	}
	sem_page_retire(sma, SYSVIPC_SEM_PAGE_REMOVED);
	sem_used -= sma->nsems;
	sysvipc_ids_remove(obj->ids, obj);
	return 0;
}

static long sem_set(struct sysvipc_obj *obj, void *arg)
{
	struct semid64_ds *ds = arg;
	int err;

	err = sysvipc_update_perm(obj, &ds->sem_perm);
	if (!err) {
		to_sem(obj)->ctime = ktime_get_real_seconds();
		/* The permissions may shrink: mappers must ask again. */
		sem_page_retire(to_sem(obj), SYSVIPC_SEM_PAGE_MOVED);
	}
	return err;
}

static void sem_fill(struct sysvipc_obj *obj, void *buf)
{
	struct sysvipc_sem *sma = to_sem(obj);
	struct semid64_ds *ds = buf;

	sysvipc_fill_perm(obj, &ds->sem_perm);
	ds->sem_otime = sem_otime(sma);
	ds->sem_ctime = sma->ctime;
	ds->sem_nsems = sma->nsems;
}

static long sem_ctl_obj(int id, int cmd, void __user *buf)
{
	struct sem_wake wake = SEM_WAKE_INIT(wake);
	struct semid64_ds ds;
	long ret;

	switch (cmd) {
	case IPC_RMID:
		ret = sysvipc_down(&sem_ids, id, sem_rmid, &wake);
		sem_wake_all(&wake);
		return ret;
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		return sysvipc_down(&sem_ids, id, sem_set, &ds);
	default:
		memset(&ds, 0, sizeof(ds));
		ret = sysvipc_stat(&sem_ids, id, cmd, SEM_STAT_ANY, sem_fill, &ds);
		if (ret >= 0 && copy_to_user(buf, &ds, sizeof(ds)))
			ret = -EFAULT;
		return ret;
	}
}

static long sem_info(int cmd, void __user *buf)
{
	struct seminfo info;
	int ret;

	memset(&info, 0, sizeof(info));
	info.semmni = sysvipc_semmni();
	info.semmns = sysvipc_semmns();
	info.semmsl = sysvipc_semmsl();
	info.semopm = sysvipc_semopm();
	info.semvmx = SEMVMX;
	info.semmnu = SEMMNU;
	info.semmap = SEMMAP;
	info.semume = SEMUME;
	down_read(&sem_ids.rwsem);
	if (cmd == SEM_INFO) {
		info.semusz = sem_ids.in_use;
		info.semaem = sem_used;
	} else {
		info.semusz = SEMUSZ;
		info.semaem = SEMAEM;
	}
	ret = max(sysvipc_ids_maxidx(&sem_ids), 0);
	up_read(&sem_ids.rwsem);
	return copy_to_user(buf, &info, sizeof(info)) ? -EFAULT : ret;
}

/*
 * Set one value, as the kernel's SETVAL: it also stamps the pid and ctime,
 * clears the semaphore's undo adjustments and retries the waiters.
 */
static long sem_setval(int id, int semnum, int val)
{
	struct sem_wake wake = SEM_WAKE_INIT(wake);
	struct sysvipc_undo *un;
	struct sysvipc_obj *obj;
	struct sysvipc_sem *sma;
	int err = 0;

	if (val < 0 || val > SEMVMX)
		return -ERANGE;
	rcu_read_lock();
	obj = sysvipc_obtain(&sem_ids, id);
	if (IS_ERR(obj)) {
		rcu_read_unlock();
		return PTR_ERR(obj);
	}
	sma = to_sem(obj);
	spin_lock(&obj->lock);
	if (semnum < 0 || semnum >= sma->nsems) {
		err = -EINVAL;
	} else if (!sysvipc_may(obj, 0222)) {
		err = -EACCES;
	} else if (obj->deleted) {
		err = -EIDRM;
	} else {
		semnum = array_index_nospec(semnum, sma->nsems);
		list_for_each_entry(un, &sma->undos, list_id)
			un->semadj[semnum] = 0;
		sem_freeze(sma, semnum);
		sma->sems[semnum].val = val;
		sem_set_pid(sma, semnum, task_tgid(current));
		sma->ctime = ktime_get_real_seconds();
		sem_update(sma, NULL, 0, false, &wake);
	}
	sem_unlock(sma);
	sem_wake_all(&wake);
	rcu_read_unlock();
	return err;
}

/* GETVAL, GETPID, GETNCNT, GETZCNT: one semaphore's state. */
static long sem_getone(int id, int semnum, int cmd)
{
	struct sysvipc_obj *obj;
	struct sysvipc_sem *sma;
	long ret;

	rcu_read_lock();
	obj = sysvipc_obtain(&sem_ids, id);
	if (IS_ERR(obj)) {
		rcu_read_unlock();
		return PTR_ERR(obj);
	}
	sma = to_sem(obj);
	spin_lock(&obj->lock);
	if (!sysvipc_may(obj, 0444)) {
		ret = -EACCES;
	} else if (semnum < 0 || semnum >= sma->nsems) {
		ret = -EINVAL;
	} else if (obj->deleted) {
		ret = -EIDRM;
	} else {
		semnum = array_index_nospec(semnum, sma->nsems);
		switch (cmd) {
		case GETVAL:
			sem_freeze(sma, semnum);
			ret = sma->sems[semnum].val;
			break;
		case GETPID:
			ret = sem_getpid(sma, semnum);
			break;
		case GETNCNT:
			ret = sem_count_waiters(sma, semnum, false);
			break;
		default:
			ret = sem_count_waiters(sma, semnum, true);
			break;
		}
	}
	sem_unlock(sma);
	rcu_read_unlock();
	return ret;
}

/*
 * GETALL and SETALL copy up to SEMMSL values, so they hold a reference and
 * do the user copies and the allocation outside the lock.
 */
static long sem_all(int id, int cmd, u16 __user *array)
{
	struct sem_wake wake = SEM_WAKE_INIT(wake);
	struct sysvipc_undo *un;
	struct sysvipc_obj *obj;
	struct sysvipc_sem *sma;
	u16 *vals = NULL;
	long err;
	int i;

	obj = sysvipc_obtain_ref(&sem_ids, id);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	sma = to_sem(obj);
	spin_lock(&obj->lock);
	err = sysvipc_may(obj, cmd == SETALL ? 0222 : 0444) ? 0 : -EACCES;
	spin_unlock(&obj->lock);
	if (err)
		goto out;
	vals = kvmalloc_array(sma->nsems, sizeof(*vals), GFP_KERNEL);
	err = -ENOMEM;
	if (!vals)
		goto out;
	if (cmd == SETALL) {
		err = -EFAULT;
		if (copy_from_user(vals, array, sma->nsems * sizeof(*vals)))
			goto out;
		err = -ERANGE;
		for (i = 0; i < sma->nsems; i++)
			if (vals[i] > SEMVMX)
				goto out;
	}
	err = 0;
	spin_lock(&obj->lock);
	if (obj->deleted) {
		err = -EIDRM;
	} else if (cmd == GETALL) {
		/* A snapshot of every value at one instant. */
		sem_freeze_all(sma);
		for (i = 0; i < sma->nsems; i++)
			vals[i] = sma->sems[i].val;
	} else {
		sem_freeze_all(sma);
		for (i = 0; i < sma->nsems; i++) {
			sma->sems[i].val = vals[i];
			sem_set_pid(sma, i, task_tgid(current));
		}
		list_for_each_entry(un, &sma->undos, list_id)
			memset(un->semadj, 0, sma->nsems * sizeof(short));
		sma->ctime = ktime_get_real_seconds();
		sem_update(sma, NULL, 0, false, &wake);
	}
	sem_unlock(sma);
	sem_wake_all(&wake);
	if (!err && cmd == GETALL &&
	    copy_to_user(array, vals, sma->nsems * sizeof(*vals)))
		err = -EFAULT;
out:
	kvfree(vals);
	sysvipc_obj_put(obj);
	return err;
}

long sysvipc_semctl(const void __user *argp)
{
	struct sysvipc_ctl c;
	void __user *buf;
	int err;

	err = sysvipc_copy_ctl(&c, argp);
	if (err)
		return err;
	if (c.id < 0)
		return -EINVAL;
	buf = u64_to_user_ptr(c.arg);

	switch (c.cmd) {
	case IPC_INFO:
	case SEM_INFO:
		return sem_info(c.cmd, buf);
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
	case IPC_SET:
	case IPC_RMID:
		return sem_ctl_obj(c.id, c.cmd, buf);
	case GETALL:
	case SETALL:
		return sem_all(c.id, c.cmd, buf);
	case GETVAL:
	case GETPID:
	case GETNCNT:
	case GETZCNT:
		return sem_getone(c.id, c.semnum, c.cmd);
	case SETVAL:
		/* The value is an int; on little-endian, the low half of arg. */
		return sem_setval(c.id, c.semnum, (int)c.arg);
	default:
		return -EINVAL;
	}
}

/* ---- object fds (kmod/objfd.c) ---- */

/* A set for a semaphore fd whose operation is on semaphore @semnum. */
struct sysvipc_obj *sysvipc_sem_fd_obj(int id, int acc, int semnum)
{
	struct sysvipc_obj *obj = sysvipc_obtain_may(&sem_ids, id, acc);

	/* nsems is fixed: checked once, as semop would each time. */
	if (!IS_ERR(obj) && semnum >= to_sem(obj)->nsems) {
		sysvipc_obj_put(obj);
		return ERR_PTR(-EFBIG);
	}
	return obj;
}

/* read() of a semaphore fd: the fd's operation, as semop would do it. */
long sysvipc_sem_fd_op(struct sysvipc_obj *obj, const struct sembuf *op,
		       bool nowait)
{
	struct sembuf sop = *op;
	long err;

	if (nowait)
		sop.sem_flg |= IPC_NOWAIT;
	err = sem_do_semop(obj->id, &sop, 1, NULL);
	/* The id names nothing once the set is gone: say why. */
	if (err == -EINVAL && READ_ONCE(obj->deleted))
		err = -EIDRM;
	return err;
}

/* poll() of a semaphore fd: would the operation proceed now? */
__poll_t sysvipc_sem_fd_poll(struct sysvipc_obj *obj, const struct sembuf *op)
{
	struct sysvipc_sem *sma = to_sem(obj);
	__poll_t mask = 0;
	int val, num;

	spin_lock(&obj->lock);
	if (obj->deleted) {
		mask = EPOLLERR | EPOLLHUP;
	} else {
		num = array_index_nospec(op->sem_num, sma->nsems);
		/*
		 * A poller queued on poll_wq (poll_wait() came first) keeps
		 * the set slow until it goes, so no change escapes it.
		 */
		if (wq_has_sleeper(&obj->poll_wq))
			sem_freeze_all(sma);
		else
			sem_freeze(sma, num);
		val = sma->sems[num].val;
		if (op->sem_op > 0 || (op->sem_op < 0 && val >= -op->sem_op) ||
		    (!op->sem_op && !val))
			mask = EPOLLIN | EPOLLRDNORM;
	}
	sem_unlock(sma);
	return mask;
}

/* Module exit: no file is open, so nobody waits and no undo list exists. */
static void sem_remove_on_exit(struct sysvipc_obj *obj)
{
	struct sem_wake wake = SEM_WAKE_INIT(wake);

	spin_lock(&obj->lock);
	sem_rmid(obj, &wake);
	spin_unlock(&obj->lock);
	WARN_ON(wake.first);
	sysvipc_obj_put(obj);
}

int sysvipc_sem_init(void)
{
	sysvipc_ids_init(&sem_ids, sem_release);
	return 0;
}

void sysvipc_sem_exit(void)
{
	sysvipc_ids_destroy(&sem_ids, sem_remove_on_exit);
}

/* The status file /proc/driver/sysvipc/sem (kmod/proc.c). */
struct sysvipc_ids *sysvipc_sem_ids(void)
{
	return &sem_ids;
}

/* One line in the format of the kernel's sysvipc_sem_proc_show(). */
void sysvipc_sem_proc_show(struct seq_file *s, struct sysvipc_obj *obj,
			   struct pid_namespace *pid_ns)
{
	struct user_namespace *user_ns = seq_user_ns(s);
	struct sysvipc_sem *sma = to_sem(obj);

	spin_lock(&obj->lock);
	seq_printf(s, "%10d %10d  %4o %10u %5u %5u %5u %5u %10llu %10llu\n",
		   obj->key, obj->id, obj->mode, sma->nsems,
		   from_kuid_munged(user_ns, obj->uid),
		   from_kgid_munged(user_ns, obj->gid),
		   from_kuid_munged(user_ns, obj->cuid),
		   from_kgid_munged(user_ns, obj->cgid),
		   sem_otime(sma), sma->ctime);
	spin_unlock(&obj->lock);
}

/* ---- checkpoint/restore of undo lists ---- */

/*
 * Serialises SYSVIPC_IOC_UNDO_SET calls: installing a list is a sequence
 * of steps (clear, link set by set) that must not interleave with another
 * restore of the same process.  Taken before any spinlock.
 */
static DEFINE_MUTEX(undo_set_mutex);

/* The target of an undo ioctl, with a reference, if the caller may. */
static struct task_struct *undo_target(pid_t nr, bool write)
{
	struct task_struct *tsk;
	int err;

	if (nr < 0)
		return ERR_PTR(-ESRCH);
	if (!nr) {
		tsk = current;
		get_task_struct(tsk);
	} else {
		rcu_read_lock();
		tsk = pid_task(find_vpid(nr), PIDTYPE_PID);
		if (tsk)
			get_task_struct(tsk);
		rcu_read_unlock();
		if (!tsk)
			return ERR_PTR(-ESRCH);
	}
	err = sysvipc_undo_may(tsk, write);
	if (err) {
		put_task_struct(tsk);
		return ERR_PTR(err);
	}
	return tsk;
}

static int undo_copy_io(struct sysvipc_undo_io *io, const void __user *argp)
{
	if (copy_from_user(io, argp, sizeof(*io)))
		return -EFAULT;
	if (io->reserved[0] || io->reserved[1])
		return -EINVAL;
	if (io->count > SYSVIPC_UNDO_MAX)
		return -E2BIG;
	return 0;
}

static void undo_emit(struct sysvipc_undo_entry *ents, u32 room, u32 *n,
		      int semid, int semnum, short adj)
{
	if (*n < room) {
		ents[*n].semid = semid;
		ents[*n].semnum = semnum;
		ents[*n].adj = adj;
	}
	(*n)++;
}

/*
 * SYSVIPC_IOC_UNDO_GET.  The sets are walked in index order under RCU;
 * each is locked while its entry is read, so every set's adjustments are
 * consistent (those of different sets are not taken at one instant; the
 * target is expected to be stopped).
 */
long sysvipc_undo_get(void __user *argp)
{
	struct sysvipc_undo_entry *ents = NULL;
	struct sysvipc_undo_io io;
	struct sysvipc_undo_list *ulp;
	struct task_struct *tsk;
	struct sysvipc_undo *un;
	struct sysvipc_obj *obj;
	struct sysvipc_sem *sma;
	unsigned long idx;
	u32 n = 0, room;
	long err;
	int i;
	bool any;

	err = undo_copy_io(&io, argp);
	if (err)
		return err;
	room = io.count;
	tsk = undo_target(io.pid, false);
	if (IS_ERR(tsk))
		return PTR_ERR(tsk);
	if (room) {
		ents = kvcalloc(room, sizeof(*ents), GFP_KERNEL);
		err = -ENOMEM;
		if (!ents)
			goto out;
	}

	rcu_read_lock();
	ulp = sysvipc_undo_list_of(tsk);
	if (ulp) {
		xa_for_each(&sem_ids.objs, idx, obj) {
			sma = to_sem(obj);
			spin_lock(&obj->lock);
			un = obj->deleted ? NULL :
			     sysvipc_undo_find(ulp, obj->id);
			any = false;
			for (i = 0; un && i < sma->nsems; i++) {
				if (un->semadj[i]) {
					undo_emit(ents, room, &n, obj->id, i,
						  un->semadj[i]);
					any = true;
				}
			}
			/* An entry with no adjustment still counts. */
			if (un && !any)
				undo_emit(ents, room, &n, obj->id, 0, 0);
			spin_unlock(&obj->lock);
		}
	}
	rcu_read_unlock();

	err = -EFAULT;
	if (copy_to_user(u64_to_user_ptr(io.entries), ents,
			 min(n, room) * sizeof(*ents)))
		goto out;
	if (put_user(n, &((struct sysvipc_undo_io __user *)argp)->count))
		goto out;
	err = n;
out:
	kvfree(ents);
	put_task_struct(tsk);
	return err;
}

static int undo_entry_cmp(const void *a, const void *b)
{
	const struct sysvipc_undo_entry *x = a, *y = b;

	if (x->semid != y->semid)
		return x->semid < y->semid ? -1 : 1;
	return (int)x->semnum - (int)y->semnum;
}

/* Drop every entry of @ulp, set by set; under rcu_read_lock(). */
static void undo_clear(struct sysvipc_undo_list *ulp)
{
	struct sysvipc_undo *un;
	struct sysvipc_obj *obj;
	unsigned long idx;

	xa_for_each(&sem_ids.objs, idx, obj) {
		spin_lock(&obj->lock);
		un = obj->deleted ? NULL : sysvipc_undo_find(ulp, obj->id);
		if (un) {
			list_del(&un->list_id);
			sysvipc_undo_unlink(un);
			kvfree_rcu(un, rcu);
		}
		spin_unlock(&obj->lock);
	}
}

/*
 * SYSVIPC_IOC_UNDO_SET.  Checks and allocates everything first (one entry
 * per distinct set, sized for it), then under RCU clears the target's list
 * and links the new entries, each under its set's lock.
 */
long sysvipc_undo_set(const void __user *argp)
{
	struct sysvipc_undo_entry *ents = NULL;
	struct sysvipc_undo **uns = NULL;
	struct sysvipc_undo_list *ulp, *new = NULL;
	struct sysvipc_undo_io io;
	struct task_struct *tsk;
	struct sysvipc_obj *obj;
	u32 i, j, nsets = 0;
	int nsems, num;
	long err;

	err = undo_copy_io(&io, argp);
	if (err)
		return err;
	if (io.count) {
		ents = kvmalloc_array(io.count, sizeof(*ents), GFP_KERNEL);
		if (!ents)
			return -ENOMEM;
		if (copy_from_user(ents, u64_to_user_ptr(io.entries),
				   io.count * sizeof(*ents))) {
			kvfree(ents);
			return -EFAULT;
		}
		sort(ents, io.count, sizeof(*ents), undo_entry_cmp, NULL);
	}
	tsk = undo_target(io.pid, true);
	if (IS_ERR(tsk)) {
		kvfree(ents);
		return PTR_ERR(tsk);
	}
	mutex_lock(&undo_set_mutex);

	/* Validate, and count the sets. */
	err = -EINVAL;
	for (i = 0; i < io.count; i++) {
		if (i && !undo_entry_cmp(&ents[i - 1], &ents[i]))
			goto out;
		if (!i || ents[i - 1].semid != ents[i].semid)
			nsets++;
	}
	err = -ENOMEM;
	uns = kvcalloc(nsets, sizeof(*uns), GFP_KERNEL);
	if (nsets && !uns)
		goto out;
	for (i = 0, j = 0; i < io.count; i = num, j++) {
		rcu_read_lock();
		obj = sysvipc_obtain(&sem_ids, ents[i].semid);
		if (IS_ERR(obj)) {
			rcu_read_unlock();
			err = PTR_ERR(obj);
			goto out;
		}
		spin_lock(&obj->lock);
		nsems = to_sem(obj)->nsems;
		err = 0;
		if (!sysvipc_may(obj, 0222))
			err = -EACCES;
		else if (obj->deleted)
			err = -EIDRM;
		spin_unlock(&obj->lock);
		rcu_read_unlock();
		if (err)
			goto out;
		for (num = i; num < io.count && ents[num].semid == ents[i].semid;
		     num++) {
			err = -EFBIG;
			if (ents[num].semnum >= nsems)
				goto out;
		}
		err = -ENOMEM;
		uns[j] = kvzalloc(struct_size(uns[j], semadj, nsems),
				  GFP_KERNEL_ACCOUNT);
		if (!uns[j])
			goto out;
		uns[j]->nsems = nsems;
		for (; i < num; i++)
			uns[j]->semadj[ents[i].semnum] = ents[i].adj;
		uns[j]->semid = ents[num - 1].semid;
	}
	new = sysvipc_undo_list_alloc();
	err = -ENOMEM;
	if (!new)
		goto out;

	rcu_read_lock();
	ulp = sysvipc_undo_list_other(tsk, new);
	new = NULL;
	err = PTR_ERR_OR_ZERO(ulp);
	if (!err)
		undo_clear(ulp);
	for (j = 0; !err && j < nsets; j++) {
		struct sysvipc_sem *sma;

		obj = sysvipc_obtain(&sem_ids, uns[j]->semid);
		if (IS_ERR(obj)) {
			err = -EIDRM;
			break;
		}
		sma = to_sem(obj);
		spin_lock(&obj->lock);
		if (obj->deleted) {
			err = -EIDRM;
		} else if (!sysvipc_undo_link_other(ulp, uns[j], obj->id)) {
			err = -ESRCH;
		} else {
			list_add(&uns[j]->list_id, &sma->undos);
			uns[j] = NULL;
		}
		spin_unlock(&obj->lock);
	}
	/* A set went away meanwhile: leave the list empty, as documented. */
	if (err == -EIDRM)
		undo_clear(ulp);
	rcu_read_unlock();
out:
	mutex_unlock(&undo_set_mutex);
	for (j = 0; uns && j < nsets; j++)
		kvfree(uns[j]);
	kvfree(uns);
	kvfree(ents);
	put_task_struct(tsk);
	return err;
}

/* SYSVIPC_IOC_RESTORE of a set (kmod/cr.c). */
long sysvipc_sem_restore(int id, struct sysvipc_restore_k *k)
{
	struct sem_wake wake = SEM_WAKE_INIT(wake);
	struct sysvipc_obj *obj;
	struct sysvipc_sem *sma;
	long err = 0;
	u32 i;

	down_write(&sem_ids.rwsem);
	obj = sysvipc_obtain(&sem_ids, id);
	if (IS_ERR(obj)) {
		up_write(&sem_ids.rwsem);
		return PTR_ERR(obj);
	}
	sma = to_sem(obj);
	spin_lock(&obj->lock);
	if (obj->deleted) {
		err = -EIDRM;
	} else if (k->nsems != sma->nsems) {
		err = -EINVAL;
	} else {
		sysvipc_restore_perm(obj, k);
		/* The module owns every value while it sets them. */
		sem_freeze_all(sma);
		for (i = 0; i < k->nsems; i++) {
			sma->sems[i].val = k->vals[i];
			sem_set_pid(sma, i, k->sem_pids[i]);
		}
		sem_update(sma, NULL, 0, false, &wake);
		sma->otime = k->time[0];
		if (sma->fpage)
			WRITE_ONCE(sma->fhdr->otime, k->time[0]);
		sma->ctime = k->time[1];
	}
	sem_unlock(sma);
	/* Under the registry lock, which keeps the set listed and alive. */
	sem_wake_all(&wake);
	up_write(&sem_ids.rwsem);
	return err;
}
