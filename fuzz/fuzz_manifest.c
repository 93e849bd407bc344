/* libFuzzer target: the dataset manifest loader (sw_dataset_load_ex) on arbitrary bytes, written
   as manifest.json into a private folder that also holds two small valid recordings (in.wav and
   out.wav, 48 kHz, and in44.wav at 44.1 kHz for the resampling path), so the fuzzer can reach
   everything after the audio is read: rates, latency, checks, spans. A refusal must be one
   SW_EINPUT/SW_ECHECK/SW_ENOMEM line; a loaded dataset must have its spans inside the audio. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/audio.h"
#include "../datasets/src/recipe.h"

static char dir[256], mpath[300];

static void cleanup(void) {
  const char *names[] = {"manifest.json", "in.wav", "out.wav", "in44.wav"};
  char p[320];
  for (int i = 0; i < 4; i++) {
    snprintf(p, sizeof p, "%s/%s", dir, names[i]);
    unlink(p);
  }
  rmdir(dir);
}

static void setup(void) {
  const char *t = getenv("TMPDIR");
  snprintf(dir, sizeof dir, "%s/sw_fuzz_manifest_XXXXXX", t && *t ? t : "/tmp");
  if (!mkdtemp(dir)) abort();
  atexit(cleanup);
  enum { N = 4800 };
  static float x[N], y[N];
  for (int i = 0; i < N; i++) {
    x[i] = 0.5f * (float)sin(0.05 * i) * (float)(i % 97) / 97.0f;
    y[i] = i >= 3 ? tanhf(2.0f * x[i - 3]) : 0.0f; /* a "device" with 3 samples of latency */
  }
  sw_err err;
  char p[320];
  snprintf(p, sizeof p, "%s/in.wav", dir);
  if (sw_audio_write(p, x, N, 48000, &err)) abort();
  snprintf(p, sizeof p, "%s/out.wav", dir);
  if (sw_audio_write(p, y, N, 48000, &err)) abort();
  snprintf(p, sizeof p, "%s/in44.wav", dir);
  if (sw_audio_write(p, x, N, 44100, &err)) abort();
  snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!dir[0]) setup();
  FILE *f = fopen(mpath, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
  sw_load_opts o = {.verify_hash = 1, .resample = size & 1, .override = size & 2 ? "all" : NULL};
  sw_dataset d;
  sw_load_report rep;
  sw_err err = {0};
  int rc = sw_dataset_load_ex(mpath, &o, &d, &rep, &err);
  if (rc) {
    if (rc != SW_EINPUT && rc != SW_ECHECK && rc != SW_ENOMEM) __builtin_trap();
    if (!err.msg[0] || strchr(err.msg, '\n')) __builtin_trap();
    return 0;
  }
  if (d.n < 2 || d.train_start < 0 || d.train_end > d.n || d.train_start >= d.train_end || d.val_start < 0 ||
      d.val_end > d.n || d.val_start >= d.val_end)
    __builtin_trap();
  for (long i = 0; i < d.n; i++)
    if (!isfinite(d.x[i]) || !isfinite(d.y[i])) __builtin_trap(); /* also touches every sample */
  sw_dataset_free(&d);
  return 0;
}
