/* The reference backend: plain C loops in a fixed order, never -ffast-math. Every other backend
   is checked against it; the model falls back to it when a backend declines a shape. It lives in
   core/ because the model plan binds it (core/plan.c): core never calls up into backends/; the
   registry (backends/registry.c) lists it first. */
#include <string.h>

#include "backend.h"

/* out[o][t] (+)= b[o] + sum_i sum_k w[o,i,k] in[i][t - (K-1-k)d] */
static void conv_forward(const sw_conv_args *a, void *plan) {
  (void)plan;
  for (int o = 0; o < a->cout; o++) {
    float *y = a->out + o * a->ldo;
    float b0 = a->b ? a->b[o] : 0.0f;
    if (a->accumulate) for (int t = 0; t < a->T; t++) y[t] += b0;
    else for (int t = 0; t < a->T; t++) y[t] = b0;
    for (int i = 0; i < a->cin; i++)
      for (int k = 0; k < a->K; k++) {
        float w = a->w[o * a->ldw + i * a->K + k];
        const float *x = a->in + i * a->ldi - (ptrdiff_t)(a->K - 1 - k) * a->d;
        for (int t = 0; t < a->T; t++) y[t] += w * x[t];
      }
  }
}

static inline float sigmoidf(float z) { return 1.0f / (1.0f + expf(-z)); }

static void layer_forward(const sw_layer_args *a, void *plan) {
  (void)plan;
  const int C = a->C, T = a->T, cm = a->gated ? 2 * C : C;
  float *z = a->z ? a->z : a->scratch;
  ptrdiff_t ldz = a->z ? a->ldz : T;
  float *act = a->a ? a->a : a->scratch + (size_t)cm * T;
  ptrdiff_t lda = a->a ? a->lda : T;
  sw_conv_args c = {.cout = cm, .cin = C, .K = a->K, .d = a->d, .T = T, .w = a->w, .ldw = a->ldw,
                    .b = a->b, .in = a->h, .ldi = a->ldh, .out = z, .ldo = ldz};
  conv_forward(&c, NULL);
  for (int o = 0; o < cm; o++)
    for (int t = 0; t < T; t++) z[o * ldz + t] += a->m[o] * a->x[t];
  for (int o = 0; o < C; o++)
    for (int t = 0; t < T; t++) {
      float v = sw_act_apply(a->act, z[o * ldz + t]);
      if (a->gated) v *= sigmoidf(z[(o + C) * ldz + t]);
      act[o * lda + t] = v;
    }
  for (int o = 0; o < C; o++) {
    float *y = a->h_out + o * a->ldo;
    const float *h = a->h + o * a->ldh;
    if (a->v) {
      for (int t = 0; t < T; t++) y[t] = a->vb ? a->vb[o] : 0.0f;
      for (int i = 0; i < C; i++) {
        float w = a->v[o * a->ldv + i];
        for (int t = 0; t < T; t++) y[t] += w * act[i * lda + t];
      }
      for (int t = 0; t < T; t++) y[t] += h[t];
    } else {
      memcpy(y, h, sizeof(float) * (size_t)T);
    }
    float *s = a->s + o * a->lds;
    for (int t = 0; t < T; t++) s[t] += act[o * lda + t];
  }
}

static void conv_backward(const sw_conv_grad_args *a) {
  for (int o = 0; o < a->cout; o++) {
    const float *g = a->g_out + o * a->ldgo;
    if (a->g_b) {
      float sum = 0.0f;
      for (int t = 0; t < a->T; t++) sum += g[t];
      a->g_b[o] += sum;
    }
    for (int i = 0; i < a->cin; i++)
      for (int k = 0; k < a->K; k++) {
        const float *x = a->in + i * a->ldi - (ptrdiff_t)(a->K - 1 - k) * a->d;
        float sum = 0.0f;
        for (int t = 0; t < a->T; t++) sum += g[t] * x[t];
        a->g_w[o * a->ldw + i * a->K + k] += sum;
      }
  }
}

static void layer_backward(const sw_layer_grad_args *a) {
  const int C = a->C, T = a->T, cm = a->gated ? 2 * C : C;
  const bool zed = sw_act_needs_z(a->act, a->gated);
  float *ga = a->scratch; /* dL/da, C x T */
  for (int o = 0; o < C; o++) memcpy(ga + (size_t)o * T, a->g_s + o * a->ldgs, sizeof(float) * (size_t)T);
  if (a->v) {
    for (int o = 0; o < C; o++) {
      const float *g = a->g_out + o * a->ldgo;
      float sb = 0.0f;
      for (int t = 0; t < T; t++) sb += g[t];
      a->g_vb[o] += sb;
      for (int i = 0; i < C; i++) {
        const float *ai = a->a + i * a->lda;
        float sw = 0.0f, w = a->v[o * a->ldv + i];
        for (int t = 0; t < T; t++) sw += g[t] * ai[t];
        a->g_v[o * a->ldv + i] += sw;
        for (int t = 0; t < T; t++) ga[(size_t)i * T + t] += w * g[t];
      }
    }
  }
  for (int o = 0; o < C; o++)
    for (int t = 0; t < T; t++) {
      float g = ga[(size_t)o * T + t], y = a->a[o * a->lda + t];
      float *gz = a->gz + o * a->ldgz + t;
      if (a->gated) {
        float z1 = a->z[o * a->ldz + t], p = sw_act_apply(a->act, z1), q = sigmoidf(a->z[(o + C) * a->ldz + t]);
        gz[0] = g * q * sw_act_grad(a->act, z1, p);
        gz[C * a->ldgz] = g * p * q * (1.0f - q);
      } else {
        gz[0] = g * (zed ? sw_act_grad(a->act, a->z[o * a->ldz + t], y) : sw_act_grad_y(a->act, y));
      }
    }
  for (int o = 0; o < cm; o++) {
    const float *g = a->gz + o * a->ldgz;
    float sm = 0.0f, sb = 0.0f;
    for (int t = 0; t < T; t++) { sm += g[t] * a->x[t]; sb += g[t]; }
    a->g_m[o] += sm;
    a->g_b[o] += sb;
    if (a->g_x)
      for (int t = 0; t < T; t++) a->g_x[t] += a->m[o] * g[t];
  }
  sw_conv_grad_args c = {.cout = cm, .cin = C, .K = a->K, .d = a->d, .T = T, .ldw = a->ldw,
                         .in = a->h, .ldi = a->ldh, .g_out = a->gz, .ldgo = a->ldgz, .g_w = a->g_w};
  conv_backward(&c);
}

const sw_backend sw_backend_naive_impl = {
  .name = "naive",
  .isa = "scalar C",
  .conv_forward = conv_forward,
  .layer_forward = layer_forward,
  .conv_backward = conv_backward,
  .layer_backward = layer_backward,
};

const sw_backend *sw_backend_naive(void) { return &sw_backend_naive_impl; }
