/*
 * The dovecot-keywords file (store layer): one "<index> <name>" line per
 * keyword, index 0 being the info letter 'a' and 25 the letter 'z'. Read
 * without a lock whenever its mtime changes; written, like Dovecot does,
 * while holding the uidlist lock, through dovecot-keywords.lock and a
 * rename, with an mtime that always grows so readers notice the change.
 * Keyword names are compared without regard to case (RFC 9051 section 2.3.2).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "maildir_internal.h"

/* An IMAP flag-keyword is an atom (RFC 9051 section 9: atom-specials are
 * "(" ")" "{" SP CTL "%" "*" DQUOTE "\" "]"). */
bool correu__md_keyword_valid(const char *name, size_t len)
{
	if (!name || !len)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c))
			return false;
	}
	return true;
}

void correu__md_keywords_free(correu_maildir_box *box)
{
	for (int i = 0; i < CORREU_MAILDIR_MAX_KEYWORDS; i++) {
		if (box->kw[i])
			correu__free(box->md->alloc, box->kw[i], box->kw_len[i] + 1);
		box->kw[i] = NULL;
		box->kw_len[i] = 0;
	}
}

static int parse(correu_maildir_box *box, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		const char *line = s + i;
		const char *nl = memchr(line, '\n', len - i);
		size_t n = nl ? (size_t)(nl - line) : len - i;
		const char *sp = memchr(line, ' ', n);

		i += n + 1;
		if (!nl)
			break; /* a line still being written is not a line */
		if (!sp || sp == line || (size_t)(sp - line) > 2)
			continue; /* as Dovecot: lines it cannot read are skipped */
		int idx = 0;
		for (const char *p = line; p < sp; p++) {
			if (*p < '0' || *p > '9')
				idx = -1;
			else if (idx >= 0)
				idx = idx * 10 + (*p - '0');
		}
		size_t nlen = n - (size_t)(sp + 1 - line);
		if (idx < 0 || idx >= CORREU_MAILDIR_MAX_KEYWORDS || !nlen || box->kw[idx] ||
		    !correu__md_keyword_valid(sp + 1, nlen))
			continue;
		box->kw[idx] = correu__md_strndup(box->md, sp + 1, nlen);
		if (!box->kw[idx])
			return CORREU_ERR_NOMEM;
		box->kw_len[idx] = nlen;
	}
	return 0;
}

int correu__md_keywords_load(correu_maildir_box *box)
{
	correu_maildir *md = box->md;
	char path[MD_PATH_MAX], *buf;
	size_t len;
	struct stat st;
	int rc = correu__md_path(path, box->path, MD_KEYWORDS);

	if (rc < 0)
		return rc;
	if (stat(path, &st) != 0) {
		if (errno != ENOENT)
			return correu__md_errno(errno);
		correu__md_keywords_free(box);
		box->kw_loaded = true;
		box->kw_mtime = 0;
		return 0;
	}
	if (box->kw_loaded && (int64_t)st.st_mtime == box->kw_mtime)
		return 0;
	/* 26 lines of at most max_line bytes each. */
	rc = correu__md_read_file(md, path, (size_t)md->set.max_line * 27, &buf, &len);
	if (rc == CORREU_ERR_NOT_FOUND) {
		correu__md_keywords_free(box);
		box->kw_loaded = true;
		return 0;
	}
	if (rc < 0)
		return rc;
	correu__md_keywords_free(box);
	rc = parse(box, buf, len);
	correu__free(md->alloc, buf, len + 1);
	if (rc < 0) {
		correu__md_keywords_free(box);
		box->kw_loaded = false;
		return rc;
	}
	box->kw_mtime = (int64_t)st.st_mtime;
	box->kw_loaded = true;
	return 0;
}

static int find(const correu_maildir_box *box, const char *name, size_t len)
{
	for (int i = 0; i < CORREU_MAILDIR_MAX_KEYWORDS; i++) {
		if (box->kw[i] && box->kw_len[i] == len && strncasecmp(box->kw[i], name, len) == 0)
			return i;
	}
	return -1;
}

/* Write the list with one more name at idx; the uidlist lock is held. */
static int store(correu_maildir_box *box, int idx, const char *name, size_t len)
{
	correu_maildir *md = box->md;
	char path[MD_PATH_MAX], lock[MD_PATH_MAX];
	correu__buf out;
	int rc;

	if ((rc = correu__md_path(path, box->path, MD_KEYWORDS)) < 0 ||
	    (rc = correu__md_path(lock, box->path, MD_KEYWORDS_LOCK)) < 0)
		return rc;
	correu__buf_init(&out, md->alloc, (size_t)md->set.max_line * 27);
	for (int i = 0; i < CORREU_MAILDIR_MAX_KEYWORDS && rc == 0; i++) {
		const char *n = i == idx ? name : box->kw[i];
		size_t nl = i == idx ? len : box->kw_len[i];
		char num[8];
		int k;

		if (!n)
			continue;
		k = snprintf(num, sizeof(num), "%d ", i);
		rc = correu__buf_append(&out, num, (size_t)k);
		if (rc == 0)
			rc = correu__buf_append(&out, n, nl);
		if (rc == 0)
			rc = correu__buf_append(&out, "\n", 1);
	}
	if (rc == 0) {
		/* We hold the uidlist lock, so a keywords lock left behind is
		 * stale by definition (Dovecot reasons the same way). */
		(void)unlink(lock);
		rc = correu__md_replace_file(md, lock, path, (const char *)out.data, out.len,
		                             true);
	}
	correu__buf_free(&out, false);
	if (rc == 0) {
		/* Readers compare mtimes: make sure this one differs. */
		struct stat st;
		time_t now = time(NULL);

		if (stat(path, &st) == 0 && (int64_t)st.st_mtime <= box->kw_mtime) {
			struct timeval tv[2] = {{now, 0}, {(time_t)box->kw_mtime + 1, 0}};

			(void)utimes(path, tv);
		}
		box->kw_loaded = false;
		rc = correu__md_keywords_load(box);
	}
	return rc;
}

int correu_maildir_box_keyword_index(correu_maildir_box *box, const char *name, size_t len,
                                     int create, unsigned *index_out)
{
	int rc, idx;

	if (!box || !index_out || !correu__md_keyword_valid(name, len) || name[0] == '\\')
		return CORREU_ERR_ARG;
	if (len > 255 || len + 4 > box->md->set.max_line)
		return CORREU_ERR_LIMIT;
	rc = correu__md_keywords_load(box);
	if (rc < 0)
		return rc;
	idx = find(box, name, len);
	if (idx < 0 && !create)
		return CORREU_ERR_NOT_FOUND;
	if (idx < 0) {
		rc = correu__md_box_lock(box);
		if (rc < 0)
			return rc;
		box->kw_loaded = false; /* re-read under the lock */
		rc = correu__md_keywords_load(box);
		idx = rc < 0 ? -1 : find(box, name, len);
		if (rc == 0 && idx < 0) {
			for (idx = 0; idx < CORREU_MAILDIR_MAX_KEYWORDS && box->kw[idx]; idx++)
				;
			if (idx == CORREU_MAILDIR_MAX_KEYWORDS)
				rc = CORREU_ERR_LIMIT;
			else
				rc = store(box, idx, name, len);
			if (rc == 0 && !box->kw[idx])
				rc = CORREU_ERR_IO;
		}
		correu__md_box_unlock(box);
		if (rc < 0)
			return rc;
	}
	*index_out = (unsigned)idx;
	return 0;
}

int correu_maildir_box_keyword_name(const correu_maildir_box *box, unsigned index,
                                    const char **name_out, size_t *len_out)
{
	if (!box || !name_out || !len_out || index >= CORREU_MAILDIR_MAX_KEYWORDS)
		return CORREU_ERR_ARG;
	if (!box->kw[index])
		return CORREU_ERR_NOT_FOUND;
	*name_out = box->kw[index];
	*len_out = box->kw_len[index];
	return 0;
}
