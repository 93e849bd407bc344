/* Making datasets: the capture signal, latency calibration and data checks, devices (LV2
   plugins through lilv, teacher .nam models), audio reading with format details, provenance.
   The loader the trainer uses is dataset.h; this is what builds what it loads. */
#ifndef SW_DATASETS_H
#define SW_DATASETS_H

#include <stddef.h>
#include <stdint.h>

#include "../../core/err.h"

/* ---- audio in (libsndfile, libsamplerate) ---- */
typedef struct sw_wav {
  float *x;        /* first channel */
  long n;
  int rate;
  int channels;    /* in the file; only the first is kept */
  double full;     /* largest representable magnitude: (2^(b-1)-1)/2^(b-1) for b-bit PCM, 1 for float */
  char format[48]; /* "WAV PCM 24", "FLAC PCM 16", "WAV float" ... */
} sw_wav;

/* Integer and float WAV/FLAC/AIFF (anything libsndfile reads). Refuses empty, non-audio and
   non-finite samples with one line naming the file. */
int sw_wav_read(const char *path, sw_wav *out, sw_err *err);
/* Resamples in place to rate (libsamplerate, best sinc). */
int sw_wav_resample(sw_wav *a, int rate, const char *path, sw_err *err);
void sw_wav_free(sw_wav *a);

/* ---- the capture signal (SPEC section 5, NAM's v3 layout) ---- */
#define SW_SIG_SECONDS 190.0      /* the standard length */
#define SW_SIG_MIN_SECONDS 30.0   /* shortest variant: 3.5 s of general material */
#define SW_RENDER_SAFE_PEAK 0.5   /* a rendered device's output above full scale is scaled to this peak */

typedef struct sw_layout5 {       /* sample positions at rate */
  int rate;
  long n;
  long val1_start, val1_end;      /* [0, 9 s) */
  long blip1, blip2;              /* 10.5 s, 11.5 s */
  long quiet_start, quiet_end;    /* [10.0, 10.4 s): background level before the blips */
  long sweep_start, noise_start, general_start, general_end; /* 12, 15, 17 s, n - 9.5 s */
  long train_start, train_end;    /* [10 s, n - 9 s) */
  long val2_start, val2_end;      /* [n - 9 s, n) */
} sw_layout5;

/* The layout of a signal of n samples (n from the input file); refuses n < 30 s. */
int sw_layout5_make(long n, int rate, sw_layout5 *l, sw_err *err);

typedef struct sw_signal_opts {
  int rate;                 /* 0: 48000 */
  double seconds;           /* total length; 0: 190 (the general material shrinks to fit) */
  const char *di;           /* NULL: fluidsynth riffs; else files/folders, comma-separated */
  const char *di_exclude;   /* comma-separated file names left out (held-out evaluation files) */
  uint64_t seed;            /* riffs seed; 0: the default */
  int resample;             /* resample DI files of another rate */
} sw_signal_opts;

/* DI files of a spec (files and folders, comma-separated; folders sorted by name). */
typedef struct sw_dilist { char **p; int n; } sw_dilist;
int sw_di_collect(const char *spec, const char *exclude, sw_dilist *l, sw_err *err);
void sw_dilist_free(sw_dilist *l);

/* Writes the source used into desc (one line). The samples are malloc'ed. */
int sw_signal_make(const sw_signal_opts *o, float **x, long *n, char *desc, size_t desc_len, sw_err *err);

/* ---- synth: MIDI riffs rendered by fluidsynth ---- */
int sw_riffs_write_midi(const char *path, double seconds, uint64_t seed, sw_err *err);
int sw_synth_guitar(double seconds, int rate, uint64_t seed, float **out, long *n, sw_err *err);
const char *sw_synth_soundfont(void);

/* ---- latency calibration and data checks ---- */
typedef struct sw_calib {
  int found;
  long delay;        /* first sample of the averaged blip response above the background */
  long latency;      /* delay - 1 (one sample of safety): what y is shifted left by */
  double background, threshold;
} sw_calib;

/* SPEC section 5: average y around the two blips, first sample above max|y| in the quiet
   stretch + 3e-4 (NAM: also 1.001 x background), minus one sample of safety. */
int sw_calibrate(const float *y, long ny, const sw_layout5 *l, sw_calib *c, sw_err *err);

enum { SW_CK_RATE, SW_CK_LENGTH, SW_CK_CLIP, SW_CK_LATENCY, SW_CK_REPEAT, SW_CK_N };
typedef struct sw_check {
  const char *name;    /* rate, length, clipping, latency, validation-repeat */
  int state;           /* 0 passed, 1 failed, 2 failed but overridden, 3 not applicable */
  char msg[300];
} sw_check;

typedef struct sw_check_report {
  sw_check c[SW_CK_N];
  sw_calib calib;
  double repeat_esr;
  int failed;          /* checks failed and not overridden */
} sw_check_report;

/* override: comma-separated check names or "all". Layout l may be NULL (custom layout: no
   blips or repeat); then latency is fixed_latency. */
int sw_checks_run(const char *xpath, const sw_wav *x, const char *ypath, const sw_wav *y, const sw_layout5 *l,
                  const char *override, sw_check_report *r, sw_err *err);
const char *sw_check_state_str(int state);
/* ESR = mean((a-b)^2) / mean(b^2). */
double sw_esr(const float *a, const float *b, long n);

/* ---- devices: what makes the wet side ---- */
#define SW_MAX_SETS 32
typedef struct sw_lv2_set { char name[64]; double value; } sw_lv2_set;

typedef struct sw_lv2 sw_lv2;
/* Instantiates a mono (one audio in, one audio out) LV2 plugin by URI; sets are control values
   by port symbol (checked against the port's range); everything else keeps its default. */
int sw_lv2_open(const char *uri, const sw_lv2_set *sets, int nsets, double rate, sw_lv2 **out, sw_err *err);
/* Runs n samples sample-accurately in blocks; in and out must not alias. */
void sw_lv2_run(sw_lv2 *p, const float *in, float *out, long n);
/* The latency the plugin reports on its latency port (0 without one). */
long sw_lv2_latency(const sw_lv2 *p);
/* The plugin's name and control ports with ranges, one per line. */
void sw_lv2_describe(const sw_lv2 *p, char *buf, size_t len);
void sw_lv2_close(sw_lv2 *p);

enum { SW_DEV_LV2 = 1, SW_DEV_NAM = 2 };
typedef struct sw_stage {
  int kind;
  char uri[512];             /* LV2 */
  sw_lv2_set sets[SW_MAX_SETS];
  int nsets;
  char model[4096];          /* .nam */
  double gain_db;            /* input gain in front of this stage */
} sw_stage;

/* Renders x through the chain; y is aligned for every reported latency (the plugin's own delay
   is removed). info gets one line per stage (what ran, reported latency, backend). */
int sw_device_render(const sw_stage *st, int nst, int rate, const float *x, float *y, long n, char *info,
                     size_t info_len, sw_err *err);

/* ---- provenance ---- */
int sw_sha256_file(const char *path, char hex[65], sw_err *err);
void sw_sha256_buf(const void *p, size_t n, char hex[65]);
/* "2.3.1-2" from dpkg-query, or "not installed". */
void sw_pkg_version(const char *pkg, char *out, size_t len);
/* ../shared: $SLIMWAVE_SHARED, else SW_SOURCE_DIR/../shared; NULL if absent. */
const char *sw_shared_dir(void);
/* ---- concurrency ---- */
/* Two lock files beside a dataset folder DIR, "<parent>/.<name>.<kind>" (kind "build.lock" or
   "lock"): builds of one dataset hold "build.lock" from the up-to-date check to the end, so a
   second build waits and then reuses the first's result; a build holds "lock" exclusively while it
   moves folders, and loads hold it shared (sw_dataset_load), so no folder is replaced under a
   reader. Blocks until granted; returns the descriptor to pass to sw_dataset_unlock, or -1 (no lock:
   no such file when !create, or no folder part in DIR). */
int sw_dataset_lock(const char *dir, const char *kind, int exclusive, int create);
void sw_dataset_unlock(int fd);
/* Runs argv (no shell) with stdout to out_path (or /dev/null) and stderr to log; exit status. */
int sw_spawn(char *const argv[], const char *out_path);

#endif
