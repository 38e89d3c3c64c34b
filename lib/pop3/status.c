/*
 * POP3 response syntax (POP3 layer): the status indicator "+OK" / "-ERR"
 * (RFC 1939 §3), extended response codes in brackets (RFC 2449 §8,
 * RFC 3206, RFC 6856), SASL continuations (RFC 5034 §4), the numbers of
 * STAT, LIST and UIDL (RFC 1939 §5, §7) and the APOP timestamp of the
 * greeting. Pure functions over (ptr, len); nothing is copied.
 */
#include <string.h>

#include "pop3_internal.h"

static const struct {
	const char *name;
	uint32_t code;
} resp_codes[] = {
	{ "IN-USE", CORREU_POP3_RESP_IN_USE },     { "LOGIN-DELAY", CORREU_POP3_RESP_LOGIN_DELAY },
	{ "SYS/TEMP", CORREU_POP3_RESP_SYS_TEMP }, { "SYS/PERM", CORREU_POP3_RESP_SYS_PERM },
	{ "AUTH", CORREU_POP3_RESP_AUTH },         { "UTF8", CORREU_POP3_RESP_UTF8 },
};

static uint32_t code_of(const char *p, size_t len)
{
	for (size_t i = 0; i < CORREU__ARRAY_LEN(resp_codes); i++)
		if (correu__pop3_word_is(p, len, resp_codes[i].name))
			return resp_codes[i].code;
	return CORREU_POP3_RESP_OTHER;
}

/* RFC 2449 §8: resp-code = "[" resp-level *("/" resp-level) "]", a level
 * being 1*(%x21-2E / %x30-5C / %x5E-7F); a malformed one is plain text. */
static void parse_code(correu__pop3_status *st)
{
	const char *t = st->text;
	size_t i;

	if (st->text_len < 3 || t[0] != '[')
		return;
	for (i = 1; i < st->text_len && t[i] != ']'; i++) {
		unsigned char ch = (unsigned char)t[i];

		if (ch < 0x21 || ch > 0x7f || ((ch == '/') && (i == 1 || t[i - 1] == '/')))
			return;
	}
	if (i == st->text_len || i == 1 || t[i - 1] == '/')
		return;
	st->code = t + 1;
	st->code_len = i - 1;
	st->resp_code = code_of(st->code, st->code_len);
	i++;
	if (i < st->text_len && t[i] == ' ')
		i++;
	st->text += i;
	st->text_len -= i;
}

int correu__pop3_status_parse(const uint8_t *line, size_t len, bool codes, correu__pop3_status *st)
{
	const char *p = (const char *)line;
	size_t n;

	memset(st, 0, sizeof(*st));
	if (len >= 3 && memcmp(p, "+OK", 3) == 0) {
		st->ok = true;
		n = 3;
	} else if (len >= 4 && memcmp(p, "-ERR", 4) == 0)
		n = 4;
	else
		return CORREU_ERR_SYNTAX;
	/* RFC 1939 §3: the indicator is followed by a space and text, or
	 * nothing; "+OKAY" is not a status. */
	if (len > n && p[n] != ' ')
		return CORREU_ERR_SYNTAX;
	if (len > n)
		n++;
	st->text = p + n;
	st->text_len = len - n;
	if (codes)
		parse_code(st);
	return 0;
}

int correu__pop3_challenge(const uint8_t *line, size_t len, const char **b64, size_t *b64_len)
{
	if (len == 0 || line[0] != '+' || (len > 1 && line[1] != ' '))
		return 0;
	*b64 = len > 2 ? (const char *)line + 2 : "";
	*b64_len = len > 2 ? len - 2 : 0;
	return 1;
}

/* A decimal number of at most `max`; returns the bytes used, 0 for none or
 * an overflow. RFC 1939 numbers have no sign and no leading "+". */
static size_t number(const char *p, size_t len, uint64_t max, uint64_t *v)
{
	size_t i = 0;

	*v = 0;
	while (i < len && p[i] >= '0' && p[i] <= '9') {
		unsigned d = (unsigned)(p[i] - '0');

		if (*v > (max - d) / 10)
			return 0;
		*v = *v * 10 + d;
		i++;
	}
	return i;
}

int correu__pop3_parse_pair(const char *p, size_t len, uint32_t *n, uint64_t *size)
{
	uint64_t a;
	size_t i = number(p, len, UINT32_MAX, &a), j;

	if (i == 0 || i >= len || p[i] != ' ')
		return CORREU_ERR_PROTO;
	i++;
	j = number(p + i, len - i, UINT64_MAX, size);
	if (j == 0 || (i + j < len && p[i + j] != ' '))
		return CORREU_ERR_PROTO;
	*n = (uint32_t)a;
	return 0;
}

int correu__pop3_parse_uid(const char *p, size_t len, uint32_t *n, const char **uid,
                           size_t *uid_len)
{
	uint64_t a;
	size_t i = number(p, len, UINT32_MAX, &a), j;

	if (i == 0 || i >= len || p[i] != ' ')
		return CORREU_ERR_PROTO;
	i++;
	for (j = i; j < len && p[j] >= 0x21 && p[j] <= 0x7e; j++)
		;
	if (j == i || j - i > 70 || (j < len && p[j] != ' '))
		return CORREU_ERR_PROTO;
	*n = (uint32_t)a;
	*uid = p + i;
	*uid_len = j - i;
	return 0;
}

void correu__pop3_timestamp(const char *p, size_t len, size_t *off, size_t *ts_len)
{
	/* RFC 1939 §7: the timestamp has msg-id syntax, "<" id "@" host ">";
	 * the greeting may hold other text, so take the first such token. */
	*ts_len = 0;
	for (size_t i = 0; i < len; i++) {
		bool at = false;
		size_t j;

		if (p[i] != '<')
			continue;
		for (j = i + 1; j < len && p[j] != '>' && p[j] != '<' && p[j] != ' '; j++)
			if (p[j] == '@')
				at = true;
		if (j < len && p[j] == '>' && at && j > i + 2) {
			*off = i;
			*ts_len = j + 1 - i;
			return;
		}
	}
}
