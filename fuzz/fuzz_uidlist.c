/*
 * libFuzzer harness for the dovecot-uidlist parser (store layer). The input
 * is parsed in two pieces cut at a point the input chooses; whatever parsed
 * is written back out in version 3 form and parsed again, which must give
 * the same header and records and no error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/maildir_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rec {
	uint32_t uid;
	char *ext, *fname;
	size_t ext_len, fname_len;
};

struct coll {
	struct rec *r;
	size_t n, cap;
};

static int on_rec(void *ud, uint32_t uid, const char *ext, size_t ext_len, const char *fn,
                  size_t fn_len)
{
	struct coll *c = ud;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->r = realloc(c->r, c->cap * sizeof(*c->r));
		if (!c->r)
			abort();
	}
	c->r[c->n].uid = uid;
	c->r[c->n].ext = malloc(ext_len + 1);
	c->r[c->n].fname = malloc(fn_len + 1);
	if (!c->r[c->n].ext || !c->r[c->n].fname)
		abort();
	memcpy(c->r[c->n].ext, ext, ext_len);
	memcpy(c->r[c->n].fname, fn, fn_len);
	c->r[c->n].ext_len = ext_len;
	c->r[c->n].fname_len = fn_len;
	c->n++;
	return 0;
}

static void coll_free(struct coll *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->r[i].ext);
		free(c->r[i].fname);
	}
	free(c->r);
}

static void append(char **buf, size_t *len, const void *p, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	if (!*buf)
		abort();
	memcpy(*buf + *len, p, n);
	*len += n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	md_uidlist_parser p, q;
	struct coll a = {0}, b = {0};
	size_t cut = size ? data[0] % (size + 1) : 0, len = 0;
	char *out = NULL, tmp[128];
	int rc;

	correu__md_uidlist_parser_init(&p, NULL, 4096, on_rec, &a);
	rc = correu__md_uidlist_feed(&p, data, cut);
	if (rc == 0)
		rc = correu__md_uidlist_feed(&p, data + cut, size - cut);
	if (rc < 0 || !p.header_done)
		goto done;

	/* Write it back as version 3 and read it again. */
	int n = snprintf(tmp, sizeof(tmp), "3 V%u N%u", p.uidvalidity, p.next_uid);
	append(&out, &len, tmp, (size_t)n);
	if (p.have_guid) {
		append(&out, &len, " G", 2);
		for (int i = 0; i < 16; i++) {
			snprintf(tmp, sizeof(tmp), "%02x", p.guid[i]);
			append(&out, &len, tmp, 2);
		}
	}
	if (p.hdr_ext.len) {
		append(&out, &len, " ", 1);
		append(&out, &len, p.hdr_ext.data, p.hdr_ext.len);
	}
	append(&out, &len, "\n", 1);
	for (size_t i = 0; i < a.n; i++) {
		n = snprintf(tmp, sizeof(tmp), "%u ", a.r[i].uid);
		append(&out, &len, tmp, (size_t)n);
		if (a.r[i].ext_len) {
			append(&out, &len, a.r[i].ext, a.r[i].ext_len);
			append(&out, &len, " ", 1);
		}
		append(&out, &len, ":", 1);
		append(&out, &len, a.r[i].fname, a.r[i].fname_len);
		append(&out, &len, "\n", 1);
	}
	correu__md_uidlist_parser_init(&q, NULL, 1 << 20, on_rec, &b);
	rc = correu__md_uidlist_feed(&q, (const uint8_t *)out, len);
	if (rc < 0 || q.broken || q.uidvalidity != p.uidvalidity || q.next_uid != p.next_uid ||
	    q.have_guid != p.have_guid || memcmp(q.guid, p.guid, 16) != 0 || b.n != a.n)
		abort();
	for (size_t i = 0; i < a.n; i++) {
		if (a.r[i].uid != b.r[i].uid || a.r[i].fname_len != b.r[i].fname_len ||
		    memcmp(a.r[i].fname, b.r[i].fname, a.r[i].fname_len) != 0)
			abort();
	}
	correu__md_uidlist_parser_free(&q);
done:
	correu__md_uidlist_parser_free(&p);
	coll_free(&a);
	coll_free(&b);
	free(out);
	return 0;
}
