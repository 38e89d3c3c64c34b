/*
 * correu codec layer: CRLF line framing, SMTP/POP3 dot-stuffing, strict
 * base64, strict UTF-8 and IMAP modified UTF-7. Nothing here allocates or
 * does I/O: every piece of state and every buffer belongs to the caller, so
 * the protocol cores, firmware and ctypes can all use these directly.
 */
#ifndef CORREU_CODEC_H
#define CORREU_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * Codecs for the mail protocols.
 *
 * The streaming codecs (line decoder, dot decoder, dot encoder) are opaque
 * handles that live in memory the caller supplies: ask `*_sizeof()` for the
 * size, hand any buffer at least that big (any alignment) to `*_init()`, and
 * the handle is valid as long as that memory is. There is nothing to free.
 *
 * They are incremental: feeding the same bytes in any chunks gives the same
 * lines, data, errors and error offsets. Each call reports how many input
 * bytes it consumed, and never consumes bytes past the end of what it
 * reports (a line, the end of the data), so the caller can hand the rest of
 * its buffer to something else, for instance an IMAP literal or the next
 * pipelined SMTP command.
 */

/* ------------------------------------------------------------------ */
/* CRLF line framing                                                   */

/** A line decoder: splits a byte stream into CRLF-terminated lines. */
typedef struct correu_line_decoder correu_line_decoder;

/**
 * Line decoder flag: treat a bare LF, or a CR not followed by LF, as a line
 * end of its own (the lenient reading of hand-typed or broken peers).
 * "a\nb\rc\r\n" then gives the lines "a", "b" and "c", and "a\n\r\n" gives
 * "a" and "". Without the flag (the default, RFC 5321 §2.3.8) only CRLF ends
 * a line and a bare CR or LF inside a line makes that line an error.
 */
#define CORREU_LINE_NORMALISE 0x1u

/** correu_line_decoder_feed() returned a complete line. */
#define CORREU_LINE_READY 1

/**
 * Bytes a line decoder needs, alignment slack included.
 * @return the smallest `mem_len` correu_line_decoder_init() accepts.
 */
CORREU_API size_t correu_line_decoder_sizeof(void);

/**
 * Set up a line decoder in caller memory.
 *
 * @param mem memory for the decoder, any alignment; borrowed for as long as
 *        the decoder is used. Nothing needs to be released afterwards.
 * @param mem_len its size; at least correu_line_decoder_sizeof().
 * @param buf where a line that arrives over several chunks is assembled;
 *        borrowed for as long as the decoder is used.
 * @param buf_len its size; at least `max_line`.
 * @param max_line the longest line accepted, in bytes, not counting its line
 *        end (RFC 5321 §4.5.3.1.4 and .1.6: 510 for SMTP commands, 998
 *        for text lines); at least 1.
 * @param flags 0 or ::CORREU_LINE_NORMALISE.
 * @param dec_out receives the handle, which lives inside `mem`.
 * @return 0, or ::CORREU_ERR_ARG for a NULL pointer, too small a `mem` or
 *         `buf`, a zero `max_line` or an unknown flag.
 */
CORREU_API CORREU_NODISCARD int correu_line_decoder_init(void *mem, size_t mem_len,
                                                         uint8_t *buf, size_t buf_len,
                                                         size_t max_line, uint32_t flags,
                                                         correu_line_decoder **dec_out);

/**
 * Start a new stream: forget any partial line, error and the stream offset.
 * The buffer, limit and flags are kept.
 * @param dec the decoder; NULL is ignored.
 */
CORREU_API void correu_line_decoder_reset(correu_line_decoder *dec);

/**
 * Consume input up to the end of the next line.
 *
 * Call it in a loop, advancing `in` by `*consumed_out` each time, until all
 * input is consumed. A line that lies wholly inside `in` is returned as a
 * pointer into `in` (no copy); a line that began in an earlier chunk is
 * assembled in the decoder's buffer. Each call consumes at least one byte
 * or returns a line or an error, so such a loop always ends.
 *
 * Errors are per line: after one, keep feeding and the decoder continues
 * with the next line, so a server can answer the bad line and resynchronise.
 * - ::CORREU_ERR_BARE_EOL: the line, now complete, held a bare CR or LF
 *   (only without ::CORREU_LINE_NORMALISE). `*line_out` is the whole line,
 *   the bare bytes included; correu_line_decoder_error() gives the offset
 *   of the first bare byte. The line must not be acted on.
 * - ::CORREU_ERR_LIMIT: the line grew past `max_line`. This is reported as
 *   soon as the first byte past the limit is seen, without waiting for the
 *   line end. `*line_out` holds the first `max_line` bytes (for instance to
 *   read an IMAP tag for the "BAD line too long" reply). The decoder then
 *   discards the rest of the line by itself: further feeds consume it and
 *   return nothing until the line end, after which normal lines come again.
 *   A protocol can therefore reply "line too long" at once and go on, or
 *   close the connection.
 *
 * @param dec the decoder.
 * @param in input bytes; borrowed for the call (and for as long as a
 *        returned line that points into it is used). May be NULL if `len`
 *        is 0.
 * @param len number of bytes in `in`.
 * @param consumed_out receives how many bytes of `in` were used, on success
 *        and on ::CORREU_ERR_BARE_EOL and ::CORREU_ERR_LIMIT alike.
 * @param line_out receives the line without its line end, or NULL when no
 *        line is complete yet. It points into `in` or into the decoder's
 *        buffer, and is valid until the next call on the decoder and while
 *        `in` is unchanged.
 * @param line_len_out receives the line length (0 when no line).
 * @return ::CORREU_LINE_READY with a line; 0 when all of `in` was consumed
 *         and no line is complete yet; ::CORREU_ERR_BARE_EOL or
 *         ::CORREU_ERR_LIMIT as above; ::CORREU_ERR_ARG for a NULL pointer.
 */
CORREU_API CORREU_NODISCARD int correu_line_decoder_feed(correu_line_decoder *dec,
                                                         const uint8_t *in, size_t len,
                                                         size_t *consumed_out,
                                                         const uint8_t **line_out,
                                                         size_t *line_len_out);

/**
 * Bytes of a line begun but not yet finished (a CR waiting for its LF
 * included). Non-zero when the peer closes means the last line was cut.
 * @param dec the decoder.
 * @return the count; 0 for a NULL decoder.
 */
CORREU_API size_t correu_line_decoder_pending(const correu_line_decoder *dec);

/**
 * The last error the decoder reported, and where.
 * @param dec the decoder.
 * @param offset_out if not NULL, receives the stream offset (bytes since
 *        init or reset) of the byte at fault: the first bare CR or LF, or the
 *        first byte past `max_line`; 0 when there was no error.
 * @return the last `CORREU_ERR_*` code from correu_line_decoder_feed(), or 0.
 */
CORREU_API int correu_line_decoder_error(const correu_line_decoder *dec, uint64_t *offset_out);

/* ------------------------------------------------------------------ */
/* Dot-stuffing: SMTP DATA (RFC 5321 §4.5.2), POP3 (RFC 1939 §3)       */

/**
 * Dot codec flag, for the decoder: write a bare LF, or a CR not followed by
 * LF, as CRLF in the body instead of failing with ::CORREU_ERR_BARE_EOL.
 * The normalised line end never starts a line: a "." after it is data, and
 * the end of the data is still only CRLF "." CRLF (no SMTP smuggling).
 *
 * For the encoder: send a bare LF or CR of the message as CRLF instead of
 * failing. There a normalised line end does start a wire line, so a "."
 * after it is stuffed and can never end the data early.
 */
#define CORREU_DOT_NORMALISE 0x1u

/** The end of the data: the decoder consumed the terminator, or the encoder
 * wrote all of it. */
#define CORREU_DOT_END 1

/** A dot decoder: turns the wire form of a message back into the message. */
typedef struct correu_dot_decoder correu_dot_decoder;

/**
 * Bytes a dot decoder needs, alignment slack included.
 * @return the smallest `mem_len` correu_dot_decoder_init() accepts.
 */
CORREU_API size_t correu_dot_decoder_sizeof(void);

/**
 * Set up a dot decoder in caller memory, at the start of the data (the
 * first byte fed is the first byte of a line).
 *
 * @param mem memory for the decoder, any alignment; borrowed for as long as
 *        the decoder is used.
 * @param mem_len its size; at least correu_dot_decoder_sizeof().
 * @param max_line the longest wire line accepted, in bytes, not counting its
 *        CRLF (a stuffed dot counts); 0 for no limit.
 * @param flags 0 or ::CORREU_DOT_NORMALISE.
 * @param dec_out receives the handle, which lives inside `mem`.
 * @return 0, or ::CORREU_ERR_ARG for a NULL pointer, too small a `mem` or an
 *         unknown flag.
 */
CORREU_API CORREU_NODISCARD int correu_dot_decoder_init(void *mem, size_t mem_len,
                                                        size_t max_line, uint32_t flags,
                                                        correu_dot_decoder **dec_out);

/**
 * Start a new message: forget state, error and offset; keep the settings.
 * @param dec the decoder; NULL is ignored.
 */
CORREU_API void correu_dot_decoder_reset(correu_dot_decoder *dec);

/**
 * Consume wire bytes and return the next piece of the message body.
 *
 * Call it in a loop, advancing `in` by `*consumed_out`, delivering each
 * piece, until it returns ::CORREU_DOT_END or an error, or all input is used.
 * The pieces, concatenated, are the message with the stuffing dots removed
 * and with the CRLF before the final "." kept (that CRLF ends the last line).
 * The data ends only at CRLF "." CRLF, or at "." CRLF as the very first
 * line; LF "." LF, CR "." CR, CRLF "." LF and the like are data (or bare
 * line end errors), never the end.
 *
 * A bad body does not stop the decoder, because the protocol must still
 * find the end of the data before it can answer. The body up to the first
 * fault (a bare CR or LF without ::CORREU_DOT_NORMALISE, or the first byte
 * past `max_line`) is returned, whatever the split; nothing after it is;
 * and the call that consumes the terminator returns that first error
 * instead of ::CORREU_DOT_END. correu_dot_decoder_error() tells the error
 * at once, for a caller that would rather close the connection.
 *
 * @param dec the decoder.
 * @param in wire bytes; borrowed for the call. May be NULL if `len` is 0.
 * @param len number of bytes in `in`.
 * @param consumed_out receives how many bytes of `in` were used. At the end
 *        this includes the terminator and nothing after it: the rest of `in`
 *        belongs to the protocol again (pipelined commands).
 * @param data_out receives the piece of body (NULL when empty). It points
 *        into `in` or to constant storage (an inserted CRLF), and is valid
 *        while `in` is unchanged.
 * @param data_len_out receives its length; may be 0 even on success.
 * @return 0 after consuming input or returning a piece (call again while
 *         input remains); ::CORREU_DOT_END when the terminator was consumed;
 *         at the terminator of a bad body, the first error it had:
 *         ::CORREU_ERR_BARE_EOL or ::CORREU_ERR_LIMIT; ::CORREU_ERR_STATE if
 *         fed after the end without a reset; ::CORREU_ERR_ARG for a NULL
 *         pointer.
 */
CORREU_API CORREU_NODISCARD int correu_dot_decoder_feed(correu_dot_decoder *dec,
                                                        const uint8_t *in, size_t len,
                                                        size_t *consumed_out,
                                                        const uint8_t **data_out,
                                                        size_t *data_len_out);

/**
 * The first error seen in the body so far, and where.
 * @param dec the decoder.
 * @param offset_out if not NULL, receives the stream offset (wire bytes
 *        since init or reset) of the byte at fault: the bare CR or LF, or the
 *        first byte past `max_line`; 0 when there was no error.
 * @return ::CORREU_ERR_BARE_EOL, ::CORREU_ERR_LIMIT, or 0.
 */
CORREU_API int correu_dot_decoder_error(const correu_dot_decoder *dec, uint64_t *offset_out);

/** A dot encoder: turns a message into its dot-stuffed wire form. */
typedef struct correu_dot_encoder correu_dot_encoder;

/**
 * Bytes a dot encoder needs, alignment slack included.
 * @return the smallest `mem_len` correu_dot_encoder_init() accepts.
 */
CORREU_API size_t correu_dot_encoder_sizeof(void);

/**
 * Set up a dot encoder in caller memory, at the start of a message.
 * @param mem memory for the encoder, any alignment; borrowed for as long as
 *        the encoder is used.
 * @param mem_len its size; at least correu_dot_encoder_sizeof().
 * @param flags 0 or ::CORREU_DOT_NORMALISE.
 * @param enc_out receives the handle, which lives inside `mem`.
 * @return 0, or ::CORREU_ERR_ARG for a NULL pointer, too small a `mem` or an
 *         unknown flag.
 */
CORREU_API CORREU_NODISCARD int correu_dot_encoder_init(void *mem, size_t mem_len,
                                                        uint32_t flags,
                                                        correu_dot_encoder **enc_out);

/**
 * Start a new message; keep the flags.
 * @param enc the encoder; NULL is ignored.
 */
CORREU_API void correu_dot_encoder_reset(correu_dot_encoder *enc);

/**
 * Encode message bytes into `out`: a "." that starts a line is doubled.
 *
 * Stops when the input is used up or `out` is full; an expansion that did
 * not fit is kept inside the encoder and written first by the next call.
 * Without ::CORREU_DOT_NORMALISE a bare CR or LF in the message is an error
 * that stays: the message cannot be sent correctly, and must not be ended
 * with correu_dot_encoder_finish() (that would deliver it cut short); close
 * the connection instead, or check the message before sending DATA.
 *
 * @param enc the encoder.
 * @param in message bytes; borrowed for the call. May be NULL if `len` is 0.
 * @param len number of bytes in `in`.
 * @param consumed_out receives how many bytes of `in` were encoded.
 * @param out where the wire bytes go; borrowed for the call.
 * @param out_cap its size.
 * @param out_len_out receives how many bytes were written to `out`, also on
 *        error (they precede the fault and may be sent).
 * @return 0 (call again with the rest while `*consumed_out` < `len`);
 *         ::CORREU_ERR_BARE_EOL (the offset is in correu_dot_encoder_error());
 *         ::CORREU_ERR_BUFFER if `out_cap` is 0 while there is work;
 *         ::CORREU_ERR_STATE after finish; ::CORREU_ERR_ARG for a NULL pointer.
 */
CORREU_API CORREU_NODISCARD int correu_dot_encoder_feed(correu_dot_encoder *enc,
                                                        const uint8_t *in, size_t len,
                                                        size_t *consumed_out, uint8_t *out,
                                                        size_t out_cap, size_t *out_len_out);

/**
 * Write the end of the data: CRLF "." CRLF, or only "." CRLF when the message
 * is empty or already ended with CRLF. Call again while it returns 0.
 * @param enc the encoder.
 * @param out where the bytes go; borrowed for the call.
 * @param out_cap its size (5 is always enough for one call).
 * @param out_len_out receives how many bytes were written.
 * @return ::CORREU_DOT_END once everything is written; 0 when `out` filled
 *         first; ::CORREU_ERR_BARE_EOL for an earlier error or a message
 *         ending in a bare CR (without ::CORREU_DOT_NORMALISE);
 *         ::CORREU_ERR_BUFFER if `out_cap` is 0; ::CORREU_ERR_STATE after
 *         ::CORREU_DOT_END was returned; ::CORREU_ERR_ARG for a NULL pointer.
 */
CORREU_API CORREU_NODISCARD int correu_dot_encoder_finish(correu_dot_encoder *enc, uint8_t *out,
                                                          size_t out_cap, size_t *out_len_out);

/**
 * The error the encoder stopped on, and where.
 * @param enc the encoder.
 * @param offset_out if not NULL, receives the offset in the message of the
 *        bare CR or LF; 0 when there was no error.
 * @return ::CORREU_ERR_BARE_EOL or 0.
 */
CORREU_API int correu_dot_encoder_error(const correu_dot_encoder *enc, uint64_t *offset_out);

/* ------------------------------------------------------------------ */
/* Base64 (RFC 4648 §4), strict, as SASL requires (RFC 4954 §4)        */

/**
 * Length of the base64 form of `len` bytes (padding included, no NUL).
 * @param len bytes to encode.
 * @return 4 * ceil(len / 3), or SIZE_MAX if that does not fit in a size_t.
 */
CORREU_API size_t correu_base64_encoded_len(size_t len);

/**
 * The most bytes `len` characters of base64 can decode to: len / 4 * 3.
 * @param len characters to decode.
 * @return the bound; the exact length may be one or two less (padding).
 */
CORREU_API size_t correu_base64_decoded_max(size_t len);

/**
 * Encode bytes as base64 with padding. No line breaks, no NUL terminator.
 * @param in bytes to encode; borrowed for the call. May be NULL if `len` is 0.
 * @param len their count.
 * @param out where the characters go; borrowed for the call. Must not
 *        overlap `in`.
 * @param out_cap its size; correu_base64_encoded_len(len) is enough.
 * @return the number of characters written; ::CORREU_ERR_BUFFER if `out_cap`
 *         is too small (nothing is written); ::CORREU_ERR_LIMIT if the result
 *         would not fit a ::correu_ssize; ::CORREU_ERR_ARG for a NULL pointer.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_base64_encode(const uint8_t *in, size_t len,
                                                              char *out, size_t out_cap);

/**
 * Decode strict base64: only the RFC 4648 §4 alphabet, the length a
 * multiple of 4, "=" only as the one or two last characters, and the unused
 * bits before the padding zero. Whitespace, line breaks, a missing or extra
 * "=" and non-canonical pad bits are all errors, so each byte string has
 * exactly one accepted encoding.
 * @param in the characters; borrowed for the call. May be NULL if `len` is 0.
 * @param len their count.
 * @param out where the bytes go; borrowed for the call. It may be the same
 *        memory as `in` (decoding in place), but must not otherwise overlap.
 * @param out_cap its size; correu_base64_decoded_max(len) is enough.
 * @return the number of bytes written; ::CORREU_ERR_ENCODING for input that
 *         is not strict base64; ::CORREU_ERR_BUFFER if `out_cap` is smaller
 *         than the decoded length (checked before anything is written);
 *         ::CORREU_ERR_ARG for a NULL pointer.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_base64_decode(const char *in, size_t len,
                                                              uint8_t *out, size_t out_cap);

/* ------------------------------------------------------------------ */
/* Strict UTF-8 (RFC 3629)                                             */

/**
 * Decode the first character of strict UTF-8 (RFC 3629 §3-4): the shortest
 * form of a Unicode scalar value, so no overlong form (C0 80 for U+0000),
 * no UTF-16 surrogate (U+D800 to U+DFFF) and nothing past U+10FFFF.
 *
 * Each byte is checked against the table of RFC 3629 §4 as it comes, so a
 * sequence is refused at its first impossible byte, and input that ends
 * inside a character more bytes could still complete is told apart from
 * input that can never be UTF-8. A caller reading a stream can therefore
 * keep the one to three bytes of a character cut at the end of a chunk and
 * decode again when more arrive: any split of the input gives the same
 * characters and the same error at the same byte.
 *
 * @param in the bytes; borrowed for the call. May be NULL if `len` is 0.
 * @param len their count.
 * @param cp_out if not NULL, receives the code point (U+0000 to U+10FFFF,
 *        never a surrogate) when a character is returned; left alone
 *        otherwise.
 * @return the length of the character in bytes, 1 to 4 (further bytes of
 *         `in` are not looked at); 0 when `len` is 0 or `in` is only the
 *         start of a character that more bytes could complete;
 *         ::CORREU_ERR_ENCODING when the first bytes begin no character: a
 *         continuation byte (80 to BF) or C0, C1, F5 to FF first, a
 *         character cut short by a byte that is not its continuation, an
 *         overlong form, a surrogate or a value past U+10FFFF;
 *         ::CORREU_ERR_ARG for a NULL `in` with a non-zero `len`.
 */
CORREU_API CORREU_NODISCARD int correu_utf8_decode(const uint8_t *in, size_t len,
                                                   uint32_t *cp_out);

/* ------------------------------------------------------------------ */
/* IMAP modified UTF-7 mailbox names (RFC 3501 §5.1.3)                 */

/**
 * An upper bound of the modified UTF-7 length of `len` bytes of UTF-8.
 * @param len UTF-8 bytes.
 * @return 5 * len, or SIZE_MAX if that does not fit in a size_t.
 */
CORREU_API size_t correu_mutf7_encoded_max(size_t len);

/**
 * An upper bound of the UTF-8 length of `len` bytes of modified UTF-7.
 * @param len modified UTF-7 bytes.
 * @return len + len / 8 + 1, or SIZE_MAX if that does not fit in a size_t.
 */
CORREU_API size_t correu_mutf7_decoded_max(size_t len);

/**
 * Encode a UTF-8 mailbox name as modified UTF-7: printable ASCII stands for
 * itself, "&" becomes "&-", every other run of characters is one
 * "&" base64(UTF-16BE) "-" shift with "," for "/" and no padding.
 * @param utf8 the name; borrowed for the call; not NUL-terminated (a NUL is
 *        an error). May be NULL if `len` is 0.
 * @param len its length in bytes.
 * @param out where the result goes, or NULL to only measure; borrowed for
 *        the call. Must not overlap `utf8`.
 * @param out_cap its size (0 with a NULL `out`); correu_mutf7_encoded_max()
 *        is always enough.
 * @return the length of the result (written, or needed when `out` is NULL);
 *         ::CORREU_ERR_ENCODING for input that is not valid UTF-8 (overlong
 *         forms, surrogates, code points over U+10FFFF, cut sequences) or
 *         holds a NUL; ::CORREU_ERR_BUFFER if `out_cap` is too small (`out`
 *         then holds a partial result); ::CORREU_ERR_ARG for a NULL pointer
 *         with a non-zero length.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_mutf7_encode(const char *utf8, size_t len,
                                                             char *out, size_t out_cap);

/**
 * Decode a modified UTF-7 mailbox name to UTF-8. Only the canonical form
 * that correu_mutf7_encode() produces is accepted: no bytes outside printable
 * ASCII, no printable ASCII or NUL inside a shift, no unterminated shift, no
 * two shifts back to back ("&AGE-&AGU-" must be "&AGEAZQ-"), no needless
 * base64 character or non-zero pad bits, surrogates only in proper pairs.
 * @param mutf7 the name; borrowed for the call; not NUL-terminated. May be
 *        NULL if `len` is 0.
 * @param len its length in bytes.
 * @param out where the UTF-8 goes, or NULL to only measure; borrowed for the
 *        call. Must not overlap `mutf7`.
 * @param out_cap its size (0 with a NULL `out`); correu_mutf7_decoded_max()
 *        is always enough.
 * @return the length of the result (written, or needed when `out` is NULL);
 *         ::CORREU_ERR_ENCODING for input not in canonical modified UTF-7;
 *         ::CORREU_ERR_BUFFER if `out_cap` is too small (`out` then holds a
 *         partial result); ::CORREU_ERR_ARG for a NULL pointer with a
 *         non-zero length.
 */
CORREU_API CORREU_NODISCARD correu_ssize correu_mutf7_decode(const char *mutf7, size_t len,
                                                             char *out, size_t out_cap);

#ifdef __cplusplus
}
#endif
#endif
