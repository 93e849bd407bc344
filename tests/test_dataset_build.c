/* Building datasets: a recipe built twice gives identical audio and is reused; a changed recipe
   is rebuilt; a device rendered above full scale is scaled to a safe peak (the gain recorded); a
   failing build (a clipping recording, corrupt input) leaves no partial dataset; the manifest
   loads with its provenance verified; the fluidsynth signal is repeatable; a built-in recipe
   (lv2-clean, short) builds and loads. */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/audio.h"
#include "../datasets/src/recipe.h"
#include "check.h"

#define RATE 48000
static char dir[256];

static const char *tp(const char *name) {
  static char buf[4][512];
  static int k;
  k = (k + 1) % 4;
  snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
  return buf[k];
}

static void write_di(const char *path, double secs) {
  long n = (long)(secs * RATE);
  float *x = calloc((size_t)n, sizeof(float));
  for (long i = 0; i < n; i++) x[i] = (float)(0.3 * sin(2 * M_PI * 196 * i / RATE) * exp(-(double)(i % 24000) / 6000));
  sw_err err;
  sw_audio_write(path, x, n, RATE, &err);
  free(x);
}

static int build(const char *json, const char *cache, sw_build_result *res, sw_err *err) {
  sw_recipe r;
  int rc = sw_recipe_parse(json, "test recipe", &r, err);
  if (rc) return rc;
  sw_build_opts o = {.cache = cache};
  rc = sw_recipe_build(&r, &o, res, err);
  sw_recipe_free(&r);
  return rc;
}

static int same_audio(const char *a, const char *b) {
  sw_audio x, y;
  sw_err err;
  if (sw_audio_read(a, &x, &err)) return 0;
  if (sw_audio_read(b, &y, &err)) { sw_audio_free(&x); return 0; }
  int same = x.n == y.n && !memcmp(x.x, y.x, sizeof(float) * (size_t)x.n);
  sw_audio_free(&x), sw_audio_free(&y);
  return same;
}

/* Entries in the cache folder other than the named datasets ("." files are temporaries; the
   ".NAME.lock" files stay, as the locks of a dataset). */
static int leftovers(const char *cache) {
  DIR *d = opendir(cache);
  if (!d) return 0;
  int k = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    k += e->d_name[0] == '.' && strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !(n > 5 && !strcmp(e->d_name + n - 5, ".lock"));
  }
  closedir(d);
  return k;
}

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/sw_test_dataset_build.%d", (int)getpid());
  mkdir(dir, 0777);
  write_di(tp("di.wav"), 14);
  char cache[512];
  snprintf(cache, sizeof cache, "%s", tp("cache"));
  char json[2048], json2[2048];
  const char *fmt = "{\"name\": \"t-gain\", \"signal\": {\"seconds\": 30, \"di\": \"%s\"}, "
                    "\"device\": [{\"lv2\": \"urn:slimwave:test-gain-delay\", \"set\": {\"gain\": %s, \"delay\": 5}}]}";
  snprintf(json, sizeof json, fmt, tp("di.wav"), "0.5");
  sw_build_result r1, r2;
  sw_err err = {0};
  int rc = build(json, cache, &r1, &err);
  CHECK(rc == 0 && !r1.reused, "first build: %s", err.msg);
  if (rc) return check_summary();
  char out1[4200], keep[600];
  snprintf(out1, sizeof out1, "%s/output.wav", r1.dir);
  snprintf(keep, sizeof keep, "%s", tp("first_output.wav"));
  sw_audio a;
  sw_audio_read(out1, &a, &err);
  sw_audio_write(keep, a.x, a.n, a.rate, &err);
  sw_audio_free(&a);
  CHECK(r1.checks.calib.delay == 5 && r1.checks.calib.latency == 4, "built dataset latency %ld (delay %ld)", r1.checks.calib.latency, r1.checks.calib.delay);
  rc = build(json, cache, &r2, &err);
  CHECK(rc == 0 && r2.reused && !strcmp(r1.key, r2.key), "second build reused (%d)", r2.reused);
  /* Forced rebuild: identical audio, identical bytes. */
  sw_recipe rr;
  sw_recipe_parse(json, "t", &rr, &err);
  sw_build_opts fo = {.cache = cache, .force = 1};
  rc = sw_recipe_build(&rr, &fo, &r2, &err);
  sw_recipe_free(&rr);
  CHECK(rc == 0 && !r2.reused && same_audio(keep, out1), "forced rebuild gives identical audio");
  char h1[65], h2[65];
  sw_sha256_file(keep, h1, &err), sw_sha256_file(out1, h2, &err);
  CHECK(!strcmp(h1, h2), "and identical bytes (sha256 %.12s / %.12s)", h1, h2);
  /* The manifest loads, provenance verified, aligned. */
  sw_dataset d;
  rc = sw_dataset_load(r1.manifest, &d, &err);
  CHECK(rc == 0 && d.latency == 4 && d.rate == RATE, "manifest loads: %s", err.msg);
  if (!rc) {
    long bad = 0;
    for (long i = d.train_start; i < d.train_end; i++) bad += d.y[i + 1] != 0.5f * d.x[i];
    CHECK(bad == 0, "aligned: y'[t+1] = 0.5 x[t] (latency = delay - 1), %ld differ", bad);
    sw_dataset_free(&d);
  }
  /* A changed recipe is rebuilt, with different audio. */
  snprintf(json2, sizeof json2, fmt, tp("di.wav"), "0.25");
  rc = build(json2, cache, &r2, &err);
  CHECK(rc == 0 && !r2.reused && strcmp(r1.key, r2.key) && !same_audio(keep, out1), "changed recipe rebuilt: %s", err.msg);
  /* An input file that changed is noticed by the loader. */
  sw_audio_read(keep, &a, &err);
  a.x[100] += 0.01f;
  sw_audio_write(out1, a.x, a.n, a.rate, &err);
  sw_audio_free(&a);
  rc = sw_dataset_load(r2.manifest, &d, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, "sha256"), "modified output refused: %s", err.msg);
  rc = build(json2, cache, &r2, &err);
  CHECK(rc == 0 && !r2.reused, "modified output rebuilt");

  /* A rendered device above full scale is scaled to a safe peak, by a gain the manifest records and
     the loader hands on (for the model's metadata); a recorded pair that clips is refused, with the
     check's message, and leaves nothing behind. */
  snprintf(json2, sizeof json2, "{\"name\": \"t-hot\", \"signal\": {\"seconds\": 30, \"di\": \"%s\"}, "
           "\"device\": [{\"lv2\": \"urn:slimwave:test-gain-delay\", \"set\": {\"gain\": 4}}]}", tp("di.wav"));
  rc = build(json2, cache, &r2, &err);
  CHECK(rc == 0 && r2.device_peak >= 1 && fabs(r2.target_gain_db - 20 * log10(0.5 / r2.device_peak)) < 1e-5,
        "a hot render: exit %d, peak %g, gain %g dB: %s", rc, r2.device_peak, r2.target_gain_db, err.msg);
  CHECK(strstr(r2.checks.c[SW_CK_CLIP].msg, "scaled by") != NULL, "clipping check: %s", r2.checks.c[SW_CK_CLIP].msg);
  rc = rc ? rc : sw_dataset_load(r2.manifest, &d, &err);
  if (!rc) {
    double pk = 0, worst = 0, g = 4 * pow(10, d.target_gain_db / 20);
    for (long i = 0; i < d.n - 1; i++) pk = fmax(pk, fabs(d.y[i])), worst = fmax(worst, fabs(d.y[i + 1] - g * d.x[i]));
    CHECK(d.target_gain_db == r2.target_gain_db && fabs(pk - 0.5) < 1e-6 && worst < 1e-6,
          "hot render loaded: gain %g dB, peak %g, largest error from 4 g x %g", d.target_gain_db, pk, worst);
    sw_dataset_free(&d);
  }
  sw_audio hot;
  rc = sw_audio_read(tp("di.wav"), &hot, &err);
  for (long i = 0; !rc && i < hot.n; i++) hot.x[i] *= 4;
  if (!rc) sw_audio_write(tp("hot.wav"), hot.x, hot.n, hot.rate, &err), sw_audio_free(&hot);
  snprintf(json2, sizeof json2, "{\"name\": \"t-clip\", \"pair\": {\"input\": \"%s\", \"output\": \"%s\"}}", tp("di.wav"),
           tp("hot.wav"));
  rc = build(json2, cache, &r2, &err);
  struct stat st;
  CHECK(rc == SW_ECHECK && strstr(err.msg, "clipping"), "clipping recording refused: %s", err.msg);
  CHECK(stat(r2.dir, &st) != 0 && leftovers(cache) == 0, "no partial dataset (%d temporaries)", leftovers(cache));
  /* Corrupt DI input: clear error, nothing left. */
  FILE *f = fopen(tp("bad.wav"), "w");
  fputs("RIFF....WAVEfmt garbage", f);
  fclose(f);
  snprintf(json2, sizeof json2, "{\"name\": \"t-bad\", \"signal\": {\"seconds\": 30, \"di\": \"%s\"}, "
           "\"device\": [{\"lv2\": \"urn:slimwave:test-gain-delay\"}]}", tp("bad.wav"));
  rc = build(json2, cache, &r2, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, "bad.wav"), "corrupt DI: %s", err.msg);
  CHECK(stat(r2.dir, &st) != 0 && leftovers(cache) == 0, "no partial dataset after a corrupt input");
  /* Bad recipes. */
  rc = build("{\"name\": \"x\", \"device\": [{\"lv2\": \"urn:a\", \"nam\": \"b\"}]}", cache, &r2, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, "exactly one"), "bad stage: %s", err.msg);
  rc = build("{\"name\": \"../x\", \"device\": []}", cache, &r2, &err);
  CHECK(rc == SW_EINPUT && strstr(err.msg, "name"), "bad name: %s", err.msg);

  /* fluidsynth material: the same seed gives the same samples. */
  sw_signal_opts so = {.rate = RATE, .seconds = 30, .seed = 3};
  float *s1, *s2;
  long n1, n2;
  char desc[1024];
  rc = sw_signal_make(&so, &s1, &n1, desc, sizeof desc, &err);
  CHECK(rc == 0, "fluidsynth signal: %s", err.msg);
  if (!rc) {
    rc = sw_signal_make(&so, &s2, &n2, desc, sizeof desc, &err);
    CHECK(rc == 0 && n1 == n2 && !memcmp(s1, s2, sizeof(float) * (size_t)n1), "fluidsynth signal repeatable");
    float pk = 0;
    double e = 0;
    for (long i = 17 * RATE; i < n1 - 10 * RATE; i++) pk = fmaxf(pk, fabsf(s1[i])), e += (double)s1[i] * s1[i];
    CHECK(pk > 0.4f && pk <= 0.5f && e > 0, "general material peak %g", pk);
    if (!rc) free(s2);
    free(s1);
  }
  /* A built-in recipe, short. */
  sw_recipe br;
  rc = sw_recipe_load("lv2-clean", &br, &err);
  CHECK(rc == 0, "lv2-clean recipe: %s", err.msg);
  if (!rc) {
    sw_build_opts bo = {.cache = cache, .seconds = 30};
    rc = sw_recipe_build(&br, &bo, &r2, &err);
    if (rc == SW_EINPUT && strstr(err.msg, "not installed")) printf("skip lv2-clean: %s\n", err.msg);
    else {
      CHECK(rc == 0 && strstr(r2.dir, "lv2-clean-30s"), "lv2-clean --seconds 30: %s", err.msg);
      rc = sw_dataset_load(r2.manifest, &d, &err);
      CHECK(rc == 0 && d.n >= 30 * RATE - 64, "lv2-clean loads: %s", err.msg);
      if (!rc) sw_dataset_free(&d);
    }
    sw_recipe_free(&br);
  }
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd)) fprintf(stderr, "cleanup of %s failed\n", dir);
  return check_summary();
}
