/* The LV2 host: a linear test plugin (gain, delay, reported latency) gives the exact expected
   output; unknown URIs, ports and out-of-range values are clear errors; the Guitarix plugins run,
   their blip delays are found (and shift exactly with an added delay), and a plugin's reported
   latency (gx_detune: 1792) is removed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../datasets/src/datasets.h"
#include "check.h"

#define RATE 48000
#define TESTURI "urn:slimwave:test-gain-delay"
#define GX "http://guitarix.sourceforge.net/plugins/"

static float *test_signal(long *n) {
  /* The capture layout needs a signal; material from a deterministic pseudo-guitar. */
  long m = 30L * RATE;
  float *x = calloc((size_t)m, sizeof(float));
  unsigned s = 1;
  for (long i = 0; i < m; i++) {
    s = s * 1664525u + 1013904223u;
    x[i] = 0.3f * (float)sin(2 * M_PI * 110 * i / RATE) * (float)exp(-(double)(i % 12000) / 4000) + 0.02f * ((s >> 9) / 8388608.0f - 1);
  }
  sw_layout5 l;
  sw_err err;
  sw_layout5_make(m, RATE, &l, &err);
  memset(x + l.val1_end, 0, sizeof(float) * (size_t)(l.sweep_start - l.val1_end));
  x[l.blip1] = x[l.blip2] = 0.5f;
  memcpy(x + l.val2_start, x, sizeof(float) * (size_t)l.val1_end);
  *n = m;
  return x;
}

static int render(const char *uri, const char *sets, const float *x, float *y, long n, sw_err *err) {
  sw_stage st = {.kind = SW_DEV_LV2};
  snprintf(st.uri, sizeof st.uri, "%s", uri);
  char buf[512];
  snprintf(buf, sizeof buf, "%s", sets ? sets : "");
  for (char *t = strtok(buf, " "); t; t = strtok(NULL, " ")) {
    char *eq = strchr(t, '=');
    *eq = 0;
    snprintf(st.sets[st.nsets].name, sizeof st.sets[0].name, "%s", t);
    st.sets[st.nsets++].value = atof(eq + 1);
  }
  char info[2048];
  return sw_device_render(&st, 1, RATE, x, y, n, info, sizeof info, err);
}

int main(void) {
  long n;
  float *x = test_signal(&n), *y = malloc(sizeof(float) * (size_t)n);
  sw_layout5 l;
  sw_err err = {0};
  sw_layout5_make(n, RATE, &l, &err);

  int rc = render(TESTURI, "gain=0.5", x, y, n, &err);
  CHECK(rc == 0, "test plugin: %s (is LV2_PATH set to the build's lv2 folder?)", err.msg);
  if (rc) { free(x), free(y); return check_summary(); }
  long bad = 0;
  for (long i = 0; i < n; i++) bad += y[i] != 0.5f * x[i];
  CHECK(bad == 0, "gain 0.5 exact: %ld samples differ", bad);
  rc = render(TESTURI, "gain=2 delay=17 report=1", x, y, n, &err);
  bad = 0;
  for (long i = 0; i < n; i++) bad += y[i] != 2.0f * x[i];
  CHECK(rc == 0 && bad == 0, "reported latency 17 removed: %ld samples differ", bad);
  static const long delays[] = {0, 1, 17, 33};
  for (int i = 0; i < 4; i++) {
    char s[64];
    snprintf(s, sizeof s, "gain=1 delay=%ld report=0", delays[i]);
    render(TESTURI, s, x, y, n, &err);
    sw_calib c;
    sw_calibrate(y, n, &l, &c, &err);
    CHECK(c.found && c.delay == delays[i], "unreported delay %ld found as %ld", delays[i], c.delay);
  }
  rc = render("urn:slimwave:no-such-plugin", NULL, x, y, n, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, "no-such-plugin") && strstr(err.msg, "not installed"), "unknown URI: %s", err.msg);
  rc = render(TESTURI, "volume=1", x, y, n, &err);
  CHECK(rc == SW_EUSAGE && strstr(err.msg, "volume") && strstr(err.msg, "gain"), "unknown port: %s", err.msg);
  rc = render(TESTURI, "gain=9", x, y, n, &err);
  CHECK(rc == SW_EUSAGE && strstr(err.msg, "outside its range"), "out of range: %s", err.msg);

  /* Guitarix: each runs, stays finite and repeatable; its blip delay is found, and an extra
     delay of 17 samples moves it by exactly 17. */
  static const char *gx[][2] = {
    {GX "gx_redeye#chump", "Gain=0.15 Volume=0.2"},
    {GX "gx_jcm800pre_#_jcm800pre_", "P6v=0.5 GAIN=-12"},
    {GX "gxmetal_amp#metal_amp", ""},
    {GX "gx_amp#GUITARIX", "Drive=0.35 MasterGain=-8"},
    {GX "gxts9#ts9sim", ""},
    {GX "gx_bossds1_#_bossds1_", ""},
    {GX "gx_muff_#_muff_", ""},
  };
  float *z = malloc(sizeof(float) * (size_t)n);
  int ran = 0;
  for (int i = 0; i < 7; i++) {
    rc = render(gx[i][0], gx[i][1], x, y, n, &err);
    if (rc == SW_EINPUT && strstr(err.msg, "not installed")) { printf("skip %s: not installed\n", gx[i][0]); continue; }
    CHECK(rc == 0, "%s: %s", gx[i][0], err.msg);
    if (rc) continue;
    ran++;
    sw_calib c1, c2;
    sw_calibrate(y, n, &l, &c1, &err);
    for (long k = 0; k < n; k++) z[k] = k >= 17 ? y[k - 17] : 0.0f;
    sw_calibrate(z, n, &l, &c2, &err);
    CHECK(c1.found && c2.found && c2.delay == c1.delay + 17 && c1.delay >= 0 && c1.delay < 100,
          "%s: blip delay %ld, with 17 more %ld", gx[i][0], c1.delay, c2.delay);
    printf("%s: blip delay %ld samples (latency %ld)\n", gx[i][0], c1.delay, c1.latency);
    render(gx[i][0], gx[i][1], x, z, n, &err);
    CHECK(!memcmp(y, z, sizeof(float) * (size_t)n), "%s: two renders identical", gx[i][0]);
  }
  /* gx_detune reports 1792 samples of latency: the rendered output is the plugin's raw output
     (after the same 0.25 s warm-up) shifted left by exactly that. */
  sw_lv2 *p;
  sw_lv2_set ws[2] = {{"DRY", 0}, {"WET", 100}};
  rc = sw_lv2_open(GX "gx_detune_#_detune_", ws, 2, RATE, &p, &err);
  if (rc == 0) {
    sw_lv2_run(p, NULL, NULL, RATE / 4);
    long rep = sw_lv2_latency(p);
    float *xin = calloc((size_t)(n + rep), sizeof(float)), *raw = malloc(sizeof(float) * (size_t)(n + rep));
    memcpy(xin, x, sizeof(float) * (size_t)n);
    sw_lv2_run(p, xin, raw, n + rep);
    sw_lv2_close(p);
    CHECK(rep == 1792, "gx_detune reports %ld", rep);
    rc = render(GX "gx_detune_#_detune_", "DRY=0 WET=100", x, y, n, &err);
    double md = 0, m2 = 0;
    for (long i = 0; i < n; i++) md = fmax(md, fabs(y[i] - raw[i + rep])), m2 = fmax(m2, fabs(y[i] - raw[i]));
    printf("detune: max diff shifted %g unshifted %g\n", md, m2);
    /* Not bit-exact: two gx_detune instances differ by ~3e-4 (its FFT plans); unshifted ~0.4. */
    CHECK(rc == 0 && md < 1e-3 && m2 > 100 * md, "gx_detune: output = raw output shifted by the reported %ld (max diff %g, unshifted %g)", rep, md, m2);
    double e = 0;
    for (long i = 0; i < n; i++) e += (double)y[i] * y[i];
    CHECK(e > 1.0, "gx_detune output not silent (energy %g)", e);
    free(xin), free(raw);
  } else {
    printf("skip gx_detune: %s\n", err.msg);
  }
  printf("%d Guitarix amps ran\n", ran);
  free(x), free(y), free(z);
  return check_summary();
}
