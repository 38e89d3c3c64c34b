/*
 * SMTP reply lines (SMTP layer): the three-digit code, the continuation
 * mark and the text (RFC 5321 §4.2), assembled into one reply, and the
 * enhanced status code at the start of each line's text (RFC 2034, RFC
 * 3463).
 * Strict: a malformed line is an error, never guessed at.
 */
#include <string.h>

#include "smtp_internal.h"

/* RFC 5321 §4.2: the first digit is 2..5, the second 0..5, the third any. */
static int parse_code(const uint8_t *p, unsigned *code)
{
	if (p[0] < '2' || p[0] > '5' || p[1] < '0' || p[1] > '5' || p[2] < '0' || p[2] > '9')
		return CORREU_ERR_SYNTAX;
	*code = (unsigned)(p[0] - '0') * 100u + (unsigned)(p[1] - '0') * 10u + (unsigned)(p[2] - '0');
	return 0;
}

void correu__smtp_reply_clear(correu__smtp_reply *r)
{
	r->code = 0;
	r->done = false;
	r->text.len = 0;
	r->cls = r->subject = r->detail = 0;
}

int correu__smtp_reply_line(correu__smtp_reply *r, const uint8_t *line, size_t len)
{
	unsigned code;
	bool last;
	int rc;

	if (r->done)
		correu__smtp_reply_clear(r);
	/* "ddd", "ddd text" or "ddd-text"; a bare "ddd" is allowed by the
	 * grammar's optional textstring and sent by real servers. */
	if (len < 3 || parse_code(line, &code) < 0)
		return CORREU_ERR_SYNTAX;
	if (len == 3)
		last = true;
	else if (line[3] == ' ')
		last = true;
	else if (line[3] == '-')
		last = false;
	else
		return CORREU_ERR_SYNTAX;
	/* Text is printable ASCII, tab or UTF-8 (RFC 6531 §3.7.4); NUL and
	 * other controls are refused so that they never reach the caller. */
	for (size_t i = 4; i < len; i++)
		if ((line[i] < 0x20 && line[i] != '\t') || line[i] == 0x7f)
			return CORREU_ERR_SYNTAX;
	/* Every line of a multi-line reply carries the same code (§4.2.1). */
	if (r->code && code != r->code)
		return CORREU_ERR_PROTO;
	if (r->code) {
		rc = correu__buf_append(&r->text, "\n", 1);
		if (rc < 0)
			return rc;
	}
	r->code = code;
	if (len > 4) {
		rc = correu__buf_append(&r->text, line + 4, len - 4);
		if (rc < 0)
			return rc;
	}
	r->done = last;
	return last ? 1 : 0;
}

/* 1..3 digits without a leading zero unless alone (RFC 3463 §2). */
static size_t parse_num(const char *p, size_t len, uint32_t *out)
{
	size_t n = 0;
	uint32_t v = 0;

	while (n < len && n < 4 && p[n] >= '0' && p[n] <= '9') {
		v = v * 10u + (uint32_t)(p[n] - '0');
		n++;
	}
	if (n == 0 || n > 3 || (n > 1 && p[0] == '0'))
		return 0;
	*out = v;
	return n;
}

size_t correu__smtp_enhanced(const char *text, size_t len, unsigned code, uint32_t *cls,
                             uint32_t *subject, uint32_t *detail)
{
	uint32_t s, d;
	size_t i = 2, n;

	if (len < 5 || text[1] != '.' || (text[0] != '2' && text[0] != '4' && text[0] != '5'))
		return 0;
	/* RFC 3463 §3.1: the class matches the reply code's class. */
	if ((unsigned)(text[0] - '0') != code / 100u)
		return 0;
	n = parse_num(text + i, len - i, &s);
	if (!n)
		return 0;
	i += n;
	if (i >= len || text[i] != '.')
		return 0;
	i++;
	n = parse_num(text + i, len - i, &d);
	if (!n)
		return 0;
	i += n;
	if (i < len && text[i] != ' ' && text[i] != '\n')
		return 0;
	*cls = (uint32_t)(text[0] - '0');
	*subject = s;
	*detail = d;
	return i < len && text[i] == ' ' ? i + 1 : i;
}

void correu__smtp_reply_strip(correu__smtp_reply *r)
{
	char *t = (char *)r->text.data;
	size_t in = 0, out = 0;
	uint32_t c, s, d;

	/* A reply whose first line has no code does not use them, and digits
	 * on its later lines are text. */
	if (!r->text.len || !correu__smtp_enhanced(t, r->text.len, r->code, &r->cls, &r->subject,
	                                           &r->detail))
		return;
	/* Each line, '\n' included, moves down over the codes taken out. */
	while (in < r->text.len) {
		const char *nl = memchr(t + in, '\n', r->text.len - in);
		size_t end = nl ? (size_t)(nl - t) + 1 : r->text.len;
		size_t n = correu__smtp_enhanced(t + in, end - in, r->code, &c, &s, &d);

		memmove(t + out, t + in + n, end - in - n);
		out += end - in - n;
		in = end;
	}
	r->text.len = out;
}
