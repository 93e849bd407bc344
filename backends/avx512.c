/* AVX-512 backend: 16-lane primitives for the shared kernels in simd_kernels.h. Compiled with
   -mavx512f (this file only) plus AVX512DQ by the pragma below (for vrangeps: every AVX-512 CPU but
   the Xeon Phis has it); usable() checks both and the OS opmask/ZMM state at run time. */
#pragma GCC target("avx512dq")
#include <immintrin.h>
#include <stdint.h>

#include "cpu.h"

#define SW_INL static inline __attribute__((always_inline))
typedef __m512 vf;
typedef __mmask16 vm;
#define VL 16
#define SW_RMAX 4 /* 4 rows x 4 vectors = 16 accumulators of 32 registers */
#define SW_VMAX 4
#define SW_FUSE_ACC 16
#define SW_DOT_Q 6 /* weight-gradient tiles 4 x 6 (24 accumulators): 10 loads per 24 FMAs, where 4 x 4 took 8 per 16 and 4 x 2 12 per 8; the tiled backward reads its inputs from L2, so fewer loads count: standard 0.96x, paper 0.98x the time per window (Zen 4) */
/* Fused layers up to 8 channels (8 x 2 vectors): by tools/model-ab.sh, A1 standard 64-sample blocks
   2-3% faster at full width (its 8-channel array), 8% at 6,3 channels (measured together with conv
   tiles that start from the bias, worth about 1% at full width). And at 16 channels (16 x 1, the
   A1 standard's first array at full width): full width 0.926x the time per block, and the 1x1
   four rows at a time (four FMA chains in flight) 0.973x of that for the 16-channel layer by
   tools/kernel-ab.sh. 9-15 channels (C x 1, exact tanh, K = 3): A1 standard at 9,5 to 15,8
   channels 0.92-0.99x the time of their unfused path (12,6 and 13,7 gain least). */
#define SW_FUSE_RMAX 16
/* Fused tiles of 16 accumulators take the tanh constants as memory operands (simd_fused.h): by
   tools/model-ab.sh, A1 standard at 4,2 channels 5% faster (0.946, 0.947); tiles of 12 did worse
   with it (6,3: 1.038), so they keep the constants in registers. Rechecked after 645fb87: without it,
   4,2 took 1.060x. */
#define SW_TANH_K_ACC 16
#define SW_FUSE_DENSE 1 /* simd_fused.h; nano at full width 0.984x the time of dense at 16 channels only */
#define SW_FUSE_G 4 /* the 1x1 of the fused tile: 4 rows x 1 vector at 16 channels (see above) */
/* simd_fused.h: four rows' tanh interleaved at one vector per row; by tools/kernel-ab.sh at 16
   channels 0.975x the time (d = 8) and 0.981x (d = 1), tools/model-ab.sh full width 0.984x. Also
   in the 4 x 4 and 8 x 2 tiles (16 accumulators): kernel-ab 4 channels 0.964-0.980x, 8 channels
   0.974-0.982x; model-ab 4,2 0.980x and 0.981x, 8,4 0.991x and 0.996x, full width 0.978x and 0.989x. */
#define SW_FUSE_TANH4

SW_INL vf v_load(const float *p) { return _mm512_loadu_ps(p); }
SW_INL void v_store(float *p, vf x) { _mm512_storeu_ps(p, x); }
#define SW_HAVE_STREAM
SW_INL void v_stream(float *p, vf x) { _mm512_stream_ps(p, x); } /* p aligned to the vector */
SW_INL vm v_mask(int n) { return (vm)((1u << n) - 1u); }
/* Masked-out lanes are neither read nor written (no fault past the end of a row). */
SW_INL vf v_loadm(const float *p, vm m) { return _mm512_maskz_loadu_ps(m, p); }
SW_INL void v_storem(float *p, vm m, vf x) { _mm512_mask_storeu_ps(p, m, x); }
SW_INL vf v_set1(float a) { return _mm512_set1_ps(a); }
SW_INL vf v_zero(void) { return _mm512_setzero_ps(); }
SW_INL vf v_add(vf a, vf b) { return _mm512_add_ps(a, b); }
SW_INL vf v_sub(vf a, vf b) { return _mm512_sub_ps(a, b); }
SW_INL vf v_mul(vf a, vf b) { return _mm512_mul_ps(a, b); }
SW_INL vf v_div(vf a, vf b) { return _mm512_div_ps(a, b); }
/* 1/b from the 14-bit estimate and one Newton step. */
SW_INL vf v_recip(vf b) {
  vf y = _mm512_rcp14_ps(b);
  return _mm512_fmadd_ps(y, _mm512_fnmadd_ps(b, y, _mm512_set1_ps(1.0f)), y);
}
SW_INL vf v_fma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); } /* a*b + c */
SW_INL vf v_max(vf a, vf b) { return _mm512_max_ps(a, b); }
SW_INL vf v_min(vf a, vf b) { return _mm512_min_ps(a, b); }
/* min(|x|, c) with the sign of x (c > 0): the tanh's clamp in one operation instead of two. */
#define SW_HAVE_CLAMP
SW_INL vf v_clamp(vf x, float c) { return _mm512_range_ps(x, _mm512_set1_ps(c), 0x02); }
/* Bit operations on the integer view: and/or on floats need AVX512DQ, these are plain F. */
SW_INL vf v_abs(vf a) {
  return _mm512_castsi512_ps(_mm512_and_si512(_mm512_castps_si512(a), _mm512_set1_epi32(0x7fffffff)));
}
SW_INL vf v_copysign(vf mag, vf sgn) {
  __m512i m = _mm512_and_si512(_mm512_castps_si512(mag), _mm512_set1_epi32(0x7fffffff));
  __m512i s = _mm512_and_si512(_mm512_castps_si512(sgn), _mm512_set1_epi32((int)0x80000000u));
  return _mm512_castsi512_ps(_mm512_or_si512(m, s));
}
SW_INL vf v_sel_gt(vf a, vf b, vf x, vf y) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, b, _CMP_GT_OQ), y, x); }
SW_INL vf v_round(vf a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
SW_INL vf v_pow2i(vf n) { /* 2^n, n integral in [-126, 127] */
  __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
  return _mm512_castsi512_ps(_mm512_slli_epi32(e, 23));
}
SW_INL float v_hsum(vf a) { return _mm512_reduce_add_ps(a); }

#include "simd_kernels.h"

static bool usable(void) {
  const sw_cpu *c = sw_cpu_get();
  return c->avx512f && c->avx512dq && c->os_zmm;
}

/* FTZ + DAZ (MXCSR also governs the AVX-512 units). */
static void thread_init(void) { _mm_setcsr(_mm_getcsr() | 0x8040); }

const sw_backend sw_backend_avx512_impl = {
  .name = "avx512",
  .isa = "avx512f+dq",
  .usable = usable,
  .conv_forward = conv_forward,
  .layer_forward = layer_forward,
  .layer_forward_for = layer_fused_fn,
  .conv_backward = conv_backward,
  .layer_backward = layer_backward,
  .thread_init = thread_init,
};
