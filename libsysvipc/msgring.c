/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Receiving without a system call (ABI 1.5, SYSVIPC_IOC_MSGRING).
 *
 * A queue the process received from through the module is mapped for next
 * time: its receive ring, one page in which the module leaves the oldest
 * messages while nobody waits on the queue (the protocol is in
 * uapi/linux/sysvipc.h).  A msgrcv that selects the oldest message (msgtyp
 * 0, or a type test the oldest passes; no MSG_COPY, no E2BIG) takes it
 * with one compare-and-swap on head.  An empty ring sends the call to the
 * module, after a bounded spin (spin.c) unless IPC_NOWAIT: the module's
 * list may hold messages the ring does not.  The pages are kept in a
 * table of id -> page (maptab.c).
 *
 * Differences from the module's path, documented in README.md: msg_lrpid
 * after a receive from the ring is the pid the receiver itself sees; a bad
 * msgp faults in the caller instead of failing with EFAULT once the queue
 * is mapped (the message is gone either way, as with the kernel);
 * credentials changed after mapping are not rechecked until IPC_SET or
 * IPC_RMID.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include "lib.h"

#define RING_CAS	16	/* compare-and-swap failures before the ioctl */

static void *msgring_map(struct sysvipc_maptab *t, int fd, int id,
			 unsigned int aux[2])
{
	struct sysvipc_msgring m = { .id = id };
	struct sysvipc_msgring_page *pg;
	int saved = errno;

	(void)aux;
	if (sysvipc_call(fd, SYSVIPC_IOC_MSGRING, &m, 1)) {
		if (errno == ENOSYS || errno == EOPNOTSUPP)
			__atomic_store_n(&t->on, 0, __ATOMIC_RELAXED);
		errno = saved;
		return NULL;
	}
	errno = saved;
	pg = (struct sysvipc_msgring_page *)(uintptr_t)m.addr;
	/* A layout this library does not know: never use it. */
	if (pg->magic != SYSVIPC_MSGRING_MAGIC ||
	    pg->version != SYSVIPC_MSGRING_VERSION ||
	    pg->slots != SYSVIPC_MSGRING_SLOTS ||
	    pg->slot_text != SYSVIPC_MSGRING_TEXT) {
		__atomic_store_n(&t->on, 0, __ATOMIC_RELAXED);
		munmap(pg, (size_t)sysconf(_SC_PAGESIZE));
		return NULL;
	}
	return pg;
}

static bool msgring_moved(const void *page)
{
	const struct sysvipc_msgring_page *pg = page;

	return __atomic_load_n(&pg->flags, __ATOMIC_RELAXED) &
	       SYSVIPC_MSGRING_MOVED;
}

static struct sysvipc_maptab msgring_tab = {
	.map = msgring_map,
	.moved = msgring_moved,
	.on = -1,
};

/* After the module received from @id: map its ring, or a fresh one. */
void sysvipc_msgring_learn(int fd, int id)
{
	if (id >= 0 && __atomic_load_n(&msgring_tab.on, __ATOMIC_RELAXED))
		sysvipc_map_learn(&msgring_tab, fd, id);
}

static void msgring_stamp(struct sysvipc_msgring_page *pg)
{
	struct timespec ts;

	if (__atomic_load_n(&pg->rpid, __ATOMIC_RELAXED) != sysvipc_map_pid())
		__atomic_store_n(&pg->rpid, sysvipc_map_pid(), __ATOMIC_RELAXED);
	if (clock_gettime(CLOCK_REALTIME_COARSE, &ts))
		return;
	if (__atomic_load_n(&pg->rtime, __ATOMIC_RELAXED) != ts.tv_sec)
		__atomic_store_n(&pg->rtime, ts.tv_sec, __ATOMIC_RELAXED);
}

/* Watch an empty ring until a message may be there; false: give up. */
static bool msgring_spin(struct sysvipc_msgring_page *pg, uint64_t h)
{
	unsigned int n, budget = sysvipc_spin_budget();

	for (n = budget; n; n--) {
		sysvipc_cpu_relax();
		if (__atomic_load_n(&pg->tail, __ATOMIC_RELAXED) != h ||
		    __atomic_load_n(&pg->list_qnum, __ATOMIC_RELAXED) ||
		    __atomic_load_n(&pg->flags, __ATOMIC_RELAXED))
			break;
	}
	if (budget)
		sysvipc_spin_done(budget, n != 0);
	return n != 0;
}

/* The flags a receive from the ring can honour. */
#define RING_FLAGS	(IPC_NOWAIT | MSG_NOERROR | MSG_EXCEPT)

/*
 * Try a msgrcv in user space: 0 when done (*@ret the byte count), 1 when
 * the module must do it, 2 when it must and the caller need not spin
 * first (this did, on the ring).
 */
int sysvipc_msgring_receive(int fd, int id, void *msgp, size_t msgsz,
			    long msgtyp, int msgflg, ssize_t *ret)
{
	struct sysvipc_msgring_slot *slot;
	struct sysvipc_msgring_page *pg;
	unsigned char text[SYSVIPC_MSGRING_TEXT];
	struct sysvipc_mapent *e;
	int fails = 0, spun = 0;
	uint64_t h, t;
	uint32_t size;
	bool absent;
	long type;

	(void)fd;
	if (id < 0 || msgtyp < 0 || (msgflg & ~RING_FLAGS) ||
	    (ssize_t)msgsz < 0 ||
	    !__atomic_load_n(&msgring_tab.on, __ATOMIC_RELAXED))
		return 1;
	e = sysvipc_map_find(&msgring_tab, id, &absent);
	if (!e)
		return 1;
	pg = __atomic_load_n(&e->addr, __ATOMIC_ACQUIRE);
	if (!pg)
		return 1;
	for (;;) {
		if (__atomic_load_n(&pg->flags, __ATOMIC_RELAXED))
			return 1;	/* retired */
		h = __atomic_load_n(&pg->head, __ATOMIC_ACQUIRE);
		/* Pairs with the module's release store of tail. */
		t = __atomic_load_n(&pg->tail, __ATOMIC_ACQUIRE);
		if (h == t) {
			if (msgflg & IPC_NOWAIT)
				return 1;
			if (spun++ || !msgring_spin(pg, h))
				return 2;
			continue;
		}
		if (t - h > SYSVIPC_MSGRING_SLOTS)
			return 1;	/* not what the module wrote */
		slot = &pg->slot[h % SYSVIPC_MSGRING_SLOTS];
		type = __atomic_load_n(&slot->mtype, __ATOMIC_RELAXED);
		size = __atomic_load_n(&slot->size, __ATOMIC_RELAXED);
		/* A torn read fails the compare-and-swap below anyway. */
		if (size > SYSVIPC_MSGRING_TEXT || type < 1)
			return 1;
		/* The oldest message is not the one asked for, or E2BIG. */
		if (msgtyp && (type == msgtyp) == !!(msgflg & MSG_EXCEPT))
			return 1;
		if (size > msgsz) {
			if (!(msgflg & MSG_NOERROR))
				return 1;
			size = (uint32_t)msgsz;
		}
		memcpy(text, slot->text, size);
		if (__atomic_compare_exchange_n(&pg->head, &h, h + 1, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_RELAXED))
			break;
		if (++fails >= RING_CAS)
			return 1;
	}
	msgring_stamp(pg);
	*(long *)msgp = type;
	memcpy((char *)msgp + sizeof(long), text, size);
	*ret = size;
	return 0;
}
