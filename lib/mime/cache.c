/*
 * Saving and loading a parsed message (MIME layer), so a store can keep
 * the structure beside the message and skip parsing it again. The format
 * is little-endian with fixed-size records; see docs/mime.md. Loading
 * checks every count, index and offset, since the bytes come from a file.
 */
#include <string.h>

#include "mime_internal.h"

#define MAGIC "CMIM"
#define FORMAT 1
#define HEAD_SIZE 32
#define PART_SIZE (11 * 4 + 6 * 8)
#define FIELD_SIZE 24

struct w {
	struct correu__mime_out *o;
	uint8_t b[PART_SIZE];
	size_t n;
};

static void w32(struct w *w, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		w->b[w->n++] = (uint8_t)(v >> (8 * i));
}

static void w64(struct w *w, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		w->b[w->n++] = (uint8_t)(v >> (8 * i));
}

static void wflush(struct w *w)
{
	correu__mime_put(w->o, w->b, w->n);
	w->n = 0;
}

int correu_mime_message_save(const correu_mime_message *m, correu_mime_write_fn write, void *ud)
{
	struct correu__mime_out o = { write, ud, 0 };
	struct w w;

	if (!m || !write)
		return CORREU_ERR_ARG;
	w.o = &o;
	w.n = 0;
	memcpy(w.b, MAGIC, 4);
	w.b[4] = FORMAT;
	w.b[5] = w.b[6] = w.b[7] = 0;
	w.n = 8;
	w64(&w, m->size);
	w32(&w, m->flags);
	w32(&w, m->nparts);
	w32(&w, m->nfields);
	w32(&w, 0);
	wflush(&w);
	w64(&w, m->pool.len);
	wflush(&w);
	for (uint32_t i = 0; i < m->nparts; i++) {
		const struct correu__mime_part *p = &m->parts[i];

		w32(&w, p->parent);
		w32(&w, p->first_child);
		w32(&w, p->last_child);
		w32(&w, p->next_sibling);
		w32(&w, p->children);
		w32(&w, p->depth);
		w32(&w, p->flags);
		w32(&w, p->kind);
		w32(&w, p->field_first);
		w32(&w, p->field_count);
		w32(&w, p->digest_child);
		w64(&w, p->hdr_off);
		w64(&w, p->body_off);
		w64(&w, p->end);
		w64(&w, p->lines);
		w64(&w, p->hdr_bare);
		w64(&w, p->body_bare);
		wflush(&w);
	}
	for (uint32_t i = 0; i < m->nfields; i++) {
		const struct correu__mime_field *f = &m->fields[i];

		w64(&w, f->name_off);
		w32(&w, f->name_len);
		w64(&w, f->value_off);
		w32(&w, f->value_len);
		wflush(&w);
	}
	correu__mime_put(&o, m->pool.data, m->pool.len);
	return o.err;
}

struct r {
	const uint8_t *p;
	size_t n, i;
};

static uint32_t r32(struct r *r)
{
	uint32_t v = 0;

	for (int k = 0; k < 4; k++)
		v |= (uint32_t)r->p[r->i++] << (8 * k);
	return v;
}

static uint64_t r64(struct r *r)
{
	uint64_t v = 0;

	for (int k = 0; k < 8; k++)
		v |= (uint64_t)r->p[r->i++] << (8 * k);
	return v;
}

static bool part_ok(const correu_mime_message *m, uint32_t i)
{
	const struct correu__mime_part *p = &m->parts[i];
	uint32_t c = p->first_child, last = CORREU_MIME_NONE, count = 0;

	if (p->kind > CORREU_MIME_KIND_MESSAGE || p->digest_child > 1)
		return false;
	if (!(p->hdr_off <= p->body_off && p->body_off <= p->end && p->end <= m->size))
		return false;
	if (p->hdr_bare > p->body_off - p->hdr_off || p->body_bare > p->end - p->body_off ||
	    p->lines > p->end - p->body_off + 1)
		return false;
	if (p->field_first > m->nfields || p->field_count > m->nfields - p->field_first)
		return false;
	if (i == 0 ? (p->parent != CORREU_MIME_NONE || p->depth != 0)
	           : (p->parent >= i || p->depth != m->parts[p->parent].depth + 1))
		return false;
	if (i > 0) {
		const struct correu__mime_part *pp = &m->parts[p->parent];

		if (p->hdr_off < pp->body_off || p->end > pp->end)
			return false;
	}
	/* Children: indices increase along the chain, so it ends. */
	while (c != CORREU_MIME_NONE) {
		if (c <= i || c >= m->nparts || m->parts[c].parent != i ||
		    (last != CORREU_MIME_NONE && c <= last))
			return false;
		last = c;
		count++;
		c = m->parts[c].next_sibling;
	}
	if (count != p->children || last != p->last_child)
		return false;
	if ((p->kind == CORREU_MIME_KIND_LEAF && count) ||
	    (p->kind == CORREU_MIME_KIND_MESSAGE && count != 1))
		return false;
	return true;
}

int correu_mime_message_load(const uint8_t *data, size_t len, const correu_allocator *a,
                             correu_mime_message **out)
{
	struct r r = { data, len, 0 };
	correu_mime_message *m;
	uint32_t np, nf;
	uint64_t pool_len, size, children = 0;
	uint32_t flags;

	if (!out || (!data && len))
		return CORREU_ERR_ARG;
	*out = NULL;
	if (len < HEAD_SIZE || memcmp(data, MAGIC, 4) != 0)
		return CORREU_ERR_SYNTAX;
	if (data[4] != FORMAT)
		return CORREU_ERR_UNSUPPORTED;
	r.i = 8;
	size = r64(&r);
	flags = r32(&r);
	np = r32(&r);
	nf = r32(&r);
	(void)r32(&r);
	if (len - HEAD_SIZE < 8)
		return CORREU_ERR_SYNTAX;
	pool_len = r64(&r);
	if (np == 0 || np > (len - r.i) / PART_SIZE ||
	    nf > (len - r.i - (size_t)np * PART_SIZE) / FIELD_SIZE ||
	    pool_len != len - r.i - (size_t)np * PART_SIZE - (size_t)nf * FIELD_SIZE)
		return CORREU_ERR_SYNTAX;
	m = correu__mime_message_new(a);
	if (!m)
		return CORREU_ERR_NOMEM;
	m->size = size;
	m->flags = flags;
	m->parts = correu__alloc(a, (size_t)np * sizeof(*m->parts));
	m->fields = nf ? correu__alloc(a, (size_t)nf * sizeof(*m->fields)) : NULL;
	if (!m->parts || (nf && !m->fields) ||
	    correu__buf_append(&m->pool, data + len - pool_len, (size_t)pool_len) < 0) {
		if (m->parts)
			m->parts_cap = np;
		if (m->fields)
			m->fields_cap = nf;
		correu_mime_message_free(m);
		return CORREU_ERR_NOMEM;
	}
	m->nparts = m->parts_cap = np;
	m->nfields = m->fields_cap = nf;
	for (uint32_t i = 0; i < np; i++) {
		struct correu__mime_part *p = &m->parts[i];

		p->parent = r32(&r);
		p->first_child = r32(&r);
		p->last_child = r32(&r);
		p->next_sibling = r32(&r);
		p->children = r32(&r);
		p->depth = r32(&r);
		p->flags = r32(&r);
		p->kind = r32(&r);
		p->field_first = r32(&r);
		p->field_count = r32(&r);
		p->digest_child = r32(&r);
		p->hdr_off = r64(&r);
		p->body_off = r64(&r);
		p->end = r64(&r);
		p->lines = r64(&r);
		p->hdr_bare = r64(&r);
		p->body_bare = r64(&r);
	}
	for (uint32_t i = 0; i < nf; i++) {
		struct correu__mime_field *f = &m->fields[i];

		f->name_off = r64(&r);
		f->name_len = r32(&r);
		f->value_off = r64(&r);
		f->value_len = r32(&r);
		if (f->name_off > pool_len || f->name_len > pool_len - f->name_off ||
		    f->value_off > pool_len || f->value_len > pool_len - f->value_off)
			goto bad;
	}
	for (uint32_t i = 0; i < np; i++) {
		if (!part_ok(m, i))
			goto bad;
		children += m->parts[i].children;
	}
	if (children != np - 1u)
		goto bad;
	*out = m;
	return 0;
bad:
	correu_mime_message_free(m);
	return CORREU_ERR_SYNTAX;
}
