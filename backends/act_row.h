/* One activation over a row, with the kind chosen once outside the loop so that the compiler
   can vectorise the fast tanh (plain C, used by the library backends blas and onednn). */
#ifndef SW_ACT_ROW_H
#define SW_ACT_ROW_H

#include "../core/activation.h"

static inline void sw_act_row(sw_act a, const float *z, float *y, int n) {
  switch (a.kind) {
  case SW_ACT_FAST_TANH:
    for (int j = 0; j < n; j++) y[j] = sw_fast_tanhf(z[j]);
    break;
  case SW_ACT_IDENTITY:
    for (int j = 0; j < n; j++) y[j] = z[j];
    break;
  default:
    for (int j = 0; j < n; j++) y[j] = sw_act_apply(a, z[j]);
  }
}

#endif
