/*
 * Maildir++ folders (store layer): create, delete, rename and list the
 * ".Name" directories under a user's root (INBOX is the root itself). A
 * subfolder carries an empty "maildirfolder" file, as the Maildir++ spec and
 * Dovecot ask. A deleted folder is first renamed to a "..correu-deleted.*"
 * name no folder name can map to, so a crash never leaves half a folder.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "maildir_internal.h"

int correu_maildir_folder_create(correu_maildir *md, const char *name, size_t len)
{
	char dir[MD_PATH_MAX], mark[MD_PATH_MAX];
	bool inbox;
	int rc, fd;

	if (!md)
		return CORREU_ERR_ARG;
	rc = correu__md_folder_dir(md, name, len, dir, &inbox);
	if (rc < 0)
		return rc;
	if (inbox)
		return CORREU_ERR_ARG;
	rc = correu__md_path(mark, dir, MD_SUBFOLDER_MARK);
	if (rc == 0)
		rc = correu__md_make_maildir(md, dir, false);
	if (rc < 0)
		return rc;
	fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, (mode_t)md->set.file_mode);
	if (fd >= 0)
		close(fd);
	return correu__md_fsync_dir(md->root);
}

/* Remove a directory tree; depth is bounded (a Maildir is two levels). */
static int remove_tree(const char *path, int depth)
{
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (depth > 8)
		return CORREU_ERR_LIMIT;
	d = opendir(path);
	if (!d)
		return correu__md_errno(errno);
	while ((e = readdir(d)) != NULL) {
		char p[MD_PATH_MAX];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (correu__md_path(p, path, e->d_name) < 0 || lstat(p, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int r = remove_tree(p, depth + 1);

			rc = rc ? rc : r;
		} else if (unlink(p) != 0 && errno != ENOENT && !rc) {
			rc = correu__md_errno(errno);
		}
	}
	closedir(d);
	if (rmdir(path) != 0 && !rc)
		rc = correu__md_errno(errno);
	return rc;
}

int correu_maildir_folder_delete(correu_maildir *md, const char *name, size_t len)
{
	char dir[MD_PATH_MAX], trash[MD_PATH_MAX], tname[96];
	bool inbox;
	int rc;

	if (!md)
		return CORREU_ERR_ARG;
	rc = correu__md_folder_dir(md, name, len, dir, &inbox);
	if (rc < 0)
		return rc;
	if (inbox)
		return CORREU_ERR_ARG;
	snprintf(tname, sizeof(tname), "..correu-deleted.%ld.%u", (long)getpid(), ++md->seq);
	rc = correu__md_path(trash, md->root, tname);
	if (rc < 0)
		return rc;
	if (rename(dir, trash) != 0)
		return correu__md_errno(errno);
	(void)correu__md_fsync_dir(md->root);
	return remove_tree(trash, 0);
}

/* Names of the root's entries that start with prefix (".A.", say). */
static int children(correu_maildir *md, const char *prefix, char ***out, size_t *n_out)
{
	size_t plen = strlen(prefix), n = 0, cap = 0;
	char **v = NULL;
	struct dirent *e;
	DIR *d = opendir(md->root);
	int rc = 0;

	if (!d)
		return correu__md_errno(errno);
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, plen) != 0)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			char **nv = correu__realloc(md->alloc, v, cap * sizeof(*v), ncap * sizeof(*v));

			if (!nv) {
				rc = CORREU_ERR_NOMEM;
				break;
			}
			v = nv;
			cap = ncap;
		}
		v[n] = correu__md_strndup(md, e->d_name, strlen(e->d_name));
		if (!v[n])
			rc = CORREU_ERR_NOMEM;
		else
			n++;
	}
	closedir(d);
	*out = v;
	*n_out = n;
	/* The caller frees v with cap entries: record it past the end. */
	if (rc < 0 || !v)
		return rc;
	return (int)cap;
}

static void free_names(correu_maildir *md, char **v, size_t n, size_t cap)
{
	for (size_t i = 0; i < n; i++)
		correu__md_strfree(md, v[i]);
	correu__free(md->alloc, v, cap * sizeof(*v));
}

int correu_maildir_folder_rename(correu_maildir *md, const char *from, size_t from_len,
                                 const char *to, size_t to_len)
{
	char fenc[600], tenc[600], fdir[MD_PATH_MAX], tdir[MD_PATH_MAX];
	size_t fl, tl, n = 0;
	char **kids = NULL;
	struct stat st;
	bool inbox;
	int rc, cap;

	if (!md)
		return CORREU_ERR_ARG;
	if ((rc = correu__md_name_check(from, from_len, &inbox)) < 0)
		return rc;
	if (inbox)
		return CORREU_ERR_ARG; /* RENAME INBOX moves messages: not here */
	if ((rc = correu__md_name_check(to, to_len, &inbox)) < 0)
		return rc;
	if (inbox)
		return CORREU_ERR_ARG;
	fenc[0] = tenc[0] = '.';
	if ((rc = correu__md_name_encode(md, from, from_len, fenc + 1, sizeof(fenc) - 2, &fl)) < 0 ||
	    (rc = correu__md_name_encode(md, to, to_len, tenc + 1, sizeof(tenc) - 2, &tl)) < 0)
		return rc;
	/* Into itself ("A" to "A.B") would chase its own children. */
	if (tl > fl && !strncmp(tenc, fenc, fl + 1) && tenc[fl + 1] == '.')
		return CORREU_ERR_ARG;
	if ((rc = correu__md_path(fdir, md->root, fenc)) < 0 ||
	    (rc = correu__md_path(tdir, md->root, tenc)) < 0)
		return rc;
	if (stat(fdir, &st) != 0)
		return CORREU_ERR_NOT_FOUND;
	if (lstat(tdir, &st) == 0)
		return CORREU_ERR_EXISTS;
	fenc[fl + 1] = '.';
	fenc[fl + 2] = '\0';
	cap = children(md, fenc, &kids, &n);
	if (cap < 0)
		return cap;
	fenc[fl + 1] = '\0';
	if (rename(fdir, tdir) != 0)
		rc = correu__md_errno(errno);
	/* Children ".A.x" become ".B.x"; Maildir++ keeps them flat. */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char cf[MD_PATH_MAX], ct[MD_PATH_MAX], nn[MD_PATH_MAX];
		int k = snprintf(nn, sizeof(nn), "%s%s", tenc, kids[i] + fl + 1);

		if (k < 0 || (size_t)k >= md->set.max_name + 1 ||
		    correu__md_path(cf, md->root, kids[i]) < 0 || correu__md_path(ct, md->root, nn) < 0)
			rc = CORREU_ERR_LIMIT;
		else if (rename(cf, ct) != 0)
			rc = correu__md_errno(errno);
	}
	free_names(md, kids, n, (size_t)cap);
	if (rc == 0)
		rc = correu__md_fsync_dir(md->root);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int correu_maildir_folder_list(correu_maildir *md, correu_maildir_name_fn fn, void *userdata)
{
	char **v = NULL;
	size_t n = 0;
	int cap, rc;

	if (!md || !fn)
		return CORREU_ERR_ARG;
	cap = children(md, ".", &v, &n);
	if (cap < 0)
		return cap;
	rc = fn("INBOX", 5, userdata);
	if (n)
		qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		char p[MD_PATH_MAX], name[1024];
		size_t len;
		struct stat st;

		if (v[i][1] == '\0' || v[i][1] == '.')
			continue; /* ".", "..", our deleted folders */
		if (correu__md_path(p, md->root, v[i]) < 0 || stat(p, &st) != 0 ||
		    !S_ISDIR(st.st_mode))
			continue;
		if (correu__md_mutf7_to_utf8(v[i] + 1, strlen(v[i] + 1), name, sizeof(name), &len) < 0)
			continue;
		rc = fn(name, len, userdata);
	}
	free_names(md, v, n, (size_t)cap);
	return rc;
}
