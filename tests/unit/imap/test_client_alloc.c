/*
 * Allocation failure in the IMAP client core: whole sessions (greeting,
 * STARTTLS, capabilities, SCRAM with SASL-IR or LOGIN, ENABLE, SELECT,
 * LIST, a FETCH with a streamed body, APPEND from a reader, IDLE, LOGOUT)
 * are run with the Nth allocation failing for every N; each run must end
 * with an error, never a crash or a leak.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "client_adapter.h"
#include "correu/imap.h"
#include "failalloc.h"

CORREU__PROTO_CORE(imap_core, correu_imap_client, CORREU_IMAP_CLIENT_EV);

struct run {
	int closed;
	int starttls;
	int scram;
	const correu_allocator *a;
};

static int on_event(const correu_imap_client_event *ev, void *userdata)
{
	struct run *r = userdata;

	if (ev->type == CORREU_IMAP_CLIENT_EV_CLOSED)
		r->closed = 1;
	if (ev->type == CORREU_IMAP_CLIENT_EV_STARTTLS)
		r->starttls = 1;
	return 0;
}

static int drain(correu_imap_client *c)
{
	return client_drain(&imap_core, c);
}

static int feed(correu_imap_client *c, const char *s)
{
	return client_feed(&imap_core, c, s);
}

static correu_ssize reader(uint8_t *buf, size_t len, void *userdata)
{
	(void)userdata;
	memset(buf, 'x', len);
	return (correu_ssize)len;
}

static int login(correu_imap_client *c, struct run *r)
{
	struct client_auth au;
	int rc;

	if (!r->scram) {
		rc = correu_imap_client_login(c, "joe", 3, "sec ret", 7);
		return rc < 0 ? rc
		              : feed(c, "A3 OK [CAPABILITY IMAP4rev2 ENABLE CONDSTORE UIDPLUS] "
		                        "in\r\n");
	}
	client_auth_set(&au, "auto", "user", "pencil");
	au.ss.allocator = r->a;
	if ((rc = correu_imap_client_authenticate(c, au.mech, &au.cr, &au.ss)) < 0 ||
	    (rc = feed(c, client_scram_pencil[0])) < 0 ||
	    (rc = feed(c, client_scram_pencil[1])) < 0)
		return rc;
	return feed(c, "A3 OK [CAPABILITY IMAP4rev2 ENABLE CONDSTORE UIDPLUS] in\r\n");
}

static int work(correu_imap_client *c)
{
	int rc;

	if ((rc = correu_imap_client_enable(c, CORREU_IMAP_CAP_CONDSTORE)) < 0 ||
	    (rc = feed(c, "* ENABLED CONDSTORE\r\nA4 OK\r\n")) < 0)
		return rc;
	if ((rc = correu_imap_client_select(c, "Entw\xc3\xbcrfe", 9, 0, 0, 0, NULL, 0)) < 0 ||
	    (rc = correu_imap_client_list(c, "", 0, "*", 1, 0, 0)) < 0 ||
	    (rc = correu_imap_client_fetch(c, CORREU_IMAP_UID, "1", "BODY.PEEK[]", 0)) < 0 ||
	    (rc = drain(c)) < 0)
		return rc;
	if ((rc = feed(c, "* 2 EXISTS\r\nA5 OK [READ-WRITE] ok\r\n"
	                  "* LIST () \"/\" INBOX\r\nA6 OK\r\n"
	                  "* 1 FETCH (UID 1 BODY[] {10}\r\n0123456789)\r\nA7 OK\r\n")) < 0)
		return rc;
	if ((rc = correu_imap_client_append(c, "INBOX", 5, "(\\Seen)", NULL, 100, 0, reader,
	                                    NULL)) < 0 ||
	    (rc = drain(c)) < 0 || (rc = feed(c, "+ go\r\nA8 OK [APPENDUID 1 3] ok\r\n")) < 0)
		return rc;
	if ((rc = correu_imap_client_idle_start(c)) < 0 || (rc = drain(c)) < 0 ||
	    (rc = feed(c, "+ idling\r\n")) < 0 || (rc = correu_imap_client_idle_done(c)) < 0 ||
	    (rc = feed(c, "A9 OK\r\n")) < 0)
		return rc;
	if ((rc = correu_imap_client_logout(c)) < 0 || (rc = drain(c)) < 0)
		return rc;
	return feed(c, "* BYE\r\nA10 OK\r\n");
}

static int session(void *ctx, const correu_allocator *a)
{
	struct run r;
	correu_imap_settings s;
	correu_imap_client *c = NULL;
	int rc;

	memset(&r, 0, sizeof(r));
	r.scram = *(const int *)ctx;
	r.a = a;
	correu_imap_settings_init(&s);
	s.allocator = a;
	s.on_event = on_event;
	s.event_userdata = &r;
	rc = correu_imap_client_new(&s, &c);
	if (rc < 0)
		return rc;
	rc = feed(c, "* OK [CAPABILITY IMAP4rev2 STARTTLS] hi\r\nA1 OK go\r\n");
	if (rc == 0 && !r.starttls)
		rc = correu_imap_client_error(c) ? correu_imap_client_error(c) : CORREU_ERR_STATE;
	if (rc == 0)
		rc = correu_imap_client_tls_done(c);
	if (rc == 0)
		rc = drain(c);
	if (rc == 0)
		rc = feed(c, "* CAPABILITY IMAP4rev2 SASL-IR AUTH=SCRAM-SHA-256\r\nA2 OK\r\n");
	if (rc == 0)
		rc = login(c, &r);
	if (rc == 0)
		rc = work(c);
	if (rc == 0 && !r.closed)
		rc = correu_imap_client_error(c) ? correu_imap_client_error(c) : CORREU_ERR_STATE;
	correu_imap_client_free(c);
	return rc;
}

Test(alloc, session_login)
{
	int scram = 0;

	cr_assert_gt(failalloc_loop(session, &scram, 1000), 5);
}

Test(alloc, session_scram)
{
	int scram = 1;

	if (correu_sasl_mech_available(CORREU_SASL_SCRAM_SHA_256) <= 0)
		cr_skip_test("SCRAM needs a build with mbedTLS");
	cr_assert_gt(failalloc_loop(session, &scram, 1000), 5);
}
