/*
 * The POP3 client's API outside the transcripts: settings checks, NULL
 * handling, caller strings with NUL, deadlines and timeouts, the STLS
 * hand-over, output back-pressure and the byte interface's contracts.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/pop3.h"
#include "fakeclock.h"

struct log {
	int events, ready, starttls, errors, last_error;
};

static int on_event(const correu_pop3_event *ev, void *userdata)
{
	struct log *l = userdata;

	l->events++;
	if (ev->type == CORREU_POP3_EV_READY)
		l->ready++;
	if (ev->type == CORREU_POP3_EV_STARTTLS)
		l->starttls++;
	if (ev->type == CORREU_POP3_EV_ERROR) {
		l->errors++;
		l->last_error = ev->error;
	}
	return 0;
}

static size_t max_output; /* 0: the default */

static correu_pop3_client *make(struct log *l, uint32_t policy)
{
	correu_pop3_settings s;
	correu_pop3_client *c = NULL;

	memset(l, 0, sizeof(*l));
	correu_pop3_settings_init(&s);
	s.max_output = max_output;
	s.on_event = on_event;
	s.event_userdata = l;
	s.tls_policy = policy;
	cr_assert_eq(correu_pop3_client_new(&s, &c), 0);
	return c;
}

static void feed(correu_pop3_client *c, const char *s, uint64_t now)
{
	cr_assert_eq(correu_pop3_client_recv(c, (const uint8_t *)s, strlen(s), now),
	             (correu_ssize)strlen(s));
}

static void drain(correu_pop3_client *c)
{
	size_t n;

	while (correu_pop3_client_send_buf(c, &n))
		cr_assert_eq(correu_pop3_client_send_ack(c, n), 0);
}

/* A client logged in over implicit TLS, with pipelining. */
static correu_pop3_client *logged_in(struct log *l)
{
	correu_pop3_client *c = make(l, CORREU_POP3_TLS_IMPLICIT);

	feed(c, "+OK hi\r\n", 0);
	drain(c);
	feed(c, "+OK\r\nUSER\r\nPIPELINING\r\n.\r\n", 0);
	cr_assert_eq(correu_pop3_client_user(c, "joe", 3, "pw", 2), 0);
	drain(c);
	feed(c, "+OK\r\n", 0);
	drain(c);
	feed(c, "+OK\r\n", 0);
	cr_assert(correu_pop3_client_logged_in(c));
	return c;
}

Test(settings, are_checked)
{
	correu_pop3_settings s;
	correu_pop3_client *c = (correu_pop3_client *)1;
	struct log l;

	correu_pop3_settings_init(NULL);
	correu_pop3_settings_init(&s);
	cr_assert_eq(s.tls_policy, CORREU_POP3_TLS_REQUIRED);
	cr_assert_eq(correu_pop3_client_new(&s, &c), CORREU_ERR_ARG, "no callback");
	cr_assert_null(c);
	s.on_event = on_event;
	s.event_userdata = &l;
	cr_assert_eq(correu_pop3_client_new(NULL, &c), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_new(&s, NULL), CORREU_ERR_ARG);
	s.version = 99;
	cr_assert_eq(correu_pop3_client_new(&s, &c), CORREU_ERR_ARG);
	s.version = CORREU_POP3_SETTINGS_VERSION;
	s.flags = 0x80;
	cr_assert_eq(correu_pop3_client_new(&s, &c), CORREU_ERR_ARG);
	s.flags = 0;
	s.tls_policy = 4;
	cr_assert_eq(correu_pop3_client_new(&s, &c), CORREU_ERR_ARG);
	s.tls_policy = CORREU_POP3_TLS_NONE;
	/* RFC 2449 §4: at least 512 octets per response line. */
	s.max_line = 511;
	cr_assert_eq(correu_pop3_client_new(&s, &c), CORREU_ERR_ARG);
	s.max_line = 512;
	cr_assert_eq(correu_pop3_client_new(&s, &c), 0);
	correu_pop3_client_free(c);
	correu_pop3_client_free(NULL);
}

Test(api, null_handles_are_refused)
{
	size_t n = 7;

	cr_assert_eq(correu_pop3_client_recv(NULL, NULL, 0, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_tick(NULL, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_eof(NULL), CORREU_ERR_ARG);
	cr_assert_null(correu_pop3_client_send_buf(NULL, &n));
	cr_assert_eq(n, 0);
	cr_assert_eq(correu_pop3_client_send_ack(NULL, 0), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_want_read(NULL), 0);
	cr_assert_eq(correu_pop3_client_want_write(NULL), 0);
	cr_assert_eq(correu_pop3_client_next_deadline(NULL), UINT64_MAX);
	cr_assert_eq(correu_pop3_client_tls_done(NULL), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_stat(NULL), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_user(NULL, "a", 1, "b", 1), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_caps(NULL), 0);
	cr_assert_eq(correu_pop3_client_cap_count(NULL), 0);
}

Test(api, nul_in_caller_strings_is_refused)
{
	struct log l;
	correu_pop3_client *c = make(&l, CORREU_POP3_TLS_IMPLICIT);
	size_t n;

	feed(c, "+OK hi <1.2@x>\r\n", 0);
	drain(c);
	feed(c, "+OK\r\nUSER\r\n.\r\n", 0);
	cr_assert_eq(correu_pop3_client_user(c, "jo\0e", 4, "pw", 2), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_user(c, "joe", 3, "p\0w", 3), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_user(c, "", 0, "pw", 2), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_apop(c, "jo\0e", 4, "pw", 2), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_apop(c, "jo e", 4, "pw", 2), CORREU_ERR_ARG);
	/* Nothing was queued by the refused calls. */
	cr_assert_null(correu_pop3_client_send_buf(c, &n));
	cr_assert(correu_pop3_client_idle(c));
	correu_pop3_client_free(c);
}

Test(api, a_command_longer_than_max_command_is_refused)
{
	struct log l;
	correu_pop3_client *c = make(&l, CORREU_POP3_TLS_IMPLICIT);
	char user[256];

	feed(c, "+OK hi\r\n", 0);
	drain(c);
	feed(c, "+OK\r\nUSER\r\n.\r\n", 0);
	/* "USER " + name + CRLF: 255 octets pass, 256 do not (RFC 2449 §4). */
	memset(user, 'u', sizeof(user));
	cr_assert_eq(correu_pop3_client_user(c, user, 249, "pw", 2), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_user(c, user, 248, "pw", 2), 0);
	correu_pop3_client_free(c);
}

Test(time, deadlines_follow_the_step_waited_for)
{
	struct log l;
	fakeclock clk = { 1000 };
	correu_pop3_client *c = make(&l, CORREU_POP3_TLS_IMPLICIT);
	size_t n;

	cr_assert(correu_pop3_client_want_read(c));
	cr_assert_not(correu_pop3_client_want_write(c));
	cr_assert_eq(correu_pop3_client_tick(c, clk.now_ms), 0);
	cr_assert_eq(correu_pop3_client_next_deadline(c), 1000 + 60000, "greeting timeout");
	feed(c, "+OK hi\r\n", fakeclock_advance(&clk, 500));
	cr_assert(correu_pop3_client_want_write(c));
	cr_assert_eq(correu_pop3_client_next_deadline(c), 1500 + 180000, "send timeout");
	cr_assert_not_null(correu_pop3_client_send_buf(c, &n));
	cr_assert_eq(correu_pop3_client_send_ack(c, n + 1), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_client_send_ack(c, n), 0);
	cr_assert_eq(correu_pop3_client_tick(c, fakeclock_advance(&clk, 10)), 0);
	cr_assert_eq(correu_pop3_client_next_deadline(c), 1510 + 300000, "command timeout");
	/* Without progress the deadline stays where it was. */
	cr_assert_eq(correu_pop3_client_tick(c, fakeclock_advance(&clk, 1000)), 0);
	cr_assert_eq(correu_pop3_client_next_deadline(c), 1510 + 300000);
	feed(c, "+OK\r\n.\r\n", fakeclock_advance(&clk, 1));
	cr_assert_eq(l.ready, 1);
	cr_assert(correu_pop3_client_idle(c));
	cr_assert_eq(correu_pop3_client_next_deadline(c), UINT64_MAX, "waits for nothing");
	cr_assert_not(correu_pop3_client_want_read(c));
	correu_pop3_client_free(c);
}

Test(tls, stls_hand_over)
{
	struct log l;
	correu_pop3_client *c = make(&l, CORREU_POP3_TLS_REQUIRED);
	size_t n;
	const uint8_t *p;

	cr_assert_eq(correu_pop3_client_tls_done(c), CORREU_ERR_STATE);
	feed(c, "+OK hi\r\n", 0);
	drain(c);
	feed(c, "+OK\r\nSTLS\r\n.\r\n", 0);
	p = correu_pop3_client_send_buf(c, &n);
	cr_assert_eq(n, 6);
	cr_assert(memcmp(p, "STLS\r\n", 6) == 0);
	drain(c);
	feed(c, "+OK go\r\n", 0);
	cr_assert_eq(l.starttls, 1);
	cr_assert_not(correu_pop3_client_is_tls(c));
	/* Between the go-ahead and the upgrade the core reads nothing. */
	cr_assert_not(correu_pop3_client_want_read(c));
	cr_assert_eq(correu_pop3_client_next_deadline(c), UINT64_MAX);
	cr_assert_eq(correu_pop3_client_stat(c), CORREU_ERR_STATE);
	cr_assert_eq(correu_pop3_client_tls_done(c), 0);
	cr_assert(correu_pop3_client_is_tls(c));
	cr_assert_eq(correu_pop3_client_caps(c), 0, "capabilities forgotten");
	p = correu_pop3_client_send_buf(c, &n);
	cr_assert(n == 6 && memcmp(p, "CAPA\r\n", 6) == 0);
	correu_pop3_client_free(c);
}

Test(errors, a_fatal_error_poisons_the_client)
{
	struct log l;
	correu_pop3_client *c = make(&l, CORREU_POP3_TLS_IMPLICIT);

	cr_assert_eq(correu_pop3_client_recv(c, (const uint8_t *)"garbage\r\n", 9, 0),
	             CORREU_ERR_SYNTAX);
	cr_assert_eq(l.errors, 1);
	cr_assert_eq(correu_pop3_client_error(c), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu_pop3_client_recv(c, (const uint8_t *)"+OK\r\n", 5, 0),
	             CORREU_ERR_SYNTAX);
	cr_assert_eq(correu_pop3_client_noop(c), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu_pop3_client_eof(c), CORREU_ERR_SYNTAX);
	cr_assert_eq(l.errors, 1, "reported once");
	correu_pop3_client_free(c);
}

static int refuse(const correu_pop3_event *ev, void *userdata)
{
	(void)userdata;
	return ev->type == CORREU_POP3_EV_REPLY ? CORREU_ERR_CANCELLED : 0;
}

Test(errors, a_callback_can_stop_the_client)
{
	correu_pop3_settings s;
	correu_pop3_client *c;

	correu_pop3_settings_init(&s);
	s.on_event = refuse;
	cr_assert_eq(correu_pop3_client_new(&s, &c), 0);
	cr_assert_eq(correu_pop3_client_recv(c, (const uint8_t *)"+OK\r\n", 5, 0),
	             CORREU_ERR_CANCELLED);
	cr_assert_eq(correu_pop3_client_error(c), CORREU_ERR_CANCELLED);
	correu_pop3_client_free(c);
}

Test(queue, output_back_pressure_holds_commands_in_the_queue)
{
	struct log l;
	correu_pop3_client *c;
	size_t n, total = 0;
	int i;

	/* A 1024-byte output: pipelined commands beyond it wait in the
	 * queue, whole, and follow as the output drains. */
	max_output = 1024;
	c = logged_in(&l);
	for (i = 0; i < 500; i++)
		cr_assert_eq(correu_pop3_client_dele(c, 1000000 + (uint32_t)i), 0);
	while (correu_pop3_client_send_buf(c, &n)) {
		cr_assert_leq(n, 1024);
		cr_assert_eq(n % strlen("DELE 1000000\r\n"), 0, "only whole commands");
		total += n;
		cr_assert_eq(correu_pop3_client_send_ack(c, n), 0);
	}
	cr_assert_eq(total, 500 * strlen("DELE 1000000\r\n"));
	correu_pop3_client_free(c);
}

struct careless {
	correu_pop3_client *c;
	int rc;
};

static int upgrade_at_once(const correu_pop3_event *ev, void *userdata)
{
	struct careless *k = userdata;

	/* A careless driver upgrading from inside the callback. */
	if (ev->type == CORREU_POP3_EV_STARTTLS)
		k->rc = correu_pop3_client_tls_done(k->c);
	return 0;
}

Test(tls, no_upgrade_from_inside_the_callback)
{
	struct careless k = { NULL, 1 };
	correu_pop3_settings s;
	static const char injected[] = "+OK go\r\n+OK\r\nSASL PLAIN\r\n.\r\n";

	correu_pop3_settings_init(&s);
	s.on_event = upgrade_at_once;
	s.event_userdata = &k;
	cr_assert_eq(correu_pop3_client_new(&s, &k.c), 0);
	feed(k.c, "+OK hi\r\n", 0);
	drain(k.c);
	feed(k.c, "+OK\r\nSTLS\r\n.\r\n", 0);
	drain(k.c);
	/* The plaintext behind the go-ahead must not pass as TLS. */
	cr_assert_eq(correu_pop3_client_recv(k.c, (const uint8_t *)injected, strlen(injected), 0),
	             CORREU_ERR_PROTO);
	cr_assert_eq(k.rc, CORREU_ERR_STATE);
	cr_assert_not(correu_pop3_client_is_tls(k.c));
	correu_pop3_client_free(k.c);
}
