/*
 * Codec layer benchmark: frames a large buffer of 80-byte CRLF lines with
 * the line decoder, and reads it as SMTP DATA with the dot decoder, each
 * compared in the same run with a plain memchr() scan for '\n' over the same
 * buffer, the least any line reader must do. Prints MB/s and the ratio to
 * memchr (the goal is at least 0.5). Run on demand, never as a timed test:
 *   bench_codec [megabytes] [chunk bytes]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "correu/codec.h"

#define LINE 80   /* bytes per line, CRLF included */
#define ROUNDS 11 /* best of */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Lines of printable text; one in 50 starts with a stuffed dot; then the
 * end of the data. */
static uint8_t *make_buffer(size_t lines, size_t *len_out)
{
	size_t len = lines * LINE + 3;
	uint8_t *b = malloc(len);

	if (!b)
		return NULL;
	for (size_t i = 0; i < lines; i++) {
		uint8_t *l = b + i * LINE;

		for (size_t j = 0; j < LINE - 2; j++)
			l[j] = (uint8_t)('!' + (i * 7 + j * 13) % 94);
		l[0] = (uint8_t)('A' + i % 26); /* only the stuffed lines start with "." */
		if (i % 50 == 0)
			l[0] = l[1] = '.';
		l[LINE - 2] = '\r';
		l[LINE - 1] = '\n';
	}
	memcpy(b + lines * LINE, ".\r\n", 3);
	*len_out = len;
	return b;
}

static size_t scan_memchr(const uint8_t *b, size_t len)
{
	const uint8_t *p = b, *end = b + len;
	size_t n = 0;

	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

static size_t scan_lines(const uint8_t *b, size_t len, size_t chunk)
{
	static _Alignas(max_align_t) uint8_t mem[256];
	static uint8_t buf[1000];
	correu_line_decoder *d;
	size_t n = 0;

	if (correu_line_decoder_init(mem, sizeof(mem), buf, sizeof(buf), sizeof(buf), 0, &d) != 0)
		abort();
	for (size_t at = 0; at < len; at += chunk) {
		size_t clen = len - at < chunk ? len - at : chunk, off = 0;

		while (off < clen) {
			const uint8_t *line;
			size_t used, llen;
			int rc = correu_line_decoder_feed(d, b + at + off, clen - off, &used, &line,
			                                  &llen);

			if (rc < 0)
				abort();
			off += used;
			n += rc == CORREU_LINE_READY;
		}
	}
	return n;
}

static size_t scan_dot(const uint8_t *b, size_t len, size_t chunk)
{
	static _Alignas(max_align_t) uint8_t mem[256];
	correu_dot_decoder *d;
	size_t body = 0;

	if (correu_dot_decoder_init(mem, sizeof(mem), 998, 0, &d) != 0)
		abort();
	for (size_t at = 0; at < len; at += chunk) {
		size_t clen = len - at < chunk ? len - at : chunk, off = 0;

		while (off < clen) {
			const uint8_t *data;
			size_t used, dlen;
			int rc = correu_dot_decoder_feed(d, b + at + off, clen - off, &used, &data, &dlen);

			if (rc < 0)
				abort();
			off += used;
			body += dlen;
			if (rc == CORREU_DOT_END)
				return body;
		}
	}
	abort();
}

/* Seconds one scanner takes; its result goes to *sink. */
#define TIME(expr, secs, sink)                                                  \
	do {                                                                     \
		double t0_ = now();                                              \
		sink += (expr);                                                  \
		secs = now() - t0_;                                              \
	} while (0)

static void keep_best(double *best, double t)
{
	if (t < *best)
		*best = t;
}

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 64;
	size_t chunk = argc > 2 ? strtoul(argv[2], NULL, 10) : 16384;
	size_t len, lines = mb * 1024 * 1024 / LINE;
	uint8_t *b;
	size_t sink = 0;
	double t_memchr, t_line, t_dot;

	if (mb == 0 || chunk == 0 || !(b = make_buffer(lines, &len))) {
		fprintf(stderr, "usage: bench_codec [megabytes > 0] [chunk bytes > 0]\n");
		return 2;
	}
	/* Check the scanners agree before timing them. */
	if (scan_memchr(b, len) != lines + 1 || scan_lines(b, len, chunk) != lines + 1 ||
	    scan_dot(b, len, chunk) != lines * LINE - (lines + 49) / 50) {
		fprintf(stderr, "bench_codec: scanners disagree\n");
		return 1;
	}
	/* Rounds interleave the three scanners, so that a busy machine slows
	 * them alike; the best round of each counts. */
	t_memchr = t_line = t_dot = 1e30;
	for (int r = 0; r < ROUNDS; r++) {
		double t;

		TIME(scan_memchr(b, len), t, sink);
		keep_best(&t_memchr, t);
		TIME(scan_lines(b, len, chunk), t, sink);
		keep_best(&t_line, t);
		TIME(scan_dot(b, len, chunk), t, sink);
		keep_best(&t_dot, t);
	}
	double mbytes = (double)len / 1e6;

	printf("buffer: %.1f MB, %zu lines of %d bytes, fed in chunks of %zu bytes\n", mbytes,
	       lines, LINE, chunk);
	printf("memchr '\\n' scan : %8.1f MB/s\n", mbytes / t_memchr);
	printf("line decoder     : %8.1f MB/s  (%.2fx memchr)\n", mbytes / t_line, t_memchr / t_line);
	printf("dot decoder      : %8.1f MB/s  (%.2fx memchr)\n", mbytes / t_dot, t_memchr / t_dot);
	printf("(checksum %zu)\n", sink);
	free(b);
	return 0;
}
