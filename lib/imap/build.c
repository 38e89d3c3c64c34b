/*
 * The IMAP command builder (IMAP layer): a command is its bytes cut into
 * segments at the literals, so the sender can stop where a synchronizing
 * literal must wait for the server's "+" and pull streamed literal data
 * only when it goes out. Each string argument takes the lightest form its
 * bytes allow (RFC 9051 §4.3): an atom, a quoted string, or a literal;
 * CR, LF and NUL are refused wherever the form chosen cannot carry them.
 */
#include <string.h>

#include "client_internal.h"

int correu__imapc_cmd_new(const correu_allocator *a, uint32_t kind, size_t max,
                          correu__imapc_cmd **out)
{
	correu__imapc_cmd *cmd = correu__calloc(a, sizeof(*cmd));

	*out = cmd;
	if (!cmd)
		return CORREU_ERR_NOMEM;
	cmd->kind = kind;
	correu__buf_init(&cmd->text, a, max);
	return 0;
}

void correu__imapc_cmd_tag(correu__imapc_cmd *cmd, uint32_t tag)
{
	char d[10];
	size_t n = 0;
	uint32_t v = tag;

	do {
		d[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	cmd->tag = tag;
	cmd->tagtext[0] = 'A';
	for (size_t i = 0; i < n; i++)
		cmd->tagtext[1 + i] = d[n - 1 - i];
	cmd->tagtext[1 + n] = ' ';
	cmd->tag_len = (uint8_t)(n + 2);
}

void correu__imapc_cmd_free(const correu_allocator *a, correu__imapc_cmd *cmd)
{
	if (!cmd)
		return;
	correu__buf_free(&cmd->text, cmd->secret);
	if (cmd->segs)
		correu__free(a, cmd->segs, cmd->segs_cap * sizeof(*cmd->segs));
	correu__free(a, cmd, sizeof(*cmd));
}

static correu__imapc_seg *new_seg(correu__imapc_cmd *cmd, uint8_t kind)
{
	correu__imapc_seg *s;

	if (cmd->nsegs == cmd->segs_cap) {
		size_t cap = cmd->segs_cap ? cmd->segs_cap * 2 : 4;
		/* A segment stands for at least one byte of text, so the text
		 * limit bounds their number too. */
		if (cap > cmd->text.max / sizeof(*s) + 4)
			return NULL;
		s = correu__realloc(cmd->text.alloc, cmd->segs, cmd->segs_cap * sizeof(*s),
		                    cap * sizeof(*s));
		if (!s)
			return NULL;
		cmd->segs = s;
		cmd->segs_cap = cap;
	}
	s = &cmd->segs[cmd->nsegs++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->off = cmd->text.len;
	return s;
}

int correu__imapc_put(correu__imapc_cmd *cmd, const char *p, size_t len)
{
	correu__imapc_seg *last = cmd->nsegs ? &cmd->segs[cmd->nsegs - 1] : NULL;
	int rc;

	if (len == 0)
		return 0;
	rc = correu__buf_append(&cmd->text, p, len);
	if (rc < 0)
		return rc;
	if (!last || last->kind != SEG_TEXT) {
		last = new_seg(cmd, SEG_TEXT);
		if (!last) {
			cmd->text.len -= len;
			return CORREU_ERR_NOMEM;
		}
		last->off = cmd->text.len - len;
	}
	last->len += len;
	return 0;
}

int correu__imapc_put_str(correu__imapc_cmd *cmd, const char *s)
{
	return correu__imapc_put(cmd, s, strlen(s));
}

int correu__imapc_put_u64(correu__imapc_cmd *cmd, uint64_t v)
{
	char d[20];
	size_t n = 0;

	do {
		d[sizeof(d) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return correu__imapc_put(cmd, d + sizeof(d) - n, n);
}

int correu__imapc_put_sp(correu__imapc_cmd *cmd)
{
	uint8_t last = cmd->text.len ? cmd->text.data[cmd->text.len - 1] : ' ';

	if (last == ' ' || last == '(')
		return 0;
	return correu__imapc_put(cmd, " ", 1);
}

int correu__imapc_put_raw(correu__imapc_cmd *cmd, const char *p, size_t len)
{
	if (len && !p)
		return CORREU_ERR_ARG;
	for (size_t i = 0; i < len; i++)
		if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0')
			return CORREU_ERR_ARG;
	return correu__imapc_put(cmd, p, len);
}

bool correu__imapc_astring_char(uint8_t ch)
{
	/* RFC 9051 §9: ATOM-CHAR is any CHAR but atom-specials ("(", ")",
	 * "{", SP, CTL, "%", "*", DQUOTE, "\", "]"); ASTRING-CHAR adds "]". */
	if (ch <= 0x20 || ch >= 0x7f)
		return false;
	return !strchr("(){%*\"\\", ch);
}

/* Whether `s` is valid UTF-8 with no control character (RFC 3629). */
static bool utf8_text(const uint8_t *s, size_t len)
{
	for (size_t i = 0; i < len;) {
		uint8_t b = s[i];
		size_t n;
		uint32_t cp;

		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xc2 && b <= 0xdf)
			n = 1, cp = b & 0x1f;
		else if (b >= 0xe0 && b <= 0xef)
			n = 2, cp = b & 0x0f;
		else if (b >= 0xf0 && b <= 0xf4)
			n = 3, cp = b & 0x07;
		else
			return false;
		if (len - i <= n)
			return false;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return false;
		i += n + 1;
	}
	return true;
}

enum form {
	F_ATOM,
	F_QUOTED,
	F_LITERAL
};

static enum form choose(const correu__imapc_rules *r, const uint8_t *s, size_t len)
{
	bool atom = len > 0, quoted = len <= r->max_quoted, eight = false;

	for (size_t i = 0; i < len; i++) {
		if (!correu__imapc_astring_char(s[i]))
			atom = false;
		if (s[i] >= 0x80)
			eight = true;
		else if (s[i] < 0x20 || s[i] == 0x7f)
			quoted = false; /* CR, LF and other controls go as literals */
	}
	/* "NIL" is an atom, but where an nstring is read it means NIL. */
	if (atom && !correu__imapc_eq_nocase((const char *)s, len, "NIL", 3))
		return F_ATOM;
	/* 8-bit text may be quoted only under UTF8=ACCEPT (RFC 6855 §3);
	 * else, and for anything that is not UTF-8, a literal. */
	if (quoted && eight && !(r->utf8 && utf8_text(s, len)))
		quoted = false;
	return quoted ? F_QUOTED : F_LITERAL;
}

static int put_quoted(correu__imapc_cmd *cmd, const char *s, size_t len)
{
	size_t i = 0;
	int rc = correu__imapc_put(cmd, "\"", 1);

	while (rc == 0 && i < len) {
		size_t j = i;

		while (j < len && s[j] != '"' && s[j] != '\\')
			j++;
		rc = correu__imapc_put(cmd, s + i, j - i);
		if (rc == 0 && j < len) {
			char esc[2] = { '\\', s[j] };

			rc = correu__imapc_put(cmd, esc, 2);
			j++;
		}
		i = j;
	}
	return rc == 0 ? correu__imapc_put(cmd, "\"", 1) : rc;
}

int correu__imapc_put_literal_head(correu__imapc_cmd *cmd, const correu__imapc_rules *r,
                                   uint64_t size, bool binary)
{
	/* RFC 7888 §3 and §4: "+" marks a literal the server takes without
	 * a continuation request. */
	bool plus = r->lit == LIT_PLUS || (r->lit == LIT_MINUS && size <= IMAP_LITERAL_MINUS_MAX);
	int rc = correu__imapc_put(cmd, binary ? "~{" : "{", binary ? 2 : 1);

	if (rc == 0)
		rc = correu__imapc_put_u64(cmd, size);
	if (rc == 0)
		rc = correu__imapc_put(cmd, plus ? "+}\r\n" : "}\r\n", plus ? 4 : 3);
	if (rc == 0 && !plus && !new_seg(cmd, SEG_SYNC))
		rc = CORREU_ERR_NOMEM;
	return rc;
}

int correu__imapc_put_string(correu__imapc_cmd *cmd, const correu__imapc_rules *r, const char *s,
                             size_t len)
{
	int rc;

	if (len && !s)
		return CORREU_ERR_ARG;
	/* A NUL can travel only in a literal8, which RFC 3516 allows for
	 * APPEND data alone. */
	if (len && memchr(s, '\0', len))
		return CORREU_ERR_ARG;
	rc = correu__imapc_put_sp(cmd);
	if (rc < 0)
		return rc;
	switch (choose(r, (const uint8_t *)s, len)) {
	case F_ATOM: return correu__imapc_put(cmd, s, len);
	case F_QUOTED: return put_quoted(cmd, s, len);
	default: break;
	}
	rc = correu__imapc_put_literal_head(cmd, r, len, false);
	return rc == 0 ? correu__imapc_put(cmd, s, len) : rc;
}

int correu__imapc_put_qstring(correu__imapc_cmd *cmd, const correu__imapc_rules *r, const char *s,
                              size_t len)
{
	enum form f;
	int rc;

	if (len && (!s || memchr(s, '\0', len)))
		return CORREU_ERR_ARG;
	rc = correu__imapc_put_sp(cmd);
	if (rc < 0)
		return rc;
	/* RFC 9051 §9: a string is quoted or a literal, never an atom; one
	 * that could be an atom is quoted while short enough. */
	f = choose(r, (const uint8_t *)s, len);
	if (f == F_ATOM)
		f = len <= r->max_quoted ? F_QUOTED : F_LITERAL;
	if (f == F_QUOTED)
		return put_quoted(cmd, s, len);
	rc = correu__imapc_put_literal_head(cmd, r, len, false);
	return rc == 0 ? correu__imapc_put(cmd, s, len) : rc;
}

int correu__imapc_put_mailbox(correu__imapc_cmd *cmd, const correu__imapc_rules *r,
                              const char *name, size_t len)
{
	const correu_allocator *a = cmd->text.alloc;
	correu_ssize n;
	size_t cap;
	char *enc;
	int rc;

	if (len == 0 || !name)
		return CORREU_ERR_ARG;
	/* RFC 6855 §3: after ENABLE UTF8=ACCEPT names travel as UTF-8. */
	if (r->utf8) {
		if (!utf8_text((const uint8_t *)name, len))
			return CORREU_ERR_ENCODING;
		return correu__imapc_put_string(cmd, r, name, len);
	}
	cap = correu_mutf7_encoded_max(len);
	if (cap == SIZE_MAX || cap > cmd->text.max)
		return CORREU_ERR_LIMIT;
	enc = correu__alloc(a, cap);
	if (!enc)
		return CORREU_ERR_NOMEM;
	n = correu_mutf7_encode(name, len, enc, cap);
	rc = n < 0 ? (int)n : correu__imapc_put_string(cmd, r, enc, (size_t)n);
	correu__free(a, enc, cap);
	return rc;
}

int correu__imapc_put_stream(correu__imapc_cmd *cmd, const correu__imapc_rules *r, uint64_t size,
                             bool binary, correu_imap_reader_fn fn, void *ud)
{
	correu__imapc_seg *s;
	int rc;

	if (!fn)
		return CORREU_ERR_ARG;
	if (binary && !r->binary)
		return CORREU_ERR_UNSUPPORTED;
	rc = correu__imapc_put_sp(cmd);
	if (rc == 0)
		rc = correu__imapc_put_literal_head(cmd, r, size, binary);
	if (rc < 0 || size == 0)
		return rc;
	s = new_seg(cmd, SEG_STREAM);
	if (!s)
		return CORREU_ERR_NOMEM;
	s->size = size;
	s->binary = binary;
	s->fn = fn;
	s->ud = ud;
	return 0;
}

bool correu__imapc_literal_suffix(const char *p, size_t end, uint64_t *size, size_t *start,
                                  bool *binary)
{
	size_t i, d;
	uint64_t n = 0;

	if (end == 0 || p[end - 1] != '}')
		return false;
	i = end - 1;
	if (i > 0 && p[i - 1] == '+')
		i--;
	d = i;
	while (d > 0 && p[d - 1] >= '0' && p[d - 1] <= '9')
		d--;
	if (d == i || d == 0 || p[d - 1] != '{')
		return false;
	for (size_t k = d; k < i; k++) {
		/* RFC 9051 §9: number64, at most 2^63 - 1; a longer count still
		 * reads as a header (too big for any data that follows). */
		if (n > ((UINT64_MAX >> 1) - (uint64_t)(p[k] - '0')) / 10) {
			n = UINT64_MAX;
			break;
		}
		n = n * 10 + (uint64_t)(p[k] - '0');
	}
	d--;
	*binary = d > 0 && p[d - 1] == '~';
	*start = *binary ? d - 1 : d;
	*size = n;
	return true;
}

int correu__imapc_put_end(correu__imapc_cmd *cmd)
{
	uint64_t size;
	size_t start;
	bool binary;

	/* Raw syntax that ends in "{n}" would turn the final CRLF into a
	 * literal header and the next command into its data: refused. */
	if (correu__imapc_literal_suffix((const char *)cmd->text.data, cmd->text.len, &size, &start,
	                                 &binary))
		return CORREU_ERR_ARG;
	return correu__imapc_put(cmd, "\r\n", 2);
}
