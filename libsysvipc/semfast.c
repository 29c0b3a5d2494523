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
 * The pages are kept in a table of id -> page (maptab.c).
 *
 * Differences from the module's path, documented in README.md: sempid
 * stored by the fast path is the pid the process itself sees; a bad sops
 * pointer faults in the caller instead of failing with EFAULT once the set
 * is mapped; credentials changed after mapping are not rechecked until
 * IPC_SET or IPC_RMID.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/sem.h>
#include "lib.h"

#define SEMFAST_CAS	16	/* compare-and-swap failures before the ioctl */
#define SEMFAST_VMX	32767	/* SEMVMX */

/* Map @id: aux[0] the set's size, aux[1] its SYSVIPC_SEMMAP_* flags. */
static void *semfast_map(struct sysvipc_maptab *t, int fd, int id,
			 unsigned int aux[2])
{
	struct sysvipc_semmap m = { .id = id };

	if (sysvipc_map_call(t, fd, SYSVIPC_IOC_SEMMAP, &m))
		return NULL;
	aux[0] = m.nsems;
	aux[1] = m.out_flags;
	return (void *)(uintptr_t)m.addr;
}

static bool semfast_moved(const void *page)
{
	const struct sysvipc_sem_page_hdr *hdr = page;

	return __atomic_load_n(&hdr->flags, __ATOMIC_RELAXED) &
	       SYSVIPC_SEM_PAGE_MOVED;
}

static struct sysvipc_maptab semfast_tab = {
	.map = semfast_map,
	.moved = semfast_moved,
	.on = -1,
};

/*
 * After the ioctl did a single operation on @id: map the set for next
 * time, or replace a dead page.  @sops was read by the module, so it is
 * readable here.
 */
void sysvipc_semfast_learn(int fd, int id, const struct sembuf *sops,
			   size_t nsops, const struct timespec *timeout)
{
	if (nsops != 1 || timeout || (sops->sem_flg & SEM_UNDO) || id < 0 ||
	    !__atomic_load_n(&semfast_tab.on, __ATOMIC_RELAXED))
		return;
	sysvipc_map_learn(&semfast_tab, fd, id);
}

static void semfast_stamp(struct sysvipc_sem_page_hdr *hdr,
			  struct sysvipc_sem_word *w)
{
	struct timespec ts;

	__atomic_store_n(&w->pid, (__u32)sysvipc_map_pid(), __ATOMIC_RELAXED);
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
	struct sysvipc_mapent *e;
	unsigned int v, val;
	unsigned int budget, spun = 0;
	int fails = 0, op;
	bool absent;

	if (nsops != 1 || timeout || id < 0 ||
	    !__atomic_load_n(&semfast_tab.on, __ATOMIC_RELAXED))
		return 1;
	e = sysvipc_map_find(&semfast_tab, id, &absent);
	if (!e)
		return 1;
	hdr = __atomic_load_n(&e->addr, __ATOMIC_ACQUIRE);
	if (!hdr)
		return 1;
	/* Past this point the set is mapped: sops is read directly. */
	if ((sops->sem_flg & SEM_UNDO) || sops->sem_num >= e->aux[0])
		return 1;
	op = sops->sem_op;
	if (!op && !(__atomic_load_n(&e->aux[1], __ATOMIC_RELAXED) &
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
