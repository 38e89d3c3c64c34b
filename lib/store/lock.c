/*
 * Dot-locks compatible with Dovecot's (store layer). Dovecot serialises
 * every change of a Maildir's dovecot-uidlist with `dovecot-uidlist.lock`,
 * created with O_EXCL (or by link(), its other mode) and holding
 * "<pid>:<hostname>". We take the same lock, created by link() so it is
 * never seen empty, so correu and Dovecot never assign the same UID. A lock is
 * stale when its process is gone (same host, kill(pid, 0) says ESRCH) or when
 * it has not been touched for lock_stale_s seconds (Dovecot: 120 s).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "maildir_internal.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_us(long us)
{
	struct timespec ts = {us / 1000000, (us % 1000000) * 1000};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Is the lock at path (whose stat is st) left over by a dead holder? */
static bool lock_is_stale(correu_maildir *md, const char *path, const struct stat *st)
{
	char buf[512];
	ssize_t n;
	int fd;
	time_t now = time(NULL);

	if (now - st->st_mtime > (time_t)md->set.lock_stale_s)
		return true;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false; /* still being written by its creator */
	buf[n] = '\0';
	char *colon = strchr(buf, ':');
	if (!colon)
		return false;
	*colon = '\0';
	char *end;
	long pid = strtol(buf, &end, 10);
	if (*end || pid <= 0 || strcmp(colon + 1, md->lock_host) != 0)
		return false; /* another host: only the age can tell */
	return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Make the lock file whole at once: write "<pid>:<host>" to a private
 * temporary file and link() it to the lock name (link fails if the lock
 * exists, like O_EXCL). A process killed midway never leaves an empty
 * lock, which nobody could judge stale until lock_stale_s had passed.
 * The temporary name is made unique by mkstemp(), not by the pid alone:
 * threads of one process (the backend's commit workers, or several
 * loops) lock at the same time, and one must not truncate or remove
 * another's file. link() itself already excludes them from each other. */
static int try_create(correu_maildir *md, const char *lock_path, dev_t *dev, ino_t *ino)
{
	char tmp[MD_PATH_MAX], id[300];
	const char *slash = strrchr(lock_path, '/');
	int dlen = slash ? (int)(slash - lock_path) : 0;
	int n = snprintf(id, sizeof(id), "%ld:%s", (long)getpid(), md->lock_host);
	int k = snprintf(tmp, sizeof(tmp), "%.*s/.temp.correu.%ld.XXXXXX", dlen, lock_path,
	                 (long)getpid());
	struct stat st;
	int fd, rc = 0;

	if (n < 0 || k < 0 || k >= (int)sizeof(tmp))
		return CORREU_ERR_LIMIT;
	fd = mkstemp(tmp);
	if (fd < 0)
		return correu__md_errno(errno);
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) != 0 || fchmod(fd, (mode_t)md->set.file_mode) != 0 ||
	    write(fd, id, (size_t)n) != n || fstat(fd, &st) != 0)
		rc = CORREU_ERR_IO;
	close(fd);
	if (rc == 0 && link(tmp, lock_path) != 0)
		rc = errno == EEXIST ? CORREU_ERR_BUSY : correu__md_errno(errno);
	(void)unlink(tmp);
	if (rc == 0) {
		*dev = st.st_dev;
		*ino = st.st_ino;
	}
	return rc;
}

int correu__md_dotlock(correu_maildir *md, const char *lock_path, dev_t *dev, ino_t *ino)
{
	uint64_t deadline = now_ms() + md->set.lock_wait_ms;
	long backoff = 100;

	for (;;) {
		int rc = try_create(md, lock_path, dev, ino);
		struct stat st;

		if (rc != CORREU_ERR_BUSY)
			return rc;
		if (lstat(lock_path, &st) == 0 && lock_is_stale(md, lock_path, &st)) {
			struct stat again;

			/* Remove it only if it is still the file we judged. */
			if (lstat(lock_path, &again) == 0 && again.st_ino == st.st_ino &&
			    again.st_dev == st.st_dev) {
				correu__log(md->log, CORREU_LOG_WARN, "maildir: overriding stale %s",
				            lock_path);
				(void)unlink(lock_path);
			}
			continue;
		}
		if (now_ms() >= deadline)
			return CORREU_ERR_BUSY;
		sleep_us(backoff);
		if (backoff < 20000)
			backoff *= 2;
	}
}

void correu__md_dotunlock(const char *lock_path, dev_t dev, ino_t ino)
{
	struct stat st;

	/* If our lock was overridden as stale, the file is someone else's. */
	if (lstat(lock_path, &st) == 0 && st.st_dev == dev && st.st_ino == ino)
		(void)unlink(lock_path);
}

int correu__md_box_lock(correu_maildir_box *box)
{
	char p[MD_PATH_MAX];
	int rc;

	if (box->locked)
		return CORREU_ERR_INTERNAL;
	rc = correu__md_path(p, box->path, MD_UIDLIST_LOCK);
	if (rc == 0)
		rc = correu__md_dotlock(box->md, p, &box->lock_dev, &box->lock_ino);
	if (rc == 0)
		box->locked = true;
	return rc;
}

void correu__md_box_unlock(correu_maildir_box *box)
{
	char p[MD_PATH_MAX];

	if (!box->locked)
		return;
	box->locked = false;
	if (correu__md_path(p, box->path, MD_UIDLIST_LOCK) == 0)
		correu__md_dotunlock(p, box->lock_dev, box->lock_ino);
}
