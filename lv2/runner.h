/* The model behind the plugin, prepared for the audio thread: a .nam file loaded and one streaming
   instance per width step (a plain model's widths along the slim value, or a SlimmableContainer's
   submodels), each created, set and prewarmed here, so that choosing a width later only picks an
   instance. The one place that knows how a model runs: another architecture slots in here. */
#ifndef SW_LV2_RUNNER_H
#define SW_LV2_RUNNER_H

#include "../core/backend.h"
#include "../core/err.h"

typedef struct sw_runner sw_runner;

/* Worker thread (allocates, reads the file): path at the host's rate, blocks of up to max_block.
   Refuses a model the loader refuses, or one made for another sample rate. */
int sw_runner_open(const char *path, double rate, int max_block, const sw_backend *be, sw_runner **out, sw_err *err);
void sw_runner_free(sw_runner *r);

/* Real-time safe from here on: no allocation, lock or system call. */
int sw_runner_steps(const sw_runner *r);
/* The step a slim value in [0,1] selects (NAM's allowed-channels rule, or the container's pick). */
int sw_runner_step_for(const sw_runner *r, double slim);
/* A slim value inside the step's range (its middle), for hosts that want that step. */
double sw_runner_slim_for(const sw_runner *r, int step);
/* Channels of the first layer array at a step (what the plugin reports as its width). */
int sw_runner_channels(const sw_runner *r, int step);
long sw_runner_receptive_field(const sw_runner *r, int step);
/* Streams n samples (any n >= 0) through the step's instance, which keeps its own history. */
void sw_runner_process(sw_runner *r, int step, const float *in, float *out, int n);
/* Back to the state after loading: every instance reset and prewarmed (not real-time: costs a
   receptive field of samples per step). */
void sw_runner_reset(sw_runner *r);

/* Description for logs: the path, the widths and the backend (non-real-time callers). */
const char *sw_runner_path(const sw_runner *r);
void sw_runner_describe(const sw_runner *r, char *buf, int len);
/* MACs per sample at a step and its widths as "16,8". */
long sw_runner_macs(const sw_runner *r, int step);
void sw_runner_widths_str(const sw_runner *r, int step, char *buf, int len);

#endif
