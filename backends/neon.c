/* 64-bit Arm NEON backend: 4-lane primitives for the shared kernels in simd_kernels.h. NEON is
   part of AArch64, so no flag is needed; usable() still checks AT_HWCAP (ASIMD). */
#include <arm_neon.h>
#include <string.h>

#include "cpu.h"

#define SW_INL static inline __attribute__((always_inline))
typedef float32x4_t vf;
typedef int vm; /* NEON has no masked loads: a tail is copied through a small buffer */
#define VL 4
#define SW_RMAX 4 /* 4 rows x 4 vectors = 16 accumulators of 32 registers */
#define SW_VMAX 4
#define SW_FUSE_ACC 16

SW_INL vf v_load(const float *p) { return vld1q_f32(p); }
SW_INL void v_store(float *p, vf x) { vst1q_f32(p, x); }
SW_INL vm v_mask(int n) { return n; }
SW_INL vf v_loadm(const float *p, vm n) {
  float t[4] = {0, 0, 0, 0};
  memcpy(t, p, sizeof(float) * (size_t)n);
  return vld1q_f32(t);
}
SW_INL void v_storem(float *p, vm n, vf x) {
  float t[4];
  vst1q_f32(t, x);
  memcpy(p, t, sizeof(float) * (size_t)n);
}
SW_INL vf v_set1(float a) { return vdupq_n_f32(a); }
SW_INL vf v_zero(void) { return vdupq_n_f32(0.0f); }
SW_INL vf v_add(vf a, vf b) { return vaddq_f32(a, b); }
SW_INL vf v_sub(vf a, vf b) { return vsubq_f32(a, b); }
SW_INL vf v_mul(vf a, vf b) { return vmulq_f32(a, b); }
SW_INL vf v_div(vf a, vf b) { return vdivq_f32(a, b); }
/* 1/b from the 8-bit estimate and two Newton steps (vrecps computes 2 - b*y). */
SW_INL vf v_recip(vf b) {
  vf y = vrecpeq_f32(b);
  y = vmulq_f32(y, vrecpsq_f32(b, y));
  return vmulq_f32(y, vrecpsq_f32(b, y));
}
SW_INL vf v_fma(vf a, vf b, vf c) { return vfmaq_f32(c, a, b); } /* a*b + c */
SW_INL vf v_max(vf a, vf b) { return vmaxq_f32(a, b); }
SW_INL vf v_min(vf a, vf b) { return vminq_f32(a, b); }
SW_INL vf v_abs(vf a) { return vabsq_f32(a); }
SW_INL vf v_copysign(vf mag, vf sgn) { return vbslq_f32(vdupq_n_u32(0x80000000u), sgn, mag); }
SW_INL vf v_sel_gt(vf a, vf b, vf x, vf y) { return vbslq_f32(vcgtq_f32(a, b), x, y); }
SW_INL vf v_round(vf a) { return vrndnq_f32(a); }
SW_INL vf v_pow2i(vf n) { /* 2^n, n integral in [-126, 127] */
  int32x4_t e = vaddq_s32(vcvtnq_s32_f32(n), vdupq_n_s32(127));
  return vreinterpretq_f32_s32(vshlq_n_s32(e, 23));
}
SW_INL float v_hsum(vf a) { return vaddvq_f32(a); }

#include "simd_kernels.h"

static bool usable(void) { return sw_cpu_get()->neon; }

/* FPCR.FZ (bit 24): flush denormals to zero, as FTZ/DAZ on x86. */
static void thread_init(void) {
  unsigned long fpcr;
  __asm__ volatile("mrs %0, fpcr" : "=r"(fpcr));
  __asm__ volatile("msr fpcr, %0" : : "r"(fpcr | (1ul << 24)));
}

const sw_backend sw_backend_neon_impl = {
  .name = "neon",
  .isa = "neon",
  .usable = usable,
  .conv_forward = conv_forward,
  .layer_forward = layer_forward,
  .layer_forward_for = layer_fused_fn,
  .conv_backward = conv_backward,
  .layer_backward = layer_backward,
  .thread_init = thread_init,
};
