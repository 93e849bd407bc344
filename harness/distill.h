/* slimwave distill / capture: make a slimmable student of a device a musician has (a downloaded
   .nam teacher, or an LV2 plugin) without the amp. Steps, each restartable: the capture signal
   through the device (`slimwave dataset build`, reused while unchanged), training (`slimwave
   train`, continued from its checkpoint), evaluation at every width against the device on a
   held-out real DI recording, timing at every width, and a report (markdown, CSV, Pareto plot). */
#ifndef SW_DISTILL_H
#define SW_DISTILL_H

#include <stdbool.h>

#include "../core/model.h"
#include "../datasets/src/datasets.h"

#define SW_DISTILL_HOLDOUT "di_hammer_lead.wav" /* the default held-out DI file */
#define SW_DISTILL_HOLDOUT_SEED 7777            /* fluidsynth held-out material without DI */
#define SW_DISTILL_TARGET_ESR 0.01             /* full width vs the device, held-out input */

typedef struct sw_distill_opts {
  const char *teacher;        /* .nam teacher (distill), or NULL */
  const char *lv2;            /* LV2 plugin URI (capture), or NULL */
  sw_lv2_set sets[SW_MAX_SETS];
  int nsets;
  const char *out;            /* the student .nam */
  const char *arch;           /* "same" (teacher's config; distill only), a preset or CONFIG.json;
                                 NULL: same for distill, standard for capture */
  const char *schedule;       /* NULL: sandwich-distill:2 */
  int epochs;                 /* 0: 100 */
  const char *di;             /* real DI files/folders (comma-separated); NULL: fluidsynth guitar */
  const char *holdout;        /* held-out file; NULL: di_hammer_lead.wav in the DI when present */
  double seconds;             /* capture signal length; 0: 190 */
  int threads;                /* training threads; 0: all cores */
  const char *work;           /* work folder; NULL: <out without .nam>.work */
  int ny, batch;              /* training windows and batch; 0: the trainer's defaults */
  double lr;                  /* 0: the trainer's default */
  bool from_scratch;          /* --arch same starts from the teacher's weights unless set */
  const char *plots_dir;      /* folder of distill_pareto.gp; NULL: the source tree's plots/ */
  /* Progress lines for the caller to show (library code does not print). */
  void (*note)(void *ctx, const char *line);
  void *note_ctx;
} sw_distill_opts;

typedef struct sw_distill_row {
  sw_widths w;
  long macs;                  /* multiply-adds per sample */
  double rtf;                 /* real-time factor, best backend, 1 thread, 64-sample blocks */
  char backend[16];
  double esr;                 /* against the device on the held-out file */
} sw_distill_row;

typedef struct sw_distill_result {
  int n;                      /* widths, smallest first */
  sw_distill_row rows[SW_MAX_CHANNELS];
  bool have_teacher_row;      /* distill: the teacher's own cost and speed */
  sw_distill_row teacher;
  double train_s;             /* training wall time over all runs (resumes add up) */
  int epochs_done;
  bool warm;                  /* the student started from the teacher's weights */
  double lr;                  /* the learning rate training used */
  char holdout[4096];         /* what was held out (a path, or "fluidsynth seed N") */
  char report[4096];          /* the markdown page */
  char plot_warning[600];     /* non-empty when the plot could not be made */
} sw_distill_result;

/* Checks the inputs first (teacher readable, plugin instantiable, output writable): a bad input
   fails before anything is written. */
int sw_distill_run(const sw_distill_opts *o, sw_distill_result *res, sw_err *err);

/* ---- pieces (distill_eval.c, distill_report.c) ---- */

/* The held-out input: a file (first channel, at 48 kHz) or fluidsynth guitar written to
   work/holdout.wav. */
int sw_distill_holdout(const char *path, const char *work, float **x, long *n, char *desc, size_t len, sw_err *err);
/* ESR of the student at every width against the device's output on x (the device output shifted
   left by latency and times the target gain, as the dataset's was), and the RTF of every width. */
int sw_distill_measure(const sw_net *student, const sw_stage *dev, long latency, double target_gain_db, const float *x,
                       long n, sw_distill_result *res, sw_err *err);
/* RTF of one net at one width: best usable backend, one thread, 64-sample blocks, best of 2. */
int sw_distill_time(const sw_net *net, const sw_widths *w, const float *x, long n, sw_distill_row *row, sw_err *err);
/* work/widths.csv, <out>.md and <out>-pareto.png/.svg. */
typedef struct sw_distill_info {
  const char *what;           /* "teacher X.nam" or "LV2 plugin URI (sets)" */
  const char *arch, *schedule, *signal, *work, *train_csv;
  double seconds;
  int threads;
  long latency;
  double target_gain_db;      /* the dataset's (0: the device's output as it came) */
} sw_distill_info;
int sw_distill_report(const sw_distill_opts *o, const sw_distill_info *info, sw_distill_result *res, sw_err *err);

#endif
