// SPDX-License-Identifier: GPL-2.0
/* Worker thread pool (include/leofs/workq.h). */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leofs/workq.h"

struct job {
	struct job *next;
	void (*fn)(void *arg);
	void *arg;
};

struct leofs_workq {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job *head, *tail;
	unsigned long busy;
	bool stopping;
	unsigned nthreads;
	pthread_t threads[];
};

static void *worker_main(void *arg)
{
	struct leofs_workq *wq = arg;
	struct job *j;

	pthread_mutex_lock(&wq->lock);
	for (;;) {
		while (!wq->head && !wq->stopping)
			pthread_cond_wait(&wq->cond, &wq->lock);
		j = wq->head;
		if (!j)
			break;	/* stopping and drained */
		wq->head = j->next;
		if (!wq->head)
			wq->tail = NULL;
		pthread_mutex_unlock(&wq->lock);
		j->fn(j->arg);
		free(j);
		pthread_mutex_lock(&wq->lock);
		wq->busy--;
	}
	pthread_mutex_unlock(&wq->lock);
	return NULL;
}

int leofs_workq_new(const char *name, unsigned threads,
		    struct leofs_workq **out)
{
	struct leofs_workq *wq;
	unsigned i;
	int ret;

	if (threads == 0 || threads > 1024)
		return -EINVAL;
	wq = calloc(1, sizeof(*wq) + threads * sizeof(pthread_t));
	if (!wq)
		return -ENOMEM;
	pthread_mutex_init(&wq->lock, NULL);
	pthread_cond_init(&wq->cond, NULL);
	for (i = 0; i < threads; i++) {
		char tname[16];

		ret = -pthread_create(&wq->threads[i], NULL, worker_main, wq);
		if (ret < 0) {
			wq->nthreads = i;
			leofs_workq_free(wq);
			return ret;
		}
		snprintf(tname, sizeof(tname), "%.10s/%u", name, i);
		pthread_setname_np(wq->threads[i], tname);
	}
	wq->nthreads = threads;
	*out = wq;
	return 0;
}

int leofs_workq_submit(struct leofs_workq *wq, void (*fn)(void *arg),
		       void *arg)
{
	struct job *j = malloc(sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->next = NULL;
	j->fn = fn;
	j->arg = arg;
	pthread_mutex_lock(&wq->lock);
	if (wq->stopping) {
		pthread_mutex_unlock(&wq->lock);
		free(j);
		return -ESHUTDOWN;
	}
	if (wq->tail)
		wq->tail->next = j;
	else
		wq->head = j;
	wq->tail = j;
	wq->busy++;
	pthread_cond_signal(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
	return 0;
}

unsigned long leofs_workq_busy(struct leofs_workq *wq)
{
	unsigned long busy;

	pthread_mutex_lock(&wq->lock);
	busy = wq->busy;
	pthread_mutex_unlock(&wq->lock);
	return busy;
}

void leofs_workq_free(struct leofs_workq *wq)
{
	unsigned i;

	if (!wq)
		return;
	pthread_mutex_lock(&wq->lock);
	wq->stopping = true;
	pthread_cond_broadcast(&wq->cond);
	pthread_mutex_unlock(&wq->lock);
	for (i = 0; i < wq->nthreads; i++)
		pthread_join(wq->threads[i], NULL);
	pthread_mutex_destroy(&wq->lock);
	pthread_cond_destroy(&wq->cond);
	free(wq);
}
