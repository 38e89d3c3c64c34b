/*
 * RFC 5322 address lists (§3.4) turned into IMAP address structures for
 * ENVELOPE (RFC 9051 §7.5.2): ("name" adl "mailbox" "host"), groups as
 * (NIL NIL "group" NIL) ... (NIL NIL NIL NIL). Names stay raw (encoded words
 * are not decoded, as IMAP requires). A flat state machine, no recursion;
 * garbage is skipped, never fatal. A missing domain is written as
 * "MISSING_DOMAIN" and a missing mailbox as "MISSING_MAILBOX" so that a
 * NIL host keeps meaning "group".
 */
#include <string.h>

#include "mime_internal.h"

#define T_END 0
#define T_WORD 1    /* atom (dots included) */
#define T_QSTR 2    /* quoted string, quotes included */
#define T_COMMENT 3 /* (comment), parentheses excluded */
#define T_DLIT 4    /* [domain literal] */
#define T_SPECIAL 5 /* one of < > @ , ; : */

struct tok {
	int type;
	uint8_t c;
	size_t s, e;
};

static bool is_special(uint8_t c)
{
	return strchr("()<>[]:;@\\,\"", c) != NULL && c != 0;
}

static void next_tok(const uint8_t *v, size_t n, size_t *ip, struct tok *t)
{
	size_t i = *ip;

	while (i < n && correu__mime_is_wsp(v[i]))
		i++;
	if (i >= n) {
		t->type = T_END;
		*ip = i;
		return;
	}
	t->s = i;
	if (v[i] == '"') {
		t->type = T_QSTR;
		i = correu__mime_quoted_end(v, n, i);
	} else if (v[i] == '(') {
		size_t e = correu__mime_skip_cfws(v, n, i);
		t->type = T_COMMENT;
		t->s = i + 1;
		i = e;
		/* the content, without the closing parenthesis when present */
		t->e = (e > t->s && v[e - 1] == ')') ? e - 1 : e;
		*ip = i;
		return;
	} else if (v[i] == '[') {
		t->type = T_DLIT;
		while (i < n && v[i] != ']')
			i++;
		i += i < n;
	} else if (v[i] != 0 && strchr("<>@,;:", v[i])) {
		t->type = T_SPECIAL;
		t->c = v[i++];
	} else if (is_special(v[i])) {
		t->type = T_WORD; /* a stray ')' '\' or ']' is kept as text */
		i++;
	} else {
		t->type = T_WORD;
		while (i < n && !correu__mime_is_wsp(v[i]) && !is_special(v[i]))
			i++;
	}
	t->e = i;
	*ip = i;
}

struct addr {
	correu__buf name, local, host, adl;
	const uint8_t *comment;
	size_t comment_len;
	bool angle;
};

struct alist {
	const uint8_t *v;
	size_t n;
	struct correu__mime_out *o; /* NULL: only count */
	uint32_t flags;
	size_t count;
	int err;
};

static void put(struct alist *l, correu__buf *b, const uint8_t *p, size_t n)
{
	if (!l->err && correu__buf_append(b, p, n) < 0)
		l->err = CORREU_ERR_NOMEM;
}

/* Phrase text: words joined by one space, quoted strings unquoted. */
static void put_phrase_word(struct alist *l, correu__buf *b, const struct tok *t)
{
	const uint8_t *v = l->v;

	if (b->len)
		put(l, b, (const uint8_t *)" ", 1);
	if (t->type != T_QSTR) {
		put(l, b, v + t->s, t->e - t->s);
		return;
	}
	size_t end = (t->e - t->s >= 2 && v[t->e - 1] == '"') ? t->e - 1 : t->e;
	for (size_t i = t->s + 1; i < end; i++) {
		if (v[i] == '\\' && i + 1 < end)
			i++;
		put(l, b, v + i, 1);
	}
}

static void open_list(struct alist *l)
{
	if (l->o && l->count++ == 0)
		correu__mime_put(l->o, "(", 1);
	else if (!l->o)
		l->count++;
}

static void emit(struct alist *l, const uint8_t *name, size_t nl, const uint8_t *adl, size_t al,
                 const uint8_t *mbox, size_t ml, const uint8_t *host, size_t hl)
{
	struct correu__mime_out *o = l->o;

	open_list(l);
	if (!o)
		return;
	correu__mime_put(o, "(", 1);
	correu__mime_put_nstring(o, name, nl, l->flags);
	correu__mime_put(o, " ", 1);
	correu__mime_put_nstring(o, adl, al, l->flags);
	correu__mime_put(o, " ", 1);
	correu__mime_put_nstring(o, mbox, ml, l->flags);
	correu__mime_put(o, " ", 1);
	correu__mime_put_nstring(o, host, hl, l->flags);
	correu__mime_put(o, ")", 1);
}

static const uint8_t *view(const correu__buf *b)
{
	return b->data ? b->data : (const uint8_t *)"";
}

static void finish(struct alist *l, struct addr *a, int state)
{
	const uint8_t *name = NULL, *adl = NULL;
	size_t nl = 0, al = 0;

	if (state == 0 && a->local.len == 0)
		goto reset;
	if (a->angle && a->name.len) {
		name = view(&a->name);
		nl = a->name.len;
	} else if (!a->angle && a->comment) {
		name = a->comment;
		nl = a->comment_len;
	}
	if (a->adl.len) {
		adl = view(&a->adl);
		al = a->adl.len;
	}
	emit(l, name, nl, adl, al,
	     a->local.len ? view(&a->local) : (const uint8_t *)"MISSING_MAILBOX",
	     a->local.len ? a->local.len : 15,
	     a->host.len ? view(&a->host) : (const uint8_t *)"MISSING_DOMAIN",
	     a->host.len ? a->host.len : 14);
reset:
	a->name.len = a->local.len = a->host.len = a->adl.len = 0;
	a->comment = NULL;
	a->angle = false;
}

#define S_PHRASE 0
#define S_ROUTE 1
#define S_LOCAL 2   /* inside <> */
#define S_ADOMAIN 3 /* inside <> after @ */
#define S_DOMAIN 4  /* addr-spec after @ */
#define S_AFTER 5   /* after > */

/* Write (or count) an address list; the caller writes NIL for none. */
static size_t address_list(const correu_allocator *al, const uint8_t *v, size_t n,
                           struct correu__mime_out *o, uint32_t flags, int *err)
{
	struct alist l = { v, n, o, flags, 0, 0 };
	struct addr a;
	struct tok t;
	size_t i = 0;
	int state = S_PHRASE;
	bool in_group = false;

	/* Bounded by the field: a phrase adds at most one space per token. */
	size_t max = n > SIZE_MAX / 2 - 16 ? SIZE_MAX : 2 * n + 16;

	memset(&a, 0, sizeof(a));
	correu__buf_init(&a.name, al, max);
	correu__buf_init(&a.local, al, max);
	correu__buf_init(&a.host, al, max);
	correu__buf_init(&a.adl, al, max);
	do {
		next_tok(v, n, &i, &t);
		bool sp = t.type == T_SPECIAL, word = t.type == T_WORD || t.type == T_QSTR;
		bool sep =
			t.type == T_END || (sp && (t.c == ';' || (t.c == ',' && state != S_ROUTE)));

		if (t.type == T_COMMENT) {
			a.comment = v + t.s;
			a.comment_len = t.e - t.s;
			continue;
		}
		if (sep) {
			finish(&l, &a, state);
			state = S_PHRASE;
			if (sp && t.c == ';' && in_group) {
				emit(&l, NULL, 0, NULL, 0, NULL, 0, NULL, 0);
				in_group = false;
			}
			continue;
		}
		switch (state) {
		case S_PHRASE:
			if (word) {
				put_phrase_word(&l, &a.name, &t);
				put(&l, &a.local, v + t.s, t.e - t.s);
			} else if (sp && t.c == ':' && !in_group) {
				/* group start (RFC 5322 §3.4) */
				emit(&l, NULL, 0, NULL, 0, view(&a.name), a.name.len, NULL, 0);
				in_group = true;
				a.name.len = a.local.len = 0;
				a.comment = NULL;
			} else if (sp && t.c == '<') {
				a.angle = true;
				a.local.len = 0;
				state = S_LOCAL;
			} else if (sp && t.c == '@') {
				state = S_DOMAIN;
			}
			break;
		case S_LOCAL:
			if (sp && t.c == '@' && a.local.len == 0) {
				put(&l, &a.adl, (const uint8_t *)"@", 1);
				state = S_ROUTE;
			} else if (word) {
				put(&l, &a.local, v + t.s, t.e - t.s);
			} else if (sp && t.c == '@') {
				state = S_ADOMAIN;
			} else if (sp && t.c == '>') {
				state = S_AFTER;
			}
			break;
		case S_ROUTE: /* obs-route: @a,@b: (RFC 5322 §4.4) */
			if (word || t.type == T_DLIT)
				put(&l, &a.adl, v + t.s, t.e - t.s);
			else if (sp && (t.c == '@' || t.c == ','))
				put(&l, &a.adl, &t.c, 1);
			else if (sp && t.c == ':')
				state = S_LOCAL;
			else if (sp && t.c == '>')
				state = S_AFTER;
			break;
		case S_ADOMAIN:
		case S_DOMAIN:
			if (word || t.type == T_DLIT)
				put(&l, &a.host, v + t.s, t.e - t.s);
			else if (sp && t.c == '>')
				state = S_AFTER;
			break;
		default: break;
		}
	} while (t.type != T_END && !l.err);
	if (in_group && !l.err)
		emit(&l, NULL, 0, NULL, 0, NULL, 0, NULL, 0);
	if (o && l.count)
		correu__mime_put(o, ")", 1);
	correu__buf_free(&a.name, false);
	correu__buf_free(&a.local, false);
	correu__buf_free(&a.host, false);
	correu__buf_free(&a.adl, false);
	*err = l.err;
	return l.count;
}

/* Write the address list of a field, or NIL; `fallback` is used when the
 * field is absent or holds no address (Sender, Reply-To: RFC 9051 §7.5.2). */
void correu__mime_put_addresses(const correu_mime_message *m, uint32_t part, const char *field,
                                const char *fallback, uint32_t flags, struct correu__mime_out *o)
{
	size_t n = 0;
	const uint8_t *v = correu__mime_field_value(m, part, field, &n);
	int err = 0;

	if (v && fallback && address_list(m->alloc, v, n, NULL, flags, &err) == 0 && !err)
		v = NULL;
	if (!v && fallback)
		v = correu__mime_field_value(m, part, fallback, &n);
	if (err) {
		o->err = err;
		return;
	}
	if (!v || address_list(m->alloc, v, n, o, flags, &err) == 0)
		correu__mime_put(o, "NIL", 3);
	if (err && !o->err)
		o->err = err;
}
