/*
 * SMTP sending benchmark, the libcurl baseline (bench/): COUNT messages of
 * SIZE bytes sent with one easy handle, so that libcurl keeps and reuses
 * its one connection between transfers (it does not pipeline SMTP).
 *
 *   bench_smtp_send_curl HOST PORT COUNT SIZE
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_smtp_msg.h"

struct body {
	const char *msg;
	size_t size, at;
};

static size_t give(char *buf, size_t size, size_t nitems, void *userdata)
{
	struct body *b = userdata;
	size_t n = size * nitems;

	if (n > b->size - b->at)
		n = b->size - b->at;
	memcpy(buf, b->msg + b->at, n);
	b->at += n;
	return n;
}

int main(int argc, char **argv)
{
	struct curl_slist *rcpt = NULL;
	unsigned long count, size;
	struct body b;
	char url[300];
	CURL *c;
	CURLcode rc;
	double t0, t;

	if (argc != 5) {
		fputs("usage: bench_smtp_send_curl HOST PORT COUNT SIZE\n", stderr);
		return 2;
	}
	count = bench_arg(argv[3], "count");
	size = bench_arg(argv[4], "size");
	b.msg = bench_message(size);
	b.size = size;
	if (!b.msg || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	snprintf(url, sizeof(url), "smtp://%s:%s/localhost", argv[1], argv[2]);
	rcpt = curl_slist_append(rcpt, "<sink@localhost>");

	t0 = bench_now();
	c = curl_easy_init();
	if (!c || !rcpt)
		return 1;
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, "<bench@localhost>");
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, give);
	curl_easy_setopt(c, CURLOPT_READDATA, &b);
	curl_easy_setopt(c, CURLOPT_INFILESIZE, (long)size);
	for (unsigned long i = 0; i < count; i++) {
		b.at = 0;
		rc = curl_easy_perform(c);
		if (rc != CURLE_OK) {
			fprintf(stderr, "libcurl: message %lu: %s\n", i + 1, curl_easy_strerror(rc));
			return 1;
		}
	}
	curl_easy_cleanup(c);
	t = bench_now() - t0;
	printf("rate libcurl %lu %.3f %.0f\n", count, t, (double)count / t);
	curl_slist_free_all(rcpt);
	curl_global_cleanup();
	free((void *)b.msg);
	return 0;
}
