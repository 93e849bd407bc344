/* Double-precision reference ops (see ops_d.h): the float naive backend's loops in double. */
#include "ops_d.h"

#include <math.h>
#include <string.h>

double swd_act_apply(sw_act a, double z) {
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

double swd_act_grad(sw_act a, double z, double y) {
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

void swd_conv_forward(const swd_conv_args *a) {
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

void swd_layer_forward(const swd_layer_args *a) {
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

void swd_conv_backward(const swd_conv_grad_args *a) {
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
void swd_layer_backward(const swd_layer_grad_args *a) {
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
