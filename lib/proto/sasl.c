/*
 * The client side of a SASL exchange, shared by the SMTP (RFC 4954), POP3
 * (RFC 5034) and IMAP (RFC 9051 §6.2.2) client cores (proto layer, core
 * level): choosing the mechanism, holding back an initial response that
 * does not fit the command line, answering challenges and the "*" that
 * cancels. The protocols keep only their own command and prefix words.
 */
#include "correu/codec.h"
#include "proto_sasl.h"

void correu__proto_sasl_init(correu__proto_sasl *x, const correu_allocator *a,
                             const correu_logger *lg, const char *who)
{
	x->alloc = a;
	x->logger = lg;
	x->who = who;
}

/* Whether a space-separated list names mechanism `mech`. */
static bool offers(const char *list, size_t len, int mech)
{
	for (size_t i = 0; i < len;) {
		size_t j = i;

		while (j < len && list[j] != ' ')
			j++;
		if (correu_sasl_mech_from_name(list + i, j - i) == mech)
			return true;
		i = j + 1;
	}
	return false;
}

int correu__proto_sasl_pick(const char *offered, size_t len, int mech, bool secure,
                            const correu_sasl_credentials *cred, int *mech_out)
{
	uint32_t flags = secure ? CORREU_SASL_ALLOW_PLAINTEXT : 0;

	if (mech == 0) {
		if (!offered || len == 0)
			return CORREU_ERR_UNSUPPORTED;
		if (cred->password)
			flags |= CORREU_SASL_HAVE_PASSWORD;
		if (cred->token)
			flags |= CORREU_SASL_HAVE_TOKEN;
		return correu_sasl_choose(offered, len, flags, mech_out);
	}
	/* An explicit mechanism must be offered, and one that sends the
	 * password needs TLS unless the caller allowed otherwise. */
	if (offered && !offers(offered, len, mech))
		return CORREU_ERR_UNSUPPORTED;
	if (correu_sasl_mech_is_plaintext(mech) && !secure)
		return CORREU_ERR_TLS_REQUIRED;
	*mech_out = mech;
	return 0;
}

int correu__proto_sasl_start(correu__proto_sasl *x, const correu_sasl_settings *settings,
                             int mech, const correu_sasl_credentials *cred,
                             const uint8_t **ir_out, size_t *ir_len_out)
{
	int rc = correu_sasl_client_new(settings, mech, cred, &x->client);

	*ir_out = NULL;
	*ir_len_out = 0;
	if (rc < 0 || !correu_sasl_mech_has_initial_response(mech))
		return rc < 0 ? rc : 0;
	rc = correu_sasl_client_start(x->client, ir_out, ir_len_out);
	if (rc < 0) {
		correu_sasl_client_free(x->client);
		x->client = NULL;
	}
	return rc;
}

int correu__proto_sasl_keep_ir(correu__proto_sasl *x, const uint8_t *ir, size_t len)
{
	/* No copy: the response stays in the mechanism until its next call
	 * (sasl.h), and none comes before the empty challenge that asks for
	 * it; the mechanism wipes it when freed. */
	x->ir = ir;
	x->ir_len = len;
	x->ir_pending = true;
	return 0;
}

/* Decode a challenge and let the mechanism answer it: 0, 1 to cancel, or
 * CORREU_ERR_NOMEM. The decoded challenge may hold secrets: wiped. */
static int step(correu__proto_sasl *x, const char *b64, size_t b64_len, const uint8_t **out,
                size_t *out_len)
{
	size_t cap = correu_base64_decoded_max(b64_len);
	uint8_t *dec = correu__alloc(x->alloc, cap ? cap : 1);
	correu_ssize n;
	int rc;

	if (!dec)
		return CORREU_ERR_NOMEM;
	n = correu_base64_decode(b64, b64_len, dec, cap);
	rc = n < 0 ? (int)n : correu_sasl_client_step(x->client, dec, (size_t)n, out, out_len);
	correu_wipe(dec, cap);
	correu__free(x->alloc, dec, cap ? cap : 1);
	if (n < 0)
		correu__log(x->logger, CORREU_LOG_WARN, "%s challenge is not base64", x->who);
	else if (rc < 0)
		correu__log(x->logger, CORREU_LOG_WARN, "%s cancelled: %s", x->who,
		            correu_sasl_client_reason(x->client));
	return rc < 0;
}

int correu__proto_sasl_answer(correu__proto_sasl *x, const char *b64, size_t b64_len,
                              const uint8_t **out_out, size_t *out_len_out)
{
	int rc;

	*out_out = NULL;
	*out_len_out = 0;
	if (x->cancelled)
		return CORREU_ERR_PROTO;
	if (x->ir_pending) {
		/* The empty challenge asks for the initial response that did
		 * not go with the command (RFC 4954 §4, RFC 5034 §4, RFC 9051
		 * §6.2.2); anything else is not an exchange we can follow. */
		x->ir_pending = false;
		*out_out = x->ir;
		*out_len_out = x->ir_len;
		rc = b64_len != 0;
	} else
		rc = step(x, b64 ? b64 : "", b64_len, out_out, out_len_out);
	if (rc == 1)
		x->cancelled = true;
	return rc;
}

int correu__proto_sasl_finish(correu__proto_sasl *x)
{
	if (x->cancelled || correu_sasl_client_finish(x->client, NULL, 0) < 0)
		return CORREU_ERR_AUTH;
	return 0;
}

void correu__proto_sasl_clear(correu__proto_sasl *x)
{
	correu_sasl_client_free(x->client);
	x->client = NULL;
	x->ir = NULL;
	x->ir_len = 0;
	x->ir_pending = false;
	x->cancelled = false;
}

int correu__proto_b64_append(correu__buf *b, const uint8_t *data, size_t len, bool eq_if_empty)
{
	size_t n = correu_base64_encoded_len(len);
	correu_ssize w;
	int rc;

	if (len == 0)
		return eq_if_empty ? correu__buf_append(b, "=", 1) : 0;
	if (n == SIZE_MAX)
		return CORREU_ERR_LIMIT;
	rc = correu__buf_reserve(b, n);
	if (rc < 0)
		return rc;
	w = correu_base64_encode(data, len, (char *)b->data + b->len, b->cap - b->len);
	if (w < 0)
		return (int)w;
	b->len += (size_t)w;
	return 0;
}

int correu__proto_sasl_line(correu__buf *b, const uint8_t *data, size_t len, bool cancel)
{
	int rc = cancel ? correu__buf_append(b, "*", 1)
	                : correu__proto_b64_append(b, data, len, false);

	return rc < 0 ? rc : correu__buf_append(b, "\r\n", 2);
}
