/* Recipe files: parsing (datasets/README.md gives the schema), finding the built-in ones, and
   "$SHARED/" paths resolved against ../shared. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../core/atomic_file.h"
#include "recipe.h"

const char *sw_recipe_dir(void) {
  static char p[4096];
  const char *e = getenv("SLIMWAVE_RECIPES");
#ifdef SW_SOURCE_DIR
  snprintf(p, sizeof p, "%s", e && *e ? e : SW_SOURCE_DIR "/datasets/recipes");
#else
  snprintf(p, sizeof p, "%s", e && *e ? e : "datasets/recipes");
#endif
  return p;
}

const char *sw_cache_dir(void) {
  static char p[4096];
  const char *e = getenv("SLIMWAVE_DATASET_CACHE");
#ifdef SW_SOURCE_DIR
  snprintf(p, sizeof p, "%s", e && *e ? e : SW_SOURCE_DIR "/datasets/cache");
#else
  snprintf(p, sizeof p, "%s", e && *e ? e : "datasets/cache");
#endif
  return p;
}

int sw_parse_set(const char *s, sw_lv2_set *out, sw_err *err) {
  const char *eq = strchr(s, '=');
  if (!eq || eq == s || (size_t)(eq - s) >= sizeof out->name) return sw_fail(err, SW_EUSAGE, "--set \"%s\": expected SYMBOL=VALUE", s);
  char *end;
  errno = 0;
  double v = strtod(eq + 1, &end);
  if (errno || end == eq + 1 || *end || !isfinite(v)) return sw_fail(err, SW_EUSAGE, "--set \"%s\": \"%s\" is not a number", s, eq + 1);
  snprintf(out->name, sizeof out->name, "%.*s", (int)(eq - s), s);
  out->value = v;
  return SW_OK;
}

/* "$SHARED/x" -> "<shared>/x"; returns 1 if it needed ../shared and it is absent. */
static int expand(const char *in, char *out, size_t len, int *needs) {
  if (!strncmp(in, "$SHARED/", 8)) {
    *needs = 1;
    const char *sh = sw_shared_dir();
    if (!sh) { snprintf(out, len, "%s", in); return 1; }
    snprintf(out, len, "%s/%s", sh, in + 8);
    return 0;
  }
  snprintf(out, len, "%s", in);
  return 0;
}

static const char *jstr(const cJSON *j, const char *k) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, k);
  return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int expand_list(const char *in, char *out, size_t len, int *needs) {
  /* comma-separated paths, each may start with $SHARED/ */
  size_t m = 0;
  int missing = 0;
  out[0] = 0;
  for (const char *p = in; *p;) {
    size_t k = strcspn(p, ",");
    char one[4096], ex[4096];
    snprintf(one, sizeof one, "%.*s", (int)k, p);
    missing |= expand(one, ex, sizeof ex, needs);
    m += (size_t)snprintf(out + m, len > m ? len - m : 0, "%s%s", m ? "," : "", ex);
    p += k + (p[k] == ',');
  }
  return missing;
}

int sw_recipe_parse(const char *text, const char *what, sw_recipe *r, sw_err *err) {
  memset(r, 0, sizeof *r);
  cJSON *j = cJSON_Parse(text);
  if (!j || !cJSON_IsObject(j)) { cJSON_Delete(j); return sw_fail(err, SW_EINPUT, "%s: not a JSON object (malformed recipe)", what); }
  int rc = SW_OK, missing = 0;
  const char *name = jstr(j, "name");
  if (!name || !*name || strlen(name) >= sizeof r->name || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != strlen(name) || name[0] == '.') {
    rc = sw_fail(err, SW_EINPUT, "%s: \"name\" must be a short name of [a-z0-9-_.]", what);
    goto done;
  }
  snprintf(r->name, sizeof r->name, "%s", name);
  snprintf(r->description, sizeof r->description, "%s", jstr(j, "description") ? jstr(j, "description") : "");
  snprintf(r->tone, sizeof r->tone, "%s", jstr(j, "tone") ? jstr(j, "tone") : "");
  snprintf(r->override, sizeof r->override, "%s", jstr(j, "override") ? jstr(j, "override") : "");
  const cJSON *pair = cJSON_GetObjectItemCaseSensitive(j, "pair"), *sig = cJSON_GetObjectItemCaseSensitive(j, "signal");
  const cJSON *dev = cJSON_GetObjectItemCaseSensitive(j, "device");
  if (pair) {
    r->pair = 1;
    const char *in = jstr(pair, "input"), *out = jstr(pair, "output");
    if (!in || !out) { rc = sw_fail(err, SW_EINPUT, "%s: \"pair\" needs \"input\" and \"output\"", what); goto done; }
    missing |= expand(in, r->input, sizeof r->input, &r->needs_shared);
    missing |= expand(out, r->output, sizeof r->output, &r->needs_shared);
    const cJSON *vf = cJSON_GetObjectItemCaseSensitive(pair, "validation_fraction");
    r->val_fraction = cJSON_IsNumber(vf) ? vf->valuedouble : 0.3;
    if (!(r->val_fraction > 0 && r->val_fraction < 1)) { rc = sw_fail(err, SW_EINPUT, "%s: \"validation_fraction\" must be in (0, 1)", what); goto done; }
    snprintf(r->layout, sizeof r->layout, "%s", jstr(pair, "layout") ? jstr(pair, "layout") : "custom");
    r->resample = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(pair, "resample"));
  } else {
    if (!cJSON_IsArray(dev) || cJSON_GetArraySize(dev) < 1 || cJSON_GetArraySize(dev) > SW_MAX_STAGES) {
      rc = sw_fail(err, SW_EINPUT, "%s: \"device\" must be a list of 1..%d stages ({\"lv2\": URI, \"set\": {...}} or {\"nam\": PATH})", what, SW_MAX_STAGES);
      goto done;
    }
    if (sig) {
      const cJSON *s = cJSON_GetObjectItemCaseSensitive(sig, "seconds"), *seed = cJSON_GetObjectItemCaseSensitive(sig, "seed");
      if (s && (!cJSON_IsNumber(s) || s->valuedouble < SW_SIG_MIN_SECONDS || s->valuedouble > 3600)) { rc = sw_fail(err, SW_EINPUT, "%s: \"seconds\" must be %.0f..3600", what, SW_SIG_MIN_SECONDS); goto done; }
      r->seconds = s ? s->valuedouble : 0;
      r->seed = cJSON_IsNumber(seed) && seed->valuedouble >= 1 ? (uint64_t)seed->valuedouble : 1;
      if (jstr(sig, "di")) missing |= expand_list(jstr(sig, "di"), r->di, sizeof r->di, &r->needs_shared);
      snprintf(r->di_exclude, sizeof r->di_exclude, "%s", jstr(sig, "exclude") ? jstr(sig, "exclude") : "");
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, dev) {
      sw_stage *st = &r->st[r->nst++];
      const char *lv2 = jstr(it, "lv2"), *nam = jstr(it, "nam");
      if (!lv2 == !nam) { rc = sw_fail(err, SW_EINPUT, "%s: device stage %d needs exactly one of \"lv2\" or \"nam\"", what, r->nst); goto done; }
      const cJSON *g = cJSON_GetObjectItemCaseSensitive(it, "gain_db");
      if (g && (!cJSON_IsNumber(g) || fabs(g->valuedouble) > 60)) { rc = sw_fail(err, SW_EINPUT, "%s: stage %d: \"gain_db\" must be a number within +-60", what, r->nst); goto done; }
      st->gain_db = g ? g->valuedouble : 0;
      if (lv2) {
        st->kind = SW_DEV_LV2;
        snprintf(st->uri, sizeof st->uri, "%s", lv2);
        const cJSON *set = cJSON_GetObjectItemCaseSensitive(it, "set"), *kv;
        if (set && !cJSON_IsObject(set)) { rc = sw_fail(err, SW_EINPUT, "%s: stage %d: \"set\" must be an object of port symbol: value", what, r->nst); goto done; }
        cJSON_ArrayForEach(kv, set) {
          if (!cJSON_IsNumber(kv) || st->nsets >= SW_MAX_SETS || strlen(kv->string) >= sizeof st->sets[0].name) { rc = sw_fail(err, SW_EINPUT, "%s: stage %d: \"set\": \"%s\" must be a number", what, r->nst, kv->string); goto done; }
          snprintf(st->sets[st->nsets].name, sizeof st->sets[0].name, "%s", kv->string);
          st->sets[st->nsets++].value = kv->valuedouble;
        }
      } else {
        st->kind = SW_DEV_NAM;
        missing |= expand(nam, st->model, sizeof st->model, &r->needs_shared);
      }
    }
  }
  if (!(r->json = strdup(text))) rc = sw_fail(err, SW_ENOMEM, "out of memory");
  (void)missing; /* a recipe that needs an absent ../shared is skipped at build time */
done:
  cJSON_Delete(j);
  if (rc) sw_recipe_free(r);
  return rc;
}

int sw_recipe_load(const char *np, sw_recipe *r, sw_err *err) {
  char path[4096];
  size_t l = strlen(np);
  if (strchr(np, '/') || (l > 5 && !strcmp(np + l - 5, ".json"))) snprintf(path, sizeof path, "%s", np);
  else if (snprintf(path, sizeof path, "%s/%s.json", sw_recipe_dir(), np) >= (int)sizeof path) return sw_fail(err, SW_EUSAGE, "%s: recipe name too long", np);
  char *text;
  size_t n;
  int rc = sw_read_file(path, 1 << 20, &text, &n, err);
  if (rc) {
    if (!strchr(np, '/')) snprintf(err->msg, sizeof err->msg, "%s: no such recipe (slimwave dataset info --list)", np);
    return rc;
  }
  rc = sw_recipe_parse(text, path, r, err);
  free(text);
  return rc;
}

void sw_recipe_free(sw_recipe *r) {
  free(r->json);
  r->json = NULL;
}

static int cmp_name(const void *a, const void *b) { return strcmp((const char *)a, (const char *)b); }

int sw_recipe_list(char (*names)[128], int max) {
  DIR *d = opendir(sw_recipe_dir());
  if (!d) return 0;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < max) {
    size_t l = strlen(e->d_name);
    if (e->d_name[0] != '.' && l > 5 && l < 128 && !strcmp(e->d_name + l - 5, ".json")) snprintf(names[n++], 128, "%.*s", (int)(l - 5), e->d_name);
  }
  closedir(d);
  qsort(names, (size_t)n, 128, cmp_name);
  return n;
}
