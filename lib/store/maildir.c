/*
 * The Maildir root (store layer): settings, opening a user's Maildir with its
 * INBOX, and the small file helpers the other store files share (paths,
 * errno mapping, fsync of directories, whole-file read and atomic replace).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir_internal.h"

int correu_maildir_settings_init(correu_maildir_settings *s)
{
	if (!s)
		return CORREU_ERR_ARG;
	memset(s, 0, sizeof(*s));
	s->version = CORREU_MAILDIR_SETTINGS_VERSION;
	s->tmp_max_age_s = 36 * 3600; /* Dovecot's tmp/ clean-up age */
	s->lock_stale_s = 120;        /* Dovecot's uidlist stale lock timeout */
	s->lock_wait_ms = 10000;
	s->max_messages = 10000000;
	s->max_line = 8192;
	s->max_name = 255;
	s->max_message_size = 64u << 20;
	s->dir_mode = 0700;
	s->file_mode = 0600;
	return 0;
}

/* Zero fields take the default. */
static void settings_fill(correu_maildir_settings *s, const correu_maildir_settings *in)
{
	if (correu_maildir_settings_init(s) < 0 || !in)
		return;
#define TAKE(f)                                                                           \
	if (in->f)                                                                        \
	s->f = in->f
	TAKE(tmp_max_age_s);
	TAKE(lock_stale_s);
	TAKE(lock_wait_ms);
	TAKE(max_messages);
	TAKE(max_line);
	TAKE(max_name);
	TAKE(max_message_size);
	TAKE(dir_mode);
	TAKE(file_mode);
#undef TAKE
	s->hostname = NULL;
}

/* The Maildir spec (cr.yp.to/proto/maildir.html) asks to write "/" as \057
 * and ":" as \072 in the host part of a file name. */
static void set_host(correu_maildir *md, const char *host)
{
	char sys[256];
	size_t o = 0;

	if (!host) {
		if (gethostname(sys, sizeof(sys) - 1) != 0)
			strcpy(sys, "localhost");
		sys[sizeof(sys) - 1] = '\0';
		host = sys;
	}
	snprintf(md->lock_host, sizeof(md->lock_host), "%s", host);
	for (const char *p = host; *p && o + 5 < sizeof(md->host); p++) {
		if (*p == '/' || *p == ':' || *p == ',' || (unsigned char)*p < 0x21 ||
		    (unsigned char)*p > 0x7e) {
			o += (size_t)snprintf(md->host + o, sizeof(md->host) - o, "\\%03o",
			                      (unsigned char)*p);
		} else {
			md->host[o++] = *p;
		}
	}
	if (o == 0)
		md->host[o++] = 'x';
	md->host[o] = '\0';
}

int correu_maildir_open(const char *root, size_t root_len,
                        const correu_maildir_settings *settings, const correu_allocator *alloc,
                        const correu_logger *logger, correu_maildir **md_out)
{
	correu_maildir *md;
	int rc;

	if (!root || !root_len || !md_out || memchr(root, '\0', root_len))
		return CORREU_ERR_ARG;
	if (settings && settings->version != CORREU_MAILDIR_SETTINGS_VERSION)
		return CORREU_ERR_ARG;
	/* Dovecot's own lines reach a few hundred bytes: a smaller limit
	 * would only make good files look damaged. */
	if (settings && settings->max_line && settings->max_line < 512)
		return CORREU_ERR_ARG;
	*md_out = NULL;
	if (root_len >= MD_PATH_MAX - 512)
		return CORREU_ERR_LIMIT;
	md = correu__calloc(alloc, sizeof(*md));
	if (!md)
		return CORREU_ERR_NOMEM;
	md->alloc = correu__allocator(alloc);
	md->log = logger;
	settings_fill(&md->set, settings);
	memcpy(md->root, root, root_len);
	while (root_len > 1 && md->root[root_len - 1] == '/')
		root_len--;
	md->root[root_len] = '\0';
	md->root_len = root_len;
	set_host(md, settings ? settings->hostname : NULL);
	rc = correu__md_make_maildir(md, md->root, true);
	if (rc < 0) {
		correu__free(md->alloc, md, sizeof(*md));
		return rc;
	}
	*md_out = md;
	return 0;
}

void correu_maildir_free(correu_maildir *md)
{
	if (!md)
		return;
	correu__free(md->alloc, md, sizeof(*md));
}

int correu__md_path(char *buf, const char *dir, const char *name)
{
	int n = snprintf(buf, MD_PATH_MAX, "%s/%s", dir, name);

	return (n < 0 || n >= MD_PATH_MAX) ? CORREU_ERR_LIMIT : 0;
}

int correu__md_path3(char *buf, const char *dir, const char *sub, const char *name)
{
	int n = snprintf(buf, MD_PATH_MAX, "%s/%s/%s", dir, sub, name);

	return (n < 0 || n >= MD_PATH_MAX) ? CORREU_ERR_LIMIT : 0;
}

int correu__md_errno(int err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return CORREU_ERR_NOT_FOUND;
	case EEXIST:
	case ENOTEMPTY:
		return CORREU_ERR_EXISTS;
	case ENOMEM:
		return CORREU_ERR_NOMEM;
	case ENAMETOOLONG:
	case EDQUOT:
	case ENOSPC:
	case EMFILE:
	case ENFILE:
		return CORREU_ERR_LIMIT;
	default:
		return CORREU_ERR_IO;
	}
}

int correu__md_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;

	if (fd < 0)
		return correu__md_errno(errno);
	if (fsync(fd) != 0 && errno != EINVAL)
		rc = CORREU_ERR_IO;
	close(fd);
	return rc;
}

int correu__md_make_maildir(correu_maildir *md, const char *dir, bool ok_exist)
{
	static const char *const subs[] = {"cur", "new", "tmp"};
	char p[MD_PATH_MAX];
	int rc;

	if (mkdir(dir, (mode_t)md->set.dir_mode) != 0) {
		if (errno != EEXIST || !ok_exist)
			return correu__md_errno(errno);
	}
	for (size_t i = 0; i < CORREU__ARRAY_LEN(subs); i++) {
		rc = correu__md_path(p, dir, subs[i]);
		if (rc < 0)
			return rc;
		if (mkdir(p, (mode_t)md->set.dir_mode) != 0 && errno != EEXIST)
			return correu__md_errno(errno);
	}
	return 0;
}

int correu__md_read_file(correu_maildir *md, const char *path, size_t max, char **out,
                         size_t *len_out)
{
	struct stat st;
	char *buf;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*out = NULL;
	*len_out = 0;
	if (fd < 0)
		return correu__md_errno(errno);
	if (fstat(fd, &st) != 0) {
		close(fd);
		return CORREU_ERR_IO;
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return CORREU_ERR_LIMIT;
	}
	buf = correu__alloc(md->alloc, (size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return CORREU_ERR_NOMEM;
	}
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			correu__free(md->alloc, buf, (size_t)st.st_size + 1);
			return CORREU_ERR_IO;
		}
		if (r == 0)
			break; /* shrank while we read: take what is there */
		got += (size_t)r;
	}
	close(fd);
	buf[got] = '\0';
	/* The caller frees with the allocated size: keep it recoverable. */
	if (got != (size_t)st.st_size) {
		char *n = correu__realloc(md->alloc, buf, (size_t)st.st_size + 1, got + 1);

		if (!n) {
			correu__free(md->alloc, buf, (size_t)st.st_size + 1);
			return CORREU_ERR_NOMEM;
		}
		buf = n;
	}
	*out = buf;
	*len_out = got;
	return 0;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return correu__md_errno(errno);
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int correu__md_replace_file(correu_maildir *md, const char *tmp_path, const char *path,
                            const char *buf, size_t len, bool excl)
{
	md_wbuf w;
	struct stat st;
	int rc = correu__md_wb_create(md, &w, tmp_path, excl);

	if (rc < 0)
		return rc;
	w.err = write_all(w.fd, buf, len);
	return correu__md_wb_replace(&w, tmp_path, path, &st);
}

int correu__md_wb_create(correu_maildir *md, md_wbuf *w, const char *tmp_path, bool excl)
{
	int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC);

	w->err = 0;
	w->len = 0;
	w->fd = open(tmp_path, flags, (mode_t)md->set.file_mode);
	if (w->fd < 0)
		return errno == EEXIST ? CORREU_ERR_BUSY : correu__md_errno(errno);
	return 0;
}

/* Durable before it is visible: the data reaches the disk, then the rename
 * makes it the file, so a crash leaves the old file or the new, whole. */
int correu__md_wb_replace(md_wbuf *w, const char *tmp_path, const char *path, struct stat *st)
{
	int rc;

	correu__md_wb_flush(w);
	rc = w->err;
	if (rc == 0 && fsync(w->fd) != 0)
		rc = CORREU_ERR_IO;
	if (rc == 0 && fstat(w->fd, st) != 0)
		rc = CORREU_ERR_IO;
	if (close(w->fd) != 0 && rc == 0)
		rc = CORREU_ERR_IO;
	if (rc == 0 && rename(tmp_path, path) != 0)
		rc = correu__md_errno(errno);
	if (rc < 0)
		(void)unlink(tmp_path);
	return rc;
}

void correu__md_wb_flush(md_wbuf *w)
{
	if (w->err == 0)
		w->err = write_all(w->fd, w->buf, w->len);
	w->len = 0;
}

void correu__md_wb_put(md_wbuf *w, const char *s, size_t n)
{
	while (n && !w->err) {
		size_t k = sizeof(w->buf) - w->len;

		if (k > n)
			k = n;
		memcpy(w->buf + w->len, s, k);
		w->len += k;
		s += k;
		n -= k;
		if (w->len == sizeof(w->buf))
			correu__md_wb_flush(w);
	}
}

char *correu__md_strndup(correu_maildir *md, const char *s, size_t n)
{
	char *p = correu__alloc(md->alloc, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void correu__md_strfree(correu_maildir *md, char *s)
{
	if (s)
		correu__free(md->alloc, s, strlen(s) + 1);
}
