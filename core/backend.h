/* The convolution backend interface. A backend is a const struct of function pointers
   (optional slots NULL) listed in a registry (backends/registry.c). The model runs every
   convolution through it; backends/naive.c is the reference every other one is checked against.

   Data layout everywhere: channel-major rows. Row i of a signal starts at p + i*ld and column t
   is time, so a dilated tap is a contiguous run of columns and SIMD code can vectorise over time,
   which fills registers whatever the channel count. Pointers address column 0 of the block; a
   causal tap k of a conv reads column t - (K-1-k)*d, so the caller keeps (K-1)*d valid history
   columns before column 0 (streaming: the layer's history buffer; training: the window itself).
   Weights are views with the full row stride (ld), so a slim width is the leading sub-block. */
#ifndef SW_BACKEND_H
#define SW_BACKEND_H

#include <stdbool.h>
#include <stddef.h>

#include "activation.h"

/* out[o][t] (+)= b[o] + sum_i sum_k w[o*ldw + i*K + k] * in[i*ldi + t - (K-1-k)*d]
   for o < cout, t < T. Used for rechannels (K = 1, no bias) and the head (K = K_h). */
typedef struct sw_conv_args {
  int cout, cin, K, d, T;
  const float *w; ptrdiff_t ldw; /* ldw = full cin * K */
  const float *b;                /* NULL: no bias */
  const float *in; ptrdiff_t ldi;
  float *out; ptrdiff_t ldo;
  bool accumulate;               /* out += instead of out = */
} sw_conv_args;

/* One whole WaveNet layer (SPEC section 1), C = active channels, cmid = C (2C when gated):
     z[o][t] = b[o] + sum_{i<C,k} w[o*ldw + i*K + k] h[i][t-(K-1-k)d] + m[o] x[t]   o < cmid
     a = act(z)                 (gated: act(z[0:C]) * sigmoid(z[C:2C]))
     h_out[o][t] = h[o][t] + sum_{i<C} v[o*ldv + i] a[i][t] + vb[o]   (h_out = h when v == NULL)
     s[o][t] += a[o][t]
   vb may be NULL (no bias term): the model folds it into the next conv's bias for inference.
   h_out never aliases h. a, when non-NULL, receives the activation output (C rows) and z, when
   non-NULL, the pre-activation (cmid rows), for the backward pass: training passes a, and z only
   where sw_act_needs_z (gated layers; the backward of any other reads a alone); inference passes
   both NULL. */
typedef struct sw_layer_args {
  int C, K, d, T;
  bool gated;
  sw_act act;
  const float *w, *b; ptrdiff_t ldw;
  const float *m;
  const float *v, *vb; ptrdiff_t ldv;
  const float *h; ptrdiff_t ldh;
  const float *x;
  float *h_out; ptrdiff_t ldo;
  float *s; ptrdiff_t lds;
  float *z; ptrdiff_t ldz;
  float *a; ptrdiff_t lda;
  float *scratch;       /* >= sw_layer_scratch_floats(C, T) floats, 64-byte aligned */
} sw_layer_args;

/* Weight gradients of sw_conv_args given g_out (cout x T): ADDS sum_t g_out[o][t] in[i][t-(K-1-k)d]
   to g_w (stride ldw) and sum_t g_out[o][t] to g_b (may be NULL). The input gradient is a
   conv_forward of g_out with the transposed weights (sw_tconv_weights), which the caller runs. */
typedef struct sw_conv_grad_args {
  int cout, cin, K, d, T;
  ptrdiff_t ldw;
  const float *in; ptrdiff_t ldi;
  const float *g_out; ptrdiff_t ldgo;
  float *g_w, *g_b;
} sw_conv_grad_args;

/* Gradients of one layer over T columns given g_out = dL/dh_out and g_s = dL/ds (C x T) and the
   forward's a (and z, read only where sw_act_needs_z):
     ga = g_s + V^T g_out (ga = g_s without a 1x1),   gz = dL/dz, WRITTEN (cmid x T),
   and ADDS the parameter gradients (views with the strides of the weights; g_v/g_vb unused when
   v == NULL) and m^T gz to g_x (may be NULL). The input gradient dL/dh = g_out + (the conv of gz
   with the transposed weights) is the caller's: one conv_forward, accumulating onto g_out. */
typedef struct sw_layer_grad_args {
  int C, K, d, T;
  bool gated;
  sw_act act;
  ptrdiff_t ldw;
  const float *m;
  const float *v; ptrdiff_t ldv;
  const float *h; ptrdiff_t ldh;
  const float *x;
  const float *z; ptrdiff_t ldz;
  const float *a; ptrdiff_t lda;
  const float *g_out; ptrdiff_t ldgo;
  const float *g_s; ptrdiff_t ldgs;
  float *gz; ptrdiff_t ldgz;
  float *g_x;
  float *g_w, *g_b, *g_m, *g_v, *g_vb;
  float *scratch;       /* >= sw_layer_scratch_floats(C, T) floats */
} sw_layer_grad_args;

/* What a plan or supports() is asked about: one layer or conv at a width, up to max_T frames. */
typedef struct sw_shape {
  bool is_layer;          /* false: plain conv (rechannel/head) */
  int C, K, d;            /* layer: C channels; conv: cout = C, cin below */
  int cin;
  bool gated, has_v, has_bias;
  sw_act act;
  int max_T;
} sw_shape;

typedef void (*sw_layer_fn)(const sw_layer_args *a, void *plan);

typedef struct sw_backend {
  const char *name;       /* "naive", "blas", "onednn", "avx2", "avx512", "neon" */
  const char *isa;        /* instruction set the kernels use, e.g. "avx2+fma" */
  /* Compiled in and the CPU/OS can run it. NULL = always. */
  bool (*usable)(void);
  /* May decline a shape (the naive path then runs it, and the model records that). NULL = all. */
  bool (*supports)(const sw_shape *s);
  /* Optional per-shape plan made once outside the timed path (weights fixed while it lives):
     the args carry the weights and max frames; returns NULL on failure. */
  void *(*layer_plan)(const sw_layer_args *proto);
  void *(*conv_plan)(const sw_conv_args *proto);
  void (*plan_free)(void *plan);
  const char *(*plan_info)(const void *plan); /* e.g. the implementation oneDNN picked */

  void (*conv_forward)(const sw_conv_args *a, void *plan);
  void (*layer_forward)(const sw_layer_args *a, void *plan);
  /* Optional: layer_forward specialised for the shape of proto (C, K, act, weight strides, and
     whether z and a are saved: only their being NULL or not is read), which the model binds once
     per width and then calls with only T and the buffer pointers changed: no dispatch on the
     shape per call. NULL (or a NULL result): layer_forward serves. */
  sw_layer_fn (*layer_forward_for)(const sw_layer_args *proto);
  void (*conv_backward)(const sw_conv_grad_args *a);
  void (*layer_backward)(const sw_layer_grad_args *a);
  /* Called once per thread that runs kernels (e.g. to set FTZ/DAZ). NULL = nothing to do. */
  void (*thread_init)(void);
} sw_backend;

/* Scratch every backend may assume for a layer call: 4 * C rows of T (+ padding). */
static inline size_t sw_layer_scratch_floats(int C, int T) {
  return (size_t)4 * (size_t)C * (size_t)(T + 16) + 64;
}

/* Row stride (floats) for rows of n columns: whole 64-byte lines, an odd number of them, so that
   the rows of one column fall in different L1 sets (with a power of two of lines, every row of a
   column lands in the same set). */
static inline ptrdiff_t sw_row_stride(long n) {
  long s = (n + 15) & ~15L;
  return (s / 16) % 2 ? s : s + 16;
}

/* Registry (backends/registry.c). */
int sw_backend_count(void);
const sw_backend *sw_backend_at(int i);          /* compiled-in backends, naive first */
const sw_backend *sw_backend_find(const char *name);
const sw_backend *sw_backend_naive(void);
/* SLIMWAVE_BACKEND if set (NULL + message if it names an unusable backend), else the best
   usable one: avx512, avx2, neon, naive. */
const sw_backend *sw_backend_default(char *why, size_t why_len);
bool sw_backend_is_usable(const sw_backend *b);

#endif
