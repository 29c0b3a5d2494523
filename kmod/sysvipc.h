/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysvipc: internal declarations shared by the module's files.
 */
#ifndef _SYSVIPC_H
#define _SYSVIPC_H

#include <linux/bits.h>
#include <linux/hashtable.h>
#include <linux/ipc.h>
#include <linux/refcount.h>
#include <linux/rwsem.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <linux/wait.h>
#include <linux/xarray.h>

/* Same id layout as the kernel without ipcmni_extend: seq * 32768 + index. */
#define SYSVIPC_IDX_SHIFT	15
#define SYSVIPC_IDX_MAX		BIT(SYSVIPC_IDX_SHIFT)
#define SYSVIPC_SEQ_MAX		(INT_MAX >> SYSVIPC_IDX_SHIFT)
/* The kernel cycles indexes over at least this many slots (ipc_min_cycle). */
#define SYSVIPC_MIN_CYCLE	64

struct sysvipc_ids;

/*
 * The ipc_perm part of every object, embedded first in each type's struct.
 *
 * Lifetime: the registry holds one reference while the object is listed;
 * anything that sleeps or maps holds its own.  The memory is freed an RCU
 * grace period after the last reference goes, so lookups run under
 * rcu_read_lock() and then take @lock and test @deleted.
 */
struct sysvipc_obj {
	/*
	 * @lock protects @deleted, @uid, @gid, @mode and the mutable state of
	 * the type that embeds this struct.  Never held while sleeping.
	 */
	spinlock_t lock;
	bool deleted;
	int id;			/* fixed once published */
	key_t key;		/* changes only under ids->rwsem */
	unsigned short seq;
	umode_t mode;		/* S_IRWXUGO, plus SHM_DEST/SHM_LOCKED for shm */
	kuid_t uid, cuid;
	kgid_t gid, cgid;
	refcount_t refs;
	struct sysvipc_ids *ids;
	struct hlist_node key_node;	/* in ids->keys, under ids->rwsem */
	/*
	 * Pollers of the object's fds (kmod/objfd.c): poll, epoll and
	 * io_uring's parked requests.  Woken with the events that happened
	 * after a state change, outside @lock where the object is known to be
	 * alive (see sysvipc_poll_wake()); its own lock nests inside @lock.
	 */
	wait_queue_head_t poll_wq;
	struct rcu_head rcu;
};

/*
 * A registry: one per object type.
 *
 * @rwsem serialises everything that adds, removes or renames (key) objects
 * and every lookup by key: creation, IPC_RMID, IPC_SET and the *_INFO
 * counters.  Lookups by id use RCU on @objs and take no registry lock.
 * Lock order: rwsem, then obj->lock, then the xarray's internal lock.
 */
struct sysvipc_ids {
	struct rw_semaphore rwsem;
	struct xarray objs;		/* index -> object */
	DECLARE_HASHTABLE(keys, 8);	/* key -> object, public keys only */
	int in_use;
	int max_idx;			/* highest index in use, -1 if none */
	int last_idx;			/* index handed out last, for seq */
	u32 next_idx;			/* where the cyclic search starts */
	int at_id;			/* SYSVIPC_GET_AT_ID's id, or -1 */
	unsigned short seq;
	/* Frees the type's object after the last reference is gone. */
	void (*release)(struct sysvipc_obj *obj);
};

/* Parameters of a *get call, checked by the type. */
struct sysvipc_get_ops {
	/*
	 * Create a new object with ids->rwsem held for writing: id or
	 * -errno.  @priv is what the type passed to sysvipc_ids_get().
	 */
	int (*create)(struct sysvipc_ids *ids, key_t key, int flg, u64 size,
		      void *priv);
	/* Extra checks on an existing object, e.g. the size asked for. */
	int (*more_checks)(struct sysvipc_obj *obj, u64 size);
};

void sysvipc_ids_init(struct sysvipc_ids *ids,
		      void (*release)(struct sysvipc_obj *obj));
void sysvipc_ids_destroy(struct sysvipc_ids *ids,
			 void (*remove)(struct sysvipc_obj *obj));
int sysvipc_ids_get(struct sysvipc_ids *ids, key_t key, int flg, u64 size,
		    const struct sysvipc_get_ops *ops, void *priv, int at_id);
int sysvipc_ids_add(struct sysvipc_ids *ids, struct sysvipc_obj *obj,
		    key_t key, int flg, int limit);
void sysvipc_ids_remove(struct sysvipc_ids *ids, struct sysvipc_obj *obj);
void sysvipc_ids_set_key_private(struct sysvipc_ids *ids,
				 struct sysvipc_obj *obj);
int sysvipc_ids_maxidx(struct sysvipc_ids *ids);

struct sysvipc_obj *sysvipc_obtain(struct sysvipc_ids *ids, int id);
struct sysvipc_obj *sysvipc_obtain_idx(struct sysvipc_ids *ids, int idx);
struct sysvipc_obj *sysvipc_obtain_ref(struct sysvipc_ids *ids, int id);
struct sysvipc_obj *sysvipc_obtain_owner(struct sysvipc_ids *ids, int id);
struct sysvipc_obj *sysvipc_obtain_may(struct sysvipc_ids *ids, int id,
				       int acc);
struct sysvipc_obj *sysvipc_obtain_claim(struct sysvipc_ids *ids, int id,
					 int acc,
					 void (*claim)(struct sysvipc_obj *obj));

long sysvipc_stat(struct sysvipc_ids *ids, int id, int cmd, int stat_any_cmd,
		  void (*fill)(struct sysvipc_obj *obj, void *buf), void *buf);
long sysvipc_down(struct sysvipc_ids *ids, int id,
		  long (*fn)(struct sysvipc_obj *obj, void *arg), void *arg);

struct user_namespace *sysvipc_user_ns(void);
bool sysvipc_may(struct sysvipc_obj *obj, int flag);
int sysvipc_update_perm(struct sysvipc_obj *obj, const struct ipc64_perm *in);
void sysvipc_fill_perm(struct sysvipc_obj *obj, struct ipc64_perm *out);

static inline void sysvipc_obj_get(struct sysvipc_obj *obj)
{
	refcount_inc(&obj->refs);
}

void sysvipc_obj_put(struct sysvipc_obj *obj);

/*
 * Tell the object's pollers that @events happened.  The caller keeps the
 * object alive (RCU read section or a reference).  Costs one barrier and
 * a load when nobody polls, so the hot paths call it unconditionally.
 */
static inline void sysvipc_poll_wake(struct sysvipc_obj *obj, __poll_t events)
{
	if (wq_has_sleeper(&obj->poll_wq))
		wake_up_poll(&obj->poll_wq, events);
}

/*
 * Limits in force for the caller: the module parameter when nonzero, else
 * the caller's IPC namespace sysctl (kernel.shmmax, kernel.sem ...).
 */
unsigned long sysvipc_shmmax(void);
unsigned long sysvipc_shmall(void);
int sysvipc_shmmni(void);
int sysvipc_semmsl(void);
int sysvipc_semmns(void);
int sysvipc_semopm(void);
int sysvipc_semmni(void);
unsigned int sysvipc_msgmax(void);
unsigned int sysvipc_msgmnb(void);
int sysvipc_msgmni(void);

/* Reads a struct sysvipc_get and checks its reserved fields. */
struct sysvipc_get;
struct sysvipc_ctl;
int sysvipc_copy_get(struct sysvipc_get *g, const void __user *argp);
/* The id a checked struct sysvipc_get asks to create at, or -1. */
int sysvipc_get_at_id(const struct sysvipc_get *g);
int sysvipc_copy_ctl(struct sysvipc_ctl *c, const void __user *argp);

/* Per-family entry points, called by the ioctl dispatcher. */
long sysvipc_shmget(const void __user *argp);
long sysvipc_shmctl(const void __user *argp);
long sysvipc_shmat(void __user *argp);
long sysvipc_shmdt(const void __user *argp);
struct file;
struct page;
struct vm_area_struct;
int sysvipc_shm_mmap(struct vm_area_struct *vma);
void sysvipc_shm_drop_kept_files(void);
long sysvipc_semget(const void __user *argp);
long sysvipc_semctl(const void __user *argp);
long sysvipc_semop(const void __user *argp);
long sysvipc_semmap(struct file *dev, void __user *argp);
int sysvipc_semmap_mmap(struct vm_area_struct *vma, unsigned long id);
long sysvipc_msgget(const void __user *argp);
long sysvipc_msgctl(const void __user *argp);
long sysvipc_msgsnd(const void __user *argp);
long sysvipc_msgrcv(const void __user *argp);
long sysvipc_msgstatus(struct file *dev, void __user *argp);
int sysvipc_msgstatus_mmap(struct vm_area_struct *vma);
long sysvipc_msgring(struct file *dev, void __user *argp);
long sysvipc_msglease(void __user *argp);
int sysvipc_msgring_mmap(struct vm_area_struct *vma, unsigned long id);
void sysvipc_vma_page(struct vm_area_struct *vma, struct page *page);
long sysvipc_objfd(const void __user *argp);

/* Object fds (kmod/objfd.c): what each type provides. */
struct file;
struct iov_iter;
struct sembuf;
struct file *sysvipc_shm_fd_file(int id, int f_flags, int acc);
struct sysvipc_obj *sysvipc_msg_fd_obj(int id, int acc);
ssize_t sysvipc_msg_fd_read(struct sysvipc_obj *obj, struct iov_iter *to,
			    long type, int msgflg, bool nowait, bool *more);
ssize_t sysvipc_msg_fd_read_batch(struct sysvipc_obj *obj,
				  struct iov_iter *to, long type, int msgflg,
				  bool nowait, bool *more);
ssize_t sysvipc_msg_fd_write(struct sysvipc_obj *obj, struct iov_iter *from,
			     bool nowait);
__poll_t sysvipc_msg_fd_poll(struct sysvipc_obj *obj, long type, int msgflg,
			     u64 msgsz, __poll_t want);
struct sysvipc_obj *sysvipc_sem_fd_obj(int id, int acc, int semnum);
long sysvipc_sem_fd_op(struct sysvipc_obj *obj, const struct sembuf *op,
		       bool nowait);
__poll_t sysvipc_sem_fd_poll(struct sysvipc_obj *obj, const struct sembuf *op);

/*
 * SYSVIPC_IOC_RESTORE (kmod/cr.c), checked and converted.  Each type's
 * restore swaps the pid pointers in, so what is left here afterwards (the
 * old ones) is put by the caller.
 */
struct sysvipc_restore_k {
	kuid_t uid, cuid;
	kgid_t gid, cgid;
	umode_t mode;
	time64_t time[3];
	struct pid *pid[2];
	u32 nsems;
	int *vals;
	struct pid **sem_pids;
};

long sysvipc_restore(const void __user *argp);
void sysvipc_restore_perm(struct sysvipc_obj *obj,
			  const struct sysvipc_restore_k *k);
long sysvipc_shm_restore(int id, struct sysvipc_restore_k *k);
long sysvipc_sem_restore(int id, struct sysvipc_restore_k *k);
long sysvipc_msg_restore(int id, struct sysvipc_restore_k *k);

/* Status files (kmod/proc.c); each family shows its own objects. */
struct pid_namespace;
struct sysvipc_ids *sysvipc_shm_ids(void);
struct sysvipc_ids *sysvipc_sem_ids(void);
struct sysvipc_ids *sysvipc_msg_ids(void);
void sysvipc_shm_proc_show(struct seq_file *s, struct sysvipc_obj *obj,
			   struct pid_namespace *pid_ns);
void sysvipc_sem_proc_show(struct seq_file *s, struct sysvipc_obj *obj,
			   struct pid_namespace *pid_ns);
void sysvipc_msg_proc_show(struct seq_file *s, struct sysvipc_obj *obj,
			   struct pid_namespace *pid_ns);
int sysvipc_proc_init(void);
void sysvipc_proc_exit(void);

int sysvipc_shm_init(void);
void sysvipc_shm_exit(void);
int sysvipc_sem_init(void);
void sysvipc_sem_exit(void);
int sysvipc_undo_init(void);
void sysvipc_undo_exit(void);
int sysvipc_msg_init(void);
void sysvipc_msg_exit(void);

/*
 * SEM_UNDO (kmod/undo.c).  A process (thread group) has at most one undo
 * list, created by its first SEM_UNDO operation and applied when its last
 * thread exits; the list holds one struct sysvipc_undo per set it adjusted.
 * Lock order: the set's obj->lock, then the list's own lock.
 */
struct sysvipc_undo_list;

struct sysvipc_undo {
	struct list_head list_proc;	/* in the process's list */
	struct list_head list_id;	/* in the set's list, under its lock */
	struct sysvipc_undo_list *ulp;
	int semid;			/* -1 once unlinked */
	int nsems;
	struct rcu_head rcu;
	short semadj[];
};

struct sysvipc_undo_list *sysvipc_undo_list_get(void);
struct sysvipc_undo *sysvipc_undo_find(struct sysvipc_undo_list *ulp,
				       int semid);
void sysvipc_undo_link(struct sysvipc_undo_list *ulp, struct sysvipc_undo *un,
		       int semid);
void sysvipc_undo_unlink(struct sysvipc_undo *un);
/* Checkpoint/restore of another process's list. */
struct task_struct;
int sysvipc_undo_may(struct task_struct *tsk, bool write);
struct sysvipc_undo_list *sysvipc_undo_list_of(struct task_struct *tsk);
struct sysvipc_undo_list *sysvipc_undo_list_alloc(void);
struct sysvipc_undo_list *sysvipc_undo_list_other(struct task_struct *tsk,
						  struct sysvipc_undo_list *new);
bool sysvipc_undo_link_other(struct sysvipc_undo_list *ulp,
			     struct sysvipc_undo *un, int semid);
long sysvipc_undo_get(void __user *argp);
long sysvipc_undo_set(const void __user *argp);
/* sem.c: apply and free the list's entry for @semid at process exit. */
void sysvipc_sem_undo_exit(struct sysvipc_undo_list *ulp, int semid);

#endif /* _SYSVIPC_H */
