// SPDX-License-Identifier: GPL-2.0
/*
 * The tools against util-linux's: sysvipc-ipcs, sysvipc-ipcrm and
 * sysvipc-ipcmk (build/tools) on the module's objects must print what
 * util-linux's ipcs, ipcrm and ipcmk print on the same objects in the
 * kernel, and so must util-linux's ipcs run with LD_PRELOAD=libsysvipc.so
 * (the /proc/sysvipc redirect).  Lib mode only; SKIP natively.
 *
 * The test runs in a new IPC namespace, so the kernel side holds only what
 * it makes; the module (one global registry) must hold nothing else.  The
 * same objects are made twice by this process — in the kernel with the raw
 * syscalls, in the module through the library — with the same keys, sizes
 * and operations, so creator and last-operation pids agree too.  Outputs
 * are compared after masking what legitimately differs: ids (mapped to
 * their creation order, keeping the column width), clock times, random
 * ipcmk keys and the program name.
 */
#include <ctype.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sysvipc.h>

#include "common.h"

#define MAXIDS	32
#define KEYBASE	0x5e1f0000

enum { NAT, MOD };

static char top[PATH_MAX];
enum fam { SHM, SEM, MSG, NOFAM };
/*
 * ids per side, in creation order; the same index names the same object.
 * Ids are per family (a segment and a queue may both have id 0).
 */
static int ids[2][MAXIDS];
static enum fam fams[MAXIDS];
static int nids;

static int add_ids(enum fam f, int nat, int mod)
{
	fams[nids] = f;
	ids[NAT][nids] = nat;
	ids[MOD][nids] = mod;
	return nids++;
}

/* What normalize() remembers from line to line. */
struct norm_state {
	enum fam fam;		/* of the section or message at hand */
	bool semtable;		/* in the semnum table of ipcs -s -i */
};

/* The kernel's own calls, bypassing the library. */
static long k_shmget(key_t k, size_t sz, int f) { return syscall(SYS_shmget, k, sz, f); }
static long k_semget(key_t k, int n, int f) { return syscall(SYS_semget, k, n, f); }
static long k_msgget(key_t k, int f) { return syscall(SYS_msgget, k, f); }

static bool setup_top(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return false;
	exe[n] = 0;
	/* selftests/out/lib/tools_test */
	snprintf(top, sizeof(top), "%s", dirname(dirname(dirname(dirname(exe)))));
	return true;
}

/* Replace s[at, at+len) by @rep, keeping a run of following spaces so that
 * the field keeps its width. */
static void replace_field(char *s, size_t at, size_t len, const char *rep)
{
	size_t sp = 0, rl = strlen(rep), total, pad;
	char tail[4096];

	while (s[at + len + sp] == ' ')
		sp++;
	total = len + sp;
	pad = sp ? (total > rl ? total - rl : 1) : 0;
	snprintf(tail, sizeof(tail), "%s", s + at + len + sp);
	snprintf(s + at, 4096 - at, "%s%*s%s", rep, (int)pad, "", tail);
}

static void map_id(char *s, size_t at, int side, enum fam fam)
{
	size_t len = 0;
	char rep[16];
	long v;
	int i;

	while (isdigit((unsigned char)s[at + len]))
		len++;
	if (!len)
		return;
	v = strtol(s + at, NULL, 10);
	snprintf(rep, sizeof(rep), "ID?");
	for (i = 0; i < nids; i++)
		if (fams[i] == fam && ids[side][i] == v)
			snprintf(rep, sizeof(rep), "ID%d", i);
	if (v == 99999)		/* the "no such id" of the error cases */
		return;
	replace_field(s, at, len, rep);
}

/* Mask what may differ on one output line. */
static void normalize(char *s, int side, struct norm_state *st)
{
	static const char *const famwords[3][2] = {
		{ "hared memory", "hared Memory" },
		{ "emaphore", "emaphore" },
		{ "essage", "essage" },
	};
	static const char *const names[] = { "sysvipc-ipcs", "sysvipc-ipcrm",
					     "sysvipc-ipcmk" };
	char *p;
	size_t i;
	unsigned int k;

	for (i = 0; i < 3; i++)
		while ((p = strstr(s, names[i])))
			memmove(p, p + 8, strlen(p + 8) + 1);
	for (p = s; (p = strchr(p, ':')); p++)	/* HH:MM:SS */
		if (p - s >= 2 && isdigit((unsigned char)p[-1]) &&
		    isdigit((unsigned char)p[1]) && p[3] == ':')
			memcpy(p - 2, "TT:TT:TT", 8);
	/* keys not made by this test come from ipcmk: random */
	for (p = s; (p = strstr(p, "0x")); p += 2)
		if (sscanf(p, "0x%8x", &k) == 1 && k && (k & ~0xffffu) != KEYBASE &&
		    isxdigit((unsigned char)p[9]))
			memcpy(p + 2, "RANDOMKY", 8);

	for (i = 0; i < 3; i++)
		if (strstr(s, famwords[i][0]) || strstr(s, famwords[i][1]))
			st->fam = i;
	if (!strncmp(s, "semnum", 6))
		st->semtable = true;
	if (!*s || *s == '\n')
		st->semtable = false;
	if (!strncmp(s, "0x", 2)) {		/* key, id, ... */
		p = strchr(s, ' ');
		if (p)
			map_id(s, p + 1 - s, side, st->fam);
	} else if (isdigit((unsigned char)*s) && !st->semtable) {
		map_id(s, 0, side, st->fam);	/* id first: -c -t -p */
	}
	if ((p = strstr(s, "shmid=")) || (p = strstr(s, "msqid=")) ||
	    (p = strstr(s, "semid=")) || (p = strstr(s, "id: ")) ||
	    (p = strstr(s, "id `")))
		map_id(s, strcspn(p, "0123456789") + (p - s), side, st->fam);
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool object_row(const char *l)
{
	return !strncmp(l, "0x", 2) || !strncmp(l, "ID", 2) ||
	       isdigit((unsigned char)*l);
}

/*
 * Run @cmd through sh: stdout and stderr together, normalized, plus the
 * exit status.  Object rows are sorted within each block: both sides list
 * by index, and indexes are handed out cyclically from where earlier tests
 * left the registry, so the order of equal objects may differ legitimately.
 */
static char *run(const char *cmd, int side)
{
	struct norm_state ns = { .fam = NOFAM };
	char line[4096], **lines = NULL, *out;
	size_t n = 0, i, j, len = 0;
	FILE *f;
	int st;

	f = popen(cmd, "r");
	if (!f)
		return strdup("popen failed\n");
	while (fgets(line, sizeof(line) - 64, f)) {
		normalize(line, side, &ns);
		lines = realloc(lines, (n + 1) * sizeof(*lines));
		lines[n++] = strdup(line);
	}
	st = pclose(f);
	for (i = 0; i < n; i = j + 1) {
		for (j = i; j < n && object_row(lines[j]); j++)
			;
		qsort(lines + i, j - i, sizeof(*lines), cmp_lines);
	}
	snprintf(line, sizeof(line), "exit=%d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	for (i = 0; i < n; i++)
		len += strlen(lines[i]);
	out = malloc(len + strlen(line) + 1);
	out[0] = 0;
	for (i = 0; i < n; i++) {
		strcat(out, lines[i]);
		free(lines[i]);
	}
	strcat(out, line);
	free(lines);
	return out;
}

/* @args with %N replaced by the id of object N on @side. */
static void expand(char *buf, size_t sz, const char *args, int side)
{
	size_t o = 0;

	for (; *args && o < sz - 16; args++) {
		if (*args == '%' && isdigit((unsigned char)args[1])) {
			o += snprintf(buf + o, sz - o, "%d",
				      ids[side][strtol(args + 1, NULL, 10)]);
			while (isdigit((unsigned char)args[1]))
				args++;
		} else {
			buf[o++] = *args;
		}
	}
	buf[o] = 0;
}

/*
 * util-linux's @tool with @args on the kernel's objects against ours (and,
 * for ipcs, util-linux's under LD_PRELOAD on the module's): 0 when equal.
 */
static int compare(struct __test_metadata *_metadata, const char *tool,
		   const char *args)
{
	char a[512], cmd[3][2 * PATH_MAX + 1024];
	char *out[3];
	int i, bad = 0, n = strcmp(tool, "ipcs") ? 2 : 3;

	expand(a, sizeof(a), args, NAT);
	snprintf(cmd[0], sizeof(cmd[0]), "env -u LD_PRELOAD LC_ALL=C %s %s 2>&1", tool, a);
	expand(a, sizeof(a), args, MOD);
	snprintf(cmd[1], sizeof(cmd[1]), "env -u LD_PRELOAD LC_ALL=C PATH=%s/build/tools:$PATH sysvipc-%s %s 2>&1",
		 top, tool, a);
	snprintf(cmd[2], sizeof(cmd[2]), "env LC_ALL=C LD_PRELOAD=%s/libsysvipc/libsysvipc.so.1 %s %s 2>&1",
		 top, tool, a);
	for (i = 0; i < n; i++) {
		if (getenv("TOOLS_TEST_DEBUG"))
			fprintf(stderr, "# run %s\n", cmd[i]);
		out[i] = run(cmd[i], i ? MOD : NAT);
	}
	for (i = 1; i < n; i++) {
		if (!strcmp(out[0], out[i]))
			continue;
		bad++;
		TH_LOG("%s %s differs:\n--- %s\n%s--- %s\n%s", tool, args,
		       cmd[0], out[0], cmd[i], out[i]);
	}
	for (i = 0; i < n; i++)
		free(out[i]);
	return bad;
}

/* What both sides hold before the test: must be nothing in the module. */
static bool module_empty(void)
{
	struct shm_info si;
	struct seminfo se;
	struct msginfo mi;
	union semun arg = { .__buf = &se };

	if (shmctl(0, SHM_INFO, (struct shmid_ds *)&si) < 0 ||
	    semctl(0, 0, SEM_INFO, arg) < 0 ||
	    msgctl(0, MSG_INFO, (struct msqid_ds *)&mi) < 0)
		return false;
	return !si.used_ids && !se.semusz && !mi.msgpool;
}

/*
 * The same objects on both sides: segments (one attached and written, one
 * removed while attached), semaphore sets (one operated on), queues (one
 * with messages); some private, one with mode 0 and one owned by others.
 */
static int make_objects(struct __test_metadata *_metadata)
{
	struct { long mtype; char t[2000]; } m = { 1, "hello" };
	struct sembuf op = { 0, 2, 0 };
	union semun arg;
	struct shmid_ds ds;
	int nat, mod, i;
	void *pn, *pm;

	/* 0: attached, 3 pages touched */
	nat = k_shmget(KEYBASE + 1, 3 * 4096 + 100, IPC_CREAT | 0640);
	mod = shmget(KEYBASE + 1, 3 * 4096 + 100, IPC_CREAT | 0640);
	ASSERT_GE(nat, 0);
	ASSERT_GE(mod, 0);
	i = add_ids(SHM, nat, mod);
	pn = (void *)syscall(SYS_shmat, ids[NAT][i], NULL, 0);
	pm = shmat(ids[MOD][i], NULL, 0);
	ASSERT_NE(pn, (void *)-1);
	ASSERT_NE(pm, (void *)-1);
	memset(pn, 1, 3 * 4096);
	memset(pm, 1, 3 * 4096);
	/* 1: private, 1 MiB and a bit (human sizes) */
	add_ids(SHM, k_shmget(IPC_PRIVATE, 1048000, 0600), shmget(IPC_PRIVATE, 1048000, 0600));
	/* 2: removed while attached: "dest", key gone */
	nat = k_shmget(KEYBASE + 2, 8192, IPC_CREAT | 0666);
	mod = shmget(KEYBASE + 2, 8192, IPC_CREAT | 0666);
	i = add_ids(SHM, nat, mod);
	ASSERT_NE((void *)syscall(SYS_shmat, nat, NULL, SHM_RDONLY), (void *)-1);
	ASSERT_NE(shmat(mod, NULL, SHM_RDONLY), (void *)-1);
	ASSERT_EQ(0, syscall(SYS_shmctl, nat, IPC_RMID, NULL));
	ASSERT_EQ(0, shmctl(mod, IPC_RMID, NULL));
	/* 3: owned by uid/gid 12345 (no passwd entry: numeric), mode 0 */
	nat = k_shmget(KEYBASE + 3, 1, IPC_CREAT);
	mod = shmget(KEYBASE + 3, 1, IPC_CREAT);
	add_ids(SHM, nat, mod);
	ASSERT_EQ(0, syscall(SYS_shmctl, nat, IPC_STAT, &ds));
	ds.shm_perm.uid = 12345;
	ds.shm_perm.gid = 12345;
	ASSERT_EQ(0, syscall(SYS_shmctl, nat, IPC_SET, &ds));
	ASSERT_EQ(0, shmctl(mod, IPC_STAT, &ds));
	ds.shm_perm.uid = 12345;
	ds.shm_perm.gid = 12345;
	ASSERT_EQ(0, shmctl(mod, IPC_SET, &ds));

	/* 4: a set of 4, operated on; 5: private set of 1 */
	nat = k_semget(KEYBASE + 4, 4, IPC_CREAT | 0600);
	mod = semget(KEYBASE + 4, 4, IPC_CREAT | 0600);
	ASSERT_GE(nat, 0);
	ASSERT_GE(mod, 0);
	add_ids(SEM, nat, mod);
	ASSERT_EQ(0, syscall(SYS_semtimedop, nat, &op, 1, NULL));
	ASSERT_EQ(0, semop(mod, &op, 1));
	arg.val = 7;
	ASSERT_EQ(0, syscall(SYS_semctl, nat, 3, SETVAL, arg));
	ASSERT_EQ(0, semctl(mod, 3, SETVAL, arg));
	add_ids(SEM, k_semget(IPC_PRIVATE, 1, 0444), semget(IPC_PRIVATE, 1, 0444));

	/* 6: a queue with two messages; 7: an empty private one */
	nat = k_msgget(KEYBASE + 6, IPC_CREAT | 0620);
	mod = msgget(KEYBASE + 6, IPC_CREAT | 0620);
	ASSERT_GE(nat, 0);
	ASSERT_GE(mod, 0);
	add_ids(MSG, nat, mod);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, syscall(SYS_msgsnd, nat, &m, 1500 * i + 6, 0));
		ASSERT_EQ(0, msgsnd(mod, &m, 1500 * i + 6, 0));
	}
	add_ids(MSG, k_msgget(IPC_PRIVATE, 0600), msgget(IPC_PRIVATE, 0600));
	for (i = 0; i < nids; i++) {
		ASSERT_GE(ids[NAT][i], 0);
		ASSERT_GE(ids[MOD][i], 0);
	}
	return 0;
}

FIXTURE(tools) {
	bool ready;
};

FIXTURE_SETUP(tools)
{
	self->ready = false;
	if (!is_lib_mode())
		SKIP(return, "compares the module's tools with util-linux: lib mode only");
	if (sysvipc_active() != 1)
		SKIP(return, "no /dev/sysvipc");
	if (access("/usr/bin/ipcs", X_OK) || access("/usr/bin/ipcmk", X_OK))
		SKIP(return, "util-linux ipcs/ipcmk missing");
	ASSERT_TRUE(setup_top());
	ASSERT_EQ(0, unshare(CLONE_NEWIPC)) TH_LOG("unshare: %s", strerror(errno));
	if (!module_empty())
		SKIP(return, "the module holds objects of another test");
	nids = 0;
	ASSERT_EQ(0, make_objects(_metadata));
	self->ready = true;
}

FIXTURE_TEARDOWN(tools)
{
	if (self->ready) {
		/* ipcrm -a on both sides, so the module is empty again */
		char cmd[PATH_MAX + 64];

		if (system("env -u LD_PRELOAD ipcrm -a >/dev/null 2>&1"))
			TH_LOG("ipcrm -a failed");
		snprintf(cmd, sizeof(cmd), "%s/build/tools/sysvipc-ipcrm -a >/dev/null 2>&1", top);
		if (system(cmd))
			TH_LOG("sysvipc-ipcrm -a failed");
	}
}

TEST_F_TIMEOUT(tools, ipcs_views, 600)
{
	static const char *const opts[] = {
		"", "-a", "-m", "-q", "-s", "-b", "--human", "-m --human",
		"-q --human", "-m -b", "-l", "-l -b", "-l --human", "-u",
		"-u -b", "-u --human", "-c", "-m -c", "-t", "-q -t", "-s -t",
		"-p", "-m -p", "-s -p", "-a -c -b", "--shmems --queues",
		"-m -i %0", "-m -i %1 --human", "-m -i %2", "-m -i %3",
		"-s -i %4", "-s -i %5", "-q -i %6", "-q -i %6 --human",
		"-q -i %7 -b", "-m -i 99999", "-i %0", "-m -q -i %0",
		"-m -i abc", "-x", "-V",
	};
	int bad = 0;
	size_t i;

	if (!self->ready)
		SKIP(return, "not set up");
	for (i = 0; i < ARRAY_SIZE(opts); i++) {
		if (!strcmp(opts[i], "-V"))
			continue;	/* the version strings differ on purpose */
		bad += compare(_metadata, "ipcs", opts[i]);
	}
	EXPECT_EQ(0, bad);
}

TEST_F_TIMEOUT(tools, ipcmk, 600)
{
	static const char *const opts[] = {
		"-M 4096", "-S 3 -p 600", "-Q -p 0640", "-M 1.5K -S 2 -Q",
		"-M 2KiB", "-M 1MB", "", "-M abc", "-S x", "-S 0", "-p 9 -Q",
		"-M 0", "-x",
	};
	int bad = 0;
	size_t i;

	if (!self->ready)
		SKIP(return, "not set up");
	for (i = 0; i < ARRAY_SIZE(opts); i++)
		bad += compare(_metadata, "ipcmk", opts[i]);
	/* and what they made, listed (random keys masked) */
	bad += compare(_metadata, "ipcs", "");
	bad += compare(_metadata, "ipcs", "-c");
	EXPECT_EQ(0, bad);
}

TEST_F_TIMEOUT(tools, ipcrm, 600)
{
	static const char *const opts[] = {
		"-m 99999", "-m abc", "-M 0x5e1f0063", "-M 0", "-M zz",
		"-v -M 0x5e1f0003", "-q %7 -s %5", "shm 99999 %1", "shm",
		"-S 0x5e1f0004 -Q 0x5e1f0006", "-a=foo", "foo", "-x", "-m %2",
		"-v -a shm", "",
	};
	int bad = 0;
	size_t i;

	if (!self->ready)
		SKIP(return, "not set up");
	for (i = 0; i < ARRAY_SIZE(opts); i++)
		bad += compare(_metadata, "ipcrm", opts[i]);
	bad += compare(_metadata, "ipcs", "");
	bad += compare(_metadata, "ipcrm", "--all");
	bad += compare(_metadata, "ipcs", "-a");
	EXPECT_EQ(0, bad);
}

TEST_HARNESS_MAIN
