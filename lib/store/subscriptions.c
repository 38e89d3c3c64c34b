/*
 * The `subscriptions` file of a Maildir root (store layer), shared with
 * Dovecot. Version 1 is one folder name per line; version 2 starts with
 * "V\t2\n\n" and writes the hierarchy separator as a tab, with \001 as the
 * escape character (\001 1, \001 t, \001 r, \001 n for \001, tab, CR, LF).
 * Names are stored in their on-disk form (modified UTF-7, "." separated).
 * Updates are serialised with `subscriptions.lock` and land by rename; the
 * file keeps the version it had, and a new one is version 1, as Dovecot.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "maildir_internal.h"

#define V2_HEADER "V\t2\n\n"
/* The whole file is read at once: 2048 lines of the longest allowed. */
#define SUBS_MAX(md) ((size_t)(md)->set.max_line * 2048u)

/* One stored line to the on-disk name (v2: tabs back to "."). */
static int line_to_name(const char *s, size_t len, bool v2, char *out, size_t cap,
                        size_t *olen)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (v2 && c == '\t') {
			c = '.';
		} else if (v2 && c == '\001' && i + 1 < len) {
			char e = s[++i];

			c = e == '1' ? '\001' : e == 't' ? '\t' : e == 'r' ? '\r' : e == 'n' ? '\n' : e;
		}
		if (o + 1 >= cap)
			return CORREU_ERR_LIMIT;
		out[o++] = c;
	}
	out[o] = '\0';
	*olen = o;
	return 0;
}

/* The on-disk name as a stored line. Valid names hold no control bytes, so
 * only the separator changes in version 2. */
static int name_to_line(const char *name, size_t len, bool v2, correu__buf *out)
{
	for (size_t i = 0; i < len; i++) {
		char c = (v2 && name[i] == '.') ? '\t' : name[i];
		int rc = correu__buf_append(out, &c, 1);

		if (rc < 0)
			return rc;
	}
	return correu__buf_append(out, "\n", 1);
}

typedef int (*line_fn)(const char *name, size_t len, void *ud);

static int each_line(const char *buf, size_t len, bool *v2, size_t max_line, line_fn fn,
                     void *ud)
{
	size_t i = 0;

	*v2 = len >= 5 && memcmp(buf, V2_HEADER, 5) == 0;
	if (*v2)
		i = 5;
	while (i < len) {
		const char *nl = memchr(buf + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (buf + i)) : len - i;
		char name[2048];
		size_t nlen;
		int rc;

		if (n > max_line || n >= sizeof(name))
			return CORREU_ERR_LIMIT;
		if (n) {
			rc = line_to_name(buf + i, n, *v2, name, sizeof(name), &nlen);
			if (rc == 0)
				rc = fn(name, nlen, ud);
			if (rc < 0)
				return rc;
		}
		i += n + 1;
	}
	return 0;
}

static int load(correu_maildir *md, char **buf, size_t *len)
{
	char path[MD_PATH_MAX];
	int rc = correu__md_path(path, md->root, MD_SUBSCRIPTIONS);

	if (rc == 0)
		rc = correu__md_read_file(md, path, SUBS_MAX(md), buf, len);
	if (rc == CORREU_ERR_NOT_FOUND) {
		*buf = NULL;
		*len = 0;
		rc = 0;
	}
	return rc;
}

struct list_ctx {
	correu_maildir_name_fn fn;
	void *ud;
};

static int list_one(const char *name, size_t len, void *ud)
{
	struct list_ctx *c = ud;
	char utf8[2048];
	size_t ulen;

	if (correu__md_mutf7_to_utf8(name, len, utf8, sizeof(utf8), &ulen) < 0)
		return 0; /* not a name we can show */
	return c->fn(utf8, ulen, c->ud);
}

int correu_maildir_subscriptions(correu_maildir *md, correu_maildir_name_fn fn, void *userdata)
{
	struct list_ctx c = {fn, userdata};
	char *buf;
	size_t len;
	bool v2;
	int rc;

	if (!md || !fn)
		return CORREU_ERR_ARG;
	rc = load(md, &buf, &len);
	if (rc < 0 || !buf)
		return rc;
	rc = each_line(buf, len, &v2, md->set.max_line, list_one, &c);
	correu__free(md->alloc, buf, len + 1);
	return rc;
}

struct edit_ctx {
	const char *name;
	size_t len;
	bool v2, found, keep;
	correu__buf out;
};

static int edit_one(const char *name, size_t len, void *ud)
{
	struct edit_ctx *c = ud;

	if (len == c->len && memcmp(name, c->name, len) == 0) {
		if (c->found || !c->keep)
			return 0; /* drop it (or a duplicate of it) */
		c->found = true;
	}
	return name_to_line(name, len, c->v2, &c->out);
}

int correu_maildir_subscribe(correu_maildir *md, const char *name, size_t len, int subscribe)
{
	char enc[600], lock[MD_PATH_MAX], path[MD_PATH_MAX], tmp[MD_PATH_MAX];
	struct edit_ctx c;
	dev_t dev;
	ino_t ino;
	char *buf = NULL;
	size_t blen = 0, elen;
	bool inbox;
	int rc;

	if (!md)
		return CORREU_ERR_ARG;
	rc = correu__md_name_check(name, len, &inbox);
	if (rc < 0)
		return rc;
	if (inbox) {
		memcpy(enc, "INBOX", 6);
		elen = 5;
	} else if ((rc = correu__md_name_encode(md, name, len, enc, sizeof(enc), &elen)) < 0) {
		return rc;
	}
	if ((rc = correu__md_path(lock, md->root, MD_SUBSCRIPTIONS ".lock")) < 0 ||
	    (rc = correu__md_path(path, md->root, MD_SUBSCRIPTIONS)) < 0 ||
	    (rc = correu__md_path(tmp, md->root, MD_SUBSCRIPTIONS ".correu-tmp")) < 0)
		return rc;
	rc = correu__md_dotlock(md, lock, &dev, &ino);
	if (rc < 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.name = enc;
	c.len = elen;
	c.keep = subscribe != 0;
	correu__buf_init(&c.out, md->alloc, SUBS_MAX(md));
	rc = load(md, &buf, &blen);
	if (rc == 0) {
		c.v2 = blen >= 5 && memcmp(buf, V2_HEADER, 5) == 0;
		if (c.v2)
			rc = correu__buf_append(&c.out, V2_HEADER, 5);
	}
	if (rc == 0 && buf)
		rc = each_line(buf, blen, &c.v2, md->set.max_line, edit_one, &c);
	if (rc == 0 && subscribe && !c.found)
		rc = name_to_line(enc, elen, c.v2, &c.out);
	if (rc == 0)
		rc = correu__md_replace_file(md, tmp, path, c.out.data ? (const char *)c.out.data : "",
		                             c.out.len, false);
	correu__md_dotunlock(lock, dev, ino);
	correu__buf_free(&c.out, false);
	if (buf)
		correu__free(md->alloc, buf, blen + 1);
	return rc;
}
