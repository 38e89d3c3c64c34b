/*
 * Folder names (store layer): the checks a caller's UTF-8 name must pass and
 * its mapping onto a Maildir++ directory. INBOX is the root; "A.B" is the
 * directory ".A.B" with each name in modified UTF-7 (the codec layer's), as
 * Dovecot's default LAYOUT=maildir++ stores it.
 */
#include <string.h>
#include <strings.h>

#include "correu/codec.h"
#include "maildir_internal.h"

/* The codec's modified UTF-7 (RFC 3501 section 5.1.3), NUL-terminated, and
 * with "does not fit" reported as the store's LIMIT. */
static int mutf7_result(correu_ssize n, char *out, size_t cap, size_t *len_out)
{
	*len_out = 0;
	if (n == CORREU_ERR_BUFFER || (n >= 0 && (size_t)n >= cap))
		return CORREU_ERR_LIMIT;
	if (n < 0)
		return (int)n;
	out[n] = '\0';
	*len_out = (size_t)n;
	return 0;
}

int correu__md_utf8_to_mutf7(const char *in, size_t len, char *out, size_t cap,
                             size_t *len_out)
{
	if (!cap)
		return CORREU_ERR_LIMIT;
	return mutf7_result(correu_mutf7_encode(in, len, out, cap - 1), out, cap, len_out);
}

int correu__md_mutf7_to_utf8(const char *in, size_t len, char *out, size_t cap,
                             size_t *len_out)
{
	if (!cap)
		return CORREU_ERR_LIMIT;
	return mutf7_result(correu_mutf7_decode(in, len, out, cap - 1), out, cap, len_out);
}

int correu__md_name_check(const char *name, size_t len, bool *is_inbox)
{
	char tmp[1024];
	size_t olen;

	if (!name || !len)
		return CORREU_ERR_ARG;
	if (len >= sizeof(tmp) / 4)
		return CORREU_ERR_LIMIT;
	/* "." is the hierarchy separator: no empty component anywhere. */
	if (name[0] == '.' || name[len - 1] == '.')
		return CORREU_ERR_ARG;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/* "/" would leave the Maildir; controls have no place in a name. */
		if (c < 0x20 || c == 0x7f || c == '/')
			return CORREU_ERR_ARG;
		if (c == '.' && name[i + 1] == '.')
			return CORREU_ERR_ARG;
	}
	/* Valid UTF-8 is what the encoder checks. */
	if (correu__md_utf8_to_mutf7(name, len, tmp, sizeof(tmp), &olen) < 0)
		return CORREU_ERR_ARG;
	*is_inbox = len == 5 && strncasecmp(name, "INBOX", 5) == 0;
	return 0;
}

int correu__md_name_encode(correu_maildir *md, const char *name, size_t len, char *buf,
                           size_t cap, size_t *len_out)
{
	bool inbox;
	int rc = correu__md_name_check(name, len, &inbox);

	if (rc < 0)
		return rc;
	rc = correu__md_utf8_to_mutf7(name, len, buf, cap, len_out);
	if (rc < 0)
		return rc == CORREU_ERR_LIMIT ? rc : CORREU_ERR_ARG;
	/* +1 for the leading "." of the directory name */
	if (*len_out + 1 > md->set.max_name)
		return CORREU_ERR_LIMIT;
	return 0;
}

int correu__md_folder_dir(correu_maildir *md, const char *name, size_t len, char *buf,
                          bool *is_inbox)
{
	char enc[1024];
	size_t elen;
	int rc = correu__md_name_check(name, len, is_inbox);

	if (rc < 0)
		return rc;
	if (*is_inbox) {
		memcpy(buf, md->root, md->root_len + 1);
		return 0;
	}
	rc = correu__md_name_encode(md, name, len, enc + 1, sizeof(enc) - 1, &elen);
	if (rc < 0)
		return rc;
	enc[0] = '.';
	return correu__md_path(buf, md->root, enc);
}
