/* The one results schema (documented in results/README.md): tidy CSV, one measurement per row. */
#ifndef SW_ROWS_H
#define SW_ROWS_H

#include <stddef.h>

#include "../core/err.h"

#define SW_ROWS_HEADER \
  "experiment,profile,cell,dataset,tone,model,arch,schedule,seed,channels,width_pct,macs_per_sample,metric,value,backend,block,epoch,note"
#define SW_ROWS_FIELDS 18

/* What every row of one cell and width shares. */
typedef struct sw_row_ctx {
  const char *experiment, *profile, *cell, *dataset, *tone, *model, *arch, *schedule;
  int seed;
  char channels[64];
  double width_pct;
  long macs;
} sw_row_ctx;

typedef struct sw_rows {
  char *buf;
  size_t len, cap;
  int n;
} sw_rows;

/* value NaN is written as NA (note says why); backend NULL, block/epoch < 0 are empty. */
void sw_rows_add(sw_rows *r, const sw_row_ctx *c, const char *metric, double value, const char *backend, int block,
                 int epoch, const char *note);
int sw_rows_save(const sw_rows *r, const char *path, sw_err *err);
void sw_rows_free(sw_rows *r);
/* Checks a rows file: header, field count, numeric-or-NA values. Returns rows in *n. */
int sw_rows_check(const char *path, int *n, sw_err *err);

/* Splits one CSV line (no quoting: fields never contain commas) into at most max fields. */
int sw_csv_split(char *line, char **fields, int max);

/* The same for CSV from other programs: "quoted, fields" and "" escapes (in place). */
int sw_csv_split_quoted(char *line, char **fields, int max);

#endif
