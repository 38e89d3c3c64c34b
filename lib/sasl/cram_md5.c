/*
 * CRAM-MD5 (RFC 2195), client and server (SASL layer). The server sends a
 * unique msg-id-like challenge; the client answers with its user name, a
 * space and the lower-case hex HMAC-MD5 of the challenge keyed with the
 * shared secret. The server needs that secret in a plaintext-equivalent
 * form, which is why correu_sasl_choose() ranks this mechanism last.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sasl_internal.h"

#define MD5_LEN 16

/* Server states (s->state); the client only answers once (c->state 1). */
enum { CS_START = 0, CS_CHALLENGED, CS_ANSWERED };

static int client_check(correu_sasl_client *c)
{
	/* A space would split the response at the wrong place. */
	if (!c->user.len || !c->password.len || correu__sasl_has_byte(c->user.p, c->user.len, ' '))
		return CORREU_ERR_ARG;
	return 0;
}

static int client_step(correu_sasl_client *c, const uint8_t *in, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t mac[MD5_LEN];
	char text[2 * MD5_LEN + 1];
	int rc;

	if (c->state != 0)
		return correu__sasl_cfail(c, CORREU_ERR_PROTO, "CRAM-MD5: second challenge");
	c->state = 1;
	if (len == 0)
		return correu__sasl_cfail(c, CORREU_ERR_PROTO, "CRAM-MD5: empty challenge");
	rc = correu__sasl_hmac(CORREU_SASL_CRAM_MD5, (const uint8_t *)c->password.p,
	                       c->password.len, in, len, mac);
	if (rc < 0)
		return correu__sasl_cfail(c, rc, "HMAC-MD5 failed");
	text[0] = ' ';
	for (size_t i = 0; i < MD5_LEN; i++) {
		text[1 + 2 * i] = hex[mac[i] >> 4];
		text[2 + 2 * i] = hex[mac[i] & 15];
	}
	correu_wipe(mac, sizeof(mac));
	correu__sasl_str_free(c->set.allocator, &c->password); /* used once */
	if ((rc = correu__buf_append(&c->out, c->user.p, c->user.len)) == 0)
		rc = correu__buf_append(&c->out, text, sizeof(text));
	return rc;
}

static int server_start(correu_sasl_server *s)
{
	uint8_t r[16];
	uint64_t a = 0, b = 0;
	const char *host = s->set.hostname ? s->set.hostname : "localhost";
	char head[64];
	int rc, n;

	rc = s->set.random(r, sizeof(r), s->set.random_userdata);
	if (rc < 0)
		return correu__sasl_sfail(s, rc, "random source failed");
	for (int i = 0; i < 8; i++) {
		a = (a << 8) | r[i];
		b = (b << 8) | r[8 + i];
	}
	/* RFC 2195 Section 2: the challenge has the form of a msg-id. */
	n = snprintf(head, sizeof(head), "<%" PRIu64 ".%" PRIu64 "@", a, b);
	if ((rc = correu__buf_append(&s->out, head, (size_t)n)) < 0 ||
	    (rc = correu__buf_append(&s->out, host, strlen(host))) < 0 ||
	    (rc = correu__buf_append(&s->out, ">", 1)) < 0)
		return rc;
	rc = correu__sasl_str_set(s->set.allocator, &s->challenge, s->out.data, s->out.len);
	s->state = CS_CHALLENGED;
	return rc < 0 ? rc : CORREU_SASL_CHALLENGE;
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

static int server_step(correu_sasl_server *s, const uint8_t *in, size_t len)
{
	size_t ulen;

	if (s->state != CS_CHALLENGED)
		return correu__sasl_sfail(s, CORREU_ERR_PROTO, "CRAM-MD5 starts with a challenge");
	s->state = CS_ANSWERED;
	if (len < 2 * MD5_LEN + 2 || in[len - 2 * MD5_LEN - 1] != ' ')
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "expected: user SP digest");
	ulen = len - 2 * MD5_LEN - 1;
	for (size_t i = ulen + 1; i < len; i++)
		if (hexval(in[i]) < 0)
			return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "digest is not hex");
	if (ulen > s->set.max_username)
		return correu__sasl_sfail(s, CORREU_ERR_LIMIT, "user name too long");
	if (!correu__sasl_utf8_ok(in, ulen))
		return correu__sasl_sfail(s, CORREU_ERR_SYNTAX, "user name not UTF-8");
	/* The digest waits in `secret` until the caller gives the real one. */
	if (correu__sasl_str_set(s->set.allocator, &s->user, in, ulen) < 0 ||
	    correu__sasl_str_set(s->set.allocator, &s->secret, in + ulen + 1, 2 * MD5_LEN) < 0)
		return CORREU_ERR_NOMEM;
	s->need = CORREU_SASL_NEED_SECRET;
	return CORREU_SASL_NEED_CREDENTIALS;
}

static int server_supply(correu_sasl_server *s, const correu__sasl_supply *sup)
{
	uint8_t mac[MD5_LEN], got[MD5_LEN];
	bool same;
	int rc;

	if (sup->kind == CORREU__SUPPLY_RESULT && !sup->ok)
		return correu__sasl_sfail(s, CORREU_ERR_AUTH, "invalid credentials");
	if (sup->kind != CORREU__SUPPLY_SECRET)
		return CORREU_ERR_STATE;
	rc = correu__sasl_hmac(CORREU_SASL_CRAM_MD5, (const uint8_t *)sup->secret,
	                       sup->secret_len, (const uint8_t *)s->challenge.p,
	                       s->challenge.len, mac);
	if (rc < 0)
		return correu__sasl_sfail(s, rc, "HMAC-MD5 failed");
	for (size_t i = 0; i < MD5_LEN; i++)
		got[i] = (uint8_t)(hexval((uint8_t)s->secret.p[2 * i]) << 4 |
		                   hexval((uint8_t)s->secret.p[2 * i + 1]));
	same = correu__sasl_ct_equal(mac, got, MD5_LEN);
	correu_wipe(mac, sizeof(mac));
	if (!same)
		return correu__sasl_sfail(s, CORREU_ERR_AUTH, "invalid credentials");
	return CORREU_SASL_SUCCESS;
}

const correu__sasl_mech correu__sasl_cram_md5 = {
	.id = CORREU_SASL_CRAM_MD5,
	.name = "CRAM-MD5",
	.server_random = true,
	.client_step = client_step,
	.client_check = client_check,
	.server_start = server_start,
	.server_step = server_step,
	.server_supply = server_supply,
};
