/* Training losses with their gradients with respect to the prediction (SPEC section 4).
   A batch is `batch` windows of ny samples, row-major (window b at pred + b*ny).

   Batch semantics, as PyTorch (NAM's losses.py and auraloss) computes them:
     MSE     mean over all batch*ny samples;
     ESR     mean over windows of sum((p-t)^2) / sum(t^2) per window (NAM's esr());
     MRSTFT  auraloss on a (batch, L) tensor: per resolution the spectral convergence is ONE
             Frobenius ratio over the whole batch's spectrograms (not a per-window mean), the
             log term a mean over all batch*frames*bins; averaged over the three resolutions.
     pre-emphasis  NAM's x[1:] - 0.85 x[:-1]: L = ny - 1 samples per window.
   Kinds:
     nam    MSE + 2e-4 * MRSTFT(pre(p), pre(t))  (NAM's default recipe)
     paper  MSE + 2e-4 * MRSTFT(p, t)            (no pre-emphasis)
     esr    ESR
     mse    MSE
   The MRSTFT needs windows longer than 1024 samples after pre-emphasis (reflect padding of the
   2048-point STFT): ny >= 1026 for nam, >= 1025 for paper.

   sw_loss_eval_d computes in double (gradient checks); sw_loss_eval, the trainer's, runs the
   MRSTFT in float (sums in double) and MSE/ESR in double. FFTW plans are made at
   create (FFTW_ESTIMATE: deterministic) and reused. FFTW's planner is NOT thread-safe: this
   file serialises its own create/free calls with a mutex, but any other FFTW planning in the
   program must not run at the same time (simplest: create every workspace up front on the
   main thread). A workspace is used by one caller at a time; different workspaces may be
   evaluated on different threads at once. */
#ifndef SW_LOSS_H
#define SW_LOSS_H

#include "../core/err.h"

typedef enum { SW_LOSS_NAM = 0, SW_LOSS_PAPER, SW_LOSS_ESR, SW_LOSS_MSE } sw_loss_kind;

typedef struct sw_loss_cfg {
  sw_loss_kind kind;
  double mrstft_weight; /* 2e-4 */
  double pre_coef;      /* 0.85; used by nam only */
} sw_loss_cfg;

/* The recipe's weights for a kind. */
sw_loss_cfg sw_loss_default(sw_loss_kind kind);
/* "nam", "paper", "esr" or "mse". */
int sw_loss_parse(const char *s, sw_loss_cfg *out, sw_err *err);
const char *sw_loss_name(sw_loss_kind kind);

/* Terms of the last evaluation (for logs): the unweighted values; unused terms are 0. */
typedef struct sw_loss_terms {
  double mse, esr, mrstft, total;
} sw_loss_terms;

typedef struct sw_loss sw_loss;

/* Workspace for up to max_batch windows of ny samples (allocations and FFTW plans). */
int sw_loss_create(const sw_loss_cfg *cfg, int max_batch, long ny, sw_loss **out, sw_err *err);
void sw_loss_free(sw_loss *l);
/* The MRSTFT term splits its windows over n threads (default 1) that it starts and joins
   inside each evaluation; the result is bit-identical for any n. Call between evaluations. */
int sw_loss_set_threads(sw_loss *l, int n, sw_err *err);
/* Loss value; grad (batch*ny, may be NULL) is OVERWRITTEN with d loss / d pred. terms may be
   NULL. A batch outside 1..max_batch returns NaN and touches nothing. Degenerate targets give
   inf/NaN as in PyTorch: ESR of a window whose target is all zero, the MRSTFT's spectral
   convergence of a batch whose targets are all zero. */
double sw_loss_eval(sw_loss *l, const float *pred, const float *target, int batch, float *grad, sw_loss_terms *terms);
double sw_loss_eval_d(sw_loss *l, const double *pred, const double *target, int batch, double *grad, sw_loss_terms *terms);

/* The building blocks, in double; every grad is overwritten, NULL = value only. */
double sw_mse_d(const double *p, const double *t, long n, double *grad);
double sw_esr_d(const double *p, const double *t, int batch, long ny, double *grad);
/* out[i] = x[i+1] - coef x[i], i < n-1 (n-1 outputs). */
void sw_preemph_d(const double *x, long n, double coef, double *out);
/* The adjoint: gin[n] from gout[n-1]. */
void sw_preemph_adjoint_d(const double *gout, long n, double coef, double *gin);

/* The multi-resolution STFT loss alone, on windows of len samples (len > 1024). */
typedef struct sw_mrstft sw_mrstft;
int sw_mrstft_create(int max_batch, long len, sw_mrstft **out, sw_err *err);
void sw_mrstft_free(sw_mrstft *m);
double sw_mrstft_d(sw_mrstft *m, const double *p, const double *t, int batch, double *grad);
int sw_mrstft_set_threads(sw_mrstft *m, int n, sw_err *err);
/* The same in float (what sw_loss_eval uses): spectra and per-bin math in float, the sums
   over bins in double; agrees with the double version to ~1e-6 relative. */
typedef struct sw_mrstft_f sw_mrstft_f;
int sw_mrstft_f_create(int max_batch, long len, sw_mrstft_f **out, sw_err *err);
void sw_mrstft_f_free(sw_mrstft_f *m);
double sw_mrstft_f_eval(sw_mrstft_f *m, const float *p, const float *t, int batch, float *grad);
int sw_mrstft_f_set_threads(sw_mrstft_f *m, int n, sw_err *err);

#endif
