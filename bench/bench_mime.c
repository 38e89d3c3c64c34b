/*
 * Benchmark of the MIME parser (MIME layer) against GMime 3, in the same
 * process on the same messages: a mix generated in memory of small text
 * messages, multiparts with base64 attachments and nested forwards. Each
 * parser builds its structure of every message; msgs/s, MB/s and the
 * ratio are printed. Run on demand: `bench_mime [seconds]`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "correu/mime.h"

#ifdef HAVE_GMIME
#include <gmime/gmime.h>
#endif

#define CHUNK 16384

struct msg {
	char *p;
	size_t len;
};

struct gen {
	char *p;
	size_t len, cap;
};

static void add(struct gen *g, const char *s, size_t n)
{
	if (g->len + n > g->cap) {
		g->cap = (g->len + n) * 2;
		g->p = realloc(g->p, g->cap);
		if (!g->p)
			abort();
	}
	memcpy(g->p + g->len, s, n);
	g->len += n;
}

static void adds(struct gen *g, const char *s)
{
	add(g, s, strlen(s));
}

static void text_lines(struct gen *g, int lines, unsigned seed)
{
	static const char *words[] = { "mail ", "server ",    "message ", "the ", "of ",
		                       "IMAP ", "quarterly ", "report ",  "and ", "attached " };

	for (int i = 0; i < lines; i++) {
		for (int w = 0; w < 10; w++)
			adds(g, words[(seed + (unsigned)(i * 7 + w * 3)) % 10]);
		adds(g, "\r\n");
	}
}

static void base64_lines(struct gen *g, int lines)
{
	for (int i = 0; i < lines; i++)
		adds(g, "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0\r"
		        "\n");
}

static void headers(struct gen *g, unsigned i)
{
	char b[512];

	snprintf(b, sizeof(b),
	         "Return-Path: <sender%u@example.org>\r\n"
	         "Received: from mx.example.org (mx.example.org [192.0.2.1])\r\n"
	         "\tby mail.example.net with ESMTPS id %u; Tue, 2 Jan 2024 09:30:00 +0100\r\n"
	         "Date: Tue, 2 Jan 2024 09:30:00 +0100\r\n"
	         "From: \"Sender %u\" <sender%u@example.org>\r\n"
	         "To: Team <team@example.net>, boss@example.net\r\n"
	         "Subject: =?UTF-8?Q?Quarterly_r=C3=A9port_%u?=\r\n"
	         "Message-ID: <%u@example.org>\r\nMIME-Version: 1.0\r\n",
	         i, i, i, i, i, i);
	adds(g, b);
}

static struct msg make(unsigned i)
{
	struct gen g = { 0 };
	struct msg m;

	headers(&g, i);
	switch (i % 3) {
	case 0: /* small text */
		adds(&g, "Content-Type: text/plain; charset=utf-8\r\n\r\n");
		text_lines(&g, 15, i);
		break;
	case 1: /* text and html alternatives plus a 40 KB attachment */
		adds(&g, "Content-Type: multipart/mixed; boundary=\"=_m\"\r\n\r\n--=_m\r\n"
		         "Content-Type: multipart/alternative; boundary=\"=_a\"\r\n\r\n--=_a\r\n"
		         "Content-Type: text/plain; charset=utf-8\r\n\r\n");
		text_lines(&g, 20, i);
		adds(&g, "--=_a\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<html>\r\n");
		text_lines(&g, 20, i);
		adds(&g, "</html>\r\n--=_a--\r\n\r\n--=_m\r\n"
		         "Content-Type: application/pdf; name=\"report.pdf\"\r\n"
		         "Content-Disposition: attachment; filename*=utf-8''r%C3%A9port.pdf\r\n"
		         "Content-Transfer-Encoding: base64\r\n\r\n");
		base64_lines(&g, 540);
		adds(&g, "--=_m--\r\n");
		break;
	default: /* a forward with its own multipart */
		adds(&g, "Content-Type: multipart/mixed; boundary=\"fwd\"\r\n\r\n--fwd\r\n"
		         "Content-Type: text/plain\r\n\r\nSee below.\r\n--fwd\r\n"
		         "Content-Type: message/rfc822\r\n\r\n");
		headers(&g, i + 1000);
		adds(&g, "Content-Type: multipart/mixed; boundary=\"in\"\r\n\r\n--in\r\n\r\n");
		text_lines(&g, 10, i);
		adds(&g, "--in\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: "
		         "base64\r\n\r\n");
		base64_lines(&g, 100);
		adds(&g, "--in--\r\n--fwd--\r\n");
		break;
	}
	m.p = g.p;
	m.len = g.len;
	return m;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t parse_correu(correu_mime_parser *p, const struct msg *m)
{
	correu_mime_message *r;
	size_t parts;

	for (size_t i = 0; i < m->len; i += CHUNK) {
		size_t n = m->len - i < CHUNK ? m->len - i : CHUNK;

		if (correu_mime_parser_feed(p, (const uint8_t *)m->p + i, n) != 0)
			abort();
	}
	if (correu_mime_parser_finish(p, &r) != 0)
		abort();
	parts = correu_mime_part_count(r);
	correu_mime_message_free(r);
	return parts;
}

#ifdef HAVE_GMIME
static void count_cb(GMimeObject *parent, GMimeObject *part, gpointer ud)
{
	(void)parent, (void)part;
	++*(size_t *)ud;
}

static size_t parse_gmime(const struct msg *m)
{
	GMimeStream *s = g_mime_stream_mem_new_with_buffer(m->p, m->len);
	GMimeParser *p = g_mime_parser_new_with_stream(s);
	GMimeMessage *msg = g_mime_parser_construct_message(p, NULL);
	size_t parts = 0;

	if (!msg)
		abort();
	g_mime_message_foreach(msg, count_cb, &parts);
	g_object_unref(msg);
	g_object_unref(p);
	g_object_unref(s);
	return parts;
}
#endif

struct result {
	double msgs_s, mb_s;
};

#define NMSG 30

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	struct msg msgs[NMSG];
	size_t bytes = 0, rounds, sink = 0;
	correu_mime_parser *p;
	struct result c, gm = { 0, 0 };
	double t0, t;

	for (unsigned i = 0; i < NMSG; i++) {
		msgs[i] = make(i);
		bytes += msgs[i].len;
	}
	printf("corpus: %d messages, %zu bytes (small text, multipart with attachment, "
	       "nested forward)\n",
	       NMSG, bytes);
	if (correu_mime_parser_new(NULL, NULL, &p) != 0)
		return 1;
	t0 = now();
	for (rounds = 0; (t = now() - t0) < secs; rounds++)
		for (int i = 0; i < NMSG; i++)
			sink += parse_correu(p, &msgs[i]);
	c.msgs_s = (double)rounds * NMSG / t;
	c.mb_s = (double)rounds * (double)bytes / t / 1e6;
	printf("correu: %10.0f msgs/s %8.1f MB/s\n", c.msgs_s, c.mb_s);
	correu_mime_parser_free(p);
#ifdef HAVE_GMIME
	g_mime_init();
	t0 = now();
	for (rounds = 0; (t = now() - t0) < secs; rounds++)
		for (int i = 0; i < NMSG; i++)
			sink += parse_gmime(&msgs[i]);
	gm.msgs_s = (double)rounds * NMSG / t;
	gm.mb_s = (double)rounds * (double)bytes / t / 1e6;
	printf("gmime:  %10.0f msgs/s %8.1f MB/s\n", gm.msgs_s, gm.mb_s);
	printf("ratio correu/gmime: %.2fx\n", c.msgs_s / gm.msgs_s);
	g_mime_shutdown();
#else
	printf("gmime: not built (apt-get install libgmime-3.0-dev)\n");
	(void)gm;
#endif
	for (int i = 0; i < NMSG; i++)
		free(msgs[i].p);
	return sink == 0;
}
