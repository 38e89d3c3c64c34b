/*
 * Words on the POP3 wire (POP3 layer): every argument an application
 * passes is checked before it is formatted, because a CR, LF or NUL inside
 * it would end the command early and let the rest run as a command of its
 * own (command injection); numbers are appended here, and the
 * server's keywords compared without regard to case.
 */
#include <string.h>

#include "pop3_internal.h"

int correu__pop3_check_arg(const char *p, size_t len, bool no_space)
{
	if (len && !p)
		return CORREU_ERR_ARG;
	for (size_t i = 0; i < len; i++)
		if (p[i] == '\r' || p[i] == '\n' || p[i] == '\0' || (no_space && p[i] == ' '))
			return CORREU_ERR_ARG;
	return 0;
}

bool correu__pop3_eq_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i], y = b[i];

		/* Keywords and codes are ASCII: a plain fold is enough. */
		if (x >= 'a' && x <= 'z')
			x = (char)(x - 'a' + 'A');
		if (y >= 'a' && y <= 'z')
			y = (char)(y - 'a' + 'A');
		if (x != y)
			return false;
	}
	return true;
}

bool correu__pop3_word_is(const char *p, size_t len, const char *word)
{
	return correu__pop3_eq_nocase(p, len, word, strlen(word));
}

int correu__pop3_append_str(correu__buf *out, const char *s)
{
	return correu__buf_append(out, s, strlen(s));
}

int correu__pop3_append_u32(correu__buf *out, uint32_t v)
{
	char tmp[10];
	size_t n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return correu__buf_append(out, tmp + sizeof(tmp) - n, n);
}
