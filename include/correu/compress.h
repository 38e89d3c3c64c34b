/*
 * correu transport layer, compression: a transport that deflates what is
 * written and inflates what is read (raw DEFLATE, RFC 1951), layered over
 * another transport. IMAP's COMPRESS=DEFLATE (RFC 4978) switches it on
 * after the server's OK. Built with zlib when the `compress` option finds
 * it; without, every call answers CORREU_ERR_UNSUPPORTED, so the exported
 * symbols never depend on build options.
 */
#ifndef CORREU_COMPRESS_H
#define CORREU_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "correu/common.h"
#include "correu/transport.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * A compressing transport filter (raw DEFLATE, as RFC 4978 uses it).
 *
 * Writes are compressed and flushed at once (a sync flush, RFC 4978 §4),
 * so each command reaches the server whole. Reads are inflated straight
 * into the caller's buffer: memory stays bounded by the settings whatever
 * the peer's compression ratio. A peer that ends its DEFLATE stream, or
 * sends bytes that are not DEFLATE, fails the read with
 * ::CORREU_ERR_PROTO.
 */

/** Version of ::correu_deflate_settings this header describes. */
#define CORREU_DEFLATE_SETTINGS_VERSION 1

/**
 * Configuration of a deflate filter. Fill with
 * correu_deflate_settings_init(); a zero field means its default.
 */
typedef struct correu_deflate_settings {
	uint32_t version; /**< ::CORREU_DEFLATE_SETTINGS_VERSION */
	/** Compression level 1 (fast) to 9 (small) (default 6). */
	uint32_t level;
	/** Base-2 log of the compression window, 9 to 15 (default 15);
	 * smaller uses less memory for writing. Reading always accepts the
	 * peer's window of up to 2^15 bytes (RFC 1951 §2). */
	uint32_t window_bits;
	/** zlib's memory level for compressing, 1 to 9 (default 8). */
	uint32_t mem_level;
	/** Bytes buffered on each side (compressed input waiting to be
	 * inflated, compressed output waiting to be written); default 16384,
	 * at least 256. */
	size_t buffer_size;
	/** Allocator for the filter and zlib's state; borrowed until the
	 * filter is freed; NULL: the inner transport's (libc). */
	const correu_allocator *allocator;
} correu_deflate_settings;

/**
 * Fill settings with the defaults.
 * @param s the settings; NULL is ignored.
 */
CORREU_API void correu_deflate_settings_init(correu_deflate_settings *s);

/**
 * Whether this build can compress (it was built with zlib).
 * @return 1 or 0.
 */
CORREU_API int correu_compress_available(void);

/**
 * Layer a deflate filter over a transport. Use it in place of `inner`
 * from the next byte on; correu_transport_wait() on it reports readable
 * data it holds already, and flushes compressed bytes still waiting to be
 * written while it waits.
 * @param inner the transport underneath; taken over on success (freed
 *        with the filter), left to the caller on failure.
 * @param settings configuration; copied; NULL for defaults.
 * @param out receives the filter.
 * @return 0; ::CORREU_ERR_ARG (NULL pointer, unknown version, a setting
 *         out of range); ::CORREU_ERR_NOMEM; ::CORREU_ERR_UNSUPPORTED
 *         (built without zlib).
 */
CORREU_API CORREU_NODISCARD int correu_transport_deflate_new(correu_transport *inner,
                                                             const correu_deflate_settings *settings,
                                                             correu_transport **out);

#ifdef __cplusplus
}
#endif
#endif
