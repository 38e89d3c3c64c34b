/*
 * correu-fetch's check of a message left pending by a crash (see
 * recover.h): each local message delivered since the mark is compared,
 * byte for byte, with the server's copy as RETR streams it. Messages are
 * stored exactly as the server sent them, so a stored copy is identical.
 */
#include "recover.h"

#include <string.h>

struct compare {
	correu_maildir_reader *r;
	int differ;
};

/* Read exactly `len` bytes unless the file ends first: the count read. */
static correu_ssize read_full(correu_maildir_reader *r, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		correu_ssize n = correu_maildir_reader_read(r, buf + got, len - got);

		if (n < 0)
			return n;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (correu_ssize)got;
}

static int compare_chunk(const uint8_t *data, size_t len, void *userdata)
{
	struct compare *c = userdata;
	uint8_t buf[4096];

	/* A difference is noted, not returned: the rest of the answer is
	 * read all the same, and the next candidate can be tried. */
	while (len > 0 && !c->differ) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		if (read_full(c->r, buf, n) != (correu_ssize)n || memcmp(buf, data, n) != 0)
			c->differ = 1;
		data += n;
		len -= n;
	}
	return 0;
}

/* 1 if local message `uid` holds the bytes of server message `msg`. */
static int same_message(correu_pop3_session *s, uint32_t msg, correu_maildir_box *box,
                        uint32_t uid)
{
	struct compare c = { NULL, 0 };
	uint8_t end;
	int rc = correu_maildir_reader_open(box, uid, &c.r);

	if (rc == CORREU_ERR_NOT_FOUND)
		return 0; /* expunged meanwhile */
	if (rc < 0)
		return rc;
	rc = correu_pop3_session_retrieve(s, msg, compare_chunk, &c);
	/* The local copy must end where the server's does. */
	if (rc == 0 && !c.differ && read_full(c.r, &end, 1) != 0)
		c.differ = 1;
	correu_maildir_reader_free(c.r);
	return rc < 0 ? rc : !c.differ;
}

int recover_pending(correu_pop3_session *s, uint32_t msg, correu_maildir_box *box,
                    const struct uidpending *p)
{
	size_t i = correu_maildir_box_count(box);

	if (correu_maildir_box_uidvalidity(box) != p->uidvalidity)
		return 0;
	/* Newest first: the copy, if any, is among the last delivered. */
	while (i-- > 0) {
		correu_maildir_msg m = { .version = CORREU_MAILDIR_MSG_VERSION };
		int rc = correu_maildir_box_message(box, i, &m);

		if (rc < 0)
			return rc;
		if (m.uid < p->uidnext)
			break;
		rc = same_message(s, msg, box, m.uid);
		if (rc != 0)
			return rc;
	}
	return 0;
}
