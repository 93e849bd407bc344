/* Runs the FMA peak kernels the CPU and OS can run and keeps the best of several runs. */
#include "fma_peak.h"

#include <time.h>

#include "../backends/cpu.h"

/* Thread CPU time: other processes sharing the core do not lower the figure. */
static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

volatile float sw_fma_sink; /* keeps the chains alive */

static double best_gflops(float (*k)(long), double flops_per_iter, double seconds) {
  long iters = 1000;
  double t;
  for (;;) { /* grow until one run takes >= 20 ms */
    double t0 = now();
    sw_fma_sink = k(iters);
    t = now() - t0;
    if (t >= 0.02 || iters > (1L << 40)) break;
    iters *= 2;
  }
  double best = flops_per_iter * (double)iters / t, end = now() + seconds;
  do {
    double t0 = now();
    sw_fma_sink = k(iters);
    double g = flops_per_iter * (double)iters / (now() - t0);
    if (g > best) best = g;
  } while (now() < end);
  return best * 1e-9;
}

void sw_fma_peak_measure(double seconds, sw_fma_peak *out) {
  *out = (sw_fma_peak){.best_isa = "none"};
#if defined(__x86_64__) || defined(__i386__)
  const sw_cpu *c = sw_cpu_get();
  out->avx2_ok = c->avx2 && c->fma && c->os_ymm;
  out->avx512_ok = c->avx512f && c->os_zmm;
  if (out->avx2_ok) out->avx2_gflops = best_gflops(sw_fma_chains_avx2, SW_FMA_AVX2_FLOPS_PER_ITER, seconds);
#ifdef SW_HAVE_AVX512_PEAK
  if (out->avx512_ok) out->avx512_gflops = best_gflops(sw_fma_chains_avx512, SW_FMA_AVX512_FLOPS_PER_ITER, seconds);
#else
  out->avx512_ok = false;
#endif
  if (out->avx2_ok) { out->best_gflops = out->avx2_gflops; out->best_isa = "avx2+fma"; }
  if (out->avx512_ok && out->avx512_gflops > out->best_gflops) { out->best_gflops = out->avx512_gflops; out->best_isa = "avx512f"; }
#else
  (void)seconds;
  (void)best_gflops;
#endif
}
