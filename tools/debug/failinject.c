// SPDX-License-Identifier: GPL-2.0
/*
 * failinject: allocation-failure injection over every family's paths
 * (debug kernel with FAILSLAB, FAIL_PAGE_ALLOC, FAULT_INJECTION_DEBUG_FS).
 *
 * usage: failinject [MAX_NTH]     (run as root, module loaded; TAP output)
 *
 * For each operation (shmget, shmat, raw mmap, semget, semop with
 * SEM_UNDO, SETALL/GETALL, msgget, msgsnd, msgrcv with MSG_COPY, an object
 * descriptor and a message written through one) and each
 * n = 1, 2, ...: set up a fresh object without injection, write n to
 * /proc/thread-self/fail-nth so that the n-th slab or page allocation of
 * the call fails, make the call, and check the outcome: success, or -1 with
 * ENOMEM (or another errno the kernel's own IPC gives for a failed
 * allocation: ENOSPC, ENFILE); no partial object (the *_INFO usage counters
 * are back where they were, nattch/qnum/semval unchanged on failure) and no
 * undo list left once the process that made it exits.  The sweep of an
 * operation ends at the first n the call does not reach (all its
 * allocation sites have been failed once), or at MAX_NTH (default 300).
 * Module memory leaks are caught by the kmemleak scan that follows
 * (tools/debug/in-vm.sh).  Prints "# failinject: N faults injected" last.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <linux/sysvipc.h>

#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

static int dev;
static int nthfd;
static long page;
static long total_injected;

static void wr(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, val, strlen(val)) < 0) {
		fprintf(stderr, "failinject: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	close(fd);
}

static long ctl(unsigned long req, int id, int cmd, void *arg)
{
	struct sysvipc_ctl c = { .id = id, .cmd = cmd, .arg = (uint64_t)(uintptr_t)arg };

	return ioctl(dev, req, &c);
}

static long get(unsigned long req, uint64_t size)
{
	struct sysvipc_get g = { .key = IPC_PRIVATE, .flags = IPC_CREAT | 0600, .size = size };

	return ioctl(dev, req, &g);
}

/* objects in use: segments, sets, queues */
static void usage_now(long u[3])
{
	struct shm_info si;
	struct seminfo se;
	struct msginfo mi;

	ctl(SYSVIPC_IOC_SHMCTL, 0, SHM_INFO, &si);
	ctl(SYSVIPC_IOC_SEMCTL, 0, SEM_INFO, &se);
	ctl(SYSVIPC_IOC_MSGCTL, 0, MSG_INFO, &mi);
	u[0] = si.used_ids;
	u[1] = se.semusz;
	u[2] = mi.msgpool;
}

/* arm: the n-th allocation of this thread fails; disarm: remaining count */
static void arm(int n)
{
	char b[16];
	int len = snprintf(b, sizeof(b), "%d", n);

	if (pwrite(nthfd, b, len, 0) != len) {
		perror("failinject: fail-nth");
		exit(2);
	}
}

static int disarm(void)
{
	char b[16] = "";
	int left;

	if (pread(nthfd, b, sizeof(b) - 1, 0) < 0)
		return -1;
	left = atoi(b);
	if (pwrite(nthfd, "0", 1, 0) != 1)
		return -1;
	return left;
}

struct op {
	const char *name;
	/* returns the object the call works on (or 0), -1 if setup failed */
	long (*setup)(void);
	/* the call under injection */
	long (*call)(long obj);
	/* after the call: true if the state is consistent with ret */
	bool (*check)(long obj, long ret);
	void (*teardown)(long obj, long ret);
};

/* ---- shm ---- */
static long no_setup(void)
{
	return 0;
}

static long call_shmget(long o)
{
	(void)o;
	return get(SYSVIPC_IOC_SHMGET, 16 * page);
}

static void td_rm_shm_ret(long o, long ret)
{
	(void)o;
	if (ret >= 0)
		ctl(SYSVIPC_IOC_SHMCTL, (int)ret, IPC_RMID, NULL);
}

static long setup_seg(void)
{
	return get(SYSVIPC_IOC_SHMGET, 16 * page);
}

static long call_shmat(long o)
{
	struct sysvipc_shmat a = { .id = (int)o };

	if (ioctl(dev, SYSVIPC_IOC_SHMAT, &a) < 0)
		return -1;
	return (long)a.addr;
}

static long call_devmmap(long o)
{
	void *p = mmap(NULL, 16 * page, PROT_READ | PROT_WRITE, MAP_SHARED, dev,
		       (off_t)o * page);

	return p == MAP_FAILED ? -1 : (long)p;
}

static long nattch(long id)
{
	struct shmid_ds ds;

	if (ctl(SYSVIPC_IOC_SHMCTL, (int)id, IPC_STAT, &ds) < 0)
		return -1;
	return (long)ds.shm_nattch;
}

static bool chk_attach(long o, long ret)
{
	return nattch(o) == (ret < 0 ? 0 : 1);
}

static void td_detach(long o, long ret)
{
	if (ret >= 0) {
		((volatile char *)ret)[0] = 1;
		munmap((void *)ret, 16 * page);
	}
	ctl(SYSVIPC_IOC_SHMCTL, (int)o, IPC_RMID, NULL);
}

/* ---- sem ---- */
static long call_semget(long o)
{
	(void)o;
	return get(SYSVIPC_IOC_SEMGET, 100);
}

static void td_rm_sem_ret(long o, long ret)
{
	(void)o;
	if (ret >= 0)
		ctl(SYSVIPC_IOC_SEMCTL, (int)ret, IPC_RMID, NULL);
}

static long setup_set(void)
{
	return get(SYSVIPC_IOC_SEMGET, 300);
}

static long call_semop_undo(long o)
{
	struct sembuf sb[2] = { { 0, 1, SEM_UNDO }, { 299, 2, SEM_UNDO } };
	struct sysvipc_semop s = { .id = (int)o, .nsops = 2,
				   .sops = (uint64_t)(uintptr_t)sb };

	return ioctl(dev, SYSVIPC_IOC_SEMOP, &s);
}

static bool chk_semop(long o, long ret)
{
	struct sysvipc_ctl c = { .id = (int)o, .cmd = GETVAL, .semnum = 299 };
	long v0 = ctl(SYSVIPC_IOC_SEMCTL, (int)o, GETVAL, NULL);
	long v1 = ioctl(dev, SYSVIPC_IOC_SEMCTL, &c);

	return ret < 0 ? v0 == 0 && v1 == 0 : v0 == 1 && v1 == 2;
}

static void td_rm_set(long o, long ret)
{
	(void)ret;
	ctl(SYSVIPC_IOC_SEMCTL, (int)o, IPC_RMID, NULL);
}

static unsigned short vals[300];

static long call_setall(long o)
{
	for (int i = 0; i < 300; i++)
		vals[i] = (unsigned short)(i + 1);
	return ctl(SYSVIPC_IOC_SEMCTL, (int)o, SETALL, vals);
}

static bool chk_setall(long o, long ret)
{
	struct sysvipc_ctl c = { .id = (int)o, .cmd = GETVAL, .semnum = 299 };
	long v = ioctl(dev, SYSVIPC_IOC_SEMCTL, &c);

	return ret < 0 ? v == 0 : v == 300;
}

static long call_getall(long o)
{
	memset(vals, 0xff, sizeof(vals));
	return ctl(SYSVIPC_IOC_SEMCTL, (int)o, GETALL, vals);
}

static bool chk_getall(long o, long ret)
{
	(void)o;
	return ret < 0 || (vals[0] == 0 && vals[299] == 0);
}

/* ---- msg ---- */
static long call_msgget(long o)
{
	(void)o;
	return get(SYSVIPC_IOC_MSGGET, 0);
}

static void td_rm_msg_ret(long o, long ret)
{
	(void)o;
	if (ret >= 0)
		ctl(SYSVIPC_IOC_MSGCTL, (int)ret, IPC_RMID, NULL);
}

static long setup_queue(void)
{
	return get(SYSVIPC_IOC_MSGGET, 0);
}

static struct { long mtype; char t[8000]; } msg = { 1, "" };

static long call_msgsnd(long o)
{
	struct sysvipc_msgsnd s = { .id = (int)o, .flags = IPC_NOWAIT,
				    .msgp = (uint64_t)(uintptr_t)&msg, .msgsz = sizeof(msg.t) };

	return ioctl(dev, SYSVIPC_IOC_MSGSND, &s);
}

static long qnum(long id)
{
	struct msqid_ds ds;

	if (ctl(SYSVIPC_IOC_MSGCTL, (int)id, IPC_STAT, &ds) < 0)
		return -1;
	return (long)ds.msg_qnum;
}

static bool chk_msgsnd(long o, long ret)
{
	return qnum(o) == (ret < 0 ? 0 : 1);
}

static void td_rm_queue(long o, long ret)
{
	(void)ret;
	ctl(SYSVIPC_IOC_MSGCTL, (int)o, IPC_RMID, NULL);
}

static long setup_queue_msg(void)
{
	long id = setup_queue();

	if (id >= 0 && call_msgsnd(id) < 0)
		return -1;
	return id;
}

static long call_msgrcv_copy(long o)
{
	struct sysvipc_msgrcv r = { .id = (int)o, .flags = IPC_NOWAIT | MSG_COPY,
				    .msgp = (uint64_t)(uintptr_t)&msg, .msgsz = sizeof(msg.t) };

	return ioctl(dev, SYSVIPC_IOC_MSGRCV, &r);
}

static long call_msgrcv(long o)
{
	struct sysvipc_msgrcv r = { .id = (int)o, .flags = IPC_NOWAIT,
				    .msgp = (uint64_t)(uintptr_t)&msg, .msgsz = sizeof(msg.t) };

	return ioctl(dev, SYSVIPC_IOC_MSGRCV, &r);
}

static bool chk_copy(long o, long ret)
{
	(void)ret;
	return qnum(o) == 1;
}

static bool chk_rcv(long o, long ret)
{
	return qnum(o) == (ret < 0 ? 1 : 0);
}

/* an object descriptor of a queue, then a message written through it */
static long call_objfd(long o)
{
	struct sysvipc_objfd f = { .type = SYSVIPC_OBJ_MSG, .id = (int)o,
				   .flags = O_RDWR | O_CLOEXEC | O_NONBLOCK };

	return ioctl(dev, SYSVIPC_IOC_OBJFD, &f);
}

static void td_objfd(long o, long ret)
{
	if (ret >= 0)
		close((int)ret);
	ctl(SYSVIPC_IOC_MSGCTL, (int)o, IPC_RMID, NULL);
}

static long objfd_for_write = -1;

static long setup_objfd(void)
{
	long id = setup_queue();

	objfd_for_write = id < 0 ? -1 : call_objfd(id);
	return objfd_for_write < 0 ? -1 : id;
}

static long call_objfd_write(long o)
{
	(void)o;
	return write((int)objfd_for_write, &msg, sizeof(msg));
}

static void td_objfd_write(long o, long ret)
{
	(void)ret;
	close((int)objfd_for_write);
	ctl(SYSVIPC_IOC_MSGCTL, (int)o, IPC_RMID, NULL);
}

static bool chk_none(long o, long ret)
{
	(void)o;
	(void)ret;
	return true;
}

static const struct op ops[] = {
	{ "shmget", no_setup, call_shmget, chk_none, td_rm_shm_ret },
	{ "shmat", setup_seg, call_shmat, chk_attach, td_detach },
	{ "mmap_dev", setup_seg, call_devmmap, chk_attach, td_detach },
	{ "semget", no_setup, call_semget, chk_none, td_rm_sem_ret },
	{ "semop_undo", setup_set, call_semop_undo, chk_semop, td_rm_set },
	{ "semctl_setall", setup_set, call_setall, chk_setall, td_rm_set },
	{ "semctl_getall", setup_set, call_getall, chk_getall, td_rm_set },
	{ "msgget", no_setup, call_msgget, chk_none, td_rm_msg_ret },
	{ "msgsnd", setup_queue, call_msgsnd, chk_msgsnd, td_rm_queue },
	{ "msgrcv_copy", setup_queue_msg, call_msgrcv_copy, chk_copy, td_rm_queue },
	{ "msgrcv", setup_queue_msg, call_msgrcv, chk_rcv, td_rm_queue },
	{ "objfd", setup_queue, call_objfd, chk_none, td_objfd },
	{ "objfd_write", setup_objfd, call_objfd_write, chk_msgsnd, td_objfd_write },
};

static long undo_lists(void)
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

/*
 * One operation's sweep, in a child process (so its undo list applies
 * when it exits).  Exit status 0: all good; the injected count goes
 * through a pipe.
 */
static int sweep(const struct op *op, int max_nth, int wfd)
{
	long base[3], now[3], injected = 0, enomem = 0, okays = 0, other = 0;
	int bad = 0, n;

	usage_now(base);
	for (n = 1; n <= max_nth; n++) {
		long obj = op->setup(), ret;
		int e, left;

		if (obj < 0) {
			printf("# %s: setup failed: %s\n", op->name, strerror(errno));
			bad++;
			break;
		}
		arm(n);
		ret = op->call(obj);
		e = errno;
		left = disarm();
		if (left != 0) {
			/* fewer than n allocations: the sweep is complete */
			if (ret < 0) {
				printf("# %s: failed without injection: %s\n", op->name, strerror(e));
				bad++;
			}
			op->teardown(obj, ret);
			break;
		}
		injected++;
		if (ret >= 0)
			okays++;
		else if (e == ENOMEM)
			enomem++;
		else if (e == ENOSPC || e == ENFILE)
			other++;
		else {
			printf("# %s: fault %d: errno %d (%s), expected ENOMEM\n", op->name, n, e,
			       strerror(e));
			bad++;
		}
		if (!op->check(obj, ret)) {
			printf("# %s: fault %d: inconsistent state after %s\n", op->name, n,
			       ret < 0 ? strerror(e) : "success");
			bad++;
		}
		op->teardown(obj, ret);
		usage_now(now);
		if (memcmp(base, now, sizeof(base))) {
			printf("# %s: fault %d: objects in use %ld/%ld/%ld, was %ld/%ld/%ld\n",
			       op->name, n, now[0], now[1], now[2], base[0], base[1], base[2]);
			bad++;
			memcpy(base, now, sizeof(base));
		}
	}
	if (n > max_nth)
		printf("# %s: stopped at %d faults (MAX_NTH)\n", op->name, max_nth);
	printf("# %s: %ld faults injected: %ld ENOMEM, %ld other allocation errno, %ld "
	       "calls succeeded anyway\n", op->name, injected, enomem, other, okays);
	fflush(stdout);
	if (write(wfd, &injected, sizeof(injected)) < 0)
		bad++;
	return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc" };
	int max_nth = argc > 1 ? atoi(argv[1]) : 300;
	int failed = 0, num = 0;
	char path[128];

	setvbuf(stdout, NULL, _IOLBF, 0);
	page = sysconf(_SC_PAGESIZE);
	/* fault the buffers in now: a user page fault under injection would loop */
	memset(vals, 0, sizeof(vals));
	memset(msg.t, 'm', sizeof(msg.t));
	if (access("/sys/kernel/debug/failslab", F_OK) &&
	    system("mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null"))
		printf("# could not mount debugfs\n");
	printf("1..%zu\n", sizeof(ops) / sizeof(ops[0]) + 1);
	if (access("/sys/kernel/debug/failslab", F_OK)) {
		printf("# no /sys/kernel/debug/failslab: not a fault-injection kernel\n");
		for (size_t i = 0; i <= sizeof(ops) / sizeof(ops[0]); i++)
			printf("ok %zu # SKIP no fault injection\n", i + 1);
		return 0;
	}
	/* only fail-nth injects: probability 0; GFP_KERNEL and order-0 count */
	for (int a = 0; a < 2; a++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/probability", attrs[a]);
		wr(path, "0");
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/verbose", attrs[a]);
		wr(path, "0");
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s/ignore-gfp-wait", attrs[a]);
		wr(path, "N");
	}
	wr("/sys/kernel/debug/fail_page_alloc/ignore-gfp-highmem", "N");
	wr("/sys/kernel/debug/fail_page_alloc/min-order", "0");
	dev = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		perror(SYSVIPC_DEVICE);
		return 2;
	}
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		int pfd[2], st;
		long inj = 0, u0 = undo_lists();
		pid_t pid;

		if (pipe(pfd))
			return 2;
		pid = fork();
		if (pid == 0) {
			close(pfd[0]);
			nthfd = open("/proc/thread-self/fail-nth", O_RDWR);
			if (nthfd < 0) {
				perror("failinject: /proc/thread-self/fail-nth");
				_exit(2);
			}
			_exit(sweep(&ops[i], max_nth, pfd[1]));
		}
		close(pfd[1]);
		if (read(pfd[0], &inj, sizeof(inj)) != sizeof(inj))
			inj = 0;
		close(pfd[0]);
		waitpid(pid, &st, 0);
		total_injected += inj;
		if (undo_lists() != u0) {
			printf("# %s: undo_lists %ld after the process exited, was %ld\n",
			       ops[i].name, undo_lists(), u0);
			st = 1;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) || inj == 0) {
			printf("not ok %d %s%s\n", ++num, ops[i].name,
			       inj == 0 ? " (no fault injected)" : "");
			failed++;
		} else {
			printf("ok %d %s\n", ++num, ops[i].name);
		}
	}
	{
		long u[3];

		usage_now(u);
		if (u[0] || u[1] || u[2] || undo_lists() > 0) {
			printf("not ok %d registry_empty (%ld/%ld/%ld, undo_lists %ld)\n", ++num,
			       u[0], u[1], u[2], undo_lists());
			failed++;
		} else {
			printf("ok %d registry_empty\n", ++num);
		}
	}
	printf("# failinject: %ld faults injected\n", total_injected);
	return failed ? 1 : 0;
}
