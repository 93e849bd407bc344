/* Provenance: sha256 of files (OpenSSL's EVP digest), Debian package versions (dpkg-query),
   where ../shared is, and running a helper program without a shell. */
#include <fcntl.h>
#include <openssl/evp.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "datasets.h"

extern char **environ;

static void hexify(const unsigned char *d, unsigned n, char hex[65]) {
  for (unsigned i = 0; i < n && i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", d[i]);
  hex[64] = 0;
}

void sw_sha256_buf(const void *p, size_t n, char hex[65]) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned dn = 0;
  EVP_Digest(p, n, d, &dn, EVP_sha256(), NULL);
  hexify(d, dn, hex);
}

int sw_sha256_file(const char *path, char hex[65], sw_err *err) {
  FILE *f = fopen(path, "rb");
  if (!f) return sw_fail(err, SW_EINPUT, "%s: cannot open for hashing", path);
  EVP_MD_CTX *ctx = EVP_MD_CTX_new();
  if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
    fclose(f), EVP_MD_CTX_free(ctx);
    return sw_fail(err, SW_EFAIL, "%s: sha256 unavailable", path);
  }
  static unsigned char buf[1 << 16];
  size_t k;
  while ((k = fread(buf, 1, sizeof buf, f)) > 0) EVP_DigestUpdate(ctx, buf, k);
  int bad = ferror(f);
  fclose(f);
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned dn = 0;
  EVP_DigestFinal_ex(ctx, d, &dn);
  EVP_MD_CTX_free(ctx);
  if (bad) return sw_fail(err, SW_EINPUT, "%s: read error while hashing", path);
  hexify(d, dn, hex);
  return SW_OK;
}

int sw_spawn(char *const argv[], const char *out_path) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid;
  int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc) return -1;
  int st;
  if (waitpid(pid, &st, 0) < 0) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void sw_pkg_version(const char *pkg, char *out, size_t len) {
  snprintf(out, len, "not installed");
  char tmp[] = "/tmp/slimwave-dpkg.XXXXXX";
  int fd = mkstemp(tmp);
  if (fd < 0) return;
  close(fd);
  char *argv[] = {"dpkg-query", "-W", "-f=${Version}", (char *)pkg, NULL};
  if (sw_spawn(argv, tmp) == 0) {
    FILE *f = fopen(tmp, "r");
    if (f) {
      char line[128];
      if (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0]) snprintf(out, len, "%s", line);
      }
      fclose(f);
    }
  }
  remove(tmp);
}

const char *sw_shared_dir(void) {
  static char path[4096];
  const char *e = getenv("SLIMWAVE_SHARED");
  if (e && *e) snprintf(path, sizeof path, "%s", e);
#ifdef SW_SOURCE_DIR
  else snprintf(path, sizeof path, "%s/../shared", SW_SOURCE_DIR);
#else
  else snprintf(path, sizeof path, "../shared");
#endif
  struct stat st;
  return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? path : NULL;
}
