/*
 * Several messages through the blocking session in one call
 * (correu_smtp_session_send_many()) against a scripted server: the next
 * envelope follows the end of the data before its result (PIPELINING,
 * RFC 2920 §3.1), results land on the right message when the server
 * refuses one mid-batch, RSET recovery, LMTP, no PIPELINING, and
 * allocation failure.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/smtp.h"
#include "failalloc.h"
#include "script_server.h"

/* Script pieces: a server offering PIPELINING, and the first message
 * (a@example.org to b@example.net) accepted up to its body. */
#define GREETING                                                                 \
	"S 220 mx.example ESMTP", "C EHLO client.example", "S 250-mx.example", \
		"S 250 PIPELINING"
#define FIRST_MESSAGE                                                         \
	"C MAIL FROM:<a@example.org>", "C RCPT TO:<b@example.net>", "C DATA", \
		"S 250 ok", "S 250 ok", "S 354 go", "D"

static const char *const to_b[] = { "b@example.net" };
static const char *const to_cd[] = { "c@example.net", "d@example.net" };
/* The usual envelope: a@example.org to b@example.net. */
static const correu_smtp_envelope env_ab = { CORREU_SMTP_ENVELOPE_VERSION, "a@example.org", to_b,
	                                   1, NULL, NULL };

static correu_smtp_session *open_plain(struct server *sv, uint32_t flags,
                                       const correu_allocator *a)
{
	correu_smtp_settings set;
	correu_smtp_session_options o;
	correu_smtp_session *s = NULL;

	correu_smtp_settings_init(&set);
	set.tls_policy = CORREU_SMTP_TLS_NONE;
	set.ehlo_name = "client.example";
	set.flags = flags;
	set.allocator = a;
	correu_smtp_session_options_init(&o);
	o.settings = &set;
	cr_assert_eq(correu_smtp_session_open("127.0.0.1", (uint16_t)sv->port, &o, &s), 0);
	return s;
}

static void item(correu_smtp_batch_item *it, const correu_smtp_envelope *env, const char *msg,
                 uint32_t *codes)
{
	memset(it, 0, sizeof(*it));
	it->version = CORREU_SMTP_BATCH_ITEM_VERSION;
	it->env = env;
	it->msg = (const uint8_t *)msg;
	it->msg_len = strlen(msg);
	it->rcpt_codes = codes;
}

/* Message 1's end of data is refused (554) while message 2's envelope is
 * in flight, message 2's MAIL is refused, and message 3 goes through with
 * one of its two recipients. */
Test(batch, interleaved_results_with_refusals_mid_batch)
{
	static const char *const script[] = {
		GREETING,
		FIRST_MESSAGE,
		/* Message 2's envelope came with the end of message 1. */
		"C MAIL FROM:<bad@example.org>",
		"C RCPT TO:<b@example.net>",
		"C DATA",
		"S 554 5.7.1 content refused",
		"S 550 sender refused",
		"S 503 no sender",
		"S 503 no recipients",
		"C MAIL FROM:<a@example.org>",
		"C RCPT TO:<c@example.net>",
		"C RCPT TO:<d@example.net>",
		"C DATA",
		"S 250 ok",
		"S 550 no such user",
		"S 250 ok",
		"S 354 go",
		"D",
		"S 250 three queued",
		"C QUIT",
		"S 221 bye",
		NULL,
	};
	correu_smtp_envelope e1 = { CORREU_SMTP_ENVELOPE_VERSION, "a@example.org", to_b, 1, NULL,
		                    NULL };
	correu_smtp_envelope e2 = { CORREU_SMTP_ENVELOPE_VERSION, "bad@example.org", to_b, 1,
		                    NULL, NULL };
	correu_smtp_envelope e3 = { CORREU_SMTP_ENVELOPE_VERSION, "a@example.org", to_cd, 2, NULL,
		                    NULL };
	correu_smtp_batch_item it[3];
	uint32_t c1[1], c2[1], c3[2];
	struct server sv;
	correu_smtp_session *s;

	start(&sv, script, 0, 0);
	s = open_plain(&sv, 0, NULL);
	item(&it[0], &e1, "one\r\n", c1);
	item(&it[1], &e2, "two\r\n", c2);
	item(&it[2], &e3, "three\r\n", c3);
	cr_assert_eq(correu_smtp_session_send_many(s, it, 3), 1);
	cr_assert_eq(it[0].result, CORREU_ERR_REPLY);
	cr_assert_eq(it[0].code, 554);
	cr_assert_eq(c1[0], 250);
	cr_assert_eq(it[1].result, CORREU_ERR_REPLY);
	cr_assert_eq(it[1].code, 503);
	cr_assert_eq(c2[0], 503);
	cr_assert_eq(it[2].result, 1);
	cr_assert_eq(it[2].code, 250);
	cr_assert_eq(c3[0], 550);
	cr_assert_eq(c3[1], 250);
	cr_assert_eq(correu_smtp_session_quit(s), 0);
	correu_smtp_session_free(s);
	finish(&sv);
	cr_assert_eq(sv.body_len, 7);
	cr_assert(memcmp(sv.body, "three\r\n", 7) == 0);
}

/* Message 2's DATA is refused after its MAIL was accepted: message 3
 * starts with RSET, pipelined with its envelope. */
Test(batch, rset_before_the_message_after_a_refused_data)
{
	static const char *const script[] = {
		GREETING,
		FIRST_MESSAGE,
		"C MAIL FROM:<a@example.org>",
		"C RCPT TO:<b@example.net>",
		"C DATA",
		"S 250 one queued",
		"S 250 ok",
		"S 250 ok",
		"S 451 try later",
		"C RSET",
		"C MAIL FROM:<a@example.org>",
		"C RCPT TO:<b@example.net>",
		"C DATA",
		"S 250 reset",
		"S 250 ok",
		"S 250 ok",
		"S 354 go",
		"D",
		"S 250 three queued",
		NULL,
	};
	correu_smtp_batch_item it[3];
	struct server sv;
	correu_smtp_session *s;
	const char *text;

	start(&sv, script, 0, 0);
	s = open_plain(&sv, 0, NULL);
	for (int i = 0; i < 3; i++)
		item(&it[i], &env_ab, "x\r\n", NULL);
	cr_assert_eq(correu_smtp_session_send_many(s, it, 3), 2);
	cr_assert_eq(it[0].result, 1);
	cr_assert_eq(it[1].result, CORREU_ERR_REPLY);
	cr_assert_eq(it[1].code, 451);
	cr_assert_eq(it[2].result, 1);
	cr_assert_eq(correu_smtp_session_last_reply(s, &text), 250);
	cr_assert_str_eq(text, "three queued");
	correu_smtp_session_free(s);
	finish(&sv);
}

/* LMTP: each message's per-recipient replies land on its own recipients. */
Test(batch, lmtp_results_per_message_and_recipient)
{
	static const char *const script[] = {
		"S 220 lmtp.example LMTP",
		"C LHLO client.example",
		"S 250-lmtp.example",
		"S 250 PIPELINING",
		"C MAIL FROM:<a@example.org>",
		"C RCPT TO:<c@example.net>",
		"C RCPT TO:<d@example.net>",
		"C DATA",
		"S 250 ok",
		"S 250 ok",
		"S 250 ok",
		"S 354 go",
		"D",
		"C MAIL FROM:<a@example.org>",
		"C RCPT TO:<c@example.net>",
		"C RCPT TO:<d@example.net>",
		"C DATA",
		"S 250 c delivered",
		"S 452 d over quota",
		"S 250 ok",
		"S 550 unknown",
		"S 250 ok",
		"S 354 go",
		"D",
		"S 250 d delivered",
		NULL,
	};
	correu_smtp_envelope env = { CORREU_SMTP_ENVELOPE_VERSION, "a@example.org", to_cd, 2,
		                     NULL, NULL };
	correu_smtp_batch_item it[2];
	uint32_t c1[2], c2[2];
	struct server sv;
	correu_smtp_session *s;

	start(&sv, script, 0, 0);
	s = open_plain(&sv, CORREU_SMTP_LMTP, NULL);
	item(&it[0], &env, "one\r\n", c1);
	item(&it[1], &env, "two\r\n", c2);
	cr_assert_eq(correu_smtp_session_send_many(s, it, 2), 2);
	cr_assert_eq(it[0].result, 1);
	cr_assert_eq(c1[0], 250);
	cr_assert_eq(c1[1], 452);
	cr_assert_eq(it[1].result, 1);
	cr_assert_eq(c2[0], 550);
	cr_assert_eq(c2[1], 250);
	correu_smtp_session_free(s);
	finish(&sv);
}

/* Without PIPELINING the messages go one after the other. */
Test(batch, without_pipelining)
{
	static const char *const script[] = {
		"S 220 mx.example ESMTP", "C EHLO client.example", "S 250 mx.example",
		"C MAIL FROM:<a@example.org>", "S 250 ok", "C RCPT TO:<b@example.net>", "S 250 ok",
		"C DATA", "S 354 go", "D", "S 250 one", "C MAIL FROM:<a@example.org>", "S 250 ok",
		"C RCPT TO:<b@example.net>", "S 250 ok", "C DATA", "S 354 go", "D", "S 250 two",
		NULL,
	};
	correu_smtp_batch_item it[2];
	struct server sv;
	correu_smtp_session *s;

	start(&sv, script, 0, 0);
	s = open_plain(&sv, 0, NULL);
	item(&it[0], &env_ab, "one\r\n", NULL);
	item(&it[1], &env_ab, "two\r\n", NULL);
	cr_assert_eq(correu_smtp_session_send_many(s, it, 2), 2);
	cr_assert_eq(it[1].code, 250);
	correu_smtp_session_free(s);
	finish(&sv);
}

/* A message refused locally (a CR in an address) is that item's result
 * (its MAIL, already queued, is reset); a bad item version refuses the
 * whole call before anything is sent. */
Test(batch, local_refusal_and_bad_arguments)
{
	static const char *const script[] = {
		GREETING, "C MAIL FROM:<a@example.org>", "C RSET",
		"C MAIL FROM:<a@example.org>", "C RCPT TO:<b@example.net>", "C DATA", "S 250 ok",
		"S 250 reset", "S 250 ok", "S 250 ok", "S 354 go", "D", "S 250 one", NULL,
	};
	static const char *const bad_to[] = { "b@example.net\r\nRSET" };
	correu_smtp_envelope bad = { CORREU_SMTP_ENVELOPE_VERSION, "a@example.org", bad_to, 1,
		                     NULL, NULL };
	correu_smtp_batch_item it[2];
	struct server sv;
	correu_smtp_session *s;

	start(&sv, script, 0, 0);
	s = open_plain(&sv, 0, NULL);
	item(&it[0], &bad, "zero\r\n", NULL);
	item(&it[1], &env_ab, "one\r\n", NULL);
	it[1].version = 99;
	cr_assert_eq(correu_smtp_session_send_many(s, it, 2), CORREU_ERR_ARG);
	it[1].version = CORREU_SMTP_BATCH_ITEM_VERSION;
	cr_assert_eq(correu_smtp_session_send_many(s, it, 2), 1);
	cr_assert_eq(it[0].result, CORREU_ERR_ARG);
	cr_assert_eq(it[1].result, 1);
	correu_smtp_session_free(s);
	finish(&sv);
}

/* A session that a fatal error ended sends nothing more: a later batch
 * returns that error at once, and every item holds it (none is left at
 * 0, the mark of a message never tried). */
Test(batch, a_broken_session_marks_every_item)
{
	static const char *const script[] = { GREETING, "C MAIL FROM:<a@example.org>", NULL };
	correu_smtp_batch_item it[2];
	uint32_t codes[1] = { 7 };
	struct server sv;
	correu_smtp_session *s;
	int rc;

	start(&sv, script, 0, 0);
	s = open_plain(&sv, 0, NULL);
	item(&it[0], &env_ab, "one\r\n", NULL);
	rc = correu_smtp_session_send_many(s, it, 1); /* the server hangs up */
	cr_assert_lt(rc, 0);
	cr_assert_eq(it[0].result, rc);
	item(&it[0], &env_ab, "one\r\n", NULL);
	item(&it[1], &env_ab, "two\r\n", codes);
	it[1].code = 250;
	cr_assert_eq(correu_smtp_session_send_many(s, it, 2), rc);
	cr_assert_eq(it[0].result, rc);
	cr_assert_eq(it[1].result, rc);
	cr_assert_eq(it[1].code, 0);
	cr_assert_eq(codes[0], 0);
	correu_smtp_session_free(s);
	finish(&sv);
}

static const char *const alloc_script[] = {
	GREETING,
	FIRST_MESSAGE,
	"C MAIL FROM:<a@example.org>",
	"C RCPT TO:<b@example.net>",
	"C DATA",
	"S 250 one",
	"S 250 ok",
	"S 250 ok",
	"S 354 go",
	"D",
	"S 250 two",
	NULL,
};

/* The server side stops at the client's first failure, so its script
 * result is not checked here: only the client's clean error and no leak.
 * Failures are planned from the batch on: the session keeps the text of
 * the greeting only when memory allows (it is for people), so failing
 * that allocation is rightly not an error. */
static int alloc_run(void *ctx, const correu_allocator *a)
{
	correu_smtp_settings set;
	correu_smtp_session_options o;
	correu_smtp_session *s = NULL;
	correu_smtp_batch_item it[2];
	struct server *sv = ctx;
	failalloc *f = a->user;
	long fail_at;
	int rc;

	start(sv, alloc_script, 0, 0);
	correu_smtp_settings_init(&set);
	set.tls_policy = CORREU_SMTP_TLS_NONE;
	set.ehlo_name = "client.example";
	set.allocator = a;
	correu_smtp_session_options_init(&o);
	o.settings = &set;
	fail_at = f->fail_at;
	f->fail_at = 0;
	rc = correu_smtp_session_open("127.0.0.1", (uint16_t)sv->port, &o, &s);
	f->fail_at = fail_at ? fail_at + f->count : 0;
	if (rc == 0) {
		item(&it[0], &env_ab, "one\r\n", NULL);
		item(&it[1], &env_ab, "two\r\n", NULL);
		rc = correu_smtp_session_send_many(s, it, 2);
		if (rc >= 0)
			rc = rc == 2 ? 0 : CORREU_ERR_INTERNAL;
	}
	correu_smtp_session_free(s);
	pthread_join(sv->th, NULL);
	correu_tcp_listener_free(sv->l);
	return rc;
}

Test(batch, every_allocation_failure_is_clean)
{
	struct server sv;

	cr_assert_gt(failalloc_loop(alloc_run, &sv, 500), 5);
}
