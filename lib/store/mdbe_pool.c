/*
 * The default backend's commit workers (store layer): an optional pool of
 * threads that makes deliveries durable off the event loop, so that the
 * fsyncs of concurrent deliveries overlap instead of queueing behind one
 * another. A job's own work (fsync of each message, link into new/) runs
 * on any worker; then the directory fsyncs are group-committed: the first
 * worker to arrive fsyncs every directory that all jobs placed so far
 * touched, once each, while the jobs that arrive meanwhile wait for the
 * next group. A job is answered only after its group's fsyncs, on the loop
 * thread (store.h: completions come from the event loop), when the owner
 * calls correu_maildir_backend_dispatch() after the wake hook told it to.
 * Workers never allocate or log: the allocator and logger need not be
 * thread-safe.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "maildir_internal.h"
#include "mdbe_int.h"

/* Directories remembered per group to fsync each once; beyond that a
 * directory may be fsynced twice, which costs time, not safety. */
#define GROUP_SEEN 64

struct mdbe_pool {
	const correu_allocator *alloc;
	pthread_mutex_t mu;
	pthread_cond_t work_cv; /* a job was queued, or stop */
	pthread_cond_t sync_cv; /* a group was synced */
	pthread_t *threads;
	uint32_t nthreads;
	bool stop;
	struct mdbe_job *queue, **queue_tail; /* waiting for a worker */
	struct mdbe_job *placed, **placed_tail; /* worked, waiting for a group */
	struct mdbe_job *done, **done_tail;     /* synced, for the loop */
	uint64_t last_ticket; /* tickets given to placed jobs */
	uint64_t synced;      /* every ticket up to this is in a synced group */
	bool syncing;
	int (*wake)(void *userdata);
	void *wake_ud;
};

/* The directories of one group fsynced so far, with their results. */
struct mdbe_group {
	const char *dir[GROUP_SEEN];
	int rc[GROUP_SEEN];
	size_t n;
};

static void append(struct mdbe_job ***tail, struct mdbe_job *j)
{
	j->next = NULL;
	**tail = j;
	*tail = &j->next;
}

int correu__mdbe_group_fsync(struct mdbe_group *g, const char *folder)
{
	char dir[MD_PATH_MAX];
	int rc;

	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->dir[i], folder) == 0)
			return g->rc[i];
	if (strlen(folder) + sizeof("/new") > sizeof(dir))
		return CORREU_ERR_LIMIT;
	memcpy(dir, folder, strlen(folder));
	memcpy(dir + strlen(folder), "/new", sizeof("/new"));
	rc = correu__md_fsync_dir(dir);
	if (g->n < GROUP_SEEN) {
		g->dir[g->n] = folder;
		g->rc[g->n++] = rc;
	}
	return rc;
}

int correu__mdbe_job_run_here(struct mdbe_job *j)
{
	struct mdbe_group g = {.n = 0};

	j->work(j);
	j->sync(j, &g);
	return j->done(j);
}

/* Sync every job placed so far as one group (called with mu held, which
 * it drops while it fsyncs). */
static void sync_group(struct mdbe_pool *p)
{
	struct mdbe_job *group = p->placed;
	uint64_t target = p->last_ticket;
	struct mdbe_group g = {.n = 0};

	p->syncing = true;
	p->placed = NULL;
	p->placed_tail = &p->placed;
	pthread_mutex_unlock(&p->mu);
	for (struct mdbe_job *j = group; j; j = j->next)
		j->sync(j, &g);
	pthread_mutex_lock(&p->mu);
	while (group) {
		struct mdbe_job *next = group->next;

		append(&p->done_tail, group);
		group = next;
	}
	p->synced = target;
	p->syncing = false;
	pthread_cond_broadcast(&p->sync_cv);
}

static void *worker(void *arg)
{
	struct mdbe_pool *p = arg;

	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct mdbe_job *j;
		uint64_t ticket;
		bool wake = false;

		while (!p->stop && !p->queue)
			pthread_cond_wait(&p->work_cv, &p->mu);
		if (!p->queue)
			break; /* stopping, and nothing left to finish */
		j = p->queue;
		p->queue = j->next;
		if (!p->queue)
			p->queue_tail = &p->queue;
		pthread_mutex_unlock(&p->mu);
		j->work(j);
		pthread_mutex_lock(&p->mu);
		ticket = ++p->last_ticket;
		append(&p->placed_tail, j);
		while (p->synced < ticket) {
			if (p->syncing) {
				pthread_cond_wait(&p->sync_cv, &p->mu);
			} else {
				sync_group(p);
				wake = true;
			}
		}
		if (wake) {
			pthread_mutex_unlock(&p->mu);
			(void)p->wake(p->wake_ud);
			pthread_mutex_lock(&p->mu);
		}
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

void correu__mdbe_pool_free(struct mdbe_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stop = true;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
	for (uint32_t i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	/* Jobs synced but not dispatched belong to requests of a store that
	 * is gone (the store is freed before its backend): nothing to answer. */
	pthread_cond_destroy(&p->sync_cv);
	pthread_cond_destroy(&p->work_cv);
	pthread_mutex_destroy(&p->mu);
	correu__free(p->alloc, p->threads, (size_t)p->nthreads * sizeof(*p->threads));
	correu__free(p->alloc, p, sizeof(*p));
}

int correu__mdbe_pool_new(const correu_allocator *alloc, uint32_t nthreads,
                          int (*wake)(void *userdata), void *wake_ud, struct mdbe_pool **out)
{
	struct mdbe_pool *p = correu__calloc(alloc, sizeof(*p));

	*out = NULL;
	if (!p)
		return CORREU_ERR_NOMEM;
	p->threads = correu__calloc(alloc, (size_t)nthreads * sizeof(*p->threads));
	if (!p->threads) {
		correu__free(alloc, p, sizeof(*p));
		return CORREU_ERR_NOMEM;
	}
	p->alloc = alloc;
	p->wake = wake;
	p->wake_ud = wake_ud;
	p->queue_tail = &p->queue;
	p->placed_tail = &p->placed;
	p->done_tail = &p->done;
	if (pthread_mutex_init(&p->mu, NULL) != 0) {
		correu__free(alloc, p->threads, (size_t)nthreads * sizeof(*p->threads));
		correu__free(alloc, p, sizeof(*p));
		return CORREU_ERR_NOMEM;
	}
	(void)pthread_cond_init(&p->work_cv, NULL);
	(void)pthread_cond_init(&p->sync_cv, NULL);
	for (; p->nthreads < nthreads; p->nthreads++) {
		if (pthread_create(&p->threads[p->nthreads], NULL, worker, p) != 0) {
			correu__mdbe_pool_free(p);
			return CORREU_ERR_NOMEM;
		}
	}
	*out = p;
	return 0;
}

void correu__mdbe_pool_submit(struct mdbe_pool *p, struct mdbe_job *j)
{
	pthread_mutex_lock(&p->mu);
	append(&p->queue_tail, j);
	pthread_cond_signal(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
}

void correu__mdbe_pool_dispatch(struct mdbe_pool *p)
{
	struct mdbe_job *j;

	pthread_mutex_lock(&p->mu);
	j = p->done;
	p->done = NULL;
	p->done_tail = &p->done;
	pthread_mutex_unlock(&p->mu);
	while (j) {
		struct mdbe_job *next = j->next;

		(void)j->done(j); /* may free j; the store has the answer */
		j = next;
	}
}
