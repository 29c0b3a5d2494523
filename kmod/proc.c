// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc: /proc/driver/sysvipc/{shm,sem,msg}, the module's objects in the
 * formats of the kernel's /proc/sysvipc/{shm,sem,msg} (same header, same
 * columns and widths), so that tools parsing those files read ours too.
 *
 * Like the kernel's files: world readable, every object listed (the kernel
 * does not filter by permission either), uids and gids translated to the
 * opener's user namespace and pids to the pid namespace it had at open.
 * The registry's rwsem is held for reading from ->start to ->stop, so the
 * objects stay listed; each family's show function takes the object's
 * lock for the mutable fields.
 */
#include <linux/err.h>
#include <linux/pid_namespace.h>
#include <linux/proc_fs.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/xarray.h>

#include "compat.h"
#include "sysvipc.h"

struct sysvipc_proc_iface {
	const char *name;
	void (*header)(struct seq_file *s);
	struct sysvipc_ids *(*ids)(void);
	void (*show)(struct seq_file *s, struct sysvipc_obj *obj,
		     struct pid_namespace *pid_ns);
};

struct sysvipc_proc_iter {
	const struct sysvipc_proc_iface *iface;
	struct sysvipc_ids *ids;
	struct pid_namespace *pid_ns;
};

/* The headers of 6.1's ipc/shm.c (64-bit variant), sem.c and msg.c. */
static void sysvipc_shm_header(struct seq_file *s)
{
	seq_puts(s, "       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid      atime      dtime      ctime                   rss                  swap\n");
}

static void sysvipc_sem_header(struct seq_file *s)
{
	seq_puts(s, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n");
}

static void sysvipc_msg_header(struct seq_file *s)
{
	seq_puts(s, "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      stime      rtime      ctime\n");
}

static const struct sysvipc_proc_iface sysvipc_proc_ifaces[] = {
	{
		.name = "shm",
		.header = sysvipc_shm_header,
		.ids = sysvipc_shm_ids,
		.show = sysvipc_shm_proc_show,
	}, {
		.name = "sem",
		.header = sysvipc_sem_header,
		.ids = sysvipc_sem_ids,
		.show = sysvipc_sem_proc_show,
	}, {
		.name = "msg",
		.header = sysvipc_msg_header,
		.ids = sysvipc_msg_ids,
		.show = sysvipc_msg_proc_show,
	},
};

static struct proc_dir_entry *sysvipc_proc_dir;

/* Position 0 is the header, position n the object at index n - 1 or after. */
static void *sysvipc_proc_find(struct sysvipc_ids *ids, loff_t *pos)
{
	unsigned long idx = *pos - 1;
	void *obj;

	obj = xa_find(&ids->objs, &idx, SYSVIPC_IDX_MAX - 1, XA_PRESENT);
	if (obj)
		*pos = idx + 1;
	return obj;
}

static void *sysvipc_proc_start(struct seq_file *s, loff_t *pos)
{
	struct sysvipc_proc_iter *iter = s->private;

	down_read(&iter->ids->rwsem);
	if (*pos < 0 || *pos > SYSVIPC_IDX_MAX)
		return NULL;
	if (*pos == 0)
		return SEQ_START_TOKEN;
	return sysvipc_proc_find(iter->ids, pos);
}

static void *sysvipc_proc_next(struct seq_file *s, void *it, loff_t *pos)
{
	struct sysvipc_proc_iter *iter = s->private;

	(*pos)++;
	if (*pos > SYSVIPC_IDX_MAX)
		return NULL;
	return sysvipc_proc_find(iter->ids, pos);
}

static void sysvipc_proc_stop(struct seq_file *s, void *it)
{
	struct sysvipc_proc_iter *iter = s->private;

	up_read(&iter->ids->rwsem);
}

static int sysvipc_proc_show(struct seq_file *s, void *it)
{
	struct sysvipc_proc_iter *iter = s->private;

	if (it == SEQ_START_TOKEN)
		iter->iface->header(s);
	else
		iter->iface->show(s, it, iter->pid_ns);
	return 0;
}

static const struct seq_operations sysvipc_proc_seqops = {
	.start = sysvipc_proc_start,
	.next = sysvipc_proc_next,
	.stop = sysvipc_proc_stop,
	.show = sysvipc_proc_show,
};

static int sysvipc_proc_open(struct inode *inode, struct file *file)
{
	struct sysvipc_proc_iter *iter;

	iter = __seq_open_private(file, &sysvipc_proc_seqops, sizeof(*iter));
	if (!iter)
		return -ENOMEM;
	iter->iface = sysvipc_pde_data(inode);
	iter->ids = iter->iface->ids();
	iter->pid_ns = get_pid_ns(task_active_pid_ns(current));
	return 0;
}

static int sysvipc_proc_release(struct inode *inode, struct file *file)
{
	struct seq_file *s = file->private_data;
	struct sysvipc_proc_iter *iter = s->private;

	put_pid_ns(iter->pid_ns);
	return seq_release_private(inode, file);
}

static const struct proc_ops sysvipc_proc_ops = {
	.proc_open = sysvipc_proc_open,
	.proc_read = seq_read,
	.proc_lseek = seq_lseek,
	.proc_release = sysvipc_proc_release,
};

int sysvipc_proc_init(void)
{
	const struct sysvipc_proc_iface *iface;
	int i;

	sysvipc_proc_dir = proc_mkdir("driver/sysvipc", NULL);
	if (!sysvipc_proc_dir)
		return -ENOMEM;
	for (i = 0; i < ARRAY_SIZE(sysvipc_proc_ifaces); i++) {
		iface = &sysvipc_proc_ifaces[i];
		if (!proc_create_data(iface->name, 0444, sysvipc_proc_dir,
				      &sysvipc_proc_ops, (void *)iface)) {
			proc_remove(sysvipc_proc_dir);
			return -ENOMEM;
		}
	}
	return 0;
}

/* Waits for readers inside the files and closes those still open. */
void sysvipc_proc_exit(void)
{
	proc_remove(sysvipc_proc_dir);
}
