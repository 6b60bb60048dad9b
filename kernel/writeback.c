// SPDX-License-Identifier: GPL-2.0
/*
 * The page cache of regular files: buffered writes (write_begin and
 * write_end), shared writable mappings (page_mkwrite) and writeback.
 *
 * writepages gathers runs of consecutive dirty folios (up to
 * LEOFS_WB_BATCH bytes, cut at stripe boundaries when it can) and hands
 * each run to leofs_data_write(), which sends whole stripes as
 * WRITE_STRIPE and the rest as PARTIAL_WRITE. The run is clipped at
 * i_size, so a stripe holding the end of the file goes whole, zero-padded.
 * A failed run is recorded with mapping_set_error(): fsync and close
 * report it (errseq), and it is counted in write_errors.
 *
 * Writeback of an inode is serialised by io_mutex and waits for its
 * replies, so requests for one stripe never overtake each other.
 */
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/writeback.h>
#include "internal.h"

#define LEOFS_WB_BATCH (32u << 20)

struct leofs_wb {
	struct inode *inode;
	struct folio **folios;
	unsigned int nr, max, soft;
	u32 W;
	int err;
};

static void leofs_wb_flush(struct leofs_wb *wb)
{
	struct inode *inode = wb->inode;
	struct leofs_iobuf b;
	u64 isize = i_size_read(inode), len;
	unsigned int i;
	int ret = 0;

	if (!wb->nr)
		return;
	b.start = folio_pos(wb->folios[0]);
	b.len = (u64)wb->nr * PAGE_SIZE;
	b.flat = NULL;
	b.folios = wb->folios;
	len = b.start < isize ? min_t(u64, b.len, isize - b.start) : 0;
	if (len)
		ret = leofs_data_write(inode, b.start, len, isize, &b);
	if (ret) {
		mapping_set_error(inode->i_mapping, ret);
		atomic64_inc(&LEOFS_FS(inode->i_sb)->stats.write_errors);
		if (!wb->err)
			wb->err = ret;
	}
	for (i = 0; i < wb->nr; i++)
		folio_end_writeback(wb->folios[i]);
	wb->nr = 0;
}

static int leofs_wb_add(struct page *page, struct writeback_control *wbc,
			void *data)
{
	struct folio *folio = page_folio(page);
	struct leofs_wb *wb = data;
	u64 pos = folio_pos(folio);

	if (pos >= i_size_read(wb->inode)) {
		/* truncated meanwhile: nothing to write */
		folio_unlock(folio);
		return 0;
	}
	if (wb->nr &&
	    (folio->index != wb->folios[wb->nr - 1]->index + 1 ||
	     wb->nr == wb->max || (wb->nr >= wb->soft && !do_div(pos, wb->W))))
		leofs_wb_flush(wb);
	folio_start_writeback(folio);
	folio_unlock(folio);
	wb->folios[wb->nr++] = folio;
	return 0;
}

static int leofs_writepages(struct address_space *mapping,
			    struct writeback_control *wbc)
{
	struct inode *inode = mapping->host;
	struct leofs_inode *li = LEOFS_I(inode);
	struct leofs_wb wb = { .inode = inode };
	unsigned int nofs;
	u32 W;
	int ret;

	/*
	 * Background writeback does not wait for another writer of this
	 * inode (which may be retrying a stripe for as long as data_retry_s):
	 * the flusher goes on with other inodes and comes back to this one
	 * later, as it does when nfs_writepages() writes nothing. fsync and
	 * close wait for it, killably: a process killed meanwhile leaves its
	 * pages dirty for background writeback, as NFS does.
	 */
	if (wbc->sync_mode == WB_SYNC_NONE) {
		if (!mutex_trylock(&li->io_mutex))
			return 0;
	} else if (mutex_lock_killable(&li->io_mutex)) {
		return -EINTR;
	}
	spin_lock(&inode->i_lock);
	W = leofs_layout_stripe_width(&li->layout);
	spin_unlock(&inode->i_lock);
	wb.W = W ? W : PAGE_SIZE;
	wb.max = LEOFS_WB_BATCH / PAGE_SIZE;
	/* prefer to cut at a stripe boundary once this much is gathered */
	wb.soft = W && W < LEOFS_WB_BATCH ?
			  rounddown(LEOFS_WB_BATCH, W) / 2 / PAGE_SIZE :
			  wb.max / 2;
	if (!wb.soft)
		wb.soft = 1;
	nofs = memalloc_nofs_save();
	wb.folios = kvmalloc_array(wb.max, sizeof(*wb.folios), GFP_KERNEL);
	memalloc_nofs_restore(nofs);
	if (!wb.folios) {
		mutex_unlock(&li->io_mutex);
		return -ENOMEM;
	}
	ret = write_cache_pages(mapping, wbc, leofs_wb_add, &wb);
	leofs_wb_flush(&wb);
	mutex_unlock(&li->io_mutex);
	kvfree(wb.folios);
	return ret ? ret : wb.err;
}

/* ---- buffered writes ------------------------------------------------------ */

static int leofs_write_begin(struct file *file, struct address_space *mapping,
			     loff_t pos, unsigned int len, struct page **pagep,
			     void **fsdata)
{
	struct inode *inode = mapping->host;
	u64 isize = i_size_read(inode);
	struct folio *folio;
	struct page *page;
	size_t from = offset_in_page(pos);
	int ret;

again:
	page = grab_cache_page_write_begin(mapping, pos >> PAGE_SHIFT);
	if (!page)
		return -ENOMEM;
	folio = page_folio(page);
	*pagep = page;
	if (folio_test_uptodate(folio))
		return 0;
	if (len == PAGE_SIZE)
		return 0; /* write_end marks it up to date if all is copied */
	if (folio_pos(folio) >= isize) {
		/* nothing stored here: zeros around the new bytes */
		folio_zero_segments(folio, 0, from, from + len, PAGE_SIZE);
		return 0;
	}
	ret = leofs_read_folio(file, folio); /* unlocks */
	if (!ret) {
		folio_lock(folio);
		if (folio->mapping != mapping) {
			/* truncated meanwhile: start over */
			folio_unlock(folio);
			folio_put(folio);
			goto again;
		}
		if (folio_test_uptodate(folio))
			return 0;
		folio_unlock(folio);
		ret = -EIO;
	}
	folio_put(folio);
	*pagep = NULL;
	return ret;
}

static int leofs_write_end(struct file *file, struct address_space *mapping,
			   loff_t pos, unsigned int len, unsigned int copied,
			   struct page *page, void *fsdata)
{
	struct folio *folio = page_folio(page);
	struct inode *inode = mapping->host;
	u64 end = pos + copied;

	if (!folio_test_uptodate(folio)) {
		/*
		 * Only a whole-page write or a page past the end of the file
		 * (zeroed by write_begin around the new bytes) gets here. A
		 * short copy into the former leaves bytes we do not have:
		 * copy again. Into the latter, the bytes not copied are
		 * whatever the page held before: zeros, like the rest.
		 */
		if (copied < len && len == PAGE_SIZE) {
			copied = 0;
			goto out;
		}
		if (copied < len)
			folio_zero_range(folio,
					 offset_in_folio(folio, pos) + copied,
					 len - copied);
		folio_mark_uptodate(folio);
	}
	if (!copied)
		goto out;
	if (end > i_size_read(inode))
		i_size_write(inode, end); /* the caller holds i_rwsem */
	set_bit(LEOFS_DATA_DIRTY, &LEOFS_I(inode)->data_flags);
	folio_mark_dirty(folio);
out:
	folio_unlock(folio);
	folio_put(folio);
	return copied;
}

/* ---- mmap ---------------------------------------------------------------- */

static vm_fault_t leofs_page_mkwrite(struct vm_fault *vmf)
{
	struct folio *folio = page_folio(vmf->page);
	struct inode *inode = file_inode(vmf->vma->vm_file);
	vm_fault_t ret = VM_FAULT_LOCKED;

	sb_start_pagefault(inode->i_sb);
	file_update_time(vmf->vma->vm_file);
	folio_lock(folio);
	if (folio->mapping != inode->i_mapping ||
	    folio_pos(folio) >= i_size_read(inode)) {
		folio_unlock(folio);
		ret = VM_FAULT_NOPAGE;
		goto out;
	}
	set_bit(LEOFS_DATA_DIRTY, &LEOFS_I(inode)->data_flags);
	folio_mark_dirty(folio);
	folio_wait_stable(folio);
out:
	sb_end_pagefault(inode->i_sb);
	return ret;
}

const struct vm_operations_struct leofs_file_vm_ops = {
	.fault = filemap_fault,
	.map_pages = filemap_map_pages,
	.page_mkwrite = leofs_page_mkwrite,
};

const struct address_space_operations leofs_file_aops = {
	.read_folio = leofs_read_folio,
	.readahead = leofs_readahead,
	.writepages = leofs_writepages,
	.dirty_folio = filemap_dirty_folio,
	.write_begin = leofs_write_begin,
	.write_end = leofs_write_end,
	.direct_IO = noop_direct_IO,
};
