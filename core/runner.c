/* One streaming interface over every architecture: a WaveNet goes to sw_wavenet, the others to
   their tables in archs_rt.h (one indirect call per block). */
#include "runner.h"

#include <stdlib.h>

#include "archs.h"
#include "archs_rt.h"

struct sw_runner {
  const sw_net *net;
  sw_wavenet *wn;            /* a WaveNet */
  const sw_arch_rt *rt;      /* the others: */
  void *st;
  int maxT;
  long prewarm;
  float *zeros, *discard;
  sw_work_counters work, per_sample;
};

static const sw_arch_rt *rt_of(sw_arch a) {
  return a == SW_ARCH_LSTM ? &sw_lstm_rt : a == SW_ARCH_CONVNET ? &sw_convnet_rt : a == SW_ARCH_LINEAR ? &sw_linear_rt : NULL;
}

void sw_runner_free(sw_runner *r) {
  if (!r) return;
  sw_wavenet_free(r->wn);
  if (r->st) r->rt->free(r->st);
  free(r->zeros);
  free(r->discard);
  free(r);
}

int sw_runner_create(const sw_net *net, const sw_run_opts *opts, sw_runner **out, sw_err *err) {
  *out = NULL;
  sw_runner *r = calloc(1, sizeof *r);
  if (!r) return sw_fail(err, SW_ENOMEM, "out of memory");
  r->net = net;
  int rc;
  if (net->arch == SW_ARCH_WAVENET) {
    if ((rc = sw_wavenet_create(net, opts, &r->wn, err))) { free(r); return rc; }
    *out = r;
    return SW_OK;
  }
  if ((rc = sw_net_check(net, "model", NULL, err))) { free(r); return rc; }
  if (net->nw != sw_net_count_weights(net)) { free(r); return sw_fail(err, SW_EINPUT, "model: weight count does not match its config"); }
  r->rt = rt_of(net->arch);
  r->maxT = opts && opts->max_block > 0 ? opts->max_block : 4096;
  if (r->maxT > (1 << 20)) {
    int T = r->maxT;
    free(r);
    return sw_fail(err, SW_EUSAGE, "block size %d too large (max %d)", T, 1 << 20);
  }
  /* the budget first: nothing is allocated for a model that would exceed it */
  double need = r->rt->bytes(net, r->maxT) + 2.0 * sizeof(float) * r->maxT;
  if (need > SW_MAX_STATE_BYTES) {
    int T = r->maxT;
    free(r);
    return sw_fail(err, SW_EINPUT, "model: streaming state for blocks of %d samples needs %.0f MiB (limit %ld MiB)%s",
                   T, need / 1048576, SW_MAX_STATE_BYTES >> 20, T > 4096 ? ": use a smaller block" : "");
  }
  r->zeros = calloc((size_t)r->maxT, sizeof(float));
  r->discard = calloc((size_t)r->maxT, sizeof(float));
  r->st = r->zeros && r->discard ? r->rt->create(net, r->maxT, opts && opts->fast_tanh) : NULL;
  if (!r->st) { sw_runner_free(r); return sw_fail(err, SW_ENOMEM, "out of memory creating the model"); }
  r->prewarm = sw_arch_prewarm(net);
  sw_widths w = sw_net_full_widths(net);
  r->per_sample = (sw_work_counters){.macs = sw_net_macs(net, &w), .activations = sw_net_activations(net, &w),
                                     .samples = 1, .weight_bytes = (long long)sizeof(float) * net->nw};
  sw_runner_reset(r);
  *out = r;
  return SW_OK;
}

int sw_runner_set_widths(sw_runner *r, const sw_widths *w, sw_err *err) {
  if (r->wn) return sw_wavenet_set_widths(r->wn, w, err);
  int rc = sw_net_check_widths(r->net, w, err);
  if (!rc) sw_runner_reset(r);
  return rc;
}

int sw_runner_set_slim(sw_runner *r, double v, sw_err *err) {
  if (r->wn) return sw_wavenet_set_slim(r->wn, v, err);
  if (!(v >= 0.0 && v <= 1.0)) return sw_fail(err, SW_EUSAGE, "slim value %g outside [0, 1]", v);
  sw_runner_reset(r);
  return SW_OK;
}

sw_widths sw_runner_widths(const sw_runner *r) { return r->wn ? sw_wavenet_widths(r->wn) : sw_net_full_widths(r->net); }

void sw_runner_reset(sw_runner *r) {
  if (r->wn) { sw_wavenet_reset(r->wn); return; }
  r->rt->reset(r->st);
  for (long left = r->prewarm; left > 0;) {
    int T = left > r->maxT ? r->maxT : (int)left;
    r->rt->process(r->st, r->zeros, r->discard, T);
    left -= T;
  }
}

void sw_runner_process(sw_runner *r, const float *in, float *out, long n) {
  if (r->wn) { sw_wavenet_process(r->wn, in, out, n); return; }
  while (n > 0) {
    int T = n > r->maxT ? r->maxT : (int)n;
    r->rt->process(r->st, in, out, T);
    sw_work_counters *c = &r->work;
    c->macs += r->per_sample.macs * T;
    c->activations += r->per_sample.activations * T;
    c->weight_bytes += r->per_sample.weight_bytes; /* read once per block, as the WaveNet counts */
    c->samples += T;
    in += T;
    out += T;
    n -= T;
  }
}

void sw_runner_run(sw_runner *r, const float *in, float *out, long n, int block) {
  if (r->wn) { sw_wavenet_run(r->wn, in, out, n, block); return; }
  sw_runner_reset(r);
  if (block <= 0 || block > r->maxT) block = r->maxT;
  for (long t = 0; t < n; t += block) sw_runner_process(r, in + t, out + t, n - t < block ? n - t : block);
}

int sw_runner_fallbacks(const sw_runner *r) { return r->wn ? sw_wavenet_fallbacks(r->wn) : 0; }
const sw_backend *sw_runner_backend(const sw_runner *r) { return r->wn ? sw_wavenet_backend(r->wn) : sw_backend_naive(); }
sw_work_counters *sw_runner_counters(sw_runner *r) { return r->wn ? sw_wavenet_counters(r->wn) : &r->work; }
sw_wavenet *sw_runner_wavenet(sw_runner *r) { return r->wn; }
