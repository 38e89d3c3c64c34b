/*
 * Response dispatch (POP3 layer): each status line goes to the command at
 * the head of the in-flight queue and the session moves on: the greeting
 * and its APOP timestamp (RFC 1939 §4, §7), CAPA (RFC 2449 §5), STLS under
 * the TLS policy (RFC 2595 §4), the login commands, and the transaction
 * commands whose multi-line responses (RFC 1939 §3) continue as items,
 * message chunks and an end event.
 */
#include <string.h>

#include "pop3_internal.h"

/* End politely after a refusal that leaves nothing to do: QUIT. */
static int bail_out(correu_pop3_client *c)
{
	c->state = ST_QUITTING;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_QUIT, "QUIT", 0, false, 0, false,
	                                 false);
}

/*
 * STLS required but impossible: fail with CORREU_ERR_TLS_REQUIRED and
 * leave a QUIT in the output for a driver that wants to end cleanly. Never
 * a plaintext continuation.
 */
static int tls_required(correu_pop3_client *c, const char *why)
{
	static const char quit[] = "QUIT\r\n";

	(void)correu__buf_append(&c->out, quit, sizeof(quit) - 1);
	return correu__pop3_fail(c, CORREU_ERR_TLS_REQUIRED, why);
}

int correu__pop3_send_capa(correu_pop3_client *c)
{
	c->state = ST_CAPA;
	return correu__pop3_queue_simple(c, CORREU_POP3_CMD_CAPA, "CAPA", 0, false, 0, false, true);
}

/* The start-up CAPA is answered; decide about TLS, then report ready. */
static int after_capa(correu_pop3_client *c)
{
	uint32_t pol = c->set.tls_policy;

	if (!c->tls && pol != CORREU_POP3_TLS_NONE) {
		/* A server that does not know CAPA may still know STLS; under
		 * the required policy asking costs nothing. */
		if ((c->caps.mask & CORREU_POP3_CAP_STLS) ||
		    (!c->caps.answered && pol == CORREU_POP3_TLS_REQUIRED)) {
			c->state = ST_STLS;
			return correu__pop3_queue_simple(c, CORREU_POP3_CMD_STLS, "STLS", 0, false,
			                                 0, false, false);
		}
		if (pol == CORREU_POP3_TLS_REQUIRED)
			return tls_required(c, "the server does not offer STLS");
	}
	c->state = ST_READY;
	return correu__pop3_emit(c, CORREU_POP3_EV_READY, 0, 0);
}

static bool is_login(uint8_t cmd)
{
	return cmd == CORREU_POP3_CMD_USER || cmd == CORREU_POP3_CMD_PASS ||
	       cmd == CORREU_POP3_CMD_APOP || cmd == CORREU_POP3_CMD_AUTH;
}

/* RFC 2449 §8: codes are only codes when the server said so; RFC 3206 §6:
 * AUTH-RESP-CODE announces them for the login commands alone. */
static bool codes_on(const correu_pop3_client *c, uint8_t cmd)
{
	return (c->caps.mask & CORREU_POP3_CAP_RESP_CODES) ||
	       ((c->caps.mask & CORREU_POP3_CAP_AUTH_RESP_CODE) && is_login(cmd));
}

static int keep_timestamp(correu_pop3_client *c, const correu__pop3_status *st)
{
	size_t off = 0, n = 0;

	correu__pop3_timestamp(st->text, st->text_len, &off, &n);
	if (n == 0)
		return 0;
	c->timestamp = correu__alloc(c->alloc, n);
	if (!c->timestamp)
		return correu__pop3_fail(c, CORREU_ERR_NOMEM, "out of memory");
	memcpy(c->timestamp, st->text + off, n);
	c->timestamp_len = n;
	return 0;
}

static void reply_event(correu_pop3_event *ev, uint8_t cmd, uint32_t msg,
                        const correu__pop3_status *st)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = CORREU_POP3_EV_REPLY;
	ev->command = cmd;
	ev->msg = msg;
	ev->ok = st->ok;
	ev->resp_code = st->resp_code;
	ev->code_text = st->code;
	ev->code_text_len = st->code_len;
	ev->text = st->text;
	ev->text_len = st->text_len;
}

/* The +OK of a single LIST or UIDL carries the item (RFC 1939 §5, §7). */
static int single_item(correu_pop3_client *c, uint8_t cmd, uint32_t msg,
                       const correu__pop3_status *st)
{
	correu_pop3_event ev;
	uint32_t n;
	int rc;

	memset(&ev, 0, sizeof(ev));
	ev.type = CORREU_POP3_EV_ITEM;
	ev.command = cmd;
	if (cmd == CORREU_POP3_CMD_LIST)
		rc = correu__pop3_parse_pair(st->text, st->text_len, &n, &ev.size);
	else
		rc = correu__pop3_parse_uid(st->text, st->text_len, &n, &ev.text, &ev.text_len);
	if (rc < 0 || n != msg)
		return correu__pop3_fail(c, CORREU_ERR_PROTO, "malformed LIST or UIDL response");
	ev.msg = n;
	return correu__pop3_deliver(c, &ev);
}

static void begin_multi(correu_pop3_client *c, uint8_t cmd, uint32_t msg)
{
	bool body = cmd == CORREU_POP3_CMD_RETR || cmd == CORREU_POP3_CMD_TOP;

	c->multi_cmd = cmd;
	c->multi_msg = msg;
	c->body_bytes = 0;
	if (cmd == CORREU_POP3_CMD_CAPA)
		correu__pop3_caps_clear(&c->capa_new);
	correu__pop3_reader_multi(&c->rd, body ? RD_MODE_BODY : RD_MODE_LINES);
}

/* What happens after the reply event of each command; the command has
 * already left the queue unless it opened a multi-line response. */
static int after_reply(correu_pop3_client *c, uint8_t cmd, const correu__pop3_status *st)
{
	switch (cmd) {
	case CORREU_POP3_CMD_GREETING:
		/* An -ERR greeting means no service; only QUIT makes sense. */
		return st->ok ? correu__pop3_send_capa(c) : bail_out(c);
	case CORREU_POP3_CMD_CAPA:
		if (!st->ok && c->state == ST_CAPA) {
			correu__pop3_caps_clear(&c->caps);
			return after_capa(c);
		}
		return 0;
	case CORREU_POP3_CMD_STLS:
		if (st->ok) {
			c->state = ST_TLS_WAIT;
			return correu__pop3_emit(c, CORREU_POP3_EV_STARTTLS, 0, 0);
		}
		if (c->set.tls_policy == CORREU_POP3_TLS_REQUIRED)
			return tls_required(c, "the server refused STLS");
		c->state = ST_READY;
		return correu__pop3_emit(c, CORREU_POP3_EV_READY, 0, 0);
	case CORREU_POP3_CMD_QUIT:
		if (c->state != ST_FAILED) {
			c->state = ST_CLOSED;
			return correu__pop3_emit(c, CORREU_POP3_EV_CLOSED, 0, 0);
		}
		return 0;
	default: return 0;
	}
}

/* State changes a reply makes before the application hears of it, so a
 * callback that queues the next command sees the new state. */
static int before_reply(correu_pop3_client *c, uint8_t cmd, const correu__pop3_status *st)
{
	switch (cmd) {
	case CORREU_POP3_CMD_USER:
		if (!st->ok) {
			/* The PASS queued with it must not follow a refused USER. */
			if (c->cmds.nsent < c->cmds.len &&
			    correu__pop3_cmd_at(c, c->cmds.nsent)->cmd == CORREU_POP3_CMD_PASS)
				correu__pop3_drop_next(c);
			c->login = LOGIN_NONE;
		}
		return 0;
	case CORREU_POP3_CMD_PASS:
	case CORREU_POP3_CMD_APOP: c->login = st->ok ? LOGIN_DONE : LOGIN_NONE; return 0;
	case CORREU_POP3_CMD_UTF8:
		if (st->ok)
			c->utf8 = true;
		return 0;
	case CORREU_POP3_CMD_GREETING: return keep_timestamp(c, st);
	default: return 0;
	}
}

int correu__pop3_dispatch_status(correu_pop3_client *c, const uint8_t *line, size_t len)
{
	correu__pop3_cmd *head;
	correu__pop3_status st;
	correu_pop3_event ev;
	uint8_t cmd;
	uint32_t msg;
	bool multi;
	int rc;

	if (c->cmds.nsent == 0)
		return correu__pop3_fail(c, CORREU_ERR_PROTO, "response without a command");
	head = correu__pop3_cmd_at(c, 0);
	cmd = head->cmd;
	msg = head->msg;
	multi = head->multi;
	if (cmd == CORREU_POP3_CMD_AUTH)
		return correu__pop3_auth_line(c, line, len);
	if (correu__pop3_status_parse(line, len, codes_on(c, cmd), &st) < 0)
		return correu__pop3_fail(c, CORREU_ERR_SYNTAX, "not a POP3 status line");
	rc = before_reply(c, cmd, &st);
	if (rc < 0)
		return rc;
	reply_event(&ev, cmd, msg, &st);
	if (st.ok && cmd == CORREU_POP3_CMD_STAT &&
	    correu__pop3_parse_pair(st.text, st.text_len, &ev.msg, &ev.size) < 0)
		return correu__pop3_fail(c, CORREU_ERR_PROTO, "malformed STAT response");
	/* RFC 1939 §3: only a positive response is multi-line. */
	if (st.ok && multi)
		begin_multi(c, cmd, msg);
	else
		correu__pop3_pop(c);
	rc = correu__pop3_deliver(c, &ev);
	if (rc == 0 && st.ok && !multi &&
	    (cmd == CORREU_POP3_CMD_LIST || cmd == CORREU_POP3_CMD_UIDL))
		rc = single_item(c, cmd, msg, &st);
	if (rc == 0)
		rc = after_reply(c, cmd, &st);
	if (rc == 0 && c->state != ST_FAILED)
		rc = correu__pop3_pump(c);
	return rc < 0 ? rc : 0;
}

int correu__pop3_dispatch_line(correu_pop3_client *c, const uint8_t *line, size_t len)
{
	correu_pop3_event ev;
	int rc;

	if (c->multi_cmd == CORREU_POP3_CMD_CAPA) {
		rc = correu__pop3_caps_add(&c->capa_new, line, len);
		return rc < 0 ? correu__pop3_fail(c, rc, "CAPA response too large") : 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.type = CORREU_POP3_EV_ITEM;
	ev.command = c->multi_cmd;
	if (c->multi_cmd == CORREU_POP3_CMD_LIST)
		rc = correu__pop3_parse_pair((const char *)line, len, &ev.msg, &ev.size);
	else
		rc = correu__pop3_parse_uid((const char *)line, len, &ev.msg, &ev.text,
		                            &ev.text_len);
	if (rc < 0)
		return correu__pop3_fail(c, CORREU_ERR_PROTO, "malformed LIST or UIDL line");
	return correu__pop3_deliver(c, &ev);
}

int correu__pop3_dispatch_data(correu_pop3_client *c, const uint8_t *data, size_t len)
{
	uint64_t room = c->set.max_message - c->body_bytes;
	bool over = len > room;

	/* The message up to the limit is delivered whatever the split, then
	 * the limit is fatal. */
	if (over)
		len = (size_t)room;
	c->body_bytes += len;
	/* Bounded chunks, whatever the size of the read that brought them. */
	while (len > 0) {
		correu_pop3_event ev;
		size_t n = len < c->set.max_chunk ? len : c->set.max_chunk;
		int rc;

		memset(&ev, 0, sizeof(ev));
		ev.type = CORREU_POP3_EV_BODY;
		ev.command = c->multi_cmd;
		ev.msg = c->multi_msg;
		ev.data = data;
		ev.data_len = n;
		rc = correu__pop3_deliver(c, &ev);
		if (rc < 0)
			return rc;
		data += n;
		len -= n;
	}
	return over ? correu__pop3_fail(c, CORREU_ERR_LIMIT, "message larger than max_message") : 0;
}

int correu__pop3_dispatch_end(correu_pop3_client *c)
{
	uint8_t cmd = c->multi_cmd;
	uint32_t msg = c->multi_msg;
	int rc;

	if (cmd == CORREU_POP3_CMD_CAPA) {
		correu__pop3_caps tmp = c->caps;

		c->caps = c->capa_new;
		c->capa_new = tmp;
		correu__pop3_caps_clear(&c->capa_new);
		c->caps.answered = true;
	}
	c->multi_cmd = 0;
	correu__pop3_pop(c);
	rc = correu__pop3_emit(c, CORREU_POP3_EV_END, cmd, msg);
	if (rc == 0 && cmd == CORREU_POP3_CMD_CAPA && c->state == ST_CAPA)
		rc = after_capa(c);
	if (rc == 0 && c->state != ST_FAILED)
		rc = correu__pop3_pump(c);
	return rc < 0 ? rc : 0;
}
