/* A dataset: the dry input and wet output of one device at one setting, aligned (latency
   removed), with train and validation spans, described by a JSON manifest (datasets/README.md). */
#ifndef SW_DATASET_H
#define SW_DATASET_H

#include "../../core/err.h"

typedef struct sw_dataset {
  float *x, *y;             /* aligned input and output, n samples each */
  long n;
  int rate;
  long train_start, train_end; /* [start, end) sample spans into x/y */
  long val_start, val_end;
  long latency;             /* samples the output was shifted left by */
  double target_gain_db;    /* the output is the device's times this gain (a rendered device that
                               went above full scale; 0 dB otherwise): models trained on it play
                               that much quieter than the device */
  char name[128];
  char path[4096];          /* the manifest */
} sw_dataset;

/* Loads the manifest and its audio, applies latency and checks; a bad file is a one-line error. */
int sw_dataset_load(const char *manifest, sw_dataset *out, sw_err *err);
void sw_dataset_free(sw_dataset *d);

#endif
