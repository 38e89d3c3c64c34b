/*
 * Lexical tokens of structured header fields for the MIME layer: white
 * space and nested comments (RFC 5322 §3.2.2), tokens (RFC 2045 §5.1) and
 * quoted strings (RFC 5322 §3.2.4). Every scanner only moves forward and
 * nests comments with a counter, never recursion.
 */
#include "mime_internal.h"

static uint8_t lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c;
}

bool correu__mime_ieqn(const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

bool correu__mime_ieq(const uint8_t *a, size_t alen, const char *b)
{
	size_t i = 0;

	for (; i < alen && b[i]; i++)
		if (lower(a[i]) != lower((uint8_t)b[i]))
			return false;
	return i == alen && b[i] == '\0';
}

bool correu__mime_is_wsp(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t correu__mime_skip_cfws(const uint8_t *p, size_t len, size_t i)
{
	size_t depth = 0;

	while (i < len) {
		uint8_t c = p[i];

		if (depth == 0 && correu__mime_is_wsp(c)) {
			i++;
		} else if (c == '(') {
			depth++;
			i++;
		} else if (depth > 0 && c == ')') {
			depth--;
			i++;
		} else if (depth > 0 && c == '\\') {
			i += i + 1 < len ? 2 : 1;
		} else if (depth > 0) {
			i++;
		} else {
			break;
		}
	}
	return i;
}

static bool is_tspecial(uint8_t c)
{
	switch (c) {
	case '(':
	case ')':
	case '<':
	case '>':
	case '@':
	case ',':
	case ';':
	case ':':
	case '\\':
	case '"':
	case '/':
	case '[':
	case ']':
	case '?':
	case '=': return true;
	default: return false;
	}
}

size_t correu__mime_token_end(const uint8_t *p, size_t len, size_t i)
{
	/* 8-bit bytes are accepted in tokens: RFC 6532 headers carry UTF-8. */
	while (i < len && p[i] > ' ' && p[i] != 0x7f && !is_tspecial(p[i]))
		i++;
	return i;
}

size_t correu__mime_quoted_end(const uint8_t *p, size_t len, size_t i)
{
	for (i++; i < len; i++) {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '"')
			return i + 1;
	}
	return len;
}
