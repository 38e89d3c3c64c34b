/*
 * The plumbing of the blocking SMTP, POP3 and IMAP sessions (proto layer,
 * driver level; internal): connecting (TLS from the first byte, RFC 8314
 * §3.3), the I/O loop that pumps a sans-I/O client core's output to the
 * transport and feeds it what arrives, waiting with the core's deadlines,
 * the STARTTLS upgrade when the core says so, the part of a session
 * every protocol has (made, started, waited on and freed here), and the
 * little helpers every session's login and jobs need. A driver, not a
 * core: it owns a transport, reads the clock and waits. Each protocol
 * keeps its settings, its own events, its jobs and what they return.
 */
#ifndef CORREU_PROTO_SESSION_H
#define CORREU_PROTO_SESSION_H

#include <stdbool.h>

#include "correu/sasl.h"
#include "correu/transport.h"
#include "internal.h"

/*
 * A client core's byte interface (DESIGN.md: tick, send_buf, send_ack,
 * want_read, recv, eof, next_deadline, tls_done) and its free, called
 * with the core as `c`, and its type numbers for the events every core
 * reports. CORREU__PROTO_CORE makes one from a core's public functions
 * and event names.
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
	void (*free)(void *c);
	struct {
		uint32_t ready, starttls, closed, error;
	} ev;
} correu__proto_core;

/*
 * Define `static const correu__proto_core name` over the functions named
 * prefix##_tick, prefix##_send_buf and so on (e.g. prefix
 * correu_pop3_client) and the events named ev##_READY, ev##_STARTTLS,
 * ev##_CLOSED and ev##_ERROR (e.g. ev CORREU_POP3_EV): the wrappers only
 * convert the core's pointer, so the table is type-safe without casting
 * function pointers.
 */
#define CORREU__PROTO_CORE(name, prefix, ev)                                                   \
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
	static void name##_free(void *c) { prefix##_free(c); }                                 \
	static const correu__proto_core name = { name##_tick,      name##_send_buf,           \
		                                 name##_send_ack,  name##_want_read,          \
		                                 name##_recv,      name##_eof,                \
		                                 name##_next_deadline, name##_tls_done,       \
		                                 name##_free,                                 \
		                                 { ev##_READY, ev##_STARTTLS, ev##_CLOSED,    \
		                                   ev##_ERROR } }

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

/*
 * What every blocking session holds beside its protocol's own state: the
 * first member of correu_smtp_session, correu_pop3_session and
 * correu_imap_session, so that session_base.c can make, start and free
 * any of them.
 */
typedef struct correu__proto_session correu__proto_session;

/* A protocol's session as session_base.c sees it: its core's interface,
 * its size and the typed steps only the protocol can take. */
typedef struct correu__proto_kind {
	const correu__proto_core *core;
	size_t size;     /* the protocol's session, a correu__proto_session first */
	size_t rbuf_len; /* its read buffer, allocated just after it */
	/* Copy the protocol's options `opts` into the session and make its
	 * core (b->io.core); a TLS policy that trusts the channel must find
	 * t already TLS. 0 or an error. */
	int (*configure)(correu__proto_session *b, const void *opts, const correu_transport *t);
	/* Read the greeting and what follows it until the session is ready:
	 * 0 or an error. */
	int (*start_up)(correu__proto_session *b);
	/* Free what the protocol's session owns beside its core; may be NULL. */
	void (*release)(correu__proto_session *b);
} correu__proto_kind;

struct correu__proto_session {
	const correu__proto_kind *kind;
	const correu_allocator *alloc;
	correu__proto_io io; /* the transport, and the loop that drives the core */
	/* What the core's events said. */
	bool ready, closed;
	int error; /* sticky: an error ends the session */
	/* A job's wait: what it waits for (the command, POP3, or its tag's
	 * number, IMAP), and whether that came in full or the session closed. */
	uint32_t await;
	bool done;
	int fn_error; /* the first error a job's consumer returned */
	/* The last reply (POP3) or completion (IMAP) for the caller: its
	 * code and its text, NUL-terminated in room made at the start. */
	bool have_reply;
	uint32_t last_code;
	correu__buf last_text;
};

/* How to start one session, read from the protocol's options. */
typedef struct correu__proto_setup {
	const correu__proto_kind *kind;
	const void *opts;              /* the protocol's options, for configure */
	bool valid;                    /* their version and TLS mode are known */
	bool implicit;                 /* TLS from the first byte (RFC 8314 §3.3) */
	uint32_t connect_timeout_ms;   /* 0: no limit */
	const correu_tls_config *tls;  /* the caller's, borrowed; NULL: made */
	const correu_allocator *alloc; /* the settings' allocator; NULL: libc */
} correu__proto_setup;

/*
 * Define a protocol's public session life over this layer's: for the
 * protocol p (pop3) with capitals P (POP3), the options' defaults (TLS
 * mode CORREU_P_SESSION_<mode>, a 30 s connect timeout) and
 * correu_p_session_options_init(), _start(), _open() and _free(), as
 * correu/p.h documents them, for sessions of `kind`. Every session
 * options struct starts with the same head (version, tls_mode with
 * IMPLICIT its last mode, connect_timeout_ms, tls, settings with its
 * allocator), which p_setup() reads by name. Used without a semicolon.
 */
#define CORREU__PROTO_SESSION_API(p, P, mode, kind)                                               \
	static const correu_##p##_session_options p##_defaults = {                                \
		.version = CORREU_##P##_SESSION_OPTIONS_VERSION,                                  \
		.tls_mode = CORREU_##P##_SESSION_##mode,                                          \
		.connect_timeout_ms = 30000u,                                                     \
	};                                                                                        \
	void correu_##p##_session_options_init(correu_##p##_session_options *o)                   \
	{                                                                                         \
		if (o)                                                                            \
			*o = p##_defaults;                                                        \
	}                                                                                         \
	static correu__proto_setup p##_setup(const correu_##p##_session_options *opts)            \
	{                                                                                         \
		const correu_##p##_session_options *o = opts ? opts : &p##_defaults;              \
		correu__proto_setup how;                                                          \
                                                                                                  \
		how.kind = &(kind);                                                               \
		how.opts = o;                                                                     \
		how.valid = o->version == CORREU_##P##_SESSION_OPTIONS_VERSION &&                 \
		            o->tls_mode <= CORREU_##P##_SESSION_IMPLICIT;                         \
		how.implicit = o->tls_mode == CORREU_##P##_SESSION_IMPLICIT;                      \
		how.connect_timeout_ms = o->connect_timeout_ms;                                   \
		how.tls = o->tls;                                                                 \
		how.alloc = o->settings ? o->settings->allocator : NULL;                          \
		return how;                                                                       \
	}                                                                                         \
	int correu_##p##_session_start(correu_transport *t, const char *host,                     \
	                               const correu_##p##_session_options *opts,                  \
	                               correu_##p##_session **session_out)                        \
	{                                                                                         \
		return correu__proto_session_start(p##_setup(opts), t, host, session_out);        \
	}                                                                                         \
	int correu_##p##_session_open(const char *host, uint16_t port,                            \
	                              const correu_##p##_session_options *opts,                   \
	                              correu_##p##_session **session_out)                         \
	{                                                                                         \
		return correu__proto_session_open(p##_setup(opts), host, port, session_out);      \
	}                                                                                         \
	void correu_##p##_session_free(correu_##p##_session *s)                                   \
	{                                                                                         \
		correu__proto_session_free(s ? &s->base : NULL);                                  \
	}

/*
 * Make a session of how.kind over transport t (taken over, also on
 * failure; host copied, for the certificate check) and run its start-up.
 * `out` is the address of the protocol's session pointer (a
 * correu_pop3_session ** and the like), set to the session or to NULL on
 * failure. 0; CORREU_ERR_ARG (t or out NULL, or options not valid);
 * CORREU_ERR_NOMEM; configure's or the start-up's error.
 */
int correu__proto_session_start(correu__proto_setup how, correu_transport *t, const char *host,
                                void *out);

/* Connect to host:port (TLS from the first byte when how.implicit) and
 * start there; a TLS configuration made for the connection is then the
 * session's. As correu__proto_session_start(), with the connect errors. */
int correu__proto_session_open(correu__proto_setup how, const char *host, uint16_t port,
                               void *out);

/* Free the core, the protocol's own (release), the connection and b;
 * NULL is a no-op. */
void correu__proto_session_free(correu__proto_session *b);

/* Wait for a job's command, `await` in b->await while it runs, which
 * queueing answered with `queued` (its error when negative): run the I/O
 * loop until b->done. 0; the error met (kept in b->error); the first
 * error a consumer returned (then cleared: the session stays usable). */
int correu__proto_session_job(correu__proto_session *b, uint32_t await, int queued);

/* Note an event every core reports, by its type number in the core's
 * table (b->io.ops->ev): READY, STARTTLS (upgrade now), CLOSED (which
 * also ends a job's wait) or ERROR (its code kept). Any other type is
 * ignored. */
void correu__proto_session_event(correu__proto_session *b, uint32_t type, int error);

/* Before a polite close (QUIT, LOGOUT): CORREU_ERR_ARG when b is NULL,
 * the sticky error, 1 when already closed, or 0 to go on. */
int correu__proto_session_closing(const correu__proto_session *b);

/* After a polite close: shut the transport down; the session is over
 * either way, so a failure is not reported. */
void correu__proto_session_shutdown(correu__proto_session *b);

/* The last reply kept: its text ("" when none) and code. 0, or
 * CORREU_ERR_NOT_FOUND when b is NULL or no reply came yet. */
int correu__proto_session_last(const correu__proto_session *b, const char **text_out,
                               uint32_t *code_out);

#endif
