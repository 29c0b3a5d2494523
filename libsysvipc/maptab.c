/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tables of objects the process mapped a page of: semaphore sets'
 * fast-path pages (semfast.c), queues' receive rings (msgring.c).
 *
 * A table maps id -> page and is looked up without locks; slots are
 * claimed with a compare-and-swap and never freed, so a mapping is never
 * unmapped while another thread may use it (a full table, or an object
 * that cannot be mapped, just means "use the ioctl").  A dead page (after
 * IPC_SET) is replaced by sysvipc_map_renew(); the old one stays mapped.
 * fork() children do not inherit the mappings (VM_DONTCOPY): a
 * pthread_atfork handler empties every table in the child.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>
#include "lib.h"

#define MAPTAB_MAX	4	/* tables in the library */

static struct sysvipc_maptab *tables[MAPTAB_MAX];
static int atfork_done;
static pid_t map_pid;

static void maptab_child(void)
{
	unsigned int i, j;

	/* Single-threaded here: the mappings did not come along. */
	for (i = 0; i < MAPTAB_MAX; i++) {
		if (!tables[i])
			continue;
		for (j = 0; j < SYSVIPC_MAPTAB_SLOTS; j++) {
			tables[i]->ent[j].key = 0;
			tables[i]->ent[j].ready = 0;
			tables[i]->ent[j].addr = NULL;
		}
	}
	map_pid = getpid();
}

/* The process's pid, as the mapped pages record it. */
pid_t sysvipc_map_pid(void)
{
	return map_pid;
}

/* Register @t for the fork handler; false: the table must stay unused. */
static bool maptab_register(struct sysvipc_maptab *t)
{
	unsigned int i;
	void *none;
	int state = 0;

	/* 0: nobody tried, 1: being registered, 2: failed, 3: done. */
	if (__atomic_compare_exchange_n(&atfork_done, &state, 1, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		map_pid = getpid();
		if (pthread_atfork(NULL, NULL, maptab_child)) {
			/* Children would see stale mappings. */
			__atomic_store_n(&atfork_done, 2, __ATOMIC_RELEASE);
			return false;
		}
		__atomic_store_n(&atfork_done, 3, __ATOMIC_RELEASE);
	}
	/* Another thread may still be registering the handler. */
	while (__atomic_load_n(&atfork_done, __ATOMIC_ACQUIRE) == 1)
		sysvipc_cpu_relax();
	if (__atomic_load_n(&atfork_done, __ATOMIC_ACQUIRE) != 3)
		return false;
	for (i = 0; i < MAPTAB_MAX; i++) {
		if (__atomic_load_n(&tables[i], __ATOMIC_ACQUIRE) == t)
			return true;
		none = NULL;
		if (__atomic_compare_exchange_n(&tables[i], (void **)&none, t,
						false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			return true;
	}
	return false;
}

/*
 * One of a table's ioctls (mapping a page, asking for a ring's lease),
 * errno kept either way; a module without it, or with it turned off,
 * turns @t off.
 */
int sysvipc_map_call(struct sysvipc_maptab *t, int fd, unsigned long req,
		     void *arg)
{
	int saved = errno, ret;

	ret = sysvipc_call(fd, req, arg, 1);
	if (ret && (errno == ENOSYS || errno == EOPNOTSUPP))
		__atomic_store_n(&t->on, 0, __ATOMIC_RELAXED);
	errno = saved;
	return ret;
}

/* Where @id's entry is looked for first, 0 .. SYSVIPC_MAPTAB_SLOTS - 1. */
unsigned int sysvipc_map_slot(int id)
{
	uint32_t h = (uint32_t)id * 0x9e3779b1u;

	return h >> 25;		/* 7 bits: SYSVIPC_MAPTAB_SLOTS */
}

/* The ready entry of @id, or NULL; *@absent: no entry at all. */
struct sysvipc_mapent *sysvipc_map_find(struct sysvipc_maptab *t, int id,
					bool *absent)
{
	unsigned int i, h = sysvipc_map_slot(id);
	struct sysvipc_mapent *e;
	int key;

	*absent = false;
	for (i = 0; i < SYSVIPC_MAPTAB_SLOTS; i++) {
		e = &t->ent[(h + i) & (SYSVIPC_MAPTAB_SLOTS - 1)];
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

/* Map @id and publish it, or publish that it has no page. */
void sysvipc_map_add(struct sysvipc_maptab *t, int fd, int id)
{
	unsigned int i, h, aux[2] = { 0, 0 };
	struct sysvipc_mapent *e;
	void *addr;
	int key;

	if (!sysvipc_maps_on() || !maptab_register(t)) {
		__atomic_store_n(&t->on, 0, __ATOMIC_RELAXED);
		return;
	}
	addr = t->map(t, fd, id, aux);
	h = sysvipc_map_slot(id);
	for (i = 0; i < SYSVIPC_MAPTAB_SLOTS; i++) {
		e = &t->ent[(h + i) & (SYSVIPC_MAPTAB_SLOTS - 1)];
		key = 0;
		if (__atomic_compare_exchange_n(&e->key, &key, id + 1, false,
						__ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			e->aux[0] = aux[0];
			e->aux[1] = aux[1];
			__atomic_store_n(&e->addr, addr, __ATOMIC_RELAXED);
			__atomic_store_n(&e->ready, 1, __ATOMIC_RELEASE);
			return;
		}
		if (key == id + 1)
			break;	/* another thread got there first */
	}
	/* Not published, so nobody else can be using it. */
	if (addr)
		munmap(addr, (size_t)sysconf(_SC_PAGESIZE));
}

/* @e's page @old is dead (IPC_SET): map @id again. */
static void sysvipc_map_renew(struct sysvipc_maptab *t, int fd, int id,
			      struct sysvipc_mapent *e, void *old)
{
	unsigned int aux[2] = { 0, 0 };
	void *addr;

	/* NULL (refused): the entry has no page from now on. */
	addr = t->map(t, fd, id, aux);
	/*
	 * Before the page is published: a reader that loads the page, then
	 * aux, never sees the new page with the old page's aux[0] (a send
	 * lease, msgring.c).  Racy but safe otherwise: the semaphore flags
	 * of either page will do.
	 */
	__atomic_store_n(&e->aux[0], aux[0], __ATOMIC_RELEASE);
	__atomic_store_n(&e->aux[1], aux[1], __ATOMIC_RELEASE);
	/* Only the winner publishes; the loser's page is still private. */
	if (!__atomic_compare_exchange_n(&e->addr, &old, addr, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE) &&
	    addr)
		munmap(addr, (size_t)sysconf(_SC_PAGESIZE));
}

/*
 * After the module did an operation on @id that the table's pages serve:
 * map @id for next time, or replace its dead page.
 */
void sysvipc_map_learn(struct sysvipc_maptab *t, int fd, int id)
{
	struct sysvipc_mapent *e;
	bool absent;
	void *addr;

	e = sysvipc_map_find(t, id, &absent);
	if (!e) {
		if (absent)
			sysvipc_map_add(t, fd, id);
		return;
	}
	addr = __atomic_load_n(&e->addr, __ATOMIC_ACQUIRE);
	if (addr && t->moved(addr))
		sysvipc_map_renew(t, fd, id, e, addr);
}
