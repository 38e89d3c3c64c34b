/*
 * Command lines as the SMTP server reads them (SMTP layer, server side):
 * the verb, the reverse or forward path of MAIL and RCPT with its ESMTP
 * parameters (RFC 5321 section 4.1.2), xtext (RFC 3461 section 4) and
 * decimal numbers. Everything is a view into the line: nothing is copied
 * until a length has been checked against its limit. The character rules
 * for a mailbox are the client's (correu__smtp_check_path), so both sides
 * agree on what an address may hold.
 */
#include <string.h>

#include "smtpd_int.h"

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

bool correu__smtpd_kw(const char *p, size_t len, const char *kw)
{
	size_t n = strlen(kw);

	if (len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(p[i]) != lower(kw[i]))
			return false;
	return true;
}

void correu__smtpd_parse_cmd(const uint8_t *line, size_t len, correu__smtpd_cmd *out)
{
	static const struct {
		const char *name;
		enum smtpd_verb verb;
	} verbs[] = {
		{ "EHLO", V_EHLO },       { "HELO", V_HELO },         { "LHLO", V_LHLO },
		{ "MAIL", V_MAIL },       { "RCPT", V_RCPT },         { "DATA", V_DATA },
		{ "BDAT", V_BDAT },       { "RSET", V_RSET },         { "NOOP", V_NOOP },
		{ "QUIT", V_QUIT },       { "HELP", V_HELP },         { "VRFY", V_VRFY },
		{ "EXPN", V_EXPN },       { "STARTTLS", V_STARTTLS }, { "AUTH", V_AUTH },
		{ "XCLIENT", V_XCLIENT },
	};
	const char *p = (const char *)line;
	size_t vlen = 0;

	while (vlen < len && p[vlen] != ' ')
		vlen++;
	out->verb = V_UNKNOWN;
	out->arg = "";
	out->arg_len = 0;
	for (size_t i = 0; i < CORREU__ARRAY_LEN(verbs); i++)
		if (correu__smtpd_kw(p, vlen, verbs[i].name))
			out->verb = verbs[i].verb;
	/* RFC 5321 section 4.1.1: the verb, one space, the argument. */
	if (vlen < len) {
		out->arg = p + vlen + 1;
		out->arg_len = len - vlen - 1;
	}
}

int correu__smtpd_u64(const char *p, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 20)
		return CORREU_ERR_SYNTAX;
	for (size_t i = 0; i < len; i++) {
		unsigned d = (unsigned)(p[i] - '0');

		if (d > 9)
			return CORREU_ERR_SYNTAX;
		if (v > (UINT64_MAX - d) / 10)
			return CORREU_ERR_LIMIT;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

static int hexval(char c)
{
	/* RFC 3461 section 4: the two hex digits are upper case. */
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

correu_ssize correu__smtpd_xtext_decode(const char *p, size_t len, char *out, size_t cap)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '+') {
			int hi, lo;

			if (len - i < 3 || (hi = hexval(p[i + 1])) < 0 ||
			    (lo = hexval(p[i + 2])) < 0)
				return CORREU_ERR_SYNTAX;
			ch = (unsigned char)(hi * 16 + lo);
			i += 2;
		} else if (ch < '!' || ch > '~' || ch == '=') {
			return CORREU_ERR_SYNTAX;
		}
		/* The decoded value goes to the backend and into logs: no
		 * control characters, whatever the encoding allowed. */
		if (ch < 0x20 || ch == 0x7f)
			return CORREU_ERR_SYNTAX;
		if (n == cap)
			return CORREU_ERR_LIMIT;
		out[n++] = (char)ch;
	}
	return (correu_ssize)n;
}

/* RFC 5321 section 4.1.2: Mailbox = Local-part "@" ( Domain / address-literal ). */
int correu__smtpd_check_mailbox(const char *p, size_t len, bool utf8_ok, bool rcpt)
{
	const char *at = NULL;
	size_t dlen;

	if (len == 0)
		return rcpt ? CORREU_ERR_ARG : 0;
	if (correu__smtp_check_path(p, len, utf8_ok) < 0)
		return CORREU_ERR_ARG;
	/* The domain follows the last "@" (a quoted local part may hold one). */
	for (size_t i = len; i-- > 0;)
		if (p[i] == '@') {
			at = p + i;
			break;
		}
	if (!at)
		/* RFC 5321 section 4.5.1: "postmaster" alone is a valid recipient. */
		return rcpt && correu__smtpd_kw(p, len, "postmaster") ? 0 : CORREU_ERR_ARG;
	dlen = len - (size_t)(at - p) - 1;
	if (at == p || dlen == 0)
		return CORREU_ERR_ARG;
	/* An internationalised domain (RFC 6531) is checked only for the
	 * characters above; an ASCII one must be a domain or literal. */
	for (size_t i = 0; i < dlen; i++)
		if ((unsigned char)at[1 + i] >= 0x80)
			return 0;
	return correu__smtp_check_domain(at + 1, dlen) < 0 ? CORREU_ERR_ARG : 0;
}

/* Parameters after the path: SP-separated "kw[=value]" (RFC 5321 section
 * 4.1.2, esmtp-param); values are printable without "=" and space, or
 * UTF-8 (RFC 6531 section 3.3). */
static int parse_params(const char *p, size_t len, correu__smtpd_addr_cmd *out)
{
	size_t i = 0;

	out->nparams = 0;
	while (i < len) {
		correu__smtpd_param *pm;
		size_t start;

		if (p[i] != ' ')
			return CORREU_ERR_SYNTAX;
		while (i < len && p[i] == ' ')
			i++;
		if (i == len)
			break;
		if (out->nparams == SMTPD_MAX_PARAMS)
			return CORREU_ERR_LIMIT;
		pm = &out->params[out->nparams++];
		memset(pm, 0, sizeof(*pm));
		start = i;
		while (i < len && p[i] != ' ' && p[i] != '=') {
			char c = p[i];

			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || (c == '-' && i > start)))
				return CORREU_ERR_SYNTAX;
			i++;
		}
		if (i == start)
			return CORREU_ERR_SYNTAX;
		pm->kw = p + start;
		pm->kw_len = i - start;
		if (i < len && p[i] == '=') {
			start = ++i;
			while (i < len && p[i] != ' ') {
				unsigned char c = (unsigned char)p[i];

				if (c < 33 || c == '=' || c == 0x7f)
					return CORREU_ERR_SYNTAX;
				i++;
			}
			if (i == start)
				return CORREU_ERR_SYNTAX;
			pm->has_val = true;
			pm->val = p + start;
			pm->val_len = i - start;
		}
	}
	return 0;
}

int correu__smtpd_parse_addr(const char *arg, size_t len, bool rcpt, correu__smtpd_addr_cmd *out)
{
	const char *pre = rcpt ? "TO:" : "FROM:";
	size_t plen = strlen(pre), i, open, close;
	bool quoted = false;

	memset(out, 0, sizeof(*out));
	if (len < plen || !correu__smtpd_kw(arg, plen, pre))
		return CORREU_ERR_SYNTAX;
	i = plen;
	/* "MAIL FROM: <a@b>" breaks the grammar but is common enough that
	 * every server accepts it; the address itself is still strict. */
	while (i < len && arg[i] == ' ')
		i++;
	if (i == len || arg[i] != '<')
		return CORREU_ERR_SYNTAX;
	open = i++;
	/* The closing bracket: the first ">" outside a quoted local part. */
	for (; i < len; i++) {
		if (arg[i] == '"')
			quoted = !quoted;
		else if (arg[i] == '\\' && quoted && i + 1 < len)
			i++;
		else if (arg[i] == '>' && !quoted)
			break;
	}
	if (i == len)
		return CORREU_ERR_SYNTAX;
	close = i;
	if (close - open + 1 > SMTPD_MAX_PATH)
		return CORREU_ERR_LIMIT;
	out->path = arg + open + 1;
	out->path_len = close - open - 1;
	/* RFC 5321 section 4.1.1.3 and appendix C: a source route
	 * "@a,@b:" is accepted and ignored. */
	if (out->path_len && out->path[0] == '@') {
		const char *colon = memchr(out->path, ':', out->path_len);

		if (!colon)
			return CORREU_ERR_ARG;
		out->path_len -= (size_t)(colon + 1 - out->path);
		out->path = colon + 1;
	}
	return parse_params(arg + close + 1, len - close - 1, out);
}
