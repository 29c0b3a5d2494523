/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The user-space fast path of semop (ABI 1.3, SYSVIPC_IOC_SEMMAP).
 *
 * A set the process operates on is mapped on first use: one page of value
 * words (uapi/linux/sysvipc.h) that may be changed with compare-and-swap
 * while a word's SYSVIPC_SEM_SLOW bit is clear, i.e. while nothing sleeps
 * on the set.  A single operation without SEM_UNDO and without a timeout
 * then completes without a system call: a decrement that can proceed, an
 * increment, or a wait for zero (when the caller may read the set).  One
 * that would block watches its word for a bounded number of pause
 * iterations (at most SYSVIPC_SPIN, 0 = never; never on one CPU; fewer
 * while spinning keeps failing) before it goes to the module to sleep; a
 * word with SLOW set goes to the module at once, since a sleeper may need
 * waking.  With IPC_NOWAIT it fails with EAGAIN at once, as
 * the module would: the id, the semaphore number and the permission were
 * checked by the module when the set was mapped, and IPC_SET or IPC_RMID
 * mark the page dead, which sends every caller back to the module.
 *
 * Mappings: a table of id -> page, looked up without locks; slots are
 * claimed with a compare-and-swap and never freed, so a mapping is never
 * unmapped while another thread may use it (a full table, or a set that
 * cannot be mapped, just means "use the ioctl").  A page marked MOVED is
 * replaced by a fresh mapping after the next successful call; the old one
 * stays mapped.  fork() children do not inherit the mappings
 * (VM_DONTCOPY): a pthread_atfork handler empties the table in the child.
 *
 * Differences from the module's path, documented in README.md: sempid
 * stored by the fast path is the pid the process itself sees; a bad sops
 * pointer faults in the caller instead of failing with EFAULT once the set
 * is mapped; credentials changed after mapping are not rechecked until
 * IPC_SET or IPC_RMID.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include "lib.h"

#define SEMFAST_SLOTS	128	/* a power of two */
#define SEMFAST_CAS	16	/* compare-and-swap failures before the ioctl */
#define SEMFAST_VMX	32767	/* SEMVMX */

struct semfast_ent {
	int key;		/* id + 1, or 0: free; set once */
	int ready;		/* hdr and the rest are valid */
	unsigned int nsems;
	unsigned int flags;	/* SYSVIPC_SEMMAP_* */
	struct sysvipc_sem_page_hdr *hdr;	/* NULL: no fast path */
};

static struct semfast_ent semfast_tab[SEMFAST_SLOTS];
/* -1 until decided; 0 when the module has no fast path. */
static int semfast_on = -1;
static pid_t semfast_pid;
static int semfast_atfork;

static void semfast_child(void)
{
	unsigned int i;

	/* Single-threaded here: the mappings did not come along. */
	for (i = 0; i < SEMFAST_SLOTS; i++) {
		semfast_tab[i].key = 0;
		semfast_tab[i].ready = 0;
		semfast_tab[i].hdr = NULL;
	}
	semfast_pid = getpid();
}

static unsigned int semfast_hash(int id)
{
	uint32_t h = (uint32_t)id * 0x9e3779b1u;

	return h >> 25;		/* 7 bits: SEMFAST_SLOTS */
}

/* The ready entry of @id, or NULL. */
static struct semfast_ent *semfast_find(int id, bool *absent)
{
	unsigned int i, h = semfast_hash(id);
	struct semfast_ent *e;
	int key;

	*absent = false;
	for (i = 0; i < SEMFAST_SLOTS; i++) {
		e = &semfast_tab[(h + i) & (SEMFAST_SLOTS - 1)];
		key = __atomic_load_n(&e->key, __ATOMIC_ACQUIRE);
		if (!key) {
			*absent = true;
			return NULL;
		}
		if (key == id + 1)
			return __atomic_load_n(&e->ready, __ATOMIC_ACQUIRE) ?
			       e : NULL;
	}
	return NULL;
}

/* Map @id; NULL when the set gets no page (and errno says why). */
static struct sysvipc_sem_page_hdr *semfast_map(int fd, int id,
						unsigned int *nsems,
						unsigned int *flags)
{
	struct sysvipc_semmap m = { .id = id };
	int saved = errno;

	if (sysvipc_call(fd, SYSVIPC_IOC_SEMMAP, &m, 1)) {
		if (errno == ENOSYS || errno == EOPNOTSUPP)
			__atomic_store_n(&semfast_on, 0, __ATOMIC_RELAXED);
		errno = saved;
		return NULL;
	}
	errno = saved;
	*nsems = m.nsems;
	*flags = m.out_flags;
	return (struct sysvipc_sem_page_hdr *)(uintptr_t)m.addr;
}

static void semfast_add(int fd, int id)
{
	struct sysvipc_sem_page_hdr *hdr;
	unsigned int i, h, nsems = 0, flags = 0;
	struct semfast_ent *e;
	int key;

	if (!sysvipc_maps_on()) {
		__atomic_store_n(&semfast_on, 0, __ATOMIC_RELAXED);
		return;
	}
	if (!__atomic_exchange_n(&semfast_atfork, 1, __ATOMIC_ACQ_REL)) {
		semfast_pid = getpid();
		if (pthread_atfork(NULL, NULL, semfast_child)) {
			/* Children would see stale mappings: stay slow. */
			__atomic_store_n(&semfast_on, 0, __ATOMIC_RELAXED);
			return;
		}
	}
	hdr = semfast_map(fd, id, &nsems, &flags);
	h = semfast_hash(id);
	for (i = 0; i < SEMFAST_SLOTS; i++) {
		e = &semfast_tab[(h + i) & (SEMFAST_SLOTS - 1)];
		key = 0;
		if (__atomic_compare_exchange_n(&e->key, &key, id + 1, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			e->nsems = nsems;
			e->flags = flags;
			__atomic_store_n(&e->hdr, hdr, __ATOMIC_RELAXED);
			__atomic_store_n(&e->ready, 1, __ATOMIC_RELEASE);
			return;
		}
		if (key == id + 1)
			break;	/* another thread got there first */
	}
	/* Not published, so nobody else can be using it. */
	if (hdr)
		munmap(hdr, (size_t)sysconf(_SC_PAGESIZE));
}

/* A dead page (IPC_SET): map the set again after a successful call. */
static void semfast_renew(int fd, int id, struct semfast_ent *e,
			  struct sysvipc_sem_page_hdr *old)
{
	struct sysvipc_sem_page_hdr *hdr;
	unsigned int nsems, flags;

	hdr = semfast_map(fd, id, &nsems, &flags);
	/* Only the winner publishes; the loser's page is still private. */
	if (!__atomic_compare_exchange_n(&e->hdr, &old, hdr, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		if (hdr)
			munmap(hdr, (size_t)sysconf(_SC_PAGESIZE));
		return;
	}
	/* nsems is fixed; flags may differ after IPC_SET (racy but safe). */
	if (hdr)
		__atomic_store_n(&e->flags, flags, __ATOMIC_RELAXED);
}

/*
 * After the ioctl did a single operation on @id: map the set for next
 * time, or replace a dead page.  @sops was read by the module, so it is
 * readable here.
 */
void sysvipc_semfast_learn(int fd, int id, const struct sembuf *sops,
			   size_t nsops, const struct timespec *timeout)
{
	struct sysvipc_sem_page_hdr *hdr;
	struct semfast_ent *e;
	bool absent;

	if (nsops != 1 || timeout || (sops->sem_flg & SEM_UNDO) || id < 0 ||
	    !__atomic_load_n(&semfast_on, __ATOMIC_RELAXED))
		return;
	e = semfast_find(id, &absent);
	if (!e) {
		if (absent)
			semfast_add(fd, id);
		return;
	}
	hdr = __atomic_load_n(&e->hdr, __ATOMIC_ACQUIRE);
	if (hdr && (__atomic_load_n(&hdr->flags, __ATOMIC_RELAXED) &
		    SYSVIPC_SEM_PAGE_MOVED))
		semfast_renew(fd, id, e, hdr);
}

static void semfast_stamp(struct sysvipc_sem_page_hdr *hdr,
			  struct sysvipc_sem_word *w)
{
	struct timespec ts;

	__atomic_store_n(&w->pid, (__u32)semfast_pid, __ATOMIC_RELAXED);
	if (clock_gettime(CLOCK_REALTIME_COARSE, &ts))
		return;
	if (__atomic_load_n(&hdr->otime, __ATOMIC_RELAXED) != ts.tv_sec)
		__atomic_store_n(&hdr->otime, ts.tv_sec, __ATOMIC_RELAXED);
}

/*
 * Try one operation in user space: 0 when done, -1 with errno EAGAIN
 * (IPC_NOWAIT), or 1 when the module must do it.
 */
int sysvipc_semfast_op(int id, const struct sembuf *sops, size_t nsops,
		       const struct timespec *timeout)
{
	struct sysvipc_sem_page_hdr *hdr;
	struct sysvipc_sem_word *w;
	struct semfast_ent *e;
	unsigned int v, val;
	unsigned int budget, spun = 0;
	int fails = 0, op;
	bool absent;

	if (nsops != 1 || timeout || id < 0 ||
	    !__atomic_load_n(&semfast_on, __ATOMIC_RELAXED))
		return 1;
	e = semfast_find(id, &absent);
	if (!e)
		return 1;
	hdr = __atomic_load_n(&e->hdr, __ATOMIC_ACQUIRE);
	if (!hdr)
		return 1;
	/* Past this point the set is mapped: sops is read directly. */
	if ((sops->sem_flg & SEM_UNDO) || sops->sem_num >= e->nsems)
		return 1;
	op = sops->sem_op;
	if (!op && !(__atomic_load_n(&e->flags, __ATOMIC_RELAXED) &
		     SYSVIPC_SEMMAP_READ))
		return 1;
	budget = sysvipc_spin_budget();
	w = (struct sysvipc_sem_word *)(hdr + 1) + sops->sem_num;
	for (;;) {
		v = __atomic_load_n(&w->val, __ATOMIC_ACQUIRE);
		/*
		 * Someone sleeps on the set, or the page is dead: only the
		 * module may go on (a sleeper may need waking).
		 */
		if (v & SYSVIPC_SEM_SLOW)
			return 1;
		val = v & SYSVIPC_SEM_VALUE;
		/* ERANGE, or a value only a scribbler could have stored. */
		if (val > SEMFAST_VMX || (op > 0 && val + op > SEMFAST_VMX))
			return 1;
		if (!op && !val) {
			semfast_stamp(hdr, w);
			return 0;
		}
		if (op > 0 || (op < 0 && val >= (unsigned int)-op)) {
			if (__atomic_compare_exchange_n(&w->val, &v, val + op,
							false, __ATOMIC_SEQ_CST,
							__ATOMIC_RELAXED)) {
				semfast_stamp(hdr, w);
				if (spun)
					sysvipc_spin_done(budget, 1);
				return 0;
			}
			if (++fails >= SEMFAST_CAS)
				return 1;
			continue;
		}
		/* It would block. */
		if (sops->sem_flg & IPC_NOWAIT) {
			errno = EAGAIN;
			return -1;
		}
		if (spun++ >= budget) {
			if (budget)
				sysvipc_spin_done(budget, 0);
			return 1;
		}
		sysvipc_cpu_relax();
	}
}
