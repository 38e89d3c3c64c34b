/*
 * The deflate transport filter (transport layer), with zlib: raw DEFLATE
 * (RFC 1951) both ways over another transport, as IMAP's COMPRESS (RFC
 * 4978) needs. Writes are compressed with a sync flush so each command
 * goes out whole (§4); reads are inflated straight into the caller's
 * buffer, so memory is the two fixed buffers and zlib's state whatever
 * the peer's ratio. Compressed output that the network did not take yet
 * is written by later sends and by the wait, which is how a blocking
 * driver that only waits to read still gets its command out.
 */
#include <limits.h>
#include <stddef.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "correu/compress.h"
#include "transport_int.h"

typedef struct filt {
	const correu_allocator *alloc;
	correu_transport *inner;
	z_stream in, out;
	bool in_ready, out_ready;
	uint8_t *ibuf, *obuf;
	size_t size;
	size_t opos, olen; /* compressed bytes obuf[opos, olen) not yet written */
	bool more;         /* zlib holds output of the last flush that did not fit */
	bool ended;        /* the peer ended its DEFLATE stream */
	int err;           /* sticky */
} filt;

/* zlib allocates through the filter's allocator; the size is kept in
 * front of each block because correu's free takes it back. */
#define HEAD (sizeof(max_align_t))

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
	const filt *f = opaque;
	size_t n;
	uint8_t *p;

	if (size && items > (SIZE_MAX - HEAD) / size)
		return Z_NULL;
	n = (size_t)items * size + HEAD;
	p = correu__alloc(f->alloc, n);
	if (!p)
		return Z_NULL;
	memcpy(p, &n, sizeof(n));
	return p + HEAD;
}

static void z_free(voidpf opaque, voidpf ptr)
{
	const filt *f = opaque;
	uint8_t *p = (uint8_t *)ptr - HEAD;
	size_t n;

	memcpy(&n, p, sizeof(n));
	correu__free(f->alloc, p, n);
}

static int fail(filt *f, int err)
{
	f->err = err;
	return err;
}

static uInt clamp(size_t n)
{
	return n > UINT_MAX ? UINT_MAX : (uInt)n;
}

/* Write pending compressed bytes; then finish a flush zlib could not fit.
 * 0 when nothing is left, else the inner transport's code. */
static int drain(filt *f)
{
	for (;;) {
		while (f->opos < f->olen) {
			correu_ssize n =
				correu_transport_send(f->inner, f->obuf + f->opos, f->olen - f->opos);

			if (n < 0)
				return (int)n;
			f->opos += (size_t)n;
		}
		if (!f->more)
			return 0;
		f->out.next_in = Z_NULL;
		f->out.avail_in = 0;
		f->out.next_out = f->obuf;
		f->out.avail_out = clamp(f->size);
		if (deflate(&f->out, Z_SYNC_FLUSH) == Z_STREAM_ERROR)
			return fail(f, CORREU_ERR_INTERNAL);
		f->opos = 0;
		f->olen = f->size - f->out.avail_out;
		f->more = f->out.avail_out == 0;
	}
}

static bool out_pending(const filt *f)
{
	return f->opos < f->olen || f->more;
}

static correu_ssize f_send(const uint8_t *buf, size_t len, void *ud)
{
	filt *f = ud;
	size_t take = len < f->size ? len : f->size;
	int rc;

	if (f->err)
		return f->err;
	rc = drain(f);
	if (rc < 0)
		return rc;
	/* RFC 4978 §4: flush after every write so nothing waits in zlib. */
	f->out.next_in = (Bytef *)(uintptr_t)buf;
	f->out.avail_in = clamp(take);
	f->out.next_out = f->obuf;
	f->out.avail_out = clamp(f->size);
	if (deflate(&f->out, Z_SYNC_FLUSH) == Z_STREAM_ERROR)
		return fail(f, CORREU_ERR_INTERNAL);
	take -= f->out.avail_in;
	f->opos = 0;
	f->olen = f->size - f->out.avail_out;
	f->more = f->out.avail_out == 0;
	/* Accepted: what the network does not take now goes out later. */
	rc = drain(f);
	if (rc < 0 && rc != CORREU_ERR_WANT_WRITE && rc != CORREU_ERR_WANT_READ)
		return rc;
	return take ? (correu_ssize)take : CORREU_ERR_WANT_WRITE;
}

static correu_ssize f_recv(uint8_t *buf, size_t len, void *ud)
{
	filt *f = ud;

	if (f->err)
		return f->err;
	for (;;) {
		size_t got;
		int zr;

		if (f->in.avail_in == 0) {
			correu_ssize n = correu_transport_recv(f->inner, f->ibuf, f->size);

			if (n < 0)
				return n;
			f->in.next_in = f->ibuf;
			f->in.avail_in = (uInt)n;
		}
		/* Nothing may follow the end of the peer's stream: it would
		 * be read uncompressed. */
		if (f->ended)
			return fail(f, CORREU_ERR_PROTO);
		f->in.next_out = buf;
		f->in.avail_out = clamp(len);
		zr = inflate(&f->in, Z_SYNC_FLUSH);
		got = clamp(len) - f->in.avail_out;
		if (zr == Z_MEM_ERROR)
			return fail(f, CORREU_ERR_NOMEM);
		if (zr == Z_STREAM_END)
			f->ended = true;
		else if (zr != Z_OK && !(zr == Z_BUF_ERROR && f->in.avail_in == 0))
			return fail(f, CORREU_ERR_PROTO);
		if (got)
			return (correu_ssize)got;
	}
}

static int f_shutdown(void *ud)
{
	filt *f = ud;
	int rc = f->err ? f->err : drain(f);

	return rc < 0 ? rc : correu_transport_shutdown(f->inner);
}

static int f_fd(void *ud)
{
	const filt *f = ud;

	return correu_transport_fd(f->inner);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Wait for what the caller asked, writing pending output meanwhile. */
static int f_wait(uint32_t events, int32_t timeout_ms, void *ud)
{
	filt *f = ud;
	uint64_t end = timeout_ms < 0 ? UINT64_MAX : now_ms() + (uint64_t)timeout_ms;

	if (f->err)
		return f->err;
	for (;;) {
		bool pend = out_pending(f);
		uint32_t ready = 0;
		int32_t left = -1;
		int r;

		if ((events & CORREU_WAIT_READ) && f->in.avail_in > 0)
			ready |= CORREU_WAIT_READ;
		if (ready)
			return (int)ready;
		if (end != UINT64_MAX) {
			uint64_t now = now_ms();

			left = now >= end ? 0 : end - now > INT32_MAX ? INT32_MAX : (int32_t)(end - now);
		}
		r = correu_transport_wait(f->inner, events | (pend ? CORREU_WAIT_WRITE : 0), left);
		if (r < 0)
			return r;
		if (pend && (r & CORREU_WAIT_WRITE)) {
			int rc = drain(f);

			if (rc < 0 && rc != CORREU_ERR_WANT_WRITE && rc != CORREU_ERR_WANT_READ)
				return rc;
			if (out_pending(f) || !(events & CORREU_WAIT_WRITE))
				r &= ~(int)CORREU_WAIT_WRITE;
		}
		if (r & (int)events)
			return r & (int)events;
		if (left == 0)
			return CORREU_ERR_TIMEOUT;
	}
}

static void filt_free(filt *f, bool with_inner)
{
	if (f->in_ready)
		inflateEnd(&f->in);
	if (f->out_ready)
		deflateEnd(&f->out);
	correu__free(f->alloc, f->ibuf, f->size);
	correu__free(f->alloc, f->obuf, f->size);
	if (with_inner)
		correu_transport_free(f->inner);
	correu__free(f->alloc, f, sizeof(*f));
}

static int f_close(void *ud)
{
	filt_free(ud, true);
	return 0;
}

int correu_compress_available(void)
{
	return 1;
}

static bool settings_ok(const correu_deflate_settings *s)
{
	return s->version == CORREU_DEFLATE_SETTINGS_VERSION && s->level <= 9 &&
	       (s->window_bits == 0 || (s->window_bits >= 9 && s->window_bits <= 15)) &&
	       s->mem_level <= 9 && (s->buffer_size == 0 || s->buffer_size >= 256);
}

static int filt_new(correu_transport *inner, const correu_deflate_settings *s, filt **out)
{
	const correu_allocator *a = correu__allocator(s->allocator ? s->allocator : inner->alloc);
	filt *f = correu__calloc(a, sizeof(*f));
	int zr;

	*out = f;
	if (!f)
		return CORREU_ERR_NOMEM;
	f->alloc = a;
	f->inner = inner;
	f->size = s->buffer_size ? s->buffer_size : 16384;
	f->ibuf = correu__alloc(a, f->size);
	f->obuf = correu__alloc(a, f->size);
	if (!f->ibuf || !f->obuf)
		return CORREU_ERR_NOMEM;
	f->in.zalloc = f->out.zalloc = z_alloc;
	f->in.zfree = f->out.zfree = z_free;
	f->in.opaque = f->out.opaque = f;
	/* Negative window bits: raw DEFLATE, no zlib header (RFC 4978 §3).
	 * Reading takes any window the peer chose, up to 2^15. */
	zr = inflateInit2(&f->in, -15);
	f->in_ready = zr == Z_OK;
	if (zr != Z_OK)
		return zr == Z_MEM_ERROR ? CORREU_ERR_NOMEM : CORREU_ERR_INTERNAL;
	zr = deflateInit2(&f->out, s->level ? (int)s->level : 6, Z_DEFLATED,
	                  -(int)(s->window_bits ? s->window_bits : 15),
	                  s->mem_level ? (int)s->mem_level : 8, Z_DEFAULT_STRATEGY);
	f->out_ready = zr == Z_OK;
	if (zr != Z_OK)
		return zr == Z_MEM_ERROR ? CORREU_ERR_NOMEM : CORREU_ERR_INTERNAL;
	return 0;
}

int correu_transport_deflate_new(correu_transport *inner, const correu_deflate_settings *settings,
                                 correu_transport **out)
{
	correu_transport_ops ops = { .version = CORREU_TRANSPORT_OPS_VERSION,
		                     .send = f_send,
		                     .recv = f_recv,
		                     .shutdown = f_shutdown,
		                     .close = f_close,
		                     .fd = f_fd,
		                     .wait = f_wait };
	correu_deflate_settings def;
	filt *f;
	int rc;

	if (out)
		*out = NULL;
	if (!inner || !out)
		return CORREU_ERR_ARG;
	if (!settings) {
		correu_deflate_settings_init(&def);
		settings = &def;
	}
	if (!settings_ok(settings))
		return CORREU_ERR_ARG;
	rc = filt_new(inner, settings, &f);
	if (rc == 0)
		rc = correu_transport_new(&ops, f, f->alloc, out);
	if (rc < 0 && f)
		filt_free(f, false);
	return rc;
}
