/* Datasets without external programs: latency calibration recovers known delays exactly, the
   checks refuse clipping / a mismatched validation repeat / length and rate mismatches with clear
   messages and honour the override, and the manifest loader refuses bad files cleanly. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/audio.h"
#include "../datasets/src/recipe.h"
#include "check.h"

#define RATE 48000
static char dir[256];

static const char *tp(const char *name) {
  static char buf[4][512];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

/* A guitar-like DI file (decaying plucked partials), so the signal needs no fluidsynth. */
static void write_di(const char *path, double secs) {
  long n = (long)(secs * RATE);
  float *x = calloc((size_t)n, sizeof(float));
  unsigned s = 7;
  for (long t0 = 0; t0 < n; t0 += RATE / 4) {
    s = s * 1103515245u + 12345u;
    double f = 82.4 * pow(2, (s >> 16) % 24 / 12.0);
    for (long i = 0; i < RATE && t0 + i < n; i++)
      x[t0 + i] += (float)(0.25 * exp(-3.0 * i / RATE) * (sin(2 * M_PI * f * i / RATE) + 0.3 * sin(4 * M_PI * f * i / RATE)));
  }
  sw_err err;
  sw_audio_write(path, x, n, RATE, &err);
  free(x);
}

/* The test device: delay d samples, gain, a soft nonlinearity. */
static void device(const float *x, float *y, long n, long d, float g) {
  for (long i = 0; i < n; i++) y[i] = i >= d ? (float)tanh(g * x[i - d]) : 0.0f;
}

static int run_checks(const float *x, long nx, int rx, const float *y, long ny, int ry, const char *ov, sw_check_report *r) {
  sw_wav a = {.x = (float *)x, .n = nx, .rate = rx, .channels = 1, .full = 1.0};
  sw_wav b = {.x = (float *)y, .n = ny, .rate = ry, .channels = 1, .full = 1.0};
  sw_layout5 l;
  sw_err err;
  if (sw_layout5_make(nx, rx, &l, &err)) return -1;
  return sw_checks_run("in.wav", &a, "out.wav", &b, rx == ry ? &l : NULL, ov, r, &err);
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/sw_test_dataset_checks.%d", (int)getpid());
  mkdir(dir, 0777);
  write_di(tp("di.wav"), 16);
  sw_signal_opts so = {.rate = RATE, .seconds = 30, .di = tp("di.wav")};
  float *x;
  long n;
  char desc[1024];
  sw_err err = {0};
  int rc = sw_signal_make(&so, &x, &n, desc, sizeof desc, &err);
  CHECK(rc == 0, "signal from DI: %s", err.msg);
  if (rc) return check_summary();
  sw_layout5 l;
  sw_layout5_make(n, RATE, &l, &err);
  CHECK(n == 30 * RATE, "length %ld", n);
  CHECK(!memcmp(x, x + l.val2_start, sizeof(float) * (size_t)(l.val1_end)), "validation segment repeated bit for bit");
  CHECK(x[l.blip1] == 0.5f && x[l.blip2] == 0.5f && x[l.blip1 - 1] == 0 && x[l.blip1 + 1] == 0, "blips at 10.5 and 11.5 s");
  float pk = 0;
  for (long i = 0; i < n; i++) pk = fmaxf(pk, fabsf(x[i]));
  CHECK(pk > 0.2f && pk < 1.0f, "signal peak %g below full scale", pk);

  /* Known delays are recovered exactly; latency is one sample less (safety). */
  float *y = malloc(sizeof(float) * (size_t)n);
  static const long delays[] = {0, 1, 17, 33};
  for (int i = 0; i < 4; i++) {
    device(x, y, n, delays[i], 1.5f);
    sw_calib c;
    sw_calibrate(y, n, &l, &c, &err);
    CHECK(c.found && c.delay == delays[i] && c.latency == delays[i] - 1, "delay %ld: found %d delay %ld latency %ld", delays[i], c.found, c.delay, c.latency);
    sw_check_report r;
    rc = run_checks(x, n, RATE, y, n, RATE, NULL, &r);
    CHECK(rc == 0 && r.failed == 0, "delay %ld: all checks pass (%d failed: %s)", delays[i], r.failed, r.c[SW_CK_REPEAT].msg);
    CHECK(r.repeat_esr < 1e-10, "delay %ld: repeat ESR %g", delays[i], r.repeat_esr);
  }

  /* Clipping. */
  device(x, y, n, 5, 1.0f);
  for (long i = 0; i < n; i++) y[i] = fmaxf(-1.0f, fminf(1.0f, 8 * y[i]));
  sw_check_report r;
  run_checks(x, n, RATE, y, n, RATE, NULL, &r);
  CHECK(r.c[SW_CK_CLIP].state == 1 && strstr(r.c[SW_CK_CLIP].msg, "clips") && strstr(r.c[SW_CK_CLIP].msg, "out.wav"), "clipping refused: %s", r.c[SW_CK_CLIP].msg);
  CHECK(r.failed == 1, "only clipping failed (%d)", r.failed);
  run_checks(x, n, RATE, y, n, RATE, "clipping", &r);
  CHECK(r.c[SW_CK_CLIP].state == 2 && r.failed == 0, "clipping overridden");
  /* Mismatched validation repeat: the device drifts (gain changes in the last segment). */
  device(x, y, n, 5, 1.0f);
  for (long i = l.val2_start; i < n; i++) y[i] *= 0.7f;
  run_checks(x, n, RATE, y, n, RATE, NULL, &r);
  CHECK(r.c[SW_CK_REPEAT].state == 1 && strstr(r.c[SW_CK_REPEAT].msg, "differ") && r.repeat_esr > 0.01, "repeat refused: %s", r.c[SW_CK_REPEAT].msg);
  run_checks(x, n, RATE, y, n, RATE, "validation-repeat", &r);
  CHECK(r.failed == 0 && r.c[SW_CK_REPEAT].state == 2, "repeat overridden");
  /* Length mismatch (2 s short) and rate mismatch. */
  device(x, y, n, 5, 1.0f);
  run_checks(x, n, RATE, y, n - 2 * RATE, RATE, NULL, &r);
  CHECK(r.c[SW_CK_LENGTH].state == 1 && strstr(r.c[SW_CK_LENGTH].msg, "more than 1 s"), "length refused: %s", r.c[SW_CK_LENGTH].msg);
  run_checks(x, n, RATE, y, n - RATE / 2, RATE, NULL, &r);
  CHECK(r.c[SW_CK_LENGTH].state == 0, "0.5 s shorter is within 1 s: %s", r.c[SW_CK_LENGTH].msg);
  run_checks(x, n, RATE, y, n, 44100, NULL, &r);
  CHECK(r.c[SW_CK_RATE].state == 1 && strstr(r.c[SW_CK_RATE].msg, "44100"), "rate refused: %s", r.c[SW_CK_RATE].msg);
  run_checks(x, n, RATE, y, n, 44100, "all", &r);
  CHECK(r.failed == 0 && r.c[SW_CK_RATE].state == 2, "override all");
  sw_wav a = {.x = x, .n = n, .rate = RATE, .full = 1}, b = a;
  CHECK(sw_checks_run("a", &a, "b", &b, &l, "clipin", &r, &err) == SW_EUSAGE && strstr(err.msg, "clipin"), "unknown override name refused: %s", err.msg);

  /* Manifest: a dataset with latency auto, loaded and aligned. */
  device(x, y, n, 17, 1.5f);
  sw_audio_write(tp("in.wav"), x, n, RATE, &err);
  sw_audio_write(tp("out.wav"), y, n, RATE, &err);
  FILE *f = fopen(tp("m.json"), "w");
  fprintf(f, "{\"name\": \"t\", \"input\": \"in.wav\", \"output\": \"out.wav\", \"sample_rate\": 48000, \"layout\": \"nam-v3\", \"latency\": \"auto\"}\n");
  fclose(f);
  sw_dataset d;
  rc = sw_dataset_load(tp("m.json"), &d, &err);
  CHECK(rc == 0, "load: %s", err.msg);
  if (!rc) {
    CHECK(d.latency == 16 && d.rate == RATE, "latency %ld", d.latency);
    CHECK(d.y[l.blip1 + 1] == y[l.blip1 + 17] && d.x[l.blip1] == x[l.blip1], "aligned: y shifted left by 16");
    CHECK(d.train_start == 10 * RATE && d.train_end == 21 * RATE && d.val_start == 21 * RATE && d.val_end <= n, "spans [%ld,%ld) [%ld,%ld)", d.train_start, d.train_end, d.val_start, d.val_end);
    sw_dataset_free(&d);
  }
  /* A numeric latency and seconds spans. */
  f = fopen(tp("m2.json"), "w");
  fprintf(f, "{\"input\": \"in.wav\", \"output\": \"out.wav\", \"sample_rate\": 48000, \"latency\": 16, \"train\": [10, 20], \"validation\": [21, 29]}\n");
  fclose(f);
  rc = sw_dataset_load(tp("m2.json"), &d, &err);
  CHECK(rc == 0 && d.train_end == 20 * RATE && d.val_start == 21 * RATE && d.latency == 16, "seconds spans: %s", err.msg);
  if (!rc) sw_dataset_free(&d);

  /* Bad files: one clear line naming the file, no crash. */
  struct { const char *name, *content, *frag; int code; } bad[] = {
    {"empty.wav", "", "empty", SW_EINPUT},
    {"text.wav", "this is not audio at all, just text\n", "not a readable audio file", SW_EINPUT},
  };
  for (int i = 0; i < 2; i++) {
    f = fopen(tp(bad[i].name), "w");
    fputs(bad[i].content, f);
    fclose(f);
    f = fopen(tp("mb.json"), "w");
    fprintf(f, "{\"input\": \"in.wav\", \"output\": \"%s\", \"sample_rate\": 48000, \"latency\": 0}\n", bad[i].name);
    fclose(f);
    rc = sw_dataset_load(tp("mb.json"), &d, &err);
    CHECK(rc == bad[i].code && strstr(err.msg, bad[i].name) && strstr(err.msg, bad[i].frag), "%s: %d %s", bad[i].name, rc, err.msg);
  }
  /* NaN samples. */
  y[12345] = NAN;
  sw_audio_write(tp("nan.wav"), y, n, RATE, &err);
  f = fopen(tp("mb.json"), "w");
  fprintf(f, "{\"input\": \"in.wav\", \"output\": \"nan.wav\", \"sample_rate\": 48000}\n");
  fclose(f);
  rc = sw_dataset_load(tp("mb.json"), &d, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, "nan.wav") && strstr(err.msg, "not a finite"), "NaN: %s", err.msg);
  /* Truncated audio (header says more than is there). */
  FILE *src = fopen(tp("in.wav"), "rb"), *dst = fopen(tp("trunc.wav"), "wb");
  char buf[4096];
  for (int i = 0; i < 100; i++) fwrite(buf, 1, fread(buf, 1, sizeof buf, src), dst);
  fclose(src), fclose(dst);
  f = fopen(tp("mb.json"), "w");
  fprintf(f, "{\"input\": \"trunc.wav\", \"output\": \"out.wav\", \"sample_rate\": 48000}\n");
  fclose(f);
  rc = sw_dataset_load(tp("mb.json"), &d, &err);
  CHECK(rc != 0 && strstr(err.msg, "trunc.wav"), "truncated: %d %s", rc, err.msg);
  /* Malformed manifest, rate mismatch without --resample, bad latency. */
  f = fopen(tp("mb.json"), "w");
  fprintf(f, "{\"input\": \"in.wav\", \"output\": ");
  fclose(f);
  rc = sw_dataset_load(tp("mb.json"), &d, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, "mb.json") && strstr(err.msg, "malformed"), "malformed: %s", err.msg);
  /* Rates: a short custom-layout pair at 48 kHz named 44.1 kHz in the manifest. */
  sw_audio_write(tp("s_in.wav"), x, 2 * RATE, RATE, &err);
  sw_audio_write(tp("s_out.wav"), x, 2 * RATE, RATE, &err);
  f = fopen(tp("mb.json"), "w");
  fprintf(f, "{\"input\": \"s_in.wav\", \"output\": \"s_out.wav\", \"sample_rate\": 44100, \"layout\": \"custom\"}\n");
  fclose(f);
  rc = sw_dataset_load(tp("mb.json"), &d, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, "--resample") && strstr(err.msg, "s_in.wav"), "rate mismatch: %s", err.msg);
  sw_load_opts lo = {.resample = 1};
  rc = sw_dataset_load_ex(tp("mb.json"), &lo, &d, NULL, &err);
  CHECK(rc == 0 && d.rate == 44100 && labs(d.n - 2L * 44100) < 50, "resampled to 44.1 kHz: %s (n %ld)", err.msg, d.n);
  if (!rc) {
    CHECK(d.train_start == 0 && d.train_end == d.val_start && d.val_start == lround(d.n * 0.7) && d.val_end == d.n, "custom spans: 70%% / 30%%");
    sw_dataset_free(&d);
  }
  f = fopen(tp("mb.json"), "w");
  fprintf(f, "{\"input\": \"in.wav\", \"output\": \"out.wav\", \"sample_rate\": 48000, \"latency\": \"soon\"}\n");
  fclose(f);
  rc = sw_dataset_load(tp("mb.json"), &d, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, "latency"), "bad latency: %s", err.msg);
  /* A check failing at load time is SW_ECHECK; the manifest's override accepts it. */
  for (long i = 0; i < n; i++) y[i] = fmaxf(-1.0f, fminf(1.0f, 8 * x[i]));
  sw_audio_write(tp("clip.wav"), y, n, RATE, &err);
  f = fopen(tp("mb.json"), "w");
  fprintf(f, "{\"input\": \"in.wav\", \"output\": \"clip.wav\", \"sample_rate\": 48000}\n");
  fclose(f);
  rc = sw_dataset_load(tp("mb.json"), &d, &err);
  CHECK(rc == SW_ECHECK && strstr(err.msg, "clipping"), "clipped at load: %s", err.msg);
  f = fopen(tp("mb.json"), "w");
  fprintf(f, "{\"input\": \"in.wav\", \"output\": \"clip.wav\", \"sample_rate\": 48000, \"override\": \"clipping\"}\n");
  fclose(f);
  rc = sw_dataset_load(tp("mb.json"), &d, &err);
  CHECK(rc == 0, "override in the manifest: %s", err.msg);
  if (!rc) sw_dataset_free(&d);

  free(x), free(y);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd)) fprintf(stderr, "cleanup of %s failed\n", dir);
  return check_summary();
}
