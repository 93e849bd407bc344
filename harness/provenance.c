/* Provenance JSON (see provenance.h). Versions come from dpkg-query, commit from git. */
#include "provenance.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../backends/cpu.h"
#include "../bench/bench.h"
#include "../core/atomic_file.h"
#include "../core/backend.h"

static void run_line(const char *cmd, char *buf, int len) {
  buf[0] = 0;
  FILE *p = popen(cmd, "r");
  if (!p) return;
  if (!fgets(buf, len, p)) buf[0] = 0;
  pclose(p);
  buf[strcspn(buf, "\n")] = 0;
}

void sw_git_commit(char *buf, int len) {
  char dirty[16];
  run_line("git rev-parse --short=12 HEAD 2>/dev/null", buf, len);
  if (!buf[0]) { snprintf(buf, (size_t)len, "unknown"); return; }
  /* dirty: a tracked file changed outside results/, which a run itself rewrites */
  run_line("git status --porcelain --untracked-files=no -- ':(top)' ':(top,exclude)results' 2>/dev/null | head -c1", dirty, sizeof dirty);
  if (dirty[0]) strncat(buf, "-dirty", (size_t)len - strlen(buf) - 1);
}

static const char *const packages[] = {"libopenblas0-pthread", "libopenblas0", "libdnnl2.6", "libdnnl2", "libsndfile1",
                                       "libcjson1", "libfftw3-single3", "libfftw3-double3", "libpapi7.0", "libsde1",
                                       "liblilv-0-0", "guitarix-lv2", "fluidsynth", "fluid-soundfont-gm", "gnuplot-nox",
                                       "libsamplerate0", "gcc", "linux-image-amd64"};

static void utc_now(char *buf, size_t len) {
  time_t now = time(NULL);
  strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
}

void sw_stamp_path(const char *rows_path, char *buf, int len) {
  size_t n = strlen(rows_path);
  if (n >= 4 && !strcmp(rows_path + n - 4, ".csv")) n -= 4;
  snprintf(buf, (size_t)len, "%.*s.stamp.json", (int)n, rows_path);
}

int sw_stamp_write(const char *rows_path, sw_err *err) {
  char path[4200], buf[512];
  sw_stamp_path(rows_path, path, sizeof path);
  cJSON *st = cJSON_CreateObject();
  snprintf(buf, sizeof buf, "%s", sw_bench_commit());
  if (!strcmp(buf, "unknown")) sw_git_commit(buf, sizeof buf);
  cJSON_AddStringToObject(st, "git_commit", buf);
  utc_now(buf, sizeof buf);
  cJSON_AddStringToObject(st, "date", buf);
  /* the machine too: a sweep's cells may run on several (sittings, hosts, a Slurm array) */
  cJSON_AddStringToObject(st, "cpu_model", sw_cpu_get()->model);
  sw_cpu_flags(buf, sizeof buf);
  cJSON_AddStringToObject(st, "cpu_flags", buf);
  /* the backend a child slimwave train or bench picks by default (the cell passes none) */
  const sw_backend *b = sw_backend_default(buf, sizeof buf);
  cJSON_AddStringToObject(st, "default_backend", b ? b->name : buf);
  cJSON_AddStringToObject(st, "compiler", "gcc " __VERSION__);
  char *text = cJSON_PrintUnformatted(st);
  cJSON_Delete(st);
  if (!text) return sw_fail(err, SW_ENOMEM, "out of memory");
  size_t n = strlen(text);
  text[n] = '\n'; /* over the terminator: n + 1 bytes are written, not a string */
  int rc = sw_write_file_atomic(path, text, n + 1, err);
  free(text);
  return rc;
}

/* Adds s to the array unless it is there already. */
static void add_distinct(cJSON *arr, const char *s) {
  const cJSON *it;
  cJSON_ArrayForEach(it, arr) if (!strcmp(it->valuestring, s)) return;
  cJSON_AddItemToArray(arr, cJSON_CreateString(s));
}

/* "cells": stamp path -> its JSON (or "no stamp"); "cell_commits" and "cell_cpus": the distinct
   commits and CPU models that made the rows. */
static void add_stamps(cJSON *root, const char *const *stamps, int n) {
  if (n <= 0) return;
  cJSON *cells = cJSON_AddObjectToObject(root, "cells"), *commits = cJSON_AddArrayToObject(root, "cell_commits");
  cJSON *cpus = cJSON_AddArrayToObject(root, "cell_cpus");
  for (int i = 0; i < n; i++) {
    char *text = NULL;
    size_t len;
    sw_err e2;
    cJSON *st = sw_read_file(stamps[i], 4096, &text, &len, &e2) ? NULL : cJSON_ParseWithLength(text, len);
    free(text);
    const cJSON *c = st ? cJSON_GetObjectItemCaseSensitive(st, "git_commit") : NULL;
    add_distinct(commits, cJSON_IsString(c) ? c->valuestring : "unknown (rows written before cells were stamped)");
    c = st ? cJSON_GetObjectItemCaseSensitive(st, "cpu_model") : NULL;
    add_distinct(cpus, cJSON_IsString(c) ? c->valuestring : "unknown (stamped before stamps named the CPU)");
    cJSON_AddItemToObject(cells, stamps[i], st ? st : cJSON_CreateString("no stamp"));
  }
}

int sw_provenance_write(const char *path, int argc, char **argv, const char *const *manifests, int n_manifests,
                        const char *const *stamps, int n_stamps, sw_err *err) {
  cJSON *root = cJSON_CreateObject();
  char buf[512];
  sw_git_commit(buf, sizeof buf);
  cJSON_AddStringToObject(root, "git_commit", buf);
  utc_now(buf, sizeof buf);
  cJSON_AddStringToObject(root, "date", buf);
  const sw_cpu *cpu = sw_cpu_get();
  cJSON_AddStringToObject(root, "cpu_model", cpu->model);
  sw_cpu_flags(buf, sizeof buf);
  cJSON_AddStringToObject(root, "cpu_flags", buf);
  run_line("nproc 2>/dev/null", buf, sizeof buf);
  cJSON_AddStringToObject(root, "cpus", buf);
  run_line("uname -srm 2>/dev/null", buf, sizeof buf);
  cJSON_AddStringToObject(root, "os", buf);
  cJSON_AddStringToObject(root, "compiler", "gcc " __VERSION__);
#ifdef SW_BUILD_FLAGS
  cJSON_AddStringToObject(root, "build_flags", SW_BUILD_FLAGS);
#endif
  cJSON *libs = cJSON_AddObjectToObject(root, "packages");
  for (size_t i = 0; i < sizeof packages / sizeof *packages; i++) {
    char cmd[256];
    snprintf(cmd, sizeof cmd, "dpkg-query -W -f='${Version}' %s 2>/dev/null", packages[i]);
    run_line(cmd, buf, sizeof buf);
    if (buf[0]) cJSON_AddStringToObject(libs, packages[i], buf);
  }
  cJSON *cmd = cJSON_AddArrayToObject(root, "command_line");
  for (int i = 0; i < argc; i++) cJSON_AddItemToArray(cmd, cJSON_CreateString(argv[i]));
  cJSON *ds = cJSON_AddObjectToObject(root, "datasets");
  for (int i = 0; i < n_manifests; i++) {
    char *text;
    size_t n;
    sw_err e2;
    if (sw_read_file(manifests[i], 1 << 20, &text, &n, &e2)) continue;
    cJSON *m = cJSON_ParseWithLength(text, n);
    free(text);
    if (m) cJSON_AddItemToObject(ds, manifests[i], m);
  }
  add_stamps(root, stamps, n_stamps);
  char *out = cJSON_Print(root);
  cJSON_Delete(root);
  if (!out) return sw_fail(err, SW_ENOMEM, "out of memory");
  int rc = sw_write_file_atomic(path, out, strlen(out), err);
  free(out);
  return rc;
}

int sw_provenance_cell_cpus(const char *path, const char *part, char *buf, int len) {
  buf[0] = 0;
  char *text = NULL;
  size_t n;
  sw_err e2;
  cJSON *root = sw_read_file(path, 64 << 20, &text, &n, &e2) ? NULL : cJSON_ParseWithLength(text, n);
  free(text);
  const cJSON *cells = root ? cJSON_GetObjectItemCaseSensitive(root, "cells") : NULL, *it;
  cJSON *seen = cJSON_CreateArray();
  cJSON_ArrayForEach(it, cells) {
    if (!it->string || !strstr(it->string, part)) continue;
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "cpu_model");
    add_distinct(seen, cJSON_IsString(c) ? c->valuestring : "an unrecorded CPU");
  }
  int k = 0;
  cJSON_ArrayForEach(it, seen) {
    if (k >= len - 1) break;
    k += snprintf(buf + k, (size_t)(len - k), "%s%s", k ? "; " : "", it->valuestring);
  }
  int count = cJSON_GetArraySize(seen);
  cJSON_Delete(seen);
  cJSON_Delete(root);
  return count;
}
