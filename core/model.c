/* Configuration checks, the weight layout, width selection and cost formulas of the WaveNet;
   the other architectures' are in archs.c, reached from the same sw_net_* calls. */
#include "model.h"

#include "archs.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void sw_meta_init(sw_meta *m) {
  memset(m, 0, sizeof *m);
  m->loudness = NAN;
  m->validation_esr = NAN;
}

/* Per-array weight count, in 64-bit so absurd configs cannot overflow. Widths as configured. */
static long array_weights(const sw_array_cfg *a) {
  long C = a->channels, n = C * (long)a->input_size;
  for (int l = 0; l < a->n_layers; l++) {
    const sw_layer_cfg *ly = &a->layers[l];
    long cm = ly->gated ? 2 * C : C;
    n += cm * C * ly->kernel + cm + cm * a->condition_size;
    if (a->layer1x1) n += C * C + C;
  }
  n += (long)a->head_size * C * a->head_kernel + (a->head_bias ? a->head_size : 0);
  return n;
}

long sw_net_count_weights(const sw_net *net) {
  if (net->arch != SW_ARCH_WAVENET) return sw_arch_count_weights(net);
  long n = 1; /* head_scale */
  for (int i = 0; i < net->n_arrays; i++) n += array_weights(&net->arrays[i]);
  return n;
}

int sw_net_check(const sw_net *net, const char *what, long *n_weights, sw_err *err) {
  if (net->arch != SW_ARCH_WAVENET) return sw_arch_check(net, what, n_weights, err);
  if (net->n_arrays < 1 || net->n_arrays > SW_MAX_ARRAYS)
    return sw_fail(err, SW_EINPUT, "%s: %d layer arrays (expected 1..%d)", what, net->n_arrays, SW_MAX_ARRAYS);
  long rf = 1;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    if (a->channels < 1 || a->channels > SW_MAX_CHANNELS)
      return sw_fail(err, SW_EINPUT, "%s: layer array %d: channels %d out of range 1..%d", what, i, a->channels, SW_MAX_CHANNELS);
    if (a->head_size < 1 || a->head_size > SW_MAX_CHANNELS)
      return sw_fail(err, SW_EINPUT, "%s: layer array %d: head_size %d out of range 1..%d", what, i, a->head_size, SW_MAX_CHANNELS);
    if (a->condition_size != 1)
      return sw_fail(err, SW_EINPUT, "%s: layer array %d: condition_size %d not supported (mono condition only)", what, i, a->condition_size);
    if (a->head_kernel < 1 || a->head_kernel > SW_MAX_HEAD_KERNEL)
      return sw_fail(err, SW_EINPUT, "%s: layer array %d: head kernel_size %d out of range 1..%d", what, i, a->head_kernel, SW_MAX_HEAD_KERNEL);
    if (a->n_layers < 1 || a->n_layers > SW_MAX_LAYERS)
      return sw_fail(err, SW_EINPUT, "%s: layer array %d: %d layers (expected 1..%d)", what, i, a->n_layers, SW_MAX_LAYERS);
    int want_in = i == 0 ? 1 : net->arrays[i - 1].channels;
    if (a->input_size != want_in)
      return sw_fail(err, SW_EINPUT, "%s: layer array %d: input_size %d, expected %d", what, i, a->input_size, want_in);
    if (i > 0 && net->arrays[i - 1].head_size != a->channels)
      return sw_fail(err, SW_EINPUT, "%s: layer array %d: channels %d differ from the previous head_size %d", what, i, a->channels, net->arrays[i - 1].head_size);
    if (i == net->n_arrays - 1 && a->head_size != 1)
      return sw_fail(err, SW_EINPUT, "%s: last layer array has head_size %d (mono output needs 1)", what, a->head_size);
    for (int l = 0; l < a->n_layers; l++) {
      const sw_layer_cfg *ly = &a->layers[l];
      if (ly->kernel < 1 || ly->kernel > SW_MAX_KERNEL)
        return sw_fail(err, SW_EINPUT, "%s: layer array %d layer %d: kernel_size %d out of range 1..%d", what, i, l, ly->kernel, SW_MAX_KERNEL);
      if (ly->dilation < 1 || ly->dilation > SW_MAX_DILATION)
        return sw_fail(err, SW_EINPUT, "%s: layer array %d layer %d: dilation %d out of range 1..%d", what, i, l, ly->dilation, SW_MAX_DILATION);
      rf += (long)(ly->kernel - 1) * ly->dilation;
    }
    rf += a->head_kernel - 1;
    if (a->n_allowed < 1 || a->n_allowed > a->channels)
      return sw_fail(err, SW_EINPUT, "%s: layer array %d: %d allowed widths for %d channels", what, i, a->n_allowed, a->channels);
    for (int j = 0; j < a->n_allowed; j++) {
      if (a->allowed[j] < 1 || a->allowed[j] > a->channels || (j > 0 && a->allowed[j] <= a->allowed[j - 1]))
        return sw_fail(err, SW_EINPUT, "%s: layer array %d: allowed_channels must rise strictly within 1..%d", what, i, a->channels);
    }
  }
  if (rf > SW_MAX_RF)
    return sw_fail(err, SW_EINPUT, "%s: receptive field %ld exceeds the limit %ld", what, rf, SW_MAX_RF);
  long n = sw_net_count_weights(net);
  if (n > SW_MAX_WEIGHTS)
    return sw_fail(err, SW_EINPUT, "%s: %ld weights exceed the limit %ld", what, n, SW_MAX_WEIGHTS);
  if (!(net->sample_rate > 0 && net->sample_rate <= 1e6))
    return sw_fail(err, SW_EINPUT, "%s: sample_rate %g out of range", what, net->sample_rate);
  if (n_weights) *n_weights = n;
  return SW_OK;
}

int sw_layout_make(const sw_net *net, sw_layout *out, sw_err *err) {
  memset(out, 0, sizeof *out);
  if (net->arch != SW_ARCH_WAVENET) /* what the trainer and the WaveNet kernels need */
    return sw_fail(err, SW_EINPUT, "model: a WaveNet is needed (architecture %s)", sw_arch_name(net->arch));
  out->n_arrays = net->n_arrays;
  out->arrays = calloc((size_t)net->n_arrays, sizeof *out->arrays);
  if (!out->arrays) return sw_fail(err, SW_ENOMEM, "out of memory (weight layout)");
  long p = 0;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    sw_array_off *o = &out->arrays[i];
    long C = a->channels;
    o->layers = calloc((size_t)a->n_layers, sizeof *o->layers);
    if (!o->layers) { sw_layout_free(out); return sw_fail(err, SW_ENOMEM, "out of memory (weight layout)"); }
    o->r = p; p += C * a->input_size;
    for (int l = 0; l < a->n_layers; l++) {
      const sw_layer_cfg *ly = &a->layers[l];
      long cm = ly->gated ? 2 * C : C;
      sw_layer_off *lo = &o->layers[l];
      lo->w = p; p += cm * C * ly->kernel;
      lo->b = p; p += cm;
      lo->m = p; p += cm * a->condition_size;
      if (a->layer1x1) { lo->v = p; p += C * C; lo->vb = p; p += C; }
      else lo->v = lo->vb = -1;
    }
    o->g = p; p += (long)a->head_size * C * a->head_kernel;
    if (a->head_bias) { o->gb = p; p += a->head_size; } else o->gb = -1;
  }
  out->head_scale = p++;
  out->total = p;
  return SW_OK;
}

void sw_layout_free(sw_layout *l) {
  if (!l->arrays) return;
  for (int i = 0; i < l->n_arrays; i++) free(l->arrays[i].layers);
  free(l->arrays);
  l->arrays = NULL;
}

long sw_net_receptive_field(const sw_net *net) {
  if (net->arch != SW_ARCH_WAVENET) return sw_arch_receptive_field(net);
  long rf = 1;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    for (int l = 0; l < a->n_layers; l++) rf += (long)(a->layers[l].kernel - 1) * a->layers[l].dilation;
    rf += a->head_kernel - 1;
  }
  return rf;
}

sw_widths sw_net_full_widths(const sw_net *net) {
  if (net->arch != SW_ARCH_WAVENET) return (sw_widths){.n = 1, .c = {sw_arch_width(net)}};
  sw_widths w = {.n = net->n_arrays};
  for (int i = 0; i < net->n_arrays; i++) w.c[i] = net->arrays[i].channels;
  return w;
}

static int allowed_index(const sw_array_cfg *a, double v) {
  double f = floor(v * a->n_allowed);
  int j = f < 0 ? 0 : (f >= a->n_allowed ? a->n_allowed - 1 : (int)f);
  return j;
}

sw_widths sw_net_widths_for_slim(const sw_net *net, double v) {
  if (net->arch != SW_ARCH_WAVENET) return sw_net_full_widths(net);
  sw_widths w = {.n = net->n_arrays};
  for (int i = 0; i < net->n_arrays; i++) w.c[i] = net->arrays[i].allowed[allowed_index(&net->arrays[i], v)];
  return w;
}

int sw_net_check_widths(const sw_net *net, const sw_widths *w, sw_err *err) {
  if (net->arch != SW_ARCH_WAVENET) {
    if (w->n != 1 || w->c[0] != sw_arch_width(net))
      return sw_fail(err, SW_EUSAGE, "%s models are not slimmable: the one width is %d", sw_arch_name(net->arch), sw_arch_width(net));
    return SW_OK;
  }
  if (w->n != net->n_arrays)
    return sw_fail(err, SW_EUSAGE, "%d channel counts given for a model with %d layer arrays", w->n, net->n_arrays);
  for (int i = 0; i < w->n; i++)
    if (w->c[i] < 1 || w->c[i] > net->arrays[i].channels)
      return sw_fail(err, SW_EUSAGE, "channels %d for layer array %d out of range 1..%d", w->c[i], i, net->arrays[i].channels);
  return SW_OK;
}

int sw_net_width_steps(const sw_net *net, sw_widths *out, int max) {
  if (net->arch != SW_ARCH_WAVENET) {
    if (max > 0) out[0] = sw_net_full_widths(net);
    return 1;
  }
  /* Widths change only at v = j/|A_a|; walk those breakpoints in order. */
  int n = 0;
  double pts[SW_MAX_ARRAYS * SW_MAX_CHANNELS + 1];
  int np = 0;
  pts[np++] = 0.0;
  for (int i = 0; i < net->n_arrays; i++)
    for (int j = 1; j < net->arrays[i].n_allowed; j++) pts[np++] = (double)j / net->arrays[i].n_allowed;
  for (int i = 1; i < np; i++) /* insertion sort: np is small */
    for (int k = i; k > 0 && pts[k] < pts[k - 1]; k--) { double t = pts[k]; pts[k] = pts[k - 1]; pts[k - 1] = t; }
  for (int i = 0; i < np; i++) {
    sw_widths w = sw_net_widths_for_slim(net, pts[i]);
    if (n > 0 && memcmp(&w, &out[n < max ? n - 1 : max - 1], sizeof w) == 0) continue;
    if (n < max) out[n] = w;
    n++;
  }
  return n;
}

long sw_net_macs(const sw_net *net, const sw_widths *w) {
  if (net->arch != SW_ARCH_WAVENET) return sw_arch_macs(net);
  long macs = 0;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    long c = w->c[i], din = i == 0 ? a->input_size : w->c[i - 1];
    long h = i + 1 < net->n_arrays ? w->c[i + 1] : a->head_size;
    macs += c * din;
    for (int l = 0; l < a->n_layers; l++) {
      long cm = a->layers[l].gated ? 2 * c : c;
      macs += cm * c * a->layers[l].kernel + cm * a->condition_size;
      if (a->layer1x1) macs += c * c;
    }
    macs += h * c * a->head_kernel;
  }
  return macs;
}

long sw_net_activations(const sw_net *net, const sw_widths *w) {
  if (net->arch != SW_ARCH_WAVENET) return sw_arch_activations(net);
  long n = 0;
  for (int i = 0; i < net->n_arrays; i++)
    for (int l = 0; l < net->arrays[i].n_layers; l++) n += (net->arrays[i].layers[l].gated ? 2 : 1) * (long)w->c[i];
  return n;
}

long sw_net_weights_used(const sw_net *net, const sw_widths *w) {
  if (net->arch != SW_ARCH_WAVENET) return net->nw;
  long n = 1;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    long c = w->c[i], din = i == 0 ? a->input_size : w->c[i - 1];
    long h = i + 1 < net->n_arrays ? w->c[i + 1] : a->head_size;
    n += c * din;
    for (int l = 0; l < a->n_layers; l++) {
      long cm = a->layers[l].gated ? 2 * c : c;
      n += cm * c * a->layers[l].kernel + cm + cm * a->condition_size;
      if (a->layer1x1) n += c * c + c;
    }
    n += h * c * a->head_kernel + (a->head_bias ? h : 0);
  }
  return n;
}

static void *dup_mem(const void *p, size_t n) {
  if (!p || n == 0) return NULL;
  void *q = malloc(n);
  if (q) memcpy(q, p, n);
  return q;
}

void sw_net_free(sw_net *net) {
  if (!net) return;
  if (net->arrays) {
    for (int i = 0; i < net->n_arrays; i++) {
      free(net->arrays[i].layers);
      free(net->arrays[i].allowed);
    }
    free(net->arrays);
  }
  free(net->convnet.dilations);
  free(net->w);
  free(net->meta.json);
  memset(net, 0, sizeof *net);
}

int sw_net_copy(const sw_net *src, sw_net *dst, sw_err *err) {
  *dst = *src;
  dst->arrays = NULL; dst->w = NULL; dst->meta.json = NULL; dst->convnet.dilations = NULL;
  if (src->arch == SW_ARCH_CONVNET &&
      !(dst->convnet.dilations = dup_mem(src->convnet.dilations, sizeof(int) * (size_t)src->convnet.n_blocks)))
    goto oom;
  dst->arrays = calloc((size_t)src->n_arrays, sizeof *dst->arrays);
  if (src->n_arrays && !dst->arrays) goto oom;
  for (int i = 0; i < src->n_arrays; i++) {
    dst->arrays[i] = src->arrays[i];
    dst->arrays[i].layers = dup_mem(src->arrays[i].layers, sizeof(sw_layer_cfg) * (size_t)src->arrays[i].n_layers);
    dst->arrays[i].allowed = dup_mem(src->arrays[i].allowed, sizeof(int) * (size_t)src->arrays[i].n_allowed);
    if (!dst->arrays[i].layers || !dst->arrays[i].allowed) goto oom;
  }
  dst->w = dup_mem(src->w, sizeof(float) * (size_t)src->nw);
  if (!dst->w) goto oom;
  if (src->meta.json && !(dst->meta.json = dup_mem(src->meta.json, strlen(src->meta.json) + 1))) goto oom;
  return SW_OK;
oom:
  sw_net_free(dst);
  return sw_fail(err, SW_ENOMEM, "out of memory copying a model");
}

void sw_model_free(sw_model *m) {
  if (!m) return;
  for (int i = 0; i < m->n_sub; i++) sw_net_free(&m->sub[i]);
  free(m->sub);
  free(m->max_value);
  free(m->meta.json);
  memset(m, 0, sizeof *m);
}

const sw_net *sw_model_pick(const sw_model *m, double v) {
  if (!m->container) return &m->sub[0];
  for (int i = 0; i < m->n_sub; i++)
    if (v < m->max_value[i]) return &m->sub[i];
  return &m->sub[m->n_sub - 1];
}

int sw_net_slice(const sw_net *net, const sw_widths *w, sw_net *out, sw_err *err) {
  int rc = sw_net_check_widths(net, w, err);
  if (rc) return rc;
  if (net->arch != SW_ARCH_WAVENET) return sw_net_copy(net, out, err); /* its one width: itself */
  sw_layout L;
  if ((rc = sw_layout_make(net, &L, err))) return rc;
  if ((rc = sw_net_copy(net, out, err))) { sw_layout_free(&L); return rc; }
  for (int i = 0; i < out->n_arrays; i++) {
    sw_array_cfg *a = &out->arrays[i];
    a->channels = w->c[i];
    if (i > 0) a->input_size = w->c[i - 1];
    if (i + 1 < out->n_arrays) a->head_size = w->c[i + 1];
    a->slimmable = false; /* a plain model of this width */
    /* the copied list may be shorter than the new width (e.g. allowed 2,4,6,8 sliced at 6) */
    int *al = realloc(a->allowed, sizeof(int) * (size_t)a->channels);
    if (!al) { sw_layout_free(&L); sw_net_free(out); return sw_fail(err, SW_ENOMEM, "out of memory slicing a model"); }
    a->allowed = al;
    a->n_allowed = a->channels;
    for (int j = 0; j < a->n_allowed; j++) a->allowed[j] = j + 1;
  }
  long n = sw_net_count_weights(out);
  float *dstw = malloc(sizeof(float) * (size_t)n);
  if (!dstw) { sw_layout_free(&L); sw_net_free(out); return sw_fail(err, SW_ENOMEM, "out of memory slicing a model"); }
  const float *W = net->w;
  long p = 0;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *fa = &net->arrays[i];
    const sw_array_off *o = &L.arrays[i];
    long C = fa->channels, c = w->c[i], Din = fa->input_size;
    long din = i == 0 ? Din : w->c[i - 1];
    long h = i + 1 < net->n_arrays ? w->c[i + 1] : fa->head_size;
    for (long r = 0; r < c; r++)
      for (long j = 0; j < din; j++) dstw[p++] = W[o->r + r * Din + j];
    for (int l = 0; l < fa->n_layers; l++) {
      const sw_layer_cfg *ly = &fa->layers[l];
      const sw_layer_off *lo = &o->layers[l];
      long K = ly->kernel, cm = ly->gated ? 2 * c : c;
      for (long r = 0; r < cm; r++)
        for (long j = 0; j < c * K; j++) dstw[p++] = W[lo->w + r * C * K + j];
      for (long r = 0; r < cm; r++) dstw[p++] = W[lo->b + r];
      for (long r = 0; r < cm; r++) dstw[p++] = W[lo->m + r];
      if (fa->layer1x1) {
        for (long r = 0; r < c; r++)
          for (long j = 0; j < c; j++) dstw[p++] = W[lo->v + r * C + j];
        for (long r = 0; r < c; r++) dstw[p++] = W[lo->vb + r];
      }
    }
    long Kh = fa->head_kernel;
    for (long r = 0; r < h; r++)
      for (long j = 0; j < c * Kh; j++) dstw[p++] = W[o->g + r * C * Kh + j];
    if (fa->head_bias)
      for (long r = 0; r < h; r++) dstw[p++] = W[o->gb + r];
  }
  dstw[p++] = W[L.head_scale];
  sw_layout_free(&L);
  free(out->w);
  out->w = dstw;
  out->nw = p;
  return SW_OK;
}

double sw_meta_number(const sw_meta *m, const char *key) {
  cJSON *j = m->json ? cJSON_Parse(m->json) : NULL;
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, key);
  double r = cJSON_IsNumber(v) ? v->valuedouble : NAN;
  cJSON_Delete(j);
  return r;
}
