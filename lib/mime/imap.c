/*
 * The public IMAP output calls of the MIME layer: ENVELOPE, BODY and
 * BODYSTRUCTURE to a sink or into a caller buffer.
 */
#include <string.h>

#include "mime_internal.h"

int correu_mime_imap_write(const correu_mime_message *m, uint32_t part, uint32_t what,
                           uint32_t flags, correu_mime_write_fn write, void *ud)
{
	struct correu__mime_out o = { write, ud, 0 };

	if (!m || !write || what < CORREU_MIME_IMAP_ENVELOPE ||
	    what > CORREU_MIME_IMAP_BODYSTRUCTURE)
		return CORREU_ERR_ARG;
	if (part >= m->nparts)
		return CORREU_ERR_NOT_FOUND;
	if (what == CORREU_MIME_IMAP_ENVELOPE) {
		/* Only a message has an envelope: the root or a message/rfc822 body. */
		if (part != 0 && m->parts[m->parts[part].parent].kind != CORREU_MIME_KIND_MESSAGE)
			return CORREU_ERR_NOT_FOUND;
		correu__mime_envelope(m, part, flags, &o);
	} else {
		correu__mime_bodystructure(m, part, what == CORREU_MIME_IMAP_BODYSTRUCTURE, flags,
		                           &o);
	}
	return o.err;
}

struct fixed {
	uint8_t *out;
	size_t cap, len;
};

static int to_fixed(const uint8_t *p, size_t n, void *ud)
{
	struct fixed *f = ud;

	if (f->len < f->cap)
		memcpy(f->out + f->len, p, n < f->cap - f->len ? n : f->cap - f->len);
	f->len = n > SIZE_MAX - f->len ? SIZE_MAX : f->len + n;
	return 0;
}

correu_ssize correu_mime_imap_format(const correu_mime_message *m, uint32_t part, uint32_t what,
                                     uint32_t flags, uint8_t *out, size_t cap, size_t *need_out)
{
	struct fixed f = { out, cap, 0 };
	int rc;

	if (!out && cap)
		return CORREU_ERR_ARG;
	rc = correu_mime_imap_write(m, part, what, flags, to_fixed, &f);
	if (rc < 0)
		return rc;
	if (need_out)
		*need_out = f.len;
	if (f.len > cap || f.len > PTRDIFF_MAX)
		return CORREU_ERR_BUFFER;
	return (correu_ssize)f.len;
}
