/*
 * IMAP header-fetch benchmark, correu's side (bench/, IMAP layer): log in
 * over one plaintext connection with the blocking session, SELECT INBOX
 * and fetch the headers of every message with one UID FETCH 1:*, as a
 * mail client does when it opens a folder. bench/imap_headers.py runs it
 * beside Python's imaplib and libetpan (bench_imap_headers_etpan.c) on
 * the same Dovecot and Maildir.
 *
 *   CORREU_PASSWORD=... bench_imap_headers HOST PORT USER MODE
 *   -> messages N / bytes B / seconds S / cpu C
 *
 * MODE "header" fetches (UID BODY.PEEK[HEADER]), the whole header block;
 * "client" what a mail client shows in a message list: UID, FLAGS, the
 * size and six header fields (RFC 9051 §6.4.5 HEADER.FIELDS). The
 * header bytes are counted as they stream by (never kept), the messages
 * by their FETCH responses; S is the time of the UID FETCH alone, from
 * queueing it to its tagged OK, and C the CPU time this program spent on
 * it. Exit status 0, or 1 with the reason on
 * stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "correu/imap.h"

#define TIMEOUT_MS 120000u /* connect, and each response */

/* The modes' FETCH items; imap_headers.py and the libetpan program ask
 * for the same. */
static const char *const MODES[][2] = {
	{"header", "(UID BODY.PEEK[HEADER])"},
	{"client", "(UID FLAGS RFC822.SIZE "
	           "BODY.PEEK[HEADER.FIELDS (FROM TO CC SUBJECT DATE MESSAGE-ID)])"},
};

struct count {
	uint64_t messages, bytes, errors;
};

/* Seconds on a clock: CLOCK_MONOTONIC for the time taken,
 * CLOCK_PROCESS_CPUTIME_ID for the CPU this program spent. */
static double clock_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int on_event(const correu_imap_event *ev, void *userdata)
{
	struct count *n = userdata;

	if (ev->type == CORREU_IMAP_EV_BEGIN && ev->resp == CORREU_IMAP_RESP_FETCH)
		n->messages++;
	else if (ev->type == CORREU_IMAP_EV_LITERAL_DATA)
		n->bytes += ev->data_len;
	else if (ev->type == CORREU_IMAP_EV_ERROR)
		n->errors++;
	return 0;
}

static int fail(const char *step, int rc)
{
	fprintf(stderr, "bench_imap_headers: %s: %s\n", step, correu_strerror(rc));
	return 1;
}

int main(int argc, char **argv)
{
	correu_imap_settings set;
	correu_imap_session_options opts;
	correu_imap_session *s = NULL;
	struct count n = {0, 0, 0};
	const char *password = getenv("CORREU_PASSWORD"), *items = NULL;
	double t0, t1, cpu0, cpu1;
	size_t i;
	int rc;

	for (i = 0; argc == 5 && i < sizeof(MODES) / sizeof(MODES[0]); i++)
		if (strcmp(argv[4], MODES[i][0]) == 0)
			items = MODES[i][1];
	if (!items || !password) {
		fputs("usage: CORREU_PASSWORD=... bench_imap_headers HOST PORT USER header|client\n",
		      stderr);
		return 2;
	}
	/* Plaintext on loopback, as the other clients run: the race is
	 * between IMAP implementations, not TLS libraries. */
	correu_imap_settings_init(&set);
	set.tls_policy = CORREU_IMAP_TLS_NONE;
	set.flags = CORREU_IMAP_ALLOW_PLAINTEXT_AUTH;
	set.timeout_greeting_ms = set.timeout_command_ms = TIMEOUT_MS;
	correu_imap_session_options_init(&opts);
	opts.settings = &set;
	opts.connect_timeout_ms = TIMEOUT_MS;
	rc = correu_imap_session_open(argv[1], (uint16_t)atoi(argv[2]), &opts, &s);
	if (rc < 0)
		return fail("connect", rc);
	rc = correu_imap_session_login(s, argv[3], password);
	if (rc == 0)
		rc = correu_imap_session_select(s, "INBOX", CORREU_IMAP_SELECT_READ_ONLY, NULL, NULL);
	if (rc < 0) {
		correu_imap_session_free(s);
		return fail("login and select", rc);
	}
	t0 = clock_s(CLOCK_MONOTONIC);
	cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	rc = correu_imap_session_fetch(s, "1:*", items, on_event, &n);
	t1 = clock_s(CLOCK_MONOTONIC);
	cpu1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	if (rc == 0)
		rc = correu_imap_session_logout(s);
	correu_imap_session_free(s);
	if (rc < 0)
		return fail("fetch", rc);
	if (n.errors) {
		fprintf(stderr, "bench_imap_headers: %llu malformed responses\n",
		        (unsigned long long)n.errors);
		return 1;
	}
	printf("messages %llu\nbytes %llu\nseconds %.6f\ncpu %.6f\n",
	       (unsigned long long)n.messages, (unsigned long long)n.bytes, t1 - t0, cpu1 - cpu0);
	return 0;
}
