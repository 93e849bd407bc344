/* Audio files through libsndfile: read any format it knows into mono float, write 32-bit float
   WAV atomically. */
#ifndef SW_AUDIO_H
#define SW_AUDIO_H

#include "err.h"

#define SW_MAX_AUDIO_FRAMES (48000L * 60 * 60 * 4) /* 4 hours at 48 kHz */

typedef struct sw_audio {
  float *x;       /* first channel */
  long n;
  int rate;
  int channels;   /* channels in the file (only the first is kept) */
} sw_audio;

/* Refuses empty files, non-audio, NaN/Inf samples and files over SW_MAX_AUDIO_FRAMES. */
int sw_audio_read(const char *path, sw_audio *out, sw_err *err);
void sw_audio_free(sw_audio *a);
/* Mono 32-bit float WAV, written to a temporary file and renamed. */
int sw_audio_write(const char *path, const float *x, long n, int rate, sw_err *err);

#endif
