/*
 * The POP3 server core's API: settings at and past each limit, the
 * service's checks, the refusal line, and whole sessions between
 * correu's own POP3 client core and the server core over an in-memory
 * pipe, for what a transcript cannot script by hand (SCRAM's computed
 * proofs, APOP's digest, a message of many chunks).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "correu/pop3.h"
#include "correu/pop3_server.h"
#include "memback.h"
#include "pop3d_adapter.h"

static correu_store *mem_store(struct memback *mb)
{
	correu_store *st = NULL;

	memback_init(mb);
	cr_assert_eq(correu_store_new(memback_table(), mb, NULL, NULL, &st), 0);
	return st;
}

static int try_settings(correu_pop3_server_settings *s)
{
	struct memback mb;
	correu_store *st = mem_store(&mb);
	correu_pop3_service *svc = NULL;
	int rc = correu_pop3_service_new(s, st, NULL, &svc);

	correu_pop3_service_free(svc);
	correu_store_free(st);
	return rc;
}

#define LIMIT(field, ok, bad)                                              \
	do {                                                               \
		correu_pop3_server_settings s_;                            \
		cr_assert_eq(correu_pop3_server_settings_init(&s_), 0);    \
		s_.field = (ok);                                           \
		cr_assert_eq(try_settings(&s_), 0, #field " = " #ok);      \
		s_.field = (bad);                                          \
		cr_assert_eq(try_settings(&s_), CORREU_ERR_ARG, #field " = " #bad); \
	} while (0)

Test(server_api, settings_limits)
{
	correu_pop3_server_settings s;

	cr_assert_eq(correu_pop3_server_settings_init(NULL), CORREU_ERR_ARG);
	cr_assert_eq(try_settings(NULL), 0);
	LIMIT(max_line, 64, 63);
	LIMIT(max_line, 65536, 65537);
	LIMIT(max_auth_line, 64, 63);
	LIMIT(max_auth_line, 65536, 65537);
	LIMIT(max_chunk, 512, 511);
	LIMIT(max_chunk, 65536, 65537); /* over max_output / 4 by default */
	LIMIT(max_output, 65536, 65535);
	LIMIT(flags, CORREU_POP3_SERVER_EXPIRE, 0x80u);
	LIMIT(version, CORREU_POP3_SERVER_SETTINGS_VERSION, 99);
	LIMIT(hostname, "pop.example", "pop example");
	LIMIT(hostname, "pop.example", "<pop@example>");
	LIMIT(hostname, "pop.example", "");
	LIMIT(implementation, "correu 1.0", "correu\r\n+OK");
	LIMIT(implementation, "correu 1.0", "[IN-USE]");
	cr_assert_eq(correu_pop3_server_settings_init(&s), 0);
	s.max_chunk = 1048576;
	s.max_output = 4194304;
	cr_assert_eq(try_settings(&s), 0);
	s.max_chunk = 1048577;
	s.max_output = 8388608;
	cr_assert_eq(try_settings(&s), CORREU_ERR_ARG);
}

Test(server_api, service_needs_mailboxes)
{
	struct memback mb;
	/* A backend that can only check passwords (an SMTP submission one). */
	correu_store_backend t = { .version = CORREU_STORE_BACKEND_VERSION,
		                   .auth_password = memback_table()->auth_password };
	correu_store *st = NULL;
	correu_pop3_service *svc = NULL;

	memback_init(&mb);
	cr_assert_eq(correu_store_new(&t, &mb, NULL, NULL, &st), 0);
	cr_assert_eq(correu_pop3_service_new(NULL, st, NULL, &svc), CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_pop3_service_new(NULL, NULL, NULL, &svc), CORREU_ERR_ARG);
	cr_assert_eq(correu_pop3_service_new(NULL, st, NULL, NULL), CORREU_ERR_ARG);
	correu_store_free(st);
	correu_pop3_service_free(NULL);
}

Test(server_api, refuse_and_bad_open)
{
	const correu_server_core *core = correu_pop3_server_core();
	struct memback mb;
	correu_store *st = mem_store(&mb);
	correu_pop3_service *svc = NULL;
	correu_server_peer peer = { .version = 99, .addr = "192.0.2.1", .conn_id = 1 };
	uint8_t buf[128];
	void *sess = NULL;
	int n;

	cr_assert_eq(correu_pop3_service_new(NULL, st, NULL, &svc), 0);
	n = core->refuse(CORREU_SERVER_REFUSE_PER_IP, buf, sizeof(buf), svc);
	cr_assert_gt(n, 0);
	cr_assert(n >= 6 && memcmp(buf, "-ERR [SYS/TEMP] ", 16) == 0);
	cr_assert(memcmp(buf + n - 2, "\r\n", 2) == 0);
	cr_assert_eq(core->refuse(CORREU_SERVER_REFUSE_TOTAL, buf, 10, svc), 0);
	cr_assert_eq(core->open(&peer, NULL, &sess, svc), CORREU_ERR_ARG);
	cr_assert_eq(core->open(NULL, NULL, &sess, svc), CORREU_ERR_ARG);
	correu_pop3_service_free(svc);
	correu_store_free(st);
}

/* ------------------------------------------------------------------ */
/* correu's client core against the server core                       */
/* (SCRAM and APOP need mbedTLS: SHA-256 and MD5.) */
#if POP3D_HAVE_TLS

struct pair {
	struct memback mb;
	correu_store *store;
	correu_pop3_service *svc;
	const correu_server_core *core;
	void *sess;
	correu_pop3_client *cl;
	/* What the client saw. */
	int replies_ok, replies_err;
	uint32_t last_resp;
	char body[8192];
	size_t body_len;
	char uid[80];
};

static int apop_secret(const char *user, size_t len, char *buf, size_t cap, size_t *len_out,
                       void *ud)
{
	(void)ud;
	if (len != 5 || memcmp(user, MB_USER, 5) != 0 || cap < 6)
		return CORREU_ERR_NOT_FOUND;
	memcpy(buf, MB_PASSWORD, 6);
	*len_out = 6;
	return 0;
}

static int on_event(const correu_pop3_event *ev, void *ud)
{
	struct pair *p = ud;

	if (ev->type == CORREU_POP3_EV_REPLY) {
		if (ev->ok)
			p->replies_ok++;
		else
			p->replies_err++;
		p->last_resp = ev->resp_code;
	} else if (ev->type == CORREU_POP3_EV_BODY) {
		cr_assert_leq(p->body_len + ev->data_len, sizeof(p->body));
		memcpy(p->body + p->body_len, ev->data, ev->data_len);
		p->body_len += ev->data_len;
	} else if (ev->type == CORREU_POP3_EV_ITEM && ev->command == CORREU_POP3_CMD_UIDL) {
		snprintf(p->uid, sizeof(p->uid), "%.*s", (int)ev->text_len, ev->text);
	}
	return 0;
}

static void pair_open(struct pair *p, bool later)
{
	correu_pop3_server_settings set;
	correu_pop3_settings cs;
	correu_server_peer peer = { .version = CORREU_SERVER_PEER_VERSION,
		                    .flags = CORREU_SERVER_PEER_TLS,
		                    .conn_id = 7,
		                    .addr = "192.0.2.1",
		                    .local_addr = "192.0.2.110" };

	memset(p, 0, sizeof(*p));
	p->store = mem_store(&p->mb);
	p->mb.later = later;
	cr_assert_eq(correu_pop3_server_settings_init(&set), 0);
	set.random = pop3d_test_random;
	set.apop_secret = apop_secret;
	cr_assert_eq(correu_pop3_service_new(&set, p->store, NULL, &p->svc), 0);
	p->core = correu_pop3_server_core();
	cr_assert_eq(p->core->open(&peer, NULL, &p->sess, p->svc), 0);
	correu_pop3_settings_init(&cs);
	cs.tls_policy = CORREU_POP3_TLS_IMPLICIT;
	cs.on_event = on_event;
	cs.event_userdata = p;
	cr_assert_eq(correu_pop3_client_new(&cs, &p->cl), 0);
}

/* Move bytes both ways until neither side has anything to say. */
static void pair_run(struct pair *p)
{
	for (int round = 0; round < 100000; round++) {
		const uint8_t *b = NULL;
		size_t n = 0;
		bool moved = false;

		cr_assert_eq(p->core->send_buf(&b, &n, p->sess), 0);
		if (n) {
			correu_ssize used = correu_pop3_client_recv(p->cl, b, n, 0);

			cr_assert_geq(used, 0, "client: %d", (int)used);
			cr_assert_eq(p->core->send_ack(n, p->sess), 0);
			moved = true;
		}
		b = correu_pop3_client_send_buf(p->cl, &n);
		if (b && n && (p->core->want(p->sess) & CORREU_SERVER_WANT_READ)) {
			int used = p->core->recv(b, n, 0, p->sess);

			cr_assert_geq(used, 0);
			if (used > 0) {
				cr_assert_eq(correu_pop3_client_send_ack(p->cl, (size_t)used), 0);
				moved = true;
			}
		}
		if (p->mb.queued && memback_run(&p->mb))
			moved = true;
		if (!moved)
			return;
	}
	cr_assert_fail("the pair never settled");
}

static void pair_close(struct pair *p)
{
	correu_pop3_client_free(p->cl);
	p->core->close(p->sess);
	memback_run(&p->mb);
	cr_assert_eq(correu_store_live_requests(p->store), 0);
	cr_assert_eq(p->mb.sessions_open, 0);
	correu_pop3_service_free(p->svc);
	correu_store_free(p->store);
}

static void scram_login(bool later)
{
	struct pair p;
	correu_sasl_credentials cr = { .version = CORREU_SASL_CREDENTIALS_VERSION,
		                       .username = MB_USER,
		                       .username_len = 5,
		                       .password = MB_PASSWORD,
		                       .password_len = 6 };
	correu_sasl_settings ss;
	int mech;

	pair_open(&p, later);
	pair_run(&p);
	cr_assert(correu_pop3_client_logged_in(p.cl) == 0);
	correu_sasl_settings_init(&ss);
	ss.random = pop3d_test_random;
	mech = correu_pop3_client_auth(p.cl, 0, &cr, &ss);
	cr_assert_eq(mech, CORREU_SASL_SCRAM_SHA_256);
	pair_run(&p);
	cr_assert_eq(correu_pop3_client_logged_in(p.cl), 1, "errors %d", p.replies_err);
	cr_assert_eq(correu_pop3_client_uidl(p.cl, 2), 0);
	cr_assert_eq(correu_pop3_client_retr(p.cl, 2), 0);
	cr_assert_eq(correu_pop3_client_quit(p.cl), 0);
	pair_run(&p);
	cr_assert_str_eq(p.uid, "00000002000003e8");
	cr_assert_eq(p.body_len, strlen(p.mb.boxes[0].msgs[1].body));
	cr_assert(memcmp(p.body, p.mb.boxes[0].msgs[1].body, p.body_len) == 0);
	pair_close(&p);
}

Test(server_api, scram_sha256_by_correu_client)
{
	scram_login(false);
	scram_login(true);
}

Test(server_api, scram_wrong_password)
{
	struct pair p;
	correu_sasl_credentials cr = { .version = CORREU_SASL_CREDENTIALS_VERSION,
		                       .username = MB_USER,
		                       .username_len = 5,
		                       .password = "wrong",
		                       .password_len = 5 };
	correu_sasl_settings ss;

	pair_open(&p, true);
	pair_run(&p);
	correu_sasl_settings_init(&ss);
	ss.random = pop3d_test_random;
	cr_assert_eq(correu_pop3_client_auth(p.cl, CORREU_SASL_SCRAM_SHA_256, &cr, &ss),
	             CORREU_SASL_SCRAM_SHA_256);
	pair_run(&p);
	cr_assert_eq(correu_pop3_client_logged_in(p.cl), 0);
	cr_assert_eq(p.last_resp, CORREU_POP3_RESP_AUTH);
	pair_close(&p);
}

Test(server_api, apop_by_correu_client)
{
	struct pair p;
	size_t n = 0;

	pair_open(&p, false);
	pair_run(&p);
	cr_assert_not_null(correu_pop3_client_apop_timestamp(p.cl, &n));
	cr_assert_eq(correu_pop3_client_apop(p.cl, MB_USER, 5, MB_PASSWORD, 6), 0);
	pair_run(&p);
	cr_assert_eq(correu_pop3_client_logged_in(p.cl), 1);
	pair_close(&p);
}
#endif
