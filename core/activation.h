/* Activation functions shared by every backend and the trainer. The fast tanh is one rational
   function defined here so that all backends (scalar and SIMD) approximate the same curve. */
#ifndef SW_ACTIVATION_H
#define SW_ACTIVATION_H

#include <math.h>
#include <stdbool.h>

typedef enum {
  SW_ACT_IDENTITY = 0,
  SW_ACT_TANH,
  SW_ACT_FAST_TANH,
  SW_ACT_RELU,
  SW_ACT_LEAKY_RELU, /* alpha = negative slope */
  SW_ACT_SIGMOID,
  SW_ACT_HARDTANH, /* clamp to [-1, 1] */
} sw_act_kind;

typedef struct sw_act {
  sw_act_kind kind;
  float alpha;
} sw_act;

/* Pade [7/6] of tanh with the input clamped to +-4.8 (below where the curve crosses 1):
   max |error| 7.3e-5 over R (checked in test_activation); one division and a clamp,
   so it vectorises as written. */
#define SW_FT_A0 135135.0f
#define SW_FT_A1 17325.0f
#define SW_FT_A2 378.0f
#define SW_FT_B1 62370.0f
#define SW_FT_B2 3150.0f
#define SW_FT_B3 28.0f
#define SW_FT_CLAMP 4.8f

static inline float sw_fast_tanhf(float x) {
  x = x > SW_FT_CLAMP ? SW_FT_CLAMP : (x < -SW_FT_CLAMP ? -SW_FT_CLAMP : x);
  float x2 = x * x;
  float p = x * (SW_FT_A0 + x2 * (SW_FT_A1 + x2 * (SW_FT_A2 + x2)));
  float q = SW_FT_A0 + x2 * (SW_FT_B1 + x2 * (SW_FT_B2 + x2 * SW_FT_B3));
  return p / q;
}

static inline float sw_act_apply(sw_act a, float z) {
  switch (a.kind) {
  case SW_ACT_TANH: return tanhf(z);
  case SW_ACT_FAST_TANH: return sw_fast_tanhf(z);
  case SW_ACT_RELU: return z > 0.0f ? z : 0.0f;
  case SW_ACT_LEAKY_RELU: return z > 0.0f ? z : a.alpha * z;
  case SW_ACT_SIGMOID: return 1.0f / (1.0f + expf(-z));
  case SW_ACT_HARDTANH: return z > 1.0f ? 1.0f : (z < -1.0f ? -1.0f : z);
  case SW_ACT_IDENTITY: break;
  }
  return z;
}

/* d phi / d z given the pre-activation z and its output y = phi(z). The fast tanh uses the
   derivative of the exact tanh at y (1 - y^2): the trainer trains with the exact tanh anyway. */
static inline float sw_act_grad(sw_act a, float z, float y) {
  switch (a.kind) {
  case SW_ACT_TANH:
  case SW_ACT_FAST_TANH: return 1.0f - y * y;
  case SW_ACT_RELU: return z > 0.0f ? 1.0f : 0.0f;
  case SW_ACT_LEAKY_RELU: return z > 0.0f ? 1.0f : a.alpha;
  case SW_ACT_SIGMOID: return y * (1.0f - y);
  case SW_ACT_HARDTANH: return (z > -1.0f && z < 1.0f) ? 1.0f : 0.0f;
  case SW_ACT_IDENTITY: break;
  }
  return 1.0f;
}

/* The same derivative from the output y alone, for the backward of a layer that keeps only y:
   ReLU, LeakyReLU (alpha >= 0) and Hardtanh have y > 0 iff z > 0 and |y| < 1 iff |z| < 1, so it
   equals sw_act_grad wherever sw_act_needs_z is false. */
static inline float sw_act_grad_y(sw_act a, float y) {
  switch (a.kind) {
  case SW_ACT_TANH:
  case SW_ACT_FAST_TANH: return 1.0f - y * y;
  case SW_ACT_RELU:
  case SW_ACT_LEAKY_RELU: return y > 0.0f ? 1.0f : (a.kind == SW_ACT_RELU ? 0.0f : a.alpha);
  case SW_ACT_SIGMOID: return y * (1.0f - y);
  case SW_ACT_HARDTANH: return (y > -1.0f && y < 1.0f) ? 1.0f : 0.0f;
  case SW_ACT_IDENTITY: break;
  }
  return 1.0f;
}

/* Whether a layer's backward needs its pre-activation z, not just the output: gated layers (the
   gate's two halves), and a LeakyReLU whose negative slope is negative (y > 0 for z < 0). */
static inline bool sw_act_needs_z(sw_act a, bool gated) {
  return gated || (a.kind == SW_ACT_LEAKY_RELU && !(a.alpha >= 0.0f));
}

/* Name as written in .nam files ("Tanh", "LeakyReLU", ...). */
const char *sw_act_name(sw_act_kind k);
/* Parses a .nam activation name; returns 0 on success, -1 if unknown. */
int sw_act_parse(const char *name, sw_act *out);

#endif
