/* Streaming Linear model: an impulse response, y[t] = bias + sum_k w[k] x[t - k] (w[0] on the
   newest sample, as NeuralAmpModelerCore applies the weights; NAM's trainer's Conv1d holds them
   the other way round), computed directly on the naive path. */
#include <stdlib.h>

#include "archs.h"
#include "archs_rt.h"
#include "history.h"

typedef struct linear_st {
  const float *w;
  float bias;
  int R;
  sw_hist in;
} linear_st;

static double linear_bytes(const sw_net *net, int maxT) {
  return sizeof(linear_st) + sw_hist_bytes(1, net->linear.receptive_field - 1, maxT);
}

static void linear_free(void *p) {
  linear_st *s = p;
  if (s) free(s->in.p);
  free(s);
}

static void *linear_create(const sw_net *net, int maxT, bool fast) {
  linear_st *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->R = net->linear.receptive_field;
  s->w = net->w;
  s->bias = net->linear.bias ? net->w[s->R] : 0.0f;
  if (sw_hist_init(&s->in, 1, s->R - 1, maxT)) { linear_free(s); return NULL; }
  return s;
}

static void linear_reset(void *p) { sw_hist_reset(&((linear_st *)p)->in); }

static void linear_process(void *p, const float *x, float *y, int T) {
  linear_st *s = p;
  float *in = sw_hist_room(&s->in, T);
  for (int t = 0; t < T; t++) in[t] = x[t];
  for (int t = 0; t < T; t++) {
    const float *xt = in + t;
    float acc = 0.0f;
    for (int k = 0; k < s->R; k++) acc += s->w[k] * xt[-k];
    y[t] = s->bias + acc;
  }
  sw_hist_advance(&s->in, T);
}

const sw_arch_rt sw_linear_rt = {
  .bytes = linear_bytes,
  .create = linear_create,
  .reset = linear_reset,
  .process = linear_process,
  .free = linear_free,
};
