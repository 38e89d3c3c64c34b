/*
 * Copying and moving messages between folders (store layer). The copy keeps
 * flags, keywords (by name: each folder has its own dovecot-keywords) and
 * the internal date. It is a hard link when the filesystem allows (no data
 * copied, same inode, so the mtime is the same), otherwise a delivery fed
 * from the source file. Either way the destination gives it a new UID
 * (RFC 9051 section 6.4.7; RFC 6851 for MOVE = copy then expunge).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "maildir_internal.h"

/* The destination's keyword bits for the source's. */
static int map_keywords(correu_maildir_box *src, uint32_t kw, correu_maildir_box *dst,
                        uint32_t *out)
{
	*out = 0;
	for (unsigned i = 0; i < CORREU_MAILDIR_MAX_KEYWORDS; i++) {
		unsigned idx;
		int rc;

		if (!(kw & (1u << i)) || !src->kw[i])
			continue; /* a letter without a name cannot be carried */
		rc = correu_maildir_box_keyword_index(dst, src->kw[i], src->kw_len[i], 1, &idx);
		if (rc < 0)
			return rc;
		*out |= 1u << idx;
	}
	return 0;
}

/* RFC822.SIZE of a file without W=: count the bare LFs once, so the copy
 * can still be a hard link. The offset is put back for copy_bytes(). */
static int count_vsize(int fd, uint64_t *vsize)
{
	uint8_t buf[16384], last = 0;
	uint64_t v = 0;

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return CORREU_ERR_IO;
		if (n == 0)
			break;
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == '\n' && (i ? buf[i - 1] : last) != '\r')
				v++;
		}
		last = buf[n - 1];
		v += (uint64_t)n;
	}
	*vsize = v;
	return lseek(fd, 0, SEEK_SET) == 0 ? 0 : CORREU_ERR_IO;
}

static int copy_bytes(correu_maildir_box *dst, int fd, uint32_t flags, uint32_t kw,
                      int64_t date, uint32_t *uid_out)
{
	correu_maildir_delivery *d;
	uint8_t buf[16384];
	int rc = correu_maildir_delivery_begin(dst, &d);

	if (rc < 0)
		return rc;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? CORREU_ERR_IO : 0;
			break;
		}
		rc = correu_maildir_delivery_write(d, buf, (size_t)n);
		if (rc < 0)
			break;
	}
	if (rc == 0)
		rc = correu_maildir_delivery_set_flags(d, flags, kw);
	if (rc == 0)
		rc = correu_maildir_delivery_set_date(d, date);
	if (rc < 0) {
		correu_maildir_delivery_abort(d);
		return rc;
	}
	return correu_maildir_delivery_commit(d, uid_out);
}

int correu_maildir_box_copy(correu_maildir_box *src, uint32_t uid, correu_maildir_box *dst,
                            uint32_t *uid_out)
{
	char p[MD_PATH_MAX], unique[320];
	struct md_rec *r;
	uint32_t kw = 0, flags;
	uint64_t size, vsize;
	int64_t date;
	int fd, rc;

	if (!src || !dst || src == dst)
		return CORREU_ERR_ARG;
	/* Opening the file finds it even if it was renamed meanwhile. */
	rc = correu_maildir_box_open_fd(src, uid, &fd);
	if (rc < 0)
		return rc;
	r = correu__md_rec_find(src, uid);
	if (!r) {
		close(fd);
		return CORREU_ERR_NOT_FOUND;
	}
	if (!r->have_stat)
		(void)correu__md_rec_stat(src, r);
	flags = r->flags;
	size = r->size;
	vsize = r->vsize;
	date = r->mtime;
	rc = correu__md_rec_path(src, r, p);
	if (rc == 0)
		rc = map_keywords(src, r->keywords, dst, &kw);
	if (rc == 0 && !vsize)
		rc = count_vsize(fd, &vsize);
	if (rc == 0)
		rc = correu__md_unique_name(dst->md, unique, sizeof(unique));
	if (rc == 0) {
		rc = correu__md_box_lock(dst);
		if (rc == 0) {
			rc = correu__md_deliver_locked(dst, p, unique, size, vsize, flags, kw, true,
			                               uid_out);
			correu__md_box_unlock(dst);
		}
		if (rc == CORREU_ERR_UNSUPPORTED || rc == CORREU_ERR_NOT_FOUND)
			rc = 1; /* no hard link here (or renamed): copy the bytes */
	}
	if (rc == 1)
		rc = copy_bytes(dst, fd, flags, kw, date, uid_out);
	close(fd);
	return rc;
}

int correu_maildir_box_move(correu_maildir_box *src, uint32_t uid, correu_maildir_box *dst,
                            uint32_t *uid_out)
{
	int rc = correu_maildir_box_copy(src, uid, dst, uid_out);

	return rc < 0 ? rc : correu_maildir_box_expunge(src, uid);
}
