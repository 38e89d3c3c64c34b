/*
 * POP3 download benchmark, correu's side (bench/, POP3 layer): fetch every
 * message of a mailbox that holds COUNT over one plaintext connection and
 * print the rate. Two ways, as an application would write them:
 *
 *   pipeline WINDOW  the sans-I/O core driven directly: after STAT, WINDOW
 *                    RETRs are in flight at once and each finished message
 *                    queues the next (PIPELINING, RFC 2449 §6.6);
 *   session          the blocking session: one RETR, wait, the next.
 *
 *   CORREU_PASSWORD=... bench_pop3_fetch HOST PORT USER COUNT pipeline 64
 *   -> rate correu-pipeline COUNT SECONDS MSG/S
 *
 * Messages are counted and their bytes summed, never kept. The time runs
 * from before the TCP connect to the server's answer to QUIT; nothing is
 * deleted. The whole run is bounded by LIMIT_MS. Exit status 0, or 1 with
 * the reason on stderr (also when the bytes read differ from STAT's total).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "correu/pop3.h"

#define LIMIT_MS 600000u /* the whole run */
#define WAIT_MS 10000    /* one wait for the socket */

struct run {
	correu_pop3_client *c;
	const char *user, *password;
	uint32_t want, window; /* messages asked for; RETRs in flight */
	uint32_t count, next, done;
	uint64_t expect, bytes; /* STAT's total for the messages fetched; read */
	int ready, closed;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Keep `window` RETRs in flight; QUIT once the last one is answered. */
static int refill(struct run *r)
{
	int rc = 0;

	while (rc == 0 && r->next <= r->count && r->next - r->done <= r->window)
		rc = correu_pop3_client_retr(r->c, r->next++);
	if (rc == 0 && r->done == r->count)
		rc = correu_pop3_client_quit(r->c);
	return rc;
}

static int on_event(const correu_pop3_event *ev, void *userdata)
{
	struct run *r = userdata;

	switch (ev->type) {
	case CORREU_POP3_EV_READY: r->ready = 1; return 0;
	case CORREU_POP3_EV_CLOSED: r->closed = 1; return 0;
	case CORREU_POP3_EV_ERROR:
		fprintf(stderr, "error %s %.*s\n", correu_err_name(ev->error), (int)ev->text_len,
		        ev->text);
		return 0;
	case CORREU_POP3_EV_BODY: r->bytes += ev->data_len; return 0;
	case CORREU_POP3_EV_REPLY:
		if (!ev->ok) {
			fprintf(stderr, "-ERR to CORREU_POP3_CMD %u: %.*s\n", ev->command, (int)ev->text_len,
			        ev->text);
			return CORREU_ERR_REPLY;
		}
		if (ev->command != CORREU_POP3_CMD_STAT)
			return 0;
		/* The whole mailbox is fetched, so STAT's total checks the bytes. */
		r->count = ev->msg;
		if (r->count != r->want) {
			fprintf(stderr, "the mailbox holds %u messages, not %u\n", ev->msg, r->want);
			return CORREU_ERR_ARG;
		}
		r->expect = ev->size;
		r->next = 1;
		return refill(r);
	case CORREU_POP3_EV_END:
		if (ev->command != CORREU_POP3_CMD_RETR)
			return 0;
		r->done++;
		return refill(r);
	default: return 0;
	}
}

/* One round: write what is pending, else read (or wait for either). */
static int io(struct run *r, correu_transport *t, uint8_t *buf, size_t cap)
{
	size_t len;
	const uint8_t *out = correu_pop3_client_send_buf(r->c, &len);
	correu_ssize n;

	if (out) {
		n = correu_transport_send(t, out, len);
		if (n > 0)
			return correu_pop3_client_send_ack(r->c, (size_t)n);
		if (n != CORREU_ERR_WANT_WRITE)
			return (int)n;
		return correu_transport_wait(t, CORREU_WAIT_WRITE, WAIT_MS) < 0 ? CORREU_ERR_TIMEOUT : 0;
	}
	n = correu_transport_recv(t, buf, cap);
	if (n > 0) {
		n = correu_pop3_client_recv(r->c, buf, (size_t)n, now_ms());
		return n < 0 ? (int)n : 0;
	}
	if (n == CORREU_ERR_EOF)
		return correu_pop3_client_eof(r->c);
	if (n != CORREU_ERR_WANT_READ)
		return (int)n;
	return correu_transport_wait(t, CORREU_WAIT_READ, WAIT_MS) < 0 ? CORREU_ERR_TIMEOUT : 0;
}

static int run_pipeline(struct run *r, const char *host, uint16_t port)
{
	static uint8_t buf[65536];
	correu_pop3_settings set;
	correu_transport *t = NULL;
	uint64_t limit = now_ms() + LIMIT_MS;
	int rc;

	correu_pop3_settings_init(&set);
	set.tls_policy = CORREU_POP3_TLS_NONE;
	set.flags = CORREU_POP3_ALLOW_PLAINTEXT_AUTH; /* loopback benchmark */
	set.on_event = on_event;
	set.event_userdata = r;
	rc = correu_pop3_client_new(&set, &r->c);
	if (rc == 0)
		rc = correu_tcp_connect(host, port, WAIT_MS, NULL, &t);
	while (rc == 0 && !r->closed) {
		if (now_ms() > limit) {
			rc = CORREU_ERR_TIMEOUT;
			break;
		}
		if (r->ready == 1) {
			r->ready = 2;
			rc = correu_pop3_client_user(r->c, r->user, strlen(r->user), r->password,
			                             strlen(r->password));
			if (rc == 0)
				rc = correu_pop3_client_stat(r->c);
		}
		if (rc == 0)
			rc = io(r, t, buf, sizeof(buf));
	}
	if (rc < 0 && correu_pop3_client_error(r->c) < 0)
		rc = correu_pop3_client_error(r->c);
	correu_pop3_client_free(r->c);
	correu_transport_free(t);
	return rc;
}

static int count_body(const uint8_t *data, size_t len, void *userdata)
{
	(void)data;
	*(uint64_t *)userdata += len;
	return 0;
}

static int run_session(struct run *r, const char *host, uint16_t port)
{
	correu_pop3_settings set;
	correu_pop3_session_options o;
	correu_pop3_session *s = NULL;
	uint64_t limit = now_ms() + LIMIT_MS;
	int rc;

	correu_pop3_settings_init(&set);
	set.tls_policy = CORREU_POP3_TLS_NONE;
	set.flags = CORREU_POP3_ALLOW_PLAINTEXT_AUTH;
	correu_pop3_session_options_init(&o);
	o.settings = &set;
	rc = correu_pop3_session_open(host, port, &o, &s);
	if (rc == 0)
		rc = correu_pop3_session_login(s, r->user, r->password);
	if (rc == 0)
		rc = correu_pop3_session_stat(s, &r->count, &r->expect);
	if (rc == 0 && r->count != r->want) {
		fprintf(stderr, "the mailbox holds %u messages, not %u\n", r->count, r->want);
		rc = CORREU_ERR_ARG;
	}
	for (uint32_t i = 1; rc == 0 && i <= r->count; i++) {
		rc = correu_pop3_session_retrieve(s, i, count_body, &r->bytes);
		if (rc == 0 && now_ms() > limit)
			rc = CORREU_ERR_TIMEOUT;
		if (rc == 0)
			r->done++;
	}
	if (rc == 0)
		rc = correu_pop3_session_quit(s);
	correu_pop3_session_free(s);
	return rc;
}

int main(int argc, char **argv)
{
	struct run r;
	uint64_t t0;
	double secs;
	int rc, pipeline;

	memset(&r, 0, sizeof(r));
	r.password = getenv("CORREU_PASSWORD");
	pipeline = argc == 7 && strcmp(argv[5], "pipeline") == 0;
	if (!r.password || !(pipeline || (argc == 6 && strcmp(argv[5], "session") == 0))) {
		fputs("usage: CORREU_PASSWORD=... bench_pop3_fetch HOST PORT USER COUNT "
		      "pipeline WINDOW | session\n",
		      stderr);
		return 2;
	}
	r.user = argv[3];
	r.want = (uint32_t)strtoul(argv[4], NULL, 10);
	r.window = pipeline ? (uint32_t)strtoul(argv[6], NULL, 10) : 1;
	if (r.want == 0 || r.window == 0 || r.window > 4000) {
		fputs("COUNT must be > 0 and WINDOW in 1..4000\n", stderr);
		return 2;
	}
	t0 = now_ms();
	rc = pipeline ? run_pipeline(&r, argv[1], (uint16_t)atoi(argv[2]))
	              : run_session(&r, argv[1], (uint16_t)atoi(argv[2]));
	secs = (double)(now_ms() - t0) / 1000.0;
	if (rc == 0 && (r.done != r.want || r.bytes != r.expect)) {
		fprintf(stderr, "read %u messages, %llu bytes; expected %u, %llu\n", r.done,
		        (unsigned long long)r.bytes, r.want, (unsigned long long)r.expect);
		rc = CORREU_ERR_PROTO;
	}
	if (rc < 0) {
		fprintf(stderr, "bench_pop3_fetch: %s after %u messages\n", correu_err_name(rc), r.done);
		return 1;
	}
	printf("rate correu-%s %u %.3f %.0f\n", argv[5], r.done, secs,
	       secs > 0 ? r.done / secs : 0.0);
	printf("bytes correu-%s %llu\n", argv[5], (unsigned long long)r.bytes);
	return 0;
}
