/*
 * Parameter lists of structured fields for the MIME layer: quoted values
 * (RFC 2045 §5.1) and RFC 2231 extensions — continuations (name*0, name*1),
 * charset and language (name*=utf-8'en'...) and percent-encoding — merged
 * into one value per name, in the order the names first appear.
 */
#include <stdlib.h>
#include <string.h>

#include "mime_internal.h"

/* RFC 2231 §3: section numbers are small; a larger one is not a section. */
#define MAX_SECTION 9999

struct raw {
	const uint8_t *base, *value;
	size_t base_len, value_len, pos;
	long idx; /* -2 plain "name", -1 "name*", n for "name*n" */
	bool ext; /* value is percent-encoded (a trailing '*') */
};

static void split_name(struct raw *r, const uint8_t *n, size_t len)
{
	const uint8_t *star = memchr(n, '*', len);
	size_t i;
	long idx = 0;

	r->base = n;
	r->base_len = len;
	r->idx = -2;
	r->ext = false;
	if (!star)
		return;
	i = (size_t)(star - n);
	if (i == 0)
		return;
	if (i + 1 == len) {
		r->base_len = i;
		r->idx = -1;
		r->ext = true;
		return;
	}
	size_t j = i + 1;
	while (j < len && n[j] >= '0' && n[j] <= '9' && idx <= MAX_SECTION)
		idx = idx * 10 + (n[j++] - '0');
	if (j == i + 1 || idx > MAX_SECTION || (n[i + 1] == '0' && j > i + 2))
		return;
	if (j < len && !(n[j] == '*' && j + 1 == len))
		return;
	r->base_len = i;
	r->idx = idx;
	r->ext = j < len;
}

static int lowc(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

static int cmp_raw(const void *a, const void *b)
{
	const struct raw *x = a, *y = b;
	size_t n = x->base_len < y->base_len ? x->base_len : y->base_len;

	for (size_t i = 0; i < n; i++)
		if (lowc(x->base[i]) != lowc(y->base[i]))
			return lowc(x->base[i]) - lowc(y->base[i]);
	if (x->base_len != y->base_len)
		return x->base_len < y->base_len ? -1 : 1;
	if (x->idx != y->idx)
		return x->idx < y->idx ? -1 : 1;
	return x->pos < y->pos ? -1 : (x->pos > y->pos);
}

static int cmp_param_pos(const void *a, const void *b)
{
	const struct correu__mime_param *x = a, *y = b;

	/* name pointers are into the one field value: their order is position. */
	return x->name < y->name ? -1 : (x->name > y->name);
}

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (uint8_t)lowc(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/* Append a segment's value decoded into dst; returns bytes written. */
static size_t decode_value(uint8_t *dst, const uint8_t *v, size_t n, bool pct)
{
	size_t o = 0;

	if (n >= 2 && v[0] == '"') {
		size_t end = n - (v[n - 1] == '"' ? 1 : 0);

		for (size_t i = 1; i < end; i++) {
			if (v[i] == '\\' && i + 1 < end)
				i++;
			dst[o++] = v[i];
		}
		v = dst;
		n = o;
		o = 0;
	}
	for (size_t i = 0; i < n; i++) {
		int h, l;

		if (pct && v[i] == '%' && i + 2 < n && (h = hexval(v[i + 1])) >= 0 &&
		    (l = hexval(v[i + 2])) >= 0) {
			dst[o++] = (uint8_t)(h * 16 + l);
			i += 2;
		} else {
			dst[o++] = v[i];
		}
	}
	return o;
}

void correu__mime_params_free(struct correu__mime_params *ps)
{
	correu__free(ps->alloc, ps->v, ps->n * sizeof(*ps->v));
	correu__free(ps->alloc, ps->store, ps->store_len);
	ps->v = NULL;
	ps->store = NULL;
	ps->n = 0;
}

int correu__mime_params_parse(const correu_allocator *a, const uint8_t *p, size_t len,
                              struct correu__mime_params *ps)
{
	struct correu__mime_rawparam rp;
	struct raw *raws = NULL;
	size_t n = 0, i = 0, total = 1, used = 0, np = 0;

	memset(ps, 0, sizeof(*ps));
	ps->alloc = a;
	while (correu__mime_param_next(p, len, &i, &rp)) {
		n++;
		total += rp.value_len;
	}
	if (n == 0)
		return 0;
	raws = correu__alloc(a, n * sizeof(*raws));
	ps->v = correu__calloc(a, n * sizeof(*ps->v));
	ps->store = correu__alloc(a, total);
	ps->store_len = total;
	ps->n = n;
	if (!raws || !ps->v || !ps->store) {
		correu__free(a, raws, n * sizeof(*raws));
		correu__mime_params_free(ps);
		return CORREU_ERR_NOMEM;
	}
	i = 0;
	for (size_t k = 0; correu__mime_param_next(p, len, &i, &rp); k++) {
		split_name(&raws[k], rp.name, rp.name_len);
		raws[k].value = rp.value;
		raws[k].value_len = rp.value_len;
		raws[k].pos = rp.pos;
	}
	qsort(raws, n, sizeof(*raws), cmp_raw);
	for (size_t g = 0; g < n;) {
		size_t e = g + 1, plain = n, first = g;
		struct correu__mime_param *out = &ps->v[np++];

		while (e < n && raws[e].base_len == raws[g].base_len &&
		       correu__mime_ieqn(raws[e].base, raws[g].base, raws[g].base_len))
			e++;
		/* The RFC 2231 form wins over a plain duplicate (§4.1 readers). */
		for (size_t k = g; k < e; k++) {
			if (raws[k].idx == -2 && plain == n)
				plain = k;
			if (raws[k].pos < raws[first].pos)
				first = k;
		}
		out->name = raws[first].base;
		out->name_len = raws[g].base_len;
		out->value = ps->store + used;
		size_t k = g;
		while (k < e && raws[k].idx == -2)
			k++;
		if (k < e && (raws[k].idx == -1 || raws[k].idx == 0)) {
			long want = raws[k].idx == -1 ? -1 : 0;

			for (; k < e; k++) {
				const uint8_t *v = raws[k].value;
				size_t vl = raws[k].value_len;

				if (raws[k].idx != want) {
					if (raws[k].idx < want)
						continue; /* a duplicate section */
					break;
				}
				if ((want == -1 || want == 0) && raws[k].ext) {
					/* charset'language'value (RFC 2231 §4) */
					const uint8_t *q1 = memchr(v, '\'', vl);
					const uint8_t *q2 =
						q1 ? memchr(q1 + 1, '\'', vl - (size_t)(q1 + 1 - v))
						   : NULL;

					if (q2) {
						out->extended = true;
						out->charset = v;
						out->charset_len = (size_t)(q1 - v);
						out->lang = q1 + 1;
						out->lang_len = (size_t)(q2 - q1 - 1);
						vl -= (size_t)(q2 + 1 - v);
						v = q2 + 1;
					}
				}
				used += decode_value(ps->store + used, v, vl, raws[k].ext);
				if (want == -1)
					break;
				want++;
			}
		} else if (plain < n) {
			used += decode_value(ps->store + used, raws[plain].value,
			                     raws[plain].value_len, false);
		}
		out->value_len = (size_t)(ps->store + used - out->value);
		g = e;
	}
	correu__free(a, raws, n * sizeof(*raws));
	/* Keep the allocation size for free; only report the groups. */
	qsort(ps->v, np, sizeof(*ps->v), cmp_param_pos);
	ps->count = np;
	return 0;
}
