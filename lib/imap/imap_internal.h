/*
 * Shared declarations of the IMAP layer's response parser, never exported.
 * The parser has two halves: the framer (parser.c, frame.c) cuts the byte
 * stream into lines and literals and decides where a response ends; the
 * grammar (token.c and the resp_*.c, fetch.c, envelope.c, body.c files)
 * reads one "unit" of a response at a time and reports events. A unit is
 * the bytes of a response up to its end or up to a streamed literal: lines
 * with their small literals held inline, so the grammar only ever reads
 * complete bytes and never has to stop in the middle of a token.
 */
#ifndef CORREU_IMAP_INTERNAL_H
#define CORREU_IMAP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "correu/codec.h"
#include "correu/imap.h"
#include "internal.h"

/* Framer states: what the next input byte belongs to. */
enum ip_fstate {
	FR_LINE,      /* a line, through the codec line decoder */
	FR_INLINE,    /* a small literal, copied into the unit */
	FR_STREAM,    /* a streamed literal, handed to the application */
	FR_SKIP_LIT,  /* a literal of a malformed response, discarded */
	FR_SKIP_LINE, /* the rest of an over-long line, discarded */
};

/* How the framer sees a response, from its first line. */
enum ip_kind {
	K_NONE,   /* no response started */
	K_STATUS, /* status or continuation: one line, never a literal */
	K_DATA,   /* untagged data: lines and literals */
	K_FETCH,  /* "* n FETCH": data whose literals may be streamed */
};

/* Tokens of a string read by the grammar. */
struct ip_str {
	const char *s; /* NULL for NIL */
	size_t len;
};

struct correu_imap_parser {
	correu_imap_parser_settings set; /* copy, defaults filled in */
	const correu_allocator *alloc;
	uint32_t flags;       /* current CORREU_IMAP_PARSER_* flags */
	int fatal;            /* sticky fatal error, 0 if none */
	correu_logger logger; /* copy; fn NULL when there is none */

	/* ---- framer ---- */
	void *dec_mem;
	size_t dec_mem_len;
	uint8_t *line_buf;
	correu_line_decoder *dec;
	enum ip_fstate fstate;
	enum ip_kind kind;
	uint64_t off;      /* stream offset of the next input byte */
	uint64_t resp_off; /* where the current response began */
	bool bad;          /* the response was reported malformed: skip it */
	size_t resp_bytes; /* bytes of the response counted to max_response */
	uint32_t fdepth;   /* parenthesis depth at the end of its lines */
	uint64_t lit_left; /* bytes of the current literal still to come */
	uint64_t line_off; /* stream offset where the current line began */
	correu__buf unit;  /* a unit spread over lines and literals */
	bool unit_held;    /* the unit lives in `unit` (else zero-copy) */
	/* the tail of an over-long line, to see whether a literal follows */
	bool skip_quote, skip_esc, skip_cr;
	uint8_t tail[24];
	size_t tail_len;

	/* ---- grammar ---- */
	const uint8_t *pos, *end; /* the unit being read */
	uint32_t depth;           /* parenthesis depth while reading */
	uint32_t item_depth;      /* `depth` of item events (the body part read) */
	uint32_t resp;            /* CORREU_IMAP_RESP_* of the current response */
	bool begun;               /* BEGIN was reported */
	bool in_fetch;            /* a FETCH continues after a streamed literal */
	bool streaming;           /* the unit ended in a streamed literal */
	uint64_t seq;             /* FETCH message number */
	const char *tag;          /* tag of a tagged response (in the unit) */
	size_t tag_len;
	int perr; /* what was wrong with the response */
	const char *pmsg;
	bool utf8;           /* CORREU_IMAP_PARSER_UTF8 for this response */
	uint8_t *bstack;     /* body-structure frames, max_depth bytes */
	correu__buf scratch; /* unescaped quoted strings of the unit */
	correu__buf name;    /* a mailbox name decoded to UTF-8 */
	/* the streamed literal in progress */
	correu_imap_event lit_ev;
	correu__buf section; /* its section text (lit_ev.str[0] points here) */
};

/* ---- framer (frame.c) ---- */
enum ip_kind correu__imap_classify(const uint8_t *line, size_t len);
/* Does the line end in a literal marker that starts a literal? On yes,
 * *size and *streamed are set; *bad_count for a marker that is not one. */
bool correu__imap_line_literal(correu_imap_parser *p, const uint8_t *line, size_t len,
                               uint64_t *size, bool *streamed, bool *bad_count);
void correu__imap_tail_push(correu_imap_parser *p, const uint8_t *s, size_t n);
bool correu__imap_tail_literal(const correu_imap_parser *p, uint64_t *size);
int correu__imap_literal_marker(const uint8_t *s, size_t n, size_t *start, uint64_t *size,
                                bool *binary);

/* ---- events (emit.c) ---- */
void correu__imap_ev_init(correu_imap_parser *p, correu_imap_event *ev, uint32_t type,
                          uint32_t item);
int correu__imap_emit(correu_imap_parser *p, correu_imap_event *ev);
/* An item with up to two strings. */
int correu__imap_item(correu_imap_parser *p, uint32_t item, const struct ip_str *a,
                      const struct ip_str *b);
int correu__imap_item_num(correu_imap_parser *p, uint32_t item, uint64_t num);
/* Record what was wrong with the response and return `err`. */
int correu__imap_fail(correu_imap_parser *p, int err, const char *msg);
/* A response code by its wire name; CORREU_IMAP_CODE_OTHER if unknown. */
uint32_t correu__imap_code_lookup(const char *name, size_t len);

/* ---- tokens (token.c) ---- */
static inline bool ip_at_end(const correu_imap_parser *p)
{
	return p->pos >= p->end;
}
static inline int ip_peek(const correu_imap_parser *p)
{
	return p->pos < p->end ? *p->pos : -1;
}
bool correu__imap_accept(correu_imap_parser *p, uint8_t c);
int correu__imap_expect(correu_imap_parser *p, uint8_t c);
int correu__imap_sp(correu_imap_parser *p);
int correu__imap_open(correu_imap_parser *p);
int correu__imap_close(correu_imap_parser *p);
/* Consume `word` (case-insensitive) if it is the next atom. */
bool correu__imap_word(correu_imap_parser *p, const char *word);
int correu__imap_atom(correu_imap_parser *p, struct ip_str *out);
int correu__imap_flag(correu_imap_parser *p, struct ip_str *out);
int correu__imap_number(correu_imap_parser *p, uint64_t max, uint64_t *out);
int correu__imap_nz_number(correu_imap_parser *p, uint64_t *out);
int correu__imap_string(correu_imap_parser *p, struct ip_str *out);
int correu__imap_nstring(correu_imap_parser *p, struct ip_str *out);
/* nstring / literal8, for BINARY[] values (RFC 3516). */
int correu__imap_nstring8(correu_imap_parser *p, struct ip_str *out);
int correu__imap_astring(correu_imap_parser *p, struct ip_str *out);
int correu__imap_mailbox(correu_imap_parser *p, struct ip_str *utf8, struct ip_str *raw);
int correu__imap_seqset(correu_imap_parser *p, struct ip_str *out);
/* Skip one value (number, string, NIL, atom or nested list) and give its
 * bytes as sent; nesting is counted, not recursed. */
int correu__imap_skip_value(correu_imap_parser *p, struct ip_str *raw);
/* The literal marker at the end of the unit: a streamed literal. */
bool correu__imap_at_stream(correu_imap_parser *p, uint64_t *size, bool *binary);

/* ---- responses ---- */
int correu__imap_begin(correu_imap_parser *p, uint32_t resp, uint64_t num);
/* The response must end here: report END. */
int correu__imap_end(correu_imap_parser *p);
int correu__imap_parse_start(correu_imap_parser *p);
int correu__imap_parse_status(correu_imap_parser *p);
int correu__imap_parse_data(correu_imap_parser *p, const struct ip_str *name);
/* An unknown untagged response: BEGIN with its name (and number), data
 * skipped. `name` is the atom just read. */
int correu__imap_parse_other(correu_imap_parser *p, const struct ip_str *name, uint64_t num);
/* "(" [elem *(SP elem)] ")" of flags (item CORREU_IMAP_ITEM_FLAG) or
 * astrings, one ITEM event each, whose `code` is set when the list is a
 * response code's argument (0 otherwise). */
int correu__imap_list(correu_imap_parser *p, uint32_t item, uint32_t code);
int correu__imap_flag_list(correu_imap_parser *p);
/* One ITEM event: s in str[0], and the response code it belongs to. */
int correu__imap_code_item(correu_imap_parser *p, uint32_t item, uint32_t code,
                           const struct ip_str *s);
int correu__imap_parse_mailbox_data(correu_imap_parser *p, uint32_t resp);
int correu__imap_parse_fetch(correu_imap_parser *p);
int correu__imap_parse_envelope(correu_imap_parser *p);
int correu__imap_parse_body(correu_imap_parser *p, uint32_t item);
int correu__imap_parse_date_time(const char *s, size_t len, int64_t *time, int32_t *zone);

#endif
