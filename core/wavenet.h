/* Streaming inference of one WaveNet: create once (all memory allocated here), then process
   blocks of 1..max_block samples with no allocation, lock or I/O. A slim width uses the leading
   slice of the net's weights (its layers' slices copied into dense rows when the width is set);
   changing it resets the history and prewarms (SPEC section 3). */
#ifndef SW_WAVENET_H
#define SW_WAVENET_H

#include "backend.h"
#include "model.h"

typedef struct sw_wavenet sw_wavenet;

/* create refuses a model x block size whose streaming state would exceed this (before allocating) */
#define SW_MAX_STATE_BYTES (256L << 20)

typedef struct sw_run_opts {
  const sw_backend *backend; /* NULL: sw_backend_naive() */
  int max_block;             /* largest block passed to process; 0: 4096 */
  bool fast_tanh;            /* replace exact tanh by sw_fast_tanhf */
} sw_run_opts;

/* The net must outlive the instance (weights are used in place, but the layers' biases are derived
   and, at a slim width, their weights copied when a width is set: a change of weights needs
   sw_wavenet_set_widths). Starts at full width, reset and prewarmed. Runs the backend's
   thread_init on the calling thread: process from that thread, or call backend->thread_init on the
   one that does. */
int sw_wavenet_create(const sw_net *net, const sw_run_opts *opts, sw_wavenet **out, sw_err *err);
void sw_wavenet_free(sw_wavenet *wn);

/* Select a width (resets and prewarms). Plans of planned backends are rebuilt here. */
int sw_wavenet_set_widths(sw_wavenet *wn, const sw_widths *w, sw_err *err);
int sw_wavenet_set_slim(sw_wavenet *wn, double v, sw_err *err);
sw_widths sw_wavenet_widths(const sw_wavenet *wn);

/* Zero the history, then run receptive-field - 1 zeros through the model, so the output
   equals the offline computation with the input preceded by zeros. */
void sw_wavenet_reset(sw_wavenet *wn);

/* Any n >= 0; blocks longer than max_block are split internally. in and out may alias. */
void sw_wavenet_process(sw_wavenet *wn, const float *in, float *out, long n);

/* Calls that went to the naive fallback because the backend declined a shape, at this width. */
int sw_wavenet_fallbacks(const sw_wavenet *wn);
const sw_backend *sw_wavenet_backend(const sw_wavenet *wn);
long sw_wavenet_receptive_field(const sw_wavenet *wn);

/* Work counters, updated once per block inside process (not during the prewarm) from the
   arguments passed to the kernels at the current width, not from the config formula. Monotonic;
   the caller may zero them. The harness publishes them as PAPI software-defined events. */
typedef struct sw_work_counters {
  long long macs, activations, samples, weight_bytes;
} sw_work_counters;
sw_work_counters *sw_wavenet_counters(sw_wavenet *wn);

/* Whole-signal convenience: reset, then process in blocks of `block`. */
void sw_wavenet_run(sw_wavenet *wn, const float *in, float *out, long n, int block);

#endif
