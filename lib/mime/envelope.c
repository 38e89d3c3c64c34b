/*
 * The IMAP ENVELOPE of a message (RFC 9051 §7.5.2, RFC 3501 §7.4.2), from
 * its raw header fields: date, subject, from, sender, reply-to, to, cc,
 * bcc, in-reply-to, message-id. Strings are the unfolded raw values
 * (encoded words left as they are); an absent field is NIL.
 */
#include "mime_internal.h"

static void put_field(const correu_mime_message *m, uint32_t part, const char *name, uint32_t flags,
                      struct correu__mime_out *o)
{
	size_t n = 0;
	const uint8_t *v = correu__mime_field_value(m, part, name, &n);

	correu__mime_put_nstring(o, v, n, flags);
}

void correu__mime_envelope(const correu_mime_message *m, uint32_t part, uint32_t flags,
                           struct correu__mime_out *o)
{
	correu__mime_put(o, "(", 1);
	put_field(m, part, "Date", flags, o);
	correu__mime_put(o, " ", 1);
	put_field(m, part, "Subject", flags, o);
	correu__mime_put(o, " ", 1);
	correu__mime_put_addresses(m, part, "From", NULL, flags, o);
	correu__mime_put(o, " ", 1);
	correu__mime_put_addresses(m, part, "Sender", "From", flags, o);
	correu__mime_put(o, " ", 1);
	correu__mime_put_addresses(m, part, "Reply-To", "From", flags, o);
	correu__mime_put(o, " ", 1);
	correu__mime_put_addresses(m, part, "To", NULL, flags, o);
	correu__mime_put(o, " ", 1);
	correu__mime_put_addresses(m, part, "Cc", NULL, flags, o);
	correu__mime_put(o, " ", 1);
	correu__mime_put_addresses(m, part, "Bcc", NULL, flags, o);
	correu__mime_put(o, " ", 1);
	put_field(m, part, "In-Reply-To", flags, o);
	correu__mime_put(o, " ", 1);
	put_field(m, part, "Message-ID", flags, o);
	correu__mime_put(o, ")", 1);
}
