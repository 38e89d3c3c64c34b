/*
 * libFuzzer harness for the inflating path of IMAP COMPRESS=DEFLATE
 * (transport layer's deflate filter under the IMAP client core, RFC
 * 4978): a client that took the COMPRESS OK in plaintext reads arbitrary
 * bytes as the server's compressed stream through the filter, in reads
 * whose size the first byte picks, into the core. Invariants are checked
 * with traps: no read gives more than was asked, and a failed filter
 * keeps failing with the same code.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "correu/imap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct wire {
	const uint8_t *p;
	size_t len, chunk;
};

static correu_ssize w_recv(uint8_t *buf, size_t len, void *ud)
{
	struct wire *w = ud;
	size_t n = w->len < w->chunk ? w->len : w->chunk;

	if (w->len == 0)
		return CORREU_ERR_EOF;
	if (n > len)
		n = len;
	memcpy(buf, w->p, n);
	w->p += n;
	w->len -= n;
	return (correu_ssize)n;
}

static correu_ssize w_send(const uint8_t *buf, size_t len, void *ud)
{
	(void)buf;
	(void)ud;
	return (correu_ssize)len;
}

static int on_event(const correu_imap_client_event *ev, void *userdata)
{
	(void)ev;
	(void)userdata;
	return 0;
}

static void drain(correu_imap_client *c, correu_transport *t)
{
	size_t len;
	const uint8_t *p;

	while ((p = correu_imap_client_send_buf(c, &len)) != NULL) {
		correu_ssize n = correu_transport_send(t, p, len);

		if (n <= 0 || correu_imap_client_send_ack(c, (size_t)n) < 0)
			return;
	}
}

static void plain(correu_imap_client *c, const char *s)
{
	if (correu_imap_client_recv(c, (const uint8_t *)s, strlen(s), 0) < 0)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t reads[] = { 1, 2, 7, 64, 256, 4096 };
	correu_transport_ops ops = { .version = CORREU_TRANSPORT_OPS_VERSION,
		                     .send = w_send,
		                     .recv = w_recv };
	struct wire w;
	correu_imap_settings set;
	correu_imap_client *c = NULL;
	correu_transport *t = NULL, *f = NULL;
	uint8_t buf[4096];
	size_t want;
	correu_ssize n = 0;

	if (size < 1)
		return 0;
	want = reads[data[0] % 6];
	w.chunk = reads[(data[0] / 6) % 6];
	w.p = data + 1;
	w.len = size - 1;
	correu_imap_settings_init(&set);
	set.tls_policy = CORREU_IMAP_TLS_IMPLICIT;
	set.on_event = on_event;
	if (correu_imap_client_new(&set, &c) < 0)
		return 0;
	if (correu_transport_new(&ops, &w, NULL, &t) < 0)
		goto out;
	plain(c, "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE LITERAL+] hi\r\n");
	if (correu_imap_client_compress(c) < 0)
		goto out;
	drain(c, t);
	plain(c, "A1 OK DEFLATE active\r\n");
	if (correu_transport_deflate_new(t, NULL, &f) < 0)
		goto out;
	t = f;
	if (correu_imap_client_compress_done(c) < 0 || correu_imap_client_noop(c) < 0)
		goto out;
	drain(c, t);
	for (;;) {
		n = correu_transport_recv(t, buf, want);
		if (n < 0)
			break;
		if (n == 0 || (size_t)n > want)
			__builtin_trap();
		if (correu_imap_client_recv(c, buf, (size_t)n, 0) < 0)
			break;
		drain(c, t);
	}
	/* A filter that failed stays failed. */
	if (n < 0 && n != CORREU_ERR_EOF && correu_transport_recv(t, buf, want) != n)
		__builtin_trap();
out:
	correu_transport_free(t);
	correu_imap_client_free(c);
	return 0;
}
