/* Sweeps: plan the cells of an experiment as commands (GNU parallel), a makefile (make -j2) or a
   Slurm script (three chained jobs); collect the finished cells' rows into one checked results file. */
#ifndef SW_SWEEP_H
#define SW_SWEEP_H

#include <stdio.h>

#include "experiment.h"

typedef enum { SW_PLAN_COMMANDS, SW_PLAN_MAKE, SW_PLAN_SBATCH } sw_plan_kind;

/* phase: "datasets", "train", "bench" or NULL (all; commands are then in dependency order). opts: the
   --profile/--data/--results arguments to repeat in each command. */
int sw_sweep_plan(const sw_experiment *e, const char *results_dir, sw_plan_kind kind, const char *phase,
                  const char *opts, FILE *out, sw_err *err);
/* The Slurm script (sweep_slurm.c): a datasets job array, the train array after it, one exclusive
   bench job that collects and reports; `bash SCRIPT submit` creates the log folder and submits them. */
int sw_sweep_sbatch(const sw_experiment *e, const char *results_dir, const char *opts, FILE *out, sw_err *err);
/* Checks every cell's rows (missing cells are listed, a corrupted file is an error), merges
   them into R/results.csv and writes R/provenance.json and R/recipe.json (the settings of the run). Returns SW_OK only if all cells are
   present and valid; *missing gets the number of cells not yet run. */
int sw_sweep_collect(const sw_experiment *e, const char *results_dir, int argc, char **argv, int *missing, sw_err *err);

#endif
