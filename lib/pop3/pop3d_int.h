/*
 * Internals of the POP3 server core (POP3 layer, server side): the
 * service with its maildrop lock table, the session state, and the
 * helpers the per-command files share. The client's wire helpers (case
 * folding, decimal output, base64, the APOP digest) come from
 * pop3_internal.h; the SASL exchange against the store is the store
 * layer's bridge (store/store_sasl.h) that every server core uses.
 * Nothing here is exported.
 */
#ifndef CORREU_POP3D_INT_H
#define CORREU_POP3D_INT_H

#include <stdbool.h>

#include "correu/codec.h"
#include "correu/pop3_server.h"
#include "correu/sasl.h"
#include "correu/server.h"
#include "correu/store.h"
#include "internal.h"
#include "pop3_internal.h"
#include "server/core_util.h"
#include "server/lines.h"
#include "server/output.h"
#include "store/store_sasl.h"

/* RFC 1035 section 2.3.4: a host name is at most 255 octets. */
#define POP3D_MAX_HOST 255
/* IMPLEMENTATION text we keep (RFC 2449 section 6.9 sets no limit; a
 * capability line must fit the 512-octet response limit). */
#define POP3D_MAX_IMPL 200
/* A user name as the store's default `max_user`. */
#define POP3D_MAX_USER CORREU__STORE_SASL_USER
/* The APOP timestamp: "<" 32 hex "." 20 digits "@" host ">". */
#define POP3D_MAX_TS (POP3D_MAX_HOST + 64)
/* DELE'd UID ranges handed to the store per request at QUIT; below the
 * store's default `max_ranges`, so any store settings accept a batch. */
#define POP3D_RANGE_BATCH 1024
/* A secret APOP may fetch. */
#define POP3D_MAX_SECRET 1024

typedef struct correu__pop3d correu__pop3d;

struct correu_pop3_service {
	correu__server_svc base; /* first: allocator, store, its capabilities */
	correu_pop3_server_settings set;
	char host[POP3D_MAX_HOST + 1];
	char impl[POP3D_MAX_IMPL + 1];
	correu__pop3d *locked; /* sessions holding a maildrop (RFC 1939 section 8) */
	size_t sessions;       /* sessions open */
};

/* The maildrop lock table (server_service.c): keyed by canonical user. */
bool correu__pop3d_lock(correu__pop3d *s);
void correu__pop3d_unlock(correu__pop3d *s);

/* ------------------------------------------------------------------ */
/* Commands (server_parse.c)                                           */

enum pop3d_verb {
	V_UNKNOWN,
	V_USER, V_PASS, V_APOP, V_AUTH, V_CAPA, V_STLS, V_UTF8, V_QUIT,
	V_STAT, V_LIST, V_UIDL, V_RETR, V_TOP, V_DELE, V_RSET, V_NOOP
};

typedef struct correu__pop3d_cmd {
	enum pop3d_verb verb;
	const char *arg; /* after the verb and one space; "" when none */
	size_t arg_len;
} correu__pop3d_cmd;

/* Split a line into verb and argument; an unknown verb is V_UNKNOWN. */
void correu__pop3d_parse_cmd(const uint8_t *line, size_t len, correu__pop3d_cmd *out);
/* A decimal number without sign or leading space, 1..10 digits, that fits
 * 32 bits: 0 or CORREU_ERR_SYNTAX. */
int correu__pop3d_u32(const char *p, size_t len, uint32_t *out);
/* Split "a b" at the one space; CORREU_ERR_SYNTAX for none or more. */
int correu__pop3d_two(const char *p, size_t len, const char **a, size_t *alen, const char **b,
                      size_t *blen);

/* ------------------------------------------------------------------ */
/* The session                                                         */

enum pop3d_state {
	PS_AUTH,    /* AUTHORIZATION (RFC 1939 section 4) */
	PS_TRANS,   /* TRANSACTION */
	PS_TLS,     /* STLS go-ahead queued; the runtime upgrades */
	PS_CLOSING  /* the last reply is queued; close once it is written */
};

/* The store request in flight, so its completion knows what next. */
enum pop3d_wait {
	W_NONE,
	W_PASS,    /* auth_password for USER/PASS */
	W_SASL,    /* the credential lookup of AUTH */
	W_SESSION, /* session_open after authentication */
	W_SELECT,  /* select INBOX */
	W_OPEN,    /* message_open for RETR/TOP */
	W_READ,    /* stream_read */
	W_FLAGS,   /* QUIT: set \Seen on what RETR sent, then \Deleted on
	              the DELE'd messages */
	W_EXPUNGE  /* QUIT: expunge them */
};

/* A multi-line answer being produced as the output drains. */
enum pop3d_job {
	J_NONE,
	J_LIST,  /* LIST without argument */
	J_UIDL,  /* UIDL without argument */
	J_BODY   /* RETR or TOP */
};

typedef struct correu__pop3d_msg {
	uint32_t uid;
	/* Marks in bytes, so an entry stays 16 bytes. */
	uint8_t deleted;  /* marked by DELE */
	uint8_t seen;     /* had \Seen at select */
	uint8_t retr;     /* RETR sent it: \Seen is added at QUIT unless `seen` */
	uint64_t size;
} correu__pop3d_msg;

struct correu__pop3d {
	/* First, so the runtime's output entries can be the server layer's
	 * (server/output.h); bytes held back are the auth failure delay's. */
	correu__server_out out;

	correu_pop3_service *svc;
	const correu_allocator *alloc;
	correu_server_conn *conn;
	uint64_t now;

	enum pop3d_state state;
	enum pop3d_wait wait;
	enum pop3d_job job;
	correu_store_req *req;
	bool req_pending;  /* `req` waits for the backend's answer */
	bool auth_skip;    /* dropping the rest of an overlong AUTH line */
	bool tls;          /* the connection runs TLS */
	bool can_stls;     /* the listener can upgrade */
	bool shutdown;     /* the runtime asked us to finish */
	bool peer_eof;     /* the client closed its side */
	bool utf8;         /* UTF8 was given (RFC 6856 section 2) */
	bool in_auth;      /* reading AUTH response lines */

	uint32_t errors;

	/* Command lines: one buffer, two decoders (command and AUTH limits). */
	correu__server_lines lines;

	/* AUTHORIZATION. */
	char user[POP3D_MAX_USER + 1]; /* USER's name, then the canonical one */
	size_t user_len;
	bool user_given;
	char ts[POP3D_MAX_TS + 1]; /* APOP timestamp, "" when APOP is off */
	size_t ts_len;
	correu_sasl_server *sasl;
	correu__store_sasl sx;

	/* The maildrop (TRANSACTION). */
	correu_store_session *session;
	correu_store_box *box;
	uint32_t uidvalidity;
	correu__pop3d_msg *msgs;
	uint32_t nmsgs, msgs_cap;
	bool too_many;        /* the select listed more than max_messages */
	bool locked;          /* on the service's lock list */
	correu__pop3d *lock_next, *lock_prev;

	/* Jobs. */
	uint32_t cursor;      /* next message index of a listing */
	correu_store_stream *stream;
	void *enc_mem;
	correu_dot_encoder *enc;
	bool top;             /* TOP: stop after `lines_left` body lines */
	uint32_t lines_left;
	bool in_body, line_nonempty, cut, stream_end;

	/* QUIT. */
	bool seen_done;       /* the \Seen pass is over; deletions follow */
	uint32_t *ranges;     /* pairs of first, last UID */
	size_t nranges, range_pos, range_cap, batch;
};

/* server_reply.c. Reply lines are "+OK text" or "-ERR [CODE] text". */
int correu__pop3d_ok(correu__pop3d *s, const char *text);
/* `code` is an RFC 2449/3206 response code without brackets, or NULL.
 * Every -ERR counts towards max_errors; past it the session closes. */
int correu__pop3d_err(correu__pop3d *s, const char *code, const char *text);
/* Append raw bytes to the output (the caller adds CRLF). */
int correu__pop3d_raw(correu__pop3d *s, const void *p, size_t n);
/* Queue a last -ERR and close once it is written. */
int correu__pop3d_close_err(correu__pop3d *s, const char *code, const char *text);
void correu__pop3d_log(correu__pop3d *s, int level, const char *msg);
/* Output bytes queued (held ones included). */
size_t correu__pop3d_queued(const correu__pop3d *s);

/* server_store.c: one request at a time; completion continues the session. */
int correu__pop3d_req(correu__pop3d *s, enum pop3d_wait w, correu_store_req **out);
/* Act on a request that completed (now, or from the `done` hook). */
int correu__pop3d_settled(correu__pop3d *s, int rc);
void correu__pop3d_req_end(correu__pop3d *s);
/* Start the store call for a request already made; settle it if it
 * completed now. */
int correu__pop3d_started(correu__pop3d *s, int rc);
extern const correu_store_hooks correu__pop3d_hooks;

/* server_command.c: take at most one command line from `in`; the bytes
 * consumed, or a negative error. */
int correu__pop3d_read_line(correu__pop3d *s, const uint8_t *in, size_t len);

/* server_core.c */
/* After a reply: close an idle session that is shutting down or whose
 * client has gone. */
void correu__pop3d_after(correu__pop3d *s);

/* One file per group of commands. */
int correu__pop3d_capa(correu__pop3d *s, const correu__pop3d_cmd *c);
int correu__pop3d_stls(correu__pop3d *s, const correu__pop3d_cmd *c);
int correu__pop3d_utf8(correu__pop3d *s, const correu__pop3d_cmd *c);
bool correu__pop3d_plain_ok(const correu__pop3d *s);   /* passwords may be sent now */
bool correu__pop3d_user_offered(const correu__pop3d *s);
bool correu__pop3d_apop_offered(const correu__pop3d *s);
/* Append the mechanisms usable now, `sep` between: their count or an error. */
int correu__pop3d_sasl_mechs(const correu__pop3d *s, correu__buf *out, const char *sep);
/* The CORREU_SASL_* mechanism the client named, if usable now; else 0. */
int correu__pop3d_find_mech(const correu__pop3d *s, const char *p, size_t len);

int correu__pop3d_user(correu__pop3d *s, const correu__pop3d_cmd *c);
int correu__pop3d_pass(correu__pop3d *s, const correu__pop3d_cmd *c);
int correu__pop3d_apop(correu__pop3d *s, const correu__pop3d_cmd *c);
int correu__pop3d_pass_done(correu__pop3d *s, int rc);
/* Authentication succeeded for s->user: lock, open the maildrop. */
int correu__pop3d_login(correu__pop3d *s);
int correu__pop3d_session_done(correu__pop3d *s, int rc);
int correu__pop3d_select_done(correu__pop3d *s, int rc);
/* Record a failed authentication: back-off, [AUTH] reply or disconnect. */
int correu__pop3d_auth_failed(correu__pop3d *s, const char *code, const char *text);
/* Make the APOP timestamp (server_login.c). */
int correu__pop3d_make_ts(correu__pop3d *s, uint64_t conn_id);

int correu__pop3d_auth(correu__pop3d *s, const correu__pop3d_cmd *c);
int correu__pop3d_auth_line(correu__pop3d *s, const uint8_t *line, size_t len);
int correu__pop3d_sasl_done(correu__pop3d *s, int rc);
void correu__pop3d_auth_clear(correu__pop3d *s);

/* server_maildrop.c */
int correu__pop3d_msg_hook(correu__pop3d *s, const correu_store_msg *m);
int correu__pop3d_stat(correu__pop3d *s, const correu__pop3d_cmd *c);
int correu__pop3d_list(correu__pop3d *s, const correu__pop3d_cmd *c);
int correu__pop3d_dele(correu__pop3d *s, const correu__pop3d_cmd *c);
int correu__pop3d_rset(correu__pop3d *s, const correu__pop3d_cmd *c);
/* A message number argument: 0 and the index; 1 when an -ERR was
 * queued instead; or a negative error. */
int correu__pop3d_msgno(correu__pop3d *s, const char *p, size_t len, uint32_t *idx);
/* "+OK n messages (m octets)" for PASS, APOP, AUTH, RSET. */
int correu__pop3d_ok_maildrop(correu__pop3d *s, const char *prefix);
void correu__pop3d_maildrop_free(correu__pop3d *s);

/* server_retr.c */
int correu__pop3d_retr(correu__pop3d *s, const correu__pop3d_cmd *c);
int correu__pop3d_open_done(correu__pop3d *s, int rc);
int correu__pop3d_read_done(correu__pop3d *s, int rc);
void correu__pop3d_body_end(correu__pop3d *s);

/* The multi-line answer in progress: produce more while the output is
 * below its mark (server_maildrop.c for listings, server_retr.c for
 * bodies). */
int correu__pop3d_produce(correu__pop3d *s);
int correu__pop3d_listing_more(correu__pop3d *s);
int correu__pop3d_body_more(correu__pop3d *s);

/* server_quit.c */
int correu__pop3d_quit(correu__pop3d *s, const correu__pop3d_cmd *c);
int correu__pop3d_quit_done(correu__pop3d *s, enum pop3d_wait w, int rc);

#endif
