/*
 * A running connection's I/O in the server runtime (driver layer): feeding
 * the core its input one command at a time while its output is below the
 * back-pressure mark, writing what it queues, STARTTLS upgrades in place,
 * TLS handshakes, and the last flush before a close. conn.c drives these
 * steps; nothing here blocks.
 */
#include "server_int.h"

#define READ_CHUNK 16384 /* bytes read per call: one TLS record's worth */

typedef struct correu_server_conn conn;

static size_t out_pending(conn *c)
{
	const uint8_t *p = NULL;
	size_t len = 0;

	if (!c->session || c->lst->core.send_buf(&p, &len, c->session) < 0)
		return 0;
	return len;
}

void correu__conn_begin_close(conn *c)
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
correu_ssize correu__conn_read(conn *c, size_t cap)
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

bool correu__conn_can_read(conn *c, int want)
{
	return (want & CORREU_SERVER_WANT_READ) &&
	       !(want & (CORREU_SERVER_WANT_CLOSE | CORREU_SERVER_WANT_STARTTLS)) && !c->peer_eof &&
	       c->in.len < c->srv->set.max_input && out_pending(c) < c->srv->set.max_output;
}

static int start_upgrade(conn *c)
{
	int rc;

	if (!c->lst->cfg.tls) {
		correu__conn_log(c, CORREU_LOG_ERROR, "STARTTLS asked for on a listener without TLS", NULL,
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
int correu__conn_step_run(conn *c)
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
		correu__conn_begin_close(c);
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
		correu__conn_begin_close(c); /* nothing more can arrive: flush and close */
		return rc < 0 ? rc : 1;
	}
	if (correu__conn_can_read(c, want)) {
		size_t room = srv->set.max_input - c->in.len;
		correu_ssize n = correu__conn_read(c, room < READ_CHUNK ? room : READ_CHUNK);

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
int correu__conn_step_handshake(conn *c)
{
	int rc = correu_transport_handshake(c->t);

	if (rc == CORREU_ERR_WANT_READ || rc == CORREU_ERR_WANT_WRITE) {
		c->io_wait |= rc == CORREU_ERR_WANT_READ ? CORREU__POLL_IN : CORREU__POLL_OUT;
		return 0;
	}
	if (rc < 0) {
		c->srv->stats.tls_errors++;
		correu__conn_log(c, CORREU_LOG_WARN, "TLS handshake failed", NULL, rc);
		return rc;
	}
	correu__conn_log(c, CORREU_LOG_INFO, "TLS established:", correu_transport_tls_cipher(c->t), 0);
	if (c->state == CONN_HANDSHAKE)
		return correu__conn_open_session(c) < 0 ? CORREU_ERR_CANCELLED : 1;
	c->state = CONN_RUN;
	c->state_deadline = UINT64_MAX;
	rc = c->lst->core.event(CORREU_SERVER_EV_TLS_STARTED, c->discarded, c->srv->now_ms,
	                        c->session);
	return rc < 0 ? rc : 1;
}

/* Flush the last output, then close: 1 freed, 0 waiting. */
int correu__conn_step_closing(conn *c)
{
	int rc = flush(c);

	if (rc == CORREU_ERR_WANT_WRITE || rc == CORREU_ERR_WANT_READ)
		return 0;
	/* Best effort: close_notify and FIN; a slow peer is not waited for. */
	(void)!correu_transport_shutdown(c->t);
	correu__conn_free(c);
	return 1;
}
