/*
 * correu-fetch's UIDL state file (see uidstate.h). After a version line,
 * each line is "+ <id>" for a fetched message or "? <uidvalidity>
 * <uidnext> <id>" for the pending one; ids are printable ASCII without
 * spaces (RFC 1939 §7), so no quoting is needed, and the marks keep an id
 * that starts with "#" from reading as a comment. Version 1 files, one
 * bare id per line, are still read. The list stays sorted for lookups.
 */
#include "uidstate.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEADER "# correu-fetch UIDL state 2\n"

/* Index of the first id not less than (uid, len). */
static size_t lower_bound(const struct uidstate *st, const char *uid, size_t len, int *found)
{
	size_t lo = 0, hi = st->n;

	*found = 0;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		size_t ml = strlen(st->uids[mid]);
		int c = memcmp(st->uids[mid], uid, ml < len ? ml : len);

		if (c == 0)
			c = ml < len ? -1 : ml > len;
		if (c < 0)
			lo = mid + 1;
		else {
			if (c == 0)
				*found = 1;
			hi = mid;
		}
	}
	return lo;
}

bool uidstate_has(const struct uidstate *st, const char *uid, size_t len)
{
	int found;

	(void)lower_bound(st, uid, len, &found);
	return found;
}

int uidstate_add(struct uidstate *st, const char *uid, size_t len)
{
	int found;
	size_t i = lower_bound(st, uid, len, &found);
	char *copy;

	if (found)
		return 0;
	if (st->n == st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 64;
		char **n = realloc(st->uids, cap * sizeof(*n));

		if (!n)
			return -1;
		st->uids = n;
		st->cap = cap;
	}
	copy = malloc(len + 1);
	if (!copy)
		return -1;
	memcpy(copy, uid, len);
	copy[len] = '\0';
	memmove(st->uids + i + 1, st->uids + i, (st->n - i) * sizeof(*st->uids));
	st->uids[i] = copy;
	st->n++;
	return 0;
}

void uidstate_remove(struct uidstate *st, const char *uid, size_t len)
{
	int found;
	size_t i = lower_bound(st, uid, len, &found);

	if (!found)
		return;
	free(st->uids[i]);
	memmove(st->uids + i, st->uids + i + 1, (st->n - i - 1) * sizeof(*st->uids));
	st->n--;
}

void uidstate_set_pending(struct uidstate *st, const char *uid, uint32_t uidvalidity,
                          uint32_t uidnext)
{
	snprintf(st->pending.uid, sizeof(st->pending.uid), "%s", uid);
	st->pending.uidvalidity = uidvalidity;
	st->pending.uidnext = uidnext;
}

/* One version 2 line (without its LF); -1 with errno for a bad one. */
static int load_line(struct uidstate *st, const char *line, size_t len)
{
	struct uidpending *p = &st->pending;
	int at = 0;

	if (len > 2 && line[0] == '+' && line[1] == ' ')
		return uidstate_add(st, line + 2, len - 2);
	if (len > 2 && line[0] == '?' &&
	    sscanf(line, "? %" SCNu32 " %" SCNu32 " %n", &p->uidvalidity, &p->uidnext, &at) == 2 &&
	    at > 0 && (size_t)at < len && len - (size_t)at <= UIDSTATE_MAX_UID) {
		memcpy(p->uid, line + at, len - (size_t)at);
		p->uid[len - (size_t)at] = '\0';
		return 0;
	}
	errno = EINVAL;
	return -1;
}

int uidstate_load(struct uidstate *st, const char *path)
{
	/* The longest line: "? " two 10-digit numbers, the id, LF, NUL. */
	char line[UIDSTATE_MAX_UID + 32];
	FILE *f;
	int rc = 0, version = 0;

	memset(st, 0, sizeof(*st));
	st->path = strdup(path);
	if (!st->path)
		return -1;
	f = fopen(path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (rc == 0 && fgets(line, sizeof(line), f)) {
		size_t len = strcspn(line, "\n");

		if (line[len] != '\n') {
			errno = EINVAL; /* a line longer than any unique id */
			rc = -1;
		} else if (version == 0 && strcmp(line, HEADER) == 0) {
			version = 2;
		} else if (version == 2) {
			rc = load_line(st, line, len);
		} else {
			/* Version 1: bare ids; "#" lines, its header too, are
			 * comments. */
			version = 1;
			if (len > 0 && line[0] != '#')
				rc = uidstate_add(st, line, len);
		}
	}
	if (ferror(f))
		rc = -1;
	fclose(f);
	return rc;
}

void uidstate_free(struct uidstate *st)
{
	for (size_t i = 0; i < st->n; i++)
		free(st->uids[i]);
	free(st->uids);
	free(st->path);
	memset(st, 0, sizeof(*st));
}

/* fsync the directory holding `path`, so the rename itself is durable. */
static int sync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc;

	if (!copy)
		return -1;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	free(copy);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int uidstate_save(const struct uidstate *st)
{
	size_t plen = strlen(st->path);
	char *tmp = malloc(plen + 5);
	FILE *f;
	int ok;

	if (!tmp)
		return -1;
	memcpy(tmp, st->path, plen);
	memcpy(tmp + plen, ".tmp", 5);
	f = fopen(tmp, "w");
	if (!f) {
		free(tmp);
		return -1;
	}
	ok = fputs(HEADER, f) >= 0;
	for (size_t i = 0; ok && i < st->n; i++)
		ok = fprintf(f, "+ %s\n", st->uids[i]) > 0;
	if (ok && st->pending.uid[0])
		ok = fprintf(f, "? %" PRIu32 " %" PRIu32 " %s\n", st->pending.uidvalidity,
		             st->pending.uidnext, st->pending.uid) > 0;
	ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	ok = ok && rename(tmp, st->path) == 0 && sync_dir(st->path) == 0;
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok ? 0 : -1;
}
