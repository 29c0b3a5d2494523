// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc-fuzz: random and structure-aware calls on every /dev/sysvipc ioctl.
 *
 * usage: sysvipc-fuzz [--seed N] [--calls N] [--threads N] [--procs N]
 *                     [--dev PATH] [--no-kill] [--no-cleanup] [--cleanup-only]
 *                     [--quiet] [--failslab]
 *
 * --procs worker processes with --threads threads each make --calls ioctls
 * (and mmap/munmap/mremap/fork calls around them) between them, on a small
 * shared pool of objects so that threads race on the same ids: create and
 * remove (IPC_RMID, IPC_SET), attach/detach/SHM_LOCK, semop with SEM_UNDO and
 * timeouts, msgsnd/msgrcv with MSG_COPY/MSG_EXCEPT/MSG_NOERROR, *_STAT and
 * *_STAT_ANY scans, SYSVIPC_IOC_OBJFD and I/O on object descriptors, reads
 * of the status files in /proc/driver/sysvipc, SYSVIPC_IOC_MSGSTATUS (the
 * mapped slots must each be empty or name a queue of their index, and the
 * mapping must stay read-only), SYSVIPC_IOC_MSGRING and _MSGLEASE (rings
 * taken from, sent into as a lessee, and scribbled on while others send
 * and receive).  Arguments are mostly
 * plausible and sometimes hostile:
 * stale and random ids, random keys/flags/sizes, reserved fields set, and
 * pointers that are NULL, unmapped, kernel addresses, read-only pages, cut
 * by the end of a mapping, or inside a page another thread unmaps and maps
 * again while the call runs.  Threads fork children that block in semop or
 * msgrcv (or hold attaches and undo lists) and SIGKILL them at random
 * points; the parent also SIGKILLs whole workers and starts new ones.
 * Blocking calls are cut short by a per-thread timer signal (EINTR).
 *
 * At the end the parent removes every object (IPC_INFO's highest index,
 * *_STAT_ANY, IPC_RMID, all through raw ioctls), checks that the usage
 * counters of IPC_INFO/SHM_INFO/SEM_INFO/MSG_INFO are 0 and that
 * /sys/module/sysvipc/parameters/undo_lists is 0, and prints the figures:
 * calls made, per-call counts, the errno histogram, objects leaked.
 * Exit status 0 only if no worker died of an unexpected signal and nothing
 * leaked.
 *
 * --failslab: every worker thread sets its /proc/thread-self/make-it-fail
 * (after locking the worker's memory and running on a populated, locked
 * stack), so that fault injection configured with task-filter hits the
 * workers' calls only, not the parent's cleanup.
 *
 * --seed N makes a run reproducible: every thread draws from its own
 * generator seeded from N, its process slot and thread number, so the
 * calls each thread makes are fixed by the seed; with --procs 1 --threads 1
 * --no-kill the whole run is deterministic (with more threads the
 * interleaving, and so the results, vary).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/stat.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/sysvipc.h>

#ifndef SHM_STAT_ANY
#define SHM_STAT_ANY 15
#endif
#ifndef SEM_STAT_ANY
#define SEM_STAT_ANY 20
#endif
#ifndef MSG_STAT_ANY
#define MSG_STAT_ANY 13
#endif
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif
#ifndef MSG_EXCEPT
#define MSG_EXCEPT 020000
#endif
#ifndef SHM_HUGETLB
#define SHM_HUGETLB 04000
#endif
#ifndef SHM_NORESERVE
#define SHM_NORESERVE 010000
#endif

/* ------------------------------------------------------------------ */
/* Calls and counters (in a MAP_SHARED page, so workers' figures add up) */

enum call {
	C_VERSION, C_SHMGET, C_SHMCTL, C_SHMAT, C_SHMDT, C_SEMGET, C_SEMCTL,
	C_SEMOP, C_MSGGET, C_MSGCTL, C_MSGSND, C_MSGRCV, C_BADIOC, C_MMAP,
	C_VMOP, C_FORKKILL, C_OBJFD, C_OBJIO, C_SEMMAP, C_CR, C_MSGSTATUS,
	C_MSGRING, C_MSGLEASE, C_NCALLS
};
static const char *const call_name[C_NCALLS] = {
	"VERSION", "SHMGET", "SHMCTL", "SHMAT", "SHMDT", "SEMGET", "SEMCTL",
	"SEMOP", "MSGGET", "MSGCTL", "MSGSND", "MSGRCV", "bad-ioctl",
	"mmap(dev)", "vm-op", "fork+kill", "OBJFD", "objfd-io", "SEMMAP", "C/R",
	"MSGSTATUS", "MSGRING", "MSGLEASE",
};

#define NERRNO 134
#define POOL 48			/* ids per family in the shared pool */
#define NKEYS 24		/* keys the fuzzer uses: KEYBASE + 0..NKEYS-1 */
#define KEYBASE 0x5f2a0000

struct shared {
	atomic_long budget;			/* calls left */
	atomic_long calls;
	atomic_long count[C_NCALLS];
	atomic_long ok[C_NCALLS];
	atomic_long err[C_NCALLS][NERRNO];
	atomic_long touched, touch_faults, children_killed, workers_killed;
	atomic_int ids[3][POOL];		/* -1: empty */
	atomic_int stop;
};
static struct shared *sh;

/* ------------------------------------------------------------------ */
/* Options and per-thread state */

static unsigned long long opt_seed = 1;
static long opt_calls = 200000;
static int opt_threads = 4, opt_procs = 2;
static bool opt_kill = true, opt_cleanup = true, opt_cleanup_only, opt_quiet;
static bool opt_failslab;
static const char *opt_dev = SYSVIPC_DEVICE;
static int devfd = -1;
static long page;

/* pages with particular properties, set up before the workers fork */
static char *ro_page;		/* PROT_READ */
static char *edge;		/* a RW page followed by a PROT_NONE page */
static char *volatile_page;	/* made inaccessible and back by threads */
static char *remap_arena;	/* PROT_NONE area SHM_REMAP may land in */
#define ARENA_PAGES 512

struct rng { uint64_t s; };

static uint64_t next(struct rng *r)
{
	/* splitmix64 */
	uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct rng *r, uint64_t n)
{
	return n ? next(r) % n : 0;
}

static bool one_in(struct rng *r, unsigned int n)
{
	return rnd(r, n) == 0;
}

struct attach { uintptr_t addr; size_t len; bool rdonly; };
#define MAX_ATTACH 32

struct thr {
	struct rng r;
	int idx;
	timer_t timer;
	bool have_timer;
	char *buf;		/* 3 pages of scratch */
	sigjmp_buf jb;
	volatile sig_atomic_t in_touch;
	int mif_fd;		/* --failslab: /proc/thread-self/make-it-fail */
};
static __thread struct thr *me;
/*
 * No thread calls anything before every thread has its stack, buffer and
 * malloc arena: after that the fuzzer maps nothing but attaches and device
 * mappings, so a hole that an attach or SHM_REMAP lands in never holds our
 * own data.
 */
static atomic_int go;

/* attaches of this process (threads share them) */
static pthread_mutex_t att_lock = PTHREAD_MUTEX_INITIALIZER;
static struct attach atts[MAX_ATTACH];
static int natts;

static void count(enum call c, long ret, int e)
{
	atomic_fetch_add_explicit(&sh->count[c], 1, memory_order_relaxed);
	if (ret >= 0)
		atomic_fetch_add_explicit(&sh->ok[c], 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(&sh->err[c][e > 0 && e < NERRNO ? e : 0],
					  1, memory_order_relaxed);
}

static long ioc(enum call c, unsigned long req, void *arg)
{
	long ret = ioctl(devfd, req, arg);
	int e = errno;

	count(c, ret, e);
	atomic_fetch_add_explicit(&sh->calls, 1, memory_order_relaxed);
	errno = e;
	return ret;
}

/* ------------------------------------------------------------------ */
/* Signals: timer EINTR for blocking calls, SEGV/BUS while touching */

static void on_timer(int sig)
{
	(void)sig;
}

static __thread const char *cur_what = "start";

static void on_fault(int sig, siginfo_t *si, void *uc_)
{
	ucontext_t *u = uc_;
	uintptr_t ip = (uintptr_t)u->uc_mcontext.gregs[REG_RIP];
	char msg[320];
	int n;

	if (me && me->in_touch) {
		me->in_touch = 0;
		siglongjmp(me->jb, 1);
	}
	/* not ours to catch: say where, then die of it */
	if (me && me->mif_fd >= 0 && pwrite(me->mif_fd, "0", 1, 0) != 1)
		n = 0;	/* --failslab: else the report may be lost to it */
	/* the trap frame survives even when the siginfo was lost (code 0) */
	n = snprintf(msg, sizeof(msg),
		     "sysvipc-fuzz: pid %d: signal %d code %d at %p during %s (ip %#llx cr2 %#llx err %#llx trap %lld)\n",
		     getpid(), sig, si->si_code, si->si_addr, cur_what,
		     (unsigned long long)ip,
		     (unsigned long long)u->uc_mcontext.gregs[REG_CR2],
		     (unsigned long long)u->uc_mcontext.gregs[REG_ERR],
		     (long long)u->uc_mcontext.gregs[REG_TRAPNO]);
	if (write(2, msg, n) < 0)
		n = 0;
	/* the mapping around the address, and the thread's buffers */
	{
		char maps[1 << 16];
		int fd = open("/proc/self/maps", O_RDONLY);
		ssize_t len = fd >= 0 ? read(fd, maps, sizeof(maps) - 1) : -1;
		uintptr_t a = (uintptr_t)si->si_addr;

		if (len > 0) {
			char *l = maps;

			maps[len] = '\0';
			while (l && *l) {
				char *e = strchr(l, '\n');
				unsigned long lo = strtoul(l, NULL, 16);
				unsigned long hi = strtoul(strchr(l, '-') + 1, NULL, 16);

				/* around the address, and where the faulting code is */
				if (((a >= lo - 0x4000 && a < hi + 0x4000) || (ip >= lo && ip < hi)) &&
				    write(2, l, e ? (size_t)(e - l + 1) : strlen(l)) < 0)
					break;
				l = e ? e + 1 : NULL;
			}
		}
		n = snprintf(msg, sizeof(msg), "buf=%p volatile=%p arena=%p edge=%p ro=%p\n",
			     me ? me->buf : NULL, volatile_page, remap_arena, edge, ro_page);
		if (write(2, msg, n) < 0)
			n = 0;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Cut the next blocking call short after 1..20 ms.  The timer repeats every
 * 5 ms until disarmed: a signal that lands before the call starts must not
 * leave it blocked for good.
 */
static void arm_timer(void)
{
	struct itimerspec its = { 0 };

	if (!me->have_timer)
		return;
	its.it_interval.tv_nsec = 5000000L;
	its.it_value.tv_nsec = (long)(1 + rnd(&me->r, 20)) * 1000000L;
	timer_settime(me->timer, 0, &its, NULL);
}

static void disarm_timer(void)
{
	struct itimerspec its = { 0 };

	if (me->have_timer)
		timer_settime(me->timer, 0, &its, NULL);
}

/* read or write an attached area, surviving a fault */
static void touch(uintptr_t addr, size_t len, bool write)
{
	volatile char *p = (volatile char *)addr;

	if (sigsetjmp(me->jb, 1)) {
		atomic_fetch_add(&sh->touch_faults, 1);
		return;
	}
	me->in_touch = 1;
	for (size_t off = 0; off < len && off < 16 * (size_t)page; off += page) {
		if (write)
			p[off] = (char)off;
		else
			(void)p[off];
	}
	me->in_touch = 0;
	atomic_fetch_add(&sh->touched, 1);
}

/* ------------------------------------------------------------------ */
/* Argument generators */

static const uint64_t bad_ptrs[] = {
	0, 1, 0xffff888000000000ULL, 0xffffffff81000000ULL,
	0xffffffffff600000ULL, 0x8000000000000000ULL, 0x00007ffffffff000ULL,
	~0ULL, 4096,
};

/*
 * A pointer to @len bytes: mostly the thread's scratch buffer (filled by
 * the caller), sometimes something hostile.  @out: the kernel writes there.
 */
static uint64_t gen_ptr(void *good, size_t len, bool out)
{
	(void)out;
	struct rng *r = &me->r;

	switch (rnd(r, 120)) {
	case 0:
		return bad_ptrs[rnd(r, sizeof(bad_ptrs) / sizeof(bad_ptrs[0]))];
	case 1:
		return (uint64_t)(uintptr_t)remap_arena;	/* PROT_NONE */
	case 2:	/* read-only (zero-filled): fine for input, EFAULT for output */
		return (uint64_t)(uintptr_t)ro_page;
	case 3:	/* the object runs off the end of a mapping */
		if (len > 1 && len <= (size_t)page) {
			size_t cut = 1 + rnd(r, len - 1);

			memcpy(edge + page - cut, good, cut);
			return (uint64_t)(uintptr_t)(edge + page - cut);
		}
		return (uint64_t)(uintptr_t)(edge + page - 1);
	case 4:	/* a page another thread takes away and gives back */
		if (len <= (size_t)page) {
			char *p = volatile_page + rnd(r, page - len + 1);

			if (sigsetjmp(me->jb, 1) == 0) {
				me->in_touch = 1;
				memcpy(p, good, len);
			}
			me->in_touch = 0;
			return (uint64_t)(uintptr_t)p;
		}
		return (uint64_t)(uintptr_t)volatile_page;
	case 5:	/* misaligned inside the buffer */
		return (uint64_t)(uintptr_t)good + 1 + rnd(r, 7);
	default:
		return (uint64_t)(uintptr_t)good;
	}
}

static int pick_id(int fam)
{
	struct rng *r = &me->r;

	switch (rnd(r, 16)) {
	case 0:
		return (int)next(r);
	case 1:
		return -1;
	case 2:
		return (int)rnd(r, 4) * 32768 + (int)rnd(r, 64);	/* plausible */
	case 3: {	/* stale: an old sequence number */
		int id = atomic_load(&sh->ids[fam][rnd(r, POOL)]);

		return id >= 0 ? id + 32768 * (1 + (int)rnd(r, 3)) : id;
	}
	default: {	/* a live id if the pool has one */
		int id = -1;

		for (int i = 0; i < 4 && id < 0; i++)
			id = atomic_load(&sh->ids[fam][rnd(r, POOL)]);
		return id;
	}
	}
}

/* remember a new id in a pool slot, removing what the slot held */
static void pool_put(int fam, int id, int ctl_req)
{
	int slot = (int)rnd(&me->r, POOL);
	int old = atomic_exchange(&sh->ids[fam][slot], id);

	if (old >= 0 && old != id && !one_in(&me->r, 8)) {
		struct sysvipc_ctl c = { .id = old, .cmd = IPC_RMID };
		enum call cc = fam == 0 ? C_SHMCTL : fam == 1 ? C_SEMCTL : C_MSGCTL;

		ioc(cc, ctl_req, &c);
	}
}

static int gen_key(void)
{
	struct rng *r = &me->r;

	switch (rnd(r, 8)) {
	case 0:
		return IPC_PRIVATE;
	case 1:
		return (int)next(r);
	default:
		return KEYBASE + (int)rnd(r, NKEYS);
	}
}

static int gen_mode(void)
{
	static const int modes[] = { 0600, 0666, 0400, 0644, 0, 0777, 0200, 0060 };

	if (one_in(&me->r, 16))
		return (int)next(&me->r) & 0777;
	return modes[rnd(&me->r, sizeof(modes) / sizeof(modes[0]))];
}

static void gen_get(struct sysvipc_get *g, uint64_t size)
{
	struct rng *r = &me->r;

	memset(g, 0, sizeof(*g));
	g->key = gen_key();
	g->flags = gen_mode();
	if (!one_in(r, 6))
		g->flags |= IPC_CREAT;
	if (one_in(r, 4))
		g->flags |= IPC_EXCL;
	if (one_in(r, 40))
		g->flags |= (int)next(r);
	g->size = size;
	if (one_in(r, 50))
		g->at_id = next(r);
	/* create at an id: a plausible one, a live one (EBUSY) or junk */
	if (one_in(r, 60)) {
		g->get_flags |= SYSVIPC_GET_AT_ID;
		g->at_id = one_in(r, 3) ? (uint64_t)pick_id((int)rnd(r, 3)) :
			   rnd(r, 8) * 32768 + rnd(r, 256);
		if (one_in(r, 4))
			g->flags |= IPC_CREAT | IPC_EXCL;
	}
	if (one_in(r, 40))
		g->get_flags = (uint32_t)next(r);
	if (one_in(r, 40))
		g->backing_fd = (int)rnd(r, 8) - 1;
}

/* ------------------------------------------------------------------ */
/* One call per family */

/* the module's status files, read while other threads change the objects */
static void read_status_file(void)
{
	static const char *const f[] = {
		"/proc/driver/sysvipc/shm", "/proc/driver/sysvipc/sem",
		"/proc/driver/sysvipc/msg",
	};
	int fd = open(f[rnd(&me->r, 3)], O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return;
	/* small reads: the seq_file resumes in the middle of the list */
	while ((n = read(fd, me->buf, one_in(&me->r, 2) ? 64 : 3 * page)) > 0)
		;
	close(fd);
}

static void do_version(void)
{
	struct sysvipc_version v;

	if (one_in(&me->r, 2))
		read_status_file();

	ioc(C_VERSION, SYSVIPC_IOC_VERSION,
	    (void *)(uintptr_t)gen_ptr(&v, sizeof(v), true));
}

static void do_get(enum call c)
{
	struct rng *r = &me->r;
	struct sysvipc_get g;
	unsigned long req;
	uint64_t size;
	int fam;
	long id;

	if (c == C_SHMGET) {
		static const uint64_t sizes[] = {
			1, 4096, 4097, 8192, 65536, 1 << 20, 0, 2 << 20,
		};
		static const uint64_t huge[] = { ~0ULL, 0x100000000ULL, 1ULL << 40 };

		/* huge sizes fail (ENOMEM, EINVAL) and the kernel logs each ENOMEM */
		if (one_in(r, 200))
			size = huge[rnd(r, sizeof(huge) / sizeof(huge[0]))];
		else
			size = sizes[rnd(r, sizeof(sizes) / sizeof(sizes[0]))];
		req = SYSVIPC_IOC_SHMGET;
		fam = 0;
	} else if (c == C_SEMGET) {
		static const uint64_t ns[] = {
			1, 2, 3, 4, 8, 0, 250, 251, 32000, 32001, ~0ULL,
			0x100000001ULL,
		};
		size = one_in(r, 2) ? 1 + rnd(r, 4) : ns[rnd(r, sizeof(ns) / sizeof(ns[0]))];
		req = SYSVIPC_IOC_SEMGET;
		fam = 1;
	} else {
		size = one_in(r, 20) ? next(r) : 0;
		req = SYSVIPC_IOC_MSGGET;
		fam = 2;
	}
	gen_get(&g, size);
	if (fam == 0 && one_in(r, 20))
		g.flags |= one_in(r, 2) ? SHM_NORESERVE : SHM_HUGETLB;
	if (fam == 0 && (g.flags & SHM_HUGETLB) && one_in(r, 2)) {
		g.get_flags = SYSVIPC_GET_BACKING_FD;
		g.backing_fd = one_in(r, 2) ? devfd : (int)rnd(r, 4);
	}
	id = ioc(c, req, (void *)(uintptr_t)gen_ptr(&g, sizeof(g), false));
	if (id >= 0)
		pool_put(fam, (int)id, fam == 0 ? SYSVIPC_IOC_SHMCTL :
			 fam == 1 ? SYSVIPC_IOC_SEMCTL : SYSVIPC_IOC_MSGCTL);
}

/* IPC_SET buffers: a fresh IPC_STAT with the mode (and qbytes) mutated */
static void prep_set(int fam, int id, char *buf)
{
	struct sysvipc_ctl st = { .id = id, .cmd = IPC_STAT,
				  .arg = (uint64_t)(uintptr_t)buf };
	unsigned long req = fam == 0 ? SYSVIPC_IOC_SHMCTL :
			    fam == 1 ? SYSVIPC_IOC_SEMCTL : SYSVIPC_IOC_MSGCTL;
	struct ipc_perm *p = (struct ipc_perm *)buf;

	memset(buf, 0, 512);
	ioctl(devfd, req, &st);
	p->mode = gen_mode();
	if (one_in(&me->r, 8))
		p->uid = one_in(&me->r, 2) ? 65534 : (uid_t)next(&me->r);
	if (one_in(&me->r, 8))
		p->gid = (gid_t)next(&me->r);
	if (fam == 2) {
		struct msqid_ds *m = (struct msqid_ds *)buf;
		/* keep what a queue may pin modest: at most 1 MiB */
		static const unsigned long qb[] = { 0, 1, 100, 16384, 65536, 1 << 20 };

		m->msg_qbytes = qb[rnd(&me->r, sizeof(qb) / sizeof(qb[0]))];
	}
}

static void do_ctl(enum call c)
{
	static const int shm_cmds[] = {
		IPC_STAT, IPC_SET, IPC_RMID, IPC_INFO, SHM_INFO, SHM_STAT,
		SHM_STAT_ANY, SHM_LOCK, SHM_UNLOCK, IPC_STAT, IPC_STAT,
	};
	static const int sem_cmds[] = {
		GETVAL, SETVAL, GETALL, SETALL, GETPID, GETNCNT, GETZCNT,
		IPC_STAT, IPC_SET, IPC_RMID, IPC_INFO, SEM_INFO, SEM_STAT,
		SEM_STAT_ANY, SETVAL, GETVAL,
	};
	static const int msg_cmds[] = {
		IPC_STAT, IPC_SET, IPC_RMID, IPC_INFO, MSG_INFO, MSG_STAT,
		MSG_STAT_ANY, IPC_STAT,
	};
	struct rng *r = &me->r;
	int fam = c == C_SHMCTL ? 0 : c == C_SEMCTL ? 1 : 2;
	unsigned long req = fam == 0 ? SYSVIPC_IOC_SHMCTL :
			    fam == 1 ? SYSVIPC_IOC_SEMCTL : SYSVIPC_IOC_MSGCTL;
	struct sysvipc_ctl ctl = { 0 };
	char *buf = me->buf;
	bool out = true;

	if (fam == 0)
		ctl.cmd = shm_cmds[rnd(r, sizeof(shm_cmds) / sizeof(int))];
	else if (fam == 1)
		ctl.cmd = sem_cmds[rnd(r, sizeof(sem_cmds) / sizeof(int))];
	else
		ctl.cmd = msg_cmds[rnd(r, sizeof(msg_cmds) / sizeof(int))];
	if (one_in(r, 30))
		ctl.cmd = (int)rnd(r, 40) - 2;
	if (one_in(r, 30))
		ctl.cmd |= 0x100;	/* IPC_64 */
	ctl.id = pick_id(fam);
	/* IPC_RMID is frequent enough through pool_put: thin it out */
	if (ctl.cmd == IPC_RMID && !one_in(r, 3))
		ctl.cmd = IPC_STAT;
	/* *_STAT take an index */
	if (ctl.cmd == SHM_STAT || ctl.cmd == SHM_STAT_ANY ||
	    ctl.cmd == SEM_STAT || ctl.cmd == SEM_STAT_ANY ||
	    ctl.cmd == MSG_STAT || ctl.cmd == MSG_STAT_ANY)
		ctl.id = one_in(r, 8) ? (int)next(r) : (int)rnd(r, 70);
	if (fam == 1)
		ctl.semnum = one_in(r, 10) ? (int)next(r) : (int)rnd(r, 6) - 1;
	if (ctl.cmd == IPC_SET) {
		prep_set(fam, ctl.id, buf);
		out = false;
	} else if (fam == 1 && ctl.cmd == SETALL) {
		unsigned short *v = (unsigned short *)buf;

		for (int i = 0; i < 256; i++)
			v[i] = one_in(r, 20) ? (unsigned short)next(r) : (unsigned short)rnd(r, 4);
		out = false;
	}
	if (fam == 1 && ctl.cmd == SETVAL)
		ctl.arg = one_in(r, 10) ? next(r) : rnd(r, 4);
	else
		ctl.arg = gen_ptr(buf, fam == 1 && (ctl.cmd == GETALL || ctl.cmd == SETALL) ?
				  2 * 4 : 128, out);
	if (one_in(r, 60))
		ctl.pad = (uint32_t)next(r);
	if (one_in(r, 60))
		ctl.reserved[rnd(r, 2)] = next(r);
	ioc(c, req, (void *)(uintptr_t)gen_ptr(&ctl, sizeof(ctl), false));
}

static void forget_attach(uintptr_t addr)
{
	pthread_mutex_lock(&att_lock);
	for (int i = 0; i < natts; i++)
		if (atts[i].addr == addr) {
			atts[i] = atts[--natts];
			break;
		}
	pthread_mutex_unlock(&att_lock);
}

static void do_shmdt_addr(uintptr_t addr)
{
	struct sysvipc_shmdt d = { .addr = addr };

	if (ioc(C_SHMDT, SYSVIPC_IOC_SHMDT, &d) == 0)
		forget_attach(addr);
}

static void do_shmat(void)
{
	struct rng *r = &me->r;
	struct sysvipc_shmat a = { 0 };
	struct shmid_ds ds;
	struct sysvipc_ctl st = { .cmd = IPC_STAT, .arg = (uint64_t)(uintptr_t)&ds };
	size_t len = 0;
	bool arena = false;

	a.id = pick_id(0);
	st.id = a.id;
	if (ioctl(devfd, SYSVIPC_IOC_SHMCTL, &st) == 0)
		len = ds.shm_segsz;
	if (one_in(r, 3))
		a.flags |= SHM_RDONLY;
	if (one_in(r, 10))
		a.flags |= SHM_EXEC;
	switch (rnd(r, 8)) {
	case 0:	/* SHM_REMAP inside our PROT_NONE arena (never over our data) */
		if (len && len < (ARENA_PAGES / 2) * (size_t)page) {
			a.addr = (uint64_t)(uintptr_t)remap_arena +
				 rnd(r, ARENA_PAGES / 2) * page;
			a.flags |= SHM_REMAP;
			arena = true;
		}
		break;
	case 1:	/* unaligned, with or without SHM_RND */
		a.addr = (uint64_t)(uintptr_t)remap_arena + 1 + rnd(r, page - 1);
		if (one_in(r, 2))
			a.flags |= SHM_RND;
		break;
	case 2:	/* over existing mappings, no SHM_REMAP: must fail */
		a.addr = (uint64_t)(uintptr_t)(one_in(r, 2) ? me->buf : ro_page);
		break;
	case 3:
		a.addr = bad_ptrs[rnd(r, sizeof(bad_ptrs) / sizeof(bad_ptrs[0]))] & ~0xfffULL;
		break;
	default:
		break;
	}
	if (one_in(r, 40))
		a.flags |= (int)next(r) & ~(SHM_REMAP);
	if (one_in(r, 60))
		a.reserved[rnd(r, 2)] = next(r);
	if (ioc(C_SHMAT, SYSVIPC_IOC_SHMAT, &a) < 0)
		return;
	pthread_mutex_lock(&att_lock);
	if (natts == MAX_ATTACH) {
		struct attach old = atts[0];

		atts[0] = atts[--natts];
		pthread_mutex_unlock(&att_lock);
		do_shmdt_addr(old.addr);
		pthread_mutex_lock(&att_lock);
	}
	if (natts < MAX_ATTACH)
		atts[natts++] = (struct attach){ a.addr, len, a.flags & SHM_RDONLY };
	pthread_mutex_unlock(&att_lock);
	(void)arena;
	if (len && one_in(r, 2))
		touch(a.addr, len, !(a.flags & SHM_RDONLY) && one_in(r, 2));
}

static void do_shmdt(void)
{
	struct rng *r = &me->r;
	uintptr_t addr = 0;
	struct sysvipc_shmdt d = { 0 };

	pthread_mutex_lock(&att_lock);
	if (natts && !one_in(r, 5))
		addr = atts[rnd(r, natts)].addr;
	pthread_mutex_unlock(&att_lock);
	if (addr) {
		if (one_in(r, 10))
			addr += page;	/* the middle of an attach */
		do_shmdt_addr(addr);
		return;
	}
	switch (rnd(r, 4)) {
	case 0:	/* our own heap and scratch: must not be unmapped */
		d.addr = (uint64_t)(uintptr_t)me->buf;
		break;
	case 1:
		d.addr = (uint64_t)(uintptr_t)remap_arena + rnd(r, ARENA_PAGES) * page;
		break;
	case 2:
		d.addr = bad_ptrs[rnd(r, sizeof(bad_ptrs) / sizeof(bad_ptrs[0]))];
		break;
	default:
		d.addr = (uint64_t)(uintptr_t)ro_page + 1;
		break;
	}
	if (one_in(r, 30))
		d.reserved[0] = 1;
	ioc(C_SHMDT, SYSVIPC_IOC_SHMDT, (void *)(uintptr_t)gen_ptr(&d, sizeof(d), false));
}

static void do_semop(void)
{
	struct rng *r = &me->r;
	struct sysvipc_semop s = { 0 };
	struct sembuf *sops = (struct sembuf *)me->buf;
	struct timespec ts;
	unsigned int n;

	s.id = pick_id(1);
	n = one_in(r, 20) ? (unsigned int)rnd(r, 600) : 1 + (unsigned int)rnd(r, 3);
	if (one_in(r, 50))
		n = (unsigned int)next(r);
	if (one_in(r, 30))
		n = 0;
	for (unsigned int i = 0; i < n && i < 600; i++) {
		sops[i].sem_num = one_in(r, 30) ? (unsigned short)next(r) : (unsigned short)rnd(r, 4);
		sops[i].sem_op = one_in(r, 30) ? (short)next(r) : (short)(rnd(r, 5) - 2);
		sops[i].sem_flg = 0;
		if (one_in(r, 2))
			sops[i].sem_flg |= SEM_UNDO;
		if (one_in(r, 3))
			sops[i].sem_flg |= IPC_NOWAIT;
		if (one_in(r, 40))
			sops[i].sem_flg = (short)next(r);
	}
	s.nsops = n;
	s.sops = gen_ptr(sops, n <= 600 ? n * sizeof(*sops) : 8, false);
	switch (rnd(r, 4)) {
	case 0:
		s.timeout = 0;	/* the timer cuts a blocked call short */
		break;
	case 1:	/* invalid timespecs */
		ts.tv_sec = one_in(r, 2) ? -1 : 0;
		ts.tv_nsec = one_in(r, 2) ? 1000000000L : -1;
		s.timeout = gen_ptr(&ts, sizeof(ts), false);
		break;
	default:
		ts.tv_sec = 0;
		ts.tv_nsec = (long)rnd(r, 5000000);
		s.timeout = gen_ptr(&ts, sizeof(ts), false);
		break;
	}
	if (one_in(r, 60))
		s.reserved[rnd(r, 2)] = next(r);
	/*
	 * Always: the module may read another struct than this one (gen_ptr
	 * hands out a zeroed page, a shifted copy ...), one that blocks.
	 */
	arm_timer();
	ioc(C_SEMOP, SYSVIPC_IOC_SEMOP, (void *)(uintptr_t)gen_ptr(&s, sizeof(s), false));
	disarm_timer();
}

static void do_msgsnd(void)
{
	struct rng *r = &me->r;
	struct sysvipc_msgsnd m = { 0 };
	long *mtype = (long *)me->buf;
	static const uint64_t sizes[] = { 0, 1, 8, 100, 1000, 4096, 8192, 8193, 65536 };

	m.id = pick_id(2);
	*mtype = one_in(r, 20) ? (long)next(r) : (long)rnd(r, 6) - (one_in(r, 10) ? 5 : 0);
	if (*mtype == 0 && !one_in(r, 4))
		*mtype = 1;
	m.msgsz = one_in(r, 30) ? next(r) : sizes[rnd(r, sizeof(sizes) / sizeof(sizes[0]))];
	if (m.msgsz > 2 * (uint64_t)page && m.msgsz <= 65536 && !one_in(r, 4))
		m.msgsz = rnd(r, 2 * page);
	m.flags = one_in(r, 3) ? 0 : IPC_NOWAIT;
	if (one_in(r, 40))
		m.flags |= (int)next(r);
	m.msgp = gen_ptr(me->buf, m.msgsz + sizeof(long) <= 3 * (size_t)page ?
			 m.msgsz + sizeof(long) : 8, false);
	if (one_in(r, 60))
		m.reserved[rnd(r, 2)] = next(r);
	arm_timer();	/* always: see do_semop() */
	ioc(C_MSGSND, SYSVIPC_IOC_MSGSND, (void *)(uintptr_t)gen_ptr(&m, sizeof(m), false));
	disarm_timer();
}

static void do_msgrcv(void)
{
	struct rng *r = &me->r;
	struct sysvipc_msgrcv m = { 0 };
	static const uint64_t sizes[] = { 0, 1, 8, 100, 4096, 8192 };

	m.id = pick_id(2);
	m.msgsz = one_in(r, 30) ? next(r) : sizes[rnd(r, sizeof(sizes) / sizeof(sizes[0]))];
	if (one_in(r, 3))
		m.flags |= IPC_NOWAIT;
	if (one_in(r, 3))
		m.flags |= MSG_NOERROR;
	if (one_in(r, 6))
		m.flags |= MSG_EXCEPT;
	if (one_in(r, 6))
		m.flags |= MSG_COPY | (one_in(r, 4) ? 0 : IPC_NOWAIT);
	if (one_in(r, 40))
		m.flags |= (int)next(r);
	switch (rnd(r, 6)) {
	case 0:
		m.msgtyp = (int64_t)next(r);
		break;
	case 1:
		m.msgtyp = one_in(r, 2) ? LONG_MIN : LONG_MAX;
		break;
	default:
		m.msgtyp = (int64_t)rnd(r, 9) - 4;
		break;
	}
	m.msgp = gen_ptr(me->buf, m.msgsz + sizeof(long) <= 3 * (size_t)page ?
			 m.msgsz + sizeof(long) : 8, true);
	if (one_in(r, 60))
		m.reserved[rnd(r, 2)] = next(r);
	arm_timer();	/* always: see do_semop() */
	ioc(C_MSGRCV, SYSVIPC_IOC_MSGRCV, (void *)(uintptr_t)gen_ptr(&m, sizeof(m), false));
	disarm_timer();
}

static void do_badioc(void)
{
	struct rng *r = &me->r;
	static const unsigned long reqs[] = {
		SYSVIPC_IOC_VERSION, SYSVIPC_IOC_SHMGET, SYSVIPC_IOC_SHMCTL,
		SYSVIPC_IOC_SHMAT, SYSVIPC_IOC_SHMDT, SYSVIPC_IOC_SEMGET,
		SYSVIPC_IOC_SEMCTL, SYSVIPC_IOC_SEMOP, SYSVIPC_IOC_MSGGET,
		SYSVIPC_IOC_MSGCTL, SYSVIPC_IOC_MSGSND, SYSVIPC_IOC_MSGRCV,
	};
	unsigned long req;

	if (one_in(r, 2)) {
		req = (unsigned long)next(r) & 0xffffffff;
	} else {
		/* a real command with the size or direction bits changed */
		req = reqs[rnd(r, sizeof(reqs) / sizeof(reqs[0]))];
		req ^= 1UL << (16 + rnd(r, 16));
	}
	/* whatever it is, it must not look at fully random memory as ours */
	memset(me->buf, 0, 256);
	ioc(C_BADIOC, req, (void *)(uintptr_t)gen_ptr(me->buf, 256, true));
}

/*
 * raw mmap of the device (pgoff = segment id, or SYSVIPC_MMAP_SEM + set id,
 * SYSVIPC_MMAP_MSGSTATUS or SYSVIPC_MMAP_MSGRING + queue id), and VM ops on
 * attaches
 */
static void do_mmap(void)
{
	struct rng *r = &me->r;
	int id = pick_id(0);
	size_t len = (1 + rnd(r, 4)) * page;
	int prot = one_in(r, 3) ? PROT_READ : PROT_READ | PROT_WRITE;
	int flags = one_in(r, 6) ? MAP_PRIVATE : MAP_SHARED;
	off_t off = one_in(r, 10) ? (off_t)(next(r) & 0x7fffffffffff000LL) :
		    (off_t)(unsigned int)id * page;
	void *p;

	if (one_in(r, 8)) {
		off = (off_t)(SYSVIPC_MMAP_SEM + (unsigned int)pick_id(1)) * 4096;
		if (one_in(r, 2))
			len = page;
	} else if (one_in(r, 12)) {
		off = (off_t)(SYSVIPC_MMAP_MSGRING + (unsigned int)pick_id(2)) * 4096;
		if (one_in(r, 2))
			len = page;
	} else if (one_in(r, 16)) {
		off = (off_t)SYSVIPC_MMAP_MSGSTATUS * 4096;
		if (one_in(r, 2))
			len = (size_t)SYSVIPC_MSG_SLOTS * sizeof(struct sysvipc_msg_slot);
	}

	p = mmap(NULL, len, prot, flags, devfd, off);
	count(C_MMAP, p == MAP_FAILED ? -1 : 0, errno);
	if (p == MAP_FAILED)
		return;
	if (one_in(r, 2))
		touch((uintptr_t)p, len, prot & PROT_WRITE);
	if (len > (size_t)page && one_in(r, 2)) {
		/* split the VMA, then detach the pieces separately */
		munmap((char *)p + page, page);
	}
	munmap(p, len);
}

static void do_vmop(void)
{
	struct rng *r = &me->r;
	struct attach a = { 0 };
	int i;
	long ret = 0;

	pthread_mutex_lock(&att_lock);
	if (natts) {
		i = (int)rnd(r, natts);
		a = atts[i];
		if (a.len > (size_t)page && one_in(r, 2))
			atts[i] = atts[--natts];	/* we are about to change it */
		else
			a = (struct attach){ 0 };
	}
	pthread_mutex_unlock(&att_lock);
	if (!a.addr) {
		/*
		 * The volatile page: taken away and given back.  mprotect,
		 * not munmap and mmap: a MAP_FIXED that fails (failslab)
		 * leaves a hole, where any one-page mapping of another thread
		 * would land and then be mapped over.
		 */
		mprotect(volatile_page, page, PROT_NONE);
		usleep(rnd(r, 50));
		mprotect(volatile_page, page, PROT_READ | PROT_WRITE);
		count(C_VMOP, 0, 0);
		return;
	}
	size_t pages = (a.len + page - 1) / page;

	if (pages < 2) {
		count(C_VMOP, 0, 0);
		return;
	}
	switch (rnd(r, 4)) {
	case 0:	/* split: unmap a middle page, then detach the rest */
		ret = munmap((char *)a.addr + page, page);
		do_shmdt_addr(a.addr);
		break;
	case 1:	/* mprotect a piece (splits the VMA) */
		ret = mprotect((char *)a.addr + page, page, PROT_READ);
		do_shmdt_addr(a.addr);
		break;
	case 2: {	/* mremap it elsewhere, then detach at the new place */
		void *n = mremap((void *)a.addr, pages * page, pages * page, MREMAP_MAYMOVE);

		ret = n == MAP_FAILED ? -1 : 0;
		do_shmdt_addr(n == MAP_FAILED ? a.addr : (uintptr_t)n);
		break;
	}
	default:	/* MADV_DONTFORK / DONTNEED */
		ret = madvise((void *)a.addr, page, one_in(r, 2) ? MADV_DONTNEED : MADV_DONTFORK);
		do_shmdt_addr(a.addr);
		break;
	}
	count(C_VMOP, ret, errno);
}

/*
 * --failslab: no injection into fork() itself.  A failed GFP_NOWAIT slab
 * allocation inside vmalloc of the child's stack trips a WARN_ON_ONCE in
 * mm/vmalloc.c (adjust_va_to_fit_type) that says nothing about the module.
 */
static void make_it_fail(bool on)
{
	if (me->mif_fd >= 0 && pwrite(me->mif_fd, on ? "1" : "0", 1, 0) != 1)
		_exit(3);
}

/*
 * A child that blocks in semop (SEM_UNDO) or msgrcv/msgsnd, or holds an
 * attach, SIGKILLed at a random moment.  Only raw syscalls in the child.
 */
static void do_forkkill(void)
{
	struct rng *r = &me->r;
	uint64_t seed = next(r);
	pid_t pid, parent = getpid();
	int st;

	make_it_fail(false);
	pid = fork();
	if (pid == 0) {
		struct rng cr = { seed };
		struct sembuf sb[2];
		struct sysvipc_semop so = { .sops = (uint64_t)(uintptr_t)sb };
		char msg[64];
		struct sysvipc_msgrcv mr = { .msgp = (uint64_t)(uintptr_t)msg,
					     .msgsz = sizeof(msg) - sizeof(long) };
		struct sysvipc_msgsnd ms = { .msgp = (uint64_t)(uintptr_t)msg,
					     .msgsz = sizeof(msg) - sizeof(long) };
		struct sysvipc_shmat sa = { 0 };

		signal(SIGALRM, SIG_DFL);
		/* die with the thread that forked us, even if it is SIGKILLed */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		for (int i = 0; i < 50; i++) {
			switch (rnd(&cr, 4)) {
			case 0:
				so.id = atomic_load(&sh->ids[1][rnd(&cr, POOL)]);
				so.nsops = 1 + (unsigned int)rnd(&cr, 2);
				for (int k = 0; k < 2; k++) {
					sb[k].sem_num = (unsigned short)rnd(&cr, 3);
					sb[k].sem_op = (short)(rnd(&cr, 5) - 2);
					sb[k].sem_flg = SEM_UNDO;
				}
				ioctl(devfd, SYSVIPC_IOC_SEMOP, &so);
				break;
			case 1:
				mr.id = atomic_load(&sh->ids[2][rnd(&cr, POOL)]);
				mr.msgtyp = (long)rnd(&cr, 4);
				mr.flags = MSG_NOERROR;
				ioctl(devfd, SYSVIPC_IOC_MSGRCV, &mr);
				break;
			case 2:
				ms.id = atomic_load(&sh->ids[2][rnd(&cr, POOL)]);
				*(long *)msg = 1 + (long)rnd(&cr, 3);
				ioctl(devfd, SYSVIPC_IOC_MSGSND, &ms);
				break;
			default:
				sa.id = atomic_load(&sh->ids[0][rnd(&cr, POOL)]);
				sa.addr = 0;
				sa.flags = 0;
				if (ioctl(devfd, SYSVIPC_IOC_SHMAT, &sa) == 0)
					*(volatile char *)(uintptr_t)sa.addr = 1;
				break;
			}
		}
		_exit(0);
	}
	if (pid < 0) {
		int e = errno;

		make_it_fail(true);
		count(C_FORKKILL, -1, e);
		return;
	}
	make_it_fail(true);
	usleep(rnd(r, 3000));
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	atomic_fetch_add(&sh->children_killed, 1);
	count(C_FORKKILL, 0, 0);
}

/*
 * The one-page device mappings a thread keeps to scribble on: a few stay
 * around (per thread, so nobody unmaps one under another's scribbling);
 * the oldest is unmapped when a new one comes.
 */
#define KEPT_MAPS 4
struct kept_maps {
	uintptr_t addr[KEPT_MAPS];
	unsigned int next;
};

static void keep_map(struct kept_maps *k, uintptr_t addr)
{
	uintptr_t old = k->addr[k->next % KEPT_MAPS];

	k->addr[k->next++ % KEPT_MAPS] = addr;
	if (old)
		munmap((void *)old, page);
}

/* One of them at random, or 0. */
static uintptr_t kept_map(struct kept_maps *k)
{
	return k->addr[rnd(&me->r, KEPT_MAPS)];
}

/*
 * SYSVIPC_IOC_SEMMAP: map a set's value page, then treat it as the worst
 * library would: random values, SLOW bits and pids, header garbage, a
 * madvise that drops the page, while other threads operate on the set.
 */
static __thread struct kept_maps semmaps;

static void do_semmap(void)
{
	struct rng *r = &me->r;
	struct sysvipc_semmap m = { 0 };
	uint64_t arg;
	uint32_t *w;
	uintptr_t old;
	unsigned int n;

	m.id = pick_id(1);
	if (one_in(r, 40))
		m.reserved[rnd(r, 2)] = next(r);
	if (one_in(r, 40))
		m.out_flags = (uint32_t)next(r);
	arg = gen_ptr(&m, sizeof(m), false);
	/*
	 * Keep only a mapping whose address landed in m: through another
	 * pointer (a shifted copy ...) the address read back may be garbage,
	 * and munmap() of garbage would pull pages from under this process.
	 */
	if (ioc(C_SEMMAP, SYSVIPC_IOC_SEMMAP, (void *)(uintptr_t)arg) == 0 &&
	    arg == (uint64_t)(uintptr_t)&m)
		keep_map(&semmaps, (uintptr_t)m.addr);
	/* scribble on one of this thread's mappings (maybe the new one) */
	old = kept_map(&semmaps);
	if (!old)
		return;
	w = (uint32_t *)old;
	n = 1 + (unsigned int)rnd(r, 16);
	/* after MADV_DONTNEED the page faults back in; survive SIGBUS anyway */
	if (sigsetjmp(me->jb, 1)) {
		atomic_fetch_add(&sh->touch_faults, 1);
		return;
	}
	me->in_touch = 1;
	while (n--) {
		unsigned int i = (unsigned int)rnd(r, 64);

		switch (rnd(r, 5)) {
		case 0:
			__atomic_store_n(&w[i], (uint32_t)next(r), __ATOMIC_RELAXED);
			break;
		case 1:	/* clear SLOW: pretend the set is ours */
			__atomic_fetch_and(&w[i], 0x7fffffffu, __ATOMIC_RELAXED);
			break;
		case 2:
			__atomic_fetch_or(&w[i], 0x80000000u, __ATOMIC_RELAXED);
			break;
		case 3:	/* a plausible fast-path decrement */
			__atomic_fetch_sub(&w[i], 1, __ATOMIC_RELAXED);
			break;
		default:
			__atomic_store_n(&w[i], (uint32_t)rnd(r, 40000), __ATOMIC_RELAXED);
			break;
		}
	}
	me->in_touch = 0;
	if (one_in(r, 50))
		madvise((void *)old, page, MADV_DONTNEED);
}

/*
 * SYSVIPC_IOC_MSGRING: map a queue's receive ring, then act as receivers
 * would (take the head with a compare-and-swap), as a lessee would (ask
 * for the send lease, fill a slot, move tail; sometimes leave busy set),
 * and as the worst library would (head and tail anywhere, garbage stamps,
 * slots and header), while other threads send and receive through the
 * module.  Kept like SEMMAP's pages.
 */
static __thread struct kept_maps msgrings;

static void do_msgring(void)
{
	struct rng *r = &me->r;
	struct sysvipc_msgring m = { 0 };
	struct sysvipc_msglease l = { 0 };
	struct sysvipc_msgring_page *pg;
	struct sysvipc_msgring_slot *slot;
	uint64_t arg, h, t, *w;
	uintptr_t old;
	unsigned int n;

	m.id = pick_id(2);
	if (one_in(r, 40))
		m.reserved[rnd(r, 2)] = next(r);
	if (one_in(r, 40))
		m.pad = (uint32_t)next(r);
	arg = gen_ptr(&m, sizeof(m), false);
	/* only a mapping whose address landed in m is known to be ours */
	if (ioc(C_MSGRING, SYSVIPC_IOC_MSGRING, (void *)(uintptr_t)arg) == 0 &&
	    arg == (uint64_t)(uintptr_t)&m)
		keep_map(&msgrings, (uintptr_t)m.addr);
	old = kept_map(&msgrings);
	if (!old)
		return;
	pg = (struct sysvipc_msgring_page *)old;
	w = (uint64_t *)old;
	n = 1 + (unsigned int)rnd(r, 8);
	if (sigsetjmp(me->jb, 1)) {
		atomic_fetch_add(&sh->touch_faults, 1);
		return;
	}
	me->in_touch = 1;
	while (n--) {
		switch (rnd(r, 9)) {
		case 6:	/* ask for the send lease (for another queue, maybe) */
			l.id = one_in(r, 4) ? pick_id(2) : pg->id;
			l.gen = one_in(r, 40) ? (uint32_t)next(r) : 0;
			ioc(C_MSGLEASE, SYSVIPC_IOC_MSGLEASE, &l);
			break;
		case 7:	/* a lessee's send, as the uapi says or nearly */
			t = __atomic_load_n(&pg->tail, __ATOMIC_ACQUIRE);
			__atomic_store_n(&pg->busy, 1, __ATOMIC_SEQ_CST);
			slot = &pg->slot[(t & SYSVIPC_MSGRING_POS) %
					 SYSVIPC_MSGRING_SLOTS];
			slot->mtype = one_in(r, 8) ? (int64_t)next(r) : 1;
			slot->size = one_in(r, 8) ? (uint32_t)next(r) :
						    (uint32_t)rnd(r, 113);
			__atomic_compare_exchange_n(&pg->tail, &t, t + 1, false,
						    __ATOMIC_RELEASE, __ATOMIC_RELAXED);
			if (!one_in(r, 20))
				__atomic_store_n(&pg->busy, 0, __ATOMIC_RELEASE);
			break;
		case 8:	/* tail anywhere, keeping the lease's generation */
			t = __atomic_load_n(&pg->tail, __ATOMIC_RELAXED);
			__atomic_store_n(&pg->tail, (t & ~SYSVIPC_MSGRING_POS) |
					 ((t + rnd(r, 64) - 8) & SYSVIPC_MSGRING_POS),
					 __ATOMIC_RELAXED);
			break;
		case 0:	/* a receiver's take */
		case 1:
			h = __atomic_load_n(&pg->head, __ATOMIC_ACQUIRE);
			if (h != (__atomic_load_n(&pg->tail, __ATOMIC_ACQUIRE) &
				  SYSVIPC_MSGRING_POS))
				__atomic_compare_exchange_n(&pg->head, &h, h + 1,
							    false, __ATOMIC_ACQ_REL,
							    __ATOMIC_RELAXED);
			pg->rpid = one_in(r, 2) ? getpid() : (int32_t)next(r);
			pg->rtime = one_in(r, 2) ? time(NULL) : (int64_t)next(r);
			break;
		case 2:	/* head anywhere */
			__atomic_store_n(&pg->head, one_in(r, 2) ? next(r) :
					 pg->tail - rnd(r, 64) + rnd(r, 64),
					 __ATOMIC_RELAXED);
			break;
		default:	/* any word, header and slots alike */
			__atomic_store_n(&w[rnd(r, 512)], next(r), __ATOMIC_RELAXED);
			break;
		}
	}
	me->in_touch = 0;
	if (one_in(r, 50))
		madvise((void *)old, page, MADV_DONTNEED);
}

/* object descriptors (SYSVIPC_IOC_OBJFD) of this process, shared by its threads */
#define MAX_OBJFDS 16
static pthread_mutex_t ofd_lock = PTHREAD_MUTEX_INITIALIZER;
static int ofds[MAX_OBJFDS];
static int nofds;

/*
 * The checkpoint/restore ioctls: undo lists of this worker (pid 0 or its
 * own pid; never another live process, whose list would pin the module),
 * of pids that do not exist, and SYSVIPC_IOC_RESTORE of pool objects.
 */
static void do_cr(void)
{
	struct rng *r = &me->r;
	struct sysvipc_undo_entry e[9];	/* one spare: a misaligned pointer */
	struct sysvipc_restore_sem sv[8];
	struct sysvipc_undo_io io = { 0 };
	struct sysvipc_restore rs = { 0 };
	bool get;
	int i, n;

	switch (rnd(r, 3)) {
	case 0:
	case 1:
		io.pid = one_in(r, 2) ? 0 : one_in(r, 2) ? getpid() :
			 one_in(r, 2) ? -1 : 0x3fffff00 + (int)rnd(r, 255);
		n = (int)rnd(r, 9);
		for (i = 0; i < n; i++) {
			e[i].semid = pick_id(1);
			e[i].semnum = one_in(r, 8) ? (uint16_t)next(r) : rnd(r, 4);
			e[i].adj = one_in(r, 4) ? (int16_t)next(r) : (int16_t)rnd(r, 5) - 2;
		}
		get = one_in(r, 2);
		/* GET writes up to count entries: never more than e[] holds */
		io.count = !one_in(r, 30) ? (uint32_t)n :
			   get ? SYSVIPC_UNDO_MAX + 1 + (uint32_t)rnd(r, 1000) :
				 (uint32_t)next(r);
		io.entries = gen_ptr(e, sizeof(e), get);
		if (one_in(r, 40))
			io.reserved[rnd(r, 2)] = next(r);
		ioc(C_CR, get ? SYSVIPC_IOC_UNDO_GET : SYSVIPC_IOC_UNDO_SET, &io);
		break;
	default:
		rs.type = (uint32_t)rnd(r, 5);
		rs.id = pick_id(rs.type >= 1 && rs.type <= 3 ? (int)rs.type - 1 : 0);
		rs.uid = one_in(r, 8) ? (uint32_t)next(r) : one_in(r, 2) ? 0 : 65534;
		rs.gid = rs.cuid = rs.cgid = one_in(r, 2) ? 0 : 65534;
		rs.mode = one_in(r, 20) ? (uint32_t)next(r) : (uint32_t)gen_mode();
		for (i = 0; i < 3; i++)
			rs.time[i] = one_in(r, 20) ? (int64_t)next(r) : (int64_t)rnd(r, 1 << 30);
		if (rs.type != SYSVIPC_OBJ_SEM) {
			rs.pid[0] = one_in(r, 2) ? getpid() : (int)rnd(r, 1000);
			rs.pid[1] = one_in(r, 4) ? (int)next(r) : 0;
		} else {
			rs.time[2] = one_in(r, 10) ? 1 : 0;
			rs.nsems = one_in(r, 20) ? (uint32_t)next(r) : 1 + (uint32_t)rnd(r, 8);
			for (i = 0; i < 8; i++) {
				sv[i].val = one_in(r, 10) ? (int)next(r) : (int)rnd(r, 100);
				sv[i].pid = one_in(r, 2) ? getpid() : 0;
			}
			rs.sems = gen_ptr(sv, sizeof(sv), false);
		}
		if (one_in(r, 40))
			rs.reserved[rnd(r, 2)] = next(r);
		ioc(C_CR, SYSVIPC_IOC_RESTORE,
		    (void *)(uintptr_t)gen_ptr(&rs, sizeof(rs), false));
		break;
	}
}

static void do_objfd(void)
{
	struct rng *r = &me->r;
	struct sysvipc_objfd o = { 0 };
	static const uint32_t acc[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR };
	long fd;
	int victim = -1;

	o.type = one_in(r, 20) ? (uint32_t)rnd(r, 6) : 1 + (uint32_t)rnd(r, 3);
	o.id = pick_id(o.type == SYSVIPC_OBJ_SHM ? 0 : o.type == SYSVIPC_OBJ_SEM ? 1 : 2);
	o.flags = acc[rnd(r, 4)] | O_CLOEXEC | (one_in(r, 4) ? 0 : O_NONBLOCK);
	if (one_in(r, 30))
		o.flags |= (uint32_t)next(r);
	if (o.type == SYSVIPC_OBJ_MSG) {
		o.msgflg = one_in(r, 3) ? MSG_NOERROR : one_in(r, 3) ? MSG_EXCEPT : 0;
		o.msgtyp = (int64_t)rnd(r, 7) - 3;
		o.msgsz = one_in(r, 10) ? next(r) : rnd(r, 9000);
	} else if (o.type == SYSVIPC_OBJ_SEM) {
		o.sem_num = (uint16_t)rnd(r, 5);
		o.sem_op = (int16_t)(rnd(r, 5) - 2);
		o.sem_flg = one_in(r, 2) ? SEM_UNDO : 0;
	}
	if (one_in(r, 40))
		o.msgflg |= (int)next(r);
	if (one_in(r, 40))
		o.pad = 1;
	if (one_in(r, 40))
		o.reserved[rnd(r, 4)] = next(r);
	fd = ioc(C_OBJFD, SYSVIPC_IOC_OBJFD, (void *)(uintptr_t)gen_ptr(&o, sizeof(o), false));
	if (fd < 0)
		return;
	pthread_mutex_lock(&ofd_lock);
	if (nofds == MAX_OBJFDS) {
		int i = (int)rnd(r, nofds);

		victim = ofds[i];
		ofds[i] = (int)fd;
	} else {
		ofds[nofds++] = (int)fd;
	}
	pthread_mutex_unlock(&ofd_lock);
	if (victim >= 0)
		close(victim);
}

/*
 * SYSVIPC_IOC_MSGSTATUS: map the queues' status region, check what can be
 * checked while other threads change the queues (each slot is empty or
 * names a queue of its own index; the mapping cannot be made writable),
 * unmap it.  A result stored in a page another thread unmapped is lost,
 * and so is that mapping (address space only).
 */
/*
 * Whether @p lies in a mapping of the status region (the device at
 * SYSVIPC_MMAP_MSGSTATUS): other threads' munmap, SHM_REMAP and MAP_FIXED
 * calls can put anything at a region's address, so a check that fails is
 * only believed if the region is still there, before and after a re-read.
 */
static int is_status_region(const void *p)
{
	unsigned long long lo, hi, off;
	char buf[4096], *line, *nl;
	size_t have = 0;
	ssize_t got;
	int found = 0;
	/* no stdio: fopen() mallocs, see thread_main() */
	int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while (!found && (got = read(fd, buf + have, sizeof(buf) - 1 - have)) > 0) {
		have += (size_t)got;
		buf[have] = '\0';
		for (line = buf; !found && (nl = strchr(line, '\n')); line = nl + 1) {
			*nl = '\0';
			if (sscanf(line, "%llx-%llx %*s %llx", &lo, &hi, &off) == 3 &&
			    (uintptr_t)p >= lo && (uintptr_t)p < hi)
				found = off == SYSVIPC_MMAP_MSGSTATUS * 4096 &&
					strstr(line, " /dev/sysvipc") ? 1 : -1;
		}
		/* keep the partial last line (a whole one always fits) */
		have -= (size_t)(line - buf);
		memmove(buf, line, have);
	}
	close(fd);
	return found == 1;
}

static void do_msgstatus(void)
{
	struct rng *r = &me->r;
	struct sysvipc_msgstatus a = { 0 };
	const struct sysvipc_msg_slot *st;
	uint64_t arg;
	uint32_t i;
	int id;

	if (one_in(r, 20))
		a.reserved[rnd(r, 2)] = next(r);
	if (one_in(r, 30))
		a.addr = next(r);
	if (one_in(r, 30))
		a.slot_size = (uint32_t)next(r);
	arg = gen_ptr(&a, sizeof(a), true);
	/*
	 * As for SEMMAP: only a result that landed in a is ours.  Through
	 * another pointer (a buffer other threads share) the address read
	 * back may be another thread's region, and checking then unmapping it
	 * would pull pages from under that thread; that mapping is left alone.
	 */
	if (ioc(C_MSGSTATUS, SYSVIPC_IOC_MSGSTATUS, (void *)(uintptr_t)arg) < 0 ||
	    arg != (uint64_t)(uintptr_t)&a)
		return;
	st = (const struct sysvipc_msg_slot *)(uintptr_t)a.addr;
	if (a.slots != SYSVIPC_MSG_SLOTS || a.slot_size != sizeof(*st) ||
	    a.size < a.slots * sizeof(*st)) {
		fprintf(stderr, "sysvipc-fuzz: MSGSTATUS: %u slots of %u bytes, %llu bytes\n",
			a.slots, a.slot_size, (unsigned long long)a.size);
		abort();
	}
	/* another thread's SHM_REMAP or munmap may take the region away */
	if (sigsetjmp(me->jb, 1)) {
		atomic_fetch_add(&sh->touch_faults, 1);
		return;
	}
	me->in_touch = 1;
	for (i = (uint32_t)rnd(r, 64); i < SYSVIPC_MSG_SLOTS; i += 1 + (uint32_t)rnd(r, 128)) {
		id = __atomic_load_n(&st[i].id, __ATOMIC_RELAXED);
		if (id != -1 && (id < 0 || (id & (SYSVIPC_MSG_SLOTS - 1)) != (int)i)) {
			if (!is_status_region(&st[i]))
				break;	/* no longer the region */
			id = __atomic_load_n(&st[i].id, __ATOMIC_RELAXED);
			if (id == -1 || (id >= 0 && (id & (SYSVIPC_MSG_SLOTS - 1)) == (int)i) ||
			    !is_status_region(&st[i]))
				continue;
			me->in_touch = 0;
			fprintf(stderr, "sysvipc-fuzz: MSGSTATUS: slot %u says id %d\n", i, id);
			abort();
		}
	}
	me->in_touch = 0;
	if (one_in(r, 4) && is_status_region(st) &&
	    !mprotect((void *)st, a.size, PROT_READ | PROT_WRITE) && is_status_region(st)) {
		fprintf(stderr, "sysvipc-fuzz: MSGSTATUS: mapping made writable\n");
		abort();
	}
	munmap((void *)st, a.size);
}

/* I/O on an object descriptor; another thread may close it meanwhile */
static void do_objio(void)
{
	struct rng *r = &me->r;
	static const size_t sizes[] = { 0, 1, 7, 8, 16, 100, 4096, 8200, 3 * 4096 };
	size_t len = sizes[rnd(r, sizeof(sizes) / sizeof(sizes[0]))];
	char *buf = me->buf;
	long ret = 0;
	int fd = -1, op = (int)rnd(r, 12);

	pthread_mutex_lock(&ofd_lock);
	if (nofds) {
		int i = (int)rnd(r, nofds);

		fd = ofds[i];
		if (op == 11) {		/* close it */
			ofds[i] = ofds[--nofds];
			pthread_mutex_unlock(&ofd_lock);
			count(C_OBJIO, close(fd), errno);
			return;
		}
	}
	pthread_mutex_unlock(&ofd_lock);
	if (fd < 0) {
		do_objfd();
		return;
	}
	if (len > 3 * (size_t)page)
		len = 3 * page;
	*(long *)buf = (long)rnd(r, 5) - 1;	/* an mtype, or a semop count */
	arm_timer();
	switch (op) {
	case 0:
	case 1:
		ret = read(fd, (void *)(uintptr_t)gen_ptr(buf, len, true), len);
		break;
	case 2:
	case 3:
		ret = write(fd, (void *)(uintptr_t)gen_ptr(buf, len, false), len);
		break;
	case 4:
		ret = pread(fd, (void *)(uintptr_t)gen_ptr(buf, len, true), len,
			    one_in(r, 8) ? (off_t)next(r) : (off_t)rnd(r, 3 * page));
		break;
	case 5:
		ret = pwrite(fd, (void *)(uintptr_t)gen_ptr(buf, len, false), len,
			     one_in(r, 8) ? (off_t)next(r) : (off_t)rnd(r, 3 * page));
		break;
	case 6: {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };

		ret = poll(&p, 1, one_in(r, 4) ? 2 : 0);
		break;
	}
	case 7: {
		size_t mlen = (1 + rnd(r, 3)) * page;
		void *p = mmap(NULL, mlen, one_in(r, 2) ? PROT_READ : PROT_READ | PROT_WRITE,
			       one_in(r, 8) ? MAP_PRIVATE : MAP_SHARED, fd,
			       one_in(r, 8) ? (off_t)rnd(r, 4) * page : 0);

		ret = p == MAP_FAILED ? -1 : 0;
		if (p != MAP_FAILED) {
			touch((uintptr_t)p, mlen, false);
			munmap(p, mlen);
		}
		break;
	}
	case 8: {
		struct flock fl = {
			.l_type = one_in(r, 3) ? F_UNLCK : one_in(r, 2) ? F_RDLCK : F_WRLCK,
			.l_whence = SEEK_SET,
			.l_start = (off_t)rnd(r, 3 * page),
			.l_len = (off_t)rnd(r, page),
		};
		static const int cmds[] = { F_OFD_SETLK, F_OFD_GETLK, F_SETLK, F_GETLK, F_OFD_SETLKW };

		ret = fcntl(fd, cmds[rnd(r, 5)], &fl);
		break;
	}
	case 9: {
		struct stat st;

		ret = one_in(r, 2) ? fstat(fd, &st) : fsync(fd);
		break;
	}
	default:
		ret = lseek(fd, one_in(r, 4) ? (off_t)next(r) : (off_t)rnd(r, 3 * page),
			    (int)rnd(r, 3));
		break;
	}
	disarm_timer();
	count(C_OBJIO, ret, errno);
}

/* ------------------------------------------------------------------ */
/* Workers */

static void *thread_main(void *arg)
{
	struct thr *t = arg;
	struct sigevent sev = { 0 };

	me = t;
	/*
	 * The thread's malloc arena and tcache, made before any thread fuzzes:
	 * made first under failslab, glibc falls back to mmap()ing a page of
	 * its own, which lands in whatever hole other threads' munmap or
	 * SHM_REMAP left and is then mapped over.  The loop allocates nothing.
	 */
	free(malloc(1));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGALRM;
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
	t->have_timer = timer_create(CLOCK_MONOTONIC, &sev, &t->timer) == 0;
	while (!atomic_load(&go))
		usleep(100);
	t->mif_fd = -1;
	if (opt_failslab) {
		/* fault injection (failslab/fail_page_alloc task-filter) for this thread */
		t->mif_fd = open("/proc/thread-self/make-it-fail", O_WRONLY | O_CLOEXEC);
		if (t->mif_fd < 0 || write(t->mif_fd, "1", 1) != 1)
			_exit(3);
	}
	if (t->buf == MAP_FAILED)
		return NULL;
	while (!atomic_load_explicit(&sh->stop, memory_order_relaxed) &&
	       atomic_fetch_sub_explicit(&sh->budget, 1, memory_order_relaxed) > 0) {
		unsigned int w = (unsigned int)rnd(&t->r, 1000);

		cur_what = w < 10 ? "VERSION" : w < 70 ? "SHMGET" : w < 150 ? "SHMCTL" :
			   w < 230 ? "SHMAT" : w < 290 ? "SHMDT" : w < 340 ? "SEMGET" :
			   w < 440 ? "SEMCTL" : w < 590 ? "SEMOP" : w < 630 ? "MSGGET" :
			   w < 635 ? "MSGSTATUS" : w < 700 ? "MSGCTL" : w < 820 ? "MSGSND" : w < 940 ? "MSGRCV" :
			   w < 955 ? "bad-ioctl" : w < 975 ? "mmap" : w < 990 ? "vm-op" :
			   w < 997 ? "fork+kill" : "OBJFD";
		if (w < 10)
			do_version();
		else if (w < 70)
			do_get(C_SHMGET);
		else if (w < 150)
			do_ctl(C_SHMCTL);
		else if (w < 230)
			do_shmat();
		else if (w < 290)
			do_shmdt();
		else if (w < 340)
			do_get(C_SEMGET);
		else if (w < 440)
			do_ctl(C_SEMCTL);
		else if (w < 590)
			do_semop();
		else if (w < 630)
			do_get(C_MSGGET);
		else if (w < 635)
			do_msgstatus();
		else if (w < 700)
			do_ctl(C_MSGCTL);
		else if (w < 820)
			do_msgsnd();
		else if (w < 940)
			do_msgrcv();
		else if (w < 955)
			do_badioc();
		else if (w < 975)
			do_mmap();
		else if (w < 990)
			do_vmop();
		else if (w < 997)
			do_forkkill();
		else
			do_objfd();
		/* checkpoint/restore: a third dice, likewise */
		if (rnd(&t->r, 100) < 3)
			do_cr();
		/* object descriptors: a second dice, so the others keep their share */
		if (rnd(&t->r, 100) < 8)
			do_objio();
		/* the semaphore page: a third dice */
		if (rnd(&t->r, 100) < 4)
			do_semmap();
		/* receive rings: one more */
		if (rnd(&t->r, 100) < 3)
			do_msgring();
	}
	return NULL;
}

/*
 * A fuzzing thread.  Under --failslab its stack is mapped populated and
 * locked first: a stack page or page table needed later, while injection is
 * on, could fail to be allocated where the kernel gives no error to return
 * (main-stack growth, the frame of a signal) and kill the worker with
 * SIGSEGV, a failure of the test rather than of the module.  The worker's
 * own thread only waits, so none runs on the growable main stack.
 */
#define THREAD_STACK (1024 * 1024)
static int thread_start(pthread_t *tid, struct thr *t)
{
	pthread_attr_t attr;
	void *stack;
	int err;

	if (!opt_failslab)
		return pthread_create(tid, NULL, thread_main, t);
	stack = mmap(NULL, THREAD_STACK, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_POPULATE | MAP_LOCKED,
		     -1, 0);
	if (stack == MAP_FAILED)
		return errno;
	pthread_attr_init(&attr);
	err = pthread_attr_setstack(&attr, stack, THREAD_STACK);
	if (!err)
		err = pthread_create(tid, &attr, thread_main, t);
	pthread_attr_destroy(&attr);
	if (err)
		munmap(stack, THREAD_STACK);
	return err;
}

static void worker(int slot, int gen)
{
	pthread_t tids[64];
	struct thr *thr = calloc(opt_threads, sizeof(*thr));
	struct sigaction sa = { 0 };
	int n = opt_threads;

	if (!thr)
		_exit(0);
	for (int i = 0; i < n; i++)
		thr[i].buf = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/*
	 * --failslab: our own text and data stay resident, so no injected
	 * failure lands in a page fault on the (9p) binary instead of an ioctl
	 */
	if (opt_failslab)
		mlockall(MCL_CURRENT);
	sa.sa_handler = on_timer;	/* no SA_RESTART: blocked calls get EINTR */
	sigaction(SIGALRM, &sa, NULL);
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_NODEFER | SA_SIGINFO;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	for (int i = 0; i < n; i++) {
		thr[i].idx = i;
		thr[i].r.s = opt_seed * 0x100000001b3ULL + (uint64_t)slot * 7919 +
			     (uint64_t)gen * 104729 + (uint64_t)i * 15485863;
		next(&thr[i].r);
	}
	for (int i = 0; i < n; i++)
		if (thread_start(&tids[i], &thr[i]))
			thr[i].idx = -1;
	atomic_store(&go, 1);
	for (int i = 0; i < n; i++)
		if (thr[i].idx >= 0)
			pthread_join(tids[i], NULL);
	_exit(0);
}

/* ------------------------------------------------------------------ */
/* Cleanup and figures */

static long ctl(unsigned long req, int id, int cmd, void *buf)
{
	struct sysvipc_ctl c = { .id = id, .cmd = cmd, .arg = (uint64_t)(uintptr_t)buf };

	return ioctl(devfd, req, &c);
}

/* remove every object of every family; returns how many were removed */
static long cleanup_all(void)
{
	static const struct { unsigned long req; int stat_any; } f[3] = {
		{ SYSVIPC_IOC_SHMCTL, SHM_STAT_ANY },
		{ SYSVIPC_IOC_SEMCTL, SEM_STAT_ANY },
		{ SYSVIPC_IOC_MSGCTL, MSG_STAT_ANY },
	};
	char buf[512];
	long removed = 0;

	for (int fam = 0; fam < 3; fam++) {
		long max = ctl(f[fam].req, 0, IPC_INFO, buf);

		for (long i = 0; i <= max; i++) {
			long id = ctl(f[fam].req, (int)i, f[fam].stat_any, buf);

			if (id >= 0 && ctl(f[fam].req, (int)id, IPC_RMID, NULL) == 0)
				removed++;
		}
	}
	return removed;
}

/* objects still counted in use: segments + sets + queues (+ messages) */
static long in_use(bool print)
{
	struct shm_info si;
	struct seminfo se;
	struct msginfo mi;
	long n = 0;

	memset(&si, 0, sizeof(si));
	memset(&se, 0, sizeof(se));
	memset(&mi, 0, sizeof(mi));
	if (ctl(SYSVIPC_IOC_SHMCTL, 0, SHM_INFO, &si) < 0 ||
	    ctl(SYSVIPC_IOC_SEMCTL, 0, SEM_INFO, &se) < 0 ||
	    ctl(SYSVIPC_IOC_MSGCTL, 0, MSG_INFO, &mi) < 0) {
		perror("sysvipc-fuzz: *_INFO");
		return -1;
	}
	n = si.used_ids + (long)si.shm_tot + se.semusz + se.semaem +
	    mi.msgpool + mi.msgmap + mi.msgtql;
	if (print)
		printf("registry: shm used_ids=%d shm_tot=%lu shm_rss=%lu; sem sets=%d sems=%d; "
		       "msg queues=%d msgs=%d bytes=%d\n", si.used_ids, si.shm_tot,
		       si.shm_rss, se.semusz, se.semaem, mi.msgpool, mi.msgmap, mi.msgtql);
	return n;
}

static long read_undo_lists(void)
{
	FILE *f = fopen("/sys/module/sysvipc/parameters/undo_lists", "re");
	long v = -1;

	if (f) {
		if (fscanf(f, "%ld", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

static void print_figures(double secs)
{
	static const struct { int e; const char *n; } en[] = {
		{ 0, "other" }, { EPERM, "EPERM" }, { ENOENT, "ENOENT" },
		{ ESRCH, "ESRCH" }, { EINTR, "EINTR" }, { E2BIG, "E2BIG" },
		{ EBADF, "EBADF" }, { EAGAIN, "EAGAIN" }, { ENOMEM, "ENOMEM" },
		{ EACCES, "EACCES" }, { EFAULT, "EFAULT" }, { EBUSY, "EBUSY" },
		{ EEXIST, "EEXIST" }, { ENODEV, "ENODEV" }, { EINVAL, "EINVAL" },
		{ ENFILE, "ENFILE" }, { EMFILE, "EMFILE" }, { ENOTTY, "ENOTTY" },
		{ EFBIG, "EFBIG" }, { ENOSPC, "ENOSPC" }, { ERANGE, "ERANGE" },
		{ ENOMSG, "ENOMSG" }, { EIDRM, "EIDRM" }, { ENOSYS, "ENOSYS" },
		{ EOVERFLOW, "EOVERFLOW" }, { ETIMEDOUT, "ETIMEDOUT" },
		{ ENOTSUP, "EOPNOTSUPP" }, { ESPIPE, "ESPIPE" },
	};
	long tot[NERRNO] = { 0 };

	printf("calls: %ld in %.1fs (%.0f/s), seed %llu, %d procs x %d threads\n",
	       atomic_load(&sh->calls), secs, atomic_load(&sh->calls) / (secs > 0 ? secs : 1),
	       opt_seed, opt_procs, opt_threads);
	printf("%-10s %9s %9s  errors\n", "call", "count", "ok");
	for (int c = 0; c < C_NCALLS; c++) {
		char line[1024];
		int len = 0;

		for (size_t k = 0; k < sizeof(en) / sizeof(en[0]); k++) {
			long v = atomic_load(&sh->err[c][en[k].e]);

			if (v)
				len += snprintf(line + len, sizeof(line) - len, " %s=%ld", en[k].n, v);
		}
		for (int e = 0; e < NERRNO; e++) {
			bool named = false;

			tot[e] += atomic_load(&sh->err[c][e]);
			for (size_t k = 0; k < sizeof(en) / sizeof(en[0]); k++)
				named |= en[k].e == e;
			if (!named && atomic_load(&sh->err[c][e]))
				len += snprintf(line + len, sizeof(line) - len, " errno%d=%ld", e,
						atomic_load(&sh->err[c][e]));
		}
		line[len] = '\0';
		printf("%-10s %9ld %9ld %s\n", call_name[c], atomic_load(&sh->count[c]),
		       atomic_load(&sh->ok[c]), line);
	}
	printf("errno histogram:");
	for (int e = 0; e < NERRNO; e++)
		if (tot[e])
			printf(" %s=%ld", e ? strerrorname_np(e) ?: "?" : "other", tot[e]);
	printf("\nattached areas touched: %ld (faults caught: %ld); children SIGKILLed: %ld; "
	       "workers SIGKILLed: %ld\n", atomic_load(&sh->touched),
	       atomic_load(&sh->touch_faults), atomic_load(&sh->children_killed),
	       atomic_load(&sh->workers_killed));
}

/*
 * --hold MODE READY_FILE: make the module busy in one way, create
 * READY_FILE, then wait to be killed.  For the unload checks (rmmod must be
 * refused while any of these lives):
 *   fd      an open descriptor of the device
 *   attach  a segment attached (shmat), the descriptor closed
 *   mmap    a segment mapped through a raw mmap of the device, closed
 *   undo    a SEM_UNDO list (semop done), the descriptor closed
 *   semop   blocked in semop (no timeout)
 *   msgrcv  blocked in msgrcv
 *   objfd   an object descriptor (SYSVIPC_IOC_OBJFD) of a removed queue,
 *           the device's descriptor closed
 *   msgstatus  the queues' status region mapped (SYSVIPC_IOC_MSGSTATUS),
 *           the descriptor closed
 *   kept    a segment attached and detached again, not removed, the
 *           descriptor open: the module keeps the attach file for the next
 *           attach, which must not outlive the device's last descriptor
 * The objects are IPC_PRIVATE and already removed (IPC_RMID) where the mode
 * allows it, so nothing is left once the holder dies (kept: the caller
 * removes its segment after checking the module's reference count).
 *
 * Two more modes for the checkpoint/restore checks (selftests/cr.sh), which
 * leave the module unpinned but keep this pid alive, so that the pids the
 * objects record name a live process through a reload:
 *   cr        objects of every type with state in all their fields
 *             (contents, values, messages, a changed owner, ids with
 *             several indexes and sequence numbers), all left in place
 *   undo-src  a set of 2 at 10, 10 after semop -3, +2 with SEM_UNDO: the
 *             undo list {+3, -2}; the set's id goes into READY_FILE
 */
static int hold_cr(void)
{
	struct sysvipc_get g = { .flags = IPC_CREAT | IPC_EXCL | 0640 };
	unsigned short vals[5] = { 0, 1, 32767, 42, 7 };
	struct sembuf sb[2] = { { 1, 2, 0 }, { 3, -1, 0 } };
	struct sysvipc_semop so = { .nsops = 2, .sops = (uint64_t)(uintptr_t)sb };
	struct sysvipc_objfd o = { .type = SYSVIPC_OBJ_SHM, .flags = O_RDWR };
	struct { long mtype; char text[300]; } m;
	struct sysvipc_msgsnd ms = { .msgp = (uint64_t)(uintptr_t)&m };
	struct shmid_ds sds;
	struct msqid_ds mds;
	char *buf;
	long id;
	int fd;

	/* a few removed first: later ids have other indexes and sequences */
	for (int i = 0; i < 70; i++) {
		g.key = IPC_PRIVATE;
		g.size = 0;
		id = ioctl(devfd, SYSVIPC_IOC_MSGGET, &g);
		if (id < 0 || (i % 3 && ctl(SYSVIPC_IOC_MSGCTL, (int)id, IPC_RMID, NULL)))
			return 1;
	}
	for (int i = 0; i < 3; i++) {
		g.key = 0x5ec0de00 + i;
		g.size = (i + 1) * page + 123 * i;
		id = ioctl(devfd, SYSVIPC_IOC_SHMGET, &g);
		if (id < 0)
			return 1;
		buf = malloc(g.size);
		if (!buf)
			return 1;
		for (size_t k = 0; k < g.size; k++)
			buf[k] = (char)(k * 7 + i);
		o.id = (int)id;
		fd = ioctl(devfd, SYSVIPC_IOC_OBJFD, &o);
		if (fd < 0 || pwrite(fd, buf, g.size, 0) != (ssize_t)g.size)
			return 1;
		close(fd);
		free(buf);
		if (i == 1) {
			struct sysvipc_shmat sa = { .id = (int)id };
			struct sysvipc_shmdt sd = { 0 };

			/* atime, dtime, lpid */
			if (ioctl(devfd, SYSVIPC_IOC_SHMAT, &sa))
				return 1;
			sd.addr = sa.addr;
			if (ioctl(devfd, SYSVIPC_IOC_SHMDT, &sd))
				return 1;
			if (ctl(SYSVIPC_IOC_SHMCTL, (int)id, IPC_STAT, &sds))
				return 1;
			sds.shm_perm.uid = 1000;
			sds.shm_perm.mode = 0604;
			if (ctl(SYSVIPC_IOC_SHMCTL, (int)id, IPC_SET, &sds))
				return 1;
		}
	}
	for (int i = 0; i < 2; i++) {
		struct sysvipc_ctl c = { .cmd = SETALL, .arg = (uint64_t)(uintptr_t)vals };

		g.key = i ? IPC_PRIVATE : 0x5ec0de10;
		g.size = 5 - i;
		id = ioctl(devfd, SYSVIPC_IOC_SEMGET, &g);
		if (id < 0)
			return 1;
		c.id = (int)id;
		if (ioctl(devfd, SYSVIPC_IOC_SEMCTL, &c))
			return 1;
		so.id = (int)id;
		if (i == 0 && ioctl(devfd, SYSVIPC_IOC_SEMOP, &so))
			return 1;
	}
	g.key = 0x5ec0de20;
	g.size = 0;
	id = ioctl(devfd, SYSVIPC_IOC_MSGGET, &g);
	if (id < 0)
		return 1;
	ms.id = (int)id;
	for (int i = 0; i < 6; i++) {
		m.mtype = i % 3 + 1;
		ms.msgsz = i * 50;
		memset(m.text, 'a' + i, sizeof(m.text));
		if (ioctl(devfd, SYSVIPC_IOC_MSGSND, &ms))
			return 1;
	}
	/* one received: rtime, lrpid */
	{
		struct sysvipc_msgrcv mr = { .id = (int)id, .msgp = (uint64_t)(uintptr_t)&m,
					     .msgsz = sizeof(m.text), .msgtyp = 2 };

		if (ioctl(devfd, SYSVIPC_IOC_MSGRCV, &mr) < 0)
			return 1;
	}
	if (ctl(SYSVIPC_IOC_MSGCTL, (int)id, IPC_STAT, &mds))
		return 1;
	mds.msg_qbytes = 4000;
	mds.msg_perm.gid = 100;
	if (ctl(SYSVIPC_IOC_MSGCTL, (int)id, IPC_SET, &mds))
		return 1;
	return 0;
}

static int hold_undo_src(const char *ready)
{
	struct sysvipc_get g = { .key = IPC_PRIVATE, .flags = IPC_CREAT | 0600, .size = 2 };
	unsigned short vals[2] = { 10, 10 };
	struct sysvipc_ctl c = { .cmd = SETALL, .arg = (uint64_t)(uintptr_t)vals };
	struct sembuf sb[2] = { { 0, -3, SEM_UNDO }, { 1, 2, SEM_UNDO } };
	struct sysvipc_semop so = { .nsops = 2, .sops = (uint64_t)(uintptr_t)sb };
	long id = ioctl(devfd, SYSVIPC_IOC_SEMGET, &g);
	FILE *f;

	if (id < 0)
		return 1;
	c.id = so.id = (int)id;
	if (ioctl(devfd, SYSVIPC_IOC_SEMCTL, &c) || ioctl(devfd, SYSVIPC_IOC_SEMOP, &so))
		return 1;
	f = fopen(ready, "w");
	if (!f)
		return 1;
	fprintf(f, "%ld\n", id);
	return fclose(f) ? 1 : 0;
}
static int hold(const char *mode, const char *ready)
{
	struct sysvipc_get g = { .key = IPC_PRIVATE, .flags = IPC_CREAT | 0600 };
	struct sembuf sb = { 0, 1, SEM_UNDO };
	struct sysvipc_semop so = { .nsops = 1, .sops = (uint64_t)(uintptr_t)&sb };
	char msg[64];
	struct sysvipc_msgrcv mr = { .msgp = (uint64_t)(uintptr_t)msg, .msgsz = 16 };
	struct sysvipc_shmat sa = { 0 };
	bool close_fd = true;
	long id;
	int fd;

	if (!strcmp(mode, "fd")) {
		close_fd = false;
	} else if (!strcmp(mode, "kept")) {
		struct sysvipc_shmdt sd = { 0 };

		close_fd = false;
		g.size = 2 * page;
		id = ioctl(devfd, SYSVIPC_IOC_SHMGET, &g);
		sa.id = (int)id;
		if (id < 0 || ioctl(devfd, SYSVIPC_IOC_SHMAT, &sa))
			return 1;
		sd.addr = sa.addr;
		if (ioctl(devfd, SYSVIPC_IOC_SHMDT, &sd))
			return 1;
	} else if (!strcmp(mode, "cr")) {
		if (hold_cr())
			return 1;
	} else if (!strcmp(mode, "undo-src")) {
		/* READY_FILE is written with the id, before the close */
		if (hold_undo_src(ready))
			return 1;
		close(devfd);
		for (;;)
			pause();
	} else if (!strcmp(mode, "attach") || !strcmp(mode, "mmap")) {
		g.size = 2 * page;
		id = ioctl(devfd, SYSVIPC_IOC_SHMGET, &g);
		if (id < 0)
			return 1;
		if (mode[0] == 'a') {
			sa.id = (int)id;
			if (ioctl(devfd, SYSVIPC_IOC_SHMAT, &sa))
				return 1;
			*(volatile char *)(uintptr_t)sa.addr = 1;
		} else {
			char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED,
				       devfd, (off_t)id * page);

			if (p == MAP_FAILED)
				return 1;
			p[0] = 1;
		}
		ctl(SYSVIPC_IOC_SHMCTL, (int)id, IPC_RMID, NULL);
	} else if (!strcmp(mode, "undo") || !strcmp(mode, "semop")) {
		g.size = 1;
		id = ioctl(devfd, SYSVIPC_IOC_SEMGET, &g);
		if (id < 0)
			return 1;
		so.id = (int)id;
		if (mode[0] == 's') {
			sb.sem_op = -1;	/* blocks: the value is 0 */
			sb.sem_flg = 0;
			close_fd = false;
		} else {
			if (ioctl(devfd, SYSVIPC_IOC_SEMOP, &so))
				return 1;
			ctl(SYSVIPC_IOC_SEMCTL, (int)id, IPC_RMID, NULL);
		}
	} else if (!strcmp(mode, "objfd")) {
		struct sysvipc_objfd o = { .type = SYSVIPC_OBJ_MSG, .flags = O_RDWR | O_CLOEXEC };

		id = ioctl(devfd, SYSVIPC_IOC_MSGGET, &g);
		if (id < 0)
			return 1;
		o.id = (int)id;
		if (ioctl(devfd, SYSVIPC_IOC_OBJFD, &o) < 0)
			return 1;
		ctl(SYSVIPC_IOC_MSGCTL, (int)id, IPC_RMID, NULL);
	} else if (!strcmp(mode, "msgstatus")) {
		struct sysvipc_msgstatus ms = { 0 };

		if (ioctl(devfd, SYSVIPC_IOC_MSGSTATUS, &ms))
			return 1;
	} else if (!strcmp(mode, "msgrcv")) {
		id = ioctl(devfd, SYSVIPC_IOC_MSGGET, &g);
		if (id < 0)
			return 1;
		mr.id = (int)id;
		close_fd = false;
	} else {
		fprintf(stderr, "sysvipc-fuzz: unknown --hold mode %s\n", mode);
		return 2;
	}
	if (close_fd)
		close(devfd);
	fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0)
		close(fd);
	if (!strcmp(mode, "semop"))
		ioctl(devfd, SYSVIPC_IOC_SEMOP, &so);
	else if (!strcmp(mode, "msgrcv"))
		ioctl(devfd, SYSVIPC_IOC_MSGRCV, &mr);
	for (;;)
		pause();
}

static void usage(void)
{
	fprintf(stderr, "usage: sysvipc-fuzz [--seed N] [--calls N] [--threads N] [--procs N]\n"
		"                    [--dev PATH] [--no-kill] [--no-cleanup] [--cleanup-only] [--quiet]\n"
		"                    [--failslab]\n"
		"       sysvipc-fuzz --hold fd|kept|attach|mmap|undo|semop|msgrcv|objfd|cr|undo-src|msgstatus READY_FILE\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "calls", required_argument, NULL, 'c' },
		{ "threads", required_argument, NULL, 't' },
		{ "procs", required_argument, NULL, 'p' },
		{ "dev", required_argument, NULL, 'd' },
		{ "no-kill", no_argument, NULL, 'K' },
		{ "no-cleanup", no_argument, NULL, 'C' },
		{ "cleanup-only", no_argument, NULL, 'O' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "hold", required_argument, NULL, 'H' },
		{ "failslab", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	struct timespec t0, t1;
	pid_t *pids;
	int *gens;
	int o, bad = 0;
	long removed, leaked, undo, last_calls = -1;
	struct rng pr;
	int idle = 0;
	const char *hold_mode = NULL;

	while ((o = getopt_long(argc, argv, "s:c:t:p:d:KCOq", lo, NULL)) != -1) {
		switch (o) {
		case 's': opt_seed = strtoull(optarg, NULL, 0); break;
		case 'c': opt_calls = strtol(optarg, NULL, 0); break;
		case 't': opt_threads = atoi(optarg); break;
		case 'p': opt_procs = atoi(optarg); break;
		case 'd': opt_dev = optarg; break;
		case 'K': opt_kill = false; break;
		case 'C': opt_cleanup = false; break;
		case 'O': opt_cleanup_only = true; break;
		case 'q': opt_quiet = true; break;
		case 'H': hold_mode = optarg; break;
		case 'F': opt_failslab = true; break;
		default: usage();
		}
	}
	if (opt_threads < 1 || opt_threads > 64 || opt_procs < 1 || opt_procs > 64)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	devfd = open(opt_dev, O_RDWR | O_CLOEXEC);
	if (devfd < 0) {
		perror(opt_dev);
		return 2;
	}
	if (hold_mode) {
		if (optind >= argc)
			usage();
		return hold(hold_mode, argv[optind]);
	}
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ro_page = mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	edge = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* the volatile page sits between two PROT_NONE guards: its hole is one page */
	volatile_page = mmap(NULL, 3 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (volatile_page != MAP_FAILED)
		volatile_page = mmap(volatile_page + page, page, PROT_READ | PROT_WRITE,
				     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	remap_arena = mmap(NULL, ARENA_PAGES * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED || ro_page == MAP_FAILED || edge == MAP_FAILED ||
	    volatile_page == MAP_FAILED || remap_arena == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	mprotect(edge + page, page, PROT_NONE);
	for (int f = 0; f < 3; f++)
		for (int i = 0; i < POOL; i++)
			atomic_store(&sh->ids[f][i], -1);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!opt_cleanup_only) {
		atomic_store(&sh->budget, opt_calls);
		pids = calloc(opt_procs, sizeof(*pids));
		gens = calloc(opt_procs, sizeof(*gens));
		pr.s = opt_seed ^ 0xa5a5a5a5ULL;
		for (int i = 0; i < opt_procs; i++) {
			pids[i] = fork();
			if (pids[i] == 0)
				worker(i, 0);
		}
		/* orphaned grandchildren come back to us, to be reaped below */
		prctl(PR_SET_CHILD_SUBREAPER, 1);
		for (;;) {
			int st, live = 0;

			for (int i = 0; i < opt_procs; i++) {
				if (pids[i] <= 0)
					continue;
				if (waitpid(pids[i], &st, WNOHANG) == pids[i]) {
					if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL) {
						fprintf(stderr, "sysvipc-fuzz: worker %d died of signal %d (%s)\n",
							i, WTERMSIG(st), strsignal(WTERMSIG(st)));
						bad++;
					} else if (WIFEXITED(st) && WEXITSTATUS(st)) {
						fprintf(stderr, "sysvipc-fuzz: worker %d exited %d\n",
							i, WEXITSTATUS(st));
						bad++;
					}
					pids[i] = 0;
					/* a killed worker is replaced while calls are left */
					if (WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL &&
					    atomic_load(&sh->budget) > 0) {
						gens[i]++;
						pids[i] = fork();
						if (pids[i] == 0)
							worker(i, gens[i]);
					}
				}
				if (pids[i] > 0)
					live++;
			}
			if (!live) {
				/* reap what the workers left (killed by PDEATHSIG) */
				while (waitpid(-1, &st, 0) > 0 || errno == EINTR)
					;
				break;
			}
			usleep(20000);
			/* watchdog: no call in 60 s is a hang; show where, then stop */
			if (atomic_load(&sh->calls) != last_calls) {
				last_calls = atomic_load(&sh->calls);
				idle = 0;
			} else if (++idle == 3000) {
				fprintf(stderr, "sysvipc-fuzz: no progress for 60 s at %ld calls\n",
					last_calls);
				if (system("for t in /proc/[0-9]*/task/*; do "
					   "[ \"$(cat $t/comm 2>/dev/null)\" = sysvipc-fuzz ] || continue; "
					   "echo \"== $t $(grep State $t/status) wchan=$(cat $t/wchan)\"; "
					   "cat $t/stack 2>/dev/null | head -12; done >&2"))
					fprintf(stderr, "sysvipc-fuzz: could not list the tasks\n");
				bad++;
				atomic_store(&sh->budget, 0);
				for (int i = 0; i < opt_procs; i++)
					if (pids[i] > 0)
						kill(pids[i], SIGKILL);
			}
			/* SIGKILL a whole worker now and then (about every 2 s) */
			if (opt_kill && atomic_load(&sh->budget) > 0 && one_in(&pr, 100)) {
				int i = (int)rnd(&pr, opt_procs);

				if (pids[i] > 0 && kill(pids[i], SIGKILL) == 0)
					atomic_fetch_add(&sh->workers_killed, 1);
			}
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!opt_cleanup_only && !opt_quiet)
		print_figures((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (!opt_cleanup && !opt_cleanup_only) {
		printf("worker failures: %d\n", bad);
		return bad ? 1 : 0;
	}
	removed = cleanup_all();
	leaked = in_use(true);
	undo = read_undo_lists();
	printf("cleanup: removed %ld objects; objects leaked = %ld; undo_lists = %ld\n",
	       removed, leaked, undo);
	printf("worker failures: %d\n", bad);
	if (leaked != 0 || undo > 0)
		bad++;
	return bad ? 1 : 0;
}
