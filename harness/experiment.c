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

static int bool_at(const cJSON *o, const char *key, bool *dst, const char *path, const char *where, sw_err *err) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  if (!v) return SW_OK;
  if (!cJSON_IsBool(v)) return sw_fail(err, SW_EINPUT, "%s: %s: \"%s\" must be true or false", path, where, key);
  *dst = cJSON_IsTrue(v);
  return SW_OK;
}

/* key's string value must be one of the words of `allowed` (space-separated) */
static int word_at(const cJSON *o, const char *key, const char *allowed, char *dst, size_t n, const char *path,
                   const char *where, sw_err *err) {
  int rc = str_at(o, key, dst, n, false, path, where, err);
  if (rc || !dst[0]) return rc;
  size_t k = strlen(dst);
  for (const char *a = allowed; *a;) {
    size_t w = strcspn(a, " ");
    if (w == k && !strncmp(a, dst, k)) return SW_OK;
    a += w + (a[w] == ' ');
  }
  return sw_fail(err, SW_EINPUT, "%s: %s: \"%s\" must be one of: %s", path, where, key, allowed);
}

static int check_keys(const cJSON *o, const char *const *known, size_t n, const char *path, const char *where, sw_err *err) {
  for (const cJSON *k = o->child; k; k = k->next) {
    bool ok = false;
    for (size_t i = 0; i < n; i++) ok |= !strcmp(k->string, known[i]);
    if (!ok) return sw_fail(err, SW_EINPUT, "%s: %s: unknown setting \"%s\"", path, where, k->string);
  }
  return SW_OK;
}

/* A safe name for files: letters, digits, '-', '_', '.'. */
static bool safe_name(const char *s) {
  if (!*s || s[0] == '.') return false;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.')) return false;
  return true;
}

/* "" or "C[,C2..]" with every C in 1..4096 */
static bool channel_list(const char *s) {
  while (*s) {
    char *end;
    long v = strtol(s, &end, 10);
    if (*s < '0' || *s > '9' || v < 1 || v > 4096) return false;
    if (!*end) return true;
    if (*end != ',') return false;
    s = end + 1;
    if (!*s) return false;
  }
  return true;
}

static int parse_profile(const cJSON *p, sw_exp_profile *o, const char *path, sw_err *err) {
  char where[64];
  snprintf(where, sizeof where, "profiles.%s", o->name);
  if (!cJSON_IsObject(p)) return sw_fail(err, SW_EINPUT, "%s: %s is not an object", path, where);
  static const char *const known[] = {"epochs", "batch", "ny", "threads", "lr", "decay", "data_seconds", "bench_seconds",
                                      "bench_repeats", "blocks", "backends", "max_datasets", "minutes_datasets",
                                      "minutes_train", "minutes_bench", "mem_mb", "comment", "equal_passes",
                                      "tones", "models", "seeds", "arch"};
  int rc = check_keys(p, known, sizeof known / sizeof *known, path, where, err);
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
  rc = rc ? rc : bool_at(p, "equal_passes", &o->equal_passes, path, where, err);
  return rc;
}

/* A profile's subset of the file's datasets, models or seeds: each listed item is moved to the
   front (the profile's order), then the list is cut to those. */
typedef struct subset { sw_experiment *e; int kept; const char *path, *where; } subset;
typedef int (*item_fn)(subset *k, const cJSON *item, sw_err *err);

static int each_item(const cJSON *p, const char *key, subset *k, item_fn fn, sw_err *err) {
  const cJSON *l = cJSON_GetObjectItemCaseSensitive(p, key);
  k->kept = 0;
  if (!l) return SW_OK;
  if (!cJSON_IsArray(l) || !cJSON_GetArraySize(l) || cJSON_GetArraySize(l) > SW_EXP_MAX)
    return sw_fail(err, SW_EINPUT, "%s: %s: \"%s\" must be a list of 1 to %d items", k->path, k->where, key, SW_EXP_MAX);
  for (const cJSON *i = l->child; i; i = i->next) {
    int rc = fn(k, i, err);
    if (rc) return rc;
  }
  return SW_OK;
}

static int keep_tone(subset *k, const cJSON *it, sw_err *err) {
  sw_experiment *e = k->e;
  int hit = 0;
  for (int d = k->kept; cJSON_IsString(it) && d < e->n_datasets; d++)
    if (!strcmp(e->datasets[d].tone, it->valuestring)) {
      sw_exp_dataset t = e->datasets[d];
      memmove(&e->datasets[k->kept + 1], &e->datasets[k->kept], sizeof t * (size_t)(d - k->kept));
      e->datasets[k->kept++] = t;
      hit = 1;
    }
  if (!hit) return sw_fail(err, SW_EINPUT, "%s: %s: tones: \"%.40s\" is no tone of data family \"%s\" (or is listed twice)", k->path,
                           k->where, cJSON_IsString(it) ? it->valuestring : "(not a string)", e->family);
  return SW_OK;
}

static int keep_model(subset *k, const cJSON *it, sw_err *err) {
  sw_experiment *e = k->e;
  for (int m = k->kept; cJSON_IsString(it) && m < e->n_models; m++)
    if (!strcmp(e->models[m].id, it->valuestring)) {
      sw_exp_model t = e->models[m];
      memmove(&e->models[k->kept + 1], &e->models[k->kept], sizeof t * (size_t)(m - k->kept));
      e->models[k->kept++] = t;
      return SW_OK;
    }
  return sw_fail(err, SW_EINPUT, "%s: %s: models: \"%.60s\" is no model id of the file (or is listed twice)", k->path, k->where,
                 cJSON_IsString(it) ? it->valuestring : "(not a string)");
}

static int keep_seed(subset *k, const cJSON *it, sw_err *err) {
  sw_experiment *e = k->e;
  if (!cJSON_IsNumber(it) || it->valuedouble != (int)it->valuedouble || it->valuedouble < 0)
    return sw_fail(err, SW_EINPUT, "%s: %s: seeds must be non-negative integers", k->path, k->where);
  for (int s = 0; s < k->kept; s++)
    if (e->seeds[s] == (int)it->valuedouble) return sw_fail(err, SW_EINPUT, "%s: %s: seed %d is listed twice", k->path, k->where, e->seeds[s]);
  e->seeds[k->kept++] = (int)it->valuedouble;
  return SW_OK;
}

static int apply_subsets(const cJSON *p, sw_experiment *e, const char *path, sw_err *err) {
  char where[64];
  snprintf(where, sizeof where, "profiles.%s", e->profile.name);
  subset k = {.e = e, .path = path, .where = where};
  int rc = each_item(p, "tones", &k, keep_tone, err);
  if (!rc && k.kept) e->n_datasets = k.kept;
  if (!rc) rc = each_item(p, "models", &k, keep_model, err);
  if (!rc && k.kept) e->n_models = k.kept;
  if (!rc) rc = each_item(p, "seeds", &k, keep_seed, err);
  if (!rc && k.kept) e->n_seeds = k.kept;
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
  if (!safe_name(e->family)) return sw_fail(err, SW_EINPUT, "%s: data family \"%s\" must use only letters, digits, - _ .", path, e->family);
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
    static const char *const mkeys[] = {"id", "label", "arch", "schedule", "eval_widths", "role", "loss", "init",
                                        "best_by", "channels", "decay", "comment"};
    if ((rc = str_at(m, "id", x->id, sizeof x->id, true, path, "model", err))) return rc;
    if ((rc = check_keys(m, mkeys, sizeof mkeys / sizeof *mkeys, path, x->id, err))) return rc;
    if (!safe_name(x->id)) return sw_fail(err, SW_EINPUT, "%s: model id \"%s\" is not a safe name", path, x->id);
    for (int j = 0; j < e->n_models - 1; j++)
      if (!strcmp(e->models[j].id, x->id)) return sw_fail(err, SW_EINPUT, "%s: model id \"%s\" appears twice", path, x->id);
    memcpy(x->label, x->id, strlen(x->id) + 1); /* ids are shorter than labels */
    snprintf(x->eval_widths, sizeof x->eval_widths, "all");
    if ((rc = str_at(m, "label", x->label, sizeof x->label, false, path, x->id, err))) return rc;
    if ((rc = str_at(m, "arch", x->arch, sizeof x->arch, true, path, x->id, err))) return rc;
    if ((rc = str_at(m, "schedule", x->schedule, sizeof x->schedule, true, path, x->id, err))) return rc;
    if ((rc = str_at(m, "eval_widths", x->eval_widths, sizeof x->eval_widths, false, path, x->id, err))) return rc;
    if ((rc = word_at(m, "role", "nam_standard nam_nano slimmable fixed_full fixed_half dedicated", x->role, sizeof x->role, path, x->id, err))) return rc;
    if ((rc = word_at(m, "loss", "nam paper esr mse", x->loss, sizeof x->loss, path, x->id, err))) return rc;
    if ((rc = word_at(m, "init", "standard smallest_and_zeros", x->init, sizeof x->init, path, x->id, err))) return rc;
    if ((rc = str_at(m, "best_by", x->best_by, sizeof x->best_by, false, path, x->id, err))) return rc;
    if (x->best_by[0] && strcmp(x->best_by, "full") && strcmp(x->best_by, "mean") &&
        !(strncmp(x->best_by, "mean:", 5) == 0 && strtod(x->best_by + 5, NULL) > 0))
      return sw_fail(err, SW_EINPUT, "%s: %s: best_by must be full, mean or mean:CAP (CAP > 0)", path, x->id);
    if ((rc = str_at(m, "channels", x->channels, sizeof x->channels, false, path, x->id, err))) return rc;
    if (!channel_list(x->channels)) return sw_fail(err, SW_EINPUT, "%s: %s: channels must be C or C1,C2,.. (integers 1..4096)", path, x->id);
    if ((rc = num_at(m, "decay", 0.5, 1, &x->decay, path, x->id, err))) return rc;
    if (strcmp(x->eval_widths, "all") && strcmp(x->eval_widths, "full") && strcmp(x->eval_widths, "train"))
      return sw_fail(err, SW_EINPUT, "%s: %s: eval_widths must be all, full or train", path, x->id);
  }
  /* how the models are trained, scored and reported */
  char word[32] = "padded";
  if ((rc = word_at(root, "validation", "padded nam", word, sizeof word, path, "top level", err))) return rc;
  e->val_nam = !strcmp(word, "nam");
  snprintf(e->report, sizeof e->report, "paper");
  if ((rc = word_at(root, "report", "paper schedules", e->report, sizeof e->report, path, "top level", err))) return rc;
  snprintf(word, sizeof word, "naive");
  if ((rc = word_at(root, "eval_backend", "naive best", word, sizeof word, path, "top level", err))) return rc;
  e->eval_best = !strcmp(word, "best");
  e->bench = e->counters = true;
  if ((rc = bool_at(root, "bench", &e->bench, path, "top level", err))) return rc;
  if ((rc = bool_at(root, "counters", &e->counters, path, "top level", err))) return rc;
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
  if ((rc = apply_subsets(pr, e, path, err))) return rc;
  /* a profile may train every model on another architecture (smoke: a small one, the same machinery) */
  char arch[sizeof e->models[0].arch] = "";
  if ((rc = str_at(pr, "arch", arch, sizeof arch, false, path, "profile", err))) return rc;
  for (int m = 0; arch[0] && m < e->n_models; m++) memcpy(e->models[m].arch, arch, sizeof arch);
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
  for (int s = 0; e->bench && s < e->n_seeds; s++)
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

/* <name>-<family>-<profile>: every part is a safe name (checked at load) */
static void run_name(const sw_experiment *e, const char *prefix, char *buf, int len) {
  snprintf(buf, (size_t)len, "%s%s-%s-%s", prefix, e->name, e->family, e->profile.name);
}

void sw_experiment_results_dir(const sw_experiment *e, char *buf, int len) { run_name(e, "results/", buf, len); }
void sw_experiment_reference_dir(const sw_experiment *e, char *buf, int len) { run_name(e, "results/reference/", buf, len); }

void sw_experiment_arch_path(const sw_experiment *e, const sw_exp_model *m, char *buf, int len) {
  if (strstr(m->arch, ".json") && m->arch[0] != '/') snprintf(buf, (size_t)len, "%s/%s", e->dir, m->arch);
  else snprintf(buf, (size_t)len, "%s", m->arch);
}

char *sw_experiment_recipe_json(const sw_experiment *e) {
  const sw_exp_profile *p = &e->profile;
  cJSON *r = cJSON_CreateObject(), *o, *a;
  if (!r) return NULL;
  cJSON_AddStringToObject(r, "experiment", e->name);
  cJSON_AddStringToObject(r, "data", e->family);
  cJSON_AddStringToObject(r, "validation", e->val_nam ? "nam" : "padded");
  cJSON_AddStringToObject(r, "eval_backend", e->eval_best ? "best" : "naive");
  if ((o = cJSON_AddObjectToObject(r, "profile"))) {
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddNumberToObject(o, "epochs", p->epochs);
    cJSON_AddNumberToObject(o, "batch", p->batch);
    cJSON_AddNumberToObject(o, "ny", p->ny);
    cJSON_AddNumberToObject(o, "lr", p->lr);
    cJSON_AddNumberToObject(o, "decay", p->decay);
    cJSON_AddNumberToObject(o, "data_seconds", p->data_seconds);
    cJSON_AddBoolToObject(o, "equal_passes", p->equal_passes);
  }
  if ((a = cJSON_AddArrayToObject(r, "datasets")))
    for (int d = 0; d < sw_experiment_n_datasets(e); d++) cJSON_AddItemToArray(a, cJSON_CreateString(e->datasets[d].recipe));
  cJSON_AddItemToObject(r, "seeds", cJSON_CreateIntArray(e->seeds, e->n_seeds));
  if ((a = cJSON_AddObjectToObject(r, "models"))) /* by id, so that a comparison names the model */
    for (int i = 0; i < e->n_models; i++) {
      const sw_exp_model *m = &e->models[i];
      cJSON *x = cJSON_AddObjectToObject(a, m->id);
      if (!x) continue;
      cJSON_AddStringToObject(x, "arch", m->arch);
      cJSON_AddStringToObject(x, "channels", m->channels);
      cJSON_AddStringToObject(x, "schedule", m->schedule);
      cJSON_AddStringToObject(x, "loss", m->loss[0] ? m->loss : "nam");
      cJSON_AddStringToObject(x, "init", m->init[0] ? m->init : "standard");
      cJSON_AddStringToObject(x, "best_by", m->best_by[0] ? m->best_by : "full");
      cJSON_AddNumberToObject(x, "decay", m->decay > 0 ? m->decay : p->decay);
    }
  char *text = cJSON_Print(r);
  cJSON_Delete(r);
  return text;
}

const sw_exp_model *sw_experiment_by_role(const sw_experiment *e, const char *role) {
  for (int i = 0; i < e->n_models; i++)
    if (!strcmp(e->models[i].role, role)) return &e->models[i];
  return NULL;
}
