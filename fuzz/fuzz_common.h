/*
 * What the fuzz harnesses share (fuzz/, the test tooling of every layer):
 * a growable byte record that a harness fills with what one run reported,
 * so that runs over the same input cut in different places can be compared
 * byte for byte, and the one rule by which those runs cut their input.
 * Nothing here calls the library, so any harness may link it.
 */
#ifndef CORREU_FUZZ_COMMON_H
#define CORREU_FUZZ_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A run's record: `p` is NULL until the first byte is added. */
struct fuzz_rec {
	uint8_t *p;
	size_t len, cap;
};

/* Append n bytes (none: no change). Out of memory aborts: a harness has no
 * one to tell, and running out is not what it looks for. */
void fuzz_rec_add(struct fuzz_rec *r, const void *p, size_t n);

/* fuzz_rec_add() in the shape of the library's writer callbacks
 * (correu_mime_imap_write() and the like): `userdata` is the record. */
int fuzz_rec_put(const uint8_t *p, size_t n, void *userdata);

/* Whether two records hold the same bytes (two empty ones do, though
 * their pointers are NULL and memcmp may not be given those). */
bool fuzz_rec_same(const struct fuzz_rec *a, const struct fuzz_rec *b);

/* Free the bytes and leave the record empty. */
void fuzz_rec_free(struct fuzz_rec *r);

/* The end of a split check: abort unless the records of the whole input,
 * the input cut in two and the input in pieces are the same; free them. */
void fuzz_recs_agree(struct fuzz_rec *whole, struct fuzz_rec *cut, struct fuzz_rec *pieces);

/*
 * Where the chunk that starts at `start` ends, for input of n bytes that is
 * delivered first up to `cut` and then `step` bytes at a time (step 0:
 * all the rest at once). Used by the harnesses that feed one input whole,
 * cut in two and in small pieces, and require the same record each way.
 */
size_t fuzz_chunk_end(size_t start, size_t n, size_t cut, size_t step);

#endif
