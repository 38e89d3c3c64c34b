/*
 * correu MIME layer: a streaming, bounded parser for RFC 5322 / MIME
 * messages (RFC 2045, 2046, 2047, 2231, 6532) that records the structure of
 * a message, the byte range of every IMAP section and the header fields of
 * every part, and prints the IMAP ENVELOPE, BODY and BODYSTRUCTURE of it.
 * It builds on the common layer only and does no I/O.
 */
#ifndef CORREU_MIME_H
#define CORREU_MIME_H

#include "correu/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * MIME parsing for IMAP servers and clients.
 *
 * A ::correu_mime_parser is fed a message in chunks of any size; the message
 * is never held whole. correu_mime_parser_finish() hands back a
 * ::correu_mime_message: a read-only tree of parts numbered in pre-order
 * (part 0 is the message itself), with the offsets of every header and body
 * in the original message, so a server can serve `BODY[1.2.MIME]` from the
 * stored message without parsing it again. The tree can be serialised and
 * stored beside the message (correu_mime_message_save()).
 */

/* ------------------------------------------------------------------ */
/* Settings                                                            */

/** Version of ::correu_mime_settings this header describes. */
#define CORREU_MIME_SETTINGS_VERSION 1

/**
 * Limits of one parser. A message that breaks a limit is still parsed into a
 * usable structure; the part and the message get a `CORREU_MIME_F_*` flag.
 */
typedef struct correu_mime_settings {
	uint32_t version;           /**< ::CORREU_MIME_SETTINGS_VERSION */
	uint32_t max_depth;         /**< nesting of multiparts and messages; default 32 */
	uint32_t max_parts;         /**< parts in the tree, the message included; default 2000 */
	uint32_t max_header_fields; /**< fields kept per part; default 500 */
	uint32_t max_boundary;      /**< boundary length (RFC 2046 says 70); default 200 */
	size_t max_field_size;      /**< one unfolded field, name included; default 64 KiB */
	size_t max_header_size;     /**< all fields kept for one part; default 1 MiB */
} correu_mime_settings;

/**
 * Fill settings with the defaults.
 * @param s settings to fill; borrowed for the call.
 */
CORREU_API void correu_mime_settings_default(correu_mime_settings *s);

/* ------------------------------------------------------------------ */
/* Flags                                                               */

/** A header field was longer than `max_field_size`; it was cut. */
#define CORREU_MIME_F_FIELD_TRUNCATED 0x0001u
/** A part had more fields than `max_header_fields` or bytes than
 * `max_header_size`; the rest were not kept. */
#define CORREU_MIME_F_HEADER_TRUNCATED 0x0002u
/** A header line was not a field (no colon, bad name); it was skipped. */
#define CORREU_MIME_F_BAD_HEADER 0x0004u
/** Nesting deeper than `max_depth`; the part is kept as a leaf. */
#define CORREU_MIME_F_DEPTH 0x0008u
/** More parts than `max_parts`; later parts were not recorded. */
#define CORREU_MIME_F_PARTS 0x0010u
/** A multipart had no usable boundary (missing, empty, too long). */
#define CORREU_MIME_F_BAD_BOUNDARY 0x0020u
/** A multipart ended without its close delimiter. */
#define CORREU_MIME_F_NO_CLOSE 0x0040u
/** A multipart held no body part at all. */
#define CORREU_MIME_F_NO_PARTS 0x0080u
/** A header ended at a boundary or at the end of input, not a blank line. */
#define CORREU_MIME_F_NO_BLANK_LINE 0x0100u
/** A header field holds 8-bit bytes (raw UTF-8 per RFC 6532, or worse). */
#define CORREU_MIME_F_8BIT 0x0200u

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

/** A streaming MIME parser (opaque). */
typedef struct correu_mime_parser correu_mime_parser;
/** A parsed message: part tree, ranges and header fields (opaque, read-only). */
typedef struct correu_mime_message correu_mime_message;

/**
 * Create a parser.
 * @param settings limits; copied. NULL means the defaults.
 * @param alloc allocator for the parser and the messages it makes; borrowed
 *        until both are freed. NULL means libc.
 * @param parser_out receives the parser.
 * @return 0, ::CORREU_ERR_ARG (NULL out, bad settings version, a zero limit),
 *         ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_mime_parser_new(const correu_mime_settings *settings,
                                                       const correu_allocator *alloc,
                                                       correu_mime_parser **parser_out);

/** Free a parser and any message it is building. @param p parser; NULL is a no-op. */
CORREU_API void correu_mime_parser_free(correu_mime_parser *p);

/**
 * Drop the message being parsed and start a new one with the same settings.
 * Clears a poisoned state. @param p the parser.
 */
CORREU_API void correu_mime_parser_reset(correu_mime_parser *p);

/**
 * Feed the next bytes of the message. Any split of a message gives the same
 * result.
 * @param p the parser.
 * @param data bytes; borrowed for the call only (nothing is kept).
 * @param len their count (0 allowed).
 * @return 0; ::CORREU_ERR_ARG; ::CORREU_ERR_NOMEM (the parser is then
 *         poisoned); ::CORREU_ERR_POISONED after an earlier failure.
 *         Malformed input is never an error: see the `CORREU_MIME_F_*` flags.
 */
CORREU_API CORREU_NODISCARD int correu_mime_parser_feed(correu_mime_parser *p, const uint8_t *data,
                                                        size_t len);

/**
 * End the input and take the parsed message. The parser is then reset and
 * can parse another message.
 * @param p the parser.
 * @param msg_out receives the message, taken over by the caller (free it
 *        with correu_mime_message_free()).
 * @return 0, ::CORREU_ERR_ARG, ::CORREU_ERR_NOMEM, ::CORREU_ERR_POISONED.
 */
CORREU_API CORREU_NODISCARD int correu_mime_parser_finish(correu_mime_parser *p,
                                                          correu_mime_message **msg_out);

/** Free a message. @param m message; NULL is a no-op. */
CORREU_API void correu_mime_message_free(correu_mime_message *m);

/** @return the union of the flags of all parts of the message. @param m message. */
CORREU_API uint32_t correu_mime_message_flags(const correu_mime_message *m);

/** @return the size in bytes of the parsed message. @param m message. */
CORREU_API uint64_t correu_mime_message_size(const correu_mime_message *m);

/** @return the number of parts in the tree (at least 1). @param m message. */
CORREU_API uint32_t correu_mime_part_count(const correu_mime_message *m);

/* ------------------------------------------------------------------ */
/* Parts and ranges                                                    */

/** No such part (a parent of the root, a missing child or sibling). */
#define CORREU_MIME_NONE 0xffffffffu

/** What a part holds. */
#define CORREU_MIME_KIND_LEAF 0      /**< a body with no parsed structure */
#define CORREU_MIME_KIND_MULTIPART 1 /**< a multipart; children are its body parts */
#define CORREU_MIME_KIND_MESSAGE 2   /**< message/rfc822 or message/global; one child */

/** Version of ::correu_mime_part_info this header describes. */
#define CORREU_MIME_PART_INFO_VERSION 1

/**
 * One part. Offsets are in the original message. The header range holds the
 * fields and the blank line after them; the body range follows it. A body
 * part of a multipart ends before the line break that precedes the next
 * delimiter (RFC 2046 §5.1.1).
 */
typedef struct correu_mime_part_info {
	uint32_t version;        /**< set by the caller to ::CORREU_MIME_PART_INFO_VERSION */
	uint32_t kind;           /**< a `CORREU_MIME_KIND_*` value */
	uint32_t parent;         /**< index of the parent, ::CORREU_MIME_NONE for part 0 */
	uint32_t first_child;    /**< index of the first child or ::CORREU_MIME_NONE */
	uint32_t next_sibling;   /**< index of the next sibling or ::CORREU_MIME_NONE */
	uint32_t children;       /**< number of children */
	uint32_t depth;          /**< 0 for the message */
	uint32_t flags;          /**< `CORREU_MIME_F_*` of this part */
	uint64_t header_offset;  /**< first byte of the header */
	uint64_t header_size;    /**< header bytes, blank line included */
	uint64_t body_offset;    /**< first byte of the body */
	uint64_t body_size;      /**< body bytes */
	uint64_t body_lines;     /**< line breaks (LF) in the body, as IMAP servers count lines */
	uint64_t header_bare_lf; /**< LFs without CR in the header (size with CRLF = size + this) */
	uint64_t body_bare_lf;   /**< LFs without CR in the body */
} correu_mime_part_info;

/**
 * Describe one part.
 * @param m message.
 * @param part index, 0 .. correu_mime_part_count() - 1.
 * @param info_out filled; its `version` must be set by the caller.
 * @return 0, ::CORREU_ERR_ARG (bad version or NULL), ::CORREU_ERR_NOT_FOUND.
 */
CORREU_API CORREU_NODISCARD int correu_mime_part_info_get(const correu_mime_message *m,
                                                          uint32_t part,
                                                          correu_mime_part_info *info_out);

/**
 * Find the byte range of an IMAP section (RFC 9051 §6.4.5): "" (whole
 * message), "HEADER", "TEXT", "1", "1.2", "1.2.MIME", "2.HEADER", "2.TEXT".
 * A non-multipart message's body is part "1". `HEADER.FIELDS` selects from
 * the range of "HEADER". Case-insensitive.
 * @param m message.
 * @param section section text; borrowed for the call.
 * @param len its length.
 * @param offset_out receives the offset of the first byte.
 * @param size_out receives the size.
 * @param part_out receives the index of the part the section is in (may be NULL).
 * @return 0, ::CORREU_ERR_ARG, ::CORREU_ERR_SYNTAX (not a section),
 *         ::CORREU_ERR_NOT_FOUND (no such part).
 */
CORREU_API CORREU_NODISCARD int correu_mime_section_range(const correu_mime_message *m,
                                                          const char *section, size_t len,
                                                          uint64_t *offset_out, uint64_t *size_out,
                                                          uint32_t *part_out);

/* ------------------------------------------------------------------ */
/* Header fields                                                       */

/** @return the number of fields kept for a part (0 for a bad index).
 * @param m message. @param part part index. */
CORREU_API uint32_t correu_mime_field_count(const correu_mime_message *m, uint32_t part);

/**
 * One field of a part, unfolded (RFC 5322 §2.2.3), raw (not decoded), with
 * the white space around the value removed.
 * @param m message.
 * @param part part index.
 * @param index field index, 0 .. correu_mime_field_count() - 1, in order.
 * @param name_out receives the name; valid while the message lives.
 * @param name_len_out its length.
 * @param value_out receives the value; valid while the message lives.
 * @param value_len_out its length.
 * @return 0, ::CORREU_ERR_ARG, ::CORREU_ERR_NOT_FOUND.
 */
CORREU_API CORREU_NODISCARD int correu_mime_field_get(const correu_mime_message *m, uint32_t part,
                                                      uint32_t index, const uint8_t **name_out,
                                                      size_t *name_len_out,
                                                      const uint8_t **value_out,
                                                      size_t *value_len_out);

/**
 * Find a field by name, case-insensitively. Call with `start` 0 for the
 * first, then with the last index + 1 for all the others.
 * @param m message.
 * @param part part index.
 * @param name field name; borrowed for the call.
 * @param name_len its length.
 * @param start first field index to look at.
 * @return the field index, or ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_ARG.
 */
CORREU_API CORREU_NODISCARD int correu_mime_field_find(const correu_mime_message *m, uint32_t part,
                                                       const char *name, size_t name_len,
                                                       uint32_t start);

/**
 * A sink for produced bytes.
 * @param p bytes, valid during the call.
 * @param n their count.
 * @param userdata as given.
 * @return 0, or a negative code that stops the producer and is returned by it.
 */
typedef int (*correu_mime_write_fn)(const uint8_t *p, size_t n, void *userdata);

/**
 * A charset converter for charsets the library does not know (it knows
 * UTF-8, US-ASCII and ISO-8859-1).
 * @param charset charset name as in the message (not NUL-terminated).
 * @param charset_len its length.
 * @param in decoded bytes in that charset.
 * @param in_len their count.
 * @param write where to send UTF-8.
 * @param write_userdata for `write`.
 * @param userdata as given with the hook.
 * @return 0 when converted; ::CORREU_ERR_UNSUPPORTED to leave the encoded
 *         word as it was; another negative code to stop decoding.
 */
typedef int (*correu_mime_charset_fn)(const uint8_t *charset, size_t charset_len, const uint8_t *in,
                                      size_t in_len, correu_mime_write_fn write,
                                      void *write_userdata, void *userdata);

/**
 * Decode RFC 2047 encoded words (B and Q) of a header value into UTF-8.
 * White space between adjacent encoded words is dropped (§6.2); raw 8-bit
 * text is passed on as it is (RFC 6532). An encoded word in an unknown
 * charset, without a hook or refused by it, stays encoded.
 * @param in the raw value; borrowed for the call.
 * @param len its length.
 * @param write sink for the result.
 * @param write_userdata for `write`.
 * @param hook charset converter or NULL.
 * @param hook_userdata for `hook`.
 * @return 0, ::CORREU_ERR_ARG, or a negative code from `write` or `hook`.
 */
CORREU_API CORREU_NODISCARD int
correu_mime_decode_words(const uint8_t *in, size_t len, correu_mime_write_fn write,
                         void *write_userdata, correu_mime_charset_fn hook, void *hook_userdata);

/**
 * The value of a parameter of a structured field such as Content-Type or
 * Content-Disposition, decoded to UTF-8: RFC 2231 continuations, charset
 * and percent-encoding, and (a common violation) RFC 2047 words in a quoted
 * value.
 * @param m message.
 * @param part part index.
 * @param field field name, e.g. "Content-Disposition"; borrowed.
 * @param param parameter name, e.g. "filename"; borrowed.
 * @param write sink for the value.
 * @param write_userdata for `write`.
 * @return 0, ::CORREU_ERR_NOT_FOUND (no field or parameter), ::CORREU_ERR_ARG,
 *         ::CORREU_ERR_NOMEM, or a negative code from `write`.
 */
CORREU_API CORREU_NODISCARD int correu_mime_param_get(const correu_mime_message *m, uint32_t part,
                                                      const char *field, const char *param,
                                                      correu_mime_write_fn write,
                                                      void *write_userdata);

/* ------------------------------------------------------------------ */
/* IMAP output                                                         */

/** ENVELOPE of a message (part 0 or the child of a message/rfc822 part). */
#define CORREU_MIME_IMAP_ENVELOPE 1
/** BODY: the non-extensible body structure. */
#define CORREU_MIME_IMAP_BODY 2
/** BODYSTRUCTURE with extension data. */
#define CORREU_MIME_IMAP_BODYSTRUCTURE 3

/** Output flag: 8-bit UTF-8 may go in quoted strings (IMAP4rev2, UTF8=ACCEPT);
 * without it any 8-bit string is sent as a literal. */
#define CORREU_MIME_IMAP_UTF8 0x1u
/** Output flag: sizes count every line break as CRLF, for a server that
 * stores LF-only messages and sends them with CRLF. */
#define CORREU_MIME_IMAP_CRLF_SIZES 0x2u

/**
 * Write the IMAP text of an ENVELOPE, BODY or BODYSTRUCTURE (RFC 9051
 * §7.5.2) to a sink.
 * @param m message.
 * @param part part index: 0 for the message; for ENVELOPE the child of a
 *        message/rfc822 part also works.
 * @param what a `CORREU_MIME_IMAP_*` item.
 * @param flags `CORREU_MIME_IMAP_*` output flags.
 * @param write the sink.
 * @param write_userdata for `write`.
 * @return 0, ::CORREU_ERR_ARG, ::CORREU_ERR_NOT_FOUND, ::CORREU_ERR_NOMEM,
 *         or a negative code from `write`.
 */
CORREU_API CORREU_NODISCARD int correu_mime_imap_write(const correu_mime_message *m, uint32_t part,
                                                       uint32_t what, uint32_t flags,
                                                       correu_mime_write_fn write,
                                                       void *write_userdata);

/**
 * Same as correu_mime_imap_write() into a caller buffer (not NUL-terminated).
 * @param m message.
 * @param part part index.
 * @param what a `CORREU_MIME_IMAP_*` item.
 * @param flags output flags.
 * @param out buffer; borrowed for the call.
 * @param cap its size.
 * @param need_out receives the full length (also when it does not fit); may be NULL.
 * @return the length written, ::CORREU_ERR_BUFFER when `cap` is too small,
 *         or an error of correu_mime_imap_write().
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_mime_imap_format(const correu_mime_message *m,
                                                                 uint32_t part, uint32_t what,
                                                                 uint32_t flags, uint8_t *out,
                                                                 size_t cap, size_t *need_out);

/* ------------------------------------------------------------------ */
/* Cache                                                               */

/**
 * Serialise a parsed message to a compact, portable binary form that a store
 * can keep beside the message and load instead of parsing again.
 * @param m message.
 * @param write sink for the bytes.
 * @param write_userdata for `write`.
 * @return 0, ::CORREU_ERR_ARG, or a negative code from `write`.
 */
CORREU_API CORREU_NODISCARD int correu_mime_message_save(const correu_mime_message *m,
                                                         correu_mime_write_fn write,
                                                         void *write_userdata);

/**
 * Load a message saved by correu_mime_message_save(). The input is checked
 * fully (it may come from a damaged file).
 * @param data the saved bytes; copied.
 * @param len their count.
 * @param alloc allocator for the message; borrowed until it is freed; NULL is libc.
 * @param msg_out receives the message, taken over by the caller.
 * @return 0, ::CORREU_ERR_ARG, ::CORREU_ERR_SYNTAX (not a valid save),
 *         ::CORREU_ERR_UNSUPPORTED (another format version), ::CORREU_ERR_NOMEM.
 */
CORREU_API CORREU_NODISCARD int correu_mime_message_load(const uint8_t *data, size_t len,
                                                         const correu_allocator *alloc,
                                                         correu_mime_message **msg_out);

#ifdef __cplusplus
}
#endif
#endif
