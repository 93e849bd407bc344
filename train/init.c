/* Presets of SPEC section 1, CONFIG.json architectures through the core .nam reader, and
   PyTorch-style initialisation (standard, NAM's smallest_and_zeros) over the flat weights. */
#include "init.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic_file.h"
#include "../core/nam_file.h"

typedef struct arr_def {
  int C, H, n_dil;
  const int *dil;
  bool head_bias;
} arr_def;

static const int D10[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
static const int D7[] = {1, 2, 4, 8, 16, 32, 64};
static const int D13[] = {128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512};
static const int DP[] = {1, 4, 16, 64, 256, 1, 4, 16, 64, 256, 1, 4, 16, 64, 256};

typedef struct preset {
  const char *name;
  int K, n_arrays;
  float head_scale;
  arr_def a[2];
} preset;

static const preset presets[] = {
    {"standard", 3, 2, 0.02f, {{16, 8, 10, D10, false}, {8, 1, 10, D10, true}}},
    {"lite", 3, 2, 0.02f, {{12, 6, 7, D7, false}, {6, 1, 13, D13, true}}},
    {"feather", 3, 2, 0.02f, {{8, 4, 7, D7, false}, {4, 1, 13, D13, true}}},
    {"nano", 3, 2, 0.02f, {{4, 2, 7, D7, false}, {2, 1, 13, D13, true}}},
    {"paper", 6, 1, 0.01f, {{8, 1, 15, DP, true}}},
};
#define N_PRESETS (int)(sizeof presets / sizeof *presets)

const char *sw_preset_names(void) { return "standard|lite|feather|nano|paper"; }

static int alloc_weights(sw_net *net, float head_scale, sw_err *err) {
  long n;
  int rc = sw_net_check(net, "architecture", &n, err);
  if (rc) return rc;
  net->w = calloc((size_t)n, sizeof(float));
  if (!net->w) return sw_fail(err, SW_ENOMEM, "out of memory (%ld weights)", n);
  net->nw = n;
  net->w[n - 1] = head_scale;
  net->head_scale = head_scale;
  return SW_OK;
}

int sw_preset_make(const char *name, sw_net *out, sw_err *err) {
  memset(out, 0, sizeof *out);
  const preset *p = NULL;
  for (int i = 0; i < N_PRESETS; i++)
    if (name && !strcmp(name, presets[i].name)) p = &presets[i];
  if (!p) return sw_fail(err, SW_EUSAGE, "unknown preset \"%s\" (expected %s)", name ? name : "", sw_preset_names());
  sw_meta_init(&out->meta);
  snprintf(out->version, sizeof out->version, "0.5.4");
  out->sample_rate = 48000.0;
  out->n_arrays = p->n_arrays;
  out->arrays = calloc((size_t)p->n_arrays, sizeof *out->arrays);
  if (!out->arrays) return sw_fail(err, SW_ENOMEM, "out of memory (preset %s)", name);
  for (int i = 0; i < p->n_arrays; i++) {
    const arr_def *d = &p->a[i];
    sw_array_cfg *a = &out->arrays[i];
    a->input_size = i == 0 ? 1 : p->a[i - 1].C;
    a->condition_size = 1;
    a->channels = d->C;
    a->head_size = d->H;
    a->head_kernel = 1;
    a->head_bias = d->head_bias;
    a->layer1x1 = true;
    a->n_layers = d->n_dil;
    a->layers = calloc((size_t)d->n_dil, sizeof *a->layers);
    a->n_allowed = d->C;
    a->allowed = calloc((size_t)d->C, sizeof(int));
    if (!a->layers || !a->allowed) { sw_net_free(out); return sw_fail(err, SW_ENOMEM, "out of memory (preset %s)", name); }
    for (int l = 0; l < d->n_dil; l++)
      a->layers[l] = (sw_layer_cfg){.kernel = p->K, .dilation = d->dil[l], .act = {.kind = SW_ACT_TANH}, .gated = false};
    for (int c = 0; c < d->C; c++) a->allowed[c] = c + 1;
  }
  int rc = alloc_weights(out, p->head_scale, err);
  if (rc) sw_net_free(out);
  return rc;
}

/* A count at key: 0 unless a finite number in 0..SW_MAX_WEIGHTS. */
static long num(const cJSON *obj, const char *key) {
  double v = cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(obj, key));
  return isfinite(v) && v >= 0 && v <= 100000 ? (long)v : 0; /* bounds every product below */
}

static long num_item(const cJSON *v) {
  double d = cJSON_GetNumberValue(v);
  return isfinite(d) && d >= 0 && d <= 100000 ? (long)d : 0;
}

/* Weight count of a valid config object, counted as the core reader lays it out. For an
   invalid config any number will do: the reader rejects the config before it counts. */
static long count_config(const cJSON *cfg) {
  const cJSON *layers = cJSON_GetObjectItemCaseSensitive(cfg, "layers");
  long n = 1;
  const cJSON *L;
  cJSON_ArrayForEach(L, layers) {
    long C = num(L, "channels");
    long Din = num(L, "input_size");
    long cond = num(L, "condition_size");
    const cJSON *head = cJSON_GetObjectItemCaseSensitive(L, "head");
    long H, Kh = 1;
    bool hb;
    if (cJSON_IsObject(head)) {
      H = num(head, "out_channels");
      Kh = num(head, "kernel_size");
      hb = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(head, "bias"));
    } else {
      H = num(L, "head_size");
      hb = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(L, "head_bias"));
    }
    const cJSON *dil = cJSON_GetObjectItemCaseSensitive(L, "dilations");
    const cJSON *ks = cJSON_GetObjectItemCaseSensitive(L, "kernel_sizes");
    const cJSON *gm = cJSON_GetObjectItemCaseSensitive(L, "gating_mode");
    const cJSON *l1 = cJSON_GetObjectItemCaseSensitive(L, "layer1x1");
    const cJSON *act1 = l1 && cJSON_IsObject(l1) ? cJSON_GetObjectItemCaseSensitive(l1, "active") : NULL;
    bool has1x1 = !(act1 && cJSON_IsFalse(act1));
    bool gated = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(L, "gated"));
    long K1 = num(L, "kernel_size");
    int nl = cJSON_GetArraySize(dil);
    if (nl > SW_MAX_LAYERS) return 0;
    n += C * Din;
    for (int l = 0; l < nl; l++) {
      long K = cJSON_IsArray(ks) ? num_item(cJSON_GetArrayItem(ks, l)) : K1;
      bool g = gated;
      const cJSON *gl = cJSON_IsArray(gm) ? cJSON_GetArrayItem(gm, l) : gm;
      if (cJSON_IsString(gl)) g = !strcmp(gl->valuestring, "gated");
      long cm = g ? 2 * C : C;
      n += cm * C * K + cm + cm * cond + (has1x1 ? C * C + C : 0);
      if (n > SW_MAX_WEIGHTS) return n;
    }
    n += H * C * Kh + (hb ? H : 0);
    if (n > SW_MAX_WEIGHTS) return n;
  }
  return n;
}

int sw_arch_load(const char *name_or_path, sw_net *out, sw_err *err) {
  memset(out, 0, sizeof *out);
  for (int i = 0; i < N_PRESETS; i++)
    if (!strcmp(name_or_path, presets[i].name)) return sw_preset_make(name_or_path, out, err);
  const char *path = name_or_path;
  char *text;
  size_t len;
  int rc = sw_read_file(path, SW_MAX_FILE_BYTES, &text, &len, err);
  if (rc) return rc;
  cJSON *root = cJSON_ParseWithLength(text, len);
  free(text);
  if (!root) return sw_fail(err, SW_EINPUT, "%s: malformed JSON (not a preset name: %s)", path, sw_preset_names());
  const cJSON *cfg = root, *ver = NULL, *sr = NULL;
  const cJSON *arch = cJSON_GetObjectItemCaseSensitive(root, "architecture");
  if (cJSON_IsObject(root) && cJSON_GetObjectItemCaseSensitive(root, "config")) {
    cfg = cJSON_GetObjectItemCaseSensitive(root, "config");
    ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    sr = cJSON_GetObjectItemCaseSensitive(root, "sample_rate");
    if (cJSON_IsString(arch) && strcmp(arch->valuestring, "WaveNet")) {
      sw_fail(err, SW_EINPUT, "%s: architecture \"%.40s\": only WaveNet can be trained", path, arch->valuestring);
      cJSON_Delete(root);
      return SW_EINPUT;
    }
  }
  if (!cJSON_IsObject(cfg) || !cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(cfg, "layers"))) {
    cJSON_Delete(root);
    return sw_fail(err, SW_EINPUT, "%s: expected a WaveNet config object with a \"layers\" list (or a .nam model)", path);
  }
  const cJSON *hs = cJSON_GetObjectItemCaseSensitive(cfg, "head_scale");
  double head_scale = 0.02;
  if (hs && !cJSON_IsNull(hs)) {
    if (!cJSON_IsNumber(hs) || !isfinite(hs->valuedouble)) {
      cJSON_Delete(root);
      return sw_fail(err, SW_EINPUT, "%s: \"head_scale\" is not a number", path);
    }
    head_scale = hs->valuedouble;
  }
  /* an invalid config counts as 1: the reader then refuses it with its own message */
  long nw = count_config(cfg);
  if (nw < 1) nw = 1;
  if (nw > SW_MAX_TRAIN_WEIGHTS) {
    cJSON_Delete(root);
    return sw_fail(err, SW_EINPUT, "%s: the config needs %ld weights; training supports up to %ld", path, nw, (long)SW_MAX_TRAIN_WEIGHTS);
  }
  /* a whole .nam around the config, zero weights but head_scale, through the core reader */
  cJSON *m = cJSON_CreateObject();
  cJSON *w = cJSON_CreateArray();
  int ok = m && w;
  ok = ok && cJSON_AddStringToObject(m, "version", cJSON_IsString(ver) ? ver->valuestring : "0.5.4");
  ok = ok && cJSON_AddStringToObject(m, "architecture", "WaveNet");
  ok = ok && cJSON_AddItemToObject(m, "config", cJSON_Duplicate(cfg, 1));
  if (ok && sr) ok = cJSON_AddItemToObject(m, "sample_rate", cJSON_Duplicate(sr, 1));
  for (long k = 0; ok && k < nw; k++) ok = cJSON_AddItemToArray(w, cJSON_CreateNumber(k + 1 < nw ? 0.0 : head_scale));
  if (ok) ok = cJSON_AddItemToObject(m, "weights", w);
  else cJSON_Delete(w);
  cJSON_Delete(root);
  char *js = ok ? cJSON_PrintUnformatted(m) : NULL;
  cJSON_Delete(m);
  if (!js) return sw_fail(err, SW_ENOMEM, "%s: out of memory", path);
  sw_model model;
  rc = sw_model_parse(js, strlen(js), path, &model, err);
  free(js);
  if (rc) return rc;
  *out = model.sub[0];
  memset(&model.sub[0], 0, sizeof model.sub[0]);
  sw_model_free(&model);
  return SW_OK;
}

int sw_init_parse(const char *s, sw_init_kind *out, sw_err *err) {
  if (s && !strcmp(s, "standard")) *out = SW_INIT_STANDARD;
  else if (s && !strcmp(s, "smallest_and_zeros")) *out = SW_INIT_SMALLEST_AND_ZEROS;
  else return sw_fail(err, SW_EUSAGE, "init \"%s\": expected standard or smallest_and_zeros", s ? s : "");
  return SW_OK;
}

/* One tensor [rows][cols] at w: the leading [r_used][c_used] block ~ U(-b, b) with
   b = 1/sqrt(fan_in), drawn row-major; the rest zero (smallest_and_zeros) or drawn too. */
static void fill(float *w, long rows, long cols, long r_used, long c_used, long fan_in, sw_rng *rng) {
  double b = 1.0 / sqrt((double)fan_in);
  for (long r = 0; r < rows; r++)
    for (long c = 0; c < cols; c++)
      w[r * cols + c] = r < r_used && c < c_used ? (float)sw_rng_range(rng, -b, b) : 0.0f;
}

int sw_net_init(sw_net *net, sw_init_kind kind, sw_rng *rng, sw_err *err) {
  sw_layout L;
  int rc = sw_layout_make(net, &L, err);
  if (rc) return rc;
  if (L.total != net->nw) {
    sw_layout_free(&L);
    return sw_fail(err, SW_EUSAGE, "init: the net holds %ld weights, its config needs %ld", net->nw, L.total);
  }
  bool small = kind == SW_INIT_SMALLEST_AND_ZEROS;
  sw_widths s = small ? sw_net_widths_for_slim(net, 0.0) : sw_net_full_widths(net);
  float *W = net->w;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    const sw_array_off *o = &L.arrays[i];
    long C = a->channels, c = s.c[i], Din = a->input_size, cond = a->condition_size;
    long din = i == 0 ? Din : s.c[i - 1]; /* the first input is never slimmed */
    long H = a->head_size, h = i + 1 < net->n_arrays ? s.c[i + 1] : H, Kh = a->head_kernel;
    fill(W + o->r, C, Din, c, din, din, rng);
    for (int l = 0; l < a->n_layers; l++) {
      const sw_layer_cfg *ly = &a->layers[l];
      const sw_layer_off *lo = &L.arrays[i].layers[l];
      long K = ly->kernel, cm = sw_cmid(ly, (int)C), cmu = sw_cmid(ly, (int)c);
      fill(W + lo->w, cm, C * K, cmu, c * K, c * K, rng);
      fill(W + lo->b, 1, cm, 1, cmu, c * K, rng);
      fill(W + lo->m, cm, cond, cmu, cond, cond, rng);
      if (lo->v >= 0) {
        fill(W + lo->v, C, C, c, c, c, rng);
        fill(W + lo->vb, 1, C, 1, c, c, rng);
      }
    }
    fill(W + o->g, H, C * Kh, h, c * Kh, c * Kh, rng);
    if (o->gb >= 0) fill(W + o->gb, 1, H, 1, h, c * Kh, rng);
  }
  sw_layout_free(&L);
  return SW_OK;
}
