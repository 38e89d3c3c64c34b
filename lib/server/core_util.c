/*
 * Small pieces every server core needs (server layer, internal; see
 * core_util.h).
 */
#include <stdio.h>
#include <string.h>

#include "core_util.h"
#include "internal.h"

int correu__server_svc_new(correu_store *store, uint32_t caps, uint32_t need,
                           const correu_allocator *alloc, size_t size, void **out)
{
	correu__server_svc *svc;

	if ((caps & need) != need)
		return CORREU_ERR_UNSUPPORTED;
	alloc = correu__allocator(alloc);
	svc = correu__calloc(alloc, size);
	if (!svc)
		return CORREU_ERR_NOMEM;
	svc->alloc = alloc;
	svc->store = store;
	svc->caps = caps;
	*out = svc;
	return 0;
}

void correu__server_svc_free(void *svc, size_t size)
{
	if (svc)
		correu__free(((correu__server_svc *)svc)->alloc, svc, size);
}

int correu__server_want(bool closing, bool upgrading, bool readable)
{
	if (closing)
		return CORREU_SERVER_WANT_CLOSE;
	if (upgrading)
		return CORREU_SERVER_WANT_STARTTLS;
	return readable ? CORREU_SERVER_WANT_READ : 0;
}

void correu__server_note_discarded(correu_server_conn *conn, uint64_t discarded,
                                   const char *command)
{
	char msg[96];

	if (!conn || discarded == 0)
		return;
	snprintf(msg, sizeof(msg), "discarded %llu bytes pipelined behind %s",
	         (unsigned long long)discarded, command);
	/* Logging is best effort: a lost line changes nothing. */
	if (correu_server_conn_log(conn, CORREU_LOG_WARN, msg, strlen(msg)) < 0)
		return;
}
