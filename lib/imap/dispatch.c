/*
 * From parser events to client events (IMAP layer). The response parser
 * calls back here for every piece of every response; this file decides
 * what each response means to the client: the greeting, a capability
 * list, ENABLED, a continuation request for the command waiting on it, a
 * tagged completion matched to its command by tag (RFC 9051 §2.2.2), or
 * untagged data handed to the application as it is.
 */
#include <string.h>

#include "client_internal.h"

static bool is_status(uint32_t resp)
{
	return resp == CORREU_IMAP_RESP_OK || resp == CORREU_IMAP_RESP_NO ||
	       resp == CORREU_IMAP_RESP_BAD || resp == CORREU_IMAP_RESP_PREAUTH ||
	       resp == CORREU_IMAP_RESP_BYE;
}

/* Hand one parser event of an untagged response to the application. */
static int forward(correu_imap_client *c, const correu_imap_event *ev)
{
	correu_imap_client_event out;
	const correu__imapc_cmd *cmd = correu__imapc_oldest(c);

	memset(&out, 0, sizeof(out));
	out.type = CORREU_IMAP_CLIENT_EV_DATA;
	if (c->state == CS_GREETING)
		out.command = CORREU_IMAP_CMD_GREETING;
	else if (cmd) {
		out.command = cmd->kind;
		out.id = cmd->id;
	}
	out.data = ev;
	return correu__imapc_deliver(c, &out);
}

static int on_begin(correu_imap_client *c, const correu_imap_event *ev)
{
	if (c->state == CS_TLS_WAIT)
		return correu__imapc_fail(c, CORREU_ERR_PROTO,
		                          "plaintext bytes after STARTTLS go-ahead");
	c->resp = ev->resp;
	c->resp_tagged = ev->tag != NULL;
	c->tagged = NULL;
	/* Capabilities come as a CAPABILITY response or as the code of a
	 * status response; either way as ATOM items before END. */
	c->caps_reading = ev->resp == CORREU_IMAP_RESP_CAPABILITY || is_status(ev->resp);
	correu__imapc_caps_clear(&c->caps_new);
	if (c->resp_tagged) {
		if (c->state == CS_GREETING)
			return correu__imapc_fail(c, CORREU_ERR_PROTO, "tagged greeting");
		c->tagged = correu__imapc_find_tag(c, ev->tag, ev->tag_len);
		if (!c->tagged)
			return correu__imapc_fail(c, CORREU_ERR_PROTO,
			                          "tagged response to no command");
		return 0;
	}
	if (c->state == CS_GREETING && ev->resp != CORREU_IMAP_RESP_OK &&
	    ev->resp != CORREU_IMAP_RESP_PREAUTH && ev->resp != CORREU_IMAP_RESP_BYE)
		return correu__imapc_fail(c, CORREU_ERR_PROTO, "not a greeting");
	if (ev->resp == CORREU_IMAP_RESP_CONTINUE)
		return 0;
	return forward(c, ev);
}

static int on_item(correu_imap_client *c, const correu_imap_event *ev)
{
	int rc;

	if (ev->item == CORREU_IMAP_ITEM_ATOM && c->caps_reading) {
		rc = correu__imapc_caps_add(&c->caps_new, ev->str[0], ev->str_len[0]);
		if (rc < 0)
			return correu__imapc_fail(c, rc, "capability list too long");
	}
	if (ev->item == CORREU_IMAP_ITEM_ATOM && c->resp == CORREU_IMAP_RESP_ENABLED) {
		const uint32_t can = CORREU_IMAP_CAP_IMAP4REV2 | CORREU_IMAP_CAP_CONDSTORE |
		                     CORREU_IMAP_CAP_QRESYNC | CORREU_IMAP_CAP_UTF8_ACCEPT;
		uint32_t bit = correu__imapc_cap_bit(ev->str[0], ev->str_len[0]) & can;

		/* RFC 6855 §3: from now on names are UTF-8 both ways. */
		if (bit == CORREU_IMAP_CAP_UTF8_ACCEPT && !(c->enabled & bit)) {
			rc = correu_imap_parser_set_flags(c->parser,
			                                  c->pset.flags | CORREU_IMAP_PARSER_UTF8);
			if (rc < 0)
				return correu__imapc_fail(c, rc, "cannot switch to UTF-8");
		}
		c->enabled |= bit;
	}
	return c->resp_tagged ? 0 : forward(c, ev);
}

/* A capability list just ended: it replaces the one known. */
static void take_caps(correu_imap_client *c)
{
	correu__imapc_caps t = c->caps;

	c->caps = c->caps_new;
	c->caps_new = t;
	correu__imapc_caps_clear(&c->caps_new);
	c->have_caps = true;
}

static correu__imapc_cmd *in_flight(correu_imap_client *c, uint32_t kind)
{
	for (correu__imapc_cmd *cmd = c->head; cmd; cmd = cmd->next)
		if (cmd->kind == kind && cmd->all_out && !cmd->done)
			return cmd;
	return NULL;
}

/* RFC 9051 §7.5: "+" asks for the rest of a command. */
static int on_continue(correu_imap_client *c, const correu_imap_event *end)
{
	correu__imapc_cmd *cmd = correu__imapc_waiting(c);

	if (cmd) {
		cmd->cont = true;
		cmd->waiting = false;
		return correu__imapc_pump(c);
	}
	if (c->sasl.client && in_flight(c, CORREU_IMAP_CMD_AUTHENTICATE))
		return correu__imapc_auth_challenge(c, end->str[0], end->str_len[0]);
	cmd = in_flight(c, CORREU_IMAP_CMD_IDLE);
	if (cmd)
		return correu__imapc_idle_cont(c, cmd);
	return correu__imapc_fail(c, CORREU_ERR_PROTO, "continuation request nobody asked for");
}

/* A tagged response: the command it ends is complete. */
static int complete(correu_imap_client *c, correu__imapc_cmd *cmd, const correu_imap_event *end)
{
	uint32_t status = end->resp;
	bool ok = status == CORREU_IMAP_RESP_OK;
	bool caps_after = false, compress = false;
	int rc = 0;

	if (status != CORREU_IMAP_RESP_OK && status != CORREU_IMAP_RESP_NO &&
	    status != CORREU_IMAP_RESP_BAD)
		return correu__imapc_fail(c, CORREU_ERR_PROTO, "tagged response is not OK/NO/BAD");
	correu__imapc_retire(c, cmd);
	if (c->state == CS_START && cmd->id == 0)
		return correu__imapc_startup_done(c, cmd, status, end);
	switch (cmd->kind) {
	case CORREU_IMAP_CMD_LOGIN:
	case CORREU_IMAP_CMD_AUTHENTICATE:
		rc = correu__imapc_auth_done(c, status);
		/* RFC 9051 §6.2.2: capabilities may change with the login. */
		caps_after = ok && rc == 0 && end->code != CORREU_IMAP_CODE_CAPABILITY;
		break;
	case CORREU_IMAP_CMD_IDLE:
		rc = correu__imapc_idle_complete(c, cmd, status);
		if (rc != 0)
			return rc < 0 ? rc : correu__imapc_pump(c);
		break;
	case CORREU_IMAP_CMD_COMPRESS: compress = ok; break;
	default: break;
	}
	if (rc == 0 && cmd->id)
		rc = correu__imapc_emit(c, CORREU_IMAP_CLIENT_EV_DONE, cmd, status, end);
	/* RFC 4978 §3: compressed from the byte after this OK on. */
	if (rc == 0 && compress && c->state == CS_READY)
		return correu__imapc_compress_accepted(c);
	if (rc == 0 && cmd->kind == CORREU_IMAP_CMD_LOGOUT && c->state != CS_FAILED) {
		c->state = CS_CLOSED;
		return correu__imapc_emit(c, CORREU_IMAP_CLIENT_EV_CLOSED, NULL, 0, end);
	}
	if (rc == 0 && caps_after && c->state == CS_READY)
		rc = correu__imapc_send_capability(c);
	if (rc == 0 && c->state != CS_FAILED)
		rc = correu__imapc_pump(c);
	return rc;
}

static int on_end(correu_imap_client *c, const correu_imap_event *ev)
{
	int rc = 0;

	if (c->caps_reading &&
	    (c->resp == CORREU_IMAP_RESP_CAPABILITY || ev->code == CORREU_IMAP_CODE_CAPABILITY))
		take_caps(c);
	c->caps_reading = false;
	if (c->resp == CORREU_IMAP_RESP_CONTINUE)
		return on_continue(c, ev);
	if (c->resp_tagged) {
		correu__imapc_cmd *cmd = c->tagged;

		c->tagged = NULL;
		rc = complete(c, cmd, ev);
		correu__imapc_cmd_free_retired(c, cmd);
		return rc;
	}
	if (c->resp == CORREU_IMAP_RESP_BYE)
		c->bye = true;
	rc = forward(c, ev);
	if (rc == 0 && c->state == CS_GREETING)
		rc = correu__imapc_greeting(c, ev);
	return rc;
}

static int on_error(correu_imap_client *c, const correu_imap_event *ev)
{
	/* A tagged response that cannot be read leaves its command without
	 * an end; a greeting that cannot be read leaves no session. */
	if (c->state == CS_GREETING)
		return correu__imapc_fail(c, CORREU_ERR_PROTO, "malformed greeting");
	if (c->resp_tagged || ev->tag)
		return correu__imapc_fail(c, CORREU_ERR_PROTO, "malformed tagged response");
	if (c->resp == CORREU_IMAP_RESP_CONTINUE && c->tagged == NULL && correu__imapc_waiting(c))
		return correu__imapc_fail(c, CORREU_ERR_PROTO, "malformed continuation request");
	c->caps_reading = false;
	return forward(c, ev);
}

int correu__imapc_on_parser_event(const correu_imap_event *ev, void *userdata)
{
	correu_imap_client *c = userdata;
	int rc;

	if (c->state == CS_FAILED)
		return c->error;
	if (c->state == CS_CLOSED)
		return correu__imapc_fail(c, CORREU_ERR_PROTO, "bytes after the session ended");
	switch (ev->type) {
	case CORREU_IMAP_EV_BEGIN: rc = on_begin(c, ev); break;
	case CORREU_IMAP_EV_ITEM: rc = on_item(c, ev); break;
	case CORREU_IMAP_EV_END: rc = on_end(c, ev); break;
	case CORREU_IMAP_EV_ERROR: rc = on_error(c, ev); break;
	default: rc = c->resp_tagged ? 0 : forward(c, ev); break;
	}
	if (rc == 0 && c->state == CS_FAILED)
		rc = c->error;
	return rc;
}
