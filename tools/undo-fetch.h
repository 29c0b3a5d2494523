/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a process's SEM_UNDO list (SYSVIPC_IOC_UNDO_GET), for
 * sysvipc-cr and the CRIU plugin.
 */
#ifndef SYSVIPC_UNDO_FETCH_H
#define SYSVIPC_UNDO_FETCH_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/types.h>
#include <linux/sysvipc.h>

/*
 * @pid's undo list into *@entries (malloc'd, NULL when empty; the caller
 * frees it): the number of entries, or -1 with errno set.
 */
static inline long sysvipc_undo_fetch(int dev, pid_t pid,
				      struct sysvipc_undo_entry **entries)
{
	struct sysvipc_undo_io io = { .pid = pid };
	struct sysvipc_undo_entry *e = NULL;
	long n, room = 0;

	/* ask how many, then fetch; again if the list grew meanwhile */
	while ((n = ioctl(dev, SYSVIPC_IOC_UNDO_GET, &io)) > room) {
		free(e);
		e = calloc(n, sizeof(*e));
		if (!e) {
			errno = ENOMEM;
			return -1;
		}
		room = n;
		io.count = n;
		io.entries = (uintptr_t)e;
	}
	if (n < 0) {
		free(e);
		e = NULL;
	}
	*entries = e;
	return n;
}

#endif
