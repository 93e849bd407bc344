/* Architectures and initialisation for training from scratch: the presets of SPEC section 1,
   a CONFIG.json architecture (the .nam "config" object), and PyTorch-style initialisation. */
#ifndef SW_INIT_H
#define SW_INIT_H

#include "../core/model.h"
#include "rng.h"

/* A preset by name: standard, lite, feather, nano, paper (weights 13802, 6554, 3026, 842, 7098).
   The net gets allocated weights, all zero except head_scale (0.02; paper 0.01) in its last
   entry and net->head_scale; version "0.5.4", sample rate 48000, allowed widths 1..C. */
int sw_preset_make(const char *name, sw_net *out, sw_err *err);
/* A preset name, or the path of a JSON file holding either a .nam-style "config" object
   ({"layers": [...], "head_scale": ...}) or a whole .nam object (its weights are ignored).
   Parsed by the core .nam reader, so every form it accepts (legacy, 0.7, "slimmable") works;
   messages name the file. Weights as for presets: zero except head_scale (from "head_scale",
   default 0.02). */
int sw_arch_load(const char *name_or_path, sw_net *out, sw_err *err);
/* Architectures from files are refused above this many weights (presets are far below). */
#define SW_MAX_TRAIN_WEIGHTS 1000000L
/* "standard|lite|feather|nano|paper" for help texts. */
const char *sw_preset_names(void);

typedef enum {
  SW_INIT_STANDARD = 0,       /* every weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)), fan_in = in_channels * K */
  SW_INIT_SMALLEST_AND_ZEROS, /* NAM: standard init of the slice at the smallest allowed widths
                                 (fan_in of that slice), zeros elsewhere */
} sw_init_kind;

/* "standard" or "smallest_and_zeros". */
int sw_init_parse(const char *s, sw_init_kind *out, sw_err *err);
/* Fills net->w (all but head_scale, which stays as the caller set it) drawing in flat .nam
   order from rng. Per tensor: rechannel R (fan_in D_in), conv W and its bias (C*K), mixin M
   (condition_size), 1x1 V and its bias (C), head rechannel G and its bias (C*K_head). */
int sw_net_init(sw_net *net, sw_init_kind kind, sw_rng *rng, sw_err *err);

#endif
