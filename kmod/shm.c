// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: shared memory segments.
 *
 * A segment is a shmem file made at shmget, so its pages are ordinary
 * swappable shmem pages, named /SYSVxxxxxxxx like the kernel's own.
 */
#include <linux/fs.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/shm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include <linux/sysvipc.h>
#include "sysvipc.h"

/* Mode bits beyond the permissions, as glibc's <sys/shm.h> names them. */
#define SHM_DEST	01000	/* removed, goes at the last detach */
#define SHM_LOCKED	02000	/* SHM_LOCK in force */

struct sysvipc_shm {
	struct sysvipc_obj perm;
	struct file *file;	/* the shmem backing, fixed */
	size_t segsz;		/* fixed */
	struct pid *cpid;	/* fixed */
	/* The rest is under perm.lock. */
	unsigned long nattch;
	time64_t atime;
	time64_t dtime;
	time64_t ctime;
	struct pid *lpid;
};

static struct sysvipc_ids shm_ids;
/* Pages in all segments: checked and raised under shm_ids.rwsem. */
static atomic_long_t shm_tot;

static struct sysvipc_shm *to_shm(struct sysvipc_obj *obj)
{
	return container_of(obj, struct sysvipc_shm, perm);
}

static unsigned long shm_pages(size_t size)
{
	return (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* The last reference is gone: free the backing and the segment. */
static void shm_release(struct sysvipc_obj *obj)
{
	struct sysvipc_shm *shp = to_shm(obj);

	atomic_long_sub(shm_pages(shp->segsz), &shm_tot);
	fput(shp->file);
	put_pid(shp->cpid);
	put_pid(shp->lpid);
	kfree_rcu(shp, perm.rcu);
}

static int shm_create(struct sysvipc_ids *ids, key_t key, int flg, u64 size)
{
	unsigned long pages = shm_pages(size);
	unsigned long tot = atomic_long_read(&shm_tot);
	struct sysvipc_shm *shp;
	char name[13];
	int id;

	if (size < SHMMIN || size > sysvipc_shmmax())
		return -EINVAL;
	if ((u64)pages << PAGE_SHIFT < size)
		return -ENOSPC;
	if (tot + pages < tot || tot + pages > sysvipc_shmall())
		return -ENOSPC;
	/* Huge-page backing needs the library's memfd: not done yet. */
	if (flg & SHM_HUGETLB)
		return -EOPNOTSUPP;

	shp = kzalloc(sizeof(*shp), GFP_KERNEL_ACCOUNT);
	if (!shp)
		return -ENOMEM;
	snprintf(name, sizeof(name), "SYSV%08x", key);
	shp->file = shmem_file_setup(name, size,
				     flg & SHM_NORESERVE ? VM_NORESERVE : 0);
	if (IS_ERR(shp->file)) {
		id = PTR_ERR(shp->file);
		kfree(shp);
		return id;
	}
	shp->segsz = size;
	shp->cpid = get_pid(task_tgid(current));
	shp->ctime = ktime_get_real_seconds();

	id = sysvipc_ids_add(ids, &shp->perm, key, flg, sysvipc_shmmni());
	if (id < 0) {
		fput(shp->file);
		put_pid(shp->cpid);
		kfree(shp);
		return id;
	}
	/* /proc/PID/maps shows the id as the inode number, as for the kernel's. */
	file_inode(shp->file)->i_ino = id;
	atomic_long_add(pages, &shm_tot);
	return id;
}

static int shm_more_checks(struct sysvipc_obj *obj, u64 size)
{
	return to_shm(obj)->segsz < size ? -EINVAL : 0;
}

static const struct sysvipc_get_ops shm_get_ops = {
	.create = shm_create,
	.more_checks = shm_more_checks,
};

long sysvipc_shmget(const void __user *argp)
{
	struct sysvipc_get g;
	int err;

	err = sysvipc_copy_get(&g, argp);
	if (err)
		return err;
	return sysvipc_ids_get(&shm_ids, g.key, g.flags, g.size, &shm_get_ops);
}

/*
 * IPC_RMID: a segment nobody has attached goes at once; an attached one is
 * marked SHM_DEST, loses its key and goes at the last detach.
 */
static long shm_rmid(struct sysvipc_obj *obj, void *unused)
{
	if (to_shm(obj)->nattch) {
		obj->mode |= SHM_DEST;
		sysvipc_ids_set_key_private(obj->ids, obj);
	} else {
		sysvipc_ids_remove(obj->ids, obj);
	}
	return 0;
}

static long shm_set(struct sysvipc_obj *obj, void *arg)
{
	struct shmid64_ds *ds = arg;
	int err;

	err = sysvipc_update_perm(obj, &ds->shm_perm);
	if (!err)
		to_shm(obj)->ctime = ktime_get_real_seconds();
	return err;
}

static void shm_fill(struct sysvipc_obj *obj, void *buf)
{
	struct sysvipc_shm *shp = to_shm(obj);
	struct shmid64_ds *ds = buf;

	sysvipc_fill_perm(obj, &ds->shm_perm);
	ds->shm_segsz = shp->segsz;
	ds->shm_atime = shp->atime;
	ds->shm_dtime = shp->dtime;
	ds->shm_ctime = shp->ctime;
	ds->shm_cpid = pid_vnr(shp->cpid);
	ds->shm_lpid = pid_vnr(shp->lpid);
	ds->shm_nattch = shp->nattch;
}

static long shm_ctl_obj(int id, int cmd, void __user *buf)
{
	struct shmid64_ds ds;
	long ret;

	switch (cmd) {
	case IPC_RMID:
		return sysvipc_down(&shm_ids, id, shm_rmid, NULL);
	case IPC_SET:
		if (copy_from_user(&ds, buf, sizeof(ds)))
			return -EFAULT;
		return sysvipc_down(&shm_ids, id, shm_set, &ds);
	default:
		memset(&ds, 0, sizeof(ds));
		ret = sysvipc_stat(&shm_ids, id, cmd, SHM_STAT_ANY, shm_fill, &ds);
		if (ret >= 0 && copy_to_user(buf, &ds, sizeof(ds)))
			ret = -EFAULT;
		return ret;
	}
}

static long shm_ipc_info(void __user *buf)
{
	struct shminfo64 info;
	int ret;

	memset(&info, 0, sizeof(info));
	info.shmmni = sysvipc_shmmni();
	info.shmseg = info.shmmni;
	info.shmmax = sysvipc_shmmax();
	info.shmall = sysvipc_shmall();
	info.shmmin = SHMMIN;
	down_read(&shm_ids.rwsem);
	ret = max(sysvipc_ids_maxidx(&shm_ids), 0);
	up_read(&shm_ids.rwsem);
	return copy_to_user(buf, &info, sizeof(info)) ? -EFAULT : ret;
}

/* Resident and swapped pages of one segment, as the kernel counts them. */
static void shm_add_usage(struct sysvipc_shm *shp, struct shm_info *info)
{
	struct inode *inode = file_inode(shp->file);
	struct shmem_inode_info *si = SHMEM_I(inode);

	spin_lock_irq(&si->lock);
	info->shm_rss += inode->i_mapping->nrpages;
	info->shm_swp += si->swapped;
	spin_unlock_irq(&si->lock);
}

static long shm_shm_info(void __user *buf)
{
	struct sysvipc_obj *obj;
	struct shm_info info;
	unsigned long idx;
	int ret;

	memset(&info, 0, sizeof(info));
	down_read(&shm_ids.rwsem);
	info.used_ids = shm_ids.in_use;
	info.shm_tot = atomic_long_read(&shm_tot);
	xa_for_each(&shm_ids.objs, idx, obj)
		shm_add_usage(to_shm(obj), &info);
	ret = max(sysvipc_ids_maxidx(&shm_ids), 0);
	up_read(&shm_ids.rwsem);
	return copy_to_user(buf, &info, sizeof(info)) ? -EFAULT : ret;
}

long sysvipc_shmctl(const void __user *argp)
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
		return shm_ipc_info(buf);
	case SHM_INFO:
		return shm_shm_info(buf);
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY:
	case IPC_SET:
	case IPC_RMID:
		return shm_ctl_obj(c.id, c.cmd, buf);
	default:
		return -EINVAL;
	}
}

static void shm_remove_on_exit(struct sysvipc_obj *obj)
{
	spin_lock(&obj->lock);
	sysvipc_ids_remove(&shm_ids, obj);
	spin_unlock(&obj->lock);
	sysvipc_obj_put(obj);
}

int sysvipc_shm_init(void)
{
	sysvipc_ids_init(&shm_ids, shm_release);
	return 0;
}

void sysvipc_shm_exit(void)
{
	sysvipc_ids_destroy(&shm_ids, shm_remove_on_exit);
}
