/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the sysvipc selftests.
 *
 * Every test is a plain System V IPC program: built once against glibc (the
 * kernel's own IPC is the oracle) and once linked to libsysvipc with
 * -DSYSVIPC_TEST_LIB=1.  Both builds must agree, so expectations in the
 * tests are the kernel's (6.1) behaviour.
 *
 * Contents:
 *  - is_lib_mode()
 *  - unique_key(): a key no object of any family uses yet
 *  - tracking of created objects, removed in FIXTURE_TEARDOWN(ipc)
 *  - run_as(): run a function as an unprivileged user in a forked child and
 *    get its errno back
 *  - sysctl / module parameter helpers that save the old value and restore
 *    it in FIXTURE_TEARDOWN(ipc), even when an assertion failed
 *  - FIXTURE(ipc): the fixture every test uses
 */
#ifndef SYSVIPC_SELFTEST_COMMON_H
#define SYSVIPC_SELFTEST_COMMON_H

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

/* the 6.1 harness has an unused parameter (__timeout_handler's ucontext) */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#include "kselftest_harness.h"
#pragma GCC diagnostic pop

#ifndef SYSVIPC_TEST_LIB
#define SYSVIPC_TEST_LIB 0
#endif

/* glibc wants the caller to define it */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
	struct seminfo *__buf;
};

#define NOBODY_UID	65534
#define NOBODY_GID	65534
/* an arbitrary group nobody is in, used for group-permission tests */
#define TEST_GID	4242
#define TEST_GID2	4243

#define PAGE_SZ		((size_t)sysconf(_SC_PAGESIZE))

static inline bool is_lib_mode(void)
{
	return SYSVIPC_TEST_LIB != 0;
}

/* ------------------------------------------------------------------ */
/* Keys                                                               */
/* ------------------------------------------------------------------ */

static inline uint32_t __mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x7feb352dU;
	h ^= h >> 15;
	h *= 0x846ca68bU;
	h ^= h >> 16;
	return h;
}

static inline bool key_unused(key_t key)
{
	if (shmget(key, 0, 0) != -1 || errno != ENOENT)
		return false;
	if (semget(key, 0, 0) != -1 || errno != ENOENT)
		return false;
	if (msgget(key, 0) != -1 || errno != ENOENT)
		return false;
	return true;
}

/*
 * A key derived from the pid, a per-call-site salt and a counter, checked to
 * be unused by all three families (in the namespace this build talks to).
 * Keys have the top byte 0x5e so they are recognisable in ipcs output.
 */
static inline key_t __unique_key(const char *file, int line)
{
	static uint32_t counter;
	uint32_t salt = 2166136261U;
	const char *p;

	for (p = file; *p; p++)
		salt = (salt ^ (unsigned char)*p) * 16777619U;
	salt ^= (uint32_t)line * 0x9e3779b9U;

	for (int tries = 0; tries < 1000; tries++) {
		uint32_t h = __mix32(salt ^ __mix32((uint32_t)getpid() ^
				     __mix32(++counter + (uint32_t)tries)));
		key_t key = (key_t)(0x5e000000U | (h & 0x00ffffffU));

		if (key_unused(key))
			return key;
	}
	return IPC_PRIVATE;	/* caller's ASSERT_NE(IPC_PRIVATE, key) */
}
#define unique_key() __unique_key(__FILE__, __LINE__)

/* ------------------------------------------------------------------ */
/* Tracking created objects                                           */
/* ------------------------------------------------------------------ */

#define MAX_TRACKED 256

enum ipc_family { FAM_SHM, FAM_SEM, FAM_MSG };

static int tracked_ids[3][MAX_TRACKED];
static int tracked_n[3];

static inline void track(enum ipc_family fam, int id)
{
	if (id >= 0 && tracked_n[fam] < MAX_TRACKED)
		tracked_ids[fam][tracked_n[fam]++] = id;
}

/* Remove an object whatever its family; returns the *ctl result. */
static inline int ipc_rm(enum ipc_family fam, int id)
{
	switch (fam) {
	case FAM_SHM:
		return shmctl(id, IPC_RMID, NULL);
	case FAM_SEM:
		return semctl(id, 0, IPC_RMID);
	case FAM_MSG:
		return msgctl(id, IPC_RMID, NULL);
	}
	return -1;
}

/* Remove every tracked object; already removed ones fail with EINVAL. */
static inline void cleanup_tracked(void)
{
	for (int f = 0; f < 3; f++) {
		for (int i = tracked_n[f] - 1; i >= 0; i--)
			ipc_rm((enum ipc_family)f, tracked_ids[f][i]);
		tracked_n[f] = 0;
	}
}

/* *get wrappers that track what they create (or look up) */
static inline int t_shmget(key_t key, size_t size, int flg)
{
	int id = shmget(key, size, flg);

	track(FAM_SHM, id);
	return id;
}

static inline int t_semget(key_t key, int nsems, int flg)
{
	int id = semget(key, nsems, flg);

	track(FAM_SEM, id);
	return id;
}

static inline int t_msgget(key_t key, int flg)
{
	int id = msgget(key, flg);

	track(FAM_MSG, id);
	return id;
}

/* ------------------------------------------------------------------ */
/* Running code as an unprivileged user                               */
/* ------------------------------------------------------------------ */

/*
 * Child functions return 0 for "as expected / success" or an errno value
 * (1..199).  Use these codes for other outcomes:
 */
#define CHILD_UNEXPECTED_OK	200	/* call succeeded, failure expected */
#define CHILD_MISMATCH		201	/* call succeeded, wrong result */
#define CHILD_SETUP_FAILED	250	/* could not drop privileges */
#define CHILD_ABNORMAL		251	/* killed by a signal */

/* errno of a failed call, 0 if it succeeded */
#define ERRNO_OF(expr) ((expr) < 0 ? errno : 0)

typedef int (*child_fn)(void *arg);

static inline int setval(int id, int num, int val)
{
	union semun u = { .val = val };

	return semctl(id, num, SETVAL, u);
}

#ifndef SEMVMX
#define SEMVMX	32767
#endif

/* One semop of one operation. */
static inline int op1(int id, unsigned short num, short op, short flg)
{
	struct sembuf sb = { .sem_num = num, .sem_op = op, .sem_flg = flg };

	return semop(id, &sb, 1);
}

/* A private set of @n semaphores with @mode, all @val; tracked for teardown. */
static inline int new_set(int n, int val, int mode)
{
	int id = t_semget(IPC_PRIVATE, n, IPC_CREAT | mode);

	for (int i = 0; id >= 0 && i < n; i++)
		if (setval(id, i, val))
			return -1;
	return id;
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Poll semctl(@cmd) (GETNCNT, GETZCNT, GETVAL) until it reads @want. */
static inline bool wait_for(int id, int num, int cmd, int want)
{
	double end = now_s() + 10;

	while (now_s() < end) {
		if (semctl(id, num, cmd) == want)
			return true;
		usleep(1000);
	}
	return false;
}

/*
 * Fork a child running fn(arg); the child's exit status is fn's return.
 * alarm() keeps a child that the test forgot from waiting forever.
 */
static inline pid_t spawn_child(child_fn fn, void *arg)
{
	pid_t pid;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		alarm(60);
		_exit(fn(arg) & 0xff);
	}
	return pid;
}

/* Exit status of @pid, or -1 if it did not exit normally. */
static inline int reap_child(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * A page shared between a test and its run_as children, for values the child
 * hands back besides its exit status (e.g. the id of an object it created).
 * Reset to -1 before each run_as.
 */
#define CHILD_DATA_SLOTS 16
static long *child_data;

/*
 * Run fn(arg) in a forked child with real/effective/saved uid @uid and gid
 * @gid and the supplementary groups @groups[0..ngroups-1] (none if 0), and
 * without any capability (a non-zero uid drops them all).  Returns the
 * child's return value (its exit status).
 */
static inline int run_as_ids(uid_t uid, gid_t gid, const gid_t *groups,
			     int ngroups, child_fn fn, void *arg)
{
	int status;
	pid_t pid;

	if (!child_data) {
		void *p = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED)
			return CHILD_SETUP_FAILED;
		child_data = p;
	}
	for (int i = 0; i < CHILD_DATA_SLOTS; i++)
		child_data[i] = -1;

	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return CHILD_SETUP_FAILED;
	if (pid == 0) {
		if (setgroups(ngroups, ngroups ? groups : NULL) ||
		    setresgid(gid, gid, gid) || setresuid(uid, uid, uid))
			_exit(CHILD_SETUP_FAILED);
		_exit(fn(arg) & 0xff);
	}
	if (waitpid(pid, &status, 0) != pid)
		return CHILD_SETUP_FAILED;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return CHILD_ABNORMAL;
}

/* as nobody:nogroup, no supplementary groups */
static inline int run_as_nobody(child_fn fn, void *arg)
{
	return run_as_ids(NOBODY_UID, NOBODY_GID, NULL, 0, fn, arg);
}

/* as nobody:nogroup with one supplementary group */
static inline int run_as_nobody_in(gid_t group, child_fn fn, void *arg)
{
	return run_as_ids(NOBODY_UID, NOBODY_GID, &group, 1, fn, arg);
}

/* ------------------------------------------------------------------ */
/* sysctl and module parameters, saved and restored                   */
/* ------------------------------------------------------------------ */

#define SYSCTL_DIR	"/proc/sys/kernel/"
#define MODPARAM_DIR	"/sys/module/sysvipc/parameters/"

static inline int file_read_str(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static inline int file_write_str(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = write(fd, val, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

#define MAX_SAVED 16

struct saved_file {
	char path[192];
	char val[256];
};

static struct saved_file saved_files[MAX_SAVED];
static int n_saved;

/* Remember @path's value (once) so restore_saved() can put it back. */
static inline int save_file(const char *path)
{
	for (int i = 0; i < n_saved; i++)
		if (!strcmp(saved_files[i].path, path))
			return 0;
	if (n_saved >= MAX_SAVED)
		return -1;
	if (file_read_str(path, saved_files[n_saved].val,
			  sizeof(saved_files[n_saved].val)))
		return -1;
	snprintf(saved_files[n_saved].path, sizeof(saved_files[n_saved].path),
		 "%s", path);
	n_saved++;
	return 0;
}

/* Restore in reverse order. */
static inline void restore_saved(void)
{
	for (int i = n_saved - 1; i >= 0; i--)
		if (file_write_str(saved_files[i].path, saved_files[i].val))
			fprintf(stderr, "# failed to restore %s to '%s'\n",
				saved_files[i].path, saved_files[i].val);
	n_saved = 0;
}

/* kernel.<name> */
static inline int sysctl_read(const char *name, char *buf, size_t len)
{
	char path[128];

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	return file_read_str(path, buf, len);
}

static inline unsigned long sysctl_read_ul(const char *name)
{
	char buf[64];

	if (sysctl_read(name, buf, sizeof(buf)))
		return 0;
	return strtoul(buf, NULL, 10);
}

/* Write kernel.<name> after saving its value for teardown. */
static inline int sysctl_set(const char *name, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), SYSCTL_DIR "%s", name);
	if (save_file(path))
		return -1;
	return file_write_str(path, val);
}

static inline int sysctl_set_ul(const char *name, unsigned long v)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lu", v);
	return sysctl_set(name, buf);
}

/* kernel.sem = "SEMMSL SEMMNS SEMOPM SEMMNI" */
struct sem_limits {
	int semmsl, semmns, semopm, semmni;
};

static inline int sem_limits_read(struct sem_limits *l)
{
	char buf[128];

	if (sysctl_read("sem", buf, sizeof(buf)))
		return -1;
	if (sscanf(buf, "%d %d %d %d", &l->semmsl, &l->semmns, &l->semopm,
		   &l->semmni) != 4)
		return -1;
	return 0;
}

static inline int sem_limits_set(const struct sem_limits *l)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%d %d %d %d", l->semmsl, l->semmns,
		 l->semopm, l->semmni);
	return sysctl_set("sem", buf);
}

/* /sys/module/sysvipc/parameters/<name> */
static inline bool modparam_exists(const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), MODPARAM_DIR "%s", name);
	return access(path, F_OK) == 0;
}

static inline long modparam_read(const char *name)
{
	char path[160], buf[64];

	snprintf(path, sizeof(path), MODPARAM_DIR "%s", name);
	if (file_read_str(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static inline int modparam_set(const char *name, unsigned long v)
{
	char path[160], buf[32];

	snprintf(path, sizeof(path), MODPARAM_DIR "%s", name);
	if (save_file(path))
		return -1;
	snprintf(buf, sizeof(buf), "%lu", v);
	return file_write_str(path, buf);
}

/*
 * Lib mode: make sure the module follows the sysctls (all overriding
 * parameters 0), remembering the old values.  No-op natively.
 */
static inline void modparams_follow_sysctl(void)
{
	static const char *const names[] = {
		"shmmax", "shmall", "shmmni", "semmsl", "semmns",
		"semopm", "semmni", "msgmax", "msgmnb", "msgmni",
	};

	if (!is_lib_mode())
		return;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (modparam_exists(names[i]) && modparam_read(names[i]) != 0)
			modparam_set(names[i], 0);
}

/* ------------------------------------------------------------------ */
/* Usage counters, as *_INFO reports them in this mode                */
/* ------------------------------------------------------------------ */

static inline int shm_used_ids(void)
{
	struct shm_info si;

	if (shmctl(0, SHM_INFO, (struct shmid_ds *)&si) < 0)
		return -1;
	return si.used_ids;
}

static inline long shm_tot_pages(void)
{
	struct shm_info si;

	if (shmctl(0, SHM_INFO, (struct shmid_ds *)&si) < 0)
		return -1;
	return (long)si.shm_tot;
}

static inline int sem_sets_used(void)
{
	struct seminfo si;
	union semun u = { .__buf = &si };

	if (semctl(0, 0, SEM_INFO, u) < 0)
		return -1;
	return si.semusz;
}

static inline int sem_sems_used(void)
{
	struct seminfo si;
	union semun u = { .__buf = &si };

	if (semctl(0, 0, SEM_INFO, u) < 0)
		return -1;
	return si.semaem;
}

static inline int msg_queues_used(void)
{
	struct msginfo mi;

	if (msgctl(0, MSG_INFO, (struct msqid_ds *)&mi) < 0)
		return -1;
	return mi.msgpool;
}

/* Is capability @cap in our effective set? (CapEff of /proc/self/status) */
static inline bool have_cap(int cap)
{
	char line[256];
	bool ret = false;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long eff;

		if (sscanf(line, "CapEff: %llx", &eff) == 1) {
			ret = (eff >> cap) & 1;
			break;
		}
	}
	fclose(f);
	return ret;
}

#define CAP_SYS_RESOURCE_BIT	24

/* An address that is not mapped: a page mapped and unmapped again. */
static inline void *unmapped_addr(void)
{
	void *p = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return (void *)1;
	munmap(p, PAGE_SZ);
	return p;
}

/* |t - now| <= slack seconds */
static inline bool time_near_now(long t, long slack)
{
	long now = (long)time(NULL);

	return t >= now - slack && t <= now + slack;
}

/* ------------------------------------------------------------------ */
/* The fixture every test uses                                        */
/* ------------------------------------------------------------------ */

FIXTURE(ipc) {
	int unused;
};

FIXTURE_SETUP(ipc)
{
	tracked_n[0] = tracked_n[1] = tracked_n[2] = 0;
	n_saved = 0;
}

FIXTURE_TEARDOWN(ipc)
{
	cleanup_tracked();
	restore_saved();
}

#endif /* SYSVIPC_SELFTEST_COMMON_H */
