/* Adam as torch.optim.Adam (amsgrad off, no weight decay; bit for bit with PyTorch 1.13 in
   float32): betas 0.9/0.999, eps 1e-8, bias correction lr / (1 - b1^t) on m and
   sqrt(1 - b2^t) on sqrt(v); plus NAM's learning-rate schedule, lr0 * gamma^epoch (torch
   ExponentialLR stepped once per epoch). */
#ifndef SW_ADAM_H
#define SW_ADAM_H

#include "../core/err.h"

/* Checkpoint state: m[n], v[n] and step (the number of updates done). The hyper-parameters
   are settings, not state; save them only to check that a resume uses the same ones. */
typedef struct sw_adam {
  long n;          /* entries updated: pass net->nw - 1 so head_scale (the last weight) is never trained */
  float *m, *v;    /* first and second moments, zero at start */
  long step;
  double beta1, beta2, eps;
} sw_adam;

/* Allocates zeroed moments for n parameters, PyTorch defaults for betas and eps. */
int sw_adam_init(sw_adam *a, long n, sw_err *err);
void sw_adam_free(sw_adam *a);
/* One update of w[0..n) with gradient g[0..n) at learning rate lr (step += 1). Entries whose
   gradient is 0 still move by their momentum, as in PyTorch. */
void sw_adam_step(sw_adam *a, float *w, const float *g, double lr);
/* lr0 * gamma^epoch (epoch counted from 0). */
double sw_lr_at_epoch(double lr0, double gamma, int epoch);

#endif
