/* The oneDNN 2.6 backend (C API): each layer is a dilated convolution primitive (dilation
   passed as d-1) with the mixin folded in as one more input channel, bias and the activation
   fused (eltwise post-op), then a 1x1 convolution with bias and a sum post-op for the residual.
   Primitives, reordered weights and buffers are made in the plan, outside the timed path.

   Activation layouts are left to oneDNN ("any"): on AVX2 it then picks jit:avx2 with channels
   blocked by 8 (nCw8c), 2-3x faster per call than the gemm:jit it uses for plain ncw; we pack
   and unpack that layout ourselves (plain ncw is the fallback for any other choice). Shapes are
   fixed in a primitive but the interface passes strides and T per call, so each plan owns its
   buffers and holds primitives for a few block lengths made at plan time: powers of two from 8
   below max_T, and max_T. A call with T frames runs the smallest one >= T on the first T columns
   (at most twice the work; the other columns are ignored). Per call the input is copied into
   the window: the (K-1)d + T columns when d <= Tc, else only the K tapped runs of T columns with
   the primitive's dilation set to Tc instead of d (the same sums, far less copying).
   No plan (e.g. a direct call) means the reference loops run. Backward slots are NULL: the
   naive backward runs for training. */
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

/* Activation layouts we pack/unpack ourselves: plain ncw, or nCw8c (channels in blocks of 8,
   the layout oneDNN's jit:avx2 convolution picks when the format is left to it). */
enum { LAY_NCW, LAY_NCW8C };

static inline size_t lay_at(int lay, int W, int r, int j) {
  return lay == LAY_NCW ? (size_t)r * W + j : ((size_t)(r >> 3) * W + j) * 8 + (r & 7);
}
/* Row r, columns col0 .. col0+n-1 of a buffer of layout lay and width W, from/to a plain row. */
static void pack_row(int lay, float *buf, int W, int r, int col0, const float *src, int n) {
  if (lay == LAY_NCW) {
    if (src) memcpy(buf + (size_t)r * W + col0, src, sizeof(float) * (size_t)n);
    else memset(buf + (size_t)r * W + col0, 0, sizeof(float) * (size_t)n);
    return;
  }
  float *b = buf + lay_at(lay, W, r, col0);
  for (int j = 0; j < n; j++) b[8 * j] = src ? src[j] : 0.0f;
}
static void unpack_row(int lay, const float *buf, int W, int r, float *dst, int n) {
  if (lay == LAY_NCW) { memcpy(dst, buf + (size_t)r * W, sizeof(float) * (size_t)n); return; }
  const float *b = buf + lay_at(lay, W, r, 0);
  for (int j = 0; j < n; j++) dst[j] = b[8 * j];
}

/* One convolution primitive at one output length; src/dst memory objects are bound to plan
   buffers (shared by the lengths) after all primitives exist. */
typedef struct dconv {
  int Tc, Win, lay_s, lay_d;
  bool gather; /* d > Tc: the window holds only the K tapped runs of Tc columns, dilation Tc */
  size_t src_bytes, dst_bytes;
  dnnl_memory_desc_t smd, dmd;
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

/* Which of our two layouts md is (-1: neither). */
static int layout_of(const dnnl_memory_desc_t *md, int ch, int W) {
  dnnl_memory_desc_t t;
  dnnl_dims_t dims = {1, ch, W};
  if (dnnl_memory_desc_init_by_tag(&t, 3, dims, dnnl_f32, dnnl_ncw) == dnnl_success && dnnl_memory_desc_equal(md, &t))
    return LAY_NCW;
  if (dnnl_memory_desc_init_by_tag(&t, 3, dims, dnnl_f32, dnnl_nCw8c) == dnnl_success && dnnl_memory_desc_equal(md, &t))
    return LAY_NCW8C;
  return -1;
}

/* dst[1][cout][Tc] = conv(src[1][cin][Tc + (K-1)d], w [cout][cin][K] plain) (+ bias) + post-ops.
   any: let oneDNN choose the activation layouts (jit:avx2 picks nCw8c), else plain ncw (which
   gets gemm:jit). Weights are reordered once into the layout the primitive chose. */
static int dconv_make(dconv *c, dnnl_stream_t st, int cin, int cout, int K, int d, int Tc, const float *w,
                      const float *bias, dnnl_alg_kind_t eltwise, float alpha, bool sum, bool any) {
  memset(c, 0, sizeof *c);
  c->Tc = Tc;
  c->gather = d > Tc;
  if (c->gather) d = Tc; /* tap k of output t sits at window column t + k*Tc */
  c->Win = Tc + (K - 1) * d;
  dnnl_memory_desc_t smd, wmd, bmd, dmd, wplain;
  dnnl_dims_t sd = {1, cin, c->Win}, wd = {cout, cin, K}, bd = {cout}, dd = {1, cout, Tc};
  dnnl_dims_t strides = {1}, dil = {d - 1}, pad = {0};
  dnnl_format_tag_t tag = any ? dnnl_format_tag_any : dnnl_ncw;
  int ok = dnnl_memory_desc_init_by_tag(&smd, 3, sd, dnnl_f32, tag) == dnnl_success &&
           dnnl_memory_desc_init_by_tag(&wmd, 3, wd, dnnl_f32, dnnl_format_tag_any) == dnnl_success &&
           dnnl_memory_desc_init_by_tag(&wplain, 3, wd, dnnl_f32, dnnl_oiw) == dnnl_success &&
           dnnl_memory_desc_init_by_tag(&bmd, 1, bd, dnnl_f32, dnnl_x) == dnnl_success &&
           dnnl_memory_desc_init_by_tag(&dmd, 3, dd, dnnl_f32, tag) == dnnl_success;
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
  c->smd = *dnnl_primitive_desc_query_md(c->pd, dnnl_query_src_md, 0);
  c->dmd = *dnnl_primitive_desc_query_md(c->pd, dnnl_query_dst_md, 0);
  c->lay_s = layout_of(&c->smd, cin, c->Win);
  c->lay_d = layout_of(&c->dmd, cout, Tc);
  c->src_bytes = dnnl_memory_desc_get_size(&c->smd);
  c->dst_bytes = dnnl_memory_desc_get_size(&c->dmd);
  if (c->lay_s < 0 || c->lay_d < 0) { dconv_free(c); return -1; }
  const dnnl_memory_desc_t *wq = dnnl_primitive_desc_query_md(c->pd, dnnl_query_weights_md, 0);
  const dnnl_memory_desc_t *sq = dnnl_primitive_desc_query_md(c->pd, dnnl_query_scratchpad_md, 0);
  size_t scr = sq ? dnnl_memory_desc_get_size(sq) : 0;
  if (scr) c->scr_buf = aligned_alloc(64, (scr + 63) & ~(size_t)63);
  ok = (!scr || c->scr_buf) && dnnl_primitive_create(&c->prim, c->pd) == dnnl_success &&
       dnnl_memory_create(&c->wei, wq, engine, DNNL_MEMORY_ALLOCATE) == dnnl_success &&
       (!bias || dnnl_memory_create(&c->bias, &bmd, engine, (void *)bias) == dnnl_success) &&
       (!scr || dnnl_memory_create(&c->scr, sq, engine, c->scr_buf) == dnnl_success);
  if (ok) { /* plain [cout][cin][K] into the primitive's weight layout (zero-padded), once */
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

/* The chosen layouts first; plain ncw if oneDNN picked one we do not pack. */
static int dconv_make2(dconv *c, dnnl_stream_t st, int cin, int cout, int K, int d, int Tc, const float *w,
                       const float *bias, dnnl_alg_kind_t eltwise, float alpha, bool sum) {
  if (!dconv_make(c, st, cin, cout, K, d, Tc, w, bias, eltwise, alpha, sum, true)) return 0;
  return dconv_make(c, st, cin, cout, K, d, Tc, w, bias, eltwise, alpha, sum, false);
}

static int dconv_bind(dconv *c, void *src, void *dst) {
  return dnnl_memory_create(&c->src, &c->smd, engine, src) == dnnl_success &&
         dnnl_memory_create(&c->dst, &c->dmd, engine, dst) == dnnl_success ? 0 : -1;
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
  bool is_layer, fused, gated, has_v;
  bool chain[MAX_SIZES]; /* the conv's output buffer is the 1x1's input as it is (same layout) */
  int C, cm, cin, cout, K, d, max_T, nsz;
  sw_act act;
  dnnl_stream_t st;
  float *win, *craw;          /* conv src (window) and dst in the layouts oneDNN chose */
  float *asrc, *obuf;         /* 1x1 src and dst, same */
  float *zbuf, *abuf;         /* plain rows (row stride max_T): pre-activation, activation */
  float *wpack, *bpack, *vpack; /* plain weights given to the reorders, and the bias copies */
  dconv conv[MAX_SIZES], pw[MAX_SIZES];
  char info[256];
} dplan;

static void plan_free(void *p) {
  dplan *pl = p;
  if (!pl) return;
  for (int i = 0; i < MAX_SIZES; i++) { dconv_free(&pl->conv[i]); dconv_free(&pl->pw[i]); }
  if (pl->st) dnnl_stream_destroy(pl->st);
  free(pl->win); free(pl->craw); free(pl->asrc); free(pl->obuf); free(pl->zbuf); free(pl->abuf);
  free(pl->wpack); free(pl->bpack); free(pl->vpack);
  free(pl);
}

static float *falloc(size_t n) {
  size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
  float *p = aligned_alloc(64, bytes ? bytes : 64);
  if (p) memset(p, 0, bytes ? bytes : 64); /* padded channels stay zero */
  return p;
}

static dplan *plan_alloc(int max_T) {
  if (!usable() || max_T < 1) return NULL;
  dplan *pl = calloc(1, sizeof *pl);
  if (!pl) return NULL;
  if (dnnl_stream_create(&pl->st, engine, dnnl_stream_default_flags) != dnnl_success) { free(pl); return NULL; }
  return pl;
}

/* Buffers as large as the largest length needs, then the memory objects of every length. */
static int bind_all(dplan *pl, bool pw) {
  size_t sb = 0, db = 0, psb = 0, pdb = 0;
  for (int s = 0; s < pl->nsz; s++) {
    if (pl->conv[s].src_bytes > sb) sb = pl->conv[s].src_bytes;
    if (pl->conv[s].dst_bytes > db) db = pl->conv[s].dst_bytes;
    if (pw && pl->pw[s].src_bytes > psb) psb = pl->pw[s].src_bytes;
    if (pw && pl->pw[s].dst_bytes > pdb) pdb = pl->pw[s].dst_bytes;
  }
  pl->win = falloc(sb / sizeof(float));
  pl->craw = falloc(db / sizeof(float));
  if (pw) { pl->asrc = falloc(psb / sizeof(float)); pl->obuf = falloc(pdb / sizeof(float)); }
  if (!pl->win || !pl->craw || (pw && (!pl->asrc || !pl->obuf))) return -1;
  for (int s = 0; s < pl->nsz; s++) {
    if (dconv_bind(&pl->conv[s], pl->win, pl->craw)) return -1;
    if (pw && dconv_bind(&pl->pw[s], pl->chain[s] ? (void *)pl->craw : (void *)pl->asrc, pl->obuf)) return -1;
  }
  return 0;
}

static void *layer_plan(const sw_layer_args *p) {
  dplan *pl = plan_alloc(p->T);
  if (!pl) return NULL;
  const int C = p->C, K = p->K, cm = p->gated ? 2 * C : C, cin = C + 1;
  float alpha;
  dnnl_alg_kind_t alg = act_alg(p->act, &alpha);
  *pl = (dplan){.is_layer = true, .gated = p->gated, .has_v = p->v != NULL, .C = C, .cm = cm, .cin = cin,
                .cout = cm, .K = K, .d = p->d, .max_T = p->T, .act = p->act, .st = pl->st};
  pl->fused = !p->gated && !p->z && !p->a && alg != dnnl_alg_kind_undef; /* inference: a kept only from the plain path */
  pl->zbuf = falloc((size_t)cm * p->T);
  pl->abuf = falloc((size_t)C * p->T);
  pl->wpack = falloc((size_t)cm * cin * K);
  pl->bpack = falloc((size_t)cm + (size_t)C);
  pl->vpack = falloc((size_t)C * C);
  if (!pl->zbuf || !pl->abuf || !pl->wpack || !pl->bpack || !pl->vpack) goto fail;
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
      pl->bpack[cm + o] = p->vb ? p->vb[o] : 0.0f;
    }
  int sz[MAX_SIZES];
  pl->nsz = plan_sizes(p->T, sz);
  for (int s = 0; s < pl->nsz; s++) {
    if (dconv_make2(&pl->conv[s], pl->st, cin, cm, K, p->d, sz[s], pl->wpack, pl->bpack,
                    pl->fused ? alg : dnnl_alg_kind_undef, alpha, false))
      goto fail;
    if (p->v && dconv_make2(&pl->pw[s], pl->st, C, C, 1, 1, sz[s], pl->vpack, pl->bpack + cm, dnnl_alg_kind_undef, 0.0f, true))
      goto fail;
  }
  for (int s = 0; s < pl->nsz; s++) /* inference, not gated: the activation can stay in oneDNN's layout */
    pl->chain[s] = p->v && !p->gated && !p->z && dnnl_memory_desc_equal(&pl->conv[s].dmd, &pl->pw[s].smd);
  if (bind_all(pl, p->v != NULL)) goto fail;
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
  pl->max_T = p->T;
  pl->wpack = falloc((size_t)p->cout * p->cin * p->K);
  pl->bpack = p->b ? falloc((size_t)p->cout) : NULL;
  if (!pl->wpack || (p->b && !pl->bpack)) goto fail;
  for (int o = 0; o < p->cout; o++) {
    memcpy(pl->wpack + (size_t)o * p->cin * p->K, p->w + o * p->ldw, sizeof(float) * (size_t)p->cin * p->K);
    if (p->b) pl->bpack[o] = p->b[o];
  }
  int sz[MAX_SIZES];
  pl->nsz = plan_sizes(p->T, sz);
  for (int s = 0; s < pl->nsz; s++)
    if (dconv_make2(&pl->conv[s], pl->st, p->cin, p->cout, p->K, p->d, sz[s], pl->wpack, pl->bpack,
                    dnnl_alg_kind_undef, 0.0f, false))
      goto fail;
  if (bind_all(pl, false)) goto fail;
  snprintf(pl->info, sizeof pl->info, "conv %s", impl_str(&pl->conv[pl->nsz - 1]));
  return pl;
fail:
  plan_free(pl);
  return NULL;
}

static const char *plan_info(const void *p) { return p ? ((const dplan *)p)->info : "no plan"; }

/* Rows of the input into the window: the (K-1)d + T columns, or when d > Tc only the K tapped
   runs of T columns (K*T copies instead of (K-1)d + T: 192 instead of 1088 at d = 512, T = 64).
   in == NULL: zeros. */
static void fill_window(const dconv *c, float *win, const float *in, ptrdiff_t ldi, int r0, int rows, int K, int d, int T) {
  for (int i = 0; i < rows; i++)
    if (!c->gather) pack_row(c->lay_s, win, c->Win, r0 + i, 0, in ? in + i * ldi - (ptrdiff_t)(K - 1) * d : NULL, (K - 1) * d + T);
    else
      for (int k = 0; k < K; k++)
        pack_row(c->lay_s, win, c->Win, r0 + i, k * c->Tc, in ? in + i * ldi - (ptrdiff_t)(K - 1 - k) * d : NULL, T);
}

static inline float sigmoidf(float z) { return 1.0f / (1.0f + expf(-z)); }

static void conv_forward(const sw_conv_args *a, void *plan) {
  dplan *pl = plan;
  int s = pl && !pl->is_layer && pl->cin == a->cin && pl->cout == a->cout && pl->K == a->K && pl->d == a->d
              ? pick_size(pl->conv, pl->nsz, a->T) : -1;
  if (s < 0 || (a->b != NULL) != (pl->bpack != NULL)) { sw_backend_naive_impl.conv_forward(a, NULL); return; }
  const dconv *c = &pl->conv[s];
  fill_window(c, pl->win, a->in, a->ldi, 0, a->cin, a->K, a->d, a->T);
  if (dconv_run(c, pl->st)) { sw_backend_naive_impl.conv_forward(a, NULL); return; }
  for (int o = 0; o < a->cout; o++) {
    float *y = a->out + o * a->ldo;
    if (!a->accumulate) { unpack_row(c->lay_d, pl->craw, c->Tc, o, y, a->T); continue; }
    const float *r = pl->craw + lay_at(c->lay_d, c->Tc, o, 0);
    int step = c->lay_d == LAY_NCW ? 1 : 8;
    for (int t = 0; t < a->T; t++) y[t] += r[step * t];
  }
}

static void layer_forward(const sw_layer_args *a, void *plan) {
  dplan *pl = plan;
  int s = pl && pl->is_layer && pl->C == a->C && pl->K == a->K && pl->d == a->d && pl->gated == a->gated &&
              pl->has_v == (a->v != NULL) && !(pl->fused && (a->z || a->a))
              ? pick_size(pl->conv, pl->nsz, a->T) : -1;
  if (s < 0 || (pl->chain[s] && a->z)) { sw_backend_naive_impl.layer_forward(a, NULL); return; }
  const int C = a->C, T = a->T, hist = (a->K - 1) * a->d, ld = pl->max_T;
  const dconv *c = &pl->conv[s];
  fill_window(c, pl->win, a->h, a->ldh, 0, C, a->K, a->d, T);
  /* row C is x on the undelayed tap only; the other taps see zeros (their weights are 0) */
  fill_window(c, pl->win, NULL, 0, C, 1, a->K, a->d, T);
  pack_row(c->lay_s, pl->win, c->Win, C, c->gather ? (a->K - 1) * c->Tc : hist, a->x, T);
  if (dconv_run(c, pl->st)) { sw_backend_naive_impl.layer_forward(a, NULL); return; }
  const dconv *q = &pl->pw[s];
  if (pl->chain[s]) { /* activation in place in oneDNN's layout (whole buffer: padding stays 0) */
    if (!pl->fused) sw_act_row(a->act, pl->craw, pl->craw, (int)(c->dst_bytes / sizeof(float)));
    for (int o = 0; o < C; o++) pack_row(q->lay_d, pl->obuf, q->Tc, o, 0, a->h + o * a->ldh, T);
    if (dconv_run(q, pl->st)) { sw_backend_naive_impl.layer_forward(a, NULL); return; }
    int step = c->lay_d == LAY_NCW ? 1 : 8;
    for (int o = 0; o < C; o++) {
      const float *ao = pl->craw + lay_at(c->lay_d, c->Tc, o, 0);
      float *so = a->s + o * a->lds;
      for (int t = 0; t < T; t++) so[t] += ao[step * t];
      if (a->a) unpack_row(c->lay_d, pl->craw, c->Tc, o, a->a + o * a->lda, T);
      unpack_row(q->lay_d, pl->obuf, q->Tc, o, a->h_out + o * a->ldo, T);
    }
    return;
  }
  if (pl->fused) {
    for (int o = 0; o < C; o++) unpack_row(c->lay_d, pl->craw, c->Tc, o, pl->abuf + (size_t)o * ld, T);
  } else {
    for (int o = 0; o < pl->cm; o++) unpack_row(c->lay_d, pl->craw, c->Tc, o, pl->zbuf + (size_t)o * ld, T);
    for (int o = 0; o < C; o++) {
      const float *z1 = pl->zbuf + (size_t)o * ld, *z2 = pl->zbuf + (size_t)(o + C) * ld;
      float *ao = pl->abuf + (size_t)o * ld;
      if (a->gated) for (int t = 0; t < T; t++) ao[t] = sw_act_apply(a->act, z1[t]) * sigmoidf(z2[t]);
      else sw_act_row(a->act, z1, ao, T);
    }
    if (a->z)
      for (int o = 0; o < pl->cm; o++) memcpy(a->z + o * a->ldz, pl->zbuf + (size_t)o * ld, sizeof(float) * (size_t)T);
  }
  /* the 1x1 (sum post-op onto h) before touching s, so a failure can still hand the call to naive */
  if (a->v) {
    for (int o = 0; o < C; o++) {
      pack_row(q->lay_s, pl->asrc, q->Win, o, 0, pl->abuf + (size_t)o * ld, T);
      pack_row(q->lay_d, pl->obuf, q->Tc, o, 0, a->h + o * a->ldh, T);
    }
    if (dconv_run(q, pl->st)) { sw_backend_naive_impl.layer_forward(a, NULL); return; }
  }
  for (int o = 0; o < C; o++) {
    const float *ao = pl->abuf + (size_t)o * ld;
    float *so = a->s + o * a->lds;
    for (int t = 0; t < T; t++) so[t] += ao[t];
    if (a->a) memcpy(a->a + o * a->lda, ao, sizeof(float) * (size_t)T);
    if (a->v) unpack_row(q->lay_d, pl->obuf, q->Tc, o, a->h_out + o * a->ldo, T);
    else memcpy(a->h_out + o * a->ldo, a->h + o * a->ldh, sizeof(float) * (size_t)T);
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
