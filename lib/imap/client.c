/*
 * The IMAP client core's handle (IMAP layer): settings, lifecycle, the
 * byte interface (recv, send_buf, send_ack), time and deadlines, the
 * capability queries, and the event and fatal-error paths every other
 * client file goes through. Responses are read by the response parser,
 * whose events dispatch.c turns into client events.
 */
#include <string.h>

#include "client_internal.h"

#define DEF_MAX_OUTPUT 65536
#define DEF_MAX_QUEUE 1048576
#define DEF_MAX_COMMANDS 1024
#define DEF_MAX_QUOTED 1024
#define DEF_T_GREETING 60000u
#define DEF_T_COMMAND 300000u
#define DEF_T_SEND 180000u
/* RFC 9051 §5.4: a server's inactivity timer is at least 30 minutes;
 * RFC 2177 §3 asks clients to renew IDLE at least every 29. */
#define DEF_IDLE_RENEW 1680000u
#define MIN_OUTPUT 1024

void correu_imap_settings_init(correu_imap_settings *s)
{
	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_IMAP_SETTINGS_VERSION;
	s->tls_policy = CORREU_IMAP_TLS_REQUIRED;
}

static void fill_defaults(correu_imap_settings *s)
{
	if (!s->max_output)
		s->max_output = DEF_MAX_OUTPUT;
	if (!s->max_queue)
		s->max_queue = DEF_MAX_QUEUE;
	if (!s->max_commands)
		s->max_commands = DEF_MAX_COMMANDS;
	if (!s->max_quoted)
		s->max_quoted = DEF_MAX_QUOTED;
	if (!s->timeout_greeting_ms)
		s->timeout_greeting_ms = DEF_T_GREETING;
	if (!s->timeout_command_ms)
		s->timeout_command_ms = DEF_T_COMMAND;
	if (!s->timeout_send_ms)
		s->timeout_send_ms = DEF_T_SEND;
	if (!s->idle_renew_ms)
		s->idle_renew_ms = DEF_IDLE_RENEW;
}

static int check_settings(const correu_imap_settings *s)
{
	const uint32_t flags = CORREU_IMAP_ALLOW_PLAINTEXT_AUTH | CORREU_IMAP_NO_LITERAL_PLUS;

	if (s->version != CORREU_IMAP_SETTINGS_VERSION || !s->on_event || (s->flags & ~flags) ||
	    s->tls_policy > CORREU_IMAP_TLS_IMPLICIT)
		return CORREU_ERR_ARG;
	/* The output must hold a SASL response line and a command's head. */
	if (s->max_output < MIN_OUTPUT || s->max_queue < 64)
		return CORREU_ERR_ARG;
	return 0;
}

static int make_parser(correu_imap_client *c, const correu_imap_parser_settings *ps)
{
	if (ps)
		c->pset = *ps;
	else
		correu_imap_parser_settings_init(&c->pset);
	c->pset.allocator = c->alloc;
	c->pset.logger = c->logger.fn ? &c->logger : NULL;
	c->pset.on_event = correu__imapc_on_parser_event;
	c->pset.event_userdata = c;
	/* Mailbox names turn UTF-8 only once ENABLE says so. */
	c->pset.flags &= ~CORREU_IMAP_PARSER_UTF8;
	return correu_imap_parser_new(&c->pset, &c->parser);
}

int correu_imap_client_new(const correu_imap_settings *settings, correu_imap_client **client_out)
{
	correu_imap_settings s;
	correu_imap_client *c;
	const correu_allocator *a;
	int rc;

	if (!settings || !client_out)
		return CORREU_ERR_ARG;
	*client_out = NULL;
	s = *settings;
	fill_defaults(&s);
	rc = check_settings(&s);
	if (rc < 0)
		return rc;
	a = correu__allocator(s.allocator);
	c = correu__calloc(a, sizeof(*c));
	if (!c)
		return CORREU_ERR_NOMEM;
	c->set = s;
	c->alloc = a;
	if (s.logger)
		c->logger = *s.logger;
	c->set.logger = NULL;
	c->set.parser = NULL;
	correu__proto_sasl_init(&c->sasl, a, &c->logger, "imap: AUTHENTICATE");
	c->tls = s.tls_policy == CORREU_IMAP_TLS_IMPLICIT;
	c->next_tag = 1;
	c->next_id = 1;
	correu__buf_init(&c->out, a, s.max_output);
	correu__imapc_caps_init(&c->caps, a, s.max_queue);
	correu__imapc_caps_init(&c->caps_new, a, s.max_queue);
	rc = make_parser(c, settings->parser);
	if (rc < 0) {
		correu_imap_client_free(c);
		return rc;
	}
	c->state = CS_GREETING;
	c->timer.progress = true; /* the first clock update starts the greeting timer */
	*client_out = c;
	return 0;
}

void correu_imap_client_free(correu_imap_client *c)
{
	if (!c)
		return;
	correu__imapc_auth_clear(c);
	while (c->head) {
		correu__imapc_cmd *n = c->head->next;

		correu__imapc_cmd_free(c->alloc, c->head);
		c->head = n;
	}
	correu__imapc_cmd_free(c->alloc, c->building);
	correu_imap_parser_free(c->parser);
	correu__imapc_caps_free(&c->caps);
	correu__imapc_caps_free(&c->caps_new);
	/* LOGIN and AUTHENTICATE lines pass through the output. */
	correu__buf_free(&c->out, true);
	correu__free(c->alloc, c, sizeof(*c));
}

int correu__imapc_deliver(correu_imap_client *c, correu_imap_client_event *ev)
{
	int rc;

	ev->version = CORREU_IMAP_CLIENT_EVENT_VERSION;
	if (!ev->text)
		ev->text = "";
	rc = c->set.on_event(ev, c->set.event_userdata);
	if (rc < 0 && c->state != CS_FAILED) {
		c->state = CS_FAILED;
		c->error = rc;
		correu__imapc_auth_clear(c);
	}
	return rc < 0 ? rc : 0;
}

int correu__imapc_emit(correu_imap_client *c, uint32_t type, const correu__imapc_cmd *cmd,
                       uint32_t status, const correu_imap_event *data)
{
	correu_imap_client_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.command = cmd ? cmd->kind : 0;
	ev.id = cmd ? cmd->id : 0;
	ev.status = status;
	ev.data = data;
	return correu__imapc_deliver(c, &ev);
}

int correu__imapc_fail(correu_imap_client *c, int err, const char *why)
{
	correu_imap_client_event ev;

	if (c->state == CS_FAILED)
		return c->error;
	c->state = CS_FAILED;
	c->error = err;
	correu__imapc_auth_clear(c);
	correu__log(&c->logger, CORREU_LOG_ERROR, "imap: %s (%s)", why, correu_err_name(err));
	memset(&ev, 0, sizeof(ev));
	ev.version = CORREU_IMAP_CLIENT_EVENT_VERSION;
	ev.type = CORREU_IMAP_CLIENT_EV_ERROR;
	ev.error = err;
	ev.text = why;
	ev.text_len = strlen(why);
	(void)c->set.on_event(&ev, c->set.event_userdata);
	return err;
}

int correu__imapc_usable(const correu_imap_client *c)
{
	if (c->state == CS_FAILED)
		return c->error ? c->error : CORREU_ERR_POISONED;
	if (c->state == CS_CLOSED)
		return CORREU_ERR_CLOSED;
	return 0;
}

static void clock_at(correu_imap_client *c, uint64_t now)
{
	c->now_ms = now; /* IDLE renews from it */
	correu__proto_timer_at(&c->timer, now);
}

correu_ssize correu_imap_client_recv(correu_imap_client *c, const uint8_t *in, size_t len,
                                     uint64_t now_ms)
{
	int rc;

	if (!c || (len && !in) || len > (size_t)PTRDIFF_MAX)
		return CORREU_ERR_ARG;
	if (len && c->state == CS_CLOSED)
		return correu__imapc_fail(c, CORREU_ERR_PROTO, "bytes after the session ended");
	rc = correu__imapc_usable(c);
	if (rc < 0)
		return rc;
	if (len)
		c->timer.progress = true;
	clock_at(c, now_ms);
	/* RFC 9051 §6.2.1 and DESIGN: nothing read after the go-ahead and
	 * before the handshake can be trusted; it is refused, never kept. */
	if (len && c->state == CS_TLS_WAIT)
		return correu__imapc_fail(c, CORREU_ERR_PROTO,
		                          "plaintext bytes after STARTTLS go-ahead");
	c->in_recv = true;
	rc = correu_imap_parser_feed(c->parser, in, len);
	c->in_recv = false;
	if (rc < 0)
		return c->state == CS_FAILED ? c->error : correu__imapc_fail(c, rc, "cannot go on");
	if (c->state == CS_FAILED)
		return c->error;
	/* Part of a response behind the go-ahead, in the same read. */
	if (c->state == CS_TLS_WAIT && correu_imap_parser_pending(c->parser))
		return correu__imapc_fail(c, CORREU_ERR_PROTO,
		                          "plaintext bytes after STARTTLS go-ahead");
	return (correu_ssize)len;
}

int correu_imap_client_tick(correu_imap_client *c, uint64_t now_ms)
{
	if (!c)
		return CORREU_ERR_ARG;
	clock_at(c, now_ms);
	if (c->state == CS_FAILED)
		return c->error;
	return correu__imapc_idle_tick(c);
}

int correu_imap_client_eof(correu_imap_client *c)
{
	if (!c)
		return CORREU_ERR_ARG;
	if (c->state == CS_FAILED)
		return c->error;
	if (c->state == CS_CLOSED)
		return 0;
	if (c->bye && !correu_imap_parser_pending(c->parser)) {
		c->state = CS_CLOSED;
		return correu__imapc_emit(c, CORREU_IMAP_CLIENT_EV_CLOSED, NULL, 0, NULL);
	}
	if (correu_imap_parser_pending(c->parser))
		return correu__imapc_fail(c, CORREU_ERR_INCOMPLETE,
		                          "connection closed inside a response");
	return correu__imapc_fail(c, CORREU_ERR_EOF, "connection closed by the server");
}

const uint8_t *correu_imap_client_send_buf(correu_imap_client *c, size_t *len_out)
{
	return correu__proto_out_peek(c ? &c->out : NULL, len_out);
}

int correu_imap_client_send_ack(correu_imap_client *c, size_t n)
{
	int rc = correu__proto_out_ack(c ? &c->out : NULL, n);

	if (rc <= 0)
		return rc;
	c->timer.progress = true;
	return c->state == CS_FAILED ? c->error : correu__imapc_pump(c);
}

int correu_imap_client_want_read(const correu_imap_client *c)
{
	if (!c || c->state == CS_FAILED || c->state == CS_CLOSED || c->state == CS_TLS_WAIT)
		return 0;
	return c->state == CS_GREETING || correu__imapc_oldest((correu_imap_client *)c) != NULL;
}

int correu_imap_client_want_write(const correu_imap_client *c)
{
	return c && c->out.len > 0;
}

int correu_imap_client_idle(const correu_imap_client *c)
{
	return c && c->state == CS_READY && !c->head && c->out.len == 0;
}

int correu_imap_client_error(const correu_imap_client *c)
{
	return c ? c->error : CORREU_ERR_ARG;
}

uint64_t correu_imap_client_next_deadline(const correu_imap_client *c)
{
	if (!c || c->state == CS_FAILED || c->state == CS_CLOSED || c->state == CS_TLS_WAIT)
		return UINT64_MAX;
	if (c->out.len)
		return correu__proto_after(c->timer.base_ms, c->set.timeout_send_ms);
	if (c->idling)
		return correu__proto_after(c->idle_since, c->set.idle_renew_ms);
	if (c->state == CS_GREETING)
		return correu__proto_after(c->timer.base_ms, c->set.timeout_greeting_ms);
	if (correu__imapc_oldest((correu_imap_client *)c))
		return correu__proto_after(c->timer.base_ms, c->set.timeout_command_ms);
	return UINT64_MAX;
}

int correu_imap_client_tls_done(correu_imap_client *c)
{
	if (!c)
		return CORREU_ERR_ARG;
	if (c->state != CS_TLS_WAIT)
		return c->state == CS_FAILED ? c->error : CORREU_ERR_STATE;
	if (c->in_recv || c->compress_wait)
		return CORREU_ERR_STATE;
	c->tls = true;
	c->timer.progress = true;
	c->state = CS_START;
	/* RFC 9051 §6.2.1: forget everything learnt in plaintext. */
	correu_imap_parser_reset(c->parser);
	correu__imapc_caps_clear(&c->caps);
	c->have_caps = false;
	return correu__imapc_send_capability(c);
}

int correu_imap_client_is_tls(const correu_imap_client *c)
{
	return c && c->tls;
}

int correu_imap_client_logged_in(const correu_imap_client *c)
{
	return c && c->logged_in;
}

uint32_t correu_imap_client_caps(const correu_imap_client *c)
{
	return c ? c->caps.mask : 0;
}

int correu_imap_client_has_cap(const correu_imap_client *c, const char *name, size_t len)
{
	return c && name && correu__imapc_caps_has(&c->caps, name, len);
}

const char *correu_imap_client_sasl_mechs(const correu_imap_client *c, size_t *len_out)
{
	if (len_out)
		*len_out = 0;
	if (!c || !len_out || c->caps.mechs.len == 0)
		return NULL;
	*len_out = c->caps.mechs.len;
	return (const char *)c->caps.mechs.data;
}

uint32_t correu_imap_client_enabled(const correu_imap_client *c)
{
	return c ? c->enabled : 0;
}
