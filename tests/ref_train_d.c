/* The double-precision reference of the trainer's forward and backward, the gradient check's
   ground truth (tests/test_train_grad.c): plain loops over whole windows, layer after layer, in
   double, independent of the product's tiled float engine (train/engine.c) and its kernels. */
#include "ref_train_d.h"

#include "../core/backend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct swd_conv_args {
  int cout, cin, K, d, T;
  const double *w; ptrdiff_t ldw;
  const double *b;
  const double *in; ptrdiff_t ldi;
  double *out; ptrdiff_t ldo;
  bool accumulate;
} swd_conv_args;

typedef struct swd_layer_args {
  int C, K, d, T;
  bool gated;
  sw_act act;
  const double *w, *b; ptrdiff_t ldw;
  const double *m;
  const double *v, *vb; ptrdiff_t ldv;
  const double *h; ptrdiff_t ldh;
  const double *x;
  double *h_out; ptrdiff_t ldo;
  double *s; ptrdiff_t lds;
  double *z; ptrdiff_t ldz;
  double *a; ptrdiff_t lda;
  double *scratch;
} swd_layer_args;

typedef struct swd_conv_grad_args {
  int cout, cin, K, d, T;
  const double *w; ptrdiff_t ldw;
  const double *in; ptrdiff_t ldi;
  const double *g_out; ptrdiff_t ldgo;
  double *g_in; ptrdiff_t ldgi;
  double *g_w, *g_b;
} swd_conv_grad_args;

typedef struct swd_layer_grad_args {
  int C, K, d, T;
  bool gated;
  sw_act act;
  const double *w; ptrdiff_t ldw;
  const double *m;
  const double *v; ptrdiff_t ldv;
  const double *h; ptrdiff_t ldh;
  const double *x;
  const double *z; ptrdiff_t ldz;
  const double *a; ptrdiff_t lda;
  const double *g_out; ptrdiff_t ldgo;
  const double *g_s; ptrdiff_t ldgs;
  double *g_h; ptrdiff_t ldgh;
  double *g_x;
  double *g_w, *g_b, *g_m, *g_v, *g_vb;
  double *scratch;
} swd_layer_grad_args;

struct sw_ref_train {
  sw_net net;             /* config copy (weights not used) */
  sw_layout L;
  int ny, maxC, n_tot;    /* n_tot: layers over all arrays */
  long rf, off, win, nw;
  ptrdiff_t ld;           /* row stride of every buffer */
  long **st;              /* per array: st[l] = first valid column of layer l's input (n_layers + 1) */
  long *sv, *hv;          /* per array: first valid column of s and of the head output */
  int *lbase;             /* per array: index of its first layer among all layers */
};

static double swd_act_apply(sw_act a, double z) {
  switch (a.kind) {
  case SW_ACT_TANH:
  case SW_ACT_FAST_TANH: return tanh(z);
  case SW_ACT_RELU: return z > 0 ? z : 0;
  case SW_ACT_LEAKY_RELU: return z > 0 ? z : a.alpha * z;
  case SW_ACT_SIGMOID: return 1 / (1 + exp(-z));
  case SW_ACT_HARDTANH: return z > 1 ? 1 : (z < -1 ? -1 : z);
  case SW_ACT_IDENTITY: break;
  }
  return z;
}

static double swd_act_grad(sw_act a, double z, double y) {
  switch (a.kind) {
  case SW_ACT_TANH:
  case SW_ACT_FAST_TANH: return 1 - y * y;
  case SW_ACT_RELU: return z > 0 ? 1 : 0;
  case SW_ACT_LEAKY_RELU: return z > 0 ? 1 : a.alpha;
  case SW_ACT_SIGMOID: return y * (1 - y);
  case SW_ACT_HARDTANH: return (z > -1 && z < 1) ? 1 : 0;
  case SW_ACT_IDENTITY: break;
  }
  return 1;
}

static double sigm(double z) { return 1 / (1 + exp(-z)); }

static void swd_conv_forward(const swd_conv_args *a) {
  for (int o = 0; o < a->cout; o++) {
    double *y = a->out + o * a->ldo, b0 = a->b ? a->b[o] : 0;
    for (int t = 0; t < a->T; t++) y[t] = a->accumulate ? y[t] + b0 : b0;
    for (int i = 0; i < a->cin; i++)
      for (int k = 0; k < a->K; k++) {
        double w = a->w[o * a->ldw + i * a->K + k];
        const double *x = a->in + i * a->ldi - (ptrdiff_t)(a->K - 1 - k) * a->d;
        for (int t = 0; t < a->T; t++) y[t] += w * x[t];
      }
  }
}

static void swd_layer_forward(const swd_layer_args *a) {
  const int C = a->C, T = a->T, cm = a->gated ? 2 * C : C;
  swd_conv_args c = {.cout = cm, .cin = C, .K = a->K, .d = a->d, .T = T, .w = a->w, .ldw = a->ldw,
                     .b = a->b, .in = a->h, .ldi = a->ldh, .out = a->z, .ldo = a->ldz};
  swd_conv_forward(&c);
  for (int o = 0; o < cm; o++)
    for (int t = 0; t < T; t++) a->z[o * a->ldz + t] += a->m[o] * a->x[t];
  for (int o = 0; o < C; o++)
    for (int t = 0; t < T; t++) {
      double v = swd_act_apply(a->act, a->z[o * a->ldz + t]);
      if (a->gated) v *= sigm(a->z[(o + C) * a->ldz + t]);
      a->a[o * a->lda + t] = v;
    }
  for (int o = 0; o < C; o++) {
    double *y = a->h_out + o * a->ldo, *s = a->s + o * a->lds;
    const double *h = a->h + o * a->ldh, *act = a->a + o * a->lda;
    for (int t = 0; t < T; t++) y[t] = h[t];
    if (a->v)
      for (int t = 0; t < T; t++) {
        double sum = a->vb[o];
        for (int i = 0; i < C; i++) sum += a->v[o * a->ldv + i] * a->a[i * a->lda + t];
        y[t] += sum;
      }
    for (int t = 0; t < T; t++) s[t] += act[t];
  }
}

static void swd_conv_backward(const swd_conv_grad_args *a) {
  for (int o = 0; o < a->cout; o++) {
    const double *g = a->g_out + o * a->ldgo;
    if (a->g_b)
      for (int t = 0; t < a->T; t++) a->g_b[o] += g[t];
    for (int i = 0; i < a->cin; i++)
      for (int k = 0; k < a->K; k++) {
        ptrdiff_t off = (ptrdiff_t)(a->K - 1 - k) * a->d;
        const double *x = a->in + i * a->ldi - off;
        double sum = 0, w = a->w[o * a->ldw + i * a->K + k];
        for (int t = 0; t < a->T; t++) sum += g[t] * x[t];
        a->g_w[o * a->ldw + i * a->K + k] += sum;
        if (a->g_in) {
          double *gi = a->g_in + i * a->ldgi - off;
          for (int t = 0; t < a->T; t++) gi[t] += w * g[t];
        }
      }
  }
}

/* scratch: C rows of dL/da then cm rows of dL/dz, T columns each. */
static void swd_layer_backward(const swd_layer_grad_args *a) {
  const int C = a->C, T = a->T, cm = a->gated ? 2 * C : C;
  double *ga = a->scratch, *gz = a->scratch + (size_t)C * T;
  for (int o = 0; o < C; o++) memcpy(ga + (size_t)o * T, a->g_s + o * a->ldgs, sizeof(double) * (size_t)T);
  if (a->v)
    for (int o = 0; o < C; o++) {
      const double *g = a->g_out + o * a->ldgo;
      for (int t = 0; t < T; t++) a->g_vb[o] += g[t];
      for (int i = 0; i < C; i++) {
        const double *ai = a->a + i * a->lda;
        double sw = 0, w = a->v[o * a->ldv + i];
        for (int t = 0; t < T; t++) sw += g[t] * ai[t];
        a->g_v[o * a->ldv + i] += sw;
        for (int t = 0; t < T; t++) ga[(size_t)i * T + t] += w * g[t];
      }
    }
  for (int o = 0; o < C; o++)
    for (int t = 0; t < T; t++) {
      double z1 = a->z[o * a->ldz + t], g = ga[(size_t)o * T + t];
      if (a->gated) {
        double p = swd_act_apply(a->act, z1), q = sigm(a->z[(o + C) * a->ldz + t]);
        gz[(size_t)o * T + t] = g * q * swd_act_grad(a->act, z1, p);
        gz[(size_t)(o + C) * T + t] = g * p * q * (1 - q);
      } else {
        gz[(size_t)o * T + t] = g * swd_act_grad(a->act, z1, a->a[o * a->lda + t]);
      }
    }
  for (int o = 0; o < cm; o++) {
    const double *g = gz + (size_t)o * T;
    for (int t = 0; t < T; t++) a->g_m[o] += g[t] * a->x[t];
    if (a->g_x)
      for (int t = 0; t < T; t++) a->g_x[t] += a->m[o] * g[t];
  }
  for (int o = 0; o < C; o++) {
    double *gh = a->g_h + o * a->ldgh;
    const double *g = a->g_out + o * a->ldgo;
    for (int t = 0; t < T; t++) gh[t] += g[t];
  }
  swd_conv_grad_args c = {.cout = cm, .cin = C, .K = a->K, .d = a->d, .T = T, .w = a->w, .ldw = a->ldw,
                          .in = a->h, .ldi = a->ldh, .g_out = gz, .ldgo = T, .g_in = a->g_h, .ldgi = a->ldgh,
                          .g_w = a->g_w, .g_b = a->g_b};
  swd_conv_backward(&c);
}

static void *ref_alloc(size_t bytes) {
  bytes = (bytes + 63) & ~(size_t)63;
  void *p = aligned_alloc(64, bytes ? bytes : 64);
  if (p) memset(p, 0, bytes ? bytes : 64);
  return p;
}

void sw_ref_train_free(sw_ref_train *e) {
  if (!e) return;
  if (e->st)
    for (int i = 0; i < e->net.n_arrays; i++) free(e->st[i]);
  free(e->st);
  free(e->sv);
  free(e->hv);
  free(e->lbase);
  sw_layout_free(&e->L);
  sw_net_free(&e->net);
  free(e);
}

int sw_ref_train_create(const sw_net *net, int ny, sw_ref_train **out, sw_err *err) {
  *out = NULL;
  long nw;
  int rc = sw_net_check(net, "model", &nw, err);
  if (rc) return rc;
  if (ny < 1 || ny > (1 << 22)) return sw_fail(err, SW_EUSAGE, "window of %d output samples out of range 1..%d", ny, 1 << 22);
  sw_ref_train *e = calloc(1, sizeof *e);
  if (!e) return sw_fail(err, SW_ENOMEM, "out of memory (training engine)");
  if ((rc = sw_net_copy(net, &e->net, err))) { free(e); return rc; }
  if ((rc = sw_layout_make(net, &e->L, err))) { sw_ref_train_free(e); return rc; }
  e->ny = ny;
  e->nw = nw;
  e->rf = sw_net_receptive_field(net);
  e->off = e->rf - 1;
  e->win = ny + e->off;
  e->ld = (e->win + 15) & ~15L;
  int n = net->n_arrays;
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
    for (int l = 0; l < a->n_layers; l++)
      e->st[i][l + 1] = e->st[i][l] + (long)(a->layers[l].kernel - 1) * a->layers[l].dilation;
    long sv = e->st[i][a->n_layers];
    if (i > 0 && e->hv[i - 1] > sv) sv = e->hv[i - 1];
    e->sv[i] = sv;
    e->hv[i] = sv + a->head_kernel - 1;
    start = e->st[i][a->n_layers];
  }
  /* The receptive field sums every path, so the output is always valid from column 0. */
  if (e->hv[n - 1] > 0) { sw_ref_train_free(e); return sw_fail(err, SW_EFAIL, "internal: receptive field too short for the model's paths"); }
  *out = e;
  return SW_OK;
oom:
  sw_ref_train_free(e);
  return sw_fail(err, SW_ENOMEM, "out of memory (training engine)");
}

struct sw_ref_train_ws {
  double **h;        /* per layer l of array i: h[lbase_i + i + l], l = 0..n_layers (C rows each) */
  double **z, **a;   /* per layer: pre-activation (cmid rows) and activation (C rows) */
  double **s, **ho;  /* per array: head accumulator (C rows) and head output (H rows) */
  double *g0, *g1, *gs0, *gs1, *gy;  /* backward: residual grads, s grads, output grad (maxC rows) */
  double *scratch;
  void *block;     /* one allocation holds every buffer */
};

static size_t ws_floats(const sw_ref_train *e, size_t *scr) {
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

static void ws_free(struct sw_ref_train_ws *ws) {
  if (!ws) return;
  free(ws->h); free(ws->z); free(ws->a); free(ws->s); free(ws->ho);
  free(ws->block);
  free(ws);
}

static int ws_create(const sw_ref_train *e, struct sw_ref_train_ws **out, sw_err *err) {
  *out = NULL;
  int n = e->net.n_arrays;
  struct sw_ref_train_ws *ws = calloc(1, sizeof *ws);
  if (!ws) return sw_fail(err, SW_ENOMEM, "out of memory (training workspace)");
  ws->h = calloc((size_t)(e->n_tot + n), sizeof(double *));
  ws->z = calloc((size_t)e->n_tot, sizeof(double *));
  ws->a = calloc((size_t)e->n_tot, sizeof(double *));
  ws->s = calloc((size_t)n, sizeof(double *));
  ws->ho = calloc((size_t)n, sizeof(double *));
  size_t scr, total = ws_floats(e, &scr);
  ws->block = ref_alloc(total * sizeof(double));
  if (!ws->h || !ws->z || !ws->a || !ws->s || !ws->ho || !ws->block) {
    ws_free(ws);
    return sw_fail(err, SW_ENOMEM, "out of memory (training workspace: %zu MB)", total * sizeof(double) >> 20);
  }
  double *p = ws->block;
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

static void zero_rows(double *p, int rows, ptrdiff_t ld, long from, long n) {
  for (int r = 0; r < rows; r++) memset(p + r * ld + from, 0, sizeof(double) * (size_t)n);
}

static void ref_forward(const sw_ref_train *e, struct sw_ref_train_ws *ws, const double *w, const sw_widths *wd, const double *x, double *y) {
  const sw_net *net = &e->net;
  const ptrdiff_t ld = e->ld;
  const long off = e->off, ny = e->ny;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *A = &net->arrays[i];
    const sw_array_off *O = &e->L.arrays[i];
    const int C = A->channels, c = wd->c[i], nl = A->n_layers;
    double **H = ws->h + e->lbase[i] + i, **Z = ws->z + e->lbase[i], **Ac = ws->a + e->lbase[i];
    const long a0 = e->st[i][0];
    const double *in = i ? ws->h[e->lbase[i - 1] + i - 1 + net->arrays[i - 1].n_layers] : x;
    swd_conv_args r = {.cout = c, .cin = i ? wd->c[i - 1] : 1, .K = 1, .d = 1, .T = (int)(ny - a0),
                   .w = w + O->r, .ldw = A->input_size, .in = in + off + a0, .ldi = ld,
                   .out = H[0] + off + a0, .ldo = ld};
    swd_conv_forward(&r);
    /* s starts as the previous array's head output where that is valid, else 0 */
    const long s0 = e->st[i][1];
    for (int o = 0; o < c; o++) {
      double *srow = ws->s[i] + o * ld + off;
      if (i == 0) { memset(srow + s0, 0, sizeof(double) * (size_t)(ny - s0)); continue; }
      const long hv = e->hv[i - 1];
      const double *prev = ws->ho[i - 1] + o * ld + off;
      for (long t = s0; t < ny; t++) srow[t] = t >= hv ? prev[t] : 0;
    }
    for (int l = 0; l < nl; l++) {
      const sw_layer_cfg *ly = &A->layers[l];
      const sw_layer_off *lo = &O->layers[l];
      const long so = e->st[i][l + 1];
      swd_layer_args la = {
        .C = c, .K = ly->kernel, .d = ly->dilation, .T = (int)(ny - so), .gated = ly->gated, .act = ly->act,
        .w = w + lo->w, .b = w + lo->b, .ldw = (ptrdiff_t)C * ly->kernel, .m = w + lo->m,
        .v = lo->v >= 0 ? w + lo->v : NULL, .vb = lo->v >= 0 ? w + lo->vb : NULL, .ldv = C,
        .h = H[l] + off + so, .ldh = ld, .x = x + off + so,
        .h_out = H[l + 1] + off + so, .ldo = ld, .s = ws->s[i] + off + so, .lds = ld,
        .z = Z[l] + off + so, .ldz = ld, .a = Ac[l] + off + so, .lda = ld, .scratch = ws->scratch};
      swd_layer_forward(&la);
    }
    const long hv = e->hv[i];
    swd_conv_args g = {.cout = i + 1 < net->n_arrays ? wd->c[i + 1] : A->head_size, .cin = c, .K = A->head_kernel,
                   .d = 1, .T = (int)(ny - hv), .w = w + O->g, .ldw = (ptrdiff_t)C * A->head_kernel,
                   .b = O->gb >= 0 ? w + O->gb : NULL, .in = ws->s[i] + off + hv, .ldi = ld,
                   .out = ws->ho[i] + off + hv, .ldo = ld};
    swd_conv_forward(&g);
  }
  const double hs = w[e->L.head_scale], *h = ws->ho[net->n_arrays - 1] + off;
  for (long t = 0; t < ny; t++) y[t] = hs * h[t];
}

static void ref_backward(const sw_ref_train *e, struct sw_ref_train_ws *ws, const double *w, const sw_widths *wd, const double *x,
                         const double *gy, double *gw, double *gx) {
  const sw_net *net = &e->net;
  const ptrdiff_t ld = e->ld;
  const long off = e->off, ny = e->ny, win = e->win;
  const int last = net->n_arrays - 1;
  double *gcur = ws->g0, *gnext = ws->g1, *gs = ws->gs0, *gs_other = ws->gs1;
  /* dL/d(head output of the last array) = head_scale * gy on [0, ny), 0 before */
  double *gho = ws->gy;
  const double hs = w[e->L.head_scale];
  memset(gho, 0, sizeof(double) * (size_t)off);
  for (long t = 0; t < ny; t++) gho[off + t] = hs * gy[t];
  for (int i = last; i >= 0; i--) {
    const sw_array_cfg *A = &net->arrays[i];
    const sw_array_off *O = &e->L.arrays[i];
    const int C = A->channels, c = wd->c[i], nl = A->n_layers, cin = i ? wd->c[i - 1] : 1;
    double **H = ws->h + e->lbase[i] + i, **Z = ws->z + e->lbase[i], **Ac = ws->a + e->lbase[i];
    const long a0 = e->st[i][0], hv = e->hv[i];
    zero_rows(gs, c, ld, 0, win);
    swd_conv_grad_args g = {.cout = i < last ? wd->c[i + 1] : A->head_size, .cin = c, .K = A->head_kernel, .d = 1,
                   .T = (int)(ny - hv), .w = w + O->g, .ldw = (ptrdiff_t)C * A->head_kernel,
                   .in = ws->s[i] + off + hv, .ldi = ld, .g_out = gho + off + hv, .ldgo = ld,
                   .g_in = gs + off + hv, .ldgi = ld, .g_w = gw + O->g, .g_b = O->gb >= 0 ? gw + O->gb : NULL};
    swd_conv_backward(&g);
    if (i == last) zero_rows(gcur, c, ld, 0, win); /* the last residual stream is not used */
    for (int l = nl - 1; l >= 0; l--) {
      const sw_layer_cfg *ly = &A->layers[l];
      const sw_layer_off *lo = &O->layers[l];
      const long si = e->st[i][l], so = e->st[i][l + 1];
      zero_rows(gnext, c, ld, off + si, ny - si);
      swd_layer_grad_args lg = {
        .C = c, .K = ly->kernel, .d = ly->dilation, .T = (int)(ny - so), .gated = ly->gated, .act = ly->act,
        .w = w + lo->w, .ldw = (ptrdiff_t)C * ly->kernel, .m = w + lo->m,
        .v = lo->v >= 0 ? w + lo->v : NULL, .ldv = C, .h = H[l] + off + so, .ldh = ld, .x = x + off + so,
        .z = Z[l] + off + so, .ldz = ld, .a = Ac[l] + off + so, .lda = ld,
        .g_out = gcur + off + so, .ldgo = ld, .g_s = gs + off + so, .ldgs = ld,
        .g_h = gnext + off + so, .ldgh = ld, .g_x = gx ? gx + off + so : NULL,
        .g_w = gw + lo->w, .g_b = gw + lo->b, .g_m = gw + lo->m,
        .g_v = lo->v >= 0 ? gw + lo->v : NULL, .g_vb = lo->v >= 0 ? gw + lo->vb : NULL, .scratch = ws->scratch};
      swd_layer_backward(&lg);
      double *t = gcur; gcur = gnext; gnext = t;
    }
    /* gcur = dL/d(rechannel output); push it to the array's input */
    const double *in = i ? ws->h[e->lbase[i - 1] + i - 1 + net->arrays[i - 1].n_layers] : x;
    double *gin = NULL;
    if (i > 0) { zero_rows(gnext, cin, ld, 0, win); gin = gnext + off + a0; }
    else if (gx) gin = gx + off + a0;
    swd_conv_grad_args r = {.cout = c, .cin = cin, .K = 1, .d = 1, .T = (int)(ny - a0), .w = w + O->r, .ldw = A->input_size,
                   .in = in + off + a0, .ldi = ld, .g_out = gcur + off + a0, .ldgo = ld,
                   .g_in = gin, .ldgi = ld, .g_w = gw + O->r, .g_b = NULL};
    swd_conv_backward(&r);
    if (i > 0) { double *t = gcur; gcur = gnext; gnext = t; }
    /* s of this array started as the previous head output: its gradient is gs */
    gho = gs;
    double *t = gs; gs = gs_other; gs_other = t;
  }
}

long sw_ref_train_window(const sw_ref_train *e) { return e->win; }
long sw_ref_train_rf(const sw_ref_train *e) { return e->rf; }
const sw_layout *sw_ref_train_layout(const sw_ref_train *e) { return &e->L; }

int sw_ref_train_ws_create(const sw_ref_train *e, sw_ref_train_ws **out, sw_err *err) { return ws_create(e, out, err); }
void sw_ref_train_ws_free(sw_ref_train_ws *ws) { ws_free(ws); }
void sw_ref_train_forward(const sw_ref_train *e, sw_ref_train_ws *ws, const double *w, const sw_widths *wd,
                          const double *x, double *y) { ref_forward(e, ws, w, wd, x, y); }
void sw_ref_train_backward(const sw_ref_train *e, sw_ref_train_ws *ws, const double *w, const sw_widths *wd,
                           const double *x, const double *gy, double *gw, double *gx) { ref_backward(e, ws, w, wd, x, gy, gw, gx); }
