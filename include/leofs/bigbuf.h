/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recycled large buffers (userspace). A fresh allocation of megabytes is
 * mapped anew and costs a page fault per 4 KiB page on first touch, which
 * on the data path (frames, request bodies, fragments) costs more than the
 * copies themselves. Buffers of LEOFS_BIGBUF_MIN bytes or more that are
 * given back are kept (up to a bounded total) and handed out again.
 *
 * leofs_bigbuf_get() returns malloc()ed memory, so free() is also fine for
 * it; leofs_bigbuf_put() takes any malloc()ed pointer or NULL. Thread-safe.
 */
#ifndef LEOFS_BIGBUF_H
#define LEOFS_BIGBUF_H

#include <stddef.h>

#define LEOFS_BIGBUF_MIN (64u << 10)

/* At least @size bytes (uninitialised), or NULL. */
void *leofs_bigbuf_get(size_t size);
/* Keep @p for reuse, or free it. */
void leofs_bigbuf_put(void *p);

#endif /* LEOFS_BIGBUF_H */
