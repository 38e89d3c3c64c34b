/*
 * Response framing for the IMAP response parser (IMAP layer): which kind
 * of response a first line starts, and whether a line ends in a literal
 * marker ("{n}" or "~{n}", RFC 9051 §4.3, RFC 3516) that the next n bytes
 * belong to. This is decided from the bytes alone, before the grammar reads
 * them, so that a malformed response can be skipped to its true end and
 * the stream never loses its place. A literal right after a BODY[...],
 * BINARY[...] or RFC822 item name of a FETCH is "streamed": handed to the
 * application in chunks rather than held.
 */
#include <string.h>
#include <strings.h>

#include "imap_internal.h"

static size_t word_len(const uint8_t *s, size_t n)
{
	size_t i = 0;

	while (i < n && s[i] != ' ')
		i++;
	return i;
}

static bool word_is(const uint8_t *s, size_t n, const char *w)
{
	return n == strlen(w) && strncasecmp((const char *)s, w, n) == 0;
}

static bool status_word(const uint8_t *s, size_t n, bool untagged)
{
	return word_is(s, n, "OK") || word_is(s, n, "NO") || word_is(s, n, "BAD") ||
	       (untagged && (word_is(s, n, "PREAUTH") || word_is(s, n, "BYE")));
}

/* RFC 9051 §7: status responses and continuation requests are one line
 * whose text may end in anything, "{5}" included; data may hold literals. */
enum ip_kind correu__imap_classify(const uint8_t *line, size_t len)
{
	size_t n = word_len(line, len), m;

	if (n == 1 && line[0] == '+')
		return K_STATUS;
	if (n + 1 >= len)
		return K_DATA;
	line += n + 1;
	len -= n + 1;
	m = word_len(line, len);
	if (n == 1 && line[-2] == '*') {
		if (m > 0 && line[0] >= '0' && line[0] <= '9') {
			line += m;
			len -= m;
			if (len > 1) {
				m = word_len(line + 1, len - 1);
				if (word_is(line + 1, m, "FETCH"))
					return K_FETCH;
			}
			return K_DATA;
		}
		return status_word(line, m, true) ? K_STATUS : K_DATA;
	}
	return status_word(line, m, false) ? K_STATUS : K_DATA;
}

/* Item names whose literal value is streamed (RFC 9051 §7.5.2). */
static bool streamed_name(const uint8_t *s, size_t n)
{
	return (n > 5 && strncasecmp((const char *)s, "BODY[", 5) == 0) ||
	       (n > 7 && strncasecmp((const char *)s, "BINARY[", 7) == 0) ||
	       word_is(s, n, "RFC822") || word_is(s, n, "RFC822.HEADER") ||
	       word_is(s, n, "RFC822.TEXT");
}

/* The lexical state of a line read up to the literal marker. */
struct lex {
	uint32_t depth;
	bool quote, esc;
	uint32_t bracket;
	size_t tok;        /* start of the open depth-1 token, or SIZE_MAX */
	size_t stream_end; /* end of the last depth-1 streamed item name */
};

static void lex_token_end(struct lex *x, const uint8_t *line, size_t i)
{
	if (x->tok != SIZE_MAX && streamed_name(line + x->tok, i - x->tok))
		x->stream_end = i;
	x->tok = SIZE_MAX;
}

static void lex_byte(struct lex *x, const uint8_t *line, size_t i)
{
	uint8_t c = line[i];

	if (x->quote) {
		if (x->esc)
			x->esc = false;
		else if (c == '\\')
			x->esc = true;
		else if (c == '"')
			x->quote = false;
		return;
	}
	if (c == '"') {
		x->quote = true;
		x->stream_end = SIZE_MAX;
		return;
	}
	if (x->bracket) {
		/* A section spec ("BODY[HEADER.FIELDS (A B)]") is part of the
		 * item name, spaces and parentheses included. */
		if (c == ']')
			x->bracket--;
		return;
	}
	if (c == '[') {
		x->bracket++;
		return;
	}
	if (c == ' ' || c == '(' || c == ')') {
		lex_token_end(x, line, i);
		if (c == '(')
			x->depth++;
		else if (c == ')' && x->depth > 0)
			x->depth--;
		if (c != ' ')
			x->stream_end = SIZE_MAX;
		return;
	}
	if (x->depth == 1 && x->tok == SIZE_MAX)
		x->tok = i;
}

bool correu__imap_line_literal(correu_imap_parser *p, const uint8_t *line, size_t len,
                               uint64_t *size, bool *streamed, bool *bad_count)
{
	struct lex x = { p->fdepth, false, false, 0, SIZE_MAX, SIZE_MAX };
	size_t start, i;
	bool binary;
	int rc;

	*streamed = false;
	*bad_count = false;
	if (p->kind == K_STATUS)
		return false;
	rc = correu__imap_literal_marker(line, len, &start, size, &binary);
	if (rc == 0)
		return false;
	for (i = 0; i < start; i++)
		lex_byte(&x, line, i);
	if (x.quote)
		return false; /* "{n}" inside an unterminated quoted string */
	if (rc < 0) {
		*bad_count = true;
		return false;
	}
	lex_token_end(&x, line, start);
	p->fdepth = x.depth;
	*streamed = p->kind == K_FETCH && x.depth == 1 && start > 0 && x.stream_end == start - 1 &&
	            line[start - 1] == ' ';
	return true;
}

/* The last bytes of an over-long line, outside quoted strings. */
void correu__imap_tail_push(correu_imap_parser *p, const uint8_t *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		uint8_t c = s[i];

		if (p->skip_quote) {
			if (p->skip_esc)
				p->skip_esc = false;
			else if (c == '\\')
				p->skip_esc = true;
			else if (c == '"')
				p->skip_quote = false;
		} else if (c == '"') {
			p->skip_quote = true;
		}
		if (p->tail_len == sizeof(p->tail)) {
			memmove(p->tail, p->tail + 1, sizeof(p->tail) - 1);
			p->tail_len--;
		}
		p->tail[p->tail_len++] = c;
	}
}

bool correu__imap_tail_literal(const correu_imap_parser *p, uint64_t *size)
{
	size_t start;
	bool binary;

	if (p->skip_quote || p->kind == K_STATUS)
		return false;
	return correu__imap_literal_marker(p->tail, p->tail_len, &start, size, &binary) == 1;
}
