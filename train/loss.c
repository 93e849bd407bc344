/* MSE, ESR, pre-emphasis and their combination as NAM trains (MRSTFT in mrstft.c). Double
   inside; the float entry point converts at the edges. */
#include "loss.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

double sw_mse_d(const double *p, const double *t, long n, double *grad) {
  double s = 0;
  for (long i = 0; i < n; i++) {
    double d = p[i] - t[i];
    s += d * d;
    if (grad) grad[i] = 2.0 * d / (double)n;
  }
  return s / (double)n;
}

/* mean over windows of sum((p-t)^2) / sum(t^2) (the 1/ny of both means cancels) */
double sw_esr_d(const double *p, const double *t, int batch, long ny, double *grad) {
  double total = 0;
  for (int b = 0; b < batch; b++) {
    const double *pb = p + b * ny, *tb = t + b * ny;
    double e = 0, y = 0;
    for (long i = 0; i < ny; i++) {
      double d = pb[i] - tb[i];
      e += d * d;
      y += tb[i] * tb[i];
    }
    total += e / y;
    if (grad)
      for (long i = 0; i < ny; i++) grad[b * ny + i] = 2.0 * (pb[i] - tb[i]) / (y * batch);
  }
  return total / batch;
}

void sw_preemph_d(const double *x, long n, double coef, double *out) {
  for (long i = 0; i + 1 < n; i++) out[i] = x[i + 1] - coef * x[i];
}

void sw_preemph_adjoint_d(const double *gout, long n, double coef, double *gin) {
  for (long i = 0; i < n; i++) gin[i] = (i > 0 ? gout[i - 1] : 0.0) - (i + 1 < n ? coef * gout[i] : 0.0);
}

sw_loss_cfg sw_loss_default(sw_loss_kind kind) {
  sw_loss_cfg c = {.kind = kind, .mrstft_weight = 2e-4, .pre_coef = 0.85};
  return c;
}

static const char *const names[] = {"nam", "paper", "esr", "mse"};

const char *sw_loss_name(sw_loss_kind kind) {
  return (unsigned)kind < sizeof names / sizeof *names ? names[kind] : "?";
}

int sw_loss_parse(const char *s, sw_loss_cfg *out, sw_err *err) {
  for (int k = 0; k < (int)(sizeof names / sizeof *names); k++)
    if (s && !strcmp(s, names[k])) {
      *out = sw_loss_default((sw_loss_kind)k);
      return SW_OK;
    }
  return sw_fail(err, SW_EUSAGE, "loss \"%s\": expected nam, paper, esr or mse", s ? s : "");
}

struct sw_loss {
  sw_loss_cfg cfg;
  int max_batch, nthreads;
  long ny, len;            /* len: MRSTFT input length per window (ny - 1 with pre-emphasis) */
  bool has_mr;             /* nam / paper */
  sw_mrstft_f *mrf;        /* the float MRSTFT (sw_loss_eval), made at create */
  sw_mrstft *mr;           /* the double one (sw_loss_eval_d), made on first use: the trainer never pays for it */
  double *pd, *td, *gd;    /* [batch*ny]: float inputs of esr / mse converted */
  double *pp, *pt, *gp;    /* [batch*len]: double MRSTFT inputs and their gradient */
  float *fp, *ft, *fg;     /* [batch*len]: float MRSTFT inputs and their gradient */
};

void sw_loss_free(sw_loss *l) {
  if (!l) return;
  sw_mrstft_free(l->mr);
  sw_mrstft_f_free(l->mrf);
  free(l->pd); free(l->td); free(l->gd);
  free(l->pp); free(l->pt); free(l->gp);
  free(l->fp); free(l->ft); free(l->fg);
  free(l);
}

int sw_loss_create(const sw_loss_cfg *cfg, int max_batch, long ny, sw_loss **out, sw_err *err) {
  *out = NULL;
  if ((unsigned)cfg->kind > SW_LOSS_MSE) return sw_fail(err, SW_EUSAGE, "loss: unknown kind %d", (int)cfg->kind);
  if (max_batch < 1 || ny < 2) return sw_fail(err, SW_EUSAGE, "loss: batch %d x %ld samples is too small", max_batch, ny);
  sw_loss *l = calloc(1, sizeof *l);
  if (!l) return sw_fail(err, SW_ENOMEM, "out of memory (loss)");
  l->cfg = *cfg;
  l->max_batch = max_batch;
  l->nthreads = 1;
  l->ny = ny;
  size_t n = (size_t)max_batch * (size_t)ny;
  l->pd = malloc(sizeof(double) * n);
  l->td = malloc(sizeof(double) * n);
  l->gd = malloc(sizeof(double) * n);
  int ok = l->pd && l->td && l->gd;
  l->has_mr = cfg->kind == SW_LOSS_NAM || cfg->kind == SW_LOSS_PAPER;
  if (ok && l->has_mr) {
    l->len = cfg->kind == SW_LOSS_NAM ? ny - 1 : ny;
    int rc = sw_mrstft_f_create(max_batch, l->len, &l->mrf, err);
    if (rc) {
      sw_loss_free(l);
      return sw_fail(err, rc, "loss \"%s\": windows of %ld samples are too short for the MRSTFT term (need %d or more)",
                     sw_loss_name(cfg->kind), ny, cfg->kind == SW_LOSS_NAM ? 1026 : 1025);
    }
    size_t m = (size_t)max_batch * (size_t)l->len;
    l->fp = malloc(sizeof(float) * m);
    l->ft = malloc(sizeof(float) * m);
    l->fg = malloc(sizeof(float) * m);
    ok = l->fp && l->ft && l->fg;
  }
  if (!ok) {
    sw_loss_free(l);
    return sw_fail(err, SW_ENOMEM, "out of memory (loss, batch %d x %ld)", max_batch, ny);
  }
  *out = l;
  return SW_OK;
}

int sw_loss_set_threads(sw_loss *l, int n, sw_err *err) {
  if (n < 1) return sw_fail(err, SW_EUSAGE, "loss: %d threads", n);
  int rc = l->mrf ? sw_mrstft_f_set_threads(l->mrf, n, err) : SW_OK;
  if (!rc && l->mr) rc = sw_mrstft_set_threads(l->mr, n, err);
  if (!rc) l->nthreads = n;
  return rc;
}

/* The double MRSTFT workspace, made on first use (sw_loss_eval_d). 0 on success. */
static int need_double(sw_loss *l) {
  if (l->mr) return 0;
  sw_err err;
  size_t m = (size_t)l->max_batch * (size_t)l->len;
  l->pp = malloc(sizeof(double) * m);
  l->pt = malloc(sizeof(double) * m);
  l->gp = malloc(sizeof(double) * m);
  if (!l->pp || !l->pt || !l->gp || sw_mrstft_create(l->max_batch, l->len, &l->mr, &err)) return -1;
  if (sw_mrstft_set_threads(l->mr, l->nthreads, &err)) return -1;
  return 0;
}

double sw_loss_eval_d(sw_loss *l, const double *pred, const double *target, int batch, double *grad, sw_loss_terms *terms) {
  sw_loss_terms tm = {0};
  if (batch < 1 || batch > l->max_batch) return NAN; /* outside the workspace: refuse, touch nothing */
  if (l->has_mr && need_double(l)) return NAN;       /* out of memory */
  long ny = l->ny, n = (long)batch * ny;
  switch (l->cfg.kind) {
  case SW_LOSS_MSE:
    tm.total = tm.mse = sw_mse_d(pred, target, n, grad);
    break;
  case SW_LOSS_ESR:
    tm.total = tm.esr = sw_esr_d(pred, target, batch, ny, grad);
    break;
  case SW_LOSS_NAM:
  case SW_LOSS_PAPER: {
    int pre = l->cfg.kind == SW_LOSS_NAM;
    double w = l->cfg.mrstft_weight;
    tm.mse = sw_mse_d(pred, target, n, grad);
    const double *mp = pred, *mt = target;
    if (pre) {
      for (int b = 0; b < batch; b++) {
        sw_preemph_d(pred + b * ny, ny, l->cfg.pre_coef, l->pp + b * l->len);
        sw_preemph_d(target + b * ny, ny, l->cfg.pre_coef, l->pt + b * l->len);
      }
      mp = l->pp;
      mt = l->pt;
    }
    tm.mrstft = sw_mrstft_d(l->mr, mp, mt, batch, grad ? l->gp : NULL);
    tm.total = tm.mse + w * tm.mrstft;
    if (!grad) break;
    for (int b = 0; b < batch; b++) {
      double *gb = grad + b * ny;
      const double *gm = l->gp + b * l->len;
      if (pre) {
        /* adjoint of x[1:] - c x[:-1], added to the MSE gradient */
        gb[0] += -w * l->cfg.pre_coef * gm[0];
        for (long i = 1; i + 1 < ny; i++) gb[i] += w * (gm[i - 1] - l->cfg.pre_coef * gm[i]);
        gb[ny - 1] += w * gm[ny - 2];
      } else {
        for (long i = 0; i < ny; i++) gb[i] += w * gm[i];
      }
    }
    break;
  }
  }
  if (terms) *terms = tm;
  return tm.total;
}

/* MSE + w MRSTFT with the MRSTFT in float: MSE summed in double, pre-emphasis as PyTorch
   does it in float32 (x[1:] - c x[:-1], c rounded to float). */
static double eval_mr_float(sw_loss *l, const float *pred, const float *target, int batch, float *grad, sw_loss_terms *tm) {
  long ny = l->ny, n = (long)batch * ny;
  int pre = l->cfg.kind == SW_LOSS_NAM;
  double w = l->cfg.mrstft_weight, s = 0;
  for (long i = 0; i < n; i++) {
    double d = (double)pred[i] - (double)target[i];
    s += d * d;
    if (grad) grad[i] = (float)(2.0 * d / (double)n);
  }
  tm->mse = s / (double)n;
  const float *mp = pred, *mt = target;
  float c = (float)l->cfg.pre_coef;
  if (pre) {
    for (int b = 0; b < batch; b++)
      for (long i = 0; i + 1 < ny; i++) {
        l->fp[b * l->len + i] = pred[b * ny + i + 1] - c * pred[b * ny + i];
        l->ft[b * l->len + i] = target[b * ny + i + 1] - c * target[b * ny + i];
      }
    mp = l->fp;
    mt = l->ft;
  }
  tm->mrstft = sw_mrstft_f_eval(l->mrf, mp, mt, batch, grad ? l->fg : NULL);
  tm->total = tm->mse + w * tm->mrstft;
  if (grad) {
    float wf = (float)w;
    for (int b = 0; b < batch; b++) {
      float *gb = grad + b * ny;
      const float *gm = l->fg + b * l->len;
      if (pre) {
        gb[0] += -wf * c * gm[0];
        for (long i = 1; i + 1 < ny; i++) gb[i] += wf * (gm[i - 1] - c * gm[i]);
        gb[ny - 1] += wf * gm[ny - 2];
      } else {
        for (long i = 0; i < ny; i++) gb[i] += wf * gm[i];
      }
    }
  }
  return tm->total;
}

double sw_loss_eval(sw_loss *l, const float *pred, const float *target, int batch, float *grad, sw_loss_terms *terms) {
  if (batch < 1 || batch > l->max_batch) return NAN;
  if (l->has_mr) {
    sw_loss_terms tm = {0};
    double v = eval_mr_float(l, pred, target, batch, grad, &tm);
    if (terms) *terms = tm;
    return v;
  }
  long n = (long)batch * l->ny;
  for (long i = 0; i < n; i++) {
    l->pd[i] = pred[i];
    l->td[i] = target[i];
  }
  double v = sw_loss_eval_d(l, l->pd, l->td, batch, grad ? l->gd : NULL, terms);
  if (grad)
    for (long i = 0; i < n; i++) grad[i] = (float)l->gd[i];
  return v;
}
