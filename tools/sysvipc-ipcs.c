// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysvipc-ipcs: util-linux 2.38's ipcs(1) for the sysvipc module's objects.
 * Same options, same output; linked to libsysvipc, so it lists the module's
 * objects when /dev/sysvipc exists and the kernel's otherwise.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <locale.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "ipc-common.h"

enum { NOTSPECIFIED, LIMITS, STATUS, CREATOR, TIME, PID };
enum { OPT_HUMAN = CHAR_MAX + 1 };

static void usage(void)
{
	const char *n = program_invocation_short_name;

	printf("\nUsage:\n %s [resource-option...] [output-option]\n"
	       " %s -m|-q|-s -i <id>\n\n", n, n);
	fputs("Show information on IPC facilities.\n\n"
	      "Options:\n"
	      " -i, --id <id>  print details on resource identified by <id>\n"
	      " -h, --help     display this help\n"
	      " -V, --version  display version\n\n"
	      "Resource options:\n"
	      " -m, --shmems      shared memory segments\n"
	      " -q, --queues      message queues\n"
	      " -s, --semaphores  semaphores\n"
	      " -a, --all         all (default)\n\n"
	      "Output options:\n"
	      " -t, --time        show attach, detach and change times\n"
	      " -p, --pid         show PIDs of creator and last operator\n"
	      " -c, --creator     show creator and owner\n"
	      " -l, --limits      show resource limits\n"
	      " -u, --summary     show status summary\n"
	      "     --human       show sizes in human-readable format\n"
	      " -b, --bytes       show sizes in bytes\n", stdout);
	printf("\nFor more details see %s(1).\n", n);
	exit(EXIT_SUCCESS);
}

/* "%-10d %-10.10s": the id and the owner's name (or uid). */
static void print_id_owner(const char *idfmt, const struct ipc_obj *o)
{
	struct passwd *pw = getpwuid(o->uid);

	printf(idfmt, o->id);
	if (pw)
		printf(" %-10.10s", pw->pw_name);
	else
		printf(" %-10u", o->uid);
}

/* " %-20.16s": a time without weekday and year, or "Not set". */
static void print_short_time(int64_t t, const char *end)
{
	printf(" %-20.16s%s", t ? ipc_ctime(t) + 4 : "Not set", end);
}

static void do_shm(int format, int unit)
{
	struct ipc_limits lim;
	struct shm_info info;
	struct ipc_obj *objs, *o;
	uint64_t tmp, pgsz = getpagesize();
	int n, i;

	switch (format) {
	case LIMITS:
		if (ipc_shm_limits(&lim)) {
			printf("unable to fetch shared memory limits\n");
			return;
		}
		printf("------ Shared Memory Limits --------\n");
		printf("max number of segments = %ju\n", (uintmax_t)lim.shmmni);
		ipc_print_size(unit == IPC_UNIT_DEFAULT ? IPC_UNIT_KB : unit,
			       "max seg size", lim.shmmax, "\n", 0);
		if (unit == IPC_UNIT_KB || unit == IPC_UNIT_DEFAULT) {
			tmp = lim.shmall * (pgsz / 1024);
			if (lim.shmall && tmp / lim.shmall != pgsz / 1024)
				tmp = UINT64_MAX - (UINT64_MAX % (pgsz / 1024));
			ipc_print_size(IPC_UNIT_DEFAULT,
				       "max total shared memory (kbytes)", tmp,
				       "\n", 0);
		} else {
			tmp = lim.shmall * pgsz;
			if (lim.shmall && tmp / lim.shmall != pgsz)
				tmp = UINT64_MAX - (UINT64_MAX % pgsz);
			ipc_print_size(unit, "max total shared memory", tmp,
				       "\n", 0);
		}
		ipc_print_size(unit == IPC_UNIT_DEFAULT ? IPC_UNIT_BYTES : unit,
			       "min seg size", lim.shmmin, "\n", 0);
		return;
	case STATUS:
		if (shmctl(0, SHM_INFO, (struct shmid_ds *)&info) < 0) {
			printf("kernel not configured for shared memory\n");
			return;
		}
		printf("------ Shared Memory Status --------\n");
		printf("segments allocated %d\n"
		       "pages allocated %ld\n"
		       "pages resident  %ld\n"
		       "pages swapped   %ld\n"
		       "Swap performance: %ld attempts\t %ld successes\n",
		       info.used_ids, (long)info.shm_tot, (long)info.shm_rss,
		       (long)info.shm_swp, (long)info.swap_attempts,
		       (long)info.swap_successes);
		return;
	case CREATOR:
		printf("------ Shared Memory Segment Creators/Owners --------\n");
		printf("%-10s %-10s %-10s %-10s %-10s %-10s\n",
		       "shmid", "perms", "cuid", "cgid", "uid", "gid");
		break;
	case TIME:
		printf("------ Shared Memory Attach/Detach/Change Times --------\n");
		printf("%-10s %-10s %-20s %-20s %-20s\n",
		       "shmid", "owner", "attached", "detached", "changed");
		break;
	case PID:
		printf("------ Shared Memory Creator/Last-op PIDs --------\n");
		printf("%-10s %-10s %-10s %-10s\n",
		       "shmid", "owner", "cpid", "lpid");
		break;
	default:
		printf("------ Shared Memory Segments --------\n");
		printf("%-10s %-10s %-10s %-10s %-10s %-10s %-12s\n",
		       "key", "shmid", "owner", "perms",
		       unit == IPC_UNIT_HUMAN ? "size" : "bytes",
		       "nattch", "status");
		break;
	}

	n = ipc_get_objs(IPC_SHM, -1, &objs);
	for (i = 0; i < n; i++) {
		o = &objs[i];
		switch (format) {
		case CREATOR:
			ipc_print_perms(o);
			break;
		case TIME:
			print_id_owner("%-10d", o);
			print_short_time(o->time1, "");
			print_short_time(o->time2, "");
			print_short_time(o->time3, "\n");
			break;
		case PID:
			print_id_owner("%-10d", o);
			printf(" %-10u %-10u\n", o->pid1, o->pid2);
			break;
		default:
			printf("0x%08x ", o->key);
			print_id_owner("%-10d", o);
			printf(" %-10o ", o->mode & 0777);
			if (unit == IPC_UNIT_HUMAN)
				ipc_print_size(unit, NULL, o->size, "    ", 6);
			else
				ipc_print_size(unit, NULL, o->size, NULL, -10);
			printf(" %-10ju %-6s %-6s\n", (uintmax_t)o->count,
			       o->mode & SHM_DEST ? "dest" : " ",
			       o->mode & SHM_LOCKED ? "locked" : " ");
			break;
		}
	}
	free(objs);
}

static void do_sem(int format)
{
	struct ipc_limits lim;
	struct seminfo info;
	union semun arg = { .__buf = &info };
	struct ipc_obj *objs, *o;
	int n, i;

	switch (format) {
	case LIMITS:
		if (ipc_sem_limits(&lim)) {
			printf("unable to fetch semaphore limits\n");
			return;
		}
		printf("------ Semaphore Limits --------\n");
		printf("max number of arrays = %d\n", lim.semmni);
		printf("max semaphores per array = %d\n", lim.semmsl);
		printf("max semaphores system wide = %d\n", lim.semmns);
		printf("max ops per semop call = %d\n", lim.semopm);
		printf("semaphore max value = %u\n", lim.semvmx);
		return;
	case STATUS:
		if (semctl(0, 0, SEM_INFO, arg) < 0) {
			printf("kernel not configured for semaphores\n");
			return;
		}
		printf("------ Semaphore Status --------\n");
		printf("used arrays = %d\n", info.semusz);
		printf("allocated semaphores = %d\n", info.semaem);
		return;
	case CREATOR:
		printf("------ Semaphore Arrays Creators/Owners --------\n");
		printf("%-10s %-10s %-10s %-10s %-10s %-10s\n",
		       "semid", "perms", "cuid", "cgid", "uid", "gid");
		break;
	case TIME:
		printf("------ Semaphore Operation/Change Times --------\n");
		printf("%-8s %-10s %-26.24s %-26.24s\n",
		       "semid", "owner", "last-op", "last-changed");
		break;
	case PID:
		break;
	default:
		printf("------ Semaphore Arrays --------\n");
		printf("%-10s %-10s %-10s %-10s %-10s\n",
		       "key", "semid", "owner", "perms", "nsems");
		break;
	}

	n = ipc_get_objs(IPC_SEM, -1, &objs);
	for (i = 0; i < n; i++) {
		o = &objs[i];
		switch (format) {
		case CREATOR:
			ipc_print_perms(o);
			break;
		case TIME:
			print_id_owner("%-8d", o);
			printf("  %-26.24s", o->time1 ? ipc_ctime(o->time1) :
			       "Not set");
			printf(" %-26.24s\n", o->time2 ? ipc_ctime(o->time2) :
			       "Not set");
			break;
		case PID:
			break;
		default:
			printf("0x%08x ", o->key);
			print_id_owner("%-10d", o);
			printf(" %-10o %-10ju\n", o->mode & 0777,
			       (uintmax_t)o->size);
			break;
		}
	}
	free(objs);
}

static void do_msg(int format, int unit)
{
	struct ipc_limits lim;
	struct msginfo info;
	struct ipc_obj *objs, *o;
	int n, i;

	switch (format) {
	case LIMITS:
		if (ipc_msg_limits(&lim)) {
			printf("unable to fetch message limits\n");
			return;
		}
		printf("------ Messages Limits --------\n");
		printf("max queues system wide = %d\n", lim.msgmni);
		ipc_print_size(unit == IPC_UNIT_DEFAULT ? IPC_UNIT_BYTES : unit,
			       "max size of message", lim.msgmax, "\n", 0);
		ipc_print_size(unit == IPC_UNIT_DEFAULT ? IPC_UNIT_BYTES : unit,
			       "default max size of queue", lim.msgmnb, "\n", 0);
		return;
	case STATUS:
		if (msgctl(0, MSG_INFO, (struct msqid_ds *)&info) < 0) {
			printf("kernel not configured for message queues\n");
			return;
		}
		printf("------ Messages Status --------\n");
		printf("allocated queues = %d\n", info.msgpool);
		printf("used headers = %d\n", info.msgmap);
		ipc_print_size(unit, "used space", info.msgtql,
			       unit == IPC_UNIT_DEFAULT ? " bytes\n" : "\n", 0);
		return;
	case CREATOR:
		printf("------ Message Queues Creators/Owners --------\n");
		printf("%-10s %-10s %-10s %-10s %-10s %-10s\n",
		       "msqid", "perms", "cuid", "cgid", "uid", "gid");
		break;
	case TIME:
		printf("------ Message Queues Send/Recv/Change Times --------\n");
		printf("%-8s %-10s %-20s %-20s %-20s\n",
		       "msqid", "owner", "send", "recv", "change");
		break;
	case PID:
		printf("------ Message Queues PIDs --------\n");
		printf("%-10s %-10s %-10s %-10s\n",
		       "msqid", "owner", "lspid", "lrpid");
		break;
	default:
		printf("------ Message Queues --------\n");
		printf("%-10s %-10s %-10s %-10s %-12s %-12s\n",
		       "key", "msqid", "owner", "perms",
		       unit == IPC_UNIT_HUMAN ? "size" : "used-bytes",
		       "messages");
		break;
	}

	n = ipc_get_objs(IPC_MSG, -1, &objs);
	for (i = 0; i < n; i++) {
		o = &objs[i];
		switch (format) {
		case CREATOR:
			ipc_print_perms(o);
			break;
		case TIME:
			print_id_owner("%-8d", o);
			print_short_time(o->time1, "");
			print_short_time(o->time2, "");
			print_short_time(o->time3, "\n");
			break;
		case PID:
			print_id_owner("%-8d", o);
			printf("  %5d     %5d\n", o->pid1, o->pid2);
			break;
		default:
			printf("0x%08x ", o->key);
			print_id_owner("%-10d", o);
			printf(" %-10o ", o->mode & 0777);
			if (unit == IPC_UNIT_HUMAN)
				ipc_print_size(unit, NULL, o->size, "      ", 6);
			else
				ipc_print_size(unit, NULL, o->size, NULL, -12);
			printf(" %-12ju\n", (uintmax_t)o->count);
			break;
		}
	}
	free(objs);
}

static const char *long_time(int64_t t)
{
	return t ? ipc_ctime(t) : "Not set";
}

static void print_shm(int id, int unit)
{
	struct ipc_obj *o;

	if (ipc_get_objs(IPC_SHM, id, &o) < 1) {
		warnx("id %d not found", id);
		free(o);
		return;
	}
	printf("\nShared memory Segment shmid=%d\n", id);
	printf("uid=%u\tgid=%u\tcuid=%u\tcgid=%u\n",
	       o->uid, o->gid, o->cuid, o->cgid);
	printf("mode=%#o\taccess_perms=%#o\n", o->mode, o->mode & 0777);
	ipc_print_size(unit, unit == IPC_UNIT_HUMAN ? "size=" : "bytes=",
		       o->size, "\t", 0);
	printf("lpid=%u\tcpid=%u\tnattch=%jd\n", o->pid2, o->pid1,
	       (intmax_t)o->count);
	printf("att_time=%-26.24s\n", long_time(o->time1));
	printf("det_time=%-26.24s\n", long_time(o->time2));
	printf("change_time=%-26.24s\n", ipc_ctime(o->time3));
	printf("\n");
	free(o);
}

static void print_msg(int id, int unit)
{
	struct ipc_obj *o;

	if (ipc_get_objs(IPC_MSG, id, &o) < 1) {
		warnx("id %d not found", id);
		free(o);
		return;
	}
	printf("\nMessage Queue msqid=%d\n", id);
	printf("uid=%u\tgid=%u\tcuid=%u\tcgid=%u\tmode=%#o\n",
	       o->uid, o->gid, o->cuid, o->cgid, o->mode);
	ipc_print_size(unit, unit == IPC_UNIT_HUMAN ? "csize=" : "cbytes=",
		       o->size, "\t", 0);
	ipc_print_size(unit, unit == IPC_UNIT_HUMAN ? "qsize=" : "qbytes=",
		       o->qbytes, "\t", 0);
	printf("qnum=%jd\tlspid=%d\tlrpid=%d\n", (intmax_t)o->count,
	       o->pid1, o->pid2);
	printf("send_time=%-26.24s\n", long_time(o->time1));
	printf("rcv_time=%-26.24s\n", long_time(o->time2));
	printf("change_time=%-26.24s\n", long_time(o->time3));
	printf("\n");
	free(o);
}

static void print_sem(int id)
{
	union semun arg = { .val = 0 };
	int val, ncnt, zcnt, pid;
	struct ipc_obj *o;
	uint64_t i;

	if (ipc_get_objs(IPC_SEM, id, &o) < 1) {
		warnx("id %d not found", id);
		free(o);
		return;
	}
	printf("\nSemaphore Array semid=%d\n", id);
	printf("uid=%u\t gid=%u\t cuid=%u\t cgid=%u\n",
	       o->uid, o->gid, o->cuid, o->cgid);
	printf("mode=%#o, access_perms=%#o\n", o->mode, o->mode & 0777);
	printf("nsems = %ju\n", (uintmax_t)o->size);
	printf("otime = %-26.24s\n", long_time(o->time1));
	printf("ctime = %-26.24s\n", ipc_ctime(o->time2));
	printf("%-10s %-10s %-10s %-10s %-10s\n",
	       "semnum", "value", "ncount", "zcount", "pid");
	for (i = 0; i < o->size; i++) {
		val = semctl(id, i, GETVAL, arg);
		if (val < 0)
			err(EXIT_FAILURE, "%s failed", "semctl(GETVAL)");
		ncnt = semctl(id, i, GETNCNT, arg);
		if (ncnt < 0)
			err(EXIT_FAILURE, "%s failed", "semctl(GETNCNT)");
		zcnt = semctl(id, i, GETZCNT, arg);
		if (zcnt < 0)
			err(EXIT_FAILURE, "%s failed", "semctl(GETZCNT)");
		pid = semctl(id, i, GETPID, arg);
		if (pid < 0)
			err(EXIT_FAILURE, "%s failed", "semctl(GETPID)");
		printf("%-10ju %-10d %-10d %-10d %-10d\n", (uintmax_t)i, val,
		       ncnt, zcnt, pid);
	}
	printf("\n");
	free(o);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "id", required_argument, NULL, 'i' },
		{ "queues", no_argument, NULL, 'q' },
		{ "shmems", no_argument, NULL, 'm' },
		{ "semaphores", no_argument, NULL, 's' },
		{ "all", no_argument, NULL, 'a' },
		{ "time", no_argument, NULL, 't' },
		{ "pid", no_argument, NULL, 'p' },
		{ "creator", no_argument, NULL, 'c' },
		{ "limits", no_argument, NULL, 'l' },
		{ "summary", no_argument, NULL, 'u' },
		{ "human", no_argument, NULL, OPT_HUMAN },
		{ "bytes", no_argument, NULL, 'b' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int opt, msg = 0, shm = 0, sem = 0, id = 0, specific = 0;
	int format = NOTSPECIFIED, unit = IPC_UNIT_DEFAULT;

	setlocale(LC_ALL, "");
	while ((opt = getopt_long(argc, argv, "i:qmsatpclubVh", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'i':
			id = strtos32_or_err(optarg, "failed to parse id argument");
			specific = 1;
			break;
		case 'a':
			msg = shm = sem = 1;
			break;
		case 'q':
			msg = 1;
			break;
		case 'm':
			shm = 1;
			break;
		case 's':
			sem = 1;
			break;
		case 't':
			format = TIME;
			break;
		case 'c':
			format = CREATOR;
			break;
		case 'p':
			format = PID;
			break;
		case 'l':
			format = LIMITS;
			break;
		case 'u':
			format = STATUS;
			break;
		case OPT_HUMAN:
			unit = IPC_UNIT_HUMAN;
			break;
		case 'b':
			unit = IPC_UNIT_BYTES;
			break;
		case 'h':
			usage();
			break;
		case 'V':
			print_version();
			break;
		default:
			errtryhelp(EXIT_FAILURE);
		}
	}

	if (specific && msg + shm + sem != 1)
		errx(EXIT_FAILURE,
		     "when using an ID, a single resource must be specified");
	if (specific) {
		if (msg)
			print_msg(id, unit);
		if (shm)
			print_shm(id, unit);
		if (sem)
			print_sem(id);
	} else {
		if (!msg && !shm && !sem)
			msg = shm = sem = 1;
		printf("\n");
		if (msg) {
			do_msg(format, unit);
			printf("\n");
		}
		if (shm) {
			do_shm(format, unit);
			printf("\n");
		}
		if (sem) {
			do_sem(format);
			printf("\n");
		}
	}
	if (fflush(stdout) || ferror(stdout))
		err(EXIT_FAILURE, "write error");
	return EXIT_SUCCESS;
}
