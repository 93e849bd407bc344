/* Whole-model A/B on a noisy shared host: two builds of the library (revisions A and B, each a
   shared object loaded with its own symbols) stream the same input block by block, trial after
   trial in one process, so a slow phase of the host hits both alike; the minimum over trials is
   compared. One CSV row per width. Built and run by tools/model-ab.sh.
   The input is SPAN blocks long. Trials walk through it, B half of it ahead of A, so that B never
   reads what A has just brought into the caches: with SPAN = 100 (the default) every trial reads
   the same hot 100 blocks, with the 4500 of 6 s each block's input is cold, as in slimwave bench. */
#include <dlfcn.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <x86intrin.h>

typedef void *(*make_fn)(const char *path, const char *backend, const char *widths, int block);
typedef void (*process_fn)(void *wn, const float *in, float *out, long n);

enum { BLOCKS = 100 }; /* blocks per timed trial */

static void load(const char *so, make_fn *mk, process_fn *pr) {
  void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  if (!h) { fprintf(stderr, "model-ab: %s\n", dlerror()); exit(1); }
  *mk = (make_fn)dlsym(h, "ab_make");
  *pr = (process_fn)dlsym(h, "ab_process");
  if (!*mk || !*pr) { fprintf(stderr, "model-ab: %s: no ab_make/ab_process\n", so); exit(1); }
}

int main(int argc, char **argv) {
  if (argc < 9) {
    fprintf(stderr, "usage: model-ab A.so B.so MODEL BACKEND BLOCK TRIALS SPAN WIDTHS [WIDTHS ..]  (WIDTHS: full or 4,2)\n");
    return 2;
  }
  int T = atoi(argv[5]), trials = atoi(argv[6]), span = atoi(argv[7]);
  if (T < 1 || T > 4096 || trials < 1 || span < BLOCKS || span > 1 << 20) {
    fprintf(stderr, "model-ab: BLOCK %s, TRIALS %s, SPAN %s: block must be 1..4096, trials positive, span %d..%d\n",
            argv[5], argv[6], argv[7], BLOCKS, 1 << 20);
    return 2;
  }
  make_fn mk[2];
  process_fn pr[2];
  load(argv[1], &mk[0], &pr[0]);
  load(argv[2], &mk[1], &pr[1]);
  size_t n = (size_t)T * (size_t)span;
  float *in = malloc(n * sizeof *in), *out[2] = {malloc(n * sizeof(float)), malloc(n * sizeof(float))};
  if (!in || !out[0] || !out[1]) { fprintf(stderr, "model-ab: out of memory\n"); return 1; }
  srand(1);
  for (size_t i = 0; i < n; i++) in[i] = 0.3f * ((float)rand() / RAND_MAX * 2 - 1);
  printf("model,widths,backend,block,a_ticks_per_block,b_ticks_per_block,b_over_a,b_over_a_mean,max_abs_diff\n");
  for (int wi = 8; wi < argc; wi++) {
    const char *w = strcmp(argv[wi], "full") ? argv[wi] : "";
    void *m[2] = {mk[0](argv[3], argv[4], w, T), NULL};
    if (!m[0] || !(m[1] = mk[1](argv[3], argv[4], w, T))) return 1; /* one message, not one per build */
    unsigned long long best[2] = {~0ull, ~0ull};
    double sum[2] = {0, 0};
    for (int t = 0; t < trials; t++)
      for (int v = 0; v < 2; v++) {
        unsigned long long t0 = __rdtsc();
        for (int b = 0; b < BLOCKS; b++) {
          size_t o = (size_t)(((long)t * BLOCKS + b + v * (span / 2)) % span) * (size_t)T;
          pr[v](m[v], in + o, out[v] + o, T);
        }
        unsigned long long dt = __rdtsc() - t0;
        if (dt < best[v]) best[v] = dt;
        sum[v] += (double)dt;
      }
    char label[64]; /* 4,2 -> 4-2: a CSV field without a comma */
    snprintf(label, sizeof label, "%s", argv[wi]);
    for (char *c = label; *c; c++) if (*c == ',') *c = '-';
    double diff = 0; /* both streamed the same input: equal outputs unless the change alters numerics */
    for (size_t i = 0; i < n; i++) diff = fmax(diff, fabs((double)out[0][i] - out[1][i]));
    printf("%s,%s,%s,%d,%.0f,%.0f,%.3f,%.3f,%.3g\n", argv[3], label, argv[4], T, (double)best[0] / BLOCKS,
           (double)best[1] / BLOCKS, (double)best[1] / best[0], sum[1] / sum[0], diff);
    fflush(stdout);
  }
  return 0;
}
