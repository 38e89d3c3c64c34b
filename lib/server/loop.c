/*
 * One turn of the server runtime's event loop (driver layer): wait for
 * readiness or the earliest deadline, accept, hand readiness to the
 * connections, run passed deadlines, carry out stop requests, and free
 * what closed during the turn.
 */
#include "server_int.h"

#define EVENTS 64
#define ACCEPTS 64 /* per readiness, so a flood of connects cannot starve I/O */
/* After a failed accept (out of descriptors or memory) the pending
 * connection stays pending and the listener stays readable: watching it
 * would spin, so listeners rest this long. */
#define ACCEPT_PAUSE_MS 100

static void watch_listeners(correu_server *srv, uint32_t events)
{
	for (correu__listener *l = srv->listeners; l; l = l->next)
		if (l->fd >= 0)
			(void)correu__poller_mod(srv->poller, l->fd, events, l);
}

void correu__server_accept(correu_server *srv, correu__listener *l)
{
	for (int i = 0; i < ACCEPTS && !srv->stopping; i++) {
		char peer[CORREU_TCP_PEER_MAX];
		correu_transport *t = NULL;
		int rc = l->tcp ? correu_tcp_accept(l->tcp, &t, peer, sizeof(peer))
		                : correu__unix_accept(l, &t);

		if (rc == CORREU_ERR_WANT_READ)
			return;
		if (rc < 0) {
			correu__log(&srv->log, CORREU_LOG_WARN,
			            "accept failed: %s; pausing for %d ms", correu_err_name(rc),
			            ACCEPT_PAUSE_MS);
			watch_listeners(srv, 0);
			srv->accept_resume_ms = srv->now_ms + ACCEPT_PAUSE_MS;
			return;
		}
		correu__conn_start(srv, l, t, l->tcp ? peer : l->path);
	}
}

void correu__server_reap(correu_server *srv)
{
	while (srv->dead) {
		struct correu_server_conn *c = srv->dead;

		srv->dead = c->next;
		correu__free(srv->alloc, c, sizeof(*c));
	}
}

/* Take a stop request: listeners close, sessions are told. */
static void take_stop(correu_server *srv)
{
	uint32_t grace = atomic_exchange(&srv->stop_grace, UINT32_MAX);
	struct correu_server_conn *c, *next;
	uint64_t deadline;

	if (grace == UINT32_MAX)
		return;
	deadline = srv->now_ms + grace;
	if (deadline < srv->stop_deadline)
		srv->stop_deadline = deadline;
	if (srv->stopping)
		return;
	srv->stopping = true;
	correu__log(&srv->log, CORREU_LOG_INFO, "stopping: %u connections, grace %u ms",
	            srv->nconns, grace);
	correu__server_close_listeners(srv);
	for (c = srv->conns; c; c = next) {
		next = c->next;
		correu__conn_shutdown(c);
	}
}

static void run_deadlines(correu_server *srv)
{
	const correu__heapent *top;
	/* Each connection moves or leaves the heap when its timer runs, so
	 * this ends; the bound guards against a bug turning into a hang. */
	uint32_t budget = 2 * srv->set.max_conns + 16;

	while (budget-- && (top = correu__heap_top(&srv->heap)) && top->when <= srv->now_ms)
		correu__conn_timer(top->item);
	if (srv->stopping && srv->stop_deadline <= srv->now_ms) {
		while (srv->conns) {
			srv->stats.cut_off++;
			correu__log(&srv->log, CORREU_LOG_INFO,
			            "conn %llu: cut off at the end of the grace period",
			            (unsigned long long)srv->conns->id);
			correu__conn_free(srv->conns);
		}
	}
}

static void run_dirty(correu_server *srv)
{
	struct correu_server_conn *c, *next;

	for (c = srv->conns; c && srv->ndirty; c = next) {
		next = c->next;
		if (!c->dirty)
			continue;
		c->dirty = false;
		srv->ndirty--;
		correu__conn_io(c, 0);
	}
}

static int32_t wait_ms(correu_server *srv, int32_t timeout_ms)
{
	const correu__heapent *top = correu__heap_top(&srv->heap);
	uint64_t until = UINT64_MAX;

	if (srv->ndirty)
		return 0;
	if (top)
		until = top->when;
	if (srv->stopping && srv->stop_deadline < until)
		until = srv->stop_deadline;
	if (srv->accept_resume_ms < until)
		until = srv->accept_resume_ms;
	if (until != UINT64_MAX) {
		uint64_t d = until > srv->now_ms ? until - srv->now_ms : 0;

		if (timeout_ms < 0 || d < (uint64_t)timeout_ms)
			timeout_ms = d > INT32_MAX ? INT32_MAX : (int32_t)d;
	}
	return timeout_ms;
}

int correu_server_run_once(correu_server *srv, int32_t timeout_ms)
{
	correu__pollev ev[EVENTS];
	int n;

	if (!srv)
		return CORREU_ERR_ARG;
	srv->now_ms = correu__server_clock();
	take_stop(srv);
	correu__server_reap(srv);
	if (srv->stopping && srv->nconns == 0)
		return 0;
	n = correu__poller_wait(srv->poller, wait_ms(srv, timeout_ms), ev, EVENTS);
	if (n < 0)
		return n;
	srv->now_ms = correu__server_clock();
	for (int i = 0; i < n; i++) {
		int *kind = ev[i].tag;

		if (!kind) {
			correu__wake_drain(&srv->wake);
			take_stop(srv);
			correu__server_run_notify(srv);
		} else if (*kind == CORREU__TAG_LISTENER) {
			correu__listener *l = ev[i].tag;

			/* Closed by a stop earlier in this batch: nothing to accept. */
			if (l->fd >= 0)
				correu__server_accept(srv, l);
		} else {
			struct correu_server_conn *c = ev[i].tag;

			if (!c->dead)
				correu__conn_io(c, ev[i].events);
		}
	}
	run_dirty(srv);
	run_deadlines(srv);
	if (srv->accept_resume_ms <= srv->now_ms) {
		srv->accept_resume_ms = UINT64_MAX;
		watch_listeners(srv, CORREU__POLL_IN);
	}
	correu__server_reap(srv);
	return srv->stopping && srv->nconns == 0 ? 0 : 1;
}

int correu_server_run(correu_server *srv)
{
	int rc;

	if (!srv || srv->running)
		return CORREU_ERR_ARG;
	srv->running = true;
	while ((rc = correu_server_run_once(srv, -1)) > 0)
		continue;
	srv->running = false;
	return rc;
}
