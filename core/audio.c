/* libsndfile I/O: any readable format in, mono float32 WAV out. */
#include "audio.h"

#include <math.h>
#include <sndfile.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "atomic_file.h"

int sw_audio_read(const char *path, sw_audio *out, sw_err *err) {
  memset(out, 0, sizeof *out);
  struct stat st;
  if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) return sw_fail(err, SW_EINPUT, "%s: is a directory", path);
  SF_INFO info = {0};
  SNDFILE *sf = sf_open(path, SFM_READ, &info);
  if (!sf) return sw_fail(err, SW_EINPUT, "%s: not a readable audio file (%s)", path, sf_strerror(NULL));
  int rc = SW_OK;
  float *buf = NULL, *mono = NULL;
  sf_count_t got = 0, cap = 0;
  if (info.frames <= 0) { rc = sw_fail(err, SW_EINPUT, "%s: no audio frames", path); goto done; }
  if (info.frames > SW_MAX_AUDIO_FRAMES) { rc = sw_fail(err, SW_EINPUT, "%s: %lld frames exceed the limit %ld", path, (long long)info.frames, SW_MAX_AUDIO_FRAMES); goto done; }
  if (info.channels < 1 || info.channels > 64) { rc = sw_fail(err, SW_EINPUT, "%s: %d channels", path, info.channels); goto done; }
  if (info.samplerate <= 0) { rc = sw_fail(err, SW_EINPUT, "%s: sample rate %d", path, info.samplerate); goto done; }
  /* Read in blocks and grow the output as samples arrive: the header's frame count is only a
     claim (a 100-byte FLAC may announce hours), so memory follows the data actually decoded. */
  enum { BLOCK = 16384 };
  buf = malloc(sizeof(float) * (size_t)BLOCK * (size_t)info.channels);
  if (!buf) { rc = sw_fail(err, SW_ENOMEM, "%s: out of memory", path); goto done; }
  for (;;) {
    sf_count_t k = sf_readf_float(sf, buf, BLOCK);
    if (k <= 0) break;
    if (got + k > info.frames) k = info.frames - got;
    if (got + k > cap) {
      sf_count_t nc = cap ? cap * 2 : BLOCK;
      if (nc > info.frames) nc = info.frames;
      float *nm = realloc(mono, sizeof(float) * (size_t)nc);
      if (!nm) { rc = sw_fail(err, SW_ENOMEM, "%s: out of memory", path); goto done; }
      mono = nm;
      cap = nc;
    }
    for (sf_count_t i = 0; i < k; i++) {
      float v = buf[i * info.channels];
      if (!isfinite(v)) { rc = sw_fail(err, SW_EINPUT, "%s: sample %lld is not a finite number", path, (long long)(got + i)); goto done; }
      mono[got + i] = v;
    }
    got += k;
    if (got >= info.frames) break;
  }
  if (got <= 0) { rc = sw_fail(err, SW_EINPUT, "%s: no audio could be read (%s)", path, sf_strerror(sf)); goto done; }
  out->x = mono;
  mono = NULL;
  out->n = (long)got;
  out->rate = info.samplerate;
  out->channels = info.channels;
done:
  free(buf);
  free(mono);
  sf_close(sf);
  return rc;
}

void sw_audio_free(sw_audio *a) {
  free(a->x);
  memset(a, 0, sizeof *a);
}

int sw_audio_write(const char *path, const float *x, long n, int rate, sw_err *err) {
  char tmp[4096];
  int rc = sw_atomic_tmpname(path, tmp, sizeof tmp, err);
  if (rc) return rc;
  SF_INFO info = {.samplerate = rate, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_FLOAT};
  SNDFILE *sf = sf_open(tmp, SFM_WRITE, &info);
  if (!sf) { remove(tmp); return sw_fail(err, SW_EOUTPUT, "%s: cannot write audio (%s)", path, sf_strerror(NULL)); }
  sf_command(sf, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE); /* no timestamp: same samples, same bytes */
  sf_count_t put = sf_writef_float(sf, x, n);
  int bad = put != n;
  char why[256];
  snprintf(why, sizeof why, "%s", sf_strerror(sf));
  sf_write_sync(sf);
  bad |= sf_close(sf) != 0;
  if (bad) { remove(tmp); return sw_fail(err, SW_EOUTPUT, "%s: write failed (%s)", path, why); }
  return sw_atomic_rename(tmp, path, err);
}
