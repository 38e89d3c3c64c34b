/*
 * The core's side of the backend interface for a selected mailbox (store
 * layer): sync for IDLE and NOOP, reading a message in bounded chunks,
 * flag changes with UNCHANGEDSINCE, expunge and copy/move over UID ranges.
 */
#include <string.h>

#include "backend_int.h"

/*
 * Room for one string of `len` bytes and `n` UID ranges in the request's
 * input copy, reserved at once so that neither copy moves the other.
 */
static int reserve_in(correu_store_req *r, size_t len, size_t n)
{
	/* len <= a uint32_t limit and n <= max_ranges: no overflow. */
	return correu__buf_reserve(&r->in, len + 1 + sizeof(uint32_t) + n * 2 * sizeof(uint32_t));
}

/* Copy the UID ranges into the request (they outlive a paused call). */
static int copy_ranges(correu_store_req *r, const uint32_t *ranges, size_t n, const uint32_t **out)
{
	size_t bytes = n * 2 * sizeof(uint32_t);
	size_t pad = (sizeof(uint32_t) - r->in.len % sizeof(uint32_t)) % sizeof(uint32_t);
	int rc;

	/* n <= max_ranges (a uint32_t), so `bytes` cannot overflow. */
	rc = correu__buf_reserve(&r->in, bytes + pad);
	if (rc < 0)
		return rc;
	r->in.len += pad;
	memcpy(r->in.data + r->in.len, ranges, bytes);
	*out = (const uint32_t *)(void *)(r->in.data + r->in.len);
	r->in.len += bytes;
	return 0;
}

int correu_store_box_sync(correu_store_req *r, correu_store_box *box)
{
	int rc = correu__store_begin_on(r, CORREU_STORE_OP_SYNC, r && BE(r)->sync,
	                                box ? &box->o : NULL, OBJ_BOX);

	if (rc < 0)
		return rc;
	return correu__store_finish(r, BE(r)->sync(r, box->o.h, UD(r)));
}

int correu_store_message_open(correu_store_req *r, correu_store_box *box, uint32_t uid)
{
	int rc = correu__store_begin_on(r, CORREU_STORE_OP_MESSAGE_OPEN, r && BE(r)->message_open,
	                                box ? &box->o : NULL, OBJ_BOX);

	if (rc < 0)
		return rc;
	if (uid == 0)
		return correu__store_refuse(r, CORREU_ERR_ARG);
	r->made = correu__store_obj_new(r->st, OBJ_STREAM);
	if (!r->made)
		return correu__store_refuse(r, CORREU_ERR_NOMEM);
	return correu__store_finish(r, BE(r)->message_open(r, box->o.h, uid, UD(r)));
}

int correu_store_stream_read(correu_store_req *r, correu_store_stream *s, size_t max)
{
	int rc = correu__store_begin_on(r, CORREU_STORE_OP_STREAM_READ, r && BE(r)->stream_read,
	                                s ? &s->o : NULL, OBJ_STREAM);

	if (rc < 0)
		return rc;
	if (max == 0)
		return correu__store_refuse(r, CORREU_ERR_ARG);
	if (max > SET(r)->max_chunk)
		return correu__store_refuse(r, CORREU_ERR_LIMIT);
	r->max_read = max;
	return correu__store_finish(r, BE(r)->stream_read(r, s->o.h, max, UD(r)));
}

void correu_store_stream_close(correu_store_stream *s)
{
	if (s)
		correu__store_obj_close(&s->o);
}

int correu_store_set_flags(correu_store_req *r, correu_store_box *box, const uint32_t *ranges,
                           size_t range_count, uint32_t mode, uint32_t flags, const char *keywords,
                           size_t keywords_len, uint64_t unchangedsince)
{
	const uint32_t *cr = NULL;
	const char *ck;
	int rc = correu__store_begin_on(r, CORREU_STORE_OP_SET_FLAGS, r && BE(r)->set_flags,
	                                box ? &box->o : NULL, OBJ_BOX);

	if (rc < 0)
		return rc;
	if (mode < CORREU_STORE_FLAGS_ADD || mode > CORREU_STORE_FLAGS_REPLACE ||
	    (flags & ~CORREU_STORE_FLAGS_SETTABLE))
		return correu__store_refuse(r, CORREU_ERR_ARG);
	rc = correu__store_check_ranges(ranges, range_count, SET(r)->max_ranges);
	if (rc == 0)
		rc = correu__store_check_name(keywords, keywords_len, SET(r)->max_keywords, true);
	if (rc == 0)
		rc = reserve_in(r, keywords_len, range_count);
	if (rc == 0)
		rc = correu__store_copy_in(r, 1, &keywords, &keywords_len, &ck);
	if (rc == 0)
		rc = copy_ranges(r, ranges, range_count, &cr);
	if (rc < 0)
		return correu__store_refuse(r, rc);
	return correu__store_finish(r, BE(r)->set_flags(r, box->o.h, cr, range_count, mode, flags,
	                                                ck, keywords_len, unchangedsince, UD(r)));
}

int correu_store_expunge(correu_store_req *r, correu_store_box *box, const uint32_t *ranges,
                         size_t range_count)
{
	const uint32_t *cr = NULL;
	int rc = correu__store_begin_on(r, CORREU_STORE_OP_EXPUNGE, r && BE(r)->expunge,
	                                box ? &box->o : NULL, OBJ_BOX);

	if (rc < 0)
		return rc;
	if (range_count) {
		rc = correu__store_check_ranges(ranges, range_count, SET(r)->max_ranges);
		if (rc == 0)
			rc = copy_ranges(r, ranges, range_count, &cr);
		if (rc < 0)
			return correu__store_refuse(r, rc);
	}
	return correu__store_finish(r, BE(r)->expunge(r, box->o.h, cr, range_count, UD(r)));
}

int correu_store_copy(correu_store_req *r, correu_store_box *box, const uint32_t *ranges,
                      size_t range_count, const char *dest, size_t dest_len, uint32_t move)
{
	const uint32_t *cr = NULL;
	const char *cd;
	bool ok = r && (move ? BE(r)->move && BE(r)->expunge : BE(r)->copy != NULL);
	int rc = correu__store_begin_on(r, move ? CORREU_STORE_OP_MOVE : CORREU_STORE_OP_COPY,
	                                ok && move <= 1, box ? &box->o : NULL, OBJ_BOX);

	if (rc < 0)
		return rc;
	rc = correu__store_check_ranges(ranges, range_count, SET(r)->max_ranges);
	if (rc == 0)
		rc = correu__store_check_name(dest, dest_len, SET(r)->max_name, false);
	if (rc == 0)
		rc = reserve_in(r, dest_len, range_count);
	if (rc == 0)
		rc = correu__store_copy_in(r, 1, &dest, &dest_len, &cd);
	if (rc == 0)
		rc = copy_ranges(r, ranges, range_count, &cr);
	if (rc < 0)
		return correu__store_refuse(r, rc);
	if (move)
		return correu__store_finish(
			r, BE(r)->move(r, box->o.h, cr, range_count, cd, dest_len, UD(r)));
	return correu__store_finish(r,
	                            BE(r)->copy(r, box->o.h, cr, range_count, cd, dest_len, UD(r)));
}
