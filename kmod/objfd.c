// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: object file descriptors (SYSVIPC_IOC_OBJFD).
 *
 * A queue or semaphore fd is an anon-inode file holding a reference on the
 * object and the operation its reads (and a queue's writes) perform; a
 * segment fd is a file of the segment's own shmem inode (kmod/shm.c).
 * Access is checked once, when the fd is made, with the permission bits
 * the object's own calls need for the access mode asked for, as open()
 * does for files; the fd then works whatever IPC_SET does to the mode.
 *
 * Readiness: every object has a wait queue (obj->poll_wq) that msg.c,
 * sem.c, shm.c and ids.c wake with the events that happened, after the
 * state changed under obj->lock; ->poll adds itself to the queue first
 * and then reads the state under obj->lock, so no change is missed.
 *
 * Non-blocking: read/write under O_NONBLOCK or IOCB_NOWAIT fail with
 * EAGAIN where the call would sleep.  The files are FMODE_NOWAIT, so
 * io_uring first issues IORING_OP_READ/WRITE with IOCB_NOWAIT, and on
 * EAGAIN parks the request on obj->poll_wq through its own poll machinery
 * (retried when woken, cancellable, torn down with the ring): nothing of
 * io_uring's ever sleeps inside this module.  A read without either flag
 * sleeps in msgrcv's or semop's own wait, interruptibly.
 *
 * Exclusive queue fds (SYSVIPC_OBJFD_MSG_EXCLUSIVE): the fd's waiters are
 * on a wait queue of its own (ctx->wq), never on obj->poll_wq; instead
 * ctx->link sits on obj->poll_wq for the fd's lifetime and relays: a
 * message arriving (EPOLLIN alone) wakes the oldest waiter of ctx->wq that
 * accepts the event, any other event wakes them all.  A waiter that reads
 * and leaves a message it could select queued (another one, or one it got
 * E2BIG for) wakes the next, so a wake-up that lands on a waiter that
 * takes nothing is passed on by the next read of the fd.  Each fd has its
 * own selection, so one fd's waiters never absorb another's wake-ups.
 * Lock order: obj->lock, then obj->poll_wq.lock, then ctx->wq.lock.
 */
#include <linux/anon_inodes.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/msg.h>
#include <linux/poll.h>
#include <linux/sem.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/uaccess.h>
#include <linux/uio.h>

#include <linux/sysvipc.h>
#include "sysvipc.h"

/* What an fd of a queue or semaphore set does.  Fixed once made. */
struct sysvipc_objfd_ctx {
	struct sysvipc_obj *obj;	/* holds a reference */
	long msgtyp;
	int msgflg;
	u64 msgsz;
	u64 objfd_flags;	/* SYSVIPC_OBJFD_* */
	struct sembuf sop;
	/* Exclusive queue fds only: see the top of this file. */
	wait_queue_head_t wq;		/* the fd's waiters */
	wait_queue_entry_t link;	/* on obj->poll_wq */
	/* Shown in fdinfo: reads that returned data, reads that found none. */
	atomic_long_t reads;
	atomic_long_t empty_reads;
};

static bool objfd_excl(const struct sysvipc_objfd_ctx *ctx)
{
	return ctx->objfd_flags & SYSVIPC_OBJFD_MSG_EXCLUSIVE;
}

/*
 * Wake the oldest waiter of an exclusive fd that takes @key, or none.
 * add_wait_queue() puts the newest first, so walk from the tail; a waiter
 * that does not want the event returns 0 and the walk goes on.
 */
static void objfd_wake_one(struct sysvipc_objfd_ctx *ctx, void *key)
{
	wait_queue_entry_t *curr, *next;
	unsigned long flags;

	spin_lock_irqsave(&ctx->wq.lock, flags);
	list_for_each_entry_safe_reverse(curr, next, &ctx->wq.head, entry) {
		if (curr->func(curr, TASK_NORMAL, 0, key))
			break;
	}
	spin_unlock_irqrestore(&ctx->wq.lock, flags);
}

/* ctx->link's wake function, called under obj->poll_wq.lock. */
static int objfd_excl_relay(wait_queue_entry_t *wait, unsigned int mode,
			    int sync, void *key)
{
	struct sysvipc_objfd_ctx *ctx = container_of(wait,
						     struct sysvipc_objfd_ctx,
						     link);
	__poll_t events = key_to_poll(key);

	if (events && !(events & ~(EPOLLIN | EPOLLRDNORM)))
		objfd_wake_one(ctx, key);
	else
		wake_up_poll(&ctx->wq, events);
	return 0;
}

/* After a read of an exclusive fd that left a message it could select. */
static void objfd_wake_next(struct sysvipc_objfd_ctx *ctx)
{
	/* Pairs with the barrier in the waiters' add_wait_queue(). */
	if (wq_has_sleeper(&ctx->wq))
		objfd_wake_one(ctx, poll_to_key(EPOLLIN | EPOLLRDNORM));
}

static bool objfd_nowait(struct kiocb *iocb)
{
	return (iocb->ki_flags & IOCB_NOWAIT) ||
	       (iocb->ki_filp->f_flags & O_NONBLOCK);
}

static int objfd_release(struct inode *inode, struct file *file)
{
	struct sysvipc_objfd_ctx *ctx = file->private_data;

	/* No waiter is left: each held a reference on the file. */
	if (objfd_excl(ctx))
		remove_wait_queue(&ctx->obj->poll_wq, &ctx->link);
	sysvipc_obj_put(ctx->obj);
	kfree(ctx);
	return 0;
}

static ssize_t objfd_msg_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct sysvipc_objfd_ctx *ctx = iocb->ki_filp->private_data;
	bool excl = objfd_excl(ctx), more = false;
	ssize_t ret;

	if (ctx->objfd_flags & SYSVIPC_OBJFD_MSG_BATCH) {
		if (iov_iter_count(to) < sizeof(struct sysvipc_msgrec))
			return -EINVAL;
		ret = sysvipc_msg_fd_read_batch(ctx->obj, to, ctx->msgtyp,
						ctx->msgflg, objfd_nowait(iocb),
						excl ? &more : NULL);
	} else {
		if (iov_iter_count(to) < sizeof(long))
			return -EINVAL;
		ret = sysvipc_msg_fd_read(ctx->obj, to, ctx->msgtyp,
					  ctx->msgflg, objfd_nowait(iocb),
					  excl ? &more : NULL);
	}
	if (ret >= 0)
		atomic_long_inc(&ctx->reads);
	else if (ret == -EAGAIN)
		atomic_long_inc(&ctx->empty_reads);
	if (more)
		objfd_wake_next(ctx);
	return ret;
}

static ssize_t objfd_msg_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct sysvipc_objfd_ctx *ctx = iocb->ki_filp->private_data;

	return sysvipc_msg_fd_write(ctx->obj, from, objfd_nowait(iocb));
}

static __poll_t objfd_msg_poll(struct file *file, poll_table *wait)
{
	struct sysvipc_objfd_ctx *ctx = file->private_data;
	__poll_t want = 0;

	poll_wait(file, objfd_excl(ctx) ? &ctx->wq : &ctx->obj->poll_wq, wait);
	if (file->f_mode & FMODE_READ)
		want |= EPOLLIN;
	if (file->f_mode & FMODE_WRITE)
		want |= EPOLLOUT;
	return sysvipc_msg_fd_poll(ctx->obj, ctx->msgtyp, ctx->msgflg,
				   ctx->msgsz, want);
}

static void objfd_msg_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct sysvipc_objfd_ctx *ctx = file->private_data;

	seq_printf(m, "sysvipc_id:\t%d\n", ctx->obj->id);
	seq_printf(m, "msgtyp:\t%ld\nmsgflg:\t%#o\nobjfd_flags:\t%#llx\n",
		   ctx->msgtyp, ctx->msgflg, ctx->objfd_flags);
	seq_printf(m, "reads:\t%ld\nempty_reads:\t%ld\n",
		   atomic_long_read(&ctx->reads),
		   atomic_long_read(&ctx->empty_reads));
}

static const struct file_operations objfd_msg_fops = {
	.owner = THIS_MODULE,
	.show_fdinfo = objfd_msg_show_fdinfo,
	.read_iter = objfd_msg_read_iter,
	.write_iter = objfd_msg_write_iter,
	.poll = objfd_msg_poll,
	.release = objfd_release,
	.llseek = no_llseek,
};

/*
 * A semaphore fd's read performs its operation once and stores the __u64
 * 1 (eventfd-like: a count of operations done).  If that store faults the
 * operation stays done, as a message stays received when msgrcv faults.
 */
static ssize_t objfd_sem_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct sysvipc_objfd_ctx *ctx = iocb->ki_filp->private_data;
	u64 one = 1;
	long err;

	if (iov_iter_count(to) < sizeof(one))
		return -EINVAL;
	err = sysvipc_sem_fd_op(ctx->obj, &ctx->sop, objfd_nowait(iocb));
	if (err)
		return err;
	if (copy_to_iter(&one, sizeof(one), to) != sizeof(one))
		return -EFAULT;
	return sizeof(one);
}

static __poll_t objfd_sem_poll(struct file *file, poll_table *wait)
{
	struct sysvipc_objfd_ctx *ctx = file->private_data;

	poll_wait(file, &ctx->obj->poll_wq, wait);
	return sysvipc_sem_fd_poll(ctx->obj, &ctx->sop);
}

static const struct file_operations objfd_sem_fops = {
	.owner = THIS_MODULE,
	.read_iter = objfd_sem_read_iter,
	.poll = objfd_sem_poll,
	.release = objfd_release,
	.llseek = no_llseek,
};

/* An anon-inode file for @ctx; takes over @ctx (and its reference). */
static struct file *objfd_anon_file(const char *name,
				    const struct file_operations *fops,
				    struct sysvipc_objfd_ctx *ctx, int flags)
{
	struct file *file;

	file = anon_inode_getfile(name, fops, ctx, flags);
	if (IS_ERR(file)) {
		sysvipc_obj_put(ctx->obj);
		kfree(ctx);
		return file;
	}
	/* Read and write ignore the position: no lseek, no pread. */
	stream_open(file_inode(file), file);
	file->f_mode |= FMODE_NOWAIT;
	return file;
}

static bool objfd_zero(const u64 *p, size_t n)
{
	while (n--)
		if (*p++)
			return false;
	return true;
}

/* The per-type fields another type leaves zero. */
static bool objfd_msg_unset(const struct sysvipc_objfd *a)
{
	return !a->msgflg && !a->msgtyp && !a->msgsz;
}

static bool objfd_sem_unset(const struct sysvipc_objfd *a)
{
	return !a->sem_num && !a->sem_op && !a->sem_flg;
}

static struct file *objfd_msg(const struct sysvipc_objfd *a, int acc)
{
	struct sysvipc_objfd_ctx *ctx;
	struct sysvipc_obj *obj;

	struct file *file;

	if (!objfd_sem_unset(a) || (a->msgflg & ~(MSG_EXCEPT | MSG_NOERROR)) ||
	    a->msgsz > INT_MAX ||
	    (a->objfd_flags & ~(SYSVIPC_OBJFD_MSG_BATCH |
				SYSVIPC_OBJFD_MSG_EXCLUSIVE)))
		return ERR_PTR(-EINVAL);
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	obj = sysvipc_msg_fd_obj(a->id, acc);
	if (IS_ERR(obj)) {
		kfree(ctx);
		return ERR_CAST(obj);
	}
	ctx->obj = obj;
	ctx->msgtyp = a->msgtyp;
	ctx->msgflg = a->msgflg;
	ctx->msgsz = a->msgsz;
	ctx->objfd_flags = a->objfd_flags;
	init_waitqueue_head(&ctx->wq);
	init_waitqueue_func_entry(&ctx->link, objfd_excl_relay);
	file = objfd_anon_file("[sysvipc-msg]", &objfd_msg_fops, ctx,
			       a->flags);
	if (!IS_ERR(file) && objfd_excl(ctx))
		add_wait_queue(&obj->poll_wq, &ctx->link);
	return file;
}

/*
 * A semaphore fd is read to perform its operation: it must be readable,
 * and the access checked is semop's for the operation (write to alter,
 * read to wait for zero) besides the access mode's.
 */
static struct file *objfd_sem(const struct sysvipc_objfd *a, int acc)
{
	struct sysvipc_objfd_ctx *ctx;
	struct sysvipc_obj *obj;

	if (!objfd_msg_unset(a) || a->objfd_flags || (a->sem_flg & ~SEM_UNDO) ||
	    (a->flags & O_ACCMODE) == O_WRONLY)
		return ERR_PTR(-EINVAL);
	acc |= a->sem_op ? 0222 : 0444;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL_ACCOUNT);
	if (!ctx)
		return ERR_PTR(-ENOMEM);
	obj = sysvipc_sem_fd_obj(a->id, acc, a->sem_num);
	if (IS_ERR(obj)) {
		kfree(ctx);
		return ERR_CAST(obj);
	}
	ctx->obj = obj;
	ctx->sop.sem_num = a->sem_num;
	ctx->sop.sem_op = a->sem_op;
	ctx->sop.sem_flg = a->sem_flg;
	return objfd_anon_file("[sysvipc-sem]", &objfd_sem_fops, ctx,
			       a->flags);
}

long sysvipc_objfd(const void __user *argp)
{
	struct sysvipc_objfd a;
	struct file *file;
	int acc = 0, fd;

	if (copy_from_user(&a, argp, sizeof(a)))
		return -EFAULT;
	if (a.pad || !objfd_zero(a.reserved, ARRAY_SIZE(a.reserved)))
		return -EINVAL;
	if (a.flags & ~(O_ACCMODE | O_CLOEXEC | O_NONBLOCK))
		return -EINVAL;
	switch (a.flags & O_ACCMODE) {
	case O_RDONLY:
		acc = 0444;
		break;
	case O_WRONLY:
		acc = 0222;
		break;
	case O_RDWR:
		acc = 0666;
		break;
	default:
		return -EINVAL;
	}
	if (a.id < 0)
		return -EINVAL;

	switch (a.type) {
	case SYSVIPC_OBJ_SHM:
		if (!objfd_msg_unset(&a) || !objfd_sem_unset(&a) ||
		    a.objfd_flags)
			return -EINVAL;
		file = sysvipc_shm_fd_file(a.id, a.flags & (O_ACCMODE |
							    O_NONBLOCK), acc);
		break;
	case SYSVIPC_OBJ_SEM:
		file = objfd_sem(&a, acc);
		break;
	case SYSVIPC_OBJ_MSG:
		file = objfd_msg(&a, acc);
		break;
	default:
		return -EINVAL;
	}
	if (IS_ERR(file))
		return PTR_ERR(file);

	fd = get_unused_fd_flags(a.flags & O_CLOEXEC);
	if (fd < 0) {
		fput(file);
		return fd;
	}
	fd_install(fd, file);
	return fd;
}
