/* The model behind the plugin, prepared for the audio thread: a .nam file loaded and one streaming
   instance per width step (a plain model's widths along the slim value, or a SlimmableContainer's
   submodels), each created, set and prewarmed here, so that choosing a width later only picks an
   instance, through the runner of core/runner.h (any architecture NAM makes). */
#ifndef SW_LV2_MODEL_H
#define SW_LV2_MODEL_H

#include "../core/backend.h"
#include "../core/err.h"

typedef struct sw_plug_model sw_plug_model;

/* Worker thread (allocates, reads the file): path at the host's rate, blocks of up to max_block.
   Refuses a model the loader refuses, or one made for another sample rate. */
int sw_plug_model_open(const char *path, double rate, int max_block, const sw_backend *be, sw_plug_model **out, sw_err *err);
void sw_plug_model_free(sw_plug_model *r);

/* Real-time safe from here on: no allocation, lock or system call. */
int sw_plug_model_steps(const sw_plug_model *r);
/* The step a slim value in [0,1] selects (NAM's allowed-channels rule, or the container's pick). */
int sw_plug_model_step_for(const sw_plug_model *r, double slim);
/* A slim value inside the step's range (its middle), for hosts that want that step. */
double sw_plug_model_slim_for(const sw_plug_model *r, int step);
/* Channels of the first layer array at a step (what the plugin reports as its width). */
int sw_plug_model_channels(const sw_plug_model *r, int step);
long sw_plug_model_receptive_field(const sw_plug_model *r, int step);
/* Streams n samples (any n >= 0) through the step's instance, which keeps its own history. */
void sw_plug_model_process(sw_plug_model *r, int step, const float *in, float *out, int n);
/* Back to the state after loading: every instance reset and prewarmed (not real-time: costs a
   receptive field of samples per step). */
void sw_plug_model_reset(sw_plug_model *r);

/* Description for logs: the path, the widths and the backend (non-real-time callers). */
const char *sw_plug_model_path(const sw_plug_model *r);
void sw_plug_model_describe(const sw_plug_model *r, char *buf, int len);
/* MACs per sample at a step and its widths as "16,8". */
long sw_plug_model_macs(const sw_plug_model *r, int step);
void sw_plug_model_widths_str(const sw_plug_model *r, int step, char *buf, int len);

#endif
