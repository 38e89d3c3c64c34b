/*
 * One connection's life in the server runtime (driver layer): an optional
 * PROXY header, an optional TLS handshake, then the core's session fed
 * with received bytes and drained of output, with back-pressure, STARTTLS
 * upgrades in place, timeouts and an orderly close. Everything here runs
 * on the loop's thread and never blocks.
 */
#include <string.h>
#include <sys/socket.h>

#include "server_int.h"

#define READ_CHUNK 16384
#define ROUNDS 16 /* steps per wake-up, so one busy client cannot starve others */

typedef struct correu_server_conn conn;

/* "conn <id>: what[ detail][: CORREU_ERR_X]" through the loop's hook. */
static void conn_log(conn *c, int level, const char *what, const char *detail, int rc)
{
	correu__log(&c->srv->log, level, "conn %llu: %s%s%s%s%s", (unsigned long long)c->id, what,
	            detail ? " " : "", detail ? detail : "", rc < 0 ? ": " : "",
	            rc < 0 ? correu_err_name(rc) : "");
}

static size_t out_pending(conn *c)
{
	const uint8_t *p = NULL;
	size_t len = 0;

	if (!c->session || c->lst->core.send_buf(&p, &len, c->session) < 0)
		return 0;
	return len;
}

static void begin_close(conn *c)
{
	if (c->state == CONN_CLOSING)
		return;
	c->state = CONN_CLOSING;
	c->state_deadline = c->srv->now_ms + c->srv->set.close_linger_ms;
}

/* Write queued output: 0 when all is written, WANT_* or an error. */
static int flush(conn *c)
{
	const correu_server_core *core = &c->lst->core;

	while (c->session) {
		const uint8_t *p = NULL;
		size_t len = 0;
		correu_ssize n;

		if (core->send_buf(&p, &len, c->session) < 0)
			return CORREU_ERR_INTERNAL;
		if (len == 0)
			return 0;
		/* mbedTLS must see a blocked write again with the same length,
		 * or it reports bytes as written that never were. */
		if (c->retry_len && c->retry_len <= len)
			len = c->retry_len;
		n = correu_transport_send(c->t, p, len);
		if (n == CORREU_ERR_WANT_WRITE || n == CORREU_ERR_WANT_READ) {
			c->retry_len = len;
			c->io_wait |= n == CORREU_ERR_WANT_WRITE ? CORREU__POLL_OUT : CORREU__POLL_IN;
			return (int)n;
		}
		c->retry_len = 0;
		if (n < 0)
			return (int)n;
		c->last_io_ms = c->srv->now_ms;
		if (core->send_ack((size_t)n, c->session) < 0)
			return CORREU_ERR_INTERNAL;
	}
	return 0;
}

/* Read into the input buffer, at most `cap` bytes: > 0, WANT_*, EOF, error. */
static correu_ssize read_some(conn *c, size_t cap)
{
	correu_ssize n;
	int rc = correu__buf_reserve(&c->in, cap);

	if (rc < 0)
		return rc;
	n = correu_transport_recv(c->t, c->in.data + c->in.len, cap);
	if (n > 0) {
		c->in.len += (size_t)n;
		c->last_io_ms = c->srv->now_ms;
	} else if (n == CORREU_ERR_WANT_READ || n == CORREU_ERR_WANT_WRITE) {
		c->io_wait |= n == CORREU_ERR_WANT_READ ? CORREU__POLL_IN : CORREU__POLL_OUT;
	}
	return n;
}

static int open_session(conn *c)
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
	if (rc < 0) {
		c->session = NULL;
		conn_log(c, CORREU_LOG_WARN, "the core refused the session", NULL, rc);
		return rc;
	}
	c->state = CONN_RUN;
	c->state_deadline = UINT64_MAX;
	conn_log(c, CORREU_LOG_INFO, "session open for", c->addr_text, 0);
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
	return open_session(c);
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
			conn_log(c, CORREU_LOG_INFO, "PROXY header names", c->addr_text, 0);
			if (!count(c)) {
				refuse(c->srv, c->lst, c->t, CORREU_SERVER_REFUSE_PER_IP);
				return CORREU_ERR_LIMIT;
			}
			return 1;
		}
		rc = read_some(c, need);
		if (rc == CORREU_ERR_WANT_READ || rc == CORREU_ERR_WANT_WRITE)
			return 0;
		if (rc < 0)
			return (int)rc;
	}
}

static bool can_read(conn *c, int want)
{
	return (want & CORREU_SERVER_WANT_READ) &&
	       !(want & (CORREU_SERVER_WANT_CLOSE | CORREU_SERVER_WANT_STARTTLS)) && !c->peer_eof &&
	       c->in.len < c->srv->set.max_input && out_pending(c) < c->srv->set.max_output;
}

static int start_upgrade(conn *c)
{
	int rc;

	if (!c->lst->cfg.tls) {
		conn_log(c, CORREU_LOG_ERROR, "STARTTLS asked for on a listener without TLS", NULL,
		         CORREU_ERR_STATE);
		return CORREU_ERR_STATE;
	}
	/* RFC 3207 section 4.2, RFC 2595 section 3.1: whatever arrived after
	 * the command was sent in plaintext and must not be acted upon. */
	c->discarded = c->in.len;
	correu__buf_consume(&c->in, c->in.len);
	rc = correu_transport_starttls(c->t, c->lst->cfg.tls, NULL);
	if (rc < 0)
		return rc;
	c->state = CONN_UPGRADE;
	c->state_deadline = c->srv->now_ms + c->srv->set.handshake_timeout_ms;
	return 1;
}

/* One step of a running session: 1 progress, 0 blocked, < 0 close. */
static int step_run(conn *c)
{
	const correu_server_core *core = &c->lst->core;
	correu_server *srv = c->srv;
	bool progressed = false, unfinished = false;
	int want, rc;

	if (srv->stopping && !c->shutdown_told) {
		c->shutdown_told = true;
		rc = core->event(CORREU_SERVER_EV_SHUTDOWN,
		                 srv->stop_deadline > srv->now_ms ? srv->stop_deadline - srv->now_ms : 0,
		                 srv->now_ms, c->session);
		if (rc < 0)
			return rc;
	}
	want = core->want(c->session);
	while (want >= 0 && c->in.len > 0 && (want & CORREU_SERVER_WANT_READ) &&
	       !(want & (CORREU_SERVER_WANT_CLOSE | CORREU_SERVER_WANT_STARTTLS)) &&
	       out_pending(c) < srv->set.max_output) {
		int n = core->recv(c->in.data, c->in.len, srv->now_ms, c->session);

		if (n < 0)
			return n;
		if ((size_t)n > c->in.len)
			return CORREU_ERR_INTERNAL;
		if (n == 0) {
			/* A core that wants input but cannot take a full buffer
			 * would wait forever: its limits are wrong. */
			if (c->in.len >= srv->set.max_input)
				return CORREU_ERR_LIMIT;
			unfinished = true;
			break;
		}
		correu__buf_consume(&c->in, (size_t)n);
		progressed = true;
		want = core->want(c->session);
	}
	if (want < 0)
		return want;
	rc = flush(c);
	if (rc < 0 && rc != CORREU_ERR_WANT_WRITE && rc != CORREU_ERR_WANT_READ)
		return rc;
	want = core->want(c->session);
	if (want < 0)
		return want;
	if (rc == 0 && (want & CORREU_SERVER_WANT_CLOSE)) {
		begin_close(c);
		return 1;
	}
	if (rc == 0 && (want & CORREU_SERVER_WANT_STARTTLS))
		return start_upgrade(c);
	/* The client has closed its side and the core has taken all it can
	 * (what is left is an unfinished command): nothing more will come. */
	if (c->peer_eof && !c->eof_told &&
	    (c->in.len == 0 || unfinished || !(want & CORREU_SERVER_WANT_READ))) {
		c->eof_told = true;
		rc = core->event(CORREU_SERVER_EV_PEER_CLOSED, 0, srv->now_ms, c->session);
		begin_close(c); /* nothing more can arrive: flush and close */
		return rc < 0 ? rc : 1;
	}
	if (can_read(c, want)) {
		size_t room = srv->set.max_input - c->in.len;
		correu_ssize n = read_some(c, room < READ_CHUNK ? room : READ_CHUNK);

		if (n > 0)
			return 1;
		if (n == CORREU_ERR_EOF) {
			c->peer_eof = true;
			return 1;
		}
		if (n != CORREU_ERR_WANT_READ && n != CORREU_ERR_WANT_WRITE)
			return (int)n;
	}
	return progressed;
}

/* Handshake of implicit TLS or STARTTLS: 1 done, 0 waiting, < 0 failed. */
static int step_handshake(conn *c)
{
	int rc = correu_transport_handshake(c->t);

	if (rc == CORREU_ERR_WANT_READ || rc == CORREU_ERR_WANT_WRITE) {
		c->io_wait |= rc == CORREU_ERR_WANT_READ ? CORREU__POLL_IN : CORREU__POLL_OUT;
		return 0;
	}
	if (rc < 0) {
		c->srv->stats.tls_errors++;
		conn_log(c, CORREU_LOG_WARN, "TLS handshake failed", NULL, rc);
		return rc;
	}
	conn_log(c, CORREU_LOG_INFO, "TLS established:", correu_transport_tls_cipher(c->t), 0);
	if (c->state == CONN_HANDSHAKE)
		return open_session(c) < 0 ? CORREU_ERR_CANCELLED : 1;
	c->state = CONN_RUN;
	c->state_deadline = UINT64_MAX;
	rc = c->lst->core.event(CORREU_SERVER_EV_TLS_STARTED, c->discarded, c->srv->now_ms,
	                        c->session);
	return rc < 0 ? rc : 1;
}

/* Flush the last output, then close: 1 freed, 0 waiting. */
static int step_closing(conn *c)
{
	int rc = flush(c);

	if (rc == CORREU_ERR_WANT_WRITE || rc == CORREU_ERR_WANT_READ)
		return 0;
	/* Best effort: close_notify and FIN; a slow peer is not waited for. */
	(void)!correu_transport_shutdown(c->t);
	correu__conn_free(c);
	return 1;
}

static void update_watch(conn *c)
{
	correu_server *srv = c->srv;
	uint32_t ev = c->io_wait;
	uint64_t when = c->state_deadline;

	if (c->state == CONN_RUN) {
		int want = c->lst->core.want(c->session);
		uint64_t d = UINT64_MAX;

		if (want >= 0 && can_read(c, want))
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
				conn_log(c, CORREU_LOG_WARN, "missing or bad PROXY header", NULL, rc);
			}
			if (rc > 0)
				rc = after_preamble(c) < 0 ? CORREU_ERR_CANCELLED : 1;
			break;
		case CONN_HANDSHAKE:
		case CONN_UPGRADE:
			rc = step_handshake(c);
			break;
		case CONN_RUN:
			rc = step_run(c);
			if (rc < 0 && c->session) {
				conn_log(c, CORREU_LOG_INFO, "closing", NULL, rc);
				begin_close(c);
				rc = 1;
			}
			break;
		case CONN_CLOSING:
			if (step_closing(c) > 0)
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
	conn *c;

	srv->stats.accepted++;
	if (correu__addr_parse_peer(&addr, &port, peer_text) < 0)
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
	correu__buf_init(&c->in, srv->alloc, srv->set.max_input);
	strcpy(c->local_text, "?");
	if (getsockname(c->fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    correu__addr_from_sockaddr(&la, &c->local_port, &ss) == 0)
		correu__addr_text(&la, c->local_text);
	set_key(c);
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
	} else if (!count(c)) {
		refuse(srv, l, t, CORREU_SERVER_REFUSE_PER_IP);
		conn_log(c, CORREU_LOG_WARN, "refused by the per-address limit:", c->addr_text, 0);
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
		conn_log(c, CORREU_LOG_INFO, "connection lost", NULL, CORREU_ERR_IO);
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
		conn_log(c, CORREU_LOG_INFO, "timed out", NULL, CORREU_ERR_TIMEOUT);
		correu__conn_free(c);
		return;
	}
	if (c->last_io_ms + srv->set.idle_timeout_ms <= now) {
		srv->stats.idle_closed++;
		conn_log(c, CORREU_LOG_INFO, "idle timeout", NULL, 0);
		(void)core->event(CORREU_SERVER_EV_IDLE, 0, now, c->session);
		begin_close(c);
	} else if (c->core_deadline <= now) {
		uint64_t d = UINT64_MAX;

		if (core->event(CORREU_SERVER_EV_TIMER, 0, now, c->session) < 0) {
			begin_close(c);
		} else if (core->next_deadline && core->next_deadline(&d, c->session) == 0 &&
		           d <= now) {
			/* A core that keeps its passed deadline would spin the loop. */
			conn_log(c, CORREU_LOG_ERROR, "core deadline did not move", NULL, 0);
			begin_close(c);
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
	conn_log(c, CORREU_LOG_INFO, "closed", NULL, 0);
	/* Freed at the end of the turn: this turn's events may still name it. */
	c->next = srv->dead;
	srv->dead = c;
}
