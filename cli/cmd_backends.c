/* slimwave backends: what is compiled in, what this CPU can run, and the default choice. */
#include <stdio.h>

#include "../backends/cpu.h"
#include "cli.h"

int cmd_backends(int argc, char **argv) {
  if (cli_is_help(argc, argv)) {
    puts("usage: slimwave backends\nLists compiled-in backends, whether this CPU can run each, and the default\n"
         "choice (SLIMWAVE_BACKEND=name overrides it).");
    return 0;
  }
  if (argc > 1) { fprintf(stderr, "slimwave backends: unexpected argument \"%s\"\n", argv[1]); return SW_EUSAGE; }
  char flags[256], why[256];
  sw_cpu_flags(flags, sizeof flags);
  printf("cpu: %s\nfeatures: %s\n", sw_cpu_get()->model, flags);
  printf("%-8s %-16s %s\n", "backend", "isa", "usable");
  for (int i = 0; i < sw_backend_count(); i++) {
    const sw_backend *b = sw_backend_at(i);
    printf("%-8s %-16s %s\n", b->name, b->isa, sw_backend_is_usable(b) ? "yes" : "no");
  }
  const sw_backend *d = sw_backend_default(why, sizeof why);
  printf("default: %s\n", d ? why : why);
  return d ? 0 : SW_EUSAGE;
}
