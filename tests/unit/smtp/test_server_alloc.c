/*
 * The SMTP server under allocation failure: a whole session (EHLO, AUTH,
 * a DATA message, a BDAT message, QUIT) with the Nth allocation failing,
 * for every N. Each run must end cleanly, either with the messages stored
 * or with an error (a fatal code, or a temporary failure reply), and
 * leave nothing allocated, no request live and no delivery open.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "correu/smtp_server.h"
#include "failalloc.h"
#include "memback.h"

/* What the client sends, a group at a time, each after the replies to
 * the one before (DATA ends a group, RFC 2920). */
static const char *const script[] = {
	"EHLO client.example\r\n",
	"AUTH PLAIN AGFsaWNlAHBlbmNpbA==\r\n",
	"MAIL FROM:<alice@example.net> ENVID=abc+2B\r\n"
	"RCPT TO:<bob@example.org> NOTIFY=FAILURE ORCPT=rfc822;bob@example.org\r\n"
	"DATA\r\n",
	"Subject: hi\r\n\r\n..dot\r\n.\r\n"
	"MAIL FROM:<alice@example.net> BODY=BINARYMIME\r\n"
	"RCPT TO:<carol@example.org>\r\n"
	"BDAT 5 LAST\r\nhello"
	"QUIT\r\n",
};

/* Drive the session like the runtime; collect the replies. */
static int session(const correu_server_core *core, void *sess, struct memback *mb, char *out,
                   size_t cap)
{
	size_t off = 0, n_out = 0, group = 0;

	for (int guard = 0; guard < 1000; guard++) {
		const char *in = script[group];
		size_t len = strlen(in);
		const uint8_t *p;
		size_t n;
		int w = core->want(sess), rc = 0;

		if (mb->queued) {
			memback_run(mb);
			continue;
		}
		if ((w & CORREU_SERVER_WANT_READ) && off < len)
			rc = core->recv((const uint8_t *)in + off, len - off, 0, sess);
		if (rc < 0)
			return rc;
		off += (size_t)rc;
		if (core->send_buf(&p, &n, sess) < 0 || n >= cap - n_out)
			return CORREU_ERR_INTERNAL;
		memcpy(out + n_out, p, n);
		n_out += n;
		out[n_out] = '\0';
		if (core->send_ack(n, sess) < 0)
			return CORREU_ERR_INTERNAL;
		if (w & CORREU_SERVER_WANT_CLOSE)
			break;
		if (off == len && group + 1 < sizeof(script) / sizeof(script[0])) {
			group++;
			off = 0;
		} else if (rc == 0 && n == 0 && !mb->queued) {
			break;
		}
	}
	return 0;
}

struct ctx {
	bool later;
};

static int scenario(void *ctxp, const correu_allocator *a)
{
	struct ctx *ctx = ctxp;
	correu_server_peer peer = { .version = CORREU_SERVER_PEER_VERSION };
	correu_smtp_server_settings set;
	const correu_server_core *core = correu_smtp_server_core();
	struct memback mb;
	correu_store *store = NULL;
	correu_smtp_service *svc = NULL;
	void *sess = NULL;
	static char out[8192];
	int rc;

	memback_init(&mb);
	mb.later = ctx->later;
	cr_assert_eq(correu_smtp_server_settings_init(&set), 0);
	set.flags = CORREU_SMTP_SERVER_PLAINTEXT_AUTH;
	set.hostname = "mx.example";
	peer.addr = "192.0.2.1";
	out[0] = '\0';
	rc = correu_store_new(memback_table(), &mb, NULL, a, &store);
	if (rc == 0)
		rc = correu_smtp_service_new(&set, store, a, &svc);
	if (rc == 0)
		rc = core->open(&peer, NULL, &sess, svc);
	if (rc == 0)
		rc = session(core, sess, &mb, out, sizeof(out));
	if (sess)
		core->close(sess);
	memback_run(&mb);
	if (store)
		cr_assert_eq(correu_store_live_requests(store), 0);
	cr_assert_eq(mb.deliveries_open, 0);
	correu_smtp_service_free(svc);
	correu_store_free(store);
	/* A failed allocation the session survived shows as a 4xx reply. */
	if (rc == 0 && (!strstr(out, "235 2.7.0") || mb.ndelivered != 2 ||
	                !strstr(out, "221 2.0.0") || !strstr(out, "250 2.0.0 Stored\r\n") ||
	                !strstr(strstr(out, "250 2.0.0 Stored\r\n") + 1, "250 2.0.0 Stored\r\n")))
		rc = CORREU_ERR_NOMEM;
	return rc;
}

Test(server_alloc, every_allocation_fails_cleanly)
{
	struct ctx ctx = { false };
	long n = failalloc_loop(scenario, &ctx, 2000);

	cr_assert_gt(n, 10);
}

Test(server_alloc, every_allocation_fails_cleanly_later)
{
	struct ctx ctx = { true };
	long n = failalloc_loop(scenario, &ctx, 2000);

	cr_assert_gt(n, 10);
}
