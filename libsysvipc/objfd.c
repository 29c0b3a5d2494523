/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Object file descriptors: sysvipc_fd().
 */
#include <errno.h>
#include <string.h>
#include "lib.h"

SYSVIPC_API int sysvipc_fd(int type, int id, const struct sysvipc_objfd *cfg,
			   int flags)
{
	struct sysvipc_objfd arg;
	int fd = sysvipc_dev_fd();

	if (fd == SYSVIPC_FD_SYSCALL) {
		errno = ENOSYS;
		return -1;
	}
	if (fd < 0)
		return -1;
	if (cfg)
		memcpy(&arg, cfg, sizeof(arg));
	else
		memset(&arg, 0, sizeof(arg));
	arg.type = type;
	arg.id = id;
	arg.flags = flags;
	return sysvipc_call(fd, SYSVIPC_IOC_OBJFD, &arg, 1);
}
