/*
 * correu transport layer: one opaque byte-stream handle behind a versioned
 * table of operations, with the variants correu ships (non-blocking TCP,
 * an in-memory pair for tests) and TLS through mbedTLS that any of them,
 * including a transport the application supplies, can be upgraded to in
 * place. The protocol drivers sit on top of this header; the cores do not.
 */
#ifndef CORREU_TRANSPORT_H
#define CORREU_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * Byte-stream transports.
 *
 * Every operation is non-blocking. A call that cannot make progress returns
 * ::CORREU_ERR_WANT_READ or ::CORREU_ERR_WANT_WRITE: wait until the
 * transport is readable or writable (correu_transport_wait(), or your own
 * event loop on correu_transport_fd()) and call again with the same
 * arguments. An orderly close by the peer is ::CORREU_ERR_EOF, never 0.
 *
 * A handle is used by one thread at a time. Functions that a build leaves
 * out (TLS with `-Dtls=disabled`, TCP on a platform without BSD sockets)
 * are still present and return ::CORREU_ERR_UNSUPPORTED, so the exported
 * symbol set and this header never depend on build options.
 */

/** A byte-stream connection; opaque. */
typedef struct correu_transport correu_transport;

/* ------------------------------------------------------------------ */
/* User-supplied operations                                            */

/** Version of ::correu_transport_ops this header describes. */
#define CORREU_TRANSPORT_OPS_VERSION 1

/** Ask correu_transport_wait() (and the `wait` operation) for readability. */
#define CORREU_WAIT_READ 1u
/** Ask correu_transport_wait() (and the `wait` operation) for writability. */
#define CORREU_WAIT_WRITE 2u

/**
 * The operations behind a transport. Firmware fills one in for its own
 * network stack (lwIP, RTOS sockets) and passes it to correu_transport_new();
 * TLS then works on top of it unchanged.
 *
 * Every operation gets the `userdata` given to correu_transport_new() last.
 * None may block unless the application wants a blocking transport.
 */
typedef struct correu_transport_ops {
	uint32_t version; /**< ::CORREU_TRANSPORT_OPS_VERSION */
	/** Write up to `len` (> 0) bytes; return how many (> 0), or
	 * ::CORREU_ERR_WANT_WRITE, ::CORREU_ERR_WANT_READ, ::CORREU_ERR_CLOSED
	 * or another negative code. Required. */
	correu_ssize (*send)(const uint8_t *buf, size_t len, void *userdata);
	/** Read up to `len` (> 0) bytes; return how many (> 0),
	 * ::CORREU_ERR_EOF once the peer has closed its side,
	 * ::CORREU_ERR_WANT_READ, or another negative code. Required. */
	correu_ssize (*recv)(uint8_t *buf, size_t len, void *userdata);
	/** Close the sending direction (the peer then reads EOF); 0,
	 * ::CORREU_ERR_WANT_WRITE or a negative code. NULL: nothing to do. */
	int (*shutdown)(void *userdata);
	/** Release the connection; called once, by correu_transport_free().
	 * The return value is ignored. NULL: nothing to release. */
	int (*close)(void *userdata);
	/** The file descriptor to watch in an event loop, or -1. NULL: -1. */
	int (*fd)(void *userdata);
	/** Wait until readable and/or writable (`events` is a mask of
	 * `CORREU_WAIT_*`) for at most `timeout_ms` (-1: no limit); return the
	 * ready mask (> 0), ::CORREU_ERR_TIMEOUT or a negative code.
	 * NULL: correu_transport_wait() is unsupported. */
	int (*wait)(uint32_t events, int32_t timeout_ms, void *userdata);
} correu_transport_ops;

/**
 * Make a transport from the application's own operations.
 *
 * @param ops the operations; copied (the table need not outlive the call).
 *        `version` must be ::CORREU_TRANSPORT_OPS_VERSION; send and recv
 *        are required.
 * @param userdata passed to every operation; borrowed until `close` has
 *        been called by correu_transport_free().
 * @param alloc allocator for this handle and everything layered on it
 *        (TLS state); borrowed until correu_transport_free(); NULL: libc.
 * @param out receives the new handle.
 * @return 0, ::CORREU_ERR_ARG (NULL pointer, unknown version, missing
 *         send/recv) or ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_transport_new(const correu_transport_ops *ops,
                                                     void *userdata,
                                                     const correu_allocator *alloc,
                                                     correu_transport **out);

/**
 * Release a transport: TLS state (secrets wiped), then the operations'
 * `close`. Does not send close_notify or shut down; call
 * correu_transport_shutdown() first for an orderly end.
 * @param t the handle; NULL is a no-op.
 */
CORREU_API void correu_transport_free(correu_transport *t);

/**
 * Set the log hook (connection events, TLS alerts and errors; never data).
 * @param t the handle.
 * @param logger copied; NULL turns logging off.
 * @return 0 or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_transport_set_logger(correu_transport *t,
                                                            const correu_logger *logger);

/* ------------------------------------------------------------------ */
/* Byte I/O                                                            */

/**
 * Write bytes (through TLS when it is on).
 * @param t the handle.
 * @param buf bytes to write; borrowed for the call. After
 *        ::CORREU_ERR_WANT_WRITE with TLS, call again with the same bytes.
 * @param len how many; 0 returns 0.
 * @return bytes written (> 0, possibly fewer than `len`),
 *         ::CORREU_ERR_WANT_WRITE, ::CORREU_ERR_WANT_READ (TLS),
 *         ::CORREU_ERR_CLOSED (after shutdown, or the peer is gone),
 *         ::CORREU_ERR_CERT / ::CORREU_ERR_TLS (a handshake that failed),
 *         ::CORREU_ERR_IO or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_transport_send(correu_transport *t,
                                                               const uint8_t *buf, size_t len);

/**
 * Read bytes (decrypted when TLS is on).
 * @param t the handle.
 * @param buf where to put them; written for the call only.
 * @param len its size; 0 returns 0.
 * @return bytes read (> 0), ::CORREU_ERR_EOF (orderly close),
 *         ::CORREU_ERR_WANT_READ, ::CORREU_ERR_WANT_WRITE (TLS),
 *         ::CORREU_ERR_CERT, ::CORREU_ERR_TLS, ::CORREU_ERR_IO or
 *         ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_transport_recv(correu_transport *t, uint8_t *buf,
                                                               size_t len);

/**
 * Close the sending direction: with TLS, send close_notify (RFC 8446
 * section 6.1, RFC 5246 section 7.2.1) first; then shut down the
 * underlying stream so the peer reads EOF. Reading stays possible.
 * @param t the handle.
 * @return 0, ::CORREU_ERR_WANT_WRITE / ::CORREU_ERR_WANT_READ (call
 *         again), ::CORREU_ERR_TLS, ::CORREU_ERR_IO or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_transport_shutdown(correu_transport *t);

/**
 * The file descriptor behind the transport, for the caller's event loop.
 * With TLS, readable data may already be buffered inside the handle: call
 * correu_transport_pending() before waiting for the descriptor.
 * @param t the handle.
 * @return the descriptor (borrowed: do not close it), or -1 (none, or NULL).
 */
CORREU_API int correu_transport_fd(const correu_transport *t);

/**
 * Bytes already received and decrypted but not yet read (TLS); a read
 * will not need the descriptor to become readable.
 * @param t the handle.
 * @return the byte count; 0 for a plain transport or NULL.
 */
CORREU_API size_t correu_transport_pending(const correu_transport *t);

/**
 * Wait for readiness, for blocking drivers. Returns at once with
 * ::CORREU_WAIT_READ when TLS holds buffered data.
 * @param t the handle.
 * @param events mask of ::CORREU_WAIT_READ and ::CORREU_WAIT_WRITE.
 * @param timeout_ms at most this long; -1: no limit; 0: just look.
 * @return the ready subset of `events` (> 0), ::CORREU_ERR_TIMEOUT,
 *         ::CORREU_ERR_UNSUPPORTED (user ops without `wait`),
 *         ::CORREU_ERR_IO or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_transport_wait(correu_transport *t, uint32_t events,
                                                      int32_t timeout_ms);

/**
 * Receive, waiting up to a time limit for the first bytes: for blocking
 * drivers, which would otherwise call correu_transport_wait() and then
 * correu_transport_recv(). On a TCP transport it is one blocking receive
 * bounded by the socket's receive timeout (so one system call per reply
 * instead of two); from its first call on, the descriptor is in blocking
 * mode, while every other call on the handle stays non-blocking. Over
 * TLS the whole record must arrive within the limit. On a transport made
 * from the application's own operations it is the wait, then the receive.
 * @param t the handle.
 * @param buf where the bytes go.
 * @param len its size; 0 returns 0 at once.
 * @param timeout_ms at most this long; -1: no limit; 0: just look.
 * @return the byte count (> 0), ::CORREU_ERR_TIMEOUT when nothing came
 *         in time, ::CORREU_ERR_WANT_READ when bytes came that gave no
 *         data yet (a TLS record without application data, or a wake-up
 *         with nothing to read: call again), ::CORREU_ERR_WANT_WRITE (TLS
 *         must send first), ::CORREU_ERR_EOF, ::CORREU_ERR_UNSUPPORTED
 *         (user operations without `wait`), ::CORREU_ERR_ARG, or another
 *         negative code as from correu_transport_recv().
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_transport_recv_wait(correu_transport *t,
                                                                    uint8_t *buf, size_t len,
                                                                    int32_t timeout_ms);

/* ------------------------------------------------------------------ */
/* TCP                                                                 */

/** A listening TCP socket; opaque. */
typedef struct correu_tcp_listener correu_tcp_listener;

/** Buffer size that holds any peer address text, "[v6addr%scope]:port" included. */
#define CORREU_TCP_PEER_MAX 80

/** correu_tcp_listen() flag: also set SO_REUSEPORT (several listeners share a port). */
#define CORREU_TCP_REUSEPORT 1u

/**
 * Connect to a host over TCP. Every address the name resolves to (IPv6
 * and IPv4) is tried in turn within one overall time limit. Blocks until
 * connected or failed; the transport returned is non-blocking.
 *
 * Names under ".invalid" fail at once without a DNS query (RFC 6761
 * section 6.4).
 *
 * @param host a name or a numeric IPv4/IPv6 address; NUL-terminated; copied.
 * @param port TCP port (1..65535).
 * @param timeout_ms overall limit for all attempts; -1: the system's.
 * @param alloc allocator for the handle; borrowed until it is freed; NULL: libc.
 * @param out receives the connected transport.
 * @return 0, ::CORREU_ERR_RESOLVE (no address for the name),
 *         ::CORREU_ERR_CONNECT (every address refused or unreachable),
 *         ::CORREU_ERR_TIMEOUT (the limit passed first), ::CORREU_ERR_NOMEM,
 *         ::CORREU_ERR_IO, ::CORREU_ERR_ARG or ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_tcp_connect(const char *host, uint16_t port,
                                                   int32_t timeout_ms,
                                                   const correu_allocator *alloc,
                                                   correu_transport **out);

/**
 * Make a transport of a connected socket the caller already has.
 * @param fd the socket; taken over (closed by correu_transport_free(),
 *        also on failure) and switched to non-blocking mode.
 * @param alloc allocator for the handle; borrowed; NULL: libc.
 * @param out receives the transport.
 * @return 0, ::CORREU_ERR_ARG, ::CORREU_ERR_IO, ::CORREU_ERR_NOMEM or
 *         ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_tcp_from_fd(int fd, const correu_allocator *alloc,
                                                   correu_transport **out);

/**
 * Listen for TCP connections (SO_REUSEADDR is always set). The socket is
 * non-blocking.
 * @param host address to bind, NUL-terminated (e.g. "127.0.0.1", "::1");
 *        NULL: every local address (IPv6 with IPv4 mapped, where possible).
 * @param port port to listen on; 0: an ephemeral one (see
 *        correu_tcp_listener_port()).
 * @param backlog queue of not-yet-accepted connections (>= 0).
 * @param flags 0 or ::CORREU_TCP_REUSEPORT.
 * @param alloc allocator for the listener and the transports it accepts;
 *        borrowed until all of them are freed; NULL: libc.
 * @param out receives the listener.
 * @return 0, ::CORREU_ERR_RESOLVE, ::CORREU_ERR_BUSY (address in use),
 *         ::CORREU_ERR_IO, ::CORREU_ERR_NOMEM, ::CORREU_ERR_ARG or
 *         ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_tcp_listen(const char *host, uint16_t port,
                                                  int32_t backlog, uint32_t flags,
                                                  const correu_allocator *alloc,
                                                  correu_tcp_listener **out);

/**
 * Accept one pending connection, without blocking.
 * @param l the listener.
 * @param out receives a non-blocking transport for the connection.
 * @param peer_out NULL, or a buffer of at least ::CORREU_TCP_PEER_MAX bytes
 *        that receives the peer address as NUL-terminated text,
 *        "192.0.2.1:1234" or "[2001:db8::1]:1234".
 * @param peer_cap size of `peer_out`.
 * @return 0, ::CORREU_ERR_WANT_READ (nothing pending: wait for the
 *         listener's descriptor), ::CORREU_ERR_NOMEM, ::CORREU_ERR_IO or
 *         ::CORREU_ERR_ARG (also when `peer_cap` is too small).
 */
CORREU_API CORREU_NODISCARD int correu_tcp_accept(correu_tcp_listener *l, correu_transport **out,
                                                  char *peer_out, size_t peer_cap);

/**
 * The listening descriptor, for the caller's event loop (readable means a
 * connection is pending).
 * @param l the listener.
 * @return the descriptor (borrowed), or -1.
 */
CORREU_API int correu_tcp_listener_fd(const correu_tcp_listener *l);

/**
 * The port the listener is bound to (useful after asking for port 0).
 * @param l the listener.
 * @return the port (> 0), ::CORREU_ERR_IO or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_tcp_listener_port(const correu_tcp_listener *l);

/**
 * Close the listening socket and free the listener; accepted transports
 * stay valid.
 * @param l the listener; NULL is a no-op.
 */
CORREU_API void correu_tcp_listener_free(correu_tcp_listener *l);

/* ------------------------------------------------------------------ */
/* In-memory pair                                                      */

/**
 * Two connected in-memory transports, for tests and for joining two cores
 * in one process. What one sends the other receives. Each direction holds
 * at most `capacity` bytes, so a full buffer gives ::CORREU_ERR_WANT_WRITE;
 * an empty one ::CORREU_ERR_WANT_READ. Shutting down or freeing one side
 * makes the other read ::CORREU_ERR_EOF once the buffered bytes are read,
 * and fail sends with ::CORREU_ERR_CLOSED. correu_transport_wait() looks
 * without blocking (nothing can change while the one thread waits).
 *
 * @param capacity bytes buffered per direction (>= 1).
 * @param max_chunk most bytes one send or recv moves, to force partial
 *        reads and writes; 0: no limit.
 * @param alloc allocator for both handles and the buffers; borrowed until
 *        both are freed; NULL: libc.
 * @param a_out receives one end.
 * @param b_out receives the other.
 * @return 0, ::CORREU_ERR_ARG, ::CORREU_ERR_LIMIT (capacity too large to
 *         allocate) or ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_mem_pair_new(size_t capacity, size_t max_chunk,
                                                    const correu_allocator *alloc,
                                                    correu_transport **a_out,
                                                    correu_transport **b_out);

/* ------------------------------------------------------------------ */
/* TLS configuration                                                   */

/** A TLS configuration (trust anchors, own certificate, policy); opaque. */
typedef struct correu_tls_config correu_tls_config;

/** correu_tls_config_new() role: the client end. */
#define CORREU_TLS_CLIENT 0u
/** correu_tls_config_new() role: the server end. */
#define CORREU_TLS_SERVER 1u

/** Verification: the default. A client checks the chain and the host
 * name (or IP address); a server asks for no client certificate. */
#define CORREU_TLS_VERIFY_DEFAULT 0u
/** Weaker: a client checks the chain but not the host name. */
#define CORREU_TLS_VERIFY_INSECURE_NO_HOST 1u
/** Weaker still: nothing is enforced; the handshake completes and
 * correu_transport_tls_verify_flags() still says what was wrong. */
#define CORREU_TLS_VERIFY_INSECURE_NONE 2u
/** A server requires a client certificate that chains to its CAs. */
#define CORREU_TLS_VERIFY_REQUIRE_PEER 3u

/** TLS 1.2 (RFC 5246), the lowest version correu speaks. */
#define CORREU_TLS_VERSION_1_2 0x0303u
/** TLS 1.3 (RFC 8446); needs mbedTLS 3.x. */
#define CORREU_TLS_VERSION_1_3 0x0304u

/** The CA bundle a client config trusts unless told otherwise (Debian's). */
#define CORREU_TLS_SYSTEM_CA_FILE "/etc/ssl/certs/ca-certificates.crt"

/**
 * Create a TLS configuration. It owns its own entropy source and DRBG.
 * A client configuration starts out trusting ::CORREU_TLS_SYSTEM_CA_FILE
 * (if it can be read) and verifying fully; TLS 1.2 is the minimum.
 *
 * A configuration is shared by any number of transports, which borrow it:
 * it must outlive them, and must not be changed once one uses it. Transports
 * in different threads may share it when mbedTLS is built with
 * MBEDTLS_THREADING_C (Debian's is), which locks the shared DRBG.
 *
 * @param role ::CORREU_TLS_CLIENT or ::CORREU_TLS_SERVER.
 * @param alloc allocator for the configuration; borrowed until it is
 *        freed; NULL: libc. (mbedTLS's own allocations go through the
 *        mbedTLS platform allocator, which correu does not change.)
 * @param out receives the configuration.
 * @return 0, ::CORREU_ERR_ARG, ::CORREU_ERR_NOMEM, ::CORREU_ERR_CRYPTO
 *         (the DRBG could not be seeded) or ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_tls_config_new(uint32_t role,
                                                      const correu_allocator *alloc,
                                                      correu_tls_config **out);

/**
 * Free a configuration; key material is wiped.
 * @param cfg the configuration; NULL is a no-op.
 */
CORREU_API void correu_tls_config_free(correu_tls_config *cfg);

/**
 * Trust the CA certificates in a PEM or DER file (replacing the current
 * trust anchors, the system bundle included).
 * @param cfg the configuration.
 * @param path NUL-terminated file name; read during the call.
 * @return 0, ::CORREU_ERR_CERT (unreadable or no certificate parsed),
 *         ::CORREU_ERR_ARG or ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_tls_config_set_ca_file(correu_tls_config *cfg,
                                                              const char *path);

/**
 * Trust every CA certificate file in a directory (replacing the current
 * trust anchors).
 * @param cfg the configuration.
 * @param dir NUL-terminated directory name; read during the call.
 * @return as correu_tls_config_set_ca_file().
 */
CORREU_API CORREU_NODISCARD int correu_tls_config_set_ca_dir(correu_tls_config *cfg,
                                                             const char *dir);

/**
 * Trust the CA certificates in a PEM buffer (replacing the current trust
 * anchors).
 * @param cfg the configuration.
 * @param pem PEM text, NUL-terminated or not; copied.
 * @param len its length.
 * @return 0, ::CORREU_ERR_CERT, ::CORREU_ERR_NOMEM, ::CORREU_ERR_ARG or
 *         ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_tls_config_set_ca_pem(correu_tls_config *cfg,
                                                             const uint8_t *pem, size_t len);

/**
 * Set the certificate chain and private key this end presents (required
 * for a server, optional for a client). Can be set once per configuration.
 * @param cfg the configuration.
 * @param cert_path PEM/DER chain file, leaf first; NUL-terminated.
 * @param key_path PEM/DER private key file; NUL-terminated.
 * @param key_password NUL-terminated password of an encrypted key, or NULL.
 * @return 0, ::CORREU_ERR_CERT (unreadable, unparsable, or the key does not
 *         match the certificate), ::CORREU_ERR_STATE (already set),
 *         ::CORREU_ERR_ARG or ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_tls_config_set_cert_file(correu_tls_config *cfg,
                                                                const char *cert_path,
                                                                const char *key_path,
                                                                const char *key_password);

/**
 * Set the certificate chain and private key from PEM buffers.
 * @param cfg the configuration.
 * @param cert PEM chain, leaf first; copied.
 * @param cert_len its length.
 * @param key PEM private key; copied, and the copy wiped after parsing
 *        (the caller wipes its own buffer).
 * @param key_len its length.
 * @param key_password NUL-terminated password of an encrypted key, or NULL.
 * @return as correu_tls_config_set_cert_file(), or ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_tls_config_set_cert_pem(correu_tls_config *cfg,
                                                               const uint8_t *cert,
                                                               size_t cert_len,
                                                               const uint8_t *key,
                                                               size_t key_len,
                                                               const char *key_password);

/**
 * Generate a fresh P-256 key and a self-signed certificate for one host
 * name or IP address (valid from a day ago for `days` days) and use them
 * as this end's certificate; write the certificate as PEM so that a peer
 * can trust it. For demos, tests and first runs, not production.
 * @param cfg the configuration (no certificate set yet).
 * @param host DNS name or numeric IP address; NUL-terminated; copied.
 * @param days validity in days (1..36500).
 * @param pem_out buffer for the certificate PEM (NUL-terminated); 2048
 *        bytes are always enough.
 * @param pem_cap its size.
 * @param pem_len_out receives the PEM length without the NUL; may be NULL.
 * @return 0, ::CORREU_ERR_BUFFER, ::CORREU_ERR_STATE (a certificate is
 *         already set), ::CORREU_ERR_CRYPTO, ::CORREU_ERR_ARG or
 *         ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_tls_config_set_self_signed(correu_tls_config *cfg,
                                                                  const char *host,
                                                                  uint32_t days,
                                                                  uint8_t *pem_out,
                                                                  size_t pem_cap,
                                                                  size_t *pem_len_out);

/**
 * Choose how strictly the peer is verified. Anything but
 * ::CORREU_TLS_VERIFY_DEFAULT weakens security and has "INSECURE" in its
 * name, except ::CORREU_TLS_VERIFY_REQUIRE_PEER (servers only).
 * @param cfg the configuration.
 * @param mode a `CORREU_TLS_VERIFY_*` value.
 * @return 0, ::CORREU_ERR_ARG (unknown mode, or one for the other role)
 *         or ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_tls_config_set_verify(correu_tls_config *cfg,
                                                             uint32_t mode);

/**
 * Raise the lowest protocol version accepted (TLS 1.2 by default; lower
 * versions are never accepted).
 * @param cfg the configuration.
 * @param version ::CORREU_TLS_VERSION_1_2 or ::CORREU_TLS_VERSION_1_3.
 * @return 0, ::CORREU_ERR_ARG (lower or unknown version),
 *         ::CORREU_ERR_UNSUPPORTED (not in this mbedTLS).
 */
CORREU_API CORREU_NODISCARD int correu_tls_config_set_min_version(correu_tls_config *cfg,
                                                                  uint32_t version);

/**
 * Server Name Indication hook (RFC 6066 section 3): called during a server
 * handshake with the name the client asked for.
 * @param name the name; not NUL-terminated; valid during the call.
 * @param len its length.
 * @param use_out set it to another server configuration whose certificate
 *        and key this handshake should present (borrowed: it must outlive
 *        the connection), or leave it NULL for the default.
 * @param userdata as given to correu_tls_config_set_sni().
 * @return 0 to go on, or a negative code to abort the handshake.
 */
typedef int (*correu_tls_sni_fn)(const char *name, size_t len, correu_tls_config **use_out,
                                 void *userdata);

/**
 * Install the SNI hook of a server configuration.
 * @param cfg a ::CORREU_TLS_SERVER configuration.
 * @param fn the hook; NULL removes it.
 * @param userdata passed to `fn`; borrowed while the configuration is used.
 * @return 0, ::CORREU_ERR_ARG or ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_tls_config_set_sni(correu_tls_config *cfg,
                                                          correu_tls_sni_fn fn, void *userdata);

/* ------------------------------------------------------------------ */
/* TLS on a transport                                                  */

/**
 * Switch a transport to TLS in place: the handle stays the same, so a
 * protocol driver keeps its pointer. Used right after connecting (implicit
 * TLS) and for STARTTLS (RFC 3207, RFC 2595, RFC 9051 section 6.2.1).
 *
 * For STARTTLS the caller must first discard any plaintext it has already
 * read past the server's go-ahead reply: those bytes were not protected
 * and must never be treated as part of the TLS session. The transport
 * itself buffers nothing, so nothing stale is left inside it.
 *
 * The handshake then runs with correu_transport_handshake() (or implicitly
 * on the first send or recv).
 *
 * @param t a plain transport (not yet TLS).
 * @param cfg the configuration; borrowed until `t` is freed.
 * @param host for a client: the server's DNS name or numeric IP address,
 *        verified against the certificate and, for DNS names only, sent as
 *        SNI; NUL-terminated; copied. May be NULL only with
 *        ::CORREU_TLS_VERIFY_INSECURE_NO_HOST or weaker. Ignored by servers.
 * @return 0, ::CORREU_ERR_STATE (already TLS), ::CORREU_ERR_ARG,
 *         ::CORREU_ERR_NOMEM, ::CORREU_ERR_TLS or ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD int correu_transport_starttls(correu_transport *t,
                                                          const correu_tls_config *cfg,
                                                          const char *host);

/**
 * Advance the TLS handshake; call until it returns 0.
 * @param t the handle.
 * @return 0 (done, or not a TLS transport), ::CORREU_ERR_WANT_READ,
 *         ::CORREU_ERR_WANT_WRITE, ::CORREU_ERR_CERT (verification failed:
 *         see correu_transport_tls_verify_flags()), ::CORREU_ERR_TLS
 *         (protocol failure, e.g. no common version), ::CORREU_ERR_EOF,
 *         ::CORREU_ERR_IO or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_transport_handshake(correu_transport *t);

/**
 * Whether the transport runs TLS.
 * @param t the handle.
 * @return 1 if TLS has been started on it, 0 if not (or NULL).
 */
CORREU_API int correu_transport_is_tls(const correu_transport *t);

/** The chain does not lead to a trusted CA (self-signed, unknown issuer). */
#define CORREU_CERT_NOT_TRUSTED 0x0001u
/** A certificate of the chain has expired. */
#define CORREU_CERT_EXPIRED 0x0002u
/** A certificate of the chain is not valid yet. */
#define CORREU_CERT_NOT_YET_VALID 0x0004u
/** The certificate does not name the DNS host that was connected to. */
#define CORREU_CERT_HOST_MISMATCH 0x0008u
/** The certificate does not list the IP address that was connected to. */
#define CORREU_CERT_IP_MISMATCH 0x0010u
/** A certificate of the chain has been revoked (CRL). */
#define CORREU_CERT_REVOKED 0x0020u
/** The peer's certificate is self-signed (set with ::CORREU_CERT_NOT_TRUSTED). */
#define CORREU_CERT_SELF_SIGNED 0x0040u
/** A key or signature algorithm is too weak or not allowed. */
#define CORREU_CERT_WEAK 0x0080u
/** A certificate may not be used for this purpose (key usage, EKU). */
#define CORREU_CERT_BAD_USAGE 0x0100u
/** The peer sent no certificate. */
#define CORREU_CERT_MISSING 0x0200u
/** Verification has not run (no TLS, or the handshake did not get that far). */
#define CORREU_CERT_NOT_VERIFIED 0x0400u
/** Some other problem (CRL trouble, unknown mbedTLS flag). */
#define CORREU_CERT_OTHER 0x8000u

/**
 * Why the peer's certificate was rejected (or, with a weakened verify
 * mode, what was wrong with it).
 * @param t the handle.
 * @return a mask of `CORREU_CERT_*` flags; 0 when it verified.
 */
CORREU_API uint32_t correu_transport_tls_verify_flags(const correu_transport *t);

/**
 * Describe certificate flags in words, e.g. "expired, host name mismatch".
 * @param flags a mask of `CORREU_CERT_*` flags.
 * @param buf receives NUL-terminated text ("ok" for 0).
 * @param cap its size.
 * @return the text length, or ::CORREU_ERR_BUFFER (truncated, still
 *         NUL-terminated when `cap` > 0) or ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_cert_flags_text(uint32_t flags, char *buf,
                                                                size_t cap);

/**
 * The negotiated cipher suite, e.g. "TLS-ECDHE-ECDSA-WITH-AES-256-GCM-SHA384".
 * @param t the handle.
 * @return a static string, or NULL before the handshake or without TLS.
 */
CORREU_API const char *correu_transport_tls_cipher(const correu_transport *t);

/**
 * The negotiated protocol version, e.g. "TLSv1.2".
 * @param t the handle.
 * @return a static string, or NULL before the handshake or without TLS.
 */
CORREU_API const char *correu_transport_tls_version(const correu_transport *t);

/** correu_transport_tls_peer_name(): the peer certificate's subject. */
#define CORREU_TLS_PEER_SUBJECT 1u
/** correu_transport_tls_peer_name(): the peer certificate's issuer. */
#define CORREU_TLS_PEER_ISSUER 2u

/**
 * A distinguished name from the peer's certificate as text, e.g.
 * "CN=localhost, O=correu".
 * @param t the handle, after the handshake.
 * @param which ::CORREU_TLS_PEER_SUBJECT or ::CORREU_TLS_PEER_ISSUER.
 * @param buf receives NUL-terminated text.
 * @param cap its size.
 * @return the text length, ::CORREU_ERR_NOT_FOUND (no peer certificate),
 *         ::CORREU_ERR_BUFFER, ::CORREU_ERR_ARG or ::CORREU_ERR_UNSUPPORTED.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_transport_tls_peer_name(const correu_transport *t,
                                                                        uint32_t which, char *buf,
                                                                        size_t cap);

#ifdef __cplusplus
}
#endif
#endif
