// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Helpers shared by the sysvipc tools; see ipc-common.h.
 */
#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <locale.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sysvipc.h>

#include "ipc-common.h"

#ifndef SEMVMX
#define SEMVMX	32767
#endif

/*
 * The module's status files when this process uses the module, else the
 * kernel's.  (libsysvipc would redirect the kernel's paths by itself; being
 * explicit keeps the tools right if that ever changes.)
 */
const char *ipc_proc_path(enum ipc_family f)
{
	static const char *const kernel[] = {
		"/proc/sysvipc/shm", "/proc/sysvipc/sem", "/proc/sysvipc/msg",
	};
	static const char *const module[] = {
		"/proc/driver/sysvipc/shm", "/proc/driver/sysvipc/sem",
		"/proc/driver/sysvipc/msg",
	};

	return sysvipc_active() == 1 ? module[f] : kernel[f];
}

static int parse_line(enum ipc_family f, const char *buf, struct ipc_obj *o)
{
	memset(o, 0, sizeof(*o));
	switch (f) {
	case IPC_SHM:
		return sscanf(buf, "%d %d %o %" SCNu64 " %u %u %" SCNu64
			      " %u %u %u %u %" SCNi64 " %" SCNi64 " %" SCNi64,
			      &o->key, &o->id, &o->mode, &o->size, &o->pid1,
			      &o->pid2, &o->count, &o->uid, &o->gid, &o->cuid,
			      &o->cgid, &o->time1, &o->time2, &o->time3) >= 14;
	case IPC_SEM:
		return sscanf(buf, "%d %d %o %" SCNu64 " %u %u %u %u %" SCNi64
			      " %" SCNi64, &o->key, &o->id, &o->mode, &o->size,
			      &o->uid, &o->gid, &o->cuid, &o->cgid, &o->time1,
			      &o->time2) == 10;
	case IPC_MSG:
		return sscanf(buf, "%d %d %o %" SCNu64 " %" SCNu64
			      " %u %u %u %u %u %u %" SCNi64 " %" SCNi64
			      " %" SCNi64, &o->key, &o->id, &o->mode, &o->size,
			      &o->count, &o->pid1, &o->pid2, &o->uid, &o->gid,
			      &o->cuid, &o->cgid, &o->time1, &o->time2,
			      &o->time3) == 14;
	}
	return 0;
}

static void ipc_perm_to_obj(const struct ipc_perm *p, int id,
			    struct ipc_obj *o)
{
	memset(o, 0, sizeof(*o));
	o->key = p->__key;
	o->id = id;
	o->mode = p->mode;
	o->uid = p->uid;
	o->gid = p->gid;
	o->cuid = p->cuid;
	o->cgid = p->cgid;
}

/* Without the status file: the *_STAT calls, index by index. */
static int stat_obj(enum ipc_family f, int idx, struct ipc_obj *o)
{
	struct shmid_ds shm;
	struct semid_ds sem;
	struct msqid_ds msq;
	union semun arg;
	int id;

	switch (f) {
	case IPC_SHM:
		id = shmctl(idx, SHM_STAT, &shm);
		if (id < 0)
			return id;
		ipc_perm_to_obj(&shm.shm_perm, id, o);
		o->size = shm.shm_segsz;
		o->count = shm.shm_nattch;
		o->pid1 = shm.shm_cpid;
		o->pid2 = shm.shm_lpid;
		o->time1 = shm.shm_atime;
		o->time2 = shm.shm_dtime;
		o->time3 = shm.shm_ctime;
		return id;
	case IPC_SEM:
		arg.buf = &sem;
		id = semctl(idx, 0, SEM_STAT, arg);
		if (id < 0)
			return id;
		ipc_perm_to_obj(&sem.sem_perm, id, o);
		o->size = sem.sem_nsems;
		o->time1 = sem.sem_otime;
		o->time2 = sem.sem_ctime;
		return id;
	case IPC_MSG:
		id = msgctl(idx, MSG_STAT, &msq);
		if (id < 0)
			return id;
		ipc_perm_to_obj(&msq.msg_perm, id, o);
		o->size = msq.__msg_cbytes;
		o->count = msq.msg_qnum;
		o->pid1 = msq.msg_lspid;
		o->pid2 = msq.msg_lrpid;
		o->time1 = msq.msg_stime;
		o->time2 = msq.msg_rtime;
		o->time3 = msq.msg_ctime;
		o->qbytes = msq.msg_qbytes;
		return id;
	}
	return -1;
}

static int max_idx(enum ipc_family f)
{
	struct shm_info shm;
	struct seminfo sem;
	struct msginfo msg;
	union semun arg = { .__buf = &sem };

	switch (f) {
	case IPC_SHM:
		return shmctl(0, SHM_INFO, (struct shmid_ds *)&shm);
	case IPC_SEM:
		return semctl(0, 0, SEM_INFO, arg);
	case IPC_MSG:
		return msgctl(0, MSG_INFO, (struct msqid_ds *)&msg);
	}
	return -1;
}

static struct ipc_obj *grow(struct ipc_obj *objs, int n)
{
	objs = realloc(objs, (n + 1) * sizeof(*objs));
	if (!objs)
		err(EXIT_FAILURE, "cannot allocate memory");
	return objs;
}

int ipc_get_objs(enum ipc_family f, int id, struct ipc_obj **objsp)
{
	struct ipc_obj *objs = grow(NULL, 0), o;
	struct msqid_ds msq;
	char buf[BUFSIZ];
	int n = 0, i, maxid;
	FILE *fp;

	fp = fopen(ipc_proc_path(f), "r");
	if (fp) {
		if (!fgets(buf, sizeof(buf), fp))	/* the header */
			buf[0] = 0;
		while (fgets(buf, sizeof(buf), fp)) {
			if (!parse_line(f, buf, &o))
				continue;
			if (id >= 0 && o.id != id)
				continue;
			if (f == IPC_MSG && id >= 0 &&
			    msgctl(id, IPC_STAT, &msq) != -1)
				o.qbytes = msq.msg_qbytes;
			objs = grow(objs, n);
			objs[n++] = o;
			if (id >= 0)
				break;
		}
		fclose(fp);
	} else {
		maxid = max_idx(f);
		for (i = 0; i <= maxid; i++) {
			if (stat_obj(f, i, &o) < 0 || (id >= 0 && o.id != id))
				continue;
			objs = grow(objs, n);
			objs[n++] = o;
			if (id >= 0)
				break;
		}
	}
	*objsp = objs;
	return n;
}

/*
 * Limits in force for this process's objects: what IPC_INFO says (the
 * module's limits when it is in use, which follow the sysctls unless its
 * parameters override them; the kernel's otherwise).
 */
int ipc_shm_limits(struct ipc_limits *lim)
{
	struct shminfo info;

	if (shmctl(0, IPC_INFO, (struct shmid_ds *)&info) < 0)
		return 1;
	lim->shmmni = info.shmmni;
	lim->shmmax = info.shmmax;
	lim->shmall = info.shmall;
	lim->shmmin = 1;	/* SHMMIN */
	return 0;
}

int ipc_sem_limits(struct ipc_limits *lim)
{
	struct seminfo info;
	union semun arg = { .__buf = &info };

	if (semctl(0, 0, IPC_INFO, arg) < 0)
		return 1;
	lim->semmni = info.semmni;
	lim->semmsl = info.semmsl;
	lim->semmns = info.semmns;
	lim->semopm = info.semopm;
	lim->semvmx = SEMVMX;
	return 0;
}

int ipc_msg_limits(struct ipc_limits *lim)
{
	struct msginfo info;

	if (msgctl(0, IPC_INFO, (struct msqid_ds *)&info) < 0)
		return 1;
	lim->msgmni = info.msgmni;
	lim->msgmnb = info.msgmnb;
	lim->msgmax = info.msgmax;
	return 0;
}

/* ctime(3) of a 64-bit time, in a static buffer. */
char *ipc_ctime(int64_t t)
{
	static char buf[64];
	time_t tt = t;

	if (!ctime_r(&tt, buf))
		snprintf(buf, sizeof(buf), "%" PRId64 "\n", t);
	return buf;
}

/* util-linux's size_to_human_string(SIZE_SUFFIX_1LETTER, ...): "1.5K". */
char *ipc_human_size(uint64_t bytes)
{
	static const char letters[] = "BKMGTPE";
	struct lconv const *l;
	const char *dp;
	char buf[32], *s;
	uint64_t frac;
	int exp = 0, dec;

	while (exp < 60 && bytes >= 1ULL << (exp + 10))
		exp += 10;
	dec = exp ? bytes >> exp : bytes;
	frac = exp ? bytes & ((1ULL << exp) - 1) : 0;
	if (frac) {
		/* three digits after the point, then rounded to one */
		if (frac >= UINT64_MAX / 1000)
			frac = ((frac / 1024) * 1000) / (1ULL << (exp - 10));
		else
			frac = (frac * 1000) / (1ULL << exp);
		frac = (frac + 50) / 100;
		if (frac == 10) {
			dec++;
			frac = 0;
		}
	}
	if (frac) {
		l = localeconv();
		dp = l && l->decimal_point && *l->decimal_point ?
			l->decimal_point : ".";
		snprintf(buf, sizeof(buf), "%d%s%" PRIu64 "%c", dec, dp, frac,
			 letters[exp / 10]);
	} else {
		snprintf(buf, sizeof(buf), "%d%c", dec, letters[exp / 10]);
	}
	s = strdup(buf);
	if (!s)
		err(EXIT_FAILURE, "cannot allocate memory");
	return s;
}

/*
 * "msg (bytes) = N<end>" and friends: @msg ending in '=' is printed as is,
 * NULL prints the value only, @width pads it (negative: to the left).
 */
void ipc_print_size(int unit, const char *msg, uint64_t size, const char *end,
		    int width)
{
	char *h;

	if (!msg)
		;
	else if (msg[strlen(msg) - 1] == '=')
		printf("%s", msg);
	else if (unit == IPC_UNIT_BYTES)
		printf("%s (bytes) = ", msg);
	else if (unit == IPC_UNIT_KB)
		printf("%s (kbytes) = ", msg);
	else
		printf("%s = ", msg);

	switch (unit) {
	case IPC_UNIT_DEFAULT:
	case IPC_UNIT_BYTES:
		printf("%*" PRIu64, width, size);
		break;
	case IPC_UNIT_KB:
		printf("%*" PRIu64, width, size / 1024);
		break;
	case IPC_UNIT_HUMAN:
		h = ipc_human_size(size);
		printf("%*s", width, h);
		free(h);
		break;
	}
	if (end)
		printf("%s", end);
}

static void print_user(unsigned int uid, const char *end)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		printf(" %-10s%s", pw->pw_name, end);
	else
		printf(" %-10u%s", uid, end);
}

static void print_group(unsigned int gid, const char *end)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		printf(" %-10s%s", gr->gr_name, end);
	else
		printf(" %-10u%s", gid, end);
}

/* The -c line: id, perms, cuid, cgid, uid, gid. */
void ipc_print_perms(const struct ipc_obj *o)
{
	printf("%-10d %-10o", o->id, o->mode & 0777);
	print_user(o->cuid, "");
	print_group(o->cgid, "");
	print_user(o->uid, "");
	print_group(o->gid, "\n");
}

int32_t strtos32_or_err(const char *str, const char *msg)
{
	char *end = NULL;
	long long v;

	errno = 0;
	v = strtoll(str, &end, 10);
	if (!errno && (v < INT32_MIN || v > INT32_MAX))
		errno = ERANGE;
	if (errno || str == end || (end && *end)) {
		if (errno == ERANGE)
			err(EXIT_FAILURE, "%s: '%s'", msg, str);
		errx(EXIT_FAILURE, "%s: '%s'", msg, str);
	}
	return v;
}

/*
 * util-linux's strtosize(): a number, optionally with a fraction, and a
 * suffix K, M, G, T, P, E, Z or Y (powers of 1024), "KiB" likewise, "KB"
 * for powers of 1000.
 */
static int parse_size(const char *str, uint64_t *res)
{
	const char *p, *suf = "KMGTPEZY";
	uint64_t x, base = 1024, mult = 1, frac = 0, fdiv = 1;
	char *end;
	int pwr = 0, i;

	for (p = str; isspace((unsigned char)*p); p++)
		;
	if (*p == '-')
		return -EINVAL;
	errno = 0;
	x = strtoull(str, &end, 0);
	if (end == str)
		return -EINVAL;
	if (errno)
		return -errno;
	if (*end == '.' || *end == ',') {
		for (p = end + 1; isdigit((unsigned char)*p); p++) {
			if (fdiv < 100000000000000000ULL) {
				frac = frac * 10 + (*p - '0');
				fdiv *= 10;
			}
		}
		end = (char *)p;
	}
	if (*end) {
		p = strchr(suf, toupper((unsigned char)*end));
		if (!p)
			return -EINVAL;
		pwr = p - suf + 1;
		end++;
		if (*end == 'i' && end[1] == 'B')
			end += 2;
		else if (*end == 'B') {
			base = 1000;
			end++;
		}
		if (*end)
			return -EINVAL;
	}
	for (i = 0; i < pwr; i++) {
		if (mult > UINT64_MAX / base)
			return -ERANGE;
		mult *= base;
	}
	if (x && mult > UINT64_MAX / x)
		return -ERANGE;
	*res = x * mult + (uint64_t)((long double)frac * mult / fdiv);
	return 0;
}

uint64_t strtosize_or_err(const char *str, const char *msg)
{
	uint64_t v;
	int rc = parse_size(str, &v);

	if (rc) {
		errno = -rc;
		err(EXIT_FAILURE, "%s: '%s'", msg, str);
	}
	return v;
}

void errtryhelp(int status)
{
	fprintf(stderr, "Try '%s --help' for more information.\n",
		program_invocation_short_name);
	exit(status);
}

void print_version(void)
{
	printf("%s from sysvipc %s\n", program_invocation_short_name,
	       SYSVIPC_TOOLS_VERSION);
	exit(EXIT_SUCCESS);
}
