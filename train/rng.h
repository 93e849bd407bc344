/* Deterministic random numbers for the trainer: xoshiro256** seeded through splitmix64
   (Blackman & Vigna). The whole state is the four words of sw_rng: copy them into a
   checkpoint and back to resume the exact same sequence. */
#ifndef SW_RNG_H
#define SW_RNG_H

#include <stdint.h>

typedef struct sw_rng {
  uint64_t s[4];
} sw_rng;

/* Expands a 64-bit seed with splitmix64 (never yields the all-zero state). */
void sw_rng_seed(sw_rng *r, uint64_t seed);
uint64_t sw_rng_next(sw_rng *r);
/* Advances by 2^128 draws: gives non-overlapping streams (e.g. one per thread or purpose). */
void sw_rng_jump(sw_rng *r);

/* Uniform integer in [0, n) without modulo bias (n >= 1). */
uint64_t sw_rng_below(sw_rng *r, uint64_t n);
/* Uniform integer in [lo, hi], lo <= hi. */
int sw_rng_int(sw_rng *r, int lo, int hi);
/* Uniform double in [0, 1) with 53 random bits; float in [0, 1) with 24. */
double sw_rng_uniform(sw_rng *r);
float sw_rng_uniformf(sw_rng *r);
/* Uniform double in [lo, hi). */
double sw_rng_range(sw_rng *r, double lo, double hi);

/* Fisher-Yates shuffles (uniform permutations). */
void sw_rng_shuffle_long(sw_rng *r, long *a, long n);
void sw_rng_shuffle_int(sw_rng *r, int *a, long n);

#endif
