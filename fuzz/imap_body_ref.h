/*
 * A small, independent reader of IMAP body structures (RFC 9051 §9 "body",
 * "envelope") for the bodystructure fuzz harness. It shares no code with the
 * library: it reads the text into a generic tree of lists, NILs, numbers
 * and strings (quoted or literal), can print that tree back in canonical
 * form, and checks the tree against the grammar of body, body-fields,
 * envelope, address and the extension data. Nesting is walked with an
 * explicit stack.
 */
#ifndef CORREU_FUZZ_IMAP_BODY_REF_H
#define CORREU_FUZZ_IMAP_BODY_REF_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define REF_LIST 1
#define REF_NIL 2
#define REF_NUM 3
#define REF_STR 4

#define REF_MAX_DEPTH 256

struct ref_node {
	int type;
	uint64_t num;
	const uint8_t *s; /* string bytes (quoted: with escapes) */
	size_t len;
	bool literal;
	bool sp;                   /* preceded by a space (lists may follow lists without one) */
	size_t first, next, count; /* list children by index; 0 = none */
};

struct ref_tree {
	struct ref_node *n; /* n[0] unused */
	size_t len, cap;
};

static size_t ref_add(struct ref_tree *t, int type)
{
	if (t->len == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->n = realloc(t->n, t->cap * sizeof(*t->n));
		if (!t->n)
			abort();
	}
	memset(&t->n[t->len], 0, sizeof(t->n[0]));
	t->n[t->len].type = type;
	return t->len++;
}

/* Read one value; returns its node or 0 on a syntax error. */
static size_t ref_read(struct ref_tree *t, const uint8_t *p, size_t len, size_t *ip)
{
	size_t stack[REF_MAX_DEPTH], last[REF_MAX_DEPTH], depth = 0, i = *ip, root = 0;

	t->len = 0;
	(void)ref_add(t, 0); /* index 0 means "none" */
	for (;;) {
		size_t node;

		if (depth && i < len && p[i] == ')') {
			i++;
			node = stack[--depth];
			goto attach_done;
		}
		bool sp = false;

		if (depth && t->n[stack[depth - 1]].count) {
			/* RFC 9051 §9: bodies and addresses follow each other directly */
			bool after_list = t->n[last[depth - 1]].type == REF_LIST;

			if (i < len && p[i] == ' ') {
				sp = true;
				i++;
			} else if (!(after_list && i < len && p[i] == '(')) {
				return 0;
			}
		}
		if (i >= len)
			return 0;
		if (p[i] == '(') {
			if (depth == REF_MAX_DEPTH)
				return 0;
			i++;
			node = ref_add(t, REF_LIST);
			t->n[node].sp = sp;
			if (depth) { /* attach now, fill later */
				size_t par = stack[depth - 1];

				if (t->n[par].count++ == 0)
					t->n[par].first = node;
				else
					t->n[last[depth - 1]].next = node;
				last[depth - 1] = node;
			} else {
				root = node;
			}
			stack[depth++] = node;
			if (i < len && p[i] == ')') {
				i++;
				depth--;
				goto attach_done;
			}
			continue;
		} else if (len - i >= 3 && memcmp(p + i, "NIL", 3) == 0) {
			node = ref_add(t, REF_NIL);
			i += 3;
		} else if (p[i] >= '0' && p[i] <= '9') {
			node = ref_add(t, REF_NUM);
			while (i < len && p[i] >= '0' && p[i] <= '9') {
				if (t->n[node].num > UINT64_MAX / 10 - 9)
					return 0;
				t->n[node].num = t->n[node].num * 10 + (uint64_t)(p[i++] - '0');
			}
		} else if (p[i] == '"') {
			node = ref_add(t, REF_STR);
			t->n[node].s = p + ++i;
			while (i < len && p[i] != '"') {
				if (p[i] == '\r' || p[i] == '\n' || p[i] == 0)
					return 0;
				if (p[i] == '\\') {
					if (i + 1 >= len || (p[i + 1] != '\\' && p[i + 1] != '"'))
						return 0;
					i++;
				}
				i++;
			}
			if (i >= len)
				return 0;
			t->n[node].len = (size_t)(p + i - t->n[node].s);
			i++;
		} else if (p[i] == '{') {
			uint64_t n = 0;

			node = ref_add(t, REF_STR);
			for (i++; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
				if (n > (uint64_t)len)
					return 0;
				n = n * 10 + (uint64_t)(p[i] - '0');
			}
			if (len - i < 3 || p[i] != '}' || p[i + 1] != '\r' || p[i + 2] != '\n')
				return 0;
			i += 3;
			if (n > len - i)
				return 0;
			t->n[node].s = p + i;
			t->n[node].len = (size_t)n;
			t->n[node].literal = true;
			i += (size_t)n;
		} else {
			return 0;
		}
		t->n[node].sp = sp;
		if (!depth) {
			*ip = i;
			return node;
		}
		{
			size_t par = stack[depth - 1];

			if (t->n[par].count++ == 0)
				t->n[par].first = node;
			else
				t->n[last[depth - 1]].next = node;
			last[depth - 1] = node;
		}
		continue;
	attach_done:
		if (!depth) {
			*ip = i;
			return root;
		}
	}
}

/* ---- the grammar (RFC 9051 §9) ---- */

static const struct ref_node *ref_at(const struct ref_tree *t, size_t list, size_t k)
{
	size_t c = t->n[list].first;

	while (c && k--)
		c = t->n[c].next;
	return c ? &t->n[c] : NULL;
}

/* Every element after the first preceded by a space (want) or none (!want). */
static bool ref_spaced(const struct ref_tree *t, const struct ref_node *l, bool want)
{
	for (size_t c = l->first ? t->n[l->first].next : 0; c; c = t->n[c].next)
		if (t->n[c].sp != want)
			return false;
	return true;
}

static bool ref_is(const struct ref_node *n, int type)
{
	return n && n->type == type;
}

static bool ref_nstring(const struct ref_node *n)
{
	return n && (n->type == REF_NIL || n->type == REF_STR);
}

static bool ref_ieq(const struct ref_node *n, const char *s)
{
	size_t l = strlen(s);

	if (!ref_is(n, REF_STR) || n->len != l || n->literal)
		return false;
	for (size_t i = 0; i < l; i++)
		if ((n->s[i] | 0x20) != (s[i] | 0x20))
			return false;
	return true;
}

static bool ref_params(const struct ref_tree *t, const struct ref_node *n)
{
	if (ref_is(n, REF_NIL))
		return true;
	if (!ref_is(n, REF_LIST) || n->count == 0 || n->count % 2 || !ref_spaced(t, n, true))
		return false;
	for (size_t c = n->first; c; c = t->n[c].next)
		if (t->n[c].type != REF_STR)
			return false;
	return true;
}

static bool ref_addresses(const struct ref_tree *t, const struct ref_node *n)
{
	if (ref_is(n, REF_NIL))
		return true;
	if (!ref_is(n, REF_LIST) || n->count == 0 || !ref_spaced(t, n, false))
		return false;
	for (size_t c = n->first; c; c = t->n[c].next) {
		const struct ref_node *a = &t->n[c];

		if (a->type != REF_LIST || a->count != 4 || !ref_spaced(t, a, true))
			return false;
		for (size_t k = 0; k < 4; k++)
			if (!ref_nstring(ref_at(t, c, k)))
				return false;
	}
	return true;
}

static bool ref_envelope(const struct ref_tree *t, const struct ref_node *n)
{
	size_t idx = (size_t)(n - t->n);

	if (!ref_is(n, REF_LIST) || n->count != 10 || !ref_spaced(t, n, true))
		return false;
	for (size_t k = 0; k < 10; k++) {
		const struct ref_node *f = ref_at(t, idx, k);

		if (k >= 2 && k <= 7 ? !ref_addresses(t, f) : !ref_nstring(f))
			return false;
	}
	return true;
}

static bool ref_dsp(const struct ref_tree *t, const struct ref_node *n)
{
	size_t idx = (size_t)(n - t->n);

	if (ref_is(n, REF_NIL))
		return true;
	return ref_is(n, REF_LIST) && n->count == 2 && ref_spaced(t, n, true) &&
	       ref_is(ref_at(t, idx, 0), REF_STR) && ref_params(t, ref_at(t, idx, 1));
}

static bool ref_lang(const struct ref_tree *t, const struct ref_node *n)
{
	if (ref_nstring(n))
		return true;
	if (!ref_is(n, REF_LIST) || n->count == 0 || !ref_spaced(t, n, true))
		return false;
	for (size_t c = n->first; c; c = t->n[c].next)
		if (t->n[c].type != REF_STR)
			return false;
	return true;
}

#endif
