/*
 * Content-Type parsing for the MIME layer (RFC 2045 §5.1): type, subtype
 * and the parameter list, with the defaults of RFC 2045 §5.2 (text/plain)
 * and RFC 2046 §5.1.5 (message/rfc822 inside multipart/digest).
 */
#include "mime_internal.h"

void mime__ctype_parse(const uint8_t *v, size_t len, struct mime__ctype *ct)
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
	i = mime__skip_cfws(v, len, 0);
	t0 = i;
	t1 = i = mime__token_end(v, len, i);
	i = mime__skip_cfws(v, len, i);
	if (t1 == t0 || i >= len || v[i] != '/')
		return; /* a syntax error means the default (RFC 2045 §5.2) */
	i = mime__skip_cfws(v, len, i + 1);
	s0 = i;
	s1 = i = mime__token_end(v, len, i);
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

void mime__part_ctype(const correu_mime_message *m, uint32_t part, struct mime__ctype *ct)
{
	size_t len = 0;
	const uint8_t *v = mime__field_value(m, part, "Content-Type", &len);

	mime__ctype_parse(v, len, ct);
	if (!ct->given && m->parts[part].digest_child) {
		ct->type = (const uint8_t *)"message";
		ct->type_len = 7;
		ct->sub = (const uint8_t *)"rfc822";
		ct->sub_len = 6;
	}
}

bool mime__param_next(const uint8_t *p, size_t len, size_t *ip, struct mime__rawparam *rp)
{
	size_t i = *ip;

	for (;;) {
		size_t n0, n1, v0, v1;

		/* Find the next ';' then "name = value"; skip garbage between. */
		while (i < len && p[i] != ';') {
			if (p[i] == '"')
				i = mime__quoted_end(p, len, i);
			else
				i++;
		}
		if (i >= len) {
			*ip = len;
			return false;
		}
		i = mime__skip_cfws(p, len, i + 1);
		n0 = i;
		n1 = i = mime__token_end(p, len, i);
		i = mime__skip_cfws(p, len, i);
		if (n1 == n0 || i >= len || p[i] != '=')
			continue;
		i = mime__skip_cfws(p, len, i + 1);
		v0 = i;
		if (i < len && p[i] == '"')
			v1 = i = mime__quoted_end(p, len, i);
		else
			v1 = i = mime__token_end(p, len, i);
		rp->name = p + n0;
		rp->name_len = n1 - n0;
		rp->value = p + v0;
		rp->value_len = v1 - v0;
		rp->pos = n0;
		*ip = i;
		return true;
	}
}
