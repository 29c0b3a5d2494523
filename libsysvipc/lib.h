/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libsysvipc internals: shared by dev.c, shm.c, sem.c and msg.c only.
 */
#ifndef LIBSYSVIPC_LIB_H
#define LIBSYSVIPC_LIB_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include "sysvipc.h"

/*
 * The callers' buffers (struct shmid_ds, semid_ds, msqid_ds, seminfo ...)
 * and struct timespec go to the module and to the fallback syscalls
 * unchanged.  That is only right where glibc itself passes them straight to
 * the kernel: 64-bit ABIs with the direct (non-multiplexed) IPC syscalls.
 * 32-bit glibc converts its time64 structs and redirects shmctl & co. to
 * __shmctl64; supporting it needs conversion code that does not exist yet.
 */
#if __SIZEOF_LONG__ != 8 || __SIZEOF_POINTER__ != 8
#error "libsysvipc: only LP64 targets are supported"
#endif
#ifndef SYS_shmget
#error "libsysvipc: the target lacks the direct SysV IPC syscalls"
#endif

#define SYSVIPC_API	__attribute__((visibility("default")))

/*
 * What sysvipc_dev_fd() returns besides an open descriptor: the process
 * has no device and uses the kernel's own IPC syscalls.
 */
#define SYSVIPC_FD_SYSCALL	(-2)

int sysvipc_dev_fd(void);
int sysvipc_call(int fd, unsigned long req, void *arg, int optional);
int sysvipc_maps_on(void);
unsigned int sysvipc_spin_limit(void);
unsigned int sysvipc_spin_budget(void);
void sysvipc_spin_done(unsigned int budget, int ok);
bool sysvipc_spin_until(bool (*over)(const void *arg), const void *arg);

/* One iteration's pause in a spin-wait loop. */
static inline void sysvipc_cpu_relax(void)
{
#if defined(__x86_64__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield" ::: "memory");
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/* maptab.c: objects the process mapped a page of. */
#define SYSVIPC_MAPTAB_SLOTS	128	/* a power of two */

struct sysvipc_mapent {
	int key;		/* id + 1, or 0: free; set once */
	int ready;		/* addr and aux are valid */
	/* The table's own: [0], [1] set by map(), [2], [3] left alone. */
	unsigned int aux[4];
	void *addr;		/* the page, or NULL: none */
};

struct sysvipc_maptab {
	/* Map @id; NULL when it gets no page (errno kept; may clear @on). */
	void *(*map)(struct sysvipc_maptab *t, int fd, int id,
		     unsigned int aux[2]);
	/* Whether IPC_SET retired @page: map again. */
	bool (*moved)(const void *page);
	int on;			/* -1 until decided; 0: never map */
	struct sysvipc_mapent ent[SYSVIPC_MAPTAB_SLOTS];
};

struct sysvipc_mapent *sysvipc_map_find(struct sysvipc_maptab *t, int id,
					bool *absent);
void sysvipc_map_add(struct sysvipc_maptab *t, int fd, int id);
void sysvipc_map_learn(struct sysvipc_maptab *t, int fd, int id);
pid_t sysvipc_map_pid(void);
unsigned int sysvipc_map_slot(int id);
int sysvipc_map_call(struct sysvipc_maptab *t, int fd, unsigned long req,
		     void *arg);

/* semfast.c: the user-space fast path of semop. */
struct sembuf;
struct timespec;
int sysvipc_semfast_op(int id, const struct sembuf *sops, size_t nsops,
		       const struct timespec *timeout);
void sysvipc_semfast_learn(int fd, int id, const struct sembuf *sops,
			   size_t nsops, const struct timespec *timeout);

/* msgring.c: receiving from a queue's receive ring. */
int sysvipc_msgring_receive(int id, void *msgp, size_t msgsz, long msgtyp,
			    int msgflg, ssize_t *ret);
void sysvipc_msgring_learn(int fd, int id);
int sysvipc_msgring_send(int id, const void *msgp, size_t msgsz, int msgflg);
void sysvipc_msgring_sent(int fd, int id);

#endif /* LIBSYSVIPC_LIB_H */
