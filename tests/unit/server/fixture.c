/* The server runtime tests' common set-up (see fixture.h). */
#include "fixture.h"

#include <criterion/criterion.h>
#include <string.h>

void fx_setup(fixture *f)
{
	memset(f, 0, sizeof(*f));
	test_settings(&f->set);
}

void fx_create(fixture *f)
{
	f->srv = test_server(&f->set);
}

void fx_serve(fixture *f, uint32_t mode, uint32_t flags, const correu_tls_config *tls)
{
	if (!f->srv)
		fx_create(f);
	f->port = test_listen(f->srv, mode, flags, tls, &f->cfg);
	srv_start(&f->st, f->srv);
}

void fx_start(fixture *f)
{
	fx_serve(f, CORREU_SERVER_LISTEN_PLAIN, 0, NULL);
}

int fx_connect(fixture *f, const char **greeting_out)
{
	int fd = cli_connect(f->port);
	const char *greeting = cli_expect(fd, "+OK hello");

	if (greeting_out)
		*greeting_out = greeting;
	return fd;
}

void fx_stop(fixture *f)
{
	srv_stop(&f->st, 1000);
}

void fx_end(fixture *f)
{
	fx_stop(f);
	correu_server_free(f->srv);
	f->srv = NULL;
}

correu_server_stats fx_stats(const fixture *f)
{
	correu_server_stats stats = { .version = CORREU_SERVER_STATS_VERSION };

	cr_assert_eq(correu_server_get_stats(f->srv, &stats), 0);
	return stats;
}
