/*
 * UNIX-domain listeners of the server runtime over real sockets in a
 * temporary directory, with the echo core: serving, the socket file's
 * permissions, taking over a stale socket but never a live one or another
 * kind of file, removing only our own file on shutdown, the path length
 * limit at 107 and 108 bytes, argument checks, allocation failures, and
 * which runtime rules apply to UNIX peers (connection limit, idle timeout,
 * connection ids in the log) and which do not (per-IP limit, PROXY).
 * Built twice: on epoll and on poll(2).
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "fixture.h"
#include "failalloc.h"

static char dir[64];
static char sock[128];

static void make_dir(void)
{
	snprintf(dir, sizeof(dir), "/tmp/correu-unix-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
}

static void remove_dir(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(unix_listener, .init = make_dir, .fini = remove_dir);

static correu_server_unix_cfg unix_cfg(const char *path, uint32_t perms, echo_cfg *cfg)
{
	correu_server_unix_cfg uc = { 0 };

	uc.version = CORREU_SERVER_UNIX_VERSION;
	uc.mode = CORREU_SERVER_LISTEN_PLAIN;
	uc.perms = perms;
	uc.path = path;
	uc.core = &echo_core;
	uc.core_userdata = cfg;
	return uc;
}

static void listen_unix(correu_server *srv, const char *path, uint32_t perms, echo_cfg *cfg)
{
	correu_server_unix_cfg uc = unix_cfg(path, perms, cfg);

	cr_assert_eq(correu_server_listen_unix(srv, &uc), 0);
}

/* A blocking client with the same 5 s limits as cli_connect(); -1 when
 * the connection is refused. */
static int unix_connect(const char *path)
{
	struct sockaddr_un sa = { 0 };
	struct timeval tv = { 5, 0 };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	cr_assert_geq(fd, 0);
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.107s", path);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

Test(unix_listener, serves_and_removes_its_socket_on_shutdown, .timeout = 30)
{
	static logbook lb = { .mu = PTHREAD_MUTEX_INITIALIZER };
	correu_logger lg = { CORREU_LOGGER_VERSION, CORREU_LOG_TRACE, logbook_hook, &lb };
	correu_server_settings s;
	echo_cfg cfg = { 0 };
	srv_thread st;
	correu_server *srv;
	struct stat sb;
	char want[64];
	const char *l;
	unsigned long long id;
	int fd;

	test_settings(&s);
	srv = test_server(&s);
	cr_assert_eq(correu_server_set_logger(srv, &lg), 0);
	listen_unix(srv, sock, 0660, &cfg);
	cr_assert_eq(lstat(sock, &sb), 0);
	cr_assert(S_ISSOCK(sb.st_mode));
	cr_assert_eq(sb.st_mode & 07777, 0660, "mode %o", (unsigned)(sb.st_mode & 07777));
	srv_start(&st, srv);
	fd = unix_connect(sock);
	cr_assert_geq(fd, 0);
	/* No address, no port: the peer is the socket itself. */
	cr_assert_str_eq(cli_expect(fd, "+OK hello"), "+OK hello  0 tls=0 proxied=0");
	cli_send(fd, "INFO\r\nping\r\n");
	l = cli_expect(fd, "+OK tls=0 discarded=0 id=");
	cr_assert(strstr(l, " unix=1") != NULL, "got \"%s\"", l);
	id = strtoull(strstr(l, "id=") + 3, NULL, 10);
	cr_assert_str_eq(cli_expect(fd, "+OK"), "+OK ping");
	cli_send(fd, "QUIT\r\n");
	cli_expect(fd, "+OK bye");
	cr_assert(cli_closed_within(fd, 2000));
	close(fd);
	srv_stop(&st, 1000);
	cr_assert(!exists(sock), "the socket file outlived the listener");
	correu_server_free(srv);
	/* The runtime logs a UNIX-domain connection with its id like any other. */
	snprintf(want, sizeof(want), "conn %llu: session open", id);
	cr_assert(strstr(lb.text, want) != NULL, "log:\n%s", lb.text);
	snprintf(want, sizeof(want), "conn %llu: closed", id);
	cr_assert(strstr(lb.text, want) != NULL, "log:\n%s", lb.text);
}

/* A relative name that reads like "address:port" still names no address. */
Test(unix_listener, a_path_is_never_taken_for_an_address, .timeout = 30)
{
	correu_server *srv = test_server(NULL);
	echo_cfg cfg = { 0 };
	srv_thread st;
	int fd;

	cr_assert_eq(chdir(dir), 0);
	listen_unix(srv, "192.0.2.7:25", 0, &cfg);
	srv_start(&st, srv);
	fd = unix_connect("192.0.2.7:25");
	cr_assert_geq(fd, 0);
	cr_assert_str_eq(cli_expect(fd, "+OK hello"), "+OK hello  0 tls=0 proxied=0");
	close(fd);
	srv_stop(&st, 1000);
	correu_server_free(srv);
	cr_assert(!exists("192.0.2.7:25"));
}

Test(unix_listener, default_permissions_are_the_owners_only)
{
	correu_server *srv = test_server(NULL);
	echo_cfg cfg = { 0 };
	struct stat sb;

	listen_unix(srv, sock, 0, &cfg);
	cr_assert_eq(lstat(sock, &sb), 0);
	cr_assert_eq(sb.st_mode & 07777, 0600, "mode %o", (unsigned)(sb.st_mode & 07777));
	correu_server_free(srv);
	cr_assert(!exists(sock), "correu_server_free() left the socket file");
}

Test(unix_listener, a_stale_socket_is_taken_over, .timeout = 30)
{
	struct sockaddr_un sa = { 0 };
	correu_server *srv = test_server(NULL);
	echo_cfg cfg = { 0 };
	srv_thread st;
	int old = socket(AF_UNIX, SOCK_STREAM, 0), fd;

	/* A server that died without cleaning up leaves its socket file. */
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.107s", sock);
	cr_assert_eq(bind(old, (struct sockaddr *)&sa, sizeof(sa)), 0);
	cr_assert_eq(listen(old, 1), 0);
	close(old);
	cr_assert(exists(sock));
	listen_unix(srv, sock, 0, &cfg);
	srv_start(&st, srv);
	fd = unix_connect(sock);
	cr_assert_geq(fd, 0);
	cli_expect(fd, "+OK hello");
	close(fd);
	srv_stop(&st, 1000);
	correu_server_free(srv);
}

Test(unix_listener, a_live_socket_is_left_alone, .timeout = 30)
{
	correu_server *a = test_server(NULL), *b = test_server(NULL);
	echo_cfg cfg = { 0 };
	correu_server_unix_cfg uc = unix_cfg(sock, 0, &cfg);
	srv_thread st;
	int fd;

	listen_unix(a, sock, 0, &cfg);
	srv_start(&st, a);
	cr_assert_eq(correu_server_listen_unix(b, &uc), CORREU_ERR_BUSY);
	/* The first server still has its socket and answers on it. */
	fd = unix_connect(sock);
	cr_assert_geq(fd, 0);
	cli_expect(fd, "+OK hello");
	close(fd);
	correu_server_free(b);
	cr_assert(exists(sock), "the failed listener removed the live server's socket");
	srv_stop(&st, 1000);
	correu_server_free(a);
}

Test(unix_listener, other_files_are_never_removed)
{
	correu_server *srv = test_server(NULL);
	echo_cfg cfg = { 0 };
	correu_server_unix_cfg uc = unix_cfg(sock, 0, &cfg);
	char sub[160], buf[8] = { 0 };
	int fd = open(sock, O_CREAT | O_WRONLY, 0600);

	cr_assert_geq(fd, 0);
	cr_assert_eq(write(fd, "mail", 4), 4);
	close(fd);
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_BUSY);
	fd = open(sock, O_RDONLY);
	cr_assert_geq(fd, 0);
	cr_assert_eq(read(fd, buf, sizeof(buf)), 4);
	close(fd);
	cr_assert_str_eq(buf, "mail");
	/* Nor a directory, nor a symbolic link to a socket path. */
	snprintf(sub, sizeof(sub), "%s/d", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	uc.path = sub;
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_BUSY);
	snprintf(sub, sizeof(sub), "%s/l", dir);
	cr_assert_eq(symlink(sock, sub), 0);
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_BUSY);
	cr_assert(exists(sub));
	correu_server_free(srv);
}

Test(unix_listener, a_replaced_file_is_not_removed_at_shutdown)
{
	correu_server *srv = test_server(NULL);
	echo_cfg cfg = { 0 };
	int fd;

	listen_unix(srv, sock, 0, &cfg);
	/* Someone else took the name meanwhile (another server, an admin). */
	cr_assert_eq(unlink(sock), 0);
	fd = open(sock, O_CREAT | O_WRONLY, 0600);
	cr_assert_geq(fd, 0);
	close(fd);
	correu_server_free(srv);
	cr_assert(exists(sock), "a file that is not our socket was removed");
}

/* sun_path holds 108 bytes with the NUL: a 107-byte name works, 108 not. */
Test(unix_listener, path_length_limit)
{
	correu_server *srv = test_server(NULL);
	struct sockaddr_un sa;
	echo_cfg cfg = { 0 };
	correu_server_unix_cfg uc = unix_cfg(sock, 0, &cfg);
	char path[sizeof(sa.sun_path) + 1];
	size_t n = strlen(dir);

	cr_assert_eq(sizeof(sa.sun_path), 108);
	memcpy(path, dir, n);
	path[n] = '/';
	memset(path + n + 1, 'p', sizeof(path) - n - 2);
	path[sizeof(path) - 1] = '\0';
	cr_assert_eq(strlen(path), 108);
	uc.path = path;
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_LIMIT);
	cr_assert(!exists(path));
	path[107] = '\0';
	cr_assert_eq(correu_server_listen_unix(srv, &uc), 0);
	cr_assert(exists(path));
	correu_server_free(srv);
	cr_assert(!exists(path));
}

Test(unix_listener, arguments_are_checked)
{
	correu_server_settings s;
	correu_server *srv;
	echo_cfg cfg = { 0 };
	correu_server_unix_cfg uc = unix_cfg(sock, 0, &cfg);
	correu_server_core broken = echo_core;

	test_settings(&s);
	s.max_listeners = 1;
	srv = test_server(&s);
	cr_assert_eq(correu_server_listen_unix(NULL, &uc), CORREU_ERR_ARG);
	cr_assert_eq(correu_server_listen_unix(srv, NULL), CORREU_ERR_ARG);
	uc.version = 2;
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_ARG);
	uc = unix_cfg(NULL, 0, &cfg);
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_ARG);
	uc = unix_cfg("", 0, &cfg);
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_ARG);
	uc = unix_cfg(sock, 010000, &cfg);
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_ARG);
	uc = unix_cfg(sock, 0, &cfg);
	uc.mode = CORREU_SERVER_LISTEN_TLS; /* without a TLS configuration */
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_ARG);
	uc.mode = 3;
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_ARG);
	uc = unix_cfg(sock, 0, &cfg);
	broken.recv = NULL;
	uc.core = &broken;
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_ARG);
	uc.backlog = -1;
	uc.core = &echo_core;
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_ARG);
	cr_assert(!exists(sock), "a refused configuration made a socket");
	/* max_listeners counts UNIX-domain listeners too. */
	uc.backlog = 0;
	cr_assert_eq(correu_server_listen_unix(srv, &uc), 0);
	uc.path = "/tmp/correu-unix-never";
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_LIMIT);
	cr_assert_eq(correu_server_stop(srv, 0), 0);
	cr_assert_eq(correu_server_run_once(srv, 0), 0);
	cr_assert(!exists(sock), "a stop request left the socket file");
	cr_assert_eq(correu_server_listen_unix(srv, &uc), CORREU_ERR_STATE);
	correu_server_free(srv);
}

/* The connection limit holds; the per-IP limit does not apply (there is
 * no address); nor does PROXY: even with every network trusted, a header
 * is plain protocol data. */
Test(unix_listener, connection_limits_and_proxy, .timeout = 30)
{
	fixture f;
	int fds[3], extra;

	fx_setup(&f);
	f.set.max_conns = 3;
	f.set.max_conns_per_ip = 1;
	fx_create(&f);
	cr_assert_eq(correu_server_trust_proxy(f.srv, "0.0.0.0/0"), 0);
	cr_assert_eq(correu_server_trust_proxy(f.srv, "::/0"), 0);
	listen_unix(f.srv, sock, 0, &f.cfg);
	srv_start(&f.st, f.srv);
	for (int i = 0; i < 3; i++) {
		fds[i] = unix_connect(sock);
		cr_assert_geq(fds[i], 0);
		cli_expect(fds[i], "+OK hello ");
	}
	cli_send(fds[0], "PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n");
	cr_assert_str_eq(cli_expect(fds[0], "+OK"), "+OK PROXY TCP4 192.0.2.1 192.0.2.2 1 2");
	extra = unix_connect(sock);
	cr_assert_geq(extra, 0);
	cli_expect(extra, "-ERR refused 1");
	cr_assert(cli_closed_within(extra, 2000));
	close(extra);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	fx_end(&f);
}

Test(unix_listener, idle_clients_time_out, .timeout = 30)
{
	fixture f;
	uint64_t t0;
	int fd;

	fx_setup(&f);
	f.set.idle_timeout_ms = 300;
	fx_create(&f);
	listen_unix(f.srv, sock, 0, &f.cfg);
	srv_start(&f.st, f.srv);
	fd = unix_connect(sock);
	cr_assert_geq(fd, 0);
	t0 = now_ms();
	cli_expect(fd, "+OK hello");
	cr_assert(cli_closed_within(fd, 3000), "an idle UNIX-domain client was kept");
	cr_assert_geq(now_ms() - t0, 250);
	close(fd);
	fx_stop(&f);
	cr_assert_eq(fx_stats(&f).idle_closed, 1);
	fx_end(&f);
}

static int listen_scenario(void *ctx, const correu_allocator *a)
{
	echo_cfg cfg = { 0 };
	correu_server_unix_cfg uc = unix_cfg(ctx, 0, &cfg);
	correu_server *srv = NULL;
	int rc = correu_server_new(NULL, a, &srv);

	if (rc == 0)
		rc = correu_server_listen_unix(srv, &uc);
	correu_server_free(srv);
	cr_assert(!exists(ctx), "the socket file outlived its loop (rc %d)", rc);
	return rc;
}

Test(unix_listener, listening_survives_allocation_failures)
{
	cr_assert_gt(failalloc_loop(listen_scenario, sock, 100), 0);
}
