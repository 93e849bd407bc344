/* The wet side: the input through a chain of devices (LV2 plugins, teacher .nam models run by
   slimwave's own inference), each stage's reported latency removed so the output stays aligned. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/nam_file.h"
#include "../../core/runner.h"
#include "datasets.h"

#define WARMUP_S 0.25 /* zeros run through a plugin first: filters settle, workers finish */

static int render_lv2(const sw_stage *s, int rate, const float *x, float *y, long n, char *info, size_t len, sw_err *err) {
  sw_lv2 *p;
  int rc = sw_lv2_open(s->uri, s->sets, s->nsets, rate, &p, err);
  if (rc) return rc;
  sw_lv2_run(p, NULL, NULL, (long)(WARMUP_S * rate));
  long lat = sw_lv2_latency(p);
  if (lat < 0 || lat > 10L * rate) {
    sw_lv2_close(p);
    return sw_fail(err, SW_EFAIL, "LV2 plugin %s: reports an implausible latency of %ld samples", s->uri, lat);
  }
  float *in = calloc((size_t)(n + lat), sizeof(float)), *out = malloc(sizeof(float) * (size_t)(n + lat));
  if (!in || !out) { free(in), free(out), sw_lv2_close(p); return sw_fail(err, SW_ENOMEM, "out of memory"); }
  memcpy(in, x, sizeof(float) * (size_t)n);
  sw_lv2_run(p, in, out, n + lat);
  memcpy(y, out + lat, sizeof(float) * (size_t)n);
  int m = snprintf(info, len, "lv2 %s (reported latency %ld, removed)", s->uri, lat);
  for (int i = 0; i < s->nsets && m > 0 && (size_t)m < len; i++) m += snprintf(info + m, len - (size_t)m, " %s=%g", s->sets[i].name, s->sets[i].value);
  free(in), free(out);
  sw_lv2_close(p);
  return SW_OK;
}

static int render_nam(const sw_stage *s, int rate, const float *x, float *y, long n, char *info, size_t len, sw_err *err) {
  sw_model m;
  int rc = sw_model_load(s->model, &m, err);
  if (rc) return rc;
  const sw_net *net = sw_model_pick(&m, 1.0);
  if (fabs(net->sample_rate - rate) > 0.5) {
    rc = sw_fail(err, SW_EINPUT, "%s: the model runs at %g Hz, the signal is %d Hz", s->model, net->sample_rate, rate);
    sw_model_free(&m);
    return rc;
  }
  char why[128];
  sw_run_opts o = {.backend = sw_backend_default(why, sizeof why), .max_block = 4096};
  sw_runner *wn;
  if ((rc = sw_runner_create(net, &o, &wn, err))) { sw_model_free(&m); return rc; }
  sw_runner_run(wn, x, y, n, 4096);
  snprintf(info, len, "nam %s (slimwave inference, backend %s, full width)", s->model, sw_runner_backend(wn)->name);
  sw_runner_free(wn);
  sw_model_free(&m);
  return SW_OK;
}

int sw_device_render(const sw_stage *st, int nst, int rate, const float *x, float *y, long n, char *info, size_t len,
                     sw_err *err) {
  if (nst < 1) return sw_fail(err, SW_EUSAGE, "no device given");
  float *cur = malloc(sizeof(float) * (size_t)n);
  if (!cur) return sw_fail(err, SW_ENOMEM, "out of memory");
  memcpy(cur, x, sizeof(float) * (size_t)n);
  int rc = SW_OK, m = 0;
  info[0] = 0;
  for (int i = 0; i < nst && !rc; i++) {
    if (st[i].gain_db != 0) {
      float g = (float)pow(10, st[i].gain_db / 20);
      for (long j = 0; j < n; j++) cur[j] *= g;
    }
    char one[1024];
    if (st[i].kind == SW_DEV_LV2) rc = render_lv2(&st[i], rate, cur, y, n, one, sizeof one, err);
    else if (st[i].kind == SW_DEV_NAM) rc = render_nam(&st[i], rate, cur, y, n, one, sizeof one, err);
    else rc = sw_fail(err, SW_EUSAGE, "stage %d: unknown device kind", i + 1);
    if (rc) break;
    for (long j = 0; j < n; j++)
      if (!isfinite(y[j])) { rc = sw_fail(err, SW_EFAIL, "%s: produced a non-finite sample at %ld", st[i].kind == SW_DEV_LV2 ? st[i].uri : st[i].model, j); break; }
    if (rc) break;
    if (m >= 0 && (size_t)m < len) m += snprintf(info + m, len - (size_t)m, "%s%s%s", m ? "; " : "", one,
                                                  st[i].gain_db != 0 ? " (after input gain)" : "");
    memcpy(cur, y, sizeof(float) * (size_t)n);
  }
  free(cur);
  return rc;
}
