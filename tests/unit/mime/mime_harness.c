/* Shared helpers of the MIME layer tests (see mime_harness.h). */
#include "mime_harness.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reset(void *vctx)
{
	struct mime_ctx *c = vctx;

	if (!c->p)
		cr_assert_eq(correu_mime_parser_new(c->settings, NULL, &c->p), 0);
	correu_mime_parser_reset(c->p);
}

static int feed(void *vctx, const uint8_t *p, size_t n, struct split_out *out)
{
	struct mime_ctx *c = vctx;
	int rc = correu_mime_parser_feed(c->p, p, n);

	if (rc < 0) {
		split_out_printf(out, "feed error %d\n", rc);
		return -1;
	}
	return 0;
}

static int to_out(const uint8_t *p, size_t n, void *ud)
{
	split_out_bytes(ud, p, n);
	return 0;
}

static void describe(const correu_mime_message *m, struct split_out *out)
{
	split_out_printf(out, "size %llu flags %#x parts %u\n",
	                 (unsigned long long)correu_mime_message_size(m),
	                 correu_mime_message_flags(m), correu_mime_part_count(m));
	for (uint32_t i = 0; i < correu_mime_part_count(m); i++) {
		correu_mime_part_info pi = { .version = CORREU_MIME_PART_INFO_VERSION };

		cr_assert_eq(correu_mime_part_info_get(m, i, &pi), 0);
		split_out_printf(
			out,
			"part %u kind %u parent %d depth %u flags %#x hdr %llu+%llu body "
			"%llu+%llu lines %llu bare %llu/%llu fields %u\n",
			i, pi.kind, (int)pi.parent, pi.depth, pi.flags,
			(unsigned long long)pi.header_offset, (unsigned long long)pi.header_size,
			(unsigned long long)pi.body_offset, (unsigned long long)pi.body_size,
			(unsigned long long)pi.body_lines, (unsigned long long)pi.header_bare_lf,
			(unsigned long long)pi.body_bare_lf, correu_mime_field_count(m, i));
		for (uint32_t f = 0; f < correu_mime_field_count(m, i); f++) {
			const uint8_t *n, *v;
			size_t nl, vl;

			cr_assert_eq(correu_mime_field_get(m, i, f, &n, &nl, &v, &vl), 0);
			split_out_bytes(out, n, nl);
			split_out_printf(out, ": ");
			split_out_bytes(out, v, vl);
			split_out_printf(out, "\n");
		}
	}
	split_out_printf(out, "BODYSTRUCTURE ");
	cr_assert_eq(correu_mime_imap_write(m, 0, CORREU_MIME_IMAP_BODYSTRUCTURE, 0, to_out, out),
	             0);
	split_out_printf(out, "\nENVELOPE ");
	cr_assert_eq(correu_mime_imap_write(m, 0, CORREU_MIME_IMAP_ENVELOPE, 0, to_out, out), 0);
	split_out_printf(out, "\n");
}

static void finish(void *vctx, struct split_out *out)
{
	struct mime_ctx *c = vctx;
	correu_mime_message *m = NULL;
	int rc = correu_mime_parser_finish(c->p, &m);

	if (rc < 0) {
		split_out_printf(out, "finish error %d\n", rc);
		return;
	}
	describe(m, out);
	correu_mime_message_free(c->last);
	c->last = m;
}

const struct split_ops mime_split_ops = { reset, feed, finish };

char *mime_check(struct mime_ctx *ctx, const char *msg, size_t len)
{
	return split_check(&mime_split_ops, ctx, (const uint8_t *)msg, len);
}

void mime_ctx_done(struct mime_ctx *ctx)
{
	correu_mime_parser_free(ctx->p);
	correu_mime_message_free(ctx->last);
	ctx->p = NULL;
	ctx->last = NULL;
}

struct grow {
	char *s;
	size_t len, cap;
};

static int to_grow(const uint8_t *p, size_t n, void *ud)
{
	struct grow *g = ud;

	if (g->len + n + 1 > g->cap) {
		g->cap = (g->len + n + 1) * 2;
		g->s = realloc(g->s, g->cap);
		cr_assert_not_null(g->s);
	}
	memcpy(g->s + g->len, p, n);
	g->len += n;
	g->s[g->len] = '\0';
	return 0;
}

char *mime_imap(const correu_mime_message *m, uint32_t part, uint32_t what, uint32_t flags)
{
	struct grow g = { calloc(1, 1), 0, 1 };
	int rc = correu_mime_imap_write(m, part, what, flags, to_grow, &g);

	cr_assert_eq(rc, 0, "imap output failed: %d", rc);
	return g.s;
}

char *mime_section(const correu_mime_message *m, const char *msg, const char *section)
{
	uint64_t off, size;
	char *s;

	if (correu_mime_section_range(m, section, strlen(section), &off, &size, NULL) != 0)
		return NULL;
	cr_assert_leq(off + size, correu_mime_message_size(m));
	s = malloc(size + 1);
	cr_assert_not_null(s);
	memcpy(s, msg + off, size);
	s[size] = '\0';
	return s;
}

correu_mime_message *mime_parse(const char *msg, size_t len, const correu_mime_settings *s)
{
	correu_mime_parser *p;
	correu_mime_message *m;

	cr_assert_eq(correu_mime_parser_new(s, NULL, &p), 0);
	cr_assert_eq(correu_mime_parser_feed(p, (const uint8_t *)msg, len), 0);
	cr_assert_eq(correu_mime_parser_finish(p, &m), 0);
	correu_mime_parser_free(p);
	return m;
}

char *mime_load(const char *name, size_t *len)
{
	char path[1024];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", MIME_DATA_DIR, name);
	f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	cr_assert_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	cr_assert_geq(n, 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}
