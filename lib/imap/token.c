/*
 * IMAP response tokens (IMAP layer, response parser): atoms, flags,
 * numbers, quoted strings, literals, NIL, mailbox names and sequence sets,
 * read from a complete unit (imap_internal.h). Tokens are views into the
 * unit; only a quoted string with escapes and a mailbox name that needs
 * decoding are copied. Character classes follow RFC 9051 §9 (ATOM-CHAR,
 * ASTRING-CHAR, QUOTED-CHAR); nothing here recurses.
 */
#include <string.h>
#include <strings.h>

#include "imap_internal.h"

/* An empty string, distinct from NIL (a NULL pointer). */
static const char empty[1] = "";

/* atom-specials: "(" ")" "{" SP CTL list-wildcards quoted-specials
 * resp-specials, and nothing outside 7-bit CHAR. */
static bool atom_char(uint8_t c)
{
	switch (c) {
	case '(':
	case ')':
	case '{':
	case '%':
	case '*':
	case '"':
	case '\\':
	case ']': return false;
	default: return c > 0x20 && c < 0x7f;
	}
}

bool correu__imap_accept(correu_imap_parser *p, uint8_t c)
{
	if (p->pos < p->end && *p->pos == c) {
		p->pos++;
		return true;
	}
	return false;
}

int correu__imap_expect(correu_imap_parser *p, uint8_t c)
{
	static const char *const what[] = { "expected a space", "expected \"(\"", "expected \")\"",
		                            "unexpected character" };

	if (correu__imap_accept(p, c))
		return 0;
	return correu__imap_fail(p, CORREU_ERR_SYNTAX,
	                         what[c == ' '   ? 0
	                              : c == '(' ? 1
	                              : c == ')' ? 2
	                                         : 3]);
}

int correu__imap_sp(correu_imap_parser *p)
{
	return correu__imap_expect(p, ' ');
}

/* Every "(" goes through here, so the depth limit holds for all nesting. */
int correu__imap_open(correu_imap_parser *p)
{
	int rc = correu__imap_expect(p, '(');

	if (rc < 0)
		return rc;
	if (p->depth >= p->set.max_depth)
		return correu__imap_fail(p, CORREU_ERR_LIMIT, "nesting too deep");
	p->depth++;
	return 0;
}

int correu__imap_close(correu_imap_parser *p)
{
	int rc = correu__imap_expect(p, ')');

	if (rc == 0 && p->depth > 0)
		p->depth--;
	return rc;
}

static size_t atom_len(const correu_imap_parser *p, bool astring)
{
	const uint8_t *q = p->pos;

	while (q < p->end && (atom_char(*q) || (astring && *q == ']')))
		q++;
	return (size_t)(q - p->pos);
}

bool correu__imap_word(correu_imap_parser *p, const char *word)
{
	size_t n = strlen(word), i;

	if ((size_t)(p->end - p->pos) < n || atom_len(p, false) != n)
		return false;
	for (i = 0; i < n; i++) {
		uint8_t c = p->pos[i];

		if (c >= 'a' && c <= 'z')
			c = (uint8_t)(c - 32);
		if (c != (uint8_t)word[i])
			return false;
	}
	p->pos += n;
	return true;
}

int correu__imap_atom(correu_imap_parser *p, struct ip_str *out)
{
	size_t n = atom_len(p, false);

	if (n == 0)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected an atom");
	out->s = (const char *)p->pos;
	out->len = n;
	p->pos += n;
	return 0;
}

/* flag = "\" atom / keyword; flag-perm also allows "\*" (RFC 9051 §9). */
int correu__imap_flag(correu_imap_parser *p, struct ip_str *out)
{
	const uint8_t *start = p->pos;
	size_t n;

	if (correu__imap_accept(p, '\\') && correu__imap_accept(p, '*')) {
		out->s = (const char *)start;
		out->len = 2;
		return 0;
	}
	n = atom_len(p, false);
	if (n == 0)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected a flag");
	p->pos += n;
	out->s = (const char *)start;
	out->len = (size_t)(p->pos - start);
	return 0;
}

int correu__imap_number(correu_imap_parser *p, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	const uint8_t *start = p->pos;

	while (p->pos < p->end && *p->pos >= '0' && *p->pos <= '9') {
		unsigned d = (unsigned)(*p->pos - '0');

		if (v > (max - d) / 10)
			return correu__imap_fail(p, CORREU_ERR_SYNTAX, "number too large");
		v = v * 10 + d;
		p->pos++;
	}
	if (p->pos == start)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected a number");
	*out = v;
	return 0;
}

int correu__imap_nz_number(correu_imap_parser *p, uint64_t *out)
{
	int rc = correu__imap_number(p, UINT32_MAX, out);

	if (rc == 0 && *out == 0)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX,
		                         "zero where a non-zero number is due");
	return rc;
}

/* Room for the n unescaped bytes of a string that ended at p->pos. The
 * first time in a unit, room is made for the rest of the unit as well, so
 * that strings already handed out never move: unescaping only shrinks. */
static int scratch_room(correu_imap_parser *p, size_t n)
{
	if (p->scratch.cap - p->scratch.len >= n)
		return 0;
	if (p->scratch.len != 0)
		return correu__imap_fail(p, CORREU_ERR_INTERNAL, "scratch overflow");
	return correu__buf_reserve(&p->scratch, n + (size_t)(p->end - p->pos));
}

/* quoted = DQUOTE *QUOTED-CHAR DQUOTE; the opening quote is consumed. */
static int quoted(correu_imap_parser *p, struct ip_str *out)
{
	const uint8_t *start = p->pos, *q;
	bool escaped = false;
	uint8_t *w;

	for (q = start; q < p->end && *q != '"'; q++) {
		if (*q == 0)
			return correu__imap_fail(p, CORREU_ERR_SYNTAX, "NUL in a quoted string");
		if (*q == '\\') {
			if (q + 1 >= p->end || (q[1] != '\\' && q[1] != '"'))
				return correu__imap_fail(p, CORREU_ERR_SYNTAX,
				                         "bad escape in a quoted string");
			escaped = true;
			q++;
		}
	}
	if (q >= p->end)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "unterminated quoted string");
	p->pos = q + 1;
	if (!escaped) {
		out->s = q == start ? empty : (const char *)start;
		out->len = (size_t)(q - start);
		return 0;
	}
	if (scratch_room(p, (size_t)(q - start)) < 0)
		return correu__imap_fail(p, CORREU_ERR_NOMEM, "out of memory");
	w = p->scratch.data + p->scratch.len;
	out->s = (const char *)w;
	for (; start < q; start++) {
		if (*start == '\\')
			start++;
		*w++ = *start;
	}
	out->len = (size_t)((const char *)w - out->s);
	p->scratch.len += out->len;
	return 0;
}

int correu__imap_literal_marker(const uint8_t *s, size_t n, size_t *start, uint64_t *size,
                                bool *binary)
{
	size_t i, open, end = n - 1;
	uint64_t v = 0;

	/* "{" 1*DIGIT "}" at the very end; "~{" for literal8 (RFC 3516).
	 * "{n+}" (RFC 7888) is for commands only: a marker, but a bad one. */
	if (n < 3 || s[n - 1] != '}')
		return 0;
	if (s[end - 1] == '+')
		end--;
	for (i = end; i > 0 && s[i - 1] >= '0' && s[i - 1] <= '9'; i--)
		;
	if (i == 0 || s[i - 1] != '{')
		return 0;
	open = i - 1;
	*binary = open > 0 && s[open - 1] == '~';
	*start = *binary ? open - 1 : open;
	if (end != n - 1 || end == open + 1 || end - (open + 1) > 19)
		return -1;
	for (i = open + 1; i < end; i++)
		v = v * 10 + (uint64_t)(s[i] - '0');
	if (v > INT64_MAX)
		return -1;
	*size = v;
	return 1;
}

/* literal = "{" number "}" CRLF *OCTET, held inline in the unit. */
static int literal(correu_imap_parser *p, struct ip_str *out, bool allow8)
{
	uint64_t n = 0;
	const uint8_t *q;
	bool binary = correu__imap_accept(p, '~');
	int rc;

	if (binary && !allow8)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "literal8 outside BINARY");
	if ((rc = correu__imap_expect(p, '{')) < 0 ||
	    (rc = correu__imap_number(p, INT64_MAX, &n)) < 0 ||
	    (rc = correu__imap_expect(p, '}')) < 0)
		return rc;
	q = p->pos;
	if (q < p->end && *q == '\r')
		q++;
	if (q >= p->end || *q != '\n')
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "literal where none can be");
	q++;
	if ((uint64_t)(p->end - q) < n)
		return correu__imap_fail(p, CORREU_ERR_INTERNAL, "literal cut short");
	if (!binary && memchr(q, 0, (size_t)n))
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "NUL in a literal");
	out->s = n ? (const char *)q : empty;
	out->len = (size_t)n;
	p->pos = q + n;
	return 0;
}

bool correu__imap_at_stream(correu_imap_parser *p, uint64_t *size, bool *binary)
{
	size_t start;

	if (correu__imap_literal_marker(p->pos, (size_t)(p->end - p->pos), &start, size, binary) !=
	            1 ||
	    start != 0)
		return false;
	p->pos = p->end;
	return true;
}

int correu__imap_string(correu_imap_parser *p, struct ip_str *out)
{
	if (correu__imap_accept(p, '"'))
		return quoted(p, out);
	if (ip_peek(p) == '{' || ip_peek(p) == '~')
		return literal(p, out, false);
	return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected a string");
}

int correu__imap_nstring(correu_imap_parser *p, struct ip_str *out)
{
	if (correu__imap_word(p, "NIL")) {
		out->s = NULL;
		out->len = 0;
		return 0;
	}
	return correu__imap_string(p, out);
}

int correu__imap_nstring8(correu_imap_parser *p, struct ip_str *out)
{
	if (ip_peek(p) == '~')
		return literal(p, out, true);
	return correu__imap_nstring(p, out);
}

int correu__imap_astring(correu_imap_parser *p, struct ip_str *out)
{
	size_t n;

	if (ip_peek(p) == '"' || ip_peek(p) == '{' || ip_peek(p) == '~')
		return correu__imap_string(p, out);
	n = atom_len(p, true);
	if (n == 0)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected a string or atom");
	out->s = (const char *)p->pos;
	out->len = n;
	p->pos += n;
	return 0;
}

/* mailbox = "INBOX" / astring (RFC 9051 §9): INBOX in any case is INBOX;
 * other names are modified UTF-7 unless UTF8=ACCEPT is on (§5.1.3). */
int correu__imap_mailbox(correu_imap_parser *p, struct ip_str *utf8, struct ip_str *raw)
{
	correu_ssize n;
	int rc = correu__imap_astring(p, raw);

	if (rc < 0)
		return rc;
	if (raw->len == 5 && strncasecmp(raw->s, "INBOX", 5) == 0) {
		utf8->s = "INBOX";
		utf8->len = 5;
		return 0;
	}
	if (p->utf8) {
		*utf8 = *raw;
		return 0;
	}
	rc = correu__buf_reserve(&p->name, correu_mutf7_decoded_max(raw->len));
	if (rc < 0)
		return correu__imap_fail(p, rc, "mailbox name too long");
	n = correu_mutf7_decode(raw->s, raw->len, (char *)p->name.data, p->name.cap);
	if (n < 0)
		return correu__imap_fail(p, CORREU_ERR_ENCODING, "mailbox name not modified UTF-7");
	utf8->s = n ? (const char *)p->name.data : empty;
	utf8->len = (size_t)n;
	return 0;
}

/* sequence-set as sent; its syntax is checked by correu_imap_seqset_next. */
int correu__imap_seqset(correu_imap_parser *p, struct ip_str *out)
{
	const uint8_t *q = p->pos;
	size_t pos = 0;
	uint32_t a, b;
	int rc;

	while (q < p->end && ((*q >= '0' && *q <= '9') || *q == ':' || *q == ',' || *q == '*'))
		q++;
	out->s = (const char *)p->pos;
	out->len = (size_t)(q - p->pos);
	if (out->len == 0)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected a sequence set");
	while ((rc = correu_imap_seqset_next(out->s, out->len, &pos, &a, &b)) > 0)
		;
	if (rc < 0)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "malformed sequence set");
	p->pos = q;
	return 0;
}

/* One token of a value being skipped: a string, or a run of anything that
 * is not a space, parenthesis, quote or brace. */
static int skip_token(correu_imap_parser *p)
{
	struct ip_str s;
	const uint8_t *q = p->pos;

	if (ip_peek(p) == '"')
		return correu__imap_string(p, &s);
	if (ip_peek(p) == '{' || ip_peek(p) == '~')
		return literal(p, &s, true);
	while (q<p->end && * q> 0x20 && *q != 0x7f && !strchr("(){\"", *q))
		q++;
	if (q == p->pos)
		return correu__imap_fail(p, CORREU_ERR_SYNTAX, "expected a value");
	p->pos = q;
	return 0;
}

int correu__imap_skip_value(correu_imap_parser *p, struct ip_str *raw)
{
	const uint8_t *start = p->pos;
	uint32_t base = p->depth;
	int rc;

	for (;;) {
		if (ip_peek(p) == '(') {
			if ((rc = correu__imap_open(p)) < 0)
				return rc;
			continue;
		}
		if (ip_peek(p) == ')' && p->depth > base) {
			if ((rc = correu__imap_close(p)) < 0)
				return rc;
		} else if ((rc = skip_token(p)) < 0) {
			return rc;
		}
		if (p->depth == base)
			break;
		/* Inside a list: elements are separated by one space; a list
		 * may follow a ")" directly (as in THREAD). */
		if (ip_peek(p) == ' ' && p->pos + 1 < p->end && p->pos[1] != ')')
			p->pos++;
		else if (ip_peek(p) != ')' && ip_peek(p) != '(')
			return correu__imap_fail(p, CORREU_ERR_SYNTAX, "malformed list");
	}
	raw->s = (const char *)start;
	raw->len = (size_t)(p->pos - start);
	return 0;
}
