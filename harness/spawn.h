/* Running slimwave's own subcommands (and tools like gnuplot) as child processes: each cell
   step is a separate, restartable program, as it would be on a cluster. */
#ifndef SW_SPAWN_H
#define SW_SPAWN_H

#include "../core/err.h"

/* The path of the running slimwave binary. */
const char *sw_self_exe(void);
/* Runs argv (argv[0] is looked up in PATH unless it contains '/'), stdout to out_path if
   non-NULL (written atomically, kept only on success). Returns the exit code, or -1 if it could
   not start (err set). */
int sw_child_run(char *const argv[], const char *out_path, sw_err *err);

#endif
