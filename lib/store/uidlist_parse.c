/*
 * The dovecot-uidlist parser (store layer), incremental and I/O-free so that
 * it can be fuzzed and fed any split of its input. Version 3 (Dovecot 1.1
 * and later) is the format we write:
 *
 *   header: "3" then space-separated <key><value> fields: V<uidvalidity>
 *           N<nextuid> G<mailbox guid, 32 hex digits>, others kept as read
 *   record: <uid> [<key><value> ...] :<filename>
 *
 * Version 1 (Courier's courierimapuiddb, "1 <uidvalidity> <nextuid>" then
 * "<uid> <filename>") is read too. A header we cannot read is an error; a
 * bad record line ends the parse (what came before stays valid), which is
 * how the caller can keep every UID it can prove.
 */
#include <string.h>

#include "maildir_internal.h"

void correu__md_uidlist_parser_init(md_uidlist_parser *p, const correu_allocator *a,
                                    size_t max_line, md_uidlist_rec_fn rec, void *ud)
{
	memset(p, 0, sizeof(*p));
	correu__buf_init(&p->line, a, max_line);
	correu__buf_init(&p->hdr_ext, a, max_line);
	p->rec = rec;
	p->ud = ud;
}

void correu__md_uidlist_parser_resume(md_uidlist_parser *p, uint32_t version,
                                      uint32_t last_uid)
{
	p->header_done = true;
	p->version = version;
	p->last_uid = last_uid;
}

void correu__md_uidlist_parser_free(md_uidlist_parser *p)
{
	correu__buf_free(&p->line, false);
	correu__buf_free(&p->hdr_ext, false);
}

/* A decimal uint32 of at least one digit; advances *i. */
static bool parse_u32(const char *s, size_t len, size_t *i, uint32_t *out)
{
	uint64_t v = 0;
	size_t start = *i;

	while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
		v = v * 10 + (uint64_t)(s[*i] - '0');
		if (v > UINT32_MAX)
			return false;
		(*i)++;
	}
	*out = (uint32_t)v;
	return *i > start;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int header_v3(md_uidlist_parser *p, const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start, end;
		char key;

		if (s[i] == ' ') {
			i++;
			continue;
		}
		start = i;
		while (i < len && s[i] != ' ')
			i++;
		end = i;
		key = s[start];
		if (key == 'V' || key == 'N') {
			size_t j = start + 1;
			uint32_t v;

			if (!parse_u32(s, end, &j, &v) || j != end)
				return CORREU_ERR_SYNTAX;
			if (key == 'V')
				p->uidvalidity = v;
			else
				p->next_uid = v;
		} else if (key == 'G') {
			if (end - start != 33)
				return CORREU_ERR_SYNTAX;
			for (size_t k = 0; k < 16; k++) {
				int h = hexval(s[start + 1 + 2 * k]);
				int l = hexval(s[start + 2 + 2 * k]);

				if (h < 0 || l < 0)
					return CORREU_ERR_SYNTAX;
				p->guid[k] = (uint8_t)(h << 4 | l);
			}
			p->have_guid = true;
		} else {
			/* Fields we do not know are Dovecot's: keep them. */
			int rc = 0;

			if (p->hdr_ext.len)
				rc = correu__buf_append(&p->hdr_ext, " ", 1);
			if (rc == 0)
				rc = correu__buf_append(&p->hdr_ext, s + start, end - start);
			if (rc < 0)
				return rc;
		}
	}
	return 0;
}

static int header_line(md_uidlist_parser *p, const char *s, size_t len)
{
	size_t i = 2;
	int rc = 0;

	if (len < 2 || s[1] != ' ' || (s[0] != '1' && s[0] != '3'))
		return CORREU_ERR_SYNTAX;
	p->version = (uint32_t)(s[0] - '0');
	if (p->version == 3) {
		rc = header_v3(p, s + 2, len - 2);
	} else if (!parse_u32(s, len, &i, &p->uidvalidity) || i >= len || s[i++] != ' ' ||
	           !parse_u32(s, len, &i, &p->next_uid) || i != len) {
		rc = CORREU_ERR_SYNTAX;
	}
	if (rc == 0 && (p->uidvalidity == 0 || p->next_uid == 0))
		rc = CORREU_ERR_SYNTAX;
	return rc;
}

/* One record line: returns 0, the callback's code, or SYNTAX (broken). */
static int record_line(md_uidlist_parser *p, const char *s, size_t len)
{
	size_t i = 0, ext_start, ext_end;
	uint32_t uid;

	if (!parse_u32(s, len, &i, &uid) || uid == 0 || uid == UINT32_MAX || i >= len ||
	    s[i] != ' ' || uid <= p->last_uid)
		return CORREU_ERR_SYNTAX;
	while (i < len && s[i] == ' ')
		i++;
	ext_start = ext_end = i;
	if (p->version == 3) {
		/* Extension fields up to the token that starts with ':'. */
		while (i < len && s[i] != ':') {
			while (i < len && s[i] != ' ')
				i++;
			ext_end = i;
			while (i < len && s[i] == ' ')
				i++;
		}
		if (i >= len)
			return CORREU_ERR_SYNTAX;
		i++; /* the ':' */
	}
	if (i >= len)
		return CORREU_ERR_SYNTAX;
	for (size_t k = i; k < len; k++) {
		if (s[k] == '/' || s[k] == '\r' || s[k] == '\0')
			return CORREU_ERR_SYNTAX;
	}
	p->last_uid = uid;
	if (p->next_uid <= uid)
		p->next_uid = uid + 1;
	return p->rec ? p->rec(p->ud, uid, s + ext_start, ext_end - ext_start, s + i, len - i)
	              : 0;
}

static int one_line(md_uidlist_parser *p, const char *s, size_t len)
{
	int rc;

	if (!p->header_done) {
		rc = header_line(p, s, len);
		if (rc < 0)
			return rc;
		p->header_done = true;
		return 0;
	}
	rc = record_line(p, s, len);
	if (rc == CORREU_ERR_SYNTAX) {
		p->broken = true;
		return 0;
	}
	return rc;
}

int correu__md_uidlist_feed(md_uidlist_parser *p, const uint8_t *data, size_t len)
{
	size_t i = 0;

	while (i < len && !p->broken) {
		const uint8_t *nl = memchr(data + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (data + i)) : len - i;
		size_t line_len = n;
		int rc;

		if (!nl) {
			/* A partial line waits for the rest; the limit is
			 * checked before the copy. */
			return correu__buf_append(&p->line, data + i, n);
		}
		if (p->line.len) {
			rc = correu__buf_append(&p->line, data + i, n);
			line_len = p->line.len;
			if (rc == 0)
				rc = one_line(p, (const char *)p->line.data, p->line.len);
			p->line.len = 0;
		} else if (n > p->line.max) {
			rc = CORREU_ERR_LIMIT;
		} else {
			rc = one_line(p, (const char *)data + i, n);
		}
		if (rc < 0)
			return rc;
		if (!p->broken)
			p->consumed += line_len + 1;
		i += n + 1;
	}
	return 0;
}
