// SPDX-License-Identifier: GPL-2.0
/*
 * PostgreSQL 15 with shared_memory_type = sysv: initdb, start, pgbench, a
 * restart, and the checks postgres makes on its old segment after a crash
 * (reused when nobody is attached, refused while someone is).  In the lib
 * build every postgres process runs with LD_PRELOAD=libsysvipc.so, so the
 * segment lives in the module; the native build uses the kernel's IPC.
 */
#include <dlfcn.h>
#include <limits.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "common.h"
#if SYSVIPC_TEST_LIB
#include <sysvipc.h>
#endif

#define PG_BIN "/usr/lib/postgresql/15/bin/postgres"

struct pg {
	char dir[64];
	char script[512];
	char preload[512];
};

/* selftests/postgres.sh, found from this binary at selftests/out/<mode>/. */
static void pg_paths(struct pg *pg)
{
	char exe[480];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	exe[n > 0 ? n : 0] = 0;
	*strrchr(exe, '/') = 0;
	snprintf(pg->script, sizeof(pg->script), "%s/../../postgres.sh", exe);
	snprintf(pg->dir, sizeof(pg->dir), "/tmp/pgtest-%s-%d",
		 is_lib_mode() ? "lib" : "native", getpid());
	pg->preload[0] = 0;
#if SYSVIPC_TEST_LIB
	{
		Dl_info info;

		if (dladdr((void *)sysvipc_version, &info) && info.dli_fname)
			snprintf(pg->preload, sizeof(pg->preload), "%s",
				 info.dli_fname);
	}
#endif
}

static int pg_run(struct pg *pg, const char *action)
{
	char cmd[1200];
	int st;

	snprintf(cmd, sizeof(cmd), "PRELOAD='%s' sh %s %s %s", pg->preload,
		 pg->script, pg->dir, action);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Line 7 of postmaster.pid: "<key> <shmid>" of the main segment. */
static int pg_shmid(struct pg *pg)
{
	char path[96], line[256];
	unsigned long key;
	int id = -1, i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/postmaster.pid", pg->dir);
	f = fopen(path, "r");
	if (!f)
		return -1;
	for (i = 0; i < 7 && fgets(line, sizeof(line), f); i++)
		if (i == 6 && sscanf(line, "%lu %d", &key, &id) != 2)
			id = -1;
	fclose(f);
	return id;
}

/* Rows in pgbench_accounts, or -1. */
static long pg_count(struct pg *pg)
{
	char cmd[1200];
	long n = -1;
	FILE *f;

	snprintf(cmd, sizeof(cmd), "PRELOAD='%s' sh %s %s count", pg->preload,
		 pg->script, pg->dir);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &n) != 1)
		n = -1;
	pclose(f);
	return n;
}

/*
 * A process that keeps segment @id attached until a byte arrives on
 * *@release (or it is closed); returns once the attach is in place.
 */
static int pg_holder(int id, int *release, pid_t *pid)
{
	int ready[2], go[2];
	char c = 0;

	if (pipe(ready) || pipe(go))
		return -1;
	*pid = fork();
	if (*pid < 0)
		return -1;
	if (!*pid) {
		void *p = shmat(id, NULL, SHM_RDONLY);

		c = p == (void *)-1 ? 'e' : 'a';
		if (write(ready[1], &c, 1) != 1 || c == 'e')
			_exit(1);
		close(go[1]);
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(shmdt(p) ? 1 : 0);
	}
	close(ready[1]);
	close(go[0]);
	*release = go[1];
	if (read(ready[0], &c, 1) != 1 || c != 'a')
		return -1;
	close(ready[0]);
	return 0;
}

static void pg_dump_log(struct pg *pg)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "tail -n 20 %s.log %s.log.server 1>&2",
		 pg->dir, pg->dir);
	if (system(cmd))
		return;
}

FIXTURE(pg) {
	struct pg pg;
};

FIXTURE_SETUP(pg)
{
	if (access(PG_BIN, X_OK))
		SKIP(return, "postgresql-15 is not installed");
	pg_paths(&self->pg);
	ASSERT_TRUE(!is_lib_mode() || self->pg.preload[0]);
}

FIXTURE_TEARDOWN(pg)
{
	char cmd[400];

	if (!self->pg.dir[0])
		return;
	if (pg_run(&self->pg, "stop"))
		pg_run(&self->pg, "crash");
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s.sock %s.log %s.log.server",
		 self->pg.dir, self->pg.dir, self->pg.dir, self->pg.dir);
	if (system(cmd))
		return;
}

TEST_F_TIMEOUT(pg, initdb_pgbench_restart_crash, 600)
{
	struct pg *pg = &self->pg;
	struct shmid_ds ds;
	int id, release, ret;
	pid_t holder;
	char c;

	ret = pg_run(pg, "start");
	if (ret)
		pg_dump_log(pg);
	ASSERT_EQ(0, ret);

	/* The segment is ours to see: attached by the postmaster and backends. */
	id = pg_shmid(pg);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_LE(1, ds.shm_nattch);

	ret = pg_run(pg, "bench");
	if (ret)
		pg_dump_log(pg);
	ASSERT_EQ(0, ret);

	/* A clean restart removes the old segment and makes a new one. */
	ASSERT_EQ(0, pg_run(pg, "restart"));
	EXPECT_EQ(-1, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(EINVAL, errno);
	id = pg_shmid(pg);
	ASSERT_LE(0, id);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));

	/* After a crash, a segment someone still attaches blocks the start. */
	ASSERT_EQ(0, pg_holder(id, &release, &holder));
	ASSERT_EQ(0, pg_run(pg, "crash"));
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(1, ds.shm_nattch);
	ret = pg_run(pg, "start-expect-in-use");
	if (ret)
		pg_dump_log(pg);
	EXPECT_EQ(0, ret);

	/* Once it is unattached, postgres removes it and starts. */
	c = 'x';
	ASSERT_EQ(1, write(release, &c, 1));
	close(release);
	ASSERT_EQ(holder, waitpid(holder, &ret, 0));
	ASSERT_EQ(0, ret);
	ASSERT_EQ(0, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(0, ds.shm_nattch);
	ret = pg_run(pg, "start");
	if (ret)
		pg_dump_log(pg);
	ASSERT_EQ(0, ret);
	EXPECT_EQ(-1, shmctl(id, IPC_STAT, &ds));
	EXPECT_EQ(100000, pg_count(pg));
	ASSERT_EQ(0, pg_run(pg, "stop"));
}

TEST_HARNESS_MAIN
