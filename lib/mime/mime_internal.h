/*
 * Internals of the MIME layer shared by its files and never exported: the
 * part tree and field table of a parsed message, the structured-field
 * tokenizer (RFC 2045 / RFC 5322 lexical tokens), the RFC 2231 parameter
 * merger and the output writer used for IMAP text and saved caches.
 */
#ifndef CORREU_MIME_INTERNAL_H
#define CORREU_MIME_INTERNAL_H

#include "correu/mime.h"
#include "internal.h"

/* One part. Offsets are absolute in the message. While parsing, `lines`
 * and `body_bare` hold the counters at the body start (see parser.c). */
struct correu__mime_part {
	uint32_t parent, first_child, last_child, next_sibling, children;
	uint32_t depth, flags, kind;
	uint32_t field_first, field_count;
	uint32_t digest_child; /* default type is message/rfc822 (RFC 2046 §5.1.5) */
	uint64_t hdr_off, body_off, end;
	uint64_t lines, hdr_bare, body_bare;
};

/* A field: name and value are (offset, length) in the message's pool. */
struct correu__mime_field {
	uint64_t name_off, value_off;
	uint32_t name_len, value_len;
};

struct correu_mime_message {
	const correu_allocator *alloc;
	struct correu__mime_part *parts;
	uint32_t nparts, parts_cap;
	struct correu__mime_field *fields;
	uint32_t nfields, fields_cap;
	correu__buf pool;
	uint64_t size;
	uint32_t flags;
};

correu_mime_message *correu__mime_message_new(const correu_allocator *a);
/* Append a part (zeroed, links to NONE); its index or NONE on NOMEM. */
uint32_t correu__mime_message_add_part(correu_mime_message *m);
int correu__mime_message_add_field(correu_mime_message *m, const uint8_t *name, size_t nlen,
                                   const uint8_t *value, size_t vlen);
const uint8_t *correu__mime_pool(const correu_mime_message *m, uint64_t off);
/* The value of the first field `name` of a part, or NULL. */
const uint8_t *correu__mime_field_value(const correu_mime_message *m, uint32_t part,
                                        const char *name, size_t *len_out);

/* ---- lexical helpers (lex.c) ---- */
bool correu__mime_ieq(const uint8_t *a, size_t alen, const char *b);
bool correu__mime_ieqn(const uint8_t *a, const uint8_t *b, size_t n);
bool correu__mime_is_wsp(uint8_t c);
/* Skip white space and (nested) comments; returns the new position. */
size_t correu__mime_skip_cfws(const uint8_t *p, size_t len, size_t i);
/* A token (RFC 2045 §5.1: no tspecials, no space or controls). */
size_t correu__mime_token_end(const uint8_t *p, size_t len, size_t i);
/* End of a quoted string starting at p[i] == '"' (past the closing quote,
 * or len when unterminated). */
size_t correu__mime_quoted_end(const uint8_t *p, size_t len, size_t i);

/* Content-Type (RFC 2045 §5.1): type and subtype as given, and where the
 * parameters start. A missing or bad header means text/plain. */
struct correu__mime_ctype {
	const uint8_t *type, *sub;
	size_t type_len, sub_len;
	const uint8_t *params;
	size_t params_len;
	bool given;
};
void correu__mime_ctype_parse(const uint8_t *v, size_t len, struct correu__mime_ctype *ct);
/* The effective type of a part, with the RFC 2045/2046 defaults. */
void correu__mime_part_ctype(const correu_mime_message *m, uint32_t part,
                             struct correu__mime_ctype *ct);

/* One raw parameter as written: name (with any RFC 2231 '*' suffix) and
 * value (token, or quoted string with its quotes). */
struct correu__mime_rawparam {
	const uint8_t *name, *value;
	size_t name_len, value_len;
	size_t pos;
};
/* Next raw parameter from position *i of a parameter list; false at end. */
bool correu__mime_param_next(const uint8_t *p, size_t len, size_t *i,
                             struct correu__mime_rawparam *rp);

/* A logical parameter after RFC 2231 merging: the value is the bytes of
 * its segments decoded (quoted pairs and percent-escapes removed). */
struct correu__mime_param {
	const uint8_t *name;
	size_t name_len;
	bool extended; /* had a charset'language' prefix */
	const uint8_t *charset, *lang;
	size_t charset_len, lang_len;
	uint8_t *value; /* owned by the list */
	size_t value_len;
};
struct correu__mime_params {
	const correu_allocator *alloc;
	struct correu__mime_param *v;
	size_t count;   /* parameters found */
	size_t n;       /* entries allocated */
	uint8_t *store; /* one block holding every value */
	size_t store_len;
};
int correu__mime_params_parse(const correu_allocator *a, const uint8_t *p, size_t len,
                              struct correu__mime_params *out);
void correu__mime_params_free(struct correu__mime_params *ps);

/* ---- output (out.c) ---- */
struct correu__mime_out {
	correu_mime_write_fn fn;
	void *ud;
	int err;
};
void correu__mime_put(struct correu__mime_out *o, const void *p, size_t n);
void correu__mime_puts(struct correu__mime_out *o, const char *s);
void correu__mime_put_u64(struct correu__mime_out *o, uint64_t v);
/* An IMAP string: quoted when it can be, else a literal (RFC 9051 §4.3). */
void correu__mime_put_string(struct correu__mime_out *o, const uint8_t *p, size_t n,
                             uint32_t flags);
void correu__mime_put_nstring(struct correu__mime_out *o, const uint8_t *p, size_t n,
                              uint32_t flags);

/* ---- RFC 2047 / charsets (words.c) ---- */
/* Convert bytes of a known charset to UTF-8; false if the charset is unknown. */
bool correu__mime_charset_known(const uint8_t *cs, size_t len);
int correu__mime_charset_write(const uint8_t *cs, size_t cslen, const uint8_t *in, size_t n,
                               correu_mime_write_fn write, void *ud);

/* ---- IMAP items (address.c, envelope.c, bodystructure.c) ---- */
void correu__mime_put_addresses(const correu_mime_message *m, uint32_t part, const char *field,
                                const char *fallback, uint32_t flags, struct correu__mime_out *o);
void correu__mime_envelope(const correu_mime_message *m, uint32_t part, uint32_t flags,
                           struct correu__mime_out *o);
void correu__mime_bodystructure(const correu_mime_message *m, uint32_t part, bool ext,
                                uint32_t flags, struct correu__mime_out *o);

#endif
