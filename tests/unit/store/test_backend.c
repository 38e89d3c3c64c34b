/*
 * The backend interface (store.h) against the in-memory test backend:
 * capabilities from the table, each operation answered now and later, the
 * streams of items, LMTP per-recipient replies, cancellation of pending
 * requests, backend mistakes, limits and allocation failure.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "failalloc.h"
#include "memback.h"

/* What the hooks saw, as text, so tests compare whole sequences. */
struct rec {
	char log[2048];
	size_t len;
	int done;
	int stop_after; /* item hooks return CORREU_ERR_CANCELLED after this many */
	int items;
};

static void logf_(struct rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(struct rec *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	r->len += (size_t)vsnprintf(r->log + r->len, sizeof(r->log) - r->len, fmt, ap);
	va_end(ap);
	cr_assert_lt(r->len, sizeof(r->log));
}

static int item_result(struct rec *r)
{
	r->items++;
	return r->stop_after && r->items >= r->stop_after ? CORREU_ERR_CANCELLED : 0;
}

static int on_done(correu_store_req *req, void *ud)
{
	(void)req;
	((struct rec *)ud)->done++;
	return 0;
}

static int on_mailbox(correu_store_req *req, const correu_store_mailbox *m, void *ud)
{
	(void)req;
	logf_(ud, "[%.*s %c %#x]", (int)m->name_len, m->name, (char)m->delimiter, m->attrs);
	return item_result(ud);
}

static int on_msg(correu_store_req *req, const correu_store_msg *m, void *ud)
{
	(void)req;
	logf_(ud, "[msg %u f=%#x s=%llu m=%llu k=%.*s]", m->uid, m->flags,
	      (unsigned long long)m->size, (unsigned long long)m->modseq, (int)m->keywords_len,
	      m->keywords ? m->keywords : "");
	return item_result(ud);
}

static int on_uid(correu_store_req *req, uint32_t kind, uint32_t uid, uint32_t uid2, void *ud)
{
	(void)req;
	logf_(ud, "[uid %u %u %u]", kind, uid, uid2);
	return item_result(ud);
}

static int on_rcpt(correu_store_req *req, uint32_t index, uint32_t code, const uint32_t *enh,
                   const char *text, size_t len, void *ud)
{
	(void)req;
	logf_(ud, "[rcpt %u %u %u.%u.%u %.*s]", index, code, enh[0], enh[1], enh[2], (int)len,
	      text);
	return 0;
}

static const correu_store_hooks hooks = {
	.version = CORREU_STORE_HOOKS_VERSION,
	.done = on_done,
	.mailbox = on_mailbox,
	.msg = on_msg,
	.uid = on_uid,
	.rcpt_reply = on_rcpt,
};

/* A test's world: backend, store, and the mode it answers in. */
struct world {
	struct memback mb;
	correu_store *st;
	struct rec rec;
	correu_store_req *req;
};

static void world_init(struct world *w, bool later, const correu_allocator *a)
{
	memset(w, 0, sizeof(*w));
	memback_init(&w->mb);
	w->mb.later = later;
	cr_assert_eq(correu_store_new(memback_table(), &w->mb, NULL, a, &w->st), 0);
}

static void world_free(struct world *w)
{
	correu_store_req_free(w->req);
	w->req = NULL;
	cr_assert_eq(correu_store_live_requests(w->st), 0, "a request was left behind");
	correu_store_free(w->st);
	cr_assert_eq(w->mb.destroyed, 1);
}

/* A fresh request in w->req (the previous one freed). */
static correu_store_req *fresh(struct world *w)
{
	correu_store_req_free(w->req);
	w->req = NULL;
	cr_assert_eq(correu_store_req_new(w->st, &hooks, &w->rec, &w->req), 0);
	return w->req;
}

/*
 * Finish a call the way a core would: if it paused, run the backend's queue
 * and check that `done` came exactly once; if not, that it never came.
 * Returns the request's final status.
 */
static int settle(struct world *w, int rc)
{
	correu_store_result res = {.version = CORREU_STORE_RESULT_VERSION};
	int done_before = w->rec.done;

	if (rc == CORREU_PAUSE) {
		cr_assert(w->mb.later, "paused although the backend answers now");
		cr_assert_eq(correu_store_req_done(w->req), 0);
		cr_assert_eq(correu_store_req_result(w->req, &res), CORREU_ERR_STATE);
		cr_assert_eq(memback_run(&w->mb), 1);
		cr_assert_eq(w->rec.done, done_before + 1, "done hook not called once");
	} else {
		cr_assert_eq(w->rec.done, done_before, "done hook ran inside the call");
	}
	cr_assert_eq(correu_store_req_done(w->req), 1);
	cr_assert_eq(correu_store_req_result(w->req, &res), 0);
	if (rc != CORREU_PAUSE)
		cr_assert_eq(res.status, rc, "call returned %d, status %d", rc, res.status);
	return res.status;
}

static correu_store_session *open_session(struct world *w)
{
	correu_store_session *s;

	cr_assert_eq(settle(w, correu_store_session_open(fresh(w), "Alice", 5)), 0);
	cr_assert_eq(correu_store_req_take_session(w->req, &s), 0);
	cr_assert_eq(correu_store_req_take_session(w->req, &s), CORREU_ERR_STATE, "taken twice");
	return s;
}

static correu_store_box *open_box(struct world *w, correu_store_session *s, const char *name)
{
	correu_store_box *b;

	cr_assert_eq(settle(w, correu_store_select(fresh(w), s, name, strlen(name), 0)), 0);
	cr_assert_eq(correu_store_req_take_box(w->req, &b), 0);
	return b;
}

/* Every scenario runs with the backend answering now and answering later. */
ParameterizedTestParameters(backend, auth_password) { static bool m[] = {false, true};
	return cr_make_param_array(bool, m, 2); }
ParameterizedTest(bool *later, backend, auth_password)
{
	correu_store_result res = {.version = CORREU_STORE_RESULT_VERSION};
	struct world w;

	world_init(&w, *later, NULL);
	cr_assert_eq(settle(&w, correu_store_auth_password(fresh(&w), "alice", 5, "pencil", 6)), 0);
	cr_assert_eq(correu_store_req_result(w.req, &res), 0);
	cr_assert_str_eq(res.text, "Alice", "canonical user name lost");
	cr_assert_eq(res.op, CORREU_STORE_OP_AUTH_PASSWORD);
	cr_assert_eq(settle(&w, correu_store_auth_password(fresh(&w), "alice", 5, "pencil!", 7)),
		     CORREU_ERR_AUTH);
	cr_assert_eq(settle(&w, correu_store_auth_password(fresh(&w), "bob", 3, "pencil", 6)),
		     CORREU_ERR_AUTH);
	cr_assert_eq(settle(&w, correu_store_auth_token(fresh(&w), CORREU_SASL_XOAUTH2, "alice", 5,
							 MB_TOKEN, strlen(MB_TOKEN))),
		     0);
	cr_assert_eq(settle(&w, correu_store_auth_token(fresh(&w), CORREU_SASL_OAUTHBEARER, "", 0,
							 "bad", 3)),
		     CORREU_ERR_AUTH);
	world_free(&w);
}

ParameterizedTestParameters(backend, password_through_scram_keys) { static bool m[] = {false, true};
	return cr_make_param_array(bool, m, 2); }
ParameterizedTest(bool *later, backend, password_through_scram_keys)
{
	correu_store_backend t = *memback_table();
	struct world w;

	/* Without auth_password, PLAIN is checked against the stored keys. */
	t.auth_password = NULL;
	memset(&w, 0, sizeof(w));
	memback_init(&w.mb);
	w.mb.later = *later;
	cr_assert_eq(correu_store_new(&t, &w.mb, NULL, NULL, &w.st), 0);
	cr_assert(correu_store_caps(w.st) & CORREU_STORE_CAP_AUTH_PASSWORD);
	cr_assert_eq(settle(&w, correu_store_auth_password(fresh(&w), "alice", 5, "pencil", 6)), 0);
	cr_assert_eq(settle(&w, correu_store_auth_password(fresh(&w), "alice", 5, "pencim", 6)),
		     CORREU_ERR_AUTH);
	cr_assert_eq(settle(&w, correu_store_auth_password(fresh(&w), "nobody", 6, "pencil", 6)),
		     CORREU_ERR_NOT_FOUND);
	world_free(&w);
}

/* The keys a lookup returns drive a real SCRAM exchange of the SASL layer. */
static int test_random(uint8_t *buf, size_t len, void *ud)
{
	(void)ud;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 37 + 11);
	return 0;
}

static int scram_loop(struct world *w, const char *password)
{
	correu_sasl_settings set;
	correu_sasl_credentials cred = {.version = CORREU_SASL_CREDENTIALS_VERSION,
					.username = "alice", .username_len = 5,
					.password = password, .password_len = strlen(password)};
	correu_sasl_client *c;
	correu_sasl_server *s;
	correu_sasl_scram_keys keys;
	const uint8_t *out, *sout;
	size_t out_len, sout_len;
	int rc;

	correu_sasl_settings_init(&set);
	set.random = test_random;
	cr_assert_eq(correu_sasl_client_new(&set, CORREU_SASL_SCRAM_SHA_256, &cred, &c), 0);
	cr_assert_eq(correu_sasl_server_new(&set, CORREU_SASL_SCRAM_SHA_256, &s), 0);
	cr_assert_eq(correu_sasl_client_start(c, &out, &out_len), 1);
	rc = correu_sasl_server_step(s, out, out_len, &sout, &sout_len);
	cr_assert_eq(rc, CORREU_SASL_NEED_CREDENTIALS);
	rc = settle(w, correu_store_auth_scram_keys(fresh(w), CORREU_SASL_SCRAM_SHA_256, "alice", 5));
	cr_assert_eq(rc, 0);
	cr_assert_eq(correu_store_req_scram_keys(w->req, &keys), 0);
	rc = correu_sasl_server_supply_scram_keys(s, &keys, &sout, &sout_len);
	correu_wipe(&keys, sizeof(keys));
	while (rc == CORREU_SASL_CHALLENGE) {
		rc = correu_sasl_client_step(c, sout, sout_len, &out, &out_len);
		if (rc < 0)
			break;
		rc = correu_sasl_server_step(s, out, out_len, &sout, &sout_len);
	}
	if (rc == CORREU_SASL_SUCCESS)
		rc = correu_sasl_client_finish(c, NULL, 0) == 0 ? 0 : CORREU_ERR_AUTH;
	correu_sasl_client_free(c);
	correu_sasl_server_free(s);
	return rc;
}

ParameterizedTestParameters(backend, scram_keys_serve_a_sasl_exchange) { static bool m[] = {false, true};
	return cr_make_param_array(bool, m, 2); }
ParameterizedTest(bool *later, backend, scram_keys_serve_a_sasl_exchange)
{
	struct world w;
	correu_sasl_scram_keys k;

	world_init(&w, *later, NULL);
	cr_assert_eq(scram_loop(&w, "pencil"), 0);
	cr_assert_eq(scram_loop(&w, "crayon"), CORREU_ERR_AUTH);
	cr_assert_eq(settle(&w, correu_store_auth_scram_keys(fresh(&w), CORREU_SASL_SCRAM_SHA_1,
							      "alice", 5)),
		     CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_store_req_scram_keys(w.req, &k), CORREU_ERR_NOT_FOUND);
	world_free(&w);
}

ParameterizedTestParameters(backend, mailbox_management) { static bool m[] = {false, true};
	return cr_make_param_array(bool, m, 2); }
ParameterizedTest(bool *later, backend, mailbox_management)
{
	correu_store_status st = {.version = CORREU_STORE_STATUS_VERSION};
	correu_store_session *s;
	struct world w;

	world_init(&w, *later, NULL);
	s = open_session(&w);
	cr_assert_eq(w.mb.sessions_open, 1);
	cr_assert_eq(settle(&w, correu_store_list(fresh(&w), s, "*", 1, 0)), 0);
	cr_assert_str_eq(w.rec.log, "[INBOX / 0x90][Sent / 0x2010][Archive / 0x210]");
	w.rec.len = 0;
	cr_assert_eq(settle(&w, correu_store_create(fresh(&w), s, "Work", 4,
						     CORREU_STORE_USE_DRAFTS)), 0);
	cr_assert_eq(settle(&w, correu_store_create(fresh(&w), s, "Work", 4, 0)),
		     CORREU_ERR_EXISTS);
	cr_assert_eq(settle(&w, correu_store_rename(fresh(&w), s, "Work", 4, "Play", 4)), 0);
	cr_assert_eq(settle(&w, correu_store_subscribe(fresh(&w), s, "Play", 4, 1)), 0);
	cr_assert_eq(settle(&w, correu_store_list(fresh(&w), s, "%", 1,
						   CORREU_STORE_LIST_SUBSCRIBED)), 0);
	cr_assert_str_eq(w.rec.log, "[INBOX / 0x90][Play / 0x490]");
	cr_assert_eq(settle(&w, correu_store_delete(fresh(&w), s, "Play", 4)), 0);
	cr_assert_eq(settle(&w, correu_store_delete(fresh(&w), s, "Play", 4)),
		     CORREU_ERR_NOT_FOUND);
	cr_assert_eq(settle(&w, correu_store_mailbox_status(fresh(&w), s, "INBOX", 5,
							     CORREU_STORE_STATUS_ALL)), 0);
	cr_assert_eq(correu_store_req_status(w.req, &st), 0);
	cr_assert_eq(st.messages, 3);
	cr_assert_eq(st.unseen, 2);
	cr_assert_eq(st.uidnext, 4);
	cr_assert_eq(st.uidvalidity, 1000);
	cr_assert_eq(st.highestmodseq, 3);
	cr_assert_eq(st.keywords_len, strlen("$Forwarded $Junk"));
	cr_assert_eq(memcmp(st.keywords, "$Forwarded $Junk", st.keywords_len), 0);
	correu_store_req_free(w.req);
	w.req = NULL;
	correu_store_session_close(s);
	cr_assert_eq(w.mb.sessions_open, 0);
	world_free(&w);
}

ParameterizedTestParameters(backend, selected_mailbox) { static bool m[] = {false, true};
	return cr_make_param_array(bool, m, 2); }
ParameterizedTest(bool *later, backend, selected_mailbox)
{
	correu_store_result res = {.version = CORREU_STORE_RESULT_VERSION};
	static const uint32_t two[] = {2, 2}, all[] = {1, 3};
	correu_store_session *s;
	correu_store_box *b;
	struct world w;

	world_init(&w, *later, NULL);
	s = open_session(&w);
	b = open_box(&w, s, "INBOX");
	cr_assert_str_eq(w.rec.log, "[msg 1 f=0x1 s=31 m=1 k=][msg 2 f=0 s=49 m=2 k=]"
				    "[msg 3 f=0x8 s=23 m=3 k=]");
	w.rec.len = 0;
	/* UNCHANGEDSINCE 1: message 1 changes, 2 and 3 are reported MODIFIED. */
	cr_assert_eq(settle(&w, correu_store_set_flags(fresh(&w), b, all, 1,
							CORREU_STORE_FLAGS_ADD,
							CORREU_STORE_FLAG_FLAGGED, "$Junk", 5, 1)),
		     0);
	cr_assert_str_eq(w.rec.log, "[msg 1 f=0x5 s=31 m=4 k=$Junk][uid 2 2 0][uid 2 3 0]");
	w.rec.len = 0;
	cr_assert_eq(settle(&w, correu_store_copy(fresh(&w), b, two, 1, "Archive", 7, 0)), 0);
	cr_assert_eq(correu_store_req_result(w.req, &res), 0);
	cr_assert_eq(res.uidvalidity, 1002);
	cr_assert_str_eq(w.rec.log, "[uid 3 2 1]");
	w.rec.len = 0;
	cr_assert_eq(settle(&w, correu_store_copy(fresh(&w), b, two, 1, "Nowhere", 7, 0)),
		     CORREU_ERR_NOT_FOUND);
	cr_assert_eq(settle(&w, correu_store_expunge(fresh(&w), b, NULL, 0)), 0);
	cr_assert_str_eq(w.rec.log, "[uid 1 3 0]");
	w.rec.len = 0;
	cr_assert_eq(settle(&w, correu_store_copy(fresh(&w), b, two, 1, "Sent", 4, 1)), 0);
	cr_assert_str_eq(w.rec.log, "[uid 3 2 1][uid 1 2 0]");
	w.rec.len = 0;
	cr_assert_eq(settle(&w, correu_store_box_sync(fresh(&w), b)), 0);
	cr_assert_str_eq(w.rec.log, "[uid 1 3 0][msg 2 f=0 s=49 m=2 k=]");
	correu_store_req_free(w.req);
	w.req = NULL;
	correu_store_box_close(b);
	correu_store_session_close(s);
	cr_assert_eq(w.mb.boxes_open + w.mb.sessions_open, 0);
	world_free(&w);
}

/* Read a whole message in chunks of `chunk` bytes. */
static size_t read_all(struct world *w, correu_store_stream *st, size_t chunk, char *out,
                       size_t cap)
{
	correu_store_result res = {.version = CORREU_STORE_RESULT_VERSION};
	size_t len = 0;

	for (;;) {
		cr_assert_eq(settle(w, correu_store_stream_read(fresh(w), st, chunk)), 0);
		cr_assert_eq(correu_store_req_result(w->req, &res), 0);
		cr_assert_leq(res.data_len, chunk);
		if (res.data_len == 0)
			return len;
		cr_assert_leq(len + res.data_len, cap);
		memcpy(out + len, res.data, res.data_len);
		len += res.data_len;
	}
}

ParameterizedTestParameters(backend, message_stream_in_chunks) { static bool m[] = {false, true};
	return cr_make_param_array(bool, m, 2); }
ParameterizedTest(bool *later, backend, message_stream_in_chunks)
{
	const char *want = "Subject: two\r\n\r\nsecond message, a little longer\r\n";
	correu_store_session *s;
	correu_store_stream *st;
	correu_store_box *b;
	struct world w;
	char buf[256];

	world_init(&w, *later, NULL);
	s = open_session(&w);
	b = open_box(&w, s, "INBOX");
	cr_assert_eq(settle(&w, correu_store_message_open(fresh(&w), b, 2)), 0);
	cr_assert_eq(correu_store_req_take_stream(w.req, &st), 0);
	for (size_t chunk = 1; chunk <= 64; chunk *= 3) {
		((struct mb_stream *)((correu__store_obj_peek_t *)0, NULL), (void)0);
	}
	cr_assert_eq(read_all(&w, st, 7, buf, sizeof(buf)), strlen(want));
	cr_assert_eq(memcmp(buf, want, strlen(want)), 0);
	cr_assert_eq(settle(&w, correu_store_message_open(fresh(&w), b, 9)), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(settle(&w, correu_store_stream_read(fresh(&w), st, 65537)), CORREU_ERR_LIMIT);
	correu_store_stream_close(st);
	correu_store_box_close(b);
	correu_store_session_close(s);
	cr_assert_eq(w.mb.streams_open + w.mb.boxes_open + w.mb.sessions_open, 0);
	world_free(&w);
}
