/* Streaming inference of any net a .nam holds: a WaveNet through sw_wavenet (any backend, any
   width), an LSTM, ConvNet or Linear on the naive path (archs_rt.h). The life cycle of wavenet.h:
   create once (every allocation there, after the byte budget SW_MAX_STATE_BYTES is checked), then
   process blocks with no allocation, lock or I/O. What the CLI, the benchmarks, the evaluation
   and the teachers of datasets run. */
#ifndef SW_RUNNER_H
#define SW_RUNNER_H

#include "wavenet.h"

typedef struct sw_runner sw_runner;

/* As sw_wavenet_create (net outlives the instance; starts at full width, reset and prewarmed).
   A net other than a WaveNet runs on the naive path whatever opts->backend says. */
int sw_runner_create(const sw_net *net, const sw_run_opts *opts, sw_runner **out, sw_err *err);
void sw_runner_free(sw_runner *r);

/* Width (resets and prewarms): a WaveNet's channels per array; the other architectures have one
   width (sw_net_full_widths). */
int sw_runner_set_widths(sw_runner *r, const sw_widths *w, sw_err *err);
int sw_runner_set_slim(sw_runner *r, double v, sw_err *err);
sw_widths sw_runner_widths(const sw_runner *r);

/* The state of a fresh instance, then the prewarm on zeros: afterwards the output equals the
   offline computation with the input preceded by silence (an LSTM: by half a second of it, from
   the state its file stores, as NeuralAmpModelerCore). */
void sw_runner_reset(sw_runner *r);
/* Any n >= 0; longer blocks are split internally; in and out may alias. */
void sw_runner_process(sw_runner *r, const float *in, float *out, long n);
/* Reset, then process in blocks of `block`. */
void sw_runner_run(sw_runner *r, const float *in, float *out, long n, int block);

int sw_runner_fallbacks(const sw_runner *r);
/* The backend that runs (naive for all but a WaveNet). */
const sw_backend *sw_runner_backend(const sw_runner *r);
sw_work_counters *sw_runner_counters(sw_runner *r);
/* The WaveNet instance, or NULL for the other architectures. */
sw_wavenet *sw_runner_wavenet(sw_runner *r);

#endif
