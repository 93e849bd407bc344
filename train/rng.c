/* xoshiro256** with splitmix64 seeding, bounded integers by rejection, Fisher-Yates. */
#include "rng.h"

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void sw_rng_seed(sw_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
  if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3])) r->s[0] = 1; /* cannot happen; be safe */
}

uint64_t sw_rng_next(sw_rng *r) {
  uint64_t *s = r->s;
  uint64_t out = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return out;
}

void sw_rng_jump(sw_rng *r) {
  static const uint64_t J[4] = {0x180ec6d33cfd0abaULL, 0xd5a61266f0c9392cULL, 0xa9582618e03fc9aaULL,
                                0x39abdc4529b1661cULL};
  uint64_t t[4] = {0, 0, 0, 0};
  for (int i = 0; i < 4; i++)
    for (int b = 0; b < 64; b++) {
      if (J[i] & (1ULL << b))
        for (int k = 0; k < 4; k++) t[k] ^= r->s[k];
      sw_rng_next(r);
    }
  for (int k = 0; k < 4; k++) r->s[k] = t[k];
}

/* Rejection on the top of the range: exact uniformity for any n. */
uint64_t sw_rng_below(sw_rng *r, uint64_t n) {
  if (n <= 1) return 0;
  uint64_t lim = UINT64_MAX - UINT64_MAX % n; /* accept x < lim: lim is a multiple of n */
  uint64_t x;
  do x = sw_rng_next(r);
  while (x >= lim);
  return x % n;
}

int sw_rng_int(sw_rng *r, int lo, int hi) {
  return lo + (int)sw_rng_below(r, (uint64_t)((int64_t)hi - lo + 1));
}

double sw_rng_uniform(sw_rng *r) { return (double)(sw_rng_next(r) >> 11) * 0x1.0p-53; }
float sw_rng_uniformf(sw_rng *r) { return (float)(sw_rng_next(r) >> 40) * 0x1.0p-24f; }
double sw_rng_range(sw_rng *r, double lo, double hi) { return lo + (hi - lo) * sw_rng_uniform(r); }

void sw_rng_shuffle_long(sw_rng *r, long *a, long n) {
  for (long i = n - 1; i > 0; i--) {
    long j = (long)sw_rng_below(r, (uint64_t)i + 1);
    long t = a[i]; a[i] = a[j]; a[j] = t;
  }
}

void sw_rng_shuffle_int(sw_rng *r, int *a, long n) {
  for (long i = n - 1; i > 0; i--) {
    long j = (long)sw_rng_below(r, (uint64_t)i + 1);
    int t = a[i]; a[i] = a[j]; a[j] = t;
  }
}
