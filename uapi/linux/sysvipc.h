/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * sysvipc: System V IPC as a loadable module.  The ioctl ABI of /dev/sysvipc.
 *
 * Every argument is a fixed-size structure made of __u32/__s32/__u64/__s64
 * fields with explicit padding, so 32- and 64-bit callers see one layout.
 * User pointers travel as __u64.  Fields named reserved* (and pad*) must be
 * zero: the module rejects anything else with EINVAL, which leaves room to
 * give them a meaning later.
 *
 * An ioctl returns what the matching system call returns: an id from the
 * *GET calls, 0 or a value from the *CTL calls (GETVAL, IPC_INFO's highest
 * index, *_STAT's id ...), a byte count from MSGRCV; or -1 with errno set.
 *
 * The buffers that the CTL calls read and fill have exactly the layouts that
 * the kernel's own IPC_64 calls use (struct shmid64_ds, semid64_ds,
 * msqid64_ds, shminfo64, shm_info, seminfo, msginfo), so a C library passes
 * its caller's buffer straight through.
 */
#ifndef _UAPI_LINUX_SYSVIPC_H
#define _UAPI_LINUX_SYSVIPC_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define SYSVIPC_DEVICE		"/dev/sysvipc"

/* Bumped on any incompatible change; new ioctls and flags bump the minor. */
#define SYSVIPC_ABI_MAJOR	1
#define SYSVIPC_ABI_MINOR	5

/* Feature bits reported by SYSVIPC_IOC_VERSION: what this module implements. */
#define SYSVIPC_FEAT_SHM	_BITULL(0)	/* shmget, shmctl */
#define SYSVIPC_FEAT_SEM	_BITULL(1)	/* semget, semctl */
#define SYSVIPC_FEAT_MSG	_BITULL(2)	/* msgget, msgctl */
#define SYSVIPC_FEAT_SHMAT	_BITULL(3)	/* shmat, shmdt */
#define SYSVIPC_FEAT_SEMOP	_BITULL(4)	/* semtimedop */
#define SYSVIPC_FEAT_SEM_UNDO	_BITULL(5)	/* SEM_UNDO applied at exit */
#define SYSVIPC_FEAT_MSGOP	_BITULL(6)	/* msgsnd, msgrcv */
#define SYSVIPC_FEAT_SHM_HUGETLB _BITULL(7)	/* shmget backed by a hugetlb fd */
#define SYSVIPC_FEAT_OBJFD	_BITULL(8)	/* SYSVIPC_IOC_OBJFD (ABI 1.2) */
#define SYSVIPC_FEAT_SEM_FAST	_BITULL(9)	/* SYSVIPC_IOC_SEMMAP (ABI 1.3) */
#define SYSVIPC_FEAT_MSG_STATUS	_BITULL(10)	/* SYSVIPC_IOC_MSGSTATUS (ABI 1.3) */
#define SYSVIPC_FEAT_UNDO_RW	_BITULL(11)	/* SYSVIPC_IOC_UNDO_GET/SET */
#define SYSVIPC_FEAT_MSG_BATCH	_BITULL(12)	/* SYSVIPC_OBJFD_MSG_* (ABI 1.3) */
#define SYSVIPC_FEAT_RESTORE	_BITULL(13)	/* SYSVIPC_GET_AT_ID, IOC_RESTORE */
#define SYSVIPC_FEAT_MMAP_PGOFF	_BITULL(14)	/* SYSVIPC_MMAP_* (ABI 1.4) */
#define SYSVIPC_FEAT_MSG_RING	_BITULL(15)	/* SYSVIPC_IOC_MSGRING, _MSGLEASE (ABI 1.5) */

/*
 * mmap() of /dev/sysvipc, by page offset (the offset divided by 4096):
 *  - 0 .. INT_MAX: a segment id, an attach as shmat() makes it;
 *  - SYSVIPC_MMAP_SEM + id: the set's fast-path page, as SYSVIPC_IOC_SEMMAP
 *    maps it (one page, shared, read-write, the same checks and errors);
 *  - SYSVIPC_MMAP_MSGSTATUS: the queues' status region, as
 *    SYSVIPC_IOC_MSGSTATUS maps it (shared, read-only); ENXIO until a
 *    SYSVIPC_IOC_MSGSTATUS call has created the region;
 *  - SYSVIPC_MMAP_MSGRING + id: the queue's receive ring, as
 *    SYSVIPC_IOC_MSGRING maps it (one page, shared, read-write; ABI 1.5).
 * From ABI 1.4 the two ioctls map the device file at these offsets, so a
 * mapping can be made again from its offset alone (CRIU, docs/criu.md).
 */
#define SYSVIPC_MMAP_SEM	(1ULL << 32)
#define SYSVIPC_MMAP_MSGSTATUS	(2ULL << 32)
#define SYSVIPC_MMAP_MSGRING	(3ULL << 32)

struct sysvipc_version {
	__u32 major;		/* out: SYSVIPC_ABI_MAJOR */
	__u32 minor;		/* out: SYSVIPC_ABI_MINOR */
	__u64 features;		/* out: SYSVIPC_FEAT_* */
	__u64 reserved[2];	/* out: zero */
};

/*
 * shmget, semget, msgget.
 *
 * A module cannot make huge-page files itself, so shmget with SHM_HUGETLB
 * passes one: an empty hugetlbfs file (memfd_create(MFD_HUGETLB)) open for
 * writing, in backing_fd with SYSVIPC_GET_BACKING_FD.  The module sizes
 * it and keeps it if it creates a segment; it is ignored otherwise.
 */
struct sysvipc_get {
	__s32 key;		/* key_t, or IPC_PRIVATE */
	__s32 flags;		/* IPC_CREAT, IPC_EXCL, mode bits, SHM_* */
	__u64 size;		/* shmget: bytes; semget: nsems; msgget: 0 */
	__u32 get_flags;	/* SYSVIPC_GET_* */
	__s32 backing_fd;
	__u64 at_id;		/* with SYSVIPC_GET_AT_ID, else 0 */
};

#define SYSVIPC_GET_BACKING_FD	(1U << 0)
/*
 * Checkpoint/restore (CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN, else EPERM):
 * create the object at exactly the id @at_id (index and sequence number).
 * Only a new object: the key must be IPC_PRIVATE or given with IPC_CREAT |
 * IPC_EXCL (EEXIST if it names an object); EBUSY if an object holds that
 * index; EINVAL if @at_id is not a valid id.
 */
#define SYSVIPC_GET_AT_ID	(1U << 1)

/*
 * shmctl, semctl, msgctl.  cmd is the plain command (IPC_STAT, SEM_INFO ...);
 * arg is the user buffer the command reads or fills, or SETVAL's value.
 */
struct sysvipc_ctl {
	__s32 id;		/* object id; an index for *_STAT, *_STAT_ANY */
	__s32 cmd;
	__s32 semnum;		/* semctl only, else 0 */
	__u32 pad;
	__u64 arg;
	__u64 reserved[2];
};

/* shmat */
struct sysvipc_shmat {
	__s32 id;
	__s32 flags;		/* SHM_RDONLY, SHM_RND, SHM_EXEC, SHM_REMAP */
	__u64 addr;		/* in: address hint or 0; out: attach address */
	__u64 reserved[2];
};

/* shmdt */
struct sysvipc_shmdt {
	__u64 addr;
	__u64 reserved[2];
};

/* semop, semtimedop */
struct sysvipc_semop {
	__s32 id;
	__u32 nsops;
	__u64 sops;		/* struct sembuf[nsops] */
	__u64 timeout;		/* struct __kernel_timespec, or 0: none */
	__u64 reserved[2];
};

/* msgsnd */
struct sysvipc_msgsnd {
	__s32 id;
	__s32 flags;		/* IPC_NOWAIT */
	__u64 msgp;		/* struct { long mtype; char mtext[]; } */
	__u64 msgsz;		/* bytes of mtext */
	__u64 reserved[2];
};

/* msgrcv */
struct sysvipc_msgrcv {
	__s32 id;
	__s32 flags;		/* IPC_NOWAIT, MSG_NOERROR, MSG_EXCEPT, MSG_COPY */
	__u64 msgp;
	__u64 msgsz;
	__s64 msgtyp;
	__u64 reserved[2];
};

/*
 * SYSVIPC_IOC_OBJFD (ABI 1.2): a file descriptor for one object, returned
 * by the ioctl.  The descriptor holds a reference on the object; access was
 * checked when it was made, with the permission the object's own calls
 * need for the access mode asked for (read: 0444, write: 0222).
 *
 * flags: O_RDONLY, O_WRONLY or O_RDWR, plus O_CLOEXEC and O_NONBLOCK.
 *
 * SYSVIPC_OBJ_SHM: a file of the segment itself (its own inode): pread,
 *   pwrite (within the segment's size), lseek, mmap (counted in
 *   shm_nattch like an attach), fstat (size, mode, owner), fsync, and
 *   fcntl locks (F_OFD_SETLK ...).  All per-type fields must be zero.
 * SYSVIPC_OBJ_MSG: read() receives one message into a buffer laid out as
 *   msgrcv's (long mtype, then the text; count >= sizeof(long)) and
 *   returns sizeof(long) + the text bytes; write() sends one message laid
 *   out as msgsnd's and returns count.  Reads select with msgtyp and
 *   msgflg (MSG_EXCEPT, MSG_NOERROR; IPC_NOWAIT comes from O_NONBLOCK).
 *   poll: POLLIN when a message the reads select waits, POLLOUT when a
 *   message of msgsz text bytes would fit now.
 * SYSVIPC_OBJ_SEM: read() (count >= 8) performs the operation
 *   { sem_num, sem_op, sem_flg } (sem_flg: SEM_UNDO) as semop() would and
 *   stores the __u64 1; poll: POLLIN when it would not block now.
 *
 * Every type: O_NONBLOCK (or RWF_NOWAIT, or io_uring's first attempt)
 * gives EAGAIN where the call would sleep; a removed object gives EIDRM
 * from read and write and POLLERR | POLLHUP from poll.
 *
 * objfd_flags (ABI 1.3, SYSVIPC_FEAT_MSG_BATCH; SYSVIPC_OBJ_MSG only):
 * SYSVIPC_OBJFD_MSG_BATCH: a read receives as many whole messages as fit
 *   in its buffer (at most SYSVIPC_MSG_BATCH_MAX), each stored as a
 *   struct sysvipc_msgrec followed by its text; every record starts on an
 *   8-byte boundary (SYSVIPC_MSGREC_NEXT), the bytes between two records
 *   are zeroed, and the count returned ends with the last record's text.
 *   It waits (or fails with EAGAIN) only for the first message; a first
 *   message longer than count - sizeof(struct sysvipc_msgrec) gives E2BIG
 *   and stays queued unless MSG_NOERROR truncates it (mtext_size then says
 *   what was stored); later messages that do not fit whole stay queued
 *   for the next read.  count < sizeof(struct sysvipc_msgrec): EINVAL.
 * SYSVIPC_OBJFD_MSG_EXCLUSIVE: the fd's waiters (parked io_uring reads,
 *   poll, epoll) are taken to be readers, like EPOLLEXCLUSIVE's: a message
 *   arriving wakes one of them rather than all; a reader that leaves a
 *   message it could select queued (a further message, or E2BIG) wakes
 *   the next.  Other events (room to send, removal) still wake them all.
 */
#define SYSVIPC_OBJ_SHM		1
#define SYSVIPC_OBJ_SEM		2
#define SYSVIPC_OBJ_MSG		3

struct sysvipc_objfd {
	__u32 type;		/* SYSVIPC_OBJ_* */
	__s32 id;
	__u32 flags;		/* O_ACCMODE bits, O_CLOEXEC, O_NONBLOCK */
	__s32 msgflg;		/* MSG: MSG_EXCEPT, MSG_NOERROR */
	__s64 msgtyp;		/* MSG: the type reads select, as msgrcv's */
	__u64 msgsz;		/* MSG: text size POLLOUT is reported for */
	__u16 sem_num;		/* SEM: the operation reads perform */
	__s16 sem_op;
	__s16 sem_flg;		/* SEM_UNDO */
	__u16 pad;
	__u64 objfd_flags;	/* SYSVIPC_OBJFD_* (ABI 1.3) */
	__u64 reserved[3];
};

#define SYSVIPC_OBJFD_MSG_BATCH		(1ULL << 0)
#define SYSVIPC_OBJFD_MSG_EXCLUSIVE	(1ULL << 1)

/* One message in a SYSVIPC_OBJFD_MSG_BATCH read: the header, then the text. */
struct sysvipc_msgrec {
	__s64 mtype;
	__u64 mtext_size;	/* text bytes stored after the header */
};

#define SYSVIPC_MSG_BATCH_MAX	1024	/* messages per batch read */
/* Offset of the record after the one at @off with @size text bytes. */
#define SYSVIPC_MSGREC_NEXT(off, size) \
	((((off) + sizeof(struct sysvipc_msgrec) + (size)) + 7) & ~(__u64)7)

/*
 * SYSVIPC_IOC_SEMMAP (ABI 1.3): map a semaphore set's values into the
 * caller, for a user-space fast path of uncontended semop.  The module maps
 * one page, shared and read-write, at an address it picks, and returns it
 * (from ABI 1.4: a mapping of the device file the call is made on, at
 * page offset SYSVIPC_MMAP_SEM + id).
 * Needs the permission semop needs to alter the set; out_flags says
 * whether the caller may also read it (wait-for-zero).  Fails with
 * EOPNOTSUPP when the module's sem_fast parameter is 0 and with E2BIG for
 * sets of more than SYSVIPC_SEM_PAGE_MAX semaphores.  The mapping is not
 * inherited by fork(), cannot grow, and lasts until munmap or exec.
 *
 * The page: a header, then per semaphore a value word and a pid word.
 * Value word: bits 0-15 the value (0..SEMVMX), bit 31 SYSVIPC_SEM_SLOW.
 * While SLOW is clear, user space may change the value with a
 * compare-and-swap (never beyond 0..SEMVMX) and then store its pid in the
 * pid word and the time in otime; while it is set, the module owns the
 * value and every operation must use SYSVIPC_IOC_SEMOP.  The module sets
 * SLOW on every word while anything sleeps on the set (semop, poll of a
 * semaphore fd, io_uring), so sleepers are woken in the kernel's order.
 * A header with SYSVIPC_SEM_PAGE_MOVED (after IPC_SET) or
 * SYSVIPC_SEM_PAGE_REMOVED (after IPC_RMID) is dead: its words stay SLOW
 * and the module ignores them; remap after MOVED.  What user space writes
 * is untrusted: values above SEMVMX read as SEMVMX, and only the value
 * bits, the pid words and otime are ever read back.
 */
struct sysvipc_semmap {
	__s32 id;		/* in: semaphore set id */
	__u32 out_flags;	/* out: SYSVIPC_SEMMAP_* */
	__u64 addr;		/* out: address of the page */
	__u32 nsems;		/* out: semaphores in the set */
	__u32 pad;
	__u64 reserved[2];
};

#define SYSVIPC_SEMMAP_READ	(1U << 0)	/* the caller may also read */

#define SYSVIPC_SEM_PAGE_MAGIC	0x53454d46U	/* "SEMF" */
#define SYSVIPC_SEM_PAGE_VERSION 1
#define SYSVIPC_SEM_PAGE_MOVED	(1U << 0)
#define SYSVIPC_SEM_PAGE_REMOVED (1U << 1)
#define SYSVIPC_SEM_SLOW	(1U << 31)
#define SYSVIPC_SEM_VALUE	0xffffU

struct sysvipc_sem_page_hdr {
	__u32 magic;		/* SYSVIPC_SEM_PAGE_MAGIC */
	__u32 version;		/* SYSVIPC_SEM_PAGE_VERSION */
	__s32 id;
	__u32 nsems;
	__u32 flags;		/* SYSVIPC_SEM_PAGE_* */
	__u32 pad;
	__s64 otime;		/* last fast-path semop, seconds */
	__u64 reserved[4];
};

struct sysvipc_sem_word {
	__u32 val;		/* value | SYSVIPC_SEM_SLOW */
	__u32 pid;		/* last fast-path pid, or 0: ask GETPID */
};

/* Semaphores a set may have and still get a page (4 KiB pages). */
#define SYSVIPC_SEM_PAGE_MAX	((4096 - 64) / 8)

/*
 * SEM_UNDO adjustments of a process (thread group), for checkpoint/restore.
 * Allowed with CAP_SYS_ADMIN, or with CAP_CHECKPOINT_RESTORE to a caller
 * that may ptrace the target (ptrace_may_access() with
 * PTRACE_MODE_READ_REALCREDS to read, PTRACE_MODE_ATTACH_REALCREDS to
 * write: same user, or CAP_SYS_PTRACE), in the user namespace that owns
 * the IPC namespace; EPERM otherwise.  @pid is in the caller's pid
 * namespace, 0 for the caller itself; ESRCH if no such process.
 *
 * UNDO_GET: fills up to @count entries, sets @count to the number the list
 * has, and returns that number (more than asked for: call again with a
 * bigger buffer).  One entry per nonzero adjustment, sorted by set id and
 * semaphore number; a set whose adjustments are all zero still has an
 * entry in the process's list (applying it stamps sem_otime) and shows as
 * one entry { semid, 0, 0 }.
 *
 * UNDO_SET: replaces the process's list by exactly the @count entries
 * given (0: an empty list), applied when the process exits as if it had
 * made the operations.  Errors before anything changes: E2BIG (@count
 * above SYSVIPC_UNDO_MAX), EINVAL (a set id that names no set, or one
 * (semid, semnum) twice), EFBIG (semnum beyond the set), EACCES (the
 * caller may not alter a set), ESRCH (the process is exiting).  A set
 * removed while the list is being installed gives EIDRM, and the process's
 * list is then left empty.  The target should be stopped: its own SEM_UNDO
 * operations racing with the call are not ordered with it.
 */
struct sysvipc_undo_entry {
	__s32 semid;
	__u16 semnum;
	__s16 adj;		/* what is added to the value at exit */
};

#define SYSVIPC_UNDO_MAX	65536

struct sysvipc_undo_io {
	__s32 pid;
	__u32 count;
	__u64 entries;		/* struct sysvipc_undo_entry[count] */
	__u64 reserved[2];
};

/*
 * SYSVIPC_IOC_RESTORE (CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN, else
 * EPERM): set at once, under the object's lock, what IPC_SET cannot.
 * Every field is set; read them first with IPC_STAT to change only some.
 *  - uid, gid, cuid, cgid in the caller's user namespace (EINVAL if
 *    unmapped); mode: the permission bits (0777) only.
 *  - time[]: SHM: atime, dtime, ctime; SEM: otime, ctime, 0;
 *    MSG: stime, rtime, ctime.  Seconds, >= 0.
 *  - pid[]: SHM: cpid, lpid; MSG: lspid, lrpid; SEM: 0, 0.  Pids in the
 *    caller's pid namespace; one that names no process now is stored as
 *    "none" and reads back 0 (the kernel keeps struct pid references too).
 *  - SEM: @nsems must equal the set's (EINVAL); @sems points to that many
 *    { val, pid }: values 0..SEMVMX (ERANGE), set with sem_otime and
 *    sem_ctime in one step.  Unlike SETALL, undo adjustments are kept.
 *    Other types: nsems and sems 0.
 * Not restorable here: shm_nattch (attaches are processes'), SHM_LOCK
 * (use shmctl), msg_qbytes (IPC_SET), queued messages (msgsnd).
 */
struct sysvipc_restore_sem {
	__s32 val;
	__s32 pid;
};

#define SYSVIPC_RESTORE_SEMS_MAX	65536

struct sysvipc_restore {
	__u32 type;		/* SYSVIPC_OBJ_* */
	__s32 id;
	__u32 uid, gid, cuid, cgid;
	__u32 mode;
	__u32 nsems;
	__s64 time[3];
	__s32 pid[2];
	__u64 sems;		/* struct sysvipc_restore_sem[nsems] */
	__u64 reserved[2];
};

/*
 * SYSVIPC_IOC_MSGSTATUS (ABI 1.3): map the message queues' status region
 * into the caller, read-only, and return its address (from ABI 1.4: a
 * mapping of the device file the call is made on, at page offset
 * SYSVIPC_MMAP_MSGSTATUS).  The region is one
 * module-wide array of SYSVIPC_MSG_SLOTS slots, indexed by a queue's id
 * modulo SYSVIPC_MSG_SLOTS (the id's index part).  The module updates a
 * slot under the queue's lock whenever the queue's message count, byte
 * count or size changes; a slot whose index has no queue holds id -1.
 *
 * It is a hint for spinning before a call that would sleep, nothing more:
 * the fields are read without any lock, one at a time, and a slot may
 * already describe another queue at the same index.  Check id first; act
 * on a call's result, never on the slot.  Everything in it is what any
 * user reads from /proc/sysvipc/msg or msgctl(MSG_STAT_ANY) anyway.
 *
 * Each call maps the region again (munmap() when done); it stays valid
 * across fork() and is gone after exec().  Writing to it faults.  EFAULT
 * for an argument that cannot be written back, checked before mapping; if
 * another thread unmaps the argument while the call runs, the call fails
 * with EFAULT and the region stays mapped where the caller cannot learn.
 * The region is 1 MiB, allocated on the first call (ENOMEM) and kept
 * until the module is unloaded.
 */
#define SYSVIPC_MSG_SLOTS	32768

struct sysvipc_msg_slot {
	__s32 id;		/* the queue using this index, or -1 */
	__u32 pad;
	__u64 qnum;		/* msg_qnum */
	__u64 cbytes;		/* msg_cbytes */
	__u64 qbytes;		/* msg_qbytes */
};

struct sysvipc_msgstatus {
	__u64 addr;		/* out: where the region is mapped */
	__u64 size;		/* out: its length in bytes */
	__u32 slots;		/* out: SYSVIPC_MSG_SLOTS */
	__u32 slot_size;	/* out: sizeof(struct sysvipc_msg_slot) */
	__u64 reserved[2];	/* zero */
};	/* in: all zero */

/*
 * SYSVIPC_IOC_MSGRING (ABI 1.5): map a queue's receive ring into the
 * caller, for receiving without a system call.  The module maps one page,
 * shared and read-write, of the device file the call is made on at page
 * offset SYSVIPC_MMAP_MSGRING + id, and returns its address.  Needs both
 * the permission msgrcv needs and the one msgsnd needs (a process that may
 * only read must not be able to touch what others send).  EOPNOTSUPP when
 * the module's msg_ring parameter is 0.  The mapping is not inherited by
 * fork(), cannot grow, and lasts until munmap or exec.
 *
 * Only one party fills slots and moves tail at a time: the module, under
 * the queue's lock, or the holder of the ring's send lease (below).  The
 * module puts a message in the ring instead of its own list when the text
 * fits a slot, the list is empty, nobody sleeps in msgsnd or msgrcv and no
 * fd of the queue is polled.  So every message in the ring is older than
 * every message in the list, and while a message is in the ring no waiter
 * needs a wake-up that a receive from the ring would owe it.  tail is the
 * position (SYSVIPC_MSGRING_POS bits) and, above it, the generation of the
 * send lease in force (0: none).
 *
 * A receiver takes the message at head: it reads head, then tail (acquire);
 * if head != tail's position it copies slot[head % slots], then moves head to head + 1
 * with a compare-and-swap, which fails if anyone (another receiver, or the
 * module) moved it meanwhile; then it stores its pid and the time in rpid
 * and rtime (msg_lrpid and msg_rtime).  Only a receive that would take the
 * oldest message may use the ring (msgtyp 0, or a type test the head
 * passes, no MSG_COPY); anything else goes to the module, which first takes
 * the whole ring back into its list by exchanging head with tail.
 * list_qnum is the number of messages in the module's list, a hint for
 * spinning.  IPC_SET and IPC_RMID retire the ring: it is emptied, its
 * slots zeroed, flags marked MOVED or REMOVED, and the module never writes
 * it again; after MOVED, map the queue again.
 *
 * What user space writes is untrusted: a head outside what the module
 * wrote is ignored, rpid and spid are taken only if they are possible
 * pids, rtime and stime are clamped to the present, a lessee's slots are
 * clamped to the slot size.
 */
struct sysvipc_msgring {
	__s32 id;		/* in: queue id */
	__u32 pad;
	__u64 addr;		/* out: address of the page */
	__u64 reserved[2];
};

#define SYSVIPC_MSGRING_MAGIC	0x4d534752U	/* "MSGR" */
#define SYSVIPC_MSGRING_VERSION	1
#define SYSVIPC_MSGRING_MOVED	(1U << 0)
#define SYSVIPC_MSGRING_REMOVED	(1U << 1)
#define SYSVIPC_MSGRING_SLOTS	30
#define SYSVIPC_MSGRING_TEXT	112	/* text bytes a slot holds */
#define SYSVIPC_MSGRING_POS	((1ULL << 48) - 1)	/* tail: the position */
#define SYSVIPC_MSGRING_GEN_SHIFT 48			/* tail: the lease */

struct sysvipc_msgring_slot {
	__s64 mtype;
	__u32 size;		/* text bytes */
	__u32 pad;
	__u8 text[SYSVIPC_MSGRING_TEXT];
};

struct sysvipc_msgring_page {
	/* Fixed (module). */
	__u32 magic;		/* SYSVIPC_MSGRING_MAGIC */
	__u32 version;		/* SYSVIPC_MSGRING_VERSION */
	__s32 id;
	__u32 flags;		/* SYSVIPC_MSGRING_* */
	__u32 slots;		/* SYSVIPC_MSGRING_SLOTS */
	__u32 slot_text;	/* SYSVIPC_MSGRING_TEXT */
	__u64 reserved0[5];
	/* Written by the module (tail also by the lessee). */
	__u64 tail;		/* next position to fill | lease << 48 */
	__u64 list_qnum;	/* messages in the module's list */
	__u64 qbytes;		/* msg_qbytes when the lease was granted */
	__u64 msgmax;		/* msgmax when the lease was granted */
	__u64 reserved1[4];
	/* Written by receivers. */
	__u64 head;		/* next position to take */
	__s32 rpid;		/* the last receiver's pid */
	__u32 pad;
	__s64 rtime;		/* the time it took it, seconds */
	__u64 reserved2[5];
	/* Written by the lessee. */
	__u32 busy;		/* 1 while it writes a slot */
	__s32 spid;		/* its pid (msg_lspid) */
	__s64 stime;		/* the time of its last send, seconds */
	__u64 reserved3[6];
	struct sysvipc_msgring_slot slot[SYSVIPC_MSGRING_SLOTS];
};

/*
 * SYSVIPC_IOC_MSGLEASE (ABI 1.5): become the only sender that fills a
 * mapped ring, for sending without a system call.  Granted (returns 0,
 * @gen set) to a caller with read and write permission when the queue has
 * a ring (else ENXIO), no one holds the lease (EBUSY), and the list is
 * empty, nobody waits and no fd is polled (EAGAIN); ENOMEM if the module
 * cannot set aside room to take back what the lessee sends.  The module
 * stores qbytes and msgmax in the page and gen in tail.
 *
 * The lessee sends with: tail read (acquire) and its generation checked;
 * busy = 1 (a full barrier); tail read again, unchanged; room (position -
 * head < slots - 1: one slot stays free), the count and byte limits (the text sizes of the slots
 * from head to the position, plus the new one, at most qbytes; position -
 * head + 1 at most qbytes) and size (at most msgmax and slot_text)
 * checked; the slot at the position filled; tail moved to tail + 1 with a
 * compare-and-swap (release); spid and stime stored; busy = 0 (release).
 * Any failed check or compare-and-swap: busy = 0 and the message goes to
 * SYSVIPC_IOC_MSGSND instead.
 *
 * Anything the module does on the queue (any call on it but
 * SYSVIPC_IOC_MSGLEASE by the lessee itself) first ends the lease: it
 * clears the generation from tail with a compare-and-swap, waits a short
 * while for busy to clear, and takes what the lessee sent as its own; if
 * busy stays set, it retires the page as IPC_SET does (MOVED).  Ask again
 * later; asking at every send would cost more than it saves.
 */
struct sysvipc_msglease {
	__s32 id;		/* in: queue id */
	__u32 gen;		/* out: the lease's generation, never 0 */
	__u64 reserved[2];
};

#define SYSVIPC_IOC_MAGIC	0xE9

#define SYSVIPC_IOC_VERSION	_IOR(SYSVIPC_IOC_MAGIC, 0x00, struct sysvipc_version)
#define SYSVIPC_IOC_SHMGET	_IOW(SYSVIPC_IOC_MAGIC, 0x10, struct sysvipc_get)
#define SYSVIPC_IOC_SHMCTL	_IOW(SYSVIPC_IOC_MAGIC, 0x11, struct sysvipc_ctl)
#define SYSVIPC_IOC_SHMAT	_IOWR(SYSVIPC_IOC_MAGIC, 0x12, struct sysvipc_shmat)
#define SYSVIPC_IOC_SHMDT	_IOW(SYSVIPC_IOC_MAGIC, 0x13, struct sysvipc_shmdt)
#define SYSVIPC_IOC_SEMGET	_IOW(SYSVIPC_IOC_MAGIC, 0x20, struct sysvipc_get)
#define SYSVIPC_IOC_SEMCTL	_IOW(SYSVIPC_IOC_MAGIC, 0x21, struct sysvipc_ctl)
#define SYSVIPC_IOC_SEMOP	_IOW(SYSVIPC_IOC_MAGIC, 0x22, struct sysvipc_semop)
#define SYSVIPC_IOC_SEMMAP	_IOWR(SYSVIPC_IOC_MAGIC, 0x23, struct sysvipc_semmap)
#define SYSVIPC_IOC_MSGGET	_IOW(SYSVIPC_IOC_MAGIC, 0x30, struct sysvipc_get)
#define SYSVIPC_IOC_MSGCTL	_IOW(SYSVIPC_IOC_MAGIC, 0x31, struct sysvipc_ctl)
#define SYSVIPC_IOC_MSGSND	_IOW(SYSVIPC_IOC_MAGIC, 0x32, struct sysvipc_msgsnd)
#define SYSVIPC_IOC_MSGRCV	_IOW(SYSVIPC_IOC_MAGIC, 0x33, struct sysvipc_msgrcv)
#define SYSVIPC_IOC_MSGSTATUS	_IOWR(SYSVIPC_IOC_MAGIC, 0x34, struct sysvipc_msgstatus)
#define SYSVIPC_IOC_MSGRING	_IOWR(SYSVIPC_IOC_MAGIC, 0x35, struct sysvipc_msgring)
#define SYSVIPC_IOC_MSGLEASE	_IOWR(SYSVIPC_IOC_MAGIC, 0x36, struct sysvipc_msglease)
#define SYSVIPC_IOC_OBJFD	_IOW(SYSVIPC_IOC_MAGIC, 0x40, struct sysvipc_objfd)
#define SYSVIPC_IOC_UNDO_GET	_IOWR(SYSVIPC_IOC_MAGIC, 0x50, struct sysvipc_undo_io)
#define SYSVIPC_IOC_UNDO_SET	_IOW(SYSVIPC_IOC_MAGIC, 0x51, struct sysvipc_undo_io)
#define SYSVIPC_IOC_RESTORE	_IOW(SYSVIPC_IOC_MAGIC, 0x52, struct sysvipc_restore)

#endif /* _UAPI_LINUX_SYSVIPC_H */
