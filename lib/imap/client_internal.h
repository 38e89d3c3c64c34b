/*
 * Internals of the IMAP client core (IMAP layer), shared by its files and
 * never exported: a command as built (its bytes cut into segments at the
 * literals), the command list with tags and the send position, the
 * capability set and the client handle. The response parser underneath is
 * the one of imap_internal.h, used through its public API only.
 */
#ifndef CORREU_IMAPC_INTERNAL_H
#define CORREU_IMAPC_INTERNAL_H

#include <stdbool.h>

#include "correu/codec.h"
#include "correu/imap.h"
#include "correu/sasl.h"
#include "internal.h"
#include "proto/proto_client.h"
#include "proto/proto_sasl.h"

/* ------------------------------------------------------------------ */
/* Commands as built (build.c)                                          */

/* RFC 7888 §4: with LITERAL- only literals up to this size may be
 * non-synchronizing. */
#define IMAP_LITERAL_MINUS_MAX 4096u

/* How literals are sent, decided from the capabilities when built. */
enum lit_mode {
	LIT_SYNC,  /* "{n}": wait for "+" */
	LIT_MINUS, /* "{n+}" up to 4096 bytes, "{n}" above (LITERAL-) */
	LIT_PLUS   /* "{n+}" always (LITERAL+) */
};

enum seg_kind {
	SEG_TEXT,  /* bytes of cmd->text: [off, off + len) */
	SEG_SYNC,  /* stop until the server's "+" */
	SEG_STREAM /* `size` bytes from the reader */
};

typedef struct correu__imapc_seg {
	uint8_t kind;
	uint8_t binary; /* a literal8: NUL allowed */
	size_t off, len;
	uint64_t size;
	correu_imap_reader_fn fn;
	void *ud;
} correu__imapc_seg;

typedef struct correu__imapc_cmd {
	struct correu__imapc_cmd *next;
	uint32_t kind; /* CORREU_IMAP_CMD_* */
	uint32_t id;   /* returned to the caller; 0 for the core's own */
	uint32_t tag;  /* "A<tag>", given when queued so tags go out in order */
	char tagtext[16];
	uint8_t tag_len, tag_sent; /* bytes of "A<tag> " and those moved out */
	bool barrier;              /* nothing behind it is sent until it completes */
	bool secret;               /* its bytes hold a password: wiped */
	bool done;                 /* completed; kept only while its bytes still drain */
	bool waiting;              /* stopped at a SYNC segment */
	bool cont;                 /* a "+" arrived for the SYNC it stopped at */
	correu__buf text;
	correu__imapc_seg *segs;
	size_t nsegs, segs_cap;
	size_t seg;    /* the segment being sent */
	uint64_t sent; /* bytes of that segment already moved to the output */
	bool all_out;  /* every byte moved to the output */
	bool any_out;  /* some byte moved to the output */
	size_t left;   /* bytes of `text` not yet moved (counted in queued) */
	bool unlinked; /* retired and out of the list: free it */
} correu__imapc_cmd;

/* The rules the builder follows, taken from the client when a command is
 * begun. */
typedef struct correu__imapc_rules {
	enum lit_mode lit;
	bool utf8;   /* UTF8=ACCEPT enabled: names and quoted strings in UTF-8 */
	bool binary; /* literal8 allowed (BINARY) */
	uint32_t max_quoted;
} correu__imapc_rules;

/* An empty command; `max` bounds its inline bytes. The tag is given
 * with correu__imapc_cmd_tag() when it is queued and sent before them. */
int correu__imapc_cmd_new(const correu_allocator *a, uint32_t kind, size_t max,
                          correu__imapc_cmd **out);
void correu__imapc_cmd_tag(correu__imapc_cmd *cmd, uint32_t tag);
void correu__imapc_cmd_free(const correu_allocator *a, correu__imapc_cmd *cmd);
/* Append bytes as they are (the caller checked them). */
int correu__imapc_put(correu__imapc_cmd *cmd, const char *p, size_t len);
int correu__imapc_put_str(correu__imapc_cmd *cmd, const char *s);
int correu__imapc_put_u64(correu__imapc_cmd *cmd, uint64_t v);
/* A space, unless the command already ends in a space or "(". */
int correu__imapc_put_sp(correu__imapc_cmd *cmd);
/* Raw syntax: CR, LF and NUL refused. */
int correu__imapc_put_raw(correu__imapc_cmd *cmd, const char *p, size_t len);
/* An astring: atom, quoted or literal, whichever the bytes need. */
int correu__imapc_put_string(correu__imapc_cmd *cmd, const correu__imapc_rules *r, const char *s,
                             size_t len);
/* A string that must not be an atom (an nstring value): quoted or literal. */
int correu__imapc_put_qstring(correu__imapc_cmd *cmd, const correu__imapc_rules *r, const char *s,
                              size_t len);
/* A mailbox name given in UTF-8 (modified UTF-7 unless r->utf8). */
int correu__imapc_put_mailbox(correu__imapc_cmd *cmd, const correu__imapc_rules *r,
                              const char *name, size_t len);
/* A literal header for `size` bytes, then a SYNC when the rules need one;
 * the caller appends the bytes. */
int correu__imapc_put_literal_head(correu__imapc_cmd *cmd, const correu__imapc_rules *r,
                                   uint64_t size, bool binary);
/* A literal whose bytes the reader supplies while sending. */
int correu__imapc_put_stream(correu__imapc_cmd *cmd, const correu__imapc_rules *r, uint64_t size,
                             bool binary, correu_imap_reader_fn fn, void *ud);
/* The final CRLF; CORREU_ERR_ARG when the command ends in what a server
 * would take for a literal header. */
int correu__imapc_put_end(correu__imapc_cmd *cmd);
/* Whether p[0..end) ends in a literal header "{n}", "{n+}" or "~{n}":
 * its size, where it starts and whether it is a literal8. */
bool correu__imapc_literal_suffix(const char *p, size_t end, uint64_t *size, size_t *start,
                                  bool *binary);
/* Whether a byte may stand in an atom of an astring (RFC 9051 §9
 * ASTRING-CHAR). */
bool correu__imapc_astring_char(uint8_t ch);

/* Frame a raw command text (rawcmd.c): literals found and re-headed. */
int correu__imapc_put_rawcmd(correu__imapc_cmd *cmd, const correu__imapc_rules *r, const char *p,
                             size_t len);

/* ------------------------------------------------------------------ */
/* Capabilities (caps.c)                                               */

typedef struct correu__imapc_caps {
	uint32_t mask;
	correu__buf names; /* every capability, space-separated, as sent */
	correu__buf mechs; /* the AUTH= names, space-separated */
} correu__imapc_caps;

void correu__imapc_caps_init(correu__imapc_caps *c, const correu_allocator *a, size_t max);
void correu__imapc_caps_clear(correu__imapc_caps *c);
void correu__imapc_caps_free(correu__imapc_caps *c);
int correu__imapc_caps_add(correu__imapc_caps *c, const char *name, size_t len);
bool correu__imapc_caps_has(const correu__imapc_caps *c, const char *name, size_t len);
/* The CORREU_IMAP_CAP_* bit of a capability name, 0 if none. */
uint32_t correu__imapc_cap_bit(const char *name, size_t len);
bool correu__imapc_eq_nocase(const char *a, size_t alen, const char *b, size_t blen);

/* ------------------------------------------------------------------ */
/* The client                                                          */

enum imap_state {
	CS_GREETING, /* waiting for the greeting */
	CS_START,    /* start-up: CAPABILITY or STARTTLS in flight */
	CS_TLS_WAIT, /* STARTTLS go-ahead or COMPRESS OK; the driver switches */
	CS_READY,    /* commands may be queued */
	CS_CLOSED,   /* the session is over */
	CS_FAILED    /* fatal error */
};

struct correu_imap_client {
	correu_imap_settings set;
	correu_imap_parser_settings pset;
	const correu_allocator *alloc;
	correu_logger logger;

	enum imap_state state;
	int error;
	bool tls;
	bool logged_in;
	bool login_pending; /* LOGIN or AUTHENTICATE queued */
	bool logout;        /* LOGOUT queued */
	bool bye;           /* the server said BYE */
	bool in_recv;       /* events are being delivered from recv */
	bool preauth;
	bool compress_wait; /* COMPRESS accepted (state CS_TLS_WAIT): RFC 4978 */
	bool compressed;    /* the driver compresses: compress_done() was called */
	uint32_t enabled; /* CORREU_IMAP_CAP_* confirmed by ENABLED */

	correu_imap_parser *parser;
	correu__imapc_caps caps;
	correu__imapc_caps caps_new; /* a CAPABILITY list being read */
	bool caps_reading;
	bool have_caps; /* a capability list was read since the last reset */

	/* The response being read. */
	uint32_t resp;             /* CORREU_IMAP_RESP_* from BEGIN */
	correu__imapc_cmd *tagged; /* the command a tagged response ends */
	bool resp_tagged;

	/* Commands: queued, in flight, and done ones still draining. */
	correu__imapc_cmd *head, *tail;
	correu__imapc_cmd *building; /* begun with correu_imap_client_begin() */
	uint32_t ncmds;
	uint32_t next_tag;
	uint32_t next_id;
	size_t queued; /* inline bytes of commands not yet moved out */
	correu__buf out;

	/* AUTHENTICATE: the exchange, its initial response held for the
	 * first "+" without SASL-IR. */
	correu__proto_sasl sasl;

	/* IDLE. */
	bool idling;       /* "+" received, DONE not yet sent */
	bool idle_renew;   /* DONE sent to renew: IDLE again after the OK */
	bool idle_renewed; /* the IDLE in flight is a renewal: no IDLING event */
	bool idle_stop;    /* DONE asked for before the "+" came */
	uint64_t idle_since;

	/* Time: the last clock update, and the timer of the step awaited. */
	uint64_t now_ms;
	correu__proto_timer timer;
};

/* client.c */
int correu__imapc_fail(correu_imap_client *c, int err, const char *why);
int correu__imapc_deliver(correu_imap_client *c, correu_imap_client_event *ev);
int correu__imapc_emit(correu_imap_client *c, uint32_t type, const correu__imapc_cmd *cmd,
                       uint32_t status, const correu_imap_event *data);
int correu__imapc_usable(const correu_imap_client *c);

/* queue.c */
/* Start a command of this kind with its name written. */
int correu__imapc_begin(correu_imap_client *c, uint32_t kind, const char *name,
                        correu__imapc_cmd **out);
/* The builder rules of the moment. */
void correu__imapc_rules_now(const correu_imap_client *c, correu__imapc_rules *r);
/* Append the CRLF and queue; returns the id (> 0) or an error (the
 * command is freed then). `internal` commands get id 0 and no DONE. */
int correu__imapc_enqueue(correu_imap_client *c, correu__imapc_cmd *cmd, bool internal);
/* Find the command a tag names. */
correu__imapc_cmd *correu__imapc_find_tag(correu_imap_client *c, const char *tag, size_t len);
/* The oldest command in flight (sent, or being sent, and not done). */
correu__imapc_cmd *correu__imapc_oldest(correu_imap_client *c);
/* The command stopped at a SYNC, if any. */
correu__imapc_cmd *correu__imapc_waiting(correu_imap_client *c);
/* A command completed: out of the list now (the caller then frees it with
 * correu__imapc_cmd_free_retired()), or once its bytes have drained. */
void correu__imapc_retire(correu_imap_client *c, correu__imapc_cmd *cmd);
void correu__imapc_cmd_free_retired(correu_imap_client *c, correu__imapc_cmd *cmd);
/* Move queued bytes to the output as far as room and the protocol allow. */
int correu__imapc_pump(correu_imap_client *c);
/* Append to the output directly (SASL responses, DONE). */
int correu__imapc_out(correu_imap_client *c, const char *p, size_t len);
/* Whether the queue of the client may take a command now: 0 or an error. */
int correu__imapc_can_queue(const correu_imap_client *c);

/* commands.c: a typed command being put together. Each step does nothing
 * once one has failed; finish queues the command or frees it and returns
 * the first error. */
struct correu__imapc_put {
	correu_imap_client *c;
	correu__imapc_rules r;
	correu__imapc_cmd *cmd;
	int rc;
};

int correu__imapc_p_start(struct correu__imapc_put *p, correu_imap_client *c, uint32_t kind,
                          const char *name);
/* Fixed syntax, as is. */
void correu__imapc_p_text(struct correu__imapc_put *p, const char *s);
/* Caller syntax after a space: CR, LF and NUL refused (rawn: not empty). */
void correu__imapc_p_raw(struct correu__imapc_put *p, const char *s);
void correu__imapc_p_rawn(struct correu__imapc_put *p, const char *s, size_t len);
void correu__imapc_p_num(struct correu__imapc_put *p, uint64_t v);
void correu__imapc_p_str(struct correu__imapc_put *p, const char *s, size_t len);
void correu__imapc_p_qstr(struct correu__imapc_put *p, const char *s, size_t len);
void correu__imapc_p_mbox(struct correu__imapc_put *p, const char *s, size_t len);
int correu__imapc_p_finish(struct correu__imapc_put *p);
/* CORREU_ERR_UNSUPPORTED unless one of the capabilities is offered. */
int correu__imapc_need(const correu_imap_client *c, uint32_t caps);
bool correu__imapc_seqset_ok(const char *s);
const char *correu__imapc_uid_name(uint32_t flags, const char *plain, const char *uid);

/* dispatch.c: the parser's callback */
int correu__imapc_on_parser_event(const correu_imap_event *ev, void *userdata);

/* startup.c */
int correu__imapc_greeting(correu_imap_client *c, const correu_imap_event *end);
int correu__imapc_startup_done(correu_imap_client *c, correu__imapc_cmd *cmd, uint32_t status,
                               const correu_imap_event *end);
int correu__imapc_send_capability(correu_imap_client *c);

/* auth.c */
int correu__imapc_auth_challenge(correu_imap_client *c, const char *text, size_t len);
int correu__imapc_auth_done(correu_imap_client *c, uint32_t status);
void correu__imapc_auth_clear(correu_imap_client *c);

/* compress.c: the COMPRESS command completed with OK. */
int correu__imapc_compress_accepted(correu_imap_client *c);

/* idle.c */
int correu__imapc_idle_cont(correu_imap_client *c, correu__imapc_cmd *cmd);
/* The IDLE command completed: 1 when it was renewed (no DONE event). */
int correu__imapc_idle_complete(correu_imap_client *c, correu__imapc_cmd *cmd, uint32_t status);
int correu__imapc_idle_tick(correu_imap_client *c);

#endif
