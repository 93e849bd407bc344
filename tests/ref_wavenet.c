/* Offline double-precision reference (see ref_wavenet.h). */
#include "ref_wavenet.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static double act(sw_act a, bool fast, double z) {
  if (a.kind == SW_ACT_TANH && fast) return sw_fast_tanhf((float)z);
  switch (a.kind) {
  case SW_ACT_TANH: return tanh(z);
  case SW_ACT_FAST_TANH: return sw_fast_tanhf((float)z);
  case SW_ACT_RELU: return z > 0 ? z : 0;
  case SW_ACT_LEAKY_RELU: return z > 0 ? z : a.alpha * z;
  case SW_ACT_SIGMOID: return 1 / (1 + exp(-z));
  case SW_ACT_HARDTANH: return z > 1 ? 1 : (z < -1 ? -1 : z);
  default: return z;
  }
}

int sw_ref_forward(const sw_net *net, const sw_widths *w, bool fast, const float *x, long n, double *y) {
  long rf = sw_net_receptive_field(net), N = n + rf - 1;
  sw_layout L;
  if (sw_layout_make(net, &L, NULL)) return -1;
  int maxC = 1;
  for (int i = 0; i < net->n_arrays; i++) if (net->arrays[i].channels * 2 > maxC) maxC = net->arrays[i].channels * 2;
  double *xp = calloc((size_t)N, sizeof(double));
  double *u = calloc((size_t)maxC * N, sizeof(double)), *h = calloc((size_t)maxC * N, sizeof(double));
  double *h2 = calloc((size_t)maxC * N, sizeof(double)), *z = calloc((size_t)maxC * N, sizeof(double));
  double *s = calloc((size_t)maxC * N, sizeof(double)), *hs = calloc((size_t)maxC * N, sizeof(double));
  if (!xp || !u || !h || !h2 || !z || !s || !hs) { free(xp); free(u); free(h); free(h2); free(z); free(s); free(hs); sw_layout_free(&L); return -1; }
  for (long t = 0; t < n; t++) xp[rf - 1 + t] = x[t];
  const float *W = net->w;
  long start = 0;   /* first valid column of the current signals */
  int din = 1;
  memcpy(u, xp, sizeof(double) * (size_t)N);
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    const sw_array_off *o = &L.arrays[i];
    int C = a->channels, c = w->c[i], H = i + 1 < net->n_arrays ? w->c[i + 1] : a->head_size;
    for (int r = 0; r < c; r++)
      for (long t = start; t < N; t++) {
        double acc = 0;
        for (int j = 0; j < din; j++) acc += (double)W[o->r + r * a->input_size + j] * u[j * N + t];
        h[r * N + t] = acc;
      }
    /* s: zero for the first array, else the previous head output (already in hs) */
    for (int r = 0; r < c; r++)
      for (long t = 0; t < N; t++) s[r * N + t] = i == 0 ? 0.0 : hs[r * N + t];
    for (int l = 0; l < a->n_layers; l++) {
      const sw_layer_cfg *ly = &a->layers[l];
      const sw_layer_off *lo = &o->layers[l];
      int K = ly->kernel, d = ly->dilation, cm = ly->gated ? 2 * c : c;
      long ns = start + (long)(K - 1) * d;
      for (int r = 0; r < cm; r++)
        for (long t = ns; t < N; t++) {
          double acc = W[lo->b + r] + (double)W[lo->m + r] * xp[t];
          for (int j = 0; j < c; j++)
            for (int k = 0; k < K; k++) acc += (double)W[lo->w + (long)r * C * K + j * K + k] * h[j * N + t - (long)(K - 1 - k) * d];
          z[r * N + t] = acc;
        }
      for (int r = 0; r < c; r++)
        for (long t = ns; t < N; t++) {
          double v = act(ly->act, fast, z[r * N + t]);
          if (ly->gated) v *= 1 / (1 + exp(-z[(r + c) * N + t]));
          z[r * N + t] = v; /* a, in place */
        }
      for (int r = 0; r < c; r++)
        for (long t = ns; t < N; t++) {
          double acc = h[r * N + t];
          if (a->layer1x1) {
            acc += W[lo->vb + r];
            for (int j = 0; j < c; j++) acc += (double)W[lo->v + (long)r * C + j] * z[j * N + t];
          }
          h2[r * N + t] = acc;
          s[r * N + t] += z[r * N + t];
        }
      memcpy(h, h2, sizeof(double) * (size_t)c * N);
      start = ns;
    }
    long hsst = start + a->head_kernel - 1;
    for (int r = 0; r < H; r++)
      for (long t = hsst; t < N; t++) {
        double acc = a->head_bias ? W[o->gb + r] : 0.0;
        for (int j = 0; j < c; j++)
          for (int k = 0; k < a->head_kernel; k++)
            acc += (double)W[o->g + (long)r * C * a->head_kernel + j * a->head_kernel + k] * s[j * N + t - (a->head_kernel - 1 - k)];
        hs[r * N + t] = acc;
      }
    start = hsst;
    memcpy(u, h, sizeof(double) * (size_t)c * N);
    din = c;
  }
  for (long t = 0; t < n; t++) y[t] = (double)net->head_scale * hs[rf - 1 + t];
  free(xp); free(u); free(h); free(h2); free(z); free(s); free(hs);
  sw_layout_free(&L);
  return 0;
}
