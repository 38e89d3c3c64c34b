/* IMAP responses of every kind but FETCH, from scripts in tests/data/imap,
 * each fed whole, byte by byte and split at every offset. */
#include <criterion/criterion.h>

#include "imap_test.h"

Test(imap_responses, status)
{
	imap_run_file("status.txt");
}
Test(imap_responses, capability)
{
	imap_run_file("capability.txt");
}
Test(imap_responses, mailbox)
{
	imap_run_file("mailbox.txt");
}
Test(imap_responses, list)
{
	imap_run_file("list.txt");
}
Test(imap_responses, list_utf8)
{
	imap_run_file("list_utf8.txt");
}
Test(imap_responses, status_resp)
{
	imap_run_file("status_resp.txt");
}
Test(imap_responses, search)
{
	imap_run_file("search.txt");
}
Test(imap_responses, thread)
{
	imap_run_file("thread.txt");
}
Test(imap_responses, namespace)
{
	imap_run_file("namespace.txt");
}
Test(imap_responses, id)
{
	imap_run_file("id.txt");
}
Test(imap_responses, quota)
{
	imap_run_file("quota.txt");
}
Test(imap_responses, metadata)
{
	imap_run_file("metadata.txt");
}
Test(imap_responses, other)
{
	imap_run_file("other.txt");
}
Test(imap_responses, malformed)
{
	imap_run_file("malformed.txt");
}

Test(imap_responses, dovecot_session)
{
	imap_run_file("dovecot_session.txt");
}
