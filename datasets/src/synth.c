/* Guitar audio from our own MIDI riffs, rendered by the fluidsynth program (Debian's fluidsynth,
   FluidR3_GM) in fast file-render mode: float output (no dither), no reverb or chorus, one
   core, so the same seed gives the same samples. */
#include <math.h>
#include <sndfile.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "datasets.h"

const char *sw_synth_soundfont(void) {
  const char *e = getenv("SLIMWAVE_SF2");
  return e && *e ? e : "/usr/share/sounds/sf2/FluidR3_GM.sf2";
}

static const char *fluidsynth_bin(void) {
  const char *e = getenv("SLIMWAVE_FLUIDSYNTH");
  return e && *e ? e : "fluidsynth";
}

static void first_line(const char *path, char *out, size_t len) {
  out[0] = 0;
  FILE *f = fopen(path, "r");
  if (!f) return;
  while (fgets(out, (int)len, f)) {
    out[strcspn(out, "\n")] = 0;
    if (out[0]) break;
  }
  fclose(f);
}

int sw_synth_guitar(double seconds, int rate, uint64_t seed, float **out, long *n, sw_err *err) {
  *out = NULL, *n = 0;
  const char *sf2 = sw_synth_soundfont();
  if (access(sf2, R_OK)) return sw_fail(err, SW_EINPUT, "%s: soundfont not readable (install fluid-soundfont-gm or set SLIMWAVE_SF2)", sf2);
  const char *tmpdir = getenv("TMPDIR");
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/slimwave-synth.XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (!mkdtemp(dir)) return sw_fail(err, SW_EOUTPUT, "%s: cannot make a temporary folder", dir);
  char mid[4200], wav[4200], log[4200], rate_s[32];
  snprintf(mid, sizeof mid, "%s/riffs.mid", dir);
  snprintf(wav, sizeof wav, "%s/riffs.wav", dir);
  snprintf(log, sizeof log, "%s/fluidsynth.log", dir);
  snprintf(rate_s, sizeof rate_s, "%d", rate);
  int rc = sw_riffs_write_midi(mid, seconds, seed, err);
  if (rc) goto done;
  char *argv[] = {(char *)fluidsynth_bin(), "-n", "-i", "-q", "-R", "0", "-C", "0", "-g", "0.5", "-r", rate_s,
                  "-o", "audio.file.format=float", "-o", "audio.file.type=wav", "-o", "synth.cpu-cores=1",
                  "-F", wav, (char *)sf2, mid, NULL};
  int st = sw_spawn(argv, log);
  if (st) {
    char why[256];
    first_line(log, why, sizeof why);
    rc = sw_fail(err, SW_EFAIL, "%s: %s (%s)", argv[0], st < 0 ? "could not be run" : "failed", why[0] ? why : "no message");
    goto done;
  }
  SF_INFO info = {0};
  SNDFILE *sf = sf_open(wav, SFM_READ, &info);
  if (!sf) { rc = sw_fail(err, SW_EFAIL, "%s: fluidsynth wrote no readable audio", wav); goto done; }
  long want = (long)llround(seconds * rate);
  float *fr = malloc(sizeof(float) * (size_t)(info.frames > 0 ? info.frames : 1) * (size_t)info.channels);
  float *mono = calloc((size_t)want, sizeof(float));
  if (!fr || !mono) { free(fr), free(mono), sf_close(sf); rc = sw_fail(err, SW_ENOMEM, "out of memory"); goto done; }
  long got = info.frames > 0 ? (long)sf_readf_float(sf, fr, info.frames) : 0;
  sf_close(sf);
  for (long i = 0; i < want && i < got; i++) {
    double s = 0;
    for (int c = 0; c < info.channels; c++) s += fr[i * info.channels + c];
    mono[i] = (float)(s / info.channels);
  }
  free(fr);
  *out = mono, *n = want;
done:
  remove(mid), remove(wav), remove(log), rmdir(dir);
  return rc;
}
