/*
 * Allocation failure in the POP3 client: whole sessions (greeting, CAPA,
 * STLS, SCRAM or USER/PASS, pipelined STAT, LIST, UIDL, RETR, TOP, DELE,
 * QUIT) are run with the Nth allocation failing for every N; each run must
 * end with an error, never a crash or a leak.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "client_adapter.h"
#include "correu/pop3.h"
#include "failalloc.h"

CORREU__PROTO_CORE(pop3_core, correu_pop3_client, CORREU_POP3_EV);

static int on_event(const correu_pop3_event *ev, void *userdata)
{
	int *closed = userdata;

	if (ev->type == CORREU_POP3_EV_CLOSED)
		*closed = 1;
	return 0;
}

static int feed(correu_pop3_client *c, const char *s)
{
	return client_feed(&pop3_core, c, s);
}

static int login_sasl(correu_pop3_client *c, const correu_allocator *a)
{
	struct client_auth au;
	int rc;

	client_auth_set(&au, "auto", "user", "pencil");
	au.ss.allocator = a;
	if ((rc = correu_pop3_client_auth(c, au.mech, &au.cr, &au.ss)) < 0 ||
	    (rc = feed(c, client_scram_pencil[0])) < 0 ||
	    (rc = feed(c, client_scram_pencil[1])) < 0)
		return rc;
	return feed(c, "+OK\r\n");
}

static int session(void *ctx, const correu_allocator *a)
{
	const int sasl = *(const int *)ctx;
	correu_pop3_settings s;
	correu_pop3_client *c = NULL;
	int closed = 0, rc;

	correu_pop3_settings_init(&s);
	s.allocator = a;
	s.on_event = on_event;
	s.event_userdata = &closed;
	rc = correu_pop3_client_new(&s, &c);
	if (rc < 0)
		return rc;
	if ((rc = feed(c, "+OK hi <1.2@x>\r\n")) < 0 ||
	    (rc = feed(c, "+OK\r\nSTLS\r\nUSER\r\n.\r\n")) < 0 ||
	    (rc = feed(c, "+OK go\r\n")) < 0 || (rc = correu_pop3_client_tls_done(c)) < 0 ||
	    (rc = feed(c, "+OK\r\nUSER\r\nPIPELINING\r\nTOP\r\nUIDL\r\nSASL SCRAM-SHA-256\r\n"
	                  "RESP-CODES\r\nX-UNKNOWN 1 2\r\n.\r\n")) < 0)
		goto out;
	if (sasl)
		rc = login_sasl(c, a);
	else if ((rc = correu_pop3_client_user(c, "joe", 3, "secret", 6)) == 0 &&
	         (rc = feed(c, "+OK\r\n")) == 0)
		rc = feed(c, "+OK\r\n");
	if (rc < 0)
		goto out;
	if ((rc = correu_pop3_client_stat(c)) < 0 || (rc = correu_pop3_client_list(c, 0)) < 0 ||
	    (rc = correu_pop3_client_uidl(c, 0)) < 0 || (rc = correu_pop3_client_retr(c, 1)) < 0 ||
	    (rc = correu_pop3_client_top(c, 1, 2)) < 0 ||
	    (rc = correu_pop3_client_dele(c, 1)) < 0 || (rc = correu_pop3_client_quit(c)) < 0)
		goto out;
	if ((rc = feed(c, "+OK 1 10\r\n+OK\r\n1 10\r\n.\r\n+OK\r\n1 abc\r\n.\r\n"
	                  "+OK\r\n..x\r\nbody\r\n.\r\n+OK\r\nh: v\r\n.\r\n"
	                  "-ERR [SYS/TEMP] x\r\n+OK bye\r\n")) < 0)
		goto out;
	rc = closed ? 0 : CORREU_ERR_INTERNAL;
out:
	correu_pop3_client_free(c);
	return rc;
}

Test(alloc, every_allocation_failure_in_a_user_pass_session_is_clean)
{
	int sasl = 0;
	long n = failalloc_loop(session, &sasl, 1000);

	cr_assert_gt(n, 5);
}

Test(alloc, every_allocation_failure_in_a_scram_session_is_clean)
{
	int sasl = 1;
	long n;

	if (correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256) <= 0)
		cr_skip_test("SCRAM needs a build with mbedTLS");
	n = failalloc_loop(session, &sasl, 1000);

	cr_assert_gt(n, 10);
}
