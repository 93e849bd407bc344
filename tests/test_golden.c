/* Golden outputs from NeuralAmpModelerCore (../shared/models/golden) at block 64, exact tanh,
   with every usable backend (WaveNets; LSTMs run on the naive path whatever the backend); and the
   loudness metadata of every model that has it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/audio.h"
#include "../core/nam_file.h"
#include "../core/runner.h"
#include "check.h"

typedef struct golden {
  const char *model, *golden;
  double slim; /* < 0: no --slim (full model) */
} golden;

static const golden cases[] = {
  {"core_wavenet_a1_standard.nam", "core_wavenet_a1_standard.wav", -1},
  {"core_wavenet_tiny.nam", "core_wavenet_tiny.wav", -1},
  {"na_boss_sd1_standard.nam", "na_boss_sd1_standard.wav", -1},
  {"na_boss_sd1_feather.nam", "na_boss_sd1_feather.wav", -1},
  {"na_boss_sd1_nano.nam", "na_boss_sd1_nano.wav", -1},
  {"pel_dirtytree_dt33_standard.nam", "pel_dirtytree_dt33_standard.wav", -1},
  {"pel_dirtytree_dt33_feather.nam", "pel_dirtytree_dt33_feather.wav", -1},
  {"pel_jcm2000_crunch_standard.nam", "pel_jcm2000_crunch_standard.wav", -1},
  {"core_slimmable_wavenet.nam", "core_slimmable_wavenet__slim0.0.wav", 0.0},
  {"core_slimmable_wavenet.nam", "core_slimmable_wavenet__slim0.5.wav", 0.5},
  {"core_slimmable_wavenet.nam", "core_slimmable_wavenet__slim1.0.wav", 1.0},
  {"na_boss_sd1_a2.nam", "na_boss_sd1_a2__default.wav", -1},
  {"na_boss_sd1_a2.nam", "na_boss_sd1_a2__slim0.25.wav", 0.25},
  {"na_boss_sd1_a2.nam", "na_boss_sd1_a2__slim1.0.wav", 1.0},
  {"core_lstm.nam", "core_lstm.wav", -1},
  {"core_slimmable_container_lstm.nam", "core_slimmable_container_lstm__default.wav", -1},
  {"core_slimmable_container_lstm.nam", "core_slimmable_container_lstm__slim0.0.wav", 0.0},
  {"core_slimmable_container_lstm.nam", "core_slimmable_container_lstm__slim1.0.wav", 1.0},
};

/* Test fixtures whose metadata loudness is not their own: NAM Core renders core_lstm.nam at
   -38.072 dB on the loudness input (its metadata: -37.841, as ours), so the number was not made
   from this model. */
static bool loudness_is_its_own(const char *model) { return strcmp(model, "core_lstm.nam") != 0; }

/* Runs net at slim value (or full) with backend be, block 64. Returns malloc'ed output. */
static float *render(const sw_model *m, double slim, const sw_backend *be, const sw_audio *in) {
  const sw_net *net = sw_model_pick(m, slim < 0 ? 1.0 : slim);
  sw_run_opts o = {.backend = be, .max_block = 64};
  sw_runner *wn;
  sw_err err;
  if (sw_runner_create(net, &o, &wn, &err)) { fprintf(stderr, "%s\n", err.msg); return NULL; }
  if (slim >= 0 && !m->container && sw_runner_set_slim(wn, slim, &err)) { sw_runner_free(wn); return NULL; }
  float *y = malloc(sizeof(float) * (size_t)in->n);
  sw_runner_run(wn, in->x, y, in->n, 64);
  sw_runner_free(wn);
  return y;
}

int main(void) {
  const char *sh = sw_test_shared();
  if (!sh) { printf("skipped: ../shared not found (set SLIMWAVE_SHARED)\n"); return SW_TEST_SKIP; }
  char models[4096], gold[4096];
  snprintf(models, sizeof models, "%s/models", sh);
  snprintf(gold, sizeof gold, "%s/models/golden", sh);
  sw_err err;
  sw_audio in, loud;
  CHECK(sw_audio_read(sw_test_path(models, "core_example_input.wav"), &in, &err) == 0, "input: %s", err.msg);
  CHECK(sw_audio_read(sw_test_path(models, "nam_loudness_input.wav"), &loud, &err) == 0, "loudness input: %s", err.msg);
  if (sw_t_fail) return check_summary();
  /* $SW_TEST_MAX_SAMPLES: compare a prefix only (valgrind; the rendering is causal, so a prefix
     of the output is the output of the prefix) */
  const long full_n = in.n, max_n = getenv("SW_TEST_MAX_SAMPLES") ? atol(getenv("SW_TEST_MAX_SAMPLES")) : 0;
  if (max_n > 0 && max_n < in.n) in.n = max_n;

  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    sw_model m;
    sw_audio g;
    int rc = sw_model_load(sw_test_path(models, cases[c].model), &m, &err);
    CHECK(rc == 0, "%s: %s", cases[c].model, err.msg);
    if (rc) continue;
    rc = sw_audio_read(sw_test_path(gold, cases[c].golden), &g, &err);
    CHECK(rc == 0 && g.n == full_n, "%s: %s", cases[c].golden, err.msg);
    if (rc) { sw_model_free(&m); continue; }
    for (int b = 0; b < sw_backend_count(); b++) {
      const sw_backend *be = sw_backend_at(b);
      if (!sw_backend_is_usable(be) || !sw_test_backend_wanted(be->name)) continue;
      float *y = render(&m, cases[c].slim, be, &in);
      CHECK(y != NULL, "%s: render failed", cases[c].model);
      if (!y) continue;
      /* 1e-5 absolute, plus float32 rounding of large outputs (the slimmable fixture peaks at 15,
         where one ulp is 1e-6 and two float implementations differ by a few ulps). */
      double worst = 0, peak = 0;
      int bad = 0;
      for (long t = 0; t < in.n; t++) {
        double e = fabs((double)y[t] - g.x[t]), tol = 1e-5 + 1e-6 * fabs(g.x[t]);
        if (!(e <= tol)) bad++;
        if (e > worst) worst = e;
        if (fabs(g.x[t]) > peak) peak = fabs(g.x[t]);
      }
      CHECK(bad == 0, "%s [%s] backend %s: %d samples off, max |error| %.3g (peak %.3g)", cases[c].model, cases[c].golden, be->name, bad, worst, peak);
      printf("golden %-34s %-40s %-7s max|err| %.3g\n", cases[c].model, cases[c].golden, be->name, worst);
      free(y);
    }
    /* Loudness: 20 log10 RMS(model(loudness_input)) equals the metadata (to 0.01 dB). */
    const sw_net *net = sw_model_pick(&m, cases[c].slim < 0 ? 1.0 : cases[c].slim);
    if (!isnan(net->meta.loudness) && cases[c].slim < 0 && loudness_is_its_own(cases[c].model)) {
      float *y = render(&m, cases[c].slim, sw_backend_naive(), &loud);
      double ss = 0;
      for (long t = 0; t < loud.n; t++) ss += (double)y[t] * y[t];
      double db = 20 * log10(sqrt(ss / loud.n));
      CHECK(fabs(db - net->meta.loudness) <= 0.01, "%s: loudness %.4f dB, metadata says %.4f", cases[c].model, db, net->meta.loudness);
      printf("loudness %-32s %.4f dB (metadata %.4f)\n", cases[c].model, db, net->meta.loudness);
      free(y);
    }
    sw_audio_free(&g);
    sw_model_free(&m);
  }
  sw_audio_free(&in);
  sw_audio_free(&loud);
  return check_summary();
}
