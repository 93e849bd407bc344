/* An experiment file (experiments/NAME.json): datasets x models x seeds, training settings per
   profile, the widths to evaluate, the backends and blocks to time. It expands into cells, each
   an independent, resumable unit of work that writes its own rows. */
#ifndef SW_EXPERIMENT_H
#define SW_EXPERIMENT_H

#include <stdbool.h>

#include "../core/err.h"

#define SW_EXP_MAX 32
#define SW_EXP_MAX_CELLS 1024 /* train + bench cells */

typedef struct sw_exp_model {
  char id[64], label[128];
  char arch[256];       /* preset name or CONFIG.json path (relative to the experiment) */
  char schedule[128];   /* trainer width schedule */
  char eval_widths[64]; /* "all" | "full" | "train" (the width(s) it was trained at) */
  char role[32];        /* its row in the paper table: nam_standard, nam_nano, slimmable, fixed_full,
                           fixed_half, dedicated (a model trained alone at one width), or "" */
  char loss[16];        /* trainer --loss; "" = the trainer's default (nam) */
  char init[32];        /* trainer --init; "" = standard */
  char best_by[32];     /* trainer --best-by; "" = full */
  char channels[64];    /* "C[,C2..]": the arch cut to these channels (a model of that width of its
                           own, initialised for it), trained alone; "" = the arch as it is */
  double decay;         /* lr decay per epoch; 0 = the profile's */
} sw_exp_model;

typedef struct sw_exp_dataset {
  char recipe[64];      /* datasets recipe name, e.g. lv2-clean */
  char tone[32];        /* column label in the table: clean, crunch, rhythm, lead */
} sw_exp_dataset;

/* Settings a profile chooses (smoke, quick, full). */
typedef struct sw_exp_profile {
  char name[32];
  int epochs, batch, ny, threads;
  double lr, decay;
  double data_seconds;        /* general training material length for the dataset build; 0 = recipe default */
  double bench_seconds;       /* audio per timing repeat */
  int bench_repeats;
  char blocks[64];            /* "64" or "16,64,256,4096" */
  char backends[128];         /* "all" or a list */
  int max_datasets;           /* 0 = all; smoke uses fewer */
  /* What a Slurm job of each phase asks for (sweep plan --sbatch); 0 = the cluster's default. */
  int minutes_datasets, minutes_train, minutes_bench, mem_mb;
  /* Equal compute: a model whose schedule runs k sub-steps per mini-batch (sandwich:N: N + 2)
     trains epochs / k epochs with decay^k per epoch, so every model gets the same sample-passes
     and the same learning rate at the same compute. */
  bool equal_passes;
} sw_exp_profile;

typedef struct sw_experiment {
  char name[64], description[512], path[4096], dir[4096];
  int n_models, n_seeds;
  sw_exp_model models[SW_EXP_MAX];
  int seeds[SW_EXP_MAX];
  /* data sets per data family ("lv2", "captured", ...) */
  char family[32];
  int n_datasets;
  sw_exp_dataset datasets[SW_EXP_MAX];
  sw_exp_profile profile;
  bool val_nam;          /* "validation": "nam" (score from RF-1 samples into the segment), else "padded" */
  bool bench;            /* "bench": time the models in bench cells (default true) */
  bool counters;         /* "counters": count work per width in train cells (default true) */
  char report[16];       /* "report": "paper" (the paper table) or "schedules" (the schedule study) */
  bool eval_best;        /* "eval_backend": "best" evaluates on the default backend; "naive" (default)
                            on the reference, bit-identical on every CPU */
} sw_experiment;

/* Two phases: "train" cells (dataset x model x seed: train, evaluate, count) and, after all of
   them, "bench" cells (model x seed: time the model trained on the first dataset, or an untrained
   one of its architecture where that is absent), so that timings run on an otherwise idle machine. */
typedef struct sw_cell {
  char id[200];
  int model, dataset, seed; /* model/dataset: indices into the experiment; seed: the value */
  bool bench;
} sw_cell;

/* Loads path with profile (NULL: "quick") and data family (NULL: the file's default). A profile
   may narrow the experiment: "tones" (datasets by tone), "models" (by id) and "seeds" replace the
   file's lists for that profile; "arch" replaces every model's architecture. */
int sw_experiment_load(const char *path, const char *profile, const char *family, sw_experiment *out, sw_err *err);
/* Expands into cells (train cells, then bench cells, in a stable order); returns the count. */
int sw_experiment_cells(const sw_experiment *e, sw_cell *cells, int max);
/* The one place that names results folders. A run writes its own folder,
   results/<name>-<family>-<profile>/ (git-ignored: this machine's figures, trained and timed here);
   the committed reference of the same run lives apart, in
   results/reference/<name>-<family>-<profile>/, and reports put the two side by side. */
void sw_experiment_results_dir(const sw_experiment *e, char *buf, int len);
void sw_experiment_reference_dir(const sw_experiment *e, char *buf, int len);
/* The recipe a run follows, as JSON (malloc'd; NULL when out of memory): the profile's settings,
   datasets, models with their training settings, seeds and validation convention. A report
   compares it with its reference's to say whether their figures are comparable. */
char *sw_experiment_recipe_json(const sw_experiment *e);
/* A CONFIG.json arch resolved against the experiment's folder; a preset name as it is. */
void sw_experiment_arch_path(const sw_experiment *e, const sw_exp_model *m, char *buf, int len);

/* The model with this table role (nam_standard, slimmable, ...), or NULL. */
const sw_exp_model *sw_experiment_by_role(const sw_experiment *e, const char *role);
/* Datasets this profile uses (max_datasets may cut the list). */
int sw_experiment_n_datasets(const sw_experiment *e);
/* The id of the train cell whose model a bench cell times. */
void sw_cell_train_id(const sw_experiment *e, const sw_cell *c, char *buf, int len);
/* Finds a cell by id; returns 0 or -1. */
int sw_experiment_find_cell(const sw_experiment *e, const char *id, sw_cell *out);

#endif
