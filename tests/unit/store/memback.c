/*
 * The in-memory test backend (see memback.h). Every callback packs its
 * arguments into an mb_call and either runs it now or queues it; queued
 * arguments are the store's copies, so running them later also checks that
 * the store keeps them valid until completion. Every run function
 * completes its request and returns what the completion returned.
 */
#include "memback.h"

#include <stdio.h>
#include <string.h>

#define MB(ud) ((struct memback *)(ud))
/* A callback's request, run function and arguments, packed for dispatch(). */
#define CALL(ud, req_, run_, ...) \
	dispatch(MB(ud), &(struct mb_call){ .req = (req_), .run = (run_), __VA_ARGS__ })

static int dispatch(struct memback *mb, const struct mb_call *c)
{
	struct mb_call copy = *c;
	int rc;

	if (mb->lazy)
		return 0;
	if (mb->later) {
		if (mb->queued == MB_QUEUE)
			return CORREU_ERR_LIMIT;
		mb->queue[mb->queued++] = copy;
		return CORREU_PAUSE;
	}
	rc = copy.run(mb, &copy);
	return rc < 0 ? rc : 0;
}

size_t memback_run(struct memback *mb)
{
	size_t n = 0;

	/* Calls queued while running (none today) wait for the next round. */
	while (mb->queued) {
		struct mb_call c = mb->queue[0];

		memmove(mb->queue, mb->queue + 1, (mb->queued - 1) * sizeof(mb->queue[0]));
		mb->queued--;
		/* Every run function completes its request; what the completion
		 * returned (CANCELLED for a dropped request) needs no action. */
		(void)c.run(mb, &c);
		n++;
	}
	return n;
}

static bool eq(const char *a, size_t alen, const char *b)
{
	return alen == strlen(b) && memcmp(a, b, alen) == 0;
}

static struct mb_box *find_box(struct memback *mb, const char *name, size_t len)
{
	for (int i = 0; i < MB_BOXES; i++)
		if (mb->boxes[i].exists && eq(name, len, mb->boxes[i].name))
			return &mb->boxes[i];
	return NULL;
}

static void add_msg(struct mb_box *b, const char *body, uint32_t flags)
{
	struct mb_msg *m = &b->msgs[b->count++];

	m->uid = b->uidnext++;
	m->flags = flags;
	m->modseq = ++b->highestmodseq;
	snprintf(m->body, sizeof(m->body), "%s", body);
}

static struct mb_box *new_box(struct memback *mb, const char *name, uint32_t use)
{
	for (int i = 0; i < MB_BOXES; i++) {
		struct mb_box *b = &mb->boxes[i];

		if (!b->exists) {
			memset(b, 0, sizeof(*b));
			b->exists = true;
			snprintf(b->name, sizeof(b->name), "%s", name);
			b->use = use;
			b->uidvalidity = 1000 + (uint32_t)i;
			b->uidnext = 1;
			return b;
		}
	}
	return NULL;
}

void memback_init(struct memback *mb)
{
	static const uint8_t salt[16] = "memback-salt-16b";
	struct mb_box *inbox;

	memset(mb, 0, sizeof(*mb));
	inbox = new_box(mb, "INBOX", 0);
	add_msg(inbox, "Subject: one\r\n\r\nfirst message\r\n", CORREU_STORE_FLAG_SEEN);
	add_msg(inbox, "Subject: two\r\n\r\nsecond message, a little longer\r\n", 0);
	add_msg(inbox, "Subject: three\r\n\r\nthird\r\n", CORREU_STORE_FLAG_DELETED);
	inbox->subscribed = true;
	(void)new_box(mb, "Sent", CORREU_STORE_USE_SENT);
	(void)new_box(mb, "Archive", CORREU_STORE_USE_ARCHIVE);
	if (correu_sasl_scram_derive(CORREU_SASL_SCRAM_SHA_256, MB_PASSWORD, strlen(MB_PASSWORD),
	                             salt, sizeof(salt), 4096, &mb->keys) < 0)
		memset(&mb->keys, 0, sizeof(mb->keys));
}

/* ------------------------------------------------------------------ */
/* Authentication and sessions                                         */

static int run_auth_password(struct memback *mb, struct mb_call *c)
{
	if (mb->auth_error)
		return correu_store_complete(c->req, mb->auth_error);
	if (!eq(c->s1, c->l1, MB_USER) || !eq(c->s2, c->l2, MB_PASSWORD))
		return correu_store_complete(c->req, CORREU_ERR_AUTH);
	return correu_store_complete_user(c->req, "Alice", 5);
}

static int auth_password(correu_store_req *req, const char *user, size_t ulen, const char *pw,
                         size_t plen, void *ud)
{
	return CALL(ud, req, run_auth_password, .s1 = user, .l1 = ulen, .s2 = pw, .l2 = plen);
}

static int run_scram_keys(struct memback *mb, struct mb_call *c)
{
	if (!eq(c->s1, c->l1, MB_USER) || c->u1 != CORREU_SASL_SCRAM_SHA_256)
		return correu_store_complete(c->req, CORREU_ERR_NOT_FOUND);
	return correu_store_complete_scram_keys(c->req, &mb->keys);
}

static int auth_scram_keys(correu_store_req *req, uint32_t mech, const char *user, size_t ulen,
                           void *ud)
{
	return CALL(ud, req, run_scram_keys, .s1 = user, .l1 = ulen, .u1 = mech);
}

static int run_token(struct memback *mb, struct mb_call *c)
{
	(void)mb;
	if (!eq(c->s2, c->l2, MB_TOKEN))
		return correu_store_complete(c->req, CORREU_ERR_AUTH);
	return correu_store_complete_user(c->req, MB_USER, strlen(MB_USER));
}

static int auth_token(correu_store_req *req, uint32_t mech, const char *user, size_t ulen,
                      const char *tok, size_t tlen, void *ud)
{
	return CALL(ud, req, run_token, .s1 = user, .l1 = ulen, .s2 = tok, .l2 = tlen, .u1 = mech);
}

static int run_session_open(struct memback *mb, struct mb_call *c)
{
	if (!eq(c->s1, c->l1, "Alice") && !eq(c->s1, c->l1, MB_USER))
		return correu_store_complete(c->req, CORREU_ERR_NOT_FOUND);
	mb->sessions_open++;
	return correu_store_complete_handle(c->req, &mb->session_token);
}

static int session_open(correu_store_req *req, const char *user, size_t ulen, void *ud)
{
	return CALL(ud, req, run_session_open, .s1 = user, .l1 = ulen);
}

static int session_close(void *session, void *ud)
{
	(void)session;
	MB(ud)->sessions_open--;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Mailboxes                                                           */

static int run_list(struct memback *mb, struct mb_call *c)
{
	for (int i = 0; i < MB_BOXES; i++) {
		struct mb_box *b = &mb->boxes[i];
		correu_store_mailbox m = { .version = CORREU_STORE_MAILBOX_VERSION,
			                   .delimiter = '/' };
		int rc;

		if (!b->exists || ((c->u1 & CORREU_STORE_LIST_SUBSCRIBED) && !b->subscribed))
			continue;
		m.attrs = CORREU_STORE_MBOX_HASNOCHILDREN | b->use |
		          (b->subscribed ? CORREU_STORE_MBOX_SUBSCRIBED : 0);
		m.name = b->name;
		m.name_len = strlen(b->name);
		rc = correu_store_emit_mailbox(c->req, &m);
		if (rc < 0)
			return correu_store_complete(c->req, rc);
	}
	return correu_store_complete(c->req, 0);
}

static int list(correu_store_req *req, void *s, const char *pat, size_t plen, uint32_t flags,
                void *ud)
{
	return CALL(ud, req, run_list, .h = s, .s1 = pat, .l1 = plen, .u1 = flags);
}

static int run_create(struct memback *mb, struct mb_call *c)
{
	char name[32];

	if (find_box(mb, c->s1, c->l1))
		return correu_store_complete(c->req, CORREU_ERR_EXISTS);
	if (c->l1 >= sizeof(name))
		return correu_store_complete(c->req, CORREU_ERR_LIMIT);
	memcpy(name, c->s1, c->l1);
	name[c->l1] = '\0';
	return correu_store_complete(c->req, new_box(mb, name, c->u1) ? 0 : CORREU_ERR_LIMIT);
}

static int create(correu_store_req *req, void *s, const char *name, size_t len, uint32_t use,
                  void *ud)
{
	return CALL(ud, req, run_create, .h = s, .s1 = name, .l1 = len, .u1 = use);
}

static int run_delete(struct memback *mb, struct mb_call *c)
{
	struct mb_box *b = find_box(mb, c->s1, c->l1);

	if (!b)
		return correu_store_complete(c->req, CORREU_ERR_NOT_FOUND);
	if (eq(c->s1, c->l1, "INBOX"))
		return correu_store_complete(c->req, CORREU_ERR_ARG);
	b->exists = false;
	return correu_store_complete(c->req, 0);
}

static int delete_mailbox(correu_store_req *req, void *s, const char *name, size_t len, void *ud)
{
	return CALL(ud, req, run_delete, .h = s, .s1 = name, .l1 = len);
}

static int run_rename(struct memback *mb, struct mb_call *c)
{
	struct mb_box *b = find_box(mb, c->s1, c->l1);

	if (!b)
		return correu_store_complete(c->req, CORREU_ERR_NOT_FOUND);
	if (find_box(mb, c->s2, c->l2))
		return correu_store_complete(c->req, CORREU_ERR_EXISTS);
	if (c->l2 >= sizeof(b->name))
		return correu_store_complete(c->req, CORREU_ERR_LIMIT);
	memcpy(b->name, c->s2, c->l2);
	b->name[c->l2] = '\0';
	return correu_store_complete(c->req, 0);
}

static int rename_mailbox(correu_store_req *req, void *s, const char *from, size_t flen,
                          const char *to, size_t tlen, void *ud)
{
	return CALL(ud, req, run_rename, .h = s, .s1 = from, .l1 = flen, .s2 = to, .l2 = tlen);
}

static int run_subscribe(struct memback *mb, struct mb_call *c)
{
	struct mb_box *b = find_box(mb, c->s1, c->l1);

	if (b)
		b->subscribed = c->u1 != 0;
	return correu_store_complete(c->req, 0);
}

static int subscribe(correu_store_req *req, void *s, const char *name, size_t len, uint32_t on,
                     void *ud)
{
	return CALL(ud, req, run_subscribe, .h = s, .s1 = name, .l1 = len, .u1 = on);
}

static void box_status(const struct mb_box *b, correu_store_status *st)
{
	memset(st, 0, sizeof(*st));
	st->version = CORREU_STORE_STATUS_VERSION;
	st->items = CORREU_STORE_STATUS_ALL;
	st->messages = (uint32_t)b->count;
	st->uidnext = b->uidnext;
	st->uidvalidity = b->uidvalidity;
	st->highestmodseq = b->highestmodseq;
	for (size_t i = 0; i < b->count; i++) {
		st->unseen += !(b->msgs[i].flags & CORREU_STORE_FLAG_SEEN);
		st->size += strlen(b->msgs[i].body);
	}
	st->permanent_flags = CORREU_STORE_FLAGS_SETTABLE;
	st->new_keywords = 1;
	st->keywords = "$Forwarded $Junk";
	st->keywords_len = strlen(st->keywords);
}

static int run_status(struct memback *mb, struct mb_call *c)
{
	struct mb_box *b = find_box(mb, c->s1, c->l1);
	correu_store_status st;

	if (!b)
		return correu_store_complete(c->req, CORREU_ERR_NOT_FOUND);
	box_status(b, &st);
	return correu_store_complete_status(c->req, &st);
}

static int status(correu_store_req *req, void *s, const char *name, size_t len, uint32_t items,
                  void *ud)
{
	return CALL(ud, req, run_status, .h = s, .s1 = name, .l1 = len, .u1 = items);
}

/* ------------------------------------------------------------------ */
/* A selected mailbox                                                  */

static int emit_msg(correu_store_req *req, const struct mb_msg *m)
{
	correu_store_msg x = { .version = CORREU_STORE_MSG_VERSION,
		               .uid = m->uid,
		               .flags = m->flags,
		               .size = strlen(m->body),
		               .internal_date = 1700000000,
		               .modseq = m->modseq,
		               .keywords = m->keywords,
		               .keywords_len = strlen(m->keywords) };

	return correu_store_emit_msg(req, &x);
}

static int run_select(struct memback *mb, struct mb_call *c)
{
	struct mb_box *b = find_box(mb, c->s1, c->l1);
	correu_store_status st;

	if (!b)
		return correu_store_complete(c->req, CORREU_ERR_NOT_FOUND);
	for (size_t i = 0; i < b->count; i++) {
		int rc = emit_msg(c->req, &b->msgs[i]);

		if (rc < 0)
			return correu_store_complete(c->req, rc);
	}
	box_status(b, &st);
	st.read_only = (c->u1 & CORREU_STORE_SELECT_READ_ONLY) != 0;
	mb->boxes_open++;
	mb->last_box = (correu_store_box *)c->ptr;
	return correu_store_complete_box(c->req, b, &st);
}

static int select_box(correu_store_req *req, void *s, const char *name, size_t len, uint32_t flags,
                      correu_store_box *box, void *ud)
{
	return CALL(ud, req, run_select, .h = s, .s1 = name, .l1 = len, .u1 = flags, .ptr = box);
}

static int box_close(void *box, void *ud)
{
	(void)box;
	MB(ud)->boxes_open--;
	return 0;
}

static int run_sync(struct memback *mb, struct mb_call *c)
{
	struct mb_box *b = c->h;
	correu_store_status st;

	(void)mb;
	/* Report UID 3 as expunged by "someone else" and UID 2 as changed. */
	if (correu_store_emit_uid(c->req, CORREU_STORE_UID_EXPUNGED, 3, 0) < 0 ||
	    emit_msg(c->req, &b->msgs[1]) < 0)
		return correu_store_complete(c->req, CORREU_ERR_CANCELLED);
	box_status(b, &st);
	return correu_store_complete_status(c->req, &st);
}

static int sync_box(correu_store_req *req, void *box, void *ud)
{
	return CALL(ud, req, run_sync, .h = box);
}

static struct mb_msg *find_msg(struct mb_box *b, uint32_t uid)
{
	for (size_t i = 0; i < b->count; i++)
		if (b->msgs[i].uid == uid)
			return &b->msgs[i];
	return NULL;
}

static struct mb_stream streams[4];

static int run_message_open(struct memback *mb, struct mb_call *c)
{
	struct mb_msg *m = find_msg(c->h, c->u1);

	if (!m)
		return correu_store_complete(c->req, CORREU_ERR_NOT_FOUND);
	streams[mb->streams_open % 4] = (struct mb_stream){ .msg = m };
	return correu_store_complete_handle(c->req, &streams[mb->streams_open++ % 4]);
}

static int message_open(correu_store_req *req, void *box, uint32_t uid, void *ud)
{
	return CALL(ud, req, run_message_open, .h = box, .u1 = uid);
}

static int run_stream_read(struct memback *mb, struct mb_call *c)
{
	struct mb_stream *s = c->h;
	size_t left = strlen(s->msg->body) - s->pos;
	size_t n = left < c->n ? left : c->n;

	(void)mb;
	s->pos += n;
	return correu_store_complete_data(c->req, (const uint8_t *)s->msg->body + s->pos - n, n);
}

static int stream_read(correu_store_req *req, void *stream, size_t max, void *ud)
{
	return CALL(ud, req, run_stream_read, .h = stream, .n = max);
}

static int stream_close(void *stream, void *ud)
{
	(void)stream;
	MB(ud)->streams_open--;
	return 0;
}

static bool in_ranges(uint32_t uid, const uint32_t *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (uid >= r[2 * i] && uid <= r[2 * i + 1])
			return true;
	return false;
}

static int run_set_flags(struct memback *mb, struct mb_call *c)
{
	struct mb_box *b = c->h;

	(void)mb;
	for (size_t i = 0; i < b->count; i++) {
		struct mb_msg *m = &b->msgs[i];
		int rc;

		if (!in_ranges(m->uid, c->ranges, c->n))
			continue;
		if (c->u64 && m->modseq > c->u64) {
			rc = correu_store_emit_uid(c->req, CORREU_STORE_UID_MODIFIED, m->uid, 0);
		} else {
			if (c->u1 == CORREU_STORE_FLAGS_ADD)
				m->flags |= c->u2;
			else if (c->u1 == CORREU_STORE_FLAGS_REMOVE)
				m->flags &= ~c->u2;
			else
				m->flags = c->u2;
			snprintf(m->keywords, sizeof(m->keywords), "%.*s", (int)c->l1, c->s1);
			m->modseq = ++b->highestmodseq;
			rc = emit_msg(c->req, m);
		}
		if (rc < 0)
			return correu_store_complete(c->req, rc);
	}
	return correu_store_complete(c->req, 0);
}

static int set_flags(correu_store_req *req, void *box, const uint32_t *ranges, size_t n,
                     uint32_t mode, uint32_t flags, const char *kw, size_t kwlen,
                     uint64_t unchangedsince, void *ud)
{
	return CALL(ud, req, run_set_flags, .h = box, .ranges = ranges, .n = n, .u1 = mode,
	            .u2 = flags, .s1 = kw, .l1 = kwlen, .u64 = unchangedsince);
}

/* Remove messages flagged \Deleted (within the ranges, if any). */
static int expunge_in(correu_store_req *req, struct mb_box *b, const uint32_t *ranges, size_t n,
                      bool all)
{
	size_t keep = 0;
	int rc = 0;

	for (size_t i = 0; i < b->count; i++) {
		struct mb_msg *m = &b->msgs[i];
		bool in = !ranges || in_ranges(m->uid, ranges, n);

		if (in && (all || (m->flags & CORREU_STORE_FLAG_DELETED))) {
			if (rc == 0)
				rc = correu_store_emit_uid(req, CORREU_STORE_UID_EXPUNGED, m->uid,
				                           0);
			continue;
		}
		b->msgs[keep++] = *m;
	}
	b->count = keep;
	b->highestmodseq++;
	return rc;
}

static int run_expunge(struct memback *mb, struct mb_call *c)
{
	int rc = expunge_in(c->req, c->h, c->n ? c->ranges : NULL, c->n, false);

	(void)mb;
	return correu_store_complete(c->req, rc);
}

static int expunge(correu_store_req *req, void *box, const uint32_t *ranges, size_t n, void *ud)
{
	return CALL(ud, req, run_expunge, .h = box, .ranges = ranges, .n = n);
}

static int run_copy(struct memback *mb, struct mb_call *c)
{
	struct mb_box *src = c->h, *dst = find_box(mb, c->s1, c->l1);
	int rc = 0;

	if (!dst)
		return correu_store_complete(c->req, CORREU_ERR_NOT_FOUND);
	for (size_t i = 0; i < src->count && rc == 0; i++) {
		if (!in_ranges(src->msgs[i].uid, c->ranges, c->n) || dst->count == MB_MSGS)
			continue;
		add_msg(dst, src->msgs[i].body, src->msgs[i].flags);
		rc = correu_store_emit_uid(c->req, CORREU_STORE_UID_COPIED, src->msgs[i].uid,
		                           dst->msgs[dst->count - 1].uid);
	}
	if (rc == 0 && c->u1)
		rc = expunge_in(c->req, src, c->ranges, c->n, true);
	if (rc < 0)
		return correu_store_complete(c->req, rc);
	return correu_store_complete_uid(c->req, dst->uidvalidity, 0);
}

static int copy(correu_store_req *req, void *box, const uint32_t *ranges, size_t n,
                const char *dest, size_t dlen, void *ud)
{
	return CALL(ud, req, run_copy, .h = box, .ranges = ranges, .n = n, .s1 = dest, .l1 = dlen);
}

static int move(correu_store_req *req, void *box, const uint32_t *ranges, size_t n,
                const char *dest, size_t dlen, void *ud)
{
	return CALL(ud, req, run_copy, .h = box, .ranges = ranges, .n = n, .s1 = dest, .l1 = dlen,
	            .u1 = 1);
}

/* ------------------------------------------------------------------ */
/* Append                                                              */

static struct mb_append appends[2];

static int run_append_begin(struct memback *mb, struct mb_call *c)
{
	struct mb_box *b = find_box(mb, c->s1, c->l1);
	struct mb_append *a = &appends[mb->appends_open % 2];

	if (!b)
		return correu_store_complete(c->req, CORREU_ERR_NOT_FOUND);
	*a = (struct mb_append){ .box = b, .flags = c->u1 };
	mb->appends_open++;
	return correu_store_complete_handle(c->req, a);
}

static int append_begin(correu_store_req *req, void *s, const char *name, size_t len,
                        uint32_t flags, const char *kw, size_t kwlen, int64_t date, uint64_t size,
                        void *ud)
{
	return CALL(ud, req, run_append_begin, .h = s, .s1 = name, .l1 = len, .u1 = flags, .s2 = kw,
	            .l2 = kwlen, .i64 = date, .u64 = size);
}

/* Add a chunk to a message kept with room for its final NUL. */
static bool add_chunk(char *buf, size_t cap, size_t *len, const struct mb_call *c)
{
	if (c->dlen > cap - 1 - *len)
		return false;
	memcpy(buf + *len, c->data, c->dlen);
	*len += c->dlen;
	return true;
}

static int run_append_write(struct memback *mb, struct mb_call *c)
{
	struct mb_append *a = c->h;

	(void)mb;
	if (!add_chunk(a->buf, sizeof(a->buf), &a->len, c))
		return correu_store_complete(c->req, CORREU_ERR_LIMIT);
	return correu_store_complete(c->req, 0);
}

static int append_write(correu_store_req *req, void *h, const uint8_t *data, size_t len, void *ud)
{
	return CALL(ud, req, run_append_write, .h = h, .data = data, .dlen = len);
}

static int run_append_commit(struct memback *mb, struct mb_call *c)
{
	struct mb_append *a = c->h;

	mb->appends_open--;
	if (a->box->count == MB_MSGS)
		return correu_store_complete(c->req, CORREU_ERR_LIMIT);
	a->buf[a->len] = '\0';
	add_msg(a->box, a->buf, a->flags);
	return correu_store_complete_uid(c->req, a->box->uidvalidity, a->box->uidnext - 1);
}

static int append_commit(correu_store_req *req, void *h, void *ud)
{
	return CALL(ud, req, run_append_commit, .h = h);
}

static int append_abort(void *h, void *ud)
{
	(void)h;
	MB(ud)->appends_open--;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Delivery                                                            */

static struct mb_delivery deliveries[2];

static int run_deliver_begin(struct memback *mb, struct mb_call *c)
{
	const correu_store_envelope *env = c->ptr;
	struct mb_delivery *d = &deliveries[mb->deliveries_open % 2];

	if (env->mail_from_len >= sizeof(d->from) ||
	    eq(env->mail_from, env->mail_from_len, "spammer@example.net"))
		return correu_store_complete_reply(c->req, 550, 5, 7, 1, "Sender refused", 14);
	*d = (struct mb_delivery){ 0 };
	memcpy(d->from, env->mail_from, env->mail_from_len);
	/* What the core handed over, for transcripts to compare. */
	snprintf(mb->envelope, sizeof(mb->envelope),
	         "v%u from=<%s> flags=0x%x size=%llu ret=%u envid=%.*s requiretls=%u",
	         (unsigned)env->version, d->from, (unsigned)env->flags,
	         (unsigned long long)env->size, (unsigned)env->ret,
	         env->envid ? (int)env->envid_len : 1, env->envid ? env->envid : "-",
	         (unsigned)env->requiretls);
	mb->deliveries_open++;
	return correu_store_complete_handle(c->req, d);
}

static int deliver_begin(correu_store_req *req, const correu_store_envelope *env, void *ud)
{
	return CALL(ud, req, run_deliver_begin, .ptr = env);
}

static int run_deliver_rcpt(struct memback *mb, struct mb_call *c)
{
	const correu_store_rcpt *r = c->ptr;
	struct mb_delivery *d = c->h;

	(void)mb;
	if (r->index >= MB_RCPTS || r->address_len >= sizeof(d->rcpt[0]))
		return correu_store_complete_reply(c->req, 452, 4, 5, 3, "Too many recipients", 19);
	d->nrcpt = r->index + 1;
	memcpy(d->rcpt[r->index], r->address, r->address_len);
	if (r->address_len < 12 || memcmp(r->address + r->address_len - 12, "@example.org", 12))
		return correu_store_complete_reply(c->req, 550, 5, 1, 1, "No such user", 12);
	d->ok[r->index] = true;
	return correu_store_complete_reply(c->req, 250, 2, 1, 5, "OK", 2);
}

static int deliver_rcpt(correu_store_req *req, void *h, const correu_store_rcpt *rcpt, void *ud)
{
	return CALL(ud, req, run_deliver_rcpt, .h = h, .ptr = rcpt);
}

static int run_deliver_data(struct memback *mb, struct mb_call *c)
{
	struct mb_delivery *d = c->h;

	(void)mb;
	if (!add_chunk(d->data, sizeof(d->data), &d->len, c))
		return correu_store_complete_reply(c->req, 552, 5, 3, 4, "Message too big", 15);
	return correu_store_complete(c->req, 0);
}

static int deliver_data(correu_store_req *req, void *h, const uint8_t *data, size_t len, void *ud)
{
	return CALL(ud, req, run_deliver_data, .h = h, .data = data, .dlen = len);
}

/* Store a copy per accepted recipient; "full@example.org" is over quota,
 * which LMTP reports for that recipient alone. */
static int run_deliver_commit(struct memback *mb, struct mb_call *c)
{
	struct mb_delivery *d = c->h;

	for (uint32_t i = 0; i < d->nrcpt; i++) {
		int rc;

		if (!d->ok[i])
			continue;
		if (!strcmp(d->rcpt[i], "full@example.org")) {
			rc = correu_store_set_rcpt_reply(c->req, i, 452, 4, 2, 2, "Mailbox full",
			                                 12);
		} else {
			d->data[d->len] = '\0';
			if (mb->ndelivered < 4)
				memcpy(mb->delivered[mb->ndelivered++], d->data, d->len + 1);
			rc = correu_store_set_rcpt_reply(c->req, i, 250, 2, 0, 0, d->rcpt[i],
			                                 strlen(d->rcpt[i]));
		}
		if (rc < 0)
			return correu_store_complete(c->req, rc);
	}
	return correu_store_complete_reply(c->req, 250, 2, 0, 0, "Stored", 6);
}

static int deliver_commit(correu_store_req *req, void *h, void *ud)
{
	return CALL(ud, req, run_deliver_commit, .h = h);
}

static int deliver_abort(void *h, void *ud)
{
	(void)h;
	MB(ud)->deliveries_open--;
	return 0;
}

static int cancel(correu_store_req *req, void *ud)
{
	(void)req;
	MB(ud)->cancels++;
	return 0;
}

static int destroy(void *ud)
{
	MB(ud)->destroyed++;
	return 0;
}

static const correu_store_backend table = {
	.version = CORREU_STORE_BACKEND_VERSION,
	.features = CORREU_STORE_FEATURE_MODSEQ | CORREU_STORE_FEATURE_SPECIAL_USE |
	            CORREU_STORE_FEATURE_UIDPLUS | CORREU_STORE_FEATURE_NOTIFY,
	.auth_password = auth_password,
	.auth_scram_keys = auth_scram_keys,
	.auth_token = auth_token,
	.session_open = session_open,
	.session_close = session_close,
	.list = list,
	.create = create,
	.delete_mailbox = delete_mailbox,
	.rename = rename_mailbox,
	.subscribe = subscribe,
	.status = status,
	.select = select_box,
	.box_close = box_close,
	.sync = sync_box,
	.message_open = message_open,
	.stream_read = stream_read,
	.stream_close = stream_close,
	.set_flags = set_flags,
	.expunge = expunge,
	.copy = copy,
	.move = move,
	.append_begin = append_begin,
	.append_write = append_write,
	.append_commit = append_commit,
	.append_abort = append_abort,
	.deliver_begin = deliver_begin,
	.deliver_rcpt = deliver_rcpt,
	.deliver_data = deliver_data,
	.deliver_commit = deliver_commit,
	.deliver_abort = deliver_abort,
	.cancel = cancel,
	.destroy = destroy,
};

const correu_store_backend *memback_table(void)
{
	return &table;
}
