/* slimwave init --arch standard|lite|feather|nano|paper|CONFIG.json --out MODEL.nam [--seed N]
   An untrained model (PyTorch-style random init): what timing and counting runs need when no
   trained model of that architecture is at hand. */
#include <stdio.h>

#include "../core/nam_file.h"
#include "../train/init.h"
#include "cli.h"

int cmd_init(int argc, char **argv) {
  if (cli_is_help(argc, argv)) {
    printf("usage: slimwave init --arch %s|CONFIG.json --out MODEL.nam [--seed N]\n"
           "Writes an untrained model of that architecture (PyTorch-style random init) for timing.\n", sw_preset_names());
    return 0;
  }
  const char *arch = NULL, *out = NULL, *seed_s = NULL;
  cli_opt opts[] = {{"--arch", &arch, NULL}, {"--out", &out, NULL}, {"--seed", &seed_s, NULL}};
  const char *pos[1];
  int npos;
  long seed = 1;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 3, pos, 0, &npos, &err);
  if (!rc && (!arch || !out)) rc = sw_fail(&err, SW_EUSAGE, "--arch and --out are required");
  if (!rc && seed_s) rc = cli_int("--seed", seed_s, 0, 1L << 40, &seed, &err);
  sw_net net = {0};
  sw_model m = {0};
  if (!rc) rc = sw_arch_load(arch, &net, &err);
  if (!rc) {
    sw_rng rng;
    sw_rng_seed(&rng, (uint64_t)seed);
    rc = sw_net_init(&net, SW_INIT_STANDARD, &rng, &err);
  }
  if (!rc) rc = sw_model_from_net(&net, &m, &err);
  if (!rc) rc = sw_model_save(&m, out, &err);
  if (rc) fprintf(stderr, "slimwave init: %s\n", err.msg);
  sw_model_free(&m);
  sw_net_free(&net);
  return rc;
}
