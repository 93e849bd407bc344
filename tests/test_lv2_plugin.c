/* slimwave.lv2 driven through a lilv host (lv2/host.h) as a DAW would: the model arrives by
   patch:Set and loads in the worker; then random block sizes 1..4096, the slim knob moved every
   few blocks and the model swapped mid-stream (a plain WaveNet and a SlimmableContainer):
   - run() never allocates or locks (rt_hooks.h counts inside it; the worker runs between runs),
     and makes no system call (a sealed child moves the knob);
   - the output is finite and continuous: no sample-to-sample step larger than the largest step of
     the same input through each model and width used, played with the knob still (while a switch
     without the crossfade would jump further than that: the check can fail); once settled, equal to
     that still render bit for bit, and in between within the still renders' range;
   - a block with NaN and infinite samples is counted on the nonfinite port, and the following
     blocks are finite and, once a receptive field has passed, equal bit for bit to a run without it;
   - patch:Get answers the model path; state saved and restored in a new instance plays that model
     at once; bypass passes the input through. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <xmmintrin.h>
#endif

#include "../core/audio.h"
#include "../core/nam_file.h"
#include "../lv2/host.h"
#include "check.h"
#include "rt_hooks.h"

#define RATE 48000
#define SECONDS 4
#define N (RATE * SECONDS)

static sw_rt_usable use;
static float x[N], y[N], ref[N];
static unsigned rng = 12345;
static unsigned rnd(void) { rng = rng * 1103515245u + 12345u; return rng >> 8; }

static sw_lv2h *open_plugin(void) {
  sw_lv2h *h;
  sw_err err;
  int rc = sw_lv2h_open(SW_LV2_BUNDLE_DIR, NULL, RATE, &h, &err);
  CHECK(rc == 0, "%s", err.msg);
  return rc ? NULL : h;
}

/* Sends the model and lets the worker load it (outside any counted run). */
static bool load(sw_lv2h *h, const char *path) {
  sw_err err;
  if (sw_lv2h_set_model(h, path, &err)) { CHECK(0, "%s", err.msg); return false; }
  float z[64] = {0};
  sw_lv2h_run(h, z, z, 64);
  int n = sw_lv2h_work(h);
  CHECK(n == 1, "the load of %s was not scheduled (%d requests)", path, n);
  return true;
}

/* The whole of x through the plugin in blocks of `block`, counted; the worker between blocks. */
static void render(sw_lv2h *h, int block, float *out) {
  for (long t = 0; t < N; t += block) {
    int k = (int)(N - t < block ? N - t : block);
    sw_rt_counting = 1;
    sw_lv2h_run(h, x + t, out + t, (uint32_t)k);
    sw_rt_counting = 0;
    sw_lv2h_work(h);
  }
}

static double max_step(const float *v, long n) {
  double m = 0;
  for (long t = 1; t < n; t++) m = fmax(m, fabs((double)v[t] - v[t - 1]));
  return m;
}

static bool all_finite(const float *v, long n) {
  for (long t = 0; t < n; t++)
    if (!isfinite(v[t])) return false;
  return true;
}

typedef struct setting { int model; float slim; } setting;
static const float slims[] = {0.0f, 0.4f, 1.0f};
#define NSLIM 3

/* The child of the system-call check: moves the knob over a loaded plugin, sealed. */
static void sealed_knob(const void *arg) {
  sw_lv2h *h = (sw_lv2h *)arg;
  float *slim = sw_lv2h_control(h, "slim");
  if (sw_rt_seal()) syscall(SYS_exit_group, 7);
  for (int b = 0; b < 40; b++) {
    *slim = slims[b / 4 % NSLIM];
    sw_lv2h_run(h, x + b * 1000, y + b * 1000, 1000);
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  sw_rt_hooks_init(&use);
  const char *sh = sw_test_shared();
  if (!sh) { printf("skipped: ../shared is absent (models and DI)\n"); return SW_TEST_SKIP; }
  char models[2][4096], dir[4096];
  snprintf(dir, sizeof dir, "%s/models", sh);
  snprintf(models[0], sizeof models[0], "%s", sw_test_path(dir, "na_boss_sd1_standard.nam"));
  snprintf(models[1], sizeof models[1], "%s", sw_test_path(dir, "na_boss_sd1_a2.nam"));
  sw_audio di;
  sw_err err;
  snprintf(dir, sizeof dir, "%s/datasets/di_guitar_nam_wasm", sh);
  if (sw_audio_read(sw_test_path(dir, "di_fear.wav"), &di, &err)) { CHECK(0, "%s", err.msg); return check_summary(); }
  for (long t = 0; t < N; t++) x[t] = di.x[t % di.n];
  sw_audio_free(&di);

  /* loading, the log, patch:Get */
  sw_lv2h *h = open_plugin();
  if (!h) return check_summary();
  CHECK(strstr(sw_lv2h_log(h), "no model yet") != NULL, "instantiation log: %s", sw_lv2h_log(h));
  float *width = sw_lv2h_control(h, "width"), *slim = sw_lv2h_control(h, "slim"), *bad = sw_lv2h_control(h, "nonfinite");
  float *byp = sw_lv2h_control(h, "bypass"), *lat = sw_lv2h_control(h, "latency");
  CHECK(width && slim && bad && byp && lat, "ports missing");
  if (!width || !slim || !bad || !byp || !lat) return check_summary();
  sw_lv2h_run(h, x, y, 256);
  CHECK(!memcmp(x, y, sizeof(float) * 256), "without a model the input does not pass through");
  load(h, models[0]);
  CHECK(strstr(sw_lv2h_log(h), "16 widths") && strstr(sw_lv2h_log(h), "backend "), "load log: %s", sw_lv2h_log(h));
  sw_lv2h_get_model(h, &err);
  sw_lv2h_run(h, x, y, 64);
  CHECK(!strcmp(sw_lv2h_notified(h), models[0]), "patch:Get answered \"%s\"", sw_lv2h_notified(h));
  CHECK(*lat == 0.0f, "latency %g", *lat);
#if defined(__x86_64__)
  /* run() flushes denormals for itself and gives the host its own floating-point mode back */
  unsigned mxcsr = _mm_getcsr() & ~0x8040u;
  _mm_setcsr(mxcsr);
  sw_lv2h_run(h, x, y, 64);
  CHECK(_mm_getcsr() == mxcsr, "run() left MXCSR %#x (was %#x)", _mm_getcsr(), mxcsr);
#endif

  /* the reference steps: every model and width the moving run uses, with the knob still */
  double ref_step = 0;
  static float fixed[2][NSLIM][N];
  for (int m = 0; m < 2; m++)
    for (int s = 0; s < NSLIM; s++) {
      sw_lv2h *r = open_plugin();
      if (!r) return check_summary();
      *sw_lv2h_control(r, "slim") = slims[s];
      load(r, models[m]);
      render(r, 4096, fixed[m][s]);
      ref_step = fmax(ref_step, max_step(fixed[m][s] + RATE / 2, N - RATE / 2)); /* after the fade in from dry */
      sw_lv2h_close(r);
    }
  /* what a switch without crossfade would do: jump from one width's output to the other's */
  double jump = 0;
  for (int m = 0; m < 2; m++)
    for (int s = 1; s < NSLIM; s++)
      for (long t = RATE / 2; t < N; t++) jump = fmax(jump, fabs((double)fixed[m][s][t] - fixed[m][s - 1][t]));
  printf("largest step with the knob still %.4f; a hard switch between widths would jump up to %.4f\n", ref_step, jump);
  CHECK(jump > ref_step, "the test input cannot tell a crossfade from a hard switch (jump %g <= step %g)", jump, ref_step);

  /* the moving run: random blocks, the knob every few blocks, two model swaps. A block long enough
     after the last change (two switches, each a receptive field of warm-up and a fade) must equal
     the still render of the setting in use, bit for bit. */
  sw_rt_allocs = sw_rt_frees = sw_rt_locks = 0;
  int changes = 0, swaps = 0, next_change = 3, cur_m = 0, cur_s = NSLIM - 1, settled = 0, settled_ok = 0;
  long t = 0, t_change = 0;
  const long settle = 2 * (6347 + RATE / 50 + 1);
  for (int b = 0; t < N; b++) {
    int k = 1 + (int)(rnd() % 4096);
    if (k > N - t) k = (int)(N - t);
    if (b == next_change) {
      cur_s = (int)(rnd() % NSLIM);
      *slim = slims[cur_s];
      changes++, t_change = t;
      next_change += 3 + (int)(rnd() % 8);
    }
    if (b == 25 || b == 60) { cur_m = b == 25; sw_lv2h_set_model(h, models[cur_m], &err); swaps++, t_change = t; }
    sw_rt_counting = 1;
    sw_lv2h_run(h, x + t, y + t, (uint32_t)k);
    sw_rt_counting = 0;
    sw_lv2h_work(h);
    if (t - t_change >= settle) settled++, settled_ok += !memcmp(y + t, fixed[cur_m][cur_s] + t, sizeof(float) * (size_t)k);
    t += k;
  }
  CHECK(settled > 5 && settled_ok == settled, "%d of %d settled blocks equal the still render of their setting", settled_ok, settled);
  /* while switching, every sample lies between the still renders (a crossfade of two of them) */
  long outside = 0;
  for (long i = RATE / 2; i < N; i++) {
    float lo = INFINITY, hi = -INFINITY;
    for (int m = 0; m < 2; m++)
      for (int s2 = 0; s2 < NSLIM; s2++) lo = fminf(lo, fixed[m][s2][i]), hi = fmaxf(hi, fixed[m][s2][i]);
    outside += y[i] < lo - 1e-6f || y[i] > hi + 1e-6f;
  }
  CHECK(outside == 0, "%ld samples outside every still render's range (a width faded in before its history was warm?)", outside);
  printf("moving run: %d knob changes, %d model swaps; inside run(): %ld allocations, %ld frees, %ld locks\n", changes, swaps,
         sw_rt_allocs, sw_rt_frees, sw_rt_locks);
  if (use.allocs) CHECK(sw_rt_allocs == 0 && sw_rt_frees == 0, "%ld allocations, %ld frees inside run()", sw_rt_allocs, sw_rt_frees);
  CHECK(sw_rt_locks == 0, "%ld lock calls inside run()", sw_rt_locks);
  CHECK(all_finite(y, N), "non-finite output");
  double step = max_step(y + RATE / 2, N - RATE / 2);
  printf("largest step while moving %.4f\n", step);
  CHECK(step <= ref_step, "a step of %g while moving the knob and swapping models, larger than the signal's own %g", step, ref_step);
  CHECK(strstr(sw_lv2h_log(h), "SlimmableContainer") != NULL, "the swap to the container was not logged: %s", sw_lv2h_log(h));

  /* refused in the worker, the model playing stays: another sample rate, a path too long */
  sw_model sm;
  char other[4200], longp[3000];
  snprintf(other, sizeof other, "/tmp/sw_test_lv2_plugin_%d.nam", (int)getpid());
  if (!sw_model_load(models[0], &sm, &err)) {
    sm.sub[0].sample_rate = 44100;
    CHECK(sw_model_save(&sm, other, &err) == 0, "%s", err.msg);
    sw_model_free(&sm);
  }
  memset(longp, 'a', sizeof longp - 1);
  longp[0] = '/', longp[sizeof longp - 1] = 0;
  const char *refuse[2][2] = {{other, "runs at 44100 Hz, the host at 48000 Hz"}, {longp, "longer than 2047 bytes"}};
  for (int i = 0; i < 2; i++) {
    sw_lv2h_log_clear(h);
    sw_lv2h_set_model(h, refuse[i][0], &err);
    sw_lv2h_run(h, x, y, 64);
    sw_lv2h_work(h);
    sw_lv2h_get_model(h, &err);
    sw_lv2h_run(h, x, y, 64);
    CHECK(strstr(sw_lv2h_log(h), refuse[i][1]) && strstr(sw_lv2h_log(h), "keeping the previous model"), "log: %s", sw_lv2h_log(h));
    CHECK(!strcmp(sw_lv2h_notified(h), models[cur_m]), "after a refusal the plugin plays \"%s\"", sw_lv2h_notified(h));
  }
  remove(other);

  /* no system call while the knob moves */
  if (use.syscalls) {
    long sc = sw_rt_run_sealed(sealed_knob, h);
    CHECK(sc == -1, "%s %ld inside run() while moving the knob", sc == -2 ? "child failed," : "system call", sc);
  }
  sw_lv2h_close(h);

  /* NaN and Inf: counted, replaced, forgotten once a receptive field has passed */
  sw_lv2h *a = open_plugin(), *c = open_plugin();
  if (!a || !c) return check_summary();
  load(a, models[0]);
  load(c, models[0]);
  const long at = 2 * RATE, len = 777, rf = 4093;
  t = 0;
  static float xa[N];
  memcpy(xa, x, sizeof x);
  int nbad = 0;
  for (long i = at; i < at + len; i += 97) xa[i] = (i / 97) % 3 == 0 ? NAN : (i / 97) % 3 == 1 ? INFINITY : -INFINITY, nbad++;
  while (t < N) {
    int k = t < at ? (int)(at - t < 1500 ? at - t : 1500) : t == at ? (int)len : 1500;
    if (k > N - t) k = (int)(N - t);
    sw_lv2h_run(a, xa + t, y + t, (uint32_t)k);
    sw_lv2h_run(c, x + t, ref + t, (uint32_t)k);
    t += k;
  }
  CHECK(*sw_lv2h_control(a, "nonfinite") == nbad, "nonfinite port %g, %d bad samples sent", *sw_lv2h_control(a, "nonfinite"), nbad);
  CHECK(all_finite(y, N), "non-finite output after the bad block");
  CHECK(!memcmp(y, ref, sizeof(float) * at), "output differs before the bad block");
  long from = at + len + rf - 1;
  CHECK(!memcmp(y + from, ref + from, sizeof(float) * (size_t)(N - from)), "output after the bad block + receptive field differs from a run without it");
  bool differs = false;
  for (long i = at; i < from; i++) differs |= y[i] != ref[i];
  CHECK(differs, "the bad block changed nothing (were the samples sent?)");

  /* bypass: the input, after a short glide */
  *sw_lv2h_control(a, "bypass") = 1;
  sw_lv2h_run(a, x, y, 4096);
  CHECK(!memcmp(y + 1024, x + 1024, sizeof(float) * 3072), "bypass does not pass the input through");

  /* state: saved, restored into a new instance, which plays the model from its first sample */
  char *ttl = sw_lv2h_state_save(a, &err);
  CHECK(ttl && strstr(ttl, "na_boss_sd1_standard.nam"), "saved state: %s", ttl ? ttl : err.msg);
  sw_lv2h *d = open_plugin();
  if (ttl && d) {
    CHECK(sw_lv2h_state_restore(d, ttl, &err) == 0, "%s", err.msg);
    sw_lv2h_get_model(d, &err);
    sw_lv2h_run(d, x, y, 256);
    CHECK(*sw_lv2h_control(d, "width") == 16.0f, "restored plugin plays width %g at once (want 16)", *sw_lv2h_control(d, "width"));
    char want[4096], got[4096]; /* lilv hands back the path canonical */
    CHECK(realpath(models[0], want) && realpath(sw_lv2h_notified(d), got) && !strcmp(want, got), "restored plugin reports \"%s\"",
          sw_lv2h_notified(d));
  }
  free(ttl);
  sw_lv2h_close(d);
  sw_lv2h_close(a);
  sw_lv2h_close(c);
  return check_summary();
}
