/*
 * Names of the IMAP parser's response kinds, items and response codes
 * (IMAP layer): for logs, tests and the Python constants, and the table the
 * status parser looks response codes up in (RFC 9051 §7.1, RFC 5530).
 */
#include <string.h>
#include <strings.h>

#include "imap_internal.h"

static const char *const resp_names[] = {
	NULL,         "OK",      "NO",    "BAD",       "PREAUTH",  "BYE",     "CONTINUE",
	"CAPABILITY", "ENABLED", "LIST",  "LSUB",      "STATUS",   "SEARCH",  "ESEARCH",
	"SORT",       "THREAD",  "FLAGS", "EXISTS",    "RECENT",   "EXPUNGE", "VANISHED",
	"NAMESPACE",  "ID",      "QUOTA", "QUOTAROOT", "METADATA", "FETCH",   "OTHER",
};

static const char *const item_names[] = {
	NULL,
	"ATOM",
	"FLAG",
	"CHARSET",
	"NUMBER",
	"MODSEQ",
	"SEQSET",
	"THREAD_OPEN",
	"THREAD_CLOSE",
	"ESEARCH_TAG",
	"ESEARCH_UID",
	"ESEARCH_MIN",
	"ESEARCH_MAX",
	"ESEARCH_COUNT",
	"MBOX_ATTR",
	"DELIMITER",
	"MAILBOX",
	"CHILDINFO",
	"OLDNAME",
	"STATUS_MESSAGES",
	"STATUS_RECENT",
	"STATUS_UIDNEXT",
	"STATUS_UIDVALIDITY",
	"STATUS_UNSEEN",
	"STATUS_DELETED",
	"STATUS_SIZE",
	"STATUS_HIGHESTMODSEQ",
	"STATUS_APPENDLIMIT",
	"STATUS_MAILBOXID",
	"NAMESPACE_PERSONAL",
	"NAMESPACE_OTHER",
	"NAMESPACE_SHARED",
	"NAMESPACE_ENTRY",
	"NAMESPACE_EXT",
	"ID_FIELD",
	"QUOTA_ROOT",
	"QUOTA_RESOURCE",
	"METADATA_ENTRY",
	"UID",
	"FLAGS",
	"INTERNALDATE",
	"RFC822_SIZE",
	"FETCH_MODSEQ",
	"EMAILID",
	"THREADID",
	"PREVIEW",
	"BINARY_SIZE",
	"ENVELOPE",
	"ENV_DATE",
	"ENV_SUBJECT",
	"ENV_FROM",
	"ENV_SENDER",
	"ENV_REPLY_TO",
	"ENV_TO",
	"ENV_CC",
	"ENV_BCC",
	"ADDRESS",
	"ENV_IN_REPLY_TO",
	"ENV_MESSAGE_ID",
	"BODY",
	"BODYSTRUCTURE",
	"PART_BEGIN",
	"PART_SUBTYPE",
	"PART_PARAM",
	"PART_FIELDS",
	"PART_LINES",
	"PART_MD5",
	"PART_DISPOSITION",
	"PART_DISPOSITION_PARAM",
	"PART_LANGUAGE",
	"PART_LOCATION",
	"PART_EXTENSION",
	"PART_END",
	"BODY_SECTION",
	"BINARY_SECTION",
	"RFC822",
	"RFC822_HEADER",
	"RFC822_TEXT",
	"OTHER",
};

/* Indexed by code; the spelling is the one on the wire. */
static const char *const code_names[] = {
	NULL,
	"ALERT",
	"BADCHARSET",
	"CAPABILITY",
	"PARSE",
	"PERMANENTFLAGS",
	"READ-ONLY",
	"READ-WRITE",
	"TRYCREATE",
	"UIDNEXT",
	"UIDVALIDITY",
	"UNSEEN",
	"APPENDUID",
	"COPYUID",
	"UIDNOTSTICKY",
	"HIGHESTMODSEQ",
	"NOMODSEQ",
	"MODIFIED",
	"CLOSED",
	"TOOBIG",
	"NOTSAVED",
	"HASCHILDREN",
	"UNAVAILABLE",
	"AUTHENTICATIONFAILED",
	"AUTHORIZATIONFAILED",
	"EXPIRED",
	"PRIVACYREQUIRED",
	"CONTACTADMIN",
	"NOPERM",
	"INUSE",
	"EXPUNGEISSUED",
	"CORRUPTION",
	"SERVERBUG",
	"CLIENTBUG",
	"CANNOT",
	"LIMIT",
	"OVERQUOTA",
	"ALREADYEXISTS",
	"NONEXISTENT",
	"METADATA",
	"OTHER",
};

static const char *lookup(const char *const *t, size_t n, uint32_t v)
{
	return v < n && t[v] ? t[v] : "?";
}

const char *correu_imap_resp_name(uint32_t resp)
{
	return lookup(resp_names, CORREU__ARRAY_LEN(resp_names), resp);
}

const char *correu_imap_item_name(uint32_t item)
{
	return lookup(item_names, CORREU__ARRAY_LEN(item_names), item);
}

const char *correu_imap_code_name(uint32_t code)
{
	if (code == CORREU_IMAP_CODE_NONE)
		return "";
	if (code == CORREU_IMAP_CODE_OTHER)
		return "?";
	return lookup(code_names, CORREU__ARRAY_LEN(code_names), code);
}

uint32_t correu__imap_code_lookup(const char *name, size_t len)
{
	uint32_t i;

	for (i = 1; i < CORREU_IMAP_CODE_OTHER; i++)
		if (strlen(code_names[i]) == len && strncasecmp(code_names[i], name, len) == 0)
			return i;
	return CORREU_IMAP_CODE_OTHER;
}
