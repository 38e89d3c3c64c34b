/*
 * UNIX-domain listeners of the server runtime (driver layer), for LMTP
 * from a local MTA (RFC 2033 section 5) and other same-host clients: bind
 * a socket file with the requested permission bits, take over a stale
 * file only when it is a socket nobody answers on, accept connections as
 * ordinary non-blocking transports, and remove our own file on close.
 */
/* accept4() is a GNU/BSD extension: it sets O_NONBLOCK without a race. */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "server_int.h"

#define DEFAULT_PERMS 0600 /* owner only, unless the caller opens it up */

static void fill_sun(struct sockaddr_un *sun, const char *path, size_t len)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	memcpy(sun->sun_path, path, len + 1);
}

/* What is at the path: 0 nothing (or a stale socket, now removed),
 * CORREU_ERR_BUSY something we must not touch, or CORREU_ERR_IO. */
static int clear_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, err = 0;

	if (lstat(sun->sun_path, &st) < 0)
		return errno == ENOENT ? 0 : CORREU_ERR_IO;
	if (!S_ISSOCK(st.st_mode))
		return CORREU_ERR_BUSY; /* a file, a directory, a link: not ours */
	/* A socket: stale when connecting is refused (no listener behind it).
	 * Non-blocking, so a live server with a full backlog (EAGAIN) counts
	 * as live rather than making us wait. */
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return CORREU_ERR_IO;
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) < 0)
		err = errno;
	close(fd);
	/* Connected (err 0), or any other answer (EACCES ...): not ours. */
	if (err != ECONNREFUSED && err != ENOENT)
		return CORREU_ERR_BUSY;
	if (unlink(sun->sun_path) < 0 && errno != ENOENT)
		return CORREU_ERR_IO;
	return 0;
}

/* Bind, set the permissions, then listen: until listen() every connect is
 * refused, so nobody gets in under the umask's bits. */
static int bind_unix(correu__listener *l, const struct sockaddr_un *sun, uint32_t perms,
                     int32_t backlog)
{
	struct stat st;
	int fd, rc = clear_stale(sun);

	if (rc < 0)
		return rc;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return CORREU_ERR_IO;
	if (bind(fd, (const struct sockaddr *)sun, sizeof(*sun)) < 0) {
		rc = errno == EADDRINUSE ? CORREU_ERR_BUSY : CORREU_ERR_IO;
		close(fd);
		return rc;
	}
	if (chmod(sun->sun_path, perms ? perms : DEFAULT_PERMS) < 0 ||
	    stat(sun->sun_path, &st) < 0 || listen(fd, backlog) < 0) {
		unlink(sun->sun_path);
		close(fd);
		return CORREU_ERR_IO;
	}
	l->dev = (uint64_t)st.st_dev;
	l->ino = (uint64_t)st.st_ino;
	l->fd = fd;
	return 0;
}

int correu_server_listen_unix(correu_server *srv, const correu_server_unix_cfg *cfg)
{
	struct sockaddr_un sun;
	correu_server_listen_cfg lc;
	correu__listener *l;
	size_t len;
	int rc;

	if (!srv || !cfg || cfg->version != CORREU_SERVER_UNIX_VERSION || !cfg->path ||
	    !cfg->path[0] || cfg->perms > 07777)
		return CORREU_ERR_ARG;
	memset(&lc, 0, sizeof(lc));
	lc.version = CORREU_SERVER_LISTEN_VERSION;
	lc.mode = cfg->mode;
	lc.backlog = cfg->backlog;
	lc.tls = cfg->tls;
	lc.core = cfg->core;
	lc.core_userdata = cfg->core_userdata;
	rc = correu__listener_prepare(srv, &lc, &l);
	if (rc < 0)
		return rc;
	/* sun_path must hold the name and its NUL. */
	len = strnlen(cfg->path, sizeof(sun.sun_path));
	if (len >= sizeof(sun.sun_path)) {
		correu__free(srv->alloc, l, sizeof(*l));
		return CORREU_ERR_LIMIT;
	}
	fill_sun(&sun, cfg->path, len);
	l->path_size = len + 1;
	l->path = correu__calloc(srv->alloc, l->path_size);
	if (!l->path) {
		correu__free(srv->alloc, l, sizeof(*l));
		return CORREU_ERR_NOMEM;
	}
	memcpy(l->path, cfg->path, len);
	rc = bind_unix(l, &sun, cfg->perms, cfg->backlog ? cfg->backlog : 128);
	if (rc == 0) {
		rc = correu__listener_link(srv, l);
		if (rc < 0)
			correu__unix_close(l);
	}
	if (rc < 0) {
		correu__free(srv->alloc, l->path, l->path_size);
		correu__free(srv->alloc, l, sizeof(*l));
		return rc;
	}
	correu__log(&srv->log, CORREU_LOG_INFO, "listening on %s", l->path);
	return 0;
}

int correu__unix_accept(correu__listener *l, correu_transport **out)
{
	int fd;

	for (;;) {
		fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0)
			break;
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return CORREU_ERR_WANT_READ;
		return CORREU_ERR_IO;
	}
	/* The socket transport is not TCP-specific: it reads and writes the
	 * descriptor, which is all a stream socket needs. */
	return correu_tcp_from_fd(fd, l->srv->alloc, out);
}

void correu__unix_close(correu__listener *l)
{
	struct stat st;

	/* Another server may have replaced the file since (after removing
	 * ours as stale): remove it only if it is still the one we bound. */
	if (lstat(l->path, &st) == 0 && (uint64_t)st.st_dev == l->dev &&
	    (uint64_t)st.st_ino == l->ino)
		unlink(l->path);
	close(l->fd);
	l->fd = -1;
}
