/* Streaming LSTM (NAM's definition: PyTorch's cell, gates i, f, g, o from one matrix over the
   input and the hidden state, a linear head), one sample at a time. Weight order: archs.h. */
#include <stdlib.h>
#include <string.h>

#include "activation.h"
#include "archs.h"
#include "archs_rt.h"

typedef struct lstm_st {
  int H, L;
  bool fast;         /* --fast-tanh: the rational tanh, and sigmoid through it (as NAM Core's fast mode) */
  const float **w;   /* per layer: W [4H][in+H] */
  const float **b;   /* [4H] */
  const float **h0, **c0;
  const float *hw, *hb;
  float *xh;         /* per layer [in+H]: the layer's input, then its hidden state */
  float *c;          /* per layer [H] */
  float *z;          /* [4H] */
} lstm_st;

/* xh of layer l: [in_l + H], in_0 = 1 */
static float *xh_of(const lstm_st *s, int l) { return s->xh + (l ? (size_t)(1 + s->H) + (size_t)(l - 1) * 2 * s->H : 0); }
static size_t xh_floats(int H, int L) { return (size_t)(1 + H) + (size_t)(L - 1) * 2 * H; }

static double lstm_bytes(const sw_net *net, int max_block) {
  long H = net->lstm.hidden_size, L = net->lstm.num_layers;
  return sizeof(lstm_st) + 4.0 * L * sizeof(float *) + sizeof(float) * ((double)xh_floats((int)H, (int)L) + L * H + 4.0 * H);
}

static void lstm_free(void *p) {
  lstm_st *s = p;
  if (!s) return;
  free(s->w);
  free(s->b);
  free(s->h0);
  free(s->c0);
  free(s->xh);
  free(s->c);
  free(s->z);
  free(s);
}

static void *lstm_create(const sw_net *net, int max_block, bool fast) {
  lstm_st *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  const int H = net->lstm.hidden_size, L = net->lstm.num_layers;
  s->H = H;
  s->L = L;
  s->fast = fast;
  s->w = calloc((size_t)L, sizeof *s->w);
  s->b = calloc((size_t)L, sizeof *s->b);
  s->h0 = calloc((size_t)L, sizeof *s->h0);
  s->c0 = calloc((size_t)L, sizeof *s->c0);
  s->xh = calloc(xh_floats(H, L), sizeof(float));
  s->c = calloc((size_t)L * H, sizeof(float));
  s->z = calloc(4 * (size_t)H, sizeof(float));
  if (!s->w || !s->b || !s->h0 || !s->c0 || !s->xh || !s->c || !s->z) { lstm_free(s); return NULL; }
  const float *p = net->w;
  for (int l = 0; l < L; l++) {
    int in = l ? H : 1;
    s->w[l] = p, p += 4L * H * (in + H);
    s->b[l] = p, p += 4L * H;
    s->h0[l] = p, p += H;
    s->c0[l] = p, p += H;
  }
  s->hw = p;
  s->hb = p + H;
  return s;
}

static void lstm_reset(void *p) {
  lstm_st *s = p;
  for (int l = 0; l < s->L; l++) {
    int in = l ? s->H : 1;
    memcpy(xh_of(s, l) + in, s->h0[l], sizeof(float) * (size_t)s->H);
    memcpy(s->c + (size_t)l * s->H, s->c0[l], sizeof(float) * (size_t)s->H);
  }
}

static inline float sig(bool fast, float z) { return fast ? 0.5f * sw_fast_tanhf(0.5f * z) + 0.5f : 1.0f / (1.0f + expf(-z)); }
static inline float th(bool fast, float z) { return fast ? sw_fast_tanhf(z) : tanhf(z); }

/* One step of layer l: its xh holds the input; leaves h in xh's tail and in the next layer's input. */
static void cell(lstm_st *s, int l) {
  const int H = s->H, in = l ? H : 1, n = in + H;
  float *xh = xh_of(s, l), *c = s->c + (size_t)l * H, *z = s->z;
  const float *W = s->w[l], *b = s->b[l];
  for (int r = 0; r < 4 * H; r++) {
    const float *wr = W + (size_t)r * n;
    float acc = 0.0f;
    for (int j = 0; j < n; j++) acc += wr[j] * xh[j];
    z[r] = acc + b[r];
  }
  float *h = xh + in, *next = l + 1 < s->L ? xh_of(s, l + 1) : NULL;
  const bool f = s->fast;
  for (int i = 0; i < H; i++) c[i] = sig(f, z[H + i]) * c[i] + sig(f, z[i]) * th(f, z[2 * H + i]);
  for (int i = 0; i < H; i++) {
    h[i] = sig(f, z[3 * H + i]) * th(f, c[i]);
    if (next) next[i] = h[i];
  }
}

static void lstm_process(void *p, const float *x, float *y, int T) {
  lstm_st *s = p;
  const int H = s->H;
  const float *hl = xh_of(s, s->L - 1) + (s->L > 1 ? H : 1);
  for (int t = 0; t < T; t++) {
    xh_of(s, 0)[0] = x[t];
    for (int l = 0; l < s->L; l++) cell(s, l);
    float acc = 0.0f;
    for (int i = 0; i < H; i++) acc += s->hw[i] * hl[i];
    y[t] = acc + s->hb[0];
  }
}

const sw_arch_rt sw_lstm_rt = {
  .bytes = lstm_bytes,
  .create = lstm_create,
  .reset = lstm_reset,
  .process = lstm_process,
  .free = lstm_free,
};
