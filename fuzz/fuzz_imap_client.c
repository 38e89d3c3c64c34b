/*
 * libFuzzer harness for the IMAP client core (IMAP layer): arbitrary
 * server bytes against a client that upgrades "TLS" when told to (the
 * STARTTLS point simulated: tls_done after the read that gave the
 * go-ahead), logs in when ready (LOGIN or SCRAM as the first byte says),
 * then queues SELECT, FETCH, SEARCH, LIST, an APPEND from a reader, IDLE
 * and LOGOUT, and drains its output as a driver would. The first byte also
 * picks the policy and the read size. Invariants are checked with traps:
 * bounded literal pieces, DONE events carrying their END, no event after
 * a fatal error.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "correu/imap.h"
#include "fuzz_client.h"

CORREU__PROTO_CORE(imap_core, correu_imap_client, CORREU_IMAP_CLIENT_EV);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct state {
	int ready, starttls, failed, idling;
	uint64_t appended;
};

static int on_event(const correu_imap_client_event *ev, void *userdata)
{
	struct state *st = userdata;

	if (st->failed)
		__builtin_trap();
	switch (ev->type) {
	case CORREU_IMAP_CLIENT_EV_READY: st->ready = 1; break;
	case CORREU_IMAP_CLIENT_EV_STARTTLS: st->starttls = 1; break;
	case CORREU_IMAP_CLIENT_EV_IDLING: st->idling = 1; break;
	case CORREU_IMAP_CLIENT_EV_ERROR: st->failed = 1; break;
	case CORREU_IMAP_CLIENT_EV_DONE:
		if (!ev->data || ev->data->type != CORREU_IMAP_EV_END || !ev->id)
			__builtin_trap();
		break;
	case CORREU_IMAP_CLIENT_EV_DATA:
		if (!ev->data)
			__builtin_trap();
		/* Bounded, non-empty pieces (max_chunk is 7 below). */
		if (ev->data->type == CORREU_IMAP_EV_LITERAL_DATA &&
		    (ev->data->data_len == 0 || ev->data->data_len > 7))
			__builtin_trap();
		break;
	default: break;
	}
	return 0;
}

static correu_ssize reader(uint8_t *buf, size_t len, void *userdata)
{
	struct state *st = userdata;

	memset(buf, 'm', len);
	st->appended += len;
	return (correu_ssize)len;
}

static void login(correu_imap_client *c, int scram)
{
	correu_sasl_credentials cr;
	correu_sasl_settings ss;

	if (!scram) {
		fuzz_ignore(correu_imap_client_login(c, "u", 1, "p w", 3));
		return;
	}
	fuzz_credentials(&cr);
	correu_sasl_settings_init(&ss);
	ss.random = fuzz_random;
	/* Cheap PBKDF2 keeps the fuzzer fast: counts over 64 are refused. */
	ss.min_iterations = 1;
	ss.max_iterations = 64;
	fuzz_ignore(correu_imap_client_authenticate(c, 0, &cr, &ss));
}

static void work(correu_imap_client *c, struct state *st)
{
	fuzz_ignore(correu_imap_client_enable(c, CORREU_IMAP_CAP_QRESYNC |
	                                                 CORREU_IMAP_CAP_UTF8_ACCEPT));
	fuzz_ignore(correu_imap_client_select(c, "Entw\xc3\xbcrfe", 9, CORREU_IMAP_SELECT_CONDSTORE,
	                                      0, 0, NULL, 0));
	fuzz_ignore(
		correu_imap_client_fetch(c, CORREU_IMAP_UID, "1:*", "(UID FLAGS BODY.PEEK[])", 0));
	fuzz_ignore(correu_imap_client_search(c, CORREU_IMAP_RETURN_ALL, "UTF-8", "ALL", 3));
	fuzz_ignore(correu_imap_client_list(c, "", 0, "*", 1, CORREU_IMAP_LIST_RETURN_CHILDREN, 0));
	fuzz_ignore(correu_imap_client_append(c, "INBOX", 5, NULL, NULL, 20, 0, reader, st));
	fuzz_ignore(correu_imap_client_idle_start(c));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t policies[] = { CORREU_IMAP_TLS_REQUIRED,
		                             CORREU_IMAP_TLS_OPPORTUNISTIC, CORREU_IMAP_TLS_NONE,
		                             CORREU_IMAP_TLS_IMPLICIT };
	correu_imap_settings s;
	correu_imap_parser_settings ps;
	correu_imap_client *c;
	struct state st;
	size_t step, off;
	int logged = 0, worked = 0, idle_done = 0;
	uint8_t mode;

	if (size < 1)
		return 0;
	mode = data[0];
	memset(&st, 0, sizeof(st));
	correu_imap_parser_settings_init(&ps);
	ps.max_chunk = 7;
	ps.max_line = 512;
	correu_imap_settings_init(&s);
	s.tls_policy = policies[mode & 3];
	if (mode & 4)
		s.flags |= CORREU_IMAP_ALLOW_PLAINTEXT_AUTH;
	s.max_output = 1024;
	s.parser = &ps;
	s.on_event = on_event;
	s.event_userdata = &st;
	if (correu_imap_client_new(&s, &c) != 0)
		return 0;
	step = 1 + (size_t)(mode >> 5);
	for (off = 1; off < size;) {
		size_t n = size - off < step ? size - off : step;

		if (correu_imap_client_recv(c, data + off, n, off) < 0)
			break;
		off += n;
		if (st.starttls) {
			st.starttls = 0;
			if (correu_imap_client_tls_done(c) < 0)
				break;
		}
		if (st.ready && !logged) {
			logged = 1;
			login(c, mode & 8);
		}
		if (st.ready && logged && !worked && correu_imap_client_logged_in(c)) {
			worked = 1;
			work(c, &st);
		}
		if (st.idling && !idle_done) {
			idle_done = 1;
			fuzz_ignore(correu_imap_client_tick(c, off + 2000000));
			fuzz_ignore(correu_imap_client_idle_done(c));
			fuzz_ignore(correu_imap_client_logout(c));
		}
		fuzz_drain(&imap_core, c);
	}
	if (st.appended > 20)
		__builtin_trap();
	fuzz_ignore(correu_imap_client_eof(c));
	correu_imap_client_free(c);
	return 0;
}
