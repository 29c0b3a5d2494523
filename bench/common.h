/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the benchmark drivers (bench/bench_*.c).
 *
 * A driver runs one measurement and prints one machine-readable line
 *     RESULT <value> <unit>
 * (higher is better), or dies with "FAIL ..." on stderr and exit status 1
 * when the workload gave a wrong result. BENCH_VARIANT (kernel|sysvipc|posix)
 * in the environment says what the run is meant to exercise: "sysvipc" must
 * find libsysvipc loaded (LD_PRELOAD) and talking to the module, the others
 * must not, so a misconfigured run fails instead of measuring the wrong thing.
 */
#ifndef BENCH_COMMON_H
#define BENCH_COMMON_H

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;
	int e = errno;

	fprintf(stderr, "FAIL [%d] ", (int)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (errno %d: %s)\n", e, strerror(e));
	exit(1);
}

static inline void report(double value, const char *unit)
{
	printf("RESULT %.6g %s\n", value, unit);
	fflush(stdout);
}

/* Fail unless the process is set up as BENCH_VARIANT says. */
static inline void check_variant(void)
{
	const char *want = getenv("BENCH_VARIANT");
	int (*active)(void) = (int (*)(void))dlsym(RTLD_DEFAULT, "sysvipc_active");
	int on = active ? active() : 0;

	if (!want)
		return;
	if (!strcmp(want, "sysvipc") && on != 1)
		die("BENCH_VARIANT=sysvipc but libsysvipc is %s",
		    active ? "not using the module" : "not loaded");
	if (strcmp(want, "sysvipc") && on)
		die("BENCH_VARIANT=%s but libsysvipc is active", want);
}

static inline long arg(int argc, char **argv, int i, long def)
{
	return argc > i ? atol(argv[i]) : def;
}

/* Start barrier for forked workers: they block in start_wait() until the
 * parent calls start_go(), which returns the start time. */
static int start_pipe[2];

static inline void start_init(void)
{
	if (pipe(start_pipe))
		die("pipe");
}

static inline void start_wait(void)
{
	char c;

	close(start_pipe[1]);
	if (read(start_pipe[0], &c, 1) != 0)
		die("start barrier");
	close(start_pipe[0]);
}

static inline double start_go(void)
{
	double t;

	close(start_pipe[0]);
	t = now();
	close(start_pipe[1]);
	return t;
}

/* Wait for every child; fail if one failed. */
static inline void reap(int n)
{
	int st, bad = 0;

	while (n-- > 0) {
		if (wait(&st) < 0)
			die("wait");
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			bad++;
	}
	if (bad) {
		errno = 0;
		die("%d worker(s) failed", bad);
	}
}

/* A shared anonymous mapping for cross-process checks. */
static inline void *shared_page(size_t len)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

#endif
