/* slimwave dataset build | info: recipes into the cache, your own recording or device into a
   folder, and what a manifest or recipe holds. */
#include <cjson/cJSON.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "../core/atomic_file.h"
#include "../datasets/src/dataset.h"
#include "../datasets/src/datasets.h"
#include "../datasets/src/recipe.h"
#include "cli.h"

static int fail(const char *cmd, const sw_err *err, int rc) {
  fprintf(stderr, "slimwave dataset %s: %s\n", cmd, err->msg);
  return rc;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static int build_one(const sw_recipe *r, const sw_build_opts *o) {
  sw_build_result res;
  sw_err err = {0};
  double t0 = now_s();
  int rc = sw_recipe_build(r, o, &res, &err);
  if (rc) return fail("build", &err, rc);
  if (res.skipped) { printf("%-26s skipped: %s\n", r->name, res.why); return 0; }
  if (res.reused && res.why[0]) fprintf(stderr, "slimwave dataset build: %s: %s\n", res.dir, res.why);
  if (res.reused) { printf("%-26s up to date  %s\n", r->name, res.manifest); return 0; }
  printf("%-26s built in %.1f s  %s\n", r->name, now_s() - t0, res.manifest);
  if (res.checks.calib.found) printf("  latency %ld (blip delay %ld)\n", res.checks.calib.latency, res.checks.calib.delay);
  for (int i = 0; i < SW_CK_N; i++)
    if (res.checks.c[i].state != 3) printf("  check %-17s %-19s %s\n", res.checks.c[i].name, sw_check_state_str(res.checks.c[i].state), res.checks.c[i].msg);
  return 0;
}

/* A recipe made from command-line options (your own recording, or a device by URI/model). */
static int custom_recipe(const char *name, const char *in, const char *out, const char *layout, const char *vf, bool resample,
                         const char *lv2, const char *nam, const sw_lv2_set *sets, int nsets, const char *di, const char *excl,
                         long seed, sw_recipe *r, sw_err *err) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "name", name);
  if (in) {
    cJSON *p = cJSON_AddObjectToObject(j, "pair");
    cJSON_AddStringToObject(p, "input", in);
    cJSON_AddStringToObject(p, "output", out);
    if (layout) cJSON_AddStringToObject(p, "layout", layout);
    if (vf) cJSON_AddNumberToObject(p, "validation_fraction", atof(vf));
    if (resample) cJSON_AddTrueToObject(p, "resample");
  } else {
    cJSON *s = cJSON_AddObjectToObject(j, "signal");
    if (di) cJSON_AddStringToObject(s, "di", di);
    if (excl) cJSON_AddStringToObject(s, "exclude", excl);
    cJSON_AddNumberToObject(s, "seed", (double)seed);
    cJSON *d = cJSON_AddArrayToObject(j, "device"), *st = cJSON_CreateObject();
    cJSON_AddItemToArray(d, st);
    if (lv2) {
      cJSON_AddStringToObject(st, "lv2", lv2);
      cJSON *set = cJSON_AddObjectToObject(st, "set");
      for (int i = 0; i < nsets; i++) cJSON_AddNumberToObject(set, sets[i].name, sets[i].value);
    } else {
      cJSON_AddStringToObject(st, "nam", nam);
    }
  }
  char *t = cJSON_Print(j);
  cJSON_Delete(j);
  if (!t) return sw_fail(err, SW_ENOMEM, "out of memory");
  int rc = sw_recipe_parse(t, name, r, err);
  free(t);
  return rc;
}

int cmd_dataset_build(int argc, char **argv, int (*take)(int *, char **, sw_lv2_set *, int *, sw_err *)) {
  sw_lv2_set sets[SW_MAX_SETS];
  int nsets = 0;
  sw_err err = {0};
  int rc = take(&argc, argv, sets, &nsets, &err);
  const char *secs = NULL, *cache = NULL, *ov = NULL, *in = NULL, *outp = NULL, *dir = NULL, *name = NULL, *layout = NULL,
             *vf = NULL, *lv2 = NULL, *nam = NULL, *di = NULL, *excl = NULL, *seed_s = NULL;
  bool force = false, resample = false;
  cli_opt opts[] = {{"--seconds", &secs, NULL}, {"--cache", &cache, NULL}, {"--override", &ov, NULL}, {"--input", &in, NULL},
                    {"--output", &outp, NULL}, {"--out", &dir, NULL}, {"--name", &name, NULL}, {"--layout", &layout, NULL},
                    {"--val-fraction", &vf, NULL}, {"--lv2", &lv2, NULL}, {"--nam", &nam, NULL}, {"--di", &di, NULL},
                    {"--exclude", &excl, NULL}, {"--seed", &seed_s, NULL}, {"--force", NULL, &force}, {"--resample", NULL, &resample}};
  const char *pos[1];
  int npos = 0;
  if (!rc) rc = cli_parse(argc, argv, opts, 16, pos, 1, &npos, &err);
  double s = 0;
  long seed = 1;
  if (!rc && secs) rc = cli_double("--seconds", secs, SW_SIG_MIN_SECONDS, 3600, &s, &err);
  if (!rc && seed_s) rc = cli_int("--seed", seed_s, 1, 1L << 40, &seed, &err);
  double vfd;
  if (!rc && vf) rc = cli_double("--val-fraction", vf, 0.01, 0.99, &vfd, &err);
  if (!rc && layout && strcmp(layout, "nam-v3") && strcmp(layout, "custom")) rc = sw_fail(&err, SW_EUSAGE, "--layout: nam-v3 or custom");
  int custom = in || outp || lv2 || nam;
  if (!rc && custom && npos) rc = sw_fail(&err, SW_EUSAGE, "give a RECIPE or --input/--output or --lv2/--nam, not both");
  if (!rc && !custom && npos != 1) rc = sw_fail(&err, SW_EUSAGE, "expected RECIPE (or all), --input X --output Y --out DIR, or --lv2 URI|--nam M --out DIR");
  if (!rc && custom && !dir) rc = sw_fail(&err, SW_EUSAGE, "--out DIR is required");
  if (!rc && (in || outp) && (!in || !outp || lv2 || nam)) rc = sw_fail(&err, SW_EUSAGE, "--input and --output go together (a recorded pair), without --lv2/--nam");
  if (!rc && lv2 && nam) rc = sw_fail(&err, SW_EUSAGE, "--lv2 and --nam exclude each other");
  if (!rc && nsets && !lv2) rc = sw_fail(&err, SW_EUSAGE, "--set applies to --lv2 only");
  if (rc) return fail("build", &err, rc);
  sw_build_opts o = {.cache = cache, .seconds = s, .force = force, .override = ov, .out_dir = custom ? dir : NULL};
  sw_recipe r;
  if (custom) {
    char nbuf[4096], def[128];
    snprintf(nbuf, sizeof nbuf, "%s", dir);
    snprintf(def, sizeof def, "%s", basename(nbuf));
    for (char *c = def; *c; c++)
      if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789-_.", *c)) *c = '-';
    if (def[0] == '.' || !def[0]) def[0] = 'd', def[1] = 0;
    if (in) { /* pairs: the layout follows the input's length unless given */
      sw_wav x;
      if ((rc = sw_wav_read(in, &x, &err))) return fail("build", &err, rc);
      if (x.channels > 1) fprintf(stderr, "slimwave dataset build: warning: %s has %d channels; using the first\n", in, x.channels);
      if (!layout) layout = x.n >= (long)(SW_SIG_MIN_SECONDS * x.rate) ? "nam-v3" : "custom";
      sw_wav_free(&x);
    }
    if ((rc = custom_recipe(name ? name : def, in, outp, layout, vf, resample, lv2, nam, sets, nsets, di, excl, seed, &r, &err)))
      return fail("build", &err, rc);
    rc = build_one(&r, &o);
    sw_recipe_free(&r);
    return rc;
  }
  if (!strcmp(pos[0], "all")) {
    char names[64][128];
    int n = sw_recipe_list(names, 64), bad = 0;
    if (!n) { sw_fail(&err, SW_EINPUT, "%s: no recipes found", sw_recipe_dir()); return fail("build", &err, SW_EINPUT); }
    for (int i = 0; i < n; i++) {
      if ((rc = sw_recipe_load(names[i], &r, &err))) { fail("build", &err, rc); bad = bad ? bad : rc; continue; }
      rc = build_one(&r, &o);
      sw_recipe_free(&r);
      if (rc) bad = bad ? bad : rc;
    }
    return bad;
  }
  if ((rc = sw_recipe_load(pos[0], &r, &err))) return fail("build", &err, rc);
  rc = build_one(&r, &o);
  sw_recipe_free(&r);
  return rc;
}

static void print_manifest(const char *path) {
  char *text;
  size_t n;
  sw_err e;
  if (sw_read_file(path, 1 << 20, &text, &n, &e)) return;
  cJSON *j = cJSON_Parse(text);
  free(text);
  const cJSON *src = cJSON_GetObjectItemCaseSensitive(j, "source"), *prov = cJSON_GetObjectItemCaseSensitive(j, "provenance");
  const char *k[] = {"recipe", "tone", "kind", "signal", "device"};
  for (int i = 0; i < 5; i++) {
    const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(src, k[i]));
    if (v) printf("%-12s %s\n", k[i], v);
  }
  const char *cr = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(prov, "created"));
  if (cr) printf("%-12s %s\n", "created", cr);
  const cJSON *h = cJSON_GetObjectItemCaseSensitive(prov, "sha256"), *it;
  cJSON_ArrayForEach(it, h) if (cJSON_IsString(it)) printf("sha256 %-5s %s\n", it->string, it->valuestring);
  const cJSON *pk = cJSON_GetObjectItemCaseSensitive(prov, "packages");
  cJSON_ArrayForEach(it, pk) if (cJSON_IsString(it)) printf("package      %s %s\n", it->string, it->valuestring);
  cJSON_Delete(j);
}

int cmd_dataset_info(int argc, char **argv) {
  sw_err err = {0};
  if (argc == 2 && !strcmp(argv[1], "--list")) {
    char names[64][128];
    int n = sw_recipe_list(names, 64);
    for (int i = 0; i < n; i++) {
      sw_recipe r;
      if (sw_recipe_load(names[i], &r, &err)) { printf("%-26s (unreadable: %s)\n", names[i], err.msg); continue; }
      printf("%-26s %s%s\n", names[i], r.description, r.needs_shared && !sw_shared_dir() ? " [needs ../shared]" : "");
      sw_recipe_free(&r);
    }
    return 0;
  }
  if (argc != 2) { fprintf(stderr, "usage: slimwave dataset info MANIFEST.json | RECIPE | --list\n"); return SW_EUSAGE; }
  struct stat st;
  const char *a = argv[1];
  size_t l = strlen(a);
  int is_manifest = stat(a, &st) == 0 && S_ISREG(st.st_mode) && !(l > 5 && strstr(a, "recipes/"));
  if (!is_manifest) {
    sw_recipe r;
    int rc = sw_recipe_load(a, &r, &err);
    if (rc) return fail("info", &err, rc);
    printf("recipe       %s\n%-12s %s\n", r.name, "description", r.description);
    if (r.pair) printf("pair         %s\n             %s\n", r.input, r.output);
    for (int i = 0; i < r.nst; i++) {
      printf("stage %d      %s", i + 1, r.st[i].kind == SW_DEV_LV2 ? r.st[i].uri : r.st[i].model);
      for (int k = 0; k < r.st[i].nsets; k++) printf(" %s=%g", r.st[i].sets[k].name, r.st[i].sets[k].value);
      printf("\n");
    }
    char m[8300];
    snprintf(m, sizeof m, "%s/%s/manifest.json", sw_cache_dir(), r.name);
    printf("cache        %s%s\n", m, stat(m, &st) ? " (not built)" : "");
    sw_recipe_free(&r);
    return 0;
  }
  sw_dataset d;
  sw_load_report rep;
  sw_load_opts o = {.verify_hash = 1};
  int rc = sw_dataset_load_ex(a, &o, &d, &rep, &err);
  if (rep.warn[0]) fprintf(stderr, "slimwave dataset info: warning: %s\n", rep.warn);
  if (rc) return fail("info", &err, rc);
  printf("name         %s\nsamples      %ld (%.2f s at %d Hz)\nlatency      %ld\n", d.name, d.n, (double)d.n / d.rate, d.rate, d.latency);
  printf("train        [%ld, %ld) %.2f s\nvalidation   [%ld, %ld) %.2f s\n", d.train_start, d.train_end,
         (double)(d.train_end - d.train_start) / d.rate, d.val_start, d.val_end, (double)(d.val_end - d.val_start) / d.rate);
  for (int i = 0; i < SW_CK_N; i++)
    printf("check %-17s %-19s %s\n", rep.checks.c[i].name, sw_check_state_str(rep.checks.c[i].state), rep.checks.c[i].msg);
  print_manifest(a);
  sw_dataset_free(&d);
  return 0;
}
