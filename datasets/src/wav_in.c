/* Dataset audio in: libsndfile for integer and float WAV/FLAC/AIFF (first channel, with the
   format kept so clipping can be judged at the format's full scale), libsamplerate on request. */
#include <math.h>
#include <samplerate.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../core/audio.h"
#include "datasets.h"

static const char *major_name(int f) {
  switch (f & SF_FORMAT_TYPEMASK) {
  case SF_FORMAT_WAV: return "WAV";
  case SF_FORMAT_WAVEX: return "WAVEX";
  case SF_FORMAT_AIFF: return "AIFF";
  case SF_FORMAT_FLAC: return "FLAC";
  case SF_FORMAT_RF64: return "RF64";
  case SF_FORMAT_W64: return "W64";
  case SF_FORMAT_CAF: return "CAF";
  case SF_FORMAT_OGG: return "OGG";
  default: return "audio";
  }
}

/* Bits of an integer subtype, 0 for float/other. */
static int pcm_bits(int f) {
  switch (f & SF_FORMAT_SUBMASK) {
  case SF_FORMAT_PCM_S8: case SF_FORMAT_PCM_U8: return 8;
  case SF_FORMAT_PCM_16: return 16;
  case SF_FORMAT_PCM_24: return 24;
  case SF_FORMAT_PCM_32: return 32;
  default: return 0;
  }
}

int sw_wav_read(const char *path, sw_wav *out, sw_err *err) {
  memset(out, 0, sizeof *out);
  struct stat st;
  if (stat(path, &st)) return sw_fail(err, SW_EINPUT, "%s: cannot open (no such file or not readable)", path);
  if (S_ISDIR(st.st_mode)) return sw_fail(err, SW_EINPUT, "%s: is a directory, not an audio file", path);
  if (st.st_size == 0) return sw_fail(err, SW_EINPUT, "%s: empty file", path);
  SF_INFO info = {0};
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  if (!sf) return sw_fail(err, SW_EINPUT, "%s: not a readable audio file (%s)", path, sf_strerror(NULL));
  int rc = SW_OK;
  float *buf = NULL, *mono = NULL;
  if (info.frames <= 0) { rc = sw_fail(err, SW_EINPUT, "%s: no audio frames", path); goto done; }
  if (info.frames > SW_MAX_AUDIO_FRAMES) { rc = sw_fail(err, SW_EINPUT, "%s: %lld frames exceed the limit %ld", path, (long long)info.frames, SW_MAX_AUDIO_FRAMES); goto done; }
  if (info.channels < 1 || info.channels > 64) { rc = sw_fail(err, SW_EINPUT, "%s: %d channels", path, info.channels); goto done; }
  if (info.samplerate < 1000 || info.samplerate > 768000) { rc = sw_fail(err, SW_EINPUT, "%s: sample rate %d Hz is not plausible", path, info.samplerate); goto done; }
  buf = malloc(sizeof(float) * 65536 * (size_t)info.channels);
  mono = malloc(sizeof(float) * (size_t)info.frames);
  if (!buf || !mono) { rc = sw_fail(err, SW_ENOMEM, "%s: out of memory", path); goto done; }
  sf_command(sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
  long got = 0;
  while (got < info.frames) {
    sf_count_t k = sf_readf_float(sf, buf, 65536);
    if (k <= 0) break;
    for (sf_count_t i = 0; i < k && got < info.frames; i++) {
      float v = buf[i * info.channels];
      if (!isfinite(v)) { rc = sw_fail(err, SW_EINPUT, "%s: sample %ld is not a finite number", path, got); goto done; }
      mono[got++] = v;
    }
  }
  if (got < info.frames) {
    rc = sw_fail(err, SW_EINPUT, "%s: truncated or corrupt: %ld of %lld frames readable (%s)", path, got, (long long)info.frames, sf_strerror(sf));
    goto done;
  }
  int bits = pcm_bits(info.format);
  out->x = mono, mono = NULL;
  out->n = got;
  out->rate = info.samplerate;
  out->channels = info.channels;
  out->full = bits ? 1.0 - ldexp(1.0, 1 - bits) : 1.0;
  if (bits) snprintf(out->format, sizeof out->format, "%s PCM %d", major_name(info.format), bits);
  else snprintf(out->format, sizeof out->format, "%s %s", major_name(info.format),
                (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_DOUBLE ? "double" : (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT ? "float" : "encoded");
done:
  free(buf);
  free(mono);
  sf_close(sf);
  return rc;
}

int sw_wav_resample(sw_wav *a, int rate, const char *path, sw_err *err) {
  if (a->rate == rate) return SW_OK;
  double ratio = (double)rate / a->rate;
  long n = (long)ceil(a->n * ratio);
  float *y = malloc(sizeof(float) * (size_t)(n + 1));
  if (!y) return sw_fail(err, SW_ENOMEM, "%s: out of memory for resampling", path);
  SRC_DATA d = {.data_in = a->x, .data_out = y, .input_frames = a->n, .output_frames = n + 1, .src_ratio = ratio};
  int e = src_simple(&d, SRC_SINC_BEST_QUALITY, 1);
  if (e) { free(y); return sw_fail(err, SW_EFAIL, "%s: resampling %d -> %d Hz failed (%s)", path, a->rate, rate, src_strerror(e)); }
  free(a->x);
  a->x = y;
  a->n = d.output_frames_gen;
  a->rate = rate;
  return SW_OK;
}

void sw_wav_free(sw_wav *a) {
  free(a->x);
  memset(a, 0, sizeof *a);
}
