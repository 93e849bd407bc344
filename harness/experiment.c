/* Experiment files: parse, apply a profile, expand into cells. */
#include "experiment.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic_file.h"

static int str_at(const cJSON *o, const char *key, char *dst, size_t n, bool required, const char *path, const char *where, sw_err *err) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  if (!v) {
    if (required) return sw_fail(err, SW_EINPUT, "%s: %s: missing \"%s\"", path, where, key);
    return SW_OK;
  }
  if (!cJSON_IsString(v) || strlen(v->valuestring) >= n || !v->valuestring[0])
    return sw_fail(err, SW_EINPUT, "%s: %s: \"%s\" must be a non-empty string shorter than %zu", path, where, key, n);
  snprintf(dst, n, "%s", v->valuestring);
  return SW_OK;
}

static int num_at(const cJSON *o, const char *key, double lo, double hi, double *dst, const char *path, const char *where, sw_err *err) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  if (!v) return SW_OK;
  if (!cJSON_IsNumber(v) || !(v->valuedouble >= lo && v->valuedouble <= hi))
    return sw_fail(err, SW_EINPUT, "%s: %s: \"%s\" must be a number in [%g, %g]", path, where, key, lo, hi);
  *dst = v->valuedouble;
  return SW_OK;
}

static int int_at(const cJSON *o, const char *key, int lo, int hi, int *dst, const char *path, const char *where, sw_err *err) {
  double d = *dst;
  int rc = num_at(o, key, lo, hi, &d, path, where, err);
  if (!rc && d != (int)d) rc = sw_fail(err, SW_EINPUT, "%s: %s: \"%s\" must be an integer", path, where, key);
  *dst = (int)d;
  return rc;
}

/* A safe name for files: letters, digits, '-', '_', '.'. */
static bool safe_name(const char *s) {
  if (!*s || s[0] == '.') return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.')) return false;
  return true;
}

static int parse_profile(const cJSON *p, sw_exp_profile *o, const char *path, sw_err *err) {
  char where[64];
  snprintf(where, sizeof where, "profiles.%s", o->name);
  if (!cJSON_IsObject(p)) return sw_fail(err, SW_EINPUT, "%s: %s is not an object", path, where);
  static const char *const known[] = {"epochs", "batch", "ny", "threads", "lr", "decay", "data_seconds", "bench_seconds",
                                      "bench_repeats", "blocks", "backends", "max_datasets", "minutes_datasets",
                                      "minutes_train", "minutes_bench", "mem_mb", "comment"};
  for (const cJSON *k = p->child; k; k = k->next) {
    bool ok = false;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) ok |= !strcmp(k->string, known[i]);
    if (!ok) return sw_fail(err, SW_EINPUT, "%s: %s: unknown setting \"%s\"", path, where, k->string);
  }
  int rc = 0;
  rc = rc ? rc : int_at(p, "epochs", 1, 100000, &o->epochs, path, where, err);
  rc = rc ? rc : int_at(p, "batch", 1, 4096, &o->batch, path, where, err);
  rc = rc ? rc : int_at(p, "ny", 16, 1 << 20, &o->ny, path, where, err);
  rc = rc ? rc : int_at(p, "threads", 1, 256, &o->threads, path, where, err);
  rc = rc ? rc : num_at(p, "lr", 1e-8, 10, &o->lr, path, where, err);
  rc = rc ? rc : num_at(p, "decay", 0.5, 1, &o->decay, path, where, err);
  rc = rc ? rc : num_at(p, "data_seconds", 0, 36000, &o->data_seconds, path, where, err);
  rc = rc ? rc : num_at(p, "bench_seconds", 0.01, 3600, &o->bench_seconds, path, where, err);
  rc = rc ? rc : int_at(p, "bench_repeats", 1, 1000, &o->bench_repeats, path, where, err);
  rc = rc ? rc : str_at(p, "blocks", o->blocks, sizeof o->blocks, false, path, where, err);
  rc = rc ? rc : str_at(p, "backends", o->backends, sizeof o->backends, false, path, where, err);
  rc = rc ? rc : int_at(p, "max_datasets", 0, SW_EXP_MAX, &o->max_datasets, path, where, err);
  rc = rc ? rc : int_at(p, "minutes_datasets", 0, 525600, &o->minutes_datasets, path, where, err);
  rc = rc ? rc : int_at(p, "minutes_train", 0, 525600, &o->minutes_train, path, where, err);
  rc = rc ? rc : int_at(p, "minutes_bench", 0, 525600, &o->minutes_bench, path, where, err);
  rc = rc ? rc : int_at(p, "mem_mb", 0, 1 << 24, &o->mem_mb, path, where, err);
  return rc;
}

static int parse(const cJSON *root, const char *path, const char *profile, const char *family, sw_experiment *e, sw_err *err) {
  if (!cJSON_IsObject(root)) return sw_fail(err, SW_EINPUT, "%s: an experiment must be a JSON object", path);
  int rc = str_at(root, "name", e->name, sizeof e->name, true, path, "top level", err);
  if (rc) return rc;
  if (!safe_name(e->name)) return sw_fail(err, SW_EINPUT, "%s: name \"%s\" must use only letters, digits, - _ .", path, e->name);
  if ((rc = str_at(root, "description", e->description, sizeof e->description, false, path, "top level", err))) return rc;
  /* data families */
  const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
  if (!cJSON_IsObject(data)) return sw_fail(err, SW_EINPUT, "%s: missing \"data\" object", path);
  char dflt[32] = "";
  if ((rc = str_at(data, "default", dflt, sizeof dflt, true, path, "data", err))) return rc;
  snprintf(e->family, sizeof e->family, "%s", family && *family ? family : dflt);
  const cJSON *ds = cJSON_GetObjectItemCaseSensitive(data, e->family);
  if (!cJSON_IsArray(ds)) return sw_fail(err, SW_EINPUT, "%s: data family \"%s\" is not defined (a list under \"data\")", path, e->family);
  for (const cJSON *d = ds->child; d; d = d->next) {
    if (e->n_datasets >= SW_EXP_MAX) return sw_fail(err, SW_EINPUT, "%s: more than %d datasets", path, SW_EXP_MAX);
    sw_exp_dataset *x = &e->datasets[e->n_datasets++];
    if (!cJSON_IsObject(d)) return sw_fail(err, SW_EINPUT, "%s: data.%s entries must be objects", path, e->family);
    if ((rc = str_at(d, "recipe", x->recipe, sizeof x->recipe, true, path, "data entry", err))) return rc;
    if ((rc = str_at(d, "tone", x->tone, sizeof x->tone, true, path, "data entry", err))) return rc;
    if (!safe_name(x->recipe)) return sw_fail(err, SW_EINPUT, "%s: recipe \"%s\" is not a safe name", path, x->recipe);
  }
  if (!e->n_datasets) return sw_fail(err, SW_EINPUT, "%s: data family \"%s\" lists no datasets", path, e->family);
  /* models */
  const cJSON *ms = cJSON_GetObjectItemCaseSensitive(root, "models");
  if (!cJSON_IsArray(ms) || !cJSON_GetArraySize(ms)) return sw_fail(err, SW_EINPUT, "%s: \"models\" must be a non-empty list", path);
  for (const cJSON *m = ms->child; m; m = m->next) {
    if (e->n_models >= SW_EXP_MAX) return sw_fail(err, SW_EINPUT, "%s: more than %d models", path, SW_EXP_MAX);
    sw_exp_model *x = &e->models[e->n_models++];
    if (!cJSON_IsObject(m)) return sw_fail(err, SW_EINPUT, "%s: model entries must be objects", path);
    if ((rc = str_at(m, "id", x->id, sizeof x->id, true, path, "model", err))) return rc;
    if (!safe_name(x->id)) return sw_fail(err, SW_EINPUT, "%s: model id \"%s\" is not a safe name", path, x->id);
    for (int j = 0; j < e->n_models - 1; j++)
      if (!strcmp(e->models[j].id, x->id)) return sw_fail(err, SW_EINPUT, "%s: model id \"%s\" appears twice", path, x->id);
    memcpy(x->label, x->id, strlen(x->id) + 1); /* ids are shorter than labels */
    snprintf(x->eval_widths, sizeof x->eval_widths, "all");
    if ((rc = str_at(m, "label", x->label, sizeof x->label, false, path, x->id, err))) return rc;
    if ((rc = str_at(m, "arch", x->arch, sizeof x->arch, true, path, x->id, err))) return rc;
    if ((rc = str_at(m, "schedule", x->schedule, sizeof x->schedule, true, path, x->id, err))) return rc;
    if ((rc = str_at(m, "eval_widths", x->eval_widths, sizeof x->eval_widths, false, path, x->id, err))) return rc;
    if ((rc = str_at(m, "role", x->role, sizeof x->role, false, path, x->id, err))) return rc;
    if (x->role[0] && strcmp(x->role, "nam_standard") && strcmp(x->role, "slimmable") && strcmp(x->role, "fixed_full") && strcmp(x->role, "fixed_half"))
      return sw_fail(err, SW_EINPUT, "%s: %s: role must be nam_standard, slimmable, fixed_full or fixed_half", path, x->id);
    if (strcmp(x->eval_widths, "all") && strcmp(x->eval_widths, "full") && strcmp(x->eval_widths, "train"))
      return sw_fail(err, SW_EINPUT, "%s: %s: eval_widths must be all, full or train", path, x->id);
  }
  /* seeds */
  const cJSON *ss = cJSON_GetObjectItemCaseSensitive(root, "seeds");
  if (!ss) e->seeds[e->n_seeds++] = 1;
  else {
    if (!cJSON_IsArray(ss) || !cJSON_GetArraySize(ss)) return sw_fail(err, SW_EINPUT, "%s: \"seeds\" must be a non-empty list", path);
    for (const cJSON *s = ss->child; s; s = s->next) {
      if (e->n_seeds >= SW_EXP_MAX) return sw_fail(err, SW_EINPUT, "%s: more than %d seeds", path, SW_EXP_MAX);
      if (!cJSON_IsNumber(s) || s->valuedouble != (int)s->valuedouble || s->valuedouble < 0)
        return sw_fail(err, SW_EINPUT, "%s: seeds must be non-negative integers", path);
      e->seeds[e->n_seeds++] = (int)s->valuedouble;
    }
  }
  /* profile: defaults (the NAM recipe), then the file's "quick"/... overrides */
  sw_exp_profile *p = &e->profile;
  snprintf(p->name, sizeof p->name, "%s", profile && *profile ? profile : "quick");
  if (!safe_name(p->name)) return sw_fail(err, SW_EINPUT, "profile \"%s\" is not a safe name", p->name);
  p->epochs = 100; p->batch = 16; p->ny = 8192; p->threads = 1; p->lr = 0.004; p->decay = 0.993;
  p->bench_seconds = 2; p->bench_repeats = 5;
  snprintf(p->blocks, sizeof p->blocks, "64");
  snprintf(p->backends, sizeof p->backends, "all");
  const cJSON *profs = cJSON_GetObjectItemCaseSensitive(root, "profiles");
  const cJSON *pr = cJSON_IsObject(profs) ? cJSON_GetObjectItemCaseSensitive(profs, p->name) : NULL;
  if (!pr) return sw_fail(err, SW_EINPUT, "%s: profile \"%s\" is not defined under \"profiles\"", path, p->name);
  if ((rc = parse_profile(pr, p, path, err))) return rc;
  if ((long)e->n_seeds * e->n_models * (e->n_datasets + 1) > SW_EXP_MAX_CELLS)
    return sw_fail(err, SW_EINPUT, "%s: %d seeds x %d models x %d datasets is more than %d cells", path, e->n_seeds, e->n_models, e->n_datasets, SW_EXP_MAX_CELLS);
  return SW_OK;
}

int sw_experiment_load(const char *path, const char *profile, const char *family, sw_experiment *out, sw_err *err) {
  memset(out, 0, sizeof *out);
  char *text;
  size_t n;
  int rc = sw_read_file(path, 1 << 20, &text, &n, err);
  if (rc) return rc;
  cJSON *root = cJSON_ParseWithLength(text, n);
  free(text);
  if (!root) return sw_fail(err, SW_EINPUT, "%s: malformed JSON", path);
  snprintf(out->path, sizeof out->path, "%s", path);
  snprintf(out->dir, sizeof out->dir, "%s", path);
  char *slash = strrchr(out->dir, '/');
  if (slash) *slash = 0; else snprintf(out->dir, sizeof out->dir, ".");
  rc = parse(root, path, profile, family, out, err);
  cJSON_Delete(root);
  return rc;
}

int sw_experiment_n_datasets(const sw_experiment *e) {
  return e->profile.max_datasets && e->profile.max_datasets < e->n_datasets ? e->profile.max_datasets : e->n_datasets;
}

int sw_experiment_cells(const sw_experiment *e, sw_cell *cells, int max) {
  int n = 0, nd = sw_experiment_n_datasets(e);
  for (int s = 0; s < e->n_seeds; s++)
    for (int m = 0; m < e->n_models; m++)
      for (int d = 0; d < nd; d++, n++)
        if (n < max) {
          cells[n] = (sw_cell){.model = m, .dataset = d, .seed = e->seeds[s]};
          snprintf(cells[n].id, sizeof cells[n].id, "%s__%s__s%d", e->datasets[d].recipe, e->models[m].id, e->seeds[s]);
        }
  for (int s = 0; s < e->n_seeds; s++)
    for (int m = 0; m < e->n_models; m++, n++)
      if (n < max) {
        cells[n] = (sw_cell){.model = m, .dataset = 0, .seed = e->seeds[s], .bench = true};
        snprintf(cells[n].id, sizeof cells[n].id, "bench__%s__s%d", e->models[m].id, e->seeds[s]);
      }
  return n;
}

void sw_cell_train_id(const sw_experiment *e, const sw_cell *c, char *buf, int len) {
  snprintf(buf, (size_t)len, "%s__%s__s%d", e->datasets[c->dataset].recipe, e->models[c->model].id, c->seed);
}

int sw_experiment_find_cell(const sw_experiment *e, const char *id, sw_cell *out) {
  sw_cell *cells = malloc(sizeof(sw_cell) * SW_EXP_MAX_CELLS);
  if (!cells) return -1;
  int n = sw_experiment_cells(e, cells, SW_EXP_MAX_CELLS), rc = -1;
  for (int i = 0; i < n && i < SW_EXP_MAX_CELLS; i++)
    if (!strcmp(cells[i].id, id)) { *out = cells[i]; rc = 0; break; }
  free(cells);
  return rc;
}

void sw_experiment_results_dir(const sw_experiment *e, char *buf, int len) {
  char fam[48] = "";
  if (strcmp(e->family, "lv2")) snprintf(fam, sizeof fam, "-%s", e->family);
  if (!strcmp(e->profile.name, "quick")) snprintf(buf, (size_t)len, "results/%s%s", e->name, fam);
  else snprintf(buf, (size_t)len, "results/%s%s-%s", e->name, fam, e->profile.name);
}

const sw_exp_model *sw_experiment_by_role(const sw_experiment *e, const char *role) {
  for (int i = 0; i < e->n_models; i++)
    if (!strcmp(e->models[i].role, role)) return &e->models[i];
  return NULL;
}
