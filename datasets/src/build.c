/* Building a recipe into the cache: a key (sha256 of the recipe, its input files, the length and
   the tool versions) decides reuse; a build happens in a temporary folder that replaces the old
   one only when everything is written and checked, so a failure leaves no partial dataset. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../core/atomic_file.h"
#include "../../core/audio.h"
#include "../../core/backend.h"
#include "datasets.h"
#include "recipe.h"

#define BUILD_VERSION "slimwave-dataset-build 1"

static const char *pkgs[] = {"guitarix-lv2", "liblilv-0-0", "fluidsynth", "fluid-soundfont-gm", "libsndfile1", "libsamplerate0"};
#define NPKG (int)(sizeof pkgs / sizeof *pkgs)

typedef struct sbuf { char *p; size_t n, cap; } sbuf;
static void sadd(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sadd(sbuf *b, const char *fmt, ...) {
  va_list ap;
  for (;;) {
    va_start(ap, fmt);
    int k = vsnprintf(b->p ? b->p + b->n : NULL, b->p ? b->cap - b->n : 0, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    if (b->p && b->n + (size_t)k < b->cap) { b->n += (size_t)k; return; }
    size_t cap = (b->cap + (size_t)k + 1) * 2;
    char *p = realloc(b->p, cap);
    if (!p) return;
    b->p = p, b->cap = cap;
  }
}

static int hash_into(sbuf *b, cJSON *files, const char *path, sw_err *err) {
  char h[65];
  int rc = sw_sha256_file(path, h, err);
  if (rc) return rc;
  sadd(b, "file %s %s\n", path, h);
  if (files) cJSON_AddStringToObject(files, path, h);
  return SW_OK;
}

/* The key text: everything the result depends on. Also fills the provenance's input hashes.
   inputs_key: the same without the tool versions; *missing: a tool is not installed here. */
static int make_key(const sw_recipe *r, double secs, const char *ov, cJSON *prov, char key[65], char inputs_key[65],
                    int *missing, sw_err *err) {
  sbuf b = {0};
  sadd(&b, "%s\n%s\nseconds=%.6f\noverride=%s\n", BUILD_VERSION, r->json, secs, ov ? ov : "");
  cJSON *pk = cJSON_AddObjectToObject(prov, "packages"), *files = cJSON_AddObjectToObject(prov, "input_sha256");
  size_t head = b.n, pkg_len = 0;
  *missing = 0;
  for (int i = 0; i < NPKG; i++) {
    char v[128];
    sw_pkg_version(pkgs[i], v, sizeof v);
    *missing |= !strcmp(v, "not installed");
    sadd(&b, "pkg %s %s\n", pkgs[i], v);
    cJSON_AddStringToObject(pk, pkgs[i], v);
  }
  if (b.p) pkg_len = b.n - head;
  int rc = SW_OK;
  if (r->pair) {
    if (!(rc = hash_into(&b, files, r->input, err))) rc = hash_into(&b, files, r->output, err);
  } else {
    if (r->di[0]) {
      sw_dilist l = {0};
      rc = sw_di_collect(r->di, r->di_exclude, &l, err);
      for (int i = 0; !rc && i < l.n; i++) rc = hash_into(&b, files, l.p[i], err);
      sw_dilist_free(&l);
    }
    for (int i = 0; !rc && i < r->nst; i++)
      if (r->st[i].kind == SW_DEV_NAM) {
        char why[128];
        const sw_backend *be = sw_backend_default(why, sizeof why);
        sadd(&b, "backend %s\n", be ? be->name : "none");
        rc = hash_into(&b, files, r->st[i].model, err);
      }
  }
  if (!rc && !b.p) rc = sw_fail(err, SW_ENOMEM, "out of memory");
  if (!rc) {
    sw_sha256_buf(b.p, b.n, key);
    memmove(b.p + head, b.p + head + pkg_len, b.n - head - pkg_len);
    sw_sha256_buf(b.p, b.n - pkg_len, inputs_key);
  }
  free(b.p);
  return rc;
}

static void rm_dir(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char p[8300];
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) snprintf(p, sizeof p, "%s/%s", dir, e->d_name), remove(p);
  closedir(d);
  rmdir(dir);
}

static int mkdirs(const char *path, sw_err *err) {
  char p[4096];
  snprintf(p, sizeof p, "%s", path);
  for (char *s = p + 1; *s; s++)
    if (*s == '/') { *s = 0; mkdir(p, 0777); *s = '/'; }
  if (mkdir(p, 0777) && access(p, W_OK)) return sw_fail(err, SW_EOUTPUT, "%s: cannot create the folder", path);
  return SW_OK;
}

/* The existing build is reused when its key matches and its audio still hashes the same; or, on a
   host that lacks a build tool (a compute node without Guitarix) and so could not rebuild, when
   everything but the tool versions matches (returns 2: the build came from another host). */
static int up_to_date(const char *manifest, const char *key, const char *inputs_key, int missing) {
  char *text;
  size_t n;
  sw_err e;
  if (sw_read_file(manifest, 1 << 20, &text, &n, &e)) return 0;
  cJSON *j = cJSON_Parse(text);
  free(text);
  const cJSON *prov = cJSON_GetObjectItemCaseSensitive(j, "provenance");
  const cJSON *k = cJSON_GetObjectItemCaseSensitive(prov, "key"), *h = cJSON_GetObjectItemCaseSensitive(prov, "sha256");
  const cJSON *ik = cJSON_GetObjectItemCaseSensitive(prov, "inputs_key");
  int ok = cJSON_IsString(k) && !strcmp(k->valuestring, key);
  if (!ok && missing && cJSON_IsString(ik) && !strcmp(ik->valuestring, inputs_key)) ok = 2;
  const char *names[2] = {"input", "output"};
  for (int i = 0; ok && i < 2; i++) {
    const cJSON *want = cJSON_GetObjectItemCaseSensitive(h, names[i]);
    const char *rel = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, names[i]));
    char path[8300], got[65], tmp[4096];
    if (!cJSON_IsString(want) || !rel) { ok = 0; break; }
    snprintf(tmp, sizeof tmp, "%s", manifest);
    if (rel[0] == '/') snprintf(path, sizeof path, "%s", rel);
    else snprintf(path, sizeof path, "%s/%s", dirname(tmp), rel);
    ok = !sw_sha256_file(path, got, &e) && !strcmp(got, want->valuestring);
  }
  cJSON_Delete(j);
  return ok;
}

/* Moves the finished build tmp into place as dir (the old one, if any, aside then removed), holding
   the dataset's "lock" exclusively: a load (sw_dataset_load holds it shared) sees the old folder or
   the new one, never neither nor a mix. */
static int swap_in(const char *tmp, const char *dir, const char *pd, const char *bn, sw_err *err) {
  char old[8300];
  struct stat st;
  int lk = sw_dataset_lock(dir, "lock", 1, 1), rc = SW_OK;
  snprintf(old, sizeof old, "%s/.%s.old.XXXXXX", pd, bn);
  int had = stat(dir, &st) == 0;
  if (had && (sw_mkdtemp(old) || rmdir(old) || rename(dir, old))) rc = sw_fail(err, SW_EOUTPUT, "%s: cannot move the old dataset aside", dir);
  else if (rename(tmp, dir)) {
    rc = sw_fail(err, SW_EOUTPUT, "%s: cannot move the new dataset in place", dir);
    if (had) rename(old, dir);
  }
  sw_dataset_unlock(lk);
  if (!rc && had) rm_dir(old);
  return rc;
}

static void now_utc(char *buf, size_t len) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static cJSON *source_json(const sw_recipe *r, const char *signal_desc, const char *device_info) {
  cJSON *s = cJSON_CreateObject();
  cJSON_AddStringToObject(s, "recipe", r->name);
  if (r->description[0]) cJSON_AddStringToObject(s, "description", r->description);
  if (r->tone[0]) cJSON_AddStringToObject(s, "tone", r->tone);
  cJSON_AddStringToObject(s, "kind", r->pair ? "recorded pair" : r->st[0].kind == SW_DEV_LV2 ? "lv2" : "nam");
  if (signal_desc) cJSON_AddStringToObject(s, "signal", signal_desc);
  if (device_info) cJSON_AddStringToObject(s, "device", device_info);
  return s;
}

static void add_checks(cJSON *prov, const sw_check_report *c) {
  cJSON *o = cJSON_AddObjectToObject(prov, "checks");
  for (int i = 0; i < SW_CK_N; i++) {
    char line[400];
    snprintf(line, sizeof line, "%s: %s", sw_check_state_str(c->c[i].state), c->c[i].msg);
    cJSON_AddStringToObject(o, c->c[i].name, line);
  }
}

static int first_failure(const sw_check_report *c, const char *what, sw_err *err) {
  for (int i = 0; i < SW_CK_N; i++)
    if (c->c[i].state == 1) return sw_fail(err, SW_ECHECK, "%s: check %s failed: %s", what, c->c[i].name, c->c[i].msg);
  return SW_OK;
}

static char *json_text(cJSON *j) {
  char *t = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  return t;
}

/* A plugin or model renders in float, so its output above full scale is intact, unlike a recording
   interface's: scale it to a safe peak (and record by how much) rather than fail the clipping check,
   which stays for recorded files. */
static void scale_to_safe_peak(float *y, long n, sw_build_result *res) {
  double pk = 0;
  for (long i = 0; i < n; i++) pk = fmax(pk, fabs(y[i]));
  res->device_peak = pk;
  if (pk < 1.0) return;
  float g = (float)(SW_RENDER_SAFE_PEAK / pk);
  for (long i = 0; i < n; i++) y[i] *= g;
  res->target_gain_db = 20 * log10((double)g);
}

/* Writes the dataset into tmp (a fresh folder). */
static int build_into(const sw_recipe *r, double secs, const char *ov, const char *tmp, cJSON *prov, sw_build_result *res, sw_err *err) {
  char ip[PATH_MAX + 100], op[PATH_MAX + 100], mp[4200], h_in[65], h_out[65];
  if (snprintf(mp, sizeof mp, "%s/manifest.json", tmp) >= (int)sizeof mp) return sw_fail(err, SW_EOUTPUT, "%s: path too long", tmp);
  sw_wav x = {0}, y = {0};
  float *sig = NULL, *wet = NULL;
  char desc[2048] = "", info[4096] = "";
  int rc;
  sw_manifest_out m = {.name = r->name, .layout = "nam-v3", .override = ov, .delay = -2000000000L};
  sw_layout5 l;
  if (r->pair) {
    if ((rc = sw_wav_read(r->input, &x, err)) || (rc = sw_wav_read(r->output, &y, err))) goto done;
    if (r->resample && y.rate != x.rate && (rc = sw_wav_resample(&y, x.rate, r->output, err))) goto done;
    int v3 = !strcmp(r->layout, "nam-v3");
    if (v3 && (rc = sw_layout5_make(x.n, x.rate, &l, err))) goto done;
    if (!realpath(r->input, ip) || !realpath(r->output, op)) { rc = sw_fail(err, SW_EINPUT, "%s: cannot resolve the path", r->input); goto done; }
    if ((rc = sw_checks_run(r->input, &x, r->output, &y, v3 ? &l : NULL, ov, &res->checks, err))) goto done;
    if ((rc = first_failure(&res->checks, r->name, err))) goto done;
    if ((rc = sw_sha256_file(r->input, h_in, err)) || (rc = sw_sha256_file(r->output, h_out, err))) goto done;
    m.input = ip, m.output = op, m.rate = x.rate, m.layout = v3 ? "nam-v3" : "custom";
    m.latency = v3 ? res->checks.calib.latency : 0;
    if (v3) m.delay = res->checks.calib.delay;
    long n = x.n < y.n - m.latency ? x.n : y.n - m.latency;
    if (v3) m.train[0] = l.train_start, m.train[1] = l.train_end, m.val[0] = l.val2_start, m.val[1] = l.val2_end < n ? l.val2_end : n;
    else m.train[0] = 0, m.train[1] = lround(n * (1 - r->val_fraction)), m.val[0] = m.train[1], m.val[1] = n;
  } else {
    sw_signal_opts so = {.rate = 48000, .seconds = secs, .di = r->di[0] ? r->di : NULL, .di_exclude = r->di_exclude[0] ? r->di_exclude : NULL, .seed = r->seed};
    long n;
    if ((rc = sw_signal_make(&so, &sig, &n, desc, sizeof desc, err))) goto done;
    if (!(wet = malloc(sizeof(float) * (size_t)n))) { rc = sw_fail(err, SW_ENOMEM, "out of memory"); goto done; }
    if ((rc = sw_device_render(r->st, r->nst, 48000, sig, wet, n, info, sizeof info, err))) goto done;
    scale_to_safe_peak(wet, n, res);
    m.target_gain_db = res->target_gain_db;
    if (res->target_gain_db != 0) {
      cJSON *tg = cJSON_AddObjectToObject(prov, "target_gain");
      cJSON_AddNumberToObject(tg, "device_peak", res->device_peak);
      cJSON_AddNumberToObject(tg, "gain_db", res->target_gain_db);
      cJSON_AddStringToObject(tg, "why", "a rendered device's output above full scale loses nothing (float): scaled to a safe peak instead of refused");
    }
    if (snprintf(ip, sizeof ip, "%s/input.wav", tmp) >= (int)sizeof ip || snprintf(op, sizeof op, "%s/output.wav", tmp) >= (int)sizeof op) { rc = sw_fail(err, SW_EOUTPUT, "%s: path too long", tmp); goto done; }
    if ((rc = sw_audio_write(ip, sig, n, 48000, err)) || (rc = sw_audio_write(op, wet, n, 48000, err))) goto done;
    /* Checks on the files as written, exactly as a user's capture would be checked. */
    if ((rc = sw_wav_read(ip, &x, err)) || (rc = sw_wav_read(op, &y, err))) goto done;
    if ((rc = sw_layout5_make(x.n, x.rate, &l, err))) goto done;
    if ((rc = sw_checks_run("input.wav", &x, "output.wav", &y, &l, ov, &res->checks, err))) goto done;
    if (res->target_gain_db != 0)
      snprintf(res->checks.c[SW_CK_CLIP].msg, sizeof res->checks.c[SW_CK_CLIP].msg,
               "the device's output peaks at %.4f (%+.2f dBFS), above full scale; rendered in float it lost nothing: "
               "scaled by %.2f dB to a peak of %g (written into the model's metadata as target_gain_db)",
               res->device_peak, 20 * log10(res->device_peak), res->target_gain_db, SW_RENDER_SAFE_PEAK);
    if ((rc = first_failure(&res->checks, r->name, err))) goto done;
    if ((rc = sw_sha256_file(ip, h_in, err)) || (rc = sw_sha256_file(op, h_out, err))) goto done;
    m.input = "input.wav", m.output = "output.wav", m.rate = 48000;
    m.latency = res->checks.calib.latency, m.delay = res->checks.calib.delay;
    m.train[0] = l.train_start, m.train[1] = l.train_end, m.val[0] = l.val2_start, m.val[1] = l.val2_end - (m.latency > 0 ? m.latency : 0);
  }
  add_checks(prov, &res->checks);
  cJSON *h = cJSON_AddObjectToObject(prov, "sha256");
  cJSON_AddStringToObject(h, "input", h_in);
  cJSON_AddStringToObject(h, "output", h_out);
  char *src = json_text(source_json(r, r->pair ? NULL : desc, r->pair ? NULL : info));
  char *pv = cJSON_PrintUnformatted(prov);
  m.source_json = src, m.provenance_json = pv;
  rc = (src && pv) ? sw_manifest_write(mp, &m, err) : sw_fail(err, SW_ENOMEM, "out of memory");
  free(src), free(pv);
done:
  free(sig), free(wet);
  sw_wav_free(&x), sw_wav_free(&y);
  return rc;
}

int sw_recipe_build(const sw_recipe *r, const sw_build_opts *o, sw_build_result *res, sw_err *err) {
  memset(res, 0, sizeof *res);
  if (r->needs_shared && !sw_shared_dir()) {
    res->skipped = 1;
    snprintf(res->why, sizeof res->why, "needs ../shared (or SLIMWAVE_SHARED), which is absent");
    return SW_OK;
  }
  double secs = o->seconds > 0 ? o->seconds : r->seconds > 0 ? r->seconds : SW_SIG_SECONDS;
  int shortened = !r->pair && o->seconds > 0 && fabs(o->seconds - (r->seconds > 0 ? r->seconds : SW_SIG_SECONDS)) > 1e-9;
  res->seconds = r->pair ? 0 : secs;
  char ov[300];
  snprintf(ov, sizeof ov, "%s%s%s", r->override, r->override[0] && o->override && *o->override ? "," : "", o->override ? o->override : "");
  if (o->out_dir) snprintf(res->dir, sizeof res->dir, "%s", o->out_dir);
  else if (shortened) snprintf(res->dir, sizeof res->dir, "%s/%s-%gs", o->cache ? o->cache : sw_cache_dir(), r->name, secs);
  else snprintf(res->dir, sizeof res->dir, "%s/%s", o->cache ? o->cache : sw_cache_dir(), r->name);
  if (snprintf(res->manifest, sizeof res->manifest, "%s/manifest.json", res->dir) >= (int)sizeof res->manifest) return sw_fail(err, SW_EUSAGE, "%s: path too long", res->dir);

  cJSON *prov = cJSON_CreateObject();
  char when[32];
  now_utc(when, sizeof when);
  cJSON_AddStringToObject(prov, "created", when);
  cJSON_AddStringToObject(prov, "tool", BUILD_VERSION);
  char rh[65];
  sw_sha256_buf(r->json, strlen(r->json), rh);
  cJSON_AddStringToObject(prov, "recipe_sha256", rh);
  cJSON *set = cJSON_AddObjectToObject(prov, "settings");
  if (!r->pair) {
    cJSON_AddNumberToObject(set, "seconds", secs);
    cJSON_AddNumberToObject(set, "seed", (double)r->seed);
    if (r->di[0]) cJSON_AddStringToObject(set, "di", r->di);
    if (r->di_exclude[0]) cJSON_AddStringToObject(set, "di_exclude", r->di_exclude);
  } else {
    cJSON_AddNumberToObject(set, "validation_fraction", r->val_fraction);
  }
  cJSON_AddItemToObject(set, "recipe", cJSON_Parse(r->json));
  char ikey[65];
  int missing = 0;
  int rc = make_key(r, secs, ov, prov, res->key, ikey, &missing, err);
  if (!rc) cJSON_AddStringToObject(prov, "key", res->key), cJSON_AddStringToObject(prov, "inputs_key", ikey);
  char parent[4096], base[4096], tmp[8300];
  snprintf(parent, sizeof parent, "%s", res->dir), snprintf(base, sizeof base, "%s", res->dir);
  char *pd = dirname(parent), *bn = basename(base);
  if (!rc) rc = mkdirs(pd, err);
  /* one build of this dataset at a time (several Slurm tasks or make jobs may ask at once): the
     later ones wait here, then find the first one's result up to date */
  int blk = rc ? -1 : sw_dataset_lock(res->dir, "build.lock", 1, 1);
  if (!rc && blk < 0) rc = sw_fail(err, SW_EOUTPUT, "%s: cannot lock %s/.%s.build.lock", res->dir, pd, bn);
  int fresh = rc || o->force ? 0 : up_to_date(res->manifest, res->key, ikey, missing);
  if (fresh) {
    res->reused = 1;
    if (fresh == 2) snprintf(res->why, sizeof res->why, "built on a host with other versions of its tools; this one lacks some and reuses it");
    sw_dataset_unlock(blk);
    cJSON_Delete(prov);
    return SW_OK;
  }
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp.XXXXXX", pd, bn);
  if (!rc && sw_mkdtemp(tmp)) rc = sw_fail(err, SW_EOUTPUT, "%s: cannot create a temporary folder", pd);
  else if (!rc) {
    rc = build_into(r, secs, ov[0] ? ov : NULL, tmp, prov, res, err);
    if (!rc) rc = swap_in(tmp, res->dir, pd, bn, err);
    if (rc) rm_dir(tmp);
  }
  sw_dataset_unlock(blk);
  cJSON_Delete(prov);
  return rc;
}
