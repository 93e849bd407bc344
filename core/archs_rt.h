/* Streaming inference of NAM's LSTM, ConvNet and Linear architectures (runner.c's backends for
   them): plain C on the naive path, all memory allocated in create, none in process. Each
   architecture is one table of functions (lstm.c, convnet.c, linear.c). */
#ifndef SW_ARCHS_RT_H
#define SW_ARCHS_RT_H

#include <stdbool.h>

#include "model.h"

typedef struct sw_arch_rt {
  /* bytes create allocates for net at blocks of up to max_block (checked first, against a budget) */
  double (*bytes)(const sw_net *net, int max_block);
  /* NULL when out of memory; weights are read from net, which must outlive the state */
  void *(*create)(const sw_net *net, int max_block, bool fast_tanh);
  /* the state a fresh instance starts from (zero history; an LSTM's stored h and c), no prewarm */
  void (*reset)(void *st);
  /* 1 <= T <= max_block samples */
  void (*process)(void *st, const float *x, float *y, int T);
  void (*free)(void *st);
} sw_arch_rt;

extern const sw_arch_rt sw_lstm_rt, sw_convnet_rt, sw_linear_rt;

#endif
