/* Running one cell of an experiment (see experiment.h): build or reuse its dataset, train (or
   resume) its model, evaluate every width, count, or time; then write its rows atomically.
   Rerunning a finished cell does nothing. */
#ifndef SW_CELL_H
#define SW_CELL_H

#include <stdbool.h>

#include "experiment.h"

/* How a model trains in its experiment's profile: epochs and lr decay per epoch (with
   equal_passes, epochs / passes and decay^passes) and the sub-steps (passes) of one mini-batch. */
typedef struct sw_train_plan { int epochs, passes; double decay; } sw_train_plan;
int sw_cell_train_plan(const sw_experiment *e, const sw_exp_model *m, sw_train_plan *out, sw_err *err);
/* Every model's plan (its arch loads, its channels and schedule fit it, equal passes divide its
   epochs), so that a sweep refuses a bad experiment before any cell runs. */
int sw_cell_check_models(const sw_experiment *e, sw_err *err);

/* Trains cell c's model into work/model.nam (resuming from work/model.ckpt when it is there):
   its profile's epochs (n_epochs 0; skipped when work/train.done says it finished, which it
   then writes) or n_epochs of them (a timing run: no train.done). */
int sw_cell_train(const sw_experiment *e, const sw_cell *c, const char *manifest, const char *work, int n_epochs, sw_err *err);

int sw_cell_run(const sw_experiment *e, const sw_cell *c, const char *results_dir, bool force, sw_err *err);
/* R/rows/<cell>.csv */
void sw_cell_rows_path(const char *results_dir, const sw_cell *c, char *buf, int len);
/* The options `slimwave dataset build` gets for this profile ("" or "--seconds S --cache D"). */
void sw_cell_dataset_opts(const sw_experiment *e, char *buf, int len);
/* The dataset manifest of recipe for this experiment's profile (built if missing). */
int sw_cell_dataset(const sw_experiment *e, const char *recipe, char *manifest, int len, sw_err *err);

#endif
