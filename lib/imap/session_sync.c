/*
 * The blocking IMAP session's resynchronisation and compression (IMAP
 * layer, driver): ENABLE QRESYNC, SELECT with the state a client kept
 * between sessions (RFC 7162 §3.2.5) so only what changed comes back, and
 * COMPRESS=DEFLATE (RFC 4978), which puts the deflate filter between the
 * core and the transport once the server said OK.
 */
#include <string.h>

#include "correu/compress.h"
#include "session_int.h"

int correu_imap_session_enable_qresync(correu_imap_session *s)
{
	const uint32_t want = CORREU_IMAP_CAP_CONDSTORE | CORREU_IMAP_CAP_QRESYNC;
	int id;

	if (!s)
		return CORREU_ERR_ARG;
	if (s->base.error)
		return s->base.error;
	if (correu_imap_client_enabled(s->c) & CORREU_IMAP_CAP_QRESYNC)
		return 0;
	if (!(correu_imap_client_caps(s->c) & CORREU_IMAP_CAP_QRESYNC))
		return CORREU_ERR_UNSUPPORTED;
	id = correu_imap_client_enable(s->c, want);
	if (id == CORREU_ERR_NOT_FOUND)
		return CORREU_ERR_UNSUPPORTED;
	id = correu__imaps_job(s, id);
	if (id == CORREU_ERR_REPLY ||
	    (id == 0 && !(correu_imap_client_enabled(s->c) & CORREU_IMAP_CAP_QRESYNC)))
		return CORREU_ERR_UNSUPPORTED;
	return id;
}

/* The SELECT's untagged data: the state is picked out of it, the rest
 * goes on to the caller. */
struct sync_job {
	correu_imap_sync_state *state;
	correu_imap_event_fn fn;
	void *userdata;
};

static int on_select_data(const correu_imap_event *ev, void *userdata)
{
	struct sync_job *j = userdata;

	if (ev->type == CORREU_IMAP_EV_END && ev->resp == CORREU_IMAP_RESP_OK) {
		if (ev->code == CORREU_IMAP_CODE_HIGHESTMODSEQ)
			j->state->highestmodseq = ev->num;
		else if (ev->code == CORREU_IMAP_CODE_NOMODSEQ)
			j->state->highestmodseq = 0;
		else if (ev->code == CORREU_IMAP_CODE_UIDNEXT)
			j->state->uidnext = (uint32_t)ev->num;
	}
	return j->fn ? j->fn(ev, j->userdata) : 0;
}

int correu_imap_session_select_sync(correu_imap_session *s, const char *mailbox, uint32_t flags,
                                    const char *known_uids, correu_imap_sync_state *state,
                                    correu_imap_event_fn fn, void *userdata)
{
	struct sync_job j = { state, fn, userdata };
	uint32_t uidvalidity;
	uint64_t modseq;
	int rc;

	if (!s || !mailbox || !state || state->version != CORREU_IMAP_SYNC_STATE_VERSION)
		return CORREU_ERR_ARG;
	rc = correu_imap_session_enable_qresync(s);
	if (rc < 0)
		return rc;
	uidvalidity = state->uidvalidity;
	modseq = state->highestmodseq;
	/* RFC 7162 §3.2.5: without a known mod-sequence there is nothing
	 * to resynchronise from; a plain SELECT learns the state. */
	if (modseq == 0)
		uidvalidity = 0;
	state->uidnext = 0;
	state->highestmodseq = 0;
	s->exists = 0;
	s->uidvalidity = 0;
	s->fn.data = on_select_data;
	s->fn.userdata = &j;
	rc = correu__imaps_job(s, correu_imap_client_select(s->c, mailbox, strlen(mailbox), flags,
	                                                    uidvalidity, modseq, known_uids,
	                                                    known_uids ? strlen(known_uids) : 0));
	if (rc == 0) {
		state->uidvalidity = s->uidvalidity;
		state->exists = s->exists;
	}
	return rc;
}

int correu_imap_session_compress(correu_imap_session *s)
{
	correu_transport *filt;
	int rc;

	if (!s)
		return CORREU_ERR_ARG;
	if (s->base.error)
		return s->base.error;
	/* Asked only when the filter can be made: after the OK there is no
	 * way back to uncompressed. */
	if (!correu_compress_available())
		return CORREU_ERR_UNSUPPORTED;
	rc = correu__imaps_job(s, correu_imap_client_compress(s->c));
	if (rc < 0)
		return rc;
	/* RFC 4978 §3: compressed from the byte after the OK on, both ways.
	 * The core reads and writes nothing until it is told. */
	rc = correu_transport_deflate_new(s->base.io.t, NULL, &filt);
	if (rc < 0) {
		s->base.error = rc;
		return rc;
	}
	s->base.io.t = filt;
	rc = correu_imap_client_compress_done(s->c);
	if (rc < 0)
		s->base.error = rc;
	return rc;
}
