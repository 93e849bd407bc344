/* Option parsing and number checking shared by the subcommands. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libgen.h>
#include <limits.h>
#include <unistd.h>

int cli_lv2_bundle(const char *file, char *out, size_t len, sw_err *err) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return sw_fail(err, SW_EFAIL, "cannot find the slimwave program's folder");
  exe[n] = 0;
  snprintf(out, len, "%s/lv2/slimwave.lv2%s%s", dirname(exe), file ? "/" : "", file ? file : "");
  if (access(out, R_OK)) return sw_fail(err, SW_EFAIL, "%s: the LV2 plugin is missing (build it with make)", out);
  return SW_OK;
}

bool cli_is_help(int argc, char **argv) {
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return true;
  return false;
}

int cli_parse(int argc, char **argv, const cli_opt *opts, int nopts, const char **pos, int maxpos, int *npos, sw_err *err) {
  *npos = 0;
  for (int i = 1; i < argc; i++) {
    const char *arg = argv[i];
    if (arg[0] == '-' && arg[1] == '-' && arg[2]) {
      const char *eq = strchr(arg, '=');
      size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
      const cli_opt *o = NULL;
      for (int j = 0; j < nopts; j++)
        if (strlen(opts[j].name) == len && !strncmp(opts[j].name, arg, len)) o = &opts[j];
      if (!o) return sw_fail(err, SW_EUSAGE, "%s: unknown option %.*s (see --help)", argv[0], (int)len, arg);
      if (o->flag) {
        if (eq) return sw_fail(err, SW_EUSAGE, "%s: %s takes no value", argv[0], o->name);
        *o->flag = true;
      } else if (eq) {
        *o->value = eq + 1;
      } else {
        if (i + 1 >= argc) return sw_fail(err, SW_EUSAGE, "%s: %s needs a value", argv[0], o->name);
        *o->value = argv[++i];
      }
    } else {
      if (*npos >= maxpos) return sw_fail(err, SW_EUSAGE, "%s: unexpected argument \"%s\" (see --help)", argv[0], arg);
      pos[(*npos)++] = arg;
    }
  }
  return SW_OK;
}

int cli_int(const char *opt, const char *s, long lo, long hi, long *out, sw_err *err) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end) return sw_fail(err, SW_EUSAGE, "%s: \"%s\" is not an integer", opt, s);
  if (v < lo || v > hi) return sw_fail(err, SW_EUSAGE, "%s: %ld out of range %ld..%ld", opt, v, lo, hi);
  *out = v;
  return SW_OK;
}

int cli_double(const char *opt, const char *s, double lo, double hi, double *out, sw_err *err) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (errno || end == s || *end || !isfinite(v)) return sw_fail(err, SW_EUSAGE, "%s: \"%s\" is not a number", opt, s);
  if (v < lo || v > hi) return sw_fail(err, SW_EUSAGE, "%s: %g outside [%g, %g]", opt, v, lo, hi);
  *out = v;
  return SW_OK;
}

int cli_widths(const char *s, sw_widths *out, sw_err *err) {
  out->n = 0;
  const char *p = s;
  for (;;) {
    char *end;
    errno = 0;
    long v = strtol(p, &end, 10);
    if (errno || end == p || (*end && *end != ',')) return sw_fail(err, SW_EUSAGE, "--channels: \"%s\" is not a list of channel counts", s);
    if (out->n >= SW_MAX_ARRAYS) return sw_fail(err, SW_EUSAGE, "--channels: too many entries");
    if (v < 1 || v > SW_MAX_CHANNELS) return sw_fail(err, SW_EUSAGE, "--channels: %ld out of range 1..%d", v, SW_MAX_CHANNELS);
    out->c[out->n++] = (int)v;
    if (!*end) break;
    p = end + 1;
  }
  return SW_OK;
}

const sw_backend *cli_backend(const char *name, bool quiet, sw_err *err) {
  char why[256];
  const sw_backend *b;
  if (name) {
    b = sw_backend_find(name);
    if (!b) { sw_fail(err, SW_EUSAGE, "--backend: no backend \"%s\" in this build (see slimwave backends)", name); return NULL; }
    if (!sw_backend_is_usable(b)) { sw_fail(err, SW_EUSAGE, "--backend: %s cannot run on this CPU", name); return NULL; }
    snprintf(why, sizeof why, "backend %s (from --backend)", b->name);
  } else {
    b = sw_backend_default(why, sizeof why);
    if (!b) { sw_fail(err, SW_EUSAGE, "%s", why); return NULL; }
  }
  if (!quiet) fprintf(stderr, "slimwave: %s\n", why);
  return b;
}

void cli_widths_str(const sw_widths *w, char *buf, int len) {
  int n = 0;
  buf[0] = 0;
  for (int i = 0; i < w->n && n < len; i++) n += snprintf(buf + n, (size_t)(len - n), "%s%d", i ? "," : "", w->c[i]);
}

int cli_tiles(const char *s, int *forward, int *backward, sw_err *err) {
  int f = 0, b = 0, n = 0;
  if (sscanf(s, "%d,%d%n", &f, &b, &n) != 2 || s[n] || f < 1 || b < 1 || f > 65536 || b > 65536)
    return sw_fail(err, SW_EUSAGE, "--tiles \"%s\": expected FORWARD,BACKWARD columns, each 1..65536", s);
  *forward = f;
  *backward = b;
  return SW_OK;
}
