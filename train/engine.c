/* The training engine (engine.h): the model plan executed over a window in time tiles.

   Column frame: column 0 is the first output sample; the window's input spans [-(RF-1), ny). Every
   window buffer row holds that span plus `pad` columns after ny, so column t of a row sits at
   row + off + t. Each op runs on the columns of the tile where its output is valid ("valid"
   convolutions: layer l of array i writes from st[i][l+1]). The gradient buffers (dL/dz per layer,
   dL/ds per array, dL/d head output) are zero where they are never written: before the valid
   range and in the pad, which is exactly where a transposed conv reads past the output's range. */
#include "engine.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/plan.h"

struct sw_engine {
  const sw_net *net;
  sw_plan *plan;
  int ny, tile, btile, maxC; /* time tiles of the forward and the backward */
  long rf, off, win, nw, pad;
  ptrdiff_t ld, ldt;      /* row strides: window buffers, tile buffers */
  long **st;              /* per array: st[l] = first valid column of layer l's input (n_layers + 1) */
  long *sv, *hv;          /* per array: first valid column of s as the head reads it, and of the head output */
  int *lbase, n_tot;      /* per array: index of its first layer among all layers; layers in all */
  long *zspan, *zcap;     /* per layer: (K-1)d, and the columns of its sliding dL/dz buffer */
  ptrdiff_t *ldz;         /* per layer: row stride of that buffer */
};

/* One window's activations, per array i (layer l of array i is layer lbase[i] + l of the net):
   h[lbase[i] + i + l] for l = 0..n_layers (each layer's input, then the last output), a and z
   [lbase[i] + l] (z only where the backward reads it), s[i] and the head output ho[i]. */
struct sw_engine_saved {
  float **h, **a, **z, **s, **ho;
  float *block;
};

/* One thread's scratch: the layer kernels' scratch; dL/dz per layer gz[lbase[i] + l], in a buffer
   that slides leftwards with the backward (logical column t at gz + t - gzbase); dL/ds per array
   gs[i] (window buffers); the residual gradient per array gr[i] (one tile); dL/d(the last head
   output) gho (a window buffer). */
struct sw_engine_ws {
  float *scratch, **gz, **gs, **gr, *gho;
  long *gzbase;
  float *block;
};

static long lmax(long a, long b) { return a > b ? a : b; }
static long lmin(long a, long b) { return a < b ? a : b; }

static void *alloc_floats(size_t n) {
  size_t bytes = (n * sizeof(float) + 63) & ~(size_t)63;
  void *p = aligned_alloc(64, bytes ? bytes : 64);
  if (p) memset(p, 0, bytes ? bytes : 64);
  return p;
}

void sw_engine_free(sw_engine *e) {
  if (!e) return;
  if (e->st)
    for (int i = 0; i < e->net->n_arrays; i++) free(e->st[i]);
  free(e->st);
  free(e->sv);
  free(e->hv);
  free(e->lbase);
  free(e->zspan);
  free(e->zcap);
  free(e->ldz);
  sw_plan_free(e->plan);
  free(e);
}

int sw_engine_create(const sw_net *net, const sw_backend *be, int ny, int tile, int btile, sw_engine **out,
                     sw_err *err) {
  *out = NULL;
  long nw;
  int rc = sw_net_check(net, "model", &nw, err);
  if (rc) return rc;
  if (ny < 1 || ny > (1 << 22)) return sw_fail(err, SW_EUSAGE, "window of %d output samples out of range 1..%d", ny, 1 << 22);
  if (tile < 0 || tile > (1 << 16) || btile < 0 || btile > (1 << 16))
    return sw_fail(err, SW_EUSAGE, "time tiles of %d and %d columns out of range 1..%d", tile, btile, 1 << 16);
  sw_engine *e = calloc(1, sizeof *e);
  if (!e) return sw_fail(err, SW_ENOMEM, "out of memory (training engine)");
  e->net = net;
  e->ny = ny;
  e->tile = tile ? tile : SW_ENGINE_TILE;
  e->btile = btile ? btile : SW_ENGINE_BTILE;
  e->nw = nw;
  e->rf = sw_net_receptive_field(net);
  e->off = e->rf - 1;
  e->win = ny + e->off;
  const int n = net->n_arrays;
  e->st = calloc((size_t)n, sizeof *e->st);
  e->sv = calloc((size_t)n, sizeof *e->sv);
  e->hv = calloc((size_t)n, sizeof *e->hv);
  e->lbase = calloc((size_t)n, sizeof *e->lbase);
  if (!e->st || !e->sv || !e->hv || !e->lbase) goto oom;
  long start = -e->off;
  e->maxC = 1;
  for (int i = 0; i < n; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    if (a->channels > e->maxC) e->maxC = a->channels;
    if (a->head_size > e->maxC) e->maxC = a->head_size;
    e->lbase[i] = e->n_tot;
    e->n_tot += a->n_layers;
    if (!(e->st[i] = calloc((size_t)a->n_layers + 1, sizeof(long)))) goto oom;
    e->st[i][0] = start;
    for (int l = 0; l < a->n_layers; l++) {
      long span = (long)(a->layers[l].kernel - 1) * a->layers[l].dilation;
      e->st[i][l + 1] = e->st[i][l] + span;
      e->pad = lmax(e->pad, span);
    }
    e->sv[i] = lmax(e->st[i][a->n_layers], i > 0 ? e->hv[i - 1] : e->st[i][a->n_layers]);
    e->hv[i] = e->sv[i] + a->head_kernel - 1;
    e->pad = lmax(e->pad, a->head_kernel - 1);
    start = e->st[i][a->n_layers];
  }
  /* The receptive field sums every path, so the output is always valid from column 0. */
  if (e->hv[n - 1] > 0) { sw_engine_free(e); return sw_fail(err, SW_EFAIL, "internal: receptive field too short for the model's paths"); }
  e->ld = sw_row_stride(e->win + e->pad);
  e->ldt = sw_row_stride(e->btile);
  e->zspan = calloc((size_t)e->n_tot + 1, sizeof(long));
  e->zcap = calloc((size_t)e->n_tot + 1, sizeof(long));
  e->ldz = calloc((size_t)e->n_tot + 1, sizeof(ptrdiff_t));
  if (!e->zspan || !e->zcap || !e->ldz) goto oom;
  for (int i = 0; i < n; i++)
    for (int l = 0; l < net->arrays[i].n_layers; l++) {
      const int k = e->lbase[i] + l;
      e->zspan[k] = (long)(net->arrays[i].layers[l].kernel - 1) * net->arrays[i].layers[l].dilation;
      /* a tile, the span after it, and as much again, so a move of the span comes every tile or less often */
      e->zcap[k] = 2 * ((long)e->btile + e->zspan[k]);
      e->ldz[k] = sw_row_stride(e->zcap[k]);
    }
  if ((rc = sw_plan_create(net, be, SW_PLAN_TRAIN, e->tile > e->btile ? e->tile : e->btile, false, &e->plan, err))) { sw_engine_free(e); return rc; }
  *out = e;
  return SW_OK;
oom:
  sw_engine_free(e);
  return sw_fail(err, SW_ENOMEM, "out of memory (training engine)");
}

int sw_engine_bind(sw_engine *e, const sw_widths *wd, sw_err *err) {
  int rc = sw_net_check_widths(e->net, wd, err);
  if (rc) return rc;
  sw_plan_bind(e->plan, wd);
  return SW_OK;
}

int sw_engine_ny(const sw_engine *e) { return e->ny; }
long sw_engine_rf(const sw_engine *e) { return e->rf; }
long sw_engine_window(const sw_engine *e) { return e->win; }
long sw_engine_nw(const sw_engine *e) { return e->nw; }
const sw_layout *sw_engine_layout(const sw_engine *e) { return &e->plan->L; }
int sw_engine_fallbacks(const sw_engine *e) { return e->plan->fallbacks; }

/* ---- buffers ---- */

/* Hands out rows of stride ld from one block (p NULL: only counts them). */
typedef struct carver { float *p; size_t rows; ptrdiff_t ld; } carver;
static float *carve(carver *c, int rows) {
  float *q = c->p ? c->p + c->rows * (size_t)c->ld : NULL;
  c->rows += (size_t)rows;
  return q;
}

static size_t saved_layout(const sw_engine *e, sw_engine_saved *sv) {
  carver c = {.p = sv->block, .ld = e->ld};
  for (int i = 0; i < e->net->n_arrays; i++) {
    const sw_array_cfg *a = &e->net->arrays[i];
    for (int l = 0; l <= a->n_layers; l++) sv->h[e->lbase[i] + i + l] = carve(&c, a->channels);
    for (int l = 0; l < a->n_layers; l++) {
      const sw_layer_cfg *ly = &a->layers[l];
      sv->a[e->lbase[i] + l] = carve(&c, a->channels);
      sv->z[e->lbase[i] + l] = sw_act_needs_z(ly->act, ly->gated) ? carve(&c, ly->gated ? 2 * a->channels : a->channels) : NULL;
    }
    sv->s[i] = carve(&c, a->channels);
    sv->ho[i] = carve(&c, a->head_size);
  }
  return c.rows;
}

void sw_engine_saved_free(sw_engine_saved *s) {
  if (!s) return;
  free(s->h); free(s->a); free(s->z); free(s->s); free(s->ho);
  free(s->block);
  free(s);
}

int sw_engine_saved_create(const sw_engine *e, sw_engine_saved **out, sw_err *err) {
  *out = NULL;
  const size_t n = (size_t)e->net->n_arrays, nl = (size_t)e->n_tot;
  sw_engine_saved *s = calloc(1, sizeof *s);
  if (!s) return sw_fail(err, SW_ENOMEM, "out of memory (training activations)");
  s->h = calloc(nl + n, sizeof(float *));
  s->a = calloc(nl ? nl : 1, sizeof(float *));
  s->z = calloc(nl ? nl : 1, sizeof(float *));
  s->s = calloc(n, sizeof(float *));
  s->ho = calloc(n, sizeof(float *));
  size_t rows = s->h && s->a && s->z && s->s && s->ho ? saved_layout(e, s) : 0;
  if (rows) s->block = alloc_floats(rows * (size_t)e->ld);
  if (!s->block) {
    sw_engine_saved_free(s);
    return sw_fail(err, SW_ENOMEM, "out of memory (training activations: %zu MB)", (rows * (size_t)e->ld * sizeof(float)) >> 20);
  }
  saved_layout(e, s);
  *out = s;
  return SW_OK;
}

static size_t ws_layout(const sw_engine *e, sw_engine_ws *ws) {
  carver c = {.p = ws->block, .ld = 16}; /* in 64-byte lines */
  const sw_net *net = e->net;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    for (int l = 0; l < a->n_layers; l++) {
      const int k = e->lbase[i] + l, rows = a->layers[l].gated ? 2 * a->channels : a->channels;
      ws->gz[k] = carve(&c, (int)((size_t)rows * (size_t)e->ldz[k] / 16));
    }
    ws->gs[i] = carve(&c, (int)((size_t)a->channels * (size_t)e->ld / 16));
    ws->gr[i] = carve(&c, (int)((size_t)a->channels * (size_t)e->ldt / 16));
  }
  ws->gho = carve(&c, (int)((size_t)net->arrays[net->n_arrays - 1].head_size * (size_t)e->ld / 16));
  ws->scratch = carve(&c, (int)((sw_layer_scratch_floats(e->maxC, e->tile > e->btile ? e->tile : e->btile) + 15) / 16));
  return c.rows * 16 / (size_t)e->ld + 1;
}

void sw_engine_ws_free(sw_engine_ws *ws) {
  if (!ws) return;
  free(ws->gz); free(ws->gs); free(ws->gr); free(ws->gzbase);
  free(ws->block);
  free(ws);
}

int sw_engine_ws_create(const sw_engine *e, sw_engine_ws **out, sw_err *err) {
  *out = NULL;
  const size_t n = (size_t)e->net->n_arrays, nl = (size_t)e->n_tot;
  sw_engine_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return sw_fail(err, SW_ENOMEM, "out of memory (training workspace)");
  ws->gz = calloc(nl ? nl : 1, sizeof(float *));
  ws->gs = calloc(n, sizeof(float *));
  ws->gr = calloc(n, sizeof(float *));
  ws->gzbase = calloc(nl ? nl : 1, sizeof(long));
  size_t rows = ws->gz && ws->gs && ws->gr && ws->gzbase ? ws_layout(e, ws) : 0;
  if (rows) ws->block = alloc_floats(rows * (size_t)e->ld);
  if (!ws->block) {
    sw_engine_ws_free(ws);
    return sw_fail(err, SW_ENOMEM, "out of memory (training workspace: %zu MB)", (rows * (size_t)e->ld * sizeof(float)) >> 20);
  }
  ws_layout(e, ws);
  *out = ws;
  return SW_OK;
}

/* ---- forward ---- */

/* Array i over the columns [t0, t1) of its ops' valid ranges. */
static void forward_array(const sw_engine *e, sw_engine_ws *ws, sw_engine_saved *sv, int i, const float *x,
                          long t0, long t1) {
  const sw_array_cfg *A = &e->net->arrays[i];
  const sw_plan_array *pa = &e->plan->arr[i];
  const int c = e->plan->w.c[i], nl = A->n_layers;
  const ptrdiff_t ld = e->ld;
  const long off = e->off, *st = e->st[i];
  float **H = sv->h + e->lbase[i] + i, *S = sv->s[i];
  long u;
  if ((u = lmax(t0, st[0])) < t1) {
    sw_conv_args r = pa->rech.a;
    r.T = (int)(t1 - u);
    r.in = (i ? sv->h[e->lbase[i - 1] + i - 1 + e->net->arrays[i - 1].n_layers] : x) + off + u;
    r.ldi = ld;
    r.out = H[0] + off + u;
    r.ldo = ld;
    pa->rech.fn(&r, NULL);
  }
  /* s starts as the previous array's head output where that is valid, else 0 */
  if ((u = lmax(t0, st[1])) < t1)
    for (int o = 0; o < c; o++) {
      float *srow = S + o * ld + off;
      if (i == 0) { memset(srow + u, 0, sizeof(float) * (size_t)(t1 - u)); continue; }
      const long hv = e->hv[i - 1];
      const float *prev = sv->ho[i - 1] + o * ld + off;
      for (long t = u; t < t1; t++) srow[t] = t >= hv ? prev[t] : 0.0f;
    }
  for (int l = 0; l < nl; l++) {
    if ((u = lmax(t0, st[l + 1])) >= t1) continue;
    const sw_plan_layer *pl = &pa->layers[l];
    const int k = e->lbase[i] + l;
    sw_layer_args a = pl->a;
    a.T = (int)(t1 - u);
    a.h = H[l] + off + u;
    a.ldh = ld;
    a.x = x + off + u;
    a.h_out = H[l + 1] + off + u;
    a.ldo = ld;
    a.s = S + off + u;
    a.lds = ld;
    a.a = sv->a[k] + off + u;
    a.lda = ld;
    a.z = pl->save_z ? sv->z[k] + off + u : NULL;
    a.ldz = ld;
    a.scratch = ws->scratch;
    pl->fn(&a, NULL);
  }
  if ((u = lmax(t0, e->hv[i])) < t1) {
    sw_conv_args g = pa->head.a;
    g.T = (int)(t1 - u);
    g.in = S + off + u;
    g.ldi = ld;
    g.out = sv->ho[i] + off + u;
    g.ldo = ld;
    pa->head.fn(&g, NULL);
  }
}

void sw_engine_forward(const sw_engine *e, sw_engine_ws *ws, sw_engine_saved *sv, const float *x, float *y) {
  for (long t0 = -e->off; t0 < e->ny; t0 += e->tile)
    for (int i = 0; i < e->net->n_arrays; i++) forward_array(e, ws, sv, i, x, t0, lmin(t0 + e->tile, e->ny));
  const float hs = e->net->w[e->plan->L.head_scale], *h = sv->ho[e->net->n_arrays - 1] + e->off;
  for (long t = 0; t < e->ny; t++) y[t] = hs * h[t];
  /* the kernels may save a with streaming stores, which are weakly ordered: a full fence (mfence on
     x86) makes them visible before the window is handed to any other thread */
  __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/* ---- backward ---- */

/* Layer k's dL/dz buffer, positioned so that columns [u, t1 + span) are in it: column t at the
   returned pointer + t. When the tile would run off its left end, the span after the tile (already
   computed, read by this tile's input gradient) moves to the right end. */
static float *gz_tile(const sw_engine *e, sw_engine_ws *ws, int k, long u, long t1, int rows) {
  const long span = e->zspan[k];
  if (u - ws->gzbase[k] < 0) {
    const long nb = t1 + span - e->zcap[k];
    for (int o = 0; o < rows; o++) {
      float *row = ws->gz[k] + o * e->ldz[k];
      memmove(row + (t1 - nb), row + (t1 - ws->gzbase[k]), sizeof(float) * (size_t)span);
    }
    ws->gzbase[k] = nb;
  }
  return ws->gz[k] - ws->gzbase[k];
}

/* Array i over the columns [t0, t1): the head, then the layers from the last, then the rechannel,
   whose input gradient is the previous array's residual gradient on the same tile. */
static void backward_array(const sw_engine *e, sw_engine_ws *ws, const sw_engine_saved *sv, int i, const float *x,
                           long t0, long t1, float *gw, float *gx) {
  const sw_net *net = e->net;
  const sw_array_cfg *A = &net->arrays[i];
  const sw_array_off *O = &e->plan->L.arrays[i];
  const sw_plan_array *pa = &e->plan->arr[i];
  const int c = e->plan->w.c[i], nl = A->n_layers, C = A->channels, last = net->n_arrays - 1;
  const ptrdiff_t ld = e->ld, ldt = e->ldt;
  const long off = e->off, *st = e->st[i];
  const float *W = net->w, *S = sv->s[i];
  float *const *H = sv->h + e->lbase[i] + i;
  /* dL/d(head output): the output's gradient, or the next array's dL/ds, which is 0 wherever this
     head's output is not part of that s (engine.c's frame comment) */
  const float *gho = i == last ? ws->gho : ws->gs[i + 1];
  float *gs = ws->gs[i], *gr = ws->gr[i];
  long u;
  if ((u = lmax(t0, e->hv[i])) < t1) {
    sw_conv_grad_args g = {.cout = pa->head.a.cout, .cin = c, .K = A->head_kernel, .d = 1, .T = (int)(t1 - u),
                           .ldw = pa->head.a.ldw, .in = S + off + u, .ldi = ld, .g_out = gho + off + u, .ldgo = ld,
                           .g_w = gw + O->g, .g_b = O->gb >= 0 ? gw + O->gb : NULL};
    pa->head.grad(&g);
  }
  if ((u = lmax(t0, e->sv[i])) < t1) {
    sw_conv_args t = pa->head.t;
    t.T = (int)(t1 - u);
    t.in = gho + off + u + (A->head_kernel - 1);
    t.ldi = ld;
    t.out = gs + off + u;
    t.ldo = ld;
    pa->head.tfn(&t, NULL);
  }
  /* the last array's residual output is not used: its gradient is 0 (the others' is written by
     the next array's rechannel, which ran first on this tile) */
  if (i == last && (u = lmax(t0, st[nl])) < t1)
    for (int o = 0; o < c; o++) memset(gr + o * ldt + (u - t0), 0, sizeof(float) * (size_t)(t1 - u));
  for (int l = nl - 1; l >= 0; l--) {
    const sw_plan_layer *pl = &pa->layers[l];
    const sw_layer_off *lo = &O->layers[l];
    const int k = e->lbase[i] + l, K = pl->a.K;
    const long uo = lmax(t0, st[l + 1]), ui = lmax(t0, st[l]);
    if (ui >= t1) continue;
    float *gz = gz_tile(e, ws, k, ui, t1, pl->a.gated ? 2 * c : c);
    const ptrdiff_t ldz = e->ldz[k];
    if (uo < t1) {
      sw_layer_grad_args g = {
        .C = c, .K = K, .d = pl->a.d, .T = (int)(t1 - uo), .gated = pl->a.gated, .act = pl->a.act,
        .ldw = (ptrdiff_t)C * K, .m = W + lo->m, .v = lo->v >= 0 ? W + lo->v : NULL, .ldv = C,
        .h = H[l] + off + uo, .ldh = ld, .x = x + off + uo, .z = pl->save_z ? sv->z[k] + off + uo : NULL,
        .ldz = ld, .a = sv->a[k] + off + uo, .lda = ld, .g_out = gr + (uo - t0), .ldgo = ldt,
        .g_s = gs + off + uo, .ldgs = ld, .gz = gz + uo, .ldgz = ldz, .g_x = gx ? gx + off + uo : NULL,
        .g_w = gw + lo->w, .g_b = gw + lo->b, .g_m = gw + lo->m, .g_v = lo->v >= 0 ? gw + lo->v : NULL,
        .g_vb = lo->v >= 0 ? gw + lo->vb : NULL, .scratch = ws->scratch};
      pl->grad(&g);
    }
    /* dL/dh = g_out (the residual; none where this layer has no output) + gz through W^T, which
       reads gz up to (K-1)d columns on: 0 where the layer has no output */
    const long z1 = lmin(uo, t1);
    for (int o = 0; ui < z1 && o < (pl->a.gated ? 2 * c : c); o++) memset(gz + o * ldz + ui, 0, sizeof(float) * (size_t)(z1 - ui));
    for (int o = 0; ui < z1 && o < c; o++) memset(gr + o * ldt + (ui - t0), 0, sizeof(float) * (size_t)(z1 - ui));
    sw_conv_args t = pl->t;
    t.T = (int)(t1 - ui);
    t.in = gz + ui + e->zspan[k];
    t.ldi = ldz;
    t.out = gr + (ui - t0);
    t.ldo = ldt;
    pl->tfn(&t, NULL);
  }
  if ((u = lmax(t0, st[0])) < t1) {
    const float *in = i ? sv->h[e->lbase[i - 1] + i - 1 + net->arrays[i - 1].n_layers] : x;
    sw_conv_grad_args g = {.cout = c, .cin = pa->rech.a.cin, .K = 1, .d = 1, .T = (int)(t1 - u),
                           .ldw = A->input_size, .in = in + off + u, .ldi = ld, .g_out = gr + (u - t0), .ldgo = ldt,
                           .g_w = gw + O->r};
    pa->rech.grad(&g);
    if (i > 0 || gx) {
      sw_conv_args t = pa->rech.t;
      t.T = (int)(t1 - u);
      t.in = gr + (u - t0);
      t.ldi = ldt;
      t.out = i ? ws->gr[i - 1] + (u - t0) : gx + off + u;
      t.ldo = i ? ldt : 0;
      t.accumulate = i == 0;
      pa->rech.tfn(&t, NULL);
    }
  }
}

void sw_engine_backward(const sw_engine *e, sw_engine_ws *ws, const sw_engine_saved *sv, const float *x,
                        const float *gy, float *gw, float *gx) {
  const float hs = e->net->w[e->plan->L.head_scale];
  for (long t = 0; t < e->ny; t++) ws->gho[e->off + t] = hs * gy[t];
  /* each dL/dz buffer starts at the window's right end, its span after ny zero (no output there) */
  for (int i = 0; i < e->net->n_arrays; i++)
    for (int l = 0; l < e->net->arrays[i].n_layers; l++) {
      const int k = e->lbase[i] + l, rows = e->net->arrays[i].layers[l].gated ? 2 * e->plan->w.c[i] : e->plan->w.c[i];
      ws->gzbase[k] = e->ny + e->zspan[k] - e->zcap[k];
      for (int o = 0; o < rows; o++) memset(ws->gz[k] + o * e->ldz[k] + (e->ny - ws->gzbase[k]), 0, sizeof(float) * (size_t)e->zspan[k]);
    }
  const long ntiles = (e->win + e->btile - 1) / e->btile;
  for (long j = ntiles - 1; j >= 0; j--) {
    const long t0 = -e->off + j * e->btile, t1 = lmin(t0 + e->btile, e->ny);
    for (int i = e->net->n_arrays - 1; i >= 0; i--) backward_array(e, ws, sv, i, x, t0, t1, gw, gx);
  }
}
