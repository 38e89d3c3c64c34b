/*
 * libFuzzer harness for the SMTP server core (SMTP layer, server side):
 * arbitrary client bytes, offered as the server runtime would (one read
 * at a time, the core taking one command per call), with a TLS upgrade
 * whenever the core asks for one (bytes pipelined behind STARTTLS are
 * dropped), against the store tests' in-memory backend. The first two
 * bytes pick the mode, the options, whether the backend answers later,
 * the listener and the read size. At the end nothing may be left: no
 * request live, no delivery open.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "correu/smtp_server.h"
#include "memback.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_random(uint8_t *buf, size_t len, void *userdata)
{
	(void)userdata;
	memset(buf, 'r', len);
	return 0;
}

static int fuzz_clock(int64_t *secs, void *userdata)
{
	(void)userdata;
	*secs = 1764305248;
	return 0;
}

static void drain(const correu_server_core *core, void *sess)
{
	const uint8_t *p;
	size_t n;

	if (core->send_buf(&p, &n, sess) < 0)
		__builtin_trap();
	/* Written in two parts, to exercise partial acknowledgements. */
	if (core->send_ack(n / 2, sess) < 0 || core->send_ack(n - n / 2, sess) < 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct memback proto;
	static int have_proto;
	static const uint32_t modes[] = { CORREU_SMTP_SERVER_MX, CORREU_SMTP_SERVER_SUBMISSION,
		                          CORREU_SMTP_SERVER_LMTP, CORREU_SMTP_SERVER_MX };
	const correu_server_core *core = correu_smtp_server_core();
	correu_server_peer peer = { .version = CORREU_SERVER_PEER_VERSION };
	correu_smtp_server_settings set;
	struct memback mb;
	correu_store *store = NULL;
	correu_smtp_service *svc = NULL;
	void *sess = NULL;
	size_t off = 2, avail, chunk;
	uint64_t now = 0;

	if (size < 2 || correu_smtp_server_settings_init(&set) < 0)
		return 0;
	set.mode = modes[data[0] & 3];
	set.flags = (data[0] >> 2) & 3; /* normalise, plaintext AUTH */
	set.max_line = 512;
	set.max_auth_line = 1024;
	set.max_rcpts = 5;
	set.max_errors = 50;
	set.error_delay_after = 20;
	set.max_chunk = 2048;
	set.max_message = 4096;
	set.max_body_line = (data[0] & 0x80) ? 100 : 0;
	set.hostname = "mx.example";
	set.random = fuzz_random;
	set.clock = fuzz_clock;
	/* memback_init() derives SCRAM keys (PBKDF2): once, then copies. */
	if (!have_proto) {
		memback_init(&proto);
		have_proto = 1;
	}
	mb = proto;
	mb.later = (data[0] & 0x10) != 0;
	peer.flags = (data[0] & 0x20) ? CORREU_SERVER_PEER_TLS : CORREU_SERVER_PEER_STARTTLS;
	peer.addr = (data[0] & 0x40) ? "2001:db8::1" : "192.0.2.1";
	chunk = (size_t)(data[1] % 64) + 1;
	if (correu_store_new(memback_table(), &mb, NULL, NULL, &store) < 0)
		return 0;
	if (correu_smtp_service_new(&set, store, NULL, &svc) < 0 ||
	    correu_smtp_service_trust_xclient(svc, "192.0.2.0/24") < 0 ||
	    core->open(&peer, NULL, &sess, svc) < 0)
		goto out;
	avail = off;
	for (int guard = 0; guard < 100000; guard++) {
		int w = core->want(sess), n = 0;

		drain(core, sess);
		if (w & CORREU_SERVER_WANT_CLOSE)
			break;
		if (w & CORREU_SERVER_WANT_STARTTLS) {
			/* The runtime drops what it holds, then the handshake. */
			uint64_t dropped = avail - off;

			off = avail;
			if (core->event(CORREU_SERVER_EV_TLS_STARTED, dropped, now, sess) < 0)
				break;
			continue;
		}
		if (mb.queued) {
			memback_run(&mb);
			continue;
		}
		if (!(w & CORREU_SERVER_WANT_READ)) {
			/* Held back: let time pass. */
			now += 60000;
			if (core->event(CORREU_SERVER_EV_TIMER, 0, now, sess) < 0)
				break;
			continue;
		}
		if (off == avail) {
			if (avail == size)
				break;
			avail = avail + chunk > size ? size : avail + chunk;
		}
		n = core->recv(data + off, avail - off, now, sess);
		if (n < 0)
			break;
		if ((size_t)n > avail - off)
			__builtin_trap();
		off += (size_t)n;
		if (n == 0 && avail < size)
			avail = avail + chunk > size ? size : avail + chunk;
		else if (n == 0)
			break;
	}
	if (core->event(CORREU_SERVER_EV_PEER_CLOSED, 0, now, sess) >= 0)
		drain(core, sess);
out:
	if (sess)
		core->close(sess);
	memback_run(&mb);
	if (correu_store_live_requests(store) != 0 || mb.deliveries_open != 0)
		__builtin_trap();
	correu_smtp_service_free(svc);
	correu_store_free(store);
	return 0;
}
