/* libFuzzer target: the experiment file (harness/experiment.c) on arbitrary bytes, loaded with
   each profile and data family a run can ask for, then expanded into cells and looked up by id
   as `slimwave sweep` does. A refusal must be one SW_EINPUT/SW_EUSAGE/SW_ENOMEM line; an
   accepted file must expand into cells whose indices are inside the experiment. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../harness/experiment.h"

static char path[256];

static void cleanup(void) { unlink(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!path[0]) {
    const char *t = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/sw_fuzz_exp_XXXXXX", t && *t ? t : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) abort();
    close(fd);
    atexit(cleanup);
  }
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
  static const char *profiles[] = {NULL, "smoke", "full"}, *families[] = {NULL, "captured"};
  static sw_experiment e;
  static sw_cell cells[SW_EXP_MAX_CELLS];
  sw_err err = {0};
  int rc = sw_experiment_load(path, profiles[size % 3], families[(size / 3) % 2], &e, &err);
  if (rc) {
    if (rc != SW_EINPUT && rc != SW_EUSAGE && rc != SW_ENOMEM) __builtin_trap();
    if (!err.msg[0] || strchr(err.msg, '\n')) __builtin_trap();
    return 0;
  }
  int n = sw_experiment_cells(&e, cells, SW_EXP_MAX_CELLS);
  if (n < 0 || n > SW_EXP_MAX_CELLS) __builtin_trap();
  int nd = sw_experiment_n_datasets(&e);
  if (nd < 0 || nd > e.n_datasets) __builtin_trap();
  char buf[4096];
  sw_experiment_results_dir(&e, buf, sizeof buf);
  for (int i = 0; i < n; i++) {
    const sw_cell *c = &cells[i];
    if (c->model < 0 || c->model >= e.n_models) __builtin_trap();
    if (!c->bench && (c->dataset < 0 || c->dataset >= e.n_datasets)) __builtin_trap();
    if (c->bench) sw_cell_train_id(&e, c, buf, sizeof buf);
    sw_cell found;
    if (sw_experiment_find_cell(&e, c->id, &found) != 0) __builtin_trap();
  }
  return 0;
}
