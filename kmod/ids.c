// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: the object registry shared by the three IPC types.
 *
 * Ids are seq * 32768 + index as in the kernel: indexes are handed out
 * cyclically over a window that grows with the number of objects in use,
 * and the sequence number goes up each time the search wraps, so a stale
 * id of a removed object fails with EINVAL instead of naming a new one.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/ipc_namespace.h>
#include <linux/nsproxy.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/stat.h>

#include "sysvipc.h"

void sysvipc_ids_init(struct sysvipc_ids *ids,
		      void (*release)(struct sysvipc_obj *obj))
{
	init_rwsem(&ids->rwsem);
	xa_init_flags(&ids->objs, XA_FLAGS_ALLOC);
	hash_init(ids->keys);
	ids->in_use = 0;
	ids->max_idx = -1;
	ids->last_idx = -1;
	ids->next_idx = 0;
	ids->at_id = -1;
	ids->seq = 0;
	ids->release = release;
}

/*
 * Module exit: nothing can reach the objects any more; drop them all.
 * @remove, if the type needs more than unlisting (waking waiters), does
 * the whole removal; without it each object is unlisted under its lock
 * and the registry's reference dropped.
 */
void sysvipc_ids_destroy(struct sysvipc_ids *ids,
			 void (*remove)(struct sysvipc_obj *obj))
{
	struct sysvipc_obj *obj;
	unsigned long idx;

	down_write(&ids->rwsem);
	xa_for_each(&ids->objs, idx, obj) {
		if (remove) {
			remove(obj);
			continue;
		}
		spin_lock(&obj->lock);
		sysvipc_ids_remove(ids, obj);
		spin_unlock(&obj->lock);
		sysvipc_obj_put(obj);
	}
	up_write(&ids->rwsem);
	WARN_ON(ids->in_use);
	xa_destroy(&ids->objs);
}

static struct sysvipc_obj *sysvipc_find_key(struct sysvipc_ids *ids,
					    key_t key)
{
	struct sysvipc_obj *obj;

	lockdep_assert_held(&ids->rwsem);
	hash_for_each_possible(ids->keys, obj, key_node, key)
		if (obj->key == key)
			return obj;
	return NULL;
}

/* The user namespace that owns the caller's IPC namespace. */
struct user_namespace *sysvipc_user_ns(void)
{
	return current->nsproxy->ipc_ns->user_ns;
}

/*
 * Owner, group and other bits against @flag's low nine bits, like the
 * kernel's ipcperms(): any requested bit missing from the class that
 * applies denies, unless the caller has CAP_IPC_OWNER.
 */
bool sysvipc_may(struct sysvipc_obj *obj, int flag)
{
	kuid_t euid = current_euid();
	int requested = (flag >> 6) | (flag >> 3) | flag;
	int granted = obj->mode;

	if (uid_eq(euid, obj->cuid) || uid_eq(euid, obj->uid))
		granted >>= 6;
	else if (in_group_p(obj->cgid) || in_group_p(obj->gid))
		granted >>= 3;
	if (requested & ~granted & 0007)
		return ns_capable(sysvipc_user_ns(), CAP_IPC_OWNER);
	return true;
}

/*
 * *get: the kernel's ipcget() rules for IPC_PRIVATE, IPC_CREAT, IPC_EXCL.
 * With @at_id >= 0 (SYSVIPC_GET_AT_ID, permission checked by the caller)
 * only a new object will do, and sysvipc_ids_add() puts it at that id.
 */
int sysvipc_ids_get(struct sysvipc_ids *ids, key_t key, int flg, u64 size,
		    const struct sysvipc_get_ops *ops, void *priv, int at_id)
{
	struct sysvipc_obj *obj;
	int err;

	if (at_id >= 0 && key != IPC_PRIVATE &&
	    (flg & (IPC_CREAT | IPC_EXCL)) != (IPC_CREAT | IPC_EXCL))
		return -EINVAL;
	down_write(&ids->rwsem);
	ids->at_id = at_id;
	obj = key == IPC_PRIVATE ? NULL : sysvipc_find_key(ids, key);
	if (!obj) {
		if (key == IPC_PRIVATE || (flg & IPC_CREAT))
			err = ops->create(ids, key, flg, size, priv);
		else
			err = -ENOENT;
	} else if ((flg & IPC_CREAT) && (flg & IPC_EXCL)) {
		err = -EEXIST;
	} else {
		err = ops->more_checks ? ops->more_checks(obj, size) : 0;
		if (!err) {
			spin_lock(&obj->lock);
			err = sysvipc_may(obj, flg) ? obj->id : -EACCES;
			spin_unlock(&obj->lock);
		}
	}
	ids->at_id = -1;
	up_write(&ids->rwsem);
	return err;
}

static int sysvipc_alloc_idx(struct sysvipc_ids *ids, u32 *idx)
{
	int window = max(ids->in_use * 3 / 2, SYSVIPC_MIN_CYCLE);
	int err;

	window = min(window, SYSVIPC_IDX_MAX);
	/* Reserve the slot empty; the object is stored once its id is set. */
	err = xa_alloc_cyclic(&ids->objs, idx, NULL, XA_LIMIT(0, window - 1),
			      &ids->next_idx, GFP_KERNEL_ACCOUNT);
	return err < 0 ? err : 0;
}

/*
 * Publish a fully initialised object.  Called with ids->rwsem held for
 * writing, by the type's create().  On success the registry owns the one
 * reference the object starts with, and its id is returned.
 */
int sysvipc_ids_add(struct sysvipc_ids *ids, struct sysvipc_obj *obj,
		    key_t key, int flg, int limit)
{
	u32 idx;
	int err;

	lockdep_assert_held_write(&ids->rwsem);
	if (limit > SYSVIPC_IDX_MAX)
		limit = SYSVIPC_IDX_MAX;
	if (ids->in_use >= limit)
		return -ENOSPC;

	spin_lock_init(&obj->lock);
	init_waitqueue_head(&obj->poll_wq);
	obj->deleted = false;
	obj->key = key;
	obj->mode = flg & 0777;
	current_euid_egid(&obj->uid, &obj->gid);
	obj->cuid = obj->uid;
	obj->cgid = obj->gid;
	refcount_set(&obj->refs, 1);
	obj->ids = ids;

	if (ids->at_id >= 0) {
		/*
		 * Restore at a chosen id: exactly that slot (EBUSY if taken)
		 * and sequence number; the cyclic search is left alone.
		 */
		idx = ids->at_id & (SYSVIPC_IDX_MAX - 1);
		err = xa_insert(&ids->objs, idx, NULL, GFP_KERNEL_ACCOUNT);
		if (err)
			return err;
		obj->seq = ids->at_id >> SYSVIPC_IDX_SHIFT;
		goto publish;
	}
	err = sysvipc_alloc_idx(ids, &idx);
	if (err)
		return err == -EBUSY ? -ENOSPC : err;
	if ((int)idx <= ids->last_idx) {
		if (++ids->seq >= SYSVIPC_SEQ_MAX)
			ids->seq = 0;
	}
	ids->last_idx = idx;
	obj->seq = ids->seq;
publish:
	obj->id = (obj->seq << SYSVIPC_IDX_SHIFT) + idx;
	/* The slot exists, so this store allocates nothing and cannot fail. */
	xa_store(&ids->objs, idx, obj, GFP_KERNEL);

	if (key != IPC_PRIVATE)
		hash_add(ids->keys, &obj->key_node, key);
	ids->in_use++;
	if ((int)idx > ids->max_idx)
		ids->max_idx = idx;
	return obj->id;
}

/*
 * Unlist an object: new lookups fail, current holders see @deleted.  Called
 * with ids->rwsem held for writing and obj->lock held; the caller drops the
 * registry's reference afterwards.
 */
void sysvipc_ids_remove(struct sysvipc_ids *ids, struct sysvipc_obj *obj)
{
	int idx = obj->id & (SYSVIPC_IDX_MAX - 1);

	lockdep_assert_held_write(&ids->rwsem);
	lockdep_assert_held(&obj->lock);
	xa_erase(&ids->objs, idx);
	if (obj->key != IPC_PRIVATE)
		hash_del(&obj->key_node);
	obj->deleted = true;
	ids->in_use--;
	if (idx == ids->max_idx) {
		while (--idx >= 0 && !xa_load(&ids->objs, idx))
			;
		ids->max_idx = idx;
	}
}

/* The key stops naming the object (IPC_RMID of an attached segment). */
void sysvipc_ids_set_key_private(struct sysvipc_ids *ids,
				 struct sysvipc_obj *obj)
{
	lockdep_assert_held_write(&ids->rwsem);
	if (obj->key != IPC_PRIVATE)
		hash_del(&obj->key_node);
	obj->key = IPC_PRIVATE;
}

/* Highest index in use, or -1: the kernel's ipc_get_maxidx(). */
int sysvipc_ids_maxidx(struct sysvipc_ids *ids)
{
	lockdep_assert_held(&ids->rwsem);
	if (!ids->in_use)
		return -1;
	return ids->max_idx;
}

/*
 * Lookup by index only (the *_STAT commands) and by full id.  Both run
 * under rcu_read_lock(); the caller then takes obj->lock and tests
 * obj->deleted, or takes a reference.
 */
struct sysvipc_obj *sysvipc_obtain_idx(struct sysvipc_ids *ids, int idx)
{
	struct sysvipc_obj *obj;

	obj = xa_load(&ids->objs, idx & (SYSVIPC_IDX_MAX - 1));
	return obj ?: ERR_PTR(-EINVAL);
}

struct sysvipc_obj *sysvipc_obtain(struct sysvipc_ids *ids, int id)
{
	struct sysvipc_obj *obj;

	if (id < 0)
		return ERR_PTR(-EINVAL);
	obj = sysvipc_obtain_idx(ids, id);
	if (!IS_ERR(obj) && obj->id != id)
		return ERR_PTR(-EINVAL);
	return obj;
}

/*
 * IPC_SET and IPC_RMID: the object by id, if the caller is its owner or
 * creator or has CAP_SYS_ADMIN.  Called with ids->rwsem held for writing,
 * which keeps the object listed; uid and cuid cannot change under it.
 */
struct sysvipc_obj *sysvipc_obtain_owner(struct sysvipc_ids *ids, int id)
{
	struct sysvipc_obj *obj;
	kuid_t euid = current_euid();

	lockdep_assert_held_write(&ids->rwsem);
	obj = sysvipc_obtain(ids, id);
	if (IS_ERR(obj))
		return obj;
	if (uid_eq(euid, obj->cuid) || uid_eq(euid, obj->uid) ||
	    ns_capable(sysvipc_user_ns(), CAP_SYS_ADMIN))
		return obj;
	return ERR_PTR(-EPERM);
}

/* IPC_SET of the ipc_perm part; obj->lock held. */
int sysvipc_update_perm(struct sysvipc_obj *obj, const struct ipc64_perm *in)
{
	kuid_t uid = make_kuid(current_user_ns(), in->uid);
	kgid_t gid = make_kgid(current_user_ns(), in->gid);

	lockdep_assert_held(&obj->lock);
	if (!uid_valid(uid) || !gid_valid(gid))
		return -EINVAL;
	obj->uid = uid;
	obj->gid = gid;
	obj->mode = (obj->mode & ~0777) | (in->mode & 0777);
	return 0;
}

/*
 * SYSVIPC_IOC_RESTORE's ipc_perm part.  ids->rwsem held for writing (cuid
 * and cgid change, see sysvipc_obtain_owner()) and obj->lock held.
 */
void sysvipc_restore_perm(struct sysvipc_obj *obj,
			  const struct sysvipc_restore_k *k)
{
	lockdep_assert_held_write(&obj->ids->rwsem);
	lockdep_assert_held(&obj->lock);
	obj->uid = k->uid;
	obj->gid = k->gid;
	obj->cuid = k->cuid;
	obj->cgid = k->cgid;
	obj->mode = (obj->mode & ~0777) | (k->mode & 0777);
}

/* The ipc_perm part of an IPC_STAT reply; obj->lock held. */
void sysvipc_fill_perm(struct sysvipc_obj *obj, struct ipc64_perm *out)
{
	struct user_namespace *ns = current_user_ns();

	lockdep_assert_held(&obj->lock);
	out->key = obj->key;
	out->uid = from_kuid_munged(ns, obj->uid);
	out->gid = from_kgid_munged(ns, obj->gid);
	out->cuid = from_kuid_munged(ns, obj->cuid);
	out->cgid = from_kgid_munged(ns, obj->cgid);
	out->mode = obj->mode;
	out->seq = obj->seq;
}

void sysvipc_obj_put(struct sysvipc_obj *obj)
{
	if (refcount_dec_and_test(&obj->refs))
		obj->ids->release(obj);
}

/*
 * The *_STAT and IPC_STAT commands: finds the object by id (IPC_STAT) or by
 * index (the others), checks that the caller may read it unless @cmd is
 * @stat_any_cmd, and lets @fill copy its state out under obj->lock.
 * Returns 0 for IPC_STAT and the full id for the others, like the kernel.
 */
long sysvipc_stat(struct sysvipc_ids *ids, int id, int cmd, int stat_any_cmd,
		  void (*fill)(struct sysvipc_obj *obj, void *buf), void *buf)
{
	struct sysvipc_obj *obj;
	long ret;

	rcu_read_lock();
	if (cmd == IPC_STAT)
		obj = sysvipc_obtain(ids, id);
	else
		obj = sysvipc_obtain_idx(ids, id);
	if (IS_ERR(obj)) {
		rcu_read_unlock();
		return PTR_ERR(obj);
	}
	spin_lock(&obj->lock);
	if (cmd != stat_any_cmd && !sysvipc_may(obj, 0444)) {
		ret = -EACCES;
	} else if (obj->deleted) {
		ret = -EIDRM;
	} else {
		fill(obj, buf);
		ret = cmd == IPC_STAT ? 0 : obj->id;
	}
	spin_unlock(&obj->lock);
	rcu_read_unlock();
	return ret;
}

/*
 * IPC_SET and IPC_RMID: with ids->rwsem held for writing, finds the object,
 * checks that the caller owns or created it (or has CAP_SYS_ADMIN) and
 * calls @fn under obj->lock.  If @fn unlisted the object, the registry's
 * reference is dropped once the locks are released.
 */
long sysvipc_down(struct sysvipc_ids *ids, int id,
		  long (*fn)(struct sysvipc_obj *obj, void *arg), void *arg)
{
	struct sysvipc_obj *obj;
	bool removed;
	long ret;

	down_write(&ids->rwsem);
	obj = sysvipc_obtain_owner(ids, id);
	if (IS_ERR(obj)) {
		up_write(&ids->rwsem);
		return PTR_ERR(obj);
	}
	spin_lock(&obj->lock);
	ret = fn(obj, arg);
	removed = obj->deleted;
	spin_unlock(&obj->lock);
	up_write(&ids->rwsem);
	if (removed) {
		/* The registry's reference still keeps it alive here. */
		sysvipc_poll_wake(obj, EPOLLERR | EPOLLHUP);
		sysvipc_obj_put(obj);
	}
	return ret;
}

/*
 * The object by id with a reference of the caller's own, for paths that
 * sleep (copying large buffers, waiting).  EIDRM when it is being removed.
 */
struct sysvipc_obj *sysvipc_obtain_ref(struct sysvipc_ids *ids, int id)
{
	struct sysvipc_obj *obj;

	rcu_read_lock();
	obj = sysvipc_obtain(ids, id);
	if (!IS_ERR(obj) && !refcount_inc_not_zero(&obj->refs))
		obj = ERR_PTR(-EIDRM);
	rcu_read_unlock();
	return obj;
}

/*
 * The object by id with a reference of the caller's own, if the caller may
 * access it with @acc (sysvipc_may()) and it is listed.  @claim, when
 * given, runs under the same hold of obj->lock as those checks: what must
 * not be separated from them (a segment's attach count, so that an
 * IPC_RMID meanwhile only marks the segment, as in the kernel).
 */
struct sysvipc_obj *sysvipc_obtain_claim(struct sysvipc_ids *ids, int id,
					 int acc,
					 void (*claim)(struct sysvipc_obj *obj))
{
	struct sysvipc_obj *obj;
	int err = 0;

	rcu_read_lock();
	obj = sysvipc_obtain(ids, id);
	if (IS_ERR(obj)) {
		rcu_read_unlock();
		return obj;
	}
	spin_lock(&obj->lock);
	if (!sysvipc_may(obj, acc)) {
		err = -EACCES;
	} else if (obj->deleted) {
		err = -EIDRM;
	} else {
		sysvipc_obj_get(obj);
		if (claim)
			claim(obj);
	}
	spin_unlock(&obj->lock);
	rcu_read_unlock();
	return err ? ERR_PTR(err) : obj;
}

/* An object fd for @id: sysvipc_obtain_claim() without a claim. */
struct sysvipc_obj *sysvipc_obtain_may(struct sysvipc_ids *ids, int id,
				       int acc)
{
	return sysvipc_obtain_claim(ids, id, acc, NULL);
}
