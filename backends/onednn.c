/* The oneDNN 2.6 backend (C API): each layer is a dilated convolution primitive (dilation
   passed as d-1) with the mixin folded in as one more input channel, bias and the activation
   fused (eltwise post-op), then a 1x1 convolution with bias and a sum post-op for the residual.
   Primitives, packed weights and buffers are made in the plan, outside the timed path.

   Shapes are fixed in a oneDNN primitive but the interface passes strides and T per call, so
   each plan owns contiguous buffers and holds primitives for a few block lengths made at plan
   time: powers of two from 8 below max_T, and max_T. A call with T frames runs the smallest one
   >= T on the first T columns (at most twice the work; the rest of the columns is ignored).
   Per call the (K-1)d + T input columns are copied into the plan's window: cheap for small d,
   costly for d = 512 at 64-frame blocks (an im2col would copy only K*T; see the bench).
   No plan (e.g. a direct call) means the reference loops run. Backward slots are NULL:
   the naive backward runs for training. */
#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/backend.h"
#include "act_row.h"

extern const sw_backend sw_backend_naive_impl;

#define MAX_SIZES 16

static dnnl_engine_t engine;
static pthread_once_t engine_once = PTHREAD_ONCE_INIT;
static void engine_init(void) {
  if (dnnl_engine_create(&engine, dnnl_cpu, 0) != dnnl_success) engine = NULL;
}
static bool usable(void) {
  pthread_once(&engine_once, engine_init);
  return engine != NULL;
}

/* One convolution primitive at one output length, with its memory objects bound to plan buffers. */
typedef struct dconv {
  int Tc, Win;
  dnnl_primitive_desc_t pd;
  dnnl_primitive_t prim;
  dnnl_memory_t src, wei, bias, dst, scr;
  void *scr_buf;
} dconv;

static void dconv_free(dconv *c) {
  if (c->prim) dnnl_primitive_destroy(c->prim);
  if (c->pd) dnnl_primitive_desc_destroy(c->pd);
  dnnl_memory_t m[5] = {c->src, c->wei, c->bias, c->dst, c->scr};
  for (int i = 0; i < 5; i++)
    if (m[i]) dnnl_memory_destroy(m[i]);
  free(c->scr_buf);
  memset(c, 0, sizeof *c);
}

static dnnl_alg_kind_t act_alg(sw_act a, float *alpha) {
  *alpha = 0.0f;
  switch (a.kind) {
  case SW_ACT_TANH: return dnnl_eltwise_tanh;
  case SW_ACT_RELU: return dnnl_eltwise_relu;
  case SW_ACT_LEAKY_RELU: *alpha = a.alpha; return dnnl_eltwise_relu;
  case SW_ACT_SIGMOID: return dnnl_eltwise_logistic;
  default: return dnnl_alg_kind_undef; /* fast tanh etc.: our own loop, shared by all backends */
  }
}

/* dst[1][cout][Tc] = conv(src[1][cin][Tc + (K-1)d], w [cout][cin][K] plain) (+ bias) + post-ops.
   src/dst are plan buffers; weights are reordered into the layout the primitive chose. */
static int dconv_make(dconv *c, dnnl_stream_t st, int cin, int cout, int K, int d, int Tc, const float *w,
                      const float *bias, float *src, float *dst, dnnl_alg_kind_t eltwise, float alpha, bool sum) {
  memset(c, 0, sizeof *c);
  c->Tc = Tc;
  c->Win = Tc + (K - 1) * d;
  dnnl_memory_desc_t smd, wmd, bmd, dmd, wplain;
  dnnl_dims_t sd = {1, cin, c->Win}, wd = {cout, cin, K}, bd = {cout}, dd = {1, cout, Tc};
  dnnl_dims_t strides = {1}, dil = {d - 1}, pad = {0};
  int ok = dnnl_memory_desc_init_by_tag(&smd, 3, sd, dnnl_f32, dnnl_ncw) == dnnl_success &&
           dnnl_memory_desc_init_by_tag(&wmd, 3, wd, dnnl_f32, dnnl_format_tag_any) == dnnl_success &&
           dnnl_memory_desc_init_by_tag(&wplain, 3, wd, dnnl_f32, dnnl_oiw) == dnnl_success &&
           dnnl_memory_desc_init_by_tag(&bmd, 1, bd, dnnl_f32, dnnl_x) == dnnl_success &&
           dnnl_memory_desc_init_by_tag(&dmd, 3, dd, dnnl_f32, dnnl_ncw) == dnnl_success;
  if (!ok) return -1;
  dnnl_convolution_desc_t cd;
  if (dnnl_dilated_convolution_forward_desc_init(&cd, dnnl_forward_inference, dnnl_convolution_direct, &smd, &wmd,
                                                 bias ? &bmd : NULL, &dmd, strides, dil, pad, pad) != dnnl_success)
    return -1;
  dnnl_primitive_attr_t attr = NULL;
  dnnl_post_ops_t ops = NULL;
  ok = dnnl_primitive_attr_create(&attr) == dnnl_success && dnnl_post_ops_create(&ops) == dnnl_success &&
       dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user) == dnnl_success;
  if (ok && sum) ok = dnnl_post_ops_append_sum(ops, 1.0f) == dnnl_success;
  if (ok && eltwise != dnnl_alg_kind_undef) ok = dnnl_post_ops_append_eltwise(ops, 1.0f, eltwise, alpha, 0.0f) == dnnl_success;
  if (ok) ok = dnnl_primitive_attr_set_post_ops(attr, ops) == dnnl_success;
  if (ok) ok = dnnl_primitive_desc_create(&c->pd, &cd, attr, engine, NULL) == dnnl_success;
  if (ops) dnnl_post_ops_destroy(ops);
  if (attr) dnnl_primitive_attr_destroy(attr);
  if (!ok) { dconv_free(c); return -1; }
  const dnnl_memory_desc_t *wq = dnnl_primitive_desc_query_md(c->pd, dnnl_query_weights_md, 0);
  const dnnl_memory_desc_t *sq = dnnl_primitive_desc_query_md(c->pd, dnnl_query_scratchpad_md, 0);
  size_t scr = sq ? dnnl_memory_desc_get_size(sq) : 0;
  if (scr) c->scr_buf = aligned_alloc(64, (scr + 63) & ~(size_t)63);
  ok = (!scr || c->scr_buf) && dnnl_primitive_create(&c->prim, c->pd) == dnnl_success &&
       dnnl_memory_create(&c->src, &smd, engine, src) == dnnl_success &&
       dnnl_memory_create(&c->dst, &dmd, engine, dst) == dnnl_success &&
       dnnl_memory_create(&c->wei, wq, engine, DNNL_MEMORY_ALLOCATE) == dnnl_success &&
       (!bias || dnnl_memory_create(&c->bias, &bmd, engine, (void *)bias) == dnnl_success) &&
       (!scr || dnnl_memory_create(&c->scr, sq, engine, c->scr_buf) == dnnl_success);
  if (ok) { /* plain [cout][cin][K] into the primitive's weight layout, once */
    dnnl_memory_t wsrc = NULL;
    dnnl_primitive_desc_t rpd = NULL;
    dnnl_primitive_t r = NULL;
    ok = dnnl_memory_create(&wsrc, &wplain, engine, (void *)w) == dnnl_success &&
         dnnl_reorder_primitive_desc_create(&rpd, &wplain, engine, wq, engine, NULL) == dnnl_success &&
         dnnl_primitive_create(&r, rpd) == dnnl_success;
    if (ok) {
      dnnl_exec_arg_t args[2] = {{DNNL_ARG_FROM, wsrc}, {DNNL_ARG_TO, c->wei}};
      ok = dnnl_primitive_execute(r, st, 2, args) == dnnl_success && dnnl_stream_wait(st) == dnnl_success;
    }
    if (r) dnnl_primitive_destroy(r);
    if (rpd) dnnl_primitive_desc_destroy(rpd);
    if (wsrc) dnnl_memory_destroy(wsrc);
  }
  if (!ok) { dconv_free(c); return -1; }
  return 0;
}

static int dconv_run(const dconv *c, dnnl_stream_t st) {
  dnnl_exec_arg_t args[5] = {{DNNL_ARG_SRC, c->src}, {DNNL_ARG_WEIGHTS, c->wei}, {DNNL_ARG_DST, c->dst}};
  int n = 3;
  if (c->bias) args[n++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, c->bias};
  if (c->scr) args[n++] = (dnnl_exec_arg_t){DNNL_ARG_SCRATCHPAD, c->scr};
  return dnnl_primitive_execute(c->prim, st, n, args) == dnnl_success && dnnl_stream_wait(st) == dnnl_success ? 0 : -1;
}

static const char *impl_str(const dconv *c) {
  const char *s = NULL;
  if (!c->pd || dnnl_primitive_desc_query(c->pd, dnnl_query_impl_info_str, 0, &s) != dnnl_success || !s) return "?";
  return s;
}

/* Output lengths to build: powers of two from 8 below max_T, then max_T. */
static int plan_sizes(int max_T, int *out) {
  int n = 0;
  for (int t = 8; t < max_T && n < MAX_SIZES - 1; t *= 2) out[n++] = t;
  out[n++] = max_T;
  return n;
}
static int pick_size(const dconv *c, int n, int T) {
  for (int i = 0; i < n; i++)
    if (c[i].Tc >= T) return i;
  return -1;
}

typedef struct dplan {
  bool is_layer, fused, gated, has_v, keep_z;
  int C, cm, cin, cout, K, d, max_T, nsz;
  sw_act act;
  dnnl_stream_t st;
  float *win, *zbuf, *abuf, *obuf; /* window (cin x Win), conv out (cm x T), activation, 1x1 out */
  float *wpack, *bpack, *vpack;    /* plain weights given to the reorders, and the bias copy */
  dconv conv[MAX_SIZES], pw[MAX_SIZES];
  char info[256];
} dplan;

static void plan_free(void *p) {
  dplan *pl = p;
  if (!pl) return;
  for (int i = 0; i < MAX_SIZES; i++) { dconv_free(&pl->conv[i]); dconv_free(&pl->pw[i]); }
  if (pl->st) dnnl_stream_destroy(pl->st);
  free(pl->win); free(pl->zbuf); free(pl->abuf); free(pl->obuf);
  free(pl->wpack); free(pl->bpack); free(pl->vpack);
  free(pl);
}

static float *falloc(size_t n) {
  size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
  float *p = aligned_alloc(64, bytes ? bytes : 64);
  if (p) memset(p, 0, bytes ? bytes : 64);
  return p;
}

static dplan *plan_alloc(int max_T) {
  if (!usable() || max_T < 1) return NULL;
  dplan *pl = calloc(1, sizeof *pl);
  if (!pl) return NULL;
  pl->max_T = max_T;
  if (dnnl_stream_create(&pl->st, engine, dnnl_stream_default_flags) != dnnl_success) { free(pl); return NULL; }
  return pl;
}

static void *layer_plan(const sw_layer_args *p) {
  dplan *pl = plan_alloc(p->T);
  if (!pl) return NULL;
  const int C = p->C, K = p->K, cm = p->gated ? 2 * C : C, cin = C + 1;
  float alpha;
  dnnl_alg_kind_t alg = act_alg(p->act, &alpha);
  *pl = (dplan){.is_layer = true, .gated = p->gated, .has_v = p->v != NULL, .keep_z = p->z != NULL, .C = C,
                .cm = cm, .cin = cin, .cout = cm, .K = K, .d = p->d, .max_T = p->T, .act = p->act, .st = pl->st};
  pl->fused = !p->gated && !p->z && alg != dnnl_alg_kind_undef;
  size_t Win = (size_t)p->T + (size_t)(K - 1) * p->d;
  pl->win = falloc((size_t)cin * Win);
  pl->zbuf = falloc((size_t)cm * p->T);
  pl->abuf = falloc((size_t)C * p->T);
  pl->obuf = falloc((size_t)C * p->T);
  pl->wpack = falloc((size_t)cm * cin * K);
  pl->bpack = falloc((size_t)cm + (size_t)C);
  pl->vpack = falloc((size_t)C * C);
  if (!pl->win || !pl->zbuf || !pl->abuf || !pl->obuf || !pl->wpack || !pl->bpack || !pl->vpack) goto fail;
  /* input channel C is the condition x: its weight sits on the undelayed tap K-1 */
  for (int o = 0; o < cm; o++) {
    for (int i = 0; i < C; i++)
      for (int k = 0; k < K; k++) pl->wpack[((size_t)o * cin + i) * K + k] = p->w[o * p->ldw + i * K + k];
    pl->wpack[((size_t)o * cin + C) * K + K - 1] = p->m[o];
    pl->bpack[o] = p->b[o];
  }
  if (p->v)
    for (int o = 0; o < C; o++) {
      for (int i = 0; i < C; i++) pl->vpack[(size_t)o * C + i] = p->v[o * p->ldv + i];
      pl->bpack[cm + o] = p->vb[o];
    }
  int sz[MAX_SIZES];
  pl->nsz = plan_sizes(p->T, sz);
  for (int s = 0; s < pl->nsz; s++) {
    float *dst = pl->fused ? pl->abuf : pl->zbuf;
    if (dconv_make(&pl->conv[s], pl->st, cin, cm, K, p->d, sz[s], pl->wpack, pl->bpack, pl->win, dst,
                   pl->fused ? alg : dnnl_alg_kind_undef, alpha, false))
      goto fail;
    if (p->v && dconv_make(&pl->pw[s], pl->st, C, C, 1, 1, sz[s], pl->vpack, pl->bpack + cm, pl->abuf, pl->obuf,
                           dnnl_alg_kind_undef, 0.0f, true))
      goto fail;
  }
  int s = pl->nsz - 1;
  snprintf(pl->info, sizeof pl->info, "conv %s%s; 1x1 %s", impl_str(&pl->conv[s]), pl->fused ? " +eltwise" : "",
           p->v ? impl_str(&pl->pw[s]) : "none");
  return pl;
fail:
  plan_free(pl);
  return NULL;
}

static void *conv_plan(const sw_conv_args *p) {
  dplan *pl = plan_alloc(p->T);
  if (!pl) return NULL;
  pl->cin = p->cin;
  pl->cout = p->cout;
  pl->K = p->K;
  pl->d = p->d;
  size_t Win = (size_t)p->T + (size_t)(p->K - 1) * p->d;
  pl->win = falloc((size_t)p->cin * Win);
  pl->zbuf = falloc((size_t)p->cout * p->T);
  pl->wpack = falloc((size_t)p->cout * p->cin * p->K);
  pl->bpack = p->b ? falloc((size_t)p->cout) : NULL;
  if (!pl->win || !pl->zbuf || !pl->wpack || (p->b && !pl->bpack)) goto fail;
  for (int o = 0; o < p->cout; o++) {
    memcpy(pl->wpack + (size_t)o * p->cin * p->K, p->w + o * p->ldw, sizeof(float) * (size_t)p->cin * p->K);
    if (p->b) pl->bpack[o] = p->b[o];
  }
  int sz[MAX_SIZES];
  pl->nsz = plan_sizes(p->T, sz);
  for (int s = 0; s < pl->nsz; s++)
    if (dconv_make(&pl->conv[s], pl->st, p->cin, p->cout, p->K, p->d, sz[s], pl->wpack, pl->bpack, pl->win, pl->zbuf,
                   dnnl_alg_kind_undef, 0.0f, false))
      goto fail;
  snprintf(pl->info, sizeof pl->info, "conv %s", impl_str(&pl->conv[pl->nsz - 1]));
  return pl;
fail:
  plan_free(pl);
  return NULL;
}

static const char *plan_info(const void *p) { return p ? ((const dplan *)p)->info : "no plan"; }

/* Rows of the input with their (K-1)d history into the window (row stride Win). */
static void fill_window(float *win, int Win, const float *in, ptrdiff_t ldi, int rows, int hist, int T) {
  for (int i = 0; i < rows; i++) memcpy(win + (size_t)i * Win, in + i * ldi - hist, sizeof(float) * (size_t)(hist + T));
}

static inline float sigmoidf(float z) { return 1.0f / (1.0f + expf(-z)); }

static void conv_forward(const sw_conv_args *a, void *plan) {
  dplan *pl = plan;
  int s = pl && !pl->is_layer && pl->cin == a->cin && pl->cout == a->cout && pl->K == a->K && pl->d == a->d
              ? pick_size(pl->conv, pl->nsz, a->T) : -1;
  if (s < 0 || (a->b != NULL) != (pl->bpack != NULL)) { sw_backend_naive_impl.conv_forward(a, NULL); return; }
  const dconv *c = &pl->conv[s];
  fill_window(pl->win, c->Win, a->in, a->ldi, a->cin, (a->K - 1) * a->d, a->T);
  if (dconv_run(c, pl->st)) { sw_backend_naive_impl.conv_forward(a, NULL); return; }
  for (int o = 0; o < a->cout; o++) {
    float *y = a->out + o * a->ldo;
    const float *r = pl->zbuf + (size_t)o * c->Tc;
    if (a->accumulate) for (int t = 0; t < a->T; t++) y[t] += r[t];
    else memcpy(y, r, sizeof(float) * (size_t)a->T);
  }
}

static void layer_forward(const sw_layer_args *a, void *plan) {
  dplan *pl = plan;
  int s = pl && pl->is_layer && pl->C == a->C && pl->K == a->K && pl->d == a->d && pl->gated == a->gated &&
              pl->has_v == (a->v != NULL) && !(pl->fused && a->z)
              ? pick_size(pl->conv, pl->nsz, a->T) : -1;
  if (s < 0) { sw_backend_naive_impl.layer_forward(a, NULL); return; }
  const int C = a->C, T = a->T, hist = (a->K - 1) * a->d;
  const dconv *c = &pl->conv[s];
  const int ld = c->Tc; /* row stride of zbuf/abuf/obuf at this size */
  fill_window(pl->win, c->Win, a->h, a->ldh, C, hist, T);
  float *xrow = pl->win + (size_t)C * c->Win;
  memset(xrow, 0, sizeof(float) * (size_t)hist);
  memcpy(xrow + hist, a->x, sizeof(float) * (size_t)T);
  if (dconv_run(c, pl->st)) { sw_backend_naive_impl.layer_forward(a, NULL); return; }
  if (!pl->fused) {
    for (int o = 0; o < C; o++) {
      const float *z1 = pl->zbuf + (size_t)o * ld, *z2 = pl->zbuf + (size_t)(o + C) * ld;
      float *ao = pl->abuf + (size_t)o * ld;
      if (a->gated) for (int t = 0; t < T; t++) ao[t] = sw_act_apply(a->act, z1[t]) * sigmoidf(z2[t]);
      else sw_act_row(a->act, z1, ao, T);
    }
    if (a->z)
      for (int o = 0; o < pl->cm; o++) memcpy(a->z + o * a->ldz, pl->zbuf + (size_t)o * ld, sizeof(float) * (size_t)T);
  }
  /* the 1x1 first, so a failure can still hand the whole call to the reference */
  if (a->v) {
    for (int o = 0; o < C; o++) memcpy(pl->obuf + (size_t)o * ld, a->h + o * a->ldh, sizeof(float) * (size_t)T);
    if (dconv_run(&pl->pw[s], pl->st)) { sw_backend_naive_impl.layer_forward(a, NULL); return; }
  }
  for (int o = 0; o < C; o++) {
    const float *ao = pl->abuf + (size_t)o * ld;
    float *so = a->s + o * a->lds;
    for (int t = 0; t < T; t++) so[t] += ao[t];
    if (a->a) memcpy(a->a + o * a->lda, ao, sizeof(float) * (size_t)T);
    memcpy(a->h_out + o * a->ldo, a->v ? pl->obuf + (size_t)o * ld : a->h + o * a->ldh, sizeof(float) * (size_t)T);
  }
}

/* oneDNN runs OpenMP regions: one thread, like every other backend here. */
static void thread_init(void) { omp_set_num_threads(1); }

const sw_backend sw_backend_onednn_impl = {
  .name = "onednn",
  .isa = "onednn 2.6 jit",
  .usable = usable,
  .layer_plan = layer_plan,
  .conv_plan = conv_plan,
  .plan_free = plan_free,
  .plan_info = plan_info,
  .conv_forward = conv_forward,
  .layer_forward = layer_forward,
  .thread_init = thread_init,
};
