/*
 * Internals of the default backend (store layer): the Maildir store behind
 * the backend interface. One file per group of callbacks: mdbe.c (setup,
 * users, sessions, folders), mdbe_box.c (a selected mailbox), mdbe_read.c
 * (message streams), mdbe_write.c (append and delivery).
 */
#ifndef CORREU_STORE_MDBE_INT_H
#define CORREU_STORE_MDBE_INT_H

#include <stdbool.h>

#include "correu/maildir_backend.h"
#include "internal.h"

struct correu_maildir_backend {
	const correu_allocator *alloc;
	const correu_logger *logger;
	correu_maildir_settings mset;
	const correu_passwd *users;
	uint32_t max_rcpts;
	char *root;
	size_t root_len;
	struct mdbe_pool *pool; /* commit workers; NULL: commits on the caller's thread */
};

/* A user's open Maildir. */
struct mdbe_session {
	correu_maildir_backend *mb;
	correu_maildir *md;
};

/* What the core last heard about one message, to report changes. */
struct mdbe_seen {
	uint32_t uid;
	uint64_t modseq;
};

/* A selected folder. */
struct mdbe_box {
	struct mdbe_session *s;
	correu_maildir_box *box;
	struct mdbe_seen *seen;
	size_t nseen;
	bool read_only;
};

/* A commit for the workers (mdbe_pool.c). `work` and `sync` run on a
 * worker (or inline without workers) and must neither allocate nor log;
 * `done` runs on the loop thread and may free the job. */
struct mdbe_group;
struct mdbe_job {
	struct mdbe_job *next;
	void (*work)(struct mdbe_job *j); /* everything but directory fsyncs */
	/* fsync the job's directories through correu__mdbe_group_fsync() */
	void (*sync)(struct mdbe_job *j, struct mdbe_group *g);
	/* answer the request: what the completion returned; the job may be
	 * gone by then (the answer can close the delivery) */
	int (*done)(struct mdbe_job *j);
};

int correu__mdbe_pool_new(const correu_allocator *alloc, uint32_t nthreads,
                          int (*wake)(void *userdata), void *wake_ud, struct mdbe_pool **out);
/* Stop the workers once the queue is empty and join them. */
void correu__mdbe_pool_free(struct mdbe_pool *p);
void correu__mdbe_pool_submit(struct mdbe_pool *p, struct mdbe_job *j);
/* Loop thread: run `done` of every job synced since the last call. */
void correu__mdbe_pool_dispatch(struct mdbe_pool *p);
/* Run a job's three steps now, on this thread (no workers); `done`'s result. */
int correu__mdbe_job_run_here(struct mdbe_job *j);
/* fsync `folder`/new unless this group did already; its result. */
int correu__mdbe_group_fsync(struct mdbe_group *g, const char *folder);

#define MB(ud) ((correu_maildir_backend *)(ud))
/* A reply text and its length, for correu_store_complete_reply(). */
#define TXT(s) s, sizeof(s) - 1

/* Open the Maildir of a user; CORREU_ERR_ARG for an unsafe name. */
int correu__mdbe_open_user(correu_maildir_backend *mb, const char *user, size_t len,
                           correu_maildir **md_out);
/* The store's flags and keywords of a Maildir message. */
int correu__mdbe_msg(struct mdbe_box *b, size_t index, correu_store_msg *out, correu__buf *kw);
/* Emit a message; `kw` is scratch space for its keywords. */
int correu__mdbe_emit(correu_store_req *req, struct mdbe_box *b, size_t index, correu__buf *kw);
/* Translate store flags and keywords to Maildir bits (keywords created). */
int correu__mdbe_flags_in(correu_maildir_box *box, uint32_t flags, const char *kw, size_t kwlen,
                          bool create, uint32_t *md_flags, uint32_t *md_kw);
/* Remember the messages the core now knows (after select or sync). */
int correu__mdbe_snapshot(struct mdbe_box *b);
/* RFC822.SIZE of a message without W=: its bytes with bare LFs counted twice. */
int correu__mdbe_vsize(correu_maildir_box *box, uint32_t uid, uint64_t *out);
/* UID ranges contain a UID. */
bool correu__mdbe_in_ranges(uint32_t uid, const uint32_t *r, size_t n);

/* Callbacks, by file. */
int correu__mdbe_select(correu_store_req *req, void *s, const char *name, size_t len,
                        uint32_t flags, correu_store_box *box, void *ud);
int correu__mdbe_box_close(void *box, void *ud);
int correu__mdbe_sync(correu_store_req *req, void *box, void *ud);
int correu__mdbe_set_flags(correu_store_req *req, void *box, const uint32_t *ranges, size_t n,
                           uint32_t mode, uint32_t flags, const char *kw, size_t kwlen,
                           uint64_t unchangedsince, void *ud);
int correu__mdbe_expunge(correu_store_req *req, void *box, const uint32_t *ranges, size_t n,
                         void *ud);
int correu__mdbe_copy(correu_store_req *req, void *box, const uint32_t *ranges, size_t n,
                      const char *dest, size_t dlen, void *ud);
int correu__mdbe_move(correu_store_req *req, void *box, const uint32_t *ranges, size_t n,
                      const char *dest, size_t dlen, void *ud);
int correu__mdbe_message_open(correu_store_req *req, void *box, uint32_t uid, void *ud);
int correu__mdbe_stream_read(correu_store_req *req, void *stream, size_t max, void *ud);
int correu__mdbe_stream_close(void *stream, void *ud);
int correu__mdbe_append_begin(correu_store_req *req, void *s, const char *name, size_t len,
                              uint32_t flags, const char *kw, size_t kwlen, int64_t date,
                              uint64_t size, void *ud);
int correu__mdbe_append_write(correu_store_req *req, void *a, const uint8_t *data, size_t len,
                              void *ud);
int correu__mdbe_append_commit(correu_store_req *req, void *a, void *ud);
int correu__mdbe_append_abort(void *a, void *ud);
int correu__mdbe_deliver_begin(correu_store_req *req, const correu_store_envelope *env, void *ud);
int correu__mdbe_deliver_rcpt(correu_store_req *req, void *d, const correu_store_rcpt *rcpt,
                              void *ud);
int correu__mdbe_deliver_data(correu_store_req *req, void *d, const uint8_t *data, size_t len,
                              void *ud);
int correu__mdbe_deliver_commit(correu_store_req *req, void *d, void *ud);
int correu__mdbe_deliver_abort(void *d, void *ud);

#endif
