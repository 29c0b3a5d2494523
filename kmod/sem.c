// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: semaphore sets.
 */
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sem.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include <linux/sysvipc.h>
#include "sysvipc.h"

struct sysvipc_semval {
	int val;
	struct pid *pid;	/* last process to change it */
};

struct sysvipc_sem {
	struct sysvipc_obj perm;
	int nsems;		/* fixed */
	/* The rest is under perm.lock. */
	time64_t otime;
	time64_t ctime;
	struct sysvipc_semval sems[];
};

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
	kvfree_rcu(sma, perm.rcu);
}

static int sem_create(struct sysvipc_ids *ids, key_t key, int flg, u64 size)
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
	/* size carries nsems; a negative int arrives sign-extended. */
	if (g.size > sysvipc_semmsl())
		return -EINVAL;
	return sysvipc_ids_get(&sem_ids, g.key, g.flags, g.size, &sem_get_ops);
}

static long sem_rmid(struct sysvipc_obj *obj, void *unused)
{
	sem_used -= to_sem(obj)->nsems;
	sysvipc_ids_remove(obj->ids, obj);
	return 0;
}

static long sem_set(struct sysvipc_obj *obj, void *arg)
{
	struct semid64_ds *ds = arg;
	int err;

	err = sysvipc_update_perm(obj, &ds->sem_perm);
	if (!err)
		to_sem(obj)->ctime = ktime_get_real_seconds();
	return err;
}

static void sem_fill(struct sysvipc_obj *obj, void *buf)
{
	struct sysvipc_sem *sma = to_sem(obj);
	struct semid64_ds *ds = buf;

	sysvipc_fill_perm(obj, &ds->sem_perm);
	ds->sem_otime = sma->otime;
	ds->sem_ctime = sma->ctime;
	ds->sem_nsems = sma->nsems;
}

static long sem_ctl_obj(int id, int cmd, void __user *buf)
{
	struct semid64_ds ds;
	long ret;

	switch (cmd) {
	case IPC_RMID:
		return sysvipc_down(&sem_ids, id, sem_rmid, NULL);
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

/* Set one value, as the kernel's SETVAL: it also stamps the pid and ctime. */
static long sem_setval(int id, int semnum, int val)
{
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
		sma->sems[semnum].val = val;
		put_pid(sma->sems[semnum].pid);
		sma->sems[semnum].pid = get_pid(task_tgid(current));
		sma->ctime = ktime_get_real_seconds();
	}
	spin_unlock(&obj->lock);
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
			ret = sma->sems[semnum].val;
			break;
		case GETPID:
			ret = pid_vnr(sma->sems[semnum].pid);
			break;
		default:
			/* GETNCNT, GETZCNT: nobody can wait before semop exists. */
			ret = 0;
			break;
		}
	}
	spin_unlock(&obj->lock);
	rcu_read_unlock();
	return ret;
}

/*
 * GETALL and SETALL copy up to SEMMSL values, so they hold a reference and
 * do the user copies and the allocation outside the lock.
 */
static long sem_all(int id, int cmd, u16 __user *array)
{
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
		for (i = 0; i < sma->nsems; i++)
			vals[i] = sma->sems[i].val;
	} else {
		for (i = 0; i < sma->nsems; i++) {
			sma->sems[i].val = vals[i];
			put_pid(sma->sems[i].pid);
			sma->sems[i].pid = get_pid(task_tgid(current));
		}
		sma->ctime = ktime_get_real_seconds();
	}
	spin_unlock(&obj->lock);
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

static void sem_remove_on_exit(struct sysvipc_obj *obj)
{
	spin_lock(&obj->lock);
	sem_used -= to_sem(obj)->nsems;
	sysvipc_ids_remove(&sem_ids, obj);
	spin_unlock(&obj->lock);
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
