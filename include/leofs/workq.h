/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A fixed pool of worker threads with a FIFO queue. Daemons run disk I/O
 * and erasure coding here, off the event loop; one queue per disk keeps a
 * slow disk from stalling the others.
 */
#ifndef LEOFS_WORKQ_H
#define LEOFS_WORKQ_H

struct leofs_workq;

int leofs_workq_new(const char *name, unsigned threads,
		    struct leofs_workq **out);
/* Queues fn(arg); it runs on one of the workers. */
int leofs_workq_submit(struct leofs_workq *wq, void (*fn)(void *arg),
		       void *arg);
/* Jobs queued or running. */
unsigned long leofs_workq_busy(struct leofs_workq *wq);
/* Runs every queued job, then stops the workers and frees the queue. */
void leofs_workq_free(struct leofs_workq *wq);

#endif /* LEOFS_WORKQ_H */
