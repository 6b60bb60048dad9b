// SPDX-License-Identifier: GPL-2.0
/* Recycled large buffers (leofs/bigbuf.h). */
#include <malloc.h>
#include <pthread.h>
#include <stdlib.h>

#include "leofs/bigbuf.h"

#define SLOTS	  64
#define KEEP_MAX  (256u << 20) /* bytes kept, per process */
#define SIZE_STEP (64u << 10)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static void *bufs[SLOTS];
static size_t caps[SLOTS];
static unsigned int nbufs;
static size_t kept;

void *leofs_bigbuf_get(size_t size)
{
	unsigned int i, best = SLOTS;
	void *p = NULL;

	if (size < LEOFS_BIGBUF_MIN)
		return malloc(size ? size : 1);
	pthread_mutex_lock(&lock);
	for (i = 0; i < nbufs; i++)
		if (caps[i] >= size && (best == SLOTS || caps[i] < caps[best]))
			best = i;
	if (best < SLOTS) {
		p = bufs[best];
		kept -= caps[best];
		nbufs--;
		bufs[best] = bufs[nbufs];
		caps[best] = caps[nbufs];
	}
	pthread_mutex_unlock(&lock);
	if (p)
		return p;
	/* rounded up, so that slightly different sizes share buffers */
	return malloc((size + SIZE_STEP - 1) / SIZE_STEP * SIZE_STEP);
}

void leofs_bigbuf_put(void *p)
{
	size_t cap;

	if (!p)
		return;
	cap = malloc_usable_size(p);
	if (cap >= LEOFS_BIGBUF_MIN) {
		pthread_mutex_lock(&lock);
		if (nbufs < SLOTS && kept + cap <= KEEP_MAX) {
			bufs[nbufs] = p;
			caps[nbufs++] = cap;
			kept += cap;
			p = NULL;
		}
		pthread_mutex_unlock(&lock);
	}
	free(p);
}
