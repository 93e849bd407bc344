/* Datasets built by several processes at once (Slurm tasks, make -j): two builds of one dataset
   run it once (the second waits and reuses), a rebuild waits for a reader's load before it swaps the
   folder, and built files and folders follow the umask (a group-shared cache). */
#include <dirent.h>
#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../core/audio.h"
#include "../datasets/src/recipe.h"
#include "check.h"

#define RATE 48000
static char dir[256], cache[300], recipe[2048];

/* Builds the test recipe (the test LV2 plugin on a sine DI) into the cache; 1 if reused. */
static int build(int force, sw_build_result *res, sw_err *err) {
  sw_recipe r;
  int rc = sw_recipe_parse(recipe, "test recipe", &r, err);
  if (rc) return -rc;
  sw_build_opts o = {.cache = cache, .force = force};
  rc = sw_recipe_build(&r, &o, res, err);
  sw_recipe_free(&r);
  return rc ? -rc : res->reused;
}

static int mode_of(const char *path) {
  struct stat st;
  return stat(path, &st) ? -1 : (int)(st.st_mode & 0777);
}

static ino_t inode_of(const char *path) {
  struct stat st;
  return stat(path, &st) ? 0 : st.st_ino;
}

static void sleep_ms(int ms) { nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L}, NULL); }

int main(void) {
  snprintf(dir, sizeof dir, "/tmp/sw_test_dataset_conc.%d", (int)getpid());
  snprintf(cache, sizeof cache, "%s/cache", dir);
  mkdir(dir, 0777);
  char di[300];
  snprintf(di, sizeof di, "%s/di.wav", dir);
  long n = 14L * RATE;
  float *x = calloc((size_t)n, sizeof(float));
  for (long i = 0; i < n; i++) x[i] = (float)(0.3 * sin(2 * M_PI * 196 * i / RATE) * exp(-(double)(i % 24000) / 6000));
  sw_err err = {0};
  sw_audio_write(di, x, n, RATE, &err);
  free(x);
  snprintf(recipe, sizeof recipe, "{\"name\": \"t-conc\", \"signal\": {\"seconds\": 30, \"di\": \"%s\"}, "
           "\"device\": [{\"lv2\": \"urn:slimwave:test-gain-delay\", \"set\": {\"gain\": 0.5, \"delay\": 5}}]}", di);

  /* Two builds at once: one builds, the other waits for it and reuses its result. */
  umask(022);
  pid_t kids[2];
  for (int k = 0; k < 2; k++)
    if (!(kids[k] = fork())) {
      sw_build_result r;
      sw_err e;
      int got = build(0, &r, &e);
      if (got < 0) fprintf(stderr, "child build: %s\n", e.msg);
      _exit(got < 0 ? 9 : got);
    }
  int st[2], reused = 0, built = 0;
  for (int k = 0; k < 2; k++) {
    waitpid(kids[k], &st[k], 0);
    int code = WIFEXITED(st[k]) ? WEXITSTATUS(st[k]) : 9;
    reused += code == 1, built += code == 0;
  }
  CHECK(built == 1 && reused == 1, "two builds at once: one built (%d), the other reused it (%d)", built, reused);
  sw_build_result r1;
  int got = build(0, &r1, &err);
  CHECK(got == 1, "a third build reuses it: %s", got < 0 ? err.msg : "");
  if (got < 0) return check_summary();
  char lock[600], tmpl[700];
  snprintf(lock, sizeof lock, "%s/.t-conc.lock", cache);
  snprintf(tmpl, sizeof tmpl, "%s/.t-conc.tmp.*", cache);
  CHECK(mode_of(r1.dir) == 0755 && mode_of(r1.manifest) == 0644, "umask 022: folder %o, manifest %o", mode_of(r1.dir), mode_of(r1.manifest));

  /* A rebuild waits while a reader holds the folder, then swaps it in. The child builds with
     umask 002 (a group-shared cache): its folder and files are group-writable. */
  int rd = sw_dataset_lock(r1.dir, "lock", 0, 0);
  CHECK(rd >= 0, "a reader takes the shared lock %s", lock);
  ino_t before = inode_of(r1.dir);
  pid_t b = fork();
  if (!b) {
    close(rd); /* the parent's lock, not this builder's: a copy of the descriptor would keep it */
    umask(002);
    sw_build_result r;
    sw_err e;
    _exit(build(1, &r, &e) == 0 ? 0 : 9);
  }
  /* wait until the child's build is complete in its temporary folder (up to 60 s) */
  int ready = 0;
  for (int i = 0; i < 1200 && !ready; i++) {
    glob_t g;
    if (!glob(tmpl, 0, NULL, &g)) {
      char mf[800];
      snprintf(mf, sizeof mf, "%s/manifest.json", g.gl_pathv[0]);
      ready = access(mf, F_OK) == 0;
      globfree(&g);
    }
    if (!ready) sleep_ms(50);
  }
  CHECK(ready, "the rebuild wrote its temporary folder");
  sleep_ms(300);
  int status = 0;
  CHECK(waitpid(b, &status, WNOHANG) == 0 && inode_of(r1.dir) == before, "the rebuild waits for the reader: the folder is the old one");
  sw_dataset d;
  int rc = sw_dataset_load(r1.manifest, &d, &err); /* a load beside the reader's lock: shared, not blocked */
  CHECK(rc == 0, "another load goes on meanwhile: %s", err.msg);
  if (!rc) sw_dataset_free(&d);
  sw_dataset_unlock(rd);
  waitpid(b, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0 && inode_of(r1.dir) != before, "once the reader is done, the rebuild swaps its folder in");
  CHECK(mode_of(r1.dir) == 0775 && mode_of(r1.manifest) == 0664, "umask 002: folder %o, manifest %o", mode_of(r1.dir), mode_of(r1.manifest));
  char out[4300];
  snprintf(out, sizeof out, "%s/output.wav", r1.dir);
  CHECK(mode_of(out) == 0664, "umask 002: audio %o", mode_of(out));
  glob_t g;
  CHECK(glob(tmpl, 0, NULL, &g) == GLOB_NOMATCH, "no temporary folder left");
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd)) fprintf(stderr, "cleanup of %s failed\n", dir);
  return check_summary();
}
