/*
 * libFuzzer harness for the SMTP client core (SMTP layer): arbitrary
 * server bytes against a client that queues a transaction when ready,
 * feeds a body when asked and upgrades "TLS" when told to, as a driver
 * would. After each message it begins the next one at once, pipelined
 * behind the end of the data (RFC 2920 §3.1), up to three, then quits.
 * The first byte picks the policy, LMTP, pipelining and the chunk size;
 * every output is drained as if written.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "correu/smtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
	int ready, body, starttls, messages;
};

static int on_event(const correu_smtp_event *ev, void *userdata)
{
	struct state *st = userdata;

	if (ev->type == CORREU_SMTP_EV_READY)
		st->ready = 1;
	else if (ev->type == CORREU_SMTP_EV_BODY)
		st->body = 1;
	else if (ev->type == CORREU_SMTP_EV_STARTTLS)
		st->starttls = 1;
	/* The text must be readable in full. */
	for (size_t i = 0; i < ev->text_len; i++)
		if (ev->text[i] == '\0' && ev->type == CORREU_SMTP_EV_REPLY)
			__builtin_trap();
	return 0;
}

/* Results the harness does not act on (GCC ignores a (void) cast of a
 * warn_unused_result call). */
static void ignore(int rc)
{
	(void)rc;
}

static void drain(correu_smtp_client *c)
{
	size_t len;

	while (correu_smtp_client_send_buf(c, &len) && len) {
		/* Write in two parts, to exercise partial acknowledgements. */
		if (correu_smtp_client_send_ack(c, len / 2) < 0 ||
		    correu_smtp_client_send_ack(c, len - len / 2) < 0)
			return;
	}
}

static void envelope(correu_smtp_client *c)
{
	ignore(correu_smtp_client_mail(c, "a@b", 3, NULL));
	ignore(correu_smtp_client_rcpt(c, "c@d", 3, NULL));
	ignore(correu_smtp_client_rcpt(c, "e@f", 3, NULL));
	ignore(correu_smtp_client_data(c));
}

static void act(correu_smtp_client *c, struct state *st)
{
	static const uint8_t body[] = "Subject: fuzz\r\n\r\n.line\r\nend\r\n";
	correu_sasl_credentials cr;

	if (st->starttls) {
		st->starttls = 0;
		ignore(correu_smtp_client_tls_done(c));
	}
	if (st->ready) {
		st->ready = 0;
		memset(&cr, 0, sizeof(cr));
		cr.version = CORREU_SASL_CREDENTIALS_VERSION;
		cr.username = "u";
		cr.username_len = 1;
		cr.password = "p";
		cr.password_len = 1;
		ignore(correu_smtp_client_auth(c, 0, &cr, NULL));
		envelope(c);
	}
	if (st->body) {
		st->body = 0;
		if (correu_smtp_client_body(c, body, sizeof(body) - 1) >= 0)
			ignore(correu_smtp_client_body_end(c));
		if (++st->messages < 3)
			envelope(c);
		else
			ignore(correu_smtp_client_quit(c));
	}
	drain(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t policy[4] = { CORREU_SMTP_TLS_REQUIRED, CORREU_SMTP_TLS_OPPORTUNISTIC,
		                            CORREU_SMTP_TLS_NONE, CORREU_SMTP_TLS_IMPLICIT };
	correu_smtp_settings s;
	correu_smtp_client *c = NULL;
	struct state st = { 0, 0, 0, 0 };
	size_t chunk;
	uint64_t now = 0;

	if (size < 1)
		return 0;
	correu_smtp_settings_init(&s);
	s.tls_policy = policy[data[0] & 3];
	s.flags = ((data[0] & 4) ? CORREU_SMTP_LMTP : 0) |
	          ((data[0] & 8) ? CORREU_SMTP_NO_PIPELINING : 0) |
	          ((data[0] & 16) ? CORREU_SMTP_PREFER_CHUNKING : 0);
	s.max_line = 512;
	s.max_reply = 4096;
	s.max_output = 1024;
	s.on_event = on_event;
	s.event_userdata = &st;
	chunk = (size_t)(data[0] >> 5) * 9 + 1;
	data++;
	size--;
	if (correu_smtp_client_new(&s, &c) < 0)
		return 0;
	while (size > 0) {
		size_t n = size < chunk ? size : chunk;
		correu_ssize rc = correu_smtp_client_recv(c, data, n, now++);

		if (rc >= 0 && (size_t)rc != n)
			__builtin_trap();
		act(c, &st);
		(void)correu_smtp_client_next_deadline(c);
		data += n;
		size -= n;
		if (rc < 0)
			break;
	}
	ignore(correu_smtp_client_eof(c));
	correu_smtp_client_free(c);
	return 0;
}
