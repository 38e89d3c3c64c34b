/*
 * The IMAP client's capability set (IMAP layer): every capability the
 * server listed, kept as sent, with a bit for each one the core acts on
 * and the "AUTH=" mechanisms gathered for correu_sasl_choose(). The list
 * comes from a CAPABILITY response or a CAPABILITY response code (RFC 9051
 * §7.2.2, §7.1) and is replaced whole each time.
 */
#include <string.h>

#include "client_internal.h"

static const struct {
	const char *name;
	uint32_t bit;
} known[] = {
	{ "IMAP4rev1", CORREU_IMAP_CAP_IMAP4REV1 },
	{ "IMAP4rev2", CORREU_IMAP_CAP_IMAP4REV2 },
	{ "STARTTLS", CORREU_IMAP_CAP_STARTTLS },
	{ "LOGINDISABLED", CORREU_IMAP_CAP_LOGINDISABLED },
	{ "SASL-IR", CORREU_IMAP_CAP_SASL_IR },
	{ "LITERAL+", CORREU_IMAP_CAP_LITERAL_PLUS },
	{ "LITERAL-", CORREU_IMAP_CAP_LITERAL_MINUS },
	{ "IDLE", CORREU_IMAP_CAP_IDLE },
	{ "ENABLE", CORREU_IMAP_CAP_ENABLE },
	{ "CONDSTORE", CORREU_IMAP_CAP_CONDSTORE },
	{ "QRESYNC", CORREU_IMAP_CAP_QRESYNC },
	{ "UTF8=ACCEPT", CORREU_IMAP_CAP_UTF8_ACCEPT },
	{ "LIST-EXTENDED", CORREU_IMAP_CAP_LIST_EXTENDED },
	{ "LIST-STATUS", CORREU_IMAP_CAP_LIST_STATUS },
	{ "SPECIAL-USE", CORREU_IMAP_CAP_SPECIAL_USE },
	{ "ESEARCH", CORREU_IMAP_CAP_ESEARCH },
	{ "SORT", CORREU_IMAP_CAP_SORT },
	{ "MOVE", CORREU_IMAP_CAP_MOVE },
	{ "UIDPLUS", CORREU_IMAP_CAP_UIDPLUS },
	{ "NAMESPACE", CORREU_IMAP_CAP_NAMESPACE },
	{ "ID", CORREU_IMAP_CAP_ID },
	{ "QUOTA", CORREU_IMAP_CAP_QUOTA },
	{ "UNSELECT", CORREU_IMAP_CAP_UNSELECT },
	{ "BINARY", CORREU_IMAP_CAP_BINARY },
	{ "MULTIAPPEND", CORREU_IMAP_CAP_MULTIAPPEND },
	{ "CHILDREN", CORREU_IMAP_CAP_CHILDREN },
};

bool correu__imapc_eq_nocase(const char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		char x = a[i], y = b[i];

		if (x >= 'a' && x <= 'z')
			x = (char)(x - 32);
		if (y >= 'a' && y <= 'z')
			y = (char)(y - 32);
		if (x != y)
			return false;
	}
	return true;
}

uint32_t correu__imapc_cap_bit(const char *name, size_t len)
{
	for (size_t i = 0; i < CORREU__ARRAY_LEN(known); i++)
		if (correu__imapc_eq_nocase(name, len, known[i].name, strlen(known[i].name)))
			return known[i].bit;
	/* RFC 5256: THREAD=<algorithm>, one per algorithm offered. */
	if (len > 7 && correu__imapc_eq_nocase(name, 7, "THREAD=", 7))
		return CORREU_IMAP_CAP_THREAD;
	/* RFC 5465's ESORT and friends imply nothing here. */
	return 0;
}

void correu__imapc_caps_init(correu__imapc_caps *c, const correu_allocator *a, size_t max)
{
	c->mask = 0;
	correu__buf_init(&c->names, a, max);
	correu__buf_init(&c->mechs, a, max);
}

void correu__imapc_caps_clear(correu__imapc_caps *c)
{
	c->mask = 0;
	c->names.len = 0;
	c->mechs.len = 0;
}

void correu__imapc_caps_free(correu__imapc_caps *c)
{
	correu__buf_free(&c->names, false);
	correu__buf_free(&c->mechs, false);
	c->mask = 0;
}

static int add_word(correu__buf *b, const char *p, size_t len)
{
	int rc = b->len ? correu__buf_append(b, " ", 1) : 0;

	return rc == 0 ? correu__buf_append(b, p, len) : rc;
}

int correu__imapc_caps_add(correu__imapc_caps *c, const char *name, size_t len)
{
	int rc;

	if (len == 0)
		return 0;
	rc = add_word(&c->names, name, len);
	if (rc == 0 && len > 5 && correu__imapc_eq_nocase(name, 5, "AUTH=", 5))
		rc = add_word(&c->mechs, name + 5, len - 5);
	if (rc == 0)
		c->mask |= correu__imapc_cap_bit(name, len);
	return rc;
}

bool correu__imapc_caps_has(const correu__imapc_caps *c, const char *name, size_t len)
{
	const char *p = (const char *)c->names.data;

	for (size_t i = 0; i < c->names.len;) {
		size_t j = i;

		while (j < c->names.len && p[j] != ' ')
			j++;
		if (correu__imapc_eq_nocase(p + i, j - i, name, len))
			return true;
		i = j + 1;
	}
	return false;
}
