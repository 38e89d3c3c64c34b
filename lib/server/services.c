/*
 * The services the server runtime offers to protocol cores (driver
 * layer): logging with the connection id, the transport for TLS details,
 * wake-ups for sessions whose backend answered later, and the per-address
 * auth-failure back-off with a per-session cap.
 */
#include <string.h>

#include "server_int.h"

int correu_server_conn_log(correu_server_conn *conn, int level, const char *msg, size_t len)
{
	if (!conn || (!msg && len) || len > INT32_MAX)
		return CORREU_ERR_ARG;
	correu__log(&conn->srv->log, level, "conn %llu: %.*s", (unsigned long long)conn->id,
	            (int)len, msg ? msg : "");
	return 0;
}

const correu_transport *correu_server_conn_transport(const correu_server_conn *conn)
{
	return conn ? conn->t : NULL;
}

int correu_server_conn_wake(correu_server_conn *conn)
{
	if (!conn)
		return CORREU_ERR_ARG;
	if (!conn->dirty && !conn->dead) {
		conn->dirty = true;
		conn->srv->ndirty++;
	}
	return 0;
}

int correu_server_conn_auth_failure(correu_server_conn *conn, uint64_t now_ms,
                                    uint32_t *delay_ms_out)
{
	uint32_t delay, cap;

	if (!conn)
		return CORREU_ERR_ARG;
	delay = correu__backoff_fail(&conn->srv->backoff, &conn->key, now_ms);
	if (delay_ms_out)
		*delay_ms_out = delay;
	correu__log(&conn->srv->log, CORREU_LOG_INFO,
	            "conn %llu: authentication failed from %s, delay %u ms",
	            (unsigned long long)conn->id, conn->addr_text, delay);
	if (conn->auth_failures < UINT32_MAX)
		conn->auth_failures++;
	cap = conn->srv->set.auth_max_failures;
	return cap && conn->auth_failures >= cap ? CORREU_ERR_LIMIT : 0;
}

int correu_server_conn_auth_success(correu_server_conn *conn)
{
	if (!conn)
		return CORREU_ERR_ARG;
	correu__backoff_success(&conn->srv->backoff, &conn->key);
	return 0;
}

uint32_t correu_server_conn_auth_delay(const correu_server_conn *conn, uint64_t now_ms)
{
	return conn ? correu__backoff_delay(&conn->srv->backoff, &conn->key, now_ms) : 0;
}
