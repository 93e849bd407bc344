/* An independent offline WaveNet for tests: SPEC section 1 computed in double over the whole
   signal preceded by RF-1 zeros, with "valid" convolutions and absolute column indexing; no
   history buffers and no backends. Slim widths index the full weights as SPEC section 3 says. */
#ifndef SW_REF_WAVENET_H
#define SW_REF_WAVENET_H

#include "../core/model.h"

/* y[0..n) = model(x) at widths w; returns 0, or -1 on allocation failure. */
int sw_ref_forward(const sw_net *net, const sw_widths *w, bool fast_tanh, const float *x, long n, double *y);

#endif
