/* CRLF line framing: lines, limits, bare CR/LF policy, offsets, any split. */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/codec.h"
#include "split.h"

struct line_ctx {
	_Alignas(max_align_t) uint8_t mem[256];
	uint8_t buf[64];
	size_t max_line;
	uint32_t flags;
	correu_line_decoder *dec;
};

static void line_reset(void *c)
{
	struct line_ctx *x = c;

	cr_assert_eq(correu_line_decoder_init(x->mem, sizeof(x->mem), x->buf, sizeof(x->buf),
	                                      x->max_line, x->flags, &x->dec),
	             0);
}

/* Record every line and error as text; offsets are stream offsets, so the
 * record is the same whatever the split. */
static int line_feed(void *c, const uint8_t *p, size_t n, struct split_out *out)
{
	struct line_ctx *x = c;
	size_t off = 0;

	do {
		const uint8_t *line;
		size_t used, len;
		uint64_t at;
		int rc = correu_line_decoder_feed(x->dec, p + off, n - off, &used, &line, &len);

		cr_assert_leq(used, n - off);
		off += used;
		if (rc == 0) {
			cr_assert_null(line);
			cr_assert_eq(off, n, "0 must mean all input was consumed");
			break;
		}
		cr_assert_not_null(line);
		cr_assert_leq(len, x->max_line);
		if (rc == CORREU_LINE_READY) {
			split_out_printf(out, "[");
		} else {
			cr_assert_eq(correu_line_decoder_error(x->dec, &at), rc);
			split_out_printf(out, "%s@%llu[", correu_err_name(rc), (unsigned long long)at);
		}
		split_out_bytes(out, line, len);
		split_out_printf(out, "]");
	} while (off < n);
	return 0;
}

static void line_finish(void *c, struct split_out *out)
{
	struct line_ctx *x = c;

	split_out_printf(out, " pending=%zu", correu_line_decoder_pending(x->dec));
}

static const struct split_ops line_ops = { line_reset, line_feed, line_finish };

/* The record of `in` fed in every split (asserted equal); caller frees. */
static char *frame(const char *in, size_t max_line, uint32_t flags)
{
	struct line_ctx x = { .max_line = max_line, .flags = flags };

	return split_check(&line_ops, &x, (const uint8_t *)in, strlen(in));
}

static void expect(const char *in, size_t max_line, uint32_t flags, const char *want)
{
	char *got = frame(in, max_line, flags);

	cr_assert_str_eq(got, want, "input \"%s\": got %s", in, got);
	free(got);
}

Test(line, crlf_lines_in_any_split)
{
	expect("HELO a\r\nMAIL FROM:<x>\r\n\r\nQUIT\r\n", 64, 0,
	       "[HELO a][MAIL FROM:<x>][][QUIT] pending=0");
	/* A CR that ends one chunk and the LF that starts the next are one
	 * line end: split_check cuts between them too. */
	expect("ab\r\ncd\r\n", 64, 0, "[ab][cd] pending=0");
}

Test(line, partial_line_is_pending)
{
	expect("one\r\ntw", 64, 0, "[one] pending=2");
	expect("one\r\ntwo\r", 64, 0, "[one] pending=4");
}

Test(line, bare_lf_and_cr_are_errors_by_default_and_resync_at_crlf)
{
	/* The bare byte is data; the line is reported whole at its CRLF. */
	expect("ab\ncd\r\nok\r\n", 64, 0,
	       "CORREU_ERR_BARE_EOL@2[ab\\ncd][ok] pending=0");
	expect("ab\rcd\r\nok\r\n", 64, 0,
	       "CORREU_ERR_BARE_EOL@2[ab\\rcd][ok] pending=0");
	/* CR CR LF: the first CR is bare. */
	expect("x\r\r\ny\r\n", 64, 0, "CORREU_ERR_BARE_EOL@1[x\\r][y] pending=0");
	/* LF CR LF: the LF is bare, the offset is the first bare byte. */
	expect("q\n\r\n", 64, 0, "CORREU_ERR_BARE_EOL@1[q\\n] pending=0");
	/* A bare LF-terminated "line" never ends on its own. */
	expect("HELO a\nQUIT\n", 64, 0, " pending=12");
}

Test(line, normalise_takes_bare_cr_and_lf_as_line_ends)
{
	uint32_t f = CORREU_LINE_NORMALISE;

	expect("a\nb\rc\r\n", 64, f, "[a][b][c] pending=0");
	expect("a\n\r\n", 64, f, "[a][] pending=0");
	expect("a\r\r\n", 64, f, "[a][] pending=0");
	expect("a\n\n", 64, f, "[a][] pending=0");
	/* A CR at the very end may still be the start of CRLF. */
	expect("a\r", 64, f, " pending=2");
}

Test(line, limit_is_exact)
{
	/* max_line 4: four bytes pass, five do not, in every split. */
	expect("abcd\r\n", 4, 0, "[abcd] pending=0");
	expect("abcde\r\nok\r\n", 4, 0, "CORREU_ERR_LIMIT@4[abcd][ok] pending=0");
	/* The whole over-long tail is skipped, bare bytes and all. */
	expect("abcdefgh\nij\rkl\r\nok\r\n", 4, 0,
	       "CORREU_ERR_LIMIT@4[abcd][ok] pending=0");
	/* Limit reached on a CR that turns out to be bare. */
	expect("abcd\rx\r\nok\r\n", 4, 0, "CORREU_ERR_LIMIT@4[abcd][ok] pending=0");
	/* ... and on a CR that is the line end. */
	expect("abcd\r\nabcd\r\n", 4, 0, "[abcd][abcd] pending=0");
	/* Offsets count from the start of the stream, not the line. */
	expect("x\r\nabcdef\r\n", 4, 0, "[x]CORREU_ERR_LIMIT@7[abcd] pending=0");
	/* The error comes at once, without waiting for the line end. */
	expect("abcdefghijkl", 4, 0, "CORREU_ERR_LIMIT@4[abcd] pending=0");
}

Test(line, limit_with_normalise_skips_to_any_line_end)
{
	expect("abcdef\nok\r\n", 4, CORREU_LINE_NORMALISE,
	       "CORREU_ERR_LIMIT@4[abcd][ok] pending=0");
	expect("abcdef\rok\r\n", 4, CORREU_LINE_NORMALISE,
	       "CORREU_ERR_LIMIT@4[abcd][ok] pending=0");
}

Test(line, bare_line_over_the_limit_is_a_limit_error)
{
	expect("a\nbcdef\r\nz\r\n", 4, 0, "CORREU_ERR_LIMIT@4[a\\nbc][z] pending=0");
}

Test(line, line_in_one_chunk_is_not_copied)
{
	_Alignas(max_align_t) uint8_t mem[256];
	uint8_t buf[16];
	correu_line_decoder *d;
	const uint8_t in[] = "AB\r\nCD";
	const uint8_t *line;
	size_t used, len;

	cr_assert_eq(correu_line_decoder_init(mem, sizeof(mem), buf, sizeof(buf), 16, 0, &d), 0);
	cr_assert_eq(correu_line_decoder_feed(d, in, 6, &used, &line, &len), CORREU_LINE_READY);
	cr_assert_eq(line, in, "a line inside one chunk must point into it");
	cr_assert_eq(used, 4);
	cr_assert_eq(correu_line_decoder_feed(d, in + 4, 2, &used, &line, &len), 0);
	cr_assert_eq(used, 2);
	cr_assert_eq(correu_line_decoder_pending(d), 2);
	cr_assert_eq(correu_line_decoder_feed(d, (const uint8_t *)"E\r\n", 3, &used, &line,
	                                      &len),
	             CORREU_LINE_READY);
	cr_assert_eq(line, buf, "a line over two chunks is assembled in the buffer");
	cr_assert_eq(len, 3);
	cr_assert_eq(memcmp(line, "CDE", 3), 0);
}

Test(line, stops_at_the_line_end_so_the_rest_can_be_a_literal)
{
	_Alignas(max_align_t) uint8_t mem[256];
	uint8_t buf[32];
	correu_line_decoder *d;
	const char *in = "A1 LOGIN {3}\r\n\r\n\n";
	const uint8_t *line;
	size_t used, len;

	cr_assert_eq(correu_line_decoder_init(mem, sizeof(mem), buf, sizeof(buf), 32, 0, &d), 0);
	cr_assert_eq(correu_line_decoder_feed(d, (const uint8_t *)in, strlen(in), &used, &line,
	                                      &len),
	             CORREU_LINE_READY);
	cr_assert_eq(used, 14, "the decoder must not read past the line end");
}

Test(line, reset_forgets_the_partial_line_and_offsets)
{
	_Alignas(max_align_t) uint8_t mem[256];
	uint8_t buf[8];
	correu_line_decoder *d;
	const uint8_t *line;
	size_t used, len;
	uint64_t at;

	cr_assert_eq(correu_line_decoder_init(mem, sizeof(mem), buf, sizeof(buf), 8, 0, &d), 0);
	cr_assert_eq(correu_line_decoder_feed(d, (const uint8_t *)"x\ny\r\n", 5, &used, &line,
	                                      &len),
	             CORREU_ERR_BARE_EOL);
	cr_assert_eq(correu_line_decoder_error(d, &at), CORREU_ERR_BARE_EOL);
	cr_assert_eq(at, 1);
	cr_assert_eq(correu_line_decoder_feed(d, (const uint8_t *)"abc", 3, &used, &line, &len),
	             0);
	correu_line_decoder_reset(d);
	cr_assert_eq(correu_line_decoder_pending(d), 0);
	cr_assert_eq(correu_line_decoder_error(d, &at), 0);
	cr_assert_eq(at, 0);
	cr_assert_eq(correu_line_decoder_feed(d, (const uint8_t *)"z\n", 2, &used, &line, &len),
	             0);
	cr_assert_eq(correu_line_decoder_feed(d, (const uint8_t *)"\r\n", 2, &used, &line, &len),
	             CORREU_ERR_BARE_EOL);
	cr_assert_eq(correu_line_decoder_error(d, &at), CORREU_ERR_BARE_EOL);
	cr_assert_eq(at, 1, "offsets restart at 0 after a reset");
}

Test(line, init_checks_its_arguments)
{
	_Alignas(max_align_t) uint8_t mem[256];
	uint8_t buf[8];
	correu_line_decoder *d = (correu_line_decoder *)mem;
	size_t need = correu_line_decoder_sizeof();

	cr_assert_lt(need, sizeof(mem));
	cr_assert_eq(correu_line_decoder_init(mem, 4, buf, 8, 8, 0, &d), CORREU_ERR_ARG);
	cr_assert_null(d);
	cr_assert_eq(correu_line_decoder_init(mem, sizeof(mem), buf, 8, 9, 0, &d), CORREU_ERR_ARG);
	cr_assert_eq(correu_line_decoder_init(mem, sizeof(mem), buf, 8, 0, 0, &d), CORREU_ERR_ARG);
	cr_assert_eq(correu_line_decoder_init(mem, sizeof(mem), NULL, 8, 8, 0, &d), CORREU_ERR_ARG);
	cr_assert_eq(correu_line_decoder_init(mem, sizeof(mem), buf, 8, 8, 0x80, &d),
	             CORREU_ERR_ARG);
	cr_assert_eq(correu_line_decoder_init(NULL, sizeof(mem), buf, 8, 8, 0, &d), CORREU_ERR_ARG);
	/* Any alignment works when the size from _sizeof() is given. */
	for (size_t shift = 0; shift < 16; shift++)
		cr_assert_eq(correu_line_decoder_init(mem + shift, need, buf, 8, 8, 0, &d), 0,
		             "misaligned by %zu", shift);
}

Test(line, feed_checks_its_arguments)
{
	_Alignas(max_align_t) uint8_t mem[256];
	uint8_t buf[8];
	correu_line_decoder *d;
	const uint8_t *line;
	size_t used, len;

	cr_assert_eq(correu_line_decoder_init(mem, sizeof(mem), buf, 8, 8, 0, &d), 0);
	cr_assert_eq(correu_line_decoder_feed(d, NULL, 1, &used, &line, &len), CORREU_ERR_ARG);
	cr_assert_eq(correu_line_decoder_feed(NULL, buf, 1, &used, &line, &len), CORREU_ERR_ARG);
	cr_assert_eq(correu_line_decoder_feed(d, NULL, 0, &used, &line, &len), 0);
	cr_assert_eq(used, 0);
}
