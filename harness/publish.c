/* Publishing a run as the committed reference (see publish.h). */
#include "publish.h"

#include <dirent.h>
#include <errno.h>
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
  int rc = SW_OK;
  for (size_t i = 0; i < sizeof need / sizeof *need; i++) {
    snprintf(p, sizeof p, "%s/%s", R, need[i]);
    if (!exists(p)) return sw_fail(err, SW_EFAIL, "%s: no %s (run slimwave sweep collect and report first)", R, need[i]);
  }
  /* what a reference holds: rows/ and plots/, and the tables, results, provenance and recipe; not
     work/ (models, checkpoints) nor anything else a run's folder may gather (logs, plans) */
  char tmp[4200], old[4200];
  snprintf(tmp, sizeof tmp, "%s.publish.tmp", ref);
  snprintf(old, sizeof old, "%s.publish.old", ref);
  DIR *dir = opendir(R);
  if (!dir) return sw_fail(err, SW_EINPUT, "%s: cannot read: %s", R, strerror(errno));
  char **argv = calloc(4096, sizeof *argv);
  int na = 0;
  if (argv) {
    argv[na++] = "cp";
    argv[na++] = "-R";
    for (struct dirent *d; (d = readdir(dir)) && na < 4093;) {
      const char *ext = strrchr(d->d_name, '.');
      bool keep = !strcmp(d->d_name, "rows") || !strcmp(d->d_name, "plots") ||
                  (ext && (!strcmp(ext, ".csv") || !strcmp(ext, ".json") || !strcmp(ext, ".md") || !strcmp(ext, ".tex")));
      if (keep && asprintf(&argv[na], "%s/%s", R, d->d_name) > 0) na++;
    }
    argv[na++] = tmp;
  }
  closedir(dir);
  char *rm_tmp[] = {"rm", "-rf", tmp, old, NULL}, *mk[] = {"mkdir", "-p", tmp, NULL};
  rc = argv ? SW_OK : sw_fail(err, SW_ENOMEM, "out of memory");
  if (!rc && (sw_child_run(rm_tmp, NULL, err) || sw_child_run(mk, NULL, err) || sw_child_run(argv, NULL, err))) {
    rc = sw_fail(err, SW_EOUTPUT, "%s: cannot copy %s there: %s", ref, R, err->msg);
    sw_err e2;
    sw_child_run(rm_tmp, NULL, &e2);
  }
  for (int i = 2; argv && i < na - 1; i++) free(argv[i]);
  free(argv);
  if (rc) return rc;
  if (exists(ref) && rename(ref, old)) return sw_fail(err, SW_EOUTPUT, "%s: cannot move aside: %s", ref, strerror(errno));
  if (rename(tmp, ref)) return sw_fail(err, SW_EOUTPUT, "%s: cannot rename %s to it: %s", ref, tmp, strerror(errno));
  char *rm_old[] = {"rm", "-rf", old, NULL};
  return sw_child_run(rm_old, NULL, err) ? SW_EOUTPUT : SW_OK;
}
