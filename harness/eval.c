/* Validation metrics per width (see eval.h). */
#include "eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/runner.h"
#include "../train/loss.h"
#include "../train/schedule.h"

int sw_eval_pick_widths(const sw_net *net, const char *which, sw_widths *out, int max, sw_err *err) {
  if (!strcmp(which, "all")) {
    int n = sw_net_width_steps(net, out, max);
    return n > max ? max : n;
  }
  if (!strcmp(which, "full")) { out[0] = sw_net_full_widths(net); return 1; }
  if (!strncmp(which, "train:", 6)) {
    if (net->arch != SW_ARCH_WAVENET) { out[0] = sw_net_full_widths(net); return 1; } /* its one width */
    sw_schedule s;
    if (sw_schedule_parse(which + 6, net, &s, err)) return -1;
    out[0] = s.kind == SW_SCHED_FIXED && s.fixed.n == net->n_arrays ? s.fixed : sw_net_full_widths(net);
    return 1;
  }
  sw_fail(err, SW_EUSAGE, "widths \"%s\": expected all, full or train:SCHEDULE", which);
  return -1;
}

int sw_eval_widths(const sw_net *net, const float *x, const float *y, long n, bool from_rf, const sw_widths *ws, int nw,
                   const sw_backend *be, sw_eval_row *out, sw_err *err) {
  const long from = from_rf ? sw_net_receptive_field(net) - 1 : 0, m = n - from;
  if (m < 1) return sw_fail(err, SW_EINPUT, "validation segment of %ld samples, not longer than the receptive field - 1 (%ld)", n, from);
  sw_run_opts o = {.backend = be, .max_block = 4096};
  sw_runner *wn = NULL;
  sw_mrstft *mr = NULL;
  int rc = sw_runner_create(net, &o, &wn, err);
  if (rc) return rc;
  float *p = malloc(sizeof(float) * (size_t)n);
  double *pd = malloc(sizeof(double) * (size_t)n), *td = malloc(sizeof(double) * (size_t)n);
  if (!p || !pd || !td) { rc = sw_fail(err, SW_ENOMEM, "out of memory (evaluation)"); goto done; }
  bool use_mr = m > 1100; /* the 2048-point STFT needs more than 1024 samples */
  if (use_mr && (rc = sw_mrstft_create(1, m, &mr, err))) goto done;
  for (long t = from; t < n; t++) td[t - from] = y[t];
  for (int j = 0; j < nw; j++) {
    if ((rc = sw_runner_set_widths(wn, &ws[j], err))) goto done;
    sw_runner_run(wn, x, p, n, 4096); /* reset = RF-1 zeros before the segment */
    double se = 0, st = 0;
    for (long t = from; t < n; t++) {
      double e = (double)p[t] - y[t];
      se += e * e;
      st += (double)y[t] * y[t];
      pd[t - from] = p[t];
    }
    out[j].w = ws[j];
    out[j].mse = se / m;
    out[j].esr = st > 0 ? se / st : NAN;
    out[j].mrstft = use_mr ? sw_mrstft_d(mr, pd, td, 1, NULL) : NAN;
  }
done:
  if (mr) sw_mrstft_free(mr);
  sw_runner_free(wn);
  free(p); free(pd); free(td);
  return rc;
}
