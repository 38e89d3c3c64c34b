/*
 * The poller on Linux: epoll, level-triggered (server runtime, driver
 * layer). poller_poll.c is the portable variant chosen at build time; both
 * keep the same small contract in server_int.h.
 */
#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "server_int.h"

struct correu__poller {
	const correu_allocator *alloc;
	int ep;
};

int correu__poller_new(const correu_allocator *a, uint32_t max_fds, correu__poller **out)
{
	correu__poller *p = correu__alloc(a, sizeof(*p));

	(void)max_fds;
	if (!p)
		return CORREU_ERR_NOMEM;
	p->alloc = a;
	p->ep = epoll_create1(EPOLL_CLOEXEC);
	if (p->ep < 0) {
		correu__free(a, p, sizeof(*p));
		return CORREU_ERR_IO;
	}
	*out = p;
	return 0;
}

void correu__poller_free(correu__poller *p)
{
	if (!p)
		return;
	close(p->ep);
	correu__free(p->alloc, p, sizeof(*p));
}

static int ctl(correu__poller *p, int op, int fd, uint32_t events, void *tag)
{
	struct epoll_event ev = { 0 };

	ev.events = (events & CORREU__POLL_IN ? EPOLLIN : 0u) |
	            (events & CORREU__POLL_OUT ? EPOLLOUT : 0u);
	ev.data.ptr = tag;
	return epoll_ctl(p->ep, op, fd, &ev) == 0 ? 0 : CORREU_ERR_IO;
}

int correu__poller_add(correu__poller *p, int fd, uint32_t events, void *tag)
{
	return ctl(p, EPOLL_CTL_ADD, fd, events, tag);
}

int correu__poller_mod(correu__poller *p, int fd, uint32_t events, void *tag)
{
	return ctl(p, EPOLL_CTL_MOD, fd, events, tag);
}

void correu__poller_del(correu__poller *p, int fd)
{
	struct epoll_event ev = { 0 };

	(void)epoll_ctl(p->ep, EPOLL_CTL_DEL, fd, &ev);
}

int correu__poller_wait(correu__poller *p, int32_t timeout_ms, correu__pollev *out, int max)
{
	struct epoll_event ev[64];
	int n;

	if (max > 64)
		max = 64;
	n = epoll_wait(p->ep, ev, max, timeout_ms);
	if (n < 0)
		return errno == EINTR ? 0 : CORREU_ERR_IO;
	for (int i = 0; i < n; i++) {
		uint32_t e = 0;

		/* epoll reports errors and hang-ups even when nothing is
		 * watched; level-triggered, they would wake us forever. */
		if (ev[i].events & EPOLLIN)
			e |= CORREU__POLL_IN;
		if (ev[i].events & EPOLLOUT)
			e |= CORREU__POLL_OUT;
		if (ev[i].events & (EPOLLERR | EPOLLHUP))
			e |= CORREU__POLL_ERR;
		out[i].tag = ev[i].data.ptr;
		out[i].events = e;
	}
	return n;
}
