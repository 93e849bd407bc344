/* slimwave dataset info|check|build|signal|render: make, check and describe datasets (issue 5,
   datasets/README.md). Printing happens here; the work is in datasets/src. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/audio.h"
#include "../datasets/src/dataset.h"
#include "../datasets/src/datasets.h"
#include "../datasets/src/recipe.h"
#include "cli.h"

static const char *usage =
  "usage: slimwave dataset signal --out X.wav [--di PATH[,PATH..]] [--exclude NAME[,..]] [--seconds S]\n"
  "                               [--rate R] [--seed N] [--resample]\n"
  "       slimwave dataset check --input X.wav --output Y.wav [--override CHECK[,..]|all] [--resample]\n"
  "       slimwave dataset render --input X.wav --out Y.wav (--lv2 URI [--set SYM=V ..] | --nam M.nam)\n"
  "       slimwave dataset build RECIPE|all [--seconds S] [--cache DIR] [--force]\n"
  "       slimwave dataset build --input X.wav --output Y.wav --out DIR [--name N] [--override ..]\n"
  "                              [--resample] [--layout nam-v3|custom] [--val-fraction F]\n"
  "       slimwave dataset build --lv2 URI [--set SYM=V ..] | --nam M.nam  --out DIR [--di ..] [--seconds S]\n"
  "       slimwave dataset info MANIFEST.json | RECIPE | --list\n"
  "       slimwave dataset lv2 URI          (the plugin's control ports and ranges)\n"
  "signal   writes the capture signal (NAM v3 layout, SPEC section 5): real DI guitar from --di\n"
  "         (files or folders), else guitar rendered by fluidsynth from slimwave's MIDI riffs.\n"
  "         --seconds shortens the general training material (default 190, at least 30).\n"
  "check    prints `latency N` (blip delay minus one sample of safety) and every check; exit 5\n"
  "         when a check fails and is not named in --override.\n"
  "render   runs X through an LV2 plugin (by URI, control values by port symbol) or a .nam model.\n"
  "build    builds a recipe (datasets/recipes/*.json or a path) into the cache, or a dataset from\n"
  "         your own recording or device; writes audio + manifest.json with provenance.\n";

/* Pulls every "--set SYM=VALUE" out of argv (cli_parse takes each option once); shared with
   slimwave capture. */
int cli_take_sets(int *argc, char **argv, sw_lv2_set *sets, int *nsets, sw_err *err) {
  int w = 1;
  *nsets = 0;
  for (int i = 1; i < *argc; i++) {
    const char *v = NULL;
    if (!strcmp(argv[i], "--set")) {
      if (i + 1 >= *argc) return sw_fail(err, SW_EUSAGE, "--set needs SYMBOL=VALUE");
      v = argv[++i];
    } else if (!strncmp(argv[i], "--set=", 6)) {
      v = argv[i] + 6;
    } else {
      argv[w++] = argv[i];
      continue;
    }
    if (*nsets >= SW_MAX_SETS) return sw_fail(err, SW_EUSAGE, "--set: at most %d values", SW_MAX_SETS);
    int rc = sw_parse_set(v, &sets[*nsets], err);
    if (rc) return rc;
    (*nsets)++;
  }
  *argc = w;
  return SW_OK;
}

static int fail(const char *cmd, const sw_err *err, int rc) {
  fprintf(stderr, "slimwave dataset %s: %s\n", cmd, err->msg);
  return rc;
}

static int do_signal(int argc, char **argv) {
  const char *out = NULL, *di = NULL, *excl = NULL, *secs = NULL, *rate_s = NULL, *seed_s = NULL;
  bool resample = false;
  cli_opt opts[] = {{"--out", &out, NULL}, {"--di", &di, NULL}, {"--exclude", &excl, NULL}, {"--seconds", &secs, NULL},
                    {"--rate", &rate_s, NULL}, {"--seed", &seed_s, NULL}, {"--resample", NULL, &resample}};
  int npos;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 7, NULL, 0, &npos, &err);
  double s = SW_SIG_SECONDS;
  long rate = 48000, seed = 1;
  if (!rc && !out) rc = sw_fail(&err, SW_EUSAGE, "--out X.wav is required");
  if (!rc && secs) rc = cli_double("--seconds", secs, SW_SIG_MIN_SECONDS, 3600, &s, &err);
  if (!rc && rate_s) rc = cli_int("--rate", rate_s, 8000, 192000, &rate, &err);
  if (!rc && seed_s) rc = cli_int("--seed", seed_s, 1, 1L << 40, &seed, &err);
  if (rc) return fail("signal", &err, rc);
  sw_signal_opts o = {.rate = (int)rate, .seconds = s, .di = di, .di_exclude = excl, .seed = (uint64_t)seed, .resample = resample};
  float *x;
  long n;
  char desc[2048];
  if ((rc = sw_signal_make(&o, &x, &n, desc, sizeof desc, &err))) return fail("signal", &err, rc);
  rc = sw_audio_write(out, x, n, (int)rate, &err);
  free(x);
  if (rc) return fail("signal", &err, rc);
  printf("wrote %s: %.2f s at %ld Hz; material: %s\n", out, (double)n / rate, rate, desc);
  return 0;
}

static int do_check(int argc, char **argv) {
  const char *in = NULL, *outp = NULL, *ov = NULL;
  bool resample = false;
  cli_opt opts[] = {{"--input", &in, NULL}, {"--output", &outp, NULL}, {"--override", &ov, NULL}, {"--resample", NULL, &resample}};
  int npos;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 4, NULL, 0, &npos, &err);
  if (!rc && (!in || !outp)) rc = sw_fail(&err, SW_EUSAGE, "--input X.wav and --output Y.wav are required");
  if (rc) return fail("check", &err, rc);
  sw_wav x = {0}, y = {0};
  sw_check_report r;
  sw_layout5 l;
  if ((rc = sw_wav_read(in, &x, &err)) || (rc = sw_wav_read(outp, &y, &err))) goto done;
  if (x.channels > 1) fprintf(stderr, "slimwave dataset check: warning: %s has %d channels; using the first\n", in, x.channels);
  if (y.channels > 1) fprintf(stderr, "slimwave dataset check: warning: %s has %d channels; using the first\n", outp, y.channels);
  if (resample && y.rate != x.rate && (rc = sw_wav_resample(&y, x.rate, outp, &err))) goto done;
  if ((rc = sw_layout5_make(x.n, x.rate, &l, &err))) { snprintf(err.msg + strlen(err.msg), sizeof err.msg - strlen(err.msg), " (%s)", in); goto done; }
  if ((rc = sw_checks_run(in, &x, outp, &y, x.rate == y.rate ? &l : NULL, ov, &r, &err))) goto done;
  if (r.calib.found) printf("latency %ld\n", r.calib.latency);
  else printf("latency not found\n");
  for (int i = 0; i < SW_CK_N; i++)
    printf("check %-17s %-19s %s\n", r.c[i].name, sw_check_state_str(r.c[i].state), r.c[i].msg);
  if (r.failed) rc = sw_fail(&err, SW_ECHECK, "%d check%s failed (--override NAME to accept)", r.failed, r.failed > 1 ? "s" : "");
done:
  sw_wav_free(&x), sw_wav_free(&y);
  return rc ? fail("check", &err, rc) : 0;
}

static int do_render(int argc, char **argv) {
  sw_stage st = {0};
  sw_err err = {0};
  int rc = cli_take_sets(&argc, argv, st.sets, &st.nsets, &err);
  const char *in = NULL, *out = NULL, *lv2 = NULL, *nam = NULL;
  cli_opt opts[] = {{"--input", &in, NULL}, {"--out", &out, NULL}, {"--lv2", &lv2, NULL}, {"--nam", &nam, NULL}};
  int npos;
  if (!rc) rc = cli_parse(argc, argv, opts, 4, NULL, 0, &npos, &err);
  if (!rc && (!in || !out || !lv2 == !nam)) rc = sw_fail(&err, SW_EUSAGE, "--input, --out and one of --lv2 URI or --nam MODEL are required");
  if (rc) return fail("render", &err, rc);
  st.kind = lv2 ? SW_DEV_LV2 : SW_DEV_NAM;
  snprintf(lv2 ? st.uri : st.model, lv2 ? sizeof st.uri : sizeof st.model, "%s", lv2 ? lv2 : nam);
  sw_wav x;
  if ((rc = sw_wav_read(in, &x, &err))) return fail("render", &err, rc);
  float *y = malloc(sizeof(float) * (size_t)x.n);
  char info[4096];
  if (!y) rc = sw_fail(&err, SW_ENOMEM, "out of memory");
  if (!rc) rc = sw_device_render(&st, 1, x.rate, x.x, y, x.n, info, sizeof info, &err);
  if (!rc) rc = sw_audio_write(out, y, x.n, x.rate, &err);
  if (!rc) printf("wrote %s: %s\n", out, info);
  free(y);
  sw_wav_free(&x);
  return rc ? fail("render", &err, rc) : 0;
}

static int do_lv2(int argc, char **argv) {
  if (argc != 2) { fputs(usage, stderr); return SW_EUSAGE; }
  sw_lv2 *p;
  sw_err err = {0};
  int rc = sw_lv2_open(argv[1], NULL, 0, 48000, &p, &err);
  if (rc) return fail("lv2", &err, rc);
  char buf[8192];
  sw_lv2_describe(p, buf, sizeof buf);
  fputs(buf, stdout);
  sw_lv2_run(p, NULL, NULL, 256);
  printf("reported latency: %ld samples\n", sw_lv2_latency(p));
  sw_lv2_close(p);
  return 0;
}

int cmd_dataset_build(int argc, char **argv, int (*take)(int *, char **, sw_lv2_set *, int *, sw_err *));
int cmd_dataset_info(int argc, char **argv);

int cmd_dataset(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
    fputs(usage, argc < 2 ? stderr : stdout);
    return argc < 2 ? SW_EUSAGE : 0;
  }
  if (cli_is_help(argc - 1, argv + 1)) { fputs(usage, stdout); return 0; }
  const char *sub = argv[1];
  if (!strcmp(sub, "signal")) return do_signal(argc - 1, argv + 1);
  if (!strcmp(sub, "check")) return do_check(argc - 1, argv + 1);
  if (!strcmp(sub, "render")) return do_render(argc - 1, argv + 1);
  if (!strcmp(sub, "lv2")) return do_lv2(argc - 1, argv + 1);
  if (!strcmp(sub, "build")) return cmd_dataset_build(argc - 1, argv + 1, cli_take_sets);
  if (!strcmp(sub, "info")) return cmd_dataset_info(argc - 1, argv + 1);
  fprintf(stderr, "slimwave dataset: unknown subcommand \"%s\" (signal, check, render, build, info, lv2)\n", sub);
  return SW_EUSAGE;
}
