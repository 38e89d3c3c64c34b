/*
 * Reading messages (store layer): a file descriptor for the caller, or a
 * reader handing out chunks. A file renamed by a flag change elsewhere is
 * found again by re-syncing the folder once.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "maildir_internal.h"

struct correu_maildir_reader {
	correu_maildir *md;
	int fd;
};

int correu_maildir_box_open_fd(correu_maildir_box *box, uint32_t uid, int *fd_out)
{
	char p[MD_PATH_MAX];
	int rc = 0;

	if (!box || !fd_out)
		return CORREU_ERR_ARG;
	for (int attempt = 0; attempt < 2; attempt++) {
		struct md_rec *r = correu__md_rec_find(box, uid);
		int fd;

		if (!r || !r->fname)
			return CORREU_ERR_NOT_FOUND;
		rc = correu__md_rec_path(box, r, p);
		if (rc < 0)
			return rc;
		fd = open(p, O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			*fd_out = fd;
			return 0;
		}
		rc = correu__md_errno(errno);
		if (rc != CORREU_ERR_NOT_FOUND || attempt == 1)
			break;
		rc = correu_maildir_box_sync(box);
		if (rc < 0)
			break;
	}
	return rc;
}

int correu_maildir_reader_open(correu_maildir_box *box, uint32_t uid,
                               correu_maildir_reader **reader_out)
{
	correu_maildir_reader *r;
	int fd, rc;

	if (!box || !reader_out)
		return CORREU_ERR_ARG;
	*reader_out = NULL;
	rc = correu_maildir_box_open_fd(box, uid, &fd);
	if (rc < 0)
		return rc;
	r = correu__alloc(box->md->alloc, sizeof(*r));
	if (!r) {
		close(fd);
		return CORREU_ERR_NOMEM;
	}
	r->md = box->md;
	r->fd = fd;
	*reader_out = r;
	return 0;
}

correu_ssize correu_maildir_reader_read(correu_maildir_reader *r, uint8_t *buf, size_t len)
{
	ssize_t n;

	if (!r || (!buf && len))
		return CORREU_ERR_ARG;
	if (len > (size_t)PTRDIFF_MAX)
		len = (size_t)PTRDIFF_MAX;
	do
		n = read(r->fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n < 0 ? CORREU_ERR_IO : (correu_ssize)n;
}

void correu_maildir_reader_free(correu_maildir_reader *r)
{
	if (!r)
		return;
	close(r->fd);
	correu__free(r->md->alloc, r, sizeof(*r));
}
