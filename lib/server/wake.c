/*
 * Waking a loop from elsewhere (server runtime, driver layer): an eventfd
 * on Linux, a non-blocking self-pipe elsewhere, written by
 * correu_server_stop() and correu_server_notify() from any thread and by
 * the optional SIGINT/SIGTERM handlers. Writing to it is
 * async-signal-safe.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/eventfd.h>
#endif

#include "server_int.h"

int correu__wake_open(correu__wake *w)
{
#ifdef __linux__
	w->rfd = w->wfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	return w->rfd < 0 ? CORREU_ERR_IO : 0;
#else
	int fds[2];

	if (pipe(fds) < 0)
		return CORREU_ERR_IO;
	for (int i = 0; i < 2; i++) {
		if (fcntl(fds[i], F_SETFL, O_NONBLOCK) < 0 ||
		    fcntl(fds[i], F_SETFD, FD_CLOEXEC) < 0) {
			close(fds[0]);
			close(fds[1]);
			return CORREU_ERR_IO;
		}
	}
	w->rfd = fds[0];
	w->wfd = fds[1];
	return 0;
#endif
}

void correu__wake_close(correu__wake *w)
{
	if (w->rfd >= 0)
		close(w->rfd);
	if (w->wfd >= 0 && w->wfd != w->rfd)
		close(w->wfd);
	w->rfd = w->wfd = -1;
}

void correu__wake_signal(int wfd)
{
	int saved = errno; /* a signal handler must leave errno as it was */
#ifdef __linux__
	uint64_t one = 1;

	(void)!write(wfd, &one, sizeof(one));
#else
	(void)!write(wfd, "w", 1);
#endif
	errno = saved;
}

void correu__wake_drain(correu__wake *w)
{
	uint8_t buf[64];

	while (read(w->rfd, buf, sizeof(buf)) > 0)
		continue;
}

/*
 * Signal dispositions are per process, so the loop the handlers stop has to
 * be found through process-wide state: this one pointer, set only by
 * correu_server_catch_signals(). It is the library's single global and is
 * documented on that function.
 */
static correu_server *_Atomic signal_target;

static void on_signal(int sig)
{
	correu_server *srv = atomic_load(&signal_target);

	(void)sig;
	if (!srv)
		return;
	/* correu_server_stop() only stores an atomic and writes a descriptor,
	 * both async-signal-safe. */
	(void)!correu_server_stop(srv, UINT32_MAX);
}

int correu_server_catch_signals(correu_server *srv)
{
	struct sigaction sa;

	if (!srv)
		return CORREU_ERR_ARG;
	atomic_store(&signal_target, srv);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGTERM, &sa, NULL) < 0)
		return CORREU_ERR_IO;
	return 0;
}

void correu__server_forget_signals(correu_server *srv)
{
	correu_server *expected = srv;

	atomic_compare_exchange_strong(&signal_target, &expected, NULL);
}

int correu_server_set_notify(correu_server *srv, correu_server_notify_fn fn, void *userdata)
{
	if (!srv)
		return CORREU_ERR_ARG;
	srv->notify_fn = fn;
	srv->notify_ud = userdata;
	return 0;
}

int correu_server_notify(correu_server *srv)
{
	if (!srv)
		return CORREU_ERR_ARG;
	/* The flag first: the loop that drains the descriptor sees it set. */
	atomic_store(&srv->notified, true);
	correu__wake_signal(srv->wake.wfd);
	return 0;
}

void correu__server_run_notify(correu_server *srv)
{
	if (atomic_exchange(&srv->notified, false) && srv->notify_fn)
		(void)srv->notify_fn(srv->notify_ud);
}
