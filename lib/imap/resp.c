/*
 * The start of every IMAP response, and status responses with their codes
 * (IMAP layer, response parser). RFC 9051 §7.1: a response is a
 * continuation request ("+"), an untagged response ("*") or a tagged status
 * response; status responses carry an optional [code] and text. Codes that
 * hold lists (CAPABILITY, PERMANENTFLAGS, BADCHARSET) give one item event
 * per element before END; the others are in END's fields.
 */
#include <string.h>

#include "imap_internal.h"

int correu__imap_begin(correu_imap_parser *p, uint32_t resp, uint64_t num)
{
	correu_imap_event ev;

	p->resp = resp;
	p->begun = true;
	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_BEGIN, 0);
	ev.num = num;
	return correu__imap_emit(p, &ev);
}

int correu__imap_end(correu_imap_parser *p)
{
	correu_imap_event ev;

	if (!ip_at_end(p))
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "unexpected data at the end");
	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_END, 0);
	return correu__imap_emit(p, &ev);
}

int correu__imap_code_item(correu_imap_parser *p, uint32_t item, uint32_t code,
                           const struct ip_str *s)
{
	correu_imap_event ev;

	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_ITEM, item);
	ev.code = code;
	ev.str[0] = s->s;
	ev.str_len[0] = s->len;
	return correu__imap_emit(p, &ev);
}

static void set_str(correu_imap_event *ev, int i, const struct ip_str *s)
{
	ev->str[i] = s->s;
	ev->str_len[i] = s->len;
}

/* Arguments up to "]" as sent: resp-text-code's catch-all form. */
static void raw_args(correu_imap_parser *p, struct ip_str *out)
{
	const uint8_t *q = p->pos;

	while (q < p->end && *q != ']' && *q != 0)
		q++;
	out->s = (const char *)p->pos;
	out->len = (size_t)(q - p->pos);
	p->pos = q;
}

/* The arguments of a known code (RFC 9051 §7.1, RFC 4315, RFC 7162,
 * RFC 5464). */
static int code_args(correu_imap_parser *p, correu_imap_event *ev)
{
	struct ip_str a, b;
	uint32_t code = ev->code, n = 0;
	int rc = 0;

	switch (code) {
	case CORREU_IMAP_CODE_CAPABILITY:
		while (rc == 0 && correu__imap_accept(p, ' ')) {
			if (++n > p->set.max_list)
				return correu__imap_fail(p, CORREU_ERR_LIMIT, "list too long");
			if ((rc = correu__imap_atom(p, &a)) == 0)
				rc = correu__imap_code_item(p, CORREU_IMAP_ITEM_ATOM, code, &a);
		}
		return rc;
	case CORREU_IMAP_CODE_PERMANENTFLAGS:
		if ((rc = correu__imap_sp(p)) < 0)
			return rc;
		return correu__imap_list(p, CORREU_IMAP_ITEM_FLAG, code);
	case CORREU_IMAP_CODE_BADCHARSET:
		if (!correu__imap_accept(p, ' '))
			return 0;
		return correu__imap_list(p, CORREU_IMAP_ITEM_CHARSET, code);
	case CORREU_IMAP_CODE_UIDNEXT:
	case CORREU_IMAP_CODE_UIDVALIDITY:
	case CORREU_IMAP_CODE_UNSEEN:
		if ((rc = correu__imap_sp(p)) < 0)
			return rc;
		return correu__imap_nz_number(p, &ev->num);
	case CORREU_IMAP_CODE_HIGHESTMODSEQ:
		if ((rc = correu__imap_sp(p)) < 0)
			return rc;
		return correu__imap_number(p, INT64_MAX, &ev->num);
	case CORREU_IMAP_CODE_APPENDUID:
	case CORREU_IMAP_CODE_COPYUID:
		if ((rc = correu__imap_sp(p)) < 0 ||
		    (rc = correu__imap_nz_number(p, &ev->num)) < 0 ||
		    (rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_seqset(p, &a)) < 0)
			return rc;
		set_str(ev, 2, &a);
		if (code == CORREU_IMAP_CODE_APPENDUID)
			return 0;
		if ((rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_seqset(p, &b)) < 0)
			return rc;
		set_str(ev, 3, &b);
		return 0;
	case CORREU_IMAP_CODE_MODIFIED:
		if ((rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_seqset(p, &a)) < 0)
			return rc;
		set_str(ev, 2, &a);
		return 0;
	case CORREU_IMAP_CODE_METADATA:
		if ((rc = correu__imap_sp(p)) < 0 || (rc = correu__imap_atom(p, &a)) < 0)
			return rc;
		set_str(ev, 2, &a);
		if (correu__imap_accept(p, ' '))
			return correu__imap_number(p, UINT32_MAX, &ev->num);
		return 0;
	default:
		if (correu__imap_accept(p, ' ')) {
			raw_args(p, &a);
			set_str(ev, 2, &a);
		}
		return 0;
	}
}

static int resp_code(correu_imap_parser *p, correu_imap_event *ev)
{
	const uint8_t *q = p->pos;
	struct ip_str name;
	int rc;

	while (q<p->end && * q> 0x20 && *q < 0x7f && *q != ']')
		q++;
	if (q == p->pos)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "empty response code");
	name.s = (const char *)p->pos;
	name.len = (size_t)(q - p->pos);
	p->pos = q;
	ev->code = correu__imap_code_lookup(name.s, name.len);
	set_str(ev, 1, &name);
	if ((rc = code_args(p, ev)) < 0)
		return rc;
	return correu__imap_expect(p, ']');
}

/* resp-text = ["[" resp-text-code "]" SP] [text]; the rest of the line is
 * the text. A missing text (or SP after "]") is accepted: some servers send
 * "* OK [READ-WRITE]" alone. */
static int resp_text(correu_imap_parser *p, correu_imap_event *ev, bool codes)
{
	int rc;

	if (codes && correu__imap_accept(p, '[')) {
		if ((rc = resp_code(p, ev)) < 0)
			return rc;
		(void)correu__imap_accept(p, ' ');
	}
	if (memchr(p->pos, 0, (size_t)(p->end - p->pos)))
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "NUL in response text");
	ev->str[0] = p->pos < p->end ? (const char *)p->pos : "";
	ev->str_len[0] = (size_t)(p->end - p->pos);
	p->pos = p->end;
	return 0;
}

int correu__imap_parse_status(correu_imap_parser *p)
{
	correu_imap_event ev;
	int rc;

	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_END, 0);
	if (!ip_at_end(p)) {
		if ((rc = correu__imap_sp(p)) < 0 || (rc = resp_text(p, &ev, true)) < 0)
			return rc;
	} else {
		ev.str[0] = "";
	}
	return correu__imap_emit(p, &ev);
}

static uint32_t status_kind(correu_imap_parser *p, bool untagged)
{
	if (correu__imap_word(p, "OK"))
		return CORREU_IMAP_RESP_OK;
	if (correu__imap_word(p, "NO"))
		return CORREU_IMAP_RESP_NO;
	if (correu__imap_word(p, "BAD"))
		return CORREU_IMAP_RESP_BAD;
	if (untagged && correu__imap_word(p, "PREAUTH"))
		return CORREU_IMAP_RESP_PREAUTH;
	if (untagged && correu__imap_word(p, "BYE"))
		return CORREU_IMAP_RESP_BYE;
	return 0;
}

/* "+" [SP text]: the text is base64 during SASL, so no codes are read. */
static int continuation(correu_imap_parser *p)
{
	correu_imap_event ev;
	int rc;

	if ((rc = correu__imap_begin(p, CORREU_IMAP_RESP_CONTINUE, 0)) < 0)
		return rc;
	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_END, 0);
	ev.str[0] = "";
	if (correu__imap_accept(p, ' ') && (rc = resp_text(p, &ev, false)) < 0)
		return rc;
	if (!ip_at_end(p))
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected a space");
	return correu__imap_emit(p, &ev);
}

/* message-data with a leading number: EXISTS, RECENT, EXPUNGE, FETCH. */
static int numbered(correu_imap_parser *p)
{
	struct ip_str name;
	uint64_t n;
	uint32_t resp = 0;
	int rc;

	if ((rc = correu__imap_number(p, UINT32_MAX, &n)) < 0 || (rc = correu__imap_sp(p)) < 0 ||
	    (rc = correu__imap_atom(p, &name)) < 0)
		return rc;
	p->pos -= name.len;
	if (correu__imap_word(p, "EXISTS"))
		resp = CORREU_IMAP_RESP_EXISTS;
	else if (correu__imap_word(p, "RECENT"))
		resp = CORREU_IMAP_RESP_RECENT;
	else if (correu__imap_word(p, "EXPUNGE"))
		resp = CORREU_IMAP_RESP_EXPUNGE;
	else if (correu__imap_word(p, "FETCH"))
		resp = CORREU_IMAP_RESP_FETCH;
	if ((resp == CORREU_IMAP_RESP_EXPUNGE || resp == CORREU_IMAP_RESP_FETCH) && n == 0)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "message number zero");
	if (resp == CORREU_IMAP_RESP_FETCH) {
		p->seq = n;
		if ((rc = correu__imap_begin(p, resp, n)) < 0 || (rc = correu__imap_sp(p)) < 0)
			return rc;
		return correu__imap_parse_fetch(p);
	}
	if (resp)
		return (rc = correu__imap_begin(p, resp, n)) < 0 ? rc : correu__imap_end(p);
	p->pos += name.len;
	return correu__imap_parse_other(p, &name, n);
}

int correu__imap_parse_other(correu_imap_parser *p, const struct ip_str *name, uint64_t num)
{
	correu_imap_event ev;
	struct ip_str raw;
	int rc;

	p->resp = CORREU_IMAP_RESP_OTHER;
	p->begun = true;
	correu__imap_ev_init(p, &ev, CORREU_IMAP_EV_BEGIN, 0);
	ev.num = num;
	set_str(&ev, 0, name);
	if ((rc = correu__imap_emit(p, &ev)) < 0)
		return rc;
	while (correu__imap_accept(p, ' '))
		if ((rc = correu__imap_skip_value(p, &raw)) < 0)
			return rc;
	return correu__imap_end(p);
}

/* tag = 1*<any ASTRING-CHAR except "+"> */
static int tag(correu_imap_parser *p)
{
	const uint8_t *q = p->pos;

	while (q<p->end && * q> 0x20 && *q < 0x7f && !strchr("(){%*\"\\+", *q))
		q++;
	if (q == p->pos)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "malformed tag");
	p->tag = (const char *)p->pos;
	p->tag_len = (size_t)(q - p->pos);
	p->pos = q;
	return 0;
}

int correu__imap_parse_start(correu_imap_parser *p)
{
	struct ip_str name;
	uint32_t kind;
	int rc;

	if (correu__imap_accept(p, '+'))
		return continuation(p);
	if (correu__imap_accept(p, '*')) {
		if ((rc = correu__imap_sp(p)) < 0)
			return rc;
		if (ip_peek(p) >= '0' && ip_peek(p) <= '9')
			return numbered(p);
		if ((kind = status_kind(p, true)) != 0)
			return (rc = correu__imap_begin(p, kind, 0)) < 0
			               ? rc
			               : correu__imap_parse_status(p);
		if ((rc = correu__imap_atom(p, &name)) < 0)
			return rc;
		return correu__imap_parse_data(p, &name);
	}
	if ((rc = tag(p)) < 0 || (rc = correu__imap_sp(p)) < 0)
		return rc;
	if ((kind = status_kind(p, false)) == 0)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "tagged response is not a status");
	if ((rc = correu__imap_begin(p, kind, 0)) < 0)
		return rc;
	return correu__imap_parse_status(p);
}
