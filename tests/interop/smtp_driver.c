/*
 * smtp_driver: a small command-line client over correu's blocking SMTP
 * session, for the interop tests (tests/interop, SMTP layer). It opens one
 * session, optionally logs in, sends the same message file N times over
 * that one connection and prints one line per step, which
 * test_smtp_client.py compares with what the real server saw:
 *
 *   ready tls=1 pipelining=1 chunking=0 auth=PLAIN LOGIN
 *   login ok
 *   message 1 accepted=1 reply=250 rcpt=250,550
 *   quit
 *
 * With --batch the N messages go in one correu_smtp_session_send_many()
 * call (pipelined across messages) and are reported the same way.
 *
 * A failed step prints "error STEP CORREU_ERR_NAME reply=CODE TEXT" and the
 * driver exits 1; bad usage exits 2. The password comes from
 * $CORREU_PASSWORD so that it never shows in a process list.
 */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "correu/smtp.h"

#define MAX_RCPT 16

struct args {
	const char *host, *ca_file, *user, *from, *message;
	const char *to[MAX_RCPT];
	size_t nto;
	unsigned long count;
	uint16_t port;
	uint32_t tls_mode, policy, flags;
	int batch;
};

static int usage(void)
{
	fputs("usage: smtp_driver --host H --port P --from A --to B [--to C...] --message FILE\n"
	      "         [--tls none|starttls|opportunistic|implicit] [--ca-file F]\n"
	      "         [--user U (password in $CORREU_PASSWORD)] [--lmtp] [--count N]\n"
	      "         [--no-pipelining] [--chunking] [--batch]\n",
	      stderr);
	return 2;
}

static int parse_tls(const char *v, struct args *a)
{
	a->tls_mode = CORREU_SMTP_SESSION_STARTTLS;
	if (strcmp(v, "none") == 0)
		a->policy = CORREU_SMTP_TLS_NONE;
	else if (strcmp(v, "starttls") == 0)
		a->policy = CORREU_SMTP_TLS_REQUIRED;
	else if (strcmp(v, "opportunistic") == 0)
		a->policy = CORREU_SMTP_TLS_OPPORTUNISTIC;
	else if (strcmp(v, "implicit") == 0)
		a->tls_mode = CORREU_SMTP_SESSION_IMPLICIT;
	else
		return -1;
	return 0;
}

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{ "host", required_argument, NULL, 'H' },
		{ "port", required_argument, NULL, 'p' },
		{ "tls", required_argument, NULL, 'T' },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "user", required_argument, NULL, 'u' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "message", required_argument, NULL, 'm' },
		{ "count", required_argument, NULL, 'n' },
		{ "lmtp", no_argument, NULL, 'L' },
		{ "no-pipelining", no_argument, NULL, 'P' },
		{ "chunking", no_argument, NULL, 'B' },
		{ "batch", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	long port;
	int c;

	memset(a, 0, sizeof(*a));
	a->count = 1;
	a->policy = CORREU_SMTP_TLS_REQUIRED;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'H': a->host = optarg; break;
		case 'p':
			port = strtol(optarg, &end, 10);
			if (*end || port < 1 || port > 65535)
				return -1;
			a->port = (uint16_t)port;
			break;
		case 'T':
			if (parse_tls(optarg, a) < 0)
				return -1;
			break;
		case 'C': a->ca_file = optarg; break;
		case 'u': a->user = optarg; break;
		case 'f': a->from = optarg; break;
		case 't':
			if (a->nto == MAX_RCPT)
				return -1;
			a->to[a->nto++] = optarg;
			break;
		case 'm': a->message = optarg; break;
		case 'n':
			a->count = strtoul(optarg, &end, 10);
			if (*end || a->count == 0)
				return -1;
			break;
		case 'L': a->flags |= CORREU_SMTP_LMTP; break;
		case 'P': a->flags |= CORREU_SMTP_NO_PIPELINING; break;
		case 'B': a->flags |= CORREU_SMTP_PREFER_CHUNKING; break;
		case 'b': a->batch = 1; break;
		default: return -1;
		}
	}
	return a->host && a->port && a->from && a->nto && a->message && optind == argc ? 0 : -1;
}

static int failed(const char *step, int rc, const correu_smtp_session *s)
{
	const char *text = "";
	uint32_t code = s ? correu_smtp_session_last_reply(s, &text) : 0;

	printf("error %s %s reply=%u %s\n", step, correu_err_name(rc), code, text ? text : "");
	return 1;
}

static void print_ready(correu_smtp_session *s)
{
	correu_smtp_client *c = correu_smtp_session_client(s);
	size_t len = 0;
	const char *mechs = correu_smtp_client_auth_mechs(c, &len);
	uint32_t caps = correu_smtp_client_caps(c);

	printf("ready tls=%d pipelining=%d chunking=%d auth=%.*s\n", correu_smtp_client_is_tls(c),
	       (caps & CORREU_SMTP_CAP_PIPELINING) != 0, (caps & CORREU_SMTP_CAP_CHUNKING) != 0,
	       (int)len, mechs ? mechs : "");
}

static void print_message(unsigned long i, int rc, uint32_t code, const uint32_t *rcpt,
                          size_t nto)
{
	printf("message %lu accepted=%d reply=%u rcpt=", i, rc < 0 ? 0 : rc, code);
	for (size_t r = 0; r < nto; r++)
		printf("%s%u", r ? "," : "", rcpt[r]);
	putchar('\n');
}

/* The message file, read whole (test messages are small). */
static uint8_t *slurp(int fd, size_t *len)
{
	uint8_t *buf = NULL;
	size_t cap = 0;
	ssize_t n;

	*len = 0;
	do {
		if (*len == cap) {
			uint8_t *b = realloc(buf, cap = cap * 2 + 65536);

			if (!b) {
				free(buf);
				return NULL;
			}
			buf = b;
		}
		n = read(fd, buf + *len, cap - *len);
		if (n > 0)
			*len += (size_t)n;
	} while (n > 0);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Send the message file `count` times in one batch; print each outcome. */
static int send_batch(correu_smtp_session *s, const struct args *a,
                      const correu_smtp_envelope *env, int fd)
{
	correu_smtp_batch_item *items = calloc(a->count, sizeof(*items));
	uint32_t *codes = calloc(a->count * a->nto, sizeof(*codes));
	size_t len;
	uint8_t *msg = slurp(fd, &len);
	int rc = CORREU_ERR_NOMEM;

	if (items && codes && msg) {
		for (unsigned long i = 0; i < a->count; i++) {
			items[i].version = CORREU_SMTP_BATCH_ITEM_VERSION;
			items[i].env = env;
			items[i].msg = msg;
			items[i].msg_len = len;
			items[i].rcpt_codes = codes + i * a->nto;
		}
		rc = correu_smtp_session_send_many(s, items, a->count);
		for (unsigned long i = 0; i < a->count; i++)
			print_message(i + 1, items[i].result, items[i].code, items[i].rcpt_codes,
			              a->nto);
	}
	free(items);
	free(codes);
	free(msg);
	if (rc >= 0 && (unsigned long)rc != a->count)
		rc = CORREU_ERR_REPLY;
	return rc < 0 ? failed("send", rc, s) : 0;
}

/* Send the message file `count` times; print each outcome. */
static int send_all(correu_smtp_session *s, const struct args *a, int fd)
{
	correu_smtp_envelope env;
	uint32_t rcpt[MAX_RCPT];

	memset(&env, 0, sizeof(env));
	env.version = CORREU_SMTP_ENVELOPE_VERSION;
	env.from = a->from;
	env.to = a->to;
	env.to_count = a->nto;
	if (a->batch)
		return send_batch(s, a, &env, fd);
	for (unsigned long i = 1; i <= a->count; i++) {
		const char *text = "";
		uint32_t code;
		int rc;

		if (lseek(fd, 0, SEEK_SET) != 0)
			return failed("seek", CORREU_ERR_IO, s);
		rc = correu_smtp_session_send_fd(s, &env, fd);
		code = correu_smtp_session_last_reply(s, &text);
		for (size_t r = 0; r < a->nto; r++)
			rcpt[r] = correu_smtp_session_rcpt_code(s, r);
		print_message(i, rc, code, rcpt, a->nto);
		if (rc < 0)
			return failed("send", rc, s);
	}
	return 0;
}

static int run(const struct args *a, int fd)
{
	correu_smtp_settings set;
	correu_smtp_session_options so;
	correu_smtp_session *s = NULL;
	correu_tls_config *tls = NULL;
	int rc, status;

	correu_smtp_settings_init(&set);
	set.tls_policy = a->policy;
	set.flags = a->flags;
	correu_smtp_session_options_init(&so);
	so.settings = &set;
	so.tls_mode = a->tls_mode;
	/* Short timeouts: a hung peer must fail the test, not stall it. */
	so.connect_timeout_ms = 5000;
	set.timeout_greeting_ms = set.timeout_command_ms = 20000;
	set.timeout_data_end_ms = set.timeout_send_ms = 20000;
	if (a->ca_file) {
		rc = correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &tls);
		if (rc == 0)
			rc = correu_tls_config_set_ca_file(tls, a->ca_file);
		if (rc < 0) {
			correu_tls_config_free(tls);
			return failed("ca-file", rc, NULL);
		}
		so.tls = tls;
	}
	rc = correu_smtp_session_open(a->host, a->port, &so, &s);
	if (rc < 0) {
		correu_tls_config_free(tls);
		return failed("open", rc, NULL);
	}
	print_ready(s);
	status = 0;
	if (a->user) {
		const char *pw = getenv("CORREU_PASSWORD");

		rc = correu_smtp_session_login(s, a->user, pw ? pw : "");
		if (rc < 0)
			status = failed("login", rc, s);
		else
			puts("login ok");
	}
	if (status == 0)
		status = send_all(s, a, fd);
	rc = correu_smtp_session_quit(s);
	if (status == 0 && rc < 0)
		status = failed("quit", rc, s);
	else if (status == 0)
		puts("quit");
	correu_smtp_session_free(s);
	correu_tls_config_free(tls);
	return status;
}

int main(int argc, char **argv)
{
	struct args a;
	int fd, status;

	if (parse(argc, argv, &a) < 0)
		return usage();
	fd = open(a.message, O_RDONLY);
	if (fd < 0) {
		perror(a.message);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	status = run(&a, fd);
	close(fd);
	return status;
}
