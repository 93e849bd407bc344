/* The NAM WaveNet as data: configuration, flat weights in .nam order, the weight layout,
   slimming (widths per array) and cost formulas; NAM's other architectures (LSTM, ConvNet,
   Linear) are nets too, tagged by arch (archs.h). Loading/saving is in nam_file.h, streaming
   inference in runner.h (wavenet.h for a WaveNet). SPEC sections 1-3. */
#ifndef SW_MODEL_H
#define SW_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "activation.h"
#include "err.h"

/* Limits checked before anything is allocated (a downloaded file must not make us allocate
   without bound). Real models are far below them. */
#define SW_MAX_ARRAYS 16
#define SW_MAX_LAYERS 256    /* per array */
#define SW_MAX_CHANNELS 256
#define SW_MAX_KERNEL 64
#define SW_MAX_DILATION 8192
#define SW_MAX_HEAD_KERNEL 256
#define SW_MAX_WEIGHTS 2000000L  /* 8 MB of float32; NAM's largest WaveNets have ~0.1M */
#define SW_MAX_RF 262144L       /* 5.5 s at 48 kHz; NAM A1 standard has 4093 */
#define SW_MAX_SUBMODELS 16
#define SW_MAX_LSTM_LAYERS 16

/* Which of NAM's architectures a net is. A WaveNet (0, what a zeroed sw_net is) is the model
   slimwave slims and trains; the others are read, run, written and used as teachers. */
typedef enum { SW_ARCH_WAVENET = 0, SW_ARCH_LSTM, SW_ARCH_CONVNET, SW_ARCH_LINEAR } sw_arch;

/* LSTM: num_layers cells of hidden_size (input_size 1 for the first), then a linear head to 1 output. */
typedef struct sw_lstm_cfg {
  int input_size, hidden_size, num_layers;
} sw_lstm_cfg;
/* ConvNet: blocks of a kernel-2 dilated conv (+ batchnorm) and an activation, then a 1x1 head. */
typedef struct sw_convnet_cfg {
  int channels, n_blocks;
  int *dilations;   /* n_blocks */
  bool batchnorm;
  sw_act act;
} sw_convnet_cfg;
/* Linear: an impulse response of receptive_field taps (+ bias). */
typedef struct sw_linear_cfg {
  int receptive_field;
  bool bias;
} sw_linear_cfg;

typedef struct sw_layer_cfg {
  int kernel, dilation;
  sw_act act;
  bool gated; /* a = act(z[0:C]) * sigmoid(z[C:2C]) */
} sw_layer_cfg;

typedef struct sw_array_cfg {
  int input_size, condition_size, channels, head_size;
  int head_kernel;  /* head rechannel kernel (1 in A1; 16 in A2), causal, dilation 1 */
  bool head_bias;
  bool layer1x1;    /* residual 1x1 active (always in A1) */
  int n_layers;
  sw_layer_cfg *layers;
  int n_allowed;    /* allowed widths, ascending; always filled (1..C when the file says none) */
  int *allowed;
  bool slimmable;   /* the file declared "slimmable" for this array */
} sw_array_cfg;

typedef struct sw_meta {
  char name[128], gear_make[128], gear_model[128], gear_type[64], tone_type[64];
  double loudness;        /* NaN when absent */
  double validation_esr;  /* NaN when absent */
  char *json;             /* the whole metadata object as JSON text (kept verbatim), or NULL */
} sw_meta;

typedef struct sw_net {
  sw_arch arch;           /* the WaveNet fields below (n_arrays .. form07) are for SW_ARCH_WAVENET */
  sw_lstm_cfg lstm;       /* ... and these for the other architectures */
  sw_convnet_cfg convnet;
  sw_linear_cfg linear;
  int n_arrays;
  sw_array_cfg *arrays;
  float head_scale;
  double sample_rate;
  char version[16];
  bool form07;            /* written with 0.7 keys (kernel_sizes, activation objects, head{}) */
  float *w;               /* flat weights in file order; a WaveNet's last one is head_scale */
  long nw;
  sw_meta meta;
} sw_net;

/* A loaded .nam: one net, or a SlimmableContainer of nets chosen by slim value (of any
   architectures, mixed). */
typedef struct sw_model {
  int n_sub;
  sw_net *sub;            /* n_sub nets */
  double *max_value;      /* container thresholds; NULL for a plain model */
  bool container;
  char version[16];
  sw_meta meta;           /* container-level metadata (plain model: same as sub[0].meta) */
} sw_model;

/* Offsets of each tensor in the flat weight block (SPEC section 2). The gradient block of the
   trainer uses the same layout, so a slim view is the same pointer arithmetic on either. */
typedef struct sw_layer_off {
  long w, b, m, v, vb; /* conv [cmid][C][K], bias [cmid], mixin [cmid], 1x1 [C][C], bias [C]; v = -1 if inactive */
} sw_layer_off;
typedef struct sw_array_off {
  long r;              /* rechannel [C][D_in] */
  sw_layer_off *layers;
  long g, gb;          /* head rechannel [H][C][K_h], bias [H] (gb = -1 without head_bias) */
} sw_array_off;
typedef struct sw_layout {
  int n_arrays;
  sw_array_off *arrays;
  long head_scale;
  long total;
} sw_layout;

/* Width choice: channels per array (1 <= c <= C). The other architectures have one width, n = 1:
   an LSTM's hidden size, a ConvNet's channels, 1 for a Linear. */
typedef struct sw_widths {
  int n;
  int c[SW_MAX_ARRAYS];
} sw_widths;

static inline int sw_cmid(const sw_layer_cfg *l, int c) { return l->gated ? 2 * c : c; }

/* Validates the configuration (limits, chaining constraints) and computes the weight count.
   what names the file for messages. */
int sw_net_check(const sw_net *net, const char *what, long *n_weights, sw_err *err);
long sw_net_count_weights(const sw_net *net);
int sw_layout_make(const sw_net *net, sw_layout *out, sw_err *err);
void sw_layout_free(sw_layout *l);

long sw_net_receptive_field(const sw_net *net);
sw_widths sw_net_full_widths(const sw_net *net);
/* c' = A[min(floor(v*|A|), |A|-1)] per array, the same v for every array. */
sw_widths sw_net_widths_for_slim(const sw_net *net, double v);
/* Validates explicit widths against the net (count and range). */
int sw_net_check_widths(const sw_net *net, const sw_widths *w, sw_err *err);
/* Number of distinct width choices along slim values (arrays slimmed together): the union of
   allowed indices; fills up to max entries of out with widths, smallest first. */
int sw_net_width_steps(const sw_net *net, sw_widths *out, int max);

/* Cost at a width: multiply-adds and activation evaluations per output sample. */
long sw_net_macs(const sw_net *net, const sw_widths *w);
long sw_net_activations(const sw_net *net, const sw_widths *w);
/* Weights touched at a width (a slim model reads only its slice). */
long sw_net_weights_used(const sw_net *net, const sw_widths *w);

/* Deep copy / free. */
int sw_net_copy(const sw_net *src, sw_net *dst, sw_err *err);
void sw_net_free(sw_net *net);
void sw_model_free(sw_model *m);
void sw_meta_init(sw_meta *m);
/* A number at the top level of the metadata JSON, or NaN (e.g. "target_gain_db": the training
   target was the device's output times this gain, see datasets/README.md). */
double sw_meta_number(const sw_meta *m, const char *key);

/* Builds a plain net holding the sliced weights of net at width w (an independent model,
   not a view): used by `slimwave export --slim` and by the slim-equivalence test. */
int sw_net_slice(const sw_net *net, const sw_widths *w, sw_net *out, sw_err *err);

/* The container picks the first submodel with v < max_value, else the last. */
const sw_net *sw_model_pick(const sw_model *m, double v);

#endif
