/*
 * Helpers for the Maildir store tests: a fresh temporary directory per test,
 * removed afterwards, and small wrappers to deliver and read messages.
 */
#ifndef CORREU_STORE_TEST_H
#define CORREU_STORE_TEST_H

#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "correu/maildir.h"

static inline void st_rm_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	if (!d) {
		unlink(path);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char p[4096 + 512];
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (snprintf(p, sizeof(p), "%s/%s", path, e->d_name) >= (int)sizeof(p))
			continue;
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			st_rm_tree(p);
		else
			unlink(p);
	}
	closedir(d);
	rmdir(path);
}

/* A new empty directory under /tmp; the caller removes it. */
static inline void st_mkdtemp(char *buf, size_t cap)
{
	snprintf(buf, cap, "/tmp/correu-store-XXXXXX");
	cr_assert_not_null(mkdtemp(buf), "mkdtemp");
}

static inline correu_maildir *st_open(const char *root)
{
	correu_maildir *md = NULL;

	cr_assert_eq(correu_maildir_open(root, strlen(root), NULL, NULL, NULL, &md), 0);
	return md;
}

static inline correu_maildir_box *st_box(correu_maildir *md, const char *name)
{
	correu_maildir_box *box = NULL;
	int rc = correu_maildir_box_open(md, name, strlen(name), &box);

	cr_assert_eq(rc, 0, "box_open(%s): %s", name, correu_err_name(rc));
	return box;
}

/* Deliver text in chunks of `chunk` bytes; returns the UID. */
static inline uint32_t st_deliver(correu_maildir_box *box, const char *text, size_t chunk)
{
	correu_maildir_delivery *d = NULL;
	size_t len = strlen(text), off = 0;
	uint32_t uid = 0;
	int rc;

	cr_assert_eq(correu_maildir_delivery_begin(box, &d), 0);
	while (off < len) {
		size_t n = len - off < chunk ? len - off : chunk;

		cr_assert_eq(correu_maildir_delivery_write(d, (const uint8_t *)text + off, n), 0);
		off += n;
	}
	rc = correu_maildir_delivery_commit(d, &uid);
	cr_assert_eq(rc, 0, "commit: %s", correu_err_name(rc));
	return uid;
}

/* The whole message of uid, read through the chunked reader. */
static inline char *st_read(correu_maildir_box *box, uint32_t uid)
{
	correu_maildir_reader *r = NULL;
	char *buf = calloc(1, 1 << 20);
	size_t len = 0;
	correu_ssize n;

	cr_assert_eq(correu_maildir_reader_open(box, uid, &r), 0);
	while ((n = correu_maildir_reader_read(r, (uint8_t *)buf + len, 7)) > 0)
		len += (size_t)n;
	cr_assert_eq(n, 0);
	correu_maildir_reader_free(r);
	return buf;
}

static inline void st_msg(correu_maildir_box *box, uint32_t uid, correu_maildir_msg *m)
{
	size_t idx;

	cr_assert_eq(correu_maildir_box_find(box, uid, &idx), 0, "uid %u missing", uid);
	m->version = CORREU_MAILDIR_MSG_VERSION;
	cr_assert_eq(correu_maildir_box_message(box, idx, m), 0);
}

static inline void st_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert_not_null(f, "fopen %s", path);
	fputs(text, f);
	fclose(f);
}

static inline char *st_slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);

	cr_assert_not_null(f, "fopen %s", path);
	size_t n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

#endif
