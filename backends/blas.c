/* The OpenBLAS backend: the K dilated taps of a layer become one GEMM per block, W (cmid x C*K,
   the .nam row layout [o][i][k] with row stride ldw is already that matrix) times the im2col
   of the taps (C*K x T); mixin, activation, 1x1, residual and skip follow as short loops/GEMMs.
   One BLAS thread (set in thread_init): the benchmark and the model are single-threaded. */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/backend.h"
#include "act_row.h"

extern const sw_backend sw_backend_naive_impl;

static inline float sigmoidf(float z) { return 1.0f / (1.0f + expf(-z)); }

/* Gather the taps: row i*K+k of cols = in[i][t0 + j - (K-1-k)d], j < n. */
static void im2col(const float *in, ptrdiff_t ldi, int cin, int K, int d, int t0, int n, float *cols) {
  for (int i = 0; i < cin; i++)
    for (int k = 0; k < K; k++)
      memcpy(cols + (size_t)(i * K + k) * n, in + i * ldi + t0 - (ptrdiff_t)(K - 1 - k) * d, sizeof(float) * (size_t)n);
}

/* Columns per chunk so that `rows` rows of it fit in `avail` floats (the interface gives
   4*C*(T+16) floats of scratch; im2col of K > 3 taps or a gated z may need a second pass). */
static int chunk_cols(size_t avail, int rows, int T) {
  size_t n = avail / (size_t)rows;
  return n >= (size_t)T ? T : (int)n;
}

static void layer_forward(const sw_layer_args *a, void *plan) {
  (void)plan;
  const int C = a->C, K = a->K, T = a->T, cm = a->gated ? 2 * C : C, KC = K * C;
  /* scratch: cols (KC rows), then z (cm rows) unless the caller keeps z, then a if the
     caller keeps z but not a (otherwise a overwrites z in place) */
  int zrows = a->z ? 0 : cm, arows = (a->z && !a->a) ? C : 0;
  int Tc = chunk_cols(sw_layer_scratch_floats(C, T), KC + zrows + arows, T);
  for (int t0 = 0; t0 < T; t0 += Tc) {
    int n = T - t0 < Tc ? T - t0 : Tc;
    float *cols = a->scratch;
    float *z = a->z ? a->z + t0 : cols + (size_t)KC * n;
    ptrdiff_t ldz = a->z ? a->ldz : n;
    float *act; ptrdiff_t lda;
    if (a->a) { act = a->a + t0; lda = a->lda; }
    else if (a->z) { act = cols + (size_t)KC * n; lda = n; }
    else { act = z; lda = ldz; } /* in place over z (row o of a only reads rows o and o+C of z) */
    im2col(a->h, a->ldh, C, K, a->d, t0, n, cols);
    for (int o = 0; o < cm; o++) {
      float *zo = z + o * ldz, bo = a->b[o], mo = a->m[o];
      const float *x = a->x + t0;
      for (int j = 0; j < n; j++) zo[j] = bo + mo * x[j];
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, cm, n, KC, 1.0f, a->w, (int)a->ldw, cols, n, 1.0f, z, (int)ldz);
    for (int o = 0; o < C; o++) {
      const float *zo = z + o * ldz, *zg = z + (o + C) * ldz;
      float *ao = act + o * lda;
      if (a->gated) for (int j = 0; j < n; j++) ao[j] = sw_act_apply(a->act, zo[j]) * sigmoidf(zg[j]);
      else sw_act_row(a->act, zo, ao, n);
    }
    for (int o = 0; o < C; o++) {
      float *y = a->h_out + o * a->ldo + t0;
      const float *h = a->h + o * a->ldh + t0;
      if (a->v && a->vb) for (int j = 0; j < n; j++) y[j] = h[j] + a->vb[o];
      else memcpy(y, h, sizeof(float) * (size_t)n);
      float *s = a->s + o * a->lds + t0;
      const float *ao = act + o * lda;
      for (int j = 0; j < n; j++) s[j] += ao[j];
    }
    if (a->v)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, C, n, C, 1.0f, a->v, (int)a->ldv, act, (int)lda, 1.0f,
                  a->h_out + t0, (int)a->ldo);
  }
}

/* A conv with K > 1 needs an im2col buffer the args do not carry: the plan owns it. */
typedef struct conv_plan {
  int cin, K, max_T;
  float *cols; /* cin*K x max_T, NULL when K == 1 (the input is already the B matrix) */
  char info[160];
} conv_plan;

static void *conv_plan_make(const sw_conv_args *p) {
  conv_plan *pl = calloc(1, sizeof *pl);
  if (!pl) return NULL;
  pl->cin = p->cin;
  pl->K = p->K;
  pl->max_T = p->T;
  if (p->K > 1) {
    pl->cols = malloc(sizeof(float) * (size_t)p->cin * p->K * (size_t)(p->T > 0 ? p->T : 1));
    if (!pl->cols) { free(pl); return NULL; }
  }
  snprintf(pl->info, sizeof pl->info, "cblas_sgemm %dx%dx%d (%s, %d thread)", p->cout, p->cin * p->K, p->T,
           openblas_get_corename(), openblas_get_num_threads());
  return pl;
}

static void plan_free(void *p) {
  conv_plan *pl = p;
  if (pl) free(pl->cols);
  free(pl);
}

static const char *plan_info(const void *p) { return p ? ((const conv_plan *)p)->info : "cblas_sgemm"; }

static void conv_forward(const sw_conv_args *a, void *plan) {
  conv_plan *pl = plan;
  const float *B = a->in;
  int ldb = (int)a->ldi, KC = a->cin * a->K;
  if (a->K > 1) {
    if (!pl || !pl->cols || pl->cin != a->cin || pl->K != a->K || a->T > pl->max_T) {
      sw_backend_naive_impl.conv_forward(a, NULL); /* no buffer: the reference loops (never in the model) */
      return;
    }
    im2col(a->in, a->ldi, a->cin, a->K, a->d, 0, a->T, pl->cols);
    B = pl->cols;
    ldb = a->T;
  }
  for (int o = 0; o < a->cout; o++) {
    float *y = a->out + o * a->ldo, b0 = a->b ? a->b[o] : 0.0f;
    if (a->accumulate) { if (a->b) for (int t = 0; t < a->T; t++) y[t] += b0; }
    else for (int t = 0; t < a->T; t++) y[t] = b0;
  }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, a->cout, a->T, KC, 1.0f, a->w, (int)a->ldw, B, ldb, 1.0f,
              a->out, (int)a->ldo);
}

/* K == 1: g_W += g_out in^T is one GEMM. K > 1 would need an im2col buffer the args do not
   carry (only the A2 head, trained rarely): the reference loops do it. */
static void conv_backward(const sw_conv_grad_args *a) {
  if (a->K > 1) { sw_backend_naive_impl.conv_backward(a); return; }
  const int T = a->T;
  if (a->g_b)
    for (int o = 0; o < a->cout; o++) {
      const float *g = a->g_out + o * a->ldgo;
      float sum = 0.0f;
      for (int t = 0; t < T; t++) sum += g[t];
      a->g_b[o] += sum;
    }
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, a->cout, a->cin, T, 1.0f, a->g_out, (int)a->ldgo, a->in,
              (int)a->ldi, 1.0f, a->g_w, (int)a->ldw);
}

/* g_z is built in place in the caller's buffer: g_s, + V^T g_out (GEMM), times act' (gated: both
   halves from the first); then per chunk of columns g_W += g_z cols^T. */
static void layer_backward(const sw_layer_grad_args *a) {
  const int C = a->C, K = a->K, T = a->T, cm = a->gated ? 2 * C : C, KC = K * C;
  const bool zed = sw_act_needs_z(a->act, a->gated);
  float *gz = a->gz;
  const ptrdiff_t ldgz = a->ldgz;
  for (int o = 0; o < C; o++) memcpy(gz + o * ldgz, a->g_s + o * a->ldgs, sizeof(float) * (size_t)T);
  if (a->v) {
    for (int o = 0; o < C; o++) {
      const float *g = a->g_out + o * a->ldgo;
      float sb = 0.0f;
      for (int t = 0; t < T; t++) sb += g[t];
      a->g_vb[o] += sb;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, C, C, T, 1.0f, a->g_out, (int)a->ldgo, a->a, (int)a->lda,
                1.0f, a->g_v, (int)a->ldv);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, C, T, C, 1.0f, a->v, (int)a->ldv, a->g_out, (int)a->ldgo,
                1.0f, gz, (int)ldgz);
  }
  for (int o = 0; o < C; o++) {
    const float *ao = a->a + o * a->lda;
    float *g1 = gz + o * ldgz;
    if (a->gated) {
      const float *z1 = a->z + o * a->ldz, *z2 = a->z + (o + C) * a->ldz;
      float *g2 = gz + (o + C) * ldgz;
      for (int j = 0; j < T; j++) {
        float p = sw_act_apply(a->act, z1[j]), q = sigmoidf(z2[j]), g = g1[j];
        g2[j] = g * p * q * (1.0f - q);
        g1[j] = g * q * sw_act_grad(a->act, z1[j], p);
      }
    } else if (zed) {
      const float *z1 = a->z + o * a->ldz;
      for (int j = 0; j < T; j++) g1[j] *= sw_act_grad(a->act, z1[j], ao[j]);
    } else {
      for (int j = 0; j < T; j++) g1[j] *= sw_act_grad_y(a->act, ao[j]);
    }
  }
  for (int o = 0; o < cm; o++) {
    const float *g = gz + o * ldgz, *x = a->x;
    float sm = 0.0f, sb = 0.0f, mo = a->m[o];
    for (int j = 0; j < T; j++) { sm += g[j] * x[j]; sb += g[j]; }
    a->g_m[o] += sm;
    a->g_b[o] += sb;
    if (a->g_x) for (int j = 0; j < T; j++) a->g_x[j] += mo * g[j];
  }
  int Tc = chunk_cols(sw_layer_scratch_floats(C, T), KC, T);
  for (int t0 = 0; t0 < T; t0 += Tc) {
    int n = T - t0 < Tc ? T - t0 : Tc;
    float *cols = a->scratch;
    im2col(a->h, a->ldh, C, K, a->d, t0, n, cols);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, cm, KC, n, 1.0f, gz + t0, (int)ldgz, cols, n, 1.0f, a->g_w,
                (int)a->ldw);
  }
}

static void thread_init(void) { openblas_set_num_threads(1); }

const sw_backend sw_backend_blas_impl = {
  .name = "blas",
  .isa = "openblas sgemm",
  .conv_plan = conv_plan_make,
  .plan_free = plan_free,
  .plan_info = plan_info,
  .conv_forward = conv_forward,
  .layer_forward = layer_forward,
  .conv_backward = conv_backward,
  .layer_backward = layer_backward,
  .thread_init = thread_init,
};
