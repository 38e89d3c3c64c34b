/*
 * Content-Type parsing for the MIME layer (RFC 2045 §5.1): type, subtype
 * and the parameter list, with the defaults of RFC 2045 §5.2 (text/plain)
 * and RFC 2046 §5.1.5 (message/rfc822 inside multipart/digest).
 */
#include "mime_internal.h"

void correu__mime_ctype_parse(const uint8_t *v, size_t len, struct correu__mime_ctype *ct)
{
	size_t i, t0, t1, s0, s1;

	ct->type = (const uint8_t *)"text";
	ct->type_len = 4;
	ct->sub = (const uint8_t *)"plain";
	ct->sub_len = 5;
	ct->params = (const uint8_t *)"";
	ct->params_len = 0;
	ct->given = false;
	if (!v)
		return;
	i = correu__mime_skip_cfws(v, len, 0);
	t0 = i;
	t1 = i = correu__mime_token_end(v, len, i);
	i = correu__mime_skip_cfws(v, len, i);
	if (t1 == t0 || i >= len || v[i] != '/')
		return; /* a syntax error means the default (RFC 2045 §5.2) */
	i = correu__mime_skip_cfws(v, len, i + 1);
	s0 = i;
	s1 = i = correu__mime_token_end(v, len, i);
	if (s1 == s0)
		return;
	ct->type = v + t0;
	ct->type_len = t1 - t0;
	ct->sub = v + s0;
	ct->sub_len = s1 - s0;
	ct->params = v + i;
	ct->params_len = len - i;
	ct->given = true;
}

void correu__mime_part_ctype(const correu_mime_message *m, uint32_t part,
                             struct correu__mime_ctype *ct)
{
	size_t len = 0;
	const uint8_t *v = correu__mime_field_value(m, part, "Content-Type", &len);

	correu__mime_ctype_parse(v, len, ct);
	if (!ct->given && m->parts[part].digest_child) {
		ct->type = (const uint8_t *)"message";
		ct->type_len = 7;
		ct->sub = (const uint8_t *)"rfc822";
		ct->sub_len = 6;
	}
}

bool correu__mime_param_next(const uint8_t *p, size_t len, size_t *ip,
                             struct correu__mime_rawparam *rp)
{
	size_t i = *ip;

	for (;;) {
		size_t n0, n1, v0, v1;

		/* Find the next ';' then "name = value"; skip garbage between. */
		while (i < len && p[i] != ';') {
			if (p[i] == '"')
				i = correu__mime_quoted_end(p, len, i);
			else
				i++;
		}
		if (i >= len) {
			*ip = len;
			return false;
		}
		i = correu__mime_skip_cfws(p, len, i + 1);
		n0 = i;
		n1 = i = correu__mime_token_end(p, len, i);
		i = correu__mime_skip_cfws(p, len, i);
		if (n1 == n0 || i >= len || p[i] != '=')
			continue;
		i = correu__mime_skip_cfws(p, len, i + 1);
		v0 = i;
		if (i < len && p[i] == '"')
			v1 = i = correu__mime_quoted_end(p, len, i);
		else
			v1 = i = correu__mime_token_end(p, len, i);
		rp->name = p + n0;
		rp->name_len = n1 - n0;
		rp->value = p + v0;
		rp->value_len = v1 - v0;
		rp->pos = n0;
		*ip = i;
		return true;
	}
}
