/* Validation figures of a model at chosen widths on a dataset's validation segment (SPEC
   section 4: the model run with RF-1 zeros before the segment): ESR, MSE and the MRSTFT
   distance, over the whole segment or, as NAM scores, from RF-1 samples into it. */
#ifndef SW_EVAL_H
#define SW_EVAL_H

#include <stdbool.h>

#include "../core/backend.h"
#include "../core/model.h"
#include "../datasets/src/dataset.h"

typedef struct sw_eval_row {
  sw_widths w;
  double esr, mse, mrstft;
} sw_eval_row;

/* which: "all" (every width step), "full", or "train:<schedule>" (the fixed width a schedule
   trains; full otherwise). Fills up to max widths; returns the count or -1 with err set. */
int sw_eval_pick_widths(const sw_net *net, const char *which, sw_widths *out, int max, sw_err *err);
/* from_rf: score outputs [RF-1, n) only (NAM's convention: each depends on segment input alone),
   else all n; n must exceed RF-1 then. */
int sw_eval_widths(const sw_net *net, const float *x, const float *y, long n, bool from_rf, const sw_widths *ws, int nw,
                   const sw_backend *be, sw_eval_row *out, sw_err *err);

#endif
