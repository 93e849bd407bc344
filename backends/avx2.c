/* AVX2 + FMA backend: 8-lane primitives for the shared kernels in simd_kernels.h. Compiled with
   -mavx2 -mfma (this file only); usable() checks AVX2, FMA and the OS YMM state at run time. */
#include <immintrin.h>
#include <stdint.h>

#include "cpu.h"

#define SW_INL static inline __attribute__((always_inline))
typedef __m256 vf;
typedef __m256i vm;
#define VL 8
#define SW_RMAX 4 /* 4 rows x 3 vectors = 12 accumulators of 16 registers */
#define SW_VMAX 3
#define SW_FUSE_ACC 9 /* narrow fused tile: up to 9 accumulators (3x3; 4x3 spills), the rest for inputs and tanh */
#define SW_DOT_Q 3 /* weight-gradient tiles 4 x 3 (12 accumulators): A1 standard training step 3% faster than 4 x 2 (Xeon) */
#define SW_TANH_DIV   /* vdivps runs beside the FMA pipes: see v_tanh */

SW_INL vf v_load(const float *p) { return _mm256_loadu_ps(p); }
SW_INL void v_store(float *p, vf x) { _mm256_storeu_ps(p, x); }
#define SW_HAVE_STREAM
SW_INL void v_stream(float *p, vf x) { _mm256_stream_ps(p, x); } /* p aligned to the vector */
SW_INL vm v_mask(int n) {
  static const int32_t bits[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256((const __m256i *)(bits + 8 - n));
}
/* vmaskmovps does not touch (or fault on) the masked-out lanes. */
SW_INL vf v_loadm(const float *p, vm m) { return _mm256_maskload_ps(p, m); }
SW_INL void v_storem(float *p, vm m, vf x) { _mm256_maskstore_ps(p, m, x); }
SW_INL vf v_set1(float a) { return _mm256_set1_ps(a); }
SW_INL vf v_zero(void) { return _mm256_setzero_ps(); }
SW_INL vf v_add(vf a, vf b) { return _mm256_add_ps(a, b); }
SW_INL vf v_sub(vf a, vf b) { return _mm256_sub_ps(a, b); }
SW_INL vf v_mul(vf a, vf b) { return _mm256_mul_ps(a, b); }
SW_INL vf v_div(vf a, vf b) { return _mm256_div_ps(a, b); }
/* 1/b from the 12-bit estimate and one Newton step (~1 ulp): vdivps is the slowest op of tanh. */
SW_INL vf v_recip(vf b) {
  vf y = _mm256_rcp_ps(b);
  return _mm256_fmadd_ps(y, _mm256_fnmadd_ps(b, y, _mm256_set1_ps(1.0f)), y);
}
SW_INL vf v_fma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); } /* a*b + c */
SW_INL vf v_max(vf a, vf b) { return _mm256_max_ps(a, b); }
SW_INL vf v_min(vf a, vf b) { return _mm256_min_ps(a, b); }
SW_INL vf v_abs(vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
SW_INL vf v_copysign(vf mag, vf sgn) {
  vf s = _mm256_set1_ps(-0.0f);
  return _mm256_or_ps(_mm256_andnot_ps(s, mag), _mm256_and_ps(s, sgn));
}
SW_INL vf v_sel_gt(vf a, vf b, vf x, vf y) { return _mm256_blendv_ps(y, x, _mm256_cmp_ps(a, b, _CMP_GT_OQ)); }
SW_INL vf v_round(vf a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
SW_INL vf v_pow2i(vf n) { /* 2^n, n integral in [-126, 127] */
  __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
  return _mm256_castsi256_ps(_mm256_slli_epi32(e, 23));
}
SW_INL float v_hsum(vf a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

#include "simd_kernels.h"

static bool usable(void) {
  const sw_cpu *c = sw_cpu_get();
  return c->avx && c->avx2 && c->fma && c->os_ymm;
}

/* Flush denormals to zero (FTZ) and treat denormal inputs as zero (DAZ): the long decaying tails
   of a silent input otherwise hit the slow microcode path. */
static void thread_init(void) { _mm_setcsr(_mm_getcsr() | 0x8040); }

const sw_backend sw_backend_avx2_impl = {
  .name = "avx2",
  .isa = "avx2+fma",
  .usable = usable,
  .conv_forward = conv_forward,
  .layer_forward = layer_forward,
  .layer_forward_for = layer_fused_fn,
  .conv_backward = conv_backward,
  .layer_backward = layer_backward,
  .thread_init = thread_init,
};
