/* Width schedules: which widths each mini-batch trains (SPEC section 3). One width per
   sub-step, shared by all layers; multi-array nets slim every array by the same slim value
   v through the allowed lists (sw_net_widths_for_slim). A mini-batch is one or more
   sub-steps whose gradients the engine sums before one Adam update.

   Strings (parse errors are one line naming the string and the problem):
     fixed            full width (ordinary training)
     fixed:C          array 0 at C channels, the other arrays at the same slim value
                      (v = (j + 0.5) / C0 for C = j + 1); fixed:C0/C1/... gives every array
     uniform          the paper: v ~ U[0,1) over the lists 1..C_i (c' uniform in 1..C)
     allowed          NAM: v ~ U[0,1) over the net's own allowed lists (CONFIG.json "slimmable")
     allowed:LIST     LIST = comma-separated channels of array 0, rising; for more arrays give one
                      list per array separated by '/' (e.g. 4,8,16/2,4,8; each array indexes its
                      own list by v, so lengths may differ); a single list on a multi-array net
                      is scaled, round(c * C_i / C_0), and refused if that does not rise strictly
     uniform,boost / allowed[:LIST],boost
                      NAM's boosting (see sw_substep.frozen)
     sandwich:N       largest + smallest + N random widths (as `allowed`) per mini-batch
     sandwich-distill:N  same widths; all but the largest fit the largest's output */
#ifndef SW_SCHEDULE_H
#define SW_SCHEDULE_H

#include <stdbool.h>

#include "../core/model.h"
#include "rng.h"

typedef enum {
  SW_SCHED_FIXED = 0,
  SW_SCHED_UNIFORM,
  SW_SCHED_ALLOWED,
  SW_SCHED_SANDWICH,
  SW_SCHED_SANDWICH_DISTILL,
} sw_sched_kind;

#define SW_SCHED_MAX_RANDOM 32
#define SW_SCHED_MAX_LIST SW_MAX_CHANNELS

/* Sub-step flags. */
enum {
  SW_SUB_TEACHER = 1, /* sandwich-distill: this (full-width) sub-step runs first; its output,
                         without gradient, is the target of the SW_SUB_DISTILL sub-steps */
  SW_SUB_DISTILL = 2, /* fit the teacher's output instead of the data target */
};

typedef struct sw_substep {
  sw_widths w;      /* widths to run */
  /* Boosting: the parameters of the slim model at these widths (the same views as a slim
     forward at `frozen`) are used but get ZERO gradient. frozen.n == 0: nothing frozen.
     An array at its smallest allowed width has frozen.c[i] = 0 (nothing of it frozen;
     tensors spanning arrays i and i+1 are frozen on their leading [f_{i+1}][f_i] block,
     empty if either is 0). As in NAM, the first array's rechannel R is never frozen. */
  sw_widths frozen;
  unsigned flags;
} sw_substep;

typedef struct sw_schedule {
  sw_sched_kind kind;
  bool boost;
  int n_random;               /* sandwich N */
  sw_widths fixed;            /* SW_SCHED_FIXED */
  int n_arrays;
  int n_list[SW_MAX_ARRAYS];  /* allowed list per array used for drawing (uniform: 1..C_i) */
  int list[SW_MAX_ARRAYS][SW_SCHED_MAX_LIST];
  long n_steps;               /* mini-batches drawn so far: the state to checkpoint (with the rng) */
  char str[128];              /* the string parsed, for checkpoints and metadata */
} sw_schedule;

/* Parses str for net (NULL or "" = "fixed"). */
int sw_schedule_parse(const char *str, const sw_net *net, sw_schedule *out, sw_err *err);
/* Upper bound of sub-steps per mini-batch (size of the array for sw_schedule_step). */
int sw_schedule_max_substeps(const sw_schedule *s);
/* Draws one mini-batch's sub-steps into out[0..max); returns their count (>= 1), or -1 if max
   is too small. Uses rng only (give the schedule its own stream, e.g. a jumped copy).
   Sandwich order: largest first, then smallest, then the N random ones. */
int sw_schedule_step(sw_schedule *s, sw_rng *rng, sw_substep *out, int max);
/* Whether training makes a slimmable model (anything but fixed), and the allowed lists it
   trains: writes them into net->arrays[i].allowed / n_allowed and sets slimmable, so that
   export and validation at "every allowed width" use them. Fixed leaves net unchanged. */
bool sw_schedule_slimmable(const sw_schedule *s);
int sw_schedule_apply_allowed(const sw_schedule *s, sw_net *net, sw_err *err);

#endif
