/* Streaming equals offline: for block sizes 1, 7, 64, 4096 and every width from smallest to
   full, the streaming model (naive backend) matches the independent double-precision offline
   computation, and all block sizes give bit-identical output (the per-sample arithmetic does not
   depend on how the signal is cut). Also: a width change resets history (equals a fresh model),
   and the same holds on the real models in ../shared when present. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/nam_file.h"
#include "../core/wavenet.h"
#include "check.h"
#include "netgen.h"
#include "ref_wavenet.h"

static const int blocks[] = {1, 7, 64, 4096};

static void check_net(const char *name, const sw_net *net, const float *x, long n, int max_widths) {
  sw_widths steps[64];
  int ns = sw_net_width_steps(net, steps, 64);
  if (ns > 64) ns = 64;
  /* smallest, full, and evenly spread widths in between (max_widths in all) */
  int stride = ns > max_widths ? (ns + max_widths - 2) / (max_widths - 1) : 1;
  float *y = malloc(sizeof(float) * (size_t)n), *y0 = malloc(sizeof(float) * (size_t)n);
  double *ref = malloc(sizeof(double) * (size_t)n);
  sw_wavenet *wn;
  sw_err err;
  sw_run_opts o = {.max_block = 4096};
  CHECK(sw_wavenet_create(net, &o, &wn, &err) == 0, "%s: %s", name, err.msg);
  for (int j = 0; j < ns; j += (j + stride < ns || j == ns - 1) ? stride : ns - 1 - j) {
    char ws[64] = "";
    for (int i = 0; i < steps[j].n; i++) snprintf(ws + strlen(ws), sizeof ws - strlen(ws), "%s%d", i ? "," : "", steps[j].c[i]);
    CHECK(sw_ref_forward(net, &steps[j], false, x, n, ref) == 0, "ref alloc");
    CHECK(sw_wavenet_set_widths(wn, &steps[j], &err) == 0, "%s: %s", name, err.msg);
    for (size_t b = 0; b < sizeof blocks / sizeof *blocks; b++) {
      sw_wavenet_run(wn, x, y, n, blocks[b]);
      double se = 0, sr = 0, worst = 0;
      for (long t = 0; t < n; t++) {
        double e = y[t] - ref[t];
        se += e * e;
        sr += ref[t] * ref[t];
        if (fabs(e) > worst) worst = fabs(e);
      }
      /* float32 against double: normalised error far below 1e-9 for these sizes */
      CHECK(se <= 1e-10 * sr + 1e-20, "%s width %s block %d: normalised error %.3g (max |e| %.3g)", name, ws, blocks[b], se / (sr + 1e-30), worst);
      if (b == 0) memcpy(y0, y, sizeof(float) * (size_t)n);
      else CHECK(memcmp(y0, y, sizeof(float) * (size_t)n) == 0, "%s width %s: block %d differs bitwise from block 1", name, ws, blocks[b]);
    }
    printf("%-28s width %-6s offline==streaming at blocks 1,7,64,4096\n", name, ws);
    if (j == ns - 1) break;
  }
  /* A width change resets: run at full width, switch to the smallest mid-signal, compare with a
     fresh instance at the smallest width. */
  sw_wavenet *fresh;
  CHECK(sw_wavenet_create(net, &o, &fresh, &err) == 0, "%s", err.msg);
  sw_widths full = sw_net_full_widths(net);
  sw_wavenet_set_widths(wn, &full, &err);
  sw_wavenet_process(wn, x, y, n / 2);
  sw_wavenet_set_widths(wn, &steps[0], &err);
  sw_wavenet_set_widths(fresh, &steps[0], &err);
  sw_wavenet_process(wn, x, y, n);
  sw_wavenet_process(fresh, x, y0, n);
  CHECK(memcmp(y, y0, sizeof(float) * (size_t)n) == 0, "%s: output after a width change differs from a fresh model", name);
  sw_wavenet_free(fresh);
  sw_wavenet_free(wn);
  free(y); free(y0); free(ref);
}

int main(void) {
  long n = 9000;
  float *x = malloc(sizeof(float) * (size_t)n);
  sw_test_signal(x, n, 1);
  static const int d1[] = {1, 2, 4, 8, 16, 32, 64}, d2[] = {3, 1, 40, 7}, d3[] = {1, 5};
  static const int allow[] = {2, 4, 6};
  struct { const char *name; int n; sw_arr_spec s[2]; } nets[] = {
    {"two-array tanh (lite-like)", 2, {{.C = 6, .H = 3, .K = 3, .n_layers = 7, .dil = d1, .act = SW_ACT_TANH},
                                       {.C = 3, .H = 1, .K = 3, .n_layers = 4, .dil = d2, .act = SW_ACT_TANH, .head_bias = true}}},
    {"gated sigmoid/tanh", 1, {{.C = 5, .H = 1, .K = 2, .n_layers = 4, .dil = d2, .act = SW_ACT_TANH, .gated = true, .head_bias = true}}},
    {"leaky relu, head kernel 16", 1, {{.C = 4, .H = 1, .K = 6, .n_layers = 2, .dil = d3, .act = SW_ACT_LEAKY_RELU, .head_kernel = 16, .head_bias = true}}},
    {"no layer 1x1, hardtanh", 1, {{.C = 3, .H = 1, .K = 3, .n_layers = 4, .dil = d2, .act = SW_ACT_HARDTANH, .no_layer1x1 = true}}},
    {"slimmable allowed 2,4,6 relu", 2, {{.C = 6, .H = 4, .K = 3, .n_layers = 2, .dil = d3, .act = SW_ACT_RELU, .allowed = allow, .n_allowed = 3},
                                         {.C = 4, .H = 1, .K = 3, .n_layers = 2, .dil = d3, .act = SW_ACT_SIGMOID, .head_bias = true}}},
  };
  for (size_t i = 0; i < sizeof nets / sizeof *nets; i++) {
    sw_net net;
    CHECK(sw_test_make_net(&net, nets[i].n, nets[i].s, (unsigned)i + 1) == 0, "make net %s", nets[i].name);
    check_net(nets[i].name, &net, x, n, 8);
    sw_net_free(&net);
  }
  const char *sh = sw_test_shared();
  if (sh) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/models", sh);
    const char *files[] = {"core_wavenet_a1_standard.nam", "na_boss_sd1_nano.nam", "core_slimmable_wavenet.nam", "na_boss_sd1_a2.nam"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
      sw_model m;
      sw_err err;
      int rc = sw_model_load(sw_test_path(dir, files[i]), &m, &err);
      CHECK(rc == 0, "%s", err.msg);
      if (rc) continue;
      check_net(files[i], &m.sub[0], x, n, 4);
      sw_model_free(&m);
    }
  } else {
    printf("real models skipped: ../shared not found\n");
  }
  free(x);
  return check_summary();
}
