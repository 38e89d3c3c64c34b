/*
 * Fuzz harness for the CRLF line decoder (codec layer). The first bytes pick
 * the flags, the line limit and two ways to cut the rest; the input is then
 * framed whole, cut in two, and in small chunks, and the three records of
 * lines, errors and offsets must be identical. Each line must also obey the
 * limit and carry no line end inside unless it was reported as bad.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "correu/codec.h"
#include "fuzz_common.h"

static void check_line(int rc, const uint8_t *line, size_t len, size_t max_line)
{
	if (len > max_line)
		abort();
	if (rc == CORREU_LINE_READY && (memchr(line, '\r', len) || memchr(line, '\n', len)))
		abort();
	if (rc == CORREU_ERR_BARE_EOL && !memchr(line, '\r', len) && !memchr(line, '\n', len))
		abort();
}

/* Frame `data` cut at `cut` and then every `step` bytes (0: no more cuts). */
static void run(const uint8_t *data, size_t n, size_t max_line, uint32_t flags, size_t cut,
                size_t step, struct fuzz_rec *r)
{
	_Alignas(max_align_t) uint8_t mem[256];
	uint8_t buf[256];
	correu_line_decoder *d;
	size_t start = 0;

	if (correu_line_decoder_sizeof() > sizeof(mem) ||
	    correu_line_decoder_init(mem, sizeof(mem), buf, sizeof(buf), max_line, flags, &d) != 0)
		abort();
	while (start < n) {
		size_t end = fuzz_chunk_end(start, n, cut, step);
		/* Each chunk is its own exact-size copy so overreads are caught. */
		uint8_t *chunk = malloc(end - start);

		if (!chunk)
			abort();
		memcpy(chunk, data + start, end - start);
		for (size_t off = 0; off < end - start;) {
			const uint8_t *line;
			size_t used, len;
			int rc = correu_line_decoder_feed(d, chunk + off, end - start - off, &used, &line,
			                                  &len);

			if (used > end - start - off)
				abort();
			off += used;
			if (rc == 0) {
				if (off != end - start || line)
					abort();
				break;
			}
			if (rc != CORREU_LINE_READY && rc != CORREU_ERR_BARE_EOL && rc != CORREU_ERR_LIMIT)
				abort();
			check_line(rc, line, len, max_line);
			uint64_t at = 0;

			if (rc < 0 && correu_line_decoder_error(d, &at) != rc)
				abort();
			fuzz_rec_add(r, &rc, sizeof(rc));
			fuzz_rec_add(r, &at, sizeof(at));
			fuzz_rec_add(r, &len, sizeof(len));
			fuzz_rec_add(r, line, len);
		}
		free(chunk);
		start = end;
	}
	size_t pending = correu_line_decoder_pending(d);

	fuzz_rec_add(r, &pending, sizeof(pending));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_rec whole = { 0 }, cut = { 0 }, steps = { 0 };

	if (size < 3)
		return 0;
	uint32_t flags = data[0] & 1 ? CORREU_LINE_NORMALISE : 0;
	size_t max_line = 1 + (size_t)(data[0] >> 1) % 200;
	size_t n = size - 3;
	size_t at = n ? data[1] % (n + 1) : 0;
	size_t step = 1 + data[2] % 16;

	data += 3;
	run(data, n, max_line, flags, 0, 0, &whole);
	run(data, n, max_line, flags, at, 0, &cut);
	run(data, n, max_line, flags, 0, step, &steps);
	fuzz_recs_agree(&whole, &cut, &steps);
	return 0;
}
