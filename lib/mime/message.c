/*
 * The parsed message of the MIME layer: its part tree, its field table and
 * the string pool they point into, with the read-only accessors callers
 * use. Parts are stored in pre-order (the order they start in the message),
 * so part 0 is the message and a part's fields are contiguous.
 */
#include <string.h>

#include "mime_internal.h"

correu_mime_message *correu__mime_message_new(const correu_allocator *a)
{
	correu_mime_message *m = correu__calloc(a, sizeof(*m));

	if (!m)
		return NULL;
	m->alloc = a;
	/* Field and boundary limits bound the pool; this only stops overflow. */
	correu__buf_init(&m->pool, a, SIZE_MAX / 2);
	return m;
}

void correu_mime_message_free(correu_mime_message *m)
{
	if (!m)
		return;
	correu__free(m->alloc, m->parts, (size_t)m->parts_cap * sizeof(*m->parts));
	correu__free(m->alloc, m->fields, (size_t)m->fields_cap * sizeof(*m->fields));
	correu__buf_free(&m->pool, false);
	correu__free(m->alloc, m, sizeof(*m));
}

/* Grow an array of `size`-byte items to hold one more; false on NOMEM. */
static bool grow(const correu_allocator *a, void **arr, uint32_t *cap, uint32_t n, size_t size)
{
	uint32_t ncap;
	void *p;

	if (n < *cap)
		return true;
	if (*cap > UINT32_MAX / 2 || (size_t)*cap * 2 > SIZE_MAX / size)
		return false;
	ncap = *cap ? *cap * 2 : 8;
	p = correu__realloc(a, *arr, (size_t)*cap * size, (size_t)ncap * size);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

uint32_t correu__mime_message_add_part(correu_mime_message *m)
{
	struct correu__mime_part *p;

	if (!grow(m->alloc, (void **)&m->parts, &m->parts_cap, m->nparts, sizeof(*p)))
		return CORREU_MIME_NONE;
	p = &m->parts[m->nparts];
	memset(p, 0, sizeof(*p));
	p->parent = p->first_child = p->last_child = p->next_sibling = CORREU_MIME_NONE;
	p->field_first = m->nfields;
	return m->nparts++;
}

int correu__mime_message_add_field(correu_mime_message *m, const uint8_t *name, size_t nlen,
                                   const uint8_t *value, size_t vlen)
{
	struct correu__mime_field *f;
	size_t at = m->pool.len;
	int rc;

	if (nlen > UINT32_MAX || vlen > UINT32_MAX)
		return CORREU_ERR_LIMIT;
	if (!grow(m->alloc, (void **)&m->fields, &m->fields_cap, m->nfields, sizeof(*f)))
		return CORREU_ERR_NOMEM;
	rc = correu__buf_reserve(&m->pool, nlen + vlen);
	if (rc < 0)
		return rc;
	/* name and value are views into our own buffer when called from the
	 * parser, so copy only after the reserve above moved nothing more. */
	memmove(m->pool.data + at, name, nlen);
	memmove(m->pool.data + at + nlen, value, vlen);
	m->pool.len += nlen + vlen;
	f = &m->fields[m->nfields++];
	f->name_off = at;
	f->name_len = (uint32_t)nlen;
	f->value_off = at + nlen;
	f->value_len = (uint32_t)vlen;
	return 0;
}

const uint8_t *correu__mime_pool(const correu_mime_message *m, uint64_t off)
{
	return m->pool.data ? m->pool.data + off : (const uint8_t *)"";
}

uint32_t correu_mime_message_flags(const correu_mime_message *m)
{
	return m ? m->flags : 0;
}

uint64_t correu_mime_message_size(const correu_mime_message *m)
{
	return m ? m->size : 0;
}

uint32_t correu_mime_part_count(const correu_mime_message *m)
{
	return m ? m->nparts : 0;
}

int correu_mime_part_info_get(const correu_mime_message *m, uint32_t part,
                              correu_mime_part_info *info)
{
	const struct correu__mime_part *p;

	if (!m || !info || info->version != CORREU_MIME_PART_INFO_VERSION)
		return CORREU_ERR_ARG;
	if (part >= m->nparts)
		return CORREU_ERR_NOT_FOUND;
	p = &m->parts[part];
	info->kind = p->kind;
	info->parent = p->parent;
	info->first_child = p->first_child;
	info->next_sibling = p->next_sibling;
	info->children = p->children;
	info->depth = p->depth;
	info->flags = p->flags;
	info->header_offset = p->hdr_off;
	info->header_size = p->body_off - p->hdr_off;
	info->body_offset = p->body_off;
	info->body_size = p->end - p->body_off;
	info->body_lines = p->lines;
	info->header_bare_lf = p->hdr_bare;
	info->body_bare_lf = p->body_bare;
	return 0;
}

uint32_t correu_mime_field_count(const correu_mime_message *m, uint32_t part)
{
	if (!m || part >= m->nparts)
		return 0;
	return m->parts[part].field_count;
}

int correu_mime_field_get(const correu_mime_message *m, uint32_t part, uint32_t index,
                          const uint8_t **name, size_t *nlen, const uint8_t **value, size_t *vlen)
{
	const struct correu__mime_field *f;

	if (!m || !name || !nlen || !value || !vlen)
		return CORREU_ERR_ARG;
	if (part >= m->nparts || index >= m->parts[part].field_count)
		return CORREU_ERR_NOT_FOUND;
	f = &m->fields[m->parts[part].field_first + index];
	*name = correu__mime_pool(m, f->name_off);
	*nlen = f->name_len;
	*value = correu__mime_pool(m, f->value_off);
	*vlen = f->value_len;
	return 0;
}

int correu_mime_field_find(const correu_mime_message *m, uint32_t part, const char *name,
                           size_t name_len, uint32_t start)
{
	const struct correu__mime_part *p;

	if (!m || !name)
		return CORREU_ERR_ARG;
	if (part >= m->nparts)
		return CORREU_ERR_NOT_FOUND;
	p = &m->parts[part];
	for (uint32_t i = start; i < p->field_count && i <= INT32_MAX; i++) {
		const struct correu__mime_field *f = &m->fields[p->field_first + i];

		if (f->name_len != name_len)
			continue;
		if (correu__mime_ieqn(correu__mime_pool(m, f->name_off), (const uint8_t *)name,
		                      name_len))
			return (int)i;
	}
	return CORREU_ERR_NOT_FOUND;
}

const uint8_t *correu__mime_field_value(const correu_mime_message *m, uint32_t part,
                                        const char *name, size_t *len_out)
{
	int i = correu_mime_field_find(m, part, name, strlen(name), 0);
	const struct correu__mime_field *f;

	if (i < 0)
		return NULL;
	f = &m->fields[m->parts[part].field_first + (uint32_t)i];
	*len_out = f->value_len;
	return correu__mime_pool(m, f->value_off);
}
