/*
 * The SMTP client core's handle (SMTP layer): settings, lifecycle, the
 * byte interface (recv, send_buf, send_ack), time and deadlines, and the
 * event and fatal-error paths every other client file goes through.
 */
#include <string.h>

#include "smtp_internal.h"

#define DEF_MAX_LINE 4096
#define DEF_MAX_REPLY 65536
#define DEF_MAX_OUTPUT 32768
#define DEF_MAX_QUEUE 262144
#define DEF_MAX_COMMANDS 4096
/* RFC 5321 §4.5.3.2: 5 minutes for the greeting and commands, 3 per data
 * block, 10 for the reply to the end of the data. */
#define DEF_T_GREETING 300000u
#define DEF_T_COMMAND 300000u
#define DEF_T_DATA_END 600000u
#define DEF_T_SEND 180000u
/* The smallest line a client must accept (RFC 5321 §4.5.3.1.5). */
#define MIN_LINE 512

void correu_smtp_settings_init(correu_smtp_settings *s)
{
	if (!s)
		return;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_SMTP_SETTINGS_VERSION;
	s->tls_policy = CORREU_SMTP_TLS_REQUIRED;
}

static void fill_defaults(correu_smtp_settings *s)
{
	if (!s->max_line)
		s->max_line = DEF_MAX_LINE;
	if (!s->max_reply)
		s->max_reply = DEF_MAX_REPLY;
	if (!s->max_output)
		s->max_output = DEF_MAX_OUTPUT;
	if (!s->max_queue)
		s->max_queue = DEF_MAX_QUEUE;
	if (!s->max_commands)
		s->max_commands = DEF_MAX_COMMANDS;
	if (!s->timeout_greeting_ms)
		s->timeout_greeting_ms = DEF_T_GREETING;
	if (!s->timeout_command_ms)
		s->timeout_command_ms = DEF_T_COMMAND;
	if (!s->timeout_data_end_ms)
		s->timeout_data_end_ms = DEF_T_DATA_END;
	if (!s->timeout_send_ms)
		s->timeout_send_ms = DEF_T_SEND;
}

static int check_settings(const correu_smtp_settings *s)
{
	const uint32_t flags = CORREU_SMTP_LMTP | CORREU_SMTP_NO_PIPELINING |
	                       CORREU_SMTP_PREFER_CHUNKING | CORREU_SMTP_BODY_NORMALISE |
	                       CORREU_SMTP_ALLOW_PLAINTEXT_AUTH;

	if (s->version != CORREU_SMTP_SETTINGS_VERSION || !s->on_event || (s->flags & ~flags) ||
	    s->tls_policy > CORREU_SMTP_TLS_IMPLICIT || s->max_line < MIN_LINE)
		return CORREU_ERR_ARG;
	/* The output must hold the longest command we format (an AUTH line
	 * can be long) and a BDAT header with some data. */
	if (s->max_output < 1024 || s->max_reply < s->max_line)
		return CORREU_ERR_ARG;
	if (s->ehlo_name && correu__smtp_check_domain(s->ehlo_name, strlen(s->ehlo_name)) < 0)
		return CORREU_ERR_ARG;
	return 0;
}

int correu_smtp_client_new(const correu_smtp_settings *settings, correu_smtp_client **client_out)
{
	correu_smtp_settings s;
	correu_smtp_client *c;
	const correu_allocator *a;
	const char *name;
	size_t name_len;
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
	name = s.ehlo_name ? s.ehlo_name : "localhost";
	/* One block holds the client, its dot-stuffer and its EHLO name (at
	 * most 255 bytes, checked above): one allocation to fail, one to free. */
	name_len = strlen(name);
	c = correu__calloc(a, sizeof(*c) + correu_dot_encoder_sizeof() + name_len + 1);
	if (!c)
		return CORREU_ERR_NOMEM;
	c->set = s;
	c->alloc = a;
	c->enc_mem = c + 1;
	c->ehlo_name = (char *)c->enc_mem + correu_dot_encoder_sizeof();
	c->ehlo_name_len = name_len;
	memcpy(c->ehlo_name, name, name_len + 1);
	c->set.ehlo_name = c->ehlo_name;
	if (s.logger)
		c->logger = *s.logger;
	c->set.logger = NULL;
	correu__proto_sasl_init(&c->sasl, a, &c->logger, "smtp: AUTH");
	c->tls = s.tls_policy == CORREU_SMTP_TLS_IMPLICIT;
	correu__buf_init(&c->out, a, s.max_output);
	correu__proto_cmdq_init(&c->cmds, a, sizeof(correu__smtp_cmd), s.max_commands,
	                        s.max_queue, &c->timer);
	correu__buf_init(&c->accepted, a, (size_t)s.max_commands * 2 * sizeof(uint32_t));
	correu__smtp_caps_init(&c->caps, a, s.max_reply);
	rc = correu_dot_encoder_init(c->enc_mem, correu_dot_encoder_sizeof(),
	                             (s.flags & CORREU_SMTP_BODY_NORMALISE) ? CORREU_DOT_NORMALISE : 0,
	                             &c->enc);
	if (rc == 0)
		rc = correu__smtp_reader_init(&c->rd, a, s.max_line, s.max_reply);
	/* The greeting answers the connection: it is the first reply awaited. */
	if (rc == 0)
		rc = correu__smtp_inflight(c, CORREU_SMTP_CMD_GREETING, 0);
	if (rc < 0) {
		correu_smtp_client_free(c);
		return rc;
	}
	c->state = ST_GREETING;
	c->timer.progress = true; /* the first clock update starts the greeting timer */
	*client_out = c;
	return 0;
}

void correu_smtp_client_free(correu_smtp_client *c)
{
	if (!c)
		return;
	correu__smtp_auth_clear(c);
	correu__smtp_reader_free(&c->rd);
	correu__smtp_caps_free(&c->caps);
	/* AUTH lines pass through the queue and the output. */
	correu__buf_free(&c->out, true);
	correu__proto_cmdq_free(&c->cmds);
	correu__buf_free(&c->accepted, false);
	correu__free(c->alloc, c, sizeof(*c) + correu_dot_encoder_sizeof() + c->ehlo_name_len + 1);
}

/* For log lines only. */
static const char *cmd_name(uint32_t cmd)
{
	static const char *const names[] = { "?",    "greeting", "EHLO", "HELO", "LHLO",
		                             "STARTTLS", "AUTH", "MAIL", "RCPT", "DATA",
		                             "BDAT", "end of data", "RSET", "NOOP", "QUIT" };

	return cmd < CORREU__ARRAY_LEN(names) ? names[cmd] : "?";
}

int correu__smtp_emit(correu_smtp_client *c, uint32_t type, uint32_t cmd,
                      const correu__smtp_reply *r, uint32_t index)
{
	correu_smtp_event ev;
	const char *nl;
	int rc;

	memset(&ev, 0, sizeof(ev));
	ev.version = CORREU_SMTP_EVENT_VERSION;
	ev.type = type;
	ev.command = cmd;
	ev.index = index;
	ev.transaction = type == CORREU_SMTP_EV_BODY ? c->gen : c->ev_gen;
	ev.text = "";
	if (r) {
		ev.code = r->code;
		ev.text = r->text.len ? (const char *)r->text.data : "";
		ev.text_len = r->text.len;
		ev.status_class = r->cls;
		ev.status_subject = r->subject;
		ev.status_detail = r->detail;
		/* The first line only: AUTH challenges never get this far. */
		nl = memchr(ev.text, '\n', ev.text_len);
		correu__log(&c->logger, CORREU_LOG_DEBUG, "smtp: %s: %u %.*s", cmd_name(cmd), r->code,
		            (int)(nl ? (size_t)(nl - ev.text) : ev.text_len), ev.text);
	}
	rc = c->set.on_event(&ev, c->set.event_userdata);
	if (rc < 0 && c->state != ST_FAILED) {
		c->state = ST_FAILED;
		c->error = rc;
	}
	return rc < 0 ? rc : 0;
}

/*
 * correu_err_name()'s table (1.5 KB) is too big to bring into a firmware
 * image for one log line, so it is referenced weakly: a static link takes
 * it only if something else needs it (the shared library always has it),
 * and otherwise the line gives the code as a number.
 */
#if defined(__GNUC__) && defined(__ELF__)
#pragma weak correu_err_name
#define ERR_NAME_LINKED() (correu_err_name != NULL)
#else
#define ERR_NAME_LINKED() 1
#endif

static void log_failure(const correu_smtp_client *c, const char *why, int err)
{
	if (ERR_NAME_LINKED())
		correu__log(&c->logger, CORREU_LOG_ERROR, "smtp: %s (%s)", why, correu_err_name(err));
	else
		correu__log(&c->logger, CORREU_LOG_ERROR, "smtp: %s (error %d)", why, err);
}

int correu__smtp_fail(correu_smtp_client *c, int err, const char *why)
{
	correu_smtp_event ev;

	if (c->state == ST_FAILED)
		return c->error;
	c->state = ST_FAILED;
	c->error = err;
	correu__smtp_auth_clear(c);
	log_failure(c, why, err);
	memset(&ev, 0, sizeof(ev));
	ev.version = CORREU_SMTP_EVENT_VERSION;
	ev.type = CORREU_SMTP_EV_ERROR;
	ev.error = err;
	ev.text = why;
	ev.text_len = strlen(why);
	(void)c->set.on_event(&ev, c->set.event_userdata);
	return err;
}

static int usable(const correu_smtp_client *c)
{
	if (c->state == ST_FAILED)
		return c->error ? c->error : CORREU_ERR_POISONED;
	if (c->state == ST_CLOSED)
		return CORREU_ERR_CLOSED;
	return 0;
}

/* Frame replies and dispatch them; stops at the first fatal error. */
static int feed(correu_smtp_client *c, const uint8_t *in, size_t len)
{
	size_t off = 0;
	int rc;

	while (off < len) {
		size_t used;

		rc = correu__smtp_reader_feed(&c->rd, in + off, len - off, &used);
		off += used;
		if (rc == CORREU_ERR_LIMIT)
			return correu__smtp_fail(c, rc, "reply line or reply too long");
		if (rc == CORREU_ERR_BARE_EOL)
			return correu__smtp_fail(c, rc, "bare CR or LF in a reply");
		if (rc == CORREU_ERR_PROTO)
			return correu__smtp_fail(c, rc, "reply code changed inside a multi-line reply");
		if (rc < 0)
			return correu__smtp_fail(c, rc, rc == CORREU_ERR_NOMEM ? "out of memory"
			                                                       : "malformed reply line");
		if (rc == 0)
			break;
		/* RFC 2034 §3: only a server that announced the extension
		 * prefixes its texts; elsewhere digits are just text. */
		if (c->caps.mask & CORREU_SMTP_CAP_ENHANCEDSTATUSCODES)
			correu__smtp_reply_strip(&c->rd.reply);
		rc = correu__smtp_dispatch(c, &c->rd.reply);
		if (rc < 0)
			return rc;
		if (c->state == ST_TLS_WAIT && off < len)
			return correu__smtp_fail(c, CORREU_ERR_PROTO,
			                         "plaintext bytes after STARTTLS go-ahead");
		if (c->state == ST_CLOSED && off < len)
			return correu__smtp_fail(c, CORREU_ERR_PROTO, "bytes after the session ended");
	}
	return 0;
}

correu_ssize correu_smtp_client_recv(correu_smtp_client *c, const uint8_t *in, size_t len,
                                     uint64_t now_ms)
{
	int rc;

	if (!c || (len && !in) || len > (size_t)PTRDIFF_MAX)
		return CORREU_ERR_ARG;
	rc = usable(c);
	if (rc < 0)
		return rc;
	if (len)
		c->timer.progress = true;
	correu__proto_timer_at(&c->timer, now_ms);
	/* RFC 3207 §5 and DESIGN: nothing read after the go-ahead and before
	 * the handshake can be trusted; a server (or an attacker) that sends
	 * it is refused, never buffered for later. */
	if (len && c->state == ST_TLS_WAIT)
		return correu__smtp_fail(c, CORREU_ERR_PROTO, "plaintext bytes after STARTTLS go-ahead");
	c->in_recv = true;
	rc = feed(c, in, len);
	c->in_recv = false;
	return rc < 0 ? rc : (correu_ssize)len;
}

int correu_smtp_client_tick(correu_smtp_client *c, uint64_t now_ms)
{
	if (!c)
		return CORREU_ERR_ARG;
	correu__proto_timer_at(&c->timer, now_ms);
	return c->state == ST_FAILED ? c->error : 0;
}

int correu_smtp_client_eof(correu_smtp_client *c)
{
	if (!c)
		return CORREU_ERR_ARG;
	if (c->state == ST_CLOSED)
		return 0;
	if (c->state == ST_FAILED)
		return c->error;
	if (c->state == ST_QUITTING && c->cmds.nsent == 1 &&
	    correu__smtp_cmd_at(c, 0)->cmd == CORREU_SMTP_CMD_QUIT &&
	    !correu__smtp_reader_pending(&c->rd)) {
		/* RFC 5321 §4.1.1.10 asks for a 221 first, but a server that just
		 * closes after QUIT has still ended the session as asked. */
		c->state = ST_CLOSED;
		return correu__smtp_emit(c, CORREU_SMTP_EV_CLOSED, 0, NULL, 0);
	}
	if (correu__smtp_reader_pending(&c->rd))
		return correu__smtp_fail(c, CORREU_ERR_INCOMPLETE, "connection closed inside a reply");
	return correu__smtp_fail(c, CORREU_ERR_EOF, "connection closed by the server");
}

const uint8_t *correu_smtp_client_send_buf(correu_smtp_client *c, size_t *len_out)
{
	return correu__proto_out_peek(c ? &c->out : NULL, len_out);
}

int correu_smtp_client_send_ack(correu_smtp_client *c, size_t n)
{
	int rc = correu__proto_out_ack(c ? &c->out : NULL, n);

	if (rc <= 0)
		return rc;
	c->timer.progress = true;
	/* A failed session's final QUIT only drains. */
	return c->state == ST_FAILED ? 0 : correu__smtp_pump(c);
}

int correu_smtp_client_want_read(const correu_smtp_client *c)
{
	if (!c || c->state == ST_FAILED || c->state == ST_CLOSED || c->state == ST_TLS_WAIT)
		return 0;
	return c->cmds.nsent > 0;
}

int correu_smtp_client_want_write(const correu_smtp_client *c)
{
	return c && c->out.len > 0;
}

int correu_smtp_client_idle(const correu_smtp_client *c)
{
	return c && c->state == ST_READY && c->cmds.len == 0 && c->out.len == 0 &&
	       c->body == BODY_NONE;
}

int correu_smtp_client_error(const correu_smtp_client *c)
{
	return c ? c->error : CORREU_ERR_ARG;
}

uint64_t correu_smtp_client_next_deadline(const correu_smtp_client *c)
{
	uint64_t t;

	if (!c || c->state == ST_FAILED || c->state == ST_CLOSED || c->state == ST_TLS_WAIT)
		return UINT64_MAX;
	if (c->out.len)
		t = c->set.timeout_send_ms;
	else if (c->cmds.nsent) {
		uint8_t cmd = correu__smtp_cmd_at((correu_smtp_client *)c, 0)->cmd;

		t = cmd == CORREU_SMTP_CMD_GREETING   ? c->set.timeout_greeting_ms
		    : cmd == CORREU_SMTP_CMD_DATA_END ? c->set.timeout_data_end_ms
		                                      : c->set.timeout_command_ms;
	} else
		return UINT64_MAX;
	return correu__proto_after(c->timer.base_ms, t);
}

int correu_smtp_client_is_tls(const correu_smtp_client *c)
{
	return c && c->tls;
}

int correu_smtp_client_tls_done(correu_smtp_client *c)
{
	if (!c)
		return CORREU_ERR_ARG;
	/* Not from the event callback: the rest of the input handed to that
	 * recv call is plaintext that must be refused, not read as TLS. */
	if (c->state != ST_TLS_WAIT || c->in_recv)
		return c->state == ST_FAILED ? c->error : CORREU_ERR_STATE;
	c->tls = true;
	c->timer.progress = true;
	/* RFC 3207 §4.2: forget everything learnt in plaintext. */
	correu__smtp_reader_reset(&c->rd);
	correu__smtp_caps_clear(&c->caps);
	c->esmtp = false;
	return correu__smtp_send_hello(c);
}
