/*
 * EHLO capabilities (SMTP layer): each line after the first of the EHLO
 * reply is a keyword and its parameters (RFC 5321 §4.1.1.1). Known
 * keywords set a bit, SIZE and AUTH keep their values, and every line,
 * unknown ones included, is kept for the application to look up.
 */
#include <string.h>

#include "smtp_internal.h"

/* Known keywords, each at the position of its bit: CORREU_SMTP_CAP_* is
 * 1 << (its index here). */
static const char *const known[] = {
	"SIZE", "8BITMIME", "SMTPUTF8", "PIPELINING", "CHUNKING", "BINARYMIME",
	"DSN", "ENHANCEDSTATUSCODES", "STARTTLS", "REQUIRETLS", "AUTH",
};

static char upper(char x)
{
	return x >= 'a' && x <= 'z' ? (char)(x - 32) : x;
}

/* EHLO keywords are compared without regard to case (RFC 5321 §2.4). */
static bool same_word(const char *a, const char *b, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (upper(a[i]) != upper(b[i]))
			return false;
	return true;
}

void correu__smtp_caps_init(correu__smtp_caps *c, const correu_allocator *a, size_t max)
{
	c->mask = 0;
	c->max_size = 0;
	correu__buf_init(&c->text, a, max);
	correu__buf_init(&c->lines, a, SIZE_MAX);
	correu__buf_init(&c->auth, a, max);
}

void correu__smtp_caps_clear(correu__smtp_caps *c)
{
	c->mask = 0;
	c->max_size = 0;
	c->text.len = 0;
	c->lines.len = 0;
	c->auth.len = 0;
}

void correu__smtp_caps_free(correu__smtp_caps *c)
{
	correu__buf_free(&c->text, false);
	correu__buf_free(&c->lines, false);
	correu__buf_free(&c->auth, false);
}

/* SIZE's value: a decimal number, overflow-checked (RFC 1870 §4). */
static uint64_t parse_size(const char *p, size_t len)
{
	uint64_t v = 0;

	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		if (p[i] < '0' || p[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return 0;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	return v;
}

/* RFC 5321 §4.1.1.1: ehlo-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-"). */
static size_t keyword_len(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && ((p[i] >= 'A' && p[i] <= 'Z') || (p[i] >= 'a' && p[i] <= 'z') ||
	                   (p[i] >= '0' && p[i] <= '9') || (i > 0 && p[i] == '-')))
		i++;
	return i;
}

static int add_line(correu__smtp_caps *c, const char *p, size_t len)
{
	correu__smtp_cap cap;
	size_t kw = keyword_len(p, len), par = kw;
	int rc;

	/* Lines that are not a keyword are skipped: they are informative. A
	 * few old servers write "AUTH=LOGIN"; accept '=' like a space. */
	if (kw == 0 || (kw < len && p[kw] != ' ' && p[kw] != '='))
		return 0;
	if (par < len)
		par++;
	cap.kw_off = c->text.len;
	cap.kw_len = kw;
	cap.par_off = c->text.len + par;
	cap.par_len = len - par;
	rc = correu__buf_append(&c->text, p, len);
	if (rc == 0)
		rc = correu__buf_append(&c->lines, &cap, sizeof(cap));
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < CORREU__ARRAY_LEN(known); i++) {
		uint32_t bit = 1u << i;

		if (strlen(known[i]) != kw || !same_word(p, known[i], kw))
			continue;
		c->mask |= bit;
		if (bit == CORREU_SMTP_CAP_SIZE)
			c->max_size = parse_size(p + par, len - par);
		if (bit == CORREU_SMTP_CAP_AUTH && len > par) {
			if (c->auth.len)
				rc = correu__buf_append(&c->auth, " ", 1);
			if (rc == 0)
				rc = correu__buf_append(&c->auth, p + par, len - par);
		}
	}
	return rc;
}

int correu__smtp_caps_parse(correu__smtp_caps *c, const char *text, size_t len)
{
	size_t i = 0;
	bool first = true;

	correu__smtp_caps_clear(c);
	if (len == 0)
		return 0;
	while (i <= len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t end = nl ? (size_t)(nl - text) : len;

		if (!first) {
			int rc = add_line(c, text + i, end - i);

			if (rc < 0)
				return rc;
		}
		first = false;
		i = end + 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Public queries                                                      */

uint32_t correu_smtp_client_caps(const correu_smtp_client *c)
{
	return c ? c->caps.mask : 0;
}

uint64_t correu_smtp_client_max_size(const correu_smtp_client *c)
{
	return c ? c->caps.max_size : 0;
}

const char *correu_smtp_client_auth_mechs(const correu_smtp_client *c, size_t *len_out)
{
	if (len_out)
		*len_out = 0;
	if (!c || !len_out || c->caps.auth.len == 0)
		return NULL;
	*len_out = c->caps.auth.len;
	return (const char *)c->caps.auth.data;
}

size_t correu_smtp_client_cap_count(const correu_smtp_client *c)
{
	return c ? c->caps.lines.len / sizeof(correu__smtp_cap) : 0;
}

int correu_smtp_client_cap_at(const correu_smtp_client *c, size_t i, const char **keyword_out,
                              size_t *keyword_len_out, const char **params_out,
                              size_t *params_len_out)
{
	correu__smtp_cap cap;
	const char *text;

	if (!c || !keyword_out || !keyword_len_out || !params_out || !params_len_out)
		return CORREU_ERR_ARG;
	if (i >= correu_smtp_client_cap_count(c))
		return CORREU_ERR_NOT_FOUND;
	memcpy(&cap, c->caps.lines.data + i * sizeof(cap), sizeof(cap));
	text = (const char *)c->caps.text.data;
	*keyword_out = text + cap.kw_off;
	*keyword_len_out = cap.kw_len;
	*params_out = text + cap.par_off;
	*params_len_out = cap.par_len;
	return 0;
}

int correu_smtp_client_cap_find(const correu_smtp_client *c, const char *keyword, size_t len,
                                const char **params_out, size_t *params_len_out)
{
	size_t n = correu_smtp_client_cap_count(c);

	if (!c || !keyword || !params_out || !params_len_out)
		return CORREU_ERR_ARG;
	for (size_t i = 0; i < n; i++) {
		const char *kw;
		size_t kw_len;

		if (correu_smtp_client_cap_at(c, i, &kw, &kw_len, params_out, params_len_out) < 0)
			break;
		if (kw_len == len && same_word(kw, keyword, len))
			return 0;
	}
	*params_out = NULL;
	*params_len_out = 0;
	return CORREU_ERR_NOT_FOUND;
}
