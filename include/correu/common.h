/*
 * correu common layer: error codes, allocator table and fixed-buffer arena,
 * log hook, secret wiping and the library version. Every other layer and
 * every protocol builds on these; nothing here does I/O or keeps global state.
 */
#ifndef CORREU_COMMON_H
#define CORREU_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "correu/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @file
 * Conventions shared by the whole API.
 *
 * - Fallible calls return `int` (or ::correu_ssize for byte counts): zero or
 *   more on success, a negative `CORREU_ERR_*` code on failure.
 * - Buffers are always a (pointer, length) pair; strings are not assumed to
 *   be NUL-terminated unless a parameter says so.
 * - Callbacks take `void *userdata` last and return 0, ::CORREU_PAUSE, or a
 *   negative code to fail; they must not longjmp.
 */

/** Marks a function as part of the public, exported API. */
#if defined(_WIN32) && defined(CORREU_BUILDING)
#define CORREU_API __declspec(dllexport)
#elif defined(__GNUC__) || defined(__clang__)
#define CORREU_API __attribute__((visibility("default")))
#else
#define CORREU_API
#endif

/** Marks a fallible function: ignoring its result draws a compiler warning. */
#if defined(__GNUC__) || defined(__clang__)
#define CORREU_NODISCARD __attribute__((warn_unused_result))
#else
#define CORREU_NODISCARD
#endif

/** A byte count or a negative `CORREU_ERR_*` code. */
typedef ptrdiff_t correu_ssize;

/** A callback asks the caller to stop for now and resume later (not an error). */
#define CORREU_PAUSE 1

/**
 * The error table: X(NAME, value, message). Codes are fixed numbers and the
 * table is append-only; the Python constants are generated from it too.
 */
#define CORREU_ERROR_TABLE(X)                                                     \
	X(OK, 0, "success")                                                       \
	X(NOMEM, -1, "out of memory")                                             \
	X(ARG, -2, "invalid argument")                                            \
	X(LIMIT, -3, "configured limit exceeded")                                 \
	X(SYNTAX, -4, "syntax error in input")                                    \
	X(STATE, -5, "call not valid in the current state")                       \
	X(WANT_READ, -6, "operation would block until readable")                  \
	X(WANT_WRITE, -7, "operation would block until writable")                 \
	X(EOF, -8, "connection closed by the peer")                               \
	X(IO, -9, "input/output error")                                           \
	X(TIMEOUT, -10, "operation timed out")                                    \
	X(TLS, -11, "TLS error")                                                  \
	X(CERT, -12, "certificate verification failed")                           \
	X(AUTH, -13, "authentication failed")                                     \
	X(PROTO, -14, "protocol violation by the peer")                           \
	X(UNSUPPORTED, -15, "not supported")                                      \
	X(INTERNAL, -16, "internal error")                                        \
	X(BARE_EOL, -17, "bare CR or LF in a line")                               \
	X(RESOLVE, -18, "host name could not be resolved")                        \
	X(CONNECT, -19, "connection failed")                                      \
	X(POISONED, -20, "handle unusable after an earlier fatal error")          \
	X(INCOMPLETE, -21, "input ended in the middle of an item")                \
	X(ENCODING, -22, "invalid encoding")                                      \
	X(REPLY, -23, "the server answered with an error")                        \
	X(TLS_REQUIRED, -24, "TLS required but not available")                    \
	X(CLOSED, -25, "the connection or handle is closed")                      \
	X(NOT_FOUND, -26, "not found")                                            \
	X(EXISTS, -27, "already exists")                                          \
	X(BUSY, -28, "resource busy or locked")                                   \
	X(CANCELLED, -29, "cancelled by the caller")                              \
	X(CRYPTO, -30, "cryptographic operation failed")                          \
	X(BUFFER, -31, "output buffer too small")

/** Error codes (negative) and ::CORREU_OK (zero). */
enum correu_error {
#define CORREU_X_ENUM(name, value, msg) CORREU_ERR_##name = (value),
	CORREU_ERROR_TABLE(CORREU_X_ENUM)
#undef CORREU_X_ENUM
	/** Success; same as ::CORREU_ERR_OK. */
	CORREU_OK = 0
};

/**
 * Describe an error code in a sentence.
 * @param err a `CORREU_ERR_*` code.
 * @return a static string; "unknown error" for a code not in the table. Never NULL.
 */
CORREU_API const char *correu_strerror(int err);

/**
 * The symbolic name of an error code, such as "CORREU_ERR_NOMEM".
 * @param err a `CORREU_ERR_*` code.
 * @return a static string; "CORREU_ERR_UNKNOWN" for a code not in the table.
 */
CORREU_API const char *correu_err_name(int err);

/** @return ::CORREU_VERSION_NUM of the library actually loaded. */
CORREU_API uint32_t correu_version_num(void);

/** @return the version string of the library actually loaded; static. */
CORREU_API const char *correu_version_str(void);

/* ------------------------------------------------------------------ */
/* Allocation                                                          */

/** Version of ::correu_allocator this header describes. */
#define CORREU_ALLOCATOR_VERSION 1

/**
 * An allocator table. Every handle takes one (NULL means the C library's
 * malloc/realloc/free). Sizes are passed back on realloc and free so that
 * pools and arenas need no headers of their own.
 */
typedef struct correu_allocator {
	uint32_t version; /**< ::CORREU_ALLOCATOR_VERSION */
	void *user;       /**< passed to each function as `user` */
	/** Return `size` bytes (size > 0) aligned for any object, or NULL. */
	void *(*alloc)(void *user, size_t size);
	/** Resize a block from `old_size` to `new_size` (> 0); NULL on failure
	 * (the old block then stays valid). */
	void *(*realloc)(void *user, void *ptr, size_t old_size, size_t new_size);
	/** Release a block of `size` bytes; `ptr` is never NULL. */
	void (*free)(void *user, void *ptr, size_t size);
} correu_allocator;

/**
 * The C library allocator (malloc, realloc, free).
 * @return a static table; never NULL.
 */
CORREU_API const correu_allocator *correu_allocator_libc(void);

/** An allocator that serves blocks from one caller-supplied buffer. */
typedef struct correu_arena correu_arena;

/**
 * Turn a caller buffer into an arena allocator: a first-fit free list with
 * coalescing, so blocks can be freed in any order. No heap is used.
 *
 * @param mem buffer that holds the arena's bookkeeping and the blocks;
 *        borrowed until the arena is no longer used. Any alignment.
 * @param len its size in bytes; at least 256.
 * @param arena_out receives the arena handle (it lives inside `mem`).
 * @return 0, or ::CORREU_ERR_ARG for a NULL pointer or too small a buffer.
 */
CORREU_API CORREU_NODISCARD int correu_arena_init(void *mem, size_t len,
                                                  correu_arena **arena_out);

/**
 * The allocator table of an arena, to hand to any `_new` call.
 * @param arena from correu_arena_init(); borrowed.
 * @return a table that lives inside the arena; NULL if `arena` is NULL.
 */
CORREU_API const correu_allocator *correu_arena_allocator(correu_arena *arena);

/**
 * Bytes of the arena in use (blocks and their headers) right now.
 * @param arena from correu_arena_init().
 * @return the bytes in use; 0 if `arena` is NULL.
 */
CORREU_API size_t correu_arena_used(const correu_arena *arena);

/**
 * The most bytes the arena ever had in use (its high-water mark).
 * @param arena from correu_arena_init().
 * @return the peak in bytes; 0 if `arena` is NULL.
 */
CORREU_API size_t correu_arena_peak(const correu_arena *arena);

/* ------------------------------------------------------------------ */
/* Logging                                                             */

/** Log levels run from most to least severe; this one: an operation failed. */
#define CORREU_LOG_ERROR 0
/** Log level of trouble that was handled, such as a peer's odd reply. */
#define CORREU_LOG_WARN 1
/** Log level of notable events, such as a connection or a TLS handshake. */
#define CORREU_LOG_INFO 2
/** Log level of detail for finding faults. */
#define CORREU_LOG_DEBUG 3
/** Protocol traffic; credentials are never logged, even at this level. */
#define CORREU_LOG_TRACE 4

/**
 * A log hook: receives one formatted message (no trailing newline, not
 * NUL-terminated) of a given level.
 * @param level a `CORREU_LOG_*` level.
 * @param msg the message, valid only during the call.
 * @param len its length.
 * @param userdata as given with the hook.
 */
typedef void (*correu_log_fn)(int level, const char *msg, size_t len, void *userdata);

/** Version of ::correu_logger this header describes. */
#define CORREU_LOGGER_VERSION 1

/** A log hook and the most verbose level it wants. */
typedef struct correu_logger {
	uint32_t version;   /**< ::CORREU_LOGGER_VERSION */
	uint32_t max_level; /**< messages above this level are not formatted */
	correu_log_fn fn;   /**< NULL: logging off */
	void *userdata;     /**< passed to `fn` */
} correu_logger;

/* ------------------------------------------------------------------ */
/* Secrets                                                             */

/**
 * Overwrite memory with zeros in a way the compiler may not remove; for
 * passwords, keys and SASL state once used.
 * @param p memory to wipe (NULL allowed when `len` is 0).
 * @param len bytes to wipe.
 */
CORREU_API void correu_wipe(void *p, size_t len);

#ifdef __cplusplus
}
#endif
#endif
