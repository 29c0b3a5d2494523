// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysvipc-ipcrm: util-linux 2.38's ipcrm(1) for the sysvipc module's
 * objects: the same options, messages and exit status.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "ipc-common.h"

enum type { SHM, SEM, MSG, ALL };

static int verbose;

static void usage(void)
{
	const char *n = program_invocation_short_name;

	printf("\nUsage:\n %s [options]\n %s shm|msg|sem <id>...\n\n", n, n);
	fputs("Remove certain IPC resources.\n\n"
	      "Options:\n"
	      " -m, --shmem-id <id>        remove shared memory segment by id\n"
	      " -M, --shmem-key <key>      remove shared memory segment by key\n"
	      " -q, --queue-id <id>        remove message queue by id\n"
	      " -Q, --queue-key <key>      remove message queue by key\n"
	      " -s, --semaphore-id <id>    remove semaphore by id\n"
	      " -S, --semaphore-key <key>  remove semaphore by key\n"
	      " -a, --all[=shm|msg|sem]    remove all (in the specified category)\n"
	      " -v, --verbose              explain what is being done\n\n"
	      " -h, --help                 display this help\n"
	      " -V, --version              display version\n", stdout);
	printf("\nFor more details see %s(1).\n", n);
	exit(EXIT_SUCCESS);
}

static int remove_id(int type, int iskey, int id)
{
	union semun arg = { .val = 0 };
	const char *msg;
	int ret;

	switch (type) {
	case SHM:
		if (verbose)
			printf("removing shared memory segment id `%d'\n", id);
		ret = shmctl(id, IPC_RMID, NULL);
		break;
	case MSG:
		if (verbose)
			printf("removing message queue id `%d'\n", id);
		ret = msgctl(id, IPC_RMID, NULL);
		break;
	default:
		if (verbose)
			printf("removing semaphore id `%d'\n", id);
		ret = semctl(id, 0, IPC_RMID, arg);
		break;
	}
	if (ret >= 0)
		return 0;
	switch (errno) {
	case EACCES:
	case EPERM:
		msg = iskey ? "permission denied for key" : "permission denied for id";
		break;
	case EINVAL:
		msg = iskey ? "invalid key" : "invalid id";
		break;
	case EIDRM:
		msg = iskey ? "already removed key" : "already removed id";
		break;
	default:
		err(EXIT_FAILURE, "%s", iskey ? "key failed" : "id failed");
	}
	warnx("%s (%d)", msg, id);
	return 1;
}

static int remove_arg_list(int type, int argc, char **argv)
{
	int nerr = 0, id;
	char *end;

	do {
		errno = 0;
		id = strtoul(argv[0], &end, 10);
		if (errno || argv[0] == end || *end) {
			warnx("invalid id: %s", argv[0]);
			nerr++;
		} else if (remove_id(type, 0, id)) {
			nerr++;
		}
		argc--;
		argv++;
	} while (argc);
	return nerr;
}

/* The old syntax: ipcrm shm|msg|sem <id>... */
static int deprecated_main(int argc, char **argv)
{
	int type;

	if (!strcmp(argv[1], "shm"))
		type = SHM;
	else if (!strcmp(argv[1], "msg"))
		type = MSG;
	else if (!strcmp(argv[1], "sem"))
		type = SEM;
	else
		return 0;
	if (argc < 3) {
		warnx("not enough arguments");
		errtryhelp(EXIT_FAILURE);
	}
	if (remove_arg_list(type, argc - 2, &argv[2]))
		exit(EXIT_FAILURE);
	printf("resource(s) deleted\n");
	return 1;
}

static key_t strtokey(const char *str, const char *msg)
{
	unsigned long num;
	char *end = NULL;

	if (!str || !*str)
		goto fail;
	errno = 0;
	num = strtoul(str, &end, 0);	/* hex or decimal */
	if (errno || str == end || (end && *end))
		goto fail;
	return num;
fail:
	if (errno)
		err(EXIT_FAILURE, "%s: '%s'", msg, str);
	errx(EXIT_FAILURE, "%s: '%s'", msg, str);
}

static int key_to_id(int type, const char *arg)
{
	key_t key = strtokey(arg, "failed to parse argument");
	const char *msg;
	int id;

	if (key == IPC_PRIVATE) {
		warnx("illegal key (%s)", arg);
		return -1;
	}
	switch (type) {
	case SHM:
		id = shmget(key, 0, 0);
		break;
	case MSG:
		id = msgget(key, 0);
		break;
	default:
		id = semget(key, 0, 0);
		break;
	}
	if (id >= 0)
		return id;
	switch (errno) {
	case EACCES:
		msg = "permission denied for key";
		break;
	case EIDRM:
		msg = "already removed key";
		break;
	case ENOENT:
		msg = "invalid key";
		break;
	default:
		err(EXIT_FAILURE, "key failed");
	}
	warnx("%s (%s)", msg, arg);
	return -1;
}

static int remove_all(int type)
{
	struct shm_info shminfo;
	struct shmid_ds shmseg;
	struct seminfo seminfo;
	struct semid_ds semary;
	struct msginfo msginfo;
	struct msqid_ds msgque;
	union semun arg;
	int ret = 0, id, rm_me, maxid;

	if (type == SHM || type == ALL) {
		maxid = shmctl(0, SHM_INFO, (struct shmid_ds *)&shminfo);
		if (maxid < 0)
			errx(EXIT_FAILURE, "kernel not configured for shared memory");
		for (id = 0; id <= maxid; id++) {
			rm_me = shmctl(id, SHM_STAT, &shmseg);
			if (rm_me >= 0)
				ret |= remove_id(SHM, 0, rm_me);
		}
	}
	if (type == SEM || type == ALL) {
		arg.__buf = &seminfo;
		maxid = semctl(0, 0, SEM_INFO, arg);
		if (maxid < 0)
			errx(EXIT_FAILURE, "kernel not configured for semaphores");
		for (id = 0; id <= maxid; id++) {
			arg.buf = &semary;
			rm_me = semctl(id, 0, SEM_STAT, arg);
			if (rm_me >= 0)
				ret |= remove_id(SEM, 0, rm_me);
		}
	}
	if (type == MSG || type == ALL) {
		maxid = msgctl(0, MSG_INFO, (struct msqid_ds *)&msginfo);
		if (maxid < 0)
			errx(EXIT_FAILURE, "kernel not configured for message queues");
		for (id = 0; id <= maxid; id++) {
			rm_me = msgctl(id, MSG_STAT, &msgque);
			if (rm_me >= 0)
				ret |= remove_id(MSG, 0, rm_me);
		}
	}
	return ret;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "shmem-id", required_argument, NULL, 'm' },
		{ "shmem-key", required_argument, NULL, 'M' },
		{ "queue-id", required_argument, NULL, 'q' },
		{ "queue-key", required_argument, NULL, 'Q' },
		{ "semaphore-id", required_argument, NULL, 's' },
		{ "semaphore-key", required_argument, NULL, 'S' },
		{ "all", optional_argument, NULL, 'a' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c, ret = 0, id, type, rm_all = 0, what_all = ALL;

	if (argc == 1)	/* nothing to do */
		return EXIT_SUCCESS;
	setlocale(LC_ALL, "");
	if (deprecated_main(argc, argv))
		return EXIT_SUCCESS;

	while ((c = getopt_long(argc, argv, "q:m:s:Q:M:S:a::vhV", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'M':
		case 'Q':
		case 'S':
			type = c == 'M' ? SHM : c == 'Q' ? MSG : SEM;
			id = key_to_id(type, optarg);
			if (id < 0 || remove_id(type, 1, id))
				ret++;
			break;
		case 'm':
		case 'q':
		case 's':
			type = c == 'm' ? SHM : c == 'q' ? MSG : SEM;
			id = strtos32_or_err(optarg, "failed to parse argument");
			if (remove_id(type, 0, id))
				ret++;
			break;
		case 'a':
			rm_all = 1;
			if (!optarg)
				what_all = ALL;
			else if (!strcmp(optarg, "shm"))
				what_all = SHM;
			else if (!strcmp(optarg, "msg"))
				what_all = MSG;
			else if (!strcmp(optarg, "sem"))
				what_all = SEM;
			else
				errx(EXIT_FAILURE, "unknown argument: %s", optarg);
			break;
		case 'v':
			verbose = 1;
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

	if (rm_all && remove_all(what_all))
		ret++;
	if (optind < argc) {
		warnx("unknown argument: %s", argv[optind]);
		errtryhelp(EXIT_FAILURE);
	}
	return ret == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
