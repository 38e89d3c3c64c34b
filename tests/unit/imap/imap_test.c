/* Test harness for the IMAP response parser (see imap_test.h). */
#include "imap_test.h"

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "split.h"

struct run {
	correu_imap_parser_settings set;
	correu_imap_parser *p;
	struct split_out *out;
	uint8_t *lit; /* joined pieces of the streamed literal */
	size_t lit_len;
	uint64_t lit_size;
};

static void print_str(struct split_out *out, const char *label, const char *s, size_t n)
{
	if (!s) {
		split_out_printf(out, " %s=NIL", label);
		return;
	}
	split_out_printf(out, " %s=\"", label);
	split_out_bytes(out, (const uint8_t *)s, n);
	split_out_printf(out, "\"");
}

static void print_fields(struct split_out *out, const correu_imap_event *ev)
{
	static const char *const labels[4] = { "s0", "s1", "s2", "s3" };
	int last = -1, i;

	if (ev->tag)
		print_str(out, "tag", ev->tag, ev->tag_len);
	if (ev->depth)
		split_out_printf(out, " d=%" PRIu32, ev->depth);
	if (ev->flags)
		split_out_printf(out, " f=0x%" PRIx32, ev->flags);
	if (ev->code)
		split_out_printf(out, " code=%s", correu_imap_code_name(ev->code));
	if (ev->num)
		split_out_printf(out, " num=%" PRIu64, ev->num);
	if (ev->num2)
		split_out_printf(out, " num2=%" PRIu64, ev->num2);
	if (ev->num3)
		split_out_printf(out, " num3=%" PRIu64, ev->num3);
	if (ev->time || ev->zone)
		split_out_printf(out, " time=%" PRId64 " zone=%" PRId32, ev->time, ev->zone);
	for (i = 0; i < 4; i++)
		if (ev->str[i])
			last = i;
	for (i = 0; i <= last; i++)
		print_str(out, labels[i], ev->str[i], ev->str_len[i]);
}

static int on_event(const correu_imap_event *ev, void *userdata)
{
	struct run *r = userdata;
	struct split_out *out = r->out;

	cr_assert_eq(ev->version, CORREU_IMAP_EVENT_VERSION);
	switch (ev->type) {
	case CORREU_IMAP_EV_BEGIN:
		split_out_printf(out, "BEGIN %s", correu_imap_resp_name(ev->resp));
		break;
	case CORREU_IMAP_EV_ITEM:
		split_out_printf(out, "ITEM %s", correu_imap_item_name(ev->item));
		break;
	case CORREU_IMAP_EV_END:
		split_out_printf(out, "END %s", correu_imap_resp_name(ev->resp));
		break;
	case CORREU_IMAP_EV_LITERAL_BEGIN:
		split_out_printf(out, "LIT %s", correu_imap_item_name(ev->item));
		r->lit_len = 0;
		r->lit_size = ev->num3;
		break;
	case CORREU_IMAP_EV_LITERAL_DATA:
		/* Pieces follow each other, bounded, never empty, never past
		 * the announced size; they are joined for the record. */
		cr_assert_eq(ev->offset, r->lit_len);
		cr_assert_gt(ev->data_len, 0);
		cr_assert_leq(ev->data_len, r->set.max_chunk ? r->set.max_chunk : 65536);
		cr_assert_leq(r->lit_len + ev->data_len, r->lit_size);
		r->lit = realloc(r->lit, r->lit_len + ev->data_len);
		cr_assert_not_null(r->lit);
		memcpy(r->lit + r->lit_len, ev->data, ev->data_len);
		r->lit_len += ev->data_len;
		return 0;
	case CORREU_IMAP_EV_LITERAL_END:
		cr_assert_eq(r->lit_len, r->lit_size, "literal ended early");
		split_out_printf(out, "LITEND data=\"");
		split_out_bytes(out, r->lit ? r->lit : (const uint8_t *)"", r->lit_len);
		split_out_printf(out, "\"");
		break;
	case CORREU_IMAP_EV_ERROR:
		split_out_printf(out, "ERROR %s %s @%" PRIu64 " %s",
		                 correu_imap_resp_name(ev->resp), correu_err_name(ev->error),
		                 ev->offset, ev->str[0]);
		split_out_printf(out, "\n");
		return 0;
	default: cr_assert_fail("unknown event type %u", ev->type);
	}
	print_fields(out, ev);
	split_out_printf(out, "\n");
	return 0;
}

static void run_reset(void *ctx)
{
	struct run *r = ctx;

	correu_imap_parser_free(r->p);
	r->p = NULL;
	cr_assert_eq(correu_imap_parser_new(&r->set, &r->p), 0);
	r->lit_len = 0;
}

static int run_feed(void *ctx, const uint8_t *in, size_t n, struct split_out *out)
{
	struct run *r = ctx;
	int rc;

	r->out = out;
	rc = correu_imap_parser_feed(r->p, in, n);
	cr_assert_eq(rc, 0, "feed failed: %s", correu_err_name(rc));
	return 0;
}

static void run_finish(void *ctx, struct split_out *out)
{
	struct run *r = ctx;

	if (correu_imap_parser_pending(r->p))
		split_out_printf(out, "PENDING\n");
}

static const struct split_ops run_ops = { run_reset, run_feed, run_finish };

void imap_settings(correu_imap_parser_settings *s)
{
	correu_imap_parser_settings_init(s);
	s->on_event = on_event;
}

char *imap_events(const correu_imap_parser_settings *s, const uint8_t *in, size_t len)
{
	struct run r = { .p = NULL };
	char *got;

	r.set = *s;
	r.set.on_event = on_event;
	r.set.event_userdata = &r;
	got = split_check(&run_ops, &r, in, len);
	correu_imap_parser_free(r.p);
	free(r.lit);
	return got;
}

void imap_expect(const correu_imap_parser_settings *s, const char *in, const char *want)
{
	char *got = imap_events(s, (const uint8_t *)in, strlen(in));

	cr_assert_str_eq(got, want, "input:\n%s\ngot:\n%s\nwant:\n%s", in, got, want);
	free(got);
}

/* ---- scripts ---- */

struct text {
	char *s;
	size_t len, cap;
};

static void text_add(struct text *t, const void *p, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = realloc(t->s, t->cap);
		cr_assert_not_null(t->s);
	}
	memcpy(t->s + t->len, p, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void unescape(struct text *t, const char *s)
{
	while (*s) {
		char c = *s++;

		if (c == '\\' && *s) {
			char e = *s++;

			if (e == 'r')
				c = '\r';
			else if (e == 'n')
				c = '\n';
			else if (e == 't')
				c = '\t';
			else if (e == 'x') {
				unsigned v;

				cr_assert(sscanf(s, "%2x", &v) == 1, "bad \\x escape");
				c = (char)v;
				s += 2;
			} else if (e == '\\') {
				c = e;
			} else {
				/* Not an escape: IMAP flags start with "\". */
				s--;
			}
		}
		text_add(t, &c, 1);
	}
}

static void option(correu_imap_parser_settings *s, const char *line)
{
	char key[32];
	unsigned long long v = 0;

	cr_assert(sscanf(line, "%31s %llu", key, &v) >= 1, "bad option %s", line);
	if (strcmp(key, "utf8") == 0)
		s->flags |= CORREU_IMAP_PARSER_UTF8;
	else if (strcmp(key, "normalise") == 0)
		s->flags |= CORREU_IMAP_PARSER_NORMALISE_EOL;
	else if (strcmp(key, "max_line") == 0)
		s->max_line = (size_t)v;
	else if (strcmp(key, "max_response") == 0)
		s->max_response = (size_t)v;
	else if (strcmp(key, "max_inline_literal") == 0)
		s->max_inline_literal = (size_t)v;
	else if (strcmp(key, "max_literal") == 0)
		s->max_literal = v;
	else if (strcmp(key, "max_chunk") == 0)
		s->max_chunk = (size_t)v;
	else if (strcmp(key, "max_depth") == 0)
		s->max_depth = (uint32_t)v;
	else if (strcmp(key, "max_list") == 0)
		s->max_list = (uint32_t)v;
	else
		cr_assert_fail("unknown option %s", key);
}

void imap_run_file(const char *name)
{
	char path[1024], line[8192];
	struct text in = { NULL, 0, 0 }, want = { NULL, 0, 0 };
	correu_imap_parser_settings s;
	FILE *f;
	char *got;

	snprintf(path, sizeof(path), "%s/%s", IMAP_DATA_DIR, name);
	f = fopen(path, "r");
	cr_assert_not_null(f, "cannot open %s", path);
	imap_settings(&s);
	text_add(&in, "", 0);
	text_add(&want, "", 0);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strlen(line);

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		cr_assert(n >= 2, "%s: bad line %s", name, line);
		if (line[0] == '@') {
			option(&s, line + 2);
		} else if (strncmp(line, "S:", 2) == 0 || strncmp(line, "S-", 2) == 0) {
			unescape(&in, line[2] == ' ' ? line + 3 : line + 2);
			if (line[1] == ':')
				text_add(&in, "\r\n", 2);
		} else if (strncmp(line, "E: ", 3) == 0) {
			text_add(&want, line + 3, n - 3);
			text_add(&want, "\n", 1);
		} else {
			cr_assert_fail("%s: bad line %s", name, line);
		}
	}
	fclose(f);
	got = imap_events(&s, (const uint8_t *)in.s, in.len);
	/* IMAP_TEST_DUMP=file writes what the parser reported, for a script
	 * author to review and turn into E: lines. */
	if (getenv("IMAP_TEST_DUMP")) {
		FILE *d = fopen(getenv("IMAP_TEST_DUMP"), "w");

		cr_assert_not_null(d);
		fputs(got, d);
		fclose(d);
	}
	cr_assert_str_eq(got, want.s, "%s: got:\n%s\nwant:\n%s", name, got, want.s);
	free(got);
	free(in.s);
	free(want.s);
}
