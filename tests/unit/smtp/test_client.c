/*
 * The SMTP client core through its public API, outside transcripts:
 * settings checks, strings with NUL, deadlines and the time, the
 * read/write wishes, capability enumeration, limits and partial writes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "correu/smtp.h"
#include "fakeclock.h"

struct log {
	int ready, body, closed, errors, replies;
	uint32_t last_code, last_cmd;
	int last_error;
};

static int on_event(const correu_smtp_event *ev, void *userdata)
{
	struct log *l = userdata;

	switch (ev->type) {
	case CORREU_SMTP_EV_READY: l->ready++; break;
	case CORREU_SMTP_EV_BODY: l->body++; break;
	case CORREU_SMTP_EV_CLOSED: l->closed++; break;
	case CORREU_SMTP_EV_ERROR: l->errors++; l->last_error = ev->error; break;
	case CORREU_SMTP_EV_REPLY:
		l->replies++;
		l->last_code = ev->code;
		l->last_cmd = ev->command;
		break;
	default: break;
	}
	return 0;
}

static correu_smtp_client *make(struct log *l, uint32_t policy)
{
	correu_smtp_settings s;
	correu_smtp_client *c = NULL;

	memset(l, 0, sizeof(*l));
	correu_smtp_settings_init(&s);
	s.tls_policy = policy;
	s.on_event = on_event;
	s.event_userdata = l;
	cr_assert_eq(correu_smtp_client_new(&s, &c), 0);
	return c;
}

static void feed(correu_smtp_client *c, const char *s, uint64_t now)
{
	correu_ssize n = correu_smtp_client_recv(c, (const uint8_t *)s, strlen(s), now);

	cr_assert_eq(n, (correu_ssize)strlen(s), "recv gave %td", n);
}

/* Take all output as text. */
static void take(correu_smtp_client *c, char *out, size_t cap)
{
	size_t n = 0;
	const uint8_t *p = correu_smtp_client_send_buf(c, &n);

	cr_assert_lt(n, cap);
	if (n)
		memcpy(out, p, n);
	out[n] = '\0';
	cr_assert_eq(correu_smtp_client_send_ack(c, n), 0);
}

static correu_smtp_client *ready_client(struct log *l, const char *ehlo_reply)
{
	correu_smtp_client *c = make(l, CORREU_SMTP_TLS_NONE);
	char out[256];

	feed(c, "220 hi\r\n", 0);
	take(c, out, sizeof(out));
	feed(c, ehlo_reply, 0);
	cr_assert_eq(l->ready, 1);
	return c;
}

Test(client, settings_are_checked)
{
	correu_smtp_settings s;
	correu_smtp_client *c = NULL;
	struct log l;

	correu_smtp_settings_init(&s);
	cr_assert_eq(correu_smtp_client_new(&s, &c), CORREU_ERR_ARG, "no callback");
	s.on_event = on_event;
	s.event_userdata = &l;
	s.ehlo_name = "bad name";
	cr_assert_eq(correu_smtp_client_new(&s, &c), CORREU_ERR_ARG);
	s.ehlo_name = "host\r\nQUIT";
	cr_assert_eq(correu_smtp_client_new(&s, &c), CORREU_ERR_ARG);
	s.ehlo_name = "[192.0.2.1]";
	s.max_line = 511;
	cr_assert_eq(correu_smtp_client_new(&s, &c), CORREU_ERR_ARG, "below RFC 5321's 512");
	s.max_line = 512;
	s.tls_policy = 9;
	cr_assert_eq(correu_smtp_client_new(&s, &c), CORREU_ERR_ARG);
	s.tls_policy = CORREU_SMTP_TLS_NONE;
	s.flags = 0x1000;
	cr_assert_eq(correu_smtp_client_new(&s, &c), CORREU_ERR_ARG);
	s.flags = 0;
	cr_assert_eq(correu_smtp_client_new(&s, &c), 0);
	cr_assert_not_null(c);
	correu_smtp_client_free(c);
	correu_smtp_client_free(NULL);
}

Test(client, address_literal_ehlo_name_is_sent)
{
	correu_smtp_settings s;
	correu_smtp_client *c = NULL;
	struct log l;
	char out[128];

	correu_smtp_settings_init(&s);
	s.on_event = on_event;
	s.event_userdata = &l;
	s.ehlo_name = "[IPv6:2001:db8::1]";
	cr_assert_eq(correu_smtp_client_new(&s, &c), 0);
	feed(c, "220 hi\r\n", 0);
	take(c, out, sizeof(out));
	cr_assert_str_eq(out, "EHLO [IPv6:2001:db8::1]\r\n");
	correu_smtp_client_free(c);
}

Test(client, nul_inside_an_address_is_refused)
{
	struct log l;
	correu_smtp_client *c = ready_client(&l, "250 mx\r\n");
	char out[64];

	cr_assert_eq(correu_smtp_client_mail(c, "a\0b@example.org", 15, NULL), CORREU_ERR_ARG);
	cr_assert_eq(correu_smtp_client_mail(c, "a@example.org", 13, NULL), 0);
	cr_assert_eq(correu_smtp_client_rcpt(c, "b@x\0", 4, NULL), CORREU_ERR_ARG);
	take(c, out, sizeof(out));
	cr_assert_str_eq(out, "MAIL FROM:<a@example.org>\r\n");
	correu_smtp_client_free(c);
}

Test(client, want_read_write_and_deadlines_follow_the_steps)
{
	struct log l;
	correu_smtp_client *c = make(&l, CORREU_SMTP_TLS_NONE);
	fakeclock clk = { 5000 };
	char out[128];

	/* Waiting for the greeting from the first clock update on. */
	cr_assert_eq(correu_smtp_client_tick(c, clk.now_ms), 0);
	cr_assert_eq(correu_smtp_client_want_read(c), 1);
	cr_assert_eq(correu_smtp_client_want_write(c), 0);
	cr_assert_eq(correu_smtp_client_next_deadline(c), 5000 + 300000);
	fakeclock_advance(&clk, 100);
	cr_assert_eq(correu_smtp_client_tick(c, clk.now_ms), 0);
	cr_assert_eq(correu_smtp_client_next_deadline(c), 5000 + 300000, "no progress, no reset");
	feed(c, "220 hi\r\n", fakeclock_advance(&clk, 100));
	/* EHLO waits to be written: the send timeout runs. */
	cr_assert_eq(correu_smtp_client_want_write(c), 1);
	cr_assert_eq(correu_smtp_client_next_deadline(c), 5200 + 180000);
	take(c, out, sizeof(out));
	cr_assert_eq(correu_smtp_client_tick(c, fakeclock_advance(&clk, 10)), 0);
	cr_assert_eq(correu_smtp_client_next_deadline(c), 5210 + 300000);
	feed(c, "250 mx\r\n", fakeclock_advance(&clk, 10));
	/* Idle: nothing to time out. */
	cr_assert_eq(correu_smtp_client_idle(c), 1);
	cr_assert_eq(correu_smtp_client_want_read(c), 0);
	cr_assert_eq(correu_smtp_client_next_deadline(c), UINT64_MAX);
	cr_assert_eq(correu_smtp_client_mail(c, "a@b", 3, NULL), 0);
	cr_assert_eq(correu_smtp_client_rcpt(c, "c@d", 3, NULL), 0);
	cr_assert_eq(correu_smtp_client_data(c), 0);
	take(c, out, sizeof(out));
	cr_assert_eq(correu_smtp_client_tick(c, fakeclock_advance(&clk, 1000)), 0);
	cr_assert_eq(correu_smtp_client_next_deadline(c), clk.now_ms + 300000);
	feed(c, "250 ok\r\n", clk.now_ms);
	take(c, out, sizeof(out));
	feed(c, "250 ok\r\n", clk.now_ms);
	take(c, out, sizeof(out));
	feed(c, "354 go\r\n", clk.now_ms);
	cr_assert_eq(l.body, 1);
	cr_assert_eq(correu_smtp_client_body_ready(c), 1);
	cr_assert_eq(correu_smtp_client_body(c, (const uint8_t *)"x\r\n", 3), 3);
	cr_assert_eq(correu_smtp_client_body_end(c), 0);
	cr_assert_eq(correu_smtp_client_body_ready(c), 0);
	take(c, out, sizeof(out));
	cr_assert_str_eq(out, "x\r\n.\r\n");
	/* The end of the data has the longest wait (RFC 5321 §4.5.3.2.6). */
	cr_assert_eq(correu_smtp_client_tick(c, fakeclock_advance(&clk, 1)), 0);
	cr_assert_eq(correu_smtp_client_next_deadline(c), clk.now_ms + 600000);
	correu_smtp_client_free(c);
}

Test(client, capabilities_are_enumerated_unknown_ones_too)
{
	struct log l;
	correu_smtp_client *c =
		ready_client(&l, "250-mx\r\n250-X-Vendor a b\r\n250-AUTH=LOGIN\r\n250-AUTH PLAIN\r\n"
		                 "250-SIZE\r\n250-!!bad line\r\n250 pipelining\r\n");
	const char *kw, *par;
	size_t kl, pl, ml;
	const char *mechs;

	cr_assert_eq(correu_smtp_client_cap_count(c), 5);
	cr_assert_eq(correu_smtp_client_cap_at(c, 0, &kw, &kl, &par, &pl), 0);
	cr_assert_eq(kl, 8);
	cr_assert(memcmp(kw, "X-Vendor", 8) == 0);
	cr_assert(pl == 3 && memcmp(par, "a b", 3) == 0);
	cr_assert_eq(correu_smtp_client_cap_at(c, 5, &kw, &kl, &par, &pl), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_smtp_client_cap_find(c, "x-vendor", 8, &par, &pl), 0);
	cr_assert_eq(correu_smtp_client_cap_find(c, "X-Other", 7, &par, &pl), CORREU_ERR_NOT_FOUND);
	cr_assert_eq(correu_smtp_client_caps(c),
	             CORREU_SMTP_CAP_AUTH | CORREU_SMTP_CAP_SIZE | CORREU_SMTP_CAP_PIPELINING);
	cr_assert_eq(correu_smtp_client_max_size(c), 0, "SIZE without a number");
	mechs = correu_smtp_client_auth_mechs(c, &ml);
	cr_assert(ml == 11 && memcmp(mechs, "LOGIN PLAIN", 11) == 0);
	correu_smtp_client_free(c);
}

Test(client, huge_size_is_not_wrapped)
{
	struct log l;
	correu_smtp_client *c = ready_client(&l, "250-mx\r\n250 SIZE 99999999999999999999999\r\n");

	cr_assert_eq(correu_smtp_client_max_size(c), 0, "an overflowing SIZE is no number");
	correu_smtp_client_free(c);
}

Test(client, command_limit)
{
	correu_smtp_settings s;
	correu_smtp_client *c = NULL;
	struct log l;
	char out[256];
	int i, rc = 0;

	correu_smtp_settings_init(&s);
	s.tls_policy = CORREU_SMTP_TLS_NONE;
	s.on_event = on_event;
	s.event_userdata = &l;
	s.max_commands = 8;
	cr_assert_eq(correu_smtp_client_new(&s, &c), 0);
	feed(c, "220 hi\r\n", 0);
	take(c, out, sizeof(out));
	feed(c, "250 mx\r\n", 0);
	cr_assert_eq(correu_smtp_client_mail(c, "a@b", 3, NULL), 0);
	/* Without pipelining MAIL waits in flight and RCPTs queue: 8 in all. */
	for (i = 0; i < 20 && rc >= 0; i++)
		rc = correu_smtp_client_rcpt(c, "c@d", 3, NULL);
	cr_assert_eq(rc, CORREU_ERR_LIMIT);
	cr_assert_eq(i, 8, "7 recipients fit beside MAIL, the 8th does not");
	correu_smtp_client_free(c);
}

Test(client, partial_writes_and_bad_acks)
{
	struct log l;
	correu_smtp_client *c = make(&l, CORREU_SMTP_TLS_NONE);
	size_t n;
	const uint8_t *p;

	feed(c, "220 hi\r\n", 0);
	p = correu_smtp_client_send_buf(c, &n);
	cr_assert_eq(n, 16);
	cr_assert(memcmp(p, "EHLO localhost\r\n", 16) == 0, "the default EHLO name");
	cr_assert_eq(correu_smtp_client_send_ack(c, n + 1), CORREU_ERR_ARG);
	cr_assert_eq(correu_smtp_client_send_ack(c, 3), 0);
	p = correu_smtp_client_send_buf(c, &n);
	cr_assert_eq(n, 13);
	cr_assert(memcmp(p, "O localhost", 11) == 0);
	cr_assert_eq(correu_smtp_client_send_ack(c, n), 0);
	cr_assert_null(correu_smtp_client_send_buf(c, &n));
	cr_assert_eq(n, 0);
	correu_smtp_client_free(c);
}

Test(client, null_arguments)
{
	size_t n;

	cr_assert_eq(correu_smtp_client_recv(NULL, NULL, 0, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_smtp_client_send_ack(NULL, 0), CORREU_ERR_ARG);
	cr_assert_null(correu_smtp_client_send_buf(NULL, &n));
	cr_assert_eq(correu_smtp_client_want_read(NULL), 0);
	cr_assert_eq(correu_smtp_client_next_deadline(NULL), UINT64_MAX);
	cr_assert_eq(correu_smtp_client_mail(NULL, "a", 1, NULL), CORREU_ERR_ARG);
	cr_assert_eq(correu_smtp_client_new(NULL, NULL), CORREU_ERR_ARG);
}

static int fail_on_ready(const correu_smtp_event *ev, void *userdata)
{
	(void)userdata;
	return ev->type == CORREU_SMTP_EV_READY ? CORREU_ERR_CANCELLED : 0;
}

Test(client, callback_failure_poisons_the_client)
{
	correu_smtp_settings s;
	correu_smtp_client *c = NULL;
	char out[64];

	correu_smtp_settings_init(&s);
	s.tls_policy = CORREU_SMTP_TLS_NONE;
	s.on_event = fail_on_ready;
	cr_assert_eq(correu_smtp_client_new(&s, &c), 0);
	feed(c, "220 hi\r\n", 0);
	take(c, out, sizeof(out));
	cr_assert_eq(correu_smtp_client_recv(c, (const uint8_t *)"250 x\r\n", 7, 0),
	             CORREU_ERR_CANCELLED);
	cr_assert_eq(correu_smtp_client_error(c), CORREU_ERR_CANCELLED);
	cr_assert_eq(correu_smtp_client_mail(c, "a@b", 3, NULL), CORREU_ERR_CANCELLED);
	correu_smtp_client_free(c);
}

static int upgrade_in_callback(const correu_smtp_event *ev, void *userdata)
{
	correu_smtp_client **c = userdata;

	if (ev->type == CORREU_SMTP_EV_STARTTLS)
		cr_assert_eq(correu_smtp_client_tls_done(*c), CORREU_ERR_STATE,
		             "the rest of this recv's input is still plaintext");
	return 0;
}

Test(client, tls_done_is_refused_inside_the_callback)
{
	correu_smtp_settings s;
	correu_smtp_client *c = NULL;
	char out[64];

	correu_smtp_settings_init(&s);
	s.on_event = upgrade_in_callback;
	s.event_userdata = &c;
	cr_assert_eq(correu_smtp_client_new(&s, &c), 0);
	feed(c, "220 hi\r\n", 0);
	take(c, out, sizeof(out));
	feed(c, "250-mx\r\n250 STARTTLS\r\n", 0);
	take(c, out, sizeof(out));
	cr_assert_str_eq(out, "STARTTLS\r\n");
	feed(c, "220 go\r\n", 0);
	cr_assert_eq(correu_smtp_client_want_read(c), 0, "nothing may be read before TLS");
	cr_assert_eq(correu_smtp_client_tls_done(c), 0);
	take(c, out, sizeof(out));
	cr_assert_str_eq(out, "EHLO localhost\r\n");
	correu_smtp_client_free(c);
}

/* RFC 2920 §3.1: the next message's envelope is queued right after the
 * end of the data and, with PIPELINING, shows in the same output as the
 * final "." so a driver writes them together; its replies then carry
 * the new transaction's number. */
Test(client, next_envelope_shares_the_write_of_the_end_of_data)
{
	struct log l;
	correu_smtp_client *c = ready_client(&l, "250-mx\r\n250 PIPELINING\r\n");
	char out[256];
	uint32_t first;

	cr_assert_eq(correu_smtp_client_transaction(c), 0);
	cr_assert_eq(correu_smtp_client_mail(c, "a@b", 3, NULL), 0);
	first = correu_smtp_client_transaction(c);
	cr_assert_gt(first, 0);
	cr_assert_eq(correu_smtp_client_rcpt(c, "c@d", 3, NULL), 0);
	cr_assert_eq(correu_smtp_client_data(c), 0);
	take(c, out, sizeof(out));
	feed(c, "250 ok\r\n250 ok\r\n354 go\r\n", 0);
	cr_assert_eq(correu_smtp_client_body(c, (const uint8_t *)"x\r\n", 3), 3);
	/* Not before the data has ended. */
	cr_assert_eq(correu_smtp_client_mail(c, "a@b", 3, NULL), CORREU_ERR_STATE);
	cr_assert_eq(correu_smtp_client_body_end(c), 0);
	cr_assert_eq(correu_smtp_client_mail(c, "e@f", 3, NULL), 0);
	cr_assert_gt(correu_smtp_client_transaction(c), first);
	cr_assert_eq(correu_smtp_client_rcpt(c, "g@h", 3, NULL), 0);
	cr_assert_eq(correu_smtp_client_data(c), 0);
	take(c, out, sizeof(out));
	cr_assert_str_eq(out, "x\r\n.\r\nMAIL FROM:<e@f>\r\nRCPT TO:<g@h>\r\nDATA\r\n");
	feed(c, "250 first\r\n", 0);
	cr_assert_eq(l.last_cmd, CORREU_SMTP_CMD_DATA_END);
	feed(c, "250 ok\r\n250 ok\r\n354 go\r\n", 0);
	cr_assert_eq(correu_smtp_client_body_ready(c), 1);
	correu_smtp_client_free(c);
}
