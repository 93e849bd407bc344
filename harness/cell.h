/* Running one cell of an experiment (see experiment.h): build or reuse its dataset, train (or
   resume) its model, evaluate every width, count, or time; then write its rows atomically.
   Rerunning a finished cell does nothing. */
#ifndef SW_CELL_H
#define SW_CELL_H

#include <stdbool.h>

#include "experiment.h"

int sw_cell_run(const sw_experiment *e, const sw_cell *c, const char *results_dir, bool force, sw_err *err);
/* R/rows/<cell>.csv */
void sw_cell_rows_path(const char *results_dir, const sw_cell *c, char *buf, int len);
/* The options `slimwave dataset build` gets for this profile ("" or "--seconds S --cache D"). */
void sw_cell_dataset_opts(const sw_experiment *e, char *buf, int len);
/* The dataset manifest of recipe for this experiment's profile (built if missing). */
int sw_cell_dataset(const sw_experiment *e, const char *recipe, char *manifest, int len, sw_err *err);

#endif
