/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sysvipc: differences between the kernel versions the module builds on.
 * Nothing else belongs here.
 */
#ifndef _SYSVIPC_COMPAT_H
#define _SYSVIPC_COMPAT_H

#include <linux/mempolicy.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pagevec.h>
#include <linux/proc_fs.h>
#include <linux/swap.h>
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

static inline void sysvipc_vma_set_flags(struct vm_area_struct *vma,
					 unsigned long flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_set(vma, flags);
#else
	vma->vm_flags |= flags;
#endif
}

/* 5.11 renamed vm_operations_struct's ->split to ->may_split. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
#define SYSVIPC_MAY_SPLIT	may_split
#else
#define SYSVIPC_MAY_SPLIT	split
#endif

/* 5.11 added vma_set_file(); before, swap the file by hand. */
static inline void sysvipc_vma_set_file(struct vm_area_struct *vma,
					struct file *file)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
	vma_set_file(vma, file);
#else
	get_file(file);
	swap(vma->vm_file, file);
	fput(file);
#endif
}

/*
 * 6.7 gave vm_operations_struct's ->get_policy an interleave index
 * argument.  SYSVIPC_GET_POLICY() declares a handler with the arguments of
 * the kernel at hand; sysvipc_get_policy() forwards them.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
#define SYSVIPC_GET_POLICY(name)					\
	struct mempolicy *name(struct vm_area_struct *vma,		\
			       unsigned long addr, pgoff_t *ilx)
#define SYSVIPC_ILX	ilx
#else
#define SYSVIPC_GET_POLICY(name)					\
	struct mempolicy *name(struct vm_area_struct *vma,		\
			       unsigned long addr)
#define SYSVIPC_ILX	NULL
#endif

#ifdef CONFIG_NUMA
static inline struct mempolicy *
sysvipc_get_policy(const struct vm_operations_struct *ops,
		   struct vm_area_struct *vma, unsigned long addr, pgoff_t *ilx)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 7, 0)
	return ops->get_policy(vma, addr, ilx);
#else
	return ops->get_policy(vma, addr);
#endif
}
#endif

/*
 * SHM_UNLOCK: move a mapping's pages back to the evictable LRU lists.
 * 6.0 has filemap_get_folios() and check_move_unevictable_folios(); before,
 * pagevec_lookup() and check_move_unevictable_pages().  Stops early if the
 * mapping is locked again meanwhile.
 */
static inline void sysvipc_unlock_mapping(struct address_space *mapping)
{
	pgoff_t index = 0;
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 0, 0)
	struct folio_batch fbatch;

	folio_batch_init(&fbatch);
	while (!mapping_unevictable(mapping) &&
	       filemap_get_folios(mapping, &index, ~0UL, &fbatch)) {
		check_move_unevictable_folios(&fbatch);
		folio_batch_release(&fbatch);
		cond_resched();
	}
#else
	struct pagevec pvec;

	pagevec_init(&pvec);
	while (!mapping_unevictable(mapping) &&
	       pagevec_lookup(&pvec, mapping, &index)) {
		check_move_unevictable_pages(&pvec);
		pagevec_release(&pvec);
		cond_resched();
	}
#endif
}

/* 5.17 renamed PDE_DATA() to pde_data(). */
static inline void *sysvipc_pde_data(const struct inode *inode)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 17, 0)
	return pde_data(inode);
#else
	return PDE_DATA(inode);
#endif
}

#endif /* _SYSVIPC_COMPAT_H */
