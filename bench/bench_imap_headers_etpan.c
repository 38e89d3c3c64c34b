/*
 * IMAP header-fetch benchmark, libetpan's side (bench/, baseline for the
 * IMAP layer): the same job as bench_imap_headers.c done with libetpan's
 * mailimap API, the C IMAP library most mail programs on Debian link
 * (apt-get install libetpan-dev). It logs in over one plaintext
 * connection, EXAMINEs INBOX and fetches the same items of every message
 * with one UID FETCH 1:*.
 *
 *   CORREU_PASSWORD=... bench_imap_headers_etpan HOST PORT USER MODE
 *   -> messages N / bytes B / seconds S / cpu C
 *
 * MODE is "header" or "client", as for bench_imap_headers. libetpan
 * parses the whole answer into a list before it returns, so S and C, the
 * time and CPU time of the UID FETCH alone, include walking that list and
 * freeing it, which is what a program using it must do.
 */
#include <libetpan/libetpan.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The fields of MODE "client" (RFC 9051 §6.4.5 HEADER.FIELDS). */
static const char *const FIELDS[] = {"FROM", "TO", "CC", "SUBJECT", "DATE", "MESSAGE-ID"};

/* Seconds on a clock: CLOCK_MONOTONIC for the time taken,
 * CLOCK_PROCESS_CPUTIME_ID for the CPU this program spent. */
static double clock_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The items of a mode, or NULL for an unknown mode or no memory. */
static struct mailimap_fetch_type *fetch_type(const char *mode)
{
	struct mailimap_fetch_type *ft = mailimap_fetch_type_new_fetch_att_list_empty();
	struct mailimap_section *section;
	int client = strcmp(mode, "client") == 0;
	size_t i;

	if (!ft || (!client && strcmp(mode, "header") != 0))
		goto fail;
	mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_uid());
	if (client) {
		clist *names = clist_new();

		mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_flags());
		mailimap_fetch_type_new_fetch_att_list_add(ft, mailimap_fetch_att_new_rfc822_size());
		for (i = 0; names && i < sizeof(FIELDS) / sizeof(FIELDS[0]); i++)
			clist_append(names, strdup(FIELDS[i]));
		section = mailimap_section_new_header_fields(mailimap_header_list_new(names));
	} else {
		section = mailimap_section_new_header();
	}
	mailimap_fetch_type_new_fetch_att_list_add(ft,
	                                           mailimap_fetch_att_new_body_peek_section(section));
	return ft;
fail:
	if (ft)
		mailimap_fetch_type_free(ft);
	return NULL;
}

/* Count the messages and the header bytes of a fetch answer. */
static void count(clist *answer, unsigned long long *messages, unsigned long long *bytes)
{
	clistiter *m, *a;

	for (m = clist_begin(answer); m; m = clist_next(m)) {
		struct mailimap_msg_att *att = clist_content(m);

		(*messages)++;
		for (a = clist_begin(att->att_list); a; a = clist_next(a)) {
			struct mailimap_msg_att_item *item = clist_content(a);

			if (item->att_type == MAILIMAP_MSG_ATT_ITEM_STATIC &&
			    item->att_data.att_static->att_type == MAILIMAP_MSG_ATT_BODY_SECTION)
				*bytes += item->att_data.att_static->att_data.att_body_section->sec_length;
		}
	}
}

int main(int argc, char **argv)
{
	const char *password = getenv("CORREU_PASSWORD");
	unsigned long long messages = 0, bytes = 0;
	struct mailimap_fetch_type *ft;
	struct mailimap_set *set;
	clist *answer = NULL;
	mailimap *imap;
	double t0, t1, cpu0, cpu1;
	int rc;

	if (argc != 5 || !password) {
		fputs("usage: CORREU_PASSWORD=... bench_imap_headers_etpan HOST PORT USER "
		      "header|client\n",
		      stderr);
		return 2;
	}
	ft = fetch_type(argv[4]);
	set = mailimap_set_new_interval(1, 0); /* 1:* */
	imap = mailimap_new(0, NULL);
	if (!ft || !set || !imap) {
		fputs("bench_imap_headers_etpan: bad mode or no memory\n", stderr);
		return 1;
	}
	rc = mailimap_socket_connect(imap, argv[1], (uint16_t)atoi(argv[2]));
	if (rc == MAILIMAP_NO_ERROR_AUTHENTICATED || rc == MAILIMAP_NO_ERROR_NON_AUTHENTICATED)
		rc = mailimap_login(imap, argv[3], password);
	if (rc == MAILIMAP_NO_ERROR)
		rc = mailimap_examine(imap, "INBOX");
	if (rc != MAILIMAP_NO_ERROR) {
		fprintf(stderr, "bench_imap_headers_etpan: login and select: error %d\n", rc);
		return 1;
	}
	t0 = clock_s(CLOCK_MONOTONIC);
	cpu0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	rc = mailimap_uid_fetch(imap, set, ft, &answer);
	if (rc == MAILIMAP_NO_ERROR) {
		count(answer, &messages, &bytes);
		mailimap_fetch_list_free(answer);
	}
	t1 = clock_s(CLOCK_MONOTONIC);
	cpu1 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	if (rc != MAILIMAP_NO_ERROR) {
		fprintf(stderr, "bench_imap_headers_etpan: fetch: error %d\n", rc);
		return 1;
	}
	mailimap_logout(imap);
	mailimap_free(imap);
	mailimap_set_free(set);
	mailimap_fetch_type_free(ft);
	printf("messages %llu\nbytes %llu\nseconds %.6f\ncpu %.6f\n", messages, bytes, t1 - t0,
	       cpu1 - cpu0);
	return 0;
}
