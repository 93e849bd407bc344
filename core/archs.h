/* NAM's other architectures as data (LSTM, ConvNet, Linear, as NAM's trainer writes them and
   NeuralAmpModelerCore reads them): config checks, weight counts and order, costs. model.c's
   sw_net_* functions hand every net that is not a WaveNet to these. */
#ifndef SW_ARCHS_H
#define SW_ARCHS_H

#include "model.h"

/* The .nam name ("LSTM") and back (-1 if unknown). */
const char *sw_arch_name(sw_arch a);
int sw_arch_parse(const char *name, sw_arch *out);

int sw_arch_check(const sw_net *net, const char *what, long *n_weights, sw_err *err);
long sw_arch_count_weights(const sw_net *net);
/* 1 + the samples of history an output depends on (an LSTM's is unbounded: 1, as NAM's trainer says). */
long sw_arch_receptive_field(const sw_net *net);
/* Zeros a fresh instance runs on reset: RF - 1 for the convolutional ones, and for an LSTM half a
   second from the state the file stores, as NeuralAmpModelerCore's prewarm. */
long sw_arch_prewarm(const sw_net *net);
/* The one width: hidden size, channels, or 1. */
int sw_arch_width(const sw_net *net);
/* Per output sample, by the WaveNet's rules: every multiply-add of every matrix (conv, 1x1,
   LSTM gates, head), and every activation evaluation (an LSTM cell: 3 sigmoids and 2 tanh per
   hidden unit). */
long sw_arch_macs(const sw_net *net);
long sw_arch_activations(const sw_net *net);

/* Flat weight order (.nam), per LSTM layer: W [4H][in+H] (rows i, f, g, o; columns input then
   hidden), b [4H], initial h [H], initial c [H]; then the head w [H], b [1]. */
static inline long sw_lstm_layer_floats(int in, int H) { return 4L * H * (in + H) + 6L * H; }
/* Per ConvNet block: conv [C][Cin][2] (tap 0 reads t - d, tap 1 reads t), then bias [C], or with
   batchnorm running mean, running var, weight, bias [C] each and eps [1]; then the head w [C], b [1]. */
static inline long sw_convnet_block_floats(int cin, int C, bool bn) { return 2L * C * cin + (bn ? 4L * C + 1 : C); }

#endif
