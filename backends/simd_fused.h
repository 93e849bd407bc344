/* The fused narrow layer of the SIMD backends (included by simd_kernels.h, which provides ld_v,
   st_v and the v_* primitives). For inference (the forward pass keeps neither z nor a) of a layer
   that is not gated, has a tanh and C <= SW_FUSE_RMAX channels (where that is 16: C <= 8 or 16),
   each time tile of V vectors goes
     conv + bias + mixin -> tanh -> s += a -> 1x1 + bias + residual -> h_out
   in registers, in one call. The unfused path makes one pass over the block per stage; at narrow
   slim widths those passes (z and a stored and reloaded, a call per row group and stage) cost more
   than the multiply-adds (A1 standard at 4,2 channels: 188 -> 317x real time, nano 150 -> 356x;
   on AVX2 a fused tile at 8 and 16 channels measured no faster, so wider layers stay unfused there;
   AVX-512's 32 registers take 8 channels x 2 vectors and 16 x 1, see avx512.c).
   Where the weights are the layer's own (not a slim view: row strides C*K and C) and the ISA sets
   SW_FUSE_DENSE, the strides are constants, so the 16 rows' weights are one pointer plus offsets:
   with the strides read from the arguments, GCC kept a pointer per row and spilled them (16
   channels 1.8x slower on AVX-512). AVX2 leaves it off: the nano model at full width took
   1.13-1.26x the time with it (tools/model-ab.sh, on the AVX-512 Xeon).
   SW_FUSE_ACC (per ISA) bounds the live accumulators, leaving registers for inputs and tanh. */
#ifndef SW_SIMD_FUSED_H
#define SW_SIMD_FUSED_H

#ifndef SW_FUSE_DENSE /* 1: an instance with constant weight strides for layers that are not slim views */
#define SW_FUSE_DENSE 0
#endif
#ifndef SW_FUSE_G /* accumulators of the 1x1 in flight (rows x vectors), at least one row */
#define SW_FUSE_G 1
#endif
/* SW_FUSE_TANH4 (per ISA, default off): the tanh of four (row, vector) pairs at a time, step by
   step (v_tanh_kn), so four independent chains are in program order. In tiles of one vector per
   row, and in tiles that read the tanh constants from memory (tk_mem below), which leaves the
   registers for it; with the constants in registers (5-7 channels) it measured 2-3% slower. */
#ifndef SW_FUSE_RMAX /* widest layer the fused tile takes (channels) */
#define SW_FUSE_RMAX SW_RMAX
#endif

#define LAST(v) (masked && (v) == V - 1)

/* The training forward's store of a, which nothing reads until the backward: past the caches where
   the ISA has streaming stores and the address is aligned (no read for ownership, no eviction of
   the tile's working set): A1 standard's forward 0.89x the time per window (avx512, Zen 4). */
SW_INL void st_keep(float *p, bool masked, vm mk, vf x) {
#ifdef SW_HAVE_STREAM
  if (!masked && !((uintptr_t)p & (sizeof(vf) - 1))) { v_stream(p, x); return; }
#endif
  st_v(p, masked, mk, x);
}

/* One tile: C rows (all of them) x V vectors from column t, the last vector masked to nl lanes. */
/* The tile reads the layer's arguments in place. Copying them into a context struct per call cost
   much more than it looks: without the copy, the A1 standard at 4,2 channels took 0.86x the time
   per 64-sample block by tools/model-ab.sh (avx512; 0.975x of that from scale_out in wavenet.c). */
SW_INL void fl_tile(const sw_layer_args *c, const bool fast, const bool train, int t, const int C, const int V,
                    const bool masked, int nl, const int KC, const bool dense) {
  vm mk = v_mask(masked ? nl : VL);
  vf y[SW_FUSE_RMAX][SW_VMAX];
  /* z = b + m x + conv */
#pragma GCC unroll 16
  for (int r = 0; r < C; r++) {
    vf bb = v_set1(c->b[r]);
#pragma GCC unroll 8
    for (int v = 0; v < V; v++) y[r][v] = bb;
  }
#pragma GCC unroll 8
  for (int v = 0; v < V; v++) {
    vf xv = ld_v(c->x + t + v * VL, LAST(v), mk);
#pragma GCC unroll 16
    for (int r = 0; r < C; r++) y[r][v] = v_fma(v_set1(c->m[r]), xv, y[r][v]);
  }
  const int K = KC ? KC : c->K;
  const ptrdiff_t ldh = c->ldh, d = c->d, ldw = dense ? C * K : c->ldw;
  const float *in0 = c->h + t - (ptrdiff_t)(K - 1) * d;
#pragma GCC unroll 1 /* unrolled, the weight broadcasts get hoisted and the accumulators spill */
  for (int i = 0; i < C; i++) {
    const float *row = in0 + i * ldh, *wrow = c->w + i * K;
#pragma GCC unroll 4
    for (int k = 0; k < K; k++) {
      vf xv[SW_VMAX];
#pragma GCC unroll 8
      for (int v = 0; v < V; v++) xv[v] = ld_v(row + k * d + v * VL, LAST(v), mk);
#pragma GCC unroll 16
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
#ifdef SW_FUSE_TANH4 /* set per ISA: measured on AVX-512 only */
  if (!fast && (V == 1 || tk_mem)) /* four (row, vector) pairs' tanh interleaved */
#pragma GCC unroll 16
    for (int q0 = 0; q0 < C * V; q0 += 4) {
      const int n = C * V - q0 < 4 ? C * V - q0 : 4;
      vf q[4];
#pragma GCC unroll 4
      for (int j = 0; j < n; j++) q[j] = y[(q0 + j) / V][(q0 + j) % V];
      v_tanh_kn(q, n, tk);
#pragma GCC unroll 4
      for (int j = 0; j < n; j++) {
        const int r = (q0 + j) / V, v = (q0 + j) % V;
        y[r][v] = q[j];
        if (train) st_keep(c->a + r * c->lda + t + v * VL, LAST(v), mk, q[j]);
        float *sp = c->s + r * c->lds + t + v * VL;
        st_v(sp, LAST(v), mk, v_add(ld_v(sp, LAST(v), mk), q[j]));
      }
    }
  else
#endif
#pragma GCC unroll 16
  for (int r = 0; r < C; r++) {
    float *sp = c->s + r * c->lds + t;
#pragma GCC unroll 8
    for (int v = 0; v < V; v++) {
      y[r][v] = fast ? v_fast_tanh(y[r][v]) : v_tanh_k(y[r][v], tk); /* = v_tanh when tk is not laundered */
      if (train) st_keep(c->a + r * c->lda + t + v * VL, LAST(v), mk, y[r][v]);
      st_v(sp + v * VL, LAST(v), mk, v_add(ld_v(sp + v * VL, LAST(v), mk), y[r][v]));
    }
  }
  /* h_out = h [+ vb] + v a (no 1x1: h_out = h), G rows at a time so that about
     SW_FUSE_G accumulators (independent FMA chains) are in flight however few vectors the tile has */
  const ptrdiff_t ldv = dense ? C : c->ldv;
  const int G = V >= SW_FUSE_G ? 1 : SW_FUSE_G / V;
#pragma GCC unroll 16
  for (int r0 = 0; r0 < C; r0 += G) {
    const int Gr = C - r0 < G ? C - r0 : G;
    vf acc[SW_FUSE_G][SW_VMAX];
#pragma GCC unroll 4
    for (int g = 0; g < Gr; g++)
#pragma GCC unroll 8
      for (int v = 0; v < V; v++) acc[g][v] = ld_v(c->h + (r0 + g) * ldh + t + v * VL, LAST(v), mk);
    if (c->v) {
      if (c->vb) { /* NULL where the model folded it into the next layer's conv bias */
#pragma GCC unroll 4
        for (int g = 0; g < Gr; g++) {
          vf bb = v_set1(c->vb[r0 + g]);
#pragma GCC unroll 8
          for (int v = 0; v < V; v++) acc[g][v] = v_add(acc[g][v], bb);
        }
      }
#pragma GCC unroll 16
      for (int i = 0; i < C; i++)
#pragma GCC unroll 4
        for (int g = 0; g < Gr; g++) {
          vf wb = v_set1(c->v[(r0 + g) * ldv + i]);
#pragma GCC unroll 8
          for (int v = 0; v < V; v++) acc[g][v] = v_fma(wb, y[i][v], acc[g][v]);
        }
    }
#pragma GCC unroll 4
    for (int g = 0; g < Gr; g++)
#pragma GCC unroll 8
      for (int v = 0; v < V; v++) st_v(c->h_out + (r0 + g) * c->ldo + t + v * VL, LAST(v), mk, acc[g][v]);
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

/* One layer function per (channels, tanh kind, K = 3 or any), C, fast and kc constants inside,
   picked from a table (layer_fused_fn) once per width by the model, or per call by layer_forward:
   the tile loop switches only on the tail's shape. */
#define FL_LOOP                                                                                   \
  for (int t = 0; t < T; t += Vt * VL) {                                                          \
    int rem = T - t < Vt * VL ? T - t : Vt * VL, V = (rem + VL - 1) / VL, nl = rem - (V - 1) * VL; \
    FL_V_SWITCH(V, nl < VL, FL_TILE)                                                              \
  }
#define FL_TILE(V, M) fl_tile(c, fast, train, t, C, V, M, nl, kc, dense)
#define FL_FN(C_, FAST, KC, NAME) FL_FN_T(C_, FAST, false, KC, NAME)
#define FL_FN_T(C_, FAST, TRAIN, KC, NAME)                                                          \
  static void NAME(const sw_layer_args *c, void *plan) {                                            \
    (void)plan;                                                                                     \
    const int T = c->T;                                                                             \
    const bool fast = FAST, train = TRAIN;                                                          \
    const int C = C_, kc = KC, Vt = fl_vectors(C);                                                  \
    if (SW_FUSE_DENSE && KC && c->ldw == C * KC && (!c->v || c->ldv == C)) {                        \
      const bool dense = true;                                                                      \
      FL_LOOP                                                                                       \
    } else {                                                                                        \
      const bool dense = false;                                                                     \
      FL_LOOP                                                                                       \
    }                                                                                               \
  }
/* Per channel count: exact tanh at K = 3 and any K, the fast tanh at both, and the training
   instances (exact tanh, a saved for the backward) at both: columns of fl_table. */
#define FL_FNS(C_)                                                                                      \
  FL_FN(C_, false, 3, fl_t3_##C_) FL_FN(C_, false, 0, fl_tn_##C_) FL_FN(C_, true, 3, fl_f3_##C_)          \
  FL_FN(C_, true, 0, fl_fn_##C_) FL_FN_T(C_, false, true, 3, fl_r3_##C_) FL_FN_T(C_, false, true, 0, fl_rn_##C_)
#define FL_ROW(C_) {fl_t3_##C_, fl_tn_##C_, fl_f3_##C_, fl_fn_##C_, fl_r3_##C_, fl_rn_##C_},
FL_FNS(1) FL_FNS(2) FL_FNS(3) FL_FNS(4)
#if SW_FUSE_RMAX == 16
FL_FNS(5) FL_FNS(6) FL_FNS(7) FL_FNS(8) FL_FNS(16)
/* 9-15 channels (slim widths of a 16-channel array): the exact tanh at K = 3 only, the others
   run unfused (each instance adds to the compile time of the AVX-512 file). */
#define FL_T3(C_) FL_FN(C_, false, 3, fl_t3_##C_) FL_FN_T(C_, false, true, 3, fl_r3_##C_)
#define FL_ROW_T3(C_) {fl_t3_##C_, NULL, NULL, NULL, fl_r3_##C_, NULL},
FL_T3(9) FL_T3(10) FL_T3(11) FL_T3(12) FL_T3(13) FL_T3(14) FL_T3(15)
static const sw_layer_fn fl_table[16][6] = {FL_ROW(1) FL_ROW(2) FL_ROW(3) FL_ROW(4) FL_ROW(5) FL_ROW(6) FL_ROW(7) FL_ROW(8)
                                            FL_ROW_T3(9) FL_ROW_T3(10) FL_ROW_T3(11) FL_ROW_T3(12) FL_ROW_T3(13)
                                            FL_ROW_T3(14) FL_ROW_T3(15) FL_ROW(16)};
#undef FL_ROW_T3
#undef FL_T3
#elif SW_FUSE_RMAX == 8
FL_FNS(5) FL_FNS(6) FL_FNS(7) FL_FNS(8)
static const sw_layer_fn fl_table[8][6] = {FL_ROW(1) FL_ROW(2) FL_ROW(3) FL_ROW(4) FL_ROW(5) FL_ROW(6) FL_ROW(7) FL_ROW(8)};
#elif SW_FUSE_RMAX == 4
static const sw_layer_fn fl_table[4][6] = {FL_ROW(1) FL_ROW(2) FL_ROW(3) FL_ROW(4)};
#else
#error "SW_FUSE_RMAX must be 4, 8 or 16"
#endif
#undef FL_ROW
#undef FL_FNS
#undef FL_FN_T
#undef FL_FN

/* The fused layer function for the shape of a, or NULL where the unfused path runs it: not gated,
   a tanh, and z not saved (training saves a, which the fused tile stores; the fast tanh is for
   inference only). */
static sw_layer_fn layer_fused_fn(const sw_layer_args *a) {
  bool fast = a->act.kind == SW_ACT_FAST_TANH, train = a->a != NULL;
  if (a->gated || a->z || a->C > SW_FUSE_RMAX || !(fast || a->act.kind == SW_ACT_TANH) || (train && fast)) return NULL;
  return fl_table[a->C - 1][(train ? 4 : fast ? 2 : 0) + (a->K == 3 ? 0 : 1)];
}

#endif
