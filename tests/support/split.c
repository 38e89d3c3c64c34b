/* Split feeding for parser tests (see split.h). */
#include "split.h"

#include <criterion/criterion.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_reserve(struct split_out *out, size_t extra)
{
	if (out->len + extra + 1 <= out->cap)
		return;
	while (out->len + extra + 1 > out->cap)
		out->cap = out->cap ? out->cap * 2 : 256;
	out->text = realloc(out->text, out->cap);
	cr_assert(out->text != NULL, "out of memory in test");
}

void split_out_printf(struct split_out *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0);
	out_reserve(out, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(out->text + out->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	out->len += (size_t)n;
}

void split_out_bytes(struct split_out *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r')
			split_out_printf(out, "\\r");
		else if (p[i] == '\n')
			split_out_printf(out, "\\n");
		else if (p[i] == '\\')
			split_out_printf(out, "\\\\");
		else if (p[i] < 0x20 || p[i] > 0x7e)
			split_out_printf(out, "\\x%02x", p[i]);
		else
			split_out_printf(out, "%c", p[i]);
	}
}

static char *run(const struct split_ops *ops, void *ctx, const uint8_t *in, size_t len,
                 const size_t *cuts, size_t ncuts)
{
	struct split_out out = { NULL, 0, 0 };
	size_t start = 0;

	out_reserve(&out, 0);
	out.text[0] = '\0';
	ops->reset(ctx);
	for (size_t i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;
		/* Each chunk is its own heap copy so ASan catches reads past it. */
		uint8_t *chunk = malloc(end - start ? end - start : 1);

		cr_assert(chunk != NULL);
		if (end > start)
			memcpy(chunk, in + start, end - start);
		int rc = ops->feed(ctx, chunk, end - start, &out);
		free(chunk);
		start = end;
		if (rc < 0)
			goto done;
	}
	if (ops->finish)
		ops->finish(ctx, &out);
done:
	out_reserve(&out, 0);
	out.text[out.len] = '\0';
	return out.text;
}

char *split_check(const struct split_ops *ops, void *ctx, const uint8_t *in, size_t len)
{
	char *whole = run(ops, ctx, in, len, NULL, 0);
	size_t *cuts = malloc((len ? len : 1) * sizeof(*cuts));
	char *other;

	cr_assert(cuts != NULL);
	/* One byte at a time. */
	for (size_t i = 0; i + 1 < len; i++)
		cuts[i] = i + 1;
	other = run(ops, ctx, in, len, cuts, len ? len - 1 : 0);
	cr_assert_str_eq(other, whole, "byte-by-byte feed differs from whole feed");
	free(other);
	/* Cut in two at every offset, empty chunks at the ends included. */
	for (size_t at = 0; at <= len; at++) {
		cuts[0] = at;
		other = run(ops, ctx, in, len, cuts, 1);
		cr_assert_str_eq(other, whole, "feed split at offset %zu differs from whole feed", at);
		free(other);
	}
	free(cuts);
	return whole;
}
