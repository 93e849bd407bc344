/* libFuzzer target: the audio loader (libsndfile behind sw_audio_read) on arbitrary bytes,
   written to a temporary file because that is the interface users hit. A refusal must be one
   SW_EINPUT/SW_ENOMEM line naming the file; an accepted file must hold finite samples. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/audio.h"

static char path[256];
static int fd = -1;

static void cleanup(void) {
  if (path[0]) unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (fd < 0) {
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/sw_fuzz_audio_XXXXXX", dir && *dir ? dir : "/tmp");
    fd = mkstemp(path);
    if (fd < 0) abort();
    atexit(cleanup);
  }
  if (ftruncate(fd, 0) || (size && pwrite(fd, data, size, 0) != (ssize_t)size)) abort();
  sw_audio a;
  sw_err err = {0};
  if (sw_audio_read(path, &a, &err)) {
    if (err.code != SW_EINPUT && err.code != SW_ENOMEM) __builtin_trap();
    if (!strstr(err.msg, path) || strchr(err.msg, '\n')) __builtin_trap();
    return 0;
  }
  if (a.n < 1 || a.rate <= 0 || a.channels < 1) __builtin_trap();
  for (long i = 0; i < a.n; i++)
    if (!isfinite(a.x[i])) __builtin_trap(); /* finite up to FLT_MAX: the loader accepts any finite float */
  sw_audio_free(&a);
  return 0;
}
