/*
 * The server runtime's bookkeeping: addresses and trusted networks, the
 * bounded LRU address table, the auth back-off curve and its decay, and
 * the deadline heap.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"

static correu__addr A(const char *s)
{
	correu__addr a;

	cr_assert_eq(correu__addr_parse(&a, s, strlen(s)), 0, "%s", s);
	return a;
}

Test(addr, parses_strictly_and_prints_back)
{
	const char *ok[] = { "192.0.2.1", "2001:db8::1", "::1", "0.0.0.0" };
	const char *bad[] = { "192.0.2", "192.0.2.1.5", "01.2.3.4", "1.2.3.256", "fe80::1%eth0",
		              "", "2001:db8::1::2", " 1.2.3.4" };
	char text[CORREU__ADDR_TEXT];
	correu__addr a;
	uint32_t port;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		a = A(ok[i]);
		correu__addr_text(&a, text);
		cr_assert_str_eq(text, ok[i]);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(correu__addr_parse(&a, bad[i], strlen(bad[i])), CORREU_ERR_SYNTAX, "%s",
		             bad[i]);
	/* An IPv4-mapped IPv6 address is the IPv4 client. */
	a = A("::ffff:192.0.2.9");
	cr_assert(correu__addr_is_v4(&a));
	correu__addr_text(&a, text);
	cr_assert_str_eq(text, "192.0.2.9");
	cr_assert_eq(correu__addr_parse_peer(&a, &port, "[2001:db8::5]:993"), 0);
	cr_assert_eq(port, 993);
	correu__addr_text(&a, text);
	cr_assert_str_eq(text, "2001:db8::5");
	cr_assert_eq(correu__addr_parse_peer(&a, &port, "192.0.2.1:65536"), CORREU_ERR_SYNTAX);
}

static bool matches(const correu__cidr *c, const char *s)
{
	correu__addr a = A(s);

	return correu__cidr_match(c, &a);
}

Test(addr, ipv6_clients_are_grouped_by_prefix)
{
	correu__addr a = A("2001:db8:1:2:3:4:5:6"), b = A("2001:db8:1:2:ffff::1");
	correu__addr v4 = A("192.0.2.77");

	correu__addr_mask(&a, 32, 64);
	correu__addr_mask(&b, 32, 64);
	cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0);
	correu__addr_mask(&v4, 32, 64);
	b = A("192.0.2.77");
	cr_assert_eq(memcmp(&v4, &b, 16), 0, "an IPv4 address lost bits to the IPv6 prefix");
}

Test(addr, cidr_matches_at_the_prefix_edge)
{
	correu__cidr c;

	cr_assert_eq(correu__cidr_parse(&c, "192.0.2.0/24"), 0);
	cr_assert(matches(&c, "192.0.2.255"));
	cr_assert_not(matches(&c, "192.0.3.0"));
	cr_assert_not(matches(&c, "::c000:200"),
	              "an IPv6 address matched an IPv4 network");
	cr_assert_eq(correu__cidr_parse(&c, "2001:db8::/32"), 0);
	cr_assert(matches(&c, "2001:db8:ffff::1"));
	cr_assert_not(matches(&c, "2001:db9::"));
	cr_assert_eq(correu__cidr_parse(&c, "127.0.0.1"), 0);
	cr_assert(matches(&c, "127.0.0.1"));
	cr_assert_not(matches(&c, "127.0.0.2"));
	cr_assert_eq(correu__cidr_parse(&c, "0.0.0.0/0"), 0);
	cr_assert(matches(&c, "203.0.113.1"));
	cr_assert_not(matches(&c, "2001:db8::1"));
	cr_assert_eq(correu__cidr_parse(&c, "10.0.0.0/32"), 0);
	cr_assert_eq(correu__cidr_parse(&c, "10.0.0.0/33"), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu__cidr_parse(&c, "::/128"), 0);
	cr_assert_eq(correu__cidr_parse(&c, "::/129"), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu__cidr_parse(&c, "10.0.0.0/08"), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu__cidr_parse(&c, "10.0.0.0/"), CORREU_ERR_SYNTAX);
	cr_assert_eq(correu__cidr_parse(&c, "10.0.0.0/-1"), CORREU_ERR_SYNTAX);
}

/* Any key: these tests are about the table, not its hash. */
static const uint8_t key[CORREU__SIPHASH_KEY] = "table test key!";

static correu__addr nth(uint32_t i)
{
	uint8_t v4[4] = { 10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
	correu__addr a;

	correu__addr_from_v4(&a, v4);
	return a;
}

Test(addrmap, stays_bounded_and_forgets_the_least_recent)
{
	correu__addrmap m;
	correu__addr a;

	cr_assert_eq(correu__addrmap_init(&m, NULL, 4, key), 0);
	for (uint32_t i = 0; i < 4; i++) {
		a = nth(i);
		correu__addrmap_get(&m, &a)->count = i + 100;
	}
	cr_assert_eq(m.used, 4);
	/* Touch 0 so that 1 is now the least recently used. */
	a = nth(0);
	cr_assert_not_null(correu__addrmap_find(&m, &a));
	a = nth(99);
	cr_assert_eq(correu__addrmap_get(&m, &a)->count, 0);
	cr_assert_eq(m.used, 4, "the table grew past its capacity");
	a = nth(1);
	cr_assert_null(correu__addrmap_peek(&m, &a), "the least recently used entry stayed");
	for (uint32_t i = 0; i < 4; i++) {
		if (i == 1)
			continue;
		a = nth(i);
		cr_assert_eq(correu__addrmap_peek(&m, &a)->count, i + 100);
	}
	/* A flood of new addresses never grows it either. */
	for (uint32_t i = 1000; i < 3000; i++) {
		a = nth(i);
		cr_assert_not_null(correu__addrmap_get(&m, &a));
		cr_assert_leq(m.used, 4);
	}
	a = nth(2999);
	correu__addrmap_remove(&m, correu__addrmap_find(&m, &a));
	cr_assert_eq(m.used, 3);
	cr_assert_null(correu__addrmap_peek(&m, &a));
	correu__addrmap_deinit(&m);
}

static correu__backoff mk_backoff(uint32_t table)
{
	correu_server_settings s;
	correu__backoff b;

	cr_assert_eq(correu_server_settings_init(&s), 0);
	s.auth_table_size = table;
	cr_assert_eq(correu__backoff_init(&b, NULL, &s, key), 0);
	return b;
}

Test(backoff, doubles_to_the_cap_and_decays_when_quiet)
{
	correu__backoff b = mk_backoff(16);
	correu__addr a = nth(1), other = nth(2);
	uint64_t t = 1000;

	cr_assert_eq(correu__backoff_delay(&b, &a, t), 0);
	cr_assert_eq(correu__backoff_fail(&b, &a, t), 2000);
	cr_assert_eq(correu__backoff_fail(&b, &a, t), 4000);
	cr_assert_eq(correu__backoff_fail(&b, &a, t), 8000);
	cr_assert_eq(correu__backoff_fail(&b, &a, t), 15000);
	cr_assert_eq(correu__backoff_fail(&b, &a, t), 15000);
	cr_assert_eq(correu__backoff_delay(&b, &other, t), 0, "another address was penalised");
	/* Five failures; each quiet minute forgives one. */
	cr_assert_eq(correu__backoff_delay(&b, &a, t + 59999), 15000);
	cr_assert_eq(correu__backoff_delay(&b, &a, t + 60000), 15000); /* 4 left: 16 s capped */
	cr_assert_eq(correu__backoff_delay(&b, &a, t + 120000), 8000);
	cr_assert_eq(correu__backoff_delay(&b, &a, t + 180000), 4000);
	cr_assert_eq(correu__backoff_delay(&b, &a, t + 240000), 2000);
	cr_assert_eq(correu__backoff_delay(&b, &a, t + 300000), 0);
	/* A failure after a quiet spell starts from what is left. */
	cr_assert_eq(correu__backoff_fail(&b, &a, t + 240000), 4000);
	correu__backoff_success(&b, &a);
	cr_assert_eq(correu__backoff_delay(&b, &a, t + 240000), 0);
	correu__backoff_deinit(&b);
}

Test(backoff, table_of_zero_still_delays)
{
	correu__backoff b = mk_backoff(0);
	correu__addr a = nth(1);

	cr_assert_eq(correu__backoff_fail(&b, &a, 0), 2000);
	cr_assert_eq(correu__backoff_delay(&b, &a, 0), 0);
	correu__backoff_deinit(&b);
}

struct item {
	uint32_t slot;
	uint64_t when;
};

Test(heap, orders_moves_and_removes)
{
	enum { N = 200 };
	struct item it[N];
	correu__heap h;
	uint64_t last = 0;

	cr_assert_eq(correu__heap_init(&h, NULL, N), 0);
	srand(7);
	for (int i = 0; i < N; i++) {
		it[i].slot = UINT32_MAX;
		it[i].when = (uint64_t)(rand() % 1000);
		correu__heap_set(&h, &it[i], &it[i].slot, it[i].when);
	}
	/* Move half, remove a quarter. */
	for (int i = 0; i < N; i += 2) {
		it[i].when = (uint64_t)(rand() % 1000);
		correu__heap_set(&h, &it[i], &it[i].slot, it[i].when);
	}
	for (int i = 1; i < N; i += 4) {
		correu__heap_set(&h, &it[i], &it[i].slot, UINT64_MAX);
		cr_assert_eq(it[i].slot, UINT32_MAX);
	}
	cr_assert_eq(h.len, N - N / 4);
	while (correu__heap_top(&h)) {
		const correu__heapent *top = correu__heap_top(&h);
		struct item *x = top->item;

		cr_assert_geq(top->when, last);
		cr_assert_eq(top->when, x->when);
		last = top->when;
		correu__heap_set(&h, x, &x->slot, UINT64_MAX);
	}
	correu__heap_deinit(&h);
}
