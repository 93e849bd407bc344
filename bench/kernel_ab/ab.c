/* Kernel A/B on a noisy shared host: calls one inference layer of variant A, then the same layer
   of variant B, trial after trial in one process, so a slow phase of the host (they last
   seconds here and move whole runs by 10%) hits both alike; the minimum over trials of each is
   compared. Writes one CSV row per layer shape. Built and run by tools/kernel-ab.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <x86intrin.h>

#include "core/backend.h"

void ab_layer_a(const sw_layer_args *a);
void ab_layer_b(const sw_layer_args *a);
void ab_init_a(void);

static float *rnd(size_t n) {
  float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
  if (!p) { fprintf(stderr, "kernel-ab: out of memory\n"); exit(1); }
  for (size_t i = 0; i < n; i++) p[i] = (float)rand() / RAND_MAX * 2 - 1;
  return p;
}

enum { CALLS = 16 }; /* calls per timed trial: one call at narrow widths is near rdtsc's granularity */

static void run(int C, int T, int d, int trials) {
  const int K = 3;
  ptrdiff_t ld = T + (K - 1) * d + 64;
  float *h = rnd((size_t)C * ld) + (K - 1) * d + 16, *w = rnd((size_t)C * C * K);
  for (int i = 0; i < C * C * K; i++) w[i] *= 0.3f; /* keep z in tanh's working range */
  sw_layer_args a = {.C = C, .K = K, .d = d, .T = T, .act = {.kind = SW_ACT_TANH}, .w = w, .b = rnd(C), .ldw = C * K,
                     .m = rnd(C), .v = rnd((size_t)C * C), .vb = rnd(C), .ldv = C, .h = h, .ldh = ld, .x = rnd(T + 64),
                     .h_out = rnd((size_t)C * ld), .ldo = ld, .s = rnd((size_t)C * ld), .lds = ld,
                     .scratch = rnd(sw_layer_scratch_floats(C, T))};
  unsigned long long ma = ~0ull, mb = ~0ull;
  double sa = 0, sb = 0;
  for (int i = 0; i < trials; i++) {
    unsigned long long t0 = __rdtsc();
    for (int r = 0; r < CALLS; r++) ab_layer_a(&a);
    unsigned long long t1 = __rdtsc();
    for (int r = 0; r < CALLS; r++) ab_layer_b(&a);
    unsigned long long t2 = __rdtsc();
    if (t1 - t0 < ma) ma = t1 - t0;
    if (t2 - t1 < mb) mb = t2 - t1;
    sa += (double)(t1 - t0), sb += (double)(t2 - t1);
  }
  printf("%d,%d,%d,%.1f,%.1f,%.3f,%.3f\n", C, T, d, (double)ma / CALLS, (double)mb / CALLS, (double)mb / ma, sb / sa);
  fflush(stdout);
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: kernel-ab T D TRIALS C [C ..]\n");
    return 2;
  }
  int T = atoi(argv[1]), d = atoi(argv[2]), trials = atoi(argv[3]);
  if (T < 1 || T > 65536 || d < 1 || d > 65536 || trials < 1) {
    fprintf(stderr, "kernel-ab: BLOCK %s, DIL %s, TRIALS %s: each must be a positive integer (block, dilation <= 65536)\n",
            argv[1], argv[2], argv[3]);
    return 2;
  }
  for (int i = 4; i < argc; i++)
    if (atoi(argv[i]) < 1 || atoi(argv[i]) > 64) {
      fprintf(stderr, "kernel-ab: WIDTHS: %s channels is not in 1..64\n", argv[i]);
      return 2;
    }
  ab_init_a(); /* FTZ/DAZ, the same for both */
  printf("channels,block,dilation,tsc_min_a,tsc_min_b,b_over_a_min,b_over_a_mean\n");
  for (int i = 4; i < argc; i++) run(atoi(argv[i]), T, d, trials);
  return 0;
}
