// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysvipc-ipcmk: util-linux 2.38's ipcmk(1) for the sysvipc module: makes a
 * segment, a semaphore set or a queue with a random key.
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/random.h>
#include <sys/sem.h>
#include <sys/shm.h>

#include "ipc-common.h"

/* A random key, as ipcmk makes them (early at boot, without getrandom). */
static key_t random_key(void)
{
	static int seeded;
	key_t key;

	if (getrandom(&key, sizeof(key), GRND_NONBLOCK) == sizeof(key))
		return key;
	if (!seeded) {
		srandom(getpid() ^ time(NULL));
		seeded = 1;
	}
	return random() ^ (random() << 16);
}

static void usage(void)
{
	const char *n = program_invocation_short_name;

	printf("\nUsage:\n %s [options]\n\n", n);
	fputs("Create various IPC resources.\n\n"
	      "Options:\n"
	      " -M, --shmem <size>       create shared memory segment of size <size>\n"
	      " -S, --semaphore <number> create semaphore array with <number> elements\n"
	      " -Q, --queue              create message queue\n"
	      " -p, --mode <mode>        permission for the resource (default is 0644)\n\n"
	      " -h, --help               display this help\n"
	      " -V, --version            display version\n\n"
	      "Arguments:\n"
	      " <size> arguments may be followed by the suffixes for\n"
	      "   GiB, TiB, PiB, EiB, ZiB, and YiB (the \"iB\" is optional)\n", stdout);
	printf("\nFor more details see %s(1).\n", n);
	exit(EXIT_SUCCESS);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "shmem", required_argument, NULL, 'M' },
		{ "semaphore", required_argument, NULL, 'S' },
		{ "queue", no_argument, NULL, 'Q' },
		{ "mode", required_argument, NULL, 'p' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int permission = 0644, opt, nsems = 0, id;
	int ask_shm = 0, ask_msg = 0, ask_sem = 0;
	uint64_t size = 0;
	char *end;

	setlocale(LC_ALL, "");
	while ((opt = getopt_long(argc, argv, "hM:QS:p:Vh", longopts,
				  NULL)) != -1) {
		switch (opt) {
		case 'M':
			size = strtosize_or_err(optarg, "failed to parse size");
			ask_shm = 1;
			break;
		case 'Q':
			ask_msg = 1;
			break;
		case 'S':
			nsems = strtos32_or_err(optarg, "failed to parse elements");
			ask_sem = 1;
			break;
		case 'p':
			end = NULL;
			errno = 0;
			permission = strtoul(optarg, &end, 8);
			if (errno || optarg == end || (end && *end))
				err(EXIT_FAILURE, "failed to parse mode");
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

	if (!ask_shm && !ask_msg && !ask_sem) {
		warnx("bad usage");
		errtryhelp(EXIT_FAILURE);
	}
	if (ask_shm) {
		id = shmget(random_key(), size, permission | IPC_CREAT);
		if (id == -1)
			err(EXIT_FAILURE, "create share memory failed");
		printf("Shared memory id: %d\n", id);
	}
	if (ask_msg) {
		id = msgget(random_key(), permission | IPC_CREAT);
		if (id == -1)
			err(EXIT_FAILURE, "create message queue failed");
		printf("Message queue id: %d\n", id);
	}
	if (ask_sem) {
		id = semget(random_key(), nsems, permission | IPC_CREAT);
		if (id == -1)
			err(EXIT_FAILURE, "create semaphore failed");
		printf("Semaphore id: %d\n", id);
	}
	return EXIT_SUCCESS;
}
