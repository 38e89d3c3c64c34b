/*
 * The IMAP client's start-up (IMAP layer): the greeting (RFC 9051 §7.1.1
 * OK, §7.1.4 PREAUTH, §7.1.5 BYE), the capabilities from its code or from
 * CAPABILITY, STARTTLS by the TLS policy (§6.2.1), the capabilities again
 * over TLS, then READY. A client that asked for TLS never goes on in
 * plaintext: no STARTTLS offered, STARTTLS refused, or a PREAUTH greeting
 * on a plaintext connection (which rules STARTTLS out) all end the session
 * under the "required" policy.
 */
#include "client_internal.h"

int correu__imapc_send_capability(correu_imap_client *c)
{
	correu__imapc_cmd *cmd;
	int rc = correu__imapc_begin(c, CORREU_IMAP_CMD_CAPABILITY, "CAPABILITY", &cmd);

	if (rc == 0)
		rc = correu__imapc_enqueue(c, cmd, true);
	return rc < 0 ? correu__imapc_fail(c, rc, "cannot queue CAPABILITY") : 0;
}

static int ready(correu_imap_client *c)
{
	c->state = CS_READY;
	correu__log(&c->logger, CORREU_LOG_INFO, "imap: ready (%s)", c->tls ? "TLS" : "plaintext");
	return correu__imapc_emit(c, CORREU_IMAP_CLIENT_EV_READY, NULL,
	                          c->preauth ? CORREU_IMAP_RESP_PREAUTH : CORREU_IMAP_RESP_OK,
	                          NULL);
}

static bool want_tls(const correu_imap_client *c)
{
	return !c->tls && (c->set.tls_policy == CORREU_IMAP_TLS_REQUIRED ||
	                   c->set.tls_policy == CORREU_IMAP_TLS_OPPORTUNISTIC);
}

/* The capabilities are known: STARTTLS, or ready. */
static int next_step(correu_imap_client *c)
{
	correu__imapc_cmd *cmd;
	int rc;

	/* STARTTLS is valid only before login (RFC 9051 §6.2.1), so after
	 * PREAUTH it cannot be used: the greeting already dealt with that. */
	if (!want_tls(c) || c->preauth)
		return ready(c);
	if (!(c->caps.mask & CORREU_IMAP_CAP_STARTTLS)) {
		if (c->set.tls_policy == CORREU_IMAP_TLS_REQUIRED)
			return correu__imapc_fail(c, CORREU_ERR_TLS_REQUIRED,
			                          "the server does not offer STARTTLS");
		correu__log(&c->logger, CORREU_LOG_WARN,
		            "imap: no STARTTLS; going on in plaintext");
		return ready(c);
	}
	rc = correu__imapc_begin(c, CORREU_IMAP_CMD_STARTTLS, "STARTTLS", &cmd);
	if (rc == 0)
		rc = correu__imapc_enqueue(c, cmd, true);
	return rc < 0 ? correu__imapc_fail(c, rc, "cannot queue STARTTLS") : 0;
}

int correu__imapc_greeting(correu_imap_client *c, const correu_imap_event *end)
{
	switch (end->resp) {
	case CORREU_IMAP_RESP_BYE:
		return correu__imapc_fail(c, CORREU_ERR_REPLY, "the server refused the connection");
	case CORREU_IMAP_RESP_PREAUTH:
		/* A PREAUTH in plaintext skips STARTTLS: taking it when TLS is
		 * required would be the downgrade DESIGN forbids. */
		if (!c->tls && c->set.tls_policy == CORREU_IMAP_TLS_REQUIRED)
			return correu__imapc_fail(c, CORREU_ERR_TLS_REQUIRED,
			                          "PREAUTH on a plaintext connection");
		c->preauth = true;
		c->logged_in = true;
		break;
	case CORREU_IMAP_RESP_OK: break;
	default: return correu__imapc_fail(c, CORREU_ERR_PROTO, "not a greeting");
	}
	c->state = CS_START;
	c->timer.progress = true;
	return c->have_caps ? next_step(c) : correu__imapc_send_capability(c);
}

int correu__imapc_startup_done(correu_imap_client *c, correu__imapc_cmd *cmd, uint32_t status,
                               const correu_imap_event *end)
{
	(void)end;
	if (cmd->kind == CORREU_IMAP_CMD_CAPABILITY) {
		if (status != CORREU_IMAP_RESP_OK || !c->have_caps)
			return correu__imapc_fail(c, CORREU_ERR_PROTO, "CAPABILITY failed");
		return next_step(c);
	}
	/* STARTTLS. */
	if (status == CORREU_IMAP_RESP_OK) {
		c->state = CS_TLS_WAIT;
		return correu__imapc_emit(c, CORREU_IMAP_CLIENT_EV_STARTTLS, NULL, 0, NULL);
	}
	if (c->set.tls_policy == CORREU_IMAP_TLS_REQUIRED)
		return correu__imapc_fail(c, CORREU_ERR_TLS_REQUIRED, "STARTTLS refused");
	correu__log(&c->logger, CORREU_LOG_WARN, "imap: STARTTLS refused; going on in plaintext");
	return ready(c);
}
