/*
 * The streaming MIME parser (MIME layer). Input is cut into lines as it
 * arrives; only the current header field and the first bytes of a line that
 * may be a boundary delimiter are kept, so memory is bounded by the
 * settings, never by the message. Open parts live on an explicit stack (no
 * recursion on nesting). Multipart delimiters follow RFC 2046 §5.1.1: only
 * at a line start, with optional transport padding, the line break before
 * them belonging to the delimiter; a delimiter of an outer multipart closes
 * the inner ones. Lines may end in CRLF or, for stored mail, a bare LF.
 */
#include <string.h>

#include "mime_internal.h"

#define ST_HDR 0
#define ST_BODY 1

/* One open part; a multipart whose header is done carries its boundary. */
struct open_ent {
	uint32_t part;
	uint32_t bnd_len;
	size_t bnd_off;
	bool active; /* boundary still expected (no close delimiter yet) */
	bool digest; /* multipart/digest: children default to message/rfc822 */
};

struct correu_mime_parser {
	correu_mime_settings set;
	const correu_allocator *alloc;
	correu_mime_message *msg;
	int err; /* sticky NOMEM */
	int state;
	struct open_ent *open;
	uint32_t nopen, open_cap;
	correu__buf bnd; /* boundaries of the open multiparts, stacked */
	uint64_t off;    /* absolute offset of the next byte */
	/* the current line */
	bool at_line_start;
	uint64_t line_start, line_len;
	uint8_t *lp; /* first bytes of a line that starts with '-' */
	size_t lp_len, lp_cap;
	bool lp_on, ov_any, ov_bad, ov_cr;
	uint8_t prev_eol; /* line break length of the previous line (0 at start) */
	bool prev_empty;  /* the previous line had no content */
	uint8_t last;
	uint64_t lf, bare; /* LFs and bare LFs so far */
	uint64_t lf_at_line, bare_at_line;
	/* the current header field */
	correu__buf field;
	bool field_open, field_trunc, line_new_field;
	uint32_t hdr_fields;
	size_t hdr_bytes;
};

void correu_mime_settings_default(correu_mime_settings *s)
{
	if (!s)
		return;
	s->version = CORREU_MIME_SETTINGS_VERSION;
	s->max_depth = 32;
	s->max_parts = 2000;
	s->max_header_fields = 500;
	s->max_boundary = 200;
	s->max_field_size = 64 * 1024;
	s->max_header_size = 1024 * 1024;
}

void correu_mime_parser_reset(correu_mime_parser *p)
{
	if (!p)
		return;
	correu_mime_message_free(p->msg);
	p->msg = NULL;
	p->err = 0;
	p->state = ST_HDR;
	p->nopen = 0;
	p->bnd.len = 0;
	p->field.len = 0;
	p->off = 0;
	p->at_line_start = true;
	p->line_start = p->line_len = 0;
	p->lp_len = 0;
	p->lp_on = p->ov_any = p->ov_bad = p->ov_cr = false;
	p->prev_eol = 0;
	p->prev_empty = false;
	p->last = 0;
	p->lf = p->bare = p->lf_at_line = p->bare_at_line = 0;
	p->field_open = p->field_trunc = p->line_new_field = false;
	p->hdr_fields = 0;
	p->hdr_bytes = 0;
}

int correu_mime_parser_new(const correu_mime_settings *s, const correu_allocator *a,
                           correu_mime_parser **out)
{
	correu_mime_settings def;
	correu_mime_parser *p;
	size_t bmax;

	if (!out)
		return CORREU_ERR_ARG;
	*out = NULL;
	if (!s) {
		correu_mime_settings_default(&def);
		s = &def;
	}
	if (s->version != CORREU_MIME_SETTINGS_VERSION || !s->max_depth || !s->max_parts ||
	    !s->max_header_fields || !s->max_boundary || !s->max_field_size ||
	    !s->max_header_size || (uint64_t)s->max_field_size >= UINT32_MAX ||
	    s->max_boundary > UINT32_MAX / 2 || s->max_depth >= UINT32_MAX / 2)
		return CORREU_ERR_ARG;
	if ((size_t)s->max_depth + 1 > SIZE_MAX / s->max_boundary)
		return CORREU_ERR_ARG;
	bmax = ((size_t)s->max_depth + 1) * s->max_boundary;
	p = correu__calloc(a, sizeof(*p));
	if (!p)
		return CORREU_ERR_NOMEM;
	p->set = *s;
	p->alloc = a;
	p->lp_cap = (size_t)s->max_boundary + 4; /* "--" boundary "--" */
	p->lp = correu__alloc(a, p->lp_cap);
	if (!p->lp) {
		correu__free(a, p, sizeof(*p));
		return CORREU_ERR_NOMEM;
	}
	correu__buf_init(&p->bnd, a, bmax);
	/* One spare byte: the CR of a CRLF is stored until the LF drops it. */
	correu__buf_init(&p->field, a, s->max_field_size + 1);
	correu_mime_parser_reset(p);
	*out = p;
	return 0;
}

void correu_mime_parser_free(correu_mime_parser *p)
{
	if (!p)
		return;
	correu_mime_message_free(p->msg);
	correu__free(p->alloc, p->open, (size_t)p->open_cap * sizeof(*p->open));
	correu__free(p->alloc, p->lp, p->lp_cap);
	correu__buf_free(&p->bnd, false);
	correu__buf_free(&p->field, false);
	correu__free(p->alloc, p, sizeof(*p));
}

/* ---- the part stack ---- */

static int push(correu_mime_parser *p, uint32_t part)
{
	if (p->nopen == p->open_cap) {
		uint32_t ncap = p->open_cap ? p->open_cap * 2 : 8;
		struct open_ent *n;

		/* Depth is checked before a push, so this stays <= max_depth + 1. */
		n = correu__realloc(p->alloc, p->open, (size_t)p->open_cap * sizeof(*n),
		                    (size_t)ncap * sizeof(*n));
		if (!n)
			return CORREU_ERR_NOMEM;
		p->open = n;
		p->open_cap = ncap;
	}
	memset(&p->open[p->nopen], 0, sizeof(p->open[0]));
	p->open[p->nopen].part = part;
	p->open[p->nopen].bnd_off = p->bnd.len;
	p->nopen++;
	return 0;
}

/* A new part under `parent`, starting at the current offset, whose header
 * is read next. */
static int start_child(correu_mime_parser *p, uint32_t parent, bool digest)
{
	correu_mime_message *m = p->msg;
	uint32_t c = correu__mime_message_add_part(m);
	struct correu__mime_part *pp, *cp;

	if (c == CORREU_MIME_NONE)
		return CORREU_ERR_NOMEM;
	if (push(p, c) < 0) {
		m->nparts--;
		return CORREU_ERR_NOMEM;
	}
	pp = &m->parts[parent];
	cp = &m->parts[c];
	cp->parent = parent;
	cp->depth = pp->depth + 1;
	cp->digest_child = digest;
	cp->hdr_off = p->off;
	cp->hdr_bare = p->bare;
	if (pp->last_child == CORREU_MIME_NONE)
		pp->first_child = c;
	else
		m->parts[pp->last_child].next_sibling = c;
	pp->last_child = c;
	pp->children++;
	p->state = ST_HDR;
	p->field_open = false;
	p->hdr_fields = 0;
	p->hdr_bytes = 0;
	return 0;
}

static int start_message(correu_mime_parser *p)
{
	uint32_t r = correu__mime_message_add_part(p->msg);

	if (r == CORREU_MIME_NONE || push(p, r) < 0)
		return CORREU_ERR_NOMEM;
	return 0;
}

static int ensure_started(correu_mime_parser *p)
{
	if (p->msg)
		return 0;
	p->msg = correu__mime_message_new(p->alloc);
	if (!p->msg)
		return CORREU_ERR_NOMEM;
	return start_message(p);
}

/* ---- header fields ---- */

static bool name_ok(const uint8_t *n, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (n[i] < 33 || n[i] > 126 || n[i] == ':')
			return false; /* RFC 5322 §2.2 ftext */
	return true;
}

/* The field in p->field is complete: check and keep it (RFC 5322 §2.2). */
static int field_done(correu_mime_parser *p)
{
	struct correu__mime_part *part = &p->msg->parts[p->open[p->nopen - 1].part];
	const uint8_t *v = p->field.data;
	size_t n = p->field.len, nl, v0;
	const uint8_t *colon;
	int rc;

	p->field_open = false;
	if (n > p->set.max_field_size) {
		n = p->set.max_field_size; /* the spare byte held a non-CR */
		p->field_trunc = true;
	}
	size_t kept = n;
	colon = n ? memchr(v, ':', n) : NULL;
	if (!colon) {
		part->flags |= CORREU_MIME_F_BAD_HEADER;
		return 0;
	}
	nl = (size_t)(colon - v);
	while (nl > 0 && (v[nl - 1] == ' ' || v[nl - 1] == '\t'))
		nl--; /* obs-optional WSP before the colon (RFC 5322 §4.5) */
	if (!name_ok(v, nl)) {
		part->flags |= CORREU_MIME_F_BAD_HEADER;
		return 0;
	}
	v0 = (size_t)(colon - v) + 1;
	while (v0 < n && correu__mime_is_wsp(v[v0]))
		v0++;
	while (n > v0 && correu__mime_is_wsp(v[n - 1]))
		n--;
	if (p->hdr_fields >= p->set.max_header_fields ||
	    kept > p->set.max_header_size - p->hdr_bytes) {
		part->flags |= CORREU_MIME_F_HEADER_TRUNCATED;
		return 0;
	}
	if (p->field_trunc)
		part->flags |= CORREU_MIME_F_FIELD_TRUNCATED;
	for (size_t i = 0; i < n; i++)
		if (v[i] >= 0x80) {
			part->flags |= CORREU_MIME_F_8BIT;
			break;
		}
	rc = correu__mime_message_add_field(p->msg, v, nl, v + v0, n - v0);
	if (rc < 0)
		return rc == CORREU_ERR_LIMIT ? 0 : rc;
	p->hdr_fields++;
	p->hdr_bytes += kept;
	return 0;
}

static void field_append(correu_mime_parser *p, const uint8_t *s, size_t n)
{
	size_t room = p->field.max - p->field.len;

	if (n > room) {
		n = room;
		p->field_trunc = true;
	}
	if (n && correu__buf_append(&p->field, s, n) < 0)
		p->err = CORREU_ERR_NOMEM;
}

/* The first byte of a header line decides: folded continuation (RFC 5322
 * §2.2.3, unfolded by dropping the line break) or the start of a new line. */
static int header_line_begin(correu_mime_parser *p, uint8_t c)
{
	int rc;

	p->line_new_field = false;
	if ((c == ' ' || c == '\t') && p->field_open)
		return 0;
	if (p->field_open && (rc = field_done(p)) < 0)
		return rc;
	p->field.len = 0;
	p->field_trunc = false;
	p->field_open = true;
	p->line_new_field = true;
	return 0;
}

/* Boundary of an open multipart from its params, kept on the bnd stack:
 * 1 when found, 0 when missing or unusable, NOMEM. */
static int take_boundary(correu_mime_parser *p, const struct correu__mime_ctype *ct,
                         struct open_ent *e)
{
	struct correu__mime_rawparam rp;
	size_t i = 0;

	while (correu__mime_param_next(ct->params, ct->params_len, &i, &rp)) {
		const uint8_t *v = rp.value;
		size_t n = rp.value_len, o = 0;

		if (!correu__mime_ieq(rp.name, rp.name_len, "boundary"))
			continue;
		if (n >= 1 && v[0] == '"') {
			n -= (n >= 2 && v[n - 1] == '"') ? 2 : 1;
			v++;
		}
		if (n == 0 || n > p->set.max_boundary)
			return 0;
		if (correu__buf_reserve(&p->bnd, n) < 0)
			return CORREU_ERR_NOMEM;
		for (size_t k = 0; k < n; k++) {
			if (v[k] == '\\' && k + 1 < n)
				k++;
			p->bnd.data[p->bnd.len + o++] = v[k];
		}
		e->bnd_off = p->bnd.len;
		e->bnd_len = (uint32_t)o;
		p->bnd.len += o;
		return 1;
	}
	return 0;
}

/* The header of the top part ended at body_off; `normal` when by a blank
 * line. Decide what the body holds (RFC 2046 §5.1, §5.2). */
static int header_done(correu_mime_parser *p, uint64_t body_off, uint64_t lf, uint64_t bare,
                       bool normal)
{
	correu_mime_message *m = p->msg;
	struct open_ent *e = &p->open[p->nopen - 1];
	uint32_t idx = e->part;
	struct correu__mime_part *part;
	struct correu__mime_ctype ct;
	int rc;

	if (p->field_open && (rc = field_done(p)) < 0)
		return rc;
	part = &m->parts[idx];
	part->field_count = m->nfields - part->field_first;
	if (body_off < part->hdr_off)
		body_off = part->hdr_off;
	part->hdr_bare = body_off > part->hdr_off ? bare - part->hdr_bare : 0;
	part->body_off = body_off;
	part->lines = lf;
	part->body_bare = bare;
	p->state = ST_BODY;
	if (!normal) {
		if (body_off > part->hdr_off)
			part->flags |= CORREU_MIME_F_NO_BLANK_LINE;
		return 0;
	}
	correu__mime_part_ctype(m, idx, &ct);
	if (correu__mime_ieq(ct.type, ct.type_len, "multipart")) {
		if ((rc = take_boundary(p, &ct, e)) < 0)
			return rc;
		if (rc == 0) {
			part->flags |= CORREU_MIME_F_BAD_BOUNDARY;
		} else if (part->depth >= p->set.max_depth) {
			p->bnd.len = e->bnd_off;
			part->flags |= CORREU_MIME_F_DEPTH;
		} else {
			part->kind = CORREU_MIME_KIND_MULTIPART;
			e->active = true;
			e->digest = correu__mime_ieq(ct.sub, ct.sub_len, "digest");
		}
	} else if (correu__mime_ieq(ct.type, ct.type_len, "message") &&
	           (correu__mime_ieq(ct.sub, ct.sub_len, "rfc822") ||
	            correu__mime_ieq(ct.sub, ct.sub_len, "global"))) {
		size_t n = 0;
		const uint8_t *cte =
			correu__mime_field_value(m, idx, "Content-Transfer-Encoding", &n);
		size_t t0 = cte ? correu__mime_skip_cfws(cte, n, 0) : 0;
		size_t t1 = cte ? correu__mime_token_end(cte, n, t0) : 0;

		/* An encoded message is opaque until decoded (RFC 2046 §5.2.1). */
		if (cte && (correu__mime_ieq(cte + t0, t1 - t0, "base64") ||
		            correu__mime_ieq(cte + t0, t1 - t0, "quoted-printable")))
			return 0;
		if (part->depth >= p->set.max_depth) {
			part->flags |= CORREU_MIME_F_DEPTH;
		} else if (m->nparts >= p->set.max_parts) {
			part->flags |= CORREU_MIME_F_PARTS;
		} else {
			part->kind = CORREU_MIME_KIND_MESSAGE;
			return start_child(p, idx, false);
		}
	}
	return 0;
}

/* ---- delimiters ---- */

/* 1: open delimiter, 2: close delimiter, 0: neither (RFC 2046 §5.1.1). */
static int match(const correu_mime_parser *p, const struct open_ent *e)
{
	const uint8_t *l = p->lp, *b = p->bnd.data + e->bnd_off;
	size_t n = p->lp_len, L = e->bnd_len, i;
	int kind = 1;

	if (n < 2 + L || l[0] != '-' || l[1] != '-' || memcmp(l + 2, b, L) != 0)
		return 0;
	i = 2 + L;
	if (i + 1 < n && l[i] == '-' && l[i + 1] == '-') {
		kind = 2;
		i += 2;
	}
	for (; i < n; i++)
		if (l[i] != ' ' && l[i] != '\t' && !(l[i] == '\r' && i + 1 == n))
			return 0; /* transport padding only */
	return kind;
}

/*
 * End a part at `end`. Its parent has been ended already (parts are ended
 * outermost first), so the part can be kept inside it: when the line break
 * given to the delimiter was the last of the part's header, the header
 * loses it (RFC 2046 §5.1.1); an empty part that began after `end` moves
 * back to where its parent's body ends.
 */
static void close_part(correu_mime_parser *p, uint32_t idx, uint64_t end, uint64_t lf,
                       uint64_t bare)
{
	struct correu__mime_part *part = &p->msg->parts[idx];

	if (end < part->hdr_off) {
		uint64_t floor = p->msg->parts[part->parent].body_off;

		part->hdr_off = part->body_off = part->end = end > floor ? end : floor;
		part->hdr_bare = part->lines = part->body_bare = 0;
		return;
	}
	if (end < part->body_off) {
		part->hdr_bare -= part->body_bare - bare;
		part->body_off = end;
	}
	if (end == part->body_off) {
		part->end = end;
		part->lines = 0;
		part->body_bare = 0;
	} else {
		part->end = end;
		/* Lines are line breaks, as IMAP servers count them (Dovecot). */
		part->lines = lf - part->lines;
		part->body_bare = bare - part->body_bare;
	}
	if (part->kind == CORREU_MIME_KIND_MULTIPART && part->children == 0)
		part->flags |= CORREU_MIME_F_NO_PARTS;
}

/* Close every part above stack level `keep`, ending them at `end`. */
static void close_above(correu_mime_parser *p, uint32_t keep, uint64_t end, uint64_t lf,
                        uint64_t bare)
{
	for (uint32_t k = keep + 1; k < p->nopen; k++) {
		struct open_ent *e = &p->open[k];

		if (e->active)
			p->msg->parts[e->part].flags |= CORREU_MIME_F_NO_CLOSE;
		close_part(p, e->part, end, lf, bare);
	}
	if (p->nopen > keep + 1) {
		p->bnd.len = p->open[keep + 1].bnd_off;
		p->nopen = keep + 1;
	}
}

static int on_delimiter(correu_mime_parser *p, uint32_t k, int kind)
{
	/* The line break before the delimiter belongs to it (RFC 2046 §5.1.1). */
	uint64_t end = p->line_start - p->prev_eol;
	uint64_t lf = p->lf_at_line - (p->prev_eol ? 1 : 0);
	uint64_t bare = p->bare_at_line - (p->prev_eol == 1 ? 1 : 0);
	int rc;

	if (p->state == ST_HDR && (rc = header_done(p, end, lf, bare, false)) < 0)
		return rc;
	close_above(p, k, end, lf, bare);
	p->state = ST_BODY;
	if (kind == 2) {
		p->open[k].active = false; /* what follows is the epilogue */
		return 0;
	}
	if (p->msg->nparts >= p->set.max_parts) {
		/* Not recorded: the part stays in its parent's body. */
		p->msg->parts[p->open[k].part].flags |= CORREU_MIME_F_PARTS;
		return 0;
	}
	return start_child(p, p->open[k].part, p->open[k].digest);
}

static int check_delimiter(correu_mime_parser *p)
{
	for (uint32_t k = p->nopen; k-- > 0;) {
		int kind;

		if (p->open[k].active && (kind = match(p, &p->open[k])) != 0)
			return on_delimiter(p, k, kind) < 0 ? CORREU_ERR_NOMEM : 1;
	}
	return 0;
}

/* ---- lines ---- */

static int line_begin(correu_mime_parser *p, uint8_t c)
{
	p->at_line_start = false;
	p->line_start = p->off;
	p->line_len = 0;
	p->lp_len = 0;
	p->lp_on = c == '-';
	p->ov_any = p->ov_bad = p->ov_cr = false;
	p->lf_at_line = p->lf;
	p->bare_at_line = p->bare;
	return p->state == ST_HDR ? header_line_begin(p, c) : 0;
}

/* Keep the start of a line that may be a delimiter; past the room for
 * "--" boundary "--", only transport padding may follow. */
static void capture(correu_mime_parser *p, const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n && p->lp_on; i++) {
		uint8_t c = s[i];

		if (p->lp_len < p->lp_cap) {
			p->lp[p->lp_len++] = c;
			if (p->lp_len == 2 && c != '-')
				p->lp_on = false;
			continue;
		}
		p->ov_any = true;
		if (p->ov_cr || (c != '\r' && c != ' ' && c != '\t'))
			p->ov_bad = true;
		p->ov_cr = c == '\r';
		if (p->ov_bad)
			p->lp_on = false;
	}
}

static int line_end(correu_mime_parser *p, uint8_t eol)
{
	uint64_t content = p->line_len - (eol == 2 ? 1 : 0);
	int rc = 0;

	if (p->lp_on && eol == 2 && !p->ov_any && p->lp_len > 0)
		p->lp_len--; /* the CR of CRLF */
	if (p->state == ST_HDR) {
		if (eol == 2 && p->field.len > 0 && p->field.data[p->field.len - 1] == '\r')
			p->field.len--;
		if (content == 0 && eol) {
			p->field_open = false;
			rc = header_done(p, p->off, p->lf, p->bare, true);
		} else if (p->line_new_field && p->lp_on) {
			/* A delimiter line is not a field, even a malformed one. */
			p->field_open = false;
			rc = check_delimiter(p);
			if (rc == 0)
				p->field_open = true;
		}
	} else if (p->lp_on) {
		rc = check_delimiter(p);
	}
	p->prev_eol = eol;
	p->prev_empty = content == 0;
	p->at_line_start = true;
	return rc < 0 ? rc : 0;
}

int correu_mime_parser_feed(correu_mime_parser *p, const uint8_t *data, size_t len)
{
	size_t i = 0;
	int rc;

	if (!p || (!data && len))
		return CORREU_ERR_ARG;
	if (p->err)
		return CORREU_ERR_POISONED;
	if ((rc = ensure_started(p)) < 0)
		goto fail;
	while (i < len) {
		const uint8_t *s, *nl;
		size_t n;

		if (p->at_line_start && (rc = line_begin(p, data[i])) < 0)
			goto fail;
		s = data + i;
		nl = memchr(s, '\n', len - i);
		n = nl ? (size_t)(nl - s) : len - i;
		if (n) {
			if (p->lp_on)
				capture(p, s, n);
			if (p->state == ST_HDR)
				field_append(p, s, n);
			if (p->err) {
				rc = p->err;
				goto fail;
			}
			p->line_len += n;
			p->last = s[n - 1];
			p->off += n;
			i += n;
		}
		if (nl) {
			uint8_t eol = (p->line_len > 0 && p->last == '\r') ? 2 : 1;

			p->off++;
			i++;
			p->lf++;
			if (eol == 1)
				p->bare++;
			p->last = '\n';
			if ((rc = line_end(p, eol)) < 0)
				goto fail;
		}
	}
	return 0;
fail:
	p->err = rc;
	return rc;
}

int correu_mime_parser_finish(correu_mime_parser *p, correu_mime_message **out)
{
	correu_mime_message *m;
	int rc;

	if (!p || !out)
		return CORREU_ERR_ARG;
	*out = NULL;
	if (p->err)
		return CORREU_ERR_POISONED;
	if ((rc = ensure_started(p)) < 0)
		goto fail;
	/* A last line without a line break still counts: "--b--" at the end
	 * of input closes the multipart. */
	if (!p->at_line_start && (rc = line_end(p, 0)) < 0)
		goto fail;
	if (p->state == ST_HDR && (rc = header_done(p, p->off, p->lf, p->bare, false)) < 0)
		goto fail;
	if (p->open[0].active)
		p->msg->parts[0].flags |= CORREU_MIME_F_NO_CLOSE;
	close_part(p, 0, p->off, p->lf, p->bare);
	close_above(p, 0, p->off, p->lf, p->bare);
	m = p->msg;
	m->size = p->off;
	for (uint32_t i = 0; i < m->nparts; i++)
		m->flags |= m->parts[i].flags;
	p->msg = NULL;
	correu_mime_parser_reset(p);
	*out = m;
	return 0;
fail:
	p->err = rc;
	return rc;
}
