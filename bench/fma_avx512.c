/* AVX-512F peak kernel (compiled with -mavx512f, called only when cpuid + xgetbv allow).
   24 independent accumulators of the 32 zmm registers. */
#include <immintrin.h>

#include "fma_peak.h"

float sw_fma_chains_avx512(long iters) {
  __m512 a = _mm512_set1_ps(0.9999999f), b = _mm512_set1_ps(1e-7f);
  __m512 c[24];
  for (int j = 0; j < 24; j++) c[j] = _mm512_set1_ps(0.05f * (float)(j + 1));
  for (long i = 0; i < iters; i++) {
    /* fully unrolled so the chains stay in registers */
#pragma GCC unroll 24
    for (int j = 0; j < 24; j++) c[j] = _mm512_fmadd_ps(c[j], a, b);
  }
  __m512 s = c[0];
  for (int j = 1; j < 24; j++) s = _mm512_add_ps(s, c[j]);
  return _mm512_reduce_add_ps(s);
}
