/* libFuzzer target: the .nam loader on arbitrary bytes (every architecture). When a file loads, it
   must also survive what `slimwave process` does with it: create a streaming instance at a width
   chosen from the input, and process a few samples. Properties checked besides "no crash, no leak, no UB":
   refusals are one SW_EINPUT/SW_ENOMEM line naming the file; a loaded model round-trips through
   the writer with identical weights. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/archs.h"
#include "../core/nam_file.h"
#include "../core/runner.h"

#define PATH "fuzz.nam"
/* Work bound for one input, so a valid-but-large model cannot time out the fuzzer: prewarm
   costs receptive field (an LSTM: half a second) x MACs/sample. */
#define MAX_WORK 20000000L

static uint32_t hash(const uint8_t *d, size_t n) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (size_t i = 0; i < n; i++) h = (h ^ d[i]) * 16777619u;
  return h;
}

static void run_net(const sw_net *net, uint32_t h) {
  sw_widths full = sw_net_full_widths(net);
  long rf = net->arch == SW_ARCH_WAVENET ? sw_net_receptive_field(net) : sw_arch_prewarm(net) + 1;
  long macs = sw_net_macs(net, &full);
  if (rf * macs > MAX_WORK || rf > 100000) return;
  int block = 1 + (int)(h % 64);
  sw_run_opts o = {.max_block = block, .fast_tanh = (h >> 6) & 1};
  sw_runner *wn;
  sw_err err = {0};
  if (sw_runner_create(net, &o, &wn, &err)) {
    if (err.code != SW_ENOMEM) __builtin_trap(); /* a loaded model must be runnable */
    return;
  }
  if ((h >> 7) & 1) {
    if (sw_runner_set_slim(wn, (double)((h >> 8) % 1001) / 1000.0, &err)) __builtin_trap();
  } else {
    sw_widths w = full; /* the other architectures have this one width only */
    for (int i = 0; i < w.n && net->arch == SW_ARCH_WAVENET; i++) w.c[i] = 1 + (int)((h >> (8 + i)) % (uint32_t)w.c[i]);
    if (sw_runner_set_widths(wn, &w, &err)) __builtin_trap();
  }
  float x[100], y[100];
  for (int t = 0; t < 100; t++) x[t] = (float)sin(0.1 * t + h);
  sw_runner_process(wn, x, y, 100);
  for (int t = 0; t < 100; t++) (void)y[t];
  sw_runner_free(wn);
}

static void round_trip(const sw_model *m) {
  sw_err err;
  char *js = sw_model_to_json(m, &err);
  if (!js) return;
  sw_model m2;
  if (sw_model_parse(js, strlen(js), "roundtrip.nam", &m2, &err)) __builtin_trap();
  if (m2.n_sub != m->n_sub) __builtin_trap();
  for (int i = 0; i < m->n_sub; i++) {
    if (m2.sub[i].nw != m->sub[i].nw) __builtin_trap();
    if (memcmp(m2.sub[i].w, m->sub[i].w, sizeof(float) * (size_t)m->sub[i].nw)) __builtin_trap();
  }
  sw_model_free(&m2);
  free(js);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  sw_model m;
  sw_err err = {0};
  if (sw_model_parse((const char *)data, size, PATH, &m, &err)) {
    if (err.code != SW_EINPUT && err.code != SW_ENOMEM) __builtin_trap();
    if (!strstr(err.msg, PATH) || strchr(err.msg, '\n')) __builtin_trap();
    return 0;
  }
  uint32_t h = hash(data, size);
  for (int i = 0; i < m.n_sub && i < 2; i++) run_net(&m.sub[i], h + (uint32_t)i);
  if (size < 200000) round_trip(&m);
  sw_model_free(&m);
  return 0;
}
