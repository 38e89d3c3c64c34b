/*
 * libFuzzer harness for the POP3 response reader (POP3 layer): status
 * lines, response codes, SASL continuations, multi-line listings and
 * message bodies through the dot decoder, and the STAT/LIST/UIDL and
 * timestamp parsers. The first byte says which +OK lines open a listing
 * or a message; the rest is read whole, cut in two where the second byte
 * says, and in small chunks, and the three records must be identical.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_common.h"
#include "pop3/pop3_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct record {
	struct fuzz_rec log;
	int last; /* the last tag, so body pieces join whatever the split */
};

static void add(struct record *r, const void *p, size_t n)
{
	fuzz_rec_add(&r->log, p, n);
}

static void tag(struct record *r, int t)
{
	uint8_t b = (uint8_t)t;

	if (t == RD_DATA && r->last == RD_DATA)
		return;
	r->last = t;
	add(r, &b, 1);
}

static void status(struct record *r, correu__pop3_reader *rd, uint8_t modes, unsigned *nth)
{
	correu__pop3_status st;
	const char *b64;
	size_t b64_len, off, ts;
	uint32_t n;
	uint64_t size;

	if (correu__pop3_challenge(rd->line, rd->line_len, &b64, &b64_len))
		add(r, b64, b64_len);
	if (correu__pop3_status_parse(rd->line, rd->line_len, (modes & 1) != 0, &st) < 0) {
		tag(r, 'x');
		return;
	}
	if (st.code_len && st.code[st.code_len] != ']')
		abort();
	add(r, &st.resp_code, sizeof(st.resp_code));
	add(r, st.text, st.text_len);
	correu__pop3_timestamp(st.text, st.text_len, &off, &ts);
	if (ts && (off + ts > st.text_len || st.text[off] != '<' || st.text[off + ts - 1] != '>'))
		abort();
	if (correu__pop3_parse_pair(st.text, st.text_len, &n, &size) == 0)
		add(r, &size, sizeof(size));
	/* The mode bits choose, +OK by +OK, what follows. */
	if (st.ok) {
		unsigned k = (*nth)++ % 3;

		if (modes & (2u << k))
			correu__pop3_reader_multi(rd, (modes & (16u << k)) ? RD_MODE_BODY
			                                                   : RD_MODE_LINES);
	}
}

static void listing(struct record *r, const uint8_t *line, size_t len)
{
	const char *uid;
	size_t uid_len;
	uint32_t n;
	uint64_t size;

	if (memchr(line, '\r', len) || memchr(line, '\n', len))
		abort();
	if (correu__pop3_parse_pair((const char *)line, len, &n, &size) == 0)
		add(r, &n, sizeof(n));
	if (correu__pop3_parse_uid((const char *)line, len, &n, &uid, &uid_len) == 0) {
		if (uid_len == 0 || uid_len > 70)
			abort();
		add(r, uid, uid_len);
	}
	add(r, line, len);
}

static void run(const uint8_t *data, size_t size, uint8_t modes, size_t cut, size_t step,
                struct record *r)
{
	correu__pop3_reader rd;
	unsigned nth = 0;
	size_t off = 0;

	memset(&rd, 0, sizeof(rd));
	if (correu__pop3_reader_init(&rd, NULL, 512, 200,
	                             (modes & 128) ? CORREU_DOT_NORMALISE : 0) < 0)
		abort();
	/* Until the reader has nothing more: a listing piece may still hold
	 * lines when the input is used up. */
	for (;;) {
		size_t end = fuzz_chunk_end(off, size, cut, step);
		size_t used;
		int rc = correu__pop3_reader_feed(&rd, data + off, end - off, &used);

		off += used;
		if (rc < 0) {
			tag(r, 'e');
			add(r, &rc, sizeof(rc));
			r->last = 'e';
			break;
		}
		if (rc == 0) {
			if (off == size)
				break;
			continue;
		}
		tag(r, rc);
		if (rc == RD_STATUS)
			status(r, &rd, modes, &nth);
		else if (rc == RD_LINE)
			listing(r, rd.line, rd.line_len);
		else if (rc == RD_DATA)
			add(r, rd.line, rd.line_len);
	}
	/* Without an error, the stream ends at the same place of a response
	 * whatever the split. */
	if (r->last != 'e')
		tag(r, correu__pop3_reader_pending(&rd) ? 'p' : 'c');
	correu__pop3_reader_free(&rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record a = { { NULL, 0, 0 }, 0 }, b = { { NULL, 0, 0 }, 0 },
		      c = { { NULL, 0, 0 }, 0 };
	uint8_t modes;
	size_t cut;

	if (size < 2)
		return 0;
	modes = data[0];
	cut = data[1];
	data += 2;
	size -= 2;
	if (cut > size)
		cut = size;
	run(data, size, modes, 0, 0, &a);
	run(data, size, modes, cut, 0, &b);
	run(data, size, modes, 0, (size_t)(modes & 7) + 1, &c);
	fuzz_recs_agree(&a.log, &b.log, &c.log);
	return 0;
}
