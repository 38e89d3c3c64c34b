/*
 * FETCH responses (IMAP layer, response parser; RFC 9051 §7.5.2 msg-att).
 * Each attribute gives one or more items; BODY[section]<origin>,
 * BINARY[section]<origin> and the RFC822 texts are "streamed": when their
 * value is a literal the unit ends there, LITERAL_BEGIN is reported and
 * the framer hands the literal's bytes on in chunks. The FETCH then goes
 * on in the next unit from this same loop (p->in_fetch). Attributes this
 * parser does not know are skipped by counting parentheses.
 */
#include <string.h>
#include <strings.h>

#include "imap_internal.h"

/* Result of an attribute: the unit ended in a streamed literal. */
#define STREAMING 1

/* An attribute name as sent: base name, optional [section], optional
 * <origin>. */
struct att {
	struct ip_str base;
	struct ip_str section; /* inside the brackets; s NULL without any */
	bool has_origin;
	uint64_t origin;
};

static bool is(const struct ip_str *s, const char *w)
{
	size_t n = strlen(w);

	return s->len == n && strncasecmp(s->s, w, n) == 0;
}

static int att_name(correu_imap_parser *p, struct att *a)
{
	const uint8_t *q = p->pos;
	bool quote = false;
	int rc;

	memset(a, 0, sizeof(*a));
	while (q < p->end && ((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
	                      (*q >= '0' && *q <= '9') || *q == '.' || *q == '-'))
		q++;
	if (q == p->pos)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected a FETCH item");
	a->base.s = (const char *)p->pos;
	a->base.len = (size_t)(q - p->pos);
	p->pos = q;
	if (correu__imap_accept(p, '[')) {
		/* section-spec holds atoms, spaces, parentheses and quoted
		 * header names, never a "]" outside quotes. */
		for (q = p->pos; q < p->end && (quote || *q != ']'); q++) {
			if (*q < 0x20 || *q >= 0x7f)
				return correu__imap_fail(p, CORREU_ERR_SYNTAX, "bad section");
			if (*q == '"')
				quote = !quote;
			else if (*q == '\\' && quote && q + 1 < p->end)
				q++;
		}
		if (q >= p->end)
			return correu__imap_fail(p, CORREU_ERR_SYNTAX, "unterminated section");
		a->section.s = q == p->pos ? "" : (const char *)p->pos;
		a->section.len = (size_t)(q - p->pos);
		p->pos = q + 1;
	}
	if (correu__imap_accept(p, '<')) {
		if ((rc = correu__imap_number(p, UINT32_MAX, &a->origin)) < 0 ||
		    (rc = correu__imap_expect(p, '>')) < 0)
			return rc;
		a->has_origin = true;
	}
	return 0;
}

/* The value of a streamed attribute: a literal at the end of the unit is
 * streamed; NIL, a quoted string or an inline literal is given at once. */
static int streamed(correu_imap_parser *p, uint32_t item, const struct att *a)
{
	correu_imap_event *ev = &p->lit_ev;
	struct ip_str s;
	uint64_t size;
	bool binary;
	int rc;

	correu__imap_ev_init(p, ev, CORREU_IMAP_EV_LITERAL_BEGIN, item);
	ev->num = p->seq;
	if (a->has_origin) {
		ev->flags |= CORREU_IMAP_EVF_ORIGIN;
		ev->num2 = a->origin;
	}
	if (a->section.s) {
		/* The unit goes away while the literal streams: keep a copy. */
		p->section.len = 0;
		if ((rc = correu__buf_append(&p->section, a->section.s, a->section.len)) < 0)
			return correu__imap_fail(p, rc, "section too long");
		ev->str[0] = p->section.len ? (const char *)p->section.data : "";
		ev->str_len[0] = p->section.len;
	}
	if (correu__imap_at_stream(p, &size, &binary)) {
		if (binary && item != CORREU_IMAP_ITEM_BINARY_SECTION)
			return correu__imap_fail(p, CORREU_ERR_SYNTAX, "literal8 outside BINARY");
		ev->num3 = size;
		ev->flags |= binary ? CORREU_IMAP_EVF_BINARY : 0;
		ev->offset = 0;
		if ((rc = correu__imap_emit(p, ev)) < 0)
			return rc;
		p->streaming = true;
		return STREAMING;
	}
	binary = ip_peek(p) == '~';
	rc = item == CORREU_IMAP_ITEM_BINARY_SECTION ? correu__imap_nstring8(p, &s)
	                                             : correu__imap_nstring(p, &s);
	if (rc < 0)
		return rc;
	ev->num3 = s.len;
	ev->flags |= (s.s ? 0 : CORREU_IMAP_EVF_NIL) | (binary ? CORREU_IMAP_EVF_BINARY : 0);
	if ((rc = correu__imap_emit(p, ev)) < 0)
		return rc;
	while (ev->offset < s.len) {
		correu_imap_event d = *ev;

		d.type = CORREU_IMAP_EV_LITERAL_DATA;
		d.data = (const uint8_t *)s.s + ev->offset;
		d.data_len = s.len - (size_t)ev->offset;
		if (d.data_len > p->set.max_chunk)
			d.data_len = p->set.max_chunk;
		ev->offset += d.data_len;
		if ((rc = correu__imap_emit(p, &d)) < 0)
			return rc;
	}
	ev->type = CORREU_IMAP_EV_LITERAL_END;
	return correu__imap_emit(p, ev);
}

static int internaldate(correu_imap_parser *p)
{
	correu_imap_event ev;
	struct ip_str s;
	int rc = correu__imap_string(p, &s);

	if (rc < 0)
		return rc;
	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, CORREU_IMAP_ITEM_INTERNALDATE);
	if (correu__imap_parse_date_time(s.s, s.len, &ev.time, &ev.zone) < 0)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "malformed INTERNALDATE");
	ev.str[0] = s.s;
	ev.str_len[0] = s.len;
	return correu__imap_emit(p, &ev);
}

/* "(" objectid ")" of EMAILID and THREADID (RFC 8474 §7); THREADID may
 * be NIL. */
static int objectid(correu_imap_parser *p, uint32_t item, bool nil_ok)
{
	struct ip_str s = { NULL, 0 };
	int rc;

	if (nil_ok && correu__imap_word(p, "NIL"))
		return correu__imap_item(p, item, &s, NULL);
	if ((rc = correu__imap_open(p)) < 0 || (rc = correu__imap_atom(p, &s)) < 0 ||
	    (rc = correu__imap_close(p)) < 0)
		return rc;
	return correu__imap_item(p, item, &s, NULL);
}

static int number_item(correu_imap_parser *p, uint32_t item, uint64_t max, bool nz,
                       const struct ip_str *str)
{
	correu_imap_event ev;
	uint64_t v;
	int rc = nz ? correu__imap_nz_number(p, &v) : correu__imap_number(p, max, &v);

	if (rc < 0)
		return rc;
	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, item);
	ev.num = v;
	if (str) {
		ev.str[0] = str->s;
		ev.str_len[0] = str->len;
	}
	return correu__imap_emit(p, &ev);
}

static int modseq(correu_imap_parser *p)
{
	int rc = correu__imap_open(p);

	if (rc < 0 ||
	    (rc = number_item(p, CORREU_IMAP_ITEM_FETCH_MODSEQ, INT64_MAX, false, NULL)) < 0)
		return rc;
	return correu__imap_close(p);
}

/* One msg-att after its name and the space. */
static int att_value(correu_imap_parser *p, const struct att *a)
{
	const struct ip_str *b = &a->base;
	struct ip_str raw, name;
	int rc;

	if (a->section.s) {
		if (is(b, "BODY"))
			return streamed(p, CORREU_IMAP_ITEM_BODY_SECTION, a);
		if (is(b, "BINARY"))
			return streamed(p, CORREU_IMAP_ITEM_BINARY_SECTION, a);
		if (is(b, "BINARY.SIZE") && !a->has_origin)
			return number_item(p, CORREU_IMAP_ITEM_BINARY_SIZE, INT64_MAX, false,
			                   &a->section);
	} else if (!a->has_origin) {
		if (is(b, "UID"))
			return number_item(p, CORREU_IMAP_ITEM_UID, 0, true, NULL);
		if (is(b, "FLAGS")) {
			rc = correu__imap_item(p, CORREU_IMAP_ITEM_FLAGS, NULL, NULL);
			return rc < 0 ? rc : correu__imap_flag_list(p);
		}
		if (is(b, "INTERNALDATE"))
			return internaldate(p);
		if (is(b, "RFC822.SIZE"))
			return number_item(p, CORREU_IMAP_ITEM_RFC822_SIZE, INT64_MAX, false, NULL);
		if (is(b, "ENVELOPE"))
			return correu__imap_parse_envelope(p);
		if (is(b, "BODYSTRUCTURE"))
			return correu__imap_parse_body(p, CORREU_IMAP_ITEM_BODYSTRUCTURE);
		if (is(b, "BODY"))
			return correu__imap_parse_body(p, CORREU_IMAP_ITEM_BODY);
		if (is(b, "MODSEQ"))
			return modseq(p);
		if (is(b, "EMAILID"))
			return objectid(p, CORREU_IMAP_ITEM_EMAILID, false);
		if (is(b, "THREADID"))
			return objectid(p, CORREU_IMAP_ITEM_THREADID, true);
		if (is(b, "PREVIEW")) {
			rc = correu__imap_nstring(p, &raw);
			return rc < 0 ? rc
			              : correu__imap_item(p, CORREU_IMAP_ITEM_PREVIEW, &raw, NULL);
		}
		if (is(b, "RFC822"))
			return streamed(p, CORREU_IMAP_ITEM_RFC822, a);
		if (is(b, "RFC822.HEADER"))
			return streamed(p, CORREU_IMAP_ITEM_RFC822_HEADER, a);
		if (is(b, "RFC822.TEXT"))
			return streamed(p, CORREU_IMAP_ITEM_RFC822_TEXT, a);
	}
	/* Unknown: skip the value; the name is given whole, as sent. */
	name.s = b->s;
	name.len = (size_t)(p->pos - 1 - (const uint8_t *)b->s);
	rc = correu__imap_skip_value(p, &raw);
	return rc < 0 ? rc : correu__imap_item(p, CORREU_IMAP_ITEM_OTHER, &name, &raw);
}

/* msg-att = "(" (msg-att-dynamic / msg-att-static) *(SP ...) ")".
 * Entered after "FETCH SP", or again after a streamed literal. */
int correu__imap_parse_fetch(correu_imap_parser *p)
{
	struct att a;
	uint32_t n = 0;
	bool first = !p->in_fetch;
	int rc;

	p->in_fetch = false;
	if (first && (rc = correu__imap_open(p)) < 0)
		return rc;
	for (;;) {
		if (ip_peek(p) == ')' && !first) {
			if ((rc = correu__imap_close(p)) < 0)
				return rc;
			return correu__imap_end(p);
		}
		if (!first && (rc = correu__imap_sp(p)) < 0)
			return rc;
		first = false;
		if (++n > p->set.max_list)
			return correu__imap_fail(p, CORREU_ERR_LIMIT, "list too long");
		if ((rc = att_name(p, &a)) < 0 || (rc = correu__imap_sp(p)) < 0 ||
		    (rc = att_value(p, &a)) < 0)
			return rc;
		if (rc == STREAMING)
			return 0;
	}
}
