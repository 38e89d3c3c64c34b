/*
 * Delivery into a folder (store layer), in the order that never loses an
 * acknowledged message (cr.yp.to/proto/maildir.html, and what Dovecot's
 * LDA does): the message is streamed to tmp/<unique> (O_EXCL), fsynced and
 * closed; then, holding dovecot-uidlist.lock, it is linked into new/ (or
 * cur/ with flags) under its final name with ",S=<size>,W=<vsize>", new/ is
 * fsynced, and its UID is appended to dovecot-uidlist and fdatasync'd. Only
 * then does commit return 0. Taking the lock before the file becomes
 * visible makes UID order the order of arrival, even with other writers.
 *
 * SMTP/LMTP delivery takes a shorter way (flush, place, then the caller
 * fsyncs new/): the file goes into new/ under its final name without the
 * lock and without a UID, as any Maildir delivery agent leaves it. The
 * next reader, correu's sync or Dovecot's, gives it the next UID under the
 * lock and writes it to dovecot-uidlist, where it then stays: UIDs remain
 * unique, increasing and stable, and a delivery costs the same whatever
 * the size of the folder and never waits for a reader's lock. The UID a
 * delivery would get is nobody's business but IMAP APPEND's (RFC 4315
 * APPENDUID), which goes through commit.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir_internal.h"

struct correu_maildir_delivery {
	correu_maildir_box *box;
	int fd;
	int err; /* sticky: a failed write leaves only abort */
	char unique[320];
	char tmp_path[MD_PATH_MAX];
	uint64_t size, vsize;
	uint8_t last; /* last byte written, to count bare LFs across chunks */
	uint32_t flags, keywords;
	int64_t date;
	bool have_date;
	bool placed;   /* linked into new/ as `name` by correu__md_delivery_place() */
	char name[512];
};

/* The final base name: the unique part, then the sizes readers trust
 * without reading the file (Dovecot's S= and W=). */
static int base_name(char *out, size_t cap, const char *unique, uint64_t size, uint64_t vsize)
{
	int n = snprintf(out, cap, "%s,S=%llu,W=%llu", unique, (unsigned long long)size,
	                 (unsigned long long)vsize);

	return n < 0 || (size_t)n >= cap ? CORREU_ERR_LIMIT : 0;
}

int correu_maildir_delivery_begin(correu_maildir_box *box, correu_maildir_delivery **d_out)
{
	correu_maildir_delivery *d;
	int rc = 0;

	if (!box || !d_out)
		return CORREU_ERR_ARG;
	*d_out = NULL;
	d = correu__calloc(box->md->alloc, sizeof(*d));
	if (!d)
		return CORREU_ERR_NOMEM;
	d->box = box;
	d->fd = -1;
	for (int tries = 0; tries < 10 && d->fd < 0; tries++) {
		rc = correu__md_unique_name(box->md, d->unique, sizeof(d->unique));
		if (rc == 0)
			rc = correu__md_path3(d->tmp_path, box->path, "tmp", d->unique);
		if (rc < 0)
			break;
		d->fd = open(d->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		             (mode_t)box->md->set.file_mode);
		if (d->fd < 0 && errno != EEXIST) {
			rc = correu__md_errno(errno);
			break;
		}
	}
	if (d->fd < 0) {
		correu__free(box->md->alloc, d, sizeof(*d));
		return rc < 0 ? rc : CORREU_ERR_IO;
	}
	*d_out = d;
	return 0;
}

int correu_maildir_delivery_write(correu_maildir_delivery *d, const uint8_t *data, size_t len)
{
	if (!d || (!data && len))
		return CORREU_ERR_ARG;
	if (d->err)
		return CORREU_ERR_STATE;
	if (len > d->box->md->set.max_message_size - d->size) {
		d->err = CORREU_ERR_LIMIT;
		return d->err;
	}
	/* RFC822.SIZE counts line ends as CRLF: add one per bare LF. */
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n' && (i ? data[i - 1] : d->last) != '\r')
			d->vsize++;
	}
	if (len)
		d->last = data[len - 1];
	d->size += len;
	d->vsize += len;
	while (len) {
		ssize_t w = write(d->fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			d->err = correu__md_errno(errno);
			return d->err;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

int correu_maildir_delivery_set_flags(correu_maildir_delivery *d, uint32_t flags,
                                      uint32_t keywords)
{
	if (!d || (flags & ~CORREU_MAILDIR_FLAGS_ALL) || (keywords >> CORREU_MAILDIR_MAX_KEYWORDS))
		return CORREU_ERR_ARG;
	d->flags = flags;
	d->keywords = keywords;
	return 0;
}

int correu_maildir_delivery_set_date(correu_maildir_delivery *d, int64_t unix_seconds)
{
	if (!d || unix_seconds < 0)
		return CORREU_ERR_ARG;
	d->date = unix_seconds;
	d->have_date = true;
	return 0;
}

void correu_maildir_delivery_abort(correu_maildir_delivery *d)
{
	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	(void)unlink(d->tmp_path);
	correu__free(d->box->md->alloc, d, sizeof(*d));
}

/* Put `src` into new/ (or cur/) as `name`; link() refuses to replace an
 * existing file, where rename() would silently overwrite a message. */
static int place(const char *src, const char *dst, bool keep_src)
{
	if (link(src, dst) == 0) {
		if (!keep_src)
			(void)unlink(src);
		return 0;
	}
	if (errno == EEXIST)
		return CORREU_ERR_EXISTS;
	if (keep_src)
		return CORREU_ERR_UNSUPPORTED; /* the caller copies instead */
	/* Filesystems without hard links: rename is all there is. */
	if (errno == EPERM || errno == ENOTSUP || errno == EOPNOTSUPP || errno == EMLINK)
		return rename(src, dst) == 0 ? 0 : correu__md_errno(errno);
	return correu__md_errno(errno);
}

int correu__md_deliver_locked(correu_maildir_box *box, const char *tmp_path,
                              const char *unique, uint64_t size, uint64_t vsize,
                              uint32_t flags, uint32_t keywords, bool link_only,
                              uint32_t *uid_out)
{
	correu_maildir *md = box->md;
	char base[512], name[600], dir[MD_PATH_MAX], dst[MD_PATH_MAX];
	bool to_cur = flags || keywords;
	struct md_rec *r;
	struct stat st;
	int rc = base_name(base, sizeof(base), unique, size, vsize);

	if (rc < 0)
		return rc;
	if (to_cur) {
		rc = correu__md_info_build(base, flags, keywords, name, sizeof(name));
		if (rc < 0)
			return rc;
	} else {
		memcpy(name, base, strlen(base) + 1);
	}
	/* The newest NEXTUID and records of other writers. */
	size_t before = box->n;
	rc = correu__md_uidlist_load(box);
	/* Others' new messages are in new/ until a session takes them. */
	for (size_t i = before; rc == 0 && i < box->n; i++) {
		box->recs[i].in_new = true;
		if (correu__md_rec_stat(box, &box->recs[i]) < 0)
			box->recs[i].in_new = false; /* found by the next sync */
	}
	if (rc == 0 && box->next_uid == UINT32_MAX)
		rc = CORREU_ERR_LIMIT;
	if (rc == 0)
		rc = correu__md_recs_reserve(box, 1);
	if (rc == 0)
		rc = correu__md_path(dir, box->path, to_cur ? "cur" : "new");
	if (rc == 0)
		rc = correu__md_path(dst, dir, name);
	if (rc < 0)
		return rc;
	rc = place(tmp_path, dst, link_only);
	if (rc == 0)
		rc = correu__md_fsync_dir(dir);
	if (rc < 0) {
		if (rc != CORREU_ERR_UNSUPPORTED && rc != CORREU_ERR_EXISTS)
			(void)unlink(dst);
		return rc;
	}
	r = &box->recs[box->n];
	memset(r, 0, sizeof(*r));
	r->fname = correu__md_strndup(md, name, strlen(name));
	if (!r->fname) {
		rc = CORREU_ERR_NOMEM;
		goto undo;
	}
	r->fname_cap = strlen(name) + 1;
	r->uid = box->next_uid++;
	r->in_new = !to_cur;
	r->flags = flags;
	r->keywords = keywords;
	r->size = size;
	r->vsize = vsize;
	r->found = true;
	if (stat(dst, &st) == 0) {
		r->mtime = (int64_t)st.st_mtime;
		r->have_stat = true;
	}
	box->n++;
	rc = correu__md_uidlist_write(box, box->n - 1);
	if (rc < 0) {
		box->n--;
		box->next_uid--;
		correu__md_rec_clear(md, r);
		goto undo;
	}
	/* The message is stored: a modseq log we cannot append to is repaired
	 * at the next sync, so it does not fail the delivery. */
	if (correu__md_modseq_bump(box, r, false) < 0)
		correu__log(md->log, CORREU_LOG_WARN, "maildir: modseq log not written");
	if (uid_out)
		*uid_out = r->uid;
	return 0;
undo:
	/* Not acknowledged, so not kept: the sender will try again, and a
	 * message without a UID would be a duplicate then. */
	(void)unlink(dst);
	(void)correu__md_fsync_dir(dir);
	return rc;
}

int correu__md_delivery_flush(correu_maildir_delivery *d)
{
	int rc = d->err;

	if (d->fd < 0)
		return rc ? rc : CORREU_ERR_STATE;
	if (rc == 0 && fsync(d->fd) != 0)
		rc = CORREU_ERR_IO;
	if (rc == 0 && d->have_date) {
		struct timespec ts[2] = {{(time_t)d->date, 0}, {(time_t)d->date, 0}};

		if (futimens(d->fd, ts) != 0)
			rc = CORREU_ERR_IO;
	}
	if (close(d->fd) != 0 && rc == 0)
		rc = CORREU_ERR_IO;
	d->fd = -1;
	if (rc < 0)
		d->err = rc;
	return rc;
}

int correu__md_delivery_place(correu_maildir_delivery *d)
{
	char dst[MD_PATH_MAX];
	int rc = d->err;

	if (rc == 0 && (d->fd >= 0 || d->placed))
		rc = CORREU_ERR_STATE; /* not flushed, or placed already */
	if (rc == 0)
		rc = base_name(d->name, sizeof(d->name), d->unique, d->size, d->vsize);
	if (rc == 0)
		rc = correu__md_path3(dst, d->box->path, "new", d->name);
	if (rc == 0)
		rc = place(d->tmp_path, dst, false);
	if (rc == 0)
		d->placed = true;
	else
		d->err = rc;
	return rc;
}

void correu__md_delivery_unplace(correu_maildir_delivery *d)
{
	char dst[MD_PATH_MAX];

	/* Not acknowledged, so not kept (see correu__md_deliver_locked). */
	if (d->placed && correu__md_path3(dst, d->box->path, "new", d->name) == 0)
		(void)unlink(dst);
	d->placed = false;
}

int correu_maildir_delivery_commit(correu_maildir_delivery *d, uint32_t *uid_out)
{
	correu_maildir_box *box;
	int rc;

	if (!d)
		return CORREU_ERR_ARG;
	box = d->box;
	rc = correu__md_delivery_flush(d);
	if (rc == 0)
		rc = correu__md_box_lock(box);
	if (rc == 0) {
		rc = correu__md_deliver_locked(box, d->tmp_path, d->unique, d->size, d->vsize,
		                               d->flags, d->keywords, false, uid_out);
		correu__md_box_unlock(box);
	}
	correu_maildir_delivery_abort(d); /* removes tmp/ leftovers, frees */
	return rc;
}
