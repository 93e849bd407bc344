/* Model data: slim equivalence (a width-c' run equals a separately built plain model holding
   the sliced weights, bit for bit), .nam round trip (load, save, load: identical config,
   weights and output), slim-value mapping, and the MAC formula against SPEC's preset table. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/nam_file.h"
#include "../core/wavenet.h"
#include "check.h"
#include "netgen.h"

static float *render(const sw_net *net, const sw_widths *w, const float *x, long n) {
  sw_wavenet *wn;
  sw_err err;
  sw_run_opts o = {.max_block = 64};
  if (sw_wavenet_create(net, &o, &wn, &err)) { fprintf(stderr, "%s\n", err.msg); return NULL; }
  if (w && sw_wavenet_set_widths(wn, w, &err)) { sw_wavenet_free(wn); return NULL; }
  float *y = malloc(sizeof(float) * (size_t)n);
  sw_wavenet_run(wn, x, y, n, 64);
  sw_wavenet_free(wn);
  return y;
}

static void slim_equivalence(const char *name, const sw_net *net, const float *x, long n) {
  sw_widths steps[64];
  int ns = sw_net_width_steps(net, steps, 64);
  if (ns > 64) ns = 64;
  for (int j = 0; j < ns; j++) {
    sw_net plain;
    sw_err err;
    int rc = sw_net_slice(net, &steps[j], &plain, &err);
    CHECK(rc == 0, "%s: slice: %s", name, err.msg);
    if (rc) continue;
    CHECK(plain.nw == sw_net_weights_used(net, &steps[j]), "%s: sliced weight count %ld, formula %ld", name, plain.nw, sw_net_weights_used(net, &steps[j]));
    float *a = render(net, &steps[j], x, n), *b = render(&plain, NULL, x, n);
    CHECK(a && b && memcmp(a, b, sizeof(float) * (size_t)n) == 0, "%s width %d: slim view differs from the sliced plain model", name, steps[j].c[0]);
    sw_widths full = sw_net_full_widths(&plain);
    CHECK(sw_net_macs(&plain, &full) == sw_net_macs(net, &steps[j]), "%s: MACs of the slice differ", name);
    free(a); free(b);
    sw_net_free(&plain);
  }
  printf("%-32s slim view == sliced model at %d widths\n", name, ns);
}

static bool same_cfg(const sw_net *a, const sw_net *b) {
  if (a->n_arrays != b->n_arrays || a->nw != b->nw || a->sample_rate != b->sample_rate) return false;
  for (int i = 0; i < a->n_arrays; i++) {
    const sw_array_cfg *p = &a->arrays[i], *q = &b->arrays[i];
    if (p->input_size != q->input_size || p->channels != q->channels || p->head_size != q->head_size ||
        p->head_kernel != q->head_kernel || p->head_bias != q->head_bias || p->layer1x1 != q->layer1x1 ||
        p->n_layers != q->n_layers || p->slimmable != q->slimmable || p->n_allowed != q->n_allowed)
      return false;
    if (memcmp(p->allowed, q->allowed, sizeof(int) * (size_t)p->n_allowed)) return false;
    for (int l = 0; l < p->n_layers; l++)
      if (p->layers[l].kernel != q->layers[l].kernel || p->layers[l].dilation != q->layers[l].dilation ||
          p->layers[l].act.kind != q->layers[l].act.kind || p->layers[l].act.alpha != q->layers[l].act.alpha ||
          p->layers[l].gated != q->layers[l].gated)
        return false;
  }
  return true;
}

static void round_trip(const char *name, const sw_model *m, const float *x, long n) {
  char path[] = "/tmp/sw_roundtrip_XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  sw_err err;
  sw_model back;
  int rc = sw_model_save(m, path, &err);
  CHECK(rc == 0, "%s: save: %s", name, err.msg);
  rc = rc ? rc : sw_model_load(path, &back, &err);
  CHECK(rc == 0, "%s: reload: %s", name, err.msg);
  remove(path);
  if (rc) return;
  CHECK(back.n_sub == m->n_sub && back.container == m->container, "%s: container shape changed", name);
  for (int s = 0; s < m->n_sub && s < back.n_sub; s++) {
    const sw_net *a = &m->sub[s], *b = &back.sub[s];
    CHECK(same_cfg(a, b), "%s: config changed in the round trip", name);
    CHECK(a->nw == b->nw && memcmp(a->w, b->w, sizeof(float) * (size_t)a->nw) == 0, "%s: weights changed in the round trip", name);
    CHECK(a->head_scale == b->head_scale, "%s: head_scale changed", name);
    CHECK((isnan(a->meta.loudness) && isnan(b->meta.loudness)) || a->meta.loudness == b->meta.loudness, "%s: metadata loudness lost", name);
    if (m->container) CHECK(m->max_value[s] == back.max_value[s], "%s: max_value changed", name);
    float *ya = render(a, NULL, x, n), *yb = render(b, NULL, x, n);
    CHECK(ya && yb && memcmp(ya, yb, sizeof(float) * (size_t)n) == 0, "%s: output changed in the round trip", name);
    free(ya); free(yb);
  }
  printf("%-32s round trip: config, weights, metadata and output identical\n", name);
  sw_model_free(&back);
}

/* A message may wrap the one already in err (a caller adding context to a callee's error). */
static void test_fail_wraps(void) {
  sw_err e = {0};
  sw_fail(&e, SW_EINPUT, "x.nam: bad weight count");
  sw_fail(&e, SW_EFAIL, "training stopped (%s); rerun", e.msg);
  CHECK(strcmp(e.msg, "training stopped (x.nam: bad weight count); rerun") == 0, "wrapped message garbled: \"%s\"", e.msg);
}

int main(void) {
  test_fail_wraps();
  long n = 6000;
  float *x = malloc(sizeof(float) * (size_t)n);
  sw_test_signal(x, n, 3);
  static const int d1[] = {1, 2, 4, 8}, d2[] = {16, 1, 3};
  static const int allow[] = {1, 3, 5};
  struct { const char *name; int n; sw_arr_spec s[2]; } nets[] = {
    {"two-array tanh", 2, {{.C = 5, .H = 3, .K = 3, .n_layers = 4, .dil = d1, .act = SW_ACT_TANH},
                           {.C = 3, .H = 1, .K = 2, .n_layers = 3, .dil = d2, .act = SW_ACT_TANH, .head_bias = true}}},
    {"gated, slimmable 1,3,5", 1, {{.C = 5, .H = 1, .K = 3, .n_layers = 3, .dil = d2, .act = SW_ACT_TANH, .gated = true, .head_bias = true, .allowed = allow, .n_allowed = 3}}},
    {"leaky 0.05, head kernel 4", 1, {{.C = 4, .H = 1, .K = 6, .n_layers = 3, .dil = d2, .act = SW_ACT_LEAKY_RELU, .head_kernel = 4, .head_bias = true}}},
    {"no layer 1x1", 1, {{.C = 3, .H = 1, .K = 3, .n_layers = 4, .dil = d1, .act = SW_ACT_RELU, .no_layer1x1 = true}}},
  };
  for (size_t i = 0; i < sizeof nets / sizeof *nets; i++) {
    sw_net net;
    sw_err err;
    CHECK(sw_test_make_net(&net, nets[i].n, nets[i].s, 10 + (unsigned)i) == 0, "make %s", nets[i].name);
    slim_equivalence(nets[i].name, &net, x, n);
    sw_model m;
    CHECK(sw_model_from_net(&net, &m, &err) == 0, "%s", err.msg);
    round_trip(nets[i].name, &m, x, n);
    sw_model_free(&m);
    sw_net_free(&net);
  }
  /* slim value -> channels: c' = A[min(floor(v |A|), |A|-1)] */
  {
    sw_net net;
    sw_test_make_net(&net, 1, nets[1].s, 1);
    const double v[] = {0.0, 0.33, 0.34, 0.5, 0.66, 0.67, 0.999, 1.0};
    const int want[] = {1, 1, 3, 3, 3, 5, 5, 5};
    for (int i = 0; i < 8; i++) {
      sw_widths w = sw_net_widths_for_slim(&net, v[i]);
      CHECK(w.c[0] == want[i], "slim %g -> %d channels, expected %d", v[i], w.c[0], want[i]);
    }
    sw_net_free(&net);
  }
  const char *sh = sw_test_shared();
  if (sh) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/models", sh);
    struct { const char *file; long weights, macs; } real[] = {
      {"core_wavenet_a1_standard.nam", 13802, 13320}, {"na_boss_sd1_feather.nam", 3026, 2808},
      {"na_boss_sd1_nano.nam", 842, 732}, {"core_slimmable_wavenet.nam", 457, -1}, {"na_boss_sd1_a2.nam", -1, -1},
      {"core_wavenet_tiny.nam", 131, -1},
    };
    for (size_t i = 0; i < sizeof real / sizeof *real; i++) {
      sw_model m;
      sw_err err;
      int rc = sw_model_load(sw_test_path(dir, real[i].file), &m, &err);
      CHECK(rc == 0, "%s", err.msg);
      if (rc) continue;
      sw_widths full = sw_net_full_widths(&m.sub[m.n_sub - 1]);
      if (real[i].weights > 0) CHECK(m.sub[0].nw == real[i].weights, "%s: %ld weights, SPEC says %ld", real[i].file, m.sub[0].nw, real[i].weights);
      if (real[i].macs > 0) CHECK(sw_net_macs(&m.sub[0], &full) == real[i].macs, "%s: %ld MACs, SPEC says %ld", real[i].file, sw_net_macs(&m.sub[0], &full), real[i].macs);
      round_trip(real[i].file, &m, x, n);
      if (!m.container) slim_equivalence(real[i].file, &m.sub[0], x, 2000);
      sw_model_free(&m);
    }
  } else {
    printf("real models skipped: ../shared not found\n");
  }
  free(x);
  return check_summary();
}
