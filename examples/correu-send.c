/*
 * correu-send: send one message read from standard input, like sendmail
 * or msmtp, through correu's blocking SMTP session. The envelope comes from
 * the command line, or from the message's own headers (-t, and From: when
 * no -f is given). Only the header block is buffered, up to 64 KiB, to read
 * those addresses and to drop Bcc:; the body is streamed to the server in
 * bounded chunks and never held whole. Lone LF line ends are sent as CRLF.
 *
 *   correu-send -H smtp.example.org -u alice -f alice@example.org bob@example.net < msg
 *   correu-send -H smtp.example.org --tls implicit -t < msg
 *
 * The password comes from the CORREU_PASSWORD environment variable, never
 * from the command line (where other users could read it).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "correu/smtp.h"

#define MAX_HEADER 65536
#define MAX_RCPT 256

struct opts {
	const char *host, *from, *user, *ehlo, *ca_file, *ca_dir;
	uint16_t port;
	uint32_t tls_mode, policy;
	int from_headers, lmtp, verbose, chunking;
};

/* The message source: the buffered header block first, then stdin. */
struct source {
	char *head;
	size_t head_len, head_off;
	int eof;
};

static void usage(FILE *f)
{
	fputs("usage: correu-send -H host [options] [recipient...] < message\n"
	      "  -H, --host HOST        server to connect to (required)\n"
	      "  -p, --port PORT        port (default 587; 465 with --tls implicit)\n"
	      "      --tls MODE         starttls (default, required), implicit,\n"
	      "                         opportunistic or none\n"
	      "  -f, --from ADDR        envelope sender (default: the From: header)\n"
	      "  -t, --read-recipients  recipients from To:, Cc: and Bcc: (Bcc: is removed)\n"
	      "  -u, --user USER        log in as USER; password in $CORREU_PASSWORD\n"
	      "      --ehlo NAME        name given in EHLO (default: localhost)\n"
	      "      --ca-file FILE     trust the CA certificates in FILE\n"
	      "      --ca-dir DIR       trust the CA certificates in DIR\n"
	      "      --lmtp             speak LMTP\n"
	      "      --chunking WHEN    send the body with BDAT (RFC 3030): yes (fail if\n"
	      "                         the server lacks CHUNKING; the message must have\n"
	      "                         CRLF line ends) or no (DATA, the default)\n"
	      "  -v, --verbose          log the protocol to standard error\n",
	      f);
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	static const struct option longs[] = {
		{ "host", required_argument, NULL, 'H' }, { "port", required_argument, NULL, 'p' },
		{ "tls", required_argument, NULL, 'T' },  { "from", required_argument, NULL, 'f' },
		{ "read-recipients", no_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' }, { "ehlo", required_argument, NULL, 'E' },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "ca-dir", required_argument, NULL, 'D' }, { "lmtp", no_argument, NULL, 'L' },
		{ "chunking", required_argument, NULL, 'K' },
		{ "verbose", no_argument, NULL, 'v' },    { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long port = 0;
	int ch;

	memset(o, 0, sizeof(*o));
	o->tls_mode = CORREU_SMTP_SESSION_STARTTLS;
	o->policy = CORREU_SMTP_TLS_REQUIRED;
	while ((ch = getopt_long(argc, argv, "H:p:f:tu:vh", longs, NULL)) != -1) {
		switch (ch) {
		case 'H': o->host = optarg; break;
		case 'p': port = strtol(optarg, NULL, 10); break;
		case 'f': o->from = optarg; break;
		case 't': o->from_headers = 1; break;
		case 'u': o->user = optarg; break;
		case 'E': o->ehlo = optarg; break;
		case 'C': o->ca_file = optarg; break;
		case 'D': o->ca_dir = optarg; break;
		case 'L': o->lmtp = 1; break;
		case 'K':
			if (strcmp(optarg, "yes") != 0 && strcmp(optarg, "no") != 0)
				return -1;
			o->chunking = optarg[0] == 'y';
			break;
		case 'v': o->verbose = 1; break;
		case 'T':
			if (strcmp(optarg, "implicit") == 0)
				o->tls_mode = CORREU_SMTP_SESSION_IMPLICIT;
			else if (strcmp(optarg, "opportunistic") == 0)
				o->policy = CORREU_SMTP_TLS_OPPORTUNISTIC;
			else if (strcmp(optarg, "none") == 0)
				o->policy = CORREU_SMTP_TLS_NONE;
			else if (strcmp(optarg, "starttls") != 0)
				return -1;
			break;
		case 'h': usage(stdout); exit(0);
		default: return -1;
		}
	}
	if (!o->host || port < 0 || port > 65535)
		return -1;
	o->port = port ? (uint16_t)port
	               : o->tls_mode == CORREU_SMTP_SESSION_IMPLICIT ? 465 : 587;
	return 0;
}

/* Read stdin up to the end of the header block (an empty line). */
static int read_header(struct source *src)
{
	size_t cap = 4096;

	src->head = malloc(cap);
	if (!src->head)
		return -1;
	while (src->head_len < MAX_HEADER) {
		int c = getchar();

		if (c == EOF) {
			src->eof = 1;
			break;
		}
		if (src->head_len + 1 >= cap) {
			char *p = realloc(src->head, cap * 2);

			if (!p)
				return -1;
			src->head = p;
			cap *= 2;
		}
		src->head[src->head_len++] = (char)c;
		if (c == '\n' && (src->head_len == 1 ||
		                  (src->head_len >= 2 && src->head[src->head_len - 2] == '\n') ||
		                  (src->head_len >= 3 && src->head[src->head_len - 2] == '\r' &&
		                   src->head[src->head_len - 3] == '\n')))
			break;
	}
	src->head[src->head_len] = '\0';
	return 0;
}

/* Does the header field starting at p have this name (case-blind)? */
static int field_is(const char *p, const char *name)
{
	size_t n = strlen(name);

	return strncasecmp(p, name, n) == 0 && p[n] == ':';
}

/* The end of a header field: past its last continuation line. */
static const char *field_end(const char *p)
{
	for (;;) {
		const char *nl = strchr(p, '\n');

		if (!nl)
			return p + strlen(p);
		if (nl[1] != ' ' && nl[1] != '\t')
			return nl + 1;
		p = nl + 1;
	}
}

/*
 * Add the addresses of one header field to list: items are split at
 * commas outside quotes and angle brackets; an item's address is what is
 * inside <...>, or the item itself. Groups' "name:" and ";" are skipped.
 * A simple reading of RFC 5322 §3.4, enough for a send tool.
 */
static int add_addresses(const char *p, const char *end, char **list, size_t *n, size_t max)
{
	while (p < end) {
		const char *s = p, *lt = NULL, *gt = NULL;
		int quoted = 0, angle = 0;
		char *a;
		size_t len;

		for (; p < end && (quoted || angle || *p != ','); p++) {
			if (*p == '"')
				quoted = !quoted;
			else if (!quoted && *p == '<')
				angle = 1, lt = p;
			else if (!quoted && *p == '>')
				angle = 0, gt = p;
			else if (!quoted && !angle && *p == ':')
				s = p + 1; /* group name */
		}
		if (lt && gt > lt) {
			s = lt + 1;
			len = (size_t)(gt - s);
		} else {
			const char *e = p;

			while (s < e && strchr(" \t\r\n;", *s))
				s++;
			while (e > s && strchr(" \t\r\n;", e[-1]))
				e--;
			len = (size_t)(e - s);
		}
		p++;
		if (len == 0)
			continue;
		if (*n >= max)
			return -1;
		a = strndup(s, len);
		if (!a)
			return -1;
		list[(*n)++] = a;
	}
	return 0;
}

/* Collect From: and To/Cc/Bcc addresses, and cut Bcc: out of the header. */
static int scan_header(struct source *src, const struct opts *o, char **from, char **rcpt,
                       size_t *nrcpt)
{
	char *p = src->head;
	char *from_list[4];
	size_t nfrom = 0;

	while (*p && *p != '\r' && *p != '\n') {
		const char *end = field_end(p);
		const char *val = strchr(p, ':');

		if (!val || val > end)
			val = end;
		else
			val++;
		if (!o->from && field_is(p, "From") &&
		    add_addresses(val, end, from_list, &nfrom, 4) < 0)
			return -1;
		if (o->from_headers && (field_is(p, "To") || field_is(p, "Cc") || field_is(p, "Bcc")) &&
		    add_addresses(val, end, rcpt, nrcpt, MAX_RCPT) < 0)
			return -1;
		if (o->from_headers && field_is(p, "Bcc")) {
			/* Bcc: recipients must not see each other (RFC 5322 §3.6.3). */
			size_t cut = (size_t)(end - p);

			memmove(p, end, strlen(end) + 1);
			src->head_len -= cut;
			continue;
		}
		p = (char *)end;
	}
	if (nfrom > 0)
		*from = from_list[0];
	for (size_t i = 1; i < nfrom; i++)
		free(from_list[i]);
	return 0;
}

static correu_ssize read_message(uint8_t *buf, size_t cap, void *userdata)
{
	struct source *src = userdata;
	size_t n;

	if (src->head_off < src->head_len) {
		n = src->head_len - src->head_off < cap ? src->head_len - src->head_off : cap;
		memcpy(buf, src->head + src->head_off, n);
		src->head_off += n;
		return (correu_ssize)n;
	}
	if (src->eof)
		return 0;
	n = fread(buf, 1, cap, stdin);
	if (n == 0 && ferror(stdin))
		return CORREU_ERR_IO;
	return (correu_ssize)n;
}

static void log_stderr(int level, const char *msg, size_t len, void *userdata)
{
	(void)level;
	(void)userdata;
	fprintf(stderr, "correu-send: %.*s\n", (int)len, msg);
}

static int fail(const char *what, int rc, correu_smtp_session *s)
{
	const char *text = "";
	uint32_t code = s ? correu_smtp_session_last_reply(s, &text) : 0;

	fprintf(stderr, "correu-send: %s: %s", what, correu_strerror(rc));
	if (code)
		fprintf(stderr, " (server: %u %s)", code, text);
	fputc('\n', stderr);
	return 1;
}

static int run(const struct opts *o, const char *from, char **rcpt, size_t nrcpt,
               struct source *src)
{
	correu_smtp_settings set;
	correu_smtp_session_options so;
	correu_smtp_session *s = NULL;
	correu_tls_config *tls = NULL;
	correu_logger lg = { CORREU_LOGGER_VERSION, CORREU_LOG_DEBUG, log_stderr, NULL };
	correu_smtp_envelope env;
	int rc, status = 0;

	correu_smtp_settings_init(&set);
	set.tls_policy = o->policy;
	/* BDAT sends the body as it is, so only DATA normalises line ends. */
	set.flags = (o->lmtp ? CORREU_SMTP_LMTP : 0) |
	            (o->chunking ? CORREU_SMTP_PREFER_CHUNKING : CORREU_SMTP_BODY_NORMALISE);
	set.ehlo_name = o->ehlo;
	if (o->verbose)
		set.logger = &lg;
	correu_smtp_session_options_init(&so);
	so.settings = &set;
	so.tls_mode = o->tls_mode;
	if (o->ca_file || o->ca_dir) {
		rc = correu_tls_config_new(CORREU_TLS_CLIENT, NULL, &tls);
		if (rc == 0)
			rc = o->ca_file ? correu_tls_config_set_ca_file(tls, o->ca_file)
			                : correu_tls_config_set_ca_dir(tls, o->ca_dir);
		if (rc < 0) {
			correu_tls_config_free(tls);
			return fail("CA certificates", rc, NULL);
		}
		so.tls = tls;
	}
	rc = correu_smtp_session_open(o->host, o->port, &so, &s);
	if (rc < 0) {
		correu_tls_config_free(tls);
		return fail("connect", rc, NULL);
	}
	if (o->chunking &&
	    !(correu_smtp_client_caps(correu_smtp_session_client(s)) & CORREU_SMTP_CAP_CHUNKING))
		status = fail("--chunking yes", CORREU_ERR_UNSUPPORTED, s);
	if (status == 0 && o->user) {
		const char *pw = getenv("CORREU_PASSWORD");

		rc = pw ? correu_smtp_session_login(s, o->user, pw) : CORREU_ERR_ARG;
		if (rc < 0)
			status = fail(pw ? "login" : "login (set CORREU_PASSWORD)", rc, s);
	}
	if (status == 0) {
		memset(&env, 0, sizeof(env));
		env.version = CORREU_SMTP_ENVELOPE_VERSION;
		env.from = from;
		env.to = (const char *const *)rcpt;
		env.to_count = nrcpt;
		rc = correu_smtp_session_send(s, &env, read_message, src, 0);
		if (rc < 0)
			status = fail("send", rc, s);
		for (size_t i = 0; i < nrcpt; i++) {
			uint32_t code = correu_smtp_session_rcpt_code(s, i);

			if (code && (code < 200 || code >= 300))
				fprintf(stderr, "correu-send: %s refused (%u)\n", rcpt[i], code);
		}
	}
	rc = correu_smtp_session_quit(s);
	(void)rc; /* the message's fate is already known */
	correu_smtp_session_free(s);
	correu_tls_config_free(tls);
	return status;
}

int main(int argc, char **argv)
{
	struct opts o;
	struct source src = { NULL, 0, 0, 0 };
	char *rcpt[MAX_RCPT];
	char *hfrom = NULL;
	size_t nrcpt = 0;
	int status;

	if (parse_args(argc, argv, &o) < 0) {
		usage(stderr);
		return 2;
	}
	for (int i = optind; i < argc && nrcpt < MAX_RCPT; i++)
		rcpt[nrcpt++] = strdup(argv[i]);
	if (read_header(&src) < 0 || scan_header(&src, &o, &hfrom, rcpt, &nrcpt) < 0) {
		fprintf(stderr, "correu-send: cannot read the message header\n");
		return 1;
	}
	if (nrcpt == 0 || (!o.from && !hfrom)) {
		fprintf(stderr, "correu-send: %s\n",
		        nrcpt == 0 ? "no recipients" : "no sender: give -f or a From: header");
		return 2;
	}
	status = run(&o, o.from ? o.from : hfrom, rcpt, nrcpt, &src);
	for (size_t i = 0; i < nrcpt; i++)
		free(rcpt[i]);
	free(hfrom);
	free(src.head);
	return status;
}
