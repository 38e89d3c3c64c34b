/*
 * libFuzzer harness for the POP3 client core (POP3 layer): arbitrary
 * server bytes against a client that logs in when ready (SASL, APOP or
 * USER/PASS as the first byte says), queues every transaction command,
 * upgrades "TLS" when told to and drains its output as a driver would.
 * The first byte also picks the policy, pipelining and the read size.
 */
#include <stddef.h>
#include <stdint.h>

#include "correu/pop3.h"
#include "fuzz_client.h"

CORREU__PROTO_CORE(pop3_core, correu_pop3_client, CORREU_POP3_EV);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
	int ready, starttls, login;
	uint64_t body;
};

static int on_event(const correu_pop3_event *ev, void *userdata)
{
	struct state *st = userdata;

	if (ev->type == CORREU_POP3_EV_READY)
		st->ready = 1;
	else if (ev->type == CORREU_POP3_EV_STARTTLS)
		st->starttls = 1;
	else if (ev->type == CORREU_POP3_EV_BODY) {
		/* Bounded, non-empty chunks (max_chunk is 7 below). */
		if (ev->data_len == 0 || ev->data_len > 7 || !ev->data)
			__builtin_trap();
		st->body += ev->data_len;
	}
	if (ev->type == CORREU_POP3_EV_ITEM && ev->command == CORREU_POP3_CMD_UIDL &&
	    (ev->text_len == 0 || ev->text_len > 70))
		__builtin_trap();
	if (ev->code_text_len && !ev->resp_code)
		__builtin_trap();
	return 0;
}

static void login(correu_pop3_client *c, int how)
{
	correu_sasl_credentials cr;
	correu_sasl_settings ss;

	fuzz_credentials(&cr);
	correu_sasl_settings_init(&ss);
	ss.random = fuzz_random;
	if (how == 0)
		fuzz_ignore(correu_pop3_client_auth(c, 0, &cr, &ss));
	else if (how == 1)
		fuzz_ignore(correu_pop3_client_apop(c, "u", 1, "p", 1));
	else if (how == 2)
		fuzz_ignore(correu_pop3_client_user(c, "u", 1, "p", 1));
	else
		fuzz_ignore(correu_pop3_client_utf8(c));
}

static void act(void *core, void *state)
{
	correu_pop3_client *c = core;
	struct state *st = state;

	if (st->starttls) {
		st->starttls = 0;
		fuzz_ignore(correu_pop3_client_tls_done(c));
	}
	if (st->ready) {
		st->ready = 0;
		login(c, st->login);
		fuzz_ignore(correu_pop3_client_stat(c));
		fuzz_ignore(correu_pop3_client_list(c, 0));
		fuzz_ignore(correu_pop3_client_list(c, 1));
		fuzz_ignore(correu_pop3_client_uidl(c, 0));
		fuzz_ignore(correu_pop3_client_uidl(c, 2));
		fuzz_ignore(correu_pop3_client_retr(c, 1));
		fuzz_ignore(correu_pop3_client_top(c, 1, 3));
		fuzz_ignore(correu_pop3_client_dele(c, 1));
		fuzz_ignore(correu_pop3_client_capa(c));
		fuzz_ignore(correu_pop3_client_rset(c));
		fuzz_ignore(correu_pop3_client_noop(c));
		fuzz_ignore(correu_pop3_client_quit(c));
	}
	fuzz_drain(&pop3_core, c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t policy[4] = { CORREU_POP3_TLS_REQUIRED, CORREU_POP3_TLS_OPPORTUNISTIC,
		                            CORREU_POP3_TLS_NONE, CORREU_POP3_TLS_IMPLICIT };
	correu_pop3_settings s;
	correu_pop3_client *c = NULL;
	struct state st = { 0, 0, 0, 0 };
	size_t chunk;

	if (size < 1)
		return 0;
	correu_pop3_settings_init(&s);
	s.tls_policy = policy[data[0] & 3];
	s.flags = ((data[0] & 4) ? CORREU_POP3_NO_PIPELINING : 0) |
	          ((data[0] & 8) ? CORREU_POP3_BODY_NORMALISE : 0) |
	          CORREU_POP3_ALLOW_PLAINTEXT_AUTH;
	st.login = (data[0] >> 4) & 3;
	s.max_line = 512;
	s.max_body_line = 100;
	s.max_message = 4096;
	s.max_chunk = 7;
	s.max_capa = 1024;
	s.max_output = 1024;
	s.on_event = on_event;
	s.event_userdata = &st;
	chunk = (size_t)(data[0] >> 6) * 13 + 1;
	data++;
	size--;
	if (correu_pop3_client_new(&s, &c) < 0)
		return 0;
	fuzz_feed(&pop3_core, c, data, size, chunk, act, &st);
	if (st.body > 4096 * 16)
		__builtin_trap();
	fuzz_ignore(correu_pop3_client_eof(c));
	correu_pop3_client_free(c);
	return 0;
}
