/*
 * The backend interface (store.h) against the in-memory test backend:
 * capabilities from the table, each operation answered now and later, the
 * streams of items, LMTP per-recipient replies, cancellation of pending
 * requests, backend mistakes, limits and allocation failure.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
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
	correu_store_result res = { .version = CORREU_STORE_RESULT_VERSION };
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
	correu_store_session *s, *again;

	cr_assert_eq(settle(w, correu_store_session_open(fresh(w), "Alice", 5)), 0);
	cr_assert_eq(correu_store_req_take_session(w->req, &s), 0);
	cr_assert_eq(correu_store_req_take_session(w->req, &again), CORREU_ERR_STATE,
	             "taken twice");
	cr_assert_null(again);
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
ParameterizedTestParameters(backend, auth_password)
{
	static bool m[] = { false, true };
	return cr_make_param_array(bool, m, 2);
}
ParameterizedTest(bool *later, backend, auth_password)
{
	correu_store_result res = { .version = CORREU_STORE_RESULT_VERSION };
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

ParameterizedTestParameters(backend, password_through_scram_keys)
{
	static bool m[] = { false, true };
	return cr_make_param_array(bool, m, 2);
}
ParameterizedTest(bool *later, backend, password_through_scram_keys)
{
	correu_store_backend t = *memback_table();
	struct world w;

	if (!correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256))
		cr_skip_test("SCRAM needs mbedTLS");
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
	/* A key lookup answered with a bare "yes" does not log anyone in. */
	w.mb.later = true;
	cr_assert_eq(correu_store_auth_password(fresh(&w), "alice", 5, "guess", 5), CORREU_PAUSE);
	cr_assert_eq(correu_store_complete_user(w.mb.queue[0].req, NULL, 0), CORREU_ERR_ARG);
	w.mb.queued = 0;
	cr_assert_eq(correu_store_req_done(w.req), 1);
	cr_assert_eq(settle(&w, CORREU_ERR_ARG), CORREU_ERR_ARG);
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
	correu_sasl_credentials cred = { .version = CORREU_SASL_CREDENTIALS_VERSION,
		                         .username = "alice",
		                         .username_len = 5,
		                         .password = password,
		                         .password_len = strlen(password) };
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
	rc = settle(w,
	            correu_store_auth_scram_keys(fresh(w), CORREU_SASL_SCRAM_SHA_256, "alice", 5));
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

ParameterizedTestParameters(backend, scram_keys_serve_a_sasl_exchange)
{
	static bool m[] = { false, true };
	return cr_make_param_array(bool, m, 2);
}
ParameterizedTest(bool *later, backend, scram_keys_serve_a_sasl_exchange)
{
	struct world w;
	correu_sasl_scram_keys k;

	if (!correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256))
		cr_skip_test("SCRAM needs mbedTLS");
	world_init(&w, *later, NULL);
	cr_assert_eq(scram_loop(&w, "pencil"), 0);
	cr_assert_eq(scram_loop(&w, "crayon"), CORREU_ERR_AUTH);
	cr_assert_eq(settle(&w, correu_store_auth_scram_keys(fresh(&w), CORREU_SASL_SCRAM_SHA_1,
	                                                     "alice", 5)),
	             CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_store_req_scram_keys(w.req, &k), CORREU_ERR_NOT_FOUND);
	world_free(&w);
}

ParameterizedTestParameters(backend, mailbox_management)
{
	static bool m[] = { false, true };
	return cr_make_param_array(bool, m, 2);
}
ParameterizedTest(bool *later, backend, mailbox_management)
{
	correu_store_status st = { .version = CORREU_STORE_STATUS_VERSION };
	correu_store_session *s;
	struct world w;

	world_init(&w, *later, NULL);
	s = open_session(&w);
	cr_assert_eq(w.mb.sessions_open, 1);
	cr_assert_eq(settle(&w, correu_store_list(fresh(&w), s, "*", 1, 0)), 0);
	cr_assert_str_eq(w.rec.log, "[INBOX / 0x90][Sent / 0x2010][Archive / 0x210]");
	w.rec.len = 0;
	cr_assert_eq(
		settle(&w, correu_store_create(fresh(&w), s, "Work", 4, CORREU_STORE_USE_DRAFTS)),
		0);
	cr_assert_eq(settle(&w, correu_store_create(fresh(&w), s, "Work", 4, 0)),
	             CORREU_ERR_EXISTS);
	cr_assert_eq(settle(&w, correu_store_rename(fresh(&w), s, "Work", 4, "Play", 4)), 0);
	cr_assert_eq(settle(&w, correu_store_subscribe(fresh(&w), s, "Play", 4, 1)), 0);
	cr_assert_eq(
		settle(&w, correu_store_list(fresh(&w), s, "%", 1, CORREU_STORE_LIST_SUBSCRIBED)),
		0);
	cr_assert_str_eq(w.rec.log, "[INBOX / 0x90][Play / 0x490]");
	cr_assert_eq(settle(&w, correu_store_delete(fresh(&w), s, "Play", 4)), 0);
	cr_assert_eq(settle(&w, correu_store_delete(fresh(&w), s, "Play", 4)),
	             CORREU_ERR_NOT_FOUND);
	cr_assert_eq(settle(&w, correu_store_mailbox_status(fresh(&w), s, "INBOX", 5,
	                                                    CORREU_STORE_STATUS_ALL)),
	             0);
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

ParameterizedTestParameters(backend, selected_mailbox)
{
	static bool m[] = { false, true };
	return cr_make_param_array(bool, m, 2);
}
ParameterizedTest(bool *later, backend, selected_mailbox)
{
	correu_store_result res = { .version = CORREU_STORE_RESULT_VERSION };
	static const uint32_t two[] = { 2, 2 }, all[] = { 1, 3 };
	correu_store_session *s;
	correu_store_box *b;
	struct world w;

	world_init(&w, *later, NULL);
	s = open_session(&w);
	b = open_box(&w, s, "INBOX");
	cr_assert_str_eq(w.rec.log, "[msg 1 f=0x1 s=31 m=1 k=][msg 2 f=0 s=49 m=2 k=]"
	                            "[msg 3 f=0x8 s=25 m=3 k=]");
	w.rec.len = 0;
	/* UNCHANGEDSINCE 1: message 1 changes, 2 and 3 are reported MODIFIED. */
	cr_assert_eq(settle(&w, correu_store_set_flags(fresh(&w), b, all, 1, CORREU_STORE_FLAGS_ADD,
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
	correu_store_result res = { .version = CORREU_STORE_RESULT_VERSION };
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

ParameterizedTestParameters(backend, message_stream_in_chunks)
{
	static bool m[] = { false, true };
	return cr_make_param_array(bool, m, 2);
}
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

ParameterizedTestParameters(backend, append_from_a_stream)
{
	static bool m[] = { false, true };
	return cr_make_param_array(bool, m, 2);
}
ParameterizedTest(bool *later, backend, append_from_a_stream)
{
	correu_store_result res = { .version = CORREU_STORE_RESULT_VERSION };
	const char *msg = "Subject: appended\r\n\r\nbody\r\n";
	correu_store_session *s;
	correu_store_append *a;
	struct world w;

	world_init(&w, *later, NULL);
	s = open_session(&w);
	cr_assert_eq(settle(&w, correu_store_append_begin(fresh(&w), s, "Sent", 4,
	                                                  CORREU_STORE_FLAG_SEEN, "$Forwarded", 10,
	                                                  1700000000, strlen(msg))),
	             0);
	cr_assert_eq(correu_store_req_take_append(w.req, &a), 0);
	for (size_t i = 0; i < strlen(msg); i += 5) {
		size_t n = strlen(msg) - i < 5 ? strlen(msg) - i : 5;

		cr_assert_eq(settle(&w, correu_store_append_write(fresh(&w), a,
		                                                  (const uint8_t *)msg + i, n)),
		             0);
	}
	cr_assert_eq(settle(&w, correu_store_append_commit(fresh(&w), a)), 0);
	cr_assert_eq(correu_store_req_result(w.req, &res), 0);
	cr_assert_eq(res.uidvalidity, 1001);
	cr_assert_eq(res.uid, 1);
	cr_assert_str_eq(w.mb.boxes[1].msgs[0].body, msg, "the chunks were not kept in order");
	cr_assert_eq(w.mb.appends_open, 0);

	/* An append given up on reaches the backend's abort. */
	cr_assert_eq(
		settle(&w, correu_store_append_begin(fresh(&w), s, "Sent", 4, 0, NULL, 0, 0, 1)),
		0);
	cr_assert_eq(correu_store_req_take_append(w.req, &a), 0);
	cr_assert_eq(w.mb.appends_open, 1);
	correu_store_append_abort(a);
	cr_assert_eq(w.mb.appends_open, 0);
	cr_assert_eq(
		settle(&w, correu_store_append_begin(fresh(&w), s, "Gone", 4, 0, NULL, 0, 0, 1)),
		CORREU_ERR_NOT_FOUND);
	correu_store_req_free(w.req);
	w.req = NULL;
	correu_store_session_close(s);
	world_free(&w);
}

static correu_store_envelope envelope(const char *from, uint32_t flags)
{
	correu_store_envelope e = { .version = CORREU_STORE_ENVELOPE_VERSION,
		                    .flags = flags,
		                    .mail_from = from,
		                    .mail_from_len = strlen(from),
		                    .helo = "client.example.net",
		                    .helo_len = 18,
		                    .client_addr = "192.0.2.7",
		                    .client_addr_len = 9 };

	return e;
}

static int rcpt(struct world *w, correu_store_delivery *d, const char *addr)
{
	correu_store_rcpt r = { .version = CORREU_STORE_RCPT_VERSION,
		                .address = addr,
		                .address_len = strlen(addr),
		                .notify = CORREU_STORE_NOTIFY_FAILURE };

	return settle(w, correu_store_deliver_rcpt(fresh(w), d, &r));
}

ParameterizedTestParameters(backend, lmtp_delivery)
{
	static bool m[] = { false, true };
	return cr_make_param_array(bool, m, 2);
}
ParameterizedTest(bool *later, backend, lmtp_delivery)
{
	correu_store_result res = { .version = CORREU_STORE_RESULT_VERSION };
	correu_store_envelope env = envelope("sender@example.net", CORREU_STORE_ENV_LMTP);
	const char *body = "Subject: hi\r\n\r\nhello\r\n";
	correu_store_delivery *d;
	struct world w;

	world_init(&w, *later, NULL);
	cr_assert_eq(settle(&w, correu_store_deliver_begin(fresh(&w), &env)), 0);
	cr_assert_eq(correu_store_req_take_delivery(w.req, &d), 0);
	cr_assert_eq(rcpt(&w, d, "alice@example.org"), 0);
	cr_assert_eq(rcpt(&w, d, "stranger@example.com"), CORREU_ERR_REPLY);
	cr_assert_eq(correu_store_req_result(w.req, &res), 0);
	cr_assert_eq(res.reply_code, 550);
	cr_assert_eq(res.enhanced[0] * 100 + res.enhanced[1] * 10 + res.enhanced[2], 511);
	cr_assert_str_eq(res.text, "No such user");
	cr_assert_eq(rcpt(&w, d, "full@example.org"), 0);
	cr_assert_eq(rcpt(&w, d, "bob@example.org"), 0);
	cr_assert_eq(settle(&w, correu_store_deliver_data(fresh(&w), d, (const uint8_t *)body,
	                                                  strlen(body))),
	             0);
	w.rec.len = 0;
	cr_assert_eq(settle(&w, correu_store_deliver_commit(fresh(&w), d)), 0);
	/* One reply per accepted recipient, in RCPT order; none for index 1. */
	cr_assert_str_eq(w.rec.log, "[rcpt 0 250 2.0.0 alice@example.org]"
	                            "[rcpt 2 452 4.2.2 Mailbox full]"
	                            "[rcpt 3 250 2.0.0 bob@example.org]");
	cr_assert_eq(w.mb.ndelivered, 2);
	cr_assert_str_eq(w.mb.delivered[0], body);
	correu_store_req_free(w.req);
	w.req = NULL;
	correu_store_delivery_close(d);
	cr_assert_eq(w.mb.deliveries_open, 0);

	env = envelope("spammer@example.net", 0);
	cr_assert_eq(settle(&w, correu_store_deliver_begin(fresh(&w), &env)), CORREU_ERR_REPLY);
	cr_assert_eq(correu_store_req_take_delivery(w.req, &d), CORREU_ERR_REPLY);
	cr_assert_eq(correu_store_req_result(w.req, &res), 0);
	cr_assert_eq(res.reply_code, 550);
	cr_assert_eq(w.mb.deliveries_open, 0);
	world_free(&w);
}

/* The envelope grew `requiretls` in version 2: a version 1 caller's
 * shorter struct is read no further than it goes (the copy below ends
 * there, so ASan sees any over-read) and the backend gets 0; a version 2
 * caller's value goes through; anything else is refused. */
Test(backend, envelope_versions)
{
	correu_store_envelope env = envelope("a@example.net", CORREU_STORE_ENV_TLS);
	size_t v1 = offsetof(correu_store_envelope, requiretls);
	void *old = malloc(v1);
	correu_store_delivery *d;
	struct world w;

	cr_assert_not_null(old);
	world_init(&w, false, NULL);
	env.version = 1;
	memcpy(old, &env, v1);
	env.version = CORREU_STORE_ENVELOPE_VERSION;
	cr_assert_eq(settle(&w, correu_store_deliver_begin(fresh(&w), old)), 0);
	cr_assert_str_eq(w.mb.envelope, "v2 from=<a@example.net> flags=0x20 size=0 ret=0 "
	                                "envid=- requiretls=0");
	cr_assert_eq(correu_store_req_take_delivery(w.req, &d), 0);
	correu_store_delivery_close(d);
	free(old);

	env.requiretls = 1;
	cr_assert_eq(settle(&w, correu_store_deliver_begin(fresh(&w), &env)), 0);
	cr_assert_str_eq(w.mb.envelope, "v2 from=<a@example.net> flags=0x20 size=0 ret=0 "
	                                "envid=- requiretls=1");
	cr_assert_eq(correu_store_req_take_delivery(w.req, &d), 0);
	correu_store_delivery_close(d);

	env.requiretls = 2;
	cr_assert_eq(settle(&w, correu_store_deliver_begin(fresh(&w), &env)), CORREU_ERR_ARG);
	env.requiretls = 0;
	env.version = CORREU_STORE_ENVELOPE_VERSION + 1;
	cr_assert_eq(settle(&w, correu_store_deliver_begin(fresh(&w), &env)), CORREU_ERR_ARG);
	world_free(&w);
}

Test(backend, recipients_are_limited)
{
	correu_store_settings set;
	correu_store_envelope env = envelope("a@example.net", 0);
	correu_store_delivery *d;
	struct world w;

	memset(&w, 0, sizeof(w));
	memback_init(&w.mb);
	cr_assert_eq(correu_store_settings_init(&set), 0);
	set.max_rcpts = 2;
	cr_assert_eq(correu_store_new(memback_table(), &w.mb, &set, NULL, &w.st), 0);
	cr_assert_eq(settle(&w, correu_store_deliver_begin(fresh(&w), &env)), 0);
	cr_assert_eq(correu_store_req_take_delivery(w.req, &d), 0);
	cr_assert_eq(rcpt(&w, d, "a@example.org"), 0);
	cr_assert_eq(rcpt(&w, d, "b@example.org"), 0);
	cr_assert_eq(rcpt(&w, d, "c@example.org"), CORREU_ERR_LIMIT);
	correu_store_delivery_close(d);
	world_free(&w);
}

/* ------------------------------------------------------------------ */
/* Cancellation                                                        */

Test(backend, cancelled_request_completes_safely_and_closes_its_handle)
{
	struct world w;

	world_init(&w, true, NULL);
	cr_assert_eq(correu_store_session_open(fresh(&w), "alice", 5), CORREU_PAUSE);
	/* The connection goes away: the core frees its pending request. */
	correu_store_req_free(w.req);
	w.req = NULL;
	cr_assert_eq(w.mb.cancels, 1, "backend not told of the cancellation");
	cr_assert_eq(correu_store_live_requests(w.st), 1, "freed while the backend holds it");
	cr_assert_eq(correu_store_req_cancelled(w.mb.queue[0].req), 1);
	/* The backend answers later; the answer is dropped, the session closed. */
	cr_assert_eq(memback_run(&w.mb), 1);
	cr_assert_eq(w.rec.done, 0, "hook of a cancelled request called");
	cr_assert_eq(w.mb.sessions_open, 0, "the session of a cancelled open leaked");
	cr_assert_eq(correu_store_live_requests(w.st), 0);
	world_free(&w);
}

static int complete_now(correu_store_req *req, void *ud)
{
	(void)ud;
	return correu_store_complete(req, CORREU_ERR_CANCELLED);
}

Test(backend, cancelled_list_stops_emitting_and_a_cancel_hook_may_complete)
{
	correu_store_backend t = *memback_table();
	correu_store_session *s;
	struct world w;

	world_init(&w, false, NULL);
	s = open_session(&w);
	w.mb.later = true;
	cr_assert_eq(correu_store_list(fresh(&w), s, "*", 1, 0), CORREU_PAUSE);
	correu_store_req_free(w.req);
	w.req = NULL;
	/* Emitting into a cancelled request says so, and nothing reaches the core. */
	cr_assert_eq(correu_store_emit_uid(w.mb.queue[0].req, CORREU_STORE_UID_EXPUNGED, 1, 0),
	             CORREU_ERR_CANCELLED);
	cr_assert_eq(memback_run(&w.mb), 1);
	cr_assert_eq(w.rec.len, 0);
	correu_store_session_close(s);
	world_free(&w);

	/* A backend whose cancel callback completes at once. */
	t.cancel = complete_now;
	memset(&w, 0, sizeof(w));
	memback_init(&w.mb);
	w.mb.later = true;
	cr_assert_eq(correu_store_new(&t, &w.mb, NULL, NULL, &w.st), 0);
	cr_assert_eq(correu_store_auth_password(fresh(&w), "alice", 5, "x", 1), CORREU_PAUSE);
	correu_store_req_free(w.req);
	w.req = NULL;
	cr_assert_eq(correu_store_live_requests(w.st), 0);
	w.mb.queued = 0; /* its queued call refers to a freed request */
	world_free(&w);
}

Test(backend, hook_refusal_stops_the_backend_and_becomes_the_status)
{
	correu_store_session *s;
	struct world w;

	world_init(&w, false, NULL);
	s = open_session(&w);
	w.rec.stop_after = 2;
	cr_assert_eq(correu_store_list(fresh(&w), s, "*", 1, 0), CORREU_ERR_CANCELLED);
	cr_assert_eq(w.rec.items, 2, "the backend went on after the core said stop");
	correu_store_req_free(w.req);
	w.req = NULL;
	correu_store_session_close(s);
	world_free(&w);
}

/* ------------------------------------------------------------------ */
/* Backend mistakes                                                    */

Test(backend, mistakes_of_a_backend_never_hang_a_request)
{
	correu_store_req *keep;
	correu_store_session *s;
	struct world w;

	world_init(&w, false, NULL);
	/* 0 without completing. */
	w.mb.lazy = true;
	cr_assert_eq(correu_store_auth_password(fresh(&w), "alice", 5, "pencil", 6),
	             CORREU_ERR_INTERNAL);
	w.mb.lazy = false;
	/* A second completion is refused and changes nothing. */
	cr_assert_eq(correu_store_complete(w.req, 0), CORREU_ERR_STATE);
	/* An answer of the wrong kind completes with CORREU_ERR_ARG. */
	s = open_session(&w);
	w.mb.later = true;
	cr_assert_eq(correu_store_list(fresh(&w), s, "*", 1, 0), CORREU_PAUSE);
	keep = w.mb.queue[0].req;
	w.mb.queued = 0;
	cr_assert_eq(correu_store_complete_uid(keep, 1, 1), CORREU_ERR_ARG);
	cr_assert_eq(w.rec.done, 1);
	cr_assert_eq(correu_store_req_done(keep), 1);
	/* An open completed without a handle. */
	cr_assert_eq(correu_store_session_open(fresh(&w), "alice", 5), CORREU_PAUSE);
	keep = w.mb.queue[0].req;
	w.mb.queued = 0;
	cr_assert_eq(correu_store_complete(keep, 0), CORREU_ERR_ARG);
	/* A reply code out of range, and an enhanced class that disagrees. */
	cr_assert_eq(correu_store_deliver_begin(
			     fresh(&w),
			     &(correu_store_envelope){ .version = CORREU_STORE_ENVELOPE_VERSION }),
	             CORREU_PAUSE);
	keep = w.mb.queue[0].req;
	w.mb.queued = 0;
	cr_assert_eq(correu_store_complete_reply(keep, 550, 4, 1, 1, "x", 1), CORREU_ERR_ARG);
	cr_assert_eq(correu_store_req_done(keep), 1);
	/* A reply text with a line break. */
	cr_assert_eq(correu_store_deliver_begin(
			     fresh(&w),
			     &(correu_store_envelope){ .version = CORREU_STORE_ENVELOPE_VERSION }),
	             CORREU_PAUSE);
	keep = w.mb.queue[0].req;
	w.mb.queued = 0;
	cr_assert_eq(correu_store_complete_reply(keep, 550, 5, 1, 1, "x\r\n250 ok", 10),
	             CORREU_ERR_ARG);
	correu_store_req_free(w.req);
	w.req = NULL;
	correu_store_session_close(s);
	world_free(&w);
}

Test(backend, stream_chunk_larger_than_asked_is_refused)
{
	correu_store_result res = { .version = CORREU_STORE_RESULT_VERSION };
	correu_store_session *s;
	correu_store_stream *st;
	correu_store_box *b;
	correu_store_req *keep;
	struct world w;

	world_init(&w, false, NULL);
	s = open_session(&w);
	b = open_box(&w, s, "INBOX");

	cr_assert_eq(settle(&w, correu_store_message_open(fresh(&w), b, 1)), 0);
	cr_assert_eq(correu_store_req_take_stream(w.req, &st), 0);
	w.mb.later = true;
	cr_assert_eq(correu_store_stream_read(fresh(&w), st, 4), CORREU_PAUSE);
	keep = w.mb.queue[0].req;
	w.mb.queued = 0;
	cr_assert_eq(correu_store_complete_data(keep, (const uint8_t *)"12345", 5),
	             CORREU_ERR_LIMIT);
	cr_assert_eq(correu_store_req_result(keep, &res), 0);
	cr_assert_eq(res.status, CORREU_ERR_LIMIT);
	cr_assert_eq(res.data_len, 0);
	correu_store_req_free(w.req);
	w.req = NULL;
	correu_store_stream_close(st);
	correu_store_box_close(b);
	correu_store_session_close(s);
	world_free(&w);
}

/* ------------------------------------------------------------------ */
/* Capabilities and table checks                                       */

Test(backend, capabilities_follow_the_table)
{
	correu_store_backend t = *memback_table();
	uint32_t caps;

	cr_assert_eq(correu_store_backend_caps(&t, &caps), 0);
	cr_assert_eq(caps, 0x1fffffu, "full table: every capability, got %#x", caps);
	t.move = NULL;
	t.features &= ~CORREU_STORE_FEATURE_MODSEQ;
	cr_assert_eq(correu_store_backend_caps(&t, &caps), 0);
	cr_assert_eq(caps & (CORREU_STORE_CAP_MOVE | CORREU_STORE_CAP_CONDSTORE), 0);
	cr_assert(caps & CORREU_STORE_CAP_COPY);
	t.expunge = NULL;
	cr_assert_eq(correu_store_backend_caps(&t, &caps), 0);
	cr_assert_eq(caps & (CORREU_STORE_CAP_EXPUNGE | CORREU_STORE_CAP_UIDPLUS), 0);
	t.auth_password = NULL;
	t.auth_scram_keys = NULL;
	cr_assert_eq(correu_store_backend_caps(&t, &caps), 0);
	cr_assert_eq(caps & (CORREU_STORE_CAP_AUTH_PASSWORD | CORREU_STORE_CAP_AUTH_SCRAM), 0);
	cr_assert(caps & CORREU_STORE_CAP_AUTH_TOKEN);

	/* A delivery-only backend (an LMTP relay): no mailbox capability. */
	t = (correu_store_backend){ .version = CORREU_STORE_BACKEND_VERSION,
		                    .deliver_begin = memback_table()->deliver_begin,
		                    .deliver_rcpt = memback_table()->deliver_rcpt,
		                    .deliver_data = memback_table()->deliver_data,
		                    .deliver_commit = memback_table()->deliver_commit,
		                    .deliver_abort = memback_table()->deliver_abort };
	cr_assert_eq(correu_store_backend_caps(&t, &caps), 0);
	cr_assert_eq(caps, CORREU_STORE_CAP_DELIVERY);
	/* The same table without deliver_abort: no capability, and no store. */
	t.deliver_abort = NULL;
	cr_assert_eq(correu_store_backend_caps(&t, &caps), 0);
	cr_assert_eq(caps, 0);
}

Test(backend, table_version_and_groups_are_checked)
{
	correu_store_backend t = *memback_table();
	correu_store *st;
	uint32_t caps;

	t.version = 0;
	cr_assert_eq(correu_store_backend_caps(&t, &caps), CORREU_ERR_ARG);
	cr_assert_eq(correu_store_new(&t, NULL, NULL, NULL, &st), CORREU_ERR_ARG);
	t.version = CORREU_STORE_BACKEND_VERSION + 1;
	cr_assert_eq(correu_store_new(&t, NULL, NULL, NULL, &st), CORREU_ERR_ARG);
	cr_assert_null(st);
	t = *memback_table();
	t.box_close = NULL; /* a box that could never be closed */
	cr_assert_eq(correu_store_new(&t, NULL, NULL, NULL, &st), CORREU_ERR_ARG);
	t = *memback_table();
	t.session_open = NULL; /* mailbox calls without a session */
	t.session_close = NULL;
	cr_assert_eq(correu_store_new(&t, NULL, NULL, NULL, &st), CORREU_ERR_ARG);
	t = *memback_table();
	t.append_write = NULL;
	cr_assert_eq(correu_store_new(&t, NULL, NULL, NULL, &st), CORREU_ERR_ARG);
	/* An authentication-only table is complete. */
	t = (correu_store_backend){ .version = CORREU_STORE_BACKEND_VERSION,
		                    .auth_password = memback_table()->auth_password };
	cr_assert_eq(correu_store_new(&t, NULL, NULL, NULL, &st), 0);
	cr_assert_eq(correu_store_caps(st), CORREU_STORE_CAP_AUTH_PASSWORD);
	correu_store_free(st);
}

Test(backend, missing_entry_is_unsupported_without_calling_the_backend)
{
	correu_store_backend t = { .version = CORREU_STORE_BACKEND_VERSION,
		                   .auth_password = memback_table()->auth_password };
	correu_store_result res = { .version = CORREU_STORE_RESULT_VERSION };
	struct memback mb;
	correu_store *st;
	correu_store_req *req;

	memback_init(&mb);
	cr_assert_eq(correu_store_new(&t, &mb, NULL, NULL, &st), 0);
	cr_assert_eq(correu_store_req_new(st, NULL, NULL, &req), 0);
	cr_assert_eq(correu_store_auth_token(req, CORREU_SASL_XOAUTH2, "a", 1, "t", 1),
	             CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_store_req_result(req, &res), 0);
	cr_assert_eq(res.status, CORREU_ERR_UNSUPPORTED);
	/* A request runs one operation only. */
	cr_assert_eq(correu_store_auth_password(req, "alice", 5, "pencil", 6), CORREU_ERR_STATE);
	correu_store_req_free(req);
	correu_store_free(st);
}

/* ------------------------------------------------------------------ */
/* Limits and strings that could reach the wire                        */

Test(backend, limits_are_checked_at_the_limit_and_one_past)
{
	correu_store_settings set;
	correu_store_session *s;
	struct world w;
	char name[40];
	static const uint32_t r2[] = { 1, 1, 2, 3 }, bad[] = { 3, 2 };

	memset(&w, 0, sizeof(w));
	memback_init(&w.mb);
	cr_assert_eq(correu_store_settings_init(&set), 0);
	set.max_user = 5;
	set.max_name = 20;
	set.max_ranges = 1;
	cr_assert_eq(correu_store_new(memback_table(), &w.mb, &set, NULL, &w.st), 0);
	cr_assert_eq(settle(&w, correu_store_auth_password(fresh(&w), "alice", 5, "pencil", 6)), 0);
	cr_assert_eq(settle(&w, correu_store_auth_password(fresh(&w), "alicex", 6, "pencil", 6)),
	             CORREU_ERR_LIMIT);
	s = open_session(&w);
	memset(name, 'n', sizeof(name));
	cr_assert_eq(settle(&w, correu_store_create(fresh(&w), s, name, 20, 0)), 0);
	cr_assert_eq(settle(&w, correu_store_create(fresh(&w), s, name, 21, 0)), CORREU_ERR_LIMIT);
	cr_assert_eq(settle(&w, correu_store_create(fresh(&w), s, "a\r\nb", 4, 0)), CORREU_ERR_ARG);
	cr_assert_eq(settle(&w, correu_store_create(fresh(&w), s, "a\0b", 3, 0)), CORREU_ERR_ARG);
	cr_assert_eq(settle(&w, correu_store_create(fresh(&w), s, "", 0, 0)), CORREU_ERR_ARG);
	cr_assert_eq(settle(&w, correu_store_create(fresh(&w), s, "x", 1, 0x1)), CORREU_ERR_ARG);
	correu_store_box *b = open_box(&w, s, "INBOX");
	cr_assert_eq(settle(&w, correu_store_expunge(fresh(&w), b, r2, 1)), 0);
	cr_assert_eq(settle(&w, correu_store_expunge(fresh(&w), b, r2, 2)), CORREU_ERR_LIMIT);
	cr_assert_eq(settle(&w, correu_store_expunge(fresh(&w), b, bad, 1)), CORREU_ERR_ARG);
	cr_assert_eq(settle(&w, correu_store_set_flags(fresh(&w), b, r2, 1, 9, 0, NULL, 0, 0)),
	             CORREU_ERR_ARG);
	cr_assert_eq(settle(&w, correu_store_set_flags(fresh(&w), b, r2, 1, CORREU_STORE_FLAGS_ADD,
	                                               CORREU_STORE_FLAG_RECENT, NULL, 0, 0)),
	             CORREU_ERR_ARG, "\\Recent cannot be stored");
	cr_assert_eq(settle(&w, correu_store_message_open(fresh(&w), (correu_store_box *)s, 1)),
	             CORREU_ERR_ARG, "a session passed as a box");
	correu_store_req_free(w.req);
	w.req = NULL;
	correu_store_box_close(b);
	correu_store_session_close(s);
	world_free(&w);
}

/* ------------------------------------------------------------------ */
/* IDLE notification                                                   */

static int watched(correu_store_box *box, void *ud)
{
	(void)box;
	(*(int *)ud)++;
	return 0;
}

Test(backend, backend_notifies_the_watching_core)
{
	correu_store_session *s;
	correu_store_box *b;
	struct world w;
	int seen = 0;

	world_init(&w, false, NULL);
	s = open_session(&w);
	b = open_box(&w, s, "INBOX");
	cr_assert_eq(w.mb.last_box, b, "select was not given the box the core takes");
	cr_assert_eq(correu_store_box_notify(w.mb.last_box), 0);
	cr_assert_eq(correu_store_box_set_watch(b, watched, &seen), 0);
	cr_assert_eq(correu_store_box_notify(w.mb.last_box), 0);
	cr_assert_eq(seen, 1);
	correu_store_req_free(w.req);
	w.req = NULL;
	correu_store_box_close(b);
	correu_store_session_close(s);
	world_free(&w);
}

/* ------------------------------------------------------------------ */
/* Allocation failure                                                  */

struct scenario {
	bool later;
};

static int run_scenario(void *ctx, const correu_allocator *a)
{
	struct scenario *sc = ctx;
	correu_store_hooks h = { .version = CORREU_STORE_HOOKS_VERSION };
	correu_store_envelope env = envelope("x@example.net", CORREU_STORE_ENV_LMTP);
	correu_store_rcpt r = { .version = CORREU_STORE_RCPT_VERSION,
		                .address = "a@example.org",
		                .address_len = 13 };
	struct memback mb;
	correu_store *st;
	correu_store_req *req = NULL;
	correu_store_session *s = NULL;
	correu_store_box *b = NULL;
	correu_store_delivery *d = NULL;
	int rc;

	memback_init(&mb);
	mb.later = sc->later;
	rc = correu_store_new(memback_table(), &mb, NULL, a, &st);
	if (rc < 0)
		return rc;
#define STEP(call)                                                   \
	do {                                                         \
		correu_store_req_free(req);                          \
		req = NULL;                                          \
		rc = correu_store_req_new(st, &h, NULL, &req);       \
		if (rc == 0)                                         \
			rc = (call);                                 \
		if (rc == CORREU_PAUSE) {                            \
			memback_run(&mb);                            \
			correu_store_result res_ = { .version = 1 }; \
			rc = correu_store_req_result(req, &res_);    \
			if (rc == 0)                                 \
				rc = res_.status;                    \
		}                                                    \
		if (rc < 0)                                          \
			goto out;                                    \
	} while (0)
	STEP(correu_store_auth_password(req, "alice", 5, "pencil", 6));
	STEP(correu_store_session_open(req, "alice", 5));
	rc = correu_store_req_take_session(req, &s);
	STEP(correu_store_select(req, s, "INBOX", 5, 0));
	rc = correu_store_req_take_box(req, &b);
	STEP(correu_store_mailbox_status(req, s, "INBOX", 5, CORREU_STORE_STATUS_ALL));
	STEP(correu_store_deliver_begin(req, &env));
	rc = correu_store_req_take_delivery(req, &d);
	STEP(correu_store_deliver_rcpt(req, d, &r));
	STEP(correu_store_deliver_data(req, d, (const uint8_t *)"x\r\n", 3));
	STEP(correu_store_deliver_commit(req, d));
#undef STEP
out:
	correu_store_req_free(req);
	correu_store_delivery_close(d);
	correu_store_box_close(b);
	correu_store_session_close(s);
	correu_store_free(st);
	return rc;
}

Test(backend, every_allocation_failure_is_clean)
{
	struct scenario now = { false }, later = { true };

	cr_assert_gt(failalloc_loop(run_scenario, &now, 200), 5);
	cr_assert_gt(failalloc_loop(run_scenario, &later, 200), 5);
}
