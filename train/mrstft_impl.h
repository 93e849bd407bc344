/* The body of the MRSTFT loss, included by mrstft.c once per precision with
   R (double / float), F(x) (fftw_x / fftwf_x), SQRT, LOG, NM(x) (static names), API(x)
   (public names), MR (the workspace type) and EVAL (the evaluation function). */

typedef struct RES {
  int n, hop, nf, nb, w0, w1; /* FFT size, hop, frames per window, bins, window support [w0, w1) */
  R *win;                /* [n] */
  F(plan) fwd, inv;         /* planned on WORKER 0's buffers, executed on each WORKER's */
  R *xs;                 /* [batch][nf][nb][2]: prediction NM(spectra), kept for the gradient */
  R *mx, *my;            /* [batch][nf][nb] magnitudes */
  double *sum;           /* [batch][3]: per window sum (|Y|-|X|)^2, sum |Y|^2, sum |log X/Y| */
  double ksc, klog;      /* gradient factors after the reduction */
} RES;

typedef struct WORKER {
  R *pad, *gpad;         /* [len + MAXN] */
  R *fin[NRES];          /* [n] FFT input per resolution (stays zero outside the window) */
  R *fout;               /* [MAXN] inverse output */
  F(complex) *spec;         /* [MAXN/2 + 1] */
} WORKER;

struct MR {
  int max_batch, nthreads;
  long len;
  RES r[NRES];
  WORKER wk[MAX_THREADS];
};

static void NM(worker_free)(WORKER *w) {
  free(w->pad); free(w->gpad);
  for (int i = 0; i < NRES; i++) F(free)(w->fin[i]);
  F(free)(w->fout); F(free)(w->spec);
  memset(w, 0, sizeof *w);
}

static int NM(worker_alloc)(WORKER *w, long len) {
  w->pad = malloc(sizeof(R) * (size_t)(len + MAXN));
  w->gpad = malloc(sizeof(R) * (size_t)(len + MAXN));
  for (int i = 0; i < NRES; i++) {
    if (!(w->fin[i] = F(malloc)(sizeof(R) * MAXN))) return -1;
    memset(w->fin[i], 0, sizeof(R) * MAXN);
  }
  w->fout = F(malloc)(sizeof(R) * MAXN);
  w->spec = F(malloc)(sizeof(F(complex)) * (MAXN / 2 + 1));
  return w->pad && w->gpad && w->fout && w->spec ? 0 : -1;
}

void API(free)(MR *m) {
  if (!m) return;
  pthread_mutex_lock(&plan_lock);
  for (int i = 0; i < NRES; i++) {
    RES *r = &m->r[i];
    if (r->fwd) F(destroy_plan)(r->fwd);
    if (r->inv) F(destroy_plan)(r->inv);
  }
  pthread_mutex_unlock(&plan_lock);
  for (int i = 0; i < NRES; i++) {
    RES *r = &m->r[i];
    free(r->win); free(r->xs); free(r->mx); free(r->my); free(r->sum);
  }
  for (int t = 0; t < MAX_THREADS; t++) NM(worker_free)(&m->wk[t]);
  free(m);
}

int API(create)(int max_batch, long len, MR **out, sw_err *err) {
  *out = NULL;
  if (max_batch < 1) return sw_fail(err, SW_EUSAGE, "MRSTFT loss: batch %d must be at least 1", max_batch);
  /* reflect padding by n/2 needs more than n/2 samples (torch's rule) */
  if (len <= MAXN / 2 || len > 100000000L)
    return sw_fail(err, SW_EUSAGE, "MRSTFT loss: windows of %ld samples; the 2048-point STFT needs more than 1024", len);
  MR *m = calloc(1, sizeof *m);
  if (!m) return sw_fail(err, SW_ENOMEM, "out of memory (MRSTFT loss)");
  m->max_batch = max_batch;
  m->len = len;
  m->nthreads = 1;
  int ok = NM(worker_alloc)(&m->wk[0], len) == 0;
  for (int i = 0; i < NRES && ok; i++) {
    RES *r = &m->r[i];
    r->n = FFT_N[i];
    r->hop = HOP[i];
    r->nf = (int)(1 + len / r->hop);
    r->nb = r->n / 2 + 1;
    size_t cells = (size_t)max_batch * (size_t)r->nf * (size_t)r->nb;
    r->win = calloc((size_t)r->n, sizeof(R));
    r->xs = malloc(sizeof(R) * 2 * cells);
    r->mx = malloc(sizeof(R) * cells);
    r->my = malloc(sizeof(R) * cells);
    r->sum = malloc(sizeof(double) * 3 * (size_t)max_batch);
    ok = r->win && r->xs && r->mx && r->my && r->sum;
    if (!ok) break;
    r->w0 = (r->n - WIN[i]) / 2;
    r->w1 = r->w0 + WIN[i];
    for (int k = 0; k < WIN[i]; k++) r->win[r->w0 + k] = (R)(0.5 - 0.5 * cos(2.0 * M_PI * k / WIN[i])); /* periodic Hann */
    pthread_mutex_lock(&plan_lock);
    /* ESTIMATE: no timing-dependent algorithm choice, so results are reproducible */
    WORKER *w = &m->wk[0];
    r->fwd = F(plan_dft_r2c_1d)(r->n, w->fin[i], w->spec, FFTW_ESTIMATE);
    r->inv = F(plan_dft_c2r_1d)(r->n, w->spec, w->fout, FFTW_ESTIMATE);
    pthread_mutex_unlock(&plan_lock);
    ok = r->fwd && r->inv;
  }
  if (!ok) {
    API(free)(m);
    return sw_fail(err, SW_ENOMEM, "out of memory (MRSTFT loss, batch %d x %ld)", max_batch, len);
  }
  *out = m;
  return SW_OK;
}

int API(set_threads)(MR *m, int n, sw_err *err) {
  if (n < 1 || n > MAX_THREADS) return sw_fail(err, SW_EUSAGE, "MRSTFT loss: %d threads (expected 1..%d)", n, MAX_THREADS);
  for (int t = 1; t < n; t++)
    if (!m->wk[t].pad && NM(worker_alloc)(&m->wk[t], m->len)) {
      NM(worker_free)(&m->wk[t]);
      return sw_fail(err, SW_ENOMEM, "out of memory (MRSTFT loss, %d threads)", n);
    }
  m->nthreads = n;
  return SW_OK;
}

/* torch's reflect padding by p on both sides (no edge repeat). */
static void NM(reflect_pad)(const R *x, long len, int p, R *out) {
  for (int j = 0; j < p; j++) out[j] = x[p - j];
  memcpy(out + p, x, sizeof(R) * (size_t)len);
  for (int j = 0; j < p; j++) out[p + len + j] = x[len - 2 - j];
}

static void NM(reflect_pad_adjoint)(const R *g, long len, int p, R *gx) {
  for (long i = 0; i < len; i++) gx[i] = g[p + i];
  for (int j = 0; j < p; j++) gx[p - j] += g[j];
  for (int j = 0; j < p; j++) gx[len - 2 - j] += g[p + len + j];
}

/* Magnitudes of one window's frames into mag, the complex values into xs if non-NULL. */
static void NM(spectra)(const MR *m, const RES *r, R *fin, WORKER *w, const R *x, R *mag, R *xs) {
  NM(reflect_pad)(x, m->len, r->n / 2, w->pad);
  for (int f = 0; f < r->nf; f++) {
    const R *src = w->pad + (long)f * r->hop;
    for (int k = r->w0; k < r->w1; k++) fin[k] = src[k] * r->win[k]; /* zero elsewhere, always */
    F(execute_dft_r2c)(r->fwd, fin, w->spec);
    R *mg = mag + (long)f * r->nb;
    for (int b = 0; b < r->nb; b++) {
      R re = w->spec[b][0], im = w->spec[b][1], q = re * re + im * im;
      mg[b] = SQRT(q > (R)MAG_EPS ? q : (R)MAG_EPS);
    }
    if (xs) memcpy(xs + 2 * (long)f * r->nb, w->spec, sizeof(R) * 2 * (size_t)r->nb);
  }
}

typedef struct JOB {
  MR *m;
  const R *p, *t;
  R *grad;
  int b0, b1, tid, phase;
} JOB;

/* Phase 0: NM(spectra) and per-window sums; phase 1: the gradient of each window. */
static void *NM(run_job)(void *arg) {
  JOB *j = arg;
  MR *m = j->m;
  WORKER *w = &m->wk[j->tid];
  long L = m->len;
  for (int i = 0; i < NRES; i++) {
    RES *r = &m->r[i];
    long per = (long)r->nf * r->nb;
    for (int b = j->b0; b < j->b1; b++) {
      R *mx = r->mx + b * per, *my = r->my + b * per, *xs = r->xs + 2 * b * per;
      if (j->phase == 0) {
        NM(spectra)(m, r, w->fin[i], w, j->p + b * L, mx, j->grad ? xs : NULL);
        NM(spectra)(m, r, w->fin[i], w, j->t + b * L, my, NULL);
        /* per frame: partial sums in R (vectorised, in a fixed order), the totals in double;
           one log per bin, |log X - log Y| = |log(X/Y)|, in its own loop (libm; float: libmvec) */
        double d2 = 0, y2 = 0, lg = 0;
        R *q = w->fout; /* scratch: the inverse output is not used in phase 0 */
        for (int f = 0; f < r->nf; f++) {
          const R *x = mx + (long)f * r->nb, *y = my + (long)f * r->nb;
          R sd = 0, sy = 0, sl = 0;
#pragma omp simd reduction(+ : sd, sy)
          for (int c = 0; c < r->nb; c++) {
            R d = y[c] - x[c];
            sd += d * d;
            sy += y[c] * y[c];
            q[c] = x[c] / y[c];
          }
#pragma omp simd
          for (int c = 0; c < r->nb; c++) q[c] = LOG(q[c]);
#pragma omp simd reduction(+ : sl)
          for (int c = 0; c < r->nb; c++) sl += q[c] < 0 ? -q[c] : q[c];
          d2 += sd;
          y2 += sy;
          lg += sl;
        }
        r->sum[3 * b] = d2;
        r->sum[3 * b + 1] = y2;
        r->sum[3 * b + 2] = lg;
        continue;
      }
      memset(w->gpad, 0, sizeof(R) * (size_t)(L + r->n));
      for (int f = 0; f < r->nf; f++) {
        const R *fx = xs + 2 * (long)f * r->nb, *fmx = mx + (long)f * r->nb, *fmy = my + (long)f * r->nb;
        R *sp = &w->spec[0][0], ksc = r->ksc, klog = r->klog;
        /* d/d|X| of SC + LOG, sign(log X - log Y) = sign(X - Y), times d|X|/d(re, im) = (re, im)/|X|
           (none where the clamp is active); halved: the c2r counts interior bins twice. Two
           loops, so that each vectorises: the factor per bin (contiguous), then the complex
           scaling (interleaved); fout is free until the c2r below. */
        R *sv = w->fout;
#pragma omp simd
        for (int k = 0; k < r->nb; k++) {
          R re = fx[2 * k], im = fx[2 * k + 1], x = fmx[k], y = fmy[k];
          R sg = (R)(x > y) - (R)(x < y);
          R inv = (R)1 / x;
          R s = (R)0.5 * (ksc * ((R)1 - y * inv) + klog * sg * inv * inv);
          sv[k] = re * re + im * im > (R)MAG_EPS ? s : (R)0;
        }
#pragma omp simd
        for (int k = 0; k < r->nb; k++) {
          sp[2 * k] = sv[k] * fx[2 * k];
          sp[2 * k + 1] = sv[k] * fx[2 * k + 1];
        }
        /* the first and last bins appear once: undo the halving (exact) */
        sp[0] *= 2; sp[1] *= 2;
        sp[2 * (r->nb - 1)] *= 2; sp[2 * (r->nb - 1) + 1] *= 2;
        F(execute_dft_c2r)(r->inv, w->spec, w->fout);
        R *dst = w->gpad + (long)f * r->hop;
        for (int k = r->w0; k < r->w1; k++) dst[k] += w->fout[k] * r->win[k];
      }
      R *gb = j->grad + b * L;
      if (i == 0) NM(reflect_pad_adjoint)(w->gpad, L, r->n / 2, gb);
      else {
        /* add this resolution's share through a scratch copy of the adjoint */
        R *tmp = w->pad;
        NM(reflect_pad_adjoint)(w->gpad, L, r->n / 2, tmp);
        for (long s = 0; s < L; s++) gb[s] += tmp[s];
      }
    }
  }
  return NULL;
}

static void NM(run_phase)(MR *m, int phase, const R *p, const R *t, int batch, R *grad) {
  int nt = m->nthreads < batch ? m->nthreads : batch;
  JOB jobs[MAX_THREADS];
  pthread_t th[MAX_THREADS];
  int started[MAX_THREADS] = {0};
  for (int k = 0; k < nt; k++)
    jobs[k] = (JOB){.m = m, .p = p, .t = t, .grad = grad, .phase = phase, .tid = k,
                    .b0 = (int)((long)batch * k / nt), .b1 = (int)((long)batch * (k + 1) / nt)};
  for (int k = 1; k < nt; k++) started[k] = pthread_create(&th[k], NULL, NM(run_job), &jobs[k]) == 0;
  NM(run_job)(&jobs[0]);
  /* a thread that could not start: do its share here (same result, only slower) */
  for (int k = 1; k < nt; k++) {
    if (started[k]) pthread_join(th[k], NULL);
    else NM(run_job)(&jobs[k]);
  }
}

double EVAL(MR *m, const R *p, const R *t, int batch, R *grad) {
  NM(run_phase)(m, 0, p, t, batch, grad);
  double total = 0;
  for (int i = 0; i < NRES; i++) {
    RES *r = &m->r[i];
    double d2 = 0, y2 = 0, lg = 0, cells = (R)batch * r->nf * r->nb;
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
  if (grad) NM(run_phase)(m, 1, p, t, batch, grad);
  return total / NRES;
}
