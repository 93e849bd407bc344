/* Locks of a dataset folder (see datasets.h): flock on files beside it, which the kernel drops
   however the holder ends, so a killed build or job never leaves a stale lock. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "datasets.h"

int sw_dataset_lock(const char *dir, const char *kind, int exclusive, int create) {
  char d[4096], path[4200];
  if (snprintf(d, sizeof d, "%s", dir) >= (int)sizeof d) return -1;
  size_t n = strlen(d);
  while (n > 1 && d[n - 1] == '/') d[--n] = 0;
  char *slash = strrchr(d, '/');
  const char *parent = ".", *name = d;
  if (slash) *slash = 0, parent = slash == d ? "/" : d, name = slash + 1;
  if (!*name || !strcmp(name, ".") || !strcmp(name, "..")) return -1;
  snprintf(path, sizeof path, "%s/.%s.%s", parent, name, kind);
  /* readers never create it: a manifest outside any cache may sit in a read-only folder */
  int fd = create ? open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666) : open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc;
  while ((rc = flock(fd, exclusive ? LOCK_EX : LOCK_SH)) && errno == EINTR) {}
  if (rc) { close(fd); return -1; }
  return fd;
}

void sw_dataset_unlock(int fd) {
  if (fd >= 0) close(fd);
}
