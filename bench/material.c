/* Program material for the benchmark: a real DI guitar recording, or a generated stand-in
   (plucked strings, Karplus-Strong) when none is available; never silence. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/audio.h"
#include "bench.h"

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* First *.wav (by name) in dir, or 0 if none. */
static int first_wav(const char *dir, char *out, size_t len) {
  DIR *d = opendir(dir);
  if (!d) return 0;
  char *names[256];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 256) {
    size_t l = strlen(e->d_name);
    if (l > 4 && !strcmp(e->d_name + l - 4, ".wav") && (names[n] = strdup(e->d_name))) n++;
  }
  closedir(d);
  if (!n) return 0;
  qsort(names, (size_t)n, sizeof *names, cmp_str);
  snprintf(out, len, "%s/%s", dir, names[0]);
  for (int i = 0; i < n; i++) free(names[i]);
  return 1;
}

/* 20 s of plucked notes in the guitar range, deterministic. */
static int generate(int rate, float **x, long *n) {
  long len = 20L * rate;
  float *y = calloc((size_t)len, sizeof *y), *line = malloc(sizeof(float) * (size_t)rate);
  if (!y || !line) { free(y); free(line); return -1; }
  unsigned s = 12345u;
  long t = 0;
  while (t < len) {
    s = s * 1664525u + 1013904223u;
    double f = 82.4 * pow(2.0, (double)(s >> 8 & 31) / 12.0); /* E2 .. two and a half octaves up */
    int p = (int)(rate / f);
    long dur = rate / 4 + (long)(s >> 16 & 0x3fff) * rate / 0x4000;
    for (int i = 0; i < p; i++) { s = s * 1664525u + 1013904223u; line[i] = 0.5f * ((float)(s >> 9) / 4194304.0f - 1.0f); }
    for (long j = 0; j < dur && t < len; j++, t++) {
      int i = (int)(j % p), k = (i + 1) % p;
      float v = line[i];
      line[i] = 0.996f * 0.5f * (line[i] + line[k]);
      y[t] += v;
    }
  }
  free(line);
  *x = y;
  *n = len;
  return 0;
}

int sw_bench_material(const char *path, int rate, float **x, long *n, char *what, int what_len, sw_err *err) {
  char found[1024];
  if (!path) {
    const char *shared = getenv("SLIMWAVE_SHARED");
    char dir[900];
    snprintf(dir, sizeof dir, "%s/datasets/di_guitar_nam_wasm", shared && *shared ? shared : "../shared");
    if (first_wav(dir, found, sizeof found)) path = found;
#ifdef SW_SOURCE_DIR
    else if (!(shared && *shared) && first_wav(SW_SOURCE_DIR "/../shared/datasets/di_guitar_nam_wasm", found, sizeof found))
      path = found;
#endif
  }
  if (!path) {
    if (generate(rate, x, n)) return sw_fail(err, SW_ENOMEM, "out of memory generating the test signal");
    snprintf(what, (size_t)what_len, "generated (no DI recording found)");
    return SW_OK;
  }
  sw_audio a;
  int rc = sw_audio_read(path, &a, err);
  if (rc) return rc;
  if (a.rate != rate) {
    sw_audio_free(&a);
    return sw_fail(err, SW_EINPUT, "%s: sample rate %d Hz, but the model expects %d Hz", path, a.rate, rate);
  }
  double peak = 0;
  for (long i = 0; i < a.n; i++) peak = fmax(peak, fabs(a.x[i]));
  if (peak == 0) { sw_audio_free(&a); return sw_fail(err, SW_EINPUT, "%s: silent (the benchmark needs program material)", path); }
  *x = a.x;
  *n = a.n;
  const char *base = strrchr(path, '/');
  snprintf(what, (size_t)what_len, "%s", base ? base + 1 : path);
  return SW_OK;
}
