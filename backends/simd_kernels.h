/* The SIMD kernels, written once over a vector width: avx2.c, avx512.c and neon.c define the
   vector type and primitives (vf, vm, VL, SW_RMAX, SW_VMAX, v_*) and include this file, which
   defines the static forward/backward ops for their sw_backend.

   Everything but the smallest K = 1 convs (k1_small) is one register-blocked tile: SW_RMAX
   output rows x SW_VMAX vectors of time,
     acc[r][t] = init + sum_i sum_k w[r*wr + i*wi + k*wk] * in[i*ldi + t - (K-1-k)*d],
   vectorised over time so that a 1-channel slim layer still fills whole registers, weights read
   as broadcasts straight from the (full-stride) views, tails of T done with masked vectors. The
   layer runs over time chunks of SW_TT columns: conv + mixin + activation (+ skip) for every row
   of the chunk, then the 1x1 + residual for the same chunk while it is still in L1. */
#ifndef SW_SIMD_KERNELS_H
#define SW_SIMD_KERNELS_H

#include <string.h>

#include "../core/backend.h"
#include "simd_act.h"

/* Keeps a vector in a register: GCC otherwise may fold its load into every FMA that uses it (x86
   memory operands), so a value used by several FMAs is read from memory by each. */
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define SW_PIN(v) __asm__("" : "+v"(v))
#else
#define SW_PIN(v) ((void)0)
#endif

#define SW_TT 192 /* time chunk: a multiple of SW_VMAX * VL for every ISA here */

/* One job: rows of acc = init + weighted sum of shifted input rows; pointers at column 0. */
typedef struct sw_tjob {
  const float *in; ptrdiff_t ldi; int n, K, d; /* n input rows, K taps at dilation d */
  const float *w; ptrdiff_t wr, wi, wk;        /* weight of (row r, input i, tap k) */
  const float *c0; ptrdiff_t ldc0;             /* init rows (NULL: 0) */
  const float *b;                              /* + b[r] (NULL: none) */
  const float *m, *x;                          /* + m[r] * x[t] (NULL: none) */
  float *out; ptrdiff_t ldo;                   /* the sum */
  const float *dt; ptrdiff_t lddt;             /* DT jobs: the sum times 1 - dt^2 (tanh's derivative at its output dt) */
} sw_tjob;

SW_INL vf ld_v(const float *p, bool masked, vm mk) { return masked ? v_loadm(p, mk) : v_load(p); }
SW_INL void st_v(float *p, bool masked, vm mk, vf x) { if (masked) v_storem(p, mk, x); else v_store(p, x); }

/* R rows from o, V vectors from column t, the last one masked to nl lanes when masked. */
/* KC > 0: the tap count known at compile time (K = 3 of every preset, K = 1 of the 1x1s), so the
   tap loop unrolls. */
SW_INL void tile(const sw_tjob *j, int o, int t, const int R, const int V, const bool masked, int nl, const int KC,
                 const bool DT) {
  vf acc[SW_RMAX][SW_VMAX];
  vm mk = v_mask(masked ? nl : VL);
#define LAST(v) (masked && (v) == V - 1)
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 8
    for (int v = 0; v < V; v++)
      acc[r][v] = j->c0 ? ld_v(j->c0 + (o + r) * j->ldc0 + t + v * VL, LAST(v), mk)
                  : j->b ? v_set1(j->b[o + r]) : v_zero();
  if (j->b && j->c0)
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
      vf bb = v_set1(j->b[o + r]);
#pragma GCC unroll 8
      for (int v = 0; v < V; v++) acc[r][v] = v_add(acc[r][v], bb);
    }
  if (j->m)
#pragma GCC unroll 8
    for (int v = 0; v < V; v++) {
      vf xv = ld_v(j->x + t + v * VL, LAST(v), mk);
#pragma GCC unroll 8
      for (int r = 0; r < R; r++) acc[r][v] = v_fma(v_set1(j->m[o + r]), xv, acc[r][v]);
    }
  const int n = j->n, K = KC ? KC : j->K;
  const ptrdiff_t ldi = j->ldi, d = j->d, wr = j->wr, wi = j->wi, wk = j->wk;
  const float *w0 = j->w + o * wr, *in0 = j->in + t - (ptrdiff_t)(K - 1) * d;
  for (int i = 0; i < n; i++) {
    const float *row = in0 + i * ldi, *wrow = w0 + i * wi;
#pragma GCC unroll 4
    for (int k = 0; k < K; k++) {
      const float *p = row + k * d, *wp = wrow + k * wk;
      vf xv[SW_VMAX];
#pragma GCC unroll 8
      for (int v = 0; v < V; v++) {
        xv[v] = ld_v(p + v * VL, LAST(v), mk);
        /* tails (fewer vectors, registers to spare): one load for the R rows' FMAs, not R; at
           SW_VMAX vectors the 16 AVX2 registers are full and pinning spills (16 ch 1.21x slower) */
        if (V < SW_VMAX) SW_PIN(xv[v]);
      }
#pragma GCC unroll 8
      for (int r = 0; r < R; r++) {
        vf wb = v_set1(wp[r * wr]);
#pragma GCC unroll 8
        for (int v = 0; v < V; v++) acc[r][v] = v_fma(wb, xv[v], acc[r][v]);
      }
    }
  }
  if (DT)
#pragma GCC unroll 8
    for (int r = 0; r < R; r++)
#pragma GCC unroll 8
      for (int v = 0; v < V; v++) {
        vf y = ld_v(j->dt + (o + r) * j->lddt + t + v * VL, LAST(v), mk);
        acc[r][v] = v_mul(acc[r][v], v_sub(v_set1(1.0f), v_mul(y, y)));
      }
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 8
      for (int v = 0; v < V; v++) st_v(j->out + (o + r) * j->ldo + t + v * VL, LAST(v), mk, acc[r][v]);
#undef LAST
}

/* The tiles of R rows (a constant) from row o over columns t0..t1: whole tiles of SW_VMAX vectors,
   then the tail with a switch on its (vectors, masked) shape. */
SW_INL void rows_run(const sw_tjob *j, int o, int t0, int t1, const int R, const int KC, const bool DT) {
  int t = t0;
  for (; t + SW_VMAX * VL <= t1; t += SW_VMAX * VL) tile(j, o, t, R, SW_VMAX, false, VL, KC, DT);
  int rem = t1 - t;
  if (rem <= 0) return;
  int V = (rem + VL - 1) / VL, nl = rem - (V - 1) * VL;
  switch (V * 2 + (nl < VL)) {
  case 2: tile(j, o, t, R, 1, false, nl, KC, DT); break;
  case 3: tile(j, o, t, R, 1, true, nl, KC, DT); break;
  case 4: tile(j, o, t, R, 2, false, nl, KC, DT); break;
  case 5: tile(j, o, t, R, 2, true, nl, KC, DT); break;
#if SW_VMAX == 4
  case 6: tile(j, o, t, R, 3, false, nl, KC, DT); break;
  case 7: tile(j, o, t, R, 3, true, nl, KC, DT); break;
#endif
  default: tile(j, o, t, R, SW_VMAX, true, nl, KC, DT); break; /* a full tile is never a tail */
  }
}
#if SW_RMAX != 4
#error "SW_RMAX must be 4"
#endif
#if SW_VMAX != 3 && SW_VMAX != 4
#error "SW_VMAX must be 3 or 4"
#endif

/* rows x T of the job, time chunk by time chunk (each chunk's inputs stay in cache); one
   instance per tap count known at compile time (KC = 3 of every preset, 1 of the 1x1s, 0: any),
   so the tap loop unrolls, and the row count switched once per row group, not per tile. */
SW_INL void job_run_k(const sw_tjob *j, int rows, int T, const int KC, const bool DT) {
  for (int t0 = 0; t0 < T; t0 += SW_TT) {
    int t1 = T - t0 < SW_TT ? T : t0 + SW_TT;
    for (int o = 0; o < rows; o += SW_RMAX) {
      switch (rows - o) {
      case 1: rows_run(j, o, t0, t1, 1, KC, DT); break;
      case 2: rows_run(j, o, t0, t1, 2, KC, DT); break;
      case 3: rows_run(j, o, t0, t1, 3, KC, DT); break;
      default: rows_run(j, o, t0, t1, 4, KC, DT); break;
      }
    }
  }
}
static void job_k3(const sw_tjob *j, int rows, int T) { job_run_k(j, rows, T, 3, false); }
static void job_k1(const sw_tjob *j, int rows, int T) { job_run_k(j, rows, T, 1, false); }
static void job_kn(const sw_tjob *j, int rows, int T) { job_run_k(j, rows, T, 0, false); }
/* a K = 1 job whose sum is multiplied by tanh's derivative (the backward's dL/dz from dL/da) */
static void job_k1_dt(const sw_tjob *j, int rows, int T) { job_run_k(j, rows, T, 1, true); }
static void job_run(const sw_tjob *j, int rows, int T) {
  if (j->K == 3) job_k3(j, rows, T);
  else if (j->K == 1) job_k1(j, rows, T);
  else job_kn(j, rows, T);
}

/* for each vector of 0..T-1: t, whether it is the masked tail, its mask (elementwise passes). */
#define SW_FOR_VEC(T, t, masked, mk)                                  \
  for (int t = 0; t < (T); t += VL)                                   \
    for (int masked = (T) - t < VL, sw_once_ = 1; sw_once_; sw_once_ = 0) \
      for (vm mk = v_mask(masked ? (T) - t : VL); sw_once_; sw_once_ = 0)

/* K = 1 convs of at most 8 x 8 channels (the rechannel and head convs at narrow slim widths), a
   vector of time at a time with the channel counts constant: the tile path's set-up, runtime
   loops and branches cost more than their few FMAs. By tools/model-ab.sh (avx512, A1 standard,
   64-sample blocks): 4,2 channels 0.981-0.983x the time, 2,1 0.974-0.978x, 8,4 0.979-0.999x;
   avx2 4,2 0.998x. Bit-identical (the bias, then the inputs in order). */
SW_INL void k1_small(const sw_conv_args *a, const int CO, const int CI) {
  const int T = a->T;
  const float *b = a->b;
  SW_FOR_VEC(T, t, masked, mk) {
    vf x[8];
#pragma GCC unroll 8
    for (int i = 0; i < CI; i++) x[i] = ld_v(a->in + i * a->ldi + t, masked, mk);
#pragma GCC unroll 8
    for (int o = 0; o < CO; o++) {
      vf acc = b ? v_set1(b[o]) : v_zero();
#pragma GCC unroll 8
      for (int i = 0; i < CI; i++) acc = v_fma(v_set1(a->w[o * a->ldw + i]), x[i], acc);
      st_v(a->out + o * a->ldo + t, masked, mk, acc);
    }
  }
}
#define K1S(CO, CI) static void k1s_##CO##_##CI(const sw_conv_args *a) { k1_small(a, CO, CI); }
#define K1S_ROW(CO) K1S(CO, 1) K1S(CO, 2) K1S(CO, 3) K1S(CO, 4) K1S(CO, 5) K1S(CO, 6) K1S(CO, 7) K1S(CO, 8)
K1S_ROW(1) K1S_ROW(2) K1S_ROW(3) K1S_ROW(4) K1S_ROW(5) K1S_ROW(6) K1S_ROW(7) K1S_ROW(8)
#define K1S_P(CO) \
  {k1s_##CO##_1, k1s_##CO##_2, k1s_##CO##_3, k1s_##CO##_4, k1s_##CO##_5, k1s_##CO##_6, k1s_##CO##_7, k1s_##CO##_8}
static void (*const k1s_table[8][8])(const sw_conv_args *) = {K1S_P(1), K1S_P(2), K1S_P(3), K1S_P(4),
                                                              K1S_P(5), K1S_P(6), K1S_P(7), K1S_P(8)};
#undef K1S_P
#undef K1S_ROW
#undef K1S

static void conv_forward(const sw_conv_args *a, void *plan) {
  (void)plan;
  if (a->K == 1 && !a->accumulate && a->cout <= 8 && a->cin <= 8 && a->cout > 0 && a->cin > 0) {
    k1s_table[a->cout - 1][a->cin - 1](a);
    return;
  }
  sw_tjob j = {.in = a->in, .ldi = a->ldi, .n = a->cin, .K = a->K, .d = a->d,
               .w = a->w, .wr = a->ldw, .wi = a->K, .wk = 1,
               .c0 = a->accumulate ? a->out : NULL, .ldc0 = a->ldo, .b = a->b,
               .out = a->out, .ldo = a->ldo};
  job_run(&j, a->cout, a->T);
}

/* The activation pass over one chunk: a = act(z) (gated: act(z[o]) * sigmoid(z[o+C])), s += a.
   Instantiated per activation kind so the switch in v_act folds away inside the loop. */
SW_INL vf act_one(sw_act act, bool gated, const float *z, ptrdiff_t gofs, float *ap, float *sp, bool masked, vm mk) {
  vf y = v_act(act, ld_v(z, masked, mk));
  if (gated) y = v_mul(y, v_sigmoid(ld_v(z + gofs, masked, mk)));
  st_v(ap, masked, mk, y);
  st_v(sp, masked, mk, v_add(ld_v(sp, masked, mk), y));
  return y;
}
SW_INL void act_rows_k(const sw_act act, const bool gated, int C, int n, const float *z, ptrdiff_t ldz, float *ac,
                       ptrdiff_t lda, float *s, ptrdiff_t lds) {
  const ptrdiff_t gofs = (ptrdiff_t)C * ldz;
  const int nf = n / VL * VL;
  vm mk = v_mask(n - nf > 0 ? n - nf : VL);
  for (int o = 0; o < C; o++) {
    const float *zr = z + o * ldz;
    float *ar = ac + o * lda, *sr = s + o * lds;
    for (int t = 0; t < nf; t += VL) act_one(act, gated, zr + t, gofs, ar + t, sr + t, false, mk);
    if (nf < n) act_one(act, gated, zr + nf, gofs, ar + nf, sr + nf, true, mk);
  }
}
static void act_rows(sw_act act, bool gated, int C, int n, const float *z, ptrdiff_t ldz, float *ac, ptrdiff_t lda,
                     float *s, ptrdiff_t lds) {
#define SW_ACT_CASE(KIND)                                                                    \
  case KIND: {                                                                              \
    sw_act k = {.kind = KIND, .alpha = act.alpha};                                          \
    if (gated) act_rows_k(k, true, C, n, z, ldz, ac, lda, s, lds);                          \
    else act_rows_k(k, false, C, n, z, ldz, ac, lda, s, lds);                               \
  } break;
  switch (act.kind) {
    SW_ACT_CASE(SW_ACT_IDENTITY) SW_ACT_CASE(SW_ACT_TANH) SW_ACT_CASE(SW_ACT_FAST_TANH) SW_ACT_CASE(SW_ACT_RELU)
    SW_ACT_CASE(SW_ACT_LEAKY_RELU) SW_ACT_CASE(SW_ACT_SIGMOID) SW_ACT_CASE(SW_ACT_HARDTANH)
  }
#undef SW_ACT_CASE
}

#include "simd_fused.h"

static void layer_forward(const sw_layer_args *a, void *plan) {
  (void)plan;
  sw_layer_fn f = layer_fused_fn(a);
  if (f) { f(a, NULL); return; }
  const int C = a->C, T = a->T, cm = a->gated ? 2 * C : C;
  const int TT = T < SW_TT ? T : SW_TT;
  const ptrdiff_t ldt = (TT + 15) & ~15;
  float *zs = a->scratch, *as = a->scratch + (size_t)cm * ldt;
  for (int t0 = 0; t0 < T; t0 += TT) {
    int n = T - t0 < TT ? T - t0 : TT;
    float *z = a->z ? a->z + t0 : zs;
    ptrdiff_t ldz = a->z ? a->ldz : ldt;
    float *ac = a->a ? a->a + t0 : as;
    ptrdiff_t lda = a->a ? a->lda : ldt;
    /* z = conv + bias + mixin for the chunk, then the activation pass over it (in L1) */
    sw_tjob j = {.in = a->h + t0, .ldi = a->ldh, .n = C, .K = a->K, .d = a->d,
                 .w = a->w, .wr = a->ldw, .wi = a->K, .wk = 1, .b = a->b, .m = a->m, .x = a->x + t0,
                 .out = z, .ldo = ldz};
    job_run(&j, cm, n);
    act_rows(a->act, a->gated, C, n, z, ldz, ac, lda, a->s + t0, a->lds);
    if (a->v) {
      sw_tjob k = {.in = ac, .ldi = lda, .n = C, .K = 1, .d = 0, .w = a->v, .wr = a->ldv, .wi = 1, .wk = 0,
                   .c0 = a->h + t0, .ldc0 = a->ldh, .b = a->vb, .out = a->h_out + t0, .ldo = a->ldo};
      job_run(&k, C, n);
    } else {
      for (int o = 0; o < C; o++) memcpy(a->h_out + o * a->ldo + t0, a->h + o * a->ldh + t0, sizeof(float) * (size_t)n);
    }
  }
}

/* ---- backward ---- */

static float vsum(const float *g, int T) {
  vf acc = v_zero();
  SW_FOR_VEC(T, t, masked, mk) acc = v_add(acc, ld_v(g + t, masked, mk));
  return v_hsum(acc);
}

#ifndef SW_DOT_Q /* inputs per weight-gradient tile (x 4 rows of accumulators, plus the loads, in registers) */
#define SW_DOT_Q 2
#endif

/* out[r*ldo + q] += sum_t g[r][t] * x_q[t] for R rows of g and Q inputs x_q = in + (i*ldi -
   (K-1-k)*d) with q = i*K + k counted from q0: the weight-gradient dot products. */
SW_INL void dot_tile(const float *g, ptrdiff_t ldg, const float *in, ptrdiff_t ldi, int K, int d, int q0,
                     float *out, ptrdiff_t ldo, int T, const int R, const int Q) {
  vf acc[4][SW_DOT_Q];
  const float *x[SW_DOT_Q];
#pragma GCC unroll 6
  for (int q = 0; q < Q; q++) {
    int i = (q0 + q) / K, k = (q0 + q) % K;
    x[q] = in + i * ldi - (ptrdiff_t)(K - 1 - k) * d;
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 8
    for (int q = 0; q < Q; q++) acc[r][q] = v_zero();
  /* whole vectors, then the masked tail (a mask and a branch per vector cost AVX2 a third of its speed) */
  const int nf = T / VL * VL;
  for (int t = 0; t < nf; t += VL) {
    vf xv[SW_DOT_Q];
#pragma GCC unroll 8
    for (int q = 0; q < Q; q++) xv[q] = v_load(x[q] + t);
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
      vf gv = v_load(g + r * ldg + t);
#pragma GCC unroll 8
      for (int q = 0; q < Q; q++) acc[r][q] = v_fma(gv, xv[q], acc[r][q]);
    }
  }
  if (nf < T) {
    vm mk = v_mask(T - nf);
    vf xv[SW_DOT_Q];
#pragma GCC unroll 8
    for (int q = 0; q < Q; q++) xv[q] = v_loadm(x[q] + nf, mk);
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
      vf gv = v_loadm(g + r * ldg + nf, mk);
#pragma GCC unroll 8
      for (int q = 0; q < Q; q++) acc[r][q] = v_fma(gv, xv[q], acc[r][q]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; r++)
#pragma GCC unroll 8
    for (int q = 0; q < Q; q++) out[r * ldo + q0 + q] += v_hsum(acc[r][q]);
}

static void dots(const float *g, ptrdiff_t ldg, int rows, const float *in, ptrdiff_t ldi, int n, int K, int d,
                 float *out, ptrdiff_t ldo, int T) {
  const int nq = n * K;
  for (int o = 0; o < rows; o += 4) {
    int R = rows - o < 4 ? rows - o : 4;
    const float *gr = g + o * ldg;
    float *orow = out + o * ldo;
    for (int q = 0; q < nq; q += SW_DOT_Q) {
      int Q = nq - q < SW_DOT_Q ? nq - q : SW_DOT_Q;
#define DOT_CASE(RR, QQ) \
  case ((RR) - 1) * SW_DOT_Q + (QQ) - 1: dot_tile(gr, ldg, in, ldi, K, d, q, orow, ldo, T, RR, QQ); break;
#define DOT_ROW(RR) DOT_CASE(RR, 1) DOT_CASE(RR, 2) DOT_ROW_WIDE(RR)
#if SW_DOT_Q == 6
#define DOT_ROW_WIDE(RR) DOT_CASE(RR, 3) DOT_CASE(RR, 4) DOT_CASE(RR, 5) DOT_CASE(RR, 6)
#elif SW_DOT_Q == 4
#define DOT_ROW_WIDE(RR) DOT_CASE(RR, 3) DOT_CASE(RR, 4)
#elif SW_DOT_Q == 3
#define DOT_ROW_WIDE(RR) DOT_CASE(RR, 3)
#elif SW_DOT_Q == 2
#define DOT_ROW_WIDE(RR)
#else
#error "SW_DOT_Q must be 2, 3, 4 or 6"
#endif
      switch ((R - 1) * SW_DOT_Q + Q - 1) { DOT_ROW(1) DOT_ROW(2) DOT_ROW(3) DOT_ROW(4) }
#undef DOT_ROW_WIDE
#undef DOT_ROW
#undef DOT_CASE
    }
  }
}

static void conv_backward(const sw_conv_grad_args *a) {
  if (a->g_b)
    for (int o = 0; o < a->cout; o++) a->g_b[o] += vsum(a->g_out + o * a->ldgo, a->T);
  dots(a->g_out, a->ldgo, a->cout, a->in, a->ldi, a->cin, a->K, a->d, a->g_w, a->ldw, a->T);
}

/* dL/dz of row o (and o + C when gated) at column t from that row's dL/da (g). ZED: the
   derivative from z (gated, or sw_act_needs_z), else from the output a alone. */
SW_INL void act_grad_one(const sw_act act, const bool gated, const bool zed, const sw_layer_grad_args *a, int o,
                         int t, const float *g, bool masked, vm mk) {
  const int C = a->C;
  vf gv = ld_v(g + t, masked, mk);
  float *gz = a->gz + o * a->ldgz + t;
  if (gated) {
    vf zv = ld_v(a->z + o * a->ldz + t, masked, mk);
    vf p = v_act(act, zv), q = v_sigmoid(ld_v(a->z + (o + C) * a->ldz + t, masked, mk));
    st_v(gz, masked, mk, v_mul(v_mul(gv, q), v_act_grad(act, zv, p)));
    st_v(gz + C * a->ldgz, masked, mk, v_mul(v_mul(v_mul(gv, p), q), v_sub(v_set1(1.0f), q)));
  } else {
    vf y = ld_v(a->a + o * a->lda + t, masked, mk);
    vf d = zed ? v_act_grad(act, ld_v(a->z + o * a->ldz + t, masked, mk), y) : v_act_grad_y(act, y);
    st_v(gz, masked, mk, v_mul(gv, d));
  }
}
SW_INL void act_grad_rows_k(const sw_act act, const bool gated, const bool zed, const sw_layer_grad_args *a,
                            const float *g, ptrdiff_t ldg) {
  const int T = a->T, nf = T / VL * VL;
  vm mk = v_mask(T - nf > 0 ? T - nf : VL);
  for (int o = 0; o < a->C; o++) {
    const float *go = g + o * ldg;
    for (int t = 0; t < nf; t += VL) act_grad_one(act, gated, zed, a, o, t, go, false, mk);
    if (nf < T) act_grad_one(act, gated, zed, a, o, nf, go, true, mk);
  }
}
/* Instantiated per activation kind, as act_rows: a switch on the kind inside the loop cost a
   jump-table branch per vector (this pass was 11% of a 4-channel training step's time). */
static void act_grad_rows(const sw_layer_grad_args *a, const float *g, ptrdiff_t ldg) {
  const bool zed = !a->gated && sw_act_needs_z(a->act, false);
#define SW_ACT_CASE(KIND)                                          \
  case KIND: {                                                    \
    sw_act k = {.kind = KIND, .alpha = a->act.alpha};             \
    if (a->gated) act_grad_rows_k(k, true, false, a, g, ldg);     \
    else if (zed) act_grad_rows_k(k, false, true, a, g, ldg);     \
    else act_grad_rows_k(k, false, false, a, g, ldg);             \
  } break;
  switch (a->act.kind) {
    SW_ACT_CASE(SW_ACT_IDENTITY) SW_ACT_CASE(SW_ACT_TANH) SW_ACT_CASE(SW_ACT_FAST_TANH) SW_ACT_CASE(SW_ACT_RELU)
    SW_ACT_CASE(SW_ACT_LEAKY_RELU) SW_ACT_CASE(SW_ACT_SIGMOID) SW_ACT_CASE(SW_ACT_HARDTANH)
  }
#undef SW_ACT_CASE
}

static void layer_backward(const sw_layer_grad_args *a) {
  const int C = a->C, T = a->T, cm = a->gated ? 2 * C : C;
  const bool tanh_y = !a->gated && (a->act.kind == SW_ACT_TANH || a->act.kind == SW_ACT_FAST_TANH);
  if (a->v) {
    for (int o = 0; o < C; o++) a->g_vb[o] += vsum(a->g_out + o * a->ldgo, T);
    dots(a->g_out, a->ldgo, C, a->a, a->lda, C, 1, 0, a->g_v, a->ldv, T);
  }
  if (tanh_y && a->v) {
    /* dL/dz = (dL/ds + V^T dL/dh_out) (1 - a^2) in one job */
    sw_tjob j = {.in = a->g_out, .ldi = a->ldgo, .n = C, .K = 1, .d = 0, .w = a->v, .wr = 1, .wi = a->ldv, .wk = 0,
                 .c0 = a->g_s, .ldc0 = a->ldgs, .out = a->gz, .ldo = a->ldgz, .dt = a->a, .lddt = a->lda};
    job_k1_dt(&j, C, T);
  } else {
    /* dL/da = dL/ds (+ the 1x1's transposed job on top of it, to scratch), then the activation's pass */
    const float *gsrc = a->g_s;
    ptrdiff_t ldg = a->ldgs;
    if (a->v) {
      float *ga = a->scratch;
      const ptrdiff_t ldga = (T + 15) & ~15;
      sw_tjob j = {.in = a->g_out, .ldi = a->ldgo, .n = C, .K = 1, .d = 0, .w = a->v, .wr = 1, .wi = a->ldv,
                   .wk = 0, .c0 = a->g_s, .ldc0 = a->ldgs, .out = ga, .ldo = ldga};
      job_run(&j, C, T);
      gsrc = ga;
      ldg = ldga;
    }
    act_grad_rows(a, gsrc, ldg);
  }
  /* g_m and g_b: gz against x and a row of ones, one pass */
  float *xo = a->scratch;
  const ptrdiff_t ldxo = (T + 15) & ~15;
  float *gmb = xo + 2 * ldxo; /* [cm][2] */
  memcpy(xo, a->x, sizeof(float) * (size_t)T);
  for (int t = 0; t < T; t++) xo[ldxo + t] = 1.0f;
  memset(gmb, 0, sizeof(float) * 2 * (size_t)cm);
  dots(a->gz, a->ldgz, cm, xo, ldxo, 2, 1, 0, gmb, 2, T);
  for (int o = 0; o < cm; o++) { a->g_m[o] += gmb[2 * o]; a->g_b[o] += gmb[2 * o + 1]; }
  if (a->g_x) {
    sw_tjob j = {.in = a->gz, .ldi = a->ldgz, .n = cm, .K = 1, .d = 0, .w = a->m, .wr = 0, .wi = 1, .wk = 0,
                 .c0 = a->g_x, .ldc0 = 0, .out = a->g_x, .ldo = 0};
    job_run(&j, 1, T);
  }
  dots(a->gz, a->ldgz, cm, a->h, a->ldh, C, a->K, a->d, a->g_w, a->ldw, T);
}

#endif
