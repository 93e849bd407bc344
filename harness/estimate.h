/* Sizing a profile before running it: train each model of the profile for a few epochs on its
   first dataset, time them, and predict what the whole sweep's train cells take on N cores. */
#ifndef SW_ESTIMATE_H
#define SW_ESTIMATE_H

#include <stdio.h>

#include "experiment.h"

/* Trains every model `epochs` epochs in R/estimate/<model>/ (a fresh start each time), then
   writes CSV rows to out: model, schedule (quoted), passes per mini-batch, the epochs its cells train,
   wall and CPU seconds per epoch (start-up and validation included), cells, core-seconds (CPU time,
   which other jobs on the machine inflate far less than wall time); and a summary on stderr: the
   train cells' core-seconds and their wall time on `jobs` otherwise idle cores (longest cells first
   onto the least loaded core). Dataset builds, evaluation and bench cells are not counted. */
int sw_sweep_estimate(const sw_experiment *e, const char *R, int epochs, int jobs, FILE *out, sw_err *err);

#endif
