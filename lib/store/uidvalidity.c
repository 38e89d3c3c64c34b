/*
 * New UIDVALIDITY values (store layer), shared with Dovecot through the
 * root's `dovecot-uidvalidity` file (the last value, 8 hex digits) and an
 * empty marker `dovecot-uidvalidity.<hex>`. A value is claimed by renaming
 * the marker from the old value to the next one: rename is atomic, so two
 * processes (correu or Dovecot) never hand out the same value. The first
 * value is the current time, as Dovecot's; RFC 9051 section 2.3.1.1 only
 * asks that a folder's UIDVALIDITY never repeats.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "maildir_internal.h"

static bool parse_hex8(const char *s, uint32_t *out)
{
	uint32_t v = 0;
	size_t i;

	for (i = 0; i < 8 && s[i]; i++) {
		char c = s[i];
		int d = (c >= '0' && c <= '9')   ? c - '0'
		        : (c >= 'a' && c <= 'f') ? c - 'a' + 10
		        : (c >= 'A' && c <= 'F') ? c - 'A' + 10
		                                 : -1;
		if (d < 0)
			return false;
		v = v << 4 | (uint32_t)d;
	}
	if (i == 0 || (s[i] && s[i] != '\n'))
		return false;
	*out = v;
	return true;
}

static void write_main(correu_maildir *md, const char *path, uint32_t v)
{
	char buf[16];
	int n = snprintf(buf, sizeof(buf), "%08x", v);
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, (mode_t)md->set.file_mode);

	if (fd < 0)
		return; /* the markers are the truth; this is a hint */
	if (pwrite(fd, buf, (size_t)n, 0) != n)
		correu__log(md->log, CORREU_LOG_WARN, "maildir: cannot write %s", path);
	close(fd);
}

/* Claim cur+1 by renaming the marker; retry a few values on a race. */
static bool claim(const char *path, uint32_t *cur)
{
	char from[MD_PATH_MAX], to[MD_PATH_MAX];

	for (int i = 0; i < 10; i++) {
		snprintf(from, sizeof(from), "%s.%08x", path, *cur);
		*cur += 1;
		if (*cur == 0)
			*cur = 1;
		snprintf(to, sizeof(to), "%s.%08x", path, *cur);
		if (rename(from, to) == 0)
			return true;
		if (errno != ENOENT)
			return false;
	}
	return false;
}

static uint32_t rescan(correu_maildir *md, const char *path)
{
	DIR *d = opendir(md->root);
	struct dirent *e;
	uint32_t max = 0, v;
	size_t plen = strlen(MD_UIDVALIDITY);

	if (d) {
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, MD_UIDVALIDITY ".", plen + 1) == 0 &&
			    parse_hex8(e->d_name + plen + 1, &v) && v > max)
				max = v;
		}
		closedir(d);
	}
	if (max && claim(path, &max))
		return max;
	/* No marker yet: start from the clock, and leave a marker. */
	v = (uint32_t)time(NULL);
	if (v <= max)
		v = max + 1;
	for (int i = 0; i < 10; i++, v++) {
		char m[MD_PATH_MAX];
		int fd;

		snprintf(m, sizeof(m), "%s.%08x", path, v);
		fd = open(m, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
		if (fd >= 0) {
			close(fd);
			break;
		}
		if (errno != EEXIST)
			break;
	}
	return v;
}

int correu__md_uidvalidity_next(correu_maildir *md, uint32_t *out)
{
	char path[MD_PATH_MAX], buf[16];
	uint32_t cur = 0;
	int rc = correu__md_path(path, md->root, MD_UIDVALIDITY);
	int fd;

	if (rc < 0)
		return rc;
	if (strlen(path) + 10 >= MD_PATH_MAX)
		return CORREU_ERR_LIMIT;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, 8);

		close(fd);
		buf[n > 0 ? n : 0] = '\0';
		if (n > 0 && parse_hex8(buf, &cur) && claim(path, &cur)) {
			write_main(md, path, cur);
			*out = cur;
			return 0;
		}
	}
	cur = rescan(md, path);
	write_main(md, path, cur);
	*out = cur;
	return 0;
}
