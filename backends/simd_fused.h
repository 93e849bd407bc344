/* The fused narrow layer of the SIMD backends (included by simd_kernels.h, which provides ld_v,
   st_v and the v_* primitives). For inference (the forward pass keeps neither z nor a) of a layer
   that is not gated, has a tanh and C <= SW_FUSE_RMAX channels, each time tile of V vectors goes
     conv + bias + mixin -> tanh -> s += a -> 1x1 + bias + residual -> h_out
   in registers, in one call. The unfused path makes one pass over the block per stage; at narrow
   slim widths those passes (z and a stored and reloaded, a call per row group and stage) cost more
   than the multiply-adds (A1 standard at 4,2 channels: 188 -> 317x real time, nano 150 -> 356x;
   on AVX2 a fused tile at 8 and 16 channels measured no faster, so wider layers stay unfused there;
   AVX-512's 32 registers take 8 channels x 2 vectors, see avx512.c).
   SW_FUSE_ACC (per ISA) bounds the live accumulators, leaving registers for inputs and tanh. */
#ifndef SW_SIMD_FUSED_H
#define SW_SIMD_FUSED_H

#ifndef SW_FUSE_RMAX /* widest layer the fused tile takes (channels) */
#define SW_FUSE_RMAX SW_RMAX
#endif

typedef struct fl_ctx {
  const float *w, *b, *m, *v, *vb, *h, *x;
  float *ho, *s;
  ptrdiff_t ldw, ldv, ldh, ldo, lds, d;
  int K;
} fl_ctx;

#define LAST(v) (masked && (v) == V - 1)

/* One tile: C rows (all of them) x V vectors from column t, the last vector masked to nl lanes. */
SW_INL void fl_tile(const fl_ctx *c, const bool fast, int t, const int C, const int V, const bool masked, int nl,
                    const int KC) {
  vm mk = v_mask(masked ? nl : VL);
  vf y[SW_FUSE_RMAX][SW_VMAX];
  /* z = b + m x + conv */
#pragma GCC unroll 8
  for (int r = 0; r < C; r++) {
    vf bb = v_set1(c->b[r]);
#pragma GCC unroll 8
    for (int v = 0; v < V; v++) y[r][v] = bb;
  }
#pragma GCC unroll 8
  for (int v = 0; v < V; v++) {
    vf xv = ld_v(c->x + t + v * VL, LAST(v), mk);
#pragma GCC unroll 8
    for (int r = 0; r < C; r++) y[r][v] = v_fma(v_set1(c->m[r]), xv, y[r][v]);
  }
  const int K = KC ? KC : c->K;
  const ptrdiff_t ldh = c->ldh, d = c->d, ldw = c->ldw;
  const float *in0 = c->h + t - (ptrdiff_t)(K - 1) * d;
#pragma GCC unroll 1 /* unrolled, the weight broadcasts get hoisted and the accumulators spill */
  for (int i = 0; i < C; i++) {
    const float *row = in0 + i * ldh, *wrow = c->w + i * K;
#pragma GCC unroll 4
    for (int k = 0; k < K; k++) {
      vf xv[SW_VMAX];
#pragma GCC unroll 8
      for (int v = 0; v < V; v++) xv[v] = ld_v(row + k * d + v * VL, LAST(v), mk);
#pragma GCC unroll 8
      for (int r = 0; r < C; r++) {
        vf wb = v_set1(wrow[r * ldw + k]);
#pragma GCC unroll 8
        for (int v = 0; v < V; v++) y[r][v] = v_fma(wb, xv[v], y[r][v]);
      }
    }
  }
  /* a = tanh(z), s += a. A tile of SW_TANH_K_ACC accumulators or more reads the tanh constants
     through a pointer the optimiser cannot follow, as memory operands instead of spills. */
#ifdef SW_TANH_K_ACC
  const bool tk_mem = C * V >= SW_TANH_K_ACC;
#else
  const bool tk_mem = false;
#endif
  const float *tk = sw_tanh_k;
  if (tk_mem) __asm__("" : "+r"(tk));
#pragma GCC unroll 8
  for (int r = 0; r < C; r++) {
    float *sp = c->s + r * c->lds + t;
#pragma GCC unroll 8
    for (int v = 0; v < V; v++) {
      y[r][v] = fast ? v_fast_tanh(y[r][v]) : v_tanh_k(y[r][v], tk); /* = v_tanh when tk is not laundered */
      st_v(sp + v * VL, LAST(v), mk, v_add(ld_v(sp + v * VL, LAST(v), mk), y[r][v]));
    }
  }
  /* h_out = h + vb + v a (no 1x1: h_out = h) */
#pragma GCC unroll 8
  for (int r = 0; r < C; r++) {
    const float *hp = c->h + r * ldh + t;
    float *op = c->ho + r * c->ldo + t;
    vf acc[SW_VMAX];
#pragma GCC unroll 8
    for (int v = 0; v < V; v++) acc[v] = ld_v(hp + v * VL, LAST(v), mk);
    if (c->v) {
      const float *wr = c->v + r * c->ldv;
      vf bb = v_set1(c->vb[r]);
#pragma GCC unroll 8
      for (int v = 0; v < V; v++) acc[v] = v_add(acc[v], bb);
#pragma GCC unroll 4
      for (int i = 0; i < C; i++) {
        vf wb = v_set1(wr[i]);
#pragma GCC unroll 8
        for (int v = 0; v < V; v++) acc[v] = v_fma(wb, y[i][v], acc[v]);
      }
    }
#pragma GCC unroll 8
    for (int v = 0; v < V; v++) st_v(op + v * VL, LAST(v), mk, acc[v]);
  }
}
#undef LAST

/* Tiles per (vectors, masked): one switch per tile, the shape constant inside. */
#define FL_V_CASES(CALL, V)            \
  case (V) * 2: CALL(V, false); break; \
  case (V) * 2 + 1: CALL(V, true); break;
#if SW_VMAX == 3
#define FL_V_SWITCH(V, masked, CALL) \
  switch ((V) * 2 + (masked)) { FL_V_CASES(CALL, 1) FL_V_CASES(CALL, 2) case 7: CALL(3, true); break; default: CALL(3, false); break; }
#elif SW_VMAX == 4
#define FL_V_SWITCH(V, masked, CALL)                                                          \
  switch ((V) * 2 + (masked)) {                                                               \
    FL_V_CASES(CALL, 1) FL_V_CASES(CALL, 2) FL_V_CASES(CALL, 3) case 9: CALL(4, true); break; \
  default: CALL(4, false); break;                                                             \
  }
#endif

/* Vectors per tile: as many as SW_FUSE_ACC accumulators allow, at most SW_VMAX. */
static inline int fl_vectors(int C) {
  int v = SW_FUSE_ACC / C;
  return v < 1 ? 1 : v > SW_VMAX ? SW_VMAX : v;
}

/* One layer function per (tanh kind, K = 3 or any): fast and kc are constants inside. */
#define FL_C1(V, M) fl_tile(c, fast, t, 1, V, M, nl, kc)
#define FL_C2(V, M) fl_tile(c, fast, t, 2, V, M, nl, kc)
#define FL_C3(V, M) fl_tile(c, fast, t, 3, V, M, nl, kc)
#define FL_C4(V, M) fl_tile(c, fast, t, 4, V, M, nl, kc)
#if SW_FUSE_RMAX == 8
#define FL_C5(V, M) fl_tile(c, fast, t, 5, V, M, nl, kc)
#define FL_C6(V, M) fl_tile(c, fast, t, 6, V, M, nl, kc)
#define FL_C7(V, M) fl_tile(c, fast, t, 7, V, M, nl, kc)
#define FL_C8(V, M) fl_tile(c, fast, t, 8, V, M, nl, kc)
#define FL_WIDE_CASES                       \
  case 4: FL_V_SWITCH(V, mkd, FL_C4) break; \
  case 5: FL_V_SWITCH(V, mkd, FL_C5) break; \
  case 6: FL_V_SWITCH(V, mkd, FL_C6) break; \
  case 7: FL_V_SWITCH(V, mkd, FL_C7) break; \
  default: FL_V_SWITCH(V, mkd, FL_C8) break;
#elif SW_FUSE_RMAX == 4
#define FL_WIDE_CASES default: FL_V_SWITCH(V, mkd, FL_C4) break;
#else
#error "SW_FUSE_RMAX must be 4 or 8"
#endif
#define FL_LAYER(NAME, FAST, KC)                                                                    \
  static void NAME(const fl_ctx *c, int C, int T) {                                                 \
    const bool fast = FAST;                                                                         \
    const int kc = KC, Vt = fl_vectors(C);                                                          \
    for (int t = 0; t < T; t += Vt * VL) {                                                          \
      int rem = T - t < Vt * VL ? T - t : Vt * VL, V = (rem + VL - 1) / VL, nl = rem - (V - 1) * VL; \
      bool mkd = nl < VL;                                                                           \
      switch (C) {                                                                                  \
      case 1: FL_V_SWITCH(V, mkd, FL_C1) break;                                                     \
      case 2: FL_V_SWITCH(V, mkd, FL_C2) break;                                                     \
      case 3: FL_V_SWITCH(V, mkd, FL_C3) break;                                                     \
      FL_WIDE_CASES                                                                                 \
      }                                                                                             \
    }                                                                                               \
  }
FL_LAYER(fl_tanh_k3, false, 3)
FL_LAYER(fl_tanh_kn, false, 0)
FL_LAYER(fl_ftanh_k3, true, 3)
FL_LAYER(fl_ftanh_kn, true, 0)

/* Runs the fused path if it applies to this call; false: the caller runs the unfused one. */
static bool layer_forward_fused(const sw_layer_args *a) {
  bool fast = a->act.kind == SW_ACT_FAST_TANH;
  if (a->gated || a->z || a->a || a->C > SW_FUSE_RMAX || !(fast || a->act.kind == SW_ACT_TANH)) return false;
  fl_ctx c = {.w = a->w, .b = a->b, .m = a->m, .v = a->v, .vb = a->vb, .h = a->h, .x = a->x,
              .ho = a->h_out, .s = a->s, .ldw = a->ldw, .ldv = a->ldv, .ldh = a->ldh, .ldo = a->ldo,
              .lds = a->lds, .d = a->d, .K = a->K};
  if (a->K == 3) (fast ? fl_ftanh_k3 : fl_tanh_k3)(&c, a->C, a->T);
  else (fast ? fl_ftanh_kn : fl_tanh_kn)(&c, a->C, a->T);
  return true;
}

#endif
