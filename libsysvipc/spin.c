/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How long the library spins before a call that would sleep (msg.c).
 *
 * SYSVIPC_SPIN, read once per process: the most iterations of a spin-wait
 * (one pause and a few loads of the status region each); 0 turns spinning
 * off; unset, empty or not a number: SPIN_DEFAULT.  With one CPU online
 * nothing can change while we spin, so there is no spinning at all.
 */
#include <stdlib.h>
#include <unistd.h>
#include "lib.h"

#define SPIN_DEFAULT	128U
#define SPIN_MAX	1000000U

/* The limit plus one; 0 until decided. */
static unsigned int spin_limit;

static unsigned int spin_decide(void)
{
	const char *s = getenv("SYSVIPC_SPIN");
	unsigned long long v;
	char *end;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
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
		__atomic_store_n(&spin_limit, n, __ATOMIC_RELAXED);
	}
	return n - 1;
}
