/* The dataset manifest (datasets/README.md): writing it, and loading a dataset from it for the
   trainer: audio read, rates checked (resampled only when asked), sha256 verified, latency applied
   (a number, or "auto" from the blips), checks run, spans resolved. */
#include <cjson/cJSON.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/atomic_file.h"
#include "recipe.h"

int sw_manifest_write(const char *path, const sw_manifest_out *m, sw_err *err) {
  cJSON *j = cJSON_CreateObject();
  cJSON_AddStringToObject(j, "format", "slimwave-dataset");
  cJSON_AddNumberToObject(j, "version", 1);
  cJSON_AddStringToObject(j, "name", m->name);
  cJSON_AddStringToObject(j, "input", m->input);
  cJSON_AddStringToObject(j, "output", m->output);
  cJSON_AddNumberToObject(j, "sample_rate", m->rate);
  cJSON_AddStringToObject(j, "layout", m->layout);
  cJSON_AddNumberToObject(j, "latency", (double)m->latency);
  if (m->delay > -1000000000L) cJSON_AddNumberToObject(j, "blip_delay", (double)m->delay);
  double tr[2] = {(double)m->train[0], (double)m->train[1]}, va[2] = {(double)m->val[0], (double)m->val[1]};
  cJSON_AddItemToObject(j, "train_samples", cJSON_CreateDoubleArray(tr, 2));
  cJSON_AddItemToObject(j, "validation_samples", cJSON_CreateDoubleArray(va, 2));
  if (m->override && *m->override) cJSON_AddStringToObject(j, "override", m->override);
  if (m->target_gain_db != 0) cJSON_AddNumberToObject(j, "target_gain_db", m->target_gain_db);
  cJSON *src = m->source_json ? cJSON_Parse(m->source_json) : NULL, *prov = m->provenance_json ? cJSON_Parse(m->provenance_json) : NULL;
  if (src) cJSON_AddItemToObject(j, "source", src);
  if (prov) cJSON_AddItemToObject(j, "provenance", prov);
  char *text = cJSON_Print(j);
  cJSON_Delete(j);
  if (!text) return sw_fail(err, SW_ENOMEM, "%s: out of memory", path);
  size_t n = strlen(text);
  text[n] = '\n';
  int rc = sw_write_file_atomic(path, text, n + 1, err);
  free(text);
  return rc;
}

/* ---- loading ---- */

static int get_span(const cJSON *j, const char *key_samples, const char *key_seconds, int rate, long sp[2], const char *path,
                    sw_err *err) {
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, key_samples);
  double mul = 1;
  const char *key = key_samples;
  if (!a) a = cJSON_GetObjectItemCaseSensitive(j, key_seconds), mul = rate, key = key_seconds;
  if (!a) return 1; /* absent: the caller's default */
  if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 2 || !cJSON_IsNumber(cJSON_GetArrayItem(a, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(a, 1)))
    return -sw_fail(err, SW_EINPUT, "%s: \"%s\" must be [start, end]", path, key);
  double s = cJSON_GetArrayItem(a, 0)->valuedouble * mul, e = cJSON_GetArrayItem(a, 1)->valuedouble * mul;
  if (!isfinite(s) || !isfinite(e) || s < 0 || e <= s || e > 1e12)
    return -sw_fail(err, SW_EINPUT, "%s: \"%s\" [%g, %g] is not a span (0 <= start < end)", path, key, s / mul, e / mul);
  sp[0] = lround(s), sp[1] = lround(e);
  return 0;
}

static const char *str(const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void resolve(const char *manifest, const char *rel, char *out, size_t len) {
  if (rel[0] == '/') { snprintf(out, len, "%s", rel); return; }
  char tmp[4096];
  snprintf(tmp, sizeof tmp, "%s", manifest);
  snprintf(out, len, "%s/%s", dirname(tmp), rel);
}

static int verify(const cJSON *prov, const char *key, const char *path, sw_err *err) {
  const cJSON *h = prov ? cJSON_GetObjectItemCaseSensitive(prov, "sha256") : NULL;
  const char *want = h ? str(h, key) : NULL;
  if (!want) return SW_OK;
  char got[65];
  int rc = sw_sha256_file(path, got, err);
  if (rc) return rc;
  if (strcmp(got, want)) return sw_fail(err, SW_EINPUT, "%s: sha256 %.12s... differs from the manifest's %.12s... (the file changed; rebuild the dataset)", path, got, want);
  return SW_OK;
}

static int load_locked(const char *mpath, const sw_load_opts *o, sw_dataset *d, sw_load_report *rep, sw_err *err);

/* Loads under the dataset folder's shared lock (datasets.h), so that a rebuild elsewhere (another
   Slurm task, a make job) cannot swap the folder between the manifest and its audio. */
int sw_dataset_load_ex(const char *mpath, const sw_load_opts *o, sw_dataset *d, sw_load_report *rep, sw_err *err) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", mpath);
  char *slash = strrchr(dir, '/');
  int lk = slash ? (*slash = 0, sw_dataset_lock(dir, "lock", 0, 0)) : -1;
  int rc = load_locked(mpath, o, d, rep, err);
  sw_dataset_unlock(lk);
  return rc;
}

static int load_locked(const char *mpath, const sw_load_opts *o, sw_dataset *d, sw_load_report *rep, sw_err *err) {
  memset(d, 0, sizeof *d);
  sw_load_report rdummy;
  if (!rep) rep = &rdummy;
  memset(rep, 0, sizeof *rep);
  char *text = NULL;
  size_t tn;
  int rc = sw_read_file(mpath, 1 << 20, &text, &tn, err);
  if (rc) return rc;
  cJSON *j = cJSON_ParseWithLength(text, tn);
  free(text);
  if (!j || !cJSON_IsObject(j)) { cJSON_Delete(j); return sw_fail(err, SW_EINPUT, "%s: not a JSON object (malformed manifest)", mpath); }
  sw_wav x = {0}, y = {0};
  const char *in = str(j, "input"), *outp = str(j, "output"), *layout = str(j, "layout"), *name = str(j, "name");
  const cJSON *rate_j = cJSON_GetObjectItemCaseSensitive(j, "sample_rate"), *lat_j = cJSON_GetObjectItemCaseSensitive(j, "latency");
  const cJSON *prov = cJSON_GetObjectItemCaseSensitive(j, "provenance");
  char ip[4096], op[4096], ov[256];
  if (!in || !outp) { rc = sw_fail(err, SW_EINPUT, "%s: \"input\" and \"output\" (audio paths) are required", mpath); goto done; }
  if (!cJSON_IsNumber(rate_j) || rate_j->valuedouble < 1000 || rate_j->valuedouble > 768000 || rate_j->valuedouble != floor(rate_j->valuedouble)) {
    rc = sw_fail(err, SW_EINPUT, "%s: \"sample_rate\" must be an integer in Hz", mpath);
    goto done;
  }
  int rate = (int)rate_j->valuedouble;
  int v3 = !layout || !strcmp(layout, "nam-v3");
  if (layout && !v3 && strcmp(layout, "custom")) { rc = sw_fail(err, SW_EINPUT, "%s: \"layout\" is \"%s\" (nam-v3 or custom)", mpath, layout); goto done; }
  int autolat = cJSON_IsString(lat_j) && !strcmp(lat_j->valuestring, "auto");
  if (!autolat && lat_j && (!cJSON_IsNumber(lat_j) || fabs(lat_j->valuedouble) > 100000 || lat_j->valuedouble != floor(lat_j->valuedouble))) {
    rc = sw_fail(err, SW_EINPUT, "%s: \"latency\" must be an integer number of samples or \"auto\"", mpath);
    goto done;
  }
  if (autolat && !v3) { rc = sw_fail(err, SW_EINPUT, "%s: \"latency\": \"auto\" needs the nam-v3 layout (its blips)", mpath); goto done; }
  resolve(mpath, in, ip, sizeof ip), resolve(mpath, outp, op, sizeof op);
  int verify_hash = o ? o->verify_hash : 1;
  if (verify_hash && ((rc = verify(prov, "input", ip, err)) || (rc = verify(prov, "output", op, err)))) goto done;
  if ((rc = sw_wav_read(ip, &x, err)) || (rc = sw_wav_read(op, &y, err))) goto done;
  if (x.channels > 1 || y.channels > 1)
    if (snprintf(rep->warn, sizeof rep->warn, "%s has %d channels; using the first", x.channels > 1 ? ip : op, x.channels > 1 ? x.channels : y.channels) >= (int)sizeof rep->warn)
      rep->warn[sizeof rep->warn - 4] = rep->warn[sizeof rep->warn - 3] = rep->warn[sizeof rep->warn - 2] = '.';
  sw_wav *w[2] = {&x, &y};
  const char *wp[2] = {ip, op};
  for (int i = 0; i < 2; i++)
    if (w[i]->rate != rate) {
      if (!(o && o->resample)) { rc = sw_fail(err, SW_EINPUT, "%s: sample rate %d Hz, the manifest says %d Hz (resampling only when asked: --resample)", wp[i], w[i]->rate, rate); goto done; }
      if ((rc = sw_wav_resample(w[i], rate, wp[i], err))) goto done;
    }
  sw_layout5 l;
  if (v3 && (rc = sw_layout5_make(x.n, rate, &l, err))) { snprintf(err->msg + strlen(err->msg), sizeof err->msg - strlen(err->msg), " (%s, layout nam-v3)", ip); goto done; }
  snprintf(ov, sizeof ov, "%s%s%s", str(j, "override") ? str(j, "override") : "", o && o->override && str(j, "override") ? "," : "", o && o->override ? o->override : "");
  if ((rc = sw_checks_run(ip, &x, op, &y, v3 ? &l : NULL, ov[0] ? ov : NULL, &rep->checks, err))) {
    /* an unknown check named by the manifest's own "override" (not by the caller's) is a bad file
       (exit 3), not bad arguments */
    const char *mo = str(j, "override"), *q = strchr(err->msg, '"'), *q2 = q ? strchr(q + 1, '"') : NULL;
    char cl[300] = "", nm[300] = ""; /* ",a,b," and ",name,": whole names only */
    if (o && o->override) snprintf(cl, sizeof cl, ",%s,", o->override);
    if (q2) snprintf(nm, sizeof nm, ",%.*s,", (int)(q2 - q - 1), q + 1);
    if (rc == SW_EUSAGE && mo && (!(o && o->override) || !q2 || !strstr(cl, nm))) {
      char why[sizeof err->msg];
      snprintf(why, sizeof why, "%s", err->msg);
      rc = sw_fail(err, SW_EINPUT, "%s: \"override\": %s", mpath, why);
    }
    goto done;
  }
  if (rep->checks.failed) {
    for (int i = 0; i < SW_CK_N; i++)
      if (rep->checks.c[i].state == 1) { rc = sw_fail(err, SW_ECHECK, "%s: check %s failed: %s", mpath, rep->checks.c[i].name, rep->checks.c[i].msg); break; }
    goto done;
  }
  long lat = autolat ? rep->checks.calib.latency : lat_j ? (long)lat_j->valuedouble : 0;
  /* Align: y'[i] = y[i + lat] (zeros outside y); n = the input's length, or less if y ends first. */
  long n = x.n;
  if (y.n - lat < n) n = y.n - lat;
  if (n < 2) { rc = sw_fail(err, SW_EINPUT, "%s: nothing left after removing latency %ld", mpath, lat); goto done; }
  d->y = calloc((size_t)n, sizeof(float));
  if (!d->y) { rc = sw_fail(err, SW_ENOMEM, "%s: out of memory", mpath); goto done; }
  for (long i = 0; i < n; i++) d->y[i] = i + lat >= 0 ? y.x[i + lat] : 0.0f;
  d->x = x.x, x.x = NULL;
  d->n = n, d->rate = rate, d->latency = lat;
  const cJSON *tg = cJSON_GetObjectItemCaseSensitive(j, "target_gain_db");
  if (tg && (!cJSON_IsNumber(tg) || !(fabs(tg->valuedouble) <= 200))) {
    rc = sw_fail(err, SW_EINPUT, "%s: \"target_gain_db\" must be a number of dB", mpath);
    goto done;
  }
  d->target_gain_db = tg ? tg->valuedouble : 0;
  long tr[2] = {0, 0}, va[2] = {0, 0};
  int t1 = get_span(j, "train_samples", "train", rate, tr, mpath, err);
  int t2 = t1 < 0 ? 0 : get_span(j, "validation_samples", "validation", rate, va, mpath, err);
  if (t1 < 0 || t2 < 0) { rc = SW_EINPUT; goto done; }
  double frac = 0.3;
  const cJSON *vf = cJSON_GetObjectItemCaseSensitive(j, "validation_fraction");
  if (cJSON_IsNumber(vf)) frac = vf->valuedouble;
  if (!(frac > 0 && frac < 1)) { rc = sw_fail(err, SW_EINPUT, "%s: \"validation_fraction\" must be in (0, 1)", mpath); goto done; }
  if (t1) { tr[0] = v3 ? l.train_start : 0, tr[1] = v3 ? l.train_end : lround(n * (1 - frac)); }
  if (t2) { va[0] = v3 ? l.val2_start : lround(n * (1 - frac)), va[1] = v3 ? l.val2_end : n; }
  if (tr[1] > n) tr[1] = n;
  if (va[1] > n) va[1] = n;
  if (tr[0] >= tr[1] || va[0] >= va[1]) { rc = sw_fail(err, SW_EINPUT, "%s: the train or validation span is empty within the %ld aligned samples", mpath, n); goto done; }
  d->train_start = tr[0], d->train_end = tr[1], d->val_start = va[0], d->val_end = va[1];
  snprintf(d->name, sizeof d->name, "%s", name ? name : "dataset");
  snprintf(d->path, sizeof d->path, "%s", mpath);
done:
  if (rc) sw_dataset_free(d);
  sw_wav_free(&x), sw_wav_free(&y);
  cJSON_Delete(j);
  return rc;
}

int sw_dataset_load(const char *manifest, sw_dataset *out, sw_err *err) {
  sw_load_opts o = {.verify_hash = 1};
  return sw_dataset_load_ex(manifest, &o, out, NULL, err);
}

void sw_dataset_free(sw_dataset *d) {
  free(d->x), free(d->y);
  memset(d, 0, sizeof *d);
}
