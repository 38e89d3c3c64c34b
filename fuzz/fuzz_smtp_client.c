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

#include "correu/smtp.h"
#include "fuzz_client.h"

CORREU__PROTO_CORE(smtp_core, correu_smtp_client, CORREU_SMTP_EV);

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

static void envelope(correu_smtp_client *c)
{
	fuzz_ignore(correu_smtp_client_mail(c, "a@b", 3, NULL));
	fuzz_ignore(correu_smtp_client_rcpt(c, "c@d", 3, NULL));
	fuzz_ignore(correu_smtp_client_rcpt(c, "e@f", 3, NULL));
	fuzz_ignore(correu_smtp_client_data(c));
}

static void act(void *core, void *state)
{
	static const uint8_t body[] = "Subject: fuzz\r\n\r\n.line\r\nend\r\n";
	correu_smtp_client *c = core;
	struct state *st = state;
	correu_sasl_credentials cr;

	if (st->starttls) {
		st->starttls = 0;
		fuzz_ignore(correu_smtp_client_tls_done(c));
	}
	if (st->ready) {
		st->ready = 0;
		fuzz_credentials(&cr);
		fuzz_ignore(correu_smtp_client_auth(c, 0, &cr, NULL));
		envelope(c);
	}
	if (st->body) {
		st->body = 0;
		if (correu_smtp_client_body(c, body, sizeof(body) - 1) >= 0)
			fuzz_ignore(correu_smtp_client_body_end(c));
		if (++st->messages < 3)
			envelope(c);
		else
			fuzz_ignore(correu_smtp_client_quit(c));
	}
	fuzz_drain(&smtp_core, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t policy[4] = { CORREU_SMTP_TLS_REQUIRED, CORREU_SMTP_TLS_OPPORTUNISTIC,
		                            CORREU_SMTP_TLS_NONE, CORREU_SMTP_TLS_IMPLICIT };
	correu_smtp_settings s;
	correu_smtp_client *c = NULL;
	struct state st = { 0, 0, 0, 0 };
	size_t chunk;

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
	fuzz_feed(&smtp_core, c, data, size, chunk, act, &st);
	fuzz_ignore(correu_smtp_client_eof(c));
	correu_smtp_client_free(c);
	return 0;
}
