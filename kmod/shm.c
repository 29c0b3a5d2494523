// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: shared memory segments.
 *
 * A segment is a shmem file made at shmget, so its pages are ordinary
 * swappable shmem pages, named /SYSVxxxxxxxx like the kernel's own.
 *
 * Attaching maps a per-attach file: the shmem file opened again (same
 * path, so /proc/PID/maps reads as for the kernel's segments) with our
 * file_operations put in place of shmem's and the segment as its
 * private_data.  Its mmap hands the VMA to shmem and then wraps shmem's
 * vm_ops in ours, whose open and close keep shm_nattch; every VMA
 * therefore holds the file, the file holds the module and a reference on
 * the segment.  Lock order: mmap_lock, then shm_ids.rwsem, then the
 * segment's lock.
 *
 * A segment fd (SYSVIPC_IOC_OBJFD) is one more such file, with a fuller
 * file_operations: reads and writes go to shmem's, clamped to the
 * segment's size, and its mmap is the attach mmap, so its mappings count
 * in shm_nattch like any attach.  Being a file of the segment's own shmem
 * inode, it gets fcntl locks (OFD and POSIX) per segment from the VFS,
 * and fstat reports the segment's size, and its mode and owner, which
 * shm_sync_inode() copies to the inode.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/falloc.h>
#include <linux/ipc_namespace.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/swap.h>
#include <linux/shm.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include <linux/sysvipc.h>
#include "compat.h"
#include "sysvipc.h"

/* Mode bits beyond the permissions, as glibc's <sys/shm.h> names them. */
#define SHM_DEST	01000	/* removed, goes at the last detach */
#define SHM_LOCKED	02000	/* SHM_LOCK in force */

struct sysvipc_shm {
	struct sysvipc_obj perm;
	struct file *file;	/* the shmem backing, fixed */
	size_t segsz;		/* fixed */
	struct pid *cpid;	/* under perm.lock: SYSVIPC_IOC_RESTORE sets it */
	/*
	 * The backing's own vm_ops, which ours forward to: the same for every
	 * mapping of the backing, stored by each attach mmap before its VMA
	 * can be reached.
	 */
	const struct vm_operations_struct *vm_ops;
	/* The rest is under perm.lock. */
	unsigned long nattch;
	time64_t atime;
	time64_t dtime;
	time64_t ctime;
	struct pid *lpid;
	kuid_t lock_uid;	/* charged for SHM_LOCK while SHM_LOCKED */
	/*
	 * Attach files kept for the next attach, read-only and read-write
	 * (see shm_attach_file()): under perm.lock, only while listed.
	 */
	struct file *attach_files[2];
};

static struct sysvipc_ids shm_ids;

/*
 * The group allowed SHM_HUGETLB besides CAP_IPC_LOCK: the kernel's
 * vm.hugetlb_shm_group, which modules cannot read.  Keep them equal.
 */
static unsigned int hugetlb_shm_group;
module_param(hugetlb_shm_group, uint, 0644);
MODULE_PARM_DESC(hugetlb_shm_group, "Group that may use SHM_HUGETLB (vm.hugetlb_shm_group)");
/* Pages in all segments: checked and raised under shm_ids.rwsem. */
static atomic_long_t shm_tot;
/* Tokens telling the VMAs of different attaches apart (shm_attach_mmap). */
static atomic_long_t shm_attach_seq;

static struct sysvipc_shm *to_shm(struct sysvipc_obj *obj)
{
	return container_of(obj, struct sysvipc_shm, perm);
}

static unsigned long shm_pages(size_t size)
{
	return (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/*
 * SHM_LOCK accounting: pages locked per user, held against RLIMIT_MEMLOCK
 * as the kernel's user_shm_lock() does.  The kernel's own counter is not
 * exported, so ours counts this module's segments only.
 */
struct shm_locker {
	struct list_head list;
	kuid_t uid;
	unsigned long pages;
};

/* Protects shm_lockers; nests inside a segment's lock. */
static DEFINE_SPINLOCK(shm_lockers_lock);
static LIST_HEAD(shm_lockers);

static struct shm_locker *shm_locker_find(kuid_t uid)
{
	struct shm_locker *l;

	list_for_each_entry(l, &shm_lockers, list)
		if (uid_eq(l->uid, uid))
			return l;
	return NULL;
}

/* Charge @pages to @uid; *@spare is used (and cleared) for a new user. */
static bool shm_lock_charge(kuid_t uid, unsigned long pages,
			    struct shm_locker **spare)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK);
	struct shm_locker *l;
	bool ok;

	if (limit != RLIM_INFINITY)
		limit >>= PAGE_SHIFT;
	spin_lock(&shm_lockers_lock);
	l = shm_locker_find(uid);
	if (!l) {
		l = *spare;
		*spare = NULL;
		l->uid = uid;
		l->pages = 0;
		list_add(&l->list, &shm_lockers);
	}
	ok = l->pages + pages <= limit || capable(CAP_IPC_LOCK);
	if (ok) {
		l->pages += pages;
	} else if (!l->pages) {
		list_del(&l->list);
		kfree(l);
	}
	spin_unlock(&shm_lockers_lock);
	return ok;
}

static void shm_lock_uncharge(kuid_t uid, unsigned long pages)
{
	struct shm_locker *l;

	spin_lock(&shm_lockers_lock);
	l = shm_locker_find(uid);
	if (!WARN_ON_ONCE(!l || l->pages < pages)) {
		l->pages -= pages;
		if (!l->pages) {
			list_del(&l->list);
			kfree(l);
		}
	}
	spin_unlock(&shm_lockers_lock);
}

/*
 * Let go of the kept attach files (each holds a reference on the segment
 * and one on the module).  fput() only queues the release, so it may run
 * under the segment lock, which the caller holds.
 */
static void shm_drop_attach_files(struct sysvipc_shm *shp)
{
	int i;

	lockdep_assert_held(&shp->perm.lock);
	for (i = 0; i < ARRAY_SIZE(shp->attach_files); i++) {
		if (shp->attach_files[i])
			fput(shp->attach_files[i]);
		shp->attach_files[i] = NULL;
	}
}

/* Unlist @shp; shm_ids.rwsem held for writing, the segment lock held. */
static void shm_unlist(struct sysvipc_shm *shp)
{
	sysvipc_ids_remove(&shm_ids, &shp->perm);
	shm_drop_attach_files(shp);
}

/* The last reference is gone: free the backing and the segment. */
static void shm_release(struct sysvipc_obj *obj)
{
	struct sysvipc_shm *shp = to_shm(obj);

	atomic_long_sub(shm_pages(shp->segsz), &shm_tot);
	if (obj->mode & SHM_LOCKED)
		shm_lock_uncharge(shp->lock_uid, shm_pages(shp->segsz));
	fput(shp->file);
	put_pid(shp->cpid);
	put_pid(shp->lpid);
	kfree_rcu(shp, perm.rcu);
}

static bool shm_is_huge(struct file *file)
{
	return file_inode(file)->i_sb->s_magic == HUGETLBFS_MAGIC;
}

/*
 * Size an SHM_HUGETLB backing the library made (an empty hugetlbfs memfd)
 * and reserve its pages unless SHM_NORESERVE: the kernel's
 * hugetlb_file_setup() reserves at creation, so a shortage fails shmget
 * with ENOMEM.  Pages are allocated rather than only reserved here: the
 * reservation machinery is not exported.
 */
static int shm_huge_setup(struct file *file, int flg, u64 size)
{
	unsigned long huge = file_inode(file)->i_sb->s_blocksize;
	int sizelog = (flg >> SHM_HUGE_SHIFT) & SHM_HUGE_MASK;
	u64 len;
	int err;

	/* Who may: the kernel's can_do_hugetlb_shm(). */
	if (!capable(CAP_IPC_LOCK) &&
	    !in_group_p(make_kgid(&init_user_ns, hugetlb_shm_group)))
		return -EPERM;
	if (!shm_is_huge(file) || !(file->f_mode & FMODE_WRITE) ||
	    i_size_read(file_inode(file)))
		return -EINVAL;
	if (sizelog && BIT_ULL(sizelog) != huge)
		return -EINVAL;
	len = round_up(size, huge);
	err = vfs_truncate(&file->f_path, len);
	if (!err && !(flg & SHM_NORESERVE))
		err = vfs_fallocate(file, 0, 0, len);
	return err == -ENOSPC ? -ENOMEM : err;
}

/*
 * Whether vm.overcommit_memory is 2 (never), in which the kernel ignores
 * SHM_NORESERVE.  sysctl_overcommit_memory is not exported, so read the
 * sysctl file; only shmget with SHM_NORESERVE asks.  Without a readable
 * /proc (a chroot), SHM_NORESERVE is honoured.
 */
static bool shm_overcommit_never(void)
{
	char buf[4] = "";
	struct file *file;
	loff_t pos = 0;

	file = filp_open("/proc/sys/vm/overcommit_memory", O_RDONLY, 0);
	if (IS_ERR(file))
		return false;
	kernel_read(file, buf, sizeof(buf) - 1, &pos);
	filp_close(file, NULL);
	return buf[0] == '2';
}

/* The backing of a new segment: shmem, or the caller's hugetlb file. */
static struct file *shm_backing(key_t key, int flg, u64 size,
				struct file *huge)
{
	char name[13];
	int err;

	if (flg & SHM_HUGETLB) {
		if (!huge)
			return ERR_PTR(-EINVAL);
		err = shm_huge_setup(huge, flg, size);
		return err ? ERR_PTR(err) : get_file(huge);
	}
	snprintf(name, sizeof(name), "SYSV%08x", key);
	return shmem_file_setup(name, size,
				flg & SHM_NORESERVE ? VM_NORESERVE : 0);
}

/*
 * fstat of a segment fd: the inode shows the segment's permissions and
 * owner.  No path leads to the inode, so nothing checks access with them.
 * @locked: take the inode lock (IPC_SET; never under shm_ids.rwsem, which
 * mmap_lock nests outside, while the inode lock nests outside mmap_lock).
 * A new segment's inode is still private to us and needs no lock.
 */
static void shm_sync_inode(struct sysvipc_shm *shp, bool locked)
{
	struct inode *inode = file_inode(shp->file);
	struct sysvipc_obj *obj = &shp->perm;
	umode_t mode;
	kuid_t uid;
	kgid_t gid;

	spin_lock(&obj->lock);
	mode = obj->mode & 0777;
	uid = obj->uid;
	gid = obj->gid;
	spin_unlock(&obj->lock);
	if (locked)
		inode_lock(inode);
	inode->i_mode = (inode->i_mode & S_IFMT) | mode;
	inode->i_uid = uid;
	inode->i_gid = gid;
	if (locked)
		inode_unlock(inode);
}

static int shm_create(struct sysvipc_ids *ids, key_t key, int flg, u64 size,
		      void *huge)
{
	unsigned long pages = shm_pages(size);
	unsigned long tot = atomic_long_read(&shm_tot);
	struct sysvipc_shm *shp;
	int id;

	if (size < SHMMIN || size > sysvipc_shmmax())
		return -EINVAL;
	if ((u64)pages << PAGE_SHIFT < size)
		return -ENOSPC;
	if (tot + pages < tot || tot + pages > sysvipc_shmall())
		return -ENOSPC;

	shp = kzalloc(sizeof(*shp), GFP_KERNEL_ACCOUNT);
	if (!shp)
		return -ENOMEM;
	shp->file = shm_backing(key, flg, size, huge);
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
	shm_sync_inode(shp, false);
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
	struct file *huge = NULL;
	struct sysvipc_get g;
	int err;

	err = sysvipc_copy_get(&g, argp);
	if (err)
		return err;
	if (g.get_flags & SYSVIPC_GET_BACKING_FD) {
		huge = fget(g.backing_fd);
		if (!huge)
			return -EBADF;
	}
	/*
	 * Asked here, before the registry lock: the sysctl is read through a
	 * path walk, which must not nest inside ids->rwsem (lockdep: procfs
	 * i_rwsem -> exec_update_lock -> mmap_lock -> ids->rwsem, which the
	 * last detach takes).  SHM_HUGETLB keeps SHM_NORESERVE, as in newseg().
	 */
	if ((g.flags & (SHM_NORESERVE | SHM_HUGETLB)) == SHM_NORESERVE &&
	    shm_overcommit_never())
		g.flags &= ~SHM_NORESERVE;
	err = sysvipc_ids_get(&shm_ids, g.key, g.flags, g.size, &shm_get_ops,
			      huge, sysvipc_get_at_id(&g));
	if (huge)
		fput(huge);
	return err;
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
		shm_unlist(to_shm(obj));
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

/* After IPC_SET: the inode follows, if the segment is still there. */
static void shm_ctl_sync(int id)
{
	struct sysvipc_obj *obj = sysvipc_obtain_ref(&shm_ids, id);

	if (IS_ERR(obj))
		return;
	shm_sync_inode(to_shm(obj), true);
	sysvipc_obj_put(obj);
}

/* SYSVIPC_IOC_RESTORE of a segment (kmod/cr.c). */
long sysvipc_shm_restore(int id, struct sysvipc_restore_k *k)
{
	struct sysvipc_obj *obj;
	struct sysvipc_shm *shp;
	long err = 0;

	down_write(&shm_ids.rwsem);
	obj = sysvipc_obtain(&shm_ids, id);
	if (IS_ERR(obj)) {
		up_write(&shm_ids.rwsem);
		return PTR_ERR(obj);
	}
	shp = to_shm(obj);
	spin_lock(&obj->lock);
	if (obj->deleted) {
		err = -EIDRM;
	} else {
		sysvipc_restore_perm(obj, k);
		shp->atime = k->time[0];
		shp->dtime = k->time[1];
		shp->ctime = k->time[2];
		swap(shp->cpid, k->pid[0]);
		swap(shp->lpid, k->pid[1]);
	}
	spin_unlock(&obj->lock);
	up_write(&shm_ids.rwsem);
	if (!err)
		shm_ctl_sync(id);
	return err;
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
		ret = sysvipc_down(&shm_ids, id, shm_set, &ds);
		if (!ret)
			shm_ctl_sync(id);
		return ret;
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

	/* hugetlb's page cache counts huge pages; it never swaps. */
	if (shm_is_huge(shp->file)) {
		info->shm_rss += inode->i_mapping->nrpages *
				 (inode->i_sb->s_blocksize >> PAGE_SHIFT);
		return;
	}

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

/*
 * SHM_LOCK and SHM_UNLOCK: owner, creator or CAP_IPC_LOCK; locking also
 * needs a nonzero RLIMIT_MEMLOCK (or CAP_IPC_LOCK) and room under it.
 * A locked segment's mapping is unevictable, as shmem_lock() makes it.
 */
static long shm_lock_cmd(int id, int cmd)
{
	struct shm_locker *spare = NULL;
	struct sysvipc_obj *obj;
	struct sysvipc_shm *shp;
	struct shmem_inode_info *info;
	struct file *unlocked = NULL;
	kuid_t euid = current_euid();
	long err = 0;

	if (cmd == SHM_LOCK) {
		spare = kzalloc(sizeof(*spare), GFP_KERNEL_ACCOUNT);
		if (!spare)
			return -ENOMEM;
	}
	rcu_read_lock();
	obj = sysvipc_obtain(&shm_ids, id);
	if (IS_ERR(obj)) {
		rcu_read_unlock();
		kfree(spare);
		return PTR_ERR(obj);
	}
	shp = to_shm(obj);
	spin_lock(&obj->lock);
	if (obj->deleted) {
		err = -EIDRM;
	} else if (!ns_capable(sysvipc_user_ns(), CAP_IPC_LOCK) &&
		   ((!uid_eq(euid, obj->uid) && !uid_eq(euid, obj->cuid)) ||
		    (cmd == SHM_LOCK && !rlimit(RLIMIT_MEMLOCK)))) {
		err = -EPERM;
	} else if (shm_is_huge(shp->file)) {
		/* Huge pages are never swapped: nothing to do, as the kernel. */
	} else if (cmd == SHM_LOCK) {
		if (!(obj->mode & SHM_LOCKED)) {
			if (shm_lock_charge(euid, shm_pages(shp->segsz),
					    &spare)) {
				obj->mode |= SHM_LOCKED;
				shp->lock_uid = euid;
				info = SHMEM_I(file_inode(shp->file));
				info->flags |= VM_LOCKED;
				mapping_set_unevictable(shp->file->f_mapping);
			} else {
				err = -ENOMEM;
			}
		}
	} else if (obj->mode & SHM_LOCKED) {
		shm_lock_uncharge(shp->lock_uid, shm_pages(shp->segsz));
		obj->mode &= ~SHM_LOCKED;
		info = SHMEM_I(file_inode(shp->file));
		info->flags &= ~VM_LOCKED;
		mapping_clear_unevictable(shp->file->f_mapping);
		unlocked = get_file(shp->file);
	}
	spin_unlock(&obj->lock);
	rcu_read_unlock();
	kfree(spare);
	if (unlocked) {
		sysvipc_unlock_mapping(unlocked->f_mapping);
		fput(unlocked);
	}
	return err;
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
	case SHM_LOCK:
	case SHM_UNLOCK:
		return shm_lock_cmd(c.id, c.cmd);
	default:
		return -EINVAL;
	}
}

static const struct vm_operations_struct shm_vm_ops;

/* The segment of an attach file or segment fd. */
static struct sysvipc_shm *file_shm(struct file *file)
{
	return file->private_data;
}

static struct sysvipc_shm *vma_shm(struct vm_area_struct *vma)
{
	return file_shm(vma->vm_file);
}

/* The backing's vm_ops for one of our VMAs. */
static const struct vm_operations_struct *
vma_backing_ops(struct vm_area_struct *vma)
{
	return READ_ONCE(vma_shm(vma)->vm_ops);
}

/* The caller's process is the last to attach or detach; segment lock held. */
static void shm_set_lpid(struct sysvipc_shm *shp)
{
	struct pid *pid = task_tgid(current);

	if (shp->lpid != pid) {
		put_pid(shp->lpid);
		shp->lpid = get_pid(pid);
	}
}

/* A new VMA maps the segment: the kernel's shm_open().  Lock held. */
static void shm_attached(struct sysvipc_shm *shp)
{
	shp->nattch++;
	shp->atime = ktime_get_real_seconds();
	shm_set_lpid(shp);
}

static void shm_nattch_inc(struct sysvipc_shm *shp)
{
	spin_lock(&shp->perm.lock);
	shm_attached(shp);
	spin_unlock(&shp->perm.lock);
}

/*
 * Whether a segment goes when its last attach does: when removed with
 * IPC_RMID, or always under kernel.shm_rmid_forced.  Segment lock held.
 */
static bool shm_may_destroy(struct sysvipc_shm *shp)
{
	return !shp->nattch &&
	       ((shp->perm.mode & SHM_DEST) ||
		READ_ONCE(current->nsproxy->ipc_ns->shm_rmid_forced));
}

/*
 * Drop one attach count (@detach: a VMA went, stamp dtime and lpid).  A
 * segment that may be destroyed goes with its last count.
 */
static void shm_nattch_dec(struct sysvipc_shm *shp, bool detach)
{
	struct sysvipc_obj *obj = &shp->perm;
	bool destroy;

	spin_lock(&obj->lock);
	shp->nattch--;
	if (detach) {
		shp->dtime = ktime_get_real_seconds();
		shm_set_lpid(shp);
	}
	destroy = shm_may_destroy(shp);
	spin_unlock(&obj->lock);
	if (!destroy)
		return;

	/* Unlisting needs the registry lock; recheck under it. */
	down_write(&shm_ids.rwsem);
	spin_lock(&obj->lock);
	destroy = shm_may_destroy(shp) && !obj->deleted;
	if (destroy)
		shm_unlist(shp);
	spin_unlock(&obj->lock);
	up_write(&shm_ids.rwsem);
	if (destroy) {
		sysvipc_poll_wake(obj, EPOLLERR | EPOLLHUP);
		sysvipc_obj_put(obj);
	}
}

/* Backing vm_ops with open/close of their own (hugetlb's) still get them. */
static void shm_vm_open(struct vm_area_struct *vma)
{
	const struct vm_operations_struct *ops = vma_backing_ops(vma);

	if (ops->open)
		ops->open(vma);
	shm_nattch_inc(vma_shm(vma));
}

static void shm_vm_close(struct vm_area_struct *vma)
{
	const struct vm_operations_struct *ops = vma_backing_ops(vma);

	if (ops->close)
		ops->close(vma);
	shm_nattch_dec(vma_shm(vma), true);
}

static vm_fault_t shm_vm_fault(struct vm_fault *vmf)
{
	return vma_backing_ops(vmf->vma)->fault(vmf);
}

static int shm_vm_may_split(struct vm_area_struct *vma, unsigned long addr)
{
	const struct vm_operations_struct *ops = vma_backing_ops(vma);

	return ops->SYSVIPC_MAY_SPLIT ? ops->SYSVIPC_MAY_SPLIT(vma, addr) : 0;
}

static unsigned long shm_vm_pagesize(struct vm_area_struct *vma)
{
	const struct vm_operations_struct *ops = vma_backing_ops(vma);

	return ops->pagesize ? ops->pagesize(vma) : PAGE_SIZE;
}

#ifdef CONFIG_NUMA
static int shm_vm_set_policy(struct vm_area_struct *vma,
			     struct mempolicy *pol)
{
	const struct vm_operations_struct *ops = vma_backing_ops(vma);

	return ops->set_policy ? ops->set_policy(vma, pol) : 0;
}

static SYSVIPC_GET_POLICY(shm_vm_get_policy)
{
	const struct vm_operations_struct *ops = vma_backing_ops(vma);

	if (!ops->get_policy)
		return vma->vm_policy;
	return sysvipc_get_policy(ops, vma, addr, SYSVIPC_ILX);
}
#endif

/* What the kernel's shm_vm_ops forwards, and nothing more. */
static const struct vm_operations_struct shm_vm_ops = {
	.open = shm_vm_open,
	.close = shm_vm_close,
	.fault = shm_vm_fault,
	.SYSVIPC_MAY_SPLIT = shm_vm_may_split,
	.pagesize = shm_vm_pagesize,
#ifdef CONFIG_NUMA
	.set_policy = shm_vm_set_policy,
	.get_policy = shm_vm_get_policy,
#endif
};

/*
 * ->mmap of an attach file, for shmat and for remap_file_pages(), which
 * maps vma->vm_file again: a segment removed since then gives EINVAL.
 */
static int shm_attach_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct sysvipc_shm *shp = file_shm(file);
	int err;

	spin_lock(&shp->perm.lock);
	err = shp->perm.deleted ? -EINVAL : 0;
	if (!err)
		shm_attached(shp);
	spin_unlock(&shp->perm.lock);
	if (err)
		return err;
	err = call_mmap(shp->file, vma);
	if (err) {
		shm_nattch_dec(shp, true);
		return err;
	}
	WRITE_ONCE(shp->vm_ops, vma->vm_ops);
	vma->vm_ops = &shm_vm_ops;
	/* hugetlbfs keeps its own data there; its attach files are not shared */
	if (!shm_is_huge(shp->file))
		vma->vm_private_data = (void *)atomic_long_inc_return(&shm_attach_seq);
	return 0;
}

static unsigned long shm_attach_get_unmapped_area(struct file *file,
						  unsigned long addr,
						  unsigned long len,
						  unsigned long pgoff,
						  unsigned long flags)
{
	struct file *base = file_shm(file)->file;

	return base->f_op->get_unmapped_area(base, addr, len, pgoff, flags);
}

/* msync(MS_SYNC) and madvise(MADV_REMOVE) reach the backing like this. */
static int shm_attach_fsync(struct file *file, loff_t start, loff_t end,
			    int datasync)
{
	struct file *base = file_shm(file)->file;

	if (!base->f_op->fsync)
		return -EINVAL;
	return base->f_op->fsync(base, start, end, datasync);
}

/* The attach file shares the backing's inode, which fallocate works on. */
static long shm_attach_fallocate(struct file *file, int mode, loff_t offset,
				 loff_t len)
{
	struct file *base = file_shm(file)->file;

	if (!base->f_op->fallocate)
		return -EOPNOTSUPP;
	return base->f_op->fallocate(file, mode, offset, len);
}

static int shm_attach_release(struct inode *inode, struct file *file)
{
	sysvipc_obj_put(&file_shm(file)->perm);
	return 0;
}

static const struct file_operations shm_attach_fops = {
	.owner = THIS_MODULE,
	.mmap = shm_attach_mmap,
	.get_unmapped_area = shm_attach_get_unmapped_area,
	.fsync = shm_attach_fsync,
	.fallocate = shm_attach_fallocate,
	.release = shm_attach_release,
	.llseek = noop_llseek,
};

/*
 * A new attach file for @shp (or a segment fd, with @fops), taking over
 * the caller's reference on it.  On failure the reference is dropped.
 */
static struct file *shm_new_file(struct sysvipc_shm *shp, int f_flags,
				 const struct file_operations *fops)
{
	struct file *file;

	file = dentry_open(&shp->file->f_path, f_flags, current_cred());
	if (IS_ERR(file)) {
		sysvipc_obj_put(&shp->perm);
		return file;
	}
	/*
	 * Our fops pin the module for as long as the file (and its VMAs)
	 * live; the caller runs in our ioctl or mmap, so the module is held.
	 */
	__module_get(THIS_MODULE);
	replace_fops(file, fops);
	file->private_data = shp;
	return file;
}

/*
 * A reference to an attach file of @shp opened with @f_flags (O_RDONLY or
 * O_RDWR); the caller holds a reference on @shp.
 *
 * The kernel makes a file per attach; so did we, but opening and releasing
 * it cost a third of an shmat+shmdt cycle (README.md).  The last attach
 * file of a shmem segment is now kept and reused by the next attach with
 * the very same credentials (the file carries its opener's, which
 * security modules check at mmap).  What tells attaches apart for shmdt's
 * fragment rule is each VMA's token (shm_attach_mmap()).  A kept file
 * pins the module, so kept files live only while the device is open (all
 * callers run in an ioctl or mmap of it; sysvipc_shm_drop_kept_files()
 * runs at its last close) and go when the segment is unlisted.  Huge-page
 * segments keep a file per attach: hugetlbfs has its own use for
 * vm_private_data.
 */
static struct file *shm_attach_file(struct sysvipc_shm *shp, int f_flags)
{
	struct file **keep = &shp->attach_files[f_flags == O_RDWR];
	struct file *file, *old = NULL;

	spin_lock(&shp->perm.lock);
	file = *keep;
	if (file && file->f_cred == current_cred())
		get_file(file);
	else
		file = NULL;
	spin_unlock(&shp->perm.lock);
	if (file)
		return file;

	sysvipc_obj_get(&shp->perm);
	file = shm_new_file(shp, f_flags, &shm_attach_fops);
	if (IS_ERR(file) || shm_is_huge(shp->file))
		return file;
	spin_lock(&shp->perm.lock);
	if (!shp->perm.deleted) {
		old = *keep;
		*keep = get_file(file);
	}
	spin_unlock(&shp->perm.lock);
	if (old)
		fput(old);
	return file;
}

/*
 * The device's last open file is going: no ioctl or mmap of it can run,
 * so no attach file is being kept; drop those kept so far, which would
 * otherwise keep the module pinned.
 */
void sysvipc_shm_drop_kept_files(void)
{
	struct sysvipc_obj *obj;
	unsigned long idx;

	rcu_read_lock();
	xa_for_each(&shm_ids.objs, idx, obj) {
		spin_lock(&obj->lock);
		shm_drop_attach_files(to_shm(obj));
		spin_unlock(&obj->lock);
	}
	rcu_read_unlock();
}

/* Under the lookup's hold of the segment lock: one more attach count. */
static void shm_attach_claim(struct sysvipc_obj *obj)
{
	to_shm(obj)->nattch++;
}

/*
 * Find the segment for an attach with @acc permission bits, take a
 * reference and, as the kernel does, an attach count for the duration of
 * the mapping call, so that an IPC_RMID meanwhile only marks it SHM_DEST.
 */
static struct sysvipc_shm *shm_attach_get(int id, int acc)
{
	struct sysvipc_obj *obj;

	obj = sysvipc_obtain_claim(&shm_ids, id, acc, shm_attach_claim);
	return IS_ERR(obj) ? ERR_CAST(obj) : to_shm(obj);
}

/* Map @shp at @addr: the address, or -errno. */
static unsigned long shm_map(struct sysvipc_shm *shp, unsigned long addr,
			     int shmflg, unsigned long flags)
{
	unsigned long prot = PROT_READ, ret;
	int f_flags = O_RDONLY;
	struct file *file;

	if (!(shmflg & SHM_RDONLY)) {
		prot |= PROT_WRITE;
		f_flags = O_RDWR;
	}
	if (shmflg & SHM_EXEC)
		prot |= PROT_EXEC;
	file = shm_attach_file(shp, f_flags);
	if (IS_ERR(file))
		return PTR_ERR(file);
	/* The whole backing file, as the kernel maps (huge-page rounded). */
	ret = vm_mmap(file, addr, i_size_read(file_inode(shp->file)), prot,
		      flags, 0);
	fput(file);
	/* MAP_FIXED_NOREPLACE met a mapping: the kernel's shmat says EINVAL. */
	if (ret == -EEXIST)
		ret = -EINVAL;
	return ret;
}

long sysvipc_shmat(void __user *argp)
{
	struct sysvipc_shmat __user *ua = argp;
	struct sysvipc_shmat a;
	struct sysvipc_shm *shp;
	unsigned long addr, size, flags = MAP_SHARED;
	int acc = 0444;
	long ret;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.reserved[0] || a.reserved[1])
		return -EINVAL;
	if (a.id < 0)
		return -EINVAL;
	addr = a.addr;
	if (addr != a.addr)
		return -EINVAL;
	if (addr) {
		if (addr & (SHMLBA - 1)) {
			if (!(a.flags & SHM_RND))
				return -EINVAL;
			addr &= ~(SHMLBA - 1);
			if (!addr && (a.flags & SHM_REMAP))
				return -EINVAL;
		}
		/*
		 * Without SHM_REMAP an occupied range is an error; NOREPLACE
		 * checks that atomically with the mapping.
		 */
		flags |= a.flags & SHM_REMAP ? MAP_FIXED : MAP_FIXED_NOREPLACE;
	} else if (a.flags & SHM_REMAP) {
		return -EINVAL;
	}
	if (!(a.flags & SHM_RDONLY))
		acc |= 0222;
	if (a.flags & SHM_EXEC)
		acc |= 0111;

	shp = shm_attach_get(a.id, acc);
	if (IS_ERR(shp))
		return PTR_ERR(shp);
	size = i_size_read(file_inode(shp->file));
	if (addr && !(a.flags & SHM_REMAP) && addr + size < addr)
		ret = -EINVAL;
	else
		ret = shm_map(shp, addr, a.flags, flags);
	shm_nattch_dec(shp, false);
	sysvipc_obj_put(&shp->perm);
	if (IS_ERR_VALUE(ret))
		return ret;

	/* Only the address changes; the rest stays as the caller wrote it. */
	if (put_user(ret, &ua->addr)) {
		vm_munmap(ret, size);
		return -EFAULT;
	}
	return 0;
}

/*
 * The VMA shmdt removes next, from @from on: the kernel's rule is a VMA of
 * ours whose offset into the segment equals its distance from @addr; after
 * the first, only those of the same attach within the segment's size.  An
 * attach is its file and, unless huge (shm_attach_file()), its token.
 * The first sets *@limit, the segment's size in pages, and, when it does
 * not cover the whole attach (fragments may follow), takes a reference on
 * its attach file into *@file and its token into *@token for the identity
 * check.  Returns false when there is none; fills [*start, *end) otherwise.
 */
static bool shm_detach_next(struct mm_struct *mm, unsigned long addr,
			    unsigned long from, struct file **file,
			    void **token, unsigned long *limit,
			    unsigned long *start, unsigned long *end)
{
	struct vm_area_struct *vma;

	for (vma = find_vma(mm, from); vma; vma = find_vma(mm, vma->vm_end)) {
		if (*limit && vma->vm_end - addr > *limit)
			return false;
		if (vma->vm_ops != &shm_vm_ops ||
		    (vma->vm_start - addr) >> PAGE_SHIFT != vma->vm_pgoff)
			continue;
		if (!*limit) {
			*limit = PAGE_ALIGN(i_size_read(file_inode(vma->vm_file)));
			if (vma->vm_end - addr < *limit) {
				*file = get_file(vma->vm_file);
				if (!shm_is_huge(vma_shm(vma)->file))
					*token = vma->vm_private_data;
			}
		} else if (vma->vm_file != *file ||
			   (*token && vma->vm_private_data != *token)) {
			continue;
		}
		*start = vma->vm_start;
		*end = vma->vm_end;
		return true;
	}
	return false;
}

/*
 * shmdt: unmap what the kernel's shmdt would, including fragments left by
 * mprotect or munmap.  vm_munmap() takes mmap_lock itself, so each VMA is
 * found under the read lock and unmapped after it is dropped.  A whole
 * attach is one VMA: one lookup and one unmap.
 */
long sysvipc_shmdt(const void __user *argp)
{
	struct mm_struct *mm = current->mm;
	struct sysvipc_shmdt d;
	struct file *file = NULL;
	void *token = NULL;
	unsigned long addr, from, start, end, limit = 0;
	long ret = -EINVAL;
	bool found;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (d.reserved[0] || d.reserved[1])
		return -EINVAL;
	addr = d.addr;
	if (addr != d.addr || (addr & ~PAGE_MASK))
		return -EINVAL;
	for (from = addr;; from = end) {
		if (mmap_read_lock_killable(mm)) {
			if (ret)
				ret = -EINTR;
			break;
		}
		found = shm_detach_next(mm, addr, from, &file, &token, &limit,
					&start, &end);
		mmap_read_unlock(mm);
		if (!found)
			break;
		vm_munmap(start, end - start);
		ret = 0;
		/* The attach ends here: no fragment can follow. */
		if (end - addr >= limit)
			break;
	}
	if (file)
		fput(file);
	return ret;
}

/*
 * A raw mmap() of /dev/sysvipc at offset = segment id attaches like shmat
 * at the address mmap chose: the VMA is switched to a new attach file.
 */
int sysvipc_shm_mmap(struct vm_area_struct *vma)
{
	struct sysvipc_shm *shp;
	struct file *file;
	int acc = 0444, f_flags = O_RDONLY, err;

	if (!(vma->vm_flags & VM_SHARED) || vma->vm_pgoff > INT_MAX)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE) {
		acc |= 0222;
		f_flags = O_RDWR;
	}
	if (vma->vm_flags & VM_EXEC)
		acc |= 0111;
	shp = shm_attach_get(vma->vm_pgoff, acc);
	if (IS_ERR(shp))
		return PTR_ERR(shp);
	file = shm_attach_file(shp, f_flags);
	err = PTR_ERR_OR_ZERO(file);
	if (!err) {
		/* A read-only attach stays read-only, as with SHM_RDONLY. */
		if (f_flags == O_RDONLY)
			sysvipc_vma_clear_flags(vma, VM_MAYWRITE);
		sysvipc_vma_set_file(vma, file);
		vma->vm_pgoff = 0;
		err = shm_attach_mmap(file, vma);
		fput(file);
	}
	shm_nattch_dec(shp, false);
	sysvipc_obj_put(&shp->perm);
	return err;
}

/* ---- segment fds (SYSVIPC_IOC_OBJFD) ---- */

static struct file *shm_fd_base(struct file *file)
{
	return file_shm(file)->file;
}

static bool shm_fd_removed(struct file *file)
{
	struct sysvipc_shm *shp = file_shm(file);
	bool deleted;

	spin_lock(&shp->perm.lock);
	deleted = shp->perm.deleted;
	spin_unlock(&shp->perm.lock);
	return deleted;
}

/* pread: shmem's (or hugetlbfs') own read, on the same inode. */
static ssize_t shm_fd_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct file *base = shm_fd_base(iocb->ki_filp);

	if (shm_fd_removed(iocb->ki_filp))
		return -EIDRM;
	if (!base->f_op->read_iter)
		return -EINVAL;
	return base->f_op->read_iter(iocb, to);
}

/*
 * pwrite: shmem's write, clamped so that the segment never grows; at or
 * past its end, ENOSPC as for a block device.  hugetlbfs cannot write().
 */
static ssize_t shm_fd_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *base = shm_fd_base(iocb->ki_filp);
	loff_t size = i_size_read(file_inode(base));

	if (shm_fd_removed(iocb->ki_filp))
		return -EIDRM;
	if (!base->f_op->write_iter)
		return -EINVAL;
	if (!iov_iter_count(from))
		return 0;
	if (iocb->ki_pos >= size)
		return -ENOSPC;
	iov_iter_truncate(from, size - iocb->ki_pos);
	return base->f_op->write_iter(iocb, from);
}

static loff_t shm_fd_llseek(struct file *file, loff_t offset, int whence)
{
	struct file *base = shm_fd_base(file);

	if (!base->f_op->llseek)
		return default_llseek(file, offset, whence);
	return base->f_op->llseek(file, offset, whence);
}

/* Only what keeps the size: punching holes, or allocating within it. */
static long shm_fd_fallocate(struct file *file, int mode, loff_t offset,
			     loff_t len)
{
	if (!(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	return shm_attach_fallocate(file, mode, offset, len);
}

/* Always ready for I/O; POLLERR | POLLHUP once the segment is removed. */
static __poll_t shm_fd_poll(struct file *file, poll_table *wait)
{
	poll_wait(file, &file_shm(file)->perm.poll_wq, wait);
	if (shm_fd_removed(file))
		return EPOLLERR | EPOLLHUP;
	return EPOLLIN | EPOLLRDNORM | EPOLLOUT | EPOLLWRNORM;
}

static const struct file_operations shm_fd_fops = {
	.owner = THIS_MODULE,
	.read_iter = shm_fd_read_iter,
	.write_iter = shm_fd_write_iter,
	.llseek = shm_fd_llseek,
	.poll = shm_fd_poll,
	.mmap = shm_attach_mmap,
	.get_unmapped_area = shm_attach_get_unmapped_area,
	.fsync = shm_attach_fsync,
	.fallocate = shm_fd_fallocate,
	.release = shm_attach_release,
};

/*
 * A segment fd: the segment's shmem file opened again with @f_flags
 * (access mode and O_NONBLOCK), after the check of @acc.  Not an attach:
 * it does not count in shm_nattch, its mappings do.
 */
struct file *sysvipc_shm_fd_file(int id, int f_flags, int acc)
{
	struct sysvipc_obj *obj = sysvipc_obtain_may(&shm_ids, id, acc);
	struct file *file;

	if (IS_ERR(obj))
		return ERR_CAST(obj);
	/* Not FMODE_NOWAIT: shmem may sleep (swap-in) under IOCB_NOWAIT. */
	file = shm_new_file(to_shm(obj), f_flags | O_LARGEFILE, &shm_fd_fops);
	return file;
}

int sysvipc_shm_init(void)
{
	sysvipc_ids_init(&shm_ids, shm_release);
	return 0;
}

/* No segment is attached or open now: each goes with its backing. */
void sysvipc_shm_exit(void)
{
	sysvipc_ids_destroy(&shm_ids, NULL);
}

/* The status file /proc/driver/sysvipc/shm (kmod/proc.c). */
struct sysvipc_ids *sysvipc_shm_ids(void)
{
	return &shm_ids;
}

/* One line in the format of the kernel's sysvipc_shm_proc_show() (64-bit). */
void sysvipc_shm_proc_show(struct seq_file *s, struct sysvipc_obj *obj,
			   struct pid_namespace *pid_ns)
{
	struct user_namespace *user_ns = seq_user_ns(s);
	struct sysvipc_shm *shp = to_shm(obj);
	struct shm_info usage = {};

	shm_add_usage(shp, &usage);
	spin_lock(&obj->lock);
	seq_printf(s, "%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u %5u %5u %10llu %10llu %10llu %21lu %21lu\n",
		   obj->key, obj->id, obj->mode, (unsigned long)shp->segsz,
		   pid_nr_ns(shp->cpid, pid_ns), pid_nr_ns(shp->lpid, pid_ns),
		   shp->nattch,
		   from_kuid_munged(user_ns, obj->uid),
		   from_kgid_munged(user_ns, obj->gid),
		   from_kuid_munged(user_ns, obj->cuid),
		   from_kgid_munged(user_ns, obj->cgid),
		   shp->atime, shp->dtime, shp->ctime,
		   usage.shm_rss * PAGE_SIZE, usage.shm_swp * PAGE_SIZE);
	spin_unlock(&obj->lock);
}
