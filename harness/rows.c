/* Writing and checking result rows. Fields are sanitised so they never contain commas. */
#include "rows.h"

#include <math.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/atomic_file.h"

static void put(sw_rows *r, const char *fmt, ...) {
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    size_t room = r->cap - r->len;
    int k = vsnprintf(r->buf ? r->buf + r->len : NULL, r->buf ? room : 0, fmt, ap);
    va_end(ap);
    if (r->buf && (size_t)k < room) { r->len += (size_t)k; return; }
    size_t cap = (r->cap ? r->cap * 2 : 4096) + (size_t)k;
    char *nb = realloc(r->buf, cap);
    if (!nb) abort(); /* rows are small; running out here is not recoverable */
    r->buf = nb;
    r->cap = cap;
  }
}

/* Copies s with commas and newlines replaced, so a field can never break the CSV. */
static const char *clean(const char *s, char *tmp, size_t n) {
  if (!s) return "";
  size_t i = 0;
  for (; s[i] && i + 1 < n; i++) tmp[i] = (s[i] == ',' || s[i] == '\n' || s[i] == '\r') ? ';' : s[i];
  tmp[i] = 0;
  return tmp;
}

void sw_rows_add(sw_rows *r, const sw_row_ctx *c, const char *metric, double value, const char *backend, int block,
                 int epoch, const char *note) {
  char t[10][256], v[32], b[16] = "", e[16] = "";
  if (isnan(value)) snprintf(v, sizeof v, "NA");
  else snprintf(v, sizeof v, "%.9g", value);
  if (block >= 0) snprintf(b, sizeof b, "%d", block);
  if (epoch >= 0) snprintf(e, sizeof e, "%d", epoch);
  char ch[64];
  snprintf(ch, sizeof ch, "%s", c->channels);
  for (char *p = ch; *p; p++) if (*p == ',') *p = ' '; /* "16 8": one field */
  if (!r->n && !r->len) put(r, "%s\n", SW_ROWS_HEADER);
  put(r, "%s,%s,%s,%s,%s,%s,%s,%s,%d,%s,%.4g,%ld,%s,%s,%s,%s,%s,%s\n", clean(c->experiment, t[0], 256),
      clean(c->profile, t[1], 256), clean(c->cell, t[2], 256), clean(c->dataset, t[3], 256), clean(c->tone, t[4], 256),
      clean(c->model, t[5], 256), clean(c->arch, t[6], 256), clean(c->schedule, t[7], 256), c->seed, ch, c->width_pct,
      c->macs, clean(metric, t[8], 256), v, backend ? backend : "", b, e, note ? clean(note, t[9], 256) : "");
  r->n++;
}

int sw_rows_save(const sw_rows *r, const char *path, sw_err *err) {
  return sw_write_file_atomic(path, r->buf ? r->buf : "", r->len, err);
}

void sw_rows_free(sw_rows *r) {
  free(r->buf);
  memset(r, 0, sizeof *r);
}

int sw_csv_split(char *line, char **fields, int max) {
  int n = 0;
  char *p = line;
  for (;;) {
    if (n < max) fields[n] = p;
    n++;
    char *c = strchr(p, ',');
    if (!c) break;
    *c = 0;
    p = c + 1;
  }
  return n;
}

int sw_csv_split_quoted(char *line, char **fields, int max) {
  int n = 0;
  char *r = line, *w = line;
  for (;;) {
    if (n < max) fields[n] = w;
    n++;
    bool q = *r == '"';
    if (q) r++;
    for (; *r; r++) {
      if (q && *r == '"') {
        if (r[1] == '"') { *w++ = '"'; r++; continue; }
        q = false;
        continue;
      }
      if (!q && *r == ',') break;
      *w++ = *r;
    }
    bool more = *r == ',';
    *w++ = 0;
    if (!more) break;
    r++;
  }
  return n;
}

int sw_rows_check(const char *path, int *n, sw_err *err) {
  char *text;
  size_t len;
  *n = 0;
  int rc = sw_read_file(path, 256u << 20, &text, &len, err);
  if (rc) return rc;
  char *save = NULL, *line = strtok_r(text, "\n", &save);
  if (!line || strcmp(line, SW_ROWS_HEADER)) { free(text); return sw_fail(err, SW_EINPUT, "%s: not a results file (header differs)", path); }
  int lineno = 1;
  while ((line = strtok_r(NULL, "\n", &save))) {
    lineno++;
    char *f[SW_ROWS_FIELDS + 1];
    int k = sw_csv_split(line, f, SW_ROWS_FIELDS + 1);
    if (k != SW_ROWS_FIELDS) { free(text); return sw_fail(err, SW_EINPUT, "%s: line %d: %d fields, expected %d (corrupted row)", path, lineno, k, SW_ROWS_FIELDS); }
    char *end;
    if (strcmp(f[13], "NA")) {
      double v = strtod(f[13], &end);
      if (end == f[13] || *end || !isfinite(v)) { free(text); return sw_fail(err, SW_EINPUT, "%s: line %d: value \"%s\" is not a number or NA", path, lineno, f[13]); }
    }
    if (!f[12][0] || !f[2][0]) { free(text); return sw_fail(err, SW_EINPUT, "%s: line %d: empty cell or metric", path, lineno); }
    (*n)++;
  }
  free(text);
  if (!*n) return sw_fail(err, SW_EINPUT, "%s: no rows", path);
  return SW_OK;
}
