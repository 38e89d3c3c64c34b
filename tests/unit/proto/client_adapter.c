/* What the client transcript adapters share (see client_adapter.h). */
#include "client_adapter.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

void client_core_init(struct client_core *k, const correu__proto_core *ops, void *client,
                      transcript *t)
{
	k->ops = ops;
	k->client = client;
	k->t = t;
	k->now = 1000;
}

int client_core_recv(void *core, const uint8_t *p, size_t n)
{
	struct client_core *k = core;
	correu_ssize rc = k->ops->recv(k->client, p, n, k->now);

	cr_assert(rc < 0 || (size_t)rc == n, "recv consumed %td of %zu", rc, n);
	return rc < 0 ? (int)rc : 0;
}

const uint8_t *client_core_send_buf(void *core, size_t *len)
{
	struct client_core *k = core;

	return k->ops->send_buf(k->client, len);
}

void client_core_send_ack(void *core, size_t n)
{
	struct client_core *k = core;

	cr_assert_eq(k->ops->send_ack(k->client, n), 0);
}

int client_test_random(uint8_t *buf, size_t len, void *userdata)
{
	(void)userdata;
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 37u + 11u);
	return 0;
}

bool client_policy_option(const char *line, const uint32_t policies[4], uint32_t *out)
{
	static const char *const names[4] = { "policy none", "policy opportunistic",
		                              "policy required", "policy implicit" };

	for (size_t i = 0; i < 4; i++)
		if (strcmp(line, names[i]) == 0) {
			*out = policies[i];
			return true;
		}
	return false;
}

void client_words_split(struct client_words *a, const char *args, size_t len)
{
	size_t max = sizeof(a->w) / sizeof(a->w[0]);
	bool quoted = false;
	char *p;

	a->buf = malloc(len + 1);
	cr_assert(a->buf != NULL);
	memcpy(a->buf, args, len);
	a->buf[len] = '\0';
	a->n = 0;
	for (p = a->buf; *p && a->n < max;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		a->w[a->n++] = p;
		for (; *p && (quoted || *p != ' '); p++)
			if (*p == '"')
				quoted = !quoted;
		if (*p)
			*p++ = '\0';
		if (strcmp(a->w[a->n - 1], "\"\"") == 0)
			a->w[a->n - 1] += 2;
	}
}

void client_words_free(struct client_words *a)
{
	free(a->buf);
	a->buf = NULL;
}

void client_auth_set(struct client_auth *a, const char *mech, const char *user, const char *pass)
{
	a->mech = 0;
	if (strcmp(mech, "auto") != 0) {
		a->mech = correu_sasl_mech_from_name(mech, strlen(mech));
		cr_assert(a->mech > 0, "unknown mechanism %s", mech);
	}
	memset(&a->cr, 0, sizeof(a->cr));
	a->cr.version = CORREU_SASL_CREDENTIALS_VERSION;
	a->cr.username = user;
	a->cr.username_len = strlen(user);
	a->cr.password = pass;
	a->cr.password_len = strlen(pass);
	correu_sasl_settings_init(&a->ss);
	a->ss.random = client_test_random;
}

void client_auth_words(struct client_auth *a, const struct client_words *w)
{
	cr_assert(w->n == 3, "auth MECH|auto user password");
	client_auth_set(a, w->w[0], w->w[1], w->w[2]);
}

const char *const client_scram_pencil[2] = {
	"+ cj0tUnc/ZDBVekJnM1h9RWo2WyItUnc/ZC1zcnZOT05DRTEyMyxzPWMyRnNkSE5oYkhSellX"
	"eDBNVEl6TkE9PSxpPTQwOTY=\r\n",
	"+ dj1oOW5tbGg2OEVUZHRVaVF6VVNYK1QrMzlIY20zbDFFRi9zQWVvakIzcENzPQ==\r\n",
};

int client_drain(const correu__proto_core *ops, void *client)
{
	size_t len;

	while (ops->send_buf(client, &len) && len) {
		int rc = ops->send_ack(client, len);

		if (rc < 0)
			return rc;
	}
	return 0;
}

int client_feed(const correu__proto_core *ops, void *client, const char *s)
{
	correu_ssize n = ops->recv(client, (const uint8_t *)s, strlen(s), 0);

	return n < 0 ? (int)n : client_drain(ops, client);
}

void client_piece_add(struct split_out *o, const uint8_t *p, size_t n, size_t max)
{
	/* Bounded chunks: never more than the limit, never empty. */
	cr_assert(n > 0 && n <= max, "chunk of %zu bytes", n);
	split_out_bytes(o, p, n);
}

void client_pieces_clear(struct split_out *o)
{
	o->len = 0;
	if (o->text)
		o->text[0] = '\0';
}
