/* Dot-stuffing encoder: stuffing, the terminator, bare CR/LF, tiny buffers. */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/codec.h"
#include "split.h"

struct enc_ctx {
	_Alignas(max_align_t) uint8_t mem[256];
	uint32_t flags;
	size_t out_cap; /* how much room each call gets */
	correu_dot_encoder *enc;
	int failed;
};

static void enc_reset(void *c)
{
	struct enc_ctx *x = c;

	cr_assert_eq(correu_dot_encoder_init(x->mem, sizeof(x->mem), x->flags, &x->enc), 0);
	x->failed = 0;
}

static void record_error(struct enc_ctx *x, int rc, struct split_out *out)
{
	uint64_t at;

	cr_assert_eq(correu_dot_encoder_error(x->enc, &at), rc);
	split_out_printf(out, "<%s@%llu>", correu_err_name(rc), (unsigned long long)at);
	x->failed = 1;
}

static int enc_feed(void *c, const uint8_t *p, size_t n, struct split_out *out)
{
	struct enc_ctx *x = c;
	uint8_t buf[64];
	size_t off = 0;

	cr_assert_leq(x->out_cap, sizeof(buf));
	do {
		size_t used, wrote;
		int rc = correu_dot_encoder_feed(x->enc, p + off, n - off, &used, buf, x->out_cap,
		                                 &wrote);

		cr_assert_leq(wrote, x->out_cap);
		split_out_bytes(out, buf, wrote);
		off += used;
		if (rc < 0) {
			record_error(x, rc, out);
			return -1;
		}
		cr_assert(used > 0 || wrote > 0 || n == 0, "a call made no progress");
	} while (off < n);
	return 0;
}

static void enc_finish(void *c, struct split_out *out)
{
	struct enc_ctx *x = c;
	uint8_t buf[64];
	int rc;

	do {
		size_t wrote;

		rc = correu_dot_encoder_finish(x->enc, buf, x->out_cap, &wrote);
		split_out_bytes(out, buf, wrote);
		cr_assert(rc != 0 || wrote > 0, "finish made no progress");
	} while (rc == 0);
	if (rc < 0)
		record_error(x, rc, out);
}

static const struct split_ops enc_ops = { enc_reset, enc_feed, enc_finish };

/* Every split, with room for 64, 2 and 1 bytes per call: all the same. */
static void expect(const char *in, uint32_t flags, const char *want)
{
	static const size_t caps[] = { 64, 2, 1 };

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct enc_ctx x = { .flags = flags, .out_cap = caps[i] };
		char *got = split_check(&enc_ops, &x, (const uint8_t *)in, strlen(in));

		cr_assert_str_eq(got, want, "input \"%s\", out_cap %zu: got %s", in, caps[i], got);
		free(got);
	}
}

Test(dot_encode, leading_dots_are_doubled)
{
	expect(".a\r\nb.\r\n..\r\n.\r\n", 0, "..a\\r\\nb.\\r\\n...\\r\\n..\\r\\n.\\r\\n");
}

Test(dot_encode, terminator_adds_a_crlf_only_when_needed)
{
	expect("abc\r\n", 0, "abc\\r\\n.\\r\\n");
	expect("abc", 0, "abc\\r\\n.\\r\\n");
	expect("", 0, ".\\r\\n");
	expect(".", 0, "..\\r\\n.\\r\\n");
}

Test(dot_encode, bare_line_ends_are_refused_by_default)
{
	expect("ab\ncd\r\n", 0, "ab<CORREU_ERR_BARE_EOL@2>");
	expect("ab\rcd\r\n", 0, "ab\\r<CORREU_ERR_BARE_EOL@2>");
	/* A CR at the very end is bare too, found by finish. */
	expect("ab\r", 0, "ab\\r<CORREU_ERR_BARE_EOL@2>");
}

Test(dot_encode, normalise_sends_crlf_and_stuffs_after_it)
{
	uint32_t f = CORREU_DOT_NORMALISE;

	/* Without stuffing after the normalised line end, "a\n.\r\n" would
	 * end the data early on the wire. */
	expect("a\n.\r\nb", f, "a\\r\\n..\\r\\nb\\r\\n.\\r\\n");
	expect("a\r.\r\n", f, "a\\r\\n..\\r\\n.\\r\\n");
	expect("a\r\r\n", f, "a\\r\\n\\r\\n.\\r\\n");
	expect("a\r", f, "a\\r\\n.\\r\\n");
	expect("\n", f, "\\r\\n.\\r\\n");
}

Test(dot_encode, errors_stay_and_finish_refuses_to_end_a_broken_message)
{
	_Alignas(max_align_t) uint8_t mem[256];
	correu_dot_encoder *e;
	uint8_t out[16];
	size_t used, wrote;

	cr_assert_eq(correu_dot_encoder_init(mem, sizeof(mem), 0, &e), 0);
	cr_assert_eq(correu_dot_encoder_feed(e, (const uint8_t *)"x\ny", 3, &used, out,
	                                     sizeof(out), &wrote),
	             CORREU_ERR_BARE_EOL);
	cr_assert_eq(used, 1);
	cr_assert_eq(wrote, 1);
	cr_assert_eq(correu_dot_encoder_feed(e, (const uint8_t *)"z", 1, &used, out, sizeof(out),
	                                     &wrote),
	             CORREU_ERR_BARE_EOL);
	cr_assert_eq(correu_dot_encoder_finish(e, out, sizeof(out), &wrote), CORREU_ERR_BARE_EOL);
	cr_assert_eq(wrote, 0);
	correu_dot_encoder_reset(e);
	cr_assert_eq(correu_dot_encoder_finish(e, out, sizeof(out), &wrote), CORREU_DOT_END);
	cr_assert_eq(wrote, 3);
	cr_assert_eq(correu_dot_encoder_finish(e, out, sizeof(out), &wrote), CORREU_ERR_STATE);
	cr_assert_eq(correu_dot_encoder_feed(e, (const uint8_t *)"z", 1, &used, out, sizeof(out),
	                                     &wrote),
	             CORREU_ERR_STATE);
}

Test(dot_encode, zero_room_is_an_error_not_a_hang)
{
	_Alignas(max_align_t) uint8_t mem[256];
	correu_dot_encoder *e;
	uint8_t out[1];
	size_t used, wrote;

	cr_assert_eq(correu_dot_encoder_init(mem, sizeof(mem), 0, &e), 0);
	cr_assert_eq(correu_dot_encoder_feed(e, (const uint8_t *)"x", 1, &used, out, 0, &wrote),
	             CORREU_ERR_BUFFER);
	cr_assert_eq(correu_dot_encoder_feed(e, NULL, 0, &used, out, 0, &wrote), 0);
	cr_assert_eq(correu_dot_encoder_finish(e, out, 0, &wrote), CORREU_ERR_BUFFER);
	cr_assert_eq(correu_dot_encoder_init(mem, sizeof(mem), 4, &e), CORREU_ERR_ARG);
	cr_assert_eq(correu_dot_encoder_init(mem, 4, 0, &e), CORREU_ERR_ARG);
}

/* What the encoder writes, the decoder reads back unchanged. */
Test(dot_encode, decoder_inverts_encoder)
{
	static const char *msgs[] = { "", ".", "..\r\n", "a\r\n.\r\n..\r\nb", "x\r\n\r\n.",
		                      ".\r\n.\r\n" };
	_Alignas(max_align_t) uint8_t emem[256], dmem[256];

	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		correu_dot_encoder *e;
		correu_dot_decoder *d;
		uint8_t wire[64], body[64];
		size_t used, wrote, fin, blen = 0, n = strlen(msgs[i]);

		cr_assert_eq(correu_dot_encoder_init(emem, sizeof(emem), 0, &e), 0);
		cr_assert_eq(correu_dot_decoder_init(dmem, sizeof(dmem), 0, 0, &d), 0);
		cr_assert_eq(correu_dot_encoder_feed(e, (const uint8_t *)msgs[i], n, &used, wire,
		                                     sizeof(wire), &wrote),
		             0);
		cr_assert_eq(correu_dot_encoder_finish(e, wire + wrote, sizeof(wire) - wrote, &fin),
		             CORREU_DOT_END);
		wrote += fin;
		for (size_t off = 0;;) {
			const uint8_t *data;
			size_t len;
			int rc = correu_dot_decoder_feed(d, wire + off, wrote - off, &used, &data, &len);

			if (len)
				memcpy(body + blen, data, len);
			blen += len;
			off += used;
			if (rc == CORREU_DOT_END) {
				cr_assert_eq(off, wrote, "the end is the last thing written");
				break;
			}
			cr_assert_eq(rc, 0);
			cr_assert_lt(off, wrote);
		}
		/* The decoder gives the message with its last line ended. */
		const char *want = msgs[i];
		size_t wlen = n;
		char ended[64];

		if (n && (n < 2 || memcmp(msgs[i] + n - 2, "\r\n", 2) != 0)) {
			memcpy(ended, msgs[i], n);
			memcpy(ended + n, "\r\n", 2);
			want = ended;
			wlen = n + 2;
		}
		cr_assert_eq(blen, wlen, "message %zu", i);
		cr_assert_eq(memcmp(body, want, wlen), 0, "message %zu", i);
	}
}
