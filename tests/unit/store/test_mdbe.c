/*
 * The default backend (maildir_backend.h) through the store interface, on
 * Maildirs in a temporary directory: delivery with per-recipient replies,
 * reading with CRLF line ends, folders, flags with UNCHANGEDSINCE, expunge,
 * copy and move with COPYUID, append, changes seen by sync, and refusal of
 * user names that could leave their directory.
 */
#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correu/maildir_backend.h"
#include "store_test.h"

struct rec {
	char log[4096];
	size_t len;
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

static int on_mailbox(correu_store_req *req, const correu_store_mailbox *m, void *ud)
{
	(void)req;
	logf_(ud, "[%.*s %#x]", (int)m->name_len, m->name, m->attrs);
	return 0;
}

static int on_msg(correu_store_req *req, const correu_store_msg *m, void *ud)
{
	(void)req;
	logf_(ud, "[msg %u f=%#x s=%llu k=%.*s]", m->uid, m->flags, (unsigned long long)m->size,
	      (int)m->keywords_len, m->keywords ? m->keywords : "");
	return 0;
}

static int on_uid(correu_store_req *req, uint32_t kind, uint32_t uid, uint32_t uid2, void *ud)
{
	(void)req;
	logf_(ud, "[uid %u %u %u]", kind, uid, uid2);
	return 0;
}

static int on_rcpt(correu_store_req *req, uint32_t i, uint32_t code, const uint32_t *enh,
                   const char *text, size_t len, void *ud)
{
	(void)req;
	(void)enh;
	logf_(ud, "[rcpt %u %u %.*s]", i, code, (int)len, text);
	return 0;
}

static const correu_store_hooks hooks = { .version = CORREU_STORE_HOOKS_VERSION,
	                                  .mailbox = on_mailbox,
	                                  .msg = on_msg,
	                                  .uid = on_uid,
	                                  .rcpt_reply = on_rcpt };

struct world {
	char dir[64];
	correu_passwd *users;
	correu_maildir_backend *mb;
	correu_store *st;
	correu_store_req *req;
	struct rec rec;
};

static void world_init(struct world *w)
{
	static const char text[] = "alice:{PLAIN}pencil\nbob@example.org:{PLAIN}crayon\n";
	correu_passwd_settings ps;
	correu_maildir_backend_config cfg = { .version = CORREU_MAILDIR_BACKEND_CONFIG_VERSION };
	correu_store_backend table;
	char root[128];

	memset(w, 0, sizeof(*w));
	snprintf(w->dir, sizeof(w->dir), "/tmp/correu-mdbe-XXXXXX");
	cr_assert_not_null(mkdtemp(w->dir));
	cr_assert_eq(correu_passwd_settings_init(&ps), 0);
	ps.flags = CORREU_PASSWD_ALLOW_PLAIN;
	cr_assert_eq(correu_passwd_new(&ps, NULL, &w->users), 0);
	cr_assert_eq(correu_passwd_parse(w->users, (const uint8_t *)text, sizeof(text) - 1, NULL),
	             0);
	snprintf(root, sizeof(root), "%s/%%u/Maildir", w->dir);
	cfg.root = root;
	cfg.users = w->users;
	cr_assert_eq(correu_maildir_backend_new(&cfg, NULL, NULL, &w->mb), 0);
	cr_assert_eq(correu_maildir_backend_table(w->mb, &table), 0);
	cr_assert_eq(correu_store_new(&table, w->mb, NULL, NULL, &w->st), 0);
}

static void world_free(struct world *w)
{
	correu_store_req_free(w->req);
	cr_assert_eq(correu_store_live_requests(w->st), 0);
	correu_store_free(w->st);
	correu_maildir_backend_free(w->mb);
	correu_passwd_free(w->users);
	st_rm_tree(w->dir);
}

static correu_store_req *fresh(struct world *w)
{
	correu_store_req_free(w->req);
	w->req = NULL;
	cr_assert_eq(correu_store_req_new(w->st, &hooks, &w->rec, &w->req), 0);
	return w->req;
}

static void clear(struct world *w)
{
	w->rec.len = 0;
	w->rec.log[0] = '\0';
}

static correu_store_result result(struct world *w)
{
	correu_store_result r = { .version = CORREU_STORE_RESULT_VERSION };

	cr_assert_eq(correu_store_req_result(w->req, &r), 0);
	return r;
}

/* Deliver `body` to the given recipients over LMTP; returns the final status. */
static int deliver(struct world *w, const char *body, const char *const *rcpts, size_t n)
{
	correu_store_envelope env = { .version = CORREU_STORE_ENVELOPE_VERSION,
		                      .flags = CORREU_STORE_ENV_LMTP,
		                      .mail_from = "x@example.net",
		                      .mail_from_len = 13 };
	correu_store_delivery *d;
	int rc;

	cr_assert_eq(correu_store_deliver_begin(fresh(w), &env), 0);
	cr_assert_eq(correu_store_req_take_delivery(w->req, &d), 0);
	for (size_t i = 0; i < n; i++) {
		correu_store_rcpt r = { .version = CORREU_STORE_RCPT_VERSION,
			                .address = rcpts[i],
			                .address_len = strlen(rcpts[i]) };

		rc = correu_store_deliver_rcpt(fresh(w), d, &r);
		logf_(&w->rec, "[RCPT %s %u]", rcpts[i], result(w).reply_code);
	}
	/* In two chunks, split inside a line. */
	cr_assert_eq(correu_store_deliver_data(fresh(w), d, (const uint8_t *)body, 5), 0);
	cr_assert_eq(
		correu_store_deliver_data(fresh(w), d, (const uint8_t *)body + 5, strlen(body) - 5),
		0);
	rc = correu_store_deliver_commit(fresh(w), d);
	correu_store_delivery_close(d);
	return rc;
}

static correu_store_session *login(struct world *w, const char *user)
{
	correu_store_session *s;

	cr_assert_eq(correu_store_session_open(fresh(w), user, strlen(user)), 0);
	cr_assert_eq(correu_store_req_take_session(w->req, &s), 0);
	return s;
}

static correu_store_box *select_box(struct world *w, correu_store_session *s, const char *name)
{
	correu_store_box *b;

	cr_assert_eq(correu_store_select(fresh(w), s, name, strlen(name), 0), 0);
	cr_assert_eq(correu_store_req_take_box(w->req, &b), 0);
	return b;
}

static size_t read_message(struct world *w, correu_store_box *b, uint32_t uid, size_t chunk,
                           char *out, size_t cap)
{
	correu_store_stream *st;
	size_t len = 0;

	cr_assert_eq(correu_store_message_open(fresh(w), b, uid), 0);
	cr_assert_eq(correu_store_req_take_stream(w->req, &st), 0);
	for (;;) {
		correu_store_result r;

		cr_assert_eq(correu_store_stream_read(fresh(w), st, chunk), 0);
		r = result(w);
		if (!r.data_len)
			break;
		cr_assert_leq(r.data_len, chunk);
		cr_assert_leq(len + r.data_len, cap);
		memcpy(out + len, r.data, r.data_len);
		len += r.data_len;
	}
	correu_store_stream_close(st);
	return len;
}

Test(mdbe, capabilities)
{
	struct world w;

	world_init(&w);
	cr_assert_eq(correu_store_caps(w.st), 0x1fffffu & ~(uint32_t)CORREU_STORE_CAP_AUTH_TOKEN,
	             "caps %#x", correu_store_caps(w.st));
	cr_assert_eq(correu_store_auth_password(fresh(&w), "alice", 5, "pencil", 6), 0);
	cr_assert_eq(correu_store_auth_password(fresh(&w), "alice", 5, "pencils", 7),
	             CORREU_ERR_AUTH);
	world_free(&w);
}

Test(mdbe, lmtp_delivery_then_pop3_style_read)
{
	static const char *rcpts[] = { "alice@example.org", "nobody@example.org",
		                       "bob@example.org" };
	const char *body = "Subject: hello\r\n\r\nline one\r\nline two\r\n";
	correu_store_session *s;
	correu_store_box *b;
	struct world w;
	char buf[256];

	world_init(&w);
	cr_assert_eq(deliver(&w, body, rcpts, 3), 0);
	cr_assert_str_eq(w.rec.log,
	                 "[RCPT alice@example.org 250][RCPT nobody@example.org 550]"
	                 "[RCPT bob@example.org 250][rcpt 0 250 Saved][rcpt 2 250 Saved]");
	clear(&w);
	/* bob's password file name is his whole address. */
	s = login(&w, "bob@example.org");
	b = select_box(&w, s, "INBOX");
	snprintf(buf, sizeof(buf), "[msg 1 f=0x20 s=%zu k=]", strlen(body));
	cr_assert_str_eq(w.rec.log, buf);
	for (size_t chunk = 1; chunk <= 64; chunk += 7)
		cr_assert_eq(read_message(&w, b, 1, chunk, buf, sizeof(buf)), strlen(body));
	cr_assert_eq(memcmp(buf, body, strlen(body)), 0);
	correu_store_box_close(b);
	correu_store_session_close(s);
	world_free(&w);
}

Test(mdbe, bare_lf_files_read_as_crlf)
{
	const char *raw = "Subject: x\n\nbare\nlf\r\nmixed\n";
	const char *want = "Subject: x\r\n\r\nbare\r\nlf\r\nmixed\r\n";
	correu_maildir *md;
	correu_maildir_box *mbox;
	correu_maildir_delivery *d;
	correu_store_session *s;
	correu_store_box *b;
	struct world w;
	char path[128], buf[128];

	world_init(&w);
	/* A file written by another program, with bare LFs and no W=. */
	snprintf(path, sizeof(path), "%s/alice", w.dir);
	cr_assert_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/alice/Maildir", w.dir);
	cr_assert_eq(correu_maildir_open(path, strlen(path), NULL, NULL, NULL, &md), 0);
	cr_assert_eq(correu_maildir_box_open(md, "INBOX", 5, &mbox), 0);
	cr_assert_eq(correu_maildir_delivery_begin(mbox, &d), 0);
	cr_assert_eq(correu_maildir_delivery_write(d, (const uint8_t *)raw, strlen(raw)), 0);
	cr_assert_eq(correu_maildir_delivery_commit(d, NULL), 0);
	correu_maildir_box_close(mbox);
	correu_maildir_free(md);

	s = login(&w, "alice");
	b = select_box(&w, s, "INBOX");
	snprintf(buf, sizeof(buf), "[msg 1 f=0x20 s=%zu k=]", strlen(want));
	cr_assert_str_eq(w.rec.log, buf, "RFC822.SIZE must count CRLF");
	for (size_t chunk = 1; chunk <= 9; chunk++) {
		cr_assert_eq(read_message(&w, b, 1, chunk, buf, sizeof(buf)), strlen(want));
		cr_assert_eq(memcmp(buf, want, strlen(want)), 0, "chunk %zu", chunk);
	}
	correu_store_box_close(b);
	correu_store_session_close(s);
	world_free(&w);
}

Test(mdbe, folders_list_subscribe_rename_delete_status)
{
	correu_store_status st = { .version = CORREU_STORE_STATUS_VERSION };
	correu_store_session *s;
	struct world w;

	world_init(&w);
	s = login(&w, "alice");
	cr_assert_eq(correu_store_create(fresh(&w), s, "Sent", 4, CORREU_STORE_USE_SENT), 0);
	cr_assert_eq(correu_store_create(fresh(&w), s, "Work", 4, CORREU_STORE_USE_TRASH),
	             CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_store_create(fresh(&w), s, "Work", 4, 0), 0);
	cr_assert_eq(correu_store_create(fresh(&w), s, "Work.2024", 9, 0), 0);
	cr_assert_eq(correu_store_create(fresh(&w), s, "Work", 4, 0), CORREU_ERR_EXISTS);
	cr_assert_eq(correu_store_subscribe(fresh(&w), s, "Work", 4, 1), 0);
	cr_assert_eq(correu_store_list(fresh(&w), s, "*", 1, 0), 0);
	cr_assert_str_eq(w.rec.log, "[INBOX 0x10][Sent 0x2010][Work 0x88][Work.2024 0x10]", "%s",
	                 w.rec.log);
	clear(&w);
	cr_assert_eq(correu_store_list(fresh(&w), s, "*", 1, CORREU_STORE_LIST_SUBSCRIBED), 0);
	cr_assert_str_eq(w.rec.log, "[Work 0x88]");
	clear(&w);
	cr_assert_eq(correu_store_rename(fresh(&w), s, "Work", 4, "Play", 4), 0);
	cr_assert_eq(correu_store_delete(fresh(&w), s, "Play.2024", 9), 0);
	cr_assert_eq(correu_store_delete(fresh(&w), s, "Nope", 4), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_store_list(fresh(&w), s, "*", 1, 0), 0);
	cr_assert_str_eq(w.rec.log, "[INBOX 0x10][Play 0x10][Sent 0x2010]", "%s", w.rec.log);
	cr_assert_eq(correu_store_mailbox_status(fresh(&w), s, "INBOX", 5, CORREU_STORE_STATUS_ALL),
	             0);
	cr_assert_eq(correu_store_req_status(w.req, &st), 0);
	cr_assert_eq(st.messages, 0);
	cr_assert_eq(st.uidnext, 1);
	cr_assert_neq(st.uidvalidity, 0);
	correu_store_session_close(s);
	world_free(&w);
}

Test(mdbe, flags_expunge_copy_move_append_and_sync)
{
	static const char *to_alice[] = { "alice@example.org" };
	static const uint32_t one[] = { 1, 1 }, two[] = { 2, 2 }, all[] = { 1, 100 };
	correu_store_session *s;
	correu_store_box *b;
	correu_store_append *a;
	correu_store_result r;
	struct world w;
	uint64_t modseq1;
	char expect[256];

	world_init(&w);
	cr_assert_eq(deliver(&w, "Subject: 1\r\n\r\none\r\n", to_alice, 1), 0);
	cr_assert_eq(deliver(&w, "Subject: 2\r\n\r\ntwo\r\n", to_alice, 1), 0);
	s = login(&w, "alice");
	cr_assert_eq(correu_store_create(fresh(&w), s, "Archive", 7, 0), 0);
	b = select_box(&w, s, "INBOX");
	clear(&w);
	cr_assert_eq(correu_store_set_flags(fresh(&w), b, one, 1, CORREU_STORE_FLAGS_ADD,
	                                    CORREU_STORE_FLAG_SEEN | CORREU_STORE_FLAG_DELETED,
	                                    "$Junk $Forwarded", 16, 0),
	             0);
	cr_assert_str_eq(w.rec.log, "[msg 1 f=0x9 s=19 k=$Junk $Forwarded]", "%s", w.rec.log);
	clear(&w);
	/* UNCHANGEDSINCE below message 1's MODSEQ: refused as MODIFIED. */
	cr_assert_eq(correu_store_box_sync(fresh(&w), b), 0);
	modseq1 = 1;
	cr_assert_eq(correu_store_set_flags(fresh(&w), b, all, 1, CORREU_STORE_FLAGS_REMOVE,
	                                    CORREU_STORE_FLAG_SEEN, NULL, 0, modseq1),
	             0);
	cr_assert(strstr(w.rec.log, "[uid 2 1 0]"), "%s", w.rec.log);
	clear(&w);
	cr_assert_eq(correu_store_copy(fresh(&w), b, two, 1, "Archive", 7, 0), 0);
	r = result(&w);
	cr_assert_neq(r.uidvalidity, 0);
	cr_assert_str_eq(w.rec.log, "[uid 3 2 1]");
	clear(&w);
	cr_assert_eq(correu_store_copy(fresh(&w), b, two, 1, "Nowhere", 7, 0),
	             CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_store_expunge(fresh(&w), b, NULL, 0), 0);
	cr_assert_str_eq(w.rec.log, "[uid 1 1 0]");
	clear(&w);
	cr_assert_eq(correu_store_copy(fresh(&w), b, two, 1, "Archive", 7, 1), 0);
	cr_assert_str_eq(w.rec.log, "[uid 3 2 2][uid 1 2 0]");
	clear(&w);

	/* Append to Archive; the INBOX sees a new delivery on sync. */
	cr_assert_eq(correu_store_append_begin(fresh(&w), s, "Archive", 7, CORREU_STORE_FLAG_SEEN,
	                                       "$Important", 10, 1700000000, 11),
	             0);
	cr_assert_eq(correu_store_req_take_append(w.req, &a), 0);
	cr_assert_eq(correu_store_append_write(fresh(&w), a, (const uint8_t *)"Subject: a\r\n", 12),
	             0);
	cr_assert_eq(correu_store_append_commit(fresh(&w), a), 0);
	r = result(&w);
	cr_assert_eq(r.uid, 3);
	cr_assert_eq(deliver(&w, "Subject: 3\r\n\r\nthree\r\n", to_alice, 1), 0);
	clear(&w);
	cr_assert_eq(correu_store_box_sync(fresh(&w), b), 0);
	cr_assert_str_eq(w.rec.log, "[msg 3 f=0x20 s=21 k=]", "%s", w.rec.log);
	correu_store_box_close(b);
	clear(&w);
	b = select_box(&w, s, "Archive");
	snprintf(expect, sizeof(expect),
	         "[msg 1 f=0x20 s=19 k=][msg 2 f=0x20 s=19 k=]"
	         "[msg 3 f=0x1 s=12 k=$Important]");
	cr_assert_str_eq(w.rec.log, expect, "%s", w.rec.log);
	correu_store_box_close(b);
	correu_store_session_close(s);
	world_free(&w);
}

Test(mdbe, user_names_cannot_leave_their_directory)
{
	correu_maildir_backend_config cfg = { .version = CORREU_MAILDIR_BACKEND_CONFIG_VERSION,
		                              .root = "/tmp/never/%u" };
	correu_maildir_backend *mb;
	correu_store_backend table;
	correu_store *st;
	correu_store_req *req;

	cr_assert_eq(correu_maildir_backend_new(&cfg, NULL, NULL, &mb), 0);
	cr_assert_eq(correu_maildir_backend_table(mb, &table), 0);
	cr_assert_null(table.auth_password, "no users, no authentication");
	cr_assert_eq(correu_store_new(&table, mb, NULL, NULL, &st), 0);
	for (int i = 0; i < 3; i++) {
		static const char *bad[] = { "../etc", ".hidden", "a/b" };

		cr_assert_eq(correu_store_req_new(st, NULL, NULL, &req), 0);
		cr_assert_eq(correu_store_session_open(req, bad[i], strlen(bad[i])),
		             CORREU_ERR_NOT_FOUND, "%s", bad[i]);
		correu_store_req_free(req);
	}
	correu_store_free(st);
	correu_maildir_backend_free(mb);
	cr_assert_eq(access("/tmp/never", F_OK), -1, "a directory was made for a bad name");
	cfg.root = "/tmp/no-user-part";
	cr_assert_eq(correu_maildir_backend_new(&cfg, NULL, NULL, &mb), CORREU_ERR_ARG);
}

/* A request over many messages runs as one batch: every message changes,
 * each gets its own MODSEQ, the log reaches the disk (a new session sees
 * HIGHESTMODSEQ), and the lock is released for the next change. */
Test(mdbe, set_flags_on_many_messages_at_once)
{
	static const char *to_alice[] = { "alice@example.org" };
	static const uint32_t all[] = { 1, 4 }, three[] = { 3, 3 };
	correu_store_status st = { .version = CORREU_STORE_STATUS_VERSION };
	correu_store_session *s;
	correu_store_box *b;
	struct world w;
	uint64_t before;

	world_init(&w);
	for (int i = 0; i < 4; i++)
		cr_assert_eq(deliver(&w, "Subject: n\r\n\r\nbody\r\n", to_alice, 1), 0);
	s = login(&w, "alice");
	cr_assert_eq(correu_store_mailbox_status(fresh(&w), s, "INBOX", 5, CORREU_STORE_STATUS_ALL),
	             0);
	cr_assert_eq(correu_store_req_status(w.req, &st), 0);
	before = st.highestmodseq;
	b = select_box(&w, s, "INBOX");
	clear(&w);
	cr_assert_eq(correu_store_set_flags(fresh(&w), b, all, 1, CORREU_STORE_FLAGS_ADD,
	                                    CORREU_STORE_FLAG_SEEN, NULL, 0, 0),
	             0);
	cr_assert_str_eq(w.rec.log,
	                 "[msg 1 f=0x1 s=20 k=][msg 2 f=0x1 s=20 k=][msg 3 f=0x1 s=20 k=]"
	                 "[msg 4 f=0x1 s=20 k=]",
	                 "%s", w.rec.log);
	clear(&w);
	cr_assert_eq(correu_store_set_flags(fresh(&w), b, three, 1, CORREU_STORE_FLAGS_ADD,
	                                    CORREU_STORE_FLAG_FLAGGED, NULL, 0, 0),
	             0, "the batch kept the lock");
	correu_store_box_close(b);
	correu_store_session_close(s);
	s = login(&w, "alice");
	cr_assert_eq(correu_store_mailbox_status(fresh(&w), s, "INBOX", 5, CORREU_STORE_STATUS_ALL),
	             0);
	cr_assert_eq(correu_store_req_status(w.req, &st), 0);
	cr_assert_eq(st.highestmodseq, before + 5, "%llu then %llu",
	             (unsigned long long)before, (unsigned long long)st.highestmodseq);
	cr_assert_eq(st.unseen, 0);
	correu_store_session_close(s);
	world_free(&w);
}
