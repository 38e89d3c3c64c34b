/*
 * What the server runtime's files share and nobody else sees (driver
 * layer): binary addresses (beyond the part in server_addr.h, which other
 * layers may use) and network lists, the keyed hash and the
 * random seed that key it, the bounded address table,
 * the auth back-off policy, the PROXY protocol parser, the deadline heap,
 * the poller and wake-up descriptor, and the loop and connection structs
 * with the steps of a connection's life (conn.c, session.c).
 */
#ifndef CORREU_SERVER_INT_H
#define CORREU_SERVER_INT_H

#include <stdatomic.h>
#include <stdbool.h>

#include "correu/server.h"
#include "internal.h"
#include "server_addr.h"

/* ---- addresses (addr.c; the type, parsing and CIDR are in server_addr.h) ---- */

bool correu__addr_is_v4(const correu__addr *a);
void correu__addr_from_v4(correu__addr *a, const uint8_t v4[4]);
/* Parse correu_tcp_accept()'s "1.2.3.4:5" or "[v6]:5". */
int correu__addr_parse_peer(correu__addr *a, uint32_t *port, const char *s);
/* From a socket address (IPv4 or IPv6). */
struct sockaddr_storage;
int correu__addr_from_sockaddr(correu__addr *a, uint32_t *port,
                               const struct sockaddr_storage *ss);
/* NUL-terminated text of an address, IPv4-mapped shown as IPv4. */
void correu__addr_text(const correu__addr *a, char out[CORREU__ADDR_TEXT]);
/* The first `bits` bits of `a` kept, the rest zeroed (IPv4 bits count
 * from the IPv4 part for a mapped address). */
void correu__addr_mask(correu__addr *a, uint32_t v4_bits, uint32_t v6_bits);

/* The runtime's trusted networks (CIDR), matched in order. */
#define CORREU__CIDR_MAX 64

/* ---- keyed hash (siphash.c) and the runtime's seed (seed.c) ---- */

#define CORREU__SIPHASH_KEY 16

/* SipHash-2-4 of data[0..len) under a 16-byte key. */
uint64_t correu__siphash24(const uint8_t key[CORREU__SIPHASH_KEY], const void *data, size_t len);
/* Fill buf with len (at most 256) random bytes from the operating
 * system: 0, CORREU_ERR_ARG (too many) or CORREU_ERR_IO. */
int correu__server_seed(uint8_t *buf, size_t len);

/* ---- bounded address table with LRU order (addrmap.c) ---- */

typedef struct correu__addrent {
	correu__addr key;
	uint32_t hnext;      /* next in the hash chain; UINT32_MAX ends it */
	uint32_t lprev, lnext; /* LRU list; UINT32_MAX ends it */
	bool used;
	uint32_t count;      /* the user's counter (connections, failures) */
	uint64_t stamp;      /* the user's time stamp */
} correu__addrent;

typedef struct correu__addrmap {
	const correu_allocator *alloc;
	/* The hash key: peers choose their addresses, so which ones share a
	 * chain must not be predictable (see addrmap.c). */
	uint8_t key[CORREU__SIPHASH_KEY];
	correu__addrent *ents;
	uint32_t *buckets;
	uint32_t cap, nbuckets, used;
	uint32_t free_head;  /* unused entries chained through hnext */
	uint32_t lru_head, lru_tail; /* head: most recently used */
} correu__addrmap;

/* A table of `cap` entries whose hash is keyed with `key` (copied). */
int correu__addrmap_init(correu__addrmap *m, const correu_allocator *a, uint32_t cap,
                         const uint8_t key[CORREU__SIPHASH_KEY]);
/* The hash chain `key` belongs to (for the tests). */
uint32_t correu__addrmap_bucket(const correu__addrmap *m, const correu__addr *key);
void correu__addrmap_deinit(correu__addrmap *m);
/* Find `key` and make it most recent; NULL when absent. */
correu__addrent *correu__addrmap_find(correu__addrmap *m, const correu__addr *key);
/* Find `key` without touching the order; NULL when absent. */
const correu__addrent *correu__addrmap_peek(const correu__addrmap *m, const correu__addr *key);
/* Find or add `key` (zeroed count and stamp); a full table forgets its least
 * recently used entry to make room. NULL only when cap is 0. */
correu__addrent *correu__addrmap_get(correu__addrmap *m, const correu__addr *key);
void correu__addrmap_remove(correu__addrmap *m, correu__addrent *e);

/* ---- auth-failure back-off (backoff.c) ---- */

typedef struct correu__backoff {
	correu__addrmap map;
	uint32_t initial_ms, max_ms, quiet_ms;
} correu__backoff;

/* The table's hash is keyed with `key` (copied). */
int correu__backoff_init(correu__backoff *b, const correu_allocator *a,
                         const correu_server_settings *s, const uint8_t key[CORREU__SIPHASH_KEY]);
void correu__backoff_deinit(correu__backoff *b);
/* Count a failure at now_ms; the delay it earns. */
uint32_t correu__backoff_fail(correu__backoff *b, const correu__addr *key, uint64_t now_ms);
void correu__backoff_success(correu__backoff *b, const correu__addr *key);
/* The delay earned so far, after decay; does not change the table order. */
uint32_t correu__backoff_delay(const correu__backoff *b, const correu__addr *key,
                               uint64_t now_ms);

/* ---- PROXY protocol (proxy.c) ---- */

/* Longest v1 header, CRLF included (haproxy proxy-protocol.txt 2.1). */
#define CORREU__PROXY_V1_MAX 107
/* The v2 fixed part: 12-byte signature, version/command, family, length. */
#define CORREU__PROXY_V2_FIXED 16

typedef struct correu__proxy_hdr {
	uint32_t version; /* 1 or 2 */
	bool local;       /* no addresses to use: keep the connection's own
	                     (v1 UNKNOWN, v2 LOCAL or an unsupported family) */
	correu__addr src, dst;
	uint32_t src_port, dst_port;
} correu__proxy_hdr;

/* Parse a header at the start of p[0..n): the header's length (> 0),
 * 0 when more bytes are needed (*need_out says how many at least, never
 * reaching past the header's end), or CORREU_ERR_SYNTAX / _LIMIT. */
correu_ssize correu__proxy_parse(const uint8_t *p, size_t n, size_t max_len,
                                 correu__proxy_hdr *out, size_t *need_out);

/* ---- deadline heap (heap.c) ---- */

typedef struct correu__heapent {
	uint64_t when;
	void *item;
	uint32_t *slot; /* where the item keeps its index; UINT32_MAX: out */
} correu__heapent;

typedef struct correu__heap {
	const correu_allocator *alloc;
	correu__heapent *v;
	uint32_t len, cap;
} correu__heap;

int correu__heap_init(correu__heap *h, const correu_allocator *a, uint32_t cap);
void correu__heap_deinit(correu__heap *h);
/* Insert, move or (when == UINT64_MAX) remove an item. */
void correu__heap_set(correu__heap *h, void *item, uint32_t *slot, uint64_t when);
/* The earliest entry, or NULL. */
const correu__heapent *correu__heap_top(const correu__heap *h);

/* ---- poller (poller_epoll.c or poller_poll.c) and wake-up (wake.c) ---- */

#define CORREU__POLL_IN 1u
#define CORREU__POLL_OUT 2u
/* Reported only: the connection is gone (reset, or both sides closed). */
#define CORREU__POLL_ERR 4u

typedef struct correu__poller correu__poller;
typedef struct correu__pollev {
	void *tag;
	uint32_t events; /* CORREU__POLL_* */
} correu__pollev;

int correu__poller_new(const correu_allocator *a, uint32_t max_fds, correu__poller **out);
void correu__poller_free(correu__poller *p);
/* Add, change (events 0 keeps the fd but watches nothing) or remove. */
int correu__poller_add(correu__poller *p, int fd, uint32_t events, void *tag);
int correu__poller_mod(correu__poller *p, int fd, uint32_t events, void *tag);
void correu__poller_del(correu__poller *p, int fd);
/* Wait; the number of events stored (0 on timeout), or CORREU_ERR_IO. */
int correu__poller_wait(correu__poller *p, int32_t timeout_ms, correu__pollev *ev, int max);

typedef struct correu__wake {
	int rfd, wfd; /* the same descriptor for an eventfd */
} correu__wake;

int correu__wake_open(correu__wake *w);
void correu__wake_close(correu__wake *w);
/* Async-signal-safe: make rfd readable. */
void correu__wake_signal(int wfd);
void correu__wake_drain(correu__wake *w);
/* Run the notify hook if correu_server_notify() was called (wake.c). */
void correu__server_run_notify(struct correu_server *srv);

/* ---- the loop and its connections (server.c, loop.c, conn.c) ---- */

/* Poller tags are listeners, connections or NULL (the wake-up descriptor);
 * both structs start with their kind. */
#define CORREU__TAG_LISTENER 1
#define CORREU__TAG_CONN 2

typedef struct correu__listener {
	int kind; /* CORREU__TAG_LISTENER */
	struct correu_server *srv;
	correu_tcp_listener *tcp; /* a TCP listener; NULL for a UNIX-domain one */
	correu_server_listen_cfg cfg;
	correu_server_core core;
	int fd;                   /* -1 once closed */
	char *path;               /* a UNIX-domain listener's socket file */
	size_t path_size;
	uint64_t dev, ino;        /* that file, so only our own is removed */
	struct correu__listener *next;
} correu__listener;

enum correu__conn_state {
	CONN_PROXY,     /* reading a PROXY header */
	CONN_HANDSHAKE, /* implicit TLS handshake, before the session exists */
	CONN_RUN,       /* the core's session runs */
	CONN_UPGRADE,   /* STARTTLS handshake */
	CONN_CLOSING    /* flushing the last output */
};

struct correu_server_conn {
	int kind; /* CORREU__TAG_CONN */
	struct correu_server *srv;
	correu__listener *lst;
	correu_transport *t;
	int fd;
	uint64_t id;
	enum correu__conn_state state;
	void *session;           /* NULL until the core's open */
	correu__addr addr;       /* the client, after PROXY */
	correu__addr key;        /* addr masked for limits and back-off */
	bool counted;            /* holds a per-IP count for key */
	char addr_text[CORREU__ADDR_TEXT];
	char local_text[CORREU__ADDR_TEXT];
	uint32_t port, local_port;
	uint32_t flags;          /* CORREU_SERVER_PEER_* */
	correu__buf in;          /* received, not yet consumed by the core */
	uint64_t last_io_ms;
	uint64_t core_deadline;  /* cached from next_deadline */
	uint64_t state_deadline; /* proxy, handshake or linger limit */
	uint32_t heap_slot;
	uint32_t poll_events;    /* what the poller watches now */
	uint32_t io_wait;        /* CORREU__POLL_* the last blocked call waits for */
	size_t retry_len;        /* a blocked TLS write is retried with this length */
	size_t discarded;        /* plaintext dropped at STARTTLS */
	bool peer_eof;           /* the client closed its side */
	bool eof_told;
	bool shutdown_told;
	bool dirty;              /* woken: look at the core again */
	bool dead;               /* closed; freed at the end of the turn */
	uint32_t auth_failures;  /* this session's */
	struct correu_server_conn *prev, *next;
};

struct correu_server {
	const correu_allocator *alloc;
	correu_server_settings set;
	correu_logger log;
	correu__poller *poller;
	correu__wake wake;
	correu__heap heap;
	correu__addrmap per_ip;
	correu__backoff backoff;
	correu__cidr trusted[CORREU__CIDR_MAX];
	uint32_t ntrusted;
	correu__listener *listeners;
	uint32_t nlisteners;
	struct correu_server_conn *conns;
	struct correu_server_conn *dead; /* closed this turn, chained by next */
	uint32_t nconns;
	uint32_t ndirty;
	uint64_t next_id;
	uint64_t now_ms;
	atomic_uint stop_grace;  /* UINT32_MAX: no request */
	atomic_bool notified;    /* correu_server_notify() since the last run */
	correu_server_notify_fn notify_fn;
	void *notify_ud;
	bool stopping;
	bool running;
	uint64_t stop_deadline;
	uint64_t accept_resume_ms; /* listeners paused until then; UINT64_MAX: not */
	correu_server_stats stats;
};

uint64_t correu__server_clock(void);
void correu__server_close_listeners(correu_server *srv);
/* Free the connections closed during this turn (loop.c). */
void correu__server_reap(correu_server *srv);
/* Drop the signal handlers' pointer to a loop being freed (wake.c). */
void correu__server_forget_signals(correu_server *srv);
/* Check a listener's configuration against the loop and allocate it with
 * a copy of cfg (server.c); the caller binds it, sets fd, then links it
 * (watched by the poller, owned by the loop). */
int correu__listener_prepare(correu_server *srv, const correu_server_listen_cfg *cfg,
                             correu__listener **out);
int correu__listener_link(correu_server *srv, correu__listener *l);
/* UNIX-domain listeners (listen_unix.c): accept one pending connection
 * (0, WANT_READ or an error), and close the socket and remove its file. */
int correu__unix_accept(correu__listener *l, correu_transport **out);
void correu__unix_close(correu__listener *l);
/* Accept what is pending on a listener (loop.c). */
void correu__server_accept(correu_server *srv, correu__listener *l);
/* Start a connection just accepted (conn.c). */
void correu__conn_start(correu_server *srv, correu__listener *l, correu_transport *t,
                        const char *peer_text);
/* React to readiness, a passed deadline, or a wake-up. */
void correu__conn_io(struct correu_server_conn *c, uint32_t events);
void correu__conn_timer(struct correu_server_conn *c);
void correu__conn_shutdown(struct correu_server_conn *c);
/* Close now: session closed, transport freed, counters released. */
void correu__conn_free(struct correu_server_conn *c);
/* "conn <id>: what[ detail][: CORREU_ERR_X]" through the loop's hook. */
void correu__conn_log(struct correu_server_conn *c, int level, const char *what,
                      const char *detail, int rc);
int correu__conn_open_session(struct correu_server_conn *c);

/* A connection's I/O steps (session.c): each returns 1 when it made
 * progress, 0 when it must wait, < 0 when the connection must close. */
void correu__conn_begin_close(struct correu_server_conn *c);
/* Read at most `cap` bytes into the input buffer: > 0, WANT_*, EOF, error. */
correu_ssize correu__conn_read(struct correu_server_conn *c, size_t cap);
/* Whether the runtime should read from the client now. */
bool correu__conn_can_read(struct correu_server_conn *c, int want);
int correu__conn_step_run(struct correu_server_conn *c);
int correu__conn_step_handshake(struct correu_server_conn *c);
/* 1 once the connection is freed, 0 while the last output waits. */
int correu__conn_step_closing(struct correu_server_conn *c);

#endif
