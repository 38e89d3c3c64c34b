/*
 * PROXY protocol through the runtime over real sockets: headers from a
 * trusted network replace the client address (in the greeting, per-IP
 * limits and back-off); bad or missing ones close the connection; from an
 * untrusted client the same bytes are protocol data for the core.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fixture.h"

static const uint8_t v2_in4[28] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11,
	0x00, 0x0c, 203, 0, 113, 9, 127, 0, 0, 1, 0x30, 0x39, 0, 110,
};

/* Serve on a PROXY listener, trusting `trust`. */
static void proxy_serve(fixture *f, const char *trust)
{
	fx_create(f);
	cr_assert_eq(correu_server_trust_proxy(f->srv, trust), 0);
	fx_serve(f, CORREU_SERVER_LISTEN_PLAIN, CORREU_SERVER_LISTEN_PROXY, NULL);
}

Test(proxy_conn, trusted_v1_and_v2_name_the_client, .timeout = 30)
{
	fixture f;
	int fd;

	fx_setup(&f);
	proxy_serve(&f, "127.0.0.0/8");

	fd = cli_connect(f.port);
	cli_send(fd, "PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\r\n");
	cr_assert_str_eq(cli_expect(fd, "+OK hello"), "+OK hello 192.0.2.7 56324 tls=0 proxied=1");
	close(fd);

	/* v2, in two writes with a pause, the second carrying a command too. */
	fd = cli_connect(f.port);
	cr_assert_eq(send(fd, v2_in4, 10, 0), 10);
	usleep(50 * 1000);
	cr_assert_eq(send(fd, v2_in4 + 10, sizeof(v2_in4) - 10, 0), (ssize_t)sizeof(v2_in4) - 10);
	cli_send(fd, "after\r\n");
	cr_assert_str_eq(cli_expect(fd, "+OK hello"), "+OK hello 203.0.113.9 12345 tls=0 proxied=1");
	cr_assert_str_eq(cli_expect(fd, "+OK"), "+OK after");
	close(fd);

	/* LOCAL (a health check): the real address stays. */
	fd = cli_connect(f.port);
	cli_send(fd, "PROXY UNKNOWN\r\n");
	cr_assert_not_null(strstr(cli_expect(fd, "+OK hello 127.0.0.1 "), " proxied=0"));
	close(fd);
	fx_end(&f);
}

Test(proxy_conn, trusted_peer_without_a_header_is_closed, .timeout = 30)
{
	fixture f;
	int bad, silent;

	fx_setup(&f);
	f.set.proxy_timeout_ms = 200;
	proxy_serve(&f, "127.0.0.1");
	bad = cli_connect(f.port);
	cli_send(bad, "EHLO client.example\r\n");
	/* Closed (or reset: our line was left unread) without a greeting. */
	cr_assert(cli_closed_within(bad, 2000));
	silent = cli_connect(f.port);
	cr_assert(cli_closed_within(silent, 2000), "no PROXY timeout");
	close(bad);
	close(silent);
	fx_stop(&f);
	cr_assert_eq(fx_stats(&f).proxy_errors, 2);
	cr_assert_eq(atomic_load(&f.cfg.opened), 0, "a session opened without a header");
	fx_end(&f);
}

Test(proxy_conn, untrusted_header_is_protocol_data, .timeout = 30)
{
	fixture f;
	const char *greeting;
	int fd;

	fx_setup(&f);
	proxy_serve(&f, "10.0.0.0/8");
	/* The greeting comes at once, with the real address... */
	fd = fx_connect(&f, &greeting);
	cr_assert(strncmp(greeting, "+OK hello 127.0.0.1 ", 20) == 0, "got \"%s\"", greeting);
	cr_assert_not_null(strstr(greeting, " proxied=0"));
	/* ...and a header is just a line the core answers. */
	cli_send(fd, "PROXY TCP4 192.0.2.7 198.51.100.1 56324 25\r\n");
	cr_assert_str_eq(cli_expect(fd, "+OK"), "+OK PROXY TCP4 192.0.2.7 198.51.100.1 56324 25");
	close(fd);
	fx_end(&f);
}

static int proxied(uint32_t port, const char *src)
{
	char hdr[128];
	int fd = cli_connect(port);

	snprintf(hdr, sizeof(hdr), "PROXY TCP4 %s 198.51.100.1 40000 25\r\n", src);
	cli_send(fd, hdr);
	return fd;
}

Test(proxy_conn, limits_and_backoff_use_the_proxied_address, .timeout = 30)
{
	fixture f;
	int a, b, a2;

	fx_setup(&f);
	f.set.max_conns_per_ip = 1;
	proxy_serve(&f, "127.0.0.1/32");
	/* Both come through the one proxy address, as two clients. */
	a = proxied(f.port, "192.0.2.7");
	cli_expect(a, "+OK hello 192.0.2.7 ");
	b = proxied(f.port, "192.0.2.8");
	cli_expect(b, "+OK hello 192.0.2.8 ");
	a2 = proxied(f.port, "192.0.2.7");
	cr_assert_str_eq(cli_expect(a2, "-ERR"), "-ERR refused 2");
	cr_assert(cli_closed_within(a2, 2000));
	close(a2);
	cli_send(a, "FAIL\r\n");
	cr_assert_str_eq(cli_expect(a, "-ERR"), "-ERR delay 2000");
	cli_send(b, "DELAY\r\n");
	cr_assert_str_eq(cli_expect(b, "+OK"), "+OK delay 0");
	cli_send(a, "DELAY\r\n");
	cr_assert_str_eq(cli_expect(a, "+OK"), "+OK delay 2000");
	close(a);
	close(b);
	fx_end(&f);
}
