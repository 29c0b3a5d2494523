/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How long the library spins before a call that would sleep (msg.c,
 * msgring.c, semfast.c), and the spin itself (sysvipc_spin_until()).
 *
 * SYSVIPC_SPIN, read once per process: the most iterations of a spin-wait
 * (one pause and a few loads of the status region each); 0 turns spinning
 * off; unset, empty or not a number: SPIN_DEFAULT; at most SPIN_MAX.  With
 * one CPU online (or allowed to the process when it first spins) nothing
 * can change while we spin, so there is no spinning.
 *
 * The budget adapts, per process: a spin that ended because the call would
 * no longer sleep doubles it (up to the limit), one that ran out halves it
 * (down to a sixty-fourth of the limit).  Spinning pays only while the other
 * side runs at the same time; when it does not (more runnable tasks than
 * CPUs, or a virtual machine whose vCPUs do not all get a host CPU), the
 * spinner only takes time from it, and the budget shrinks.
 */
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include "lib.h"

#define SPIN_DEFAULT	2000U
#define SPIN_MAX	1000000U

/* The limit plus one; 0 until decided. */
static unsigned int spin_limit;
/* The current budget, at most the limit; shared by the threads. */
static unsigned int spin_budget;

static unsigned int spin_decide(void)
{
	const char *s = getenv("SYSVIPC_SPIN");
	unsigned long long v;
	cpu_set_t cpus;
	char *end;

	/* One CPU online, or one this process may run on. */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2 ||
	    (!sched_getaffinity(0, sizeof(cpus), &cpus) && CPU_COUNT(&cpus) < 2))
		return 0;
	if (!s || !*s)
		return SPIN_DEFAULT;
	v = strtoull(s, &end, 10);
	if (*end || *s == '-')
		return SPIN_DEFAULT;
	return v > SPIN_MAX ? SPIN_MAX : (unsigned int)v;
}

unsigned int sysvipc_spin_limit(void)
{
	unsigned int n = __atomic_load_n(&spin_limit, __ATOMIC_RELAXED);

	if (!n) {
		n = spin_decide() + 1;
		__atomic_store_n(&spin_budget, n - 1, __ATOMIC_RELAXED);
		__atomic_store_n(&spin_limit, n, __ATOMIC_RELAXED);
	}
	return n - 1;
}

/* Iterations to spin now; 0 when spinning is off. */
unsigned int sysvipc_spin_budget(void)
{
	if (!sysvipc_spin_limit())
		return 0;
	return __atomic_load_n(&spin_budget, __ATOMIC_RELAXED);
}

/*
 * Spin for at most the budget, until @over(@arg) says the wait is over;
 * whether it did.  The budget adapts to the outcome.
 */
bool sysvipc_spin_until(bool (*over)(const void *arg), const void *arg)
{
	unsigned int n, budget = sysvipc_spin_budget();

	for (n = budget; n; n--) {
		sysvipc_cpu_relax();
		if (over(arg))
			break;
	}
	if (budget)
		sysvipc_spin_done(budget, n != 0);
	return n != 0;
}

/* A spin ended: @ok when the wait was over before the budget ran out. */
void sysvipc_spin_done(unsigned int budget, int ok)
{
	unsigned int limit = sysvipc_spin_limit(), floor = (limit + 63) / 64;

	if (ok)
		budget = budget > limit / 2 ? limit : 2 * budget;
	else
		budget = budget / 2 < floor ? floor : budget / 2;
	/* Racing threads: any of their values will do. */
	__atomic_store_n(&spin_budget, budget, __ATOMIC_RELAXED);
}
