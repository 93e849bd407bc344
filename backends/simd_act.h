/* Vectorised activations and their derivatives, shared by the SIMD backends. The including file
   first defines the vector type vf, the mask type vm, VL lanes and the v_* primitives (see avx2.c).
   The fast tanh is the rational function of core/activation.h with the same operation order (mul
   and add kept separate), so it is bit-identical to sw_fast_tanhf. The exact tanh is accurate to a
   few ulp (checked by test_backends against libm's tanhf through the naive backend). */
#ifndef SW_SIMD_ACT_H
#define SW_SIMD_ACT_H

#include "../core/activation.h"

/* e^x for x clamped to [-87, 88]: x = n ln2 + r (Cody-Waite), e^r by its Taylor series to r^7
   (|r| <= ln2/2, truncation 5e-9 relative), times 2^n built in the exponent field. */
SW_INL vf v_exp(vf x) {
  x = v_min(v_max(x, v_set1(-87.0f)), v_set1(88.0f));
  vf n = v_round(v_mul(x, v_set1(1.44269504088896341f)));
  vf r = v_fma(n, v_set1(-0.693359375f), x);
  r = v_fma(n, v_set1(2.12194440e-4f), r);
  vf p = v_set1(1.0f / 5040.0f);
  p = v_fma(p, r, v_set1(1.0f / 720.0f));
  p = v_fma(p, r, v_set1(1.0f / 120.0f));
  p = v_fma(p, r, v_set1(1.0f / 24.0f));
  p = v_fma(p, r, v_set1(1.0f / 6.0f));
  p = v_fma(p, r, v_set1(0.5f));
  p = v_fma(p, r, v_set1(1.0f));
  p = v_fma(p, r, v_set1(1.0f));
  return v_mul(p, v_pow2i(n));
}

/* tanh(x) = -expm1(-2|x|) / (2 + expm1(-2|x|)) with the sign of x: no cancellation for small x,
   one reciprocal (estimate + Newton, v_recip). expm1(y) = 2^n expm1(r) + (2^n - 1), y = n ln2 + r
   (one FMA is enough: |n| <= 26 here), expm1(r) by its Taylor series to r^7 (truncation 2e-8
   relative) in Estrin form: the dependency chain, not the op count, bounds this loop. |x| is
   clamped at 9 (tanh(9) rounds to 1 in float). */
SW_INL vf v_tanh(vf x) {
  vf ax = v_min(v_abs(x), v_set1(9.0f));
  vf y = v_mul(ax, v_set1(-2.0f));
  vf n = v_round(v_mul(ax, v_set1(-2.0f * 1.44269504088896341f)));
  vf r = v_fma(n, v_set1(-0.693147180559945f), y);
  vf r2 = v_mul(r, r);
  vf a = v_fma(v_set1(1.0f / 6.0f), r, v_set1(0.5f));
  vf b = v_fma(v_set1(1.0f / 120.0f), r, v_set1(1.0f / 24.0f));
  vf c = v_fma(v_set1(1.0f / 5040.0f), r, v_set1(1.0f / 720.0f));
  vf q = v_fma(v_fma(c, r2, b), r2, a);
  vf em = v_fma(r2, q, r);
  vf s = v_pow2i(n);
  em = v_fma(s, em, v_sub(s, v_set1(1.0f)));
  vf t = v_mul(v_sub(v_zero(), em), v_recip(v_add(em, v_set1(2.0f))));
  return v_copysign(t, x);
}

SW_INL vf v_sigmoid(vf z) {
  return v_recip(v_add(v_set1(1.0f), v_exp(v_sub(v_zero(), z))));
}

/* Same expression tree as sw_fast_tanhf. */
SW_INL vf v_fast_tanh(vf x) {
  x = v_sel_gt(x, v_set1(SW_FT_CLAMP), v_set1(SW_FT_CLAMP), v_sel_gt(v_set1(-SW_FT_CLAMP), x, v_set1(-SW_FT_CLAMP), x));
  vf x2 = v_mul(x, x);
  vf p = v_mul(x, v_add(v_set1(SW_FT_A0), v_mul(x2, v_add(v_set1(SW_FT_A1), v_mul(x2, v_add(v_set1(SW_FT_A2), x2))))));
  vf q = v_add(v_set1(SW_FT_A0), v_mul(x2, v_add(v_set1(SW_FT_B1), v_mul(x2, v_add(v_set1(SW_FT_B2), v_mul(x2, v_set1(SW_FT_B3)))))));
  return v_div(p, q);
}

/* Selects written as in sw_act_apply so ReLU/Hardtanh/LeakyReLU give the same bits. */
SW_INL vf v_act(sw_act a, vf z) {
  switch (a.kind) {
  case SW_ACT_TANH: return v_tanh(z);
  case SW_ACT_FAST_TANH: return v_fast_tanh(z);
  case SW_ACT_RELU: return v_sel_gt(z, v_zero(), z, v_zero());
  case SW_ACT_LEAKY_RELU: return v_sel_gt(z, v_zero(), z, v_mul(v_set1(a.alpha), z));
  case SW_ACT_SIGMOID: return v_sigmoid(z);
  case SW_ACT_HARDTANH:
    return v_sel_gt(z, v_set1(1.0f), v_set1(1.0f), v_sel_gt(v_set1(-1.0f), z, v_set1(-1.0f), z));
  case SW_ACT_IDENTITY: break;
  }
  return z;
}

/* d act / dz given z and y = act(z), as sw_act_grad. */
SW_INL vf v_act_grad(sw_act a, vf z, vf y) {
  vf one = v_set1(1.0f);
  switch (a.kind) {
  case SW_ACT_TANH:
  case SW_ACT_FAST_TANH: return v_sub(one, v_mul(y, y));
  case SW_ACT_RELU: return v_sel_gt(z, v_zero(), one, v_zero());
  case SW_ACT_LEAKY_RELU: return v_sel_gt(z, v_zero(), one, v_set1(a.alpha));
  case SW_ACT_SIGMOID: return v_mul(y, v_sub(one, y));
  case SW_ACT_HARDTANH: return v_sel_gt(z, v_set1(-1.0f), v_sel_gt(one, z, one, v_zero()), v_zero());
  case SW_ACT_IDENTITY: break;
  }
  return one;
}

#endif
