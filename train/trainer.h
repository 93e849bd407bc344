/* The training loop (SPEC section 4): windows of ny + RF - 1 input samples with non-overlapping
   ny-sample outputs, shuffled each epoch, batches of `batch` (last partial batch dropped); one
   width schedule draw per mini-batch; the loss over the batch, the engine's backward per window
   on `threads` threads into per-window gradient buffers summed in window order (so results do
   not depend on the thread count); Adam with lr0 * decay^epoch. Each epoch: validation ESR at
   full width and every allowed width (model run with RF-1 zeros before the segment), a CSV row,
   the best model saved (.nam, with metadata) and a checkpoint; both written atomically.
   cfg.val_nam scores validation from RF-1 samples into the segment instead (NAM's convention). */
#ifndef SW_TRAINER_H
#define SW_TRAINER_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/backend.h"
#include "../core/model.h"
#include "../datasets/src/dataset.h"
#include "init.h"
#include "loss.h"
#include "schedule.h"

#define SW_TRAIN_MAX_WIDTHS 64
/* score of an epoch over best_full_cap: this + its full-width ESR (the CSV shows it so) */
#define SW_SCORE_OVER_CAP 1000.0

typedef struct sw_train_progress {
  int epoch, epochs;          /* epoch counted from 0 */
  long step, steps;           /* mini-batch within the epoch (done), per epoch */
  long global_step;
  double loss;                /* last mini-batch (mean over its sub-steps) */
  double samples_per_s;       /* output samples per second over this epoch so far */
  double eta_s;               /* estimated seconds to the end of training */
  bool epoch_done;            /* the fields below are filled */
  double train_loss;          /* mean over the epoch */
  int n_widths;
  sw_widths widths[SW_TRAIN_MAX_WIDTHS];
  double val_esr[SW_TRAIN_MAX_WIDTHS]; /* per width, full width last */
  double score;               /* full-width ESR, or the mean over widths */
  bool best;                  /* this epoch improved the best score (model written) */
} sw_train_progress;

/* Returns non-zero to stop: the trainer then writes a checkpoint and returns. */
typedef int (*sw_train_progress_fn)(void *ctx, const sw_train_progress *p);

typedef struct sw_train_cfg {
  int epochs;                 /* 100 */
  int batch;                  /* 16 */
  int ny;                     /* 8192 */
  int threads;                /* 1 */
  int tile, btile;            /* the engine's time tiles, forward and backward (0: its defaults) */
  double lr, decay;           /* 0.004, 0.993 */
  uint64_t seed;
  const sw_backend *backend;  /* NULL: naive */
  sw_loss_cfg loss;
  char schedule[128];         /* see schedule.h; "" = fixed */
  sw_init_kind init;
  bool best_by_mean;          /* best checkpoint by the mean ESR over widths, not full width */
  double best_full_cap;       /* with best_by_mean, > 0: epochs whose full-width ESR is above it rank
                                 after all that meet it, among themselves by full-width ESR */
  bool val_nam;               /* validation ESR as NAM scores it: from RF-1 samples into the segment
                                 (every scored output sees only segment input), not from its first
                                 sample with a zero past (the default) */
  const char *out_path;       /* best model (.nam); NULL: none written (benchmarks) */
  const char *ckpt_path;      /* NULL: none written */
  const char *csv_path;       /* NULL: none written */
  const char *resume_path;    /* checkpoint to continue from, or NULL */
  const char *arch_name;      /* for metadata */
  sw_train_progress_fn progress;
  void *progress_ctx;
} sw_train_cfg;

/* The recipe's defaults. */
sw_train_cfg sw_train_defaults(void);

typedef struct sw_trainer sw_trainer;

/* net: the architecture; its weights are initialised here (or restored from cfg->resume_path),
   and its allowed lists set by the schedule. The trainer trains net->w in place; net and data
   must outlive it. */
int sw_trainer_create(const sw_train_cfg *cfg, sw_net *net, const sw_dataset *data, sw_trainer **out, sw_err *err);
void sw_trainer_free(sw_trainer *tr);

typedef struct sw_train_result {
  int epochs_done;
  bool interrupted;
  double best_score;
  int best_epoch;
  long fallbacks;             /* engine ops that ran on the naive backend */
} sw_train_result;

/* Runs the remaining epochs. */
int sw_trainer_run(sw_trainer *tr, sw_train_result *res, sw_err *err);
/* One mini-batch on the windows whose input starts at starts[0..batch) (sample indices into the
   data): schedule draw, forward, loss, backward, Adam. For benchmarks; returns the loss. */
double sw_trainer_step(sw_trainer *tr, const long *starts);
/* Validation ESR at every width of sw_trainer_widths (full width last). */
int sw_trainer_validate(sw_trainer *tr, double *esr, sw_err *err);
int sw_trainer_widths(const sw_trainer *tr, sw_widths *out, int max);
/* Writes the checkpoint now (cfg->ckpt_path). */
int sw_trainer_checkpoint(sw_trainer *tr, sw_err *err);
long sw_trainer_window(const sw_trainer *tr);
/* The sub-steps (widths, frozen slice, flags) of the last mini-batch; returns their count. */
int sw_trainer_last_substeps(const sw_trainer *tr, sw_substep *out, int max);
/* Engine ops that ran on the naive backend so far (lacking or declined by the chosen one). */
long sw_trainer_fallbacks(const sw_trainer *tr);

#endif
