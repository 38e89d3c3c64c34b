/*
 * The portable poller: poll(2) over an array sized once for the connection
 * limit (server runtime, driver layer). Chosen at build time where epoll is
 * missing; the test suite also runs the whole runtime on it.
 */
#include <errno.h>
#include <poll.h>

#include "server_int.h"

struct correu__poller {
	const correu_allocator *alloc;
	struct pollfd *fds;
	void **tags;
	uint32_t len, cap;
	uint32_t scan; /* where the next wait starts reporting, for fairness */
};

int correu__poller_new(const correu_allocator *a, uint32_t max_fds, correu__poller **out)
{
	correu__poller *p;

	p = correu__calloc(a, sizeof(*p));
	if (!p)
		return CORREU_ERR_NOMEM;
	p->alloc = a;
	p->cap = max_fds;
	p->fds = correu__alloc(a, (size_t)max_fds * sizeof(*p->fds));
	p->tags = correu__alloc(a, (size_t)max_fds * sizeof(*p->tags));
	if (!p->fds || !p->tags) {
		correu__poller_free(p);
		return CORREU_ERR_NOMEM;
	}
	*out = p;
	return 0;
}

void correu__poller_free(correu__poller *p)
{
	if (!p)
		return;
	correu__free(p->alloc, p->fds, (size_t)p->cap * sizeof(*p->fds));
	correu__free(p->alloc, p->tags, (size_t)p->cap * sizeof(*p->tags));
	correu__free(p->alloc, p, sizeof(*p));
}

static short mask(uint32_t events)
{
	return (short)((events & CORREU__POLL_IN ? POLLIN : 0) |
	               (events & CORREU__POLL_OUT ? POLLOUT : 0));
}

static uint32_t find(const correu__poller *p, int fd)
{
	for (uint32_t i = 0; i < p->len; i++)
		if (p->fds[i].fd == fd)
			return i;
	return UINT32_MAX;
}

int correu__poller_add(correu__poller *p, int fd, uint32_t events, void *tag)
{
	if (p->len == p->cap || find(p, fd) != UINT32_MAX)
		return CORREU_ERR_IO;
	p->fds[p->len].fd = fd;
	p->fds[p->len].events = mask(events);
	p->fds[p->len].revents = 0;
	p->tags[p->len++] = tag;
	return 0;
}

int correu__poller_mod(correu__poller *p, int fd, uint32_t events, void *tag)
{
	uint32_t i = find(p, fd);

	if (i == UINT32_MAX)
		return CORREU_ERR_IO;
	p->fds[i].events = mask(events);
	p->tags[i] = tag;
	return 0;
}

void correu__poller_del(correu__poller *p, int fd)
{
	uint32_t i = find(p, fd);

	if (i == UINT32_MAX)
		return;
	p->fds[i] = p->fds[--p->len];
	p->tags[i] = p->tags[p->len];
}

int correu__poller_wait(correu__poller *p, int32_t timeout_ms, correu__pollev *out, int max)
{
	int n = poll(p->fds, p->len, timeout_ms), got = 0;

	if (n < 0)
		return errno == EINTR ? 0 : CORREU_ERR_IO;
	for (uint32_t k = 0; k < p->len && got < max; k++) {
		uint32_t i = (p->scan + k) % p->len;
		short r = p->fds[i].revents;
		uint32_t e = 0;

		/* As with epoll, errors and hang-ups come unasked. */
		if (r & POLLIN)
			e |= CORREU__POLL_IN;
		if (r & POLLOUT)
			e |= CORREU__POLL_OUT;
		if (r & (POLLERR | POLLHUP | POLLNVAL))
			e |= CORREU__POLL_ERR;
		if (!e)
			continue;
		out[got].tag = p->tags[i];
		out[got++].events = e;
	}
	if (p->len)
		p->scan = (p->scan + 1) % p->len;
	return got;
}
