/* slimwave provenance OUT.json [MANIFEST...]: the provenance record the harness writes beside
   every results folder (git commit, date, CPU, compiler, package versions, datasets, command). */
#include <stdio.h>

#include "../harness/provenance.h"
#include "cli.h"

int cmd_provenance(int argc, char **argv) {
  if (cli_is_help(argc, argv) || argc < 2) {
    fputs("usage: slimwave provenance OUT.json [MANIFEST.json ...]\n"
          "Writes the git commit, date, CPU model and flags, compiler, Debian package versions, the\n"
          "given dataset manifests and the command line as JSON.\n", argc < 2 ? stderr : stdout);
    return argc < 2 ? SW_EUSAGE : 0;
  }
  sw_err err = {0};
  int rc = sw_provenance_write(argv[1], argc, argv, (const char *const *)argv + 2, argc - 2, NULL, 0, &err);
  if (rc) fprintf(stderr, "slimwave provenance: %s\n", err.msg);
  return rc;
}
