/* The held-out evaluation of a distilled or captured student: ESR at every width against the
   device on a recording it never trained on, and the real-time factor of every width. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/audio.h"
#include "../core/runner.h"
#include "distill.h"

#define RATE 48000
#define SYNTH_SECONDS 15.0 /* fluidsynth held-out material: about the length of di_hammer_lead */
#define TIME_SECONDS 8.0   /* audio timed per width and backend */
#define TIME_BLOCK 64

int sw_distill_holdout(const char *path, const char *work, float **x, long *n, char *desc, size_t len, sw_err *err) {
  *x = NULL, *n = 0;
  if (path) {
    sw_wav w;
    int rc = sw_wav_read(path, &w, err);
    if (rc) return rc;
    if (w.rate != RATE && (rc = sw_wav_resample(&w, RATE, path, err))) { sw_wav_free(&w); return rc; }
    *x = w.x, *n = w.n;
    snprintf(desc, len, "%s", path);
    return SW_OK;
  }
  int rc = sw_synth_guitar(SYNTH_SECONDS, RATE, SW_DISTILL_HOLDOUT_SEED, x, n, err);
  if (rc) return rc;
  char out[4200];
  snprintf(out, sizeof out, "%s/holdout.wav", work);
  if ((rc = sw_audio_write(out, *x, *n, RATE, err))) { free(*x); *x = NULL; return rc; }
  snprintf(desc, len, "fluidsynth guitar, seed %d, %.0f s (%s)", SW_DISTILL_HOLDOUT_SEED, SYNTH_SECONDS, out);
  return SW_OK;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

/* Real-time factor of one render of m samples in 64-sample blocks, from silence. */
static double rtf_of(sw_runner *wn, const float *x, float *y, long m) {
  sw_runner_reset(wn);
  double t0 = now_s();
  for (long t = 0; t < m; t += TIME_BLOCK) sw_runner_process(wn, x + t, y + t, m - t < TIME_BLOCK ? m - t : TIME_BLOCK);
  double dt = now_s() - t0;
  return dt > 0 ? (double)m / RATE / dt : 0;
}

int sw_distill_time(const sw_net *net, const sw_widths *w, const float *x, long n, sw_distill_row *row, sw_err *err) {
  long m = n < (long)(TIME_SECONDS * RATE) ? n : (long)(TIME_SECONDS * RATE), m1 = m < RATE ? m : RATE;
  float *y = malloc(sizeof(float) * (size_t)m);
  if (!y) return sw_fail(err, SW_ENOMEM, "out of memory (timing)");
  row->rtf = 0;
  row->backend[0] = 0;
  int rc = SW_OK;
  const sw_backend *best = NULL;
  double best_rtf = 0;
  /* every usable backend on 1 s to pick the fastest (naive only when nothing else is usable;
     always for the architectures other than WaveNet, which run on it whatever the backend) */
  const bool wavenet = net->arch == SW_ARCH_WAVENET;
  for (int pass = 0; pass < 2 && !best && !rc; pass++)
    for (int b = 0; b < sw_backend_count() && !rc; b++) {
      const sw_backend *be = sw_backend_at(b);
      if (!sw_backend_is_usable(be) || (wavenet ? (pass == 0) == (be == sw_backend_naive()) : be != sw_backend_naive())) continue;
      sw_run_opts o = {.backend = be, .max_block = TIME_BLOCK};
      sw_runner *wn;
      if ((rc = sw_runner_create(net, &o, &wn, err))) break;
      if (!(rc = sw_runner_set_widths(wn, w, err))) {
        double r = rtf_of(wn, x, y, m1);
        if (r > best_rtf) best_rtf = r, best = be;
      }
      sw_runner_free(wn);
    }
  /* the fastest: best of two over up to 8 s (others share this machine) */
  if (!rc && best) {
    sw_run_opts o = {.backend = best, .max_block = TIME_BLOCK};
    sw_runner *wn;
    if (!(rc = sw_runner_create(net, &o, &wn, err))) {
      if (!(rc = sw_runner_set_widths(wn, w, err)))
        for (int r = 0; r < 2; r++) {
          double v = rtf_of(wn, x, y, m);
          if (v > row->rtf) row->rtf = v;
        }
      snprintf(row->backend, sizeof row->backend, "%s", best->name);
      sw_runner_free(wn);
    }
  }
  free(y);
  return rc;
}

int sw_distill_measure(const sw_net *student, const sw_stage *dev, long latency, double target_gain_db, const float *x,
                       long n, sw_distill_result *res, sw_err *err) {
  if (n <= labs(latency) + 1) return sw_fail(err, SW_EINPUT, "held-out input: %ld samples is too short", n);
  float *y = malloc(sizeof(float) * (size_t)n), *ref = malloc(sizeof(float) * (size_t)n);
  char info[2048];
  int rc = y && ref ? SW_OK : sw_fail(err, SW_ENOMEM, "out of memory (evaluation)");
  if (!rc) rc = sw_device_render(dev, 1, RATE, x, y, n, info, sizeof info, err);
  if (rc) { free(y), free(ref); return rc; }
  /* the dataset's alignment: output shifted left by latency (negative: right, zeros first) */
  long m = latency > 0 ? n - latency : n;
  float g = (float)pow(10, target_gain_db / 20);
  for (long t = 0; t < m; t++) ref[t] = t + latency >= 0 ? g * y[t + latency] : 0.0f;
  sw_widths ws[SW_MAX_CHANNELS];
  int nw = sw_net_width_steps(student, ws, SW_MAX_CHANNELS);
  if (nw > SW_MAX_CHANNELS) nw = SW_MAX_CHANNELS;
  char why[128];
  const sw_backend *be = sw_backend_default(why, sizeof why);
  sw_run_opts ro = {.backend = be ? be : sw_backend_naive(), .max_block = 4096};
  sw_runner *wn = NULL;
  rc = sw_runner_create(student, &ro, &wn, err);
  for (int j = 0; j < nw && !rc; j++) {
    sw_distill_row *r = &res->rows[j];
    r->w = ws[j];
    r->macs = sw_net_macs(student, &ws[j]);
    if ((rc = sw_runner_set_widths(wn, &ws[j], err))) break;
    sw_runner_run(wn, x, y, m, 4096); /* from silence, as the device was run */
    r->esr = sw_esr(y, ref, m);
    rc = sw_distill_time(student, &ws[j], x, n, r, err);
  }
  sw_runner_free(wn);
  if (!rc) res->n = nw;
  free(y), free(ref);
  return rc;
}
