/* The software-defined events read back through PAPI equal the model's MAC and activation
   formulas at every width (they are counted from the kernels' arguments, the formula from the
   config), samples equal the samples processed, and the hardware presets on a machine without
   counters are NA with a reason, never a crash. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/nam_file.h"
#include "../core/runner.h"
#include "../harness/counters.h"
#include "check.h"
#include "netgen.h"

static void check_net(const char *name, const sw_net *net, const float *x, long n) {
  sw_widths ws[64];
  int nw = sw_net_width_steps(net, ws, 64);
  if (nw > 64) nw = 64;
  sw_runner *wn;
  sw_err err;
  sw_run_opts o = {.max_block = 64};
  CHECK(sw_runner_create(net, &o, &wn, &err) == 0, "%s", err.msg);
  for (int j = 0; j < nw; j++) {
    sw_runner_set_widths(wn, &ws[j], &err);
    sw_counter_value v[SW_COUNTERS_MAX];
    int k = sw_counters_run(wn, x, n, 64, v);
    CHECK(k >= 11, "%s: %d counter values", name, k);
    double macs = NAN, acts = NAN, samples = NAN, bytes = NAN;
    for (int i = 0; i < k; i++) {
      if (!strcmp(v[i].name, "sde:::slimwave::MACS")) macs = v[i].total;
      if (!strcmp(v[i].name, "sde:::slimwave::ACTIVATIONS")) acts = v[i].total;
      if (!strcmp(v[i].name, "sde:::slimwave::SAMPLES")) samples = v[i].total;
      if (!strcmp(v[i].name, "sde:::slimwave::WEIGHT_BYTES")) bytes = v[i].total;
      if (!strncmp(v[i].name, "PAPI_", 5)) CHECK(!isnan(v[i].total) || v[i].why[0], "%s: %s is NA without a reason", name, v[i].name);
    }
    if (!sw_counters_available()) continue;
    CHECK(samples == (double)n, "%s: SDE samples %g, processed %ld", name, samples, n);
    CHECK(macs == (double)sw_net_macs(net, &ws[j]) * n, "%s width %d: SDE MACs %.0f, formula %ld x %ld", name, ws[j].c[0], macs, sw_net_macs(net, &ws[j]), n);
    CHECK(acts == (double)sw_net_activations(net, &ws[j]) * n, "%s: SDE activations %.0f, formula %ld x %ld", name, acts, sw_net_activations(net, &ws[j]), n);
    /* weights touched per 64-sample block: every used weight once per block (head_scale aside) */
    double blocks = ceil((double)n / 64);
    CHECK(bytes == 4.0 * (sw_net_weights_used(net, &ws[j]) - 1) * blocks, "%s: SDE weight bytes %.0f, expected %.0f", name, bytes,
          4.0 * (sw_net_weights_used(net, &ws[j]) - 1) * blocks);
  }
  printf("%-28s SDE MACs/activations/samples/weight bytes == formulas at %d widths\n", name, nw);
  sw_runner_free(wn);
}

int main(void) {
  long n = 1000;
  float *x = malloc(sizeof(float) * (size_t)n);
  sw_test_signal(x, n, 5);
  if (!sw_counters_available()) printf("note: built without PAPI; checking the NA path only\n");
  static const int d[] = {1, 2, 4}, d2[] = {3, 9};
  sw_arr_spec gated[] = {{.C = 4, .H = 1, .K = 3, .n_layers = 3, .dil = d, .act = SW_ACT_TANH, .gated = true, .head_bias = true, .head_kernel = 5}};
  sw_arr_spec two[] = {{.C = 6, .H = 3, .K = 2, .n_layers = 3, .dil = d, .act = SW_ACT_TANH},
                       {.C = 3, .H = 1, .K = 3, .n_layers = 2, .dil = d2, .act = SW_ACT_TANH, .head_bias = true, .no_layer1x1 = true}};
  sw_net net;
  sw_test_make_net(&net, 1, gated, 3);
  check_net("gated, head kernel 5", &net, x, n);
  sw_net_free(&net);
  sw_test_make_net(&net, 2, two, 4);
  check_net("two arrays, no 1x1 in the 2nd", &net, x, n);
  sw_net_free(&net);
  const char *sh = sw_test_shared();
  if (sh) {
    char dir[4096];
    sw_model m;
    sw_err err;
    snprintf(dir, sizeof dir, "%s/models", sh);
    if (!sw_model_load(sw_test_path(dir, "core_wavenet_a1_standard.nam"), &m, &err)) {
      check_net("core_wavenet_a1_standard", &m.sub[0], x, n);
      sw_model_free(&m);
    }
  }
  free(x);
  return check_summary();
}
