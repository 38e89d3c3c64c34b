/*
 * POP3 command lines (POP3 layer, server side; RFC 1939 section 3): a
 * keyword of three or four characters, compared without regard to case,
 * then arguments separated by single spaces. Message numbers are decimal,
 * checked for overflow before they are used (a client may send any digits).
 */
#include <string.h>

#include "pop3d_int.h"

static const struct {
	const char *kw;
	enum pop3d_verb verb;
} verbs[] = {
	{ "USER", V_USER }, { "PASS", V_PASS }, { "APOP", V_APOP }, { "AUTH", V_AUTH },
	{ "CAPA", V_CAPA }, { "STLS", V_STLS }, { "UTF8", V_UTF8 }, { "QUIT", V_QUIT },
	{ "STAT", V_STAT }, { "LIST", V_LIST }, { "UIDL", V_UIDL }, { "RETR", V_RETR },
	{ "TOP", V_TOP },   { "DELE", V_DELE }, { "RSET", V_RSET }, { "NOOP", V_NOOP },
};

void correu__pop3d_parse_cmd(const uint8_t *line, size_t len, correu__pop3d_cmd *out)
{
	const char *p = (const char *)line;
	const char *sp = memchr(p, ' ', len);
	size_t kw_len = sp ? (size_t)(sp - p) : len;

	out->verb = V_UNKNOWN;
	out->arg = sp ? sp + 1 : "";
	out->arg_len = sp ? len - kw_len - 1 : 0;
	for (size_t i = 0; i < CORREU__ARRAY_LEN(verbs); i++)
		if (correu__pop3_word_is(p, kw_len, verbs[i].kw))
			out->verb = verbs[i].verb;
}

int correu__pop3d_u32(const char *p, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return CORREU_ERR_SYNTAX;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9')
			return CORREU_ERR_SYNTAX;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	if (v > UINT32_MAX)
		return CORREU_ERR_SYNTAX;
	*out = (uint32_t)v;
	return 0;
}

int correu__pop3d_two(const char *p, size_t len, const char **a, size_t *alen, const char **b,
                      size_t *blen)
{
	const char *sp = memchr(p, ' ', len);

	if (!sp)
		return CORREU_ERR_SYNTAX;
	*a = p;
	*alen = (size_t)(sp - p);
	*b = sp + 1;
	*blen = len - *alen - 1;
	if (*alen == 0 || *blen == 0 || memchr(*b, ' ', *blen))
		return CORREU_ERR_SYNTAX;
	return 0;
}
