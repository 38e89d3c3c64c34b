/*
 * Large messages through the IMAP client core with bounded memory: a
 * 50 MB BODY[] fetched and a 50 MB APPEND sent, through an allocator that
 * records the peak of live bytes. The message is never held whole: the
 * peak stays a small fraction of its size whatever the chunking.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "correu/imap.h"

#define BIG (50u * 1024 * 1024)

struct counting {
	correu_allocator table;
	size_t live, peak;
};

static void *c_alloc(void *user, size_t size)
{
	struct counting *k = user;
	void *p = malloc(size);

	if (p) {
		k->live += size;
		if (k->live > k->peak)
			k->peak = k->live;
	}
	return p;
}

static void *c_realloc(void *user, void *p, size_t old, size_t size)
{
	struct counting *k = user;
	void *q = realloc(p, size);

	if (q) {
		k->live = k->live - old + size;
		if (k->live > k->peak)
			k->peak = k->live;
	}
	return q;
}

static void c_free(void *user, void *p, size_t size)
{
	struct counting *k = user;

	k->live -= size;
	free(p);
}

struct state {
	uint64_t body, chunks, max_piece, sum;
	int done_ok;
	uint64_t appended;
};

static int on_event(const correu_imap_client_event *ev, void *userdata)
{
	struct state *st = userdata;

	if (ev->type == CORREU_IMAP_CLIENT_EV_DATA &&
	    ev->data->type == CORREU_IMAP_EV_LITERAL_DATA) {
		cr_assert_eq(ev->data->offset, st->body, "pieces arrive in order");
		st->body += ev->data->data_len;
		st->chunks++;
		if (ev->data->data_len > st->max_piece)
			st->max_piece = ev->data->data_len;
		for (size_t i = 0; i < ev->data->data_len; i++)
			st->sum += ev->data->data[i];
	}
	if (ev->type == CORREU_IMAP_CLIENT_EV_DONE && ev->status == CORREU_IMAP_RESP_OK)
		st->done_ok++;
	return 0;
}

static void send_all(correu_imap_client *c, struct counting *k, size_t *written)
{
	size_t len;

	while (correu_imap_client_send_buf(c, &len) && len) {
		cr_assert_leq(k->peak, 2u * 1024 * 1024);
		if (written)
			*written += len;
		cr_assert_eq(correu_imap_client_send_ack(c, len), 0);
	}
}

static void feed(correu_imap_client *c, const void *p, size_t n)
{
	cr_assert_eq(correu_imap_client_recv(c, p, n, 0), (correu_ssize)n);
}

static correu_imap_client *open_client(struct counting *k, struct state *st)
{
	correu_imap_settings s;
	correu_imap_parser_settings ps;
	correu_imap_client *c;
	static const char greet[] = "* OK [CAPABILITY IMAP4rev2 UIDPLUS] hi\r\n";

	memset(k, 0, sizeof(*k));
	k->table.version = CORREU_ALLOCATOR_VERSION;
	k->table.user = k;
	k->table.alloc = c_alloc;
	k->table.realloc = c_realloc;
	k->table.free = c_free;
	correu_imap_parser_settings_init(&ps);
	ps.max_chunk = 16384;
	correu_imap_settings_init(&s);
	s.tls_policy = CORREU_IMAP_TLS_IMPLICIT;
	s.allocator = &k->table;
	s.parser = &ps;
	s.on_event = on_event;
	s.event_userdata = st;
	cr_assert_eq(correu_imap_client_new(&s, &c), 0);
	feed(c, greet, sizeof(greet) - 1);
	return c;
}

Test(stream, fetch_50mb_body_bounded)
{
	struct counting k;
	struct state st;
	correu_imap_client *c;
	static const char head[] = "* 1 FETCH (UID 9 BODY[] {52428800}\r\n";
	static const char tail[] = ")\r\nA1 OK done\r\n";
	uint8_t *block = malloc(65536 + 7);
	uint64_t want = 0;

	memset(&st, 0, sizeof(st));
	c = open_client(&k, &st);
	cr_assert_gt(correu_imap_client_fetch(c, CORREU_IMAP_UID, "9", "BODY.PEEK[]", 0), 0);
	send_all(c, &k, NULL);
	feed(c, head, sizeof(head) - 1);
	/* Odd read sizes, as a network gives them. */
	for (size_t sent = 0, i = 0; sent < BIG; i++) {
		size_t n = 65536 + (i % 7);

		if (n > BIG - sent)
			n = BIG - sent;
		for (size_t j = 0; j < n; j++) {
			block[j] = (uint8_t)((sent + j) * 31u);
			want += block[j];
		}
		feed(c, block, n);
		sent += n;
	}
	feed(c, tail, sizeof(tail) - 1);
	free(block);
	cr_assert_eq(st.body, BIG);
	cr_assert_eq(st.sum, want);
	cr_assert_leq(st.max_piece, 16384);
	cr_assert_eq(st.done_ok, 1);
	/* The parser's line buffer and the client's buffers; nothing that
	 * grows with the message. */
	cr_assert_lt(k.peak, 1024u * 1024, "peak heap %zu bytes for a 50 MB body", k.peak);
	correu_imap_client_free(c);
	cr_assert_eq(k.live, 0);
}

static correu_ssize reader(uint8_t *buf, size_t len, void *userdata)
{
	struct state *st = userdata;

	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)((st->appended + i) & 0x7f) | 1;
	st->appended += len;
	return (correu_ssize)len;
}

Test(stream, append_50mb_bounded)
{
	struct counting k;
	struct state st;
	correu_imap_client *c;
	size_t written = 0;
	static const char go[] = "+ go ahead\r\n";
	static const char ok[] = "A1 OK [APPENDUID 1 2] done\r\n";

	memset(&st, 0, sizeof(st));
	c = open_client(&k, &st);
	cr_assert_gt(correu_imap_client_append(c, "INBOX", 5, NULL, NULL, BIG, 0, reader, &st), 0);
	send_all(c, &k, &written);
	cr_assert_eq(st.appended, 0, "nothing of the literal before the \"+\"");
	feed(c, go, sizeof(go) - 1);
	send_all(c, &k, &written);
	cr_assert_eq(st.appended, BIG);
	cr_assert_eq(written, strlen("A1 APPEND INBOX {52428800}\r\n") + BIG + 2);
	feed(c, ok, sizeof(ok) - 1);
	cr_assert_eq(st.done_ok, 1);
	cr_assert_lt(k.peak, 1024u * 1024, "peak heap %zu bytes for a 50 MB append", k.peak);
	correu_imap_client_free(c);
	cr_assert_eq(k.live, 0);
}
