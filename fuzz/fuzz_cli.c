/* libFuzzer target: the command-line helpers of cli/cli.c. The input is split at NUL bytes into
   argv; cli_parse runs with a table like the subcommands' (value options and flags), then each
   value goes through cli_int, cli_double and cli_widths. Accepted numbers must be in range,
   refusals must be SW_EUSAGE with a one-line message. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../cli/cli.h"

#define MAXARG 24

static void check_refusal(int rc, const sw_err *err) {
  if (rc != SW_EUSAGE || !err->msg[0] || strchr(err->msg, '\n')) __builtin_trap();
}

static void numbers(const char *s) {
  sw_err err = {0};
  long l;
  int rc = cli_int("--block", s, 1, 1 << 20, &l, &err);
  if (rc == SW_OK) { if (l < 1 || l > (1 << 20)) __builtin_trap(); }
  else check_refusal(rc, &err);
  double d;
  rc = cli_double("--slim", s, 0.0, 1.0, &d, &err);
  if (rc == SW_OK) { if (!(d >= 0.0 && d <= 1.0)) __builtin_trap(); }
  else check_refusal(rc, &err);
  sw_widths w;
  rc = cli_widths(s, &w, &err);
  if (rc == SW_OK) {
    if (w.n < 1 || w.n > SW_MAX_ARRAYS) __builtin_trap();
    for (int i = 0; i < w.n; i++)
      if (w.c[i] < 1 || w.c[i] > SW_MAX_CHANNELS) __builtin_trap();
    char buf[64];
    cli_widths_str(&w, buf, sizeof buf);
  } else check_refusal(rc, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > 4096) return 0;
  char *buf = malloc(size + 1);
  memcpy(buf, data, size);
  buf[size] = 0;
  char *argv[MAXARG + 1];
  int argc = 0;
  argv[argc++] = "fuzz";
  for (size_t i = 0; i <= size && argc < MAXARG;) {
    argv[argc++] = buf + i;
    i += strlen(buf + i) + 1;
  }
  argv[argc] = NULL;
  (void)cli_is_help(argc, argv);
  const char *slim = NULL, *ch = NULL, *block = NULL, *be = NULL;
  bool fast = false, quiet = false;
  cli_opt opts[] = {{"--slim", &slim, NULL}, {"--channels", &ch, NULL}, {"--block", &block, NULL},
                    {"--backend", &be, NULL}, {"--fast-tanh", NULL, &fast}, {"--quiet", NULL, &quiet}};
  const char *pos[3];
  int npos = -1;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 6, pos, 3, &npos, &err);
  if (rc) check_refusal(rc, &err);
  else if (npos < 0 || npos > 3) __builtin_trap();
  const char *vals[] = {slim, ch, block, be};
  for (int i = 0; i < 4; i++)
    if (vals[i]) numbers(vals[i]);
  for (int i = 1; i < argc; i++) numbers(argv[i]);
  free(buf);
  return 0;
}
