/* Width schedules: parsing and the per-mini-batch draw (see schedule.h for the strings). */
#include "schedule.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SYNTAX "expected fixed[:C[/C..]], uniform, allowed[:LIST[/LIST..]], sandwich:N or sandwich-distill:N, optionally followed by ,boost"

/* A positive integer at *p (advances p); -1 if none. */
static long read_int(const char **p) {
  if (**p < '0' || **p > '9') return -1;
  errno = 0;
  char *end;
  long v = strtol(*p, &end, 10);
  if (errno || v > 1000000) return -1;
  *p = end;
  return v;
}

/* The widths of each array at slim value v over lists 1..C_i. */
static int full_list_width(int C, double v) {
  int j = (int)floor(v * C);
  return j < 0 ? 1 : (j >= C ? C : j + 1);
}

/* "c,c,c" for array i into s->list[i]; the string ends at '/' or the end. */
static int parse_list(const char *what, const char **p, const sw_net *net, int i, sw_schedule *s, sw_err *err) {
  int n = 0, C = net->arrays[i].channels;
  for (;;) {
    long v = read_int(p);
    if (v < 1) return sw_fail(err, SW_EUSAGE, "schedule \"%s\": array %d: expected a list of channel counts like 4,8,16", what, i);
    if (v > C) return sw_fail(err, SW_EUSAGE, "schedule \"%s\": array %d: %ld channels, but it has %d", what, i, v, C);
    if (n > 0 && v <= s->list[i][n - 1])
      return sw_fail(err, SW_EUSAGE, "schedule \"%s\": array %d: widths must rise strictly (%d then %ld)", what, i, s->list[i][n - 1], v);
    s->list[i][n++] = (int)v;
    if (**p != ',') break;
    (*p)++;
  }
  s->n_list[i] = n;
  return SW_OK;
}

static void net_lists(const sw_net *net, sw_schedule *s, bool full) {
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    s->n_list[i] = full ? a->channels : a->n_allowed;
    for (int j = 0; j < s->n_list[i]; j++) s->list[i][j] = full ? j + 1 : a->allowed[j];
  }
}

int sw_schedule_parse(const char *str, const sw_net *net, sw_schedule *out, sw_err *err) {
  memset(out, 0, sizeof *out);
  if (!str) str = "";
  if (strlen(str) >= sizeof out->str) return sw_fail(err, SW_EUSAGE, "schedule \"%.40s...\": too long", str);
  snprintf(out->str, sizeof out->str, "%s", str);
  char buf[sizeof out->str];
  snprintf(buf, sizeof buf, "%s", str);
  size_t n = strlen(buf);
  if (n >= 6 && !strcmp(buf + n - 6, ",boost")) {
    out->boost = true;
    buf[n - 6] = 0;
  }
  out->n_arrays = net->n_arrays;
  char *colon = strchr(buf, ':');
  const char *arg = colon ? colon + 1 : NULL;
  if (colon) *colon = 0;
  const char *kind = buf;
  int rc;
  if (!*kind || !strcmp(kind, "fixed")) {
    out->kind = SW_SCHED_FIXED;
    out->fixed = sw_net_full_widths(net);
    if (arg) {
      const char *p = arg;
      int i = 0;
      for (;; i++) {
        long v = read_int(&p);
        if (i >= net->n_arrays) return sw_fail(err, SW_EUSAGE, "schedule \"%s\": %d widths for %d layer arrays", str, i + 1, net->n_arrays);
        if (v < 1 || v > net->arrays[i].channels)
          return sw_fail(err, SW_EUSAGE, "schedule \"%s\": array %d: width must be 1..%d", str, i, net->arrays[i].channels);
        out->fixed.c[i] = (int)v;
        if (*p != '/') break;
        p++;
      }
      if (*p) return sw_fail(err, SW_EUSAGE, "schedule \"%s\": unexpected \"%s\" after the width", str, p);
      if (i == 0 && net->n_arrays > 1) {
        /* one width: the other arrays at the same slim value, the middle of its interval */
        double v = (out->fixed.c[0] - 0.5) / net->arrays[0].channels;
        for (int a = 1; a < net->n_arrays; a++) out->fixed.c[a] = full_list_width(net->arrays[a].channels, v);
      } else if (i + 1 != net->n_arrays)
        return sw_fail(err, SW_EUSAGE, "schedule \"%s\": %d widths for %d layer arrays", str, i + 1, net->n_arrays);
    }
  } else if (!strcmp(kind, "uniform")) {
    out->kind = SW_SCHED_UNIFORM;
    if (arg) return sw_fail(err, SW_EUSAGE, "schedule \"%s\": uniform takes no argument (allowed:LIST draws from a list)", str);
    net_lists(net, out, true);
  } else if (!strcmp(kind, "allowed")) {
    out->kind = SW_SCHED_ALLOWED;
    net_lists(net, out, false);
    if (arg) {
      const char *p = arg;
      int i = 0;
      for (;; i++) {
        if (i >= net->n_arrays) return sw_fail(err, SW_EUSAGE, "schedule \"%s\": %d lists for %d layer arrays", str, i + 1, net->n_arrays);
        if ((rc = parse_list(str, &p, net, i, out, err))) return rc;
        if (*p != '/') break;
        p++;
      }
      if (*p) return sw_fail(err, SW_EUSAGE, "schedule \"%s\": unexpected \"%s\" in the list", str, p);
      if (i == 0 && net->n_arrays > 1) {
        /* one list: scale it to every array, round(c * C_i / C_0), which must still rise */
        for (int a = 1; a < net->n_arrays; a++) {
          int Ca = net->arrays[a].channels, C0 = net->arrays[0].channels;
          out->n_list[a] = out->n_list[0];
          for (int j = 0; j < out->n_list[0]; j++) {
            int c = (int)floor((double)out->list[0][j] * Ca / C0 + 0.5);
            out->list[a][j] = c < 1 ? 1 : c;
            if (j > 0 && out->list[a][j] <= out->list[a][j - 1])
              return sw_fail(err, SW_EUSAGE, "schedule \"%s\": scaled to array %d (%d channels) the widths do not rise strictly; give its list after '/'", str, a, Ca);
          }
        }
      } else if (i + 1 != net->n_arrays)
        return sw_fail(err, SW_EUSAGE, "schedule \"%s\": %d lists for %d layer arrays", str, i + 1, net->n_arrays);
    }
  } else if (!strcmp(kind, "sandwich") || !strcmp(kind, "sandwich-distill")) {
    out->kind = !strcmp(kind, "sandwich") ? SW_SCHED_SANDWICH : SW_SCHED_SANDWICH_DISTILL;
    const char *p = arg ? arg : "";
    long v = read_int(&p);
    if (v < 0 || *p || v > SW_SCHED_MAX_RANDOM)
      return sw_fail(err, SW_EUSAGE, "schedule \"%s\": %s needs N, the random widths per step, 0..%d", str, kind, SW_SCHED_MAX_RANDOM);
    out->n_random = (int)v;
    net_lists(net, out, false);
  } else {
    return sw_fail(err, SW_EUSAGE, "schedule \"%s\": unknown kind \"%s\" (" SYNTAX ")", str, kind);
  }
  if (out->boost && out->kind != SW_SCHED_UNIFORM && out->kind != SW_SCHED_ALLOWED)
    return sw_fail(err, SW_EUSAGE, "schedule \"%s\": boost applies to uniform and allowed schedules only", str);
  return SW_OK;
}

int sw_schedule_max_substeps(const sw_schedule *s) {
  return s->kind == SW_SCHED_SANDWICH || s->kind == SW_SCHED_SANDWICH_DISTILL ? 2 + s->n_random : 1;
}

/* Widths at slim value u; frozen (boost) = the next smaller allowed width of each array. */
static sw_substep at_slim(const sw_schedule *s, double u, bool boost) {
  sw_substep st;
  memset(&st, 0, sizeof st);
  st.w.n = s->n_arrays;
  for (int i = 0; i < s->n_arrays; i++) {
    int n = s->n_list[i], j = (int)floor(u * n);
    j = j < 0 ? 0 : (j >= n ? n - 1 : j);
    st.w.c[i] = s->list[i][j];
    if (boost) {
      st.frozen.n = s->n_arrays;
      st.frozen.c[i] = j > 0 ? s->list[i][j - 1] : 0;
    }
  }
  return st;
}

int sw_schedule_step(sw_schedule *s, sw_rng *rng, sw_substep *out, int max) {
  int need = sw_schedule_max_substeps(s);
  if (max < need) return -1;
  s->n_steps++;
  switch (s->kind) {
  case SW_SCHED_FIXED:
    memset(&out[0], 0, sizeof out[0]);
    out[0].w = s->fixed;
    return 1;
  case SW_SCHED_UNIFORM:
  case SW_SCHED_ALLOWED:
    out[0] = at_slim(s, sw_rng_uniform(rng), s->boost);
    return 1;
  case SW_SCHED_SANDWICH:
  case SW_SCHED_SANDWICH_DISTILL: {
    bool distill = s->kind == SW_SCHED_SANDWICH_DISTILL;
    out[0] = at_slim(s, 1.0, false);
    out[1] = at_slim(s, 0.0, false);
    for (int k = 0; k < s->n_random; k++) out[2 + k] = at_slim(s, sw_rng_uniform(rng), false);
    if (distill) {
      out[0].flags = SW_SUB_TEACHER;
      for (int k = 1; k < need; k++) out[k].flags = SW_SUB_DISTILL;
    }
    return need;
  }
  }
  return -1;
}

bool sw_schedule_slimmable(const sw_schedule *s) { return s->kind != SW_SCHED_FIXED; }

int sw_schedule_apply_allowed(const sw_schedule *s, sw_net *net, sw_err *err) {
  if (!sw_schedule_slimmable(s)) return SW_OK;
  if (net->n_arrays != s->n_arrays) return sw_fail(err, SW_EUSAGE, "schedule \"%s\": made for %d layer arrays, net has %d", s->str, s->n_arrays, net->n_arrays);
  for (int i = 0; i < net->n_arrays; i++) {
    sw_array_cfg *a = &net->arrays[i];
    int *l = malloc(sizeof(int) * (size_t)s->n_list[i]);
    if (!l) return sw_fail(err, SW_ENOMEM, "out of memory (allowed widths)");
    memcpy(l, s->list[i], sizeof(int) * (size_t)s->n_list[i]);
    free(a->allowed);
    a->allowed = l;
    a->n_allowed = s->n_list[i];
    a->slimmable = true;
  }
  return SW_OK;
}
