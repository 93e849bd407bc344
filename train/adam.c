/* Adam as torch.optim.Adam's single-tensor path (PyTorch 1.13, float32), operation for
   operation so the results match bit for bit (checked in test_adam):
     m = m*b1 + (1-b1)*g;  v = v*b2 + ((1-b2)*g)*g;  den = sqrt(v) / sqrt(1 - b2^t) + eps;
     w = w + (-(lr / (1 - b1^t)) * m) / den
   Moments in float like the parameters; the scalar factors in double as Python computes them,
   rounded to float as PyTorch does when it applies them. */
#include "adam.h"

#include <math.h>
#include <stdlib.h>

int sw_adam_init(sw_adam *a, long n, sw_err *err) {
  a->n = n;
  a->step = 0;
  a->beta1 = 0.9;
  a->beta2 = 0.999;
  a->eps = 1e-8;
  a->m = calloc((size_t)(n > 0 ? n : 1), sizeof(float));
  a->v = calloc((size_t)(n > 0 ? n : 1), sizeof(float));
  if (!a->m || !a->v) {
    sw_adam_free(a);
    return sw_fail(err, SW_ENOMEM, "out of memory (Adam state for %ld parameters)", n);
  }
  return SW_OK;
}

void sw_adam_free(sw_adam *a) {
  free(a->m);
  free(a->v);
  a->m = a->v = NULL;
}

void sw_adam_step(sw_adam *a, float *w, const float *g, double lr) {
  a->step++;
  double bc1 = 1.0 - pow(a->beta1, (double)a->step);
  double bc2 = 1.0 - pow(a->beta2, (double)a->step);
  float neg_step = (float)(-(lr / bc1));
  float bc2_sqrt = (float)sqrt(bc2);
  float b1 = (float)a->beta1, w1 = (float)(1.0 - a->beta1), b2 = (float)a->beta2, w2 = (float)(1.0 - a->beta2), eps = (float)a->eps;
  float *m = a->m, *v = a->v;
  for (long i = 0; i < a->n; i++) {
    float gi = g[i];
    m[i] = m[i] * b1 + w1 * gi;
    v[i] = v[i] * b2 + (w2 * gi) * gi;
    float denom = sqrtf(v[i]) / bc2_sqrt + eps;
    w[i] = w[i] + (neg_step * m[i]) / denom;
  }
}

double sw_lr_at_epoch(double lr0, double gamma, int epoch) { return lr0 * pow(gamma, (double)epoch); }
