/* The two validation conventions, in the trainer (sw_trainer_validate) and in the harness's
   evaluation (sw_eval_widths), against the independent offline WaveNet (tests/ref_wavenet.c):
   padded scores every sample of the segment, the model run with RF-1 zeros before it; NAM's
   convention scores from RF-1 samples into it, where every output depends on segment input only.
   A target that is garbage in the first RF-1 samples must move the padded ESR and leave NAM's
   alone. A segment no longer than RF-1 is refused under NAM's convention with a clear message. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/backend.h"
#include "../harness/eval.h"
#include "../train/trainer.h"
#include "check.h"
#include "netgen.h"
#include "ref_wavenet.h"

static const int dil[] = {1, 2, 4, 8, 16, 32};

/* ESR of p against y over [from, n) */
static double esr(const double *p, const float *y, long from, long n) {
  double se = 0, sy = 0;
  for (long t = from; t < n; t++) se += (p[t] - y[t]) * (p[t] - y[t]), sy += (double)y[t] * y[t];
  return se / sy;
}

static bool close_to(double a, double b) { return fabs(a - b) <= 1e-4 * fabs(b); }

int main(void) {
  sw_arr_spec s = {.C = 4, .H = 1, .K = 3, .n_layers = 6, .dil = dil, .act = SW_ACT_TANH, .head_bias = true};
  sw_net net;
  sw_err err = {0};
  if (sw_test_make_net(&net, 1, &s, 7)) { printf("cannot make the test net\n"); return 1; }
  const long rf = sw_net_receptive_field(&net), train_n = 48000, val_n = 6000, n = train_n + val_n;
  /* data: the segment's target is the model's own output plus a small error, except garbage in
     its first RF-1 samples */
  sw_dataset d = {.n = n, .rate = 48000, .train_start = 0, .train_end = train_n, .val_start = train_n, .val_end = n};
  snprintf(d.path, sizeof d.path, "synthetic");
  float *x = malloc(sizeof(float) * n), *y = malloc(sizeof(float) * n);
  double *p = malloc(sizeof(double) * val_n);
  sw_test_signal(x, n, 3);
  for (long t = 0; t < n; t++) y[t] = 0.5f * x[t];
  d.x = x;
  d.y = y;
  sw_widths full = sw_net_full_widths(&net);

  /* 1. the harness: sw_eval_widths against the reference, both conventions */
  if (sw_ref_forward(&net, &full, false, x + train_n, val_n, p)) { printf("out of memory\n"); return 1; }
  for (long t = 0; t < val_n; t++) y[train_n + t] = (float)(p[t] + 0.01 * sin(0.05 * t)) + (t < rf - 1 ? 3.0f : 0.0f);
  double nam_ref = esr(p, y + train_n, rf - 1, val_n), pad_ref = esr(p, y + train_n, 0, val_n);
  CHECK(pad_ref > 10 * nam_ref, "the garbage before RF-1 should dominate the padded ESR: %g vs %g", pad_ref, nam_ref);
  sw_eval_row er[1];
  int rc = sw_eval_widths(&net, x + train_n, y + train_n, val_n, true, &full, 1, sw_backend_naive(), er, &err);
  CHECK(rc == 0 && close_to(er[0].esr, nam_ref), "eval, NAM's convention: ESR %g, reference %g (%s)", er[0].esr, nam_ref, err.msg);
  rc = sw_eval_widths(&net, x + train_n, y + train_n, val_n, false, &full, 1, sw_backend_naive(), er, &err);
  CHECK(rc == 0 && close_to(er[0].esr, pad_ref), "eval, padded: ESR %g, reference %g (%s)", er[0].esr, pad_ref, err.msg);
  rc = sw_eval_widths(&net, x + train_n, y + train_n, rf - 1, true, &full, 1, sw_backend_naive(), er, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, "not longer than the receptive field"), "eval of RF-1 samples, NAM's convention: rc %d (%s)", rc, err.msg);

  /* 2. the trainer: its validation of the weights it starts from, against the reference on them */
  for (int k = 0; k < 2; k++) {
    bool nam = k == 0;
    sw_train_cfg cfg = sw_train_defaults();
    cfg.epochs = 0;
    cfg.batch = 2;
    cfg.ny = 512;
    cfg.loss = sw_loss_default(SW_LOSS_MSE);
    cfg.val_nam = nam;
    sw_net tn;
    sw_net_copy(&net, &tn, &err);
    sw_trainer *tr = NULL;
    rc = sw_trainer_create(&cfg, &tn, &d, &tr, &err);
    CHECK(rc == 0, "trainer: %s", err.msg);
    if (rc) { sw_net_free(&tn); continue; }
    double v[SW_TRAIN_MAX_WIDTHS];
    rc = sw_trainer_validate(tr, v, &err);
    sw_net view = tn;
    view.head_scale = tn.w[tn.nw - 1];
    sw_ref_forward(&view, &full, false, x + train_n, val_n, p);
    double want = esr(p, y + train_n, nam ? rf - 1 : 0, val_n);
    CHECK(rc == 0 && close_to(v[0], want), "trainer, %s: validation ESR %g, reference %g", nam ? "NAM's convention" : "padded", v[0], want);
    sw_trainer_free(tr);
    sw_net_free(&tn);
  }
  /* a segment of RF-1 samples: refused under NAM's convention, scored when padded */
  d.val_end = d.val_start + rf - 1;
  for (int k = 0; k < 2; k++) {
    sw_train_cfg cfg = sw_train_defaults();
    cfg.epochs = 0, cfg.batch = 2, cfg.ny = 512, cfg.val_nam = k == 0, cfg.loss = sw_loss_default(SW_LOSS_MSE);
    sw_net tn;
    sw_net_copy(&net, &tn, &err);
    sw_trainer *tr = NULL;
    rc = sw_trainer_create(&cfg, &tn, &d, &tr, &err);
    if (k == 0) CHECK(rc == SW_EINPUT && strstr(err.msg, "synthetic: validation segment of") && strstr(err.msg, "receptive field"),
                      "trainer, NAM's convention, segment of RF-1 samples: rc %d (%s)", rc, err.msg);
    else CHECK(rc == 0, "trainer, padded, segment of RF-1 samples: %s", err.msg);
    sw_trainer_free(tr);
    sw_net_free(&tn);
  }
  free(x);
  free(y);
  free(p);
  sw_net_free(&net);
  return check_summary();
}
