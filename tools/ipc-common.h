/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by sysvipc-ipcs, sysvipc-ipcrm and sysvipc-ipcmk: the
 * objects as the status files list them, limits, number parsing and the
 * output helpers of util-linux 2.38's ipcs (same formats, byte for byte).
 *
 * The tools are linked to libsysvipc, so every call reaches the module
 * when /dev/sysvipc exists and the kernel's own IPC when it does not; the
 * status files are read from the same place (ipc_proc_path()).
 */
#ifndef SYSVIPC_TOOLS_IPC_COMMON_H
#define SYSVIPC_TOOLS_IPC_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#define SYSVIPC_TOOLS_VERSION	"0.1"

/* glibc wants the caller to define it */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

enum ipc_unit {
	IPC_UNIT_DEFAULT,
	IPC_UNIT_BYTES,
	IPC_UNIT_KB,
	IPC_UNIT_HUMAN,
};

enum ipc_family { IPC_SHM, IPC_SEM, IPC_MSG };

/* One object, as a line of /proc/sysvipc/{shm,sem,msg} describes it. */
struct ipc_obj {
	int key, id;
	unsigned int mode, uid, gid, cuid, cgid;
	uint64_t size;		/* shm: segsz, sem: nsems, msg: cbytes */
	uint64_t count;		/* shm: nattch, msg: qnum */
	unsigned int pid1;	/* shm: cpid, msg: lspid */
	unsigned int pid2;	/* shm: lpid, msg: lrpid */
	int64_t time1;		/* shm: atime, sem: otime, msg: stime */
	int64_t time2;		/* shm: dtime, sem: ctime, msg: rtime */
	int64_t time3;		/* shm: ctime, msg: ctime */
	uint64_t qbytes;	/* msg, only with an id */
};

struct ipc_limits {
	uint64_t shmmni, shmmax, shmall, shmmin;
	int semmni, semmsl, semmns, semopm;
	unsigned int semvmx;
	int msgmni, msgmnb;
	uint64_t msgmax;
};

const char *ipc_proc_path(enum ipc_family f);
/* All objects (@id < 0) or the one with @id: count, *@objs malloc'ed. */
int ipc_get_objs(enum ipc_family f, int id, struct ipc_obj **objs);

int ipc_shm_limits(struct ipc_limits *lim);
int ipc_sem_limits(struct ipc_limits *lim);
int ipc_msg_limits(struct ipc_limits *lim);

char *ipc_ctime(int64_t t);
char *ipc_human_size(uint64_t bytes);
void ipc_print_size(int unit, const char *msg, uint64_t size, const char *end,
		    int width);
void ipc_print_perms(const struct ipc_obj *o);

int32_t strtos32_or_err(const char *str, const char *msg);
uint64_t strtosize_or_err(const char *str, const char *msg);
void errtryhelp(int status) __attribute__((noreturn));
void print_version(void) __attribute__((noreturn));

#endif
