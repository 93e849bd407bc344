/* Sizing a profile before running it: train each model of the profile for a few epochs on its
   first dataset, time them, and predict what the whole sweep's train cells take on N cores. */
#ifndef SW_ESTIMATE_H
#define SW_ESTIMATE_H

#include <stdio.h>

#include "experiment.h"

/* Trains every model `epochs` epochs in R/estimate/<model>/ (a fresh start each time), then
   writes CSV rows to out: model, schedule, passes per mini-batch, the epochs its cells train,
   seconds per epoch (wall time / epochs, start-up and validation included), cells, core-seconds;
   and a summary on stderr: the train cells' core-seconds and their wall time on `jobs` cores
   (longest cells first onto the least loaded core). Dataset builds, evaluation and bench cells
   are not counted. */
int sw_sweep_estimate(const sw_experiment *e, const char *R, int epochs, int jobs, FILE *out, sw_err *err);

#endif
