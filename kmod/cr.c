// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: SYSVIPC_IOC_RESTORE, the state IPC_SET cannot set, for
 * checkpoint/restore.  Here the argument is checked and converted (ids,
 * pids, values); each type sets it under its object's lock.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/pid.h>
#include <linux/sem.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <linux/sysvipc.h>
#include "sysvipc.h"

/* A pid number in the caller's namespace: its struct pid, or NULL. */
static struct pid *cr_pid(s32 nr)
{
	return nr > 0 ? find_get_pid(nr) : NULL;
}

static void cr_put(struct sysvipc_restore_k *k)
{
	u32 i;

	put_pid(k->pid[0]);
	put_pid(k->pid[1]);
	for (i = 0; k->sem_pids && i < k->nsems; i++)
		put_pid(k->sem_pids[i]);
	kvfree(k->sem_pids);
	kvfree(k->vals);
}

/* The semaphores: values checked, pids looked up. */
static long cr_sems(struct sysvipc_restore_k *k, const struct sysvipc_restore *r)
{
	struct sysvipc_restore_sem *in;
	long err = 0;
	u32 i;

	if (!r->nsems || r->nsems > SYSVIPC_RESTORE_SEMS_MAX)
		return -EINVAL;
	in = kvmalloc_array(r->nsems, sizeof(*in), GFP_KERNEL);
	k->vals = kvmalloc_array(r->nsems, sizeof(*k->vals), GFP_KERNEL);
	k->sem_pids = kvcalloc(r->nsems, sizeof(*k->sem_pids), GFP_KERNEL);
	if (!in || !k->vals || !k->sem_pids) {
		err = -ENOMEM;
		goto out;
	}
	if (copy_from_user(in, u64_to_user_ptr(r->sems),
			   r->nsems * sizeof(*in))) {
		err = -EFAULT;
		goto out;
	}
	k->nsems = r->nsems;
	for (i = 0; i < r->nsems; i++) {
		if (in[i].val < 0 || in[i].val > SEMVMX) {
			err = -ERANGE;
			goto out;
		}
		k->vals[i] = in[i].val;
		k->sem_pids[i] = cr_pid(in[i].pid);
	}
out:
	kvfree(in);
	return err;
}

long sysvipc_restore(const void __user *argp)
{
	struct user_namespace *ns = current_user_ns();
	struct sysvipc_restore_k k = {};
	struct sysvipc_restore r;
	long err;
	int i;

	if (copy_from_user(&r, argp, sizeof(r)))
		return -EFAULT;
	if (r.reserved[0] || r.reserved[1] || (r.mode & ~0777))
		return -EINVAL;
	if (!checkpoint_restore_ns_capable(sysvipc_user_ns()))
		return -EPERM;
	if (r.type == SYSVIPC_OBJ_SEM ? r.pid[0] || r.pid[1] || r.time[2] :
					r.nsems || r.sems)
		return -EINVAL;
	for (i = 0; i < 3; i++)
		if (r.time[i] < 0)
			return -EINVAL;
	k.uid = make_kuid(ns, r.uid);
	k.cuid = make_kuid(ns, r.cuid);
	k.gid = make_kgid(ns, r.gid);
	k.cgid = make_kgid(ns, r.cgid);
	if (!uid_valid(k.uid) || !uid_valid(k.cuid) ||
	    !gid_valid(k.gid) || !gid_valid(k.cgid))
		return -EINVAL;
	k.mode = r.mode;
	for (i = 0; i < 3; i++)
		k.time[i] = r.time[i];

	switch (r.type) {
	case SYSVIPC_OBJ_SHM:
	case SYSVIPC_OBJ_MSG:
		k.pid[0] = cr_pid(r.pid[0]);
		k.pid[1] = cr_pid(r.pid[1]);
		err = r.type == SYSVIPC_OBJ_SHM ? sysvipc_shm_restore(r.id, &k) :
						  sysvipc_msg_restore(r.id, &k);
		break;
	case SYSVIPC_OBJ_SEM:
		err = cr_sems(&k, &r);
		if (!err)
			err = sysvipc_sem_restore(r.id, &k);
		break;
	default:
		err = -EINVAL;
		break;
	}
	cr_put(&k);
	return err;
}
