/*
 * The password file on disk (store layer): loading with the size checked
 * before anything is read, and saving atomically. A save writes a
 * temporary file beside the target (mode 0600, as it holds password
 * hashes), fsyncs it, renames it over the target and fsyncs the directory,
 * so after a crash the file is the old one or the new one, whole.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "passwd_int.h"

static int io_fail(correu_passwd *pw, const char *what, const char *path)
{
	char msg[128];

	snprintf(msg, sizeof(msg), "%s %.60s: %s", what, path, strerror(errno));
	correu__passwd_why(pw, msg, 0);
	return CORREU_ERR_IO;
}

static int read_all(int fd, uint8_t *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, buf + got, len - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1; /* error, or the file shrank while we read */
		got += (size_t)n;
	}
	return 0;
}

int correu_passwd_load(correu_passwd *pw, const char *path, uint32_t *line_out)
{
	struct stat st;
	uint8_t *buf = NULL;
	size_t len;
	int fd, rc;

	if (line_out)
		*line_out = 0;
	if (!pw || !path)
		return CORREU_ERR_ARG;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		bool missing = errno == ENOENT;

		rc = io_fail(pw, "cannot open", path);
		return missing ? CORREU_ERR_NOT_FOUND : rc;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		rc = io_fail(pw, "not a regular file:", path);
		close(fd);
		return rc;
	}
	if ((uint64_t)st.st_size > pw->set.max_file) {
		close(fd);
		correu__passwd_why(pw, "file too large", 0);
		return CORREU_ERR_LIMIT;
	}
	len = (size_t)st.st_size;
	if (len && !(buf = correu__alloc(pw->alloc, len))) {
		close(fd);
		return CORREU_ERR_NOMEM;
	}
	if (len && read_all(fd, buf, len) < 0) {
		rc = io_fail(pw, "cannot read", path);
	} else {
		rc = correu_passwd_parse(pw, buf, len, line_out);
	}
	close(fd);
	if (buf) {
		correu_wipe(buf, len); /* {PLAIN} lines hold passwords */
		correu__free(pw->alloc, buf, len);
	}
	return rc;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* fsync the directory holding `path`, so the rename itself is durable. */
static int sync_dir(const char *path, char *tmp, size_t cap)
{
	const char *slash = strrchr(path, '/');
	int fd, rc;

	if (!slash) {
		snprintf(tmp, cap, ".");
	} else {
		size_t n = slash == path ? 1 : (size_t)(slash - path);

		snprintf(tmp, cap, "%.*s", (int)n, path);
	}
	fd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

int correu_passwd_save(correu_passwd *pw, const char *path)
{
	size_t len, plen, tcap;
	uint8_t *text = NULL;
	char *tmp;
	int fd, rc = 0;

	if (!pw || !path || !*path)
		return CORREU_ERR_ARG;
	if (correu_passwd_format(pw, NULL, 0, &len) != CORREU_ERR_BUFFER && len != 0)
		return CORREU_ERR_INTERNAL;
	plen = strlen(path);
	if (plen > SIZE_MAX - 16)
		return CORREU_ERR_ARG;
	tcap = plen + 16;
	tmp = correu__alloc(pw->alloc, tcap);
	if (!tmp || (len && !(text = correu__alloc(pw->alloc, len)))) {
		if (tmp)
			correu__free(pw->alloc, tmp, tcap);
		return CORREU_ERR_NOMEM;
	}
	if (len && correu_passwd_format(pw, text, len, &len) < 0)
		rc = CORREU_ERR_INTERNAL;
	snprintf(tmp, tcap, "%s.tmp.XXXXXX", path);
	/* mkstemp makes the file 0600 and never follows a planted link. */
	fd = rc < 0 ? -1 : mkstemp(tmp);
	if (rc == 0 && fd < 0)
		rc = io_fail(pw, "cannot create a file beside", path);
	if (rc == 0 && (fchmod(fd, 0600) < 0 || write_all(fd, text, len) < 0 || fsync(fd) < 0))
		rc = io_fail(pw, "cannot write", tmp);
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = io_fail(pw, "cannot write", tmp);
	if (rc == 0 && rename(tmp, path) < 0)
		rc = io_fail(pw, "cannot rename over", path);
	if (rc < 0 && fd >= 0)
		unlink(tmp);
	if (rc == 0 && sync_dir(path, tmp, tcap) < 0)
		rc = io_fail(pw, "cannot sync the directory of", path);
	if (text) {
		correu_wipe(text, len);
		correu__free(pw->alloc, text, len);
	}
	correu__free(pw->alloc, tmp, tcap);
	return rc;
}
