/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sending and receiving without a system call (ABI 1.5,
 * SYSVIPC_IOC_MSGRING and SYSVIPC_IOC_MSGLEASE).
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
 * Sending: a process that made SEND_LEARN sends through the module on a
 * queue maps it too, and then asks for the ring's send lease
 * (SYSVIPC_IOC_MSGLEASE); while it holds it, a msgsnd of a small message
 * that fits fills the next slot itself (the protocol is in the uapi).  The
 * module ends the lease at its next call on the queue; a process whose
 * lease ended, or who was refused one, asks again only after more sends
 * through the module, twice as many each time in a row (LEASE_WAIT).
 * Threads of a process take turns with a try-lock: a thread that finds it
 * taken sends through the module.
 *
 * Differences from the module's path, documented in README.md: msg_lrpid
 * and msg_lspid after a receive or send through the ring are the pids the
 * process itself sees; a bad msgp faults in the caller instead of failing
 * with EFAULT once the queue is mapped (a received message is gone either
 * way, as with the kernel); credentials changed after mapping are not
 * rechecked until IPC_SET or IPC_RMID; a lessee checks msgmax as it was
 * when the lease was granted.
 */
#include <errno.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include "lib.h"

#define RING_CAS	16	/* lost compare-and-swaps before the ioctl */
#define SEND_LEARN	8	/* sends through the module before mapping */
#define LEASE_WAIT	16	/* module sends before asking again */
#define LEASE_WAIT_MAX	8	/* ... doubled at most this many times */
#define RING_POS	SYSVIPC_MSGRING_POS

/*
 * A ring's entry (maptab.c): aux[0] the generation of the send lease this
 * process holds (0: none), aux[1] leases lost or refused in a row (both
 * reset when the page is mapped again), aux[2] the senders' try-lock,
 * aux[3] sends through the module still to make before asking again.
 */
#define LEASE	0
#define LOST	1
#define LOCK	2
#define WAIT	3

static void *msgring_map(struct sysvipc_maptab *t, int fd, int id,
			 unsigned int aux[2])
{
	struct sysvipc_msgring m = { .id = id };
	struct sysvipc_msgring_page *pg;

	(void)aux;
	if (sysvipc_map_call(t, fd, SYSVIPC_IOC_MSGRING, &m))
		return NULL;
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

/* @id's entry with a page (in *@pg), or NULL. */
static struct sysvipc_mapent *msgring_entry(int id,
					    struct sysvipc_msgring_page **pg)
{
	struct sysvipc_mapent *e;
	bool absent;

	if (id < 0 || !__atomic_load_n(&msgring_tab.on, __ATOMIC_RELAXED))
		return NULL;
	e = sysvipc_map_find(&msgring_tab, id, &absent);
	if (!e)
		return NULL;
	*pg = __atomic_load_n(&e->addr, __ATOMIC_ACQUIRE);
	return *pg ? e : NULL;
}

/* rpid and rtime, or spid and stime: only stored when they change. */
static void msgring_stamp(__s32 *pid, __s64 *time)
{
	struct timespec ts;

	if (__atomic_load_n(pid, __ATOMIC_RELAXED) != sysvipc_map_pid())
		__atomic_store_n(pid, sysvipc_map_pid(), __ATOMIC_RELAXED);
	if (clock_gettime(CLOCK_REALTIME_COARSE, &ts))
		return;
	if (__atomic_load_n(time, __ATOMIC_RELAXED) != ts.tv_sec)
		__atomic_store_n(time, ts.tv_sec, __ATOMIC_RELAXED);
}

/* What a receiver watches on a ring it found empty at head @h. */
struct ring_wait {
	const struct sysvipc_msgring_page *pg;
	uint64_t h;
};

/* A message may be there: in the ring, in the module's list, or dead. */
static bool ring_may_have_message(const void *arg)
{
	const struct ring_wait *w = arg;
	uint64_t t = __atomic_load_n(&w->pg->tail, __ATOMIC_RELAXED);

	return (t & RING_POS) != w->h ||
	       __atomic_load_n(&w->pg->list_qnum, __ATOMIC_RELAXED) ||
	       __atomic_load_n(&w->pg->flags, __ATOMIC_RELAXED);
}

/* The flags a receive from the ring can honour. */
#define RING_FLAGS	(IPC_NOWAIT | MSG_NOERROR | MSG_EXCEPT)

/*
 * Try a msgrcv in user space: 0 when done (*@ret the byte count), 1 when
 * the module must do it, 2 when it must and the caller need not spin
 * first (this did, on the ring).
 */
int sysvipc_msgring_receive(int id, void *msgp, size_t msgsz, long msgtyp,
			    int msgflg, ssize_t *ret)
{
	struct sysvipc_msgring_slot *slot;
	struct sysvipc_msgring_page *pg;
	unsigned char text[SYSVIPC_MSGRING_TEXT];
	struct sysvipc_mapent *e;
	int fails = 0, spun = 0;
	uint64_t h, t;
	uint32_t size;
	long type;

	if (msgtyp < 0 || (msgflg & ~RING_FLAGS) || (ssize_t)msgsz < 0)
		return 1;
	e = msgring_entry(id, &pg);
	if (!e)
		return 1;
	for (;;) {
		if (__atomic_load_n(&pg->flags, __ATOMIC_RELAXED))
			return 1;	/* retired */
		h = __atomic_load_n(&pg->head, __ATOMIC_ACQUIRE);
		/* Pairs with the module's (or lessee's) release of tail. */
		t = __atomic_load_n(&pg->tail, __ATOMIC_ACQUIRE) & RING_POS;
		if (h == t) {
			if (msgflg & IPC_NOWAIT)
				return 1;
			if (spun++ ||
			    !sysvipc_spin_until(ring_may_have_message,
						&(struct ring_wait){ pg, h }))
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
	msgring_stamp(&pg->rpid, &pg->rtime);
	*(long *)msgp = type;
	memcpy((char *)msgp + sizeof(long), text, size);
	*ret = size;
	return 0;
}

/* Ask again only after more sends through the module. */
static void lease_backoff(struct sysvipc_mapent *e)
{
	unsigned int lost = __atomic_load_n(&e->aux[LOST], __ATOMIC_RELAXED);

	if (lost < LEASE_WAIT_MAX)
		__atomic_store_n(&e->aux[LOST], ++lost, __ATOMIC_RELAXED);
	__atomic_store_n(&e->aux[WAIT], LEASE_WAIT << lost, __ATOMIC_RELAXED);
}

/* Sends through the module per queue, by hash: when to map a queue. */
static unsigned char sent_count[SYSVIPC_MAPTAB_SLOTS];

/* After the module completed a msgsnd on @id: map, or ask for the lease. */
void sysvipc_msgring_sent(int fd, int id)
{
	struct sysvipc_msglease a = { .id = id };
	struct sysvipc_msgring_page *pg;
	struct sysvipc_mapent *e;
	unsigned char *count;
	unsigned int wait;
	bool absent;

	if (id < 0 || !__atomic_load_n(&msgring_tab.on, __ATOMIC_RELAXED))
		return;
	e = sysvipc_map_find(&msgring_tab, id, &absent);
	if (!e) {
		count = &sent_count[sysvipc_map_slot(id)];
		if (absent && __atomic_add_fetch(count, 1, __ATOMIC_RELAXED) >=
			      SEND_LEARN) {
			__atomic_store_n(count, 0, __ATOMIC_RELAXED);
			sysvipc_map_learn(&msgring_tab, fd, id);
		}
		return;
	}
	pg = __atomic_load_n(&e->addr, __ATOMIC_ACQUIRE);
	if (!pg)
		return;
	if (msgring_moved(pg)) {
		sysvipc_map_learn(&msgring_tab, fd, id);
		return;
	}
	if (__atomic_load_n(&e->aux[LEASE], __ATOMIC_RELAXED))
		return;
	wait = __atomic_load_n(&e->aux[WAIT], __ATOMIC_RELAXED);
	if (wait) {
		__atomic_store_n(&e->aux[WAIT], wait - 1, __ATOMIC_RELAXED);
		return;
	}
	if (sysvipc_map_call(&msgring_tab, fd, SYSVIPC_IOC_MSGLEASE, &a) ||
	    !a.gen)
		lease_backoff(e);
	else
		__atomic_store_n(&e->aux[LEASE], a.gen, __ATOMIC_RELAXED);
}

/* The lease in @e is gone (the module ended it, or the page is dead). */
static void lease_lost(struct sysvipc_mapent *e, unsigned int gen)
{
	if (__atomic_compare_exchange_n(&e->aux[LEASE], &gen, 0, false,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		lease_backoff(e);
}

enum { SENT, MODULE, FULL };

/* One try at filling the next slot; see the lessee's steps in the uapi. */
static int lease_fill(struct sysvipc_mapent *e, struct sysvipc_msgring_page *pg,
		      unsigned int gen, long type, const void *text,
		      uint32_t size)
{
	struct sysvipc_msgring_slot *slot;
	uint64_t w, pos, h, n, bytes, qbytes, i;
	int ret = MODULE;

	w = __atomic_load_n(&pg->tail, __ATOMIC_ACQUIRE);
	if (w >> SYSVIPC_MSGRING_GEN_SHIFT != gen) {
		lease_lost(e, gen);
		return MODULE;
	}
	__atomic_exchange_n(&pg->busy, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&pg->tail, __ATOMIC_SEQ_CST) != w) {
		lease_lost(e, gen);
		goto idle;
	}
	pos = w & RING_POS;
	h = __atomic_load_n(&pg->head, __ATOMIC_ACQUIRE);
	n = pos - h;
	/* One slot stays free: the one a lessee stopped halfway may write. */
	if (n >= SYSVIPC_MSGRING_SLOTS - 1) {
		if (n == SYSVIPC_MSGRING_SLOTS - 1)
			ret = FULL;
		goto idle;
	}
	/* The queue's limits: the list is empty while the lease lasts. */
	qbytes = __atomic_load_n(&pg->qbytes, __ATOMIC_RELAXED);
	bytes = size;
	for (i = 0; i < n; i++) {
		slot = &pg->slot[(h + i) % SYSVIPC_MSGRING_SLOTS];
		bytes += __atomic_load_n(&slot->size, __ATOMIC_RELAXED);
	}
	if (n + 1 > qbytes || bytes > qbytes)
		goto idle;
	slot = &pg->slot[pos % SYSVIPC_MSGRING_SLOTS];
	__atomic_store_n(&slot->mtype, type, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->size, size, __ATOMIC_RELAXED);
	memcpy(slot->text, text, size);
	if (!__atomic_compare_exchange_n(&pg->tail, &w, w + 1, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
		lease_lost(e, gen);
		goto idle;
	}
	msgring_stamp(&pg->spid, &pg->stime);
	ret = SENT;
idle:
	__atomic_store_n(&pg->busy, 0, __ATOMIC_RELEASE);
	return ret;
}

/* Receivers made room for a lessee (one slot stays free). */
static bool ring_has_room(const void *arg)
{
	const struct sysvipc_msgring_page *pg = arg;
	uint64_t w = __atomic_load_n(&pg->tail, __ATOMIC_RELAXED) & RING_POS;

	return w - __atomic_load_n(&pg->head, __ATOMIC_RELAXED) <
	       SYSVIPC_MSGRING_SLOTS - 1;
}

/*
 * Try a msgsnd in user space, under this process's lease: 0 when sent, 1
 * when the module must do it.
 */
int sysvipc_msgring_send(int id, const void *msgp, size_t msgsz, int msgflg)
{
	unsigned char text[SYSVIPC_MSGRING_TEXT];
	struct sysvipc_msgring_page *pg;
	struct sysvipc_mapent *e;
	unsigned int gen, unlocked = 0;
	long type;
	int ret;

	if (msgsz > SYSVIPC_MSGRING_TEXT)
		return 1;
	e = msgring_entry(id, &pg);
	if (!e)
		return 1;
	/* After the page: a new one is published after its lease is reset. */
	gen = __atomic_load_n(&e->aux[LEASE], __ATOMIC_ACQUIRE);
	if (!gen || msgsz > __atomic_load_n(&pg->msgmax, __ATOMIC_RELAXED))
		return 1;
	/* Past this point the queue is leased: msgp is read directly. */
	type = *(const long *)msgp;
	if (type < 1)
		return 1;
	memcpy(text, (const char *)msgp + sizeof(long), msgsz);
	if (!__atomic_compare_exchange_n(&e->aux[LOCK], &unlocked, 1, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
		return 1;
	ret = lease_fill(e, pg, gen, type, text, (uint32_t)msgsz);
	if (ret == FULL && !(msgflg & IPC_NOWAIT) &&
	    sysvipc_spin_until(ring_has_room, pg))
		ret = lease_fill(e, pg, gen, type, text, (uint32_t)msgsz);
	if (ret == SENT && __atomic_load_n(&e->aux[LOST], __ATOMIC_RELAXED))
		__atomic_store_n(&e->aux[LOST], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->aux[LOCK], 0, __ATOMIC_RELEASE);
	return ret != SENT;
}
