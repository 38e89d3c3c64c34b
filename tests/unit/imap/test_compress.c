/*
 * IMAP COMPRESS=DEFLATE (RFC 4978) end to end in one process: the client
 * core runs over the deflate transport filter, and the test plays the
 * server with zlib itself (raw DEFLATE, a sync flush per response). The
 * compressed server stream is fed whole, byte by byte and cut at every
 * offset through split_check(); malformed and trailing data, the
 * filter's settings at and past their limits, output the network takes
 * in dribbles, and allocation failure are tested too.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "correu/imap.h"
#include "failalloc.h"
#include "split.h"

/* ------------------------------------------------------------------ */
/* A wire: a transport whose input the test queues and whose output it
 * keeps; `dribble` makes each send take at most that many bytes and
 * every other send would block. */

struct wire {
	uint8_t in[1 << 16];
	size_t in_len, in_pos;
	uint8_t *out;
	size_t out_len, out_cap;
	size_t dribble;
	unsigned sends;
	int eof;
};

static correu_ssize w_send(const uint8_t *buf, size_t len, void *ud)
{
	struct wire *w = ud;

	if (w->dribble) {
		if (w->sends++ % 2)
			return CORREU_ERR_WANT_WRITE;
		if (len > w->dribble)
			len = w->dribble;
	}
	if (w->out_len + len > w->out_cap) {
		w->out_cap = (w->out_len + len) * 2;
		w->out = realloc(w->out, w->out_cap);
		cr_assert(w->out);
	}
	memcpy(w->out + w->out_len, buf, len);
	w->out_len += len;
	return (correu_ssize)len;
}

static correu_ssize w_recv(uint8_t *buf, size_t len, void *ud)
{
	struct wire *w = ud;
	size_t n = w->in_len - w->in_pos;

	if (n == 0)
		return w->eof ? CORREU_ERR_EOF : CORREU_ERR_WANT_READ;
	if (n > len)
		n = len;
	memcpy(buf, w->in + w->in_pos, n);
	w->in_pos += n;
	return (correu_ssize)n;
}

static int w_wait(uint32_t events, int32_t timeout_ms, void *ud)
{
	struct wire *w = ud;
	uint32_t r = events & CORREU_WAIT_WRITE;

	(void)timeout_ms;
	if (w->in_pos < w->in_len)
		r |= events & CORREU_WAIT_READ;
	return r ? (int)r : CORREU_ERR_TIMEOUT;
}

static void w_push(struct wire *w, const uint8_t *p, size_t n)
{
	cr_assert(w->in_len + n <= sizeof(w->in));
	memcpy(w->in + w->in_len, p, n);
	w->in_len += n;
}

static correu_transport *w_transport(struct wire *w, const correu_allocator *a)
{
	correu_transport_ops ops = { .version = CORREU_TRANSPORT_OPS_VERSION,
		                     .send = w_send,
		                     .recv = w_recv,
		                     .wait = w_wait };
	correu_transport *t = NULL;
	int rc = correu_transport_new(&ops, w, a, &t);

	return rc == 0 ? t : NULL;
}

/* ------------------------------------------------------------------ */
/* The server's side of the compression, with zlib. */

/* Raw DEFLATE of `text`, sync-flushed after each "\n"-ended response;
 * `finish` ends the stream. Returns the length written to out. */
static size_t squeeze(const char *text, uint8_t *out, size_t cap, int finish)
{
	z_stream z;
	size_t len = strlen(text), done = 0;

	memset(&z, 0, sizeof(z));
	cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_out = out;
	z.avail_out = (uInt)cap;
	while (done < len) {
		const char *nl = memchr(text + done, '\n', len - done);
		size_t n = nl ? (size_t)(nl - (text + done)) + 1 : len - done;

		z.next_in = (Bytef *)(uintptr_t)(text + done);
		z.avail_in = (uInt)n;
		cr_assert_eq(deflate(&z, Z_SYNC_FLUSH), Z_OK);
		cr_assert_eq(z.avail_in, 0u);
		done += n;
	}
	if (finish)
		cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return cap - z.avail_out;
}

/* What the client sent, inflated. */
static char *unsqueeze(const uint8_t *in, size_t len)
{
	z_stream z;
	size_t cap = len * 64 + 256;
	char *out = calloc(1, cap + 1);

	memset(&z, 0, sizeof(z));
	cr_assert_eq(inflateInit2(&z, -15), Z_OK);
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)out;
	z.avail_out = (uInt)cap;
	cr_assert(inflate(&z, Z_SYNC_FLUSH) == Z_OK || len == 0);
	cr_assert_eq(z.avail_in, 0u, "the client's output is not whole DEFLATE");
	inflateEnd(&z);
	return out;
}

/* ------------------------------------------------------------------ */
/* A client core over the filter, compressed from the NOOP on. */

struct run {
	struct wire w;
	correu_transport *t;
	correu_imap_client *c;
	struct split_out *log;
	int compress_ev;
	size_t max_read; /* most bytes one read of the filter gave */
};

static int on_event(const correu_imap_client_event *ev, void *userdata)
{
	struct run *r = userdata;

	if (ev->type == CORREU_IMAP_CLIENT_EV_COMPRESS)
		r->compress_ev++;
	if (!r->log)
		return 0;
	if (ev->type == CORREU_IMAP_CLIENT_EV_DATA && ev->data->type == CORREU_IMAP_EV_BEGIN)
		split_out_printf(r->log, "%s %llu|", correu_imap_resp_name(ev->data->resp),
		                 (unsigned long long)ev->data->num);
	if (ev->type == CORREU_IMAP_CLIENT_EV_DATA && ev->data->type == CORREU_IMAP_EV_LITERAL_DATA)
		split_out_bytes(r->log, ev->data->data, ev->data->data_len);
	if (ev->type == CORREU_IMAP_CLIENT_EV_DONE)
		split_out_printf(r->log, "done #%u %s|", ev->id, correu_imap_resp_name(ev->status));
	return 0;
}

static int flush_core(struct run *r)
{
	size_t len;
	const uint8_t *p;

	while ((p = correu_imap_client_send_buf(r->c, &len)) != NULL) {
		correu_ssize n = correu_transport_send(r->t, p, len);
		int rc;

		if (n == CORREU_ERR_WANT_WRITE) {
			/* "Just look": each look writes what the wire takes. */
			rc = correu_transport_wait(r->t, CORREU_WAIT_WRITE, 0);
			if (rc < 0 && rc != CORREU_ERR_TIMEOUT)
				return rc;
			continue;
		}
		if (n < 0)
			return (int)n;
		rc = correu_imap_client_send_ack(r->c, (size_t)n);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int plain(struct run *r, const char *s)
{
	correu_ssize n = correu_imap_client_recv(r->c, (const uint8_t *)s, strlen(s), 0);

	return n < 0 ? (int)n : 0;
}

/* Greeting and COMPRESS in plaintext, then the filter, then a NOOP. */
static int start(struct run *r, const correu_allocator *a, const correu_deflate_settings *ds)
{
	correu_imap_settings set;
	correu_transport *filt;
	int rc;

	correu_imap_settings_init(&set);
	set.tls_policy = CORREU_IMAP_TLS_IMPLICIT;
	set.on_event = on_event;
	set.event_userdata = r;
	set.allocator = a;
	rc = correu_imap_client_new(&set, &r->c);
	if (rc < 0)
		return rc;
	r->t = w_transport(&r->w, a);
	if (!r->t)
		return CORREU_ERR_NOMEM;
	rc = plain(r, "* OK [CAPABILITY IMAP4rev1 COMPRESS=DEFLATE] hi\r\n");
	if (rc == 0)
		rc = correu_imap_client_compress(r->c);
	if (rc > 0)
		rc = flush_core(r);
	if (rc == 0)
		rc = plain(r, "A1 OK DEFLATE active\r\n");
	if (rc < 0)
		return rc;
	cr_assert_eq(r->compress_ev, 1);
	r->w.out_len = 0; /* the plaintext part is not what is checked */
	rc = correu_transport_deflate_new(r->t, ds, &filt);
	if (rc < 0)
		return rc;
	r->t = filt;
	rc = correu_imap_client_compress_done(r->c);
	if (rc == 0)
		rc = correu_imap_client_noop(r->c);
	return rc < 0 ? rc : flush_core(r);
}

/* Read the filter dry into the core. */
static int pump_in(struct run *r, size_t bufsize)
{
	uint8_t buf[4096];

	cr_assert(bufsize <= sizeof(buf));
	for (;;) {
		correu_ssize n = correu_transport_recv(r->t, buf, bufsize);

		if (n == CORREU_ERR_WANT_READ)
			return 0;
		if (n < 0)
			return (int)n;
		if ((size_t)n > r->max_read)
			r->max_read = (size_t)n;
		n = correu_imap_client_recv(r->c, buf, (size_t)n, 0);
		if (n < 0)
			return (int)n;
	}
}

static void stop(struct run *r)
{
	correu_imap_client_free(r->c);
	correu_transport_free(r->t);
	free(r->w.out);
	memset(r, 0, sizeof(*r));
}

/* split_check() drives a fresh run per split; the pieces are the
 * compressed server bytes. */
struct feed_ctx {
	struct run r;
	int ready;
};

static void sc_reset(void *ctx)
{
	struct feed_ctx *f = ctx;

	if (f->ready)
		stop(&f->r);
	f->ready = 1;
	cr_assert_eq(start(&f->r, NULL, NULL), 0);
}

static int sc_feed(void *ctx, const uint8_t *p, size_t n, struct split_out *out)
{
	struct feed_ctx *f = ctx;
	int rc;

	f->r.log = out;
	w_push(&f->r.w, p, n);
	rc = pump_in(&f->r, 4096);
	f->r.log = NULL;
	if (rc < 0) {
		split_out_printf(out, "error %s|", correu_err_name(rc));
		return rc;
	}
	return 0;
}

static void sc_finish(void *ctx, struct split_out *out)
{
	struct feed_ctx *f = ctx;
	char *sent = unsqueeze(f->r.w.out, f->r.w.out_len);

	split_out_printf(out, "sent ");
	split_out_bytes(out, (const uint8_t *)sent, strlen(sent));
	free(sent);
}

static const struct split_ops sc_ops = { sc_reset, sc_feed, sc_finish };

static char *run_split(const char *server, int finish, const uint8_t *tail, size_t tail_len)
{
	static uint8_t z[8192];
	struct feed_ctx f = { .ready = 0 };
	size_t n = squeeze(server, z, sizeof(z) - tail_len, finish);
	char *text;

	if (tail_len > 0) /* memcpy's source may not be NULL, even for 0 bytes */
		memcpy(z + n, tail, tail_len);
	text = split_check(&sc_ops, &f, z, n + tail_len);
	if (f.ready)
		stop(&f.r);
	return text;
}

Test(compress, responses_split_every_way)
{
	char *text = run_split("* 3 EXISTS\r\n* 1 FETCH (BODY[] {11}\r\nhello world)\r\n"
	                       "A2 OK done\r\n",
	                       0, NULL, 0);

	cr_assert_str_eq(text, "EXISTS 3|FETCH 1|hello worlddone #2 OK|sent A2 NOOP\\r\\n");
	free(text);
}

Test(compress, garbage_is_a_protocol_error)
{
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 'A', '2' };
	struct feed_ctx f = { .ready = 0 };
	char *text = split_check(&sc_ops, &f, junk, sizeof(junk));

	cr_assert_str_eq(text, "error CORREU_ERR_PROTO|");
	free(text);
	stop(&f.r);
}

Test(compress, nothing_after_the_end_of_the_stream)
{
	static const uint8_t plaintext[] = "* BYE plain\r\n";
	char *text = run_split("A2 OK done\r\n", 1, plaintext, sizeof(plaintext) - 1);

	cr_assert_str_eq(text, "done #2 OK|error CORREU_ERR_PROTO|");
	free(text);
}

/* A literal a thousand times its compressed size still comes through a
 * 256-byte read buffer in pieces no larger than the buffer. */
Test(compress, inflating_is_bounded_by_the_reader)
{
	enum { BIG = 200000 };
	char *resp = malloc(BIG + 100);
	static uint8_t z[8192];
	struct run r;
	size_t n;
	int len;

	memset(&r, 0, sizeof(r));
	len = snprintf(resp, 100, "* 1 FETCH (BODY[] {%d}\r\n", BIG);
	memset(resp + len, 'a', BIG);
	strcpy(resp + len + BIG, ")\r\nA2 OK done\r\n");
	n = squeeze(resp, z, sizeof(z), 0);
	cr_assert_lt(n, (size_t)BIG / 100);
	cr_assert_eq(start(&r, NULL, NULL), 0);
	w_push(&r.w, z, n);
	cr_assert_eq(pump_in(&r, 256), 0);
	cr_assert_eq(r.max_read, 256u);
	cr_assert_eq(correu_imap_client_idle(r.c), 1);
	free(resp);
	stop(&r);
}

/* Output the network takes a few bytes at a time, with WANT_WRITE in
 * between, still arrives whole; waiting flushes what is pending. */
Test(compress, output_in_dribbles)
{
	struct run r;
	char *sent;
	char big[3000];
	int rc;

	memset(&r, 0, sizeof(r));
	r.w.dribble = 3;
	cr_assert_eq(start(&r, NULL, NULL), 0);
	for (size_t i = 0; i < sizeof(big) - 1; i++)
		big[i] = (char)('a' + (i * 7919u) % 26u);
	big[sizeof(big) - 1] = '\0';
	cr_assert_gt(correu_imap_client_search(r.c, 0, NULL, big, strlen(big)), 0);
	cr_assert_eq(flush_core(&r), 0);
	/* A driver waiting to read: each wait writes what the wire takes. */
	for (int i = 0; i < 5000; i++) {
		rc = correu_transport_wait(r.t, CORREU_WAIT_READ, 0);
		cr_assert_eq(rc, CORREU_ERR_TIMEOUT);
	}
	sent = unsqueeze(r.w.out, r.w.out_len);
	cr_assert_eq(strncmp(sent, "A2 NOOP\r\nA3 SEARCH ", 19), 0, "%.40s", sent);
	cr_assert_str_eq(sent + 19 + strlen(big), "\r\n");
	cr_assert_eq(strncmp(sent + 19, big, strlen(big)), 0);
	free(sent);
	stop(&r);
}

Test(compress, settings_limits)
{
	correu_deflate_settings s;
	struct wire w;
	correu_transport *t, *f = NULL;

	memset(&w, 0, sizeof(w));
	t = w_transport(&w, NULL);
	cr_assert(t);
	correu_deflate_settings_init(&s);
	cr_assert_eq(correu_compress_available(), 1);
	s.buffer_size = 255;
	cr_assert_eq(correu_transport_deflate_new(t, &s, &f), CORREU_ERR_ARG);
	cr_assert_null(f);
	s.buffer_size = 256;
	s.window_bits = 8;
	cr_assert_eq(correu_transport_deflate_new(t, &s, &f), CORREU_ERR_ARG);
	s.window_bits = 16;
	cr_assert_eq(correu_transport_deflate_new(t, &s, &f), CORREU_ERR_ARG);
	s.window_bits = 9;
	s.level = 10;
	cr_assert_eq(correu_transport_deflate_new(t, &s, &f), CORREU_ERR_ARG);
	s.level = 9;
	s.mem_level = 10;
	cr_assert_eq(correu_transport_deflate_new(t, &s, &f), CORREU_ERR_ARG);
	s.mem_level = 1;
	s.version = 2;
	cr_assert_eq(correu_transport_deflate_new(t, &s, &f), CORREU_ERR_ARG);
	s.version = CORREU_DEFLATE_SETTINGS_VERSION;
	cr_assert_eq(correu_transport_deflate_new(NULL, &s, &f), CORREU_ERR_ARG);
	/* At every limit it works, and a small window still talks. */
	cr_assert_eq(correu_transport_deflate_new(t, &s, &f), 0);
	cr_assert_eq(correu_transport_send(f, (const uint8_t *)"A1 NOOP\r\n", 9), 9);
	{
		char *sent = unsqueeze(w.out, w.out_len);

		cr_assert_str_eq(sent, "A1 NOOP\r\n");
		free(sent);
	}
	correu_transport_free(f);
	free(w.out);
}

static int alloc_scenario(void *ctx, const correu_allocator *a)
{
	static uint8_t z[512];
	struct run r;
	size_t n = squeeze("* 2 EXISTS\r\nA2 OK done\r\n", z, sizeof(z), 0);
	int rc;

	(void)ctx;
	memset(&r, 0, sizeof(r));
	rc = start(&r, a, NULL);
	if (rc == 0) {
		w_push(&r.w, z, n);
		rc = pump_in(&r, 4096);
	}
	if (rc == 0 && !correu_imap_client_idle(r.c))
		rc = correu_imap_client_error(r.c);
	stop(&r);
	return rc;
}

Test(compress, allocation_failure)
{
	long n = failalloc_loop(alloc_scenario, NULL, 500);

	cr_assert_gt(n, 4);
}
