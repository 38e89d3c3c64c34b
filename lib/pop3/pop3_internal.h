/*
 * Internals of the POP3 layer shared by its files: the response reader
 * (status lines, multi-line responses through the dot decoder), the
 * capability table, the command queue and the client state. Nothing here
 * is exported.
 */
#ifndef CORREU_POP3_INTERNAL_H
#define CORREU_POP3_INTERNAL_H

#include <stdbool.h>

#include "correu/codec.h"
#include "correu/pop3.h"
#include "internal.h"
#include "proto/proto_client.h"
#include "proto/proto_sasl.h"

/* ------------------------------------------------------------------ */
/* The response reader (reader.c)                                      */

/* What the reader found; 0 means the input is used up. */
#define RD_STATUS 1 /* a status line (or SASL challenge) in rd->line */
#define RD_LINE 2   /* a line of a listing (CAPA, LIST, UIDL), unstuffed */
#define RD_DATA 3   /* a piece of a RETR/TOP body in rd->line */
#define RD_END 4    /* the multi-line response ended */

enum rd_mode {
	RD_MODE_STATUS, /* status lines */
	RD_MODE_LINES,  /* multi-line listing: dot decoder, then lines */
	RD_MODE_BODY    /* multi-line message: dot decoder pieces */
};

typedef struct correu__pop3_reader {
	enum rd_mode mode;
	const correu_allocator *alloc;
	correu_line_decoder *status;  /* CRLF lines of the stream */
	correu_dot_decoder *dot;      /* multi-line data, unstuffed */
	correu_line_decoder *listing; /* lines of unstuffed listing data */
	void *mem;                    /* the three decoders */
	size_t mem_len;
	uint8_t *bufs; /* line buffers of the two line decoders */
	size_t buf_len;
	/* A piece of listing data not yet split into lines; points into the
	 * caller's input (or the dot decoder's constant CRLF) and is always
	 * used up before recv returns. */
	const uint8_t *piece;
	size_t piece_len;
	bool ended; /* the dot decoder reached the end of the data */
	int dot_err;
	const uint8_t *line; /* result of the last feed */
	size_t line_len;
} correu__pop3_reader;

int correu__pop3_reader_init(correu__pop3_reader *rd, const correu_allocator *a, size_t max_line,
                             size_t max_body_line, uint32_t dot_flags);
void correu__pop3_reader_free(correu__pop3_reader *rd);
/* Forget any partial line (after STLS). */
void correu__pop3_reader_reset(correu__pop3_reader *rd);
/* The next status line opens a multi-line response of this mode. */
void correu__pop3_reader_multi(correu__pop3_reader *rd, enum rd_mode mode);
/*
 * Consume bytes up to the next thing found (RD_*), or 0 when `in` is used
 * up; or a negative error (fatal: the stream cannot be resynchronised).
 */
int correu__pop3_reader_feed(correu__pop3_reader *rd, const uint8_t *in, size_t len,
                             size_t *consumed);
/* Bytes of a response begun but not complete. */
size_t correu__pop3_reader_pending(const correu__pop3_reader *rd);

/* ------------------------------------------------------------------ */
/* Status lines and listing lines (status.c)                           */

typedef struct correu__pop3_status {
	bool ok;
	uint32_t resp_code; /* CORREU_POP3_RESP_* */
	const char *code;   /* inside the brackets */
	size_t code_len;
	const char *text; /* after the indicator and the code */
	size_t text_len;
} correu__pop3_status;

/* "+OK", "-ERR" (then a space or the end). CORREU_ERR_SYNTAX otherwise.
 * Response codes are parsed only when `codes` is set (RFC 2449 §8). */
int correu__pop3_status_parse(const uint8_t *line, size_t len, bool codes, correu__pop3_status *st);
/* A SASL continuation "+" or "+ base64" (RFC 5034 §4): 1 with the
 * payload, 0 when the line is not one. */
int correu__pop3_challenge(const uint8_t *line, size_t len, const char **b64, size_t *b64_len);
/* "n size" (LIST, also STAT's "count size"): CORREU_ERR_PROTO unless two
 * decimal numbers that fit, then a space and anything or the end. */
int correu__pop3_parse_pair(const char *p, size_t len, uint32_t *n, uint64_t *size);
/* "n uid" (UIDL): the uid is 1..70 characters 0x21..0x7E (RFC 1939 §7). */
int correu__pop3_parse_uid(const char *p, size_t len, uint32_t *n, const char **uid,
                           size_t *uid_len);
/* The "<...@...>" timestamp in a greeting's text; 0 length when none. */
void correu__pop3_timestamp(const char *p, size_t len, size_t *off, size_t *ts_len);

/* ------------------------------------------------------------------ */
/* Capabilities (caps.c)                                               */

typedef struct correu__pop3_cap {
	size_t kw_off, kw_len, par_off, par_len; /* into caps.text */
} correu__pop3_cap;

typedef struct correu__pop3_caps {
	uint32_t mask;
	bool answered;     /* CAPA was answered with +OK */
	correu__buf text;  /* CAPA lines, copied */
	correu__buf lines; /* correu__pop3_cap entries */
} correu__pop3_caps;

void correu__pop3_caps_init(correu__pop3_caps *c, const correu_allocator *a, size_t max);
void correu__pop3_caps_clear(correu__pop3_caps *c);
void correu__pop3_caps_free(correu__pop3_caps *c);
/* Add one CAPA line. CORREU_ERR_LIMIT / NOMEM only. */
int correu__pop3_caps_add(correu__pop3_caps *c, const uint8_t *line, size_t len);
/* The parameters of a keyword, or NULL. */
const char *correu__pop3_caps_find(const correu__pop3_caps *c, const char *kw, size_t kw_len,
                                   size_t *len);

/* ------------------------------------------------------------------ */
/* Caller strings on the wire (wire.c)                                 */

/* Refuse CR, LF and NUL (and a space when `no_space`). */
int correu__pop3_check_arg(const char *p, size_t len, bool no_space);
int correu__pop3_append_str(correu__buf *out, const char *s);
/* Whether two words are the same, ASCII letters compared without case. */
bool correu__pop3_eq_nocase(const char *a, size_t alen, const char *b, size_t blen);
/* The same against a NUL-terminated word. */
bool correu__pop3_word_is(const char *p, size_t len, const char *word);
int correu__pop3_append_u32(correu__buf *out, uint32_t v);

/* ------------------------------------------------------------------ */
/* APOP digest (apop.c, apop_none.c)                                   */

/* Lower-case hex MD5 of timestamp || password into out[32]. */
int correu__pop3_apop_digest(const char *ts, size_t ts_len, const char *pass, size_t pass_len,
                             char out[32]);

/* ------------------------------------------------------------------ */
/* The client                                                          */

enum pop3_state {
	ST_GREETING, /* waiting for the greeting */
	ST_CAPA,     /* the CAPA of the start-up in flight */
	ST_STLS,     /* STLS in flight */
	ST_TLS_WAIT, /* go-ahead received; the driver upgrades */
	ST_READY,    /* commands may be queued */
	ST_QUITTING, /* QUIT queued */
	ST_CLOSED,   /* the session is over */
	ST_FAILED    /* fatal error */
};

enum pop3_login {
	LOGIN_NONE,    /* AUTHORIZATION state, nothing under way */
	LOGIN_PENDING, /* USER/PASS, APOP or AUTH queued or in flight */
	LOGIN_DONE     /* TRANSACTION state */
};

/* A command queued or sent and awaiting its reply: a record of the
 * proto layer's command ring. */
typedef struct correu__pop3_cmd {
	correu__proto_cmd q; /* the ring's part (first) */
	uint8_t cmd;   /* CORREU_POP3_CMD_* */
	uint8_t multi; /* a +OK opens a multi-line response */
	uint32_t msg;  /* the message number argument, 0 when none */
} correu__pop3_cmd;

struct correu_pop3_client {
	correu_pop3_settings set;
	const correu_allocator *alloc;
	correu_logger logger;

	enum pop3_state state;
	enum pop3_login login;
	int error;
	bool tls;
	bool utf8;    /* UTF8 accepted */
	bool in_recv; /* events are being delivered from recv */

	correu__pop3_reader rd;
	correu__pop3_caps caps;
	correu__pop3_caps capa_new; /* a CAPA response being read */
	char *timestamp;
	size_t timestamp_len;

	correu__buf out;         /* bytes to write */
	correu__proto_cmdq cmds; /* correu__pop3_cmd records, oldest first */

	/* The multi-line response being read. */
	uint8_t multi_cmd; /* 0 when none */
	uint32_t multi_msg;
	uint64_t body_bytes;

	/* AUTH: the exchange, its initial response held for the first "+". */
	correu__proto_sasl sasl;

	/* Time: the timer of the step awaited. */
	correu__proto_timer timer;
};

/* client.c */
int correu__pop3_fail(correu_pop3_client *c, int err, const char *why);
/* Deliver an event made by the caller (version and type filled here). */
int correu__pop3_deliver(correu_pop3_client *c, correu_pop3_event *ev);
int correu__pop3_emit(correu_pop3_client *c, uint32_t type, uint32_t cmd, uint32_t msg);
int correu__pop3_usable(const correu_pop3_client *c);

/* queue.c */
correu__pop3_cmd *correu__pop3_cmd_at(correu_pop3_client *c, size_t i);
/* Queue a command: its bytes (with CRLF) go to cmdq. */
int correu__pop3_queue(correu_pop3_client *c, uint8_t cmd, uint32_t msg, bool multi,
                       const uint8_t *bytes, size_t len);
/* Record a command whose reply is awaited without bytes (the greeting). */
int correu__pop3_inflight(correu_pop3_client *c, uint8_t cmd);
void correu__pop3_pop(correu_pop3_client *c);
/* Make room for `ncmds` commands of `nbytes` in all, so that queueing them
 * cannot fail half-way (USER and PASS go together). */
int correu__pop3_reserve(correu_pop3_client *c, size_t ncmds, size_t nbytes);
/* Drop the oldest queued, unsent command (a PASS after a refused USER). */
void correu__pop3_drop_next(correu_pop3_client *c);
/* Move queued commands to the output as far as the protocol allows. */
int correu__pop3_pump(correu_pop3_client *c);
/* Format "VERB", "VERB n" or "VERB n m" and queue it. */
int correu__pop3_queue_simple(correu_pop3_client *c, uint8_t cmd, const char *verb, uint32_t n,
                              bool has_n, uint32_t m, bool has_m, bool multi);

/* dispatch.c */
int correu__pop3_dispatch_status(correu_pop3_client *c, const uint8_t *line, size_t len);
int correu__pop3_dispatch_line(correu_pop3_client *c, const uint8_t *line, size_t len);
int correu__pop3_dispatch_data(correu_pop3_client *c, const uint8_t *data, size_t len);
int correu__pop3_dispatch_end(correu_pop3_client *c);
int correu__pop3_send_capa(correu_pop3_client *c);

/* commands.c */
/* Whether a command may be queued now: 0 or the error to return. */
int correu__pop3_can_queue(const correu_pop3_client *c);

/* auth.c */
int correu__pop3_auth_line(correu_pop3_client *c, const uint8_t *line, size_t len);
void correu__pop3_auth_clear(correu_pop3_client *c);

#endif
