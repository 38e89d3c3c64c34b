/*
 * The default backend's selected mailbox (store layer): SELECT, the
 * changes since the last look (sync), STORE with UNCHANGEDSINCE (RFC 7162
 * section 3.1.3), EXPUNGE and COPY/MOVE with COPYUID (RFC 4315, RFC 6851).
 * Maildir's $Forwarded flag letter is shown to IMAP as the keyword of that
 * name, since IMAP has no such system flag.
 */
#include <string.h>

#include "maildir_internal.h" /* the flag-update batch */
#include "mdbe_int.h"

#define FORWARDED "$Forwarded"
/* Every keyword bit a folder can have (one per letter a..z). */
#define KW_ALL ((1u << CORREU_MAILDIR_MAX_KEYWORDS) - 1)

static bool kw_eq(const char *a, size_t alen, const char *b)
{
	size_t n = strlen(b);

	if (alen != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static int kw_add(correu__buf *kw, const char *p, size_t n)
{
	int rc = 0;

	if (kw->len)
		rc = correu__buf_append(kw, " ", 1);
	return rc ? rc : correu__buf_append(kw, p, n);
}

int correu__mdbe_msg(struct mdbe_box *b, size_t index, correu_store_msg *out, correu__buf *kw)
{
	correu_maildir_msg m = { .version = CORREU_MAILDIR_MSG_VERSION };
	int rc = correu_maildir_box_message(b->box, index, &m);

	if (rc < 0)
		return rc;
	kw->len = 0;
	for (unsigned i = 0; rc == 0 && i < CORREU_MAILDIR_MAX_KEYWORDS; i++) {
		const char *name;
		size_t len;

		if ((m.keywords & (1u << i)) &&
		    correu_maildir_box_keyword_name(b->box, i, &name, &len) == 0)
			rc = kw_add(kw, name, len);
	}
	if (rc == 0 && (m.flags & CORREU_MAILDIR_FLAG_FORWARDED))
		rc = kw_add(kw, FORWARDED, strlen(FORWARDED));
	if (rc < 0)
		return rc;
	memset(out, 0, sizeof(*out));
	out->version = CORREU_STORE_MSG_VERSION;
	out->uid = m.uid;
	/* The five IMAP system flags have the same bits in both headers. */
	out->flags =
		(m.flags & CORREU_STORE_FLAGS_SETTABLE) | (m.is_new ? CORREU_STORE_FLAG_RECENT : 0);
	out->size = m.vsize;
	if (!out->size)
		rc = correu__mdbe_vsize(b->box, m.uid, &out->size);
	out->internal_date = m.internal_date;
	out->modseq = m.modseq;
	out->keywords = kw->len ? (const char *)kw->data : NULL;
	out->keywords_len = kw->len;
	return rc;
}

int correu__mdbe_emit(correu_store_req *req, struct mdbe_box *b, size_t index, correu__buf *kw)
{
	correu_store_msg m;
	int rc = correu__mdbe_msg(b, index, &m, kw);

	return rc < 0 ? rc : correu_store_emit_msg(req, &m);
}

int correu__mdbe_flags_in(correu_maildir_box *box, uint32_t flags, const char *kw, size_t kwlen,
                          bool create, uint32_t *md_flags, uint32_t *md_kw)
{
	size_t pos = 0;

	*md_flags = flags & CORREU_STORE_FLAGS_SETTABLE;
	*md_kw = 0;
	while (pos < kwlen) {
		const char *sp = memchr(kw + pos, ' ', kwlen - pos);
		size_t end = sp ? (size_t)(sp - kw) : kwlen;
		unsigned idx;
		int rc;

		if (end > pos && kw_eq(kw + pos, end - pos, FORWARDED)) {
			*md_flags |= CORREU_MAILDIR_FLAG_FORWARDED;
		} else if (end > pos) {
			rc = correu_maildir_box_keyword_index(box, kw + pos, end - pos, create,
			                                      &idx);
			if (rc == 0)
				*md_kw |= 1u << idx;
			else if (rc != CORREU_ERR_NOT_FOUND || create)
				return rc; /* else: removing a keyword nobody has */
		}
		pos = end + 1;
	}
	return 0;
}

int correu__mdbe_snapshot(struct mdbe_box *b)
{
	const correu_allocator *a = b->s->mb->alloc;
	size_t n = correu_maildir_box_count(b->box);
	struct mdbe_seen *seen = NULL;

	if (n && !(seen = correu__alloc(a, n * sizeof(*seen))))
		return CORREU_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		correu_maildir_msg m = { .version = CORREU_MAILDIR_MSG_VERSION };

		/* An index that vanished cannot happen between two syncs; an
		 * entry of zeros would only be reported expunged later. */
		if (correu_maildir_box_message(b->box, i, &m) < 0)
			memset(&m, 0, sizeof(m));
		seen[i] = (struct mdbe_seen){ m.uid, m.modseq };
	}
	if (b->seen)
		correu__free(a, b->seen, b->nseen * sizeof(*b->seen));
	b->seen = seen;
	b->nseen = n;
	return 0;
}

static void fill_status(struct mdbe_box *b, correu_store_status *st, correu__buf *kwnames)
{
	memset(st, 0, sizeof(*st));
	st->version = CORREU_STORE_STATUS_VERSION;
	st->items = CORREU_STORE_STATUS_MESSAGES | CORREU_STORE_STATUS_UIDNEXT |
	            CORREU_STORE_STATUS_UIDVALIDITY | CORREU_STORE_STATUS_HIGHESTMODSEQ;
	st->messages = (uint32_t)correu_maildir_box_count(b->box);
	st->uidnext = correu_maildir_box_uidnext(b->box);
	st->uidvalidity = correu_maildir_box_uidvalidity(b->box);
	st->highestmodseq = correu_maildir_box_highestmodseq(b->box);
	st->read_only = b->read_only;
	st->permanent_flags = CORREU_STORE_FLAGS_SETTABLE;
	st->new_keywords = 1;
	kwnames->len = 0;
	for (unsigned i = 0; i < CORREU_MAILDIR_MAX_KEYWORDS; i++) {
		const char *name;
		size_t len;

		if (correu_maildir_box_keyword_name(b->box, i, &name, &len) == 0 &&
		    kw_add(kwnames, name, len) < 0)
			break; /* a shorter FLAGS list, not a failure */
	}
	if (kw_add(kwnames, FORWARDED, strlen(FORWARDED)) == 0) {
		st->keywords = (const char *)kwnames->data;
		st->keywords_len = kwnames->len;
	}
}

int correu__mdbe_select(correu_store_req *req, void *session, const char *name, size_t len,
                        uint32_t flags, correu_store_box *box, void *ud)
{
	const correu_allocator *a = MB(ud)->alloc;
	struct mdbe_box *b = correu__calloc(a, sizeof(*b));
	correu_store_status st;
	correu__buf kw;
	int rc;

	(void)box; /* no push notification: IDLE polls sync */
	if (!b)
		return correu_store_complete(req, CORREU_ERR_NOMEM);
	b->s = session;
	b->read_only = (flags & CORREU_STORE_SELECT_READ_ONLY) != 0;
	correu__buf_init(&kw, a, SIZE_MAX);
	rc = correu_maildir_box_open(b->s->md, name, len, &b->box);
	for (size_t i = 0; rc == 0 && i < correu_maildir_box_count(b->box); i++)
		rc = correu__mdbe_emit(req, b, i, &kw);
	/* Like Dovecot, a read-write session takes new/ into cur/ once the
	 * messages have been reported \Recent. */
	if (rc == 0 && !b->read_only && correu_maildir_box_take_new(b->box) < 0)
		rc = CORREU_ERR_IO;
	if (rc == 0)
		rc = correu__mdbe_snapshot(b);
	if (rc < 0) {
		correu__buf_free(&kw, false);
		(void)correu__mdbe_box_close(b, ud);
		return correu_store_complete(req, rc);
	}
	fill_status(b, &st, &kw);
	rc = correu_store_complete_box(req, b, &st);
	correu__buf_free(&kw, false);
	return rc;
}

int correu__mdbe_box_close(void *box, void *ud)
{
	struct mdbe_box *b = box;
	const correu_allocator *a = MB(ud)->alloc;

	correu_maildir_box_close(b->box);
	if (b->seen)
		correu__free(a, b->seen, b->nseen * sizeof(*b->seen));
	correu__free(a, b, sizeof(*b));
	return 0;
}

int correu__mdbe_sync(correu_store_req *req, void *box, void *ud)
{
	struct mdbe_box *b = box;
	correu_store_status st;
	correu__buf kw;
	size_t n, j = 0;
	int rc = correu_maildir_box_sync(b->box);

	correu__buf_init(&kw, MB(ud)->alloc, SIZE_MAX);
	n = rc == 0 ? correu_maildir_box_count(b->box) : 0;
	/* Both lists are in UID order: walk them together. */
	for (size_t i = 0; rc == 0 && i < b->nseen; i++) {
		correu_maildir_msg m = { .version = CORREU_MAILDIR_MSG_VERSION };

		while (j < n && correu_maildir_box_message(b->box, j, &m) == 0 &&
		       m.uid < b->seen[i].uid)
			j++;
		if (j >= n || m.uid != b->seen[i].uid)
			rc = correu_store_emit_uid(req, CORREU_STORE_UID_EXPUNGED, b->seen[i].uid,
			                           0);
		else if (m.modseq != b->seen[i].modseq)
			rc = correu__mdbe_emit(req, b, j, &kw);
	}
	/* New messages: UIDs above the last one the core knew. */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		correu_maildir_msg m = { .version = CORREU_MAILDIR_MSG_VERSION };

		rc = correu_maildir_box_message(b->box, i, &m);
		if (rc == 0 && (!b->nseen || m.uid > b->seen[b->nseen - 1].uid))
			rc = correu__mdbe_emit(req, b, i, &kw);
	}
	if (rc == 0)
		rc = correu__mdbe_snapshot(b);
	if (rc == 0)
		fill_status(b, &st, &kw);
	rc = rc < 0 ? correu_store_complete(req, rc) : correu_store_complete_status(req, &st);
	correu__buf_free(&kw, false);
	return rc;
}

int correu__mdbe_set_flags(correu_store_req *req, void *box, const uint32_t *ranges, size_t n,
                           uint32_t mode, uint32_t flags, const char *kw, size_t kwlen,
                           uint64_t unchangedsince, void *ud)
{
	struct mdbe_box *b = box;
	uint32_t f, k;
	correu__buf scratch;
	bool batch = false;
	int rc;

	if (b->read_only)
		return correu_store_complete(req, CORREU_ERR_STATE);
	rc = correu__mdbe_flags_in(b->box, flags, kw, kwlen, mode != CORREU_STORE_FLAGS_REMOVE, &f,
	                           &k);
	correu__buf_init(&scratch, MB(ud)->alloc, SIZE_MAX);
	/* One lock and one log sync for the whole request, not per message. */
	if (rc == 0) {
		rc = correu__md_batch_begin(b->box);
		batch = rc == 0;
	}
	for (size_t i = 0; rc == 0 && i < correu_maildir_box_count(b->box); i++) {
		correu_maildir_msg m = { .version = CORREU_MAILDIR_MSG_VERSION };
		size_t at;

		rc = correu_maildir_box_message(b->box, i, &m);
		if (rc < 0 || !correu__mdbe_in_ranges(m.uid, ranges, n))
			continue;
		if (unchangedsince && m.modseq > unchangedsince) {
			rc = correu_store_emit_uid(req, CORREU_STORE_UID_MODIFIED, m.uid, 0);
			continue;
		}
		if (mode == CORREU_STORE_FLAGS_ADD)
			rc = correu_maildir_box_update_flags(b->box, m.uid, f, 0, k, 0);
		else if (mode == CORREU_STORE_FLAGS_REMOVE)
			rc = correu_maildir_box_update_flags(b->box, m.uid, 0, f, 0, k);
		else
			rc = correu_maildir_box_update_flags(
				b->box, m.uid, f, CORREU_MAILDIR_FLAGS_ALL & ~f, k, KW_ALL & ~k);
		/* The update renamed the file: find the message again by UID. */
		if (rc == 0)
			rc = correu_maildir_box_find(b->box, m.uid, &at);
		if (rc == 0)
			rc = correu__mdbe_emit(req, b, at, &scratch);
	}
	if (batch) {
		int end = correu__md_batch_end(b->box);

		rc = rc < 0 ? rc : end;
	}
	correu__buf_free(&scratch, false);
	if (rc == 0)
		rc = correu__mdbe_snapshot(b);
	return correu_store_complete(req, rc);
}

/* Expunge the listed UIDs (all = ignore \Deleted), emitting each. */
static int expunge_uids(correu_store_req *req, struct mdbe_box *b, const uint32_t *ranges, size_t n,
                        bool all)
{
	size_t i = 0;
	int rc = 0;

	while (rc == 0 && i < correu_maildir_box_count(b->box)) {
		correu_maildir_msg m = { .version = CORREU_MAILDIR_MSG_VERSION };

		rc = correu_maildir_box_message(b->box, i, &m);
		if (rc == 0 && (!n || correu__mdbe_in_ranges(m.uid, ranges, n)) &&
		    (all || (m.flags & CORREU_MAILDIR_FLAG_DELETED))) {
			rc = correu_maildir_box_expunge(b->box, m.uid);
			if (rc == 0)
				rc = correu_store_emit_uid(req, CORREU_STORE_UID_EXPUNGED, m.uid,
				                           0);
			continue; /* index i now holds the next message */
		}
		i++;
	}
	return rc;
}

int correu__mdbe_expunge(correu_store_req *req, void *box, const uint32_t *ranges, size_t n,
                         void *ud)
{
	struct mdbe_box *b = box;
	int rc;

	(void)ud;
	if (b->read_only)
		return correu_store_complete(req, CORREU_ERR_STATE);
	rc = expunge_uids(req, b, ranges, n, false);
	if (rc == 0)
		rc = correu__mdbe_snapshot(b);
	return correu_store_complete(req, rc);
}

static int copy_or_move(correu_store_req *req, struct mdbe_box *b, const uint32_t *ranges, size_t n,
                        const char *dest, size_t dlen, bool move)
{
	correu_maildir_box *dst;
	uint32_t validity;
	int rc;

	if (move && b->read_only)
		return correu_store_complete(req, CORREU_ERR_STATE);
	rc = correu_maildir_box_open(b->s->md, dest, dlen, &dst);
	if (rc < 0)
		return correu_store_complete(req, rc);
	for (size_t i = 0; rc == 0 && i < correu_maildir_box_count(b->box); i++) {
		correu_maildir_msg m = { .version = CORREU_MAILDIR_MSG_VERSION };
		uint32_t uid2;

		rc = correu_maildir_box_message(b->box, i, &m);
		if (rc < 0 || !correu__mdbe_in_ranges(m.uid, ranges, n))
			continue;
		rc = correu_maildir_box_copy(b->box, m.uid, dst, &uid2);
		if (rc == 0)
			rc = correu_store_emit_uid(req, CORREU_STORE_UID_COPIED, m.uid, uid2);
	}
	validity = correu_maildir_box_uidvalidity(dst);
	correu_maildir_box_close(dst);
	/* MOVE (RFC 6851 section 3.3): the copies are safe, now expunge. */
	if (rc == 0 && move)
		rc = expunge_uids(req, b, ranges, n, true);
	if (rc == 0 && move)
		rc = correu__mdbe_snapshot(b);
	if (rc < 0)
		return correu_store_complete(req, rc);
	return correu_store_complete_uid(req, validity, 0);
}

int correu__mdbe_copy(correu_store_req *req, void *box, const uint32_t *ranges, size_t n,
                      const char *dest, size_t dlen, void *ud)
{
	(void)ud;
	return copy_or_move(req, box, ranges, n, dest, dlen, false);
}

int correu__mdbe_move(correu_store_req *req, void *box, const uint32_t *ranges, size_t n,
                      const char *dest, size_t dlen, void *ud)
{
	(void)ud;
	return copy_or_move(req, box, ranges, n, dest, dlen, true);
}
