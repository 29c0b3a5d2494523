/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysvipc: differences between the kernel versions the module builds on.
 * Nothing else belongs here.
 */
#ifndef _SYSVIPC_COMPAT_H
#define _SYSVIPC_COMPAT_H

#include <linux/mm.h>
#include <linux/version.h>

/* 6.3 made vm_flags read-only and added the vm_flags_*() helpers. */
static inline void sysvipc_vma_clear_flags(struct vm_area_struct *vma,
					   unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

#endif /* _SYSVIPC_COMPAT_H */
