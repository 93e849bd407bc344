/* Streaming ConvNet (NAM's definition): blocks of a kernel-2 dilated causal conv, batchnorm (as
   NAM Core applies it: scale = weight / sqrt(eps + running var), loc = bias - scale * mean) or a
   conv bias, and an activation; then a 1x1 head to one output. Weight order: archs.h. */
#include <math.h>
#include <stdlib.h>

#include "archs.h"
#include "archs_rt.h"
#include "history.h"

typedef struct blk {
  const float *w;      /* [C][cin][2] */
  float *scale, *loc;  /* [C]: y = scale * conv + loc (no batchnorm: scale 1, loc the conv bias) */
  int cin, d;
  sw_hist in;          /* the block's input: cin rows, d columns of past */
} blk;

typedef struct convnet_st {
  int C, nb, maxT;
  sw_act act;
  blk *b;
  float *last;         /* the last block's output, C x maxT (the head is 1x1: no past) */
  const float *hw, *hb;
} convnet_st;

static double convnet_bytes(const sw_net *net, int maxT) {
  const sw_convnet_cfg *c = &net->convnet;
  double n = sizeof(convnet_st) + (double)c->n_blocks * sizeof(blk) + sizeof(float) * (double)c->channels * maxT;
  for (int b = 0; b < c->n_blocks; b++)
    n += sw_hist_bytes(b ? c->channels : 1, c->dilations[b], maxT) + 2.0 * sizeof(float) * c->channels;
  return n;
}

static void convnet_free(void *p) {
  convnet_st *s = p;
  if (!s) return;
  for (int b = 0; s->b && b < s->nb; b++) {
    free(s->b[b].scale);
    free(s->b[b].loc);
    free(s->b[b].in.p);
  }
  free(s->b);
  free(s->last);
  free(s);
}

static void *convnet_create(const sw_net *net, int maxT, bool fast) {
  const sw_convnet_cfg *c = &net->convnet;
  convnet_st *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->C = c->channels;
  s->nb = c->n_blocks;
  s->maxT = maxT;
  s->act = c->act;
  if (fast && s->act.kind == SW_ACT_TANH) s->act.kind = SW_ACT_FAST_TANH;
  s->b = calloc((size_t)s->nb, sizeof *s->b);
  s->last = calloc((size_t)s->C * (size_t)maxT, sizeof(float));
  if (!s->b || !s->last) { convnet_free(s); return NULL; }
  const float *p = net->w;
  const int C = s->C;
  for (int b = 0; b < s->nb; b++) {
    blk *k = &s->b[b];
    k->cin = b ? C : 1;
    k->d = c->dilations[b];
    k->scale = malloc(sizeof(float) * (size_t)C);
    k->loc = malloc(sizeof(float) * (size_t)C);
    if (!k->scale || !k->loc || sw_hist_init(&k->in, k->cin, k->d, maxT)) { convnet_free(s); return NULL; }
    k->w = p, p += 2L * C * k->cin;
    if (c->batchnorm) { /* mean, var, weight, bias [C], eps */
      const float *mean = p, *var = p + C, *bw = p + 2 * C, *bb = p + 3 * C, eps = p[4 * C];
      for (int o = 0; o < C; o++) {
        k->scale[o] = bw[o] / sqrtf(eps + var[o]);
        k->loc[o] = bb[o] - k->scale[o] * mean[o];
      }
      p += 4L * C + 1;
    } else {
      for (int o = 0; o < C; o++) k->scale[o] = 1.0f, k->loc[o] = p[o];
      p += C;
    }
  }
  s->hw = p;
  s->hb = p + C;
  return s;
}

static void convnet_reset(void *p) {
  convnet_st *s = p;
  for (int b = 0; b < s->nb; b++) sw_hist_reset(&s->b[b].in);
}

/* out[o][t] = act(scale[o] (sum_i w[o][i][0] in[i][t - d] + w[o][i][1] in[i][t]) + loc[o]) */
static void block(const blk *k, const float *in, float *out, long ldo, int C, sw_act act, int T) {
  const long ldi = k->in.cap;
  for (int o = 0; o < C; o++) {
    float *y = out + o * ldo;
    for (int t = 0; t < T; t++) y[t] = 0.0f;
    for (int i = 0; i < k->cin; i++) {
      const float w0 = k->w[((long)o * k->cin + i) * 2], w1 = k->w[((long)o * k->cin + i) * 2 + 1];
      const float *x = in + i * ldi;
      for (int t = 0; t < T; t++) y[t] += w0 * x[t - k->d] + w1 * x[t];
    }
    for (int t = 0; t < T; t++) y[t] = sw_act_apply(act, y[t] * k->scale[o] + k->loc[o]);
  }
}

static void convnet_process(void *p, const float *x, float *y, int T) {
  convnet_st *s = p;
  float *in = sw_hist_room(&s->b[0].in, T);
  for (int t = 0; t < T; t++) in[t] = x[t];
  for (int b = 0; b < s->nb; b++) {
    blk *k = &s->b[b];
    in = k->in.p + k->in.pos;
    if (b + 1 < s->nb) {
      sw_hist *next = &s->b[b + 1].in;
      block(k, in, sw_hist_room(next, T), next->cap, s->C, s->act, T);
    } else {
      block(k, in, s->last, s->maxT, s->C, s->act, T);
    }
    sw_hist_advance(&k->in, T);
  }
  for (int t = 0; t < T; t++) y[t] = 0.0f;
  for (int o = 0; o < s->C; o++)
    for (int t = 0; t < T; t++) y[t] += s->hw[o] * s->last[(long)o * s->maxT + t];
  for (int t = 0; t < T; t++) y[t] += s->hb[0];
}

const sw_arch_rt sw_convnet_rt = {
  .bytes = convnet_bytes,
  .create = convnet_create,
  .reset = convnet_reset,
  .process = convnet_process,
  .free = convnet_free,
};
