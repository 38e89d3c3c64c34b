/*
 * The SMTP service (SMTP layer, server side): validated settings, the
 * store and its capabilities, and the networks trusted with XCLIENT, shared
 * by every session of one listener. Limits are checked here once so that
 * the sessions can rely on them (e.g. a command line of at least 512
 * octets, RFC 5321 section 4.5.3.1.4).
 */
#include <stddef.h>
#include <string.h>

#include "smtpd_int.h"

/* correu__server_svc_free() takes the service for its start. */
_Static_assert(offsetof(correu_smtp_service, base) == 0, "the base must come first");

int correu_smtp_server_settings_init(correu_smtp_server_settings *s)
{
	if (!s)
		return CORREU_ERR_ARG;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_SMTP_SERVER_SETTINGS_VERSION;
	s->mode = CORREU_SMTP_SERVER_MX;
	s->max_line = 1024;
	s->max_auth_line = 12288;
	s->max_rcpts = 100;
	s->max_transactions = 100;
	s->max_errors = 10;
	s->error_delay_after = 3;
	s->error_delay_ms = 1000;
	s->max_chunk = 16384;
	s->max_output = 1048576;
	s->max_message = 33554432;
	return 0;
}

/* The caller's settings (NULL: the defaults) into s: zero fields take
 * their defaults; then every limit must be in range. */
static int fill(const correu_smtp_server_settings *in, correu_smtp_server_settings *s)
{
	correu_smtp_server_settings d;
	const uint32_t all_flags = CORREU_SMTP_SERVER_NORMALISE |
	                           CORREU_SMTP_SERVER_PLAINTEXT_AUTH | CORREU_SMTP_SERVER_NO_VRFY;

	if (correu_smtp_server_settings_init(&d) < 0)
		return CORREU_ERR_ARG;
	*s = in ? *in : d;
#define DEF(f)         \
	if (s->f == 0) \
	s->f = d.f
	DEF(max_line);
	DEF(max_auth_line);
	DEF(max_rcpts);
	DEF(max_transactions);
	DEF(max_errors);
	DEF(max_chunk);
	DEF(max_output);
	DEF(max_message);
#undef DEF
	if (s->version != CORREU_SMTP_SERVER_SETTINGS_VERSION ||
	    s->mode > CORREU_SMTP_SERVER_LMTP || (s->flags & ~all_flags) || s->max_line < 512 ||
	    s->max_line > 65536 || s->max_auth_line < 512 || s->max_auth_line > 65536 ||
	    s->max_chunk < 2048 || s->max_output < 4096 || s->max_rcpts > 100000)
		return CORREU_ERR_ARG;
	return 0;
}

int correu_smtp_service_new(const correu_smtp_server_settings *settings, correu_store *store,
                            const correu_allocator *alloc, correu_smtp_service **out)
{
	correu_smtp_service *svc;
	correu_smtp_server_settings set;
	const char *host;
	void *mem = NULL;
	int rc;

	if (!store || !out)
		return CORREU_ERR_ARG;
	rc = fill(settings, &set);
	if (rc < 0)
		return rc;
	host = set.hostname ? set.hostname : "localhost";
	if (strlen(host) > SMTPD_MAX_DOMAIN || correu__smtp_check_domain(host, strlen(host)) < 0)
		return CORREU_ERR_ARG;
	rc = correu__server_svc_new(store, correu_store_caps(store), CORREU_STORE_CAP_DELIVERY,
	                            alloc, sizeof(*svc), &mem);
	if (rc < 0)
		return rc;
	svc = mem;
	svc->set = set;
	svc->host_len = strlen(host);
	memcpy(svc->host, host, svc->host_len + 1);
	/* The copy is ours; the caller's string need not outlive this call. */
	svc->set.hostname = svc->host;
	*out = svc;
	return 0;
}

void correu_smtp_service_free(correu_smtp_service *svc)
{
	correu__server_svc_free(svc, sizeof(*svc));
}

int correu_smtp_service_trust_xclient(correu_smtp_service *svc, const char *cidr)
{
	correu__cidr c;
	int rc;

	if (!svc || !cidr)
		return CORREU_ERR_ARG;
	rc = correu__cidr_parse(&c, cidr);
	if (rc < 0)
		return CORREU_ERR_SYNTAX;
	if (svc->nxclient == SMTPD_MAX_XCLIENT_NETS)
		return CORREU_ERR_LIMIT;
	svc->xclient[svc->nxclient++] = c;
	return 0;
}
