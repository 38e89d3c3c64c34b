/*
 * The maildrop of a POP3 session (POP3 layer, server side; RFC 1939
 * section 5): the messages INBOX had when it was selected, numbered from 1
 * in UID order, with their sizes and the DELE marks, which stay in the
 * session until QUIT. STAT, LIST, UIDL, DELE and RSET work on this table
 * only. A listing of every message is produced as the output drains, so a
 * large maildrop never makes a large reply buffer. UIDL shows Dovecot's
 * default form, UID then UIDVALIDITY as 8 hex digits each, in lower case
 * as Dovecot writes them (its "X" modifier is lower-case hex).
 */
#include <stdio.h>
#include <string.h>

#include "pop3d_int.h"

/* Listing lines produced per turn before the output mark is checked. */
#define LINES_PER_TURN 64

int correu__pop3d_msg_hook(correu__pop3d *s, const correu_store_msg *m)
{
	uint32_t cap = s->msgs_cap;
	correu__pop3d_msg *p;

	if (s->nmsgs >= s->svc->set.max_messages) {
		/* Refused at login; the listing need not go on. */
		s->too_many = true;
		return CORREU_ERR_LIMIT;
	}
	if (s->nmsgs == cap) {
		uint32_t max = s->svc->set.max_messages;

		cap = cap == 0 ? 64 : cap > max / 2 ? max : cap * 2;
		p = correu__realloc(s->alloc, s->msgs, (size_t)s->msgs_cap * sizeof(*p),
		                    (size_t)cap * sizeof(*p));
		if (!p)
			return CORREU_ERR_NOMEM;
		s->msgs = p;
		s->msgs_cap = cap;
	}
	s->msgs[s->nmsgs++] = (correu__pop3d_msg){
		.uid = m->uid, .size = m->size, .seen = (m->flags & CORREU_STORE_FLAG_SEEN) != 0
	};
	return 0;
}

void correu__pop3d_maildrop_free(correu__pop3d *s)
{
	correu__pop3d_body_end(s);
	correu_store_box_close(s->box);
	s->box = NULL;
	correu_store_session_close(s->session);
	s->session = NULL;
	if (s->msgs)
		correu__free(s->alloc, s->msgs, (size_t)s->msgs_cap * sizeof(*s->msgs));
	s->msgs = NULL;
	s->nmsgs = s->msgs_cap = 0;
	s->too_many = false;
	if (s->ranges)
		correu__free(s->alloc, s->ranges, s->range_cap * 2 * sizeof(uint32_t));
	s->ranges = NULL;
	s->range_cap = s->nranges = 0;
	correu__pop3d_unlock(s);
}

/* Messages and octets not marked deleted. */
static void totals(const correu__pop3d *s, uint32_t *count, uint64_t *size)
{
	*count = 0;
	*size = 0;
	for (uint32_t i = 0; i < s->nmsgs; i++)
		if (!s->msgs[i].deleted) {
			(*count)++;
			*size += s->msgs[i].size;
		}
}

int correu__pop3d_ok_maildrop(correu__pop3d *s, const char *prefix)
{
	char text[96];
	uint32_t n;
	uint64_t size;

	totals(s, &n, &size);
	snprintf(text, sizeof(text), "%s%smaildrop has %lu messages (%llu octets)", prefix,
	         *prefix ? " " : "", (unsigned long)n, (unsigned long long)size);
	return correu__pop3d_ok(s, text);
}

int correu__pop3d_msgno(correu__pop3d *s, const char *p, size_t len, uint32_t *idx)
{
	uint32_t n;
	int rc;

	/* Numbers from the client are checked before use: any digits may
	 * come, and 0 is never a message (RFC 1939 section 5). */
	if (correu__pop3d_u32(p, len, &n) < 0)
		rc = correu__pop3d_err(s, NULL, "Invalid message number");
	else if (n == 0 || n > s->nmsgs)
		rc = correu__pop3d_err(s, NULL, "No such message");
	else if (s->msgs[n - 1].deleted)
		rc = correu__pop3d_err(s, NULL, "Message is deleted");
	else {
		*idx = n - 1;
		return 0;
	}
	return rc < 0 ? rc : 1;
}

int correu__pop3d_stat(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	char text[48];
	uint32_t n;
	uint64_t size;

	if (c->arg_len)
		return correu__pop3d_err(s, NULL, "STAT takes no argument");
	totals(s, &n, &size);
	snprintf(text, sizeof(text), "%lu %llu", (unsigned long)n, (unsigned long long)size);
	return correu__pop3d_ok(s, text);
}

/* "n size" or "n uid" for message index i. */
static int format(const correu__pop3d *s, bool uidl, uint32_t i, char *out, size_t cap)
{
	if (uidl)
		return snprintf(out, cap, "%lu %08lx%08lx", (unsigned long)i + 1,
		                (unsigned long)s->msgs[i].uid, (unsigned long)s->uidvalidity);
	return snprintf(out, cap, "%lu %llu", (unsigned long)i + 1,
	                (unsigned long long)s->msgs[i].size);
}

int correu__pop3d_listing_more(correu__pop3d *s)
{
	bool uidl = s->job == J_UIDL;
	char line[48];
	int rc = 0;

	for (int k = 0; k < LINES_PER_TURN && rc == 0 && s->cursor < s->nmsgs; s->cursor++) {
		int n;

		if (s->msgs[s->cursor].deleted)
			continue;
		n = format(s, uidl, s->cursor, line, sizeof(line) - 2);
		memcpy(line + n, "\r\n", 2);
		rc = correu__pop3d_raw(s, line, (size_t)n + 2);
		k++;
	}
	if (rc == 0 && s->cursor >= s->nmsgs) {
		s->job = J_NONE;
		rc = correu__pop3d_raw(s, ".\r\n", 3);
	}
	return rc;
}

int correu__pop3d_list(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	bool uidl = c->verb == V_UIDL;
	char line[48];
	uint32_t i;
	int rc;

	if (c->arg_len == 0) {
		rc = correu__pop3d_ok(s, uidl ? "Unique-ID listing follows" : "Scan listing follows");
		s->job = uidl ? J_UIDL : J_LIST;
		s->cursor = 0;
		return rc < 0 ? rc : correu__pop3d_produce(s);
	}
	rc = correu__pop3d_msgno(s, c->arg, c->arg_len, &i);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	(void)format(s, uidl, i, line, sizeof(line));
	return correu__pop3d_ok(s, line);
}

int correu__pop3d_dele(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	char text[48];
	uint32_t i;
	int rc = correu__pop3d_msgno(s, c->arg, c->arg_len, &i);

	if (rc != 0)
		return rc < 0 ? rc : 0;
	/* Only marked: the store is touched at QUIT (RFC 1939 section 6). */
	s->msgs[i].deleted = 1;
	snprintf(text, sizeof(text), "Message %lu deleted", (unsigned long)i + 1);
	return correu__pop3d_ok(s, text);
}

int correu__pop3d_rset(correu__pop3d *s, const correu__pop3d_cmd *c)
{
	if (c->arg_len)
		return correu__pop3d_err(s, NULL, "RSET takes no argument");
	for (uint32_t i = 0; i < s->nmsgs; i++)
		s->msgs[i].deleted = 0;
	return correu__pop3d_ok_maildrop(s, "");
}
