/*
 * The POP3 service (POP3 layer, server side): validated settings, the
 * store and its capabilities, and the maildrop lock table, shared by the
 * sessions of one event loop. RFC 1939 section 8 asks that a maildrop be
 * opened by one POP3 session at a time; the table holds the sessions that
 * have one open, keyed by the canonical user name the store gave.
 */
#include <stddef.h>
#include <string.h>

#include "pop3d_int.h"

/* correu__server_svc_free() takes the service for its start. */
_Static_assert(offsetof(correu_pop3_service, base) == 0, "the base must come first");

int correu_pop3_server_settings_init(correu_pop3_server_settings *s)
{
	if (!s)
		return CORREU_ERR_ARG;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_POP3_SERVER_SETTINGS_VERSION;
	s->max_line = 512;
	s->max_auth_line = 12288;
	s->max_errors = 10;
	s->max_messages = 1000000;
	s->max_chunk = 16384;
	s->max_output = 262144;
	return 0;
}

/* The caller's settings (NULL: the defaults) into s: zero fields take
 * their defaults; then every limit must be in range. */
static int fill(const correu_pop3_server_settings *in, correu_pop3_server_settings *s)
{
	correu_pop3_server_settings d;
	const uint32_t all_flags = CORREU_POP3_SERVER_PLAINTEXT_AUTH | CORREU_POP3_SERVER_NO_USER |
	                           CORREU_POP3_SERVER_EXPIRE;

	if (correu_pop3_server_settings_init(&d) < 0)
		return CORREU_ERR_ARG;
	*s = in ? *in : d;
#define DEF(f) \
	if (s->f == 0) \
		s->f = d.f
	DEF(max_line);
	DEF(max_auth_line);
	DEF(max_errors);
	DEF(max_messages);
	DEF(max_chunk);
	DEF(max_output);
#undef DEF
	if (s->version != CORREU_POP3_SERVER_SETTINGS_VERSION || (s->flags & ~all_flags) ||
	    s->max_line < 64 || s->max_line > 65536 || s->max_auth_line < 64 ||
	    s->max_auth_line > 65536 || s->max_chunk < 512 || s->max_chunk > 1048576 ||
	    s->max_output / 4 < s->max_chunk)
		return CORREU_ERR_ARG;
	return 0;
}

/* Text that goes on the wire as it is: printable ASCII, no brackets that
 * would look like an APOP timestamp or a response code. */
static int check_text(const char *p, size_t max, bool host)
{
	size_t n = strlen(p);

	if (n == 0 || n > max)
		return CORREU_ERR_ARG;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 ? (host || c != ' ') : c >= 0x7f)
			return CORREU_ERR_ARG;
		if (c == '<' || c == '>' || c == '[' || c == ']' || (host && c == '@'))
			return CORREU_ERR_ARG;
	}
	return 0;
}

int correu_pop3_service_new(const correu_pop3_server_settings *settings, correu_store *store,
                            const correu_allocator *alloc, correu_pop3_service **out)
{
	correu_pop3_service *svc;
	correu_pop3_server_settings set;
	const char *host;
	void *mem = NULL;
	int rc;

	if (!store || !out)
		return CORREU_ERR_ARG;
	rc = fill(settings, &set);
	if (rc < 0)
		return rc;
	host = set.hostname ? set.hostname : "localhost";
	if (check_text(host, POP3D_MAX_HOST, true) < 0 ||
	    (set.implementation && check_text(set.implementation, POP3D_MAX_IMPL, false) < 0))
		return CORREU_ERR_ARG;
	rc = correu__server_svc_new(store, correu_store_caps(store), CORREU_STORE_CAP_MAILBOX,
	                            alloc, sizeof(*svc), &mem);
	if (rc < 0)
		return rc;
	svc = mem;
	memcpy(svc->host, host, strlen(host) + 1);
	if (set.implementation)
		memcpy(svc->impl, set.implementation, strlen(set.implementation) + 1);
	/* The copies stand in for the caller's strings. */
	set.hostname = svc->host;
	set.implementation = set.implementation ? svc->impl : NULL;
	svc->set = set;
	*out = svc;
	return 0;
}

void correu_pop3_service_free(correu_pop3_service *svc)
{
	correu__server_svc_free(svc, sizeof(*svc));
}

bool correu__pop3d_lock(correu__pop3d *s)
{
	correu_pop3_service *svc = s->svc;

	for (correu__pop3d *o = svc->locked; o; o = o->lock_next)
		if (o->user_len == s->user_len && memcmp(o->user, s->user, s->user_len) == 0)
			return false;
	s->lock_prev = NULL;
	s->lock_next = svc->locked;
	if (svc->locked)
		svc->locked->lock_prev = s;
	svc->locked = s;
	s->locked = true;
	return true;
}

void correu__pop3d_unlock(correu__pop3d *s)
{
	if (!s->locked)
		return;
	if (s->lock_prev)
		s->lock_prev->lock_next = s->lock_next;
	else
		s->svc->locked = s->lock_next;
	if (s->lock_next)
		s->lock_next->lock_prev = s->lock_prev;
	s->lock_next = s->lock_prev = NULL;
	s->locked = false;
}
