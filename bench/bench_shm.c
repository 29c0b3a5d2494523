// SPDX-License-Identifier: GPL-2.0
/*
 * Shared memory.
 *
 *   bench_shm attach N     shmat + shmdt of a 64 KiB segment, N cycles     cycles/s
 *   bench_shm fault MIB    first write to every page of a fresh MIB MiB
 *                          segment (attach and setup not timed)           MiB/s
 *
 * Checks: every 1024th attach writes and reads back through the mapping and
 * nattch is 0 at the end; the faulted segment is read back through a second
 * attach.
 */
#include <sys/ipc.h>
#include <sys/shm.h>
#include "common.h"

static double attach(long n)
{
	int id = shmget(IPC_PRIVATE, 65536, IPC_CREAT | 0600);
	struct shmid_ds ds;
	double t;
	long i;

	if (id < 0)
		die("shmget");
	t = now();
	for (i = 0; i < n; i++) {
		volatile long *p = shmat(id, NULL, 0);

		if (p == (void *)-1)
			die("shmat");
		if (!(i & 1023)) {
			if (i && p[1] != i - 1024)
				die("segment lost its contents");
			p[1] = i;
		}
		if (shmdt((void *)p))
			die("shmdt");
	}
	t = now() - t;
	if (shmctl(id, IPC_STAT, &ds) || ds.shm_nattch != 0 || ds.shm_lpid != getpid())
		die("IPC_STAT after the cycles: nattch %lu", (unsigned long)ds.shm_nattch);
	shmctl(id, IPC_RMID, NULL);
	return n / t;
}

static double fault(long mib)
{
	size_t len = (size_t)mib << 20, pg = sysconf(_SC_PAGESIZE), off;
	int id = shmget(IPC_PRIVATE, len, IPC_CREAT | 0600);
	char *p, *q;
	double t;

	if (id < 0)
		die("shmget %ld MiB", mib);
	p = shmat(id, NULL, 0);
	if (p == (void *)-1)
		die("shmat");
	t = now();
	for (off = 0; off < len; off += pg)
		p[off] = (char)(off / pg) | 1;
	t = now() - t;
	q = shmat(id, NULL, SHM_RDONLY);
	if (q == (void *)-1)
		die("second shmat");
	for (off = 0; off < len; off += pg)
		if (q[off] != ((char)(off / pg) | 1)) {
			errno = 0;
			die("page at offset %zu reads back wrong", off);
		}
	if (shmdt(q) || shmdt(p) || shmctl(id, IPC_RMID, NULL))
		die("shmdt/IPC_RMID");
	return mib / t;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		die("usage: bench_shm attach N | fault MIB");
	check_variant();
	if (!strcmp(argv[1], "attach"))
		report(attach(atol(argv[2])), "cycles/s");
	else if (!strcmp(argv[1], "fault"))
		report(fault(atol(argv[2])), "MiB/s");
	else
		die("unknown mode %s", argv[1]);
	return 0;
}
