/* Training losses: values on hand-computed cases (MSE, ESR of scaled signals, pre-emphasis,
   MRSTFT of identical / scaled signals and its batch semantics) and gradients of every loss
   by central finite differences in double (max |fd - analytic| <= 1e-6 max |analytic|). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../train/loss.h"
#include "../train/rng.h"
#include "check.h"

static double *vec(long n) { return calloc((size_t)n, sizeof(double)); }

/* Band-limited-ish test signal: noise through a one-pole filter plus a tone, peak ~0.5. */
static void signal(double *x, long n, uint64_t seed, double amp) {
  sw_rng r;
  sw_rng_seed(&r, seed);
  double s = 0;
  for (long i = 0; i < n; i++) {
    s = 0.7 * s + sw_rng_range(&r, -1, 1);
    x[i] = amp * (0.2 * s + 0.3 * sin(0.05 * (double)i + (double)seed));
  }
}

typedef double (*loss_fn)(void *ctx, const double *p, double *grad);

/* Fourth-order central differences, (8(f(+h) - f(-h)) - (f(+2h) - f(-2h))) / 12h, on every
   stride-th entry of p (n of them); returns max|fd - g| / max|g| over all entries. The MRSTFT
   has bins of small magnitude where log|X| curves hard: the second-order stencil's h^2 error
   alone is ~2e-6 there at h = 1e-6, the fourth-order one's is ~5e-8. */
static double grad_check(loss_fn f, void *ctx, double *p, long n, double h, long stride) {
  double *g = vec(n);
  f(ctx, p, g);
  double maxg = 0, maxe = 0;
  for (long i = 0; i < n; i++) maxg = fmax(maxg, fabs(g[i]));
  for (long i = 0; i < n; i += stride) {
    double keep = p[i], fv[4], off[4] = {h, -h, 2 * h, -2 * h};
    for (int k = 0; k < 4; k++) {
      p[i] = keep + off[k];
      fv[k] = f(ctx, p, NULL);
    }
    p[i] = keep;
    double fd = (8 * (fv[0] - fv[1]) - (fv[2] - fv[3])) / (12 * h);
    maxe = fmax(maxe, fabs(fd - g[i]));
  }
  free(g);
  return maxg > 0 ? maxe / maxg : INFINITY;
}

/* Directional check for larger sizes: the same stencil along k random directions v against g.v. */
static double dir_check(loss_fn f, void *ctx, double *p, long n, double h, int k, uint64_t seed) {
  double *g = vec(n), *q = vec(n), *v = vec(n), worst = 0;
  f(ctx, p, g);
  sw_rng r;
  sw_rng_seed(&r, seed);
  for (int d = 0; d < k; d++) {
    double gv = 0, gn = 0, vn = 0;
    for (long i = 0; i < n; i++) { v[i] = sw_rng_range(&r, -1, 1); vn += v[i] * v[i]; }
    /* unit direction, so h is the step length as in the per-entry check */
    for (long i = 0; i < n; i++) { v[i] /= sqrt(vn); gv += g[i] * v[i]; gn += g[i] * g[i]; }
    vn = 1;
    for (long i = 0; i < n; i++) q[i] = p[i] + h * v[i];
    double fv[4], off[4] = {h, -h, 2 * h, -2 * h};
    for (int k = 0; k < 4; k++) {
      for (long i = 0; i < n; i++) q[i] = p[i] + off[k] * v[i];
      fv[k] = f(ctx, q, NULL);
    }
    double fd = (8 * (fv[0] - fv[1]) - (fv[2] - fv[3])) / (12 * h);
    /* relative to |g| |v| (the scale of g.v for a generic direction) */
    double e = fabs(fd - gv) / (sqrt(gn) * sqrt(vn));
    if (e > worst) worst = e;
  }
  free(g); free(q); free(v);
  return worst;
}

typedef struct { const double *t; int batch; long ny; sw_mrstft *m; sw_loss *l; } ctx_t;
static double f_mse(void *c, const double *p, double *g) { ctx_t *x = c; return sw_mse_d(p, x->t, x->batch * x->ny, g); }
static double f_esr(void *c, const double *p, double *g) { ctx_t *x = c; return sw_esr_d(p, x->t, x->batch, x->ny, g); }
static double f_mrstft(void *c, const double *p, double *g) { ctx_t *x = c; return sw_mrstft_d(x->m, p, x->t, x->batch, g); }
static double f_loss(void *c, const double *p, double *g) { ctx_t *x = c; return sw_loss_eval_d(x->l, p, x->t, x->batch, g, NULL); }
/* pre-emphasis through a fixed linear functional: f = sum a[i] * pre(p)[i] */
typedef struct { const double *a; long n; double *buf; } pre_ctx;
static double f_pre(void *c, const double *p, double *g) {
  pre_ctx *x = c;
  sw_preemph_d(p, x->n, 0.85, x->buf);
  double s = 0;
  for (long i = 0; i + 1 < x->n; i++) s += x->a[i] * x->buf[i];
  if (g) sw_preemph_adjoint_d(x->a, x->n, 0.85, g);
  return s;
}

static void values(void) {
  double p[3] = {1, 2, 3}, t[3] = {0, 0, 0}, g[3];
  CHECK(fabs(sw_mse_d(p, t, 3, g) - 14.0 / 3) < 1e-15, "MSE of (1,2,3) vs 0");
  CHECK(fabs(g[2] - 2.0) < 1e-15, "MSE gradient 2*3/3 = 2, got %g", g[2]);

  /* ESR: window 0 predicted 2x (ESR 1), window 1 predicted 0.5x (ESR 0.25): mean 0.625 */
  long ny = 500;
  double *tt = vec(2 * ny), *pp = vec(2 * ny);
  signal(tt, 2 * ny, 1, 1.0);
  for (long i = 0; i < ny; i++) { pp[i] = 2 * tt[i]; pp[ny + i] = 0.5 * tt[ny + i]; }
  double e = sw_esr_d(pp, tt, 2, ny, NULL);
  CHECK(fabs(e - 0.625) < 1e-14, "ESR of scaled windows: %.17g, expected 0.625", e);
  CHECK(sw_esr_d(tt, tt, 2, ny, NULL) == 0.0, "ESR of identical signals is 0");

  /* pre-emphasis: (1, 2, 4) -> (2 - 0.85, 4 - 1.7) */
  double x[3] = {1, 2, 4}, y[2];
  sw_preemph_d(x, 3, 0.85, y);
  CHECK(fabs(y[0] - 1.15) < 1e-15 && fabs(y[1] - 2.3) < 1e-15, "pre-emphasis of (1,2,4): %g %g", y[0], y[1]);
  free(tt); free(pp);
}

static void mrstft_values(void) {
  long len = 3000;
  sw_mrstft *m;
  sw_err err;
  int rc = sw_mrstft_create(2, len, &m, &err);
  CHECK(rc == 0, "mrstft create: %s", err.msg);
  if (rc) return;
  double *t = vec(2 * len), *p = vec(2 * len), *g = vec(2 * len);
  signal(t, len, 7, 1.0);
  double v = sw_mrstft_d(m, t, t, 1, g);
  CHECK(v == 0.0, "MRSTFT of identical signals: %g, expected 0", v);
  double gmax = 0;
  for (long i = 0; i < len; i++) gmax = fmax(gmax, fabs(g[i]));
  CHECK(gmax == 0.0, "MRSTFT gradient at identical signals: max %g, expected 0", gmax);
  /* twice the target: every magnitude doubles, SC = 1, log term = ln 2 */
  for (long i = 0; i < len; i++) p[i] = 2 * t[i];
  v = sw_mrstft_d(m, p, t, 1, NULL);
  CHECK(fabs(v - (1 + log(2.0))) < 1e-12, "MRSTFT of 2x target: %.15g, expected 1 + ln 2", v);
  /* batch semantics (auraloss): window 0 = 2x target, window 1 exact with a 10x louder target.
     SC is one ratio over the batch: sqrt(E) / sqrt(E + 100 E) = 1/sqrt(101); log term ln2 / 2.
     (A per-window mean would give 0.5 + ln2/2.) */
  for (long i = 0; i < len; i++) { t[len + i] = 10 * t[i]; p[len + i] = t[len + i]; }
  v = sw_mrstft_d(m, p, t, 2, NULL);
  double want = 1 / sqrt(101.0) + log(2.0) / 2;
  CHECK(fabs(v - want) < 1e-12, "MRSTFT batch semantics: %.15g, expected %.15g", v, want);
  /* too short for reflect padding of the 2048-point STFT: refused with a message */
  sw_mrstft *bad;
  rc = sw_mrstft_create(1, 1024, &bad, &err);
  CHECK(rc == SW_EUSAGE && strstr(err.msg, "1024"), "1024-sample windows refused: rc %d %s", rc, err.msg);
  sw_mrstft_free(m);
  free(t); free(p); free(g);
}

static void gradients(void) {
  sw_err err;
  int batch = 2;
  long ny = 1101, n = batch * ny;
  double *t = vec(n), *p = vec(n), *nz = vec(n);
  signal(t, n, 11, 1.0);
  signal(nz, n, 12, 1.0);
  /* p = 2t + small noise: log|X|/|Y| stays far from 0 (the |.| kink), so differences are clean */
  for (long i = 0; i < n; i++) p[i] = 2 * t[i] + 0.01 * nz[i];
  ctx_t c = {.t = t, .batch = batch, .ny = ny};
  double e;

  e = grad_check(f_mse, &c, p, n, 1e-6, 1);
  CHECK(e <= 1e-6, "MSE gradient: relative error %.3g", e);
  e = grad_check(f_esr, &c, p, n, 1e-6, 1);
  CHECK(e <= 1e-6, "ESR gradient: relative error %.3g", e);

  double *a = vec(n), *buf = vec(n);
  signal(a, n, 13, 1.0);
  pre_ctx pc = {.a = a, .n = n, .buf = buf};
  e = grad_check(f_pre, &pc, p, n, 1e-6, 1);
  CHECK(e <= 1e-6, "pre-emphasis adjoint: relative error %.3g", e);

  int rc = sw_mrstft_create(batch, ny, &c.m, &err);
  CHECK(rc == 0, "mrstft create: %s", err.msg);
  if (!rc) {
    e = grad_check(f_mrstft, &c, p, n, 1e-6, 1);
    CHECK(e <= 1e-6, "MRSTFT gradient (every sample, batch 2 x %ld): relative error %.3g", ny, e);
    printf("MRSTFT gradient: max |fd - analytic| / max |analytic| = %.3g\n", e);
    sw_mrstft_free(c.m);
  }
  /* the combined losses, with the MRSTFT weight at 1 too so its part is not hidden by 2e-4 */
  const char *kinds[] = {"nam", "paper", "esr", "mse"};
  for (int k = 0; k < 4; k++)
    for (int big = 0; big < 2; big++) {
      sw_loss_cfg cfg;
      sw_loss_parse(kinds[k], &cfg, &err);
      if (big) { if (k > 1) continue; cfg.mrstft_weight = 1.0; }
      rc = sw_loss_create(&cfg, batch, ny, &c.l, &err);
      CHECK(rc == 0, "loss %s create: %s", kinds[k], err.msg);
      if (rc) continue;
      /* every entry is covered by the MRSTFT check above; here every 10th and 6 directions */
      e = grad_check(f_loss, &c, p, n, 1e-6, k > 1 ? 1 : 10);
      double ed = dir_check(f_loss, &c, p, n, 1e-6, 6, 3);
      CHECK(e <= 1e-6 && ed <= 1e-6, "loss %s (mrstft weight %g) gradient: relative error %.3g, directional %.3g", kinds[k], cfg.mrstft_weight, e, ed);
      printf("loss %-5s mrstft_weight %-6g: gradient relative error %.3g, directional %.3g\n", kinds[k], cfg.mrstft_weight, e, ed);
      sw_loss_free(c.l);
    }
  free(t); free(p); free(nz); free(a); free(buf);
}

/* Recipe sizes (batch 3 x 8192 would be slow to difference per entry): random directions. */
static void directional(void) {
  sw_err err;
  int batch = 3;
  long ny = 4096, n = batch * ny;
  double *t = vec(n), *p = vec(n), *nz = vec(n);
  signal(t, n, 21, 0.8);
  signal(nz, n, 22, 1.0);
  for (long i = 0; i < n; i++) p[i] = 2 * t[i] + 0.01 * nz[i];
  ctx_t c = {.t = t, .batch = batch, .ny = ny};
  sw_loss_cfg cfg = sw_loss_default(SW_LOSS_NAM);
  cfg.mrstft_weight = 1.0;
  int rc = sw_loss_create(&cfg, 4, ny, &c.l, &err);
  CHECK(rc == 0, "loss create: %s", err.msg);
  if (rc) return;
  double e = dir_check(f_loss, &c, p, n, 1e-6, 8, 5);
  CHECK(e <= 1e-6, "nam loss, batch 3 of 4 x %ld, 8 random directions: relative error %.3g", ny, e);
  /* the float entry point agrees with the double one */
  float *pf = malloc(sizeof(float) * (size_t)n), *tf = malloc(sizeof(float) * (size_t)n), *gf = malloc(sizeof(float) * (size_t)n);
  double *pd = vec(n), *td = vec(n), *gd = vec(n);
  for (long i = 0; i < n; i++) { pf[i] = (float)p[i]; tf[i] = (float)t[i]; pd[i] = pf[i]; td[i] = tf[i]; }
  sw_loss_terms tm;
  double vf = sw_loss_eval(c.l, pf, tf, batch, gf, &tm);
  double vd = sw_loss_eval_d(c.l, pd, td, batch, gd, NULL);
  /* the float MRSTFT: PyTorch's own float32 gradient of this loss differs from its float64 one
     by ~4e-4 of the largest entry (small bins, where d log|X| = 1/|X|, amplify the FFT's
     rounding); allow 1e-3 */
  double ge = 0, gm = 0, en = 0, gn = 0;
  for (long i = 0; i < n; i++) {
    ge = fmax(ge, fabs(gf[i] - gd[i]));
    gm = fmax(gm, fabs(gd[i]));
    en += (gf[i] - gd[i]) * (gf[i] - gd[i]);
    gn += gd[i] * gd[i];
  }
  CHECK(fabs(vf - vd) <= 1e-6 * vd && ge <= 1e-3 * gm && sqrt(en / gn) <= 1e-3,
        "float path: value %.17g vs %.17g, gradient error %.3g of %.3g (normwise %.3g)", vf, vd, ge, gm, sqrt(en / gn));
  printf("float vs double loss: value rel %.2g, gradient max error / max %.2g, normwise %.2g\n", fabs(vf - vd) / vd, ge / gm, sqrt(en / gn));
  CHECK(fabs(tm.total - (tm.mse + tm.mrstft)) < 1e-15 && tm.mse > 0 && tm.mrstft > 0, "terms: total %g = mse %g + mrstft %g", tm.total, tm.mse, tm.mrstft);
  /* split over 2 and 3 threads: the same bits, in both precisions */
  for (int th = 2; th <= 3; th++) {
    double *g2 = vec(n);
    float *g2f = malloc(sizeof(float) * (size_t)n);
    int rc2 = sw_loss_set_threads(c.l, th, &err);
    double v2 = sw_loss_eval_d(c.l, pd, td, batch, g2, NULL);
    CHECK(rc2 == 0 && v2 == vd && memcmp(g2, gd, sizeof(double) * (size_t)n) == 0, "%d threads: value %.17g vs %.17g or gradient differ", th, v2, vd);
    double v2f = sw_loss_eval(c.l, pf, tf, batch, g2f, NULL);
    CHECK(v2f == vf && memcmp(g2f, gf, sizeof(float) * (size_t)n) == 0, "%d threads, float: value %.17g vs %.17g or gradient differ", th, v2f, vf);
    free(g2);
    free(g2f);
  }
  sw_loss_free(c.l);
  free(pf); free(tf); free(gf); free(pd); free(td); free(gd); free(t); free(p); free(nz);
}

static void parsing(void) {
  sw_loss_cfg cfg;
  sw_err err;
  CHECK(sw_loss_parse("paper", &cfg, &err) == 0 && cfg.kind == SW_LOSS_PAPER && cfg.mrstft_weight == 2e-4, "parse paper");
  CHECK(sw_loss_parse("nam", &cfg, &err) == 0 && cfg.pre_coef == 0.85, "parse nam");
  int rc = sw_loss_parse("l1", &cfg, &err);
  CHECK(rc == SW_EUSAGE && strstr(err.msg, "\"l1\"") && !strchr(err.msg, '\n'), "unknown loss refused: %s", err.msg);
  sw_loss *l;
  cfg = sw_loss_default(SW_LOSS_NAM);
  rc = sw_loss_create(&cfg, 16, 1025, &l, &err);
  CHECK(rc == SW_EUSAGE && strstr(err.msg, "1026"), "nam loss on 1025-sample windows refused: %s", err.msg);
  cfg = sw_loss_default(SW_LOSS_PAPER);
  rc = sw_loss_create(&cfg, 2, 1025, &l, &err);
  CHECK(rc == 0, "paper loss on 1025-sample windows accepted: %s", rc ? err.msg : "");
  if (!rc) {
    float x[3 * 1025] = {0}, g[3 * 1025];
    g[0] = 7;
    CHECK(isnan(sw_loss_eval(l, x, x, 3, g, NULL)) && g[0] == 7, "a batch above the workspace's is refused");
    sw_loss_free(l);
  }
}

/* For tests/loss_torch_check.py: the loss value and gradient of the formula signals below,
   which the script rebuilds in PyTorch (torch.stft, autograd) to compare. */
static int dump(const char *kind) {
  int batch = 2;
  long ny = 1500, n = batch * ny;
  double *p = vec(n), *t = vec(n), *g = vec(n);
  for (int b = 0; b < batch; b++)
    for (long i = 0; i < ny; i++) {
      double x = (double)i;
      t[b * ny + i] = 0.4 * sin(0.013 * x + b) + 0.2 * sin(0.29 * x + 0.5 * b) + 0.05 * sin(2.1 * x);
      p[b * ny + i] = 1.5 * t[b * ny + i] + 0.1 * sin(0.7 * x + b) + 0.03 * cos(2.9 * x);
    }
  sw_loss_cfg cfg;
  sw_loss *l;
  sw_err err;
  if (!strcmp(kind, "mrstft")) { /* the term alone, weight 1 */
    sw_mrstft *m;
    if (sw_mrstft_create(batch, ny, &m, &err)) { fprintf(stderr, "%s\n", err.msg); return 2; }
    printf("%.17g\n", sw_mrstft_d(m, p, t, batch, g));
    for (long i = 0; i < n; i++) printf("%.17g\n", g[i]);
    sw_mrstft_free(m);
    free(p); free(t); free(g);
    return 0;
  }
  if (sw_loss_parse(kind, &cfg, &err) || sw_loss_create(&cfg, batch, ny, &l, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 2;
  }
  printf("%.17g\n", sw_loss_eval_d(l, p, t, batch, g, NULL));
  for (long i = 0; i < n; i++) printf("%.17g\n", g[i]);
  sw_loss_free(l);
  free(p); free(t); free(g);
  return 0;
}

/* `test_loss --bench [KIND]`: the cost of one float evaluation with gradient at the recipe's
   size (16 x 8192) on 1 and 2 threads, wall and CPU time, median of 9 after a warm-up, one
   JSON line per thread count. Not part of the test run (no timing is asserted). */
static double now_s(clockid_t clk) {
  struct timespec ts;
  clock_gettime(clk, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int bench(const char *kind) {
  int batch = 16;
  long ny = 8192, n = batch * ny;
  double *pd = vec(n), *td = vec(n);
  signal(td, n, 31, 1.0);
  signal(pd, n, 32, 1.0);
  float *p = malloc(sizeof(float) * (size_t)n), *t = malloc(sizeof(float) * (size_t)n), *g = malloc(sizeof(float) * (size_t)n);
  for (long i = 0; i < n; i++) { t[i] = (float)td[i]; p[i] = (float)(0.8 * td[i] + 0.1 * pd[i]); }
  sw_loss_cfg cfg;
  sw_loss *l;
  sw_err err;
  if (sw_loss_parse(kind, &cfg, &err) || sw_loss_create(&cfg, batch, ny, &l, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 2;
  }
  for (int th = 1; th <= 2; th++) {
    sw_loss_set_threads(l, th, &err);
    double ms[9], cpu[9];
    sw_loss_eval(l, p, t, batch, g, NULL);
    for (int r = 0; r < 9; r++) {
      double t0 = now_s(CLOCK_MONOTONIC), c0 = now_s(CLOCK_PROCESS_CPUTIME_ID);
      sw_loss_eval(l, p, t, batch, g, NULL);
      ms[r] = 1e3 * (now_s(CLOCK_MONOTONIC) - t0);
      cpu[r] = 1e3 * (now_s(CLOCK_PROCESS_CPUTIME_ID) - c0);
    }
    qsort(ms, 9, sizeof *ms, cmp_d);
    qsort(cpu, 9, sizeof *cpu, cmp_d);
    /* cpu: all threads' CPU time, less sensitive to other load on the machine than wall time */
    printf("{\"loss\": \"%s\", \"batch\": %d, \"ny\": %ld, \"threads\": %d, \"ms_median\": %.2f, \"ms_min\": %.2f, \"cpu_ms_median\": %.2f}\n",
           kind, batch, ny, th, ms[4], ms[0], cpu[4]);
  }
  sw_loss_free(l);
  free(p); free(t); free(g); free(pd); free(td);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--dump")) return dump(argv[2]);
  if (argc >= 2 && !strcmp(argv[1], "--bench")) return bench(argc >= 3 ? argv[2] : "nam");
  values();
  mrstft_values();
  parsing();
  gradients();
  directional();
  return check_summary();
}
