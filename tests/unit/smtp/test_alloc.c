/*
 * Allocation failure in the SMTP client: a whole session (greeting, EHLO,
 * STARTTLS, AUTH, a pipelined transaction with a body, LMTP replies, QUIT)
 * is run with the Nth allocation failing for every N; each run must end
 * with an error, never a crash or a leak.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/smtp.h"
#include "failalloc.h"

static int on_event(const correu_smtp_event *ev, void *userdata)
{
	int *closed = userdata;

	if (ev->type == CORREU_SMTP_EV_CLOSED)
		*closed = 1;
	return 0;
}

static int feed(correu_smtp_client *c, const char *s)
{
	correu_ssize n = correu_smtp_client_recv(c, (const uint8_t *)s, strlen(s), 0);
	size_t len;

	if (n < 0)
		return (int)n;
	/* Write everything at once. */
	while (correu_smtp_client_send_buf(c, &len) && len) {
		int rc = correu_smtp_client_send_ack(c, len);

		if (rc < 0)
			return rc;
	}
	return 0;
}

static int session(void *ctx, const correu_allocator *a)
{
	const int lmtp = *(const int *)ctx;
	correu_smtp_settings s;
	correu_sasl_settings ss;
	correu_sasl_credentials cr;
	correu_smtp_client *c = NULL;
	int closed = 0, rc;
	correu_ssize n;

	correu_smtp_settings_init(&s);
	s.allocator = a;
	s.on_event = on_event;
	s.event_userdata = &closed;
	s.flags = lmtp ? CORREU_SMTP_LMTP : 0;
	rc = correu_smtp_client_new(&s, &c);
	if (rc < 0)
		return rc;
	if ((rc = feed(c, "220 hi\r\n")) < 0 ||
	    (rc = feed(c, "250-mx\r\n250-STARTTLS\r\n250 AUTH PLAIN\r\n")) < 0 ||
	    (rc = feed(c, "220 go\r\n")) < 0 || (rc = correu_smtp_client_tls_done(c)) < 0 ||
	    (rc = feed(c, "250-mx\r\n250-PIPELINING\r\n250-SIZE 100\r\n250 AUTH PLAIN\r\n")) < 0)
		goto out;
	correu_sasl_settings_init(&ss);
	ss.allocator = a;
	memset(&cr, 0, sizeof(cr));
	cr.version = CORREU_SASL_CREDENTIALS_VERSION;
	cr.username = "user";
	cr.username_len = 4;
	cr.password = "secret";
	cr.password_len = 6;
	if ((rc = correu_smtp_client_auth(c, 0, &cr, &ss)) < 0 || (rc = feed(c, "235 ok\r\n")) < 0 ||
	    (rc = correu_smtp_client_mail(c, "a@b", 3, NULL)) < 0 ||
	    (rc = correu_smtp_client_rcpt(c, "c@d", 3, NULL)) < 0 ||
	    (rc = correu_smtp_client_rcpt(c, "e@f", 3, NULL)) < 0 ||
	    (rc = correu_smtp_client_data(c)) < 0 ||
	    (rc = feed(c, "250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n")) < 0)
		goto out;
	n = correu_smtp_client_body(c, (const uint8_t *)"Subject: x\r\n\r\n.body\r\n", 22);
	if (n < 0) {
		rc = (int)n;
		goto out;
	}
	if ((rc = correu_smtp_client_body_end(c)) < 0 ||
	    (rc = feed(c, lmtp ? "250 one\r\n250 two\r\n" : "250 queued\r\n")) < 0 ||
	    (rc = correu_smtp_client_quit(c)) < 0 || (rc = feed(c, "221 bye\r\n")) < 0)
		goto out;
	rc = closed ? 0 : CORREU_ERR_INTERNAL;
out:
	correu_smtp_client_free(c);
	return rc;
}

Test(alloc, every_allocation_failure_in_a_session_is_clean)
{
	int lmtp = 0;
	long n = failalloc_loop(session, &lmtp, 1000);

	cr_assert_gt(n, 5);
}

Test(alloc, every_allocation_failure_in_an_lmtp_session_is_clean)
{
	int lmtp = 1;
	long n = failalloc_loop(session, &lmtp, 1000);

	cr_assert_gt(n, 5);
}
