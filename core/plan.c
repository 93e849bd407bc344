/* The model plan (plan.h): one net at one width on one backend, bound once per width. */
#include "plan.h"

#include <stdlib.h>
#include <string.h>

/* Where a training forward saves a (and z): only their being non-NULL is read when binding. */
static float save_marker;

/* Floats the bound width may copy: per layer its conv and 1x1 (packed at a slim width) and, streaming,
   the folded conv bias, training the transposed conv; per array, training, the transposed rechannel
   and head. Sized at full width, the most any width needs. */
size_t sw_plan_pack_floats(const sw_net *net, sw_plan_mode mode) {
  size_t n = 0;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    size_t C = (size_t)a->channels;
    for (int l = 0; l < a->n_layers; l++) {
      size_t cm = a->layers[l].gated ? 2 * C : C, wk = cm * C * (size_t)a->layers[l].kernel;
      n += wk + C * C + (mode == SW_PLAN_STREAM ? cm : wk);
    }
    if (mode == SW_PLAN_TRAIN) {
      size_t H = i + 1 < net->n_arrays ? (size_t)net->arrays[i + 1].channels : (size_t)a->head_size;
      n += (size_t)a->input_size * C + C * H * (size_t)a->head_kernel;
    }
  }
  return n;
}

static void free_bplans(sw_plan *p);

void sw_plan_free(sw_plan *p) {
  if (!p) return;
  if (p->arr) {
    free_bplans(p);
    for (int i = 0; i < p->net->n_arrays; i++) free(p->arr[i].layers);
    free(p->arr);
  }
  sw_layout_free(&p->L);
  free(p->pack);
  free(p);
}

int sw_plan_create(const sw_net *net, const sw_backend *be, sw_plan_mode mode, int max_T, bool fast_tanh,
                   sw_plan **out, sw_err *err) {
  *out = NULL;
  sw_plan *p = calloc(1, sizeof *p);
  if (!p) return sw_fail(err, SW_ENOMEM, "out of memory (model plan)");
  p->net = net;
  p->naive = sw_backend_naive();
  p->be = be ? be : p->naive;
  p->mode = mode;
  p->fast_tanh = fast_tanh && mode == SW_PLAN_STREAM;
  p->max_T = max_T;
  int rc = sw_layout_make(net, &p->L, err);
  if (rc) { free(p); return rc; }
  p->arr = calloc((size_t)net->n_arrays, sizeof *p->arr);
  size_t np = sw_plan_pack_floats(net, mode);
  p->pack = aligned_alloc(64, ((np ? np : 1) * sizeof(float) + 63) & ~(size_t)63);
  bool ok = p->arr && p->pack;
  for (int i = 0; ok && i < net->n_arrays; i++)
    ok = (p->arr[i].layers = calloc((size_t)net->arrays[i].n_layers, sizeof(sw_plan_layer))) != NULL;
  if (!ok) {
    sw_plan_free(p);
    return sw_fail(err, SW_ENOMEM, "out of memory (model plan)");
  }
  sw_widths full = sw_net_full_widths(net);
  sw_plan_bind(p, &full);
  *out = p;
  return SW_OK;
}

/* Copies the leading block (rows x cols at stride ld) of a weight matrix into dense rows at *dst. */
static const float *pack_rows(const float *src, ptrdiff_t ld, int rows, int cols, float **dst) {
  float *w = *dst;
  for (int r = 0; r < rows; r++) memcpy(w + (size_t)r * cols, src + r * ld, sizeof(float) * (size_t)cols);
  *dst += (size_t)rows * cols;
  return w;
}

/* w [cout][cin][K] (row stride ldw) -> [cin][cout][K] with the taps reversed: the weights of the
   conv that takes a gradient from a conv's output to its input (plan.h, sw_plan_conv.t). */
static const float *transpose(const float *w, ptrdiff_t ldw, int cout, int cin, int K, float **dst) {
  float *t = *dst;
  for (int i = 0; i < cin; i++)
    for (int o = 0; o < cout; o++)
      for (int k = 0; k < K; k++) t[((size_t)i * cout + o) * K + k] = w[o * ldw + i * K + (K - 1 - k)];
  *dst += (size_t)cin * cout * K;
  return t;
}

/* The 1x1's bias vb, folded (streaming only). Each layer stores h + v a without its vb, so a buffer
   holds h' = h - c, c the sum of the vb's before it (per channel, counted from the array's input);
   every conv that reads h' gets sum_k W_k c added to its bias instead, and the next array's layers
   get the rechannel of the last offset. The layers then skip one add per output row and column; the
   outputs change by rounding only. A zeroed history column would stand for h = c, not 0, but no
   output reads one: the prewarm of sw_wavenet_reset rewrites every column a block can reach.
   off: the offset of the array's input (C channels), updated to that of its output. */
static void fold_bias(sw_layer_args *p, double *off, float **dst) {
  const int C = p->C, K = p->K, cm = p->gated ? 2 * C : C;
  float *b = *dst;
  for (int o = 0; o < cm; o++) {
    double acc = p->b[o];
    for (int i = 0; i < C; i++)
      for (int k = 0; k < K; k++) acc += (double)p->w[o * p->ldw + i * K + k] * off[i];
    b[o] = (float)acc;
  }
  p->b = b;
  *dst += cm;
  if (p->vb) {
    for (int o = 0; o < C; o++) off[o] += p->vb[o];
    p->vb = NULL;
  }
}

static bool supports(const sw_backend *be, const sw_shape *s) { return !be->supports || be->supports(s); }

/* The one fallback policy: the backend's op where it has one and takes the shape (and, training,
   needs no plan of fixed weights), else the naive reference, counted. */
static bool takes(sw_plan *p, const void *fn, bool planned, const sw_shape *s) {
  if (p->be == p->naive) return false;
  if (fn && supports(p->be, s) && !(planned && p->mode == SW_PLAN_TRAIN)) return true;
  p->fallbacks++;
  return false;
}

static sw_shape conv_shape(const sw_conv_args *a, int max_T) {
  return (sw_shape){.is_layer = false, .C = a->cout, .cin = a->cin, .K = a->K, .d = a->d, .has_bias = a->b != NULL,
                    .max_T = max_T};
}

static void bind_conv(sw_plan *p, sw_plan_conv *c) {
  const sw_backend *be = p->be;
  sw_shape s = conv_shape(&c->a, p->max_T);
  c->fn = p->naive->conv_forward;
  if (takes(p, (const void *)be->conv_forward, be->conv_plan != NULL, &s)) {
    sw_conv_args proto = c->a;
    proto.T = p->max_T;
    c->bplan = be->conv_plan ? be->conv_plan(&proto) : NULL;
    if (!be->conv_plan || c->bplan) c->fn = be->conv_forward;
    else p->fallbacks++;
  }
  if (p->mode != SW_PLAN_TRAIN) return;
  c->grad = takes(p, (const void *)be->conv_backward, false, &s) ? be->conv_backward : p->naive->conv_backward;
  s = conv_shape(&c->t, p->max_T);
  c->tfn = takes(p, (const void *)be->conv_forward, be->conv_plan != NULL, &s) ? be->conv_forward : p->naive->conv_forward;
}

static void bind_layer(sw_plan *p, sw_plan_layer *l) {
  const sw_backend *be = p->be;
  const sw_layer_args *a = &l->a;
  sw_shape s = {.is_layer = true, .C = a->C, .cin = a->C, .K = a->K, .d = a->d, .gated = a->gated,
                .has_v = a->v != NULL, .has_bias = true, .act = a->act, .max_T = p->max_T};
  l->fn = p->naive->layer_forward;
  if (takes(p, (const void *)be->layer_forward, be->layer_plan != NULL, &s)) {
    sw_layer_args proto = *a;
    proto.T = p->max_T;
    l->bplan = be->layer_plan ? be->layer_plan(&proto) : NULL;
    if (!be->layer_plan || l->bplan) {
      sw_layer_fn f = be->layer_forward_for ? be->layer_forward_for(&proto) : NULL;
      l->fn = f ? f : be->layer_forward;
    } else p->fallbacks++;
  }
  if (p->mode != SW_PLAN_TRAIN) return;
  l->grad = takes(p, (const void *)be->layer_backward, false, &s) ? be->layer_backward : p->naive->layer_backward;
  sw_shape t = conv_shape(&l->t, p->max_T);
  l->tfn = takes(p, (const void *)be->conv_forward, be->conv_plan != NULL, &t) ? be->conv_forward : p->naive->conv_forward;
}

/* The backend's plans of the last bind (streaming). */
static void free_bplans(sw_plan *p) {
  for (int i = 0; i < p->net->n_arrays; i++) {
    sw_plan_array *r = &p->arr[i];
    void **pl[2] = {&r->rech.bplan, &r->head.bplan};
    for (int l = 0; r->layers && l < p->net->arrays[i].n_layers; l++) {
      if (r->layers[l].bplan && p->be->plan_free) p->be->plan_free(r->layers[l].bplan);
      r->layers[l].bplan = NULL;
    }
    for (int j = 0; j < 2; j++) {
      if (*pl[j] && p->be->plan_free) p->be->plan_free(*pl[j]);
      *pl[j] = NULL;
    }
  }
}

void sw_plan_bind(sw_plan *p, const sw_widths *w) {
  const sw_net *net = p->net;
  const float *W = net->w;
  const bool train = p->mode == SW_PLAN_TRAIN;
  free_bplans(p);
  p->w = *w;
  p->fallbacks = 0;
  float *dst = p->pack;
  double off[SW_MAX_CHANNELS] = {0}, prev[SW_MAX_CHANNELS]; /* fold_bias: offsets of h per channel */
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *A = &net->arrays[i];
    const sw_array_off *O = &p->L.arrays[i];
    sw_plan_array *r = &p->arr[i];
    const int C = A->channels, c = w->c[i], cin = i ? w->c[i - 1] : 1;
    const int H = i + 1 < net->n_arrays ? w->c[i + 1] : A->head_size;
    r->rech.a = (sw_conv_args){.cout = c, .cin = cin, .K = 1, .d = 1, .w = W + O->r, .ldw = A->input_size};
    r->head.a = (sw_conv_args){.cout = H, .cin = c, .K = A->head_kernel, .d = 1, .w = W + O->g,
                               .ldw = (ptrdiff_t)C * A->head_kernel, .b = O->gb >= 0 ? W + O->gb : NULL};
    if (i > 0 && !train) { /* this array's input is the rechannel of the last one's output */
      memcpy(prev, off, sizeof(double) * (size_t)cin);
      for (int o = 0; o < c; o++) {
        off[o] = 0;
        for (int j = 0; j < cin; j++) off[o] += (double)r->rech.a.w[o * r->rech.a.ldw + j] * prev[j];
      }
    }
    if (train) {
      r->rech.t = (sw_conv_args){.cout = cin, .cin = c, .K = 1, .d = 1, .ldw = c};
      r->rech.t.w = transpose(r->rech.a.w, r->rech.a.ldw, c, cin, 1, &dst);
      r->head.t = (sw_conv_args){.cout = c, .cin = H, .K = A->head_kernel, .d = 1, .ldw = (ptrdiff_t)H * A->head_kernel};
      r->head.t.w = transpose(r->head.a.w, r->head.a.ldw, H, c, A->head_kernel, &dst);
    }
    for (int l = 0; l < A->n_layers; l++) {
      const sw_layer_cfg *ly = &A->layers[l];
      const sw_layer_off *lo = &O->layers[l];
      sw_plan_layer *pl = &r->layers[l];
      const int K = ly->kernel, cm = ly->gated ? 2 * c : c;
      sw_layer_args *a = &pl->a;
      *a = (sw_layer_args){.C = c, .K = K, .d = ly->dilation, .gated = ly->gated, .act = ly->act,
                           .w = W + lo->w, .b = W + lo->b, .ldw = (ptrdiff_t)C * K, .m = W + lo->m,
                           .v = lo->v >= 0 ? W + lo->v : NULL, .vb = lo->v >= 0 ? W + lo->vb : NULL, .ldv = C};
      if (p->fast_tanh && a->act.kind == SW_ACT_TANH) a->act.kind = SW_ACT_FAST_TANH;
      if (c < C) { /* dense rows: the kernels read only the lines they use, and take constant strides */
        a->w = pack_rows(a->w, a->ldw, cm, c * K, &dst);
        a->ldw = (ptrdiff_t)c * K;
        if (a->v) { a->v = pack_rows(a->v, a->ldv, c, c, &dst); a->ldv = c; }
      }
      if (train) {
        pl->save_z = sw_act_needs_z(a->act, a->gated);
        a->a = &save_marker;
        a->z = pl->save_z ? &save_marker : NULL;
        pl->t = (sw_conv_args){.cout = c, .cin = cm, .K = K, .d = ly->dilation, .ldw = (ptrdiff_t)cm * K,
                               .accumulate = true};
        pl->t.w = transpose(a->w, a->ldw, cm, c, K, &dst);
      } else {
        fold_bias(a, off, &dst);
      }
      bind_layer(p, pl);
    }
    bind_conv(p, &r->rech);
    bind_conv(p, &r->head);
  }
}
