/* NAM's LSTM, ConvNet and Linear architectures: outputs of NeuralAmpModelerCore for small models
   (rendered by its own code, kept here as numbers); streaming against an offline reference in
   double precision; block 1, 64 and 4096 give the same bits; save and reload keep config, weights
   and output (the shared fixtures too, containers of mixed architectures included); the cost
   formulas and the work counters agree; refusals (widths, byte budget) say so before allocating.
   The shared goldens (core_lstm, the LSTM container) are in test_golden. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/archs.h"
#include "../core/nam_file.h"
#include "../core/runner.h"
#include "check.h"
#include "netgen.h"

/* NAM Core (commit daae2d0, built from source, Reset(48000, 64) then blocks of 64, as its
   tools/render) on x[t] = ((t % 7) - 3) / 4, t < 24. */
static const char core_convnet[] =
  "{\"version\":\"0.5.4\",\"architecture\":\"ConvNet\",\"config\":{\"channels\":2,\"dilations\":[1,2],\"batchnorm\":true,"
  "\"activation\":\"Tanh\"},\"weights\":[-0.317,-0.628,0.272,-0.77,0.014,-0.054,0.587,1.261,-1.388,-0.199,-0.258,-0.246,"
  "1e-05,-0.136,0.588,-0.677,-0.498,0.229,0.806,0.139,-0.186,0.191,-0.181,1.788,0.934,-1.067,-1.147,-0.115,0.19,1e-05,"
  "-0.447,0.114,0.028],\"sample_rate\":48000}";
static const float core_convnet_y[24] = {
  0.0504902825f, 0.0334410183f, 0.11657238f, 0.142832085f, 0.163985521f, 0.165571824f, 0.157224923f, 0.0220026635f,
  -0.0469764955f, 0.110013783f, 0.142832085f, 0.163985521f, 0.165571824f, 0.157224923f, 0.0220026635f, -0.0469764955f,
  0.110013783f, 0.142832085f, 0.163985521f, 0.165571824f, 0.157224923f, 0.0220026635f, -0.0469764955f, 0.110013783f};
/* two layers: the second reads the first's hidden state; half a second of prewarm from h0, c0 */
static const char core_lstm[] =
  "{\"version\":\"0.5.4\",\"architecture\":\"LSTM\",\"config\":{\"input_size\":1,\"hidden_size\":2,\"num_layers\":2},"
  "\"weights\":[-0.086,0.108,0.764,-0.062,0.014,0.157,-0.568,0.021,0.234,0.527,-0.731,-0.354,-0.737,0.557,0.348,-0.825,"
  "0.868,0.837,0.277,0.208,-0.617,-0.873,0.051,-0.793,-0.31,-0.258,-0.47,-0.036,-0.059,0.342,0.019,0.14,-0.0,0.097,"
  "-0.026,-0.133,0.896,0.892,0.612,0.374,-0.333,-0.487,-0.38,-0.774,0.479,-0.179,0.624,-0.204,0.824,0.625,-0.899,-0.523,"
  "0.738,-0.054,0.865,-0.185,-0.769,0.233,0.501,-0.414,-0.743,-0.301,0.835,0.464,-0.688,-0.457,-0.718,-0.792,0.297,"
  "-0.322,0.059,-0.053,-0.309,0.232,-0.369,0.144,-0.23,-0.048,-0.172,-0.138,0.753,0.485,-0.02],\"sample_rate\":48000}";
static const float core_lstm_y[24] = {
  -0.109367788f, -0.107477099f, -0.107125536f, -0.108727992f, -0.11167787f, -0.114750788f, -0.117002964f, -0.112836838f,
  -0.111020252f, -0.110513061f, -0.111575395f, -0.113792554f, -0.116159976f, -0.117863744f, -0.113375619f, -0.111353248f,
  -0.110728338f, -0.111712664f, -0.113876373f, -0.116208434f, -0.117890283f, -0.113391638f, -0.111362725f, -0.110734269f};
/* NAM Core's own test (tools/test/test_linear.cpp): w[0] multiplies the newest sample */
static const char core_linear[] =
  "{\"version\":\"0.5.4\",\"architecture\":\"Linear\",\"config\":{\"receptive_field\":3,\"bias\":false},"
  "\"weights\":[0.5,-0.25,0.125],\"sample_rate\":48000}";

static float *render(const sw_net *net, const float *x, long n, int block) {
  sw_runner *r;
  sw_err err;
  sw_run_opts o = {.max_block = block};
  if (sw_runner_create(net, &o, &r, &err)) { fprintf(stderr, "%s\n", err.msg); return NULL; }
  float *y = malloc(sizeof(float) * (size_t)n);
  sw_runner_run(r, x, y, n, block);
  sw_runner_free(r);
  return y;
}

static void core_reference(const char *name, const char *js, const float *x, long n, const float *want) {
  sw_model m;
  sw_err err;
  int rc = sw_model_parse(js, strlen(js), name, &m, &err);
  CHECK(rc == 0, "%s: %s", name, err.msg);
  if (rc) return;
  for (int block = 1; block <= 64; block += 63) {
    float *y = render(&m.sub[0], x, n, block);
    double worst = 0;
    for (long t = 0; y && t < n; t++) worst = fmax(worst, fabs((double)y[t] - want[t]));
    CHECK(y && worst <= 1e-6, "%s, block %d: max |error| %.3g against NAM Core", name, block, worst);
    if (block == 64) printf("%-22s NAM Core's output, max |error| %.3g\n", name, worst);
    free(y);
  }
  sw_model_free(&m);
}

/* ---- generated nets: deterministic weights ---- */
static unsigned lcg = 1;
static float rnd(float s) {
  lcg = lcg * 1103515245u + 12345u;
  return s * ((float)((lcg >> 8) & 0xFFFF) / 32768.0f - 1.0f);
}

static void fill(sw_net *net, float s) {
  net->nw = sw_net_count_weights(net);
  net->w = malloc(sizeof(float) * (size_t)net->nw);
  for (long k = 0; k < net->nw; k++) net->w[k] = rnd(s);
  snprintf(net->version, sizeof net->version, "0.5.4");
  sw_meta_init(&net->meta);
}

static void make_lstm(sw_net *net, int H, int L) {
  memset(net, 0, sizeof *net);
  *net = (sw_net){.arch = SW_ARCH_LSTM, .lstm = {1, H, L}, .sample_rate = 2000}; /* prewarm 1000 */
  fill(net, 0.7f);
}

static void make_convnet(sw_net *net, int C, const int *dil, int nb, bool bn, sw_act act) {
  memset(net, 0, sizeof *net);
  *net = (sw_net){.arch = SW_ARCH_CONVNET, .convnet = {C, nb, malloc(sizeof(int) * (size_t)nb), bn, act}, .sample_rate = 48000};
  memcpy(net->convnet.dilations, dil, sizeof(int) * (size_t)nb);
  fill(net, 0.6f);
  if (!bn) return;
  long p = 0; /* running variances positive, eps small */
  for (int b = 0; b < nb; b++) {
    p += 2L * C * (b ? C : 1);
    for (int o = 0; o < C; o++) net->w[p + C + o] = 0.5f + fabsf(net->w[p + C + o]);
    p += 4L * C;
    net->w[p++] = 1e-5f;
  }
}

static void make_linear(sw_net *net, int R, bool bias) {
  memset(net, 0, sizeof *net);
  *net = (sw_net){.arch = SW_ARCH_LINEAR, .linear = {R, bias}, .sample_rate = 48000};
  fill(net, 0.05f);
}

static double sig(double z) { return 1 / (1 + exp(-z)); }
static double act_d(sw_act a, double z) {
  switch (a.kind) {
  case SW_ACT_TANH: return tanh(z);
  case SW_ACT_RELU: return z > 0 ? z : 0;
  case SW_ACT_LEAKY_RELU: return z > 0 ? z : a.alpha * z;
  default: return z;
  }
}

/* Offline, in double: the whole signal at once, preceded by the prewarm's zeros. */
static void reference(const sw_net *net, const float *x, long n, double *y) {
  const float *w = net->w;
  if (net->arch == SW_ARCH_LINEAR) {
    int R = net->linear.receptive_field;
    for (long t = 0; t < n; t++) {
      double acc = net->linear.bias ? w[R] : 0;
      for (int k = 0; k < R && k <= t; k++) acc += (double)w[k] * x[t - k];
      y[t] = acc;
    }
  } else if (net->arch == SW_ARCH_LSTM) {
    int H = net->lstm.hidden_size, L = net->lstm.num_layers;
    double h[16][64], c[16][64], z[256], in[128];
    const float *lw[16];
    long p = 0;
    for (int l = 0; l < L; l++) {
      int ni = l ? H : 1;
      lw[l] = w + p;
      p += 4L * H * (ni + H) + 4L * H;
      for (int i = 0; i < H; i++) h[l][i] = w[p + i], c[l][i] = w[p + H + i];
      p += 2L * H;
    }
    long P = sw_arch_prewarm(net);
    for (long t = -P; t < n; t++) {
      double u = t < 0 ? 0 : x[t];
      for (int l = 0; l < L; l++) {
        int ni = l ? H : 1;
        for (int j = 0; j < ni; j++) in[j] = l ? h[l - 1][j] : u;
        for (int j = 0; j < H; j++) in[ni + j] = h[l][j];
        const float *W = lw[l], *b = lw[l] + 4L * H * (ni + H);
        for (int r = 0; r < 4 * H; r++) {
          z[r] = b[r];
          for (int j = 0; j < ni + H; j++) z[r] += (double)W[r * (ni + H) + j] * in[j];
        }
        for (int i = 0; i < H; i++) {
          c[l][i] = sig(z[H + i]) * c[l][i] + sig(z[i]) * tanh(z[2 * H + i]);
          h[l][i] = sig(z[3 * H + i]) * tanh(c[l][i]);
        }
      }
      if (t >= 0) {
        y[t] = w[p + H];
        for (int i = 0; i < H; i++) y[t] += (double)w[p + i] * h[L - 1][i];
      }
    }
  } else { /* ConvNet: block by block over [zeros (RF - 1); x] */
    const sw_convnet_cfg *cf = &net->convnet;
    long P = sw_arch_prewarm(net), N = P + n;
    int C = cf->channels;
    double *a = calloc((size_t)N * C, sizeof(double)), *b = calloc((size_t)N * C, sizeof(double));
    for (long t = 0; t < n; t++) a[P + t] = x[t]; /* row 0 of a: the input (1 channel) */
    long p = 0;
    for (int k = 0; k < cf->n_blocks; k++) {
      int cin = k ? C : 1, d = cf->dilations[k];
      const float *W = w + p;
      p += 2L * C * cin;
      for (int o = 0; o < C; o++) {
        double sc = 1, lc;
        if (cf->batchnorm) {
          const float *bn = w + p;
          sc = bn[2 * C + o] / sqrt((double)bn[4 * C] + bn[C + o]);
          lc = bn[3 * C + o] - sc * bn[o];
        } else lc = w[p + o];
        for (long t = 0; t < N; t++) {
          double acc = 0;
          for (int i = 0; i < cin; i++)
            acc += W[(o * cin + i) * 2] * (t >= d ? a[i * N + t - d] : 0) + W[(o * cin + i) * 2 + 1] * a[i * N + t];
          b[o * N + t] = act_d(cf->act, acc * sc + lc);
        }
      }
      p += cf->batchnorm ? 4L * C + 1 : C;
      double *tmp = a; a = b; b = tmp;
    }
    for (long t = 0; t < n; t++) {
      y[t] = w[p + C];
      for (int o = 0; o < C; o++) y[t] += (double)w[p + o] * a[o * N + P + t];
    }
    free(a), free(b);
  }
}

static bool same_arch_cfg(const sw_net *a, const sw_net *b) {
  if (a->arch != b->arch || a->nw != b->nw || a->sample_rate != b->sample_rate) return false;
  if (a->arch == SW_ARCH_LSTM) return !memcmp(&a->lstm, &b->lstm, sizeof a->lstm);
  if (a->arch == SW_ARCH_LINEAR) return a->linear.receptive_field == b->linear.receptive_field && a->linear.bias == b->linear.bias;
  if (a->arch == SW_ARCH_CONVNET)
    return a->convnet.channels == b->convnet.channels && a->convnet.n_blocks == b->convnet.n_blocks &&
           a->convnet.batchnorm == b->convnet.batchnorm && a->convnet.act.kind == b->convnet.act.kind &&
           a->convnet.act.alpha == b->convnet.act.alpha &&
           !memcmp(a->convnet.dilations, b->convnet.dilations, sizeof(int) * (size_t)a->convnet.n_blocks);
  return a->n_arrays == b->n_arrays; /* a WaveNet: test_model checks the rest */
}

/* Save, reload: the same containers, configs, weights, and outputs (bit for bit). */
static void round_trip(const char *name, const sw_model *m, const float *x, long n) {
  char path[] = "/tmp/sw_archs_XXXXXX";
  int fd = mkstemp(path);
  close(fd);
  sw_err err;
  sw_model back;
  int rc = sw_model_save(m, path, &err);
  if (!rc) rc = sw_model_load(path, &back, &err);
  remove(path);
  CHECK(rc == 0, "%s: save and reload: %s", name, err.msg);
  if (rc) return;
  CHECK(back.n_sub == m->n_sub && back.container == m->container, "%s: container shape changed", name);
  for (int s = 0; s < m->n_sub && s < back.n_sub; s++) {
    const sw_net *a = &m->sub[s], *b = &back.sub[s];
    CHECK(same_arch_cfg(a, b), "%s: submodel %d: config changed", name, s);
    CHECK(a->nw == b->nw && !memcmp(a->w, b->w, sizeof(float) * (size_t)a->nw), "%s: submodel %d: weights changed", name, s);
    float *ya = render(a, x, n, 64), *yb = render(b, x, n, 64);
    CHECK(ya && yb && !memcmp(ya, yb, sizeof(float) * (size_t)n), "%s: submodel %d: output changed", name, s);
    free(ya), free(yb);
  }
  sw_model_free(&back);
}

/* Blocks of 1, 64 and 4096 give the same bits (the WaveNet submodels of a container: within
   float rounding, as test_stream checks them). */
static void blocks_agree(const char *name, const sw_net *net, const float *x, long n) {
  float *y1 = render(net, x, n, 1), *y64 = render(net, x, n, 64), *y4k = render(net, x, n, 4096);
  double worst = 0;
  for (long t = 0; y1 && y64 && y4k && t < n; t++)
    worst = fmax(worst, fmax(fabs((double)y1[t] - y4k[t]), fabs((double)y64[t] - y4k[t])));
  double tol = net->arch == SW_ARCH_WAVENET ? 1e-6 : 0;
  CHECK(y1 && y64 && y4k && worst <= tol, "%s: blocks 1, 64, 4096 differ by %.3g", name, worst);
  free(y1), free(y64), free(y4k);
}

static void check_generated(const char *name, sw_net *net, const float *x, long n, long macs) {
  blocks_agree(name, net, x, n);
  double *ref = malloc(sizeof(double) * (size_t)n);
  reference(net, x, n, ref);
  float *y = render(net, x, n, 64);
  double worst = 0, peak = 0;
  for (long t = 0; y && t < n; t++) worst = fmax(worst, fabs(y[t] - ref[t])), peak = fmax(peak, fabs(ref[t]));
  CHECK(y && worst <= 1e-5 && peak > 1e-3, "%s: max |error| %.3g against the double reference (peak %.3g)", name, worst, peak);
  sw_widths w = sw_net_full_widths(net);
  CHECK(sw_net_macs(net, &w) == macs, "%s: %ld MACs/sample, expected %ld", name, sw_net_macs(net, &w), macs);
  /* the counters: the formula times the samples, not during the prewarm */
  sw_runner *r;
  sw_err err;
  sw_run_opts o = {.max_block = 64};
  if (!sw_runner_create(net, &o, &r, &err)) {
    sw_runner_process(r, x, y, n);
    const sw_work_counters *c = sw_runner_counters(r);
    CHECK(c->samples == n && c->macs == macs * n && c->activations == sw_net_activations(net, &w) * n,
          "%s: counters %lld samples, %lld MACs", name, c->samples, c->macs);
    sw_widths bad = {.n = 1, .c = {w.c[0] + 1}};
    CHECK(sw_runner_set_widths(r, &bad, &err) == SW_EUSAGE && strstr(err.msg, "not slimmable"), "%s: a second width accepted", name);
    CHECK(sw_runner_set_slim(r, 0.0, &err) == 0 && sw_runner_widths(r).c[0] == w.c[0], "%s: slim 0 must keep the one width", name);
    sw_runner_free(r);
  }
  printf("%-22s vs double reference %.3g (peak %.3g), blocks 1/64/4096 identical, %ld MACs/sample\n", name, worst, peak, macs);
  sw_model m;
  CHECK(sw_model_from_net(net, &m, &err) == 0, "%s", err.msg);
  round_trip(name, &m, x, n);
  sw_model_free(&m);
  free(ref), free(y);
}

int main(void) {
  float xs[24];
  for (int t = 0; t < 24; t++) xs[t] = (float)((t % 7) - 3) / 4.0f;
  core_reference("NAM Core ConvNet+BN", core_convnet, xs, 24, core_convnet_y);
  core_reference("NAM Core LSTM 2x2", core_lstm, xs, 24, core_lstm_y);
  const float ones[4] = {1, 2, 3, 4}, lin_y[4] = {0.5f, 0.75f, 1.125f, 1.5f};
  core_reference("NAM Core Linear", core_linear, ones, 4, lin_y);

  long n = 6000;
  float *x = malloc(sizeof(float) * (size_t)n);
  sw_test_signal(x, n, 5);
  sw_net net;
  make_lstm(&net, 5, 2);
  check_generated("LSTM 5x2", &net, x, n, 4 * 5 * 6 + 4 * 5 * 10 + 5);
  sw_net_free(&net);
  static const int d1[] = {1, 2, 4, 8, 16, 32}, d2[] = {3, 1, 9};
  make_convnet(&net, 4, d1, 6, false, (sw_act){SW_ACT_TANH, 0});
  check_generated("ConvNet 4 tanh", &net, x, n, 2 * 4 * 1 + 5 * 2 * 16 + 4);
  sw_net_free(&net);
  make_convnet(&net, 3, d2, 3, true, (sw_act){SW_ACT_LEAKY_RELU, 0.2f});
  check_generated("ConvNet 3 bn leaky", &net, x, n, 2 * 3 + 2 * 2 * 9 + 3);
  sw_net_free(&net);
  make_linear(&net, 300, true);
  check_generated("Linear 300 + bias", &net, x, n, 300);
  sw_net_free(&net);

  /* the byte budget refuses before allocating: a ConvNet of 30 blocks of 16 channels at blocks of 2^20 */
  {
    static const int d[30] = {1};
    make_convnet(&net, 16, d, 30, false, (sw_act){SW_ACT_TANH, 0});
    for (int b = 0; b < 30; b++) net.convnet.dilations[b] = 1;
    sw_runner *r = NULL;
    sw_err err;
    sw_run_opts o = {.max_block = 1 << 20};
    CHECK(sw_runner_create(&net, &o, &r, &err) == SW_EINPUT && strstr(err.msg, "streaming state for blocks of 1048576"),
          "budget: %s", r ? "created" : err.msg);
    sw_runner_free(r);
    sw_net_free(&net);
  }

  const char *sh = sw_test_shared();
  if (sh) {
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/models", sh);
    static const char *const files[] = {"core_lstm.nam", "core_slimmable_container_lstm.nam"};
    for (int i = 0; i < 2; i++) {
      sw_model m;
      sw_err err;
      int rc = sw_model_load(sw_test_path(dir, files[i]), &m, &err);
      CHECK(rc == 0, "%s: %s", files[i], err.msg);
      if (rc) continue;
      for (int s = 0; s < m.n_sub; s++) {
        blocks_agree(files[i], &m.sub[s], x, n);
        /* what `slimwave export` writes: the submodel at its full width, as a plain model */
        sw_widths full = sw_net_full_widths(&m.sub[s]);
        sw_net one;
        sw_model plain;
        CHECK(sw_net_slice(&m.sub[s], &full, &one, &err) == 0 && sw_model_from_net(&one, &plain, &err) == 0, "%s: export: %s",
              files[i], err.msg);
        round_trip(files[i], &plain, x, n);
        sw_model_free(&plain);
        sw_net_free(&one);
      }
      round_trip(files[i], &m, x, n);
      printf("%-34s %d submodel(s): blocks agree, round trip (whole and exported) identical\n", files[i], m.n_sub);
      sw_model_free(&m);
    }
    sw_widths w = {.n = 1, .c = {3}};
    sw_model m;
    sw_err err;
    if (!sw_model_load(sw_test_path(dir, "core_lstm.nam"), &m, &err)) { /* 4H(1+H) + H, 3 sigmoids and 2 tanh per unit */
      CHECK(sw_net_macs(&m.sub[0], &w) == 51 && sw_net_activations(&m.sub[0], &w) == 15, "core_lstm: %ld MACs, %ld activations",
            sw_net_macs(&m.sub[0], &w), sw_net_activations(&m.sub[0], &w));
      sw_model_free(&m);
    }
  } else {
    printf("../shared not found: the shared LSTM fixtures not checked here (set SLIMWAVE_SHARED)\n");
  }
  free(x);
  return check_summary();
}
