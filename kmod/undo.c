// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: SEM_UNDO lists and the process-exit hook.
 *
 * The kernel keeps one undo list per process (thread group, through
 * CLONE_SYSVSEM) and applies it in exit_sem() when the last thread exits.
 * A module cannot hook exit_sem(), so it attaches a probe to the
 * sched_process_exit tracepoint, which do_exit() fires right before
 * exit_sem(), after the exiting thread has decremented signal->live: a
 * probe that reads live == 0 runs in the last thread of the process (or in
 * another thread exiting at the same time; whichever takes the list off the
 * hash first applies it).
 *
 * Lists are keyed by the process's signal_struct, which its threads share,
 * which survives exec and which a fork child does not share.  The pointer
 * is only a key: the list leaves the hash in the exit probe of the last
 * thread, before the signal_struct can be freed and reused, and no new list
 * can appear for it afterwards (only a live thread creates one).
 *
 * Module lifetime: an undo list outlives the device file that created it
 * (the library's descriptor is O_CLOEXEC, a program may close it), and the
 * exit probe must find module code when it runs.  So each list holds a
 * module reference from creation until the probe has applied it; the probe
 * drops it last, with preemption disabled (tracepoint probes run that way),
 * and module exit unregisters the probe and waits for running probes with
 * tracepoint_synchronize_unregister().  rmmod therefore fails with EBUSY
 * while any process that used SEM_UNDO on a module set is alive.
 *
 * Probes run with preemption disabled, so applying a list never sleeps:
 * sets are found under RCU and locked with their spinlock, entries are
 * freed with kvfree_rcu().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/hashtable.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/cred.h>
#include <linux/sched/coredump.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/rculist.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#include "sysvipc.h"

struct sysvipc_undo_list {
	struct hlist_node node;		/* in undo_hash, under undo_hash_lock */
	const struct signal_struct *owner;	/* the key, never dereferenced */
	spinlock_t lock;		/* protects @undos and @dead */
	struct list_head undos;		/* struct sysvipc_undo.list_proc */
	/*
	 * Set by the exit probe once the list is off the hash, before it is
	 * drained: sysvipc_undo_link_other() adds nothing to a dead list.
	 */
	bool dead;
	struct rcu_head rcu;
};

#define UNDO_HASH_BITS	8
static DEFINE_HASHTABLE(undo_hash, UNDO_HASH_BITS);
/*
 * Serialises adding and removing lists in undo_hash (and undo_lists);
 * lookups walk the hash under RCU.  Never nests inside a set's lock.
 */
static DEFINE_SPINLOCK(undo_hash_lock);

/* Lists in existence: each holds a module reference. */
static int undo_lists;
module_param(undo_lists, int, 0444);
MODULE_PARM_DESC(undo_lists, "SEM_UNDO lists of live processes (read-only)");

static struct tracepoint *undo_tp;

/* Under rcu_read_lock() or undo_hash_lock. */
static struct sysvipc_undo_list *undo_list_lookup(const struct signal_struct *sig)
{
	struct sysvipc_undo_list *ulp;

	hash_for_each_possible_rcu(undo_hash, ulp, node, (unsigned long)sig,
				   lockdep_is_held(&undo_hash_lock))
		if (ulp->owner == sig)
			return ulp;
	return NULL;
}

/*
 * Make *@newp @sig's list unless it has one already; returns the list in
 * force and clears *@newp when it was used (else the caller frees it).
 * Called from our own device's ioctl, so the module is pinned for the
 * reference the new list takes.
 */
static struct sysvipc_undo_list *
undo_list_publish(const struct signal_struct *sig,
		  struct sysvipc_undo_list **newp)
{
	struct sysvipc_undo_list *ulp, *new = *newp;

	spin_lock(&undo_hash_lock);
	ulp = undo_list_lookup(sig);
	if (!ulp) {
		new->owner = sig;
		spin_lock_init(&new->lock);
		INIT_LIST_HEAD(&new->undos);
		__module_get(THIS_MODULE);
		hash_add_rcu(undo_hash, &new->node, (unsigned long)sig);
		WRITE_ONCE(undo_lists, undo_lists + 1);
		ulp = new;
		*newp = NULL;
	}
	spin_unlock(&undo_hash_lock);
	return ulp;
}

/*
 * The calling process's undo list, created on first use.  It stays valid
 * until the process's last thread exits, so the caller (one of its threads,
 * inside a system call) can use it without a reference.  May sleep.
 */
struct sysvipc_undo_list *sysvipc_undo_list_get(void)
{
	const struct signal_struct *sig = current->signal;
	struct sysvipc_undo_list *ulp, *new;

	rcu_read_lock();
	ulp = undo_list_lookup(sig);
	rcu_read_unlock();
	if (ulp)
		return ulp;

	new = kzalloc(sizeof(*new), GFP_KERNEL_ACCOUNT);
	if (!new)
		return ERR_PTR(-ENOMEM);
	/* Another thread of the process may have been faster. */
	ulp = undo_list_publish(sig, &new);
	kfree(new);
	return ulp;
}

/*
 * The list's entry for set @semid, or NULL.  Entries for one set are added
 * and removed only under that set's lock, which the caller holds; @lock
 * guards the list against changes made for other sets.
 */
struct sysvipc_undo *sysvipc_undo_find(struct sysvipc_undo_list *ulp,
				       int semid)
{
	struct sysvipc_undo *un, *found = NULL;

	spin_lock(&ulp->lock);
	list_for_each_entry(un, &ulp->undos, list_proc) {
		if (un->semid == semid) {
			found = un;
			break;
		}
	}
	spin_unlock(&ulp->lock);
	return found;
}

/* Add @un for set @semid; the set's lock is held. */
void sysvipc_undo_link(struct sysvipc_undo_list *ulp, struct sysvipc_undo *un,
		       int semid)
{
	un->ulp = ulp;
	un->semid = semid;
	spin_lock(&ulp->lock);
	list_add(&un->list_proc, &ulp->undos);
	spin_unlock(&ulp->lock);
}

/* Take @un off its process's list; the set's lock is held. */
void sysvipc_undo_unlink(struct sysvipc_undo *un)
{
	struct sysvipc_undo_list *ulp = un->ulp;

	spin_lock(&ulp->lock);
	list_del(&un->list_proc);
	un->semid = -1;
	spin_unlock(&ulp->lock);
}

/*
 * The credential part of ptrace_may_access(PTRACE_MODE_REALCREDS), which
 * is not exported to modules: the caller's real uid and gid equal all of
 * the target's uids and gids and the target is dumpable, or the caller
 * has CAP_SYS_PTRACE over it.  The LSM hook (Yama ...) is not consulted.
 */
static bool undo_ptrace_like(struct task_struct *tsk)
{
	const struct cred *cred = current_cred(), *tcred;
	struct mm_struct *mm;
	bool ok;

	if (same_thread_group(tsk, current))
		return true;
	rcu_read_lock();
	tcred = __task_cred(tsk);
	ok = (uid_eq(cred->uid, tcred->euid) &&
	      uid_eq(cred->uid, tcred->suid) &&
	      uid_eq(cred->uid, tcred->uid) &&
	      gid_eq(cred->gid, tcred->egid) &&
	      gid_eq(cred->gid, tcred->sgid) &&
	      gid_eq(cred->gid, tcred->gid)) ||
	     ns_capable(tcred->user_ns, CAP_SYS_PTRACE);
	rcu_read_unlock();
	if (!ok)
		return false;
	task_lock(tsk);
	mm = tsk->mm;
	if (mm && get_dumpable(mm) != SUID_DUMP_USER &&
	    !ns_capable(mm->user_ns, CAP_SYS_PTRACE))
		ok = false;
	task_unlock(tsk);
	return ok;
}

/*
 * Checkpoint/restore: may the caller read or replace the undo list of
 * @tsk?  CAP_SYS_ADMIN in the user namespace that owns the caller's IPC
 * namespace, or CAP_CHECKPOINT_RESTORE there plus undo_ptrace_like().
 * Reading and writing need the same: the list reveals what the target did.
 */
int sysvipc_undo_may(struct task_struct *tsk, bool write)
{
	struct user_namespace *ns = sysvipc_user_ns();

	if (ns_capable(ns, CAP_SYS_ADMIN))
		return 0;
	if (!ns_capable(ns, CAP_CHECKPOINT_RESTORE))
		return -EPERM;
	return undo_ptrace_like(tsk) ? 0 : -EPERM;
}

/* The undo list of @tsk's process or NULL; under rcu_read_lock(). */
struct sysvipc_undo_list *sysvipc_undo_list_of(struct task_struct *tsk)
{
	return undo_list_lookup(tsk->signal);
}

/*
 * The undo list of another process (@tsk, whose task_struct the caller
 * holds, which keeps its signal_struct), created from @new if it has none;
 * @new is consumed either way.  Called under rcu_read_lock(), which keeps
 * the list's memory valid until the caller's rcu_read_unlock().  ESRCH if
 * the process has no live thread left.
 *
 * A list created here must not miss the exit probe: we publish it, then
 * read signal->live; the last thread decrements live, then looks the list
 * up.  With a full barrier on each side one of us sees the other: either
 * the probe finds the list, or we see live == 0 and take it back (unless
 * the probe got it first, in which case it is already dead).  The caller
 * serialises these calls (sem.c's undo_set_mutex), so no other caller can
 * have linked entries to a list created here before it is taken back.
 */
struct sysvipc_undo_list *sysvipc_undo_list_other(struct task_struct *tsk,
						  struct sysvipc_undo_list *new)
{
	const struct signal_struct *sig = tsk->signal;
	struct sysvipc_undo_list *ulp, *created;

	ulp = undo_list_publish(sig, &new);
	created = new ? NULL : ulp;
	kfree(new);

	/* Pairs with atomic_dec_and_test(&sig->live) in do_exit(). */
	smp_mb();
	if (atomic_read(&tsk->signal->live))
		return ulp;
	/* A list that was there already is the probe's to apply. */
	if (!created)
		return ERR_PTR(-ESRCH);

	spin_lock(&undo_hash_lock);
	if (undo_list_lookup(sig) == created) {
		hash_del_rcu(&created->node);
		WRITE_ONCE(undo_lists, undo_lists - 1);
	} else {
		created = NULL;	/* the probe has it */
	}
	spin_unlock(&undo_hash_lock);
	if (created) {
		/*
		 * Nothing is linked to it: only this function and the
		 * process's own threads, of which none is left, had it.
		 */
		kfree_rcu(created, rcu);
		module_put(THIS_MODULE);
	}
	return ERR_PTR(-ESRCH);
}

struct sysvipc_undo_list *sysvipc_undo_list_alloc(void)
{
	return kzalloc(sizeof(struct sysvipc_undo_list), GFP_KERNEL_ACCOUNT);
}

/*
 * sysvipc_undo_link() for a list that may belong to another process, which
 * may be exiting: false, and nothing linked, once the probe has taken the
 * list.  The set's lock is held.
 */
bool sysvipc_undo_link_other(struct sysvipc_undo_list *ulp,
			     struct sysvipc_undo *un, int semid)
{
	bool ok;

	un->ulp = ulp;
	un->semid = semid;
	spin_lock(&ulp->lock);
	ok = !ulp->dead;
	if (ok)
		list_add(&un->list_proc, &ulp->undos);
	spin_unlock(&ulp->lock);
	return ok;
}

/* The set id of the list's first entry, or -1 when it is empty. */
static int undo_first_semid(struct sysvipc_undo_list *ulp)
{
	struct sysvipc_undo *un;
	int semid;

	spin_lock(&ulp->lock);
	un = list_first_entry_or_null(&ulp->undos, struct sysvipc_undo,
				      list_proc);
	semid = un ? un->semid : -1;
	spin_unlock(&ulp->lock);
	return semid;
}

/*
 * sched_process_exit, for every exiting task; preemption is disabled.
 * Only the last thread of a process with an undo list has work to do.
 */
static void undo_exit_probe(void *data, struct task_struct *p)
{
	const struct signal_struct *sig = p->signal;
	struct sysvipc_undo_list *ulp;
	int semid;

	if (atomic_read(&p->signal->live))
		return;
	rcu_read_lock();
	ulp = undo_list_lookup(sig);
	rcu_read_unlock();
	if (!ulp)
		return;

	spin_lock(&undo_hash_lock);
	ulp = undo_list_lookup(sig);
	if (ulp) {
		hash_del_rcu(&ulp->node);
		WRITE_ONCE(undo_lists, undo_lists - 1);
	}
	spin_unlock(&undo_hash_lock);
	if (!ulp)
		return;
	spin_lock(&ulp->lock);
	ulp->dead = true;
	spin_unlock(&ulp->lock);

	/*
	 * Each step removes the first entry: it applies it, or finds that
	 * IPC_RMID of its set (which unlinks the entry first) got there before.
	 */
	while ((semid = undo_first_semid(ulp)) >= 0)
		sysvipc_sem_undo_exit(ulp, semid);

	kfree_rcu(ulp, rcu);
	/* Last: module exit waits for this probe to return. */
	module_put(THIS_MODULE);
}

static void undo_find_tracepoint(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "sched_process_exit"))
		*(struct tracepoint **)priv = tp;
}

int sysvipc_undo_init(void)
{
	for_each_kernel_tracepoint(undo_find_tracepoint, &undo_tp);
	if (!undo_tp) {
		pr_err("no sched_process_exit tracepoint\n");
		return -ENOENT;
	}
	return tracepoint_probe_register(undo_tp, undo_exit_probe, NULL);
}

/*
 * Module exit: no list can exist (each pins the module), so only the
 * probe is left to remove, and probes still running to wait for.
 */
void sysvipc_undo_exit(void)
{
	tracepoint_probe_unregister(undo_tp, undo_exit_probe, NULL);
	tracepoint_synchronize_unregister();
	WARN_ON(undo_lists);
}
