// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: message queues.
 */
#include <linux/capability.h>
#include <linux/msg.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include <linux/sysvipc.h>
#include "sysvipc.h"

/* The kernel's MSGSSZ and MSGSEG, reported by IPC_INFO. */
#define SYSVIPC_MSGSSZ	16
#define SYSVIPC_MSGSEG	0xffff

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
};

static struct sysvipc_ids msg_ids;

static struct sysvipc_msq *to_msq(struct sysvipc_obj *obj)
{
	return container_of(obj, struct sysvipc_msq, perm);
}

static void msg_release(struct sysvipc_obj *obj)
{
	struct sysvipc_msq *msq = to_msq(obj);

	put_pid(msq->lspid);
	put_pid(msq->lrpid);
	kfree_rcu(msq, perm.rcu);
}

static int msg_create(struct sysvipc_ids *ids, key_t key, int flg, u64 size)
{
	struct sysvipc_msq *msq;
	int id;

	msq = kzalloc(sizeof(*msq), GFP_KERNEL_ACCOUNT);
	if (!msq)
		return -ENOMEM;
	msq->ctime = ktime_get_real_seconds();
	msq->qbytes = sysvipc_msgmnb();
	id = sysvipc_ids_add(ids, &msq->perm, key, flg, sysvipc_msgmni());
	if (id < 0)
		kfree(msq);
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
	if (g.size)
		return -EINVAL;
	return sysvipc_ids_get(&msg_ids, g.key, g.flags, 0, &msg_get_ops);
}

static long msg_rmid(struct sysvipc_obj *obj, void *unused)
{
	sysvipc_ids_remove(obj->ids, obj);
	return 0;
}

static long msg_set(struct sysvipc_obj *obj, void *arg)
{
	struct msqid64_ds *ds = arg;
	int err;

	/* Raising the queue size above msgmnb is a resource decision. */
	if (ds->msg_qbytes > sysvipc_msgmnb() && !capable(CAP_SYS_RESOURCE))
		return -EPERM;
	err = sysvipc_update_perm(obj, &ds->msg_perm);
	if (!err) {
		to_msq(obj)->qbytes = ds->msg_qbytes;
		to_msq(obj)->ctime = ktime_get_real_seconds();
	}
	return err;
}

static void msg_fill(struct sysvipc_obj *obj, void *buf)
{
	struct sysvipc_msq *msq = to_msq(obj);
	struct msqid64_ds *ds = buf;

	sysvipc_fill_perm(obj, &ds->msg_perm);
	ds->msg_stime = msq->stime;
	ds->msg_rtime = msq->rtime;
	ds->msg_ctime = msq->ctime;
	ds->msg_cbytes = msq->cbytes;
	ds->msg_qnum = msq->qnum;
	ds->msg_qbytes = msq->qbytes;
	ds->msg_lspid = pid_vnr(msq->lspid);
	ds->msg_lrpid = pid_vnr(msq->lrpid);
}

static long msg_ctl_obj(int id, int cmd, void __user *buf)
{
	struct msqid64_ds ds;
	long ret;

	switch (cmd) {
	case IPC_RMID:
		return sysvipc_down(&msg_ids, id, msg_rmid, NULL);
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		return sysvipc_down(&msg_ids, id, msg_set, &ds);
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

static void msg_remove_on_exit(struct sysvipc_obj *obj)
{
	spin_lock(&obj->lock);
	sysvipc_ids_remove(&msg_ids, obj);
	spin_unlock(&obj->lock);
	sysvipc_obj_put(obj);
}

int sysvipc_msg_init(void)
{
	sysvipc_ids_init(&msg_ids, msg_release);
	return 0;
}

void sysvipc_msg_exit(void)
{
	sysvipc_ids_destroy(&msg_ids, msg_remove_on_exit);
}
