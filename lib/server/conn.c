/*
 * One connection's life in the server runtime (driver layer): accepted
 * within the connection limits, an optional PROXY header, an optional
 * TLS handshake, the core's session (its I/O steps are in session.c),
 * timeouts, and the release of everything it held. Everything here runs on
 * the loop's thread and never blocks.
 */
#include <string.h>
#include <sys/socket.h>

#include "server_int.h"

#define ROUNDS 16 /* steps per wake-up, so one busy client cannot starve others */

typedef struct correu_server_conn conn;

/* "conn <id>: what[ detail][: CORREU_ERR_X]" through the loop's hook. */
void correu__conn_log(conn *c, int level, const char *what, const char *detail, int rc)
{
	correu__log(&c->srv->log, level, "conn %llu: %s%s%s%s%s", (unsigned long long)c->id, what,
	            detail ? " " : "", detail ? detail : "", rc < 0 ? ": " : "",
	            rc < 0 ? correu_err_name(rc) : "");
}

int correu__conn_open_session(conn *c)
{
	correu_server_peer peer;
	int rc;

	memset(&peer, 0, sizeof(peer));
	peer.version = CORREU_SERVER_PEER_VERSION;
	peer.flags = c->flags | (correu_transport_is_tls(c->t) ? CORREU_SERVER_PEER_TLS : 0);
	peer.conn_id = c->id;
	peer.addr = c->addr_text;
	peer.port = c->port;
	peer.local_addr = c->local_text;
	peer.local_port = c->local_port;
	rc = c->lst->core.open(&peer, c, &c->session, c->lst->cfg.core_userdata);
	if (rc >= 0 && !c->session)
		rc = CORREU_ERR_INTERNAL; /* the session pointer is how we know one exists */
	if (rc < 0) {
		c->session = NULL;
		correu__conn_log(c, CORREU_LOG_WARN, "the core refused the session", NULL, rc);
		return rc;
	}
	c->state = CONN_RUN;
	c->state_deadline = UINT64_MAX;
	correu__conn_log(c, CORREU_LOG_INFO, "session open for",
	                 c->addr_text[0] ? c->addr_text : "a UNIX-domain client", 0);
	return 0;
}

/* After the PROXY header or the implicit-TLS handshake: what comes next. */
static int after_preamble(conn *c)
{
	if (c->lst->cfg.mode == CORREU_SERVER_LISTEN_TLS && !correu_transport_is_tls(c->t)) {
		int rc = correu_transport_starttls(c->t, c->lst->cfg.tls, NULL);

		if (rc < 0)
			return rc;
		c->state = CONN_HANDSHAKE;
		c->state_deadline = c->srv->now_ms + c->srv->set.handshake_timeout_ms;
		return 0;
	}
	return correu__conn_open_session(c);
}

/* Release this connection's per-IP count, if it holds one. */
static void uncount(conn *c)
{
	correu__addrent *e;

	if (!c->counted)
		return;
	c->counted = false;
	e = correu__addrmap_find(&c->srv->per_ip, &c->key);
	if (e && --e->count == 0)
		correu__addrmap_remove(&c->srv->per_ip, e);
}

/* Take a per-IP count for key: false when the limit is reached. */
static bool count(conn *c)
{
	correu_server *srv = c->srv;
	correu__addrent *e = correu__addrmap_find(&srv->per_ip, &c->key);

	if (srv->set.max_conns_per_ip && e && e->count >= srv->set.max_conns_per_ip)
		return false;
	if (!e)
		e = correu__addrmap_get(&srv->per_ip, &c->key);
	/* The table holds max_conns entries and each connection at most one,
	 * so it never has to forget a live count. */
	e->count++;
	c->counted = true;
	return true;
}

/* Refuse with the core's one-line reply (never inside TLS), then close. */
static void refuse(correu_server *srv, correu__listener *l, correu_transport *t,
                   uint32_t reason)
{
	uint8_t line[512];
	int n = 0;

	srv->stats.refused++;
	if (l->core.refuse && l->cfg.mode != CORREU_SERVER_LISTEN_TLS)
		n = l->core.refuse(reason, line, sizeof(line), l->cfg.core_userdata);
	/* One non-blocking write: a refused client gets no more of our time. */
	if (n > 0 && (size_t)n <= sizeof(line))
		(void)!correu_transport_send(t, line, (size_t)n);
}

static void set_key(conn *c)
{
	c->key = c->addr;
	correu__addr_mask(&c->key, 32, c->srv->set.ipv6_prefix);
	correu__addr_text(&c->addr, c->addr_text);
}

/* Read the PROXY header byte-exactly: 1 done, 0 waiting, < 0 failed. */
static int step_proxy(conn *c)
{
	for (;;) {
		correu__proxy_hdr h;
		size_t need = 0;
		correu_ssize rc = correu__proxy_parse(c->in.data, c->in.len,
		                                      c->srv->set.proxy_max_header, &h, &need);

		if (rc < 0)
			return (int)rc;
		if (rc > 0) {
			correu__buf_consume(&c->in, c->in.len);
			if (!h.local) {
				c->addr = h.src;
				c->port = h.src_port;
				c->local_port = h.dst_port;
				correu__addr_text(&h.dst, c->local_text);
				c->flags |= CORREU_SERVER_PEER_PROXIED;
			}
			set_key(c);
			correu__conn_log(c, CORREU_LOG_INFO, "PROXY header names", c->addr_text, 0);
			if (!count(c)) {
				refuse(c->srv, c->lst, c->t, CORREU_SERVER_REFUSE_PER_IP);
				correu__conn_log(c, CORREU_LOG_WARN, "refused by the per-address limit:",
				                 c->addr_text, 0);
				return CORREU_ERR_LIMIT;
			}
			return 1;
		}
		rc = correu__conn_read(c, need);
		if (rc == CORREU_ERR_WANT_READ || rc == CORREU_ERR_WANT_WRITE)
			return 0;
		if (rc < 0)
			return (int)rc;
	}
}

static void update_watch(conn *c)
{
	correu_server *srv = c->srv;
	uint32_t ev = c->io_wait;
	uint64_t when = c->state_deadline;

	if (c->state == CONN_RUN) {
		int want = c->lst->core.want(c->session);
		uint64_t d = UINT64_MAX;

		if (want >= 0 && correu__conn_can_read(c, want))
			ev |= CORREU__POLL_IN;
		/* Decrypted bytes may wait inside TLS with nothing on the socket. */
		if ((ev & CORREU__POLL_IN) && correu_transport_pending(c->t) > 0 && !c->dirty) {
			c->dirty = true;
			srv->ndirty++;
		}
		if (c->lst->core.next_deadline &&
		    c->lst->core.next_deadline(&d, c->session) == 0 && d < when)
			when = d;
		c->core_deadline = d;
		if (c->last_io_ms + srv->set.idle_timeout_ms < when)
			when = c->last_io_ms + srv->set.idle_timeout_ms;
	} else if (c->state == CONN_PROXY) {
		ev |= CORREU__POLL_IN;
	}
	if (ev != c->poll_events && correu__poller_mod(srv->poller, c->fd, ev, c) == 0)
		c->poll_events = ev;
	correu__heap_set(&srv->heap, c, &c->heap_slot, when);
}

static void progress(conn *c)
{
	int rc = 1;

	for (int round = 0; round < ROUNDS && rc > 0; round++) {
		if (c->dead)
			return;
		c->io_wait = 0;
		switch (c->state) {
		case CONN_PROXY:
			rc = step_proxy(c);
			if (rc < 0 && rc != CORREU_ERR_LIMIT) {
				c->srv->stats.proxy_errors++;
				correu__conn_log(c, CORREU_LOG_WARN, "missing or bad PROXY header", NULL, rc);
			}
			if (rc > 0)
				rc = after_preamble(c) < 0 ? CORREU_ERR_CANCELLED : 1;
			break;
		case CONN_HANDSHAKE:
		case CONN_UPGRADE:
			rc = correu__conn_step_handshake(c);
			break;
		case CONN_RUN:
			rc = correu__conn_step_run(c);
			if (rc < 0 && c->session) {
				correu__conn_log(c, CORREU_LOG_INFO, "closing", NULL, rc);
				correu__conn_begin_close(c);
				rc = 1;
			}
			break;
		case CONN_CLOSING:
			if (correu__conn_step_closing(c) > 0)
				return;
			rc = 0;
			break;
		}
		if (rc < 0) {
			correu__conn_free(c);
			return;
		}
	}
	/* Out of rounds with work left: come back next turn. */
	if (rc > 0 && !c->dirty) {
		c->dirty = true;
		c->srv->ndirty++;
	}
	update_watch(c);
}

void correu__conn_start(correu_server *srv, correu__listener *l, correu_transport *t,
                        const char *peer_text)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	correu__addr addr, la;
	uint32_t port = 0;
	bool trusted = false;
	/* A UNIX-domain client has no address: no PROXY header, no per-IP
	 * count, empty address strings (correu_server_listen_unix()). */
	bool local = l->path != NULL;
	conn *c;

	srv->stats.accepted++;
	/* peer_text is the socket's path for a UNIX-domain client: never an address. */
	if (local || correu__addr_parse_peer(&addr, &port, peer_text) < 0)
		memset(&addr, 0, sizeof(addr));
	if (l->cfg.flags & CORREU_SERVER_LISTEN_PROXY)
		for (uint32_t i = 0; i < srv->ntrusted && !trusted; i++)
			trusted = correu__cidr_match(&srv->trusted[i], &addr);
	if (srv->nconns >= srv->set.max_conns) {
		refuse(srv, l, t, CORREU_SERVER_REFUSE_TOTAL);
		correu__log(&srv->log, CORREU_LOG_WARN, "refused %s: connection limit", peer_text);
		correu_transport_free(t);
		return;
	}
	c = correu__calloc(srv->alloc, sizeof(*c));
	if (!c) {
		correu_transport_free(t);
		return;
	}
	c->kind = CORREU__TAG_CONN;
	c->srv = srv;
	c->lst = l;
	c->t = t;
	c->fd = correu_transport_fd(t);
	c->id = srv->next_id++;
	c->addr = addr;
	c->port = port;
	c->heap_slot = UINT32_MAX;
	c->last_io_ms = srv->now_ms;
	c->flags = l->cfg.mode == CORREU_SERVER_LISTEN_STARTTLS ? CORREU_SERVER_PEER_STARTTLS : 0;
	if (local)
		c->flags |= CORREU_SERVER_PEER_UNIX;
	correu__buf_init(&c->in, srv->alloc, srv->set.max_input);
	strcpy(c->local_text, local ? "" : "?");
	if (!local && getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    correu__addr_from_sockaddr(&la, &c->local_port, &ss) == 0)
		correu__addr_text(&la, c->local_text);
	set_key(c);
	if (local)
		c->addr_text[0] = '\0';
	c->next = srv->conns;
	if (srv->conns)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
	correu__log(&srv->log, CORREU_LOG_INFO, "conn %llu: accepted from %s",
	            (unsigned long long)c->id, peer_text);
	if (correu__poller_add(srv->poller, c->fd, 0, c) < 0) {
		correu__conn_free(c);
		return;
	}
	if (trusted) {
		/* Limits wait for the address the header names. */
		c->state = CONN_PROXY;
		c->state_deadline = srv->now_ms + srv->set.proxy_timeout_ms;
	} else if (!local && !count(c)) {
		refuse(srv, l, t, CORREU_SERVER_REFUSE_PER_IP);
		correu__conn_log(c, CORREU_LOG_WARN, "refused by the per-address limit:", c->addr_text, 0);
		correu__conn_free(c);
		return;
	} else if (after_preamble(c) < 0) {
		correu__conn_free(c);
		return;
	}
	progress(c);
}

void correu__conn_io(conn *c, uint32_t events)
{
	/* Reset, or closed both ways: nothing can be read or written any
	 * more, and the poller would keep reporting it. */
	if (events & CORREU__POLL_ERR) {
		correu__conn_log(c, CORREU_LOG_INFO, "connection lost", NULL, CORREU_ERR_IO);
		correu__conn_free(c);
		return;
	}
	progress(c);
}

void correu__conn_timer(conn *c)
{
	correu_server *srv = c->srv;
	const correu_server_core *core = &c->lst->core;
	uint64_t now = srv->now_ms;

	if (c->state != CONN_RUN) {
		if (c->state_deadline > now)
			goto out;
		if (c->state == CONN_PROXY)
			srv->stats.proxy_errors++;
		else if (c->state != CONN_CLOSING)
			srv->stats.tls_errors++;
		correu__conn_log(c, CORREU_LOG_INFO, "timed out", NULL, CORREU_ERR_TIMEOUT);
		correu__conn_free(c);
		return;
	}
	if (c->last_io_ms + srv->set.idle_timeout_ms <= now) {
		srv->stats.idle_closed++;
		correu__conn_log(c, CORREU_LOG_INFO, "idle timeout", NULL, 0);
		(void)core->event(CORREU_SERVER_EV_IDLE, 0, now, c->session);
		correu__conn_begin_close(c);
	} else if (c->core_deadline <= now) {
		uint64_t d = UINT64_MAX;

		if (core->event(CORREU_SERVER_EV_TIMER, 0, now, c->session) < 0) {
			correu__conn_begin_close(c);
		} else if (core->next_deadline && core->next_deadline(&d, c->session) == 0 &&
		           d <= now) {
			/* A core that keeps its passed deadline would spin the loop. */
			correu__conn_log(c, CORREU_LOG_ERROR, "core deadline did not move", NULL, 0);
			correu__conn_begin_close(c);
		}
	}
out:
	progress(c);
}

void correu__conn_shutdown(conn *c)
{
	if (!c->session) {
		/* Not yet a session (PROXY header, TLS handshake): nothing to finish. */
		correu__conn_free(c);
		return;
	}
	progress(c); /* step_run tells the core */
}

void correu__conn_free(conn *c)
{
	correu_server *srv = c->srv;

	if (c->dead)
		return;
	c->dead = true;
	if (c->session)
		(void)c->lst->core.close(c->session);
	c->session = NULL;
	correu__poller_del(srv->poller, c->fd);
	correu__heap_set(&srv->heap, c, &c->heap_slot, UINT64_MAX);
	correu_transport_free(c->t);
	c->t = NULL;
	uncount(c);
	correu__buf_free(&c->in, false);
	if (c->dirty)
		srv->ndirty--;
	if (c->prev)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	srv->nconns--;
	correu__conn_log(c, CORREU_LOG_INFO, "closed", NULL, 0);
	/* Freed at the end of the turn: this turn's events may still name it. */
	c->next = srv->dead;
	srv->dead = c;
}
