/*
 * The server runtime's handle (driver layer): settings and their checks,
 * creating and freeing a loop with everything sized once from its limits,
 * TCP listeners (UNIX-domain ones are in listen_unix.c), trusted PROXY networks, stop requests and counters. The turn
 * of the loop is in loop.c, a connection's life in conn.c.
 */
#include <string.h>
#include <time.h>

#include "server_int.h"

int correu_server_settings_init(correu_server_settings *s)
{
	if (!s)
		return CORREU_ERR_ARG;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_SERVER_SETTINGS_VERSION;
	s->max_conns = 1024;
	s->max_conns_per_ip = 16;
	s->ipv6_prefix = 64;
	s->idle_timeout_ms = 300000; /* RFC 5321 section 4.5.3.2.7: 5 minutes */
	s->handshake_timeout_ms = 30000;
	s->close_linger_ms = 2000;
	s->max_output = 65536;
	s->max_input = 65536;
	s->shutdown_grace_ms = 30000;
	s->auth_delay_initial_ms = 2000;
	s->auth_delay_max_ms = 15000;
	s->auth_quiet_ms = 60000;
	s->auth_table_size = 4096;
	s->auth_max_failures = 3;
	s->proxy_timeout_ms = 5000;
	s->proxy_max_header = 1024;
	s->max_listeners = 16;
	return 0;
}

static bool settings_ok(const correu_server_settings *s)
{
	return s->version == CORREU_SERVER_SETTINGS_VERSION && s->max_conns >= 1 &&
	       s->max_conns <= (1u << 24) && s->ipv6_prefix >= 1 && s->ipv6_prefix <= 128 &&
	       s->max_input >= 1 && s->max_input <= INT32_MAX && s->max_output >= 1 &&
	       s->idle_timeout_ms >= 1 && s->handshake_timeout_ms >= 1 &&
	       s->proxy_timeout_ms >= 1 && s->proxy_max_header >= 232 &&
	       s->proxy_max_header <= 16 + 65535 && s->auth_table_size <= (1u << 24) &&
	       s->auth_delay_initial_ms <= s->auth_delay_max_ms && s->max_listeners >= 1 &&
	       s->max_listeners <= 1024;
}

uint64_t correu__server_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int correu_server_new(const correu_server_settings *settings, const correu_allocator *alloc,
                      correu_server **out)
{
	correu_server_settings defaults;
	/* Keys for the per-IP table and the back-off table. */
	uint8_t seed[2 * CORREU__SIPHASH_KEY];
	correu_server *srv;
	int rc;

	if (!out)
		return CORREU_ERR_ARG;
	*out = NULL;
	if (!settings) {
		(void)!correu_server_settings_init(&defaults);
		settings = &defaults;
	}
	if (!settings_ok(settings))
		return CORREU_ERR_ARG;
	srv = correu__calloc(alloc, sizeof(*srv));
	if (!srv)
		return CORREU_ERR_NOMEM;
	srv->alloc = correu__allocator(alloc);
	srv->set = *settings;
	srv->wake.rfd = srv->wake.wfd = -1;
	srv->next_id = 1;
	srv->stop_deadline = UINT64_MAX;
	srv->accept_resume_ms = UINT64_MAX;
	atomic_init(&srv->stop_grace, UINT32_MAX);
	atomic_init(&srv->notified, false);
	srv->stats.version = CORREU_SERVER_STATS_VERSION;
	/* Every connection, listener and the wake-up descriptor may be watched. */
	rc = correu__poller_new(srv->alloc, settings->max_conns + settings->max_listeners + 1,
	                        &srv->poller);
	if (rc == 0)
		rc = correu__heap_init(&srv->heap, srv->alloc, settings->max_conns);
	if (rc == 0)
		rc = correu__server_seed(seed, sizeof(seed));
	if (rc == 0)
		rc = correu__addrmap_init(&srv->per_ip, srv->alloc, settings->max_conns, seed);
	if (rc == 0)
		rc = correu__backoff_init(&srv->backoff, srv->alloc, settings,
		                          seed + CORREU__SIPHASH_KEY);
	correu_wipe(seed, sizeof(seed));
	if (rc == 0)
		rc = correu__wake_open(&srv->wake);
	if (rc == 0)
		rc = correu__poller_add(srv->poller, srv->wake.rfd, CORREU__POLL_IN, NULL);
	if (rc < 0) {
		correu_server_free(srv);
		return rc;
	}
	*out = srv;
	return 0;
}

/* Stop listening. The listener itself stays until the loop is freed:
 * its connections still use its core table and configuration. */
void correu__server_close_listeners(correu_server *srv)
{
	for (correu__listener *l = srv->listeners; l; l = l->next) {
		if (l->fd < 0)
			continue;
		correu__poller_del(srv->poller, l->fd);
		if (l->tcp)
			correu_tcp_listener_free(l->tcp);
		else
			correu__unix_close(l);
		l->tcp = NULL;
		l->fd = -1;
	}
}

void correu_server_free(correu_server *srv)
{
	if (!srv)
		return;
	while (srv->conns)
		correu__conn_free(srv->conns);
	correu__server_reap(srv);
	correu__server_close_listeners(srv);
	while (srv->listeners) {
		correu__listener *l = srv->listeners;

		srv->listeners = l->next;
		correu__free(srv->alloc, l->path, l->path_size);
		correu__free(srv->alloc, l, sizeof(*l));
	}
	correu__server_forget_signals(srv);
	correu__wake_close(&srv->wake);
	correu__backoff_deinit(&srv->backoff);
	correu__addrmap_deinit(&srv->per_ip);
	correu__heap_deinit(&srv->heap);
	correu__poller_free(srv->poller);
	correu__free(srv->alloc, srv, sizeof(*srv));
}

int correu_server_set_logger(correu_server *srv, const correu_logger *logger)
{
	if (!srv || (logger && logger->version != CORREU_LOGGER_VERSION))
		return CORREU_ERR_ARG;
	if (logger)
		srv->log = *logger;
	else
		memset(&srv->log, 0, sizeof(srv->log));
	return 0;
}

int correu_server_trust_proxy(correu_server *srv, const char *cidr)
{
	correu__cidr c;
	int rc;

	if (!srv || !cidr)
		return CORREU_ERR_ARG;
	if (srv->ntrusted == CORREU__CIDR_MAX)
		return CORREU_ERR_LIMIT;
	rc = correu__cidr_parse(&c, cidr);
	if (rc < 0)
		return rc;
	srv->trusted[srv->ntrusted++] = c;
	return 0;
}

static bool core_ok(const correu_server_core *c)
{
	return c && c->version == CORREU_SERVER_CORE_VERSION && c->open && c->recv &&
	       c->send_buf && c->send_ack && c->want && c->event && c->close;
}

int correu__listener_prepare(correu_server *srv, const correu_server_listen_cfg *cfg,
                             correu__listener **out)
{
	correu__listener *l;

	if (cfg->mode > CORREU_SERVER_LISTEN_TLS || cfg->port > 65535 || cfg->backlog < 0 ||
	    (cfg->flags & ~(CORREU_SERVER_LISTEN_REUSEPORT | CORREU_SERVER_LISTEN_PROXY)) ||
	    !core_ok(cfg->core) || (cfg->mode != CORREU_SERVER_LISTEN_PLAIN && !cfg->tls))
		return CORREU_ERR_ARG;
	if (srv->stopping)
		return CORREU_ERR_STATE;
	if (srv->nlisteners == srv->set.max_listeners)
		return CORREU_ERR_LIMIT;
	l = correu__calloc(srv->alloc, sizeof(*l));
	if (!l)
		return CORREU_ERR_NOMEM;
	l->kind = CORREU__TAG_LISTENER;
	l->srv = srv;
	l->fd = -1;
	l->cfg = *cfg;
	l->core = *cfg->core;
	l->cfg.core = &l->core;
	l->cfg.host = NULL; /* not kept: only needed to bind */
	*out = l;
	return 0;
}

int correu__listener_link(correu_server *srv, correu__listener *l)
{
	int rc = correu__poller_add(srv->poller, l->fd, CORREU__POLL_IN, l);

	if (rc < 0)
		return rc;
	l->next = srv->listeners;
	srv->listeners = l;
	srv->nlisteners++;
	return 0;
}

int correu_server_listen(correu_server *srv, const correu_server_listen_cfg *cfg,
                         uint32_t *port_out)
{
	correu__listener *l;
	int rc;

	if (!srv || !cfg || cfg->version != CORREU_SERVER_LISTEN_VERSION)
		return CORREU_ERR_ARG;
	rc = correu__listener_prepare(srv, cfg, &l);
	if (rc < 0)
		return rc;
	rc = correu_tcp_listen(cfg->host, (uint16_t)cfg->port, cfg->backlog ? cfg->backlog : 128,
	                       cfg->flags & CORREU_SERVER_LISTEN_REUSEPORT ? CORREU_TCP_REUSEPORT : 0,
	                       srv->alloc, &l->tcp);
	if (rc == 0 && port_out) {
		rc = correu_tcp_listener_port(l->tcp);
		if (rc > 0) {
			*port_out = (uint32_t)rc;
			rc = 0;
		}
	}
	if (rc == 0) {
		l->fd = correu_tcp_listener_fd(l->tcp);
		rc = correu__listener_link(srv, l);
	}
	if (rc < 0) {
		correu_tcp_listener_free(l->tcp);
		correu__free(srv->alloc, l, sizeof(*l));
		return rc;
	}
	return 0;
}

int correu_server_stop(correu_server *srv, uint32_t grace_ms)
{
	if (!srv)
		return CORREU_ERR_ARG;
	if (grace_ms == UINT32_MAX)
		grace_ms = srv->set.shutdown_grace_ms;
	if (grace_ms == UINT32_MAX)
		grace_ms--; /* UINT32_MAX in the flag means "no request" */
	atomic_store(&srv->stop_grace, grace_ms);
	correu__wake_signal(srv->wake.wfd);
	return 0;
}

int correu_server_get_stats(const correu_server *srv, correu_server_stats *stats)
{
	if (!srv || !stats || stats->version != CORREU_SERVER_STATS_VERSION)
		return CORREU_ERR_ARG;
	*stats = srv->stats;
	stats->open_conns = srv->nconns;
	return 0;
}
