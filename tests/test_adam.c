/* Adam against torch.optim.Adam + ExponentialLR bit for bit (values recorded from PyTorch 1.13, float32,
   by the script in the comment below), the exponential learning rate, and the RNG. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../train/adam.h"
#include "../train/rng.h"
#include "check.h"

/* import torch
   w = torch.tensor([0.5, -0.3, 0.0, 1e-3, 2.0], dtype=torch.float32, requires_grad=True)
   opt = torch.optim.Adam([w], lr=0.004)
   sched = torch.optim.lr_scheduler.ExponentialLR(opt, gamma=0.993)
   for g in grads: w.grad = torch.tensor(g); opt.step(); sched.step(); print(w as float.hex) */
static const float grads[3][5] = {{0.1f, -2.0f, 0.0f, 1e-6f, 3.0f}, {0.2f, 1.0f, 0.0f, -1e-6f, 0.0f}, {-0.05f, 0.5f, 1e-3f, 0.0f, 0.0f}};
static const double torch_w[3][5] = {
    {0x1.fbe76cp-2, -0x1.2f1aa0p-2, 0.0, -0x1.840660p-9, 0x1.fef9dcp+0},
    {0x1.f7fa70p-2, -0x1.2e054ep-2, 0.0, -0x1.68e530p-9, 0x1.fe4b70p+0},
    {0x1.f599dap-2, -0x1.2dc5d4p-2, -0x1.4a3e7cp-9, -0x1.541df8p-9, 0x1.fdc58ep+0},
};

static void adam_vs_torch(void) {
  sw_adam a;
  sw_err err;
  CHECK(sw_adam_init(&a, 5, &err) == 0, "init");
  float w[5] = {0.5f, -0.3f, 0.0f, 1e-3f, 2.0f};
  for (int s = 0; s < 3; s++) {
    sw_adam_step(&a, w, grads[s], sw_lr_at_epoch(0.004, 0.993, s));
    for (int i = 0; i < 5; i++) {
      /* the same float operations in the same order: bit for bit */
      CHECK(w[i] == (float)torch_w[s][i], "step %d w[%d] = %a, torch %a", s + 1, i, w[i], torch_w[s][i]);
    }
  }
  CHECK(a.step == 3, "step count %ld", a.step);
  /* hand-computed first step: m^ = g, v^ = g^2, so w moves by lr g / (|g| + eps) */
  sw_adam b;
  sw_adam_init(&b, 1, &err);
  float x = 1.0f, g = 0.5f;
  sw_adam_step(&b, &x, &g, 0.01);
  CHECK(fabs(x - (1.0 - 0.01 * 0.5 / (0.5 + 1e-8))) < 1e-7, "first step %.9g", x);
  /* second step by the formula in double */
  float g2 = -0.25f;
  sw_adam_step(&b, &x, &g2, 0.01);
  double m = 0.9 * 0.1 * 0.5 + 0.1 * -0.25, v = 0.999 * 0.001 * 0.25 + 0.001 * 0.0625;
  double want = (1.0 - 0.01 * 0.5 / (0.5 + 1e-8)) - 0.01 / (1 - 0.81) * m / (sqrt(v) / sqrt(1 - 0.998001) + 1e-8);
  CHECK(fabs(x - want) < 1e-6, "second step %.9g, expected %.9g", x, want);
  sw_adam_free(&a);
  sw_adam_free(&b);
  CHECK(fabs(sw_lr_at_epoch(0.004, 0.993, 100) - 0.004 * pow(0.993, 100)) < 1e-18, "lr decay");
  CHECK(sw_lr_at_epoch(0.004, 0.993, 0) == 0.004, "lr at epoch 0");
}

static void rng(void) {
  sw_rng a, b;
  sw_rng_seed(&a, 42);
  sw_rng_seed(&b, 42);
  int same = 1;
  for (int i = 0; i < 1000; i++) same &= sw_rng_next(&a) == sw_rng_next(&b);
  CHECK(same, "same seed, same sequence");
  /* splitmix64's first output for seed 0 is the published 0xe220a8397b1dcdaf */
  sw_rng z;
  sw_rng_seed(&z, 0);
  CHECK(z.s[0] == 0xe220a8397b1dcdafULL, "splitmix64 seeding: %llx", (unsigned long long)z.s[0]);
  /* the state is the checkpoint: copy it mid-stream and both continue identically */
  sw_rng c = a;
  CHECK(sw_rng_next(&c) == sw_rng_next(&a), "state copy resumes the sequence");
  sw_rng j = a;
  sw_rng_jump(&j);
  CHECK(sw_rng_next(&j) != sw_rng_next(&a), "jumped stream differs");
  /* uniform ints: chi-square over 10 bins, 100000 draws (99.99% quantile of chi2(9) is 33.7) */
  long cnt[10] = {0};
  for (int i = 0; i < 100000; i++) cnt[sw_rng_int(&a, 0, 9)]++;
  double chi = 0;
  for (int k = 0; k < 10; k++) chi += (cnt[k] - 10000.0) * (cnt[k] - 10000.0) / 10000.0;
  CHECK(chi < 33.7, "int chi-square %.1f", chi);
  double lo = 1, hi = 0, sum = 0;
  for (int i = 0; i < 100000; i++) {
    double u = sw_rng_uniform(&a);
    float f = sw_rng_uniformf(&a);
    lo = fmin(lo, fmin(u, f));
    hi = fmax(hi, fmax(u, f));
    sum += u;
  }
  CHECK(lo >= 0 && hi < 1 && fabs(sum / 100000 - 0.5) < 0.005, "uniform in [0,1): min %g max %g mean %g", lo, hi, sum / 100000);
  int r1 = 1;
  for (int i = 0; i < 1000; i++) { int v = sw_rng_int(&a, -3, 3); r1 &= v >= -3 && v <= 3; }
  CHECK(r1, "sw_rng_int stays in [lo, hi]");
  /* Fisher-Yates: the 6 permutations of 3 equally often (chi2(5) 99.99%: 25.7), and a
     shuffle of 1000 is a permutation */
  long perm[6] = {0};
  for (int i = 0; i < 60000; i++) {
    int x[3] = {0, 1, 2};
    sw_rng_shuffle_int(&a, x, 3);
    perm[x[0] * 2 + (x[1] > x[2])]++;
  }
  chi = 0;
  for (int k = 0; k < 6; k++) chi += (perm[k] - 10000.0) * (perm[k] - 10000.0) / 10000.0;
  CHECK(chi < 25.7, "shuffle chi-square %.1f", chi);
  long *y = malloc(sizeof(long) * 1000);
  char seen[1000] = {0};
  for (long i = 0; i < 1000; i++) y[i] = i;
  sw_rng_shuffle_long(&a, y, 1000);
  int okp = 1, moved = 0;
  for (long i = 0; i < 1000; i++) { okp &= !seen[y[i]]; seen[y[i]] = 1; moved += y[i] != i; }
  CHECK(okp && moved > 900, "shuffle of 1000 is a permutation (%d moved)", moved);
  free(y);
}

int main(void) {
  adam_vs_torch();
  rng();
  return check_summary();
}
