/* Width schedules: parsing (and one-line refusals), the distributions of the draws for a
   fixed seed within statistical bounds, multi-array widths from one slim value, boosting's
   frozen widths, sandwich sub-steps, and that the allowed lists written into the net give
   the same widths through sw_net_widths_for_slim. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../train/init.h"
#include "../train/schedule.h"
#include "check.h"

static void refused(const sw_net *net, const char *s, const char *needle) {
  sw_schedule sc;
  sw_err err = {0};
  int rc = sw_schedule_parse(s, net, &sc, &err);
  CHECK(rc == SW_EUSAGE && strstr(err.msg, s) && strstr(err.msg, needle) && !strchr(err.msg, '\n'),
        "\"%s\" should be refused mentioning \"%s\": rc %d, \"%s\"", s, needle, rc, err.msg);
}

static sw_schedule parse(const sw_net *net, const char *s) {
  sw_schedule sc;
  sw_err err;
  int rc = sw_schedule_parse(s, net, &sc, &err);
  CHECK(rc == 0, "parse \"%s\": %s", s, rc ? err.msg : "");
  return sc;
}

/* |count - n p| within 5 standard deviations (a false alarm ~ 1e-6 per check) */
static int within(long count, long n, double p) {
  return fabs((double)count - n * p) <= 5 * sqrt(n * p * (1 - p));
}

static void parsing(const sw_net *std, const sw_net *paper) {
  refused(std, "bogus", "unknown kind");
  refused(std, "fixed:0", "1..16");
  refused(std, "fixed:17", "1..16");
  refused(std, "fixed:8/9", "1..8");
  refused(std, "fixed:8/4/2", "arrays");
  refused(std, "fixed:8x", "unexpected");
  refused(std, "uniform:3", "no argument");
  refused(std, "allowed:4,3", "rise");
  refused(std, "allowed:4,,8", "list");
  refused(std, "allowed:1,2,3,4", "do not rise");
  refused(std, "allowed:4,8/2,4,8/1", "arrays");
  refused(paper, "allowed:2,4,9", "it has 8");
  refused(std, "sandwich", "needs N");
  refused(std, "sandwich:x", "needs N");
  refused(std, "sandwich:99", "needs N");
  refused(std, "fixed,boost", "boost");
  refused(std, "sandwich:2,boost", "boost");

  sw_schedule s = parse(std, "fixed");
  CHECK(s.fixed.c[0] == 16 && s.fixed.c[1] == 8, "fixed = full width");
  s = parse(std, "");
  CHECK(s.kind == SW_SCHED_FIXED && s.fixed.c[0] == 16, "empty string = fixed");
  s = parse(std, "fixed:8");
  CHECK(s.fixed.c[0] == 8 && s.fixed.c[1] == 4, "fixed:8 on standard -> 8/4, got %d/%d", s.fixed.c[0], s.fixed.c[1]);
  s = parse(std, "fixed:1");
  CHECK(s.fixed.c[0] == 1 && s.fixed.c[1] == 1, "fixed:1 -> 1/1, got %d/%d", s.fixed.c[0], s.fixed.c[1]);
  s = parse(std, "fixed:8/2");
  CHECK(s.fixed.c[0] == 8 && s.fixed.c[1] == 2, "fixed:8/2");
  s = parse(std, "allowed:4,8,16");
  CHECK(s.n_list[1] == 3 && s.list[1][0] == 2 && s.list[1][1] == 4 && s.list[1][2] == 8, "allowed:4,8,16 scales to 2,4,8 on array 1");
  s = parse(std, "allowed:4,8,16,boost");
  CHECK(s.boost && s.n_list[0] == 3, "boost suffix");
  s = parse(std, "allowed:3,16/1,8");
  CHECK(s.n_list[0] == 2 && s.n_list[1] == 2 && s.list[1][0] == 1, "one list per array");
  s = parse(std, "sandwich-distill:3");
  CHECK(s.kind == SW_SCHED_SANDWICH_DISTILL && sw_schedule_max_substeps(&s) == 5, "sandwich-distill:3 has 5 sub-steps");
  CHECK(!strcmp(s.str, "sandwich-distill:3"), "string kept for checkpoints");
}

static void distributions(const sw_net *std, const sw_net *paper) {
  sw_rng r;
  sw_rng_seed(&r, 2024);
  sw_substep st[8];
  const long N = 80000;

  /* the paper: c' uniform in 1..8 */
  sw_schedule s = parse(paper, "uniform");
  long cnt[SW_MAX_CHANNELS + 1] = {0};
  for (long i = 0; i < N; i++) {
    int k = sw_schedule_step(&s, &r, st, 8);
    if (k != 1 || st[0].w.n != 1 || st[0].frozen.n != 0) { CHECK(0, "uniform sub-step"); break; }
    cnt[st[0].w.c[0]]++;
  }
  int ok = 1;
  for (int c = 1; c <= 8; c++) ok &= within(cnt[c], N, 1.0 / 8);
  CHECK(ok, "uniform on paper: counts %ld %ld %ld %ld %ld %ld %ld %ld not all within 5 sigma of %ld",
        cnt[1], cnt[2], cnt[3], cnt[4], cnt[5], cnt[6], cnt[7], cnt[8], N / 8);
  CHECK(s.n_steps == N, "n_steps counts mini-batches");

  /* multi-array: one slim value for both arrays, c1 = ceil(c0 / 2) on 16/8 */
  s = parse(std, "uniform");
  memset(cnt, 0, sizeof cnt);
  int tied = 1;
  for (long i = 0; i < N; i++) {
    sw_schedule_step(&s, &r, st, 8);
    tied &= st[0].w.n == 2 && st[0].w.c[1] == (st[0].w.c[0] + 1) / 2;
    cnt[st[0].w.c[0]]++;
  }
  ok = 1;
  for (int c = 1; c <= 16; c++) ok &= within(cnt[c], N, 1.0 / 16);
  CHECK(tied, "standard uniform: array 1 width follows array 0 by the same slim value");
  CHECK(ok, "standard uniform: array 0 widths uniform over 1..16");

  /* NAM's list with boosting: 2,4,8 each 1/3, frozen = the next smaller allowed width */
  s = parse(paper, "allowed:2,4,8,boost");
  memset(cnt, 0, sizeof cnt);
  int fz = 1;
  for (long i = 0; i < N; i++) {
    sw_schedule_step(&s, &r, st, 8);
    int c = st[0].w.c[0], f = st[0].frozen.c[0];
    fz &= st[0].frozen.n == 1 && f == (c == 2 ? 0 : c / 2);
    cnt[c]++;
  }
  CHECK(within(cnt[2], N, 1.0 / 3) && within(cnt[4], N, 1.0 / 3) && within(cnt[8], N, 1.0 / 3) && cnt[2] + cnt[4] + cnt[8] == N,
        "allowed:2,4,8 counts %ld %ld %ld", cnt[2], cnt[4], cnt[8]);
  CHECK(fz, "boost: frozen width is the next smaller allowed one (0 at the smallest)");

  /* sandwich: largest, smallest, then N random from the allowed lists */
  s = parse(std, "sandwich:2");
  long mid = 0;
  int order = 1;
  for (long i = 0; i < N / 10; i++) {
    int k = sw_schedule_step(&s, &r, st, 8);
    order &= k == 4 && st[0].w.c[0] == 16 && st[0].w.c[1] == 8 && st[1].w.c[0] == 1 && st[1].w.c[1] == 1;
    order &= st[0].flags == 0 && st[2].flags == 0 && st[2].w.c[1] == (st[2].w.c[0] + 1) / 2;
    mid += st[2].w.c[0] <= 8;
  }
  CHECK(order, "sandwich:2 sub-steps: 16/8, 1/1, then random widths tied by slim value");
  CHECK(within(mid, N / 10, 0.5), "sandwich random widths: %ld of %ld at or below half", mid, N / 10);
  s = parse(std, "sandwich-distill:1");
  int k = sw_schedule_step(&s, &r, st, 8);
  CHECK(k == 3 && st[0].flags == SW_SUB_TEACHER && st[1].flags == SW_SUB_DISTILL && st[2].flags == SW_SUB_DISTILL, "distill flags");
  CHECK(sw_schedule_step(&s, &r, st, 2) == -1, "too small an output array is refused");

  /* same seed, same draws */
  sw_rng a, b;
  sw_rng_seed(&a, 9);
  sw_rng_seed(&b, 9);
  sw_schedule s1 = parse(std, "allowed:4,8,16"), s2 = s1;
  int same = 1;
  for (int i = 0; i < 1000; i++) {
    sw_substep x, y;
    sw_schedule_step(&s1, &a, &x, 1);
    sw_schedule_step(&s2, &b, &y, 1);
    same &= x.w.c[0] == y.w.c[0] && x.w.c[1] == y.w.c[1];
  }
  CHECK(same, "deterministic for a seed");
}

/* The lists written into the net reproduce the schedule's widths through the core's
   slim-value rule (what export and validation use). */
static void apply(const sw_net *std) {
  sw_net net;
  sw_err err;
  CHECK(sw_net_copy(std, &net, &err) == 0, "copy");
  sw_schedule s = parse(std, "allowed:4,8,16");
  CHECK(sw_schedule_slimmable(&s), "allowed is slimmable");
  CHECK(sw_schedule_apply_allowed(&s, &net, &err) == 0, "apply: %s", err.msg);
  CHECK(net.arrays[0].n_allowed == 3 && net.arrays[1].allowed[2] == 8 && net.arrays[1].slimmable, "lists written");
  long n;
  CHECK(sw_net_check(&net, "applied", &n, &err) == 0, "net still valid: %s", err.msg);
  sw_rng r, q;
  sw_rng_seed(&r, 77);
  int same = 1;
  for (int i = 0; i < 2000; i++) {
    q = r;
    double u = sw_rng_uniform(&q);
    sw_substep st;
    sw_schedule_step(&s, &r, &st, 1);
    sw_widths w = sw_net_widths_for_slim(&net, u);
    same &= w.c[0] == st.w.c[0] && w.c[1] == st.w.c[1];
  }
  CHECK(same, "schedule widths = sw_net_widths_for_slim on the applied net");
  sw_schedule f = parse(std, "fixed:8");
  CHECK(!sw_schedule_slimmable(&f), "fixed is not slimmable");
  sw_net_free(&net);
}

int main(void) {
  sw_net std, paper;
  sw_err err;
  if (sw_preset_make("standard", &std, &err) || sw_preset_make("paper", &paper, &err)) {
    fprintf(stderr, "%s\n", err.msg);
    return 1;
  }
  parsing(&std, &paper);
  distributions(&std, &paper);
  apply(&std);
  sw_net_free(&std);
  sw_net_free(&paper);
  return check_summary();
}
