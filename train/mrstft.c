/* Multi-resolution STFT loss (auraloss defaults, as NAM uses them) and its gradient, in double
   with FFTW. Per resolution: centered frames over a reflect-padded signal, periodic Hann
   window zero-padded (centered) to the FFT size, one-sided spectrum,
   |X| = sqrt(max(re^2 + im^2, 1e-8)); SC = ||Y|-|X||_F / ||Y||_F over the whole batch, plus
   mean |log|X| - log|Y||; the three resolutions averaged.
   Windows are independent except for three sums per resolution, so the work is split over
   threads by windows and the per-window sums are reduced in window order: the result is the
   same bit for bit for any thread count. */
#include <fftw3.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "loss.h"

#define NRES 3
static const int FFT_N[NRES] = {1024, 2048, 512};
static const int HOP[NRES] = {120, 240, 50};
static const int WIN[NRES] = {600, 1200, 240};
#define MAXN 2048
#define MAG_EPS 1e-8
#define MAX_THREADS 64

/* FFTW's planner is not thread-safe: serialise our plan creation and destruction. */
static pthread_mutex_t plan_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct res {
  int n, hop, nf, nb, w0, w1; /* FFT size, hop, frames per window, bins, window support [w0, w1) */
  double *win;                /* [n] */
  fftw_plan fwd, inv;         /* planned on worker 0's buffers, executed on each worker's */
  double *xs;                 /* [batch][nf][nb][2]: prediction spectra, kept for the gradient */
  double *mx, *my;            /* [batch][nf][nb] magnitudes */
  double *sum;                /* [batch][3]: per window sum (|Y|-|X|)^2, sum |Y|^2, sum |log X/Y| */
  double ksc, klog;           /* gradient factors after the reduction */
} res;

typedef struct worker {
  double *pad, *gpad;         /* [len + MAXN] */
  double *fin[NRES];          /* [n] FFT input per resolution (stays zero outside the window) */
  double *fout;               /* [MAXN] inverse output */
  fftw_complex *spec;         /* [MAXN/2 + 1] */
} worker;

struct sw_mrstft {
  int max_batch, nthreads;
  long len;
  res r[NRES];
  worker wk[MAX_THREADS];
};

static void worker_free(worker *w) {
  free(w->pad); free(w->gpad);
  for (int i = 0; i < NRES; i++) fftw_free(w->fin[i]);
  fftw_free(w->fout); fftw_free(w->spec);
  memset(w, 0, sizeof *w);
}

static int worker_alloc(worker *w, long len) {
  w->pad = malloc(sizeof(double) * (size_t)(len + MAXN));
  w->gpad = malloc(sizeof(double) * (size_t)(len + MAXN));
  for (int i = 0; i < NRES; i++) {
    if (!(w->fin[i] = fftw_malloc(sizeof(double) * MAXN))) return -1;
    memset(w->fin[i], 0, sizeof(double) * MAXN);
  }
  w->fout = fftw_malloc(sizeof(double) * MAXN);
  w->spec = fftw_malloc(sizeof(fftw_complex) * (MAXN / 2 + 1));
  return w->pad && w->gpad && w->fout && w->spec ? 0 : -1;
}

void sw_mrstft_free(sw_mrstft *m) {
  if (!m) return;
  pthread_mutex_lock(&plan_lock);
  for (int i = 0; i < NRES; i++) {
    res *r = &m->r[i];
    if (r->fwd) fftw_destroy_plan(r->fwd);
    if (r->inv) fftw_destroy_plan(r->inv);
  }
  pthread_mutex_unlock(&plan_lock);
  for (int i = 0; i < NRES; i++) {
    res *r = &m->r[i];
    free(r->win); free(r->xs); free(r->mx); free(r->my); free(r->sum);
  }
  for (int t = 0; t < MAX_THREADS; t++) worker_free(&m->wk[t]);
  free(m);
}

int sw_mrstft_create(int max_batch, long len, sw_mrstft **out, sw_err *err) {
  *out = NULL;
  if (max_batch < 1) return sw_fail(err, SW_EUSAGE, "MRSTFT loss: batch %d must be at least 1", max_batch);
  /* reflect padding by n/2 needs more than n/2 samples (torch's rule) */
  if (len <= MAXN / 2 || len > 100000000L)
    return sw_fail(err, SW_EUSAGE, "MRSTFT loss: windows of %ld samples; the 2048-point STFT needs more than 1024", len);
  sw_mrstft *m = calloc(1, sizeof *m);
  if (!m) return sw_fail(err, SW_ENOMEM, "out of memory (MRSTFT loss)");
  m->max_batch = max_batch;
  m->len = len;
  m->nthreads = 1;
  int ok = worker_alloc(&m->wk[0], len) == 0;
  for (int i = 0; i < NRES && ok; i++) {
    res *r = &m->r[i];
    r->n = FFT_N[i];
    r->hop = HOP[i];
    r->nf = (int)(1 + len / r->hop);
    r->nb = r->n / 2 + 1;
    size_t cells = (size_t)max_batch * (size_t)r->nf * (size_t)r->nb;
    r->win = calloc((size_t)r->n, sizeof(double));
    r->xs = malloc(sizeof(double) * 2 * cells);
    r->mx = malloc(sizeof(double) * cells);
    r->my = malloc(sizeof(double) * cells);
    r->sum = malloc(sizeof(double) * 3 * (size_t)max_batch);
    ok = r->win && r->xs && r->mx && r->my && r->sum;
    if (!ok) break;
    r->w0 = (r->n - WIN[i]) / 2;
    r->w1 = r->w0 + WIN[i];
    for (int k = 0; k < WIN[i]; k++) r->win[r->w0 + k] = 0.5 - 0.5 * cos(2.0 * M_PI * k / WIN[i]); /* periodic Hann */
    pthread_mutex_lock(&plan_lock);
    /* ESTIMATE: no timing-dependent algorithm choice, so results are reproducible */
    worker *w = &m->wk[0];
    r->fwd = fftw_plan_dft_r2c_1d(r->n, w->fin[i], w->spec, FFTW_ESTIMATE);
    r->inv = fftw_plan_dft_c2r_1d(r->n, w->spec, w->fout, FFTW_ESTIMATE);
    pthread_mutex_unlock(&plan_lock);
    ok = r->fwd && r->inv;
  }
  if (!ok) {
    sw_mrstft_free(m);
    return sw_fail(err, SW_ENOMEM, "out of memory (MRSTFT loss, batch %d x %ld)", max_batch, len);
  }
  *out = m;
  return SW_OK;
}

int sw_mrstft_set_threads(sw_mrstft *m, int n, sw_err *err) {
  if (n < 1 || n > MAX_THREADS) return sw_fail(err, SW_EUSAGE, "MRSTFT loss: %d threads (expected 1..%d)", n, MAX_THREADS);
  for (int t = 1; t < n; t++)
    if (!m->wk[t].pad && worker_alloc(&m->wk[t], m->len)) {
      worker_free(&m->wk[t]);
      return sw_fail(err, SW_ENOMEM, "out of memory (MRSTFT loss, %d threads)", n);
    }
  m->nthreads = n;
  return SW_OK;
}

/* torch's reflect padding by p on both sides (no edge repeat). */
static void reflect_pad(const double *x, long len, int p, double *out) {
  for (int j = 0; j < p; j++) out[j] = x[p - j];
  memcpy(out + p, x, sizeof(double) * (size_t)len);
  for (int j = 0; j < p; j++) out[p + len + j] = x[len - 2 - j];
}

static void reflect_pad_adjoint(const double *g, long len, int p, double *gx) {
  for (long i = 0; i < len; i++) gx[i] = g[p + i];
  for (int j = 0; j < p; j++) gx[p - j] += g[j];
  for (int j = 0; j < p; j++) gx[len - 2 - j] += g[p + len + j];
}

/* Magnitudes of one window's frames into mag, the complex values into xs if non-NULL. */
static void spectra(const sw_mrstft *m, const res *r, double *fin, worker *w, const double *x, double *mag, double *xs) {
  reflect_pad(x, m->len, r->n / 2, w->pad);
  for (int f = 0; f < r->nf; f++) {
    const double *src = w->pad + (long)f * r->hop;
    for (int k = r->w0; k < r->w1; k++) fin[k] = src[k] * r->win[k]; /* zero elsewhere, always */
    fftw_execute_dft_r2c(r->fwd, fin, w->spec);
    double *mg = mag + (long)f * r->nb;
    for (int b = 0; b < r->nb; b++) {
      double re = w->spec[b][0], im = w->spec[b][1], q = re * re + im * im;
      mg[b] = sqrt(q > MAG_EPS ? q : MAG_EPS);
    }
    if (xs) memcpy(xs + 2 * (long)f * r->nb, w->spec, sizeof(double) * 2 * (size_t)r->nb);
  }
}

typedef struct job {
  sw_mrstft *m;
  const double *p, *t;
  double *grad;
  int b0, b1, tid, phase;
} job;

/* Phase 0: spectra and per-window sums; phase 1: the gradient of each window. */
static void *run_job(void *arg) {
  job *j = arg;
  sw_mrstft *m = j->m;
  worker *w = &m->wk[j->tid];
  long L = m->len;
  for (int i = 0; i < NRES; i++) {
    res *r = &m->r[i];
    long per = (long)r->nf * r->nb;
    for (int b = j->b0; b < j->b1; b++) {
      double *mx = r->mx + b * per, *my = r->my + b * per, *xs = r->xs + 2 * b * per;
      if (j->phase == 0) {
        spectra(m, r, w->fin[i], w, j->p + b * L, mx, j->grad ? xs : NULL);
        spectra(m, r, w->fin[i], w, j->t + b * L, my, NULL);
        double d2 = 0, y2 = 0, lg = 0;
        for (long c = 0; c < per; c++) {
          double d = my[c] - mx[c];
          d2 += d * d;
          y2 += my[c] * my[c];
          lg += fabs(log(mx[c] / my[c])); /* one log: |log X - log Y| = |log(X/Y)| */
        }
        r->sum[3 * b] = d2;
        r->sum[3 * b + 1] = y2;
        r->sum[3 * b + 2] = lg;
        continue;
      }
      memset(w->gpad, 0, sizeof(double) * (size_t)(L + r->n));
      for (int f = 0; f < r->nf; f++) {
        const double *fx = xs + 2 * (long)f * r->nb, *fmx = mx + (long)f * r->nb, *fmy = my + (long)f * r->nb;
        double *sp = &w->spec[0][0], ksc = r->ksc, klog = r->klog;
        for (int k = 0; k < r->nb; k++) { /* branch-free so that it vectorises */
          double re = fx[2 * k], im = fx[2 * k + 1], x = fmx[k], y = fmy[k];
          /* d/d|X| of SC + LOG, sign(log X - log Y) = sign(X - Y), times d|X|/d(re, im) = (re, im)/|X|
             (none where the clamp is active); halved: the c2r counts interior bins twice */
          double sg = (double)(x > y) - (double)(x < y);
          double inv = 1.0 / x;
          double s = 0.5 * (ksc * (1.0 - y * inv) + klog * sg * inv * inv);
          s = re * re + im * im > MAG_EPS ? s : 0.0;
          sp[2 * k] = s * re;
          sp[2 * k + 1] = s * im;
        }
        /* the first and last bins appear once: undo the halving (exact) */
        sp[0] *= 2; sp[1] *= 2;
        sp[2 * (r->nb - 1)] *= 2; sp[2 * (r->nb - 1) + 1] *= 2;
        fftw_execute_dft_c2r(r->inv, w->spec, w->fout);
        double *dst = w->gpad + (long)f * r->hop;
        for (int k = r->w0; k < r->w1; k++) dst[k] += w->fout[k] * r->win[k];
      }
      double *gb = j->grad + b * L;
      if (i == 0) reflect_pad_adjoint(w->gpad, L, r->n / 2, gb);
      else {
        /* add this resolution's share through a scratch copy of the adjoint */
        double *tmp = w->pad;
        reflect_pad_adjoint(w->gpad, L, r->n / 2, tmp);
        for (long s = 0; s < L; s++) gb[s] += tmp[s];
      }
    }
  }
  return NULL;
}

static void run_phase(sw_mrstft *m, int phase, const double *p, const double *t, int batch, double *grad) {
  int nt = m->nthreads < batch ? m->nthreads : batch;
  job jobs[MAX_THREADS];
  pthread_t th[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (int k = 0; k < nt; k++)
    jobs[k] = (job){.m = m, .p = p, .t = t, .grad = grad, .phase = phase, .tid = k,
                    .b0 = (int)((long)batch * k / nt), .b1 = (int)((long)batch * (k + 1) / nt)};
  for (int k = 1; k < nt; k++) started[k] = pthread_create(&th[k], NULL, run_job, &jobs[k]) == 0;
  run_job(&jobs[0]);
  /* a thread that could not start: do its share here (same result, only slower) */
  for (int k = 1; k < nt; k++) {
    if (started[k]) pthread_join(th[k], NULL);
    else run_job(&jobs[k]);
  }
}

double sw_mrstft_d(sw_mrstft *m, const double *p, const double *t, int batch, double *grad) {
  run_phase(m, 0, p, t, batch, grad);
  double total = 0;
  for (int i = 0; i < NRES; i++) {
    res *r = &m->r[i];
    double d2 = 0, y2 = 0, lg = 0, cells = (double)batch * r->nf * r->nb;
    for (int b = 0; b < batch; b++) {
      d2 += r->sum[3 * b];
      y2 += r->sum[3 * b + 1];
      lg += r->sum[3 * b + 2];
    }
    double nd = sqrt(d2), ny = sqrt(y2);
    total += nd / ny + lg / cells;
    /* of (SC + LOG) / NRES; SC's gradient is taken as 0 where |X| = |Y| everywhere */
    r->ksc = nd > 0 ? 1.0 / (NRES * nd * ny) : 0.0;
    r->klog = 1.0 / (NRES * cells);
  }
  if (grad) run_phase(m, 1, p, t, batch, grad);
  return total / NRES;
}
