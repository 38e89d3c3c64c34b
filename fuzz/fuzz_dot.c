/*
 * Fuzz harness for dot-stuffing (codec layer). The decoder reads the input
 * as wire bytes whole, cut in two and in small chunks, and the three results
 * (body, outcome, offsets) must match. Where it finds the end, the bytes
 * there must be CRLF "." CRLF (or a first-line "." CRLF), and no later than
 * the first such sequence: no smuggled end, no missed one. The input is
 * also encoded as a message and decoded back, which must give the message
 * with its line ends made CRLF.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correu/codec.h"
#include "fuzz_common.h"

/* Decode `data` cut at `cut` and then every `step` bytes; the body goes to
 * r and the outcome (0: no end) with the wire bytes consumed to *end_at. */
static int decode(const uint8_t *data, size_t n, size_t max_line, uint32_t flags, size_t cut,
                  size_t step, struct fuzz_rec *r, size_t *end_at)
{
	_Alignas(max_align_t) uint8_t mem[256];
	correu_dot_decoder *d;
	size_t start = 0, total = 0;
	int outcome = 0;

	if (correu_dot_decoder_sizeof() > sizeof(mem) ||
	    correu_dot_decoder_init(mem, sizeof(mem), max_line, flags, &d) != 0)
		abort();
	while (start < n && !outcome) {
		size_t end = fuzz_chunk_end(start, n, cut, step);
		uint8_t *chunk = malloc(end - start);

		if (!chunk)
			abort();
		memcpy(chunk, data + start, end - start);
		for (size_t off = 0; off < end - start && !outcome;) {
			const uint8_t *piece;
			size_t used, len;
			int rc = correu_dot_decoder_feed(d, chunk + off, end - start - off, &used, &piece,
			                                 &len);

			if (used > end - start - off || (rc == 0 && used == 0 && len == 0))
				abort();
			off += used;
			total += used;
			fuzz_rec_add(r, piece, len);
			if (rc == 0)
				continue;
			if (rc != CORREU_DOT_END && rc != CORREU_ERR_BARE_EOL && rc != CORREU_ERR_LIMIT)
				abort();
			if (rc != CORREU_DOT_END && correu_dot_decoder_error(d, NULL) != rc)
				abort();
			outcome = rc;
		}
		free(chunk);
		start = end;
	}
	*end_at = total;
	return outcome;
}

/* Where the first CRLF "." CRLF (or a leading "." CRLF) ends, or 0. */
static size_t first_end(const uint8_t *p, size_t n)
{
	if (n >= 3 && memcmp(p, ".\r\n", 3) == 0)
		return 3;
	for (size_t i = 0; i + 5 <= n; i++) {
		if (memcmp(p + i, "\r\n.\r\n", 5) == 0)
			return i + 5;
	}
	return 0;
}

static void check_split_invariance(const uint8_t *data, size_t n, size_t max_line,
                                   uint32_t flags, size_t cut, size_t step)
{
	struct fuzz_rec a = { 0 }, b = { 0 }, c = { 0 };
	size_t ea, eb, ec;
	int ra = decode(data, n, max_line, flags, 0, 0, &a, &ea);
	int rb = decode(data, n, max_line, flags, cut, 0, &b, &eb);
	int rc = decode(data, n, max_line, flags, 0, step, &c, &ec);

	if (ra != rb || ra != rc || ea != eb || ea != ec)
		abort();
	if (!fuzz_rec_same(&a, &b) || !fuzz_rec_same(&a, &c))
		abort();
	if (ra) {
		/* The end is a real terminator ... */
		if (ea < 3 || memcmp(data + ea - 3, ".\r\n", 3) != 0)
			abort();
		if (ea != 3 && (ea < 5 || memcmp(data + ea - 5, "\r\n", 2) != 0))
			abort();
		/* ... and the first one. */
		if (ea > first_end(data, n))
			abort();
	} else if (first_end(data, n)) {
		abort();
	}
	fuzz_rec_free(&a);
	fuzz_rec_free(&b);
	fuzz_rec_free(&c);
}

/* Encode the input as a message with normalisation, in chunks of `step`
 * and a tiny output buffer, then decode it strictly. */
static void check_round_trip(const uint8_t *data, size_t n, size_t step)
{
	_Alignas(max_align_t) uint8_t mem[256];
	correu_dot_encoder *e;
	struct fuzz_rec wire = { 0 }, want = { 0 }, body = { 0 };
	uint8_t out[3];
	size_t used, wrote, end_at;
	int rc;

	if (correu_dot_encoder_init(mem, sizeof(mem), CORREU_DOT_NORMALISE, &e) != 0)
		abort();
	for (size_t off = 0; off < n;) {
		size_t len = n - off < step ? n - off : step;

		if (correu_dot_encoder_feed(e, data + off, len, &used, out, sizeof(out), &wrote) != 0)
			abort();
		fuzz_rec_add(&wire, out, wrote);
		off += used;
	}
	do {
		rc = correu_dot_encoder_finish(e, out, sizeof(out), &wrote);
		fuzz_rec_add(&wire, out, wrote);
	} while (rc == 0);
	if (rc != CORREU_DOT_END)
		abort();
	/* The reference: every CR, LF or CRLF becomes CRLF; a last line gets
	 * its CRLF. */
	for (size_t i = 0; i < n; i++) {
		if (data[i] == '\r' || data[i] == '\n') {
			fuzz_rec_add(&want, "\r\n", 2);
			if (data[i] == '\r' && i + 1 < n && data[i + 1] == '\n')
				i++;
		} else {
			fuzz_rec_add(&want, data + i, 1);
		}
	}
	if (want.len && (want.len < 2 || memcmp(want.p + want.len - 2, "\r\n", 2) != 0))
		fuzz_rec_add(&want, "\r\n", 2);
	if (decode(wire.p, wire.len, 0, 0, 0, step, &body, &end_at) != CORREU_DOT_END)
		abort();
	if (end_at != wire.len || !fuzz_rec_same(&body, &want))
		abort();
	fuzz_rec_free(&wire);
	fuzz_rec_free(&want);
	fuzz_rec_free(&body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	uint32_t flags = data[0] & 1 ? CORREU_DOT_NORMALISE : 0;
	size_t max_line = (size_t)(data[0] >> 1) % 64; /* 0: no limit */
	size_t n = size - 3;
	size_t cut = n ? data[1] % (n + 1) : 0;
	size_t step = 1 + data[2] % 16;

	data += 3;
	check_split_invariance(data, n, max_line, flags, cut, step);
	check_round_trip(data, n, step);
	return 0;
}
