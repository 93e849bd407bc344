/* .nam reader: JSON (cJSON) to sw_model: the file, WaveNet configs and containers (the other
   architectures' configs: nam_parse_arch.c). Every refusal names the file and the key. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "atomic_file.h"
#include "archs.h"
#include "nam_file.h"
#include "nam_parse_priv.h"

typedef sw_parse_ctx ctx;

/* An integer-valued number within [lo, hi] at key (path names it for messages). */
int sw_parse_int(ctx *c, const cJSON *obj, const char *key, const char *where, int lo, int hi, int *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v) return FAIL(c, "%s: %s: missing \"%s\"", c->path, where, key);
  if (!cJSON_IsNumber(v)) return FAIL(c, "%s: %s: \"%s\" is not a number", c->path, where, key);
  double d = v->valuedouble;
  if (!(d == floor(d)) || d < lo || d > hi)
    return FAIL(c, "%s: %s: \"%s\" = %g out of range %d..%d", c->path, where, key, d, lo, hi);
  *out = (int)d;
  return SW_OK;
}

int sw_parse_int_item(ctx *c, const cJSON *v, const char *what, const char *where, int lo, int hi, int *out) {
  if (!cJSON_IsNumber(v)) return FAIL(c, "%s: %s: %s is not a number", c->path, where, what);
  double d = v->valuedouble;
  if (!(d == floor(d)) || d < lo || d > hi) return FAIL(c, "%s: %s: %s = %g out of range %d..%d", c->path, where, what, d, lo, hi);
  *out = (int)d;
  return SW_OK;
}

int sw_parse_bool(ctx *c, const cJSON *obj, const char *key, const char *where, bool dflt, bool *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v || cJSON_IsNull(v)) { *out = dflt; return SW_OK; }
  if (!cJSON_IsBool(v)) return FAIL(c, "%s: %s: \"%s\" is not true/false", c->path, where, key);
  *out = cJSON_IsTrue(v);
  return SW_OK;
}

/* Sub-objects like {"active": false, ...}: refuse active ones we do not implement. */
static int refuse_active(ctx *c, const cJSON *obj, const char *key, const char *where) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v || cJSON_IsNull(v)) return SW_OK;
  const cJSON *a = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, "active") : NULL;
  if (cJSON_IsBool(v) && cJSON_IsFalse(v)) return SW_OK;
  if (a && cJSON_IsFalse(a)) return SW_OK;
  return FAIL(c, "%s: %s: \"%s\" is active, which slimwave does not implement", c->path, where, key);
}

static int refuse_groups(ctx *c, const cJSON *obj, const char *key, const char *where) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (!v || cJSON_IsNull(v)) return SW_OK;
  if (cJSON_IsNumber(v) && v->valuedouble == 1) return SW_OK;
  return FAIL(c, "%s: %s: \"%s\" other than 1 is not supported (grouped convolutions)", c->path, where, key);
}

int sw_parse_act(ctx *c, const cJSON *v, const char *where, sw_act *out) {
  const char *name = NULL;
  float alpha = 0.01f; /* PyTorch's LeakyReLU default */
  if (cJSON_IsString(v)) name = v->valuestring;
  else if (cJSON_IsObject(v)) {
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(v, "type");
    if (!cJSON_IsString(t)) return FAIL(c, "%s: %s: activation object without a \"type\" string", c->path, where);
    name = t->valuestring;
    const cJSON *ns = cJSON_GetObjectItemCaseSensitive(v, "negative_slope");
    if (ns) {
      if (!cJSON_IsNumber(ns) || !isfinite(ns->valuedouble)) return FAIL(c, "%s: %s: negative_slope is not a number", c->path, where);
      alpha = (float)ns->valuedouble;
    }
    for (const cJSON *k = v->child; k; k = k->next)
      if (strcmp(k->string, "type") && strcmp(k->string, "negative_slope"))
        return FAIL(c, "%s: %s: activation option \"%s\" is not supported", c->path, where, k->string);
  } else return FAIL(c, "%s: %s: \"activation\" must be a string or an object", c->path, where);
  if (sw_act_parse(name, out) != 0) return FAIL(c, "%s: %s: unknown activation \"%s\"", c->path, where, name);
  if (out->kind == SW_ACT_LEAKY_RELU) out->alpha = alpha;
  return SW_OK;
}

/* One layer array (legacy or 0.7 keys). */
static int parse_array(ctx *c, const cJSON *L, int idx, sw_array_cfg *a, bool *form07) {
  char where[64];
  snprintf(where, sizeof where, "config.layers[%d]", idx);
  if (!cJSON_IsObject(L)) return FAIL(c, "%s: %s is not an object", c->path, where);
  int rc;
  if ((rc = sw_parse_int(c, L, "input_size", where, 1, SW_MAX_CHANNELS, &a->input_size))) return rc;
  if ((rc = sw_parse_int(c, L, "condition_size", where, 1, SW_MAX_CHANNELS, &a->condition_size))) return rc;
  if ((rc = sw_parse_int(c, L, "channels", where, 1, SW_MAX_CHANNELS, &a->channels))) return rc;
  const cJSON *head = cJSON_GetObjectItemCaseSensitive(L, "head");
  a->head_kernel = 1;
  if (head && !cJSON_IsNull(head)) {
    *form07 = true;
    if (!cJSON_IsObject(head)) return FAIL(c, "%s: %s: \"head\" is not an object", c->path, where);
    char hw[80];
    snprintf(hw, sizeof hw, "%s.head", where);
    if ((rc = sw_parse_int(c, head, "out_channels", hw, 1, SW_MAX_CHANNELS, &a->head_size))) return rc;
    if ((rc = sw_parse_int(c, head, "kernel_size", hw, 1, SW_MAX_HEAD_KERNEL, &a->head_kernel))) return rc;
    if ((rc = sw_parse_bool(c, head, "bias", hw, false, &a->head_bias))) return rc;
  } else {
    if ((rc = sw_parse_int(c, L, "head_size", where, 1, SW_MAX_CHANNELS, &a->head_size))) return rc;
    if ((rc = sw_parse_bool(c, L, "head_bias", where, false, &a->head_bias))) return rc;
  }
  const cJSON *dil = cJSON_GetObjectItemCaseSensitive(L, "dilations");
  if (!cJSON_IsArray(dil)) return FAIL(c, "%s: %s: \"dilations\" missing or not a list", c->path, where);
  int n = cJSON_GetArraySize(dil);
  if (n < 1 || n > SW_MAX_LAYERS) return FAIL(c, "%s: %s: %d dilations (expected 1..%d)", c->path, where, n, SW_MAX_LAYERS);
  a->n_layers = n;
  a->layers = calloc((size_t)n, sizeof *a->layers);
  if (!a->layers) return sw_fail(c->err, SW_ENOMEM, "%s: out of memory", c->path);
  int i = 0;
  for (const cJSON *d = dil->child; d; d = d->next, i++)
    if ((rc = sw_parse_int_item(c, d, "a dilation", where, 1, SW_MAX_DILATION, &a->layers[i].dilation))) return rc;
  /* kernel: one kernel_size, or kernel_sizes per layer (0.7) */
  const cJSON *ks = cJSON_GetObjectItemCaseSensitive(L, "kernel_sizes");
  if (ks && !cJSON_IsNull(ks)) {
    *form07 = true;
    if (!cJSON_IsArray(ks) || cJSON_GetArraySize(ks) != n)
      return FAIL(c, "%s: %s: \"kernel_sizes\" must list one kernel per dilation (%d)", c->path, where, n);
    i = 0;
    for (const cJSON *k = ks->child; k; k = k->next, i++)
      if ((rc = sw_parse_int_item(c, k, "a kernel size", where, 1, SW_MAX_KERNEL, &a->layers[i].kernel))) return rc;
  } else {
    int K;
    if ((rc = sw_parse_int(c, L, "kernel_size", where, 1, SW_MAX_KERNEL, &K))) return rc;
    for (i = 0; i < n; i++) a->layers[i].kernel = K;
  }
  /* activation: one, or a list per layer */
  const cJSON *act = cJSON_GetObjectItemCaseSensitive(L, "activation");
  if (!act) return FAIL(c, "%s: %s: missing \"activation\"", c->path, where);
  if (cJSON_IsArray(act)) {
    *form07 = true;
    if (cJSON_GetArraySize(act) != n) return FAIL(c, "%s: %s: \"activation\" list must have one entry per layer (%d)", c->path, where, n);
    i = 0;
    for (const cJSON *v = act->child; v; v = v->next, i++)
      if ((rc = sw_parse_act(c, v, where, &a->layers[i].act))) return rc;
  } else {
    if (cJSON_IsObject(act)) *form07 = true;
    sw_act one;
    if ((rc = sw_parse_act(c, act, where, &one))) return rc;
    for (i = 0; i < n; i++) a->layers[i].act = one;
  }
  /* gating: legacy "gated" bool, or 0.7 "gating_mode" string or list */
  bool gated;
  if ((rc = sw_parse_bool(c, L, "gated", where, false, &gated))) return rc;
  for (i = 0; i < n; i++) a->layers[i].gated = gated;
  const cJSON *gm = cJSON_GetObjectItemCaseSensitive(L, "gating_mode");
  if (gm && !cJSON_IsNull(gm)) {
    *form07 = true;
    if (cJSON_IsArray(gm) && cJSON_GetArraySize(gm) != n) return FAIL(c, "%s: %s: \"gating_mode\" list must have %d entries", c->path, where, n);
    for (i = 0; i < n; i++) {
      const cJSON *g = cJSON_IsArray(gm) ? cJSON_GetArrayItem(gm, i) : gm;
      if (!cJSON_IsString(g)) return FAIL(c, "%s: %s: \"gating_mode\" entries must be strings", c->path, where);
      if (!strcmp(g->valuestring, "none")) a->layers[i].gated = false;
      else if (!strcmp(g->valuestring, "gated")) a->layers[i].gated = true;
      else return FAIL(c, "%s: %s: gating_mode \"%s\" is not supported", c->path, where, g->valuestring);
    }
  }
  const cJSON *sa = cJSON_GetObjectItemCaseSensitive(L, "secondary_activation");
  if (sa && !cJSON_IsNull(sa)) {
    for (i = 0; i < n; i++) {
      const cJSON *s = cJSON_IsArray(sa) ? cJSON_GetArrayItem(sa, i) : sa;
      if (!s || cJSON_IsNull(s)) continue;
      sw_act sec;
      if ((rc = sw_parse_act(c, s, where, &sec))) return rc;
      if (sec.kind != SW_ACT_SIGMOID || !a->layers[i].gated)
        return FAIL(c, "%s: %s: \"secondary_activation\" other than Sigmoid on a gated layer is not supported", c->path, where);
    }
  }
  /* 0.7 options: bottleneck must equal channels; 1x1s; no FiLM, no groups */
  const cJSON *bn = cJSON_GetObjectItemCaseSensitive(L, "bottleneck");
  if (bn && !cJSON_IsNull(bn)) {
    int b;
    if ((rc = sw_parse_int(c, L, "bottleneck", where, 1, SW_MAX_CHANNELS, &b))) return rc;
    if (b != a->channels) return FAIL(c, "%s: %s: \"bottleneck\" %d differs from channels %d (not supported)", c->path, where, b, a->channels);
  }
  a->layer1x1 = true;
  const cJSON *l1 = cJSON_GetObjectItemCaseSensitive(L, "layer1x1");
  if (l1 && !cJSON_IsNull(l1)) {
    *form07 = true;
    if (!cJSON_IsObject(l1)) return FAIL(c, "%s: %s: \"layer1x1\" is not an object", c->path, where);
    if ((rc = sw_parse_bool(c, l1, "active", where, true, &a->layer1x1))) return rc;
    if ((rc = refuse_groups(c, l1, "groups", where))) return rc;
  }
  static const char *const refused[] = {"head1x1", "conv_pre_film", "conv_post_film", "input_mixin_pre_film",
                                        "input_mixin_post_film", "activation_pre_film", "activation_post_film",
                                        "layer1x1_post_film", "head1x1_post_film", "film"};
  for (size_t r = 0; r < sizeof refused / sizeof *refused; r++)
    if ((rc = refuse_active(c, L, refused[r], where))) return rc;
  if ((rc = refuse_groups(c, L, "groups_input", where))) return rc;
  if ((rc = refuse_groups(c, L, "groups_input_mixin", where))) return rc;
  if ((rc = refuse_groups(c, L, "groups", where))) return rc;
  /* slimmable: {"method": "slice_channels_uniform", "kwargs": {"allowed_channels": [...]}} */
  const cJSON *sl = cJSON_GetObjectItemCaseSensitive(L, "slimmable");
  const cJSON *allowed = NULL;
  if (sl && !cJSON_IsNull(sl)) {
    if (!cJSON_IsObject(sl)) return FAIL(c, "%s: %s: \"slimmable\" is not an object", c->path, where);
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(sl, "method");
    if (!cJSON_IsString(m) || strcmp(m->valuestring, "slice_channels_uniform"))
      return FAIL(c, "%s: %s: slimmable method %s%s%s is not supported", c->path, where, cJSON_IsString(m) ? "\"" : "",
                  cJSON_IsString(m) ? m->valuestring : "(missing)", cJSON_IsString(m) ? "\"" : "");
    a->slimmable = true;
    const cJSON *kw = cJSON_GetObjectItemCaseSensitive(sl, "kwargs");
    if (kw && !cJSON_IsNull(kw)) allowed = cJSON_GetObjectItemCaseSensitive(kw, "allowed_channels");
  }
  if (allowed && !cJSON_IsNull(allowed)) {
    if (!cJSON_IsArray(allowed)) return FAIL(c, "%s: %s: \"allowed_channels\" is not a list", c->path, where);
    int na = cJSON_GetArraySize(allowed);
    if (na < 1 || na > a->channels) return FAIL(c, "%s: %s: %d allowed_channels for %d channels", c->path, where, na, a->channels);
    a->n_allowed = na;
    a->allowed = calloc((size_t)na, sizeof(int));
    if (!a->allowed) return sw_fail(c->err, SW_ENOMEM, "%s: out of memory", c->path);
    i = 0;
    for (const cJSON *v = allowed->child; v; v = v->next, i++)
      if ((rc = sw_parse_int_item(c, v, "an allowed channel count", where, 1, a->channels, &a->allowed[i]))) return rc;
  } else {
    a->n_allowed = a->channels;
    a->allowed = calloc((size_t)a->channels, sizeof(int));
    if (!a->allowed) return sw_fail(c->err, SW_ENOMEM, "%s: out of memory", c->path);
    for (i = 0; i < a->channels; i++) a->allowed[i] = i + 1;
  }
  return SW_OK;
}

static void copy_str(char *dst, size_t n, const cJSON *obj, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  if (cJSON_IsString(v)) snprintf(dst, n, "%s", v->valuestring);
}

static int parse_meta(ctx *c, const cJSON *root, sw_meta *m) {
  sw_meta_init(m);
  const cJSON *md = cJSON_GetObjectItemCaseSensitive(root, "metadata");
  if (!md || cJSON_IsNull(md)) return SW_OK;
  if (!cJSON_IsObject(md)) return FAIL(c, "%s: \"metadata\" is not an object", c->path);
  copy_str(m->name, sizeof m->name, md, "name");
  copy_str(m->gear_make, sizeof m->gear_make, md, "gear_make");
  copy_str(m->gear_model, sizeof m->gear_model, md, "gear_model");
  copy_str(m->gear_type, sizeof m->gear_type, md, "gear_type");
  copy_str(m->tone_type, sizeof m->tone_type, md, "tone_type");
  const cJSON *ld = cJSON_GetObjectItemCaseSensitive(md, "loudness");
  if (cJSON_IsNumber(ld) && isfinite(ld->valuedouble)) m->loudness = ld->valuedouble;
  const cJSON *tr = cJSON_GetObjectItemCaseSensitive(md, "training");
  const cJSON *ve = cJSON_IsObject(tr) ? cJSON_GetObjectItemCaseSensitive(tr, "validation_esr") : NULL;
  if (cJSON_IsNumber(ve) && isfinite(ve->valuedouble)) m->validation_esr = ve->valuedouble;
  m->json = cJSON_PrintUnformatted(md);
  if (!m->json) return sw_fail(c->err, SW_ENOMEM, "%s: out of memory", c->path);
  return SW_OK;
}

static int parse_version(ctx *c, const cJSON *root, char *out, size_t n) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(root, "version");
  if (!cJSON_IsString(v)) return FAIL(c, "%s: missing \"version\" string", c->path);
  int major = -1, minor = -1, patch = -1;
  if (sscanf(v->valuestring, "%d.%d.%d", &major, &minor, &patch) < 2)
    return FAIL(c, "%s: version \"%.40s\" is not of the form X.Y.Z", c->path, v->valuestring);
  if (major != 0 || minor < 5 || minor > 7)
    return FAIL(c, "%s: version %.40s is not supported (0.5.x to 0.7.x)", c->path, v->valuestring);
  snprintf(out, n, "%s", v->valuestring);
  return SW_OK;
}

static int parse_wavenet_config(ctx *c, const cJSON *cfg, sw_net *net) {
  const cJSON *layers = cJSON_GetObjectItemCaseSensitive(cfg, "layers");
  if (!cJSON_IsArray(layers)) return FAIL(c, "%s: config: missing \"layers\" list", c->path);
  int na = cJSON_GetArraySize(layers);
  if (na < 1 || na > SW_MAX_ARRAYS) return FAIL(c, "%s: config: %d layer arrays (expected 1..%d)", c->path, na, SW_MAX_ARRAYS);
  const cJSON *head = cJSON_GetObjectItemCaseSensitive(cfg, "head");
  if (head && !cJSON_IsNull(head)) return FAIL(c, "%s: config: \"head\" (a post-stack head) is not supported", c->path);
  net->n_arrays = na;
  net->arrays = calloc((size_t)na, sizeof *net->arrays);
  if (!net->arrays) return sw_fail(c->err, SW_ENOMEM, "%s: out of memory", c->path);
  int i = 0, rc;
  for (const cJSON *L = layers->child; L; L = L->next, i++)
    if ((rc = parse_array(c, L, i, &net->arrays[i], &net->form07))) return rc;
  return SW_OK;
}

static int parse_net(ctx *c, const cJSON *root, sw_net *net) {
  memset(net, 0, sizeof *net);
  sw_meta_init(&net->meta);
  int rc;
  if (!cJSON_IsObject(root)) return FAIL(c, "%s: a model must be a JSON object", c->path);
  if ((rc = parse_version(c, root, net->version, sizeof net->version))) return rc;
  const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "architecture");
  if (!cJSON_IsString(arch)) return FAIL(c, "%s: missing \"architecture\" string", c->path);
  if (sw_arch_parse(arch->valuestring, &net->arch))
    return FAIL(c, "%s: architecture \"%.40s\" is not supported (WaveNet, LSTM, ConvNet, Linear, SlimmableContainer)",
                c->path, arch->valuestring);
  const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(root, "config");
  if (!cJSON_IsObject(cfg)) return FAIL(c, "%s: missing \"config\" object", c->path);
  rc = net->arch == SW_ARCH_WAVENET ? parse_wavenet_config(c, cfg, net) : sw_parse_arch_config(c, cfg, net);
  if (rc) return rc;
  const cJSON *sr = cJSON_GetObjectItemCaseSensitive(root, "sample_rate");
  net->sample_rate = 48000.0;
  if (sr && !cJSON_IsNull(sr)) {
    if (!cJSON_IsNumber(sr) || !(sr->valuedouble > 0 && sr->valuedouble <= 1e6))
      return FAIL(c, "%s: \"sample_rate\" is not a valid rate", c->path);
    net->sample_rate = sr->valuedouble;
  }
  long want;
  if ((rc = sw_net_check(net, c->path, &want, c->err))) return rc;
  const cJSON *w = cJSON_GetObjectItemCaseSensitive(root, "weights");
  if (!cJSON_IsArray(w)) return FAIL(c, "%s: missing \"weights\" list", c->path);
  long got = cJSON_GetArraySize(w);
  if (got != want) return FAIL(c, "%s: %ld weights, but the config needs %ld", c->path, got, want);
  net->w = malloc(sizeof(float) * (size_t)want);
  if (!net->w) return sw_fail(c->err, SW_ENOMEM, "%s: out of memory", c->path);
  net->nw = want;
  long k = 0;
  for (const cJSON *v = w->child; v; v = v->next, k++) {
    if (!cJSON_IsNumber(v)) return FAIL(c, "%s: weight %ld is not a number", c->path, k);
    double d = v->valuedouble;
    if (!isfinite(d) || fabs(d) > 3.0e38) return FAIL(c, "%s: weight %ld is not a finite float", c->path, k);
    net->w[k] = (float)d;
  }
  /* NAM reads head_scale from the last weight; the config copy is informative. */
  if (net->arch == SW_ARCH_WAVENET) net->head_scale = net->w[want - 1];
  return parse_meta(c, root, &net->meta);
}

static int parse_root(ctx *c, const cJSON *root, sw_model *m) {
  memset(m, 0, sizeof *m);
  sw_meta_init(&m->meta);
  if (!cJSON_IsObject(root)) return FAIL(c, "%s: not a JSON object", c->path);
  const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "architecture");
  int rc;
  if (cJSON_IsString(arch) && !strcmp(arch->valuestring, "SlimmableContainer")) {
    if ((rc = parse_version(c, root, m->version, sizeof m->version))) return rc;
    const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(root, "config");
    const cJSON *subs = cJSON_IsObject(cfg) ? cJSON_GetObjectItemCaseSensitive(cfg, "submodels") : NULL;
    if (!cJSON_IsArray(subs)) return FAIL(c, "%s: SlimmableContainer: missing config.submodels list", c->path);
    int n = cJSON_GetArraySize(subs);
    if (n < 1 || n > SW_MAX_SUBMODELS) return FAIL(c, "%s: SlimmableContainer: %d submodels (expected 1..%d)", c->path, n, SW_MAX_SUBMODELS);
    m->container = true;
    m->sub = calloc((size_t)n, sizeof *m->sub);
    m->max_value = calloc((size_t)n, sizeof *m->max_value);
    if (!m->sub || !m->max_value) return sw_fail(c->err, SW_ENOMEM, "%s: out of memory", c->path);
    int i = 0;
    for (const cJSON *s = subs->child; s; s = s->next, i++) {
      const cJSON *mv = cJSON_IsObject(s) ? cJSON_GetObjectItemCaseSensitive(s, "max_value") : NULL;
      const cJSON *mo = cJSON_IsObject(s) ? cJSON_GetObjectItemCaseSensitive(s, "model") : NULL;
      if (!cJSON_IsNumber(mv) || !isfinite(mv->valuedouble) || !cJSON_IsObject(mo))
        return FAIL(c, "%s: submodel %d needs a numeric \"max_value\" and a \"model\" object", c->path, i);
      if (i > 0 && !(mv->valuedouble > m->max_value[i - 1]))
        return FAIL(c, "%s: submodel %d: max_value must rise", c->path, i);
      m->max_value[i] = mv->valuedouble;
      m->n_sub = i + 1;
      if ((rc = parse_net(c, mo, &m->sub[i]))) return rc;
    }
    return parse_meta(c, root, &m->meta);
  }
  m->sub = calloc(1, sizeof *m->sub);
  if (!m->sub) return sw_fail(c->err, SW_ENOMEM, "%s: out of memory", c->path);
  m->n_sub = 1;
  if ((rc = parse_net(c, root, &m->sub[0]))) return rc;
  snprintf(m->version, sizeof m->version, "%s", m->sub[0].version);
  return parse_meta(c, root, &m->meta);
}

/* What reading a text of len bytes with `values` JSON values takes: the text, cJSON's copies of
   its strings (at most the text again), a tree node per value (64 bytes and the allocator's
   header: 79 bytes a value measured as peak RSS over 3.8M values) and the weights as floats. */
#define SW_JSON_VALUE_BYTES 80
static double load_bytes(size_t len, long values) {
  return 2.0 * (double)len + (double)values * (SW_JSON_VALUE_BYTES + sizeof(float));
}

int sw_model_parse(const char *text, size_t len, const char *path, sw_model *out, sw_err *err) {
  ctx c = {.path = path, .err = err};
  memset(out, 0, sizeof *out);
  /* the budget, before parsing: each value but the first follows a '[', '{' or ',' (counted
     inside strings too, which only errs on the safe side) */
  long values = 1;
  for (size_t i = 0; i < len; i++) values += text[i] == ',' || text[i] == '[' || text[i] == '{';
  if (load_bytes(len, values) > SW_MAX_LOAD_BYTES)
    return FAIL(&c, "%s: reading it would take about %.0f MiB (%ld JSON values in %.1f MiB of text), over the limit of %ld MiB",
                path, load_bytes(len, values) / 1048576, values, (double)len / 1048576, SW_MAX_LOAD_BYTES >> 20);
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
  if (!root) {
    const char *at = cJSON_GetErrorPtr();
    long off = at && at >= text && at <= text + len ? (long)(at - text) : -1;
    return FAIL(&c, "%s: malformed JSON (near byte %ld)", path, off);
  }
  while (end && end < text + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r')) end++;
  if (end && end < text + len) {
    cJSON_Delete(root);
    return FAIL(&c, "%s: malformed JSON (data after the end, near byte %ld)", path, (long)(end - text));
  }
  int rc = parse_root(&c, root, out);
  cJSON_Delete(root);
  if (rc) sw_model_free(out);
  return rc;
}

int sw_model_load(const char *path, sw_model *out, sw_err *err) {
  char *text;
  size_t n;
  memset(out, 0, sizeof *out);
  int rc = sw_read_file(path, SW_MAX_FILE_BYTES, &text, &n, err);
  if (rc) return rc;
  if (n == 0) { free(text); return sw_fail(err, SW_EINPUT, "%s: empty file", path); }
  rc = sw_model_parse(text, n, path, out, err);
  free(text);
  return rc;
}
