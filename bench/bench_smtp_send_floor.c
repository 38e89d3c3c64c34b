/*
 * SMTP sending benchmark, the floor (bench/): not a mail client but the
 * least any client must do to send COUNT messages of SIZE bytes over one
 * connection to a server that offers PIPELINING and not CHUNKING. Each
 * message's bytes, its end of data and the next envelope are made once
 * before the clock starts; then per message there is one send() and blocking
 * recv() until the server's 354 (RFC 2920 §3.1: DATA ends a group, so the
 * text waits for it). No parsing beyond finding that reply, no
 * dot-stuffing (the test message needs none; checked), no timeouts. Its
 * rate is the ceiling of any client's against this server in this run, so
 * bench/smtp_send.sh prints how close correu comes to it and the best ratio
 * to libcurl any client could show.
 *
 *   bench_smtp_send_floor HOST PORT COUNT SIZE
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bench_smtp_msg.h"

static const char envelope[] = "MAIL FROM:<bench@localhost>\r\nRCPT TO:<sink@localhost>\r\nDATA\r\n";

/* Receive until a reply line starting with `code` has arrived whole. */
static int await(int fd, const char *code)
{
	char buf[4096];
	size_t have = 0;

	for (;;) {
		ssize_t n = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);
		char *line;

		if (n <= 0)
			return -1;
		have += (size_t)n;
		buf[have] = '\0';
		/* Only the last reply of a group matters; the others are 250s. */
		line = strstr(buf, code);
		if (line && (line == buf || line[-1] == '\n') && strchr(line, '\n'))
			return 0;
		if (have == sizeof(buf) - 1)
			have = 0; /* keep reading: the 354 comes last */
	}
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	unsigned long count, size;
	size_t elen = sizeof(envelope) - 1, blen;
	char *msg, *group;
	double t0, t;
	int fd, one = 1;

	if (argc != 5) {
		fputs("usage: bench_smtp_send_floor HOST PORT COUNT SIZE\n", stderr);
		return 2;
	}
	sa.sin_port = htons((uint16_t)bench_arg(argv[2], "port"));
	count = bench_arg(argv[3], "count");
	size = bench_arg(argv[4], "size");
	msg = bench_message(size);
	if (!msg || inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1)
		return 2;
	if (msg[0] == '.' || strstr(msg, "\n.")) {
		fputs("bench_smtp_send_floor: the message would need dot-stuffing\n", stderr);
		return 1;
	}
	/* text + "." + the next message's envelope, sent as one */
	blen = size + 3 + elen;
	group = malloc(blen);
	if (!group)
		return 1;
	memcpy(group, msg, size);
	memcpy(group + size, ".\r\n", 3);
	memcpy(group + size + 3, envelope, elen);

	t0 = bench_now();
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (await(fd, "220 ") < 0 || send_all(fd, "EHLO bench\r\n", 12) < 0 ||
	    await(fd, "250 ") < 0 || send_all(fd, envelope, elen) < 0 || await(fd, "354") < 0)
		goto fail;
	for (unsigned long i = 0; i < count; i++) {
		bool last = i + 1 == count;

		if (send_all(fd, group, last ? size + 3 : blen) < 0 ||
		    await(fd, last ? "250 " : "354") < 0)
			goto fail;
	}
	if (send_all(fd, "QUIT\r\n", 6) < 0 || await(fd, "221") < 0)
		goto fail;
	t = bench_now() - t0;
	close(fd);
	printf("rate floor %lu %.3f %.0f\n", count, t, (double)count / t);
	free(group);
	free(msg);
	return 0;
fail:
	fputs("bench_smtp_send_floor: the server did not answer as expected\n", stderr);
	return 1;
}
