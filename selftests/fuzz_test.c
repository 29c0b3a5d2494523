// SPDX-License-Identifier: GPL-2.0
/*
 * A short run of the ioctl fuzzer (tools/fuzz/sysvipc-fuzz.c) as a counted
 * case of `make check`; library mode only (natively there is no device to
 * fuzz).  Long runs: `make fuzz CALLS=10000000 SEED=...`.
 *
 * The fuzzer removes every object at the end and checks the *_INFO usage
 * counters and undo_lists itself; this test checks its exit status, that it
 * printed "objects leaked = 0", and that the registry is empty afterwards
 * by the counters this build sees.
 * Environment: SYSVIPC_FUZZ_CALLS (default 100000), SYSVIPC_FUZZ_SEED
 * (default 1), SYSVIPC_FUZZ (the binary; default build/fuzz/sysvipc-fuzz
 * of the tree this test was built in).
 */
#include <libgen.h>
#include <limits.h>
#include "common.h"

static int fuzzer_path(char *buf, size_t len)
{
	char exe[PATH_MAX];
	const char *env = getenv("SYSVIPC_FUZZ");
	ssize_t n;

	if (env) {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return -1;
	exe[n] = '\0';
	/* <top>/selftests/out/lib/fuzz_test */
	snprintf(buf, len, "%s/../../../build/fuzz/sysvipc-fuzz", dirname(exe));
	return 0;
}

TEST_F_TIMEOUT(ipc, fuzz_short_run, 900)
{
	const char *calls = getenv("SYSVIPC_FUZZ_CALLS") ?: "100000";
	const char *seed = getenv("SYSVIPC_FUZZ_SEED") ?: "1";
	char path[PATH_MAX], cmd[PATH_MAX + 128], line[512];
	bool leaked0 = false;
	FILE *p;
	int st;

	if (!is_lib_mode())
		SKIP(return, "library-only: fuzzes the module's ioctls");
	ASSERT_EQ(0, fuzzer_path(path, sizeof(path)));
	ASSERT_EQ(0, access(path, X_OK)) TH_LOG("no fuzzer at %s (make all)", path);
	snprintf(cmd, sizeof(cmd), "'%s' --calls %s --seed %s 2>&1", path, calls, seed);
	fflush(stdout);
	p = popen(cmd, "r");
	ASSERT_NE(NULL, p);
	while (fgets(line, sizeof(line), p)) {
		printf("# %s", line);
		if (strstr(line, "objects leaked = 0; undo_lists = 0"))
			leaked0 = true;
	}
	fflush(stdout);
	st = pclose(p);
	EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("fuzzer status %#x", st);
	EXPECT_TRUE(leaked0);
	EXPECT_EQ(0, shm_used_ids());
	EXPECT_EQ(0, sem_sets_used());
	EXPECT_EQ(0, msg_queues_used());
	EXPECT_EQ(0, modparam_read("undo_lists"));
}

TEST_HARNESS_MAIN
