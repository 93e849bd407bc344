/* Temporary-file-then-rename writing, and bounded whole-file reading. */
#include "atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int is_dir(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Six random name characters in place of "XXXXXX". */
static void fill_xs(char *x, int salt) {
  static const char digits[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  uint64_t r = 0;
  if (getrandom(&r, sizeof r, GRND_NONBLOCK) != (ssize_t)sizeof r) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    r = (uint64_t)ts.tv_nsec * 2654435761u ^ (uint64_t)getpid() << 32 ^ (uint64_t)salt;
  }
  for (int i = 0; i < 6; i++, r /= 62) x[i] = digits[r % 62];
}

int sw_atomic_tmpname(const char *path, char *tmp, size_t len, sw_err *err) {
  if (!path || !*path) return sw_fail(err, SW_EOUTPUT, "empty output path");
  if (is_dir(path)) return sw_fail(err, SW_EOUTPUT, "%s: is a directory", path);
  const char *slash = strrchr(path, '/');
  int dlen = slash ? (int)(slash - path + 1) : 0;
  int n = snprintf(tmp, len, "%.*s.%s.tmp.XXXXXX", dlen, path, slash ? slash + 1 : path);
  if (n < 0 || (size_t)n >= len) return sw_fail(err, SW_EOUTPUT, "%s: path too long", path);
  /* Not mkstemp: its files are 0600 whatever the umask, which breaks a folder shared by a group
     (a cluster's project space). O_EXCL with mode 0666 lets the umask decide, as for any file. */
  for (int tries = 0; tries < 100; tries++) {
    fill_xs(tmp + n - 6, tries);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) { close(fd); return SW_OK; }
    if (errno != EEXIST) break;
  }
  return sw_fail(err, SW_EOUTPUT, "%s: cannot create a file there: %s", path, strerror(errno));
}

int sw_mkdtemp(char *tmpl) {
  size_t n = strlen(tmpl);
  if (n < 6 || strcmp(tmpl + n - 6, "XXXXXX")) return errno = EINVAL, -1;
  for (int tries = 0; tries < 100; tries++) {
    fill_xs(tmpl + n - 6, tries);
    if (!mkdir(tmpl, 0777)) return 0;
    if (errno != EEXIST) return -1;
  }
  return -1;
}

int sw_mkdirs(const char *path, sw_err *err) {
  char buf[4096];
  if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf) return sw_fail(err, SW_EOUTPUT, "%s: path too long", path);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || !*p) {
      char c = *p;
      *p = 0;
      if (mkdir(buf, 0777) && errno != EEXIST) return sw_fail(err, SW_EOUTPUT, "%s: cannot create: %s", buf, strerror(errno));
      *p = c;
      if (!c) break;
    }
  }
  return SW_OK;
}

int sw_atomic_rename(const char *tmp, const char *path, sw_err *err) {
  if (rename(tmp, path) != 0) {
    int e = errno;
    remove(tmp);
    return sw_fail(err, SW_EOUTPUT, "%s: cannot write: %s", path, strerror(e));
  }
  return SW_OK;
}

int sw_atomic_open(sw_atomic *a, const char *path, sw_err *err) {
  memset(a, 0, sizeof *a);
  if (strlen(path) >= sizeof a->path) return sw_fail(err, SW_EOUTPUT, "%s: path too long", path);
  int rc = sw_atomic_tmpname(path, a->tmp, sizeof a->tmp, err);
  if (rc) return rc;
  strcpy(a->path, path);
  a->f = fopen(a->tmp, "wb");
  if (!a->f) {
    int e = errno;
    remove(a->tmp);
    return sw_fail(err, SW_EOUTPUT, "%s: cannot write: %s", path, strerror(e));
  }
  return SW_OK;
}

int sw_atomic_commit(sw_atomic *a, sw_err *err) {
  int bad = ferror(a->f);
  bad |= fflush(a->f) != 0;
  int e = errno;
  bad |= fsync(fileno(a->f)) != 0;
  bad |= fclose(a->f) != 0;
  a->f = NULL;
  if (bad) {
    if (!e) e = errno;
    remove(a->tmp);
    return sw_fail(err, SW_EOUTPUT, "%s: write failed: %s", a->path, strerror(e ? e : EIO));
  }
  return sw_atomic_rename(a->tmp, a->path, err);
}

void sw_atomic_abort(sw_atomic *a) {
  if (a->f) fclose(a->f);
  a->f = NULL;
  if (a->tmp[0]) remove(a->tmp);
}

int sw_write_file_atomic(const char *path, const void *data, size_t n, sw_err *err) {
  sw_atomic a;
  int rc = sw_atomic_open(&a, path, err);
  if (rc) return rc;
  if (n && fwrite(data, 1, n, a.f) != n) {
    int e = errno;
    sw_atomic_abort(&a);
    return sw_fail(err, SW_EOUTPUT, "%s: write failed: %s", path, strerror(e));
  }
  return sw_atomic_commit(&a, err);
}

int sw_read_file(const char *path, size_t max, char **data, size_t *n, sw_err *err) {
  *data = NULL;
  *n = 0;
  if (is_dir(path)) return sw_fail(err, SW_EINPUT, "%s: is a directory", path);
  FILE *f = fopen(path, "rb");
  if (!f) return sw_fail(err, SW_EINPUT, "%s: cannot open: %s", path, strerror(errno));
  struct stat st; /* refuse a large regular file before reading (and allocating) any of it */
  if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (unsigned long long)st.st_size > max) {
    fclose(f);
    return sw_fail(err, SW_EINPUT, "%s: larger than %zu bytes", path, max);
  }
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap + 1);
  if (!buf) { fclose(f); return sw_fail(err, SW_ENOMEM, "%s: out of memory", path); }
  for (;;) {
    size_t got = fread(buf + len, 1, cap - len, f);
    len += got;
    if (len > max) { free(buf); fclose(f); return sw_fail(err, SW_EINPUT, "%s: larger than %zu bytes", path, max); }
    if (got == 0) break;
    if (len == cap) {
      cap = cap * 2 > max + 1 ? max + 1 : cap * 2; /* a pipe may still grow past max: read one more */
      char *nb = realloc(buf, cap + 1);
      if (!nb) { free(buf); fclose(f); return sw_fail(err, SW_ENOMEM, "%s: out of memory", path); }
      buf = nb;
    }
  }
  int bad = ferror(f);
  fclose(f);
  if (bad) { free(buf); return sw_fail(err, SW_EINPUT, "%s: read error", path); }
  buf[len] = 0;
  *data = buf;
  *n = len;
  return SW_OK;
}
