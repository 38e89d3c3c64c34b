/*
 * SMTP sending benchmark, correu's side (bench/, SMTP layer): the blocking
 * session sends COUNT messages of SIZE bytes over one plaintext connection
 * in one batch (correu_smtp_session_send_many(): pipelined across
 * messages when the server offers it), then one message of BIG bytes
 * generated on the fly, and reports the rates and the heap the session
 * used, measured by a counting allocator table handed to the session (it
 * serves the session, the core and the transport). bench/smtp_send.sh runs
 * it next to libESMTP, libcurl and smtplib against smtp-sink.
 *
 *   bench_smtp_send HOST PORT COUNT SIZE BIG [MAX_OUTPUT]
 *
 * MAX_OUTPUT, when given, sets the core's output limit (the largest
 * allocation on the body path); 0 or absent keeps the default.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_smtp_msg.h"
#include "correu/smtp.h"

/* A malloc-backed allocator that counts the bytes live and their peak. */
struct counter {
	size_t live, peak, calls;
};

static void note(struct counter *c, size_t more, size_t less)
{
	c->live = c->live + more - less;
	if (c->live > c->peak)
		c->peak = c->live;
	c->calls++;
}

static void *count_alloc(void *user, size_t size)
{
	void *p = malloc(size);

	if (p)
		note(user, size, 0);
	return p;
}

static void *count_realloc(void *user, void *ptr, size_t old_size, size_t new_size)
{
	void *p = realloc(ptr, new_size);

	if (p)
		note(user, new_size, old_size);
	return p;
}

static void count_free(void *user, void *ptr, size_t size)
{
	free(ptr);
	note(user, 0, size);
}

/* The big message: headers, then 78-byte lines made as they are read. */
struct big {
	uint64_t left;
	const char *head;
	size_t head_left;
};

static correu_ssize read_big(uint8_t *buf, size_t cap, void *userdata)
{
	struct big *b = userdata;
	size_t n = 0;

	if (b->head_left) {
		n = b->head_left < cap ? b->head_left : cap;
		memcpy(buf, b->head, n);
		b->head += n;
		b->head_left -= n;
		b->left -= n;
		return (correu_ssize)n;
	}
	/* Whole 78-byte lines only (the total is a multiple of 78). */
	while (b->left >= 78 && cap - n >= 78) {
		memset(buf + n, 'q', 76);
		buf[n + 76] = '\r';
		buf[n + 77] = '\n';
		n += 78;
		b->left -= 78;
	}
	return (correu_ssize)n;
}

static int open_session(const char *host, uint16_t port, size_t max_output,
                        const correu_allocator *alloc, correu_smtp_session **s)
{
	correu_smtp_settings set;
	correu_smtp_session_options so;

	correu_smtp_settings_init(&set);
	set.tls_policy = CORREU_SMTP_TLS_NONE;
	set.allocator = alloc;
	set.max_output = max_output;
	correu_smtp_session_options_init(&so);
	so.settings = &set;
	return correu_smtp_session_open(host, port, &so, s);
}

static int fail(const char *what, int rc, correu_smtp_session *s)
{
	const char *text = "";
	uint32_t code = s ? correu_smtp_session_last_reply(s, &text) : 0;

	fprintf(stderr, "bench_smtp_send: %s: %s (%u %s)\n", what, correu_err_name(rc), code, text);
	return 1;
}

int main(int argc, char **argv)
{
	static const char *const to[] = { "sink@localhost" };
	static const char big_head[] = "From: bench@localhost\r\nTo: sink@localhost\r\n"
	                               "Subject: big\r\n\r\n";
	struct counter cnt = { 0, 0, 0 };
	correu_allocator alloc = { .version = CORREU_ALLOCATOR_VERSION, .user = &cnt,
		                   .alloc = count_alloc, .realloc = count_realloc,
		                   .free = count_free };
	correu_smtp_envelope env = { .version = CORREU_SMTP_ENVELOPE_VERSION,
		                     .from = "bench@localhost", .to = to, .to_count = 1 };
	correu_smtp_session *s = NULL;
	correu_smtp_batch_item *items;
	unsigned long count, size, big;
	size_t max_output = 0;
	struct big b;
	uint16_t port;
	double t0, t;
	char *msg;
	int rc;

	if (argc != 6 && argc != 7) {
		fputs("usage: bench_smtp_send HOST PORT COUNT SIZE BIG [MAX_OUTPUT]\n", stderr);
		return 2;
	}
	port = (uint16_t)bench_arg(argv[2], "port");
	count = bench_arg(argv[3], "count");
	size = bench_arg(argv[4], "size");
	big = bench_arg(argv[5], "big size");
	if (argc == 7)
		max_output = strtoul(argv[6], NULL, 10);
	msg = bench_message(size);
	if (!msg)
		return 1;

	/* COUNT messages over one connection. */
	t0 = bench_now();
	rc = open_session(argv[1], port, max_output, &alloc, &s);
	if (rc < 0)
		return fail("connect", rc, NULL);
	/* One batch: each message's envelope follows the previous one's end
	 * of data in the same write (PIPELINING across messages). */
	items = calloc(count ? count : 1, sizeof(*items));
	if (!items)
		return 1;
	for (unsigned long i = 0; i < count; i++) {
		items[i].version = CORREU_SMTP_BATCH_ITEM_VERSION;
		items[i].env = &env;
		items[i].msg = (const uint8_t *)msg;
		items[i].msg_len = size;
	}
	rc = correu_smtp_session_send_many(s, items, count);
	if (rc < 0 || (unsigned long)rc != count)
		return fail("send", rc < 0 ? rc : CORREU_ERR_REPLY, s);
	free(items);
	rc = correu_smtp_session_quit(s);
	correu_smtp_session_free(s);
	t = bench_now() - t0;
	if (rc < 0)
		return fail("quit", rc, NULL);
	printf("rate correu %lu %.3f %.0f\n", count, t, (double)count / t);
	printf("heap correu-many peak=%zu live-after=%zu\n", cnt.peak, cnt.live);

	/* One big message, streamed: the heap must not grow with it. */
	cnt.peak = cnt.live = 0;
	b.head = big_head;
	b.head_left = sizeof(big_head) - 1;
	b.left = sizeof(big_head) - 1 + (big / 78) * 78;
	t0 = bench_now();
	rc = open_session(argv[1], port, max_output, &alloc, &s);
	if (rc < 0)
		return fail("connect", rc, NULL);
	{
		uint64_t total = b.left;

		rc = correu_smtp_session_send(s, &env, read_big, &b, total);
		if (rc < 0)
			return fail("send big", rc, s);
		rc = correu_smtp_session_quit(s);
		correu_smtp_session_free(s);
		t = bench_now() - t0;
		printf("big correu %llu %.3f %.1f\n", (unsigned long long)total, t,
		       (double)total / t / 1e6);
	}
	printf("heap correu-big peak=%zu live-after=%zu max_output=%zu\n", cnt.peak, cnt.live,
	       max_output);
	free(msg);
	return 0;
}
