// SPDX-License-Identifier: GPL-2.0
/*
 * Copying file bytes in and out of an I/O buffer: a flat kernel buffer
 * (O_DIRECT bounce buffers) or consecutive page cache folios (reads and
 * writeback). Folios are PAGE_SIZE: the mapping does not enable large
 * folios.
 */
#include <linux/highmem.h>
#include <linux/pagemap.h>
#include "internal.h"

/* Copies len bytes at file offset off (inside the buffer) into it. */
void leofs_iobuf_put(const struct leofs_iobuf *b, u64 off, const void *src,
		     size_t len)
{
	u64 rel = off - b->start;

	if (WARN_ON_ONCE(off < b->start || rel + len > b->len))
		return;
	if (b->flat) {
		memcpy(b->flat + rel, src, len);
		return;
	}
	while (len) {
		struct folio *folio = b->folios[rel >> PAGE_SHIFT];
		size_t in = offset_in_page(rel);
		size_t n = min_t(size_t, len, PAGE_SIZE - in);

		memcpy_to_page(folio_page(folio, 0), in, src, n);
		src += n;
		rel += n;
		len -= n;
	}
}

/* Copies len bytes at file offset off out of the buffer. */
void leofs_iobuf_get(const struct leofs_iobuf *b, u64 off, void *dst,
		     size_t len)
{
	u64 rel = off - b->start;

	if (WARN_ON_ONCE(off < b->start || rel + len > b->len)) {
		memset(dst, 0, len);
		return;
	}
	if (b->flat) {
		memcpy(dst, b->flat + rel, len);
		return;
	}
	while (len) {
		struct folio *folio = b->folios[rel >> PAGE_SHIFT];
		size_t in = offset_in_page(rel);
		size_t n = min_t(size_t, len, PAGE_SIZE - in);

		memcpy_from_page(dst, folio_page(folio, 0), in, n);
		dst += n;
		rel += n;
		len -= n;
	}
}
