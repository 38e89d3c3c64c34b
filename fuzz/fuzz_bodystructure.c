/*
 * libFuzzer harness for the BODY and BODYSTRUCTURE output of the MIME layer:
 * a message is parsed, its BODYSTRUCTURE and BODY printed, and the text read
 * back with an independent reader of the RFC 9051 body grammar
 * (imap_body_ref.h). The text must parse completely, print back to the same
 * bytes, follow the grammar, and describe the same tree of parts with the
 * same sizes and line counts as the parse.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correu/mime.h"
#include "fuzz_common.h"
#include "imap_body_ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void putc_(struct fuzz_rec *t, char c)
{
	fuzz_rec_add(t, &c, 1);
}

/* Print a value back in canonical form, iteratively. */
static void reprint(const struct ref_tree *t, size_t node, struct fuzz_rec *o)
{
	size_t stack[REF_MAX_DEPTH], depth = 0, cur = node;
	char num[24];

	for (;;) {
		const struct ref_node *n = &t->n[cur];

		switch (n->type) {
		case REF_LIST:
			putc_(o, '(');
			if (n->first) {
				stack[depth++] = cur;
				cur = n->first;
				continue;
			}
			putc_(o, ')');
			break;
		case REF_NIL: fuzz_rec_add(o, "NIL", 3); break;
		case REF_NUM:
			snprintf(num, sizeof(num), "%llu", (unsigned long long)n->num);
			fuzz_rec_add(o, num, strlen(num));
			break;
		default:
			if (n->literal) {
				snprintf(num, sizeof(num), "{%zu}\r\n", n->len);
				fuzz_rec_add(o, num, strlen(num));
			} else {
				putc_(o, '"');
			}
			fuzz_rec_add(o, n->s, n->len);
			if (!n->literal)
				putc_(o, '"');
		}
		while (depth && !t->n[cur].next) {
			putc_(o, ')');
			cur = stack[--depth];
		}
		if (!depth)
			return;
		cur = t->n[cur].next;
		if (t->n[cur].sp)
			putc_(o, ' ');
	}
}

static const struct ref_node *at(const struct ref_tree *t, const struct ref_node *l, size_t k)
{
	return ref_at(t, (size_t)(l - t->n), k);
}

#define CHECK(c)                                                                                 \
	do {                                                                                     \
		if (!(c)) {                                                                      \
			fprintf(stderr, "bodystructure mismatch: %s (line %d)\n", #c, __LINE__); \
			abort();                                                                 \
		}                                                                                \
	} while (0)

/* Check body nodes against parts, breadth-first with a work list. */
static void check_tree(const struct ref_tree *t, size_t root, const correu_mime_message *m,
                       bool ext)
{
	size_t cap = correu_mime_part_count(m) + 2, n = 0;
	size_t *nodes = malloc(cap * sizeof(*nodes));
	uint32_t *parts = malloc(cap * sizeof(*parts));

	if (!nodes || !parts)
		abort();
	nodes[n] = root;
	parts[n++] = 0;
	while (n) {
		const struct ref_node *b = &t->n[nodes[--n]];
		uint32_t part = parts[n];
		correu_mime_part_info pi = { .version = CORREU_MIME_PART_INFO_VERSION };
		const struct ref_node *f0;
		size_t base;

		CHECK(correu_mime_part_info_get(m, part, &pi) == 0);
		CHECK(ref_is(b, REF_LIST) && b->count >= 2);
		f0 = at(t, b, 0);
		if (ref_is(f0, REF_LIST)) { /* body-type-mpart */
			size_t k = 0;
			uint32_t c = pi.first_child;

			CHECK(pi.kind == CORREU_MIME_KIND_MULTIPART);
			while (ref_is(at(t, b, k), REF_LIST)) {
				if (pi.children) {
					CHECK(c != CORREU_MIME_NONE);
					CHECK(n < cap);
					nodes[n] = (size_t)(at(t, b, k) - t->n);
					parts[n++] = c;
					correu_mime_part_info ci = {
						.version = CORREU_MIME_PART_INFO_VERSION
					};
					CHECK(correu_mime_part_info_get(m, c, &ci) == 0);
					c = ci.next_sibling;
				}
				k++;
			}
			CHECK(k == (pi.children ? pi.children : 1));
			CHECK(ref_is(at(t, b, k), REF_STR) && at(t, b, k)->sp);
			for (size_t j = 1; j < k; j++)
				CHECK(!at(t, b, j)->sp); /* 1*body: no space between */
			for (size_t j = k + 1; j < b->count; j++)
				CHECK(at(t, b, j)->sp);
			if (ext) {
				CHECK(b->count == k + 5);
				CHECK(ref_params(t, at(t, b, k + 1)) &&
				      ref_dsp(t, at(t, b, k + 2)) && ref_lang(t, at(t, b, k + 3)) &&
				      ref_nstring(at(t, b, k + 4)));
			} else {
				CHECK(b->count == k + 1);
			}
			continue;
		}
		/* body-type-1part: body-fields, all separated by SP */
		CHECK(ref_spaced(t, b, true));
		CHECK(ref_is(f0, REF_STR) && ref_is(at(t, b, 1), REF_STR));
		CHECK(ref_params(t, at(t, b, 2)) && ref_nstring(at(t, b, 3)) &&
		      ref_nstring(at(t, b, 4)) && ref_is(at(t, b, 5), REF_STR) &&
		      ref_is(at(t, b, 6), REF_NUM));
		CHECK(at(t, b, 6)->num == pi.body_size);
		if (ref_ieq(f0, "message") &&
		    (ref_ieq(at(t, b, 1), "rfc822") || ref_ieq(at(t, b, 1), "global"))) {
			CHECK(pi.kind == CORREU_MIME_KIND_MESSAGE);
			CHECK(ref_envelope(t, at(t, b, 7)));
			CHECK(ref_is(at(t, b, 8), REF_LIST));
			CHECK(ref_is(at(t, b, 9), REF_NUM) && at(t, b, 9)->num == pi.body_lines);
			CHECK(n < cap);
			nodes[n] = (size_t)(at(t, b, 8) - t->n);
			parts[n++] = pi.first_child;
			base = 10;
		} else if (ref_ieq(f0, "text")) {
			CHECK(pi.kind == CORREU_MIME_KIND_LEAF);
			CHECK(ref_is(at(t, b, 7), REF_NUM) && at(t, b, 7)->num == pi.body_lines);
			base = 8;
		} else {
			CHECK(pi.kind == CORREU_MIME_KIND_LEAF);
			base = 7;
		}
		if (ext) {
			CHECK(b->count == base + 4);
			CHECK(ref_nstring(at(t, b, base)) && ref_dsp(t, at(t, b, base + 1)) &&
			      ref_lang(t, at(t, b, base + 2)) && ref_nstring(at(t, b, base + 3)));
		} else {
			CHECK(b->count == base);
		}
	}
	free(nodes);
	free(parts);
}

static void roundtrip(const correu_mime_message *m, uint32_t what)
{
	struct fuzz_rec out = { 0 }, again = { 0 };
	struct ref_tree t = { 0 };
	size_t i = 0, root;

	CHECK(correu_mime_imap_write(m, 0, what, 0, fuzz_rec_put, &out) == 0);
	root = ref_read(&t, out.p, out.len, &i);
	CHECK(root != 0);
	CHECK(i == out.len); /* nothing left over */
	reprint(&t, root, &again);
	CHECK(fuzz_rec_same(&again, &out));
	check_tree(&t, root, m, what == CORREU_MIME_IMAP_BODYSTRUCTURE);
	free(t.n);
	fuzz_rec_free(&out);
	fuzz_rec_free(&again);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	correu_mime_settings s;
	correu_mime_parser *p;
	correu_mime_message *m;

	correu_mime_settings_default(&s);
	s.max_depth = 12;
	s.max_parts = 100;
	s.max_boundary = 24;
	s.max_field_size = 512;
	if (correu_mime_parser_new(&s, NULL, &p) != 0 ||
	    correu_mime_parser_feed(p, data, size) != 0 || correu_mime_parser_finish(p, &m) != 0)
		abort();
	roundtrip(m, CORREU_MIME_IMAP_BODYSTRUCTURE);
	roundtrip(m, CORREU_MIME_IMAP_BODY);
	correu_mime_message_free(m);
	correu_mime_parser_free(p);
	return 0;
}
