/* Strict base64: RFC 4648 §10 vectors, every malformation refused. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <string.h>

#include "correu/codec.h"

/* RFC 4648 §10 test vectors. */
static const char *const vectors[][2] = {
	{ "", "" },           { "f", "Zg==" },         { "fo", "Zm8=" },
	{ "foo", "Zm9v" },    { "foob", "Zm9vYg==" },  { "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

Test(base64, rfc4648_vectors_encode)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char out[16];
		size_t n = strlen(vectors[i][0]);
		correu_ssize r = correu_base64_encode((const uint8_t *)vectors[i][0], n, out,
		                                      sizeof(out));

		cr_assert_eq(r, (correu_ssize)strlen(vectors[i][1]), "vector %zu", i);
		cr_assert_eq(memcmp(out, vectors[i][1], (size_t)r), 0, "vector %zu", i);
		cr_assert_eq(correu_base64_encoded_len(n), (size_t)r);
	}
}

Test(base64, rfc4648_vectors_decode)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		uint8_t out[16];
		size_t n = strlen(vectors[i][1]);
		correu_ssize r = correu_base64_decode(vectors[i][1], n, out, sizeof(out));

		cr_assert_eq(r, (correu_ssize)strlen(vectors[i][0]), "vector %zu", i);
		cr_assert_eq(memcmp(out, vectors[i][0], (size_t)r), 0, "vector %zu", i);
		cr_assert_geq(correu_base64_decoded_max(n), (size_t)r);
	}
}

Test(base64, every_byte_value_round_trips)
{
	uint8_t all[256], back[256];
	char text[344];

	for (int i = 0; i < 256; i++)
		all[i] = (uint8_t)i;
	for (size_t n = 0; n <= 256; n += 1) {
		correu_ssize e = correu_base64_encode(all, n, text, sizeof(text));

		cr_assert_geq(e, 0);
		cr_assert_eq(correu_base64_decode(text, (size_t)e, back, sizeof(back)),
		             (correu_ssize)n);
		cr_assert_eq(memcmp(all, back, n), 0);
	}
}

static void refused(const char *in)
{
	uint8_t out[32];

	cr_assert_eq(correu_base64_decode(in, strlen(in), out, sizeof(out)), CORREU_ERR_ENCODING,
	             "\"%s\" should be refused", in);
}

Test(base64, malformed_input_is_refused)
{
	refused("Zg");         /* missing padding */
	refused("Zg=");        /* short padding */
	refused("Zg===");      /* extra padding */
	refused("Z===");       /* too much padding */
	refused("====");
	refused("Zm9v====");
	refused("Zg==Zg==");   /* padding in the middle */
	refused("Z=g=");
	refused("Zm9 v");      /* whitespace */
	refused("Zm9v\r\n");
	refused(" Zm9v");
	refused("Zm9v\tYg==");
	refused("Zm-v");       /* URL-safe alphabet is not this one */
	refused("Zm_v");
	refused("Zm9\x80");
	refused("Zh==");       /* non-zero pad bits: "f" is Zg== */
	refused("Zm9=");       /* "fo" is Zm8= */
	refused("Zm/=");
}

Test(base64, zero_bytes_inside_are_refused)
{
	uint8_t out[8];

	cr_assert_eq(correu_base64_decode("Zm\0v", 4, out, sizeof(out)), CORREU_ERR_ENCODING);
}

Test(base64, buffers_at_exactly_the_size_and_one_less)
{
	char text[8];
	uint8_t out[6];

	cr_assert_eq(correu_base64_encode((const uint8_t *)"fooba", 5, text, 8), 8);
	cr_assert_eq(correu_base64_encode((const uint8_t *)"fooba", 5, text, 7),
	             CORREU_ERR_BUFFER);
	cr_assert_eq(correu_base64_decode("Zm9vYmE=", 8, out, 5), 5);
	memset(out, 0xaa, sizeof(out));
	cr_assert_eq(correu_base64_decode("Zm9vYmE=", 8, out, 4), CORREU_ERR_BUFFER);
	cr_assert_eq(out[0], 0xaa, "nothing is written when it does not fit");
}

Test(base64, decodes_in_place)
{
	char buf[] = "Zm9vYmFy";
	correu_ssize r = correu_base64_decode(buf, 8, (uint8_t *)buf, 8);

	cr_assert_eq(r, 6);
	cr_assert_eq(memcmp(buf, "foobar", 6), 0);
}

Test(base64, sizes_do_not_overflow)
{
	cr_assert_eq(correu_base64_encoded_len(SIZE_MAX), SIZE_MAX);
	cr_assert_eq(correu_base64_encoded_len(SIZE_MAX / 4 * 3), SIZE_MAX / 4 * 4);
	cr_assert_eq(correu_base64_decoded_max(7), 3);
	/* Checked before a byte is read: the length alone is too big. */
	cr_assert_eq(correu_base64_encode((const uint8_t *)"x", SIZE_MAX / 2, NULL, 0),
	             CORREU_ERR_LIMIT);
	cr_assert_eq(correu_base64_encode(NULL, 1, NULL, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_base64_encode(NULL, 0, NULL, 0), 0);
	cr_assert_eq(correu_base64_decode(NULL, 0, NULL, 0), 0);
}
