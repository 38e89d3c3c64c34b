/* Dot-stuffing decoder: unstuffing, the one true end, smuggling, errors. */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/codec.h"
#include "split.h"

struct dot_ctx {
	_Alignas(max_align_t) uint8_t mem[256];
	size_t max_line;
	uint32_t flags;
	correu_dot_decoder *dec;
	int ended;
	int handed_back; /* bytes after the end were seen */
	uint64_t total; /* wire bytes consumed so far */
};

static void dot_reset(void *c)
{
	struct dot_ctx *x = c;

	cr_assert_eq(correu_dot_decoder_init(x->mem, sizeof(x->mem), x->max_line, x->flags,
	                                     &x->dec),
	             0);
	x->ended = 0;
	x->handed_back = 0;
	x->total = 0;
}

/* Body bytes as they come, then the outcome with the stream offset just
 * past the terminator, then what followed it (handed back to the protocol). */
static int dot_feed(void *c, const uint8_t *p, size_t n, struct split_out *out)
{
	struct dot_ctx *x = c;
	size_t off = 0;

	while (off < n && !x->ended) {
		const uint8_t *data;
		size_t used, len;
		uint64_t at;
		int rc = correu_dot_decoder_feed(x->dec, p + off, n - off, &used, &data, &len);

		cr_assert_leq(used, n - off);
		off += used;
		x->total += used;
		if (len)
			split_out_bytes(out, data, len);
		if (rc == 0) {
			cr_assert(used > 0 || len > 0, "a call made no progress");
			continue;
		}
		cr_assert_eq(len, 0, "the end carries no data");
		x->ended = 1;
		if (rc == CORREU_DOT_END) {
			cr_assert_eq(correu_dot_decoder_error(x->dec, NULL), 0);
			split_out_printf(out, "<END@%llu>", (unsigned long long)x->total);
		} else {
			cr_assert_eq(correu_dot_decoder_error(x->dec, &at), rc);
			split_out_printf(out, "<%s@%llu END@%llu>", correu_err_name(rc),
			                 (unsigned long long)at, (unsigned long long)x->total);
		}
	}
	if (x->ended && off < n) {
		if (!x->handed_back++)
			split_out_printf(out, "+");
		split_out_bytes(out, p + off, n - off);
	}
	return 0;
}

static void dot_finish(void *c, struct split_out *out)
{
	struct dot_ctx *x = c;
	uint64_t at;
	int err = correu_dot_decoder_error(x->dec, &at);

	if (!x->ended)
		split_out_printf(out, "<open err=%s@%llu>", correu_err_name(err),
		                 (unsigned long long)at);
}

static const struct split_ops dot_ops = { dot_reset, dot_feed, dot_finish };

static void expect(const char *in, size_t max_line, uint32_t flags, const char *want)
{
	struct dot_ctx x = { .max_line = max_line, .flags = flags };
	char *got = split_check(&dot_ops, &x, (const uint8_t *)in, strlen(in));

	cr_assert_str_eq(got, want, "input \"%s\": got %s", in, got);
	free(got);
}

Test(dot_decode, plain_message_keeps_its_last_crlf)
{
	expect("Subject: x\r\n\r\nbody\r\n.\r\n", 0, 0,
	       "Subject: x\\r\\n\\r\\nbody\\r\\n<END@23>");
}

Test(dot_decode, empty_message_is_a_lone_dot_line)
{
	expect(".\r\n", 0, 0, "<END@3>");
}

Test(dot_decode, stuffing_dots_are_removed)
{
	expect("..a\r\n.b\r\n...\r\n..\r\n.\r\n", 0, 0, ".a\\r\\nb\\r\\n..\\r\\n.\\r\\n<END@21>");
	/* A "." that does not start a line is data. */
	expect("a.\r\nb..c\r\n.\r\n", 0, 0, "a.\\r\\nb..c\\r\\n<END@13>");
}

Test(dot_decode, bytes_after_the_end_are_handed_back)
{
	expect("x\r\n.\r\nQUIT\r\n", 0, 0, "x\\r\\n<END@6>+QUIT\\r\\n");
	expect(".\r\n.\r\n", 0, 0, "<END@3>+.\\r\\n");
}

Test(dot_decode, no_end_without_the_terminator)
{
	expect("abc\r\n.", 0, 0, "abc\\r\\n<open err=CORREU_ERR_OK@0>");
	expect("abc\r\n.\r", 0, 0, "abc\\r\\n<open err=CORREU_ERR_OK@0>");
}

/* Each smuggling form, then a real end: strict mode rejects the body at the
 * first bare byte and ends only at the real terminator. */
Test(dot_decode, smuggling_forms_are_never_an_end_strict)
{
	expect("a\n.\nMAIL FROM:<e>\r\n.\r\n", 0, 0, "a<CORREU_ERR_BARE_EOL@1 END@22>");
	expect("a\n.\r\nX\r\n.\r\n", 0, 0, "a<CORREU_ERR_BARE_EOL@1 END@11>");
	expect("a\r.\rX\r\n.\r\n", 0, 0, "a<CORREU_ERR_BARE_EOL@1 END@10>");
	expect("a\r.\r\nX\r\n.\r\n", 0, 0, "a<CORREU_ERR_BARE_EOL@1 END@11>");
	expect("a\r\n.\nX\r\n.\r\n", 0, 0, "a\\r\\n<CORREU_ERR_BARE_EOL@4 END@11>");
	expect("a\r\n.\r\r\nX\r\n.\r\n", 0, 0, "a\\r\\n<CORREU_ERR_BARE_EOL@4 END@13>");
	expect("a\r\n.\rX\r\n.\r\n", 0, 0, "a\\r\\n<CORREU_ERR_BARE_EOL@4 END@11>");
	expect("a\n\r\n.\r\n", 0, 0, "a<CORREU_ERR_BARE_EOL@1 END@7>");
}

/* With normalisation the same forms become data with CRLF line ends; the
 * "." after a bare line end is never taken for stuffing or the end. */
Test(dot_decode, smuggling_forms_are_never_an_end_normalised)
{
	uint32_t f = CORREU_DOT_NORMALISE;

	expect("a\n.\nX\r\n.\r\n", 0, f, "a\\r\\n.\\r\\nX\\r\\n<END@10>");
	expect("a\n.\r\nX\r\n.\r\n", 0, f, "a\\r\\n.\\r\\nX\\r\\n<END@11>");
	expect("a\r.\rX\r\n.\r\n", 0, f, "a\\r\\n.\\r\\nX\\r\\n<END@10>");
	expect("a\r.\r\nX\r\n.\r\n", 0, f, "a\\r\\n.\\r\\nX\\r\\n<END@11>");
	expect("a\r\n.\nX\r\n.\r\n", 0, f, "a\\r\\n\\r\\nX\\r\\n<END@11>");
	expect("a\r\n.\r\r\nX\r\n.\r\n", 0, f, "a\\r\\n\\r\\n\\r\\nX\\r\\n<END@13>");
	expect("a\r\r\n.\r\n", 0, f, "a\\r\\n\\r\\n<END@7>");
}

Test(dot_decode, line_limit_is_exact_and_does_not_stop_the_search_for_the_end)
{
	expect("abcd\r\n..cd\r\n.\r\n", 4, 0, "abcd\\r\\n.cd\\r\\n<END@15>");
	expect("abcd\r\nabcde\r\nok\r\n.\r\n", 4, 0,
	       "abcd\\r\\nabcd<CORREU_ERR_LIMIT@10 END@20>");
	/* The stuffing dot counts: it is on the wire. */
	expect("..cde\r\n.\r\n", 4, 0, ".cd<CORREU_ERR_LIMIT@4 END@10>");
	expect("abcdefgh\n\r\n.\r\n", 4, CORREU_DOT_NORMALISE,
	       "abcd<CORREU_ERR_LIMIT@4 END@14>");
}

Test(dot_decode, feeding_after_the_end_needs_a_reset)
{
	_Alignas(max_align_t) uint8_t mem[256];
	correu_dot_decoder *d;
	const uint8_t *data;
	size_t used, len;

	cr_assert_eq(correu_dot_decoder_init(mem, sizeof(mem), 0, 0, &d), 0);
	cr_assert_eq(correu_dot_decoder_feed(d, (const uint8_t *)".\r\nX", 4, &used, &data, &len),
	             CORREU_DOT_END);
	cr_assert_eq(used, 3);
	cr_assert_eq(correu_dot_decoder_feed(d, (const uint8_t *)"X", 1, &used, &data, &len),
	             CORREU_ERR_STATE);
	correu_dot_decoder_reset(d);
	cr_assert_eq(correu_dot_decoder_feed(d, (const uint8_t *)"X", 1, &used, &data, &len), 0);
	cr_assert_eq(len, 1);
	cr_assert_eq(data[0], 'X');
}

Test(dot_decode, pieces_point_into_the_input)
{
	_Alignas(max_align_t) uint8_t mem[256];
	correu_dot_decoder *d;
	const uint8_t in[] = "line one\r\nline two\r\n";
	const uint8_t *data;
	size_t used, len;

	cr_assert_eq(correu_dot_decoder_init(mem, sizeof(mem), 0, 0, &d), 0);
	cr_assert_eq(correu_dot_decoder_feed(d, in, sizeof(in) - 1, &used, &data, &len), 0);
	cr_assert_eq(data, in, "an unstuffed run must not be copied");
	cr_assert_eq(len, sizeof(in) - 1, "runs of lines are returned in one piece");
}

Test(dot_decode, arguments_are_checked)
{
	_Alignas(max_align_t) uint8_t mem[256];
	correu_dot_decoder *d;
	const uint8_t *data;
	size_t used, len, need = correu_dot_decoder_sizeof();

	cr_assert_eq(correu_dot_decoder_init(mem, 4, 0, 0, &d), CORREU_ERR_ARG);
	cr_assert_eq(correu_dot_decoder_init(mem, sizeof(mem), 0, 2, &d), CORREU_ERR_ARG);
	for (size_t shift = 0; shift < 16; shift++)
		cr_assert_eq(correu_dot_decoder_init(mem + shift, need, 0, 0, &d), 0);
	cr_assert_eq(correu_dot_decoder_feed(d, NULL, 1, &used, &data, &len), CORREU_ERR_ARG);
	cr_assert_eq(correu_dot_decoder_feed(d, NULL, 0, &used, &data, &len), 0);
}
