/*
 * The default backend's delivery commits (store layer), with and without
 * commit worker threads: many deliveries in flight at once all answered
 * on the test's thread, each present and intact, with UIDs that the next
 * reader gives unique and increasing and that stay put; a commit whose
 * client went away; delivery while another process holds the
 * dovecot-uidlist lock; configuration checks and allocation failure.
 */
#include <criterion/criterion.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "correu/maildir_backend.h"
#include "failalloc.h"
#include "store_test.h"

#define N_INFLIGHT 48

/* The "event loop": the workers' wake-ups arrive on a pipe. */
struct loop {
	int fds[2];
	atomic_int wakes;
};

static int wake(void *ud)
{
	struct loop *l = ud;

	atomic_fetch_add(&l->wakes, 1);
	(void)!write(l->fds[1], "w", 1);
	return 0;
}

struct world {
	char dir[64];
	struct loop loop;
	correu_maildir_backend *mb;
	correu_store *st;
};

static int world_open(struct world *w, uint32_t version, uint32_t threads,
                      const correu_allocator *a)
{
	correu_maildir_backend_config cfg = { .version = version };
	correu_store_backend table;
	char root[128];
	int rc;

	snprintf(root, sizeof(root), "%s/%%u/Maildir", w->dir);
	cfg.root = root;
	if (version >= 2) {
		cfg.commit_threads = threads;
		cfg.wake = wake;
		cfg.wake_userdata = &w->loop;
	}
	rc = correu_maildir_backend_new(&cfg, a, NULL, &w->mb);
	if (rc == 0)
		rc = correu_maildir_backend_table(w->mb, &table);
	if (rc == 0)
		rc = correu_store_new(&table, w->mb, NULL, a, &w->st);
	return rc;
}

static void world_init(struct world *w, uint32_t version, uint32_t threads)
{
	memset(w, 0, sizeof(*w));
	st_mkdtemp(w->dir, sizeof(w->dir));
	cr_assert_eq(pipe(w->loop.fds), 0);
	cr_assert_eq(world_open(w, version, threads, NULL), 0);
}

static void world_close(struct world *w)
{
	correu_store_free(w->st);
	correu_maildir_backend_free(w->mb);
	w->st = NULL;
	w->mb = NULL;
}

static void world_free(struct world *w)
{
	world_close(w);
	close(w->loop.fds[0]);
	close(w->loop.fds[1]);
	st_rm_tree(w->dir);
}

/* One delivery on its way: its request and the answer it got. */
struct flight {
	correu_store_delivery *d;
	correu_store_req *req;
	int done;
	int status;
	uint32_t code;
};

static int on_done(correu_store_req *req, void *ud)
{
	struct flight *f = ud;
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };

	cr_assert_eq(correu_store_req_result(req, &r), 0);
	f->done = 1;
	f->status = r.status;
	f->code = r.reply_code;
	/* As the SMTP core does: the transaction ends with its answer. */
	correu_store_delivery_close(f->d);
	f->d = NULL;
	return 0;
}

static const correu_store_hooks hooks = { .version = CORREU_STORE_HOOKS_VERSION,
	                                  .done = on_done };

static int req_new(struct world *w, struct flight *f, correu_store_req **out)
{
	*out = NULL;
	return correu_store_req_new(w->st, &hooks, f, out);
}

static void body_of(char *buf, size_t cap, int i)
{
	snprintf(buf, cap, "Subject: %d\r\nMessage-ID: <%d@test>\r\n\r\nbody of %d\r\n.\r\n", i,
	         i, i);
}

/* Begin a delivery of message i to alice and start its commit; returns
 * what the commit call returned, or the first step's failure (then
 * nothing is left open). */
static int start(struct world *w, struct flight *f, int i)
{
	correu_store_envelope env = { .version = CORREU_STORE_ENVELOPE_VERSION,
		                      .flags = CORREU_STORE_ENV_LMTP,
		                      .mail_from = "x@example.net",
		                      .mail_from_len = 13 };
	correu_store_rcpt rcpt = { .version = CORREU_STORE_RCPT_VERSION,
		                   .address = "alice@example.org",
		                   .address_len = 17 };
	correu_store_req *req;
	char body[128];
	int rc = req_new(w, f, &req);

	body_of(body, sizeof(body), i);
	if (rc == 0)
		rc = correu_store_deliver_begin(req, &env);
	if (rc == 0)
		rc = correu_store_req_take_delivery(req, &f->d);
	correu_store_req_free(req);
	if (rc == 0 && (rc = req_new(w, f, &req)) == 0) {
		rc = correu_store_deliver_rcpt(req, f->d, &rcpt);
		correu_store_req_free(req);
	}
	if (rc == 0 && (rc = req_new(w, f, &req)) == 0) {
		rc = correu_store_deliver_data(req, f->d, (const uint8_t *)body, strlen(body));
		correu_store_req_free(req);
	}
	if (rc == 0 && (rc = req_new(w, f, &f->req)) == 0)
		rc = correu_store_deliver_commit(f->req, f->d);
	if (rc < 0) {
		correu_store_req_free(f->req);
		correu_store_delivery_close(f->d);
		f->req = NULL;
		f->d = NULL;
	}
	return rc;
}

/* Run the loop until `n` flights are done (bounded: 30 s). */
static void run_until_done(struct world *w, struct flight *f, size_t n)
{
	for (int turns = 0; turns < 3000; turns++) {
		struct pollfd p = { .fd = w->loop.fds[0], .events = POLLIN };
		size_t done = 0;
		char buf[64];

		for (size_t i = 0; i < n; i++)
			done += (size_t)f[i].done;
		if (done == n)
			return;
		if (poll(&p, 1, 10) == 1)
			(void)!read(w->loop.fds[0], buf, sizeof(buf));
		cr_assert_eq(correu_maildir_backend_dispatch(w->mb), 0);
	}
	cr_assert_fail("deliveries not answered in time");
}

/* alice's INBOX as the next reader sees it: every message i < n once,
 * intact, UIDs increasing; returns the UIDs for a later comparison. */
static void check_inbox(struct world *w, int n, uint32_t *uids)
{
	char root[128];
	correu_maildir *md;
	correu_maildir_box *box;
	int *seen = calloc((size_t)n, sizeof(*seen));

	snprintf(root, sizeof(root), "%s/alice/Maildir", w->dir);
	md = st_open(root);
	box = st_box(md, "INBOX");
	cr_assert_eq(correu_maildir_box_count(box), (size_t)n);
	for (size_t k = 0; k < (size_t)n; k++) {
		correu_maildir_msg m = { .version = CORREU_MAILDIR_MSG_VERSION };
		char want[128], *text;
		int i = -1;

		cr_assert_eq(correu_maildir_box_message(box, k, &m), 0);
		cr_assert(k == 0 || m.uid > uids[k - 1], "UIDs increase");
		uids[k] = m.uid;
		text = st_read(box, m.uid);
		cr_assert_eq(sscanf(text, "Subject: %d", &i), 1);
		cr_assert(i >= 0 && i < n && !seen[i], "message %d once", i);
		seen[i] = 1;
		body_of(want, sizeof(want), i);
		cr_assert_str_eq(text, want);
		free(text);
	}
	free(seen);
	correu_maildir_box_close(box);
	correu_maildir_free(md);
}

static size_t files_in(struct world *w, const char *sub)
{
	char p[256];
	DIR *d;
	struct dirent *e;
	size_t n = 0;

	snprintf(p, sizeof(p), "%s/alice/Maildir/%s", w->dir, sub);
	cr_assert_not_null(d = opendir(p));
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

Test(commit, many_in_flight_with_workers_all_answered_intact_with_stable_uids)
{
	struct world w;
	struct flight f[N_INFLIGHT] = { 0 };
	uint32_t uids[N_INFLIGHT], again[N_INFLIGHT];

	world_init(&w, CORREU_MAILDIR_BACKEND_CONFIG_VERSION, 4);
	for (int i = 0; i < N_INFLIGHT; i++)
		cr_assert_eq(start(&w, &f[i], i), CORREU_PAUSE, "commit %d is answered later", i);
	run_until_done(&w, f, N_INFLIGHT);
	cr_assert_gt(atomic_load(&w.loop.wakes), 0);
	for (int i = 0; i < N_INFLIGHT; i++) {
		cr_assert_eq(f[i].status, 0);
		cr_assert_eq(f[i].code, 250);
		correu_store_req_free(f[i].req);
		correu_store_delivery_close(f[i].d);
	}
	cr_assert_eq(correu_store_live_requests(w.st), 0);
	cr_assert_eq(files_in(&w, "tmp"), 0);
	cr_assert_eq(files_in(&w, "new"), N_INFLIGHT);
	{
		/* Delivery neither read nor wrote the folder's index: UIDs are
		 * the next reader's job, whatever the folder's size. */
		char ul[160];

		snprintf(ul, sizeof(ul), "%s/alice/Maildir/dovecot-uidlist", w.dir);
		cr_assert_neq(access(ul, F_OK), 0);
	}
	check_inbox(&w, N_INFLIGHT, uids);
	/* A second reader finds the same UIDs in dovecot-uidlist. */
	check_inbox(&w, N_INFLIGHT, again);
	cr_assert_arr_eq(uids, again, sizeof(uids));
	world_free(&w);
}

Test(commit, without_workers_the_commit_answers_in_the_call)
{
	static const uint32_t versions[] = { 1, CORREU_MAILDIR_BACKEND_CONFIG_VERSION };

	for (size_t v = 0; v < 2; v++) {
		struct world w;
		struct flight f[3] = { 0 };
		uint32_t uids[3];

		world_init(&w, versions[v], 0);
		for (int i = 0; i < 3; i++) {
			cr_assert_eq(start(&w, &f[i], i), 0);
			cr_assert_eq(f[i].done, 0, "no done hook for an answer in the call");
			correu_store_req_free(f[i].req);
			correu_store_delivery_close(f[i].d);
		}
		cr_assert_eq(atomic_load(&w.loop.wakes), 0);
		check_inbox(&w, 3, uids);
		world_free(&w);
	}
}

Test(commit, uids_follow_those_already_listed)
{
	struct world w;
	struct flight f[4] = { 0 };
	uint32_t uids[4];

	world_init(&w, CORREU_MAILDIR_BACKEND_CONFIG_VERSION, 2);
	for (int i = 0; i < 2; i++)
		cr_assert_eq(start(&w, &f[i], i), CORREU_PAUSE);
	run_until_done(&w, f, 2);
	check_inbox(&w, 2, uids); /* gives UIDs 1 and 2 */
	for (int i = 2; i < 4; i++)
		cr_assert_eq(start(&w, &f[i], i), CORREU_PAUSE);
	run_until_done(&w, f + 2, 2);
	for (int i = 0; i < 4; i++) {
		correu_store_req_free(f[i].req);
		correu_store_delivery_close(f[i].d);
	}
	check_inbox(&w, 4, uids);
	cr_assert_eq(uids[0], 1);
	cr_assert_eq(uids[1], 2);
	cr_assert_eq(uids[3], 4);
	world_free(&w);
}

Test(commit, client_gone_while_the_workers_hold_the_commit)
{
	struct world w;
	struct flight f = { 0 };
	uint32_t uid;

	world_init(&w, CORREU_MAILDIR_BACKEND_CONFIG_VERSION, 1);
	cr_assert_eq(start(&w, &f, 0), CORREU_PAUSE);
	/* The connection drops: the core frees its request and closes. */
	correu_store_req_free(f.req);
	correu_store_delivery_close(f.d);
	for (int turns = 0; turns < 3000 && correu_store_live_requests(w.st); turns++) {
		struct pollfd p = { .fd = w.loop.fds[0], .events = POLLIN };
		char buf[8];

		if (poll(&p, 1, 10) == 1)
			(void)!read(w.loop.fds[0], buf, sizeof(buf));
		cr_assert_eq(correu_maildir_backend_dispatch(w.mb), 0);
	}
	cr_assert_eq(correu_store_live_requests(w.st), 0);
	cr_assert_eq(f.done, 0, "a cancelled request runs no hook");
	/* Stored but never acknowledged: kept whole (a retry makes a
	 * duplicate, never a loss), nothing left in tmp/. */
	cr_assert_eq(files_in(&w, "tmp"), 0);
	check_inbox(&w, 1, &uid);
	world_free(&w);
}

Test(commit, delivery_does_not_wait_for_the_uidlist_lock)
{
	struct world w;
	struct flight f[2] = { 0 };
	char lock[160];
	uint32_t uids[2];

	world_init(&w, CORREU_MAILDIR_BACKEND_CONFIG_VERSION, 2);
	cr_assert_eq(start(&w, &f[0], 0), CORREU_PAUSE); /* makes the Maildir */
	run_until_done(&w, f, 1);
	/* A reader elsewhere (our pid: alive, so never stale) holds it. */
	snprintf(lock, sizeof(lock), "%s/alice/Maildir/dovecot-uidlist.lock", w.dir);
	{
		char id[64];

		snprintf(id, sizeof(id), "%ld:elsewhere.example", (long)getpid());
		st_write_file(lock, id);
	}
	cr_assert_eq(start(&w, &f[1], 1), CORREU_PAUSE);
	run_until_done(&w, f + 1, 1);
	cr_assert_eq(f[1].code, 250);
	unlink(lock);
	for (int i = 0; i < 2; i++) {
		correu_store_req_free(f[i].req);
		correu_store_delivery_close(f[i].d);
	}
	check_inbox(&w, 2, uids);
	world_free(&w);
}

Test(commit, configuration_is_checked)
{
	correu_maildir_backend_config cfg = { .version = CORREU_MAILDIR_BACKEND_CONFIG_VERSION,
		                              .root = "/tmp/%u" };
	correu_maildir_backend *mb = NULL;
	struct loop l = { { -1, -1 }, 0 };

	cfg.commit_threads = 2; /* but no wake hook */
	cr_assert_eq(correu_maildir_backend_new(&cfg, NULL, NULL, &mb), CORREU_ERR_ARG);
	cfg.wake = wake;
	cfg.wake_userdata = &l;
	cfg.commit_threads = 65;
	cr_assert_eq(correu_maildir_backend_new(&cfg, NULL, NULL, &mb), CORREU_ERR_ARG);
	cfg.commit_threads = 64;
	cfg.reserved = 1;
	cr_assert_eq(correu_maildir_backend_new(&cfg, NULL, NULL, &mb), CORREU_ERR_ARG);
	cfg.reserved = 0;
	cr_assert_eq(correu_maildir_backend_new(&cfg, NULL, NULL, &mb), 0);
	correu_maildir_backend_free(mb);
	cr_assert_eq(correu_maildir_backend_dispatch(NULL), CORREU_ERR_ARG);
}

/* A whole delivery with workers, every allocation failing in turn. */
static int scenario(void *ctx, const correu_allocator *a)
{
	struct world *w = ctx;
	struct flight f = { 0 };
	int rc = world_open(w, CORREU_MAILDIR_BACKEND_CONFIG_VERSION, 2, a);

	if (rc == 0) {
		rc = start(w, &f, 0);
		cr_assert(rc == CORREU_PAUSE || rc < 0, "answered later, or failed: %d", rc);
		if (rc == CORREU_PAUSE) {
			run_until_done(w, &f, 1);
			rc = f.status;
			/* The failure may also land in a reply: "451". */
			if (rc == 0 && f.code != 250)
				rc = CORREU_ERR_NOMEM;
		}
		correu_store_req_free(f.req);
		correu_store_delivery_close(f.d);
	}
	world_close(w);
	return rc;
}

Test(commit, allocation_failure)
{
	struct world w;

	memset(&w, 0, sizeof(w));
	st_mkdtemp(w.dir, sizeof(w.dir));
	cr_assert_eq(pipe(w.loop.fds), 0);
	cr_assert_gt(failalloc_loop(scenario, &w, 400), 0);
	close(w.loop.fds[0]);
	close(w.loop.fds[1]);
	st_rm_tree(w.dir);
}
