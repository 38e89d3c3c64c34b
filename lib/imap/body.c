/*
 * BODY and BODYSTRUCTURE (IMAP layer, response parser; RFC 9051 §7.5.2,
 * §9 "body"). Multiparts and message/rfc822 parts nest without bound in
 * the grammar, so the parts are walked with an explicit stack of open
 * parts (one byte each, at most max_depth) and reported as a flat stream:
 * PART_BEGIN, the part's fields, its children (one level deeper), its
 * extension data and PART_END, each with the part's depth.
 */
#include <string.h>
#include <strings.h>

#include "imap_internal.h"

#define OPEN_MULTIPART 'M' /* a multipart waiting for more children or its subtype */
#define OPEN_MESSAGE 'R'   /* a message/rfc822 waiting for its line count */

static bool is(const struct ip_str *s, const char *w)
{
	size_t n = strlen(w);

	return s->s && s->len == n && strncasecmp(s->s, w, n) == 0;
}

static int item2(correu_imap_parser *p, uint32_t item, uint32_t flags, const struct ip_str *a,
                 const struct ip_str *b)
{
	correu_imap_event ev;

	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, item);
	ev.flags = flags;
	if (a) {
		ev.str[0] = a->s;
		ev.str_len[0] = a->len;
	}
	if (b) {
		ev.str[1] = b->s;
		ev.str_len[1] = b->len;
	}
	return correu__imap_emit(p, &ev);
}

/* body-fld-param = "(" string SP string *(SP string SP string) ")" / nil.
 * An empty list "()" is tolerated: several servers send it. */
static int params(correu_imap_parser *p, uint32_t item)
{
	struct ip_str k, v;
	uint32_t n = 0;
	int rc;

	if (correu__imap_word(p, "NIL"))
		return 0;
	if ((rc = correu__imap_open(p)) < 0)
		return rc;
	while (ip_peek(p) != ')') {
		if (n > 0 && (rc = correu__imap_sp(p)) < 0)
			return rc;
		if (++n > p->set.max_list)
			return correu__imap_fail(p, CORREU_ERR_LIMIT, "list too long");
		if ((rc = correu__imap_string(p, &k)) < 0 || (rc = correu__imap_sp(p)) < 0 ||
		    (rc = correu__imap_string(p, &v)) < 0 || (rc = item2(p, item, 0, &k, &v)) < 0)
			return rc;
	}
	return correu__imap_close(p);
}

/* body-fld-dsp = "(" string SP body-fld-param ")" / nil */
static int disposition(correu_imap_parser *p)
{
	struct ip_str t = { NULL, 0 };
	int rc;

	if (correu__imap_word(p, "NIL"))
		return item2(p, CORREU_IMAP_ITEM_PART_DISPOSITION, CORREU_IMAP_EVF_NIL, &t, NULL);
	if ((rc = correu__imap_open(p)) < 0 || (rc = correu__imap_string(p, &t)) < 0 ||
	    (rc = item2(p, CORREU_IMAP_ITEM_PART_DISPOSITION, 0, &t, NULL)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0 ||
	    (rc = params(p, CORREU_IMAP_ITEM_PART_DISPOSITION_PARAM)) < 0)
		return rc;
	return correu__imap_close(p);
}

/* body-fld-lang = nstring / "(" string *(SP string) ")" */
static int language(correu_imap_parser *p)
{
	struct ip_str s;
	uint32_t n = 0;
	int rc;

	if (ip_peek(p) != '(') {
		if ((rc = correu__imap_nstring(p, &s)) < 0)
			return rc;
		return s.s ? item2(p, CORREU_IMAP_ITEM_PART_LANGUAGE, 0, &s, NULL) : 0;
	}
	if ((rc = correu__imap_open(p)) < 0)
		return rc;
	do {
		if ((n > 0 && (rc = correu__imap_sp(p)) < 0))
			return rc;
		if (++n > p->set.max_list)
			return correu__imap_fail(p, CORREU_ERR_LIMIT, "list too long");
		if ((rc = correu__imap_string(p, &s)) < 0 ||
		    (rc = item2(p, CORREU_IMAP_ITEM_PART_LANGUAGE, 0, &s, NULL)) < 0)
			return rc;
	} while (ip_peek(p) != ')');
	return correu__imap_close(p);
}

/* The extension data after a part's own fields (body-ext-1part, or
 * body-ext-mpart when `multi`): each field optional, in order. */
static int extension(correu_imap_parser *p, bool multi)
{
	struct ip_str s;
	int rc;

	if (!correu__imap_accept(p, ' '))
		return 0;
	if (multi)
		rc = params(p, CORREU_IMAP_ITEM_PART_PARAM);
	else if ((rc = correu__imap_nstring(p, &s)) == 0)
		rc = item2(p, CORREU_IMAP_ITEM_PART_MD5, s.s ? 0 : CORREU_IMAP_EVF_NIL, &s, NULL);
	if (rc < 0 || !correu__imap_accept(p, ' '))
		return rc;
	if ((rc = disposition(p)) < 0 || !correu__imap_accept(p, ' '))
		return rc;
	if ((rc = language(p)) < 0 || !correu__imap_accept(p, ' '))
		return rc;
	if ((rc = correu__imap_nstring(p, &s)) < 0 ||
	    (rc = item2(p, CORREU_IMAP_ITEM_PART_LOCATION, s.s ? 0 : CORREU_IMAP_EVF_NIL, &s,
	                NULL)) < 0)
		return rc;
	while (correu__imap_accept(p, ' ')) {
		if ((rc = correu__imap_skip_value(p, &s)) < 0 ||
		    (rc = item2(p, CORREU_IMAP_ITEM_PART_EXTENSION, 0, &s, NULL)) < 0)
			return rc;
	}
	return 0;
}

static int lines(correu_imap_parser *p)
{
	uint64_t n;
	int rc;

	if ((rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_number(p, UINT32_MAX, &n)) < 0)
		return rc;
	return correu__imap_item_num(p, CORREU_IMAP_ITEM_PART_LINES, n);
}

static int part_end(correu_imap_parser *p)
{
	int rc = correu__imap_close(p);

	return rc < 0 ? rc : item2(p, CORREU_IMAP_ITEM_PART_END, 0, NULL, NULL);
}

/* body-fields = body-fld-param SP body-fld-id SP body-fld-desc SP
 *               body-fld-enc SP body-fld-octets */
static int fields(correu_imap_parser *p)
{
	correu_imap_event ev;
	struct ip_str id, desc, enc;
	uint64_t octets;
	int rc;

	if ((rc = correu__imap_sp(p)) < 0 || (rc = params(p, CORREU_IMAP_ITEM_PART_PARAM)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_nstring(p, &id)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_nstring(p, &desc)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_nstring(p, &enc)) < 0 ||
	    (rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_number(p, UINT32_MAX, &octets)) < 0)
		return rc;
	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, CORREU_IMAP_ITEM_PART_FIELDS);
	ev.str[0] = id.s;
	ev.str_len[0] = id.len;
	ev.str[1] = desc.s;
	ev.str_len[1] = desc.len;
	ev.str[2] = enc.s;
	ev.str_len[2] = enc.len;
	ev.num = octets;
	return correu__imap_emit(p, &ev);
}

/*
 * A single part after its "(": type, subtype, fields and, by type, the
 * line count. Returns 1 when it is a message/rfc822 whose nested body
 * comes next (the part stays open), 0 when the part is complete.
 */
static int single_part(correu_imap_parser *p)
{
	struct ip_str type, sub;
	int rc;

	if ((rc = correu__imap_string(p, &type)) < 0 || (rc = correu__imap_sp(p)) < 0 ||
	    (rc = correu__imap_string(p, &sub)) < 0 ||
	    (rc = item2(p, CORREU_IMAP_ITEM_PART_BEGIN, 0, &type, &sub)) < 0 ||
	    (rc = fields(p)) < 0)
		return rc;
	/* media-message (RFC 9051 §9, RFC 6532 message/global). */
	if (is(&type, "MESSAGE") && (is(&sub, "RFC822") || is(&sub, "GLOBAL")) &&
	    ip_peek(p) == ' ' && p->pos + 1 < p->end && p->pos[1] == '(') {
		if ((rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_parse_envelope(p)) < 0 ||
		    (rc = correu__imap_sp(p)) < 0)
			return rc;
		return 1;
	}
	if (is(&type, "TEXT") && (rc = lines(p)) < 0)
		return rc;
	if ((rc = extension(p, false)) < 0)
		return rc;
	return part_end(p);
}

int correu__imap_parse_body(correu_imap_parser *p, uint32_t item)
{
	uint8_t *stack = p->bstack;
	uint32_t top = 0;
	int rc;

	if ((rc = item2(p, item, 0, NULL, NULL)) < 0)
		return rc;
	for (;;) {
		/* A body starts: "(" then a part or, for a multipart, a "(". */
		if (top >= p->set.max_depth)
			return correu__imap_fail(p, CORREU_ERR_LIMIT, "nesting too deep");
		if ((rc = correu__imap_open(p)) < 0)
			return rc;
		p->item_depth = top + 1;
		if (ip_peek(p) == '(') {
			if ((rc = item2(p, CORREU_IMAP_ITEM_PART_BEGIN, CORREU_IMAP_EVF_MULTIPART,
			                NULL, NULL)) < 0)
				return rc;
			stack[top++] = OPEN_MULTIPART;
			continue;
		}
		if ((rc = single_part(p)) < 0)
			return rc;
		if (rc == 1) {
			stack[top++] = OPEN_MESSAGE;
			continue;
		}
		/* A part is complete: close the open parts it completes. */
		while (top > 0) {
			p->item_depth = top;
			if (stack[top - 1] == OPEN_MULTIPART) {
				struct ip_str sub;

				if (ip_peek(p) == '(')
					break; /* the next child */
				if ((rc = correu__imap_sp(p)) < 0 ||
				    (rc = correu__imap_string(p, &sub)) < 0 ||
				    (rc = item2(p, CORREU_IMAP_ITEM_PART_SUBTYPE, 0, NULL, &sub)) <
				            0 ||
				    (rc = extension(p, true)) < 0)
					return rc;
			} else if ((rc = lines(p)) < 0 || (rc = extension(p, false)) < 0) {
				return rc;
			}
			if ((rc = part_end(p)) < 0)
				return rc;
			top--;
		}
		if (top == 0) {
			p->item_depth = 0;
			return 0;
		}
	}
}
