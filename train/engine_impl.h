/* The engine's forward and backward, written once over a `REAL` type and included by
   engine_f.c (float, backend ops) and engine_d.c (double, ops_d.h). The includer defines:
   REAL, WS (workspace struct name), FN(name) (suffix), CONV_ARGS, LAYER_ARGS, CONV_GRAD,
   LAYER_GRAD, and CONV_FWD(e,a) LAYER_FWD(e,a) CONV_BWD(e,a) LAYER_BWD(e,a). */
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"

struct WS {
  REAL **h;        /* per layer l of array i: h[lbase_i + i + l], l = 0..n_layers (C rows each) */
  REAL **z, **a;   /* per layer: pre-activation (cmid rows) and activation (C rows) */
  REAL **s, **ho;  /* per array: head accumulator (C rows) and head output (H rows) */
  REAL *g0, *g1, *gs0, *gs1, *gy;  /* backward: residual grads, s grads, output grad (maxC rows) */
  REAL *scratch;
  void *block;     /* one allocation holds every buffer */
};

static size_t FN(ws_floats)(const sw_engine *e, size_t *scr) {
  size_t ld = (size_t)e->ld, n = 0;
  for (int i = 0; i < e->net.n_arrays; i++) {
    const sw_array_cfg *a = &e->net.arrays[i];
    size_t C = (size_t)a->channels;
    n += (size_t)(a->n_layers + 1) * C * ld;                 /* h */
    for (int l = 0; l < a->n_layers; l++) n += (a->layers[l].gated ? 3 : 2) * C * ld; /* z, a */
    n += C * ld + (size_t)a->head_size * ld;                 /* s, ho */
  }
  n += 5 * (size_t)e->maxC * ld;
  *scr = sw_layer_scratch_floats(e->maxC, (int)e->ld);
  return n + *scr;
}

static void FN(ws_free)(struct WS *ws) {
  if (!ws) return;
  free(ws->h); free(ws->z); free(ws->a); free(ws->s); free(ws->ho);
  free(ws->block);
  free(ws);
}

static int FN(ws_create)(const sw_engine *e, struct WS **out, sw_err *err) {
  *out = NULL;
  int n = e->net.n_arrays;
  struct WS *ws = calloc(1, sizeof *ws);
  if (!ws) return sw_fail(err, SW_ENOMEM, "out of memory (training workspace)");
  ws->h = calloc((size_t)(e->n_tot + n), sizeof(REAL *));
  ws->z = calloc((size_t)e->n_tot, sizeof(REAL *));
  ws->a = calloc((size_t)e->n_tot, sizeof(REAL *));
  ws->s = calloc((size_t)n, sizeof(REAL *));
  ws->ho = calloc((size_t)n, sizeof(REAL *));
  size_t scr, total = FN(ws_floats)(e, &scr);
  ws->block = sw_engine_alloc(total * sizeof(REAL));
  if (!ws->h || !ws->z || !ws->a || !ws->s || !ws->ho || !ws->block) {
    FN(ws_free)(ws);
    return sw_fail(err, SW_ENOMEM, "out of memory (training workspace: %zu MB)", total * sizeof(REAL) >> 20);
  }
  REAL *p = ws->block;
  size_t ld = (size_t)e->ld, M = (size_t)e->maxC * ld;
  ws->scratch = p; p += (scr + 15) & ~(size_t)15;
  for (int i = 0; i < n; i++) {
    const sw_array_cfg *a = &e->net.arrays[i];
    size_t C = (size_t)a->channels;
    for (int l = 0; l <= a->n_layers; l++) { ws->h[e->lbase[i] + i + l] = p; p += C * ld; }
    for (int l = 0; l < a->n_layers; l++) {
      ws->z[e->lbase[i] + l] = p; p += (a->layers[l].gated ? 2 : 1) * C * ld;
      ws->a[e->lbase[i] + l] = p; p += C * ld;
    }
    ws->s[i] = p; p += C * ld;
    ws->ho[i] = p; p += (size_t)a->head_size * ld;
  }
  ws->g0 = p; p += M;
  ws->g1 = p; p += M;
  ws->gs0 = p; p += M;
  ws->gs1 = p; p += M;
  ws->gy = p;
  *out = ws;
  return SW_OK;
}

static void FN(zero_rows)(REAL *p, int rows, ptrdiff_t ld, long from, long n) {
  for (int r = 0; r < rows; r++) memset(p + r * ld + from, 0, sizeof(REAL) * (size_t)n);
}

static void FN(forward)(const sw_engine *e, struct WS *ws, const REAL *w, const sw_widths *wd, const REAL *x, REAL *y) {
  const sw_net *net = &e->net;
  const ptrdiff_t ld = e->ld;
  const long off = e->off, ny = e->ny;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *A = &net->arrays[i];
    const sw_array_off *O = &e->L.arrays[i];
    const int C = A->channels, c = wd->c[i], nl = A->n_layers;
    REAL **H = ws->h + e->lbase[i] + i, **Z = ws->z + e->lbase[i], **Ac = ws->a + e->lbase[i];
    const long a0 = e->st[i][0];
    const REAL *in = i ? ws->h[e->lbase[i - 1] + i - 1 + net->arrays[i - 1].n_layers] : x;
    CONV_ARGS r = {.cout = c, .cin = i ? wd->c[i - 1] : 1, .K = 1, .d = 1, .T = (int)(ny - a0),
                   .w = w + O->r, .ldw = A->input_size, .in = in + off + a0, .ldi = ld,
                   .out = H[0] + off + a0, .ldo = ld};
    CONV_FWD(e, &r);
    /* s starts as the previous array's head output where that is valid, else 0 */
    const long s0 = e->st[i][1];
    for (int o = 0; o < c; o++) {
      REAL *srow = ws->s[i] + o * ld + off;
      if (i == 0) { memset(srow + s0, 0, sizeof(REAL) * (size_t)(ny - s0)); continue; }
      const long hv = e->hv[i - 1];
      const REAL *prev = ws->ho[i - 1] + o * ld + off;
      for (long t = s0; t < ny; t++) srow[t] = t >= hv ? prev[t] : 0;
    }
    for (int l = 0; l < nl; l++) {
      const sw_layer_cfg *ly = &A->layers[l];
      const sw_layer_off *lo = &O->layers[l];
      const long so = e->st[i][l + 1];
      LAYER_ARGS la = {
        .C = c, .K = ly->kernel, .d = ly->dilation, .T = (int)(ny - so), .gated = ly->gated, .act = ly->act,
        .w = w + lo->w, .b = w + lo->b, .ldw = (ptrdiff_t)C * ly->kernel, .m = w + lo->m,
        .v = lo->v >= 0 ? w + lo->v : NULL, .vb = lo->v >= 0 ? w + lo->vb : NULL, .ldv = C,
        .h = H[l] + off + so, .ldh = ld, .x = x + off + so,
        .h_out = H[l + 1] + off + so, .ldo = ld, .s = ws->s[i] + off + so, .lds = ld,
        .z = Z[l] + off + so, .ldz = ld, .a = Ac[l] + off + so, .lda = ld, .scratch = ws->scratch};
      LAYER_FWD(e, &la);
    }
    const long hv = e->hv[i];
    CONV_ARGS g = {.cout = i + 1 < net->n_arrays ? wd->c[i + 1] : A->head_size, .cin = c, .K = A->head_kernel,
                   .d = 1, .T = (int)(ny - hv), .w = w + O->g, .ldw = (ptrdiff_t)C * A->head_kernel,
                   .b = O->gb >= 0 ? w + O->gb : NULL, .in = ws->s[i] + off + hv, .ldi = ld,
                   .out = ws->ho[i] + off + hv, .ldo = ld};
    CONV_FWD(e, &g);
  }
  const REAL hs = w[e->L.head_scale], *h = ws->ho[net->n_arrays - 1] + off;
  for (long t = 0; t < ny; t++) y[t] = hs * h[t];
}

static void FN(backward)(const sw_engine *e, struct WS *ws, const REAL *w, const sw_widths *wd, const REAL *x,
                         const REAL *gy, REAL *gw, REAL *gx) {
  const sw_net *net = &e->net;
  const ptrdiff_t ld = e->ld;
  const long off = e->off, ny = e->ny, win = e->win;
  const int last = net->n_arrays - 1;
  REAL *gcur = ws->g0, *gnext = ws->g1, *gs = ws->gs0, *gs_other = ws->gs1;
  /* dL/d(head output of the last array) = head_scale * gy on [0, ny), 0 before */
  REAL *gho = ws->gy;
  const REAL hs = w[e->L.head_scale];
  memset(gho, 0, sizeof(REAL) * (size_t)off);
  for (long t = 0; t < ny; t++) gho[off + t] = hs * gy[t];
  for (int i = last; i >= 0; i--) {
    const sw_array_cfg *A = &net->arrays[i];
    const sw_array_off *O = &e->L.arrays[i];
    const int C = A->channels, c = wd->c[i], nl = A->n_layers, cin = i ? wd->c[i - 1] : 1;
    REAL **H = ws->h + e->lbase[i] + i, **Z = ws->z + e->lbase[i], **Ac = ws->a + e->lbase[i];
    const long a0 = e->st[i][0], hv = e->hv[i];
    FN(zero_rows)(gs, c, ld, 0, win);
    CONV_GRAD g = {.cout = i < last ? wd->c[i + 1] : A->head_size, .cin = c, .K = A->head_kernel, .d = 1,
                   .T = (int)(ny - hv), .w = w + O->g, .ldw = (ptrdiff_t)C * A->head_kernel,
                   .in = ws->s[i] + off + hv, .ldi = ld, .g_out = gho + off + hv, .ldgo = ld,
                   .g_in = gs + off + hv, .ldgi = ld, .g_w = gw + O->g, .g_b = O->gb >= 0 ? gw + O->gb : NULL};
    CONV_BWD(e, &g);
    if (i == last) FN(zero_rows)(gcur, c, ld, 0, win); /* the last residual stream is not used */
    for (int l = nl - 1; l >= 0; l--) {
      const sw_layer_cfg *ly = &A->layers[l];
      const sw_layer_off *lo = &O->layers[l];
      const long si = e->st[i][l], so = e->st[i][l + 1];
      FN(zero_rows)(gnext, c, ld, off + si, ny - si);
      LAYER_GRAD lg = {
        .C = c, .K = ly->kernel, .d = ly->dilation, .T = (int)(ny - so), .gated = ly->gated, .act = ly->act,
        .w = w + lo->w, .ldw = (ptrdiff_t)C * ly->kernel, .m = w + lo->m,
        .v = lo->v >= 0 ? w + lo->v : NULL, .ldv = C, .h = H[l] + off + so, .ldh = ld, .x = x + off + so,
        .z = Z[l] + off + so, .ldz = ld, .a = Ac[l] + off + so, .lda = ld,
        .g_out = gcur + off + so, .ldgo = ld, .g_s = gs + off + so, .ldgs = ld,
        .g_h = gnext + off + so, .ldgh = ld, .g_x = gx ? gx + off + so : NULL,
        .g_w = gw + lo->w, .g_b = gw + lo->b, .g_m = gw + lo->m,
        .g_v = lo->v >= 0 ? gw + lo->v : NULL, .g_vb = lo->v >= 0 ? gw + lo->vb : NULL, .scratch = ws->scratch};
      LAYER_BWD(e, &lg);
      REAL *t = gcur; gcur = gnext; gnext = t;
    }
    /* gcur = dL/d(rechannel output); push it to the array's input */
    const REAL *in = i ? ws->h[e->lbase[i - 1] + i - 1 + net->arrays[i - 1].n_layers] : x;
    REAL *gin = NULL;
    if (i > 0) { FN(zero_rows)(gnext, cin, ld, 0, win); gin = gnext + off + a0; }
    else if (gx) gin = gx + off + a0;
    CONV_GRAD r = {.cout = c, .cin = cin, .K = 1, .d = 1, .T = (int)(ny - a0), .w = w + O->r, .ldw = A->input_size,
                   .in = in + off + a0, .ldi = ld, .g_out = gcur + off + a0, .ldgo = ld,
                   .g_in = gin, .ldgi = ld, .g_w = gw + O->r, .g_b = NULL};
    CONV_BWD(e, &r);
    if (i > 0) { REAL *t = gcur; gcur = gnext; gnext = t; }
    /* s of this array started as the previous head output: its gradient is gs */
    gho = gs;
    REAL *t = gs; gs = gs_other; gs_other = t;
  }
}
