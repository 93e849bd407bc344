/* Streaming WaveNet inference. Each layer keeps its input in a linear history buffer (channel-
   major rows, row stride cap) holding (K-1)*d past columns; when a block would run past the end,
   the last history columns move to the front ("rewind"), amortised over many blocks. */
#include "wavenet.h"

#include "plan.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct hbuf {
  float *p;
  int hist, cap, pos; /* row stride cap (per width); columns [pos-hist, pos) are history */
  int home;           /* pos after a reset or a move: hist rounded up to whole 64-byte lines */
  size_t size;        /* floats allocated; every width's rows x cap fits in it (hbuf_set_rows) */
} hbuf;

typedef struct arr_rt {
  hbuf *lin;         /* input of each layer; lin[0] = rechannel output */
  hbuf head_in;      /* head accumulator s, with K_h - 1 history columns */
  float *out;        /* residual output of the last layer, C x maxT */
  float *head_out;   /* H x maxT, last array only (the others write into the next one's s) */
  sw_layer_args *la; /* per layer: the plan's arguments with this model's strides; process sets the columns */
  sw_conv_args rproto, gproto;
} arr_rt;

struct sw_wavenet {
  const sw_net *net;
  sw_plan *plan;     /* kernels, packed and folded weights of the current width */
  int maxT;
  sw_widths w;
  long rf;
  arr_rt *arr;
  float *scratch, *zeros, *discard;
  sw_work_counters work, per_col, per_block; /* per_*: see count_per_block */
};

static void *alloc64(size_t floats) {
  size_t bytes = (floats * sizeof(float) + 63) & ~(size_t)63;
  void *p = aligned_alloc(64, bytes ? bytes : 64);
  if (p) memset(p, 0, bytes ? bytes : 64);
  return p;
}

static int round16(long n) { return (int)((n + 15) & ~15L); }

/* History rows use sw_row_stride (backend.h): an odd number of 64-byte lines. A 16-input conv
   tile measured 5% slower at a 4096-float stride than at 4112; the whole A1 standard gained under
   1% (tools/model-ab.sh). */
/* Columns a history buffer holds beyond its history before hbuf_make_room moves the history back
   to the front, at full width. Small, so that the columns a block reads again are still in L2: the
   A1 standard's buffers take 2.2 MB with 2048 and 0.7 MB with 512, and it runs ~6% faster per
   64-sample block (14% at 16; the same at 256), measured by alternating both in one process
   (Zen 3; on the AVX-512 Xeon 256 was 2% slower than 512).
   A slim width uses fewer rows, so its rows are longer, up to SW_HBUF_CHUNK_MAX columns: rows x
   columns, the buffers' footprint, stays that of full width, and the moves (whose cost is per
   row, not per MAC) come as rarely per row. On the Xeon (avx512, 64-sample blocks, A1 standard,
   tools/model-ab.sh): 2048 columns for every width took 0.940x the time per block at 4,2 channels
   but 1.061x at full width; with this rule, 4,2 takes 0.942-0.957x and full width is unchanged
   within the noise (0.955-1.085x over four runs). */
#define SW_HBUF_CHUNK 512
#define SW_HBUF_CHUNK_MAX 4096
/* A long history also gets a longer chunk, SW_HBUF_HIST_MUL times the history (still at most
   SW_HBUF_CHUNK_MAX, so a history over 1024 columns gets less): a move copies the history, so the
   bytes moved per block fall with the chunk (the A1 standard's d = 128..512 layers moved 88% of
   them). Its buffers grow from 0.7 to 1.2 MB; by tools/model-ab.sh on the Xeon (avx512), full
   width took 0.95-0.99x the time per 64-sample block over four runs (0.988x at 16, avx2 0.983x),
   4,2 channels 0.99-1.00x. */
#define SW_HBUF_HIST_MUL 4
static int hbuf_chunk(int maxT, int full_rows, int rows, long hist) {
  long c = (long)SW_HBUF_CHUNK * full_rows / (rows > 0 ? rows : 1);
  if (c < SW_HBUF_HIST_MUL * hist) c = SW_HBUF_HIST_MUL * hist;
  if (c > SW_HBUF_CHUNK_MAX) c = SW_HBUF_CHUNK_MAX;
  if (c < SW_HBUF_CHUNK) c = SW_HBUF_CHUNK;
  return maxT > c ? maxT : (int)c;
}

/* Row stride at a width of rows out of full_rows: the chunk's columns after the history. */
static int hbuf_stride(const hbuf *b, int maxT, int full_rows, int rows) {
  return (int)sw_row_stride((long)b->home + hbuf_chunk(maxT, full_rows, rows, b->hist));
}

static int hbuf_init(hbuf *b, int rows, int hist, int maxT) {
  b->hist = hist;
  b->home = round16(hist);
  b->cap = hbuf_stride(b, maxT, rows, rows);
  b->pos = b->home;
  b->size = (size_t)rows * ((size_t)b->cap + 32); /* + the rounding of a narrower width's stride */
  b->p = alloc64(b->size);
  return b->p ? 0 : -1;
}

/* The row stride of a width (rows of full_rows): the same allocation, longer rows when narrower.
   Only between a width's binding and its reset (sw_wavenet_set_widths), which clears the rows. */
static void hbuf_set_rows(hbuf *b, int full_rows, int rows, int maxT) {
  int cap = hbuf_stride(b, maxT, full_rows, rows);
  b->cap = (size_t)rows * (size_t)cap <= b->size ? cap : hbuf_stride(b, maxT, full_rows, full_rows);
}

static void hbuf_make_room(hbuf *b, int rows, int T) {
  if (b->pos + T <= b->cap) return;
  if (b->hist)
    for (int r = 0; r < rows; r++) {
      float *row = b->p + (size_t)r * b->cap;
      memmove(row + b->home - b->hist, row + b->pos - b->hist, sizeof(float) * (size_t)b->hist);
    }
  b->pos = b->home;
}

void sw_wavenet_free(sw_wavenet *wn) {
  if (!wn) return;
  if (wn->arr) {
    for (int i = 0; i < wn->net->n_arrays; i++) {
      arr_rt *a = &wn->arr[i];
      if (a->lin)
        for (int l = 0; l < wn->net->arrays[i].n_layers; l++) free(a->lin[l].p);
      free(a->lin);
      free(a->head_in.p);
      free(a->out);
      free(a->head_out);
      free(a->la);
    }
    free(wn->arr);
  }
  sw_plan_free(wn->plan);
  free(wn->scratch);
  free(wn->zeros);
  free(wn->discard);
  free(wn);
}

/* Work actually handed to the kernels, from their arguments (not the config formula). */
static void count_conv(sw_work_counters *wc, const sw_conv_args *c) {
  wc->macs += (long long)c->cout * c->cin * c->K * c->T;
  wc->weight_bytes += (long long)sizeof(float) * ((long long)c->cout * c->cin * c->K + (c->b ? c->cout : 0));
}
static void count_layer(sw_work_counters *wc, const sw_layer_args *l) {
  long long cm = l->gated ? 2 * l->C : l->C, v = l->v ? (long long)l->C * l->C : 0;
  wc->macs += (cm * l->C * l->K + cm + v) * l->T;
  wc->activations += cm * l->T;
  /* vb still counts when fold_bias has merged it into b (vb NULL): the counters report the model's weights */
  wc->weight_bytes += (long long)sizeof(float) * (cm * l->C * l->K + 2 * cm + (l->v ? v + l->C : 0));
}

/* The work of one column at the current width (every kernel's arguments with T = 1; weight bytes
   per block): process adds it once per block rather than once per kernel call. */
static void count_per_block(sw_wavenet *wn) {
  sw_work_counters *c = &wn->per_col, *b = &wn->per_block;
  *c = *b = (sw_work_counters){0};
  for (int i = 0; i < wn->net->n_arrays; i++) {
    arr_rt *r = &wn->arr[i];
    sw_conv_args rc = r->rproto, gc = r->gproto;
    rc.T = gc.T = 1;
    count_conv(c, &rc);
    count_conv(c, &gc);
    for (int l = 0; l < wn->net->arrays[i].n_layers; l++) {
      sw_layer_args la = r->la[l];
      la.T = 1;
      count_layer(c, &la);
    }
  }
  b->weight_bytes = c->weight_bytes; /* the weights are read once per block, whatever its length */
  c->weight_bytes = 0;
  c->samples = 1;
}

/* Binds the plan at the current width and gives each op this model's buffer strides: the history
   buffers' rows are longer at a slim width (hbuf_set_rows), set first. */
static void bind(sw_wavenet *wn) {
  for (int i = 0; i < wn->net->n_arrays; i++) {
    const sw_array_cfg *a = &wn->net->arrays[i];
    arr_rt *r = &wn->arr[i];
    for (int l = 0; l < a->n_layers; l++) hbuf_set_rows(&r->lin[l], a->channels, wn->w.c[i], wn->maxT);
    hbuf_set_rows(&r->head_in, a->channels, wn->w.c[i], wn->maxT);
  }
  sw_plan_bind(wn->plan, &wn->w);
  const int n = wn->net->n_arrays;
  for (int i = 0; i < n; i++) {
    const sw_array_cfg *a = &wn->net->arrays[i];
    const sw_plan_array *pa = &wn->plan->arr[i];
    arr_rt *r = &wn->arr[i];
    for (int l = 0; l < a->n_layers; l++) {
      sw_layer_args p = pa->layers[l].a;
      p.ldh = r->lin[l].cap;
      p.ldo = l + 1 < a->n_layers ? r->lin[l + 1].cap : wn->maxT;
      p.lds = r->head_in.cap;
      p.scratch = wn->scratch;
      r->la[l] = p;
    }
    r->rproto = pa->rech.a;
    r->rproto.ldi = wn->maxT; /* x, or the previous array's out: rows of maxT */
    r->rproto.ldo = r->lin[0].cap;
    r->gproto = pa->head.a;
    r->gproto.ldi = r->head_in.cap;
    r->gproto.ldo = i + 1 < n ? wn->arr[i + 1].head_in.cap : wn->maxT;
  }
  count_per_block(wn);
}

/* Bytes the streaming state below allocates (history rings, block buffers, scratch, packed
   weights), so that a model and block size that would need more than SW_MAX_STATE_BYTES are
   refused before allocating. */
static double state_bytes(const sw_net *net, int maxT) {
  double f = 0;
  int maxC = 1;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    /* per row: chunk + hist, + 15 (home), + 31 (row_stride), + 32 (hbuf_init's slack) */
    const double C = a->channels;
    if (a->channels > maxC) maxC = a->channels;
    for (int l = 0; l < a->n_layers; l++) {
      long hist = (a->layers[l].kernel - 1L) * a->layers[l].dilation;
      f += C * ((double)hist + hbuf_chunk(maxT, a->channels, a->channels, hist) + 80);
    }
    f += C * (a->head_kernel - 1 + hbuf_chunk(maxT, a->channels, a->channels, a->head_kernel - 1) + 80);
    f += (C + (i + 1 == net->n_arrays ? a->head_size : 0)) * maxT;
  }
  f += (double)sw_plan_pack_floats(net, SW_PLAN_STREAM);
  f += (double)sw_layer_scratch_floats(maxC, maxT) + 2.0 * maxT;
  return f * sizeof(float);
}

int sw_wavenet_create(const sw_net *net, const sw_run_opts *opts, sw_wavenet **out, sw_err *err) {
  *out = NULL;
  int rc = sw_net_check(net, "model", NULL, err);
  if (rc) return rc;
  if (net->nw != sw_net_count_weights(net)) return sw_fail(err, SW_EINPUT, "model: weight count does not match its config");
  sw_wavenet *wn = calloc(1, sizeof *wn);
  if (!wn) return sw_fail(err, SW_ENOMEM, "out of memory");
  wn->net = net;
  wn->maxT = opts && opts->max_block > 0 ? opts->max_block : 4096;
  wn->w = sw_net_full_widths(net);
  wn->rf = sw_net_receptive_field(net);
  if (wn->maxT > (1 << 20)) {
    int T = wn->maxT;
    free(wn);
    return sw_fail(err, SW_EUSAGE, "block size %d too large (max %d)", T, 1 << 20);
  }
  double need = state_bytes(net, wn->maxT);
  if (need > SW_MAX_STATE_BYTES) {
    int T = wn->maxT;
    free(wn);
    return sw_fail(err, SW_EINPUT, "model: streaming state for blocks of %d samples needs %.0f MiB (limit %ld MiB)%s",
                   T, need / 1048576, SW_MAX_STATE_BYTES >> 20, T > 4096 ? ": use a smaller block" : "");
  }
  const sw_backend *be = opts && opts->backend ? opts->backend : sw_backend_naive();
  if ((rc = sw_plan_create(net, be, SW_PLAN_STREAM, wn->maxT, opts && opts->fast_tanh, &wn->plan, err))) {
    free(wn);
    return rc;
  }
  wn->arr = calloc((size_t)net->n_arrays, sizeof *wn->arr);
  if (!wn->arr) goto oom;
  int maxC = 1;
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    arr_rt *r = &wn->arr[i];
    int C = a->channels;
    if (C > maxC) maxC = C;
    r->lin = calloc((size_t)a->n_layers, sizeof *r->lin);
    r->la = calloc((size_t)a->n_layers, sizeof *r->la);
    if (!r->lin || !r->la) goto oom;
    for (int l = 0; l < a->n_layers; l++)
      if (hbuf_init(&r->lin[l], C, (a->layers[l].kernel - 1) * a->layers[l].dilation, wn->maxT)) goto oom;
    if (hbuf_init(&r->head_in, C, a->head_kernel - 1, wn->maxT)) goto oom;
    r->out = alloc64((size_t)C * wn->maxT);
    if (!r->out) goto oom;
    if (i + 1 == net->n_arrays && !(r->head_out = alloc64((size_t)a->head_size * wn->maxT))) goto oom;
  }
  wn->scratch = alloc64(sw_layer_scratch_floats(maxC, wn->maxT));
  wn->zeros = alloc64((size_t)wn->maxT);
  wn->discard = alloc64((size_t)wn->maxT);
  if (!wn->scratch || !wn->zeros || !wn->discard) goto oom;
  if (be->thread_init) be->thread_init(); /* e.g. FTZ/DAZ on the creating thread */
  bind(wn);
  sw_wavenet_reset(wn);
  *out = wn;
  return SW_OK;
oom:
  sw_wavenet_free(wn);
  return sw_fail(err, SW_ENOMEM, "out of memory creating the model");
}

int sw_wavenet_set_widths(sw_wavenet *wn, const sw_widths *w, sw_err *err) {
  int rc = sw_net_check_widths(wn->net, w, err);
  if (rc) return rc;
  wn->w = *w;
  bind(wn);
  sw_wavenet_reset(wn);
  return SW_OK;
}

int sw_wavenet_set_slim(sw_wavenet *wn, double v, sw_err *err) {
  if (!(v >= 0.0 && v <= 1.0)) return sw_fail(err, SW_EUSAGE, "slim value %g outside [0, 1]", v);
  sw_widths w = sw_net_widths_for_slim(wn->net, v);
  return sw_wavenet_set_widths(wn, &w, err);
}

sw_widths sw_wavenet_widths(const sw_wavenet *wn) { return wn->w; }
int sw_wavenet_fallbacks(const sw_wavenet *wn) { return wn->plan->fallbacks; }
const sw_backend *sw_wavenet_backend(const sw_wavenet *wn) { return wn->plan->be; }
long sw_wavenet_receptive_field(const sw_wavenet *wn) { return wn->rf; }
sw_work_counters *sw_wavenet_counters(sw_wavenet *wn) { return &wn->work; }

/* y = scale h, in runs of 16 so that -O2 vectorises it (a loop of unknown count it leaves scalar):
   the A1 standard at 4,2 channels 0.975x the time per 64-sample block (avx512, tools/model-ab.sh). */
static void scale_out(float *restrict y, const float *restrict h, float scale, int T) {
  int t = 0;
  for (; t + 16 <= T; t += 16)
    for (int k = 0; k < 16; k++) y[t + k] = scale * h[t + k];
  for (; t < T; t++) y[t] = scale * h[t];
}

static void process_block(sw_wavenet *wn, const float *x, float *y, int T, bool count) {
  const sw_net *net = wn->net;
  const int n = net->n_arrays;
  for (int i = 0; i < n; i++) {
    arr_rt *r = &wn->arr[i];
    for (int l = 0; l < net->arrays[i].n_layers; l++) hbuf_make_room(&r->lin[l], wn->w.c[i], T);
    hbuf_make_room(&r->head_in, wn->w.c[i], T);
  }
  for (int i = 0; i < n; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    arr_rt *r = &wn->arr[i];
    const sw_plan_array *pa = &wn->plan->arr[i];
    sw_conv_args rc = r->rproto;
    rc.T = T;
    rc.in = i == 0 ? x : wn->arr[i - 1].out;
    rc.out = r->lin[0].p + r->lin[0].pos;
    pa->rech.fn(&rc, pa->rech.bplan);

    /* s starts at zero (first array) or holds the previous array's head, written there by it */
    float *s = r->head_in.p + r->head_in.pos;
    if (i == 0)
      for (int o = 0; o < wn->w.c[0]; o++) memset(s + o * r->head_in.cap, 0, sizeof(float) * (size_t)T);
    for (int l = 0; l < a->n_layers; l++) {
      sw_layer_args *la = &r->la[l]; /* strides, weights and scratch bound per width */
      la->T = T;
      la->h = r->lin[l].p + r->lin[l].pos;
      la->x = x;
      la->h_out = l + 1 < a->n_layers ? r->lin[l + 1].p + r->lin[l + 1].pos : r->out;
      la->s = s;
      pa->layers[l].fn(la, pa->layers[l].bplan);
    }
    sw_conv_args hc = r->gproto;
    hc.T = T;
    hc.in = s;
    hc.out = i + 1 < n ? wn->arr[i + 1].head_in.p + wn->arr[i + 1].head_in.pos : r->head_out;
    pa->head.fn(&hc, pa->head.bplan);
    for (int l = 0; l < a->n_layers; l++) r->lin[l].pos += T;
    r->head_in.pos += T;
  }
  scale_out(y, wn->arr[n - 1].head_out, net->head_scale, T);
  if (count) {
    sw_work_counters *wc = &wn->work, *c = &wn->per_col;
    wc->macs += c->macs * T;
    wc->activations += c->activations * T;
    wc->weight_bytes += wn->per_block.weight_bytes;
    wc->samples += T;
  }
}

/* Prefetch where the caller's next block of T samples most likely lies: right after this one, as
   when a file is rendered or a benchmark streams one long buffer. There each block's input and
   output lines are cold (evicted since the last pass), and the first load of the input waited on
   memory: at 4,2 channels the rechannel conv took 6% of the time per 64-sample block (perf, Zen 5).
   By SPAN=4500 tools/model-ab.sh (avx512, A1 standard, both orders of A and B): 4,2 channels
   0.92-0.96x the time, 8,4 and 2,1 0.94-0.96x, full width 0.99x; avx2 4,2 0.96x. With hot input
   (SPAN 100) the same within the noise. A prefetch never faults, and the address is only computed
   as an integer, so a caller whose next block is elsewhere loses only the prefetch. */
static void prefetch_next(const float *in, float *out, int T) {
  const int n = T < 256 ? T : 256; /* the first 1 KB: the hardware prefetcher follows a longer run */
  for (int k = 0; k < n; k += 16) {
    __builtin_prefetch((const void *)((uintptr_t)in + sizeof(float) * (size_t)(T + k)), 0);
    __builtin_prefetch((const void *)((uintptr_t)out + sizeof(float) * (size_t)(T + k)), 1);
  }
}

void sw_wavenet_process(sw_wavenet *wn, const float *in, float *out, long n) {
  while (n > 0) {
    int T = n > wn->maxT ? wn->maxT : (int)n;
    prefetch_next(in, out, T);
    process_block(wn, in, out, T, true);
    in += T;
    out += T;
    n -= T;
  }
}

void sw_wavenet_reset(sw_wavenet *wn) {
  for (int i = 0; i < wn->net->n_arrays; i++) {
    const sw_array_cfg *a = &wn->net->arrays[i];
    arr_rt *r = &wn->arr[i];
    for (int l = 0; l < a->n_layers; l++) {
      memset(r->lin[l].p, 0, sizeof(float) * r->lin[l].size);
      r->lin[l].pos = r->lin[l].home;
    }
    memset(r->head_in.p, 0, sizeof(float) * r->head_in.size);
    r->head_in.pos = r->head_in.home;
  }
  /* Prewarm: RF - 1 zeros bring every history buffer to its steady state for silence; rounded up
     to whole vectors of 16 so that blocks of a multiple of 16 then start on 64-byte lines. */
  long left = (wn->rf - 1 + 15) / 16 * 16;
  while (left > 0) {
    int T = left > wn->maxT ? wn->maxT : (int)left;
    process_block(wn, wn->zeros, wn->discard, T, false);
    left -= T;
  }
}

void sw_wavenet_run(sw_wavenet *wn, const float *in, float *out, long n, int block) {
  sw_wavenet_reset(wn);
  if (block <= 0 || block > wn->maxT) block = wn->maxT;
  for (long t = 0; t < n; t += block) sw_wavenet_process(wn, in + t, out + t, n - t < block ? n - t : block);
}
