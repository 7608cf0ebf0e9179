#include "util/hash.h"

#include <string.h>

uint64_t kdr_hash64(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

uint64_t kdr_hash64_str(const char *s)
{
	return kdr_hash64(s, strlen(s), KDR_HASH64_SEED);
}

void kdr_rng_seed(struct kdr_rng *rng, uint64_t seed)
{
	rng->state = seed;
}

uint64_t kdr_rng_next(struct kdr_rng *rng)
{
	uint64_t z = (rng->state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

uint64_t kdr_rng_below(struct kdr_rng *rng, uint64_t bound)
{
	/* Rejection sampling keeps the choice unbiased. */
	uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
	uint64_t x;

	do {
		x = kdr_rng_next(rng);
	} while (x >= limit);
	return x % bound;
}
