/*
 * Reading and writing a folder's dovecot-uidlist (store layer). The file is
 * read without a lock (it is only ever appended to or replaced by rename),
 * whole the first time and then only its appended tail. It is written under
 * dovecot-uidlist.lock: new records are appended and fdatasync'd; when
 * records must go (expunges) or the file is damaged it is rewritten to
 * dovecot-uidlist.tmp and renamed over, as Dovecot does.
 *
 * Recovery follows Dovecot: a header we cannot read means the UIDs cannot be
 * trusted, so the folder gets a new UIDVALIDITY and every message a new UID;
 * a damaged record line keeps every UID read before it, and the files not
 * covered get new UIDs above NEXTUID (to a client, as if they had been
 * expunged and delivered again), so UIDVALIDITY stays.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maildir_internal.h"

struct load_ctx {
	correu_maildir_box *box;
	struct md_rec *recs;
	size_t n, cap;
};

/* Keep only well-formed extension fields (an upper-case key and a value),
 * as Dovecot drops the others. */
static size_t ext_filter(const char *s, size_t len, char *out)
{
	size_t i = 0, o = 0;

	while (i < len) {
		size_t start = i;

		while (i < len && s[i] != ' ')
			i++;
		if (i > start && s[start] >= 'A' && s[start] <= 'Z') {
			if (o)
				out[o++] = ' ';
			memcpy(out + o, s + start, i - start);
			o += i - start;
		}
		while (i < len && s[i] == ' ')
			i++;
	}
	return o;
}

static int on_record(void *ud, uint32_t uid, const char *ext, size_t ext_len,
                     const char *fname, size_t fname_len)
{
	struct load_ctx *c = ud;
	correu_maildir *md = c->box->md;
	struct md_rec *r;
	/* fname is (ptr, len) inside the parser's line, not a C string. */
	const char *colon = memchr(fname, ':', fname_len);

	if (colon)
		fname_len = (size_t)(colon - fname);
	if (c->box->n + c->n >= md->set.max_messages)
		return CORREU_ERR_LIMIT;
	if (c->n == c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 64;
		struct md_rec *nr = correu__realloc(md->alloc, c->recs, c->cap * sizeof(*nr),
		                                    ncap * sizeof(*nr));

		if (!nr)
			return CORREU_ERR_NOMEM;
		c->recs = nr;
		c->cap = ncap;
	}
	r = &c->recs[c->n];
	memset(r, 0, sizeof(*r));
	r->uid = uid;
	r->fname = correu__md_strndup(md, fname, fname_len);
	if (!r->fname)
		return CORREU_ERR_NOMEM;
	r->fname_cap = fname_len + 1;
	if (ext_len) {
		char *tmp = correu__alloc(md->alloc, ext_len + 1);
		size_t n;

		if (!tmp) {
			correu__md_rec_clear(md, r);
			return CORREU_ERR_NOMEM;
		}
		n = ext_filter(ext, ext_len, tmp);
		r->ext = n ? correu__md_strndup(md, tmp, n) : NULL;
		correu__free(md->alloc, tmp, ext_len + 1);
		if (n && !r->ext) {
			correu__md_rec_clear(md, r);
			return CORREU_ERR_NOMEM;
		}
		r->ext_len = n;
	}
	c->n++;
	return 0;
}

static void ctx_free(correu_maildir *md, struct load_ctx *c)
{
	for (size_t i = 0; i < c->n; i++)
		correu__md_rec_clear(md, &c->recs[i]);
	correu__free(md->alloc, c->recs, c->cap * sizeof(*c->recs));
	c->recs = NULL;
	c->n = c->cap = 0;
}

static void new_guid(uint8_t guid[16])
{
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	struct timespec ts;

	if (fd >= 0) {
		ssize_t n = read(fd, guid, 16);

		close(fd);
		if (n == 16)
			return;
	}
	/* No random source: time and pid still make it unique enough for a
	 * mailbox GUID, which is an identifier, not a secret. */
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t a = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	uint64_t b = (uint64_t)getpid() * 0x9e3779b97f4a7c15u ^ a;
	memcpy(guid, &a, 8);
	memcpy(guid + 8, &b, 8);
}

/* The header could not be read: start over with a new UIDVALIDITY. */
static int reset_box(correu_maildir_box *box)
{
	correu_maildir *md = box->md;
	int rc = correu__md_uidvalidity_next(md, &box->uidvalidity);

	if (rc < 0)
		return rc;
	for (size_t i = 0; i < box->n; i++)
		correu__md_rec_clear(md, &box->recs[i]);
	box->n = 0;
	box->next_uid = 1;
	new_guid(box->guid);
	box->have_guid = true;
	correu__md_strfree(md, box->hdr_ext);
	box->hdr_ext = NULL;
	box->hdr_ext_len = 0;
	box->ul_rewrite = true;
	return 0;
}

/* Adopt a full read: keep what we knew of a message still under the same
 * UID and base name (its current file name, flags, stat, modseq). */
static void adopt(correu_maildir_box *box, struct load_ctx *c, bool same_validity)
{
	correu_maildir *md = box->md;

	for (size_t i = 0; i < c->n; i++) {
		struct md_rec *old = same_validity ? correu__md_rec_find(box, c->recs[i].uid) : NULL;
		struct md_rec *nr = &c->recs[i];

		if (!old || !old->fname ||
		    correu__md_base_len(old->fname) != strlen(nr->fname) ||
		    strncmp(old->fname, nr->fname, strlen(nr->fname)) != 0)
			continue;
		/* The file's extension fields are the newer truth. */
		char *ext = nr->ext;
		size_t ext_len = nr->ext_len;

		correu__free(md->alloc, nr->fname, nr->fname_cap);
		correu__md_strfree(md, old->ext);
		*nr = *old;
		nr->ext = ext;
		nr->ext_len = ext_len;
		old->fname = NULL;
		old->ext = NULL;
		old->fname_cap = old->ext_len = 0;
	}
	for (size_t i = 0; i < box->n; i++)
		correu__md_rec_clear(md, &box->recs[i]);
	correu__free(md->alloc, box->recs, box->cap * sizeof(*box->recs));
	box->recs = c->recs;
	box->n = c->n;
	box->cap = c->cap;
	c->recs = NULL;
	c->n = c->cap = 0;
}

static int read_into(int fd, md_uidlist_parser *p)
{
	uint8_t buf[16384];

	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));
		int rc;

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return CORREU_ERR_IO;
		if (r == 0)
			return 0;
		rc = correu__md_uidlist_feed(p, buf, (size_t)r);
		if (rc == CORREU_ERR_LIMIT && p->header_done) {
			p->broken = true; /* an absurd record line: damaged */
			return 0;
		}
		if (rc < 0)
			return rc;
		if (p->broken)
			return 0;
	}
}

static int append_tail(correu_maildir_box *box, struct load_ctx *c)
{
	int rc = correu__md_recs_reserve(box, c->n);

	if (rc < 0)
		return rc;
	memcpy(box->recs + box->n, c->recs, c->n * sizeof(*c->recs));
	box->n += c->n;
	c->n = 0;
	return 0;
}

int correu__md_uidlist_load(correu_maildir_box *box)
{
	correu_maildir *md = box->md;
	char path[MD_PATH_MAX];
	struct load_ctx c = {box, NULL, 0, 0};
	md_uidlist_parser p;
	struct stat st;
	bool tail;
	int fd, rc;

	rc = correu__md_path(path, box->path, MD_UIDLIST);
	if (rc < 0)
		return rc;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			return correu__md_errno(errno);
		/* No file: a new folder, or a file someone removed. Keep the
		 * UIDs we know (if any) and write them out again. */
		box->ul_open = false;
		box->ul_rewrite = true;
		if (box->uidvalidity)
			return 0;
		return reset_box(box);
	}
	if (fstat(fd, &st) != 0) {
		close(fd);
		return CORREU_ERR_IO;
	}
	tail = box->ul_open && st.st_dev == box->ul_dev && st.st_ino == box->ul_ino &&
	       (uint64_t)st.st_size >= box->ul_off;
	if (tail && (uint64_t)st.st_size == box->ul_off) {
		close(fd);
		return 0; /* nothing new */
	}
	correu__md_uidlist_parser_init(&p, md->alloc, md->set.max_line, on_record, &c);
	if (tail) {
		correu__md_uidlist_parser_resume(&p, 3, box->n ? box->recs[box->n - 1].uid : 0);
		p.next_uid = box->next_uid;
		if (lseek(fd, (off_t)box->ul_off, SEEK_SET) < 0)
			rc = CORREU_ERR_IO;
	}
	if (rc == 0)
		rc = read_into(fd, &p);
	close(fd);
	/* A header longer than max_line is a limit of ours, not damage: it
	 * must not cost the folder its UIDs. */
	if (rc == CORREU_ERR_SYNTAX || (rc == 0 && !p.header_done)) {
		correu__log(md->log, CORREU_LOG_WARN,
		            "maildir: %s unreadable: new UIDVALIDITY, UIDs rebuilt", path);
		correu__md_uidlist_parser_free(&p);
		ctx_free(md, &c);
		rc = reset_box(box);
		box->ul_open = false;
		return rc;
	}
	if (rc < 0)
		goto out;
	if (p.broken || p.line.len) {
		/* Damaged record, or a last line without its end: keep what
		 * was proven and write the file anew (appending would glue a
		 * new record to the broken one). */
		if (p.broken)
			correu__log(md->log, CORREU_LOG_WARN,
			            "maildir: %s damaged after %llu bytes: rewriting", path,
			            (unsigned long long)(box->ul_off * tail + p.consumed));
		box->ul_rewrite = true;
	}
	if (tail) {
		rc = append_tail(box, &c);
		if (rc < 0)
			goto out;
		box->ul_off += p.consumed;
		if (p.next_uid > box->next_uid)
			box->next_uid = p.next_uid;
	} else {
		bool same = p.uidvalidity == box->uidvalidity;

		adopt(box, &c, same);
		box->uidvalidity = p.uidvalidity;
		if (!same || p.next_uid > box->next_uid)
			box->next_uid = p.next_uid;
		if (p.have_guid) {
			memcpy(box->guid, p.guid, 16);
			box->have_guid = true;
		} else {
			new_guid(box->guid);
			box->have_guid = true;
			box->ul_rewrite = true;
		}
		if (p.version != 3)
			box->ul_rewrite = true;
		correu__md_strfree(md, box->hdr_ext);
		box->hdr_ext = NULL;
		box->hdr_ext_len = 0;
		if (p.hdr_ext.len) {
			box->hdr_ext = correu__md_strndup(md, (const char *)p.hdr_ext.data,
			                                  p.hdr_ext.len);
			if (!box->hdr_ext) {
				rc = CORREU_ERR_NOMEM;
				goto out;
			}
			box->hdr_ext_len = p.hdr_ext.len;
		}
		box->ul_dev = st.st_dev;
		box->ul_ino = st.st_ino;
		box->ul_off = p.consumed;
		box->ul_open = true;
	}
out:
	correu__md_uidlist_parser_free(&p);
	ctx_free(md, &c);
	return rc;
}

/* --- writing ------------------------------------------------------------ */

static void put_record(md_wbuf *w, const struct md_rec *r)
{
	char num[16];
	int n = snprintf(num, sizeof(num), "%u", r->uid);

	correu__md_wb_put(w, num, (size_t)n);
	if (r->ext_len) {
		correu__md_wb_put(w, " ", 1);
		correu__md_wb_put(w, r->ext, r->ext_len);
	}
	correu__md_wb_put(w, " :", 2);
	correu__md_wb_put(w, r->fname, correu__md_base_len(r->fname));
	correu__md_wb_put(w, "\n", 1);
}

static int rewrite(correu_maildir_box *box)
{
	char tmp[MD_PATH_MAX], path[MD_PATH_MAX], hdr[128];
	md_wbuf w;
	struct stat st;
	int rc, n;

	if ((rc = correu__md_path(tmp, box->path, MD_UIDLIST_TMP)) < 0 ||
	    (rc = correu__md_path(path, box->path, MD_UIDLIST)) < 0)
		return rc;
	rc = correu__md_wb_create(box->md, &w, tmp, false);
	if (rc < 0)
		return rc;
	n = snprintf(hdr, sizeof(hdr), "3 V%u N%u G", box->uidvalidity, box->next_uid);
	correu__md_wb_put(&w, hdr, (size_t)n);
	for (int i = 0; i < 16; i++) {
		snprintf(hdr, sizeof(hdr), "%02x", box->guid[i]);
		correu__md_wb_put(&w, hdr, 2);
	}
	if (box->hdr_ext_len) {
		correu__md_wb_put(&w, " ", 1);
		correu__md_wb_put(&w, box->hdr_ext, box->hdr_ext_len);
	}
	correu__md_wb_put(&w, "\n", 1);
	for (size_t i = 0; i < box->n; i++)
		put_record(&w, &box->recs[i]);
	rc = correu__md_wb_replace(&w, tmp, path, &st);
	/* The rename must survive a crash too: a UID we report is final. */
	if (rc == 0)
		rc = correu__md_fsync_dir(box->path);
	if (rc < 0)
		return rc;
	box->ul_dev = st.st_dev;
	box->ul_ino = st.st_ino;
	box->ul_off = (uint64_t)st.st_size;
	box->ul_open = true;
	box->ul_rewrite = false;
	return 0;
}

int correu__md_uidlist_write(correu_maildir_box *box, size_t from)
{
	char path[MD_PATH_MAX];
	md_wbuf w;
	struct stat st;
	int rc;

	if (box->ul_rewrite || !box->ul_open)
		return rewrite(box);
	if (from >= box->n)
		return 0;
	rc = correu__md_path(path, box->path, MD_UIDLIST);
	if (rc < 0)
		return rc;
	w.fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (w.fd < 0)
		return errno == ENOENT ? rewrite(box) : correu__md_errno(errno);
	/* Append only to the very file and length we read under the lock. */
	if (fstat(w.fd, &st) != 0 || st.st_ino != box->ul_ino || st.st_dev != box->ul_dev ||
	    (uint64_t)st.st_size != box->ul_off) {
		close(w.fd);
		return rewrite(box);
	}
	w.len = 0;
	w.err = 0;
	for (size_t i = from; i < box->n; i++)
		put_record(&w, &box->recs[i]);
	correu__md_wb_flush(&w);
	rc = w.err;
	if (rc == 0 && fdatasync(w.fd) != 0)
		rc = CORREU_ERR_IO;
	if (rc == 0 && fstat(w.fd, &st) != 0)
		rc = CORREU_ERR_IO;
	close(w.fd);
	if (rc < 0) {
		box->ul_rewrite = true; /* a partial append is repaired by a rewrite */
		return rc;
	}
	box->ul_off = (uint64_t)st.st_size;
	return 0;
}
