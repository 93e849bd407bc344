/* Shared pieces of the slimwave command line: option parsing, number parsing, reporting. */
#ifndef SW_CLI_H
#define SW_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/backend.h"
#include "../core/err.h"
#include "../core/model.h"

typedef struct cli_opt {
  const char *name;   /* "--block" */
  const char **value; /* option with a value, or NULL */
  bool *flag;         /* flag without a value, or NULL */
} cli_opt;

/* Parses argv[1..] (argv[0] is the command name): options from opts, the rest positional.
   Accepts "--name value" and "--name=value". Returns SW_OK or SW_EUSAGE with a message. */
int cli_parse(int argc, char **argv, const cli_opt *opts, int nopts, const char **pos, int maxpos, int *npos, sw_err *err);
int cli_int(const char *opt, const char *s, long lo, long hi, long *out, sw_err *err);
int cli_double(const char *opt, const char *s, double lo, double hi, double *out, sw_err *err);
/* "8" or "16,8": one count per array. */
int cli_widths(const char *s, sw_widths *out, sw_err *err);
/* NULL name: the default (SLIMWAVE_BACKEND, else best usable); logs the choice to stderr. */
const sw_backend *cli_backend(const char *name, bool quiet, sw_err *err);
void cli_widths_str(const sw_widths *w, char *buf, int len);
/* --tiles FORWARD,BACKWARD: the training engine's time tiles (columns, each 1..65536). */
int cli_tiles(const char *s, int *forward, int *backward, sw_err *err);
bool cli_is_help(int argc, char **argv);
/* The plugin bundle this program was built with: <dir of slimwave>/lv2/slimwave.lv2 (file: a file
   in it, or NULL for the folder). Fails with a message when it is missing. */
int cli_lv2_bundle(const char *file, char *out, size_t len, sw_err *err);

/* Subcommands: argc/argv start at the subcommand's name. Return an exit code. */
int cmd_info(int argc, char **argv);
int cmd_process(int argc, char **argv);
int cmd_backends(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_train_bench(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_counters(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_provenance(int argc, char **argv);
int cmd_dataset(int argc, char **argv);
/* Repeatable "--set SYMBOL=VALUE" options (LV2 controls), taken out of argv (cmd_dataset.c). */
struct sw_lv2_set;
int cli_take_sets(int *argc, char **argv, struct sw_lv2_set *sets, int *nsets, sw_err *err);
int cmd_distill(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_lv2(int argc, char **argv);

#endif
