/*
 * Internals of the SMTP layer shared by its files: the reply reader
 * (framing and multi-line assembly), the capability table, the command
 * queue and the client state. Nothing here is exported.
 */
#ifndef CORREU_SMTP_INTERNAL_H
#define CORREU_SMTP_INTERNAL_H

#include <stdbool.h>

#include "correu/codec.h"
#include "correu/smtp.h"
#include "internal.h"
#include "proto/proto_client.h"
#include "proto/proto_sasl.h"

/* ------------------------------------------------------------------ */
/* Replies (reply.c, reader.c)                                         */

/* One reply, assembled from its lines (RFC 5321 §4.2.1). */
typedef struct correu__smtp_reply {
	unsigned code;     /* 0 until the first line */
	bool done;         /* the last line ("ddd " or "ddd") was seen */
	correu__buf text;  /* line texts joined by '\n' */
	/* The enhanced status code correu__smtp_reply_strip() took off. */
	uint32_t cls, subject, detail;
} correu__smtp_reply;

/*
 * Add one line (without CRLF) to a reply. Returns 1 when the reply is
 * complete, 0 when more lines follow, CORREU_ERR_SYNTAX for a line that is
 * not a reply line, CORREU_ERR_PROTO for a code that differs from the
 * first line's, CORREU_ERR_LIMIT / CORREU_ERR_NOMEM from the text buffer.
 */
int correu__smtp_reply_line(correu__smtp_reply *r, const uint8_t *line, size_t len);
void correu__smtp_reply_clear(correu__smtp_reply *r);

/*
 * An enhanced status code at the start of text (RFC 3463 §2, RFC 2034 §3):
 * class "." subject "." detail followed by a space or the end. The class
 * must match the reply code's first digit. Returns the bytes it spans
 * (the following space included) or 0 when there is none.
 */
size_t correu__smtp_enhanced(const char *text, size_t len, unsigned code, uint32_t *cls,
                             uint32_t *subject, uint32_t *detail);

/*
 * Take the enhanced status code off every line of a complete reply (RFC
 * 2034 §3) into r->cls, r->subject and r->detail (the first line's; all 0
 * when the first line has none, and the text is then left alone).
 */
void correu__smtp_reply_strip(correu__smtp_reply *r);

/* Line framing plus reply assembly, as the client and the fuzzer use it. */
typedef struct correu__smtp_reader {
	correu_line_decoder *dec;
	void *dec_mem;
	size_t dec_mem_len;
	uint8_t *line_buf;
	size_t line_buf_len;
	correu__smtp_reply reply;
	const correu_allocator *alloc;
} correu__smtp_reader;

int correu__smtp_reader_init(correu__smtp_reader *rd, const correu_allocator *a,
                             size_t max_line, size_t max_reply);
void correu__smtp_reader_free(correu__smtp_reader *rd);
/* Forget any partial line and reply (after STARTTLS). */
void correu__smtp_reader_reset(correu__smtp_reader *rd);
/*
 * Consume bytes up to the end of the next complete reply. Returns 1 with a
 * reply ready in rd->reply (cleared by the next call), 0 when `in` is used
 * up, or a negative error (fatal: the stream cannot be resynchronised).
 */
int correu__smtp_reader_feed(correu__smtp_reader *rd, const uint8_t *in, size_t len,
                             size_t *consumed);
/* Bytes of a reply begun but not complete (a cut line or multi-line reply). */
size_t correu__smtp_reader_pending(const correu__smtp_reader *rd);

/* ------------------------------------------------------------------ */
/* Capabilities (caps.c)                                               */

typedef struct correu__smtp_cap {
	size_t kw_off, kw_len, par_off, par_len; /* into caps.text */
} correu__smtp_cap;

typedef struct correu__smtp_caps {
	uint32_t mask;
	uint64_t max_size;
	correu__buf text;  /* EHLO lines after the first, copied */
	correu__buf lines; /* correu__smtp_cap entries */
	correu__buf auth;  /* the AUTH mechanisms, space separated */
} correu__smtp_caps;

void correu__smtp_caps_init(correu__smtp_caps *c, const correu_allocator *a, size_t max);
void correu__smtp_caps_clear(correu__smtp_caps *c);
void correu__smtp_caps_free(correu__smtp_caps *c);
/* Parse an EHLO reply's text (lines joined by '\n'; the first is the
 * server's greeting and is skipped). CORREU_ERR_NOMEM / LIMIT only. */
int correu__smtp_caps_parse(correu__smtp_caps *c, const char *text, size_t len);

/* ------------------------------------------------------------------ */
/* Caller strings on the wire (wire.c)                                 */

/* A path (address without brackets); utf8 allows bytes over 127. */
int correu__smtp_check_path(const char *p, size_t len, bool utf8);
/* An EHLO name: a domain or an address literal. */
int correu__smtp_check_domain(const char *p, size_t len);
/* Append the xtext form (RFC 3461 §4) of bytes; refuses controls and NUL. */
int correu__smtp_xtext(correu__buf *out, const char *p, size_t len);
/* Append the utf-8-addr-xtext form (RFC 6533 §3) of a UTF-8 address;
 * refuses controls, NUL and malformed UTF-8. */
int correu__smtp_utf8_xtext(correu__buf *out, const char *p, size_t len);
/* Append a decimal number. */
int correu__smtp_append_u64(correu__buf *out, uint64_t v);
int correu__smtp_append_str(correu__buf *out, const char *s);

/* ------------------------------------------------------------------ */
/* The client                                                          */

enum smtp_state {
	ST_GREETING, /* waiting for the greeting */
	ST_HELLO,    /* EHLO/HELO/LHLO in flight */
	ST_STARTTLS, /* STARTTLS in flight */
	ST_TLS_WAIT, /* go-ahead received; the driver upgrades */
	ST_READY,    /* commands may be queued */
	ST_QUITTING, /* QUIT queued */
	ST_CLOSED,   /* the session is over */
	ST_FAILED    /* fatal error */
};

enum smtp_txn {
	TXN_IDLE,   /* no transaction */
	TXN_OPEN,   /* MAIL queued; RCPT allowed */
	TXN_DATA,   /* DATA queued or body flowing */
	TXN_ENDING, /* body ended; awaiting the result */
	TXN_FAILED  /* refused; a new MAIL may follow */
};

enum smtp_body {
	BODY_NONE,
	BODY_DOT,   /* DATA body flowing */
	BODY_BDAT   /* BDAT chunks flowing */
};

/* A command queued or sent and awaiting its reply: a record of the
 * proto layer's command ring. */
typedef struct correu__smtp_cmd {
	correu__proto_cmd q; /* the ring's part (first) */
	uint8_t cmd;      /* CORREU_SMTP_CMD_* */
	uint32_t index;   /* recipient index for RCPT */
	uint32_t gen;     /* transaction generation it belongs to */
	uint32_t replies; /* LMTP end of data: replies still due (0: not yet known) */
} correu__smtp_cmd;

/* An internal marker in the queue: start a BDAT body here (no bytes). */
#define CMD_BDAT_START 200u

struct correu_smtp_client {
	correu_smtp_settings set;
	const correu_allocator *alloc;
	correu_logger logger;
	char *ehlo_name;
	size_t ehlo_name_len;

	enum smtp_state state;
	int error;
	bool tls;
	bool esmtp; /* EHLO (not HELO) succeeded */
	bool in_recv; /* inside correu_smtp_client_recv(): events are being delivered */

	correu__smtp_reader rd;
	correu__smtp_caps caps;

	correu__buf out;         /* bytes to write */
	correu__proto_cmdq cmds; /* correu__smtp_cmd records, oldest first */

	/* Transaction. */
	enum smtp_txn txn;
	uint32_t gen;
	uint32_t ev_gen; /* transaction of the reply being dispatched, or 0 */
	bool mail_ok; /* the server accepted MAIL */
	uint32_t nrcpt;
	uint32_t naccepted;
	correu__buf accepted; /* LMTP: (transaction, index) of accepted recipients */
	bool binary;
	bool utf8;
	enum smtp_body body;
	void *enc_mem;
	correu_dot_encoder *enc;

	/* AUTH: the exchange, its initial response held for the first 334. */
	correu__proto_sasl sasl;
	bool authenticated; /* RFC 4954 §4: one successful AUTH per session */

	/* Time: the timer of the step awaited. */
	correu__proto_timer timer;
};

/* client.c */
int correu__smtp_fail(correu_smtp_client *c, int err, const char *why);
int correu__smtp_emit(correu_smtp_client *c, uint32_t type, uint32_t cmd,
                      const correu__smtp_reply *r, uint32_t index);

/* queue.c */
correu__smtp_cmd *correu__smtp_cmd_at(correu_smtp_client *c, size_t i);
/* Queue a command: its bytes (with CRLF) go to cmdq. */
int correu__smtp_queue(correu_smtp_client *c, uint8_t cmd, uint32_t index,
                       const uint8_t *bytes, size_t len);
/* Record a command whose bytes are already in `out` (sent at once). */
int correu__smtp_inflight(correu_smtp_client *c, uint8_t cmd, uint32_t index);
void correu__smtp_pop(correu_smtp_client *c);
/* Move queued commands to the output as far as the protocol allows. */
int correu__smtp_pump(correu_smtp_client *c);
bool correu__smtp_pipelining(const correu_smtp_client *c);
/* A fixed command line, CRLF included ("RSET\r\n"). */
int correu__smtp_queue_simple(correu_smtp_client *c, uint8_t cmd, const char *line);

/* dispatch.c */
int correu__smtp_dispatch(correu_smtp_client *c, correu__smtp_reply *r);
int correu__smtp_send_hello(correu_smtp_client *c);

/* auth.c */
int correu__smtp_auth_reply(correu_smtp_client *c, correu__smtp_reply *r);
void correu__smtp_auth_clear(correu_smtp_client *c);

/* body.c */
int correu__smtp_body_begin(correu_smtp_client *c);

#endif
