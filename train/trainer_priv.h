/* Trainer state shared by trainer.c, trainer_val.c (validation, model and CSV output) and
   checkpoint.c. */
#ifndef SW_TRAINER_PRIV_H
#define SW_TRAINER_PRIV_H

#include "adam.h"
#include "engine.h"
#include "rng.h"
#include "schedule.h"
#include "trainer.h"

struct sw_trainer {
  sw_train_cfg cfg;
  sw_net *net;
  const sw_dataset *data;
  sw_engine *e;
  sw_engine_saved **sv;       /* one per window of the batch: its activations */
  sw_engine_ws **ws;          /* one per thread */
  int nthreads;               /* threads that run windows: min(threads, batch) */
  int fallbacks;              /* the most engine ops bound to the naive backend at any width so far */
  long nw, win;
  int B, ny, maxsub;
  float *xb, *yb, *pred, *teacher, *gpred;   /* B windows each */
  float *gitem;               /* B x nw per-window gradients */
  float *gsub, *gtot;         /* nw */
  sw_loss *loss;
  sw_adam adam;
  sw_schedule sched;
  sw_substep *subs;
  int n_subs;                 /* sub-steps of the last mini-batch */
  sw_rng rng_epoch;           /* data-order stream as it was at the start of the current epoch */
  sw_rng rng_sched;
  long *perm, n_win;          /* window order of the current epoch */
  int epoch;                  /* current epoch (0-based) */
  long batch_in_epoch;        /* mini-batches done in the current epoch */
  long global_step;
  double epoch_loss_sum;      /* sum of mini-batch losses in the current epoch */
  double best;                /* best score so far (+inf at start) */
  int best_epoch;
  char *csv;                  /* CSV text so far (header + one row per epoch) */
  size_t csv_len;
  int n_widths;
  sw_widths widths[SW_TRAIN_MAX_WIDTHS];     /* validation widths, full width last */
};

/* trainer_val.c */
int sw_trainer_csv_append(sw_trainer *tr, const sw_train_progress *p, sw_err *err);
int sw_trainer_save_model(sw_trainer *tr, const sw_train_progress *p, sw_err *err);

/* checkpoint.c */
int sw_checkpoint_write(const sw_trainer *tr, const char *path, sw_err *err);
int sw_checkpoint_read(sw_trainer *tr, const char *path, sw_err *err);

#endif
