/*
 * The AUTH command line of the SMTP (RFC 4954 §4) and POP3 (RFC 5034 §4)
 * clients and the response lines every client core writes to challenges
 * (proto layer, core level). The protocols pass their own limits and the
 * words their error events use; the exchange itself is proto_sasl's.
 */
#include <string.h>

#include "correu/codec.h"
#include "proto_auth.h"

/* Append "AUTH name[ ir]" CRLF for the started exchange. */
static int command(correu__proto_sasl *x, correu__buf *b, int mech, const uint8_t *ir,
                   size_t ir_len, bool has_ir, size_t max_line)
{
	const char *name = correu_sasl_mech_name(mech);
	size_t enc = correu_base64_encoded_len(ir_len);
	int rc = correu__buf_append(b, "AUTH ", 5);

	if (rc == 0)
		rc = correu__buf_append(b, name, strlen(name));
	/* " " base64 CRLF after the name, without overflow. */
	if (rc == 0 && has_ir && enc < max_line && b->len + 3 + enc <= max_line) {
		rc = correu__buf_append(b, " ", 1);
		if (rc == 0)
			rc = correu__proto_b64_append(b, ir, ir_len, true);
	} else if (rc == 0 && has_ir) {
		/* Too long for the command line: keep it for the first
		 * challenge. */
		rc = correu__proto_sasl_keep_ir(x, ir, ir_len);
	}
	return rc == 0 ? correu__buf_append(b, "\r\n", 2) : rc;
}

int correu__proto_auth_command(correu__proto_sasl *x, const correu_sasl_settings *settings,
                               int mech, const correu_sasl_credentials *cred, correu__buf *b,
                               size_t max_line)
{
	const uint8_t *ir;
	size_t ir_len;
	int rc = correu__proto_sasl_start(x, settings, mech, cred, &ir, &ir_len);

	if (rc < 0)
		return rc;
	rc = command(x, b, mech, ir, ir_len, rc == 1, max_line);
	if (rc < 0)
		correu__proto_sasl_clear(x);
	return rc;
}

int correu__proto_auth_answer(correu__proto_sasl *x, const char *b64, size_t b64_len,
                              correu__buf *out, correu__proto_timer *t,
                              const correu__proto_auth_why *w, const char **why_out)
{
	const uint8_t *resp;
	size_t resp_len;
	int rc = correu__proto_sasl_answer(x, b64, b64_len, &resp, &resp_len);

	if (rc < 0) {
		*why_out = rc == CORREU_ERR_PROTO ? w->cancelled : "out of memory";
		return rc;
	}
	rc = correu__proto_sasl_line(out, resp, resp_len, rc == 1);
	t->progress = true;
	*why_out = w->no_room;
	return rc;
}
