/*
 * Internals of the SMTP server core (SMTP layer, server side): the
 * service, the session state, the command-line parser and the helpers the
 * per-command files share. The client's wire helpers (path and domain
 * checks, enhanced status codes, decimal output) come from smtp_internal.h.
 * Nothing here is exported.
 */
#ifndef CORREU_SMTPD_INT_H
#define CORREU_SMTPD_INT_H

#include <stdbool.h>

#include "correu/codec.h"
#include "correu/sasl.h"
#include "correu/server.h"
#include "correu/smtp_server.h"
#include "correu/store.h"
#include "internal.h"
#include "server/core_util.h"
#include "server/lines.h"
#include "server/output.h"
#include "server/server_addr.h"
#include "smtp_internal.h"
#include "store/store_sasl.h"

/* RFC 5321 section 4.5.3.1.3: a path is at most 256 octets with its
 * brackets; 254 without them. */
#define SMTPD_MAX_PATH 256
/* RFC 5321 section 4.5.3.1.2: a domain is at most 255 octets. */
#define SMTPD_MAX_DOMAIN 255
/* ENVID is at most 100 characters (RFC 3461 section 4.4); ORCPT's
 * address 500 (section 4.2). Both are checked before decoding. */
#define SMTPD_MAX_ENVID 100
#define SMTPD_MAX_ORCPT 500
/* ESMTP parameters on one MAIL or RCPT command. */
#define SMTPD_MAX_PARAMS 16
/* Networks trusted to send XCLIENT. */
#define SMTPD_MAX_XCLIENT_NETS 16

struct correu_smtp_service {
	correu__server_svc base; /* first: allocator, store, its capabilities */
	correu_smtp_server_settings set;
	char host[SMTPD_MAX_DOMAIN + 1];
	size_t host_len;
	correu__cidr xclient[SMTPD_MAX_XCLIENT_NETS];
	size_t nxclient;
};

/* ------------------------------------------------------------------ */
/* Command lines (server_parse.c)                                      */

enum smtpd_verb {
	V_UNKNOWN,
	V_EHLO,
	V_HELO,
	V_LHLO,
	V_MAIL,
	V_RCPT,
	V_DATA,
	V_BDAT,
	V_RSET,
	V_NOOP,
	V_QUIT,
	V_HELP,
	V_VRFY,
	V_EXPN,
	V_STARTTLS,
	V_AUTH,
	V_XCLIENT
};

/* A command line split into its verb and argument (a view into the line). */
typedef struct correu__smtpd_cmd {
	enum smtpd_verb verb;
	const char *arg; /* after the verb and one space; "" when none */
	size_t arg_len;
} correu__smtpd_cmd;

/* One ESMTP parameter, "KEYWORD" or "KEYWORD=value" (views). */
typedef struct correu__smtpd_param {
	const char *kw, *val;
	size_t kw_len, val_len;
	bool has_val;
} correu__smtpd_param;

/* What MAIL FROM or RCPT TO carried (views into the line). */
typedef struct correu__smtpd_addr_cmd {
	const char *path; /* the mailbox without brackets or source route */
	size_t path_len;
	correu__smtpd_param params[SMTPD_MAX_PARAMS];
	size_t nparams;
} correu__smtpd_addr_cmd;

/* Split a line into verb and argument. Never fails: an unknown verb is
 * V_UNKNOWN. */
void correu__smtpd_parse_cmd(const uint8_t *line, size_t len, correu__smtpd_cmd *out);
/*
 * Parse "FROM:<path> params" (mail) or "TO:<path> params" (rcpt). Returns
 * 0, CORREU_ERR_SYNTAX (the command's shape), CORREU_ERR_ARG (a bad
 * address), CORREU_ERR_LIMIT (path or parameter count over the limits).
 * `utf8_ok` lets non-ASCII bytes through (the client said SMTPUTF8; the
 * parameters are read first to know that, see smtpd_has_param()).
 */
int correu__smtpd_parse_addr(const char *arg, size_t len, bool rcpt, correu__smtpd_addr_cmd *out);
/* Whether an address is acceptable: ASCII unless utf8_ok; a mailbox with
 * "@" (a null path only for MAIL; "postmaster" alone only for RCPT). */
int correu__smtpd_check_mailbox(const char *p, size_t len, bool utf8_ok, bool rcpt);
/* Decode xtext (RFC 3461 section 4) into out[cap]; CORREU_ERR_SYNTAX for
 * bad xtext or a decoded control character, CORREU_ERR_LIMIT for too long. */
correu_ssize correu__smtpd_xtext_decode(const char *p, size_t len, char *out, size_t cap);
/* Keyword equality, case-insensitive (RFC 5321 section 2.4). */
bool correu__smtpd_kw(const char *p, size_t len, const char *kw);
/* A decimal number without sign, at most 20 digits, no overflow. */
int correu__smtpd_u64(const char *p, size_t len, uint64_t *out);

/* ------------------------------------------------------------------ */
/* The session                                                         */

enum smtpd_phase {
	PH_CMD,    /* reading command lines */
	PH_AUTH,   /* reading an AUTH response line */
	PH_DATA,   /* reading the dot-stuffed body of DATA */
	PH_BDAT,   /* reading the bytes of a BDAT chunk */
	PH_TLS,    /* STARTTLS go-ahead queued; the runtime upgrades */
	PH_CLOSING /* the last reply is queued; close once it is written */
};

/* What the request in flight is for, so its completion knows what next. */
enum smtpd_wait {
	W_NONE,
	W_MAIL,      /* deliver_begin */
	W_RCPT,      /* deliver_rcpt */
	W_CHUNK,     /* deliver_data, body continues */
	W_CHUNK_END, /* deliver_data of the last chunk; commit follows */
	W_COMMIT,    /* deliver_commit */
	W_AUTH       /* the credential check of AUTH (store_sasl.h) */
};

typedef struct correu__smtpd {
	/* First, so the runtime's output entries can be the server layer's
	 * (server/output.h); bytes held back are the error delay's. */
	correu__server_out out;

	correu_smtp_service *svc;
	const correu_allocator *alloc;
	correu_server_conn *conn;
	uint64_t now;

	enum smtpd_phase phase;
	enum smtpd_wait wait;
	correu_store_req *req;
	bool tls;          /* the connection runs TLS */
	bool can_starttls; /* the listener can upgrade */
	bool trusted;      /* XCLIENT allowed */
	bool shutdown;     /* the runtime asked us to finish */
	bool peer_eof;     /* the client closed its side */
	bool stepped;      /* the last read step acted on a line */

	/* Client identity (XCLIENT may replace it). */
	char addr[CORREU__ADDR_TEXT];
	char helo[SMTPD_MAX_DOMAIN + 1];
	size_t helo_len;  /* 0: no HELO/EHLO/LHLO yet */
	bool esmtp;       /* EHLO or LHLO (not HELO) */
	bool helo_locked; /* XCLIENT named it; a later hello keeps it */
	char user[256];
	size_t user_len; /* 0: not authenticated */

	uint32_t errors;
	uint32_t transactions;

	/* Command lines: one buffer, two decoders (command and AUTH limits). */
	correu__server_lines lines;
	/* The AUTH decoder is still discarding an over-long AUTH line: it keeps
	 * reading until that line ends, and the line after it is a command. */
	bool auth_overlong;

	/* AUTH. */
	correu_sasl_server *sasl;
	correu__store_sasl sx; /* the mechanism and the user being checked */

	/* Transaction. */
	correu_store_delivery *delivery;
	uint32_t env_flags;             /* CORREU_STORE_ENV_* of MAIL */
	uint32_t nrcpt;                 /* RCPT commands offered to the backend */
	uint32_t naccepted;             /* of those, accepted */
	uint32_t lmtp_replies;          /* LMTP replies given after the data */
	char rcpt_path[SMTPD_MAX_PATH]; /* the RCPT being offered */
	size_t rcpt_path_len;
	char first_rcpt[SMTPD_MAX_PATH + 1]; /* for "for <...>" in Received */
	size_t first_rcpt_len;
	bool binary;    /* BODY=BINARYMIME: BDAT only */
	bool bdat_used; /* the transaction uses BDAT (no DATA after) */

	/* Body (DATA or BDAT). */
	void *dot_mem;
	correu_dot_decoder *dot;
	uint8_t *chunk; /* bytes gathered for the next deliver_data */
	size_t chunk_len;
	uint64_t body_size; /* message bytes so far (Received: excluded) */
	uint64_t bdat_left; /* BDAT: chunk bytes still to read */
	bool bdat_last;
	bool body_failed;  /* refuse at the end: reply in fail_* */
	bool bdat_discard; /* BDAT outside a usable transaction: skip it */
	uint32_t fail_code;
	char fail_enh[16];
	char fail_text[128];
} correu__smtpd;

/* server_reply.c: queue replies; `enh` NULL derives class.0.0. Replies of
 * 400 and more count as errors, for the delay and the disconnect. */
int correu__smtpd_reply(correu__smtpd *s, uint32_t code, const char *enh, const char *text);
int correu__smtpd_reply_n(correu__smtpd *s, uint32_t code, const char *enh, const char *text,
                          size_t len);
/* A reply the store produced (text of r->text_len bytes). */
int correu__smtpd_reply_store(correu__smtpd *s, const correu_store_result *r);
int correu__smtpd_reply_line(correu__smtpd *s, uint32_t code, bool last, const char *enh,
                             const char *text, size_t text_len);
/* Queue a 421 and close the session once it is written. */
int correu__smtpd_close_421(correu__smtpd *s, const char *enh, const char *text);
void correu__smtpd_log(correu__smtpd *s, int level, const char *msg);

/* server_core.c: the greeting; after a reply, close an idle session that
 * is shutting down or whose client has gone. */
int correu__smtpd_greet(correu__smtpd *s);
void correu__smtpd_after(correu__smtpd *s);

/* server_store.c: one request at a time; `done` continues the session. */
int correu__smtpd_req(correu__smtpd *s, enum smtpd_wait w, correu_store_req **out);
/* Handle a completed request (now or from `done`). */
int correu__smtpd_settled(correu__smtpd *s, int rc);
/* Free the request (cancelling it if pending). */
void correu__smtpd_req_end(correu__smtpd *s);
void correu__smtpd_txn_reset(correu__smtpd *s);

/* One function per command (server_*.c). */
int correu__smtpd_hello(correu__smtpd *s, const correu__smtpd_cmd *c);
int correu__smtpd_mail(correu__smtpd *s, const correu__smtpd_cmd *c);
int correu__smtpd_mail_done(correu__smtpd *s, int rc);
int correu__smtpd_rcpt(correu__smtpd *s, const correu__smtpd_cmd *c);
int correu__smtpd_rcpt_done(correu__smtpd *s, int rc);
int correu__smtpd_data(correu__smtpd *s, const correu__smtpd_cmd *c);
int correu__smtpd_bdat(correu__smtpd *s, const correu__smtpd_cmd *c);
int correu__smtpd_auth(correu__smtpd *s, const correu__smtpd_cmd *c);
int correu__smtpd_auth_line(correu__smtpd *s, const uint8_t *line, size_t len);
int correu__smtpd_auth_done(correu__smtpd *s, int rc);
void correu__smtpd_auth_clear(correu__smtpd *s);
int correu__smtpd_xclient(correu__smtpd *s, const correu__smtpd_cmd *c);
int correu__smtpd_simple(correu__smtpd *s, const correu__smtpd_cmd *c);

/* server_body.c: message bytes and their end. */
int correu__smtpd_body_begin(correu__smtpd *s);
/* Refuse the message (or BDAT chunk) once it has been read; the first
 * reason given is the one reported. */
void correu__smtpd_body_fail(correu__smtpd *s, uint32_t code, const char *enh, const char *text);
correu_ssize correu__smtpd_body_feed(correu__smtpd *s, const uint8_t *in, size_t len);
int correu__smtpd_chunk_done(correu__smtpd *s, bool last, int rc);
int correu__smtpd_commit_done(correu__smtpd *s, int rc);
/* BDAT: the announced bytes have all been read. */
int correu__smtpd_chunk_end(correu__smtpd *s);
extern const correu_store_hooks correu__smtpd_hooks;

/* server_received.c: the trace header (RFC 5321 section 4.4). */
int correu__smtpd_received(correu__smtpd *s, correu__buf *out);

/* Whether the session may offer AUTH now, and with which mechanisms. */
bool correu__smtpd_auth_offered(const correu__smtpd *s);
/* Append the offered mechanisms, space separated. */
int correu__smtpd_auth_mechs(const correu__smtpd *s, correu__buf *out);

#endif
