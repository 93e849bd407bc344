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

/* The constants of v_tanh below. v_tanh_k(x, k) is v_tanh with them read from k: given sw_tanh_k
   the compiler folds them to constants; given a pointer it cannot follow, each becomes a broadcast
   load (a memory operand on AVX-512), for a caller whose live values already fill the register
   file and would otherwise spill around them. */
static const float sw_tanh_k[11] = {-9.0f, 9.0f, 1.3351957278e-8f, 2.06072107297e-5f, 7.77547317492e-7f,
                                    0.000328545286037f, 0.00349547893546f, 0.0258765721637f, 0.133809354678f,
                                    0.467142511225f, 0.999999979583f};
/* v_tanh_k of n <= 4 values, each step for all n before the next, so that n independent chains
   are in program order (for a caller whose values are all ready at once). */
SW_INL void v_tanh_kn(vf *x, const int n, const float *k) {
  vf s[4], p[4], q[4];
#pragma GCC unroll 4
  for (int j = 0; j < n; j++) {
#ifdef SW_HAVE_CLAMP /* one operation where the ISA has it */
    x[j] = v_clamp(x[j], k[1]);
#else
    x[j] = v_min(v_max(x[j], v_set1(k[0])), v_set1(k[1]));
#endif
    s[j] = v_mul(x[j], x[j]);
  }
#pragma GCC unroll 4
  for (int j = 0; j < n; j++) {
    p[j] = v_fma(v_set1(k[2]), s[j], v_set1(k[3]));
    q[j] = v_fma(v_set1(k[4]), s[j], v_set1(k[5]));
  }
#pragma GCC unroll 4
  for (int j = 0; j < n; j++) {
    p[j] = v_fma(p[j], s[j], v_set1(k[6]));
    q[j] = v_fma(q[j], s[j], v_set1(k[7]));
  }
#pragma GCC unroll 4
  for (int j = 0; j < n; j++) {
    p[j] = v_fma(p[j], s[j], v_set1(k[8]));
    q[j] = v_fma(q[j], s[j], v_set1(k[9]));
  }
#pragma GCC unroll 4
  for (int j = 0; j < n; j++) {
    p[j] = v_fma(p[j], s[j], v_set1(k[10]));
    q[j] = v_fma(q[j], s[j], v_set1(1.0f));
  }
#pragma GCC unroll 4
  for (int j = 0; j < n; j++) {
#ifdef SW_TANH_DIV
    x[j] = v_div(v_mul(p[j], x[j]), q[j]);
#else
    x[j] = v_mul(v_mul(p[j], x[j]), v_recip(q[j]));
#endif
  }
}
SW_INL vf v_tanh_k(vf x, const float *k) {
  v_tanh_kn(&x, 1, k);
  return x;
}

/* tanh(x) ~ x P(x^2) / Q(x^2), a (9, 8)-degree rational fitted by tools/fit_tanh.py for the least
   maximum relative error on (0, 9] (2.1e-8 in exact arithmetic); x is clamped to +-9, where tanh
   rounds to 1 in float. In float, with the reciprocal of v_recip: at most 5.7 ulp, mean 0.95 ulp
   against tanh in double over every float in [1e-20, 11] (AVX-512's 14-bit vrcp14ps estimate:
   5.6 ulp, mean 0.15); 16 operations (15 with a one-op clamp) and no exp, where the
   expm1 form it replaced took 27 (the activation dominates the cost at narrow slim widths).
   SW_TANH_DIV (set by an ISA whose divider keeps up) divides by Q instead of multiplying by
   v_recip(Q): the divider runs beside the FMA pipes the convolution needs, and the quotient is
   correctly rounded (max 5.6 ulp, mean 0.15 ulp over the same floats). On AVX2 (Zen 3) a layer
   is 2-6% faster at 3-16 channels by tools/kernel-ab.sh (at 1-2 channels -1% to +11% over
   runs); the ISAs not measured here (AVX-512, NEON) keep the reciprocal. */
SW_INL vf v_tanh(vf x) { return v_tanh_k(x, sw_tanh_k); }

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

/* d act / dz from y = act(z) alone, as sw_act_grad_y. */
SW_INL vf v_act_grad_y(sw_act a, vf y) {
  vf one = v_set1(1.0f);
  switch (a.kind) {
  case SW_ACT_TANH:
  case SW_ACT_FAST_TANH: return v_sub(one, v_mul(y, y));
  case SW_ACT_RELU: return v_sel_gt(y, v_zero(), one, v_zero());
  case SW_ACT_LEAKY_RELU: return v_sel_gt(y, v_zero(), one, v_set1(a.alpha));
  case SW_ACT_SIGMOID: return v_mul(y, v_sub(one, y));
  case SW_ACT_HARDTANH: return v_sel_gt(y, v_set1(-1.0f), v_sel_gt(one, y, one, v_zero()), v_zero());
  case SW_ACT_IDENTITY: break;
  }
  return one;
}

#endif
