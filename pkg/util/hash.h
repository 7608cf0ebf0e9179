#ifndef KDR_UTIL_HASH_H
#define KDR_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a 64-bit: stable across runs and machines (placement seeds, fingerprints). */
uint64_t kdr_hash64(const void *data, size_t len, uint64_t seed);
uint64_t kdr_hash64_str(const char *s);

#define KDR_HASH64_SEED UINT64_C(0xcbf29ce484222325)

/* A small deterministic PRNG (splitmix64) for seeded choices. */
struct kdr_rng {
	uint64_t state;
};
void kdr_rng_seed(struct kdr_rng *rng, uint64_t seed);
uint64_t kdr_rng_next(struct kdr_rng *rng);
/* Uniform in [0, bound); bound > 0. */
uint64_t kdr_rng_below(struct kdr_rng *rng, uint64_t bound);

#endif
