// SPDX-License-Identifier: GPL-2.0
/*
 * The entry-cost floor: a bare syscall (getppid) and the module's cheapest
 * ioctl (SYSVIPC_IOC_VERSION, copies a 32-byte struct out).
 *
 *   bench_null getppid N     calls/s
 *   bench_null ioctl N       calls/s
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/sysvipc.h>
#include "common.h"

int main(int argc, char **argv)
{
	long i, n = arg(argc, argv, 2, 100000);
	double t;

	if (argc < 2)
		die("usage: bench_null getppid|ioctl N");
	check_variant();
	if (!strcmp(argv[1], "getppid")) {
		pid_t pp = getppid();

		t = now();
		for (i = 0; i < n; i++)
			if (syscall(SYS_getppid) != pp)
				die("getppid changed");
		t = now() - t;
	} else if (!strcmp(argv[1], "ioctl")) {
		struct sysvipc_version v;
		int fd = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);

		if (fd < 0)
			die("open " SYSVIPC_DEVICE);
		t = now();
		for (i = 0; i < n; i++)
			if (ioctl(fd, SYSVIPC_IOC_VERSION, &v))
				die("SYSVIPC_IOC_VERSION");
		t = now() - t;
		if (v.major != SYSVIPC_ABI_MAJOR)
			die("ABI major %u", v.major);
	} else {
		die("unknown mode %s", argv[1]);
	}
	report(n / t, "calls/s");
	return 0;
}
