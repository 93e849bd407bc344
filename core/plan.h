/* A net at one width on one backend: the one description of the model that streaming inference
   (core/wavenet.c) and training (train/engine.c) both execute. Per op it holds what does not change
   from call to call (shape, weights, weight strides) and the kernel bound once: the backend's, or
   the naive reference where the backend lacks the op or declines the shape (supports()), counted.
   At a slim width each layer's weights are packed into dense rows. A streaming plan folds each
   layer's 1x1 bias into the conv biases downstream and makes the backend's own plans; a training
   plan binds the backward ops and keeps the transposed weights of every input-gradient conv.
   The executor owns the buffers: it copies an op's arguments and sets T, the columns and strides. */
#ifndef SW_PLAN_H
#define SW_PLAN_H

#include "backend.h"
#include "model.h"

typedef enum { SW_PLAN_STREAM, SW_PLAN_TRAIN } sw_plan_mode;

typedef void (*sw_conv_fn)(const sw_conv_args *a, void *plan);
typedef void (*sw_conv_grad_fn)(const sw_conv_grad_args *a);
typedef void (*sw_layer_grad_fn)(const sw_layer_grad_args *a);

/* A rechannel or head conv. */
typedef struct sw_plan_conv {
  sw_conv_args a;
  sw_conv_fn fn;
  void *bplan;            /* the backend's own plan (streaming), or NULL */
  /* training only */
  sw_conv_grad_fn grad;   /* weight gradients */
  sw_conv_args t;         /* input gradient: g_out through the transposed weights (in = g_out + K-1) */
  sw_conv_fn tfn;
} sw_plan_conv;

typedef struct sw_plan_layer {
  sw_layer_args a;        /* a.z / a.a: non-NULL markers where the training forward saves them */
  sw_layer_fn fn;
  void *bplan;
  /* training only */
  bool save_z;            /* the backward reads z (sw_act_needs_z) */
  sw_layer_grad_fn grad;
  sw_conv_args t;         /* dL/dh += gz through the transposed conv weights (in = gz + (K-1)d) */
  sw_conv_fn tfn;
} sw_plan_layer;

typedef struct sw_plan_array {
  sw_plan_conv rech, head;
  sw_plan_layer *layers;
} sw_plan_array;

typedef struct sw_plan {
  const sw_net *net;      /* weights read in place, copied where packed or transposed */
  sw_layout L;
  const sw_backend *be, *naive;
  sw_plan_mode mode;
  bool fast_tanh;         /* streaming: exact tanh replaced by sw_fast_tanhf */
  int max_T;              /* the most columns an executor passes per call */
  sw_widths w;            /* the bound width */
  sw_plan_array *arr;
  int fallbacks;          /* ops bound to the naive backend at this width (every kind of op) */
  float *pack;            /* packed, folded and transposed weights of the bound width */
} sw_plan;

/* be = NULL: naive. Binds full width. The net must outlive the plan. */
int sw_plan_create(const sw_net *net, const sw_backend *be, sw_plan_mode mode, int max_T, bool fast_tanh,
                   sw_plan **out, sw_err *err);
void sw_plan_free(sw_plan *p);
/* Binds width w (checked by the caller): packs, folds, binds the kernels, and makes the backend's
   plans (streaming; only they allocate). Bind again after the net's weights change (training: every
   step), since the plan holds copies of them. */
void sw_plan_bind(sw_plan *p, const sw_widths *w);
/* The floats of packed, folded and transposed weights a plan allocates (for a state budget). */
size_t sw_plan_pack_floats(const sw_net *net, sw_plan_mode mode);

#endif
