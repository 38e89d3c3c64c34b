/*
 * correu-fetch's UIDL state file (see uidstate.h). The format is one unique
 * id per line after a version line; ids are printable ASCII without
 * spaces, so no quoting is needed. The list stays sorted for lookups.
 */
#include "uidstate.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HEADER "# correu-fetch UIDL state 1\n"
#define MAX_UID 70 /* RFC 1939 §7 */

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

int uidstate_load(struct uidstate *st, const char *path)
{
	char line[MAX_UID + 3];
	FILE *f;
	int rc = 0;

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
		} else if (len > 0 && line[0] != '#')
			rc = uidstate_add(st, line, len);
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
		ok = fprintf(f, "%s\n", st->uids[i]) > 0;
	ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
	ok = fclose(f) == 0 && ok;
	ok = ok && rename(tmp, st->path) == 0 && sync_dir(st->path) == 0;
	if (!ok)
		unlink(tmp);
	free(tmp);
	return ok ? 0 : -1;
}
