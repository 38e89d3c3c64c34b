/*
 * The plumbing of the blocking SMTP, POP3 and IMAP sessions (proto layer,
 * driver level; internal): connecting (TLS from the first byte, RFC 8314
 * §3.3), the I/O loop that pumps a sans-I/O client core's output to the
 * transport and feeds it what arrives, waiting with the core's deadlines,
 * the STARTTLS upgrade when the core says so, and the little helpers every
 * session's login and jobs need. A driver, not a core: it owns a
 * transport, reads the clock and waits. Each protocol keeps its events,
 * its jobs and what they return.
 */
#ifndef CORREU_PROTO_SESSION_H
#define CORREU_PROTO_SESSION_H

#include <stdbool.h>

#include "correu/sasl.h"
#include "correu/transport.h"
#include "internal.h"

/*
 * A client core's byte interface (DESIGN.md: tick, send_buf, send_ack,
 * want_read, recv, eof, next_deadline, tls_done), called with the core as
 * `c`. CORREU__PROTO_CORE makes one from a core's public functions.
 */
typedef struct correu__proto_core {
	int (*tick)(void *c, uint64_t now_ms);
	const uint8_t *(*send_buf)(void *c, size_t *len_out);
	int (*send_ack)(void *c, size_t n);
	int (*want_read)(void *c);
	correu_ssize (*recv)(void *c, const uint8_t *in, size_t len, uint64_t now_ms);
	int (*eof)(void *c);
	uint64_t (*next_deadline)(void *c);
	int (*tls_done)(void *c);
} correu__proto_core;

/*
 * Define `static const correu__proto_core name` over the functions named
 * prefix##_tick, prefix##_send_buf and so on (e.g. prefix
 * correu_pop3_client): the wrappers only convert the core's pointer, so
 * the table is type-safe without casting function pointers.
 */
#define CORREU__PROTO_CORE(name, prefix)                                                     \
	static int name##_tick(void *c, uint64_t now) { return prefix##_tick(c, now); }        \
	static const uint8_t *name##_send_buf(void *c, size_t *len)                           \
	{                                                                                      \
		return prefix##_send_buf(c, len);                                              \
	}                                                                                      \
	static int name##_send_ack(void *c, size_t n) { return prefix##_send_ack(c, n); }      \
	static int name##_want_read(void *c) { return prefix##_want_read(c); }                 \
	static correu_ssize name##_recv(void *c, const uint8_t *in, size_t len, uint64_t now) \
	{                                                                                      \
		return prefix##_recv(c, in, len, now);                                         \
	}                                                                                      \
	static int name##_eof(void *c) { return prefix##_eof(c); }                             \
	static uint64_t name##_next_deadline(void *c) { return prefix##_next_deadline(c); }    \
	static int name##_tls_done(void *c) { return prefix##_tls_done(c); }                   \
	static const correu__proto_core name = { name##_tick,      name##_send_buf,           \
		                                 name##_send_ack,  name##_want_read,          \
		                                 name##_recv,      name##_eof,                \
		                                 name##_next_deadline, name##_tls_done }

/* A session's connection: the transport and what upgrading it needs. */
typedef struct correu__proto_io {
	const correu__proto_core *ops;
	void *core;                   /* the protocol's client core, borrowed */
	const correu_allocator *alloc;
	correu_transport *t;          /* owned */
	const correu_tls_config *tls; /* the caller's, borrowed; NULL: own_tls */
	correu_tls_config *own_tls;   /* made when the caller gave none */
	char *host;                   /* for the certificate check; may be NULL */
	size_t host_len;
	uint8_t *rbuf; /* the session's read buffer, borrowed */
	size_t rbuf_len;
	bool starttls; /* set by the protocol's event callback: upgrade now */
	bool sent;     /* the last round sent: a reply cannot be here yet */
} correu__proto_io;

/* Now on a monotonic clock, in ms. */
uint64_t correu__proto_now_ms(void);

/* The SCRAM nonce source: the kernel's CSPRNG (a correu_sasl_random_fn). */
int correu__proto_os_random(uint8_t *buf, size_t len, void *userdata);

/*
 * Connect to host:port within timeout_ms (0: no limit) and, when
 * `implicit`, start TLS on it at once with *tls, or with a configuration
 * made here when *tls is NULL (then *tls and *own_out point to it; the
 * caller frees it after the transport). 0, or the transport's error
 * (nothing is left to free).
 */
int correu__proto_connect(const char *host, uint16_t port, uint32_t timeout_ms,
                          const correu_allocator *a, bool implicit,
                          const correu_tls_config **tls, correu_transport **t_out,
                          correu_tls_config **own_out);

/*
 * Set io up over transport t (taken over even on failure), copying host
 * and borrowing the caller's TLS configuration and read buffer; ops and
 * core are the caller's to set once the core exists. 0 or
 * CORREU_ERR_NOMEM; correu__proto_io_free() either way.
 */
int correu__proto_io_init(correu__proto_io *io, const correu_allocator *a, correu_transport *t,
                          const char *host, const correu_tls_config *tls, uint8_t *rbuf,
                          size_t rbuf_len);

/* Free the transport, then the TLS configuration it borrows, and host. */
void correu__proto_io_free(correu__proto_io *io);

/*
 * One round of I/O by the core's wishes: the TLS upgrade it asked for, or
 * write, or read, or wait until its deadline or `wake` (UINT64_MAX: none),
 * whichever comes first; reaching `wake` is not a timeout. 0 or an error
 * (CORREU_ERR_TIMEOUT, CORREU_ERR_EOF, CORREU_ERR_STATE when the core
 * wants nothing, the transport's or the core's).
 */
int correu__proto_io_round(correu__proto_io *io, uint64_t wake);

/*
 * A round for a session whose sticky error is *error: that error if set,
 * else the round's result, which is kept in *error when it fails.
 */
int correu__proto_io_step(correu__proto_io *io, int *error, uint64_t wake);

/* Write what the core left for a failing session (a final QUIT),
 * briefly and ignoring errors: the session ends either way. */
void correu__proto_io_flush(correu__proto_io *io);

/* The credentials and SASL settings for a password login; the strings
 * are borrowed for as long as cr is used. random NULL: the kernel's. */
void correu__proto_login_sasl(correu_sasl_credentials *cr, correu_sasl_settings *ss,
                              const char *user, const char *password,
                              const correu_allocator *a, correu_sasl_random_fn random,
                              void *random_userdata);

/* Keep a reply's text, NUL-terminated and cut to fit, in b's room made
 * beforehand (never allocates). */
void correu__proto_keep_text(correu__buf *b, const char *text, size_t len);

/* A body consumer that writes each chunk whole to the file descriptor
 * *(int *)userdata: 0 or CORREU_ERR_IO. */
int correu__proto_write_fd(const uint8_t *data, size_t len, void *userdata);

#endif
