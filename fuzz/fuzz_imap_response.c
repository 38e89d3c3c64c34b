/*
 * Fuzz harness for the IMAP response parser (IMAP layer): arbitrary server
 * bytes. The first byte picks the flags and small limits (so that line,
 * literal, depth and chunk limits are reached), the next two a cut
 * offset; the rest is parsed whole, cut in two at that offset, and in
 * 7-byte chunks, and the three event records must be identical. A
 * literal's pieces are recorded joined, since their cutting follows the
 * input. Each event is also checked against the API's promises.
 */
#include <stdint.h>
#include <stdlib.h>

#include "correu/imap.h"
#include "fuzz_common.h"

struct record {
	struct fuzz_rec log;
	size_t max_chunk;
	uint64_t lit_seen, lit_size;
	int open; /* BEGIN reported, END or ERROR not yet */
};

static void rec_add(struct record *r, const void *p, size_t n)
{
	fuzz_rec_add(&r->log, p, n);
}

static void rec_str(struct record *r, const char *s, size_t n)
{
	uint8_t nil = s == NULL;

	if (!s && n)
		abort();
	rec_add(r, &nil, 1);
	rec_add(r, &n, sizeof(n));
	rec_add(r, s, n);
}

static int on_event(const correu_imap_event *ev, void *userdata)
{
	struct record *r = userdata;
	int i;

	if (ev->version != CORREU_IMAP_EVENT_VERSION)
		abort();
	if (ev->type == CORREU_IMAP_EV_LITERAL_DATA) {
		if (ev->data_len == 0 || ev->data_len > r->max_chunk || ev->offset != r->lit_seen ||
		    r->lit_seen + ev->data_len > r->lit_size)
			abort();
		r->lit_seen += ev->data_len;
		rec_add(r, ev->data, ev->data_len);
		return 0;
	}
	if (ev->type == CORREU_IMAP_EV_LITERAL_BEGIN) {
		r->lit_seen = 0;
		r->lit_size = ev->num3;
	}
	if (ev->type == CORREU_IMAP_EV_LITERAL_END && r->lit_seen != r->lit_size)
		abort();
	if (ev->type == CORREU_IMAP_EV_BEGIN) {
		if (r->open)
			abort();
		r->open = 1;
	}
	if (ev->type == CORREU_IMAP_EV_END || ev->type == CORREU_IMAP_EV_ERROR)
		r->open = 0;
	if (ev->type == CORREU_IMAP_EV_ERROR && ev->error >= 0)
		abort();
	rec_add(r, &ev->type, sizeof(ev->type));
	rec_add(r, &ev->resp, sizeof(ev->resp));
	rec_add(r, &ev->item, sizeof(ev->item));
	rec_add(r, &ev->code, sizeof(ev->code));
	rec_add(r, &ev->depth, sizeof(ev->depth));
	rec_add(r, &ev->flags, sizeof(ev->flags));
	rec_add(r, &ev->error, sizeof(ev->error));
	rec_add(r, &ev->zone, sizeof(ev->zone));
	rec_add(r, &ev->num, sizeof(ev->num));
	rec_add(r, &ev->num2, sizeof(ev->num2));
	rec_add(r, &ev->num3, sizeof(ev->num3));
	rec_add(r, &ev->time, sizeof(ev->time));
	rec_add(r, &ev->offset, sizeof(ev->offset));
	rec_str(r, ev->tag, ev->tag_len);
	for (i = 0; i < 4; i++)
		rec_str(r, ev->str[i], ev->str_len[i]);
	return 0;
}

/* Parse `data` cut at `cut`, then every `step` bytes (0: no more cuts). */
static void run(const correu_imap_parser_settings *base, const uint8_t *data, size_t n, size_t cut,
                size_t step, struct record *r)
{
	correu_imap_parser_settings s = *base;
	correu_imap_parser *p;
	size_t start = 0;

	s.event_userdata = r;
	r->max_chunk = s.max_chunk ? s.max_chunk : 65536;
	if (correu_imap_parser_new(&s, &p) != 0)
		abort();
	while (start < n) {
		size_t end = fuzz_chunk_end(start, n, cut, step);

		if (correu_imap_parser_feed(p, data + start, end - start) != 0)
			abort();
		start = end;
	}
	rec_add(r, "P", (size_t)correu_imap_parser_pending(p));
	correu_imap_parser_free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record a = { 0 }, b = { 0 }, c = { 0 };
	correu_imap_parser_settings s;
	size_t cut;
	uint8_t opt;

	if (size < 3)
		return 0;
	opt = data[0];
	cut = (size_t)data[1] | (size_t)data[2] << 8;
	data += 3;
	size -= 3;
	cut = size ? cut % (size + 1) : 0;
	correu_imap_parser_settings_init(&s);
	s.on_event = on_event;
	s.flags = opt & 3u;
	if (opt & 4u) {
		s.max_line = 48;
		s.max_inline_literal = 16;
		s.max_literal = 64;
		s.max_response = 160;
		s.max_depth = 6;
		s.max_list = 8;
	}
	s.max_chunk = (opt & 8u) ? 3 : 0;
	if (!(opt & 4u))
		s.max_line = 4096; /* a smaller buffer: more runs per second */
	run(&s, data, size, size, 0, &a);
	run(&s, data, size, cut, 0, &b);
	run(&s, data, size, 0, 7, &c);
	fuzz_recs_agree(&a.log, &b.log, &c.log);
	return 0;
}
