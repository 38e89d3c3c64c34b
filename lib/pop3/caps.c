/*
 * The POP3 capability table (POP3 layer): the lines of a CAPA response
 * (RFC 2449 §5), kept as the server sent them so unknown ones stay
 * visible, with the known keywords (§6, RFC 2595, RFC 5034, RFC 6856) as a
 * mask, and the queries of the public API.
 */
#include <string.h>

#include "pop3_internal.h"

static const struct {
	const char *kw;
	uint32_t bit;
} known[] = {
	{ "TOP", CORREU_POP3_CAP_TOP },
	{ "UIDL", CORREU_POP3_CAP_UIDL },
	{ "USER", CORREU_POP3_CAP_USER },
	{ "SASL", CORREU_POP3_CAP_SASL },
	{ "STLS", CORREU_POP3_CAP_STLS },
	{ "PIPELINING", CORREU_POP3_CAP_PIPELINING },
	{ "UTF8", CORREU_POP3_CAP_UTF8 },
	{ "RESP-CODES", CORREU_POP3_CAP_RESP_CODES },
	{ "AUTH-RESP-CODE", CORREU_POP3_CAP_AUTH_RESP_CODE },
	{ "EXPIRE", CORREU_POP3_CAP_EXPIRE },
	{ "LOGIN-DELAY", CORREU_POP3_CAP_LOGIN_DELAY },
	{ "IMPLEMENTATION", CORREU_POP3_CAP_IMPLEMENTATION },
};

void correu__pop3_caps_init(correu__pop3_caps *c, const correu_allocator *a, size_t max)
{
	c->mask = 0;
	c->answered = false;
	correu__buf_init(&c->text, a, max);
	/* One entry per line at most; a line holds at least one byte. */
	correu__buf_init(&c->lines, a,
	                 max / 2 * sizeof(correu__pop3_cap) + sizeof(correu__pop3_cap));
}

void correu__pop3_caps_clear(correu__pop3_caps *c)
{
	c->mask = 0;
	c->answered = false;
	c->text.len = 0;
	c->lines.len = 0;
}

void correu__pop3_caps_free(correu__pop3_caps *c)
{
	correu__buf_free(&c->text, false);
	correu__buf_free(&c->lines, false);
	c->mask = 0;
}

int correu__pop3_caps_add(correu__pop3_caps *c, const uint8_t *line, size_t len)
{
	correu__pop3_cap e;
	const char *p;
	size_t k = 0;
	int rc;

	/* An empty line names no capability (RFC 2449 §5); skip it, and so
	 * never form a pointer into a table that holds nothing yet. */
	if (len == 0)
		return 0;
	/* Room for the line and its entry is checked before anything is
	 * copied, so a refused line leaves the table as it was. */
	if (len > c->text.max - c->text.len || sizeof(e) > c->lines.max - c->lines.len)
		return CORREU_ERR_LIMIT;
	e.kw_off = c->text.len;
	rc = correu__buf_append(&c->text, line, len);
	if (rc < 0)
		return rc;
	p = (const char *)c->text.data + e.kw_off;
	while (k < len && p[k] != ' ')
		k++;
	e.kw_len = k;
	while (k < len && p[k] == ' ')
		k++;
	e.par_off = e.kw_off + k;
	e.par_len = len - k;
	rc = correu__buf_append(&c->lines, &e, sizeof(e));
	if (rc < 0) {
		c->text.len = e.kw_off;
		return rc;
	}
	for (size_t i = 0; i < CORREU__ARRAY_LEN(known); i++)
		if (correu__pop3_word_is(p, e.kw_len, known[i].kw))
			c->mask |= known[i].bit;
	/* RFC 6856 §2: "UTF8 USER" also allows UTF-8 user names. */
	if (correu__pop3_word_is(p, e.kw_len, "UTF8") && e.par_len >= 4 &&
	    correu__pop3_word_is(p + k, 4, "USER") && (e.par_len == 4 || p[k + 4] == ' '))
		c->mask |= CORREU_POP3_CAP_UTF8_USER;
	return 0;
}

static size_t count(const correu__pop3_caps *c)
{
	return c->lines.len / sizeof(correu__pop3_cap);
}

static correu__pop3_cap entry(const correu__pop3_caps *c, size_t i)
{
	correu__pop3_cap e;

	memcpy(&e, c->lines.data + i * sizeof(e), sizeof(e));
	return e;
}

const char *correu__pop3_caps_find(const correu__pop3_caps *c, const char *kw, size_t kw_len,
                                   size_t *len)
{
	for (size_t i = 0; i < count(c); i++) {
		correu__pop3_cap e = entry(c, i);

		if (correu__pop3_eq_nocase((const char *)c->text.data + e.kw_off, e.kw_len, kw,
		                           kw_len)) {
			*len = e.par_len;
			return (const char *)c->text.data + e.par_off;
		}
	}
	return NULL;
}

uint32_t correu_pop3_client_caps(const correu_pop3_client *c)
{
	return c ? c->caps.mask : 0;
}

int correu_pop3_client_has_capa(const correu_pop3_client *c)
{
	return c && c->caps.answered;
}

const char *correu_pop3_client_sasl_mechs(const correu_pop3_client *c, size_t *len_out)
{
	const char *p;
	size_t len = 0;

	if (len_out)
		*len_out = 0;
	if (!c || !len_out)
		return NULL;
	p = correu__pop3_caps_find(&c->caps, "SASL", 4, &len);
	if (!p || len == 0)
		return NULL;
	*len_out = len;
	return p;
}

/* "n", "n USER", "NEVER" (EXPIRE only): RFC 2449 §6.7, §6.8. */
static int number_cap(const correu_pop3_client *c, const char *kw, bool never_ok, uint32_t *v_out,
                      uint32_t *per_user_out)
{
	const char *p;
	size_t len = 0, i = 0;
	uint64_t v = 0;

	if (!c || !v_out)
		return CORREU_ERR_ARG;
	p = correu__pop3_caps_find(&c->caps, kw, strlen(kw), &len);
	if (!p)
		return CORREU_ERR_NOT_FOUND;
	if (never_ok && len >= 5 && correu__pop3_word_is(p, 5, "NEVER") &&
	    (len == 5 || p[5] == ' ')) {
		v = CORREU_POP3_EXPIRE_NEVER;
		i = 5;
	} else {
		while (i < len && p[i] >= '0' && p[i] <= '9') {
			v = v * 10 + (uint64_t)(p[i] - '0');
			if (v >= UINT32_MAX)
				return CORREU_ERR_NOT_FOUND;
			i++;
		}
		if (i == 0)
			return CORREU_ERR_NOT_FOUND;
	}
	*v_out = (uint32_t)v;
	if (per_user_out)
		*per_user_out =
			len >= i + 5 && p[i] == ' ' && correu__pop3_word_is(p + i + 1, 4, "USER");
	return 0;
}

int correu_pop3_client_expire(const correu_pop3_client *c, uint32_t *days_out,
                              uint32_t *per_user_out)
{
	return number_cap(c, "EXPIRE", true, days_out, per_user_out);
}

int correu_pop3_client_login_delay(const correu_pop3_client *c, uint32_t *seconds_out,
                                   uint32_t *per_user_out)
{
	return number_cap(c, "LOGIN-DELAY", false, seconds_out, per_user_out);
}

size_t correu_pop3_client_cap_count(const correu_pop3_client *c)
{
	return c ? count(&c->caps) : 0;
}

int correu_pop3_client_cap_at(const correu_pop3_client *c, size_t i, const char **keyword_out,
                              size_t *keyword_len_out, const char **params_out,
                              size_t *params_len_out)
{
	correu__pop3_cap e;

	if (!c || !keyword_out || !keyword_len_out || !params_out || !params_len_out)
		return CORREU_ERR_ARG;
	if (i >= count(&c->caps))
		return CORREU_ERR_NOT_FOUND;
	e = entry(&c->caps, i);
	*keyword_out = (const char *)c->caps.text.data + e.kw_off;
	*keyword_len_out = e.kw_len;
	*params_out = (const char *)c->caps.text.data + e.par_off;
	*params_len_out = e.par_len;
	return 0;
}

int correu_pop3_client_cap_find(const correu_pop3_client *c, const char *keyword, size_t len,
                                const char **params_out, size_t *params_len_out)
{
	const char *p;

	if (!c || !keyword || !params_out || !params_len_out)
		return CORREU_ERR_ARG;
	p = correu__pop3_caps_find(&c->caps, keyword, len, params_len_out);
	if (!p)
		return CORREU_ERR_NOT_FOUND;
	*params_out = p;
	return 0;
}
