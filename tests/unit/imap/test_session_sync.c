/*
 * The blocking session's QRESYNC calls (RFC 7162 §3.2.5) against a
 * scripted server in a thread over a socket pair: QRESYNC and CONDSTORE
 * enabled when offered, a first SELECT that learns the mailbox state, a
 * resynchronising SELECT that hands VANISHED (EARLIER) and the changed
 * flags to the caller and updates the state, and the refusals.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "correu/imap.h"
#include "script_peer.h"

static correu_imap_session *start(struct script_peer *sv, const char *const *script)
{
	correu_imap_session_options o;
	correu_imap_settings set;
	correu_imap_session *s = NULL;
	correu_transport *t = NULL;

	cr_assert_eq(script_peer_pair(sv, script, NULL, false, &t), 0);
	correu_imap_settings_init(&set);
	set.tls_policy = CORREU_IMAP_TLS_NONE;
	set.flags = CORREU_IMAP_ALLOW_PLAINTEXT_AUTH;
	set.timeout_command_ms = 5000;
	correu_imap_session_options_init(&o);
	o.settings = &set;
	cr_assert_eq(correu_imap_session_start(t, NULL, &o, &s), 0);
	return s;
}

static void finish(struct script_peer *sv, correu_imap_session *s)
{
	correu_imap_session_free(s);
	script_peer_finish(sv);
}

struct seen {
	char text[1024];
	size_t len;
};

static int on_data(const correu_imap_event *ev, void *userdata)
{
	struct seen *w = userdata;
	int n = 0;

	if (ev->type == CORREU_IMAP_EV_BEGIN)
		n = snprintf(w->text + w->len, sizeof(w->text) - w->len, "%s %llu;",
		             correu_imap_resp_name(ev->resp), (unsigned long long)ev->num);
	else if (ev->type == CORREU_IMAP_EV_ITEM && ev->item == CORREU_IMAP_ITEM_SEQSET)
		n = snprintf(w->text + w->len, sizeof(w->text) - w->len, " %.*s%s;",
		             (int)ev->str_len[0], ev->str[0],
		             (ev->flags & CORREU_IMAP_EVF_EARLIER) ? " earlier" : "");
	else if (ev->type == CORREU_IMAP_EV_ITEM && ev->item == CORREU_IMAP_ITEM_FETCH_MODSEQ)
		n = snprintf(w->text + w->len, sizeof(w->text) - w->len, " modseq %llu;",
		             (unsigned long long)ev->num);
	w->len += (size_t)n;
	return 0;
}

static const char *const sync_script[] = {
	"S:* PREAUTH [CAPABILITY IMAP4rev1 ENABLE CONDSTORE QRESYNC] hi",
	"C:A1 ENABLE CONDSTORE QRESYNC",
	"S:* ENABLED CONDSTORE QRESYNC",
	"S:A1 OK enabled",
	/* A first visit: a plain SELECT learns the state. */
	"C:A2 SELECT INBOX",
	"S:* 12 EXISTS",
	"S:* OK [UIDVALIDITY 3857529045] ok",
	"S:* OK [UIDNEXT 550] ok",
	"S:* OK [HIGHESTMODSEQ 20010715194045007] ok",
	"S:A2 OK [READ-WRITE] selected",
	/* The next visit resynchronises from it. */
	"C:A3 SELECT INBOX (QRESYNC (3857529045 20010715194045007 1:549))",
	"S:* 10 EXISTS",
	"S:* OK [UIDVALIDITY 3857529045] ok",
	"S:* OK [UIDNEXT 560] ok",
	"S:* OK [HIGHESTMODSEQ 20010715194045319] ok",
	"S:* VANISHED (EARLIER) 41,43:116",
	"S:* 5 FETCH (UID 117 FLAGS (\\Seen) MODSEQ (20010715194045300))",
	"S:A3 OK [READ-WRITE] selected",
	"C:A4 EXAMINE Trash",
	"S:* 0 EXISTS",
	"S:* OK [UIDVALIDITY 7] ok",
	"S:* OK [NOMODSEQ] no modseqs",
	"S:A4 OK [READ-ONLY] selected",
	NULL
};

Test(session_sync, learn_then_resynchronise)
{
	struct script_peer sv;
	correu_imap_session *s = start(&sv, sync_script);
	correu_imap_sync_state st = { .version = CORREU_IMAP_SYNC_STATE_VERSION };
	struct seen w = { .len = 0 };

	cr_assert_eq(correu_imap_session_select_sync(s, "INBOX", 0, NULL, &st, NULL, NULL), 0);
	cr_assert_eq(st.uidvalidity, 3857529045u);
	cr_assert_eq(st.highestmodseq, 20010715194045007u);
	cr_assert_eq(st.exists, 12u);
	cr_assert_eq(st.uidnext, 550u);
	/* Enabled once: the second call sends no ENABLE. */
	cr_assert_eq(correu_imap_session_select_sync(s, "INBOX", 0, "1:549", &st, on_data, &w), 0);
	cr_assert_str_eq(w.text, "EXISTS 10;OK 0;OK 0;OK 0;VANISHED 0; 41,43:116 earlier;"
	                         "FETCH 5; modseq 20010715194045300;");
	cr_assert_eq(st.highestmodseq, 20010715194045319u);
	cr_assert_eq(st.exists, 10u);
	cr_assert_eq(st.uidnext, 560u);
	/* A mailbox without mod-sequences: 0, and the state of that box. */
	st.uidvalidity = 0;
	cr_assert_eq(correu_imap_session_select_sync(s, "Trash", CORREU_IMAP_SELECT_READ_ONLY, NULL,
	                                             &st, NULL, NULL),
	             0);
	cr_assert_eq(st.uidvalidity, 7u);
	cr_assert_eq(st.highestmodseq, 0u);
	cr_assert_eq(st.uidnext, 0u);
	finish(&sv, s);
}

#define NO_QRESYNC "S:* PREAUTH [CAPABILITY IMAP4rev1 ENABLE CONDSTORE COMPRESS=DEFLATE] hi"

static const char *const no_qresync_script[] = {
	NO_QRESYNC, "C:A1 COMPRESS DEFLATE", "S:A1 NO [COMPRESSIONACTIVE] refused", NULL
};
static const char *const no_zlib_script[] = { NO_QRESYNC, NULL };

Test(session_sync, refusals)
{
	struct script_peer sv;
	/* Without zlib COMPRESS is refused before anything is sent. */
	int zlib = correu_compress_available();
	correu_imap_session *s = start(&sv, zlib ? no_qresync_script : no_zlib_script);
	correu_imap_sync_state st = { .version = CORREU_IMAP_SYNC_STATE_VERSION };

	cr_assert_eq(correu_imap_session_enable_qresync(s), CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_imap_session_select_sync(s, "INBOX", 0, NULL, &st, NULL, NULL),
	             CORREU_ERR_UNSUPPORTED);
	st.version = 2;
	cr_assert_eq(correu_imap_session_select_sync(s, "INBOX", 0, NULL, &st, NULL, NULL),
	             CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_session_select_sync(NULL, "INBOX", 0, NULL, &st, NULL, NULL),
	             CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_session_enable_qresync(NULL), CORREU_ERR_ARG);
	cr_assert_eq(correu_imap_session_compress(NULL), CORREU_ERR_ARG);
	/* A refused COMPRESS leaves the session usable and uncompressed. */
	cr_assert_eq(correu_imap_session_compress(s), zlib ? CORREU_ERR_REPLY : CORREU_ERR_UNSUPPORTED);
	cr_assert_eq(correu_imap_client_is_compressed(correu_imap_session_client(s)), 0);
	finish(&sv, s);
}
