/* FETCH responses: simple items, ENVELOPE, BODYSTRUCTURE and streamed
 * sections, from scripts in tests/data/imap, fed in every split. */
#include <criterion/criterion.h>

#include "imap_test.h"

Test(imap_fetch, simple)
{
	imap_run_file("fetch_simple.txt");
}
Test(imap_fetch, envelope)
{
	imap_run_file("fetch_envelope.txt");
}
Test(imap_fetch, body)
{
	imap_run_file("fetch_body.txt");
}
Test(imap_fetch, literal)
{
	imap_run_file("fetch_literal.txt");
}
