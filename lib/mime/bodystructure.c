/*
 * IMAP BODY and BODYSTRUCTURE (RFC 9051 §7.5.2, RFC 3501 §7.4.2) of a part
 * tree (MIME layer). The tree is walked with its parent and sibling links,
 * not recursion, so a deep tree cannot exhaust the stack. A part whose
 * header names a structure that could not be parsed (a multipart without a
 * usable boundary, an encoded or too deep message/rfc822) is shown as
 * "application" "octet-stream", since the IMAP grammar would otherwise
 * require the parts or envelope it does not have.
 */
#include <string.h>

#include "mime_internal.h"

#define T_BASIC 0
#define T_TEXT 1
#define T_MESSAGE 2
#define T_MULTIPART 3
#define T_OPAQUE 4 /* declared structure we could not parse */

static int effective(const correu_mime_message *m, uint32_t part, struct correu__mime_ctype *ct)
{
	const struct correu__mime_part *p = &m->parts[part];
	bool multi, msg;

	correu__mime_part_ctype(m, part, ct);
	multi = correu__mime_ieq(ct->type, ct->type_len, "multipart");
	msg = correu__mime_ieq(ct->type, ct->type_len, "message") &&
	      (correu__mime_ieq(ct->sub, ct->sub_len, "rfc822") ||
	       correu__mime_ieq(ct->sub, ct->sub_len, "global"));
	if (p->kind == CORREU_MIME_KIND_MULTIPART)
		return T_MULTIPART;
	if (p->kind == CORREU_MIME_KIND_MESSAGE)
		return T_MESSAGE;
	if (multi || msg)
		return T_OPAQUE;
	return correu__mime_ieq(ct->type, ct->type_len, "text") ? T_TEXT : T_BASIC;
}

static const uint8_t *field(const correu_mime_message *m, uint32_t part, const char *name,
                            size_t *n)
{
	return correu__mime_field_value(m, part, name, n);
}

/* attribute-char of RFC 2231 §7: what may stay unescaped in a value. */
static bool attr_char(uint8_t c)
{
	return c > ' ' && c < 0x7f && !strchr("*'%()<>@,;:\\\"/[]?=", c);
}

/* A parameter list, or NIL; with `text`, a missing charset is given its
 * RFC 2045 §5.2 default, us-ascii, as IMAP servers do. */
static void put_params(const correu_mime_message *m, const uint8_t *v, size_t n, bool text,
                       uint32_t flags, struct correu__mime_out *o)
{
	struct correu__mime_params ps;
	bool charset = false;
	int rc;

	if ((rc = correu__mime_params_parse(m->alloc, v ? v : (const uint8_t *)"", v ? n : 0,
	                                    &ps)) < 0) {
		o->err = rc;
		return;
	}
	for (size_t i = 0; i < ps.count; i++)
		charset = charset || correu__mime_ieq(ps.v[i].name, ps.v[i].name_len, "charset");
	if (ps.count == 0 && (!text || charset))
		correu__mime_put(o, "NIL", 3);
	if (text && !charset)
		correu__mime_puts(o, ps.count ? "(\"charset\" \"us-ascii\" "
		                              : "(\"charset\" \"us-ascii\"");
	for (size_t i = 0; i < ps.count; i++) {
		const struct correu__mime_param *q = &ps.v[i];

		if (i)
			correu__mime_put(o, " ", 1);
		else if (!text || charset)
			correu__mime_put(o, "(", 1);
		if (!q->extended) {
			correu__mime_put_string(o, q->name, q->name_len, flags);
			correu__mime_put(o, " ", 1);
			correu__mime_put_string(o, q->value, q->value_len, flags);
			continue;
		}
		/* RFC 2231 value, continuations merged: name*="cs'lang'%xx..." */
		correu__buf b;
		static const char hex[] = "0123456789ABCDEF";

		correu__buf_init(&b, m->alloc, SIZE_MAX / 4);
		rc = correu__buf_append(&b, q->name, q->name_len);
		if (!rc)
			rc = correu__buf_append(&b, "*", 1);
		if (!rc)
			correu__mime_put_string(o, b.data, b.len, flags);
		b.len = 0;
		if (!rc)
			rc = correu__buf_append(&b, q->charset, q->charset_len);
		if (!rc)
			rc = correu__buf_append(&b, "'", 1);
		if (!rc)
			rc = correu__buf_append(&b, q->lang, q->lang_len);
		if (!rc)
			rc = correu__buf_append(&b, "'", 1);
		for (size_t k = 0; k < q->value_len && !rc; k++) {
			uint8_t c = q->value[k];
			uint8_t e[3] = { '%', (uint8_t)hex[c >> 4], (uint8_t)hex[c & 15] };

			rc = attr_char(c) ? correu__buf_append(&b, &c, 1)
			                  : correu__buf_append(&b, e, 3);
		}
		correu__mime_put(o, " ", 1);
		if (!rc)
			correu__mime_put_string(o, b.data ? b.data : (const uint8_t *)"", b.len,
			                        flags);
		correu__buf_free(&b, false);
		if (rc && !o->err)
			o->err = rc;
	}
	if (ps.count || (text && !charset))
		correu__mime_put(o, ")", 1);
	correu__mime_params_free(&ps);
}

/* The first token of a structured field, comments skipped. */
static const uint8_t *first_token(const uint8_t *v, size_t n, size_t *len)
{
	size_t s = correu__mime_skip_cfws(v, n, 0), e = correu__mime_token_end(v, n, s);

	*len = e - s;
	return e > s ? v + s : NULL;
}

static void put_disposition(const correu_mime_message *m, uint32_t part, uint32_t flags,
                            struct correu__mime_out *o)
{
	size_t n = 0, tl = 0;
	const uint8_t *v = field(m, part, "Content-Disposition", &n);
	const uint8_t *t = v ? first_token(v, n, &tl) : NULL;

	if (!t) {
		correu__mime_put(o, "NIL", 3);
		return;
	}
	correu__mime_put(o, "(", 1);
	correu__mime_put_string(o, t, tl, flags);
	correu__mime_put(o, " ", 1);
	put_params(m, t + tl, n - (size_t)(t + tl - v), false, flags, o);
	correu__mime_put(o, ")", 1);
}

/* Content-Language (RFC 3282): a comma-separated list of tags. */
static void put_language(const correu_mime_message *m, uint32_t part, uint32_t flags,
                         struct correu__mime_out *o)
{
	size_t n = 0, i = 0, count = 0;
	const uint8_t *v = field(m, part, "Content-Language", &n);

	for (int pass = 0; pass < 2; pass++) {
		size_t k = 0;

		for (i = 0; v && i < n;) {
			size_t s = correu__mime_skip_cfws(v, n, i),
			       e = correu__mime_token_end(v, n, s);

			if (e > s) {
				if (pass == 1) {
					if (count > 1)
						correu__mime_put(o, k ? " " : "(", 1);
					correu__mime_put_string(o, v + s, e - s, flags);
				}
				k++;
			}
			i = correu__mime_skip_cfws(v, n, e);
			if (i < n)
				i++; /* the ',' or a stray special */
		}
		if (pass == 0)
			count = k;
	}
	if (count == 0)
		correu__mime_put(o, "NIL", 3);
	else if (count > 1)
		correu__mime_put(o, ")", 1);
}

static void put_raw_nstring(const correu_mime_message *m, uint32_t part, const char *name,
                            uint32_t flags, struct correu__mime_out *o)
{
	size_t n = 0;
	const uint8_t *v = field(m, part, name, &n);

	correu__mime_put_nstring(o, v, n, flags);
}

/* dsp lang loc, shared by both kinds of extension data. */
static void put_ext_tail(const correu_mime_message *m, uint32_t part, uint32_t flags,
                         struct correu__mime_out *o)
{
	correu__mime_put(o, " ", 1);
	put_disposition(m, part, flags, o);
	correu__mime_put(o, " ", 1);
	put_language(m, part, flags, o);
	correu__mime_put(o, " ", 1);
	put_raw_nstring(m, part, "Content-Location", flags, o);
}

static uint64_t body_size(const struct correu__mime_part *p, uint32_t flags)
{
	return p->end - p->body_off + ((flags & CORREU_MIME_IMAP_CRLF_SIZES) ? p->body_bare : 0);
}

/* type subtype params id desc enc size: body-fields (RFC 9051 §9). */
static void put_fields(const correu_mime_message *m, uint32_t part, int t,
                       const struct correu__mime_ctype *ct, uint32_t flags,
                       struct correu__mime_out *o)
{
	size_t n = 0, el = 0;
	const uint8_t *cte;

	if (t == T_OPAQUE) {
		correu__mime_puts(o, "\"application\" \"octet-stream\" NIL");
	} else {
		correu__mime_put_string(o, ct->type, ct->type_len, flags);
		correu__mime_put(o, " ", 1);
		correu__mime_put_string(o, ct->sub, ct->sub_len, flags);
		correu__mime_put(o, " ", 1);
		put_params(m, ct->params, ct->params_len, t == T_TEXT, flags, o);
	}
	correu__mime_put(o, " ", 1);
	put_raw_nstring(m, part, "Content-ID", flags, o);
	correu__mime_put(o, " ", 1);
	put_raw_nstring(m, part, "Content-Description", flags, o);
	correu__mime_put(o, " ", 1);
	cte = field(m, part, "Content-Transfer-Encoding", &n);
	cte = cte ? first_token(cte, n, &el) : NULL;
	if (cte)
		correu__mime_put_string(o, cte, el, flags);
	else
		correu__mime_puts(o, "\"7bit\"");
	correu__mime_put(o, " ", 1);
	correu__mime_put_u64(o, body_size(&m->parts[part], flags));
}

static void put_leaf_tail(const correu_mime_message *m, uint32_t part, int t, bool ext,
                          uint32_t flags, struct correu__mime_out *o)
{
	if (t == T_TEXT || t == T_MESSAGE) {
		correu__mime_put(o, " ", 1);
		correu__mime_put_u64(o, m->parts[part].lines);
	}
	if (ext) {
		correu__mime_put(o, " ", 1);
		put_raw_nstring(m, part, "Content-MD5", flags, o);
		put_ext_tail(m, part, flags, o);
	}
	correu__mime_put(o, ")", 1);
}

static void put_multipart_tail(const correu_mime_message *m, uint32_t part, bool ext,
                               uint32_t flags, struct correu__mime_out *o)
{
	struct correu__mime_ctype ct;

	correu__mime_part_ctype(m, part, &ct);
	correu__mime_put(o, " ", 1);
	correu__mime_put_string(o, ct.sub, ct.sub_len, flags);
	if (ext) {
		correu__mime_put(o, " ", 1);
		put_params(m, ct.params, ct.params_len, false, flags, o);
		put_ext_tail(m, part, flags, o);
	}
	correu__mime_put(o, ")", 1);
}

/* Write the start of a part; returns the child to descend into, or NONE
 * when the part was written whole. */
static uint32_t enter(const correu_mime_message *m, uint32_t part, bool ext, uint32_t flags,
                      struct correu__mime_out *o)
{
	struct correu__mime_ctype ct;
	int t = effective(m, part, &ct);
	const struct correu__mime_part *p = &m->parts[part];

	correu__mime_put(o, "(", 1);
	if (t == T_MULTIPART) {
		if (p->first_child != CORREU_MIME_NONE)
			return p->first_child;
		/* IMAP needs at least one part: an empty text part stands in. */
		correu__mime_puts(
			o, "(\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 0 0");
		correu__mime_puts(o, ext ? " NIL NIL NIL NIL)" : ")");
		put_multipart_tail(m, part, ext, flags, o);
		return CORREU_MIME_NONE;
	}
	put_fields(m, part, t, &ct, flags, o);
	if (t == T_MESSAGE) {
		correu__mime_put(o, " ", 1);
		correu__mime_envelope(m, p->first_child, flags, o);
		correu__mime_put(o, " ", 1);
		return p->first_child;
	}
	put_leaf_tail(m, part, t, ext, flags, o);
	return CORREU_MIME_NONE;
}

void correu__mime_bodystructure(const correu_mime_message *m, uint32_t top, bool ext,
                                uint32_t flags, struct correu__mime_out *o)
{
	uint32_t cur = top, next;

	for (;;) {
		next = enter(m, cur, ext, flags, o);
		if (o->err)
			return;
		if (next != CORREU_MIME_NONE) {
			cur = next;
			continue;
		}
		/* Climb until a sibling is left to write. */
		for (;;) {
			uint32_t parent;

			if (cur == top || o->err)
				return;
			parent = m->parts[cur].parent;
			if (m->parts[parent].kind == CORREU_MIME_KIND_MULTIPART) {
				if (m->parts[cur].next_sibling != CORREU_MIME_NONE) {
					cur = m->parts[cur].next_sibling;
					break;
				}
				put_multipart_tail(m, parent, ext, flags, o);
			} else {
				put_leaf_tail(m, parent, T_MESSAGE, ext, flags, o);
			}
			cur = parent;
		}
	}
}
