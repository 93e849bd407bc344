/* `slimwave lv2` bundles in a real host: lv2apply (lilv-utils, which passes no features and runs
   one sample per call) renders the NAM test input through a bundle with na_boss_sd1_standard.nam
   built in at slim 1.0 and 0.5, and one with the A2 container at 0.25, bit for bit as `slimwave
   process` renders them (the same backend: both flush denormals). The input goes in as 32-bit float
   WAV, since lv2apply writes its output in the input's format. Then the command's refusals: one
   line, its exit code, nothing written or replaced. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../core/atomic_file.h"
#include "../core/audio.h"
#include "check.h"

static char dir[] = "/tmp/sw_test_lv2_XXXXXX";

static int sh(const char *cmd) {
  char full[17000];
  snprintf(full, sizeof full, "%s >%s/out.txt 2>%s/err.txt", cmd, dir, dir);
  int st = system(full);
  return st == -1 ? -1 : WEXITSTATUS(st);
}

static bool exists(const char *p) { struct stat st; return stat(p, &st) == 0; }

static const char *file_text(const char *name) {
  static char *t;
  size_t n;
  sw_err e;
  free(t);
  t = NULL;
  if (sw_read_file(sw_test_path(dir, name), 1 << 20, &t, &n, &e)) return "";
  return t;
}

/* The plugin URI `slimwave lv2` printed: "BUNDLE: plugin <URI> ..." */
static void printed_uri(char *uri, size_t len) {
  const char *s = strchr(file_text("out.txt"), '<'), *e = s ? strchr(s, '>') : NULL;
  snprintf(uri, len, "%.*s", s && e ? (int)(e - s - 1) : 0, s ? s + 1 : "");
}

static void same_render(const char *model, const char *bundle, const char *uri, const char *slim) {
  char cmd[16384];
  snprintf(cmd, sizeof cmd, "LV2_PATH=%s lv2apply -i %s/in.wav -o %s/lv2.wav -c slim %s '%s'", dir, dir, dir, slim, uri);
  int rc = sh(cmd);
  CHECK(rc == 0, "lv2apply exited %d: %s", rc, file_text("err.txt"));
  snprintf(cmd, sizeof cmd, "%s process %s %s/in.wav %s/ref.wav --slim %s", SW_SLIMWAVE_BIN, model, dir, dir, slim);
  rc = sh(cmd);
  CHECK(rc == 0, "slimwave process exited %d", rc);
  sw_audio a = {0}, b = {0};
  sw_err e;
  bool ok = !sw_audio_read(sw_test_path(dir, "lv2.wav"), &a, &e) && !sw_audio_read(sw_test_path(dir, "ref.wav"), &b, &e);
  CHECK(ok, "%s", e.msg);
  long diff = 0;
  double peak = 0;
  for (long t = 0; ok && t < a.n && t < b.n; t++) diff += a.x[t] != b.x[t], peak = a.x[t] > peak ? a.x[t] : peak;
  CHECK(ok && a.n == b.n && diff == 0 && peak > 0.01, "%s at slim %s: %ld of %ld samples differ from slimwave process (lengths %ld, %ld)",
        bundle, slim, diff, a.n, a.n, b.n);
  printf("%s slim %s: lv2apply and slimwave process agree on all %ld samples (peak %.3f)\n", bundle, slim, a.n, peak);
  sw_audio_free(&a), sw_audio_free(&b);
}

int main(void) {
  const char *shd = sw_test_shared();
  if (!shd) { printf("skipped: ../shared is absent (models)\n"); return SW_TEST_SKIP; }
  if (system("command -v lv2apply >/dev/null 2>&1")) { printf("skipped: lv2apply (lilv-utils) is not installed\n"); return SW_TEST_SKIP; }
  if (!mkdtemp(dir)) { fprintf(stderr, "mkdtemp failed\n"); return 1; }
  char models[4096], sd1[4200], a2[4200], in[4200], cmd[16384], uri[1100];
  snprintf(models, sizeof models, "%s/models", shd);
  snprintf(sd1, sizeof sd1, "%s/na_boss_sd1_standard.nam", models);
  snprintf(a2, sizeof a2, "%s/na_boss_sd1_a2.nam", models);
  snprintf(in, sizeof in, "%s/core_example_input.wav", models);
  sw_audio x;
  sw_err e;
  int rc = sw_audio_read(in, &x, &e);
  CHECK(rc == 0, "%s", e.msg);
  if (rc) return check_summary();
  rc = sw_audio_write(sw_test_path(dir, "in.wav"), x.x, x.n, x.rate, &e);
  CHECK(rc == 0, "%s", e.msg);
  sw_audio_free(&x);

  snprintf(cmd, sizeof cmd, "%s lv2 %s --out %s/sd1.lv2", SW_SLIMWAVE_BIN, sd1, dir);
  rc = sh(cmd);
  CHECK(rc == 0, "slimwave lv2 exited %d: %s", rc, file_text("err.txt"));
  printed_uri(uri, sizeof uri);
  CHECK(!strncmp(uri, "urn:slimwave:model:", 19), "printed URI \"%s\"", uri);
  const char *files[] = {"slimwave.so", "model.nam", "plugin.uri", "manifest.ttl", "slimwave.ttl"};
  for (int i = 0; i < 5; i++) CHECK(exists(sw_test_path(dir, sw_test_path("sd1.lv2", files[i]))), "sd1.lv2/%s missing", files[i]);
#ifdef SW_SANITIZED
  printf("sanitizer build: lv2apply cannot load the instrumented plugin; renders not compared\n");
  bool host = false;
#else
  bool host = true;
#endif
  if (host) same_render(sd1, "sd1.lv2", uri, "1.0");
  if (host) same_render(sd1, "sd1.lv2", uri, "0.5");

  snprintf(cmd, sizeof cmd, "%s lv2 %s --out %s/a2.lv2 --name 'SD-1 \"A2\"' --uri urn:slimwave:test-a2", SW_SLIMWAVE_BIN, a2, dir);
  rc = sh(cmd);
  CHECK(rc == 0, "slimwave lv2 (A2) exited %d: %s", rc, file_text("err.txt"));
  CHECK(strstr(file_text("a2.lv2/slimwave.ttl"), "doap:name \"SD-1 \\\"A2\\\"\""), "the name is not in the Turtle, escaped");
  if (host) same_render(a2, "a2.lv2", "urn:slimwave:test-a2", "0.25");

  /* a second run replaces its own bundle */
  snprintf(cmd, sizeof cmd, "%s lv2 %s --out %s/sd1.lv2", SW_SLIMWAVE_BIN, a2, dir);
  CHECK(sh(cmd) == 0, "replacing a bundle slimwave lv2 made failed: %s", file_text("err.txt"));
  /* refusals: one line naming the problem, the exit code of README, nothing written */
  struct { const char *args, *frag, *gone; int code; } bad[] = {
    {"%s/missing.nam --out %s/m.lv2", "missing.nam", "m.lv2", 3},
    {"%s/in.wav --out %s/w.lv2", "in.wav", "w.lv2", 3},
    {"%s --out %s/u.lv2 --uri 'not a uri'", "not a uri", "u.lv2", 2},
    {"%s --out %s/in.wav", "is not a bundle made by slimwave lv2", NULL, 4},
    {"%s", "--out", NULL, 2},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    char args[8300];
    const char *m = i == 0 || i == 1 ? dir : sd1;
    snprintf(args, sizeof args, bad[i].args, m, dir);
    snprintf(cmd, sizeof cmd, "%s lv2 %s", SW_SLIMWAVE_BIN, args);
    rc = sh(cmd);
    const char *err = file_text("err.txt");
    CHECK(rc == bad[i].code && strstr(err, bad[i].frag) && strchr(err, '\n') == err + strlen(err) - 1,
          "slimwave lv2 %s: exit %d (want %d), stderr \"%s\"", args, rc, bad[i].code, err);
    if (bad[i].gone) CHECK(!exists(sw_test_path(dir, bad[i].gone)), "%s written", bad[i].gone);
  }
  CHECK(exists(sw_test_path(dir, "in.wav")), "--out in.wav removed in.wav");
  snprintf(cmd, sizeof cmd, "ls -a %s | grep -q tmp", dir);
  CHECK(system(cmd) != 0, "a temporary folder was left behind");
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (!sw_t_fail && system(cmd)) fprintf(stderr, "could not remove %s\n", dir);
  return check_summary();
}
