/*
 * The keyed hash of the runtime's address tables: SipHash-2-4 against the
 * paper's test vector, addresses a client can choose (one IPv6 /64, a run
 * of IPv4 neighbours) spread over the chains, lookups that stay right when
 * every entry shares one chain, and a fresh key for every loop.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "server/server_int.h"

/* The key of the paper's appendix A: 00 01 02 ... 0f. */
static void paper_key(uint8_t k[CORREU__SIPHASH_KEY])
{
	for (int i = 0; i < CORREU__SIPHASH_KEY; i++)
		k[i] = (uint8_t)i;
}

Test(siphash, matches_the_papers_vectors)
{
	uint8_t k[CORREU__SIPHASH_KEY], msg[15];

	paper_key(k);
	for (int i = 0; i < 15; i++)
		msg[i] = (uint8_t)i;
	/* Appendix A: the 15-byte message 00 .. 0e. */
	cr_assert_eq(correu__siphash24(k, msg, sizeof(msg)), 0xa129ca6149be45e5u);
	/* The reference implementation's vectors for the empty and the
	 * one-byte message (a last word with the length only, and with one
	 * byte under it). */
	cr_assert_eq(correu__siphash24(k, msg, 0), 0x726fdb47dd0e0e31u);
	cr_assert_eq(correu__siphash24(k, msg, 1), 0x74f839c593dc67fdu);
}

Test(siphash, the_key_changes_every_hash)
{
	uint8_t k1[CORREU__SIPHASH_KEY], k2[CORREU__SIPHASH_KEY], msg[16] = { 0 };

	paper_key(k1);
	memcpy(k2, k1, sizeof(k2));
	k2[15] ^= 1;
	for (size_t len = 0; len <= sizeof(msg); len++)
		cr_assert_neq(correu__siphash24(k1, msg, len), correu__siphash24(k2, msg, len),
		              "length %zu", len);
}

static correu__addr v6(uint32_t low)
{
	correu__addr a = { { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0 } };

	/* One /64 and the interface identifiers a client picks from it. */
	for (int i = 0; i < 4; i++)
		a.b[15 - i] = (uint8_t)(low >> (8 * i));
	return a;
}

static correu__addr v4(uint32_t i)
{
	uint8_t b[4] = { 198, 51, (uint8_t)(i >> 8), (uint8_t)i };
	correu__addr a;

	correu__addr_from_v4(&a, b);
	return a;
}

/* The longest chain after adding n addresses made by `mk`. */
static uint32_t longest_chain(const uint8_t *key, uint32_t n, correu__addr (*mk)(uint32_t))
{
	static uint32_t load[4096];
	correu__addrmap m;
	uint32_t most = 0;

	cr_assert_leq(n, 4096);
	cr_assert_eq(correu__addrmap_init(&m, NULL, n, key), 0);
	memset(load, 0, sizeof(load));
	for (uint32_t i = 0; i < n; i++) {
		correu__addr a = mk(i);
		uint32_t b = correu__addrmap_bucket(&m, &a);

		cr_assert_not_null(correu__addrmap_get(&m, &a));
		if (++load[b] > most)
			most = load[b];
	}
	cr_assert_eq(m.used, n, "distinct addresses were merged");
	correu__addrmap_deinit(&m);
	return most;
}

Test(addrmap_hash, chosen_addresses_spread_over_the_chains)
{
	uint8_t k[CORREU__SIPHASH_KEY];

	paper_key(k);
	/* n keys in n chains: a random function's longest chain is about
	 * ln n / ln ln n (5 or 6 here); 12 leaves room for any key while a
	 * table that puts the run of neighbours together fails by far. */
	cr_assert_leq(longest_chain(k, 4096, v6), 12);
	cr_assert_leq(longest_chain(k, 4096, v4), 12);
	k[0] ^= 0x80;
	cr_assert_leq(longest_chain(k, 4096, v6), 12);
	cr_assert_leq(longest_chain(k, 4096, v4), 12);
}

enum { CAP = 8 };

/* Addresses of the /64 that the key puts in chain 0: what an attacker
 * who knew the key would send. */
static void colliding(const correu__addrmap *m, correu__addr *out, size_t n)
{
	uint32_t low = 0;

	for (size_t found = 0; found < n; low++) {
		correu__addr a = v6(low);

		cr_assert_lt(low, 1u << 20, "no collisions found");
		if (correu__addrmap_bucket(m, &a) == 0)
			out[found++] = a;
	}
}

Test(addrmap_hash, lookups_stay_right_on_one_chain)
{
	uint8_t k[CORREU__SIPHASH_KEY];
	correu__addr a[CAP + 2];
	correu__addrmap m;

	paper_key(k);
	cr_assert_eq(correu__addrmap_init(&m, NULL, CAP, k), 0);
	colliding(&m, a, CAP + 2);
	for (uint32_t i = 0; i < CAP; i++)
		correu__addrmap_get(&m, &a[i])->count = 100 + i;
	for (uint32_t i = 0; i < CAP; i++)
		cr_assert_eq(correu__addrmap_peek(&m, &a[i])->count, 100 + i, "entry %u", i);
	cr_assert_null(correu__addrmap_peek(&m, &a[CAP]), "found an address never added");
	/* Out of the middle of the chain, then back at its head. */
	correu__addrmap_remove(&m, correu__addrmap_find(&m, &a[3]));
	cr_assert_null(correu__addrmap_peek(&m, &a[3]));
	cr_assert_eq(correu__addrmap_get(&m, &a[3])->count, 0);
	correu__addrmap_find(&m, &a[3])->count = 103;
	/* Full: a new address pushes out the least recently used (a[0]). */
	correu__addrmap_get(&m, &a[CAP])->count = 200;
	cr_assert_null(correu__addrmap_peek(&m, &a[0]));
	for (uint32_t i = 1; i < CAP; i++)
		cr_assert_eq(correu__addrmap_peek(&m, &a[i])->count, 100 + i, "entry %u", i);
	cr_assert_eq(correu__addrmap_peek(&m, &a[CAP])->count, 200);
	cr_assert_eq(m.used, CAP);
	correu__addrmap_deinit(&m);
}

Test(addrmap_hash, another_key_breaks_the_collisions_up)
{
	uint8_t k[CORREU__SIPHASH_KEY];
	correu__addr a[CAP];
	correu__addrmap m, other;
	bool spread = false;

	paper_key(k);
	cr_assert_eq(correu__addrmap_init(&m, NULL, CAP, k), 0);
	colliding(&m, a, CAP);
	k[7] ^= 0x01;
	cr_assert_eq(correu__addrmap_init(&other, NULL, CAP, k), 0);
	for (int i = 1; i < CAP; i++)
		spread |= correu__addrmap_bucket(&other, &a[i]) !=
		          correu__addrmap_bucket(&other, &a[0]);
	cr_assert(spread, "addresses found under one key still collide under another");
	correu__addrmap_deinit(&m);
	correu__addrmap_deinit(&other);
}

Test(addrmap_hash, every_loop_draws_its_own_keys)
{
	correu_server *a = NULL, *b = NULL;

	cr_assert_eq(correu_server_new(NULL, NULL, &a), 0);
	cr_assert_eq(correu_server_new(NULL, NULL, &b), 0);
	cr_assert_neq(memcmp(a->per_ip.key, b->per_ip.key, CORREU__SIPHASH_KEY), 0);
	cr_assert_neq(memcmp(a->per_ip.key, a->backoff.map.key, CORREU__SIPHASH_KEY), 0,
	              "the per-IP and back-off tables share a key");
	correu_server_free(a);
	correu_server_free(b);
}
