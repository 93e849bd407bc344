/* Making a run the committed reference: its rows, stamps, results, provenance, recipe, tables and
   plots are copied from the run's folder to the reference folder (results/reference/...), which
   they replace; the work folder (models, checkpoints) stays behind. */
#ifndef SW_PUBLISH_H
#define SW_PUBLISH_H

#include "experiment.h"

/* R: the run's folder, ref: the reference folder. Refuses a run with cells not run yet or not
   collected (no results.csv or recipe.json). */
int sw_sweep_publish(const sw_experiment *e, const char *R, const char *ref, sw_err *err);

#endif
