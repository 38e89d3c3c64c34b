/*
 * The store object of the backend interface (store layer): checks a
 * backend table's version and completeness, works out which capabilities
 * the table supports, and holds the limits every request is checked
 * against. See include/correu/store.h for the contract.
 */
#include <string.h>

#include "backend_int.h"

int correu_store_settings_init(correu_store_settings *s)
{
	if (!s)
		return CORREU_ERR_ARG;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_STORE_SETTINGS_VERSION;
	s->max_user = 255;
	s->max_name = 1024;
	s->max_secret = 4096;
	s->max_text = 512;
	s->max_chunk = 65536;
	s->max_keywords = 4096;
	s->max_ranges = 65536;
	s->max_rcpts = 1000;
	return 0;
}

static bool mailbox_group(const correu_store_backend *b)
{
	return b->session_open && b->session_close && b->select && b->box_close &&
	       b->message_open && b->stream_read && b->stream_close;
}

static bool append_group(const correu_store_backend *b)
{
	return b->append_begin && b->append_write && b->append_commit && b->append_abort;
}

static bool deliver_group(const correu_store_backend *b)
{
	return b->deliver_begin && b->deliver_rcpt && b->deliver_data && b->deliver_commit &&
	       b->deliver_abort;
}

/* Capabilities that need a selected mailbox, given that one exists. */
static uint32_t mailbox_caps(const correu_store_backend *b)
{
	uint32_t c = CORREU_STORE_CAP_MAILBOX;
	bool special = (b->features & CORREU_STORE_FEATURE_SPECIAL_USE) && b->list;

	c |= b->list ? CORREU_STORE_CAP_LIST : 0;
	c |= b->create ? CORREU_STORE_CAP_CREATE : 0;
	c |= b->delete_mailbox ? CORREU_STORE_CAP_DELETE : 0;
	c |= b->rename ? CORREU_STORE_CAP_RENAME : 0;
	c |= b->subscribe ? CORREU_STORE_CAP_SUBSCRIBE : 0;
	c |= b->status ? CORREU_STORE_CAP_STATUS : 0;
	c |= append_group(b) ? CORREU_STORE_CAP_APPEND : 0;
	c |= b->set_flags ? CORREU_STORE_CAP_STORE : 0;
	c |= b->expunge ? CORREU_STORE_CAP_EXPUNGE : 0;
	c |= b->copy ? CORREU_STORE_CAP_COPY : 0;
	/* RFC 6851 section 4.3: MOVE expunges, so EXPUNGE must work too. */
	c |= b->move && b->expunge ? CORREU_STORE_CAP_MOVE : 0;
	c |= b->sync ? CORREU_STORE_CAP_IDLE : 0;
	c |= (b->features & CORREU_STORE_FEATURE_UIDPLUS) && b->expunge ? CORREU_STORE_CAP_UIDPLUS
	                                                                : 0;
	c |= (b->features & CORREU_STORE_FEATURE_MODSEQ) && b->set_flags && b->sync
	             ? CORREU_STORE_CAP_CONDSTORE
	             : 0;
	c |= special ? CORREU_STORE_CAP_SPECIAL_USE : 0;
	c |= special && b->create ? CORREU_STORE_CAP_CREATE_SPECIAL_USE : 0;
	return c;
}

int correu_store_backend_caps(const correu_store_backend *b, uint32_t *caps_out)
{
	uint32_t c = 0;

	if (!b || !caps_out || b->version < 1 || b->version > CORREU_STORE_BACKEND_VERSION)
		return CORREU_ERR_ARG;
	c |= b->auth_password || b->auth_scram_keys ? CORREU_STORE_CAP_AUTH_PASSWORD : 0;
	c |= b->auth_scram_keys ? CORREU_STORE_CAP_AUTH_SCRAM : 0;
	c |= b->auth_token ? CORREU_STORE_CAP_AUTH_TOKEN : 0;
	if (mailbox_group(b))
		c |= mailbox_caps(b);
	c |= deliver_group(b) ? CORREU_STORE_CAP_DELIVERY : 0;
	*caps_out = c;
	return 0;
}

/*
 * A group with some members set and others NULL would make the store call
 * a NULL entry later (a select whose box cannot be closed): refuse it up
 * front rather than fail a session halfway.
 */
static bool table_consistent(const correu_store_backend *b)
{
	bool any_box = b->sync || b->message_open || b->stream_read || b->stream_close ||
	               b->set_flags || b->expunge || b->copy || b->move;
	bool any_session = b->list || b->create || b->delete_mailbox || b->rename || b->subscribe ||
	                   b->status || b->select || b->append_begin;
	bool any_append = b->append_begin || b->append_write || b->append_commit || b->append_abort;
	bool any_deliver = b->deliver_begin || b->deliver_rcpt || b->deliver_data ||
	                   b->deliver_commit || b->deliver_abort;

	if (!b->session_open != !b->session_close)
		return false;
	if (!b->select != !b->box_close)
		return false;
	if (any_box && !b->select)
		return false;
	if ((any_session || b->select) && !b->session_open)
		return false;
	if ((b->message_open || b->stream_read || b->stream_close) &&
	    !(b->message_open && b->stream_read && b->stream_close))
		return false;
	if (any_append && !append_group(b))
		return false;
	return !any_deliver || deliver_group(b);
}

static void fill_defaults(correu_store_settings *s, const correu_store_settings *in)
{
	correu_store_settings d;

	if (correu_store_settings_init(&d) < 0)
		return;
	*s = d;
	if (!in)
		return;
#define TAKE(f) s->f = in->f ? in->f : d.f
	TAKE(max_user);
	TAKE(max_name);
	TAKE(max_secret);
	TAKE(max_text);
	TAKE(max_chunk);
	TAKE(max_keywords);
	TAKE(max_ranges);
	TAKE(max_rcpts);
#undef TAKE
}

int correu_store_new(const correu_store_backend *backend, void *backend_userdata,
                     const correu_store_settings *settings, const correu_allocator *alloc,
                     correu_store **store_out)
{
	correu_store *st;
	uint32_t caps;

	if (!store_out)
		return CORREU_ERR_ARG;
	*store_out = NULL;
	if (correu_store_backend_caps(backend, &caps) < 0 || !table_consistent(backend))
		return CORREU_ERR_ARG;
	if (settings &&
	    (settings->version < 1 || settings->version > CORREU_STORE_SETTINGS_VERSION))
		return CORREU_ERR_ARG;
	st = correu__calloc(alloc, sizeof(*st));
	if (!st)
		return CORREU_ERR_NOMEM;
	/* Only version 1 exists; a later version copies its larger table here. */
	st->be = *backend;
	st->ud = backend_userdata;
	st->alloc = alloc;
	st->caps = caps;
	fill_defaults(&st->set, settings);
	*store_out = st;
	return 0;
}

void correu_store_free(correu_store *st)
{
	if (!st)
		return;
	if (st->be.destroy)
		(void)st->be.destroy(st->ud);
	correu__free(st->alloc, st, sizeof(*st));
}

uint32_t correu_store_caps(const correu_store *st)
{
	return st ? st->caps : 0;
}

size_t correu_store_live_requests(const correu_store *st)
{
	return st ? st->live_reqs : 0;
}
