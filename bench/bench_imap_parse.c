/*
 * IMAP response parser benchmark (IMAP layer). Two streams are generated:
 * FETCH responses heavy in ENVELOPE and BODYSTRUCTURE, parsed by correu
 * and, when built with libetpan (apt-get install libetpan-dev), by
 * libetpan's mailimap parser over an in-memory stream in the same process;
 * and FETCH responses carrying 64 KiB BODY[] literals, parsed by correu
 * with the literal copied out, against a plain memcpy() of the same bytes.
 * Prints MB/s and the ratios (goals: at least 5x libetpan, at least 0.5x
 * memcpy). Run on demand, never as a timed test:
 *   bench_imap_parse [messages]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "correu/imap.h"

#ifdef HAVE_LIBETPAN
#include <libetpan/libetpan.h>
#endif

#define ROUNDS 7      /* best of */
#define BATCH 100     /* FETCH responses per tagged completion */
#define CHUNK 65536   /* bytes handed to the parser per call, as a read */
#define LITERAL 65536 /* body size in the literal-heavy stream */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct buf {
	char *p;
	size_t len, cap;
};

static void add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p) {
			perror("realloc");
			exit(1);
		}
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

/* A FETCH like a mail client's message list: flags, date, size,
 * envelope and a multipart/mixed body structure with a forwarded message. */
#define FETCH_FMT                                                                                  \
	"* %u FETCH (UID %u FLAGS (\\Seen $Label%u) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" "  \
	"RFC822.SIZE 44827 ENVELOPE (\"Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\" "                   \
	"\"IMAP4rev2 WG mtg summary and minutes %u\" ((\"Terry Gray\" NIL \"gray\" "               \
	"\"cac.washington.edu\")) ((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) "         \
	"((\"Terry Gray\" NIL \"gray\" \"cac.washington.edu\")) ((NIL NIL \"imap\" "               \
	"\"cac.washington.edu\")) ((NIL NIL \"minutes\" \"CNRI.Reston.VA.US\")(\"John Klensin\" "  \
	"NIL \"KLENSIN\" \"MIT.EDU\")) NIL NIL \"<B27397-%u@cac.washington.edu>\") "               \
	"BODYSTRUCTURE ((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23 "  \
	"NIL NIL NIL NIL)(\"TEXT\" \"HTML\" (\"CHARSET\" \"utf-8\") NIL NIL \"QUOTED-PRINTABLE\" " \
	"4554 73 NIL (\"INLINE\" NIL) NIL NIL)(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 342 "   \
	"(\"Mon, 1 Jan 2024 10:00:00 +0000\" \"inner\" ((NIL NIL \"a\" \"example.org\")) NIL NIL " \
	"NIL NIL NIL NIL \"<inner@example.org>\") (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"utf-8\") "    \
	"NIL "                                                                                     \
	"NIL \"8BIT\" 100 4 NIL NIL NIL NIL) 12 NIL NIL NIL NIL) \"MIXED\" (\"BOUNDARY\" "         \
	"\"----=_Part_0\") NIL NIL NIL))\r\n"

static void make_structure_stream(struct buf *b, unsigned n)
{
	char tmp[4096];

	for (unsigned i = 1; i <= n; i++) {
		int k = snprintf(tmp, sizeof(tmp), FETCH_FMT, i, i, i, i, i);

		add(b, tmp, (size_t)k);
		if (i % BATCH == 0 || i == n) {
			/* libetpan wants the tag of its own last command. */
			k = snprintf(tmp, sizeof(tmp), "1 OK Fetch %u completed.\r\n", i);
			add(b, tmp, (size_t)k);
		}
	}
}

static void make_literal_stream(struct buf *b, unsigned n)
{
	char *body = malloc(LITERAL);

	if (!body)
		exit(1);
	for (size_t j = 0; j < LITERAL; j++)
		body[j] = (j % 78 == 76) ? '\r' : (j % 78 == 77) ? '\n' : (char)('a' + j % 26);
	for (unsigned i = 1; i <= n; i++) {
		char head[64];
		int k = snprintf(head, sizeof(head), "* %u FETCH (UID %u BODY[] {%d}\r\n", i, i,
		                 LITERAL);

		add(b, head, (size_t)k);
		add(b, body, LITERAL);
		add(b, ")\r\n", 3);
	}
	add(b, "a1 OK Fetch completed.\r\n", 24);
	free(body);
}

/* ---- correu ---- */

struct sink {
	uint64_t events;
	uint8_t *copy; /* where literal bytes are copied, like an application would */
	size_t copied;
};

static int on_event(const correu_imap_event *ev, void *userdata)
{
	struct sink *s = userdata;

	s->events++;
	if (ev->type == CORREU_IMAP_EV_LITERAL_DATA && s->copy) {
		memcpy(s->copy + ev->offset, ev->data, ev->data_len);
		s->copied += ev->data_len;
	}
	if (ev->type == CORREU_IMAP_EV_ERROR) {
		fprintf(stderr, "parse error: %.*s\n", (int)ev->str_len[0], ev->str[0]);
		exit(1);
	}
	return 0;
}

static double run_correu(const struct buf *b, struct sink *s)
{
	correu_imap_parser_settings set;
	correu_imap_parser *p;
	double t0;

	correu_imap_parser_settings_init(&set);
	set.on_event = on_event;
	set.event_userdata = s;
	if (correu_imap_parser_new(&set, &p) != 0)
		exit(1);
	t0 = now();
	for (size_t off = 0; off < b->len; off += CHUNK) {
		size_t n = b->len - off < CHUNK ? b->len - off : CHUNK;

		if (correu_imap_parser_feed(p, (const uint8_t *)b->p + off, n) != 0)
			exit(1);
	}
	t0 = now() - t0;
	correu_imap_parser_free(p);
	return t0;
}

/* ---- libetpan ---- */

#ifdef HAVE_LIBETPAN
struct memsrc {
	const char *p;
	size_t len, pos;
};

static ssize_t mem_read(mailstream_low *s, void *buf, size_t n)
{
	struct memsrc *m = s->data;

	if (n > m->len - m->pos)
		n = m->len - m->pos;
	memcpy(buf, m->p + m->pos, n);
	m->pos += n;
	return (ssize_t)n;
}

static ssize_t mem_write(mailstream_low *s, const void *buf, size_t n)
{
	(void)s;
	(void)buf;
	return (ssize_t)n;
}

static int mem_close(mailstream_low *s)
{
	(void)s;
	return 0;
}

static int mem_fd(mailstream_low *s)
{
	(void)s;
	return -1;
}

static void mem_free(mailstream_low *s)
{
	free(s);
}

static void mem_cancel(mailstream_low *s)
{
	(void)s;
}

static mailstream_low_driver mem_driver = {
	.mailstream_read = mem_read,
	.mailstream_write = mem_write,
	.mailstream_close = mem_close,
	.mailstream_get_fd = mem_fd,
	.mailstream_free = mem_free,
	.mailstream_cancel = mem_cancel,
};

/* libetpan parses a whole command's responses into one tree: each batch
 * of FETCH responses and its tagged completion, then frees it. */
static double run_etpan(const struct buf *b, unsigned batches)
{
	struct memsrc src = { b->p, b->len, 0 };
	mailimap *imap = mailimap_new(0, NULL);
	double t0;

	imap->imap_stream = mailstream_new(mailstream_low_new(&src, &mem_driver), CHUNK);
	imap->imap_tag = 1;
	t0 = now();
	for (unsigned i = 0; i < batches; i++) {
		struct mailimap_response *r = NULL;

		if (!mailimap_read_line(imap) || mailimap_parse_response(imap, &r) != 0) {
			fprintf(stderr, "libetpan failed at batch %u\n", i);
			exit(1);
		}
		mailimap_response_free(r);
	}
	t0 = now() - t0;
	mailstream_close(imap->imap_stream);
	imap->imap_stream = NULL;
	mailimap_free(imap);
	return t0;
}
#endif

static double best(double a, double b)
{
	return a < b ? a : b;
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 20000;
	struct buf st = { 0 }, lit = { 0 };
	struct sink s = { 0 };
	double tc = 1e9, tm = 1e9, tl = 1e9;
	uint8_t *dst;

	make_structure_stream(&st, n);
	for (int r = 0; r < ROUNDS; r++)
		tc = best(tc, run_correu(&st, &s));
	printf("structure stream: %u FETCH responses, %.1f MB\n", n, (double)st.len / 1e6);
	printf("  correu    %8.1f MB/s  %8.0f responses/ms\n", (double)st.len / tc / 1e6,
	       n / tc / 1e3);
#ifdef HAVE_LIBETPAN
	double te = 1e9;

	for (int r = 0; r < ROUNDS; r++)
		te = best(te, run_etpan(&st, (n + BATCH - 1) / BATCH));
	printf("  libetpan  %8.1f MB/s  %8.0f responses/ms\n", (double)st.len / te / 1e6,
	       n / te / 1e3);
	printf("  ratio correu/libetpan: %.1fx (goal >= 5)\n", te / tc);
#else
	printf("  libetpan not built in (install libetpan-dev and reconfigure)\n");
#endif

	make_literal_stream(&lit, n / 20 ? n / 20 : 1);
	dst = malloc(LITERAL); /* both copy into the same 64 KiB */
	if (!dst)
		return 1;
	s.copy = dst;
	for (int r = 0; r < ROUNDS; r++) {
		double t0;

		tl = best(tl, run_correu(&lit, &s));
		t0 = now();
		for (size_t off = 0; off < lit.len; off += CHUNK) {
			size_t k = lit.len - off < CHUNK ? lit.len - off : CHUNK;

			memcpy(dst, lit.p + off, k);
		}
		tm = best(tm, now() - t0);
	}
	printf("literal stream: %.1f MB in %d-byte BODY[] literals\n", (double)lit.len / 1e6,
	       LITERAL);
	printf("  correu (copying out) %8.1f MB/s\n", (double)lit.len / tl / 1e6);
	printf("  memcpy               %8.1f MB/s\n", (double)lit.len / tm / 1e6);
	printf("  ratio correu/memcpy: %.2fx (goal >= 0.5)\n", tm / tl);
	free(dst);
	free(st.p);
	free(lit.p);
	return 0;
}
