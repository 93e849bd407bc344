/* THE backend equivalence test: every usable backend of the registry against naive, layer and
   conv, forward and backward, over a grid of awkward shapes and over every slim width of the
   presets (views with the full row stride), with canaries around and between every output row.

   Fill modes: "int" fills weights with {-1,0,1} and data with {-2..2}, so every sum is an exact
   integer in any order; with the activations that map integers to exactly representable values
   without rounding differences (Identity, ReLU, LeakyReLU with alpha 0.5, Hardtanh) and no gate,
   every output and gradient must be bit-identical; with the fast tanh, z and a must be (the
   rational function is evaluated as the same expression tree in every backend). Otherwise (tanh, fast tanh, sigmoid, gated)
   and in "rand" mode (uniform data, weights at the init scale), the normalised error
   ||y - y_naive|| / ||y_naive|| must be <= 1e-6 forward and <= 1e-5 backward. NaN/Inf fail.
   Tanh layers that keep no z (inference, and training, which keeps a) with C <= 4 (AVX-512: 16;
   9-15 at K = 3 only) run the SIMD backends' fused narrow path (backends/simd_fused.h), bound as
   the model binds it (layer_forward_for), the others their unfused kernels. The backward gets z
   only where it may read it (sw_act_needs_z), so a backend that reads it elsewhere crashes here.
   Usage: test_backends [--quick]   (--quick: T <= 257 and d <= 64, for qemu) */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../core/backend.h"
#include "check.h"

#define GUARD 64
static const uint32_t CANARY = 0x7fc0bad5u; /* a NaN payload no computation on valid data produces */

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void) {
  rng ^= rng >> 12; rng ^= rng << 25; rng ^= rng >> 27;
  return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}
static float urand(float lo, float hi) { return lo + (hi - lo) * (float)(rnd() >> 8) / 16777216.0f; }
static float irand(int lo, int hi) { return (float)(lo + (int)(rnd() % (uint32_t)(hi - lo + 1))); }

/* rows x [lo, hi) columns around p, row stride ld; everything else in the allocation is canary. */
typedef struct mat {
  float *mem, *p;
  size_t n;
  int rows, lo, hi;
  ptrdiff_t ld;
  uint32_t guard; /* the bits of every float outside the valid region */
} mat;

static bool is_canary(float f) { uint32_t u; memcpy(&u, &f, 4); return u == CANARY; }
/* The canary of the inputs (read-only), another NaN payload: a NaN carries its payload through
   arithmetic, so a lane past T computed from an input's canary and stored past T in an output
   would otherwise look like that output's own canary. */
static const uint32_t CANARY_IN = 0x7fc0beefu;
/* The guard of the in/out buffers (s, an accumulating conv's out, the gradients): they are read
   and written, so a lane past T read from their own NaN canary and written back past T keeps the
   canary's payload whatever is added to it. A finite value near 1 (1.2347, not an integer) changes
   when data, a bias or an input's NaN canary is added to it. */
static const uint32_t CANARY_RW = 0x3f9e0a5bu;

static mat mat_new(int rows, int lo, int hi, ptrdiff_t ld) {
  mat m = {.rows = rows, .lo = lo, .hi = hi, .ld = ld, .guard = CANARY};
  m.n = (size_t)rows * (size_t)ld + 2 * GUARD;
  m.mem = malloc(sizeof(float) * m.n);
  if (!m.mem) { fprintf(stderr, "out of memory\n"); exit(2); }
  for (size_t i = 0; i < m.n; i++) memcpy(&m.mem[i], &CANARY, 4);
  m.p = m.mem + GUARD - lo;
  return m;
}
/* fill: 0 = zeros, 1 = small integers (data), 2 = {-1,0,1} (weights), 3 = uniform * scale */
static void mat_fill(mat *m, int mode, float scale) {
  for (int r = 0; r < m->rows; r++)
    for (int c = m->lo; c < m->hi; c++)
      m->p[r * m->ld + c] = mode == 0 ? 0.0f : mode == 1 ? irand(-2, 2) : mode == 2 ? irand(-1, 1) : urand(-scale, scale);
}
static mat mat_make(int rows, int lo, int hi, ptrdiff_t ld, int mode, float scale) {
  mat m = mat_new(rows, lo, hi, ld);
  mat_fill(&m, mode, scale);
  return m;
}
/* Everything outside m's valid region becomes guard. */
static void mat_guard(mat *m, uint32_t guard) {
  ptrdiff_t off = m->p - m->mem;
  m->guard = guard;
  for (size_t i = 0; i < m->n; i++) {
    ptrdiff_t j = (ptrdiff_t)i - off, r = j >= m->lo ? (j - m->lo) / m->ld : -1, c = j - r * m->ld;
    if (j < m->lo || r >= m->rows || c < m->lo || c >= m->hi) memcpy(&m->mem[i], &guard, 4);
  }
}
static void mat_ro(mat *m) { mat_guard(m, CANARY_IN); } /* an input */
static void mat_rw(mat *m) { mat_guard(m, CANARY_RW); } /* read and written */
static mat mat_clone(const mat *a) {
  mat m = *a;
  m.mem = malloc(sizeof(float) * m.n);
  if (!m.mem) { fprintf(stderr, "out of memory\n"); exit(2); }
  memcpy(m.mem, a->mem, sizeof(float) * m.n);
  m.p = m.mem + (a->p - a->mem);
  return m;
}
static void mat_free(mat *m) { free(m->mem); m->mem = m->p = NULL; }

/* Per-case result accumulated into the group line. */
typedef struct stats {
  int cases, exact_cases, declined, fails;
  double worst_fwd, worst_bwd;
} stats;

/* Squared error and squared reference of one direction (forward or backward) of a case. */
typedef struct nerr { double se, sr; } nerr;

/* Compares b (backend) with a (naive) over the valid region: b's canaries, NaN/Inf and, in
   exact mode, every bit; the squared error goes into e for the case's normalised error. */
static void compare(const mat *a, const mat *b, bool exact, nerr *e, stats *st, const char *what, const char *ctx) {
  long bad_bits = 0, nonfinite = 0, canary = 0;
  unsigned char *in = calloc(b->n, 1);
  if (!in) { fprintf(stderr, "out of memory\n"); exit(2); }
  ptrdiff_t off = b->p - b->mem;
  for (int r = 0; r < b->rows; r++)
    for (int c = b->lo; c < b->hi; c++) in[off + (ptrdiff_t)r * b->ld + c] = 1;
  for (size_t i = 0; i < b->n; i++) {
    if (!in[i]) { if (memcmp(&b->mem[i], &b->guard, 4)) canary++; continue; }
    float x = a->mem[i], y = b->mem[i];
    if (!isfinite(y) || !isfinite(x)) { nonfinite++; continue; }
    if (memcmp(&x, &y, 4)) bad_bits++;
    e->se += ((double)y - x) * ((double)y - x);
    e->sr += (double)x * x;
  }
  free(in);
  bool ok = canary == 0 && nonfinite == 0 && (!exact || bad_bits == 0);
  if (!ok) st->fails++;
  CHECK(ok, "%s %s: %ld canaries overwritten, %ld non-finite, %ld values differ in bits%s", ctx, what, canary, nonfinite,
        bad_bits, exact ? " (must be bit-identical)" : "");
}

/* ||y - y_naive|| / ||y_naive|| over all outputs of one direction of a case together: one
   output alone can be a single sum that cancels (T = 1, one channel), where float rounding of
   either side is large relative to the result, whatever the order. */
static void check_nerr(const nerr *e, double tol, bool bwd, stats *st, const char *ctx) {
  double err = e->sr > 0 ? sqrt(e->se / e->sr) : sqrt(e->se);
  double *worst = bwd ? &st->worst_bwd : &st->worst_fwd;
  if (err > *worst) *worst = err;
  if (!(err <= tol)) st->fails++;
  CHECK(err <= tol, "%s %s: normalised error %.3g > %.0e", ctx, bwd ? "backward" : "forward", err, tol);
}

static bool exact_act(sw_act a) {
  return a.kind == SW_ACT_IDENTITY || a.kind == SW_ACT_RELU || a.kind == SW_ACT_LEAKY_RELU || a.kind == SW_ACT_HARDTANH;
}
static const char *act_str(sw_act a) {
  static const char *n[] = {"id", "tanh", "ftanh", "relu", "lrelu", "sigm", "htanh"};
  return n[a.kind];
}

typedef struct lcase {
  int C, Cfull, K, d, T;
  bool gated, has_v, train;
  bool no_vb; /* the 1x1 without its bias (vb NULL), as the model runs it (bias folded) */
  sw_act act;
  bool ints;
} lcase;

static float *scratch_new(int C, int T, size_t *n) {
  *n = sw_layer_scratch_floats(C, T);
  size_t bytes = ((*n + GUARD) * sizeof(float) + 63) & ~(size_t)63;
  float *s = aligned_alloc(64, bytes);
  if (!s) { fprintf(stderr, "out of memory\n"); exit(2); }
  for (size_t i = 0; i < *n + GUARD; i++) memcpy(&s[i], &CANARY, 4);
  return s;
}
static void scratch_check(const float *s, size_t n, const char *ctx) {
  long bad = 0;
  for (size_t i = n; i < n + GUARD; i++) bad += !is_canary(s[i]);
  CHECK(bad == 0, "%s: %ld floats written past the scratch size", ctx, bad);
}

static void run_layer(const sw_backend *be, const lcase *L, stats *st) {
  const int C = L->C, K = L->K, T = L->T, cm = L->gated ? 2 * C : C, hist = (K - 1) * L->d;
  const int dm = L->ints ? 1 : 3, wm = L->ints ? 2 : 3;
  const float ws = 1.0f / sqrtf((float)(C * K)), vs = 1.0f / sqrtf((float)C);
  char ctx[160];
  snprintf(ctx, sizeof ctx, "%s layer C=%d/%d K=%d d=%d T=%d %s%s%s%s%s %s", be->name, C, L->Cfull, K, L->d, T,
           act_str(L->act), L->gated ? " gated" : "", L->has_v ? "" : " no1x1", L->has_v && L->no_vb ? " novb" : "",
           L->train ? " train" : "", L->ints ? "int" : "rand");
  sw_shape sh = {.is_layer = true, .C = C, .cin = C, .K = K, .d = L->d, .gated = L->gated, .has_v = L->has_v,
                 .has_bias = true, .act = L->act, .max_T = T};
  if (be->supports && !be->supports(&sh)) { st->declined++; return; }
  st->cases++;
  bool exact = L->ints && !L->gated && exact_act(L->act);
  st->exact_cases += exact;
  /* inputs */
  mat h = mat_make(C, -hist, T, hist + T + 3, dm, 1.0f), x = mat_make(1, 0, T, T, dm, 1.0f);
  mat w = mat_make(cm, 0, C * K, (ptrdiff_t)L->Cfull * K, wm, ws), b = mat_make(1, 0, cm, cm, wm, ws);
  mat m = mat_make(1, 0, cm, cm, wm, ws), v = mat_make(C, 0, C, L->Cfull, wm, vs), vb = mat_make(1, 0, C, C, wm, vs);
  mat *ins[] = {&h, &x, &w, &b, &m, &v, &vb};
  for (size_t i = 0; i < sizeof ins / sizeof *ins; i++) mat_ro(ins[i]);
  /* outputs (s accumulates) */
  mat ho = mat_make(C, 0, T, T + 5, 0, 0), s = mat_make(C, 0, T, T + 1, dm, 1.0f);
  mat z = mat_make(cm, 0, T, T + 2, 0, 0), a = mat_make(C, 0, T, T + 7, 0, 0);
  mat_rw(&s);
  mat ho2 = mat_clone(&ho), s2 = mat_clone(&s), z2 = mat_clone(&z), a2 = mat_clone(&a);
  size_t nsc;
  float *sc = scratch_new(C, T, &nsc), *sc2 = scratch_new(C, T, &nsc);
  /* training saves a, and z only where the backward reads it (sw_act_needs_z) */
  const bool zed = L->train && sw_act_needs_z(L->act, L->gated);
  sw_layer_args la = {.C = C, .K = K, .d = L->d, .T = T, .gated = L->gated, .act = L->act,
                      .w = w.p, .b = b.p, .ldw = w.ld, .m = m.p, .v = L->has_v ? v.p : NULL,
                      .vb = L->has_v && !L->no_vb ? vb.p : NULL, .ldv = v.ld, .h = h.p, .ldh = h.ld, .x = x.p,
                      .h_out = ho.p, .ldo = ho.ld, .s = s.p, .lds = s.ld,
                      .z = zed ? z.p : NULL, .ldz = z.ld, .a = L->train ? a.p : NULL, .lda = a.ld, .scratch = sc};
  sw_backend_naive()->layer_forward(&la, NULL);
  sw_layer_args lb = la;
  lb.h_out = ho2.p; lb.s = s2.p; lb.z = zed ? z2.p : NULL; lb.a = L->train ? a2.p : NULL; lb.scratch = sc2;
  void *plan = be->layer_plan ? be->layer_plan(&lb) : NULL;
  sw_layer_fn fn = be->layer_forward_for && !plan ? be->layer_forward_for(&lb) : NULL; /* as the model binds it */
  if (fn) fn(&lb, NULL);
  else be->layer_forward(&lb, plan);
  if (plan && be->plan_free) be->plan_free(plan);
  nerr ef = {0, 0}, eb = {0, 0};
  compare(&ho, &ho2, exact, &ef, st, "h_out", ctx);
  compare(&s, &s2, exact, &ef, st, "s", ctx);
  if (L->train) {
    /* integer z is exact in any order, and the fast tanh is one expression tree everywhere */
    bool exact_za = exact || (L->ints && !L->gated && L->act.kind == SW_ACT_FAST_TANH);
    if (zed) compare(&z, &z2, exact_za, &ef, st, "z", ctx);
    compare(&a, &a2, exact_za, &ef, st, "a", ctx);
  }
  check_nerr(&ef, 1e-6, false, st, ctx);
  scratch_check(sc2, nsc, ctx);

  if (L->train && be->layer_backward) {
    /* backward from the naive forward's a (and z where read) */
    mat go = mat_make(C, 0, T, T + 1, dm, 1.0f), gs = mat_make(C, 0, T, T + 2, dm, 1.0f);
    mat_ro(&go);
    mat_ro(&gs);
    mat_ro(&z); /* the naive forward's, read by the backward */
    mat_ro(&a);
    mat gz = mat_make(cm, 0, T, T + 3, 0, 0), gx = mat_make(1, 0, T, T, dm, 1.0f);
    mat gw = mat_make(cm, 0, C * K, w.ld, dm, 1.0f), gb = mat_make(1, 0, cm, cm, dm, 1.0f);
    mat gm = mat_make(1, 0, cm, cm, dm, 1.0f), gv = mat_make(C, 0, C, v.ld, dm, 1.0f), gvb = mat_make(1, 0, C, C, dm, 1.0f);
    mat *acc[] = {&gx, &gw, &gb, &gm, &gv, &gvb}; /* every parameter gradient accumulates (+=); gz is written */
    for (size_t i = 0; i < sizeof acc / sizeof *acc; i++) mat_rw(acc[i]);
    mat gz2 = mat_clone(&gz), gx2 = mat_clone(&gx), gw2 = mat_clone(&gw), gb2 = mat_clone(&gb), gm2 = mat_clone(&gm);
    mat gv2 = mat_clone(&gv), gvb2 = mat_clone(&gvb);
    sw_layer_grad_args ga = {.C = C, .K = K, .d = L->d, .T = T, .gated = L->gated, .act = L->act, .ldw = w.ld,
                             .m = m.p, .v = la.v, .ldv = v.ld, .h = h.p, .ldh = h.ld, .x = x.p,
                             .z = zed ? z.p : NULL, .ldz = z.ld, .a = a.p, .lda = a.ld, .g_out = go.p, .ldgo = go.ld,
                             .g_s = gs.p, .ldgs = gs.ld, .gz = gz.p, .ldgz = gz.ld, .g_x = (T & 1) ? NULL : gx.p,
                             .g_w = gw.p, .g_b = gb.p, .g_m = gm.p, .g_v = gv.p, .g_vb = gvb.p, .scratch = sc};
    sw_backend_naive()->layer_backward(&ga);
    sw_layer_grad_args gb_ = ga;
    gb_.gz = gz2.p; gb_.g_x = ga.g_x ? gx2.p : NULL; gb_.g_w = gw2.p; gb_.g_b = gb2.p; gb_.g_m = gm2.p;
    gb_.g_v = gv2.p; gb_.g_vb = gvb2.p; gb_.scratch = sc2;
    be->layer_backward(&gb_);
    compare(&gz, &gz2, exact, &eb, st, "gz", ctx);
    compare(&gx, &gx2, exact, &eb, st, "g_x", ctx);
    compare(&gw, &gw2, exact, &eb, st, "g_w", ctx);
    compare(&gb, &gb2, exact, &eb, st, "g_b", ctx);
    compare(&gm, &gm2, exact, &eb, st, "g_m", ctx);
    if (L->has_v) {
      compare(&gv, &gv2, exact, &eb, st, "g_v", ctx);
      compare(&gvb, &gvb2, exact, &eb, st, "g_vb", ctx);
    }
    check_nerr(&eb, 1e-5, true, st, ctx);
    scratch_check(sc2, nsc, ctx);
    mat *all[] = {&go, &gs, &gz, &gx, &gw, &gb, &gm, &gv, &gvb, &gz2, &gx2, &gw2, &gb2, &gm2, &gv2, &gvb2};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) mat_free(all[i]);
  }
  mat *all[] = {&h, &x, &w, &b, &m, &v, &vb, &ho, &s, &z, &a, &ho2, &s2, &z2, &a2};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) mat_free(all[i]);
  free(sc);
  free(sc2);
}

typedef struct ccase {
  int cout, cin, cin_full, K, d, T;
  bool bias, acc, ints;
} ccase;

static void run_conv(const sw_backend *be, const ccase *P, stats *st) {
  const int K = P->K, T = P->T, hist = (K - 1) * P->d, dm = P->ints ? 1 : 3, wm = P->ints ? 2 : 3;
  char ctx[160];
  snprintf(ctx, sizeof ctx, "%s conv %dx%d/%d K=%d d=%d T=%d%s%s %s", be->name, P->cout, P->cin, P->cin_full, K, P->d, T,
           P->bias ? " bias" : "", P->acc ? " acc" : "", P->ints ? "int" : "rand");
  sw_shape sh = {.is_layer = false, .C = P->cout, .cin = P->cin, .K = K, .d = P->d, .has_bias = P->bias, .max_T = T};
  if (be->supports && !be->supports(&sh)) { st->declined++; return; }
  st->cases++;
  st->exact_cases += P->ints;
  const float ws = 1.0f / sqrtf((float)(P->cin * K));
  mat in = mat_make(P->cin, -hist, T, hist + T + 2, dm, 1.0f);
  mat w = mat_make(P->cout, 0, P->cin * K, (ptrdiff_t)P->cin_full * K, wm, ws), b = mat_make(1, 0, P->cout, P->cout, wm, ws);
  mat_ro(&in);
  mat_ro(&w);
  mat_ro(&b);
  mat out = mat_make(P->cout, 0, T, T + 3, P->acc ? dm : 0, 1.0f);
  if (P->acc) mat_rw(&out);
  mat out2 = mat_clone(&out);
  sw_conv_args ca = {.cout = P->cout, .cin = P->cin, .K = K, .d = P->d, .T = T, .w = w.p, .ldw = w.ld,
                     .b = P->bias ? b.p : NULL, .in = in.p, .ldi = in.ld, .out = out.p, .ldo = out.ld, .accumulate = P->acc};
  sw_backend_naive()->conv_forward(&ca, NULL);
  sw_conv_args cb = ca;
  cb.out = out2.p;
  void *plan = be->conv_plan ? be->conv_plan(&cb) : NULL;
  be->conv_forward(&cb, plan);
  if (plan && be->plan_free) be->plan_free(plan);
  nerr ef = {0, 0}, eb = {0, 0};
  compare(&out, &out2, P->ints, &ef, st, "out", ctx);
  {
    /* One output sample of one channel is a single sum that may cancel: the reference norm is
       that of the same conv on absolute values (sum of |terms|) when that is larger. */
    mat ia = mat_clone(&in), wa = mat_clone(&w), ba = mat_clone(&b), oa = mat_make(P->cout, 0, T, T + 3, 0, 0);
    mat *ab[] = {&ia, &wa, &ba};
    for (int k = 0; k < 3; k++)
      for (int r = 0; r < ab[k]->rows; r++)
        for (int c = ab[k]->lo; c < ab[k]->hi; c++) ab[k]->p[r * ab[k]->ld + c] = fabsf(ab[k]->p[r * ab[k]->ld + c]);
    sw_conv_args cc = ca;
    cc.in = ia.p; cc.w = wa.p; cc.b = P->bias ? ba.p : NULL; cc.out = oa.p; cc.accumulate = false;
    sw_backend_naive()->conv_forward(&cc, NULL);
    double sa = 0;
    for (int r = 0; r < P->cout; r++)
      for (int c = 0; c < T; c++) sa += (double)oa.p[r * oa.ld + c] * oa.p[r * oa.ld + c];
    if (sa > ef.sr) ef.sr = sa;
    mat_free(&ia); mat_free(&wa); mat_free(&ba); mat_free(&oa);
  }
  check_nerr(&ef, 1e-6, false, st, ctx);
  if (be->conv_backward) {
    mat go = mat_make(P->cout, 0, T, T + 1, dm, 1.0f);
    mat_ro(&go);
    mat gw = mat_make(P->cout, 0, P->cin * K, w.ld, dm, 1.0f), gb = mat_make(1, 0, P->cout, P->cout, dm, 1.0f);
    mat_rw(&gw); /* the gradients accumulate (+=) */
    mat_rw(&gb);
    mat gw2 = mat_clone(&gw), gb2 = mat_clone(&gb);
    sw_conv_grad_args ga = {.cout = P->cout, .cin = P->cin, .K = K, .d = P->d, .T = T, .ldw = w.ld, .in = in.p,
                            .ldi = in.ld, .g_out = go.p, .ldgo = go.ld, .g_w = gw.p, .g_b = P->bias ? gb.p : NULL};
    sw_backend_naive()->conv_backward(&ga);
    sw_conv_grad_args gb_ = ga;
    gb_.g_w = gw2.p; gb_.g_b = P->bias ? gb2.p : NULL;
    be->conv_backward(&gb_);
    compare(&gw, &gw2, P->ints, &eb, st, "g_w", ctx);
    compare(&gb, &gb2, P->ints, &eb, st, "g_b", ctx);
    check_nerr(&eb, 1e-5, true, st, ctx);
    mat *all[] = {&go, &gw, &gb, &gw2, &gb2};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) mat_free(all[i]);
  }
  mat *all[] = {&in, &w, &b, &out, &out2};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++) mat_free(all[i]);
}

static void report(const char *be, const char *group, const stats *s) {
  printf("%-7s %-34s %4d cases (%4d exact) %3d declined  worst err fwd %.2e bwd %.2e  %s\n", be, group, s->cases,
         s->exact_cases, s->declined, s->worst_fwd, s->worst_bwd, s->fails ? "FAIL" : "ok");
}

static const int CH[] = {1, 2, 3, 7, 8, 9, 16, 17}, KS[] = {1, 2, 3, 6}, DS[] = {1, 2, 7, 64, 512}, TS[] = {1, 7, 64, 257, 4096};
#define N(a) ((int)(sizeof a / sizeof *a))

/* Every combination of channels x kernel x dilation x block x gated (x 2 fill modes); the
   activation, the 1x1, training outputs and the slim stride rotate with the case number. */
static void grid_layers(const sw_backend *be, bool quick) {
  int idx = 0;
  for (int ci = 0; ci < N(CH); ci++) {
    stats st = {0};
    for (int ki = 0; ki < N(KS); ki++)
      for (int di = 0; di < N(DS); di++)
        for (int ti = 0; ti < N(TS); ti++)
          for (int g = 0; g < 2; g++)
            for (int mode = 0; mode < 2; mode++, idx++) {
              if (quick && (DS[di] > 64 || TS[ti] > 257)) continue;
              sw_act act = {.kind = (sw_act_kind)(idx / 2 % 7), .alpha = 0.5f};
              lcase L = {.C = CH[ci], .Cfull = CH[ci] + (idx / 2 % 3 == 1 ? 5 : 0), .K = KS[ki], .d = DS[di], .T = TS[ti],
                         .gated = g, .has_v = idx / 2 % 5 != 4, .train = idx / 4 % 4 != 3, .act = act, .ints = mode == 0,
                         .no_vb = idx / 6 % 2 == 1};
              /* idx / 2 is odd exactly when gated: train and no_vb count from idx / 4 and idx / 6, so that
                 ungated inference cases (the SIMD fused path) occur, with both strides and both vb kinds */
              run_layer(be, &L, &st);
            }
    char grp[64];
    snprintf(grp, sizeof grp, "layer grid C=%d", CH[ci]);
    report(be->name, grp, &st);
  }
}

static void grid_convs(const sw_backend *be, bool quick) {
  static const int KC[] = {1, 2, 3, 6, 16};
  int idx = 0;
  for (int ci = 0; ci < N(CH); ci++) {
    stats st = {0};
    for (int ki = 0; ki < N(KC); ki++)
      for (int di = 0; di < N(DS); di++)
        for (int ti = 0; ti < N(TS); ti++)
          for (int mode = 0; mode < 2; mode++, idx++) {
            if (quick && (DS[di] > 64 || TS[ti] > 257)) continue;
            int cin = CH[(ci + 3 + idx / 2) % N(CH)];
            ccase P = {.cout = CH[ci], .cin = cin, .cin_full = cin + (idx / 2 % 2 ? 3 : 0), .K = KC[ki], .d = DS[di],
                       .T = TS[ti], .bias = idx / 2 % 3 != 0, .acc = idx / 2 % 2 == 0, .ints = mode == 0};
            run_conv(be, &P, &st);
          }
    char grp[64];
    snprintf(grp, sizeof grp, "conv grid cout=%d", CH[ci]);
    report(be->name, grp, &st);
  }
}

/* SPEC section 1 presets: every slim width c' of every array, as views into the full-width
   weights (ldw = C*K, ldv = C), the layer at each dilation of the array, the head rechannel
   G[:H', :c'] and the next array's rechannel R[:c2', :c1']. Block 64, exact and fast tanh. */
typedef struct parr { const char *name; int C, H, K, nd; int d[15]; bool head_bias; } parr;
static const parr PRESETS[] = {
  {"standard/1", 16, 8, 3, 10, {1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, false},
  {"standard/2", 8, 1, 3, 10, {1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, true},
  {"lite/1", 12, 6, 3, 7, {1, 2, 4, 8, 16, 32, 64}, false},
  {"lite/2", 6, 1, 3, 13, {128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, true},
  {"feather/1", 8, 4, 3, 7, {1, 2, 4, 8, 16, 32, 64}, false},
  {"feather/2", 4, 1, 3, 13, {128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, true},
  {"nano/1", 4, 2, 3, 7, {1, 2, 4, 8, 16, 32, 64}, false},
  {"nano/2", 2, 1, 3, 13, {128, 256, 512, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, true},
  {"paper", 8, 1, 6, 15, {1, 4, 16, 64, 256, 1, 4, 16, 64, 256, 1, 4, 16, 64, 256}, true},
};

static void presets(const sw_backend *be, bool quick) {
  for (int p = 0; p < N(PRESETS); p++) {
    const parr *A = &PRESETS[p];
    stats st = {0};
    for (int c = 1; c <= A->C; c++)
      for (int mode = 0; mode < 2; mode++) {
        for (int l = 0; l < A->nd; l++) {
          if (quick && l % 3 == 2) continue; /* keeps a training case (l % 3 == 0) and an inference one */
          sw_act act = {.kind = l % 2 ? SW_ACT_FAST_TANH : SW_ACT_TANH};
          lcase L = {.C = c, .Cfull = A->C, .K = A->K, .d = A->d[l], .T = 64, .has_v = true, .train = l % 3 == 0,
                     .act = act, .ints = mode == 0, .no_vb = l % 3 != 0}; /* inference: vb folded, as in the model */
          run_layer(be, &L, &st);
        }
        /* head: H' = the next array's width at the same slim fraction (H for the last array) */
        int hp = A->H == 1 ? 1 : (c * A->H + A->C - 1) / A->C;
        ccase G = {.cout = hp, .cin = c, .cin_full = A->C, .K = 1, .d = 1, .T = 64, .bias = A->head_bias, .acc = false,
                   .ints = mode == 0};
        run_conv(be, &G, &st);
        if (A->H > 1) { /* rechannel of the next array: R[:c2', :c1'], row stride = C of this array */
          ccase R = {.cout = hp, .cin = c, .cin_full = A->C, .K = 1, .d = 1, .T = 64, .ints = mode == 0};
          run_conv(be, &R, &st);
        }
      }
    char grp[64];
    snprintf(grp, sizeof grp, "preset %s widths 1..%d", A->name, A->C);
    report(be->name, grp, &st);
  }
}

int main(int argc, char **argv) {
  bool quick = argc > 1 && !strcmp(argv[1], "--quick");
  int tested = 0;
  for (int i = 0; i < sw_backend_count(); i++) {
    const sw_backend *be = sw_backend_at(i);
    if (be == sw_backend_naive()) continue;
    if (!sw_backend_is_usable(be)) { printf("%-7s not usable on this CPU: not tested here\n", be->name); continue; }
    if (be->thread_init) be->thread_init();
    tested++;
    grid_layers(be, quick);
    grid_convs(be, quick);
    presets(be, quick);
  }
  if (!tested) printf("no backend besides naive is usable here\n");
  return check_summary();
}
