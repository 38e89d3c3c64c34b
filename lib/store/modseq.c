/*
 * MODSEQs (RFC 7162 CONDSTORE) for a Maildir (store layer). Dovecot keeps
 * modseqs in its index files, which correu does not read, so correu keeps
 * its own in `correu-modseq`: a first line "correu-modseq 1", then one
 * "<uid> <modseq>" line per change, appended, and an "H<modseq>" line for
 * the highest value when the log is compacted. The last line for a UID
 * wins; HIGHESTMODSEQ is the largest value seen. Changes made by Dovecot do
 * not appear here (docs/maildir.md). Appends for flag changes and expunges
 * are fdatasync'd so HIGHESTMODSEQ never goes back after a crash; a new
 * message's line is not, since a lost one is given a fresh value at the
 * next sync, which is still above everything a client has seen.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir_internal.h"

#define MAGIC "correu-modseq 1"

static bool parse_u64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;

	if (!len)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = v;
	return true;
}

static void apply_line(correu_maildir_box *box, const char *s, size_t len, bool first)
{
	const char *sp;
	uint64_t uid, ms;

	box->modseq_lines++;
	if (first)
		return;
	if (len > 1 && s[0] == 'H') {
		if (parse_u64(s + 1, len - 1, &ms) && ms > box->highest_modseq)
			box->highest_modseq = ms;
		return;
	}
	sp = memchr(s, ' ', len);
	if (!sp || !parse_u64(s, (size_t)(sp - s), &uid) || uid > UINT32_MAX ||
	    !parse_u64(sp + 1, len - (size_t)(sp + 1 - s), &ms))
		return; /* a line we cannot read changes nothing */
	if (ms > box->highest_modseq)
		box->highest_modseq = ms;
	struct md_rec *r = correu__md_rec_find(box, (uint32_t)uid);
	if (r && ms > r->modseq)
		r->modseq = ms;
}

int correu__md_modseq_load(correu_maildir_box *box)
{
	correu_maildir *md = box->md;
	char path[MD_PATH_MAX];
	uint8_t buf[16384];
	correu__buf line;
	struct stat st;
	bool from_start;
	int fd, rc = correu__md_path(path, box->path, MD_MODSEQ);

	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : correu__md_errno(errno);
	if (fstat(fd, &st) != 0) {
		close(fd);
		return CORREU_ERR_IO;
	}
	from_start = st.st_ino != box->ms_ino || st.st_dev != box->ms_dev ||
	             (uint64_t)st.st_size < box->ms_off;
	if (from_start) {
		box->ms_off = 0;
		box->modseq_lines = 0;
		box->ms_dev = st.st_dev;
		box->ms_ino = st.st_ino;
	} else if (lseek(fd, (off_t)box->ms_off, SEEK_SET) < 0) {
		close(fd);
		return CORREU_ERR_IO;
	}
	correu__buf_init(&line, md->alloc, md->set.max_line);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		size_t i = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? CORREU_ERR_IO : 0;
			break;
		}
		while (i < (size_t)n && rc == 0) {
			uint8_t *nl = memchr(buf + i, '\n', (size_t)n - i);
			size_t k = nl ? (size_t)(nl - (buf + i)) : (size_t)n - i;

			rc = correu__buf_append(&line, buf + i, k);
			if (rc == CORREU_ERR_LIMIT)
				rc = CORREU_ERR_SYNTAX;
			if (rc < 0)
				break;
			i += k;
			if (!nl)
				break;
			i++;
			bool first = box->ms_off == 0;
			if (first && (line.len != strlen(MAGIC) ||
			              memcmp(line.data, MAGIC, line.len) != 0)) {
				rc = CORREU_ERR_SYNTAX;
				break;
			}
			apply_line(box, (const char *)line.data, line.len, first);
			box->ms_off += line.len + 1;
			line.len = 0;
		}
		if (rc < 0)
			break;
	}
	close(fd);
	correu__buf_free(&line, false);
	if (rc == CORREU_ERR_SYNTAX) {
		/* Not ours or damaged: start a new log from what we have. */
		correu__log(md->log, CORREU_LOG_WARN, "maildir: %s unreadable, rebuilt", path);
		box->ms_ino = 0;
		box->ms_off = 0;
		rc = correu__md_modseq_compact(box);
	}
	return rc;
}

static int append(correu_maildir_box *box, const char *text, size_t len, bool sync)
{
	char path[MD_PATH_MAX];
	struct stat st;
	int rc = correu__md_path(path, box->path, MD_MODSEQ);
	int fd;

	if (rc < 0)
		return rc;
	if (box->ms_off == 0)
		return correu__md_modseq_compact(box);
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? correu__md_modseq_compact(box) : correu__md_errno(errno);
	if (fstat(fd, &st) != 0 || st.st_ino != box->ms_ino || (uint64_t)st.st_size != box->ms_off) {
		close(fd);
		return correu__md_modseq_compact(box);
	}
	if (write(fd, text, len) != (ssize_t)len)
		rc = CORREU_ERR_IO;
	if (rc == 0 && sync && fdatasync(fd) != 0)
		rc = CORREU_ERR_IO;
	close(fd);
	if (rc == 0) {
		box->ms_off += len;
		box->modseq_lines++;
	}
	return rc;
}

int correu__md_modseq_sync(correu_maildir_box *box)
{
	char path[MD_PATH_MAX];
	int rc = correu__md_path(path, box->path, MD_MODSEQ);
	int fd;

	if (rc < 0)
		return rc;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return correu__md_errno(errno);
	if (fdatasync(fd) != 0)
		rc = CORREU_ERR_IO;
	close(fd);
	return rc;
}

int correu__md_modseq_bump(correu_maildir_box *box, struct md_rec *r, bool sync)
{
	char line[48];
	int n;

	if (!box->locked)
		return CORREU_ERR_INTERNAL;
	r->modseq = ++box->highest_modseq;
	n = snprintf(line, sizeof(line), "%u %llu\n", r->uid, (unsigned long long)r->modseq);
	return append(box, line, (size_t)n, sync);
}

int correu__md_modseq_compact(correu_maildir_box *box)
{
	correu_maildir *md = box->md;
	char path[MD_PATH_MAX], tmp[MD_PATH_MAX], line[48];
	md_wbuf w;
	struct stat st;
	int rc, n;

	if ((rc = correu__md_path(path, box->path, MD_MODSEQ)) < 0 ||
	    (rc = correu__md_path(tmp, box->path, MD_MODSEQ ".tmp")) < 0)
		return rc;
	rc = correu__md_wb_create(md, &w, tmp, false);
	if (rc < 0)
		return rc;
	n = snprintf(line, sizeof(line), MAGIC "\nH%llu\n", (unsigned long long)box->highest_modseq);
	correu__md_wb_put(&w, line, (size_t)n);
	for (size_t i = 0; i < box->n; i++) {
		if (!box->recs[i].modseq)
			continue;
		n = snprintf(line, sizeof(line), "%u %llu\n", box->recs[i].uid,
		             (unsigned long long)box->recs[i].modseq);
		correu__md_wb_put(&w, line, (size_t)n);
	}
	rc = correu__md_wb_replace(&w, tmp, path, &st);
	if (rc < 0)
		return rc;
	box->ms_dev = st.st_dev;
	box->ms_ino = st.st_ino;
	box->ms_off = (uint64_t)st.st_size;
	box->modseq_lines = box->n + 2;
	return 0;
}
