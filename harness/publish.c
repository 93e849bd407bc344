/* Publishing a run as the committed reference (see publish.h). */
#include "publish.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cell.h"
#include "spawn.h"

static bool exists(const char *p) {
  struct stat st;
  return stat(p, &st) == 0;
}

int sw_sweep_publish(const sw_experiment *e, const char *R, const char *ref, sw_err *err) {
  if (!strcmp(R, ref)) return sw_fail(err, SW_EUSAGE, "%s is the reference folder itself", R);
  sw_cell *cells = malloc(sizeof(sw_cell) * SW_EXP_MAX_CELLS);
  if (!cells) return sw_fail(err, SW_ENOMEM, "out of memory");
  int n = sw_experiment_cells(e, cells, SW_EXP_MAX_CELLS), missing = 0;
  char p[4400], first[256] = "";
  for (int i = 0; i < n && i < SW_EXP_MAX_CELLS; i++) {
    sw_cell_rows_path(R, &cells[i], p, sizeof p);
    if (!exists(p) && !missing++) snprintf(first, sizeof first, "%s", cells[i].id);
  }
  free(cells);
  if (missing) return sw_fail(err, SW_EFAIL, "%s: %d cells not run yet (%s first); only a whole run is published", R, missing, first);
  static const char *const need[] = {"results.csv", "recipe.json", "provenance.json"};
  for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
    snprintf(p, sizeof p, "%s/%s", R, need[i]);
    if (!exists(p)) return sw_fail(err, SW_EFAIL, "%s: no %s (run slimwave sweep collect and report first)", R, need[i]);
  }
  /* copy beside the reference, drop the work folder, then swap it in */
  char tmp[4200], old[4200], parent[4200];
  snprintf(tmp, sizeof tmp, "%s.publish.tmp", ref);
  snprintf(old, sizeof old, "%s.publish.old", ref);
  snprintf(parent, sizeof parent, "%s", ref);
  char *slash = strrchr(parent, '/');
  if (slash) *slash = 0;
  char *rm_tmp[] = {"rm", "-rf", tmp, old, NULL}, *mk[] = {"mkdir", "-p", parent, NULL};
  char *cp[] = {"cp", "-R", (char *)R, tmp, NULL};
  snprintf(p, sizeof p, "%s/work", tmp);
  char *rm_work[] = {"rm", "-rf", p, NULL};
  if (sw_child_run(rm_tmp, NULL, err) || (slash && sw_child_run(mk, NULL, err)) || sw_child_run(cp, NULL, err) ||
      sw_child_run(rm_work, NULL, err))
    return sw_fail(err, SW_EOUTPUT, "%s: cannot copy %s there: %s", ref, R, err->msg);
  if (exists(ref) && rename(ref, old)) return sw_fail(err, SW_EOUTPUT, "%s: cannot move aside", ref);
  if (rename(tmp, ref)) return sw_fail(err, SW_EOUTPUT, "%s: cannot rename %s to it", ref, tmp);
  char *rm_old[] = {"rm", "-rf", old, NULL};
  return sw_child_run(rm_old, NULL, err) ? SW_EOUTPUT : SW_OK;
}
