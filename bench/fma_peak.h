/* Single-core FMA peak: independent FMA chains (more accumulators than latency x units) in
   AVX2 and AVX-512, each in its own file with its own ISA flags; run only where cpuid and the
   OS allow. The benchmark divides achieved GFLOP/s by the best usable peak. */
#ifndef SW_FMA_PEAK_H
#define SW_FMA_PEAK_H

#include <stdbool.h>

typedef struct sw_fma_peak {
  bool avx2_ok, avx512_ok;
  double avx2_gflops, avx512_gflops; /* best of repeats; 0 when not usable */
  double best_gflops;
  const char *best_isa;              /* "avx2+fma", "avx512f" or "none" */
} sw_fma_peak;

/* About `seconds` of work per usable ISA (best of several short runs, timed in thread CPU
   time so that other load on the machine does not lower it). */
void sw_fma_peak_measure(double seconds, sw_fma_peak *out);

/* Kernels: `iters` iterations of the chains; return a value that depends on every chain. */
float sw_fma_chains_avx2(long iters);
float sw_fma_chains_avx512(long iters);
#define SW_FMA_AVX2_FLOPS_PER_ITER (12.0 * 8 * 2)
#define SW_FMA_AVX512_FLOPS_PER_ITER (24.0 * 16 * 2)

#endif
