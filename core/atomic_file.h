/* Crash-safe file writing: everything slimwave writes goes to a temporary file in the same
   folder, is flushed, then renamed over the target, so a reader never sees half a file. Files and
   folders get the modes the umask allows, as any program's would. */
#ifndef SW_ATOMIC_FILE_H
#define SW_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "err.h"

typedef struct sw_atomic {
  FILE *f;
  char path[4096];
  char tmp[4096];
} sw_atomic;

/* Opens "<dir>/.<name>.tmp.XXXXXX". Refuses a target that is a directory. */
int sw_atomic_open(sw_atomic *a, const char *path, sw_err *err);
/* Flushes, fsyncs and renames; on any failure removes the temporary file. */
int sw_atomic_commit(sw_atomic *a, sw_err *err);
void sw_atomic_abort(sw_atomic *a);
/* Makes a temporary path for writers that open files themselves (libsndfile): fills tmp and
   returns 0, or fails if path is a directory. Finish with sw_atomic_rename or remove(tmp). */
int sw_atomic_tmpname(const char *path, char *tmp, size_t len, sw_err *err);
int sw_atomic_rename(const char *tmp, const char *path, sw_err *err);
/* mkdtemp whose folder gets 0777 less the umask (mkdtemp's is 0700, which a group-shared cache
   cannot use). Returns 0, or -1 with errno. */
int sw_mkdtemp(char *tmpl);
/* mkdir -p (modes from the umask). */
int sw_mkdirs(const char *path, sw_err *err);
/* Whole-buffer convenience. */
int sw_write_file_atomic(const char *path, const void *data, size_t n, sw_err *err);
/* Reads a whole file (malloc'ed, NUL-terminated) up to max bytes. */
int sw_read_file(const char *path, size_t max, char **data, size_t *n, sw_err *err);

#endif
