/*
 * correu server runtime (driver layer): an event loop that owns listeners
 * (TCP ports or UNIX-domain sockets; plain, STARTTLS-capable, implicit
 * TLS), accepts connections and runs one protocol-core session per
 * connection through a small versioned table of operations. It enforces connection and per-IP limits, idle and command
 * timeouts, output back-pressure, auth-failure back-off and graceful
 * shutdown, and understands the PROXY protocol from trusted networks. The
 * SMTP, POP3 and IMAP server cores plug in here; none of them sees a socket.
 */
#ifndef CORREU_SERVER_H
#define CORREU_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * The server runtime.
 *
 * **Threading.** A ::correu_server is one event loop and is owned by the
 * thread that calls correu_server_run(): every other function (and every
 * core callback) runs on that thread, except correu_server_stop(), which
 * any thread may call, and the signal helper correu_server_catch_signals().
 * To use several cores, run one loop per thread, each with its own
 * listeners on the same port opened with ::CORREU_SERVER_LISTEN_REUSEPORT;
 * the kernel spreads new connections over them. Limits and the back-off
 * table are per loop.
 *
 * **Driving a core.** For each accepted connection the runtime calls the
 * listener's ::correu_server_core `open`, then repeats: feed received bytes
 * to `recv` (while `want` has ::CORREU_SERVER_WANT_READ), write what
 * `send_buf` offers and report it with `send_ack`, honour
 * ::CORREU_SERVER_WANT_CLOSE and ::CORREU_SERVER_WANT_STARTTLS once the
 * output is flushed, and call `event` when the core's deadline passes or
 * something happens to the connection. `close` ends the session.
 */

/** A server event loop with its listeners and connections; opaque. */
typedef struct correu_server correu_server;

/** One connection as the runtime's services see it (handed to a core's
 * `open`); opaque, valid until the core's `close` returns. */
typedef struct correu_server_conn correu_server_conn;

/* ------------------------------------------------------------------ */
/* Settings                                                            */

/** Version of ::correu_server_settings this header describes. */
#define CORREU_SERVER_SETTINGS_VERSION 1

/**
 * Limits and timeouts of one event loop. Fill it with
 * correu_server_settings_init() and change what you need. Times are in
 * milliseconds; byte counts in bytes.
 */
typedef struct correu_server_settings {
	uint32_t version;             /**< ::CORREU_SERVER_SETTINGS_VERSION */
	uint32_t max_conns;           /**< connections open at once (>= 1); default 1024 */
	uint32_t max_conns_per_ip;    /**< connections from one address (see
	                                   `ipv6_prefix`); 0: no limit; default 16 */
	uint32_t ipv6_prefix;         /**< IPv6 addresses count as one client per
	                                   prefix of this length (1..128); default 64 */
	uint32_t idle_timeout_ms;     /**< close a connection with no bytes read or
	                                   written for this long; default 300000 */
	uint32_t handshake_timeout_ms; /**< limit for a TLS handshake; default 30000 */
	uint32_t close_linger_ms;     /**< how long a closing connection may take to
	                                   flush its last reply; default 2000 */
	uint32_t max_output;          /**< a core holding this much unsent output is
	                                   fed no more input (back-pressure); default 65536 */
	uint32_t max_input;           /**< received bytes buffered for a core that has
	                                   not consumed them (1..2^31-1); default 65536 */
	uint32_t shutdown_grace_ms;   /**< after a stop request, connections still open
	                                   after this long are closed; default 30000 */
	uint32_t auth_delay_initial_ms; /**< back-off after an address's first
	                                   authentication failure; default 2000 */
	uint32_t auth_delay_max_ms;   /**< the back-off doubles up to this; default 15000 */
	uint32_t auth_quiet_ms;       /**< each quiet period of this length without a
	                                   failure forgives one failure; default 60000 */
	uint32_t auth_table_size;     /**< addresses the back-off table remembers
	                                   (least recently used forgotten first); default 4096 */
	uint32_t auth_max_failures;   /**< failures one session may have before the
	                                   core is told to disconnect; 0: no cap; default 3 */
	uint32_t proxy_timeout_ms;    /**< limit for receiving a PROXY header; default 5000 */
	uint32_t proxy_max_header;    /**< largest PROXY v2 header accepted, TLVs included
	                                   (>= 232); default 1024 */
	uint32_t max_listeners;       /**< listeners one loop may own; default 16 */
} correu_server_settings;

/**
 * Fill settings with the defaults documented on each member.
 * @param s the settings to fill; its `version` is set.
 * @return 0 or ::CORREU_ERR_ARG (NULL).
 */
CORREU_API CORREU_NODISCARD int correu_server_settings_init(correu_server_settings *s);

/* ------------------------------------------------------------------ */
/* The protocol-core interface                                         */

/** Version of ::correu_server_core this header describes. */
#define CORREU_SERVER_CORE_VERSION 1

/** `want` bit: the core accepts more input now. Without it the runtime
 * stops reading from the client (the bytes wait in the socket). */
#define CORREU_SERVER_WANT_READ 1
/** `want` bit: close the connection once `send_buf` is empty. */
#define CORREU_SERVER_WANT_CLOSE 2
/** `want` bit: switch to TLS once `send_buf` is empty (STARTTLS, RFC 3207,
 * RFC 2595, RFC 9051 section 6.2.1). From the moment the core sets it, the
 * runtime delivers no more input; received bytes it still holds are
 * discarded, and the core learns how many with
 * ::CORREU_SERVER_EV_TLS_STARTED. Bytes the core itself already took past
 * the command it must discard itself. */
#define CORREU_SERVER_WANT_STARTTLS 4

/** `event`: the core's deadline (`next_deadline`) has passed; `arg` 0. */
#define CORREU_SERVER_EV_TIMER 1u
/** `event`: no bytes moved for `idle_timeout_ms`; the core may queue a
 * farewell, then the connection is closed whatever it answers. `arg` 0. */
#define CORREU_SERVER_EV_IDLE 2u
/** `event`: the client closed its sending side (EOF); `arg` 0. The core may
 * queue a last reply; the connection closes when the output is flushed. */
#define CORREU_SERVER_EV_PEER_CLOSED 3u
/** `event`: the TLS handshake asked for with ::CORREU_SERVER_WANT_STARTTLS
 * has completed; `arg` is the number of plaintext bytes received after
 * the command and discarded unseen. The core resets its state as the
 * protocol requires (RFC 3207 section 4.2). */
#define CORREU_SERVER_EV_TLS_STARTED 4u
/** `event`: graceful shutdown was requested; `arg` is the grace period in
 * ms. The core finishes its current transaction and then sets
 * ::CORREU_SERVER_WANT_CLOSE (after queuing a farewell such as "421"). */
#define CORREU_SERVER_EV_SHUTDOWN 5u

/** `refuse` reason: ::correu_server_settings `max_conns` reached. */
#define CORREU_SERVER_REFUSE_TOTAL 1u
/** `refuse` reason: `max_conns_per_ip` reached for the client's address. */
#define CORREU_SERVER_REFUSE_PER_IP 2u

/** ::correu_server_peer flag: the connection runs TLS (implicit TLS). */
#define CORREU_SERVER_PEER_TLS 1u
/** ::correu_server_peer flag: the listener can upgrade with STARTTLS. */
#define CORREU_SERVER_PEER_STARTTLS 2u
/** ::correu_server_peer flag: the address came from a PROXY header. */
#define CORREU_SERVER_PEER_PROXIED 4u
/** ::correu_server_peer flag: the client came through a UNIX-domain
 * listener (correu_server_listen_unix()); `addr` and `local_addr` are
 * empty strings and the ports 0. */
#define CORREU_SERVER_PEER_UNIX 8u

/** Version of ::correu_server_peer this header describes. */
#define CORREU_SERVER_PEER_VERSION 1

/** What a core learns about a new connection. */
typedef struct correu_server_peer {
	uint32_t version;       /**< ::CORREU_SERVER_PEER_VERSION */
	uint32_t flags;         /**< `CORREU_SERVER_PEER_*` bits */
	uint64_t conn_id;       /**< the connection id the logs show (never 0) */
	const char *addr;       /**< client address, e.g. "192.0.2.1" or
	                             "2001:db8::1" (the proxied one where a PROXY
	                             header named it); NUL-terminated; valid until
	                             the core's `close` */
	uint32_t port;          /**< client port */
	uint32_t local_port;    /**< port the client connected to */
	const char *local_addr; /**< address the client connected to; as `addr` */
} correu_server_peer;

/**
 * The operations of a protocol core, one table per listener. The runtime
 * calls them on its own thread only. Every operation but `open` and
 * `refuse` gets the session pointer that `open` returned, last. A negative
 * return from any operation closes the connection (after a best-effort
 * flush of `send_buf` within `close_linger_ms`).
 */
typedef struct correu_server_core {
	uint32_t version; /**< ::CORREU_SERVER_CORE_VERSION */
	/** Create a session. `peer` is borrowed for the call (its strings until
	 * `close`); `conn` gives the runtime's services until `close`. Queue the
	 * greeting in the session's output and set `*session_out` (not NULL).
	 * `userdata` is the listener's `core_userdata`. Return 0 or a negative
	 * code (connection closed; `close` is not called). Required. */
	int (*open)(const correu_server_peer *peer, correu_server_conn *conn, void **session_out,
	            void *userdata);
	/** Take received bytes (`len` <= `max_input`, so it fits an int); return
	 * how many were consumed (0..len; the rest is offered again later) or a
	 * negative code. Consume at most one command (or one bounded chunk of a
	 * message body or literal) per call: the runtime checks the output
	 * against `max_output` between calls, which is what makes back-pressure
	 * work. `now_ms` is the loop's monotonic clock. Required. */
	int (*recv)(const uint8_t *in, size_t len, uint64_t now_ms, void *session);
	/** Point `*buf_out` at queued output and set `*len_out` (0: none); the
	 * bytes stay valid until `send_ack` or the next `recv`/`event`. Return 0.
	 * Required. */
	int (*send_buf)(const uint8_t **buf_out, size_t *len_out, void *session);
	/** `n` bytes of that output were written; drop them. Return 0. Required. */
	int (*send_ack)(size_t n, void *session);
	/** Return a mask of `CORREU_SERVER_WANT_*` bits. Required. */
	int (*want)(void *session);
	/** Set `*deadline_out` to the monotonic time (ms) at which the core wants
	 * ::CORREU_SERVER_EV_TIMER (a command timeout, a delayed reply), or
	 * UINT64_MAX for none. Return 0. NULL: never. */
	int (*next_deadline)(uint64_t *deadline_out, void *session);
	/** Something happened: a `CORREU_SERVER_EV_*` code and its argument.
	 * Return 0 or a negative code. Required. */
	int (*event)(uint32_t ev, uint64_t arg, uint64_t now_ms, void *session);
	/** End the session and free it; the connection is already gone. The
	 * return value is ignored. Required. */
	int (*close)(void *session);
	/** A connection is refused for `reason` (`CORREU_SERVER_REFUSE_*`) before
	 * any session exists: write at most `cap` bytes of a one-line reply into
	 * `buf` (e.g. "421 4.7.0 Too many connections\r\n") and return its
	 * length, or 0 to close without a word. The line is sent with one
	 * non-blocking write and never on an implicit-TLS listener. NULL: close
	 * without a word. `userdata` is the listener's `core_userdata`. */
	int (*refuse)(uint32_t reason, uint8_t *buf, size_t cap, void *userdata);
} correu_server_core;

/* ------------------------------------------------------------------ */
/* The runtime                                                         */

/**
 * Create an event loop (not yet listening).
 * @param settings limits and timeouts; copied; NULL: the defaults.
 * @param alloc allocator for the loop, its connections and their transports;
 *        borrowed until correu_server_free(); NULL: libc.
 * @param out receives the loop.
 * @return 0, ::CORREU_ERR_ARG (NULL `out`, unknown settings version, a
 *         value out of range), ::CORREU_ERR_NOMEM or ::CORREU_ERR_IO (no
 *         poller or wake-up descriptor, or no random seed from the OS for
 *         the keyed hash of the per-address tables).
 */
CORREU_API CORREU_NODISCARD int correu_server_new(const correu_server_settings *settings,
                                                  const correu_allocator *alloc,
                                                  correu_server **out);

/**
 * Close every connection (cores get `close`) and listener, free the loop.
 * Must not be called while correu_server_run() runs.
 * @param srv the loop; NULL is a no-op.
 */
CORREU_API void correu_server_free(correu_server *srv);

/**
 * Set the log hook. Every message about a connection starts with
 * "conn <id>: ", the id of ::correu_server_peer `conn_id`.
 * @param srv the loop.
 * @param logger copied; NULL turns logging off.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_set_logger(correu_server *srv,
                                                         const correu_logger *logger);

/**
 * Trust a network to send PROXY protocol headers (haproxy PROXY protocol
 * v1 and v2). On a listener with ::CORREU_SERVER_LISTEN_PROXY, a client
 * from a trusted network must start with a header, whose source address
 * then stands for the client in limits, back-off, logs and
 * ::correu_server_peer. From any other client the bytes are protocol data:
 * the core sees them, uninterpreted.
 * @param srv the loop.
 * @param cidr NUL-terminated "192.0.2.0/24", "2001:db8::/32" or a single
 *        address; copied.
 * @return 0, ::CORREU_ERR_SYNTAX (not an address or prefix),
 *         ::CORREU_ERR_LIMIT (more than 64 networks), ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_trust_proxy(correu_server *srv, const char *cidr);

/** Listener mode: plain TCP. */
#define CORREU_SERVER_LISTEN_PLAIN 0u
/** Listener mode: plain TCP whose cores may ask for STARTTLS (`tls` set). */
#define CORREU_SERVER_LISTEN_STARTTLS 1u
/** Listener mode: TLS from the first byte (ports 465, 993, 995). */
#define CORREU_SERVER_LISTEN_TLS 2u

/** Listener flag: SO_REUSEPORT, so loops on other threads can share the port. */
#define CORREU_SERVER_LISTEN_REUSEPORT 1u
/** Listener flag: expect a PROXY header from trusted networks. */
#define CORREU_SERVER_LISTEN_PROXY 2u

/** Version of ::correu_server_listen_cfg this header describes. */
#define CORREU_SERVER_LISTEN_VERSION 1

/** One listening port and the core that serves it. */
typedef struct correu_server_listen_cfg {
	uint32_t version;                /**< ::CORREU_SERVER_LISTEN_VERSION */
	uint32_t mode;                   /**< `CORREU_SERVER_LISTEN_*` mode */
	uint32_t flags;                  /**< `CORREU_SERVER_LISTEN_*` flags */
	uint32_t port;                   /**< TCP port; 0: an ephemeral one */
	int32_t backlog;                 /**< listen() backlog; 0: 128 */
	const char *host;                /**< address to bind, NUL-terminated; NULL:
	                                      every local address */
	const correu_tls_config *tls;    /**< a server configuration for the STARTTLS
	                                      and TLS modes; borrowed until the loop is
	                                      freed */
	const correu_server_core *core;  /**< the core's operations; copied */
	void *core_userdata;             /**< passed to `open` and `refuse`; borrowed */
} correu_server_listen_cfg;

/**
 * Open a listener owned by the loop.
 * @param srv the loop (not stopping).
 * @param cfg what to listen on; copied.
 * @param port_out receives the bound port; may be NULL.
 * @return 0, ::CORREU_ERR_ARG (bad version or mode, missing core operation,
 *         a TLS mode without `tls`), ::CORREU_ERR_LIMIT (`max_listeners`),
 *         ::CORREU_ERR_STATE (stopping), ::CORREU_ERR_NOMEM, or what
 *         correu_tcp_listen() returns.
 */
CORREU_API CORREU_NODISCARD int correu_server_listen(correu_server *srv,
                                                     const correu_server_listen_cfg *cfg,
                                                     uint32_t *port_out);

/** Version of ::correu_server_unix_cfg this header describes. */
#define CORREU_SERVER_UNIX_VERSION 1

/** A listening UNIX-domain socket and the core that serves it. */
typedef struct correu_server_unix_cfg {
	uint32_t version;                /**< ::CORREU_SERVER_UNIX_VERSION */
	uint32_t mode;                   /**< `CORREU_SERVER_LISTEN_*` mode (usually
	                                      ::CORREU_SERVER_LISTEN_PLAIN) */
	uint32_t perms;                  /**< permission bits of the socket file
	                                      (at most 07777), e.g. 0660 to let a
	                                      group connect; 0: 0600 */
	int32_t backlog;                 /**< listen() backlog; 0: 128 */
	const char *path;                /**< the socket's file name, NUL-terminated,
	                                      at most 107 bytes; copied */
	const correu_tls_config *tls;    /**< as in ::correu_server_listen_cfg */
	const correu_server_core *core;  /**< the core's operations; copied */
	void *core_userdata;             /**< passed to `open` and `refuse`; borrowed */
} correu_server_unix_cfg;

/**
 * Open a listener on a UNIX-domain socket (LMTP from a local MTA, RFC 2033
 * section 5, is the usual use), owned by the loop.
 *
 * A file already at `path` is removed only when it is a socket nobody
 * listens on any more (left by a server that did not shut down cleanly);
 * a socket another server answers on, or any other kind of file, is left
 * alone and the call fails. The permission bits are set before the socket
 * accepts anything. When the listener closes (stop request or
 * correu_server_free()) the file is removed, if it is still this
 * listener's socket.
 *
 * Connections from it count against `max_conns` and have the idle,
 * command and shutdown timeouts, the log hook and the connection id like
 * any other, and their peers carry ::CORREU_SERVER_PEER_UNIX. The PROXY
 * protocol and `max_conns_per_ip` do not apply to them: they have no
 * address. All UNIX-domain clients share one entry of the
 * authentication back-off table.
 *
 * @param srv the loop (not stopping).
 * @param cfg what to listen on; copied.
 * @return 0, ::CORREU_ERR_ARG (bad version, mode or permissions, missing
 *         path or core operation, a TLS mode without `tls`),
 *         ::CORREU_ERR_LIMIT (path too long, `max_listeners`),
 *         ::CORREU_ERR_BUSY (a live socket or another kind of file is at
 *         `path`), ::CORREU_ERR_STATE (stopping), ::CORREU_ERR_NOMEM or
 *         ::CORREU_ERR_IO.
 */
CORREU_API CORREU_NODISCARD int correu_server_listen_unix(correu_server *srv,
                                                          const correu_server_unix_cfg *cfg);

/**
 * Run the loop until a stop request has been carried out: listeners closed
 * and every connection finished or cut off after the grace period.
 * @param srv the loop.
 * @return 0, ::CORREU_ERR_IO (the poller failed) or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_run(correu_server *srv);

/**
 * Run one turn of the loop: wait at most `timeout_ms` for activity or a
 * deadline, then handle it; for applications that drive the loop themselves.
 * @param srv the loop.
 * @param timeout_ms longest wait; 0: just look; -1: until something happens.
 * @return 1 until a stop request has been carried out, then 0;
 *         ::CORREU_ERR_IO (the poller failed) or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_run_once(correu_server *srv, int32_t timeout_ms);

/**
 * Ask the loop to stop gracefully: close the listeners, send every session
 * ::CORREU_SERVER_EV_SHUTDOWN, wait for them to close, and cut off those
 * still open after the grace period. Safe from any thread (it only sets a
 * flag and writes to the wake-up descriptor); repeated calls keep the
 * earliest deadline.
 * @param srv the loop.
 * @param grace_ms grace period; UINT32_MAX: the `shutdown_grace_ms` setting.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_stop(correu_server *srv, uint32_t grace_ms);

/**
 * Install SIGINT and SIGTERM handlers that ask this loop to stop (with the
 * `shutdown_grace_ms` setting) through its wake-up descriptor. Signal
 * dispositions belong to the whole process, so the handlers are process-wide
 * too: the last loop passed here is the one they stop. Optional; an
 * application with its own handlers calls correu_server_stop() instead.
 * @param srv the loop.
 * @return 0, ::CORREU_ERR_IO (sigaction failed) or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_catch_signals(correu_server *srv);

/** Version of ::correu_server_stats this header describes. */
#define CORREU_SERVER_STATS_VERSION 1

/** Counters of one loop since it was created. */
typedef struct correu_server_stats {
	uint32_t version;       /**< set to ::CORREU_SERVER_STATS_VERSION by the caller */
	uint32_t open_conns;    /**< connections open now */
	uint64_t accepted;      /**< connections accepted (refused ones included) */
	uint64_t refused;       /**< refused by `max_conns` or `max_conns_per_ip` */
	uint64_t idle_closed;   /**< closed by the idle timeout */
	uint64_t proxy_errors;  /**< closed for a missing or bad PROXY header */
	uint64_t tls_errors;    /**< closed for a failed TLS handshake */
	uint64_t cut_off;       /**< closed when the shutdown grace period ran out */
} correu_server_stats;

/**
 * Read the counters. Call from the loop's thread or after correu_server_run()
 * returned.
 * @param srv the loop.
 * @param stats filled in; its `version` must be set first.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_get_stats(const correu_server *srv,
                                                        correu_server_stats *stats);

/* ------------------------------------------------------------------ */
/* Services for cores                                                  */

/**
 * Log a message about this connection through the loop's hook, prefixed
 * with "conn <id>: ".
 * @param conn the connection.
 * @param level a `CORREU_LOG_*` level.
 * @param msg the text; borrowed for the call; need not be NUL-terminated.
 * @param len its length.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_conn_log(correu_server_conn *conn, int level,
                                                       const char *msg, size_t len);

/**
 * The connection's transport, e.g. for correu_transport_tls_cipher().
 * @param conn the connection.
 * @return the transport, borrowed until the core's `close`; NULL for NULL.
 */
CORREU_API const correu_transport *correu_server_conn_transport(const correu_server_conn *conn);

/**
 * A hook the loop runs on its own thread after correu_server_notify().
 * @param userdata as given to correu_server_set_notify().
 * @return ignored; 0.
 */
typedef int (*correu_server_notify_fn)(void *userdata);

/**
 * Set the loop's notify hook: how work finished on other threads (a
 * backend's workers) comes back to the loop thread, where store
 * completions must be made (store.h). Call before correu_server_run(), on
 * the loop's thread.
 * @param srv the loop.
 * @param fn the hook; NULL: none.
 * @param userdata passed to `fn`; borrowed while set.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_set_notify(correu_server *srv,
                                                         correu_server_notify_fn fn,
                                                         void *userdata);

/**
 * Make the loop run its notify hook soon, once however many calls came
 * before it ran. Safe from any thread and from a signal handler.
 * @param srv the loop.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_notify(correu_server *srv);

/**
 * Tell the runtime that the session changed outside `recv` and `event`
 * (a backend answered): it will look at `send_buf`, `want` and
 * `next_deadline` again in this turn of the loop.
 * @param conn the connection.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_conn_wake(correu_server_conn *conn);

/**
 * Record a failed authentication from this client's address. The delay
 * grows per address: `auth_delay_initial_ms` after the first failure,
 * doubling up to `auth_delay_max_ms`, forgiven one step per quiet period.
 * Hold the failure reply back this long (with `next_deadline`) so that
 * guessing passwords is slow.
 * @param conn the connection.
 * @param now_ms the loop's clock, as passed to `recv` or `event`.
 * @param delay_ms_out receives the delay in ms; may be NULL.
 * @return 0, ::CORREU_ERR_LIMIT (the session has reached
 *         `auth_max_failures`: answer and close), or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_conn_auth_failure(correu_server_conn *conn,
                                                                uint64_t now_ms,
                                                                uint32_t *delay_ms_out);

/**
 * Record a successful authentication: the address's failures are forgotten.
 * @param conn the connection.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_server_conn_auth_success(correu_server_conn *conn);

/**
 * The delay this client's address has earned now, for a core that delays
 * every authentication answer rather than failures only.
 * @param conn the connection.
 * @param now_ms the loop's clock.
 * @return the delay in ms; 0 for no delay or a NULL `conn`.
 */
CORREU_API uint32_t correu_server_conn_auth_delay(const correu_server_conn *conn,
                                                  uint64_t now_ms);

#ifdef __cplusplus
}
#endif
#endif
