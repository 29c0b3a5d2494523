// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: System V IPC as a loadable module.
 *
 * The misc device /dev/sysvipc, the ioctl dispatcher and the limits.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/ipc_namespace.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/nsproxy.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include <linux/sysvipc.h>
#include "compat.h"
#include "sysvipc.h"

/*
 * Limits.  Zero, the default, means "what the caller's IPC namespace says"
 * (kernel.shmmax, kernel.sem ...), read at every check so that sysctl
 * changes apply at once, as they do for the kernel's own IPC.  A nonzero
 * value overrides the sysctl for objects of this module only.
 */
static unsigned long shmmax;
module_param(shmmax, ulong, 0644);
MODULE_PARM_DESC(shmmax, "Largest segment in bytes (0: kernel.shmmax)");
static unsigned long shmall;
module_param(shmall, ulong, 0644);
MODULE_PARM_DESC(shmall, "Pages in all segments (0: kernel.shmall)");
static unsigned int shmmni;
module_param(shmmni, uint, 0644);
MODULE_PARM_DESC(shmmni, "Most segments (0: kernel.shmmni)");
static unsigned int semmsl;
module_param(semmsl, uint, 0644);
MODULE_PARM_DESC(semmsl, "Most semaphores in a set (0: kernel.sem[0])");
static unsigned int semmns;
module_param(semmns, uint, 0644);
MODULE_PARM_DESC(semmns, "Most semaphores in all sets (0: kernel.sem[1])");
static unsigned int semopm;
module_param(semopm, uint, 0644);
MODULE_PARM_DESC(semopm, "Most operations in one semop (0: kernel.sem[2])");
static unsigned int semmni;
module_param(semmni, uint, 0644);
MODULE_PARM_DESC(semmni, "Most semaphore sets (0: kernel.sem[3])");
static unsigned int msgmax;
module_param(msgmax, uint, 0644);
MODULE_PARM_DESC(msgmax, "Largest message in bytes (0: kernel.msgmax)");
static unsigned int msgmnb;
module_param(msgmnb, uint, 0644);
MODULE_PARM_DESC(msgmnb, "Default queue size in bytes (0: kernel.msgmnb)");
static unsigned int msgmni;
module_param(msgmni, uint, 0644);
MODULE_PARM_DESC(msgmni, "Most message queues (0: kernel.msgmni)");

static struct ipc_namespace *sysvipc_ns(void)
{
	return current->nsproxy->ipc_ns;
}

/* A parameter larger than INT_MAX behaves like INT_MAX, as a count. */
static int sysvipc_count(unsigned int param, int ns_value)
{
	unsigned int v = READ_ONCE(param);

	return v ? min_t(unsigned int, v, INT_MAX) : ns_value;
}

unsigned long sysvipc_shmmax(void)
{
	return READ_ONCE(shmmax) ?: sysvipc_ns()->shm_ctlmax;
}

unsigned long sysvipc_shmall(void)
{
	return READ_ONCE(shmall) ?: sysvipc_ns()->shm_ctlall;
}

int sysvipc_shmmni(void)
{
	return sysvipc_count(shmmni, sysvipc_ns()->shm_ctlmni);
}

int sysvipc_semmsl(void)
{
	return sysvipc_count(semmsl, sysvipc_ns()->sem_ctls[0]);
}

int sysvipc_semmns(void)
{
	return sysvipc_count(semmns, sysvipc_ns()->sem_ctls[1]);
}

int sysvipc_semopm(void)
{
	return sysvipc_count(semopm, sysvipc_ns()->sem_ctls[2]);
}

int sysvipc_semmni(void)
{
	return sysvipc_count(semmni, sysvipc_ns()->sem_ctls[3]);
}

unsigned int sysvipc_msgmax(void)
{
	return READ_ONCE(msgmax) ?: sysvipc_ns()->msg_ctlmax;
}

unsigned int sysvipc_msgmnb(void)
{
	return READ_ONCE(msgmnb) ?: sysvipc_ns()->msg_ctlmnb;
}

int sysvipc_msgmni(void)
{
	return sysvipc_count(msgmni, sysvipc_ns()->msg_ctlmni);
}

static bool sysvipc_zero(const u64 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

int sysvipc_copy_get(struct sysvipc_get *g, const void __user *argp)
{
	if (copy_from_user(g, argp, sizeof(*g)))
		return -EFAULT;
	if (g->get_flags & ~(SYSVIPC_GET_BACKING_FD | SYSVIPC_GET_AT_ID))
		return -EINVAL;
	if (!(g->get_flags & SYSVIPC_GET_BACKING_FD) && g->backing_fd)
		return -EINVAL;
	if (!(g->get_flags & SYSVIPC_GET_AT_ID))
		return g->at_id ? -EINVAL : 0;
	if (g->at_id > INT_MAX)
		return -EINVAL;
	if (!checkpoint_restore_ns_capable(sysvipc_user_ns()))
		return -EPERM;
	return 0;
}

int sysvipc_get_at_id(const struct sysvipc_get *g)
{
	return g->get_flags & SYSVIPC_GET_AT_ID ? (int)g->at_id : -1;
}

int sysvipc_copy_ctl(struct sysvipc_ctl *c, const void __user *argp)
{
	if (copy_from_user(c, argp, sizeof(*c)))
		return -EFAULT;
	if (c->pad || !sysvipc_zero(c->reserved, ARRAY_SIZE(c->reserved)))
		return -EINVAL;
	return 0;
}

static long sysvipc_version(void __user *argp)
{
	struct sysvipc_version v = {
		.major = SYSVIPC_ABI_MAJOR,
		.minor = SYSVIPC_ABI_MINOR,
		.features = SYSVIPC_FEAT_SHM | SYSVIPC_FEAT_SEM |
			    SYSVIPC_FEAT_MSG | SYSVIPC_FEAT_SHMAT |
			    SYSVIPC_FEAT_SEMOP | SYSVIPC_FEAT_SEM_UNDO |
			    SYSVIPC_FEAT_MSGOP | SYSVIPC_FEAT_SHM_HUGETLB |
			    SYSVIPC_FEAT_OBJFD | SYSVIPC_FEAT_SEM_FAST |
			    SYSVIPC_FEAT_MSG_BATCH | SYSVIPC_FEAT_UNDO_RW |
			    SYSVIPC_FEAT_RESTORE | SYSVIPC_FEAT_MSG_STATUS |
			    SYSVIPC_FEAT_MMAP_PGOFF | SYSVIPC_FEAT_MSG_RING,
	};

	return copy_to_user(argp, &v, sizeof(v)) ? -EFAULT : 0;
}

static long sysvipc_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (cmd) {
	case SYSVIPC_IOC_VERSION:
		return sysvipc_version(argp);
	case SYSVIPC_IOC_SHMGET:
		return sysvipc_shmget(argp);
	case SYSVIPC_IOC_SHMCTL:
		return sysvipc_shmctl(argp);
	case SYSVIPC_IOC_SHMAT:
		return sysvipc_shmat(argp);
	case SYSVIPC_IOC_SHMDT:
		return sysvipc_shmdt(argp);
	case SYSVIPC_IOC_SEMGET:
		return sysvipc_semget(argp);
	case SYSVIPC_IOC_SEMCTL:
		return sysvipc_semctl(argp);
	case SYSVIPC_IOC_SEMOP:
		return sysvipc_semop(argp);
	case SYSVIPC_IOC_SEMMAP:
		return sysvipc_semmap(file, argp);
	case SYSVIPC_IOC_MSGGET:
		return sysvipc_msgget(argp);
	case SYSVIPC_IOC_MSGCTL:
		return sysvipc_msgctl(argp);
	case SYSVIPC_IOC_MSGSND:
		return sysvipc_msgsnd(argp);
	case SYSVIPC_IOC_MSGRCV:
		return sysvipc_msgrcv(argp);
	case SYSVIPC_IOC_MSGSTATUS:
		return sysvipc_msgstatus(file, argp);
	case SYSVIPC_IOC_MSGRING:
		return sysvipc_msgring(file, argp);
	case SYSVIPC_IOC_MSGLEASE:
		return sysvipc_msglease(argp);
	case SYSVIPC_IOC_OBJFD:
		return sysvipc_objfd(argp);
	case SYSVIPC_IOC_UNDO_GET:
		return sysvipc_undo_get(argp);
	case SYSVIPC_IOC_UNDO_SET:
		return sysvipc_undo_set(argp);
	case SYSVIPC_IOC_RESTORE:
		return sysvipc_restore(argp);
	default:
		return -ENOTTY;
	}
}

/*
 * Open files of the device.  Attach files kept for reuse pin the module as
 * open device files do, so they go with the last of these (see
 * shm_attach_file() in shm.c).
 */
static atomic_t sysvipc_open_files = ATOMIC_INIT(0);

static int sysvipc_open(struct inode *inode, struct file *file)
{
	atomic_inc(&sysvipc_open_files);
	return 0;
}

static int sysvipc_release(struct inode *inode, struct file *file)
{
	if (atomic_dec_and_test(&sysvipc_open_files))
		sysvipc_shm_drop_kept_files();
	return 0;
}

/*
 * A one-page mapping of a module page (a semaphore set's fast-path page, a
 * queue's receive ring): the device file at the object's offset, which
 * pins the module; each VMA holds a reference on the page in
 * vm_private_data.  The page is inserted at the first fault.  Nothing
 * refers back to the object, so a page it retires stays mapped, dead,
 * until the last unmap.
 */
static vm_fault_t sysvipc_page_fault(struct vm_fault *vmf)
{
	struct page *page = vmf->vma->vm_private_data;
	int err;

	if (vmf->pgoff != vmf->vma->vm_pgoff)
		return VM_FAULT_SIGBUS;
	err = vm_insert_page(vmf->vma, vmf->address, page);
	if (!err || err == -EBUSY)
		return VM_FAULT_NOPAGE;
	return err == -ENOMEM ? VM_FAULT_OOM : VM_FAULT_SIGBUS;
}

/* mremap copies the VMA: the copy takes its own reference. */
static void sysvipc_page_open(struct vm_area_struct *vma)
{
	get_page(vma->vm_private_data);
}

static void sysvipc_page_close(struct vm_area_struct *vma)
{
	put_page(vma->vm_private_data);
}

static const struct vm_operations_struct sysvipc_page_vm_ops = {
	.open = sysvipc_page_open,
	.close = sysvipc_page_close,
	.fault = sysvipc_page_fault,
};

/* Make @vma (one page, checked by the caller) map @page; consumes a ref. */
void sysvipc_vma_page(struct vm_area_struct *vma, struct page *page)
{
	/* Not inherited, never grown, no core dump, never executable. */
	sysvipc_vma_set_flags(vma, VM_DONTCOPY | VM_DONTEXPAND |
				   VM_DONTDUMP | VM_MIXEDMAP);
	sysvipc_vma_clear_flags(vma, VM_MAYEXEC);
	vma->vm_private_data = page;
	vma->vm_ops = &sysvipc_page_vm_ops;
}

/* By page offset: uapi/linux/sysvipc.h, SYSVIPC_MMAP_*. */
static int sysvipc_mmap(struct file *file, struct vm_area_struct *vma)
{
	unsigned long pgoff = vma->vm_pgoff;

	if (pgoff == SYSVIPC_MMAP_MSGSTATUS)
		return sysvipc_msgstatus_mmap(vma);
	if (pgoff >= SYSVIPC_MMAP_SEM && pgoff - SYSVIPC_MMAP_SEM <= INT_MAX)
		return sysvipc_semmap_mmap(vma, pgoff - SYSVIPC_MMAP_SEM);
	if (pgoff >= SYSVIPC_MMAP_MSGRING &&
	    pgoff - SYSVIPC_MMAP_MSGRING <= INT_MAX)
		return sysvipc_msgring_mmap(vma, pgoff - SYSVIPC_MMAP_MSGRING);
	return sysvipc_shm_mmap(vma);
}

static const struct file_operations sysvipc_fops = {
	.owner = THIS_MODULE,
	.open = sysvipc_open,
	.release = sysvipc_release,
	.unlocked_ioctl = sysvipc_ioctl,
	.mmap = sysvipc_mmap,
	.llseek = noop_llseek,
};

/* Mode 0666: each object carries its own permissions. */
static struct miscdevice sysvipc_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "sysvipc",
	.fops = &sysvipc_fops,
	.mode = 0666,
};

static int __init sysvipc_init(void)
{
	int err;

	err = sysvipc_shm_init();
	if (err)
		return err;
	err = sysvipc_sem_init();
	if (err)
		goto out_shm;
	err = sysvipc_msg_init();
	if (err)
		goto out_sem;
	err = sysvipc_undo_init();
	if (err)
		goto out_msg;
	err = sysvipc_proc_init();
	if (err)
		goto out_undo;
	err = misc_register(&sysvipc_dev);
	if (err)
		goto out_proc;
	return 0;

out_proc:
	sysvipc_proc_exit();
out_undo:
	sysvipc_undo_exit();
out_msg:
	sysvipc_msg_exit();
out_sem:
	sysvipc_sem_exit();
out_shm:
	sysvipc_shm_exit();
	return err;
}

/*
 * Every open file and every mapping pins the module, so nothing can be
 * using an object here: whatever is still listed is freed.
 */
static void __exit sysvipc_exit(void)
{
	misc_deregister(&sysvipc_dev);
	sysvipc_proc_exit();
	sysvipc_undo_exit();
	sysvipc_msg_exit();
	sysvipc_sem_exit();
	sysvipc_shm_exit();
}

module_init(sysvipc_init);
module_exit(sysvipc_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("System V IPC: shared memory, semaphores, message queues");
MODULE_VERSION("0.1");
