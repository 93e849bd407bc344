/* Timing of the streaming model: the same calls a plugin makes (sw_runner_process per block),
   on one thread, after a warm-up; median and minimum over repeats. */
#include "bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/archs.h"
#include "../core/runner.h"
#include "sw_build.h"
#include "sw_commit.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* What the backend says about its plan for layer 0 of array 0 (or the head) at these widths. */
static void impl_info(const sw_net *net, const sw_backend *be, const sw_widths *w, int block, bool fast, char *out, size_t len) {
  out[0] = 0;
  if (!be->plan_info || net->arch != SW_ARCH_WAVENET) return;
  sw_layout L;
  sw_err e;
  if (sw_layout_make(net, &L, &e)) return;
  const sw_array_cfg *a = &net->arrays[0];
  const sw_layer_off *o = &L.arrays[0].layers[0];
  void *plan = NULL;
  if (be->layer_plan && a->n_layers > 0) {
    sw_layer_args p = {.C = w->c[0], .K = a->layers[0].kernel, .d = a->layers[0].dilation, .T = block,
                       .gated = a->layers[0].gated, .act = a->layers[0].act, .w = net->w + o->w, .b = net->w + o->b,
                       .ldw = (ptrdiff_t)a->channels * a->layers[0].kernel, .m = net->w + o->m,
                       .v = o->v >= 0 ? net->w + o->v : NULL, .vb = o->v >= 0 ? net->w + o->vb : NULL, .ldv = a->channels};
    if (fast && p.act.kind == SW_ACT_TANH) p.act.kind = SW_ACT_FAST_TANH;
    plan = be->layer_plan(&p);
  } else if (be->conv_plan) {
    int h = net->n_arrays > 1 ? w->c[1] : a->head_size;
    sw_conv_args p = {.cout = h, .cin = w->c[0], .K = a->head_kernel, .d = 1, .T = block, .w = net->w + L.arrays[0].g,
                      .ldw = (ptrdiff_t)a->channels * a->head_kernel,
                      .b = L.arrays[0].gb >= 0 ? net->w + L.arrays[0].gb : NULL};
    plan = be->conv_plan(&p);
  }
  if (plan) {
    snprintf(out, len, "%s", be->plan_info(plan));
    if (be->plan_free) be->plan_free(plan);
  }
  sw_layout_free(&L);
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct sw_bench {
  const sw_net *net;
  sw_runner *wn;
  float *in, *out;
  long len;
  int block, nrep, max_rep;
  double *wall, *cpu;
  sw_bench_result r;
};

void sw_bench_close(sw_bench *b) {
  if (!b) return;
  sw_runner_free(b->wn);
  free(b->in);
  free(b->out);
  free(b->wall);
  free(b->cpu);
  free(b);
}

static void stream(sw_bench *b, long len) {
  for (long t = 0; t < len; t += b->block)
    sw_runner_process(b->wn, b->in + t, b->out + t, len - t < b->block ? len - t : b->block);
}

int sw_bench_open(const sw_net *net, const sw_backend *be, const sw_widths *w, const float *x, long n, int block,
                  double seconds, bool fast_tanh, int max_repeats, sw_bench **out, sw_err *err) {
  *out = NULL;
  if (n < 1 || block < 1 || max_repeats < 1 || !(seconds > 0))
    return sw_fail(err, SW_EUSAGE, "benchmark: empty input or bad settings");
  sw_bench *b = calloc(1, sizeof *b);
  if (!b) return sw_fail(err, SW_ENOMEM, "out of memory");
  b->net = net;
  b->block = block;
  b->max_rep = max_repeats;
  b->len = (long)(seconds * net->sample_rate + 0.5);
  if (b->len < block) b->len = block;
  b->in = malloc(sizeof(float) * (size_t)b->len);
  b->out = malloc(sizeof(float) * (size_t)b->len);
  b->wall = malloc(sizeof(double) * (size_t)max_repeats);
  b->cpu = malloc(sizeof(double) * (size_t)max_repeats);
  if (!b->in || !b->out || !b->wall || !b->cpu) { sw_bench_close(b); return sw_fail(err, SW_ENOMEM, "out of memory"); }
  for (long i = 0; i < b->len; i++) b->in[i] = x[i % n];
  sw_run_opts o = {.backend = be, .max_block = block, .fast_tanh = fast_tanh};
  int rc = sw_runner_create(net, &o, &b->wn, err);
  if (!rc) rc = sw_runner_set_widths(b->wn, w, err); /* plans are made here, outside the timing */
  if (rc) { sw_bench_close(b); return rc; }
  b->r.fallbacks = sw_runner_fallbacks(b->wn);
  b->r.macs_per_sample = sw_net_macs(net, w);
  b->r.audio_s = (double)b->len / net->sample_rate;
  impl_info(net, be, w, block, fast_tanh, b->r.impl, sizeof b->r.impl);
  if (net->arch != SW_ARCH_WAVENET) snprintf(b->r.impl, sizeof b->r.impl, "%s in plain C", sw_arch_name(net->arch));
  /* warm-up: a tenth of a pass (at least 16 blocks), not timed */
  long warm = b->len / 10 > 16L * block ? b->len / 10 : 16L * block;
  stream(b, warm < b->len ? warm : b->len);
  *out = b;
  return SW_OK;
}

void sw_bench_repeat(sw_bench *b) {
  if (b->nrep >= b->max_rep) return;
  double t0 = now(), c0 = cpu_now();
  stream(b, b->len);
  b->cpu[b->nrep] = cpu_now() - c0;
  b->wall[b->nrep++] = now() - t0;
}

static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void sw_bench_result_get(const sw_bench *b, sw_bench_result *r) {
  *r = b->r;
  r->repeats = b->nrep;
  if (!b->nrep) return;
  r->wall_median = median(b->wall, b->nrep); /* sorts in place: order of repeats is not kept */
  r->wall_min = b->wall[0];
  r->cpu_median = median(b->cpu, b->nrep);
}

const char *sw_bench_compiler(void) {
#ifdef __VERSION__
  return SW_COMPILER_ID " " __VERSION__;
#else
  return SW_COMPILER_ID;
#endif
}
const char *sw_bench_flags(void) { return SW_BUILD_FLAGS; }
const char *sw_bench_commit(void) { return SW_GIT_COMMIT; }
