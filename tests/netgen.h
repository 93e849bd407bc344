/* Synthetic WaveNets for tests: any arrays, activations, gating, head kernels, with seeded
   random weights (uniform, scaled by 1/sqrt(fan_in) so signals stay bounded). */
#ifndef SW_NETGEN_H
#define SW_NETGEN_H

#include "../core/model.h"

typedef struct sw_arr_spec {
  int C, H, K, n_layers;
  const int *dil;        /* n_layers dilations */
  sw_act_kind act;
  bool gated, head_bias, no_layer1x1;
  int head_kernel;       /* 0 = 1 */
  const int *allowed;    /* NULL = 1..C, not slimmable */
  int n_allowed;
} sw_arr_spec;

int sw_test_make_net(sw_net *net, int n, const sw_arr_spec *s, unsigned seed);
/* Deterministic test signal: a decaying plucked-string-like tone plus noise, peak ~0.5. */
void sw_test_signal(float *x, long n, unsigned seed);

#endif
