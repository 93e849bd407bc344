/* slimwave lv2 MODEL.nam --out NAME.lv2 [--uri URI] [--name NAME]: an LV2 bundle with the model built
   in (its own plugin URI and name), for hosts and players that cannot hand the plugin a file. The
   bundle is the plugin binary of this build, the model file as given, plugin.uri and the Turtle;
   it is written in a temporary folder and renamed into place. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <dirent.h>

#include "../core/atomic_file.h"
#include "../core/nam_file.h"
#include "../lv2/ports.h"
#include "../lv2/model.h"
#include "../lv2/ttl.h"
#include "cli.h"

static const char *usage =
  "usage: slimwave lv2 MODEL.nam --out NAME.lv2 [--uri URI] [--name NAME]\n"
  "Makes an LV2 plugin bundle with MODEL.nam built in: slimwave.lv2 (the slim knob, input and output\n"
  "gain, bypass) under its own plugin URI and name, for hosts that cannot pass a model file to the\n"
  "plugin (lv2apply among them). Install it by copying NAME.lv2 into ~/.lv2/, or point LV2_PATH at\n"
  "the folder that holds it.\n"
  "  --uri URI    the plugin URI (default urn:slimwave:model:<name>-<hash of the file>)\n"
  "  --name NAME  the name hosts show (default the model's metadata name, else gear make and model,\n"
  "               else the file name)\n"
  "An existing NAME.lv2 is replaced only if slimwave lv2 made it.\n";

static int copy_file(const char *from, const char *to, sw_err *err) {
  char *data;
  size_t n;
  int rc = sw_read_file(from, SW_MAX_FILE_BYTES, &data, &n, err);
  if (rc) return rc;
  rc = sw_write_file_atomic(to, data, n, err);
  free(data);
  return rc;
}

static uint64_t fnv1a(const char *path) {
  uint64_t h = 1469598103934665603ULL;
  FILE *f = fopen(path, "rb");
  int c;
  while (f && (c = fgetc(f)) != EOF) h = (h ^ (unsigned char)c) * 1099511628211ULL;
  if (f) fclose(f);
  return h;
}

/* The name a host shows: metadata name, else gear make and model, else the file's stem. */
static void model_name(const sw_model *m, const char *path, char *out, size_t len) {
  const sw_meta *md = &m->meta;
  if (md->name[0]) snprintf(out, len, "%s", md->name);
  else if (md->gear_make[0] || md->gear_model[0]) snprintf(out, len, "%s%s%s", md->gear_make, md->gear_make[0] && md->gear_model[0] ? " " : "", md->gear_model);
  else {
    char p[4096];
    snprintf(p, sizeof p, "%s", path);
    char *b = basename(p), *dot = strrchr(b, '.');
    if (dot && dot != b) *dot = 0;
    snprintf(out, len, "%s", b);
  }
}

static void slug(const char *s, char *out, size_t len) {
  size_t k = 0;
  for (; *s && k + 1 < len && k < 48; s++) {
    char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (ok) out[k++] = c;
    else if (k && out[k - 1] != '-') out[k++] = '-';
  }
  while (k && out[k - 1] == '-') k--;
  out[k] = 0;
  if (!k) snprintf(out, len, "model");
}

static bool is_dir(const char *p) { struct stat st; return !stat(p, &st) && S_ISDIR(st.st_mode); }

static void rm_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char p[PATH_MAX + 300];
  while ((e = readdir(d)))
    if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) snprintf(p, sizeof p, "%s/%s", dir, e->d_name), remove(p);
  closedir(d);
  rmdir(dir);
}

static int write_bundle(const char *tmp, const char *so, const char *model, const char *uri, const char *name, sw_err *err) {
  char p[2 * PATH_MAX + 64];
  snprintf(p, sizeof p, "%s/%s", tmp, SW_LV2_BINARY);
  int rc = copy_file(so, p, err);
  snprintf(p, sizeof p, "%s/%s", tmp, SW_LV2_BUILTIN_MODEL);
  if (!rc) rc = copy_file(model, p, err);
  snprintf(p, sizeof p, "%s/%s", tmp, SW_LV2_URI_FILE);
  char line[1100];
  int n = snprintf(line, sizeof line, "%s\n", uri);
  if (!rc) rc = sw_write_file_atomic(p, line, (size_t)n, err);
  if (!rc) rc = sw_lv2_write_ttl(tmp, uri, name, true, err);
  /* readable by every user, as an installed bundle (the atomic writer makes 0600 files) */
  const char *files[] = {SW_LV2_BINARY, SW_LV2_BUILTIN_MODEL, SW_LV2_URI_FILE};
  for (int i = 0; !rc && i < 3; i++) {
    snprintf(p, sizeof p, "%s/%s", tmp, files[i]);
    chmod(p, i ? 0644 : 0755);
  }
  return rc;
}

/* tmp replaces out; an old bundle (made by this command) is moved aside first and removed after. */
static int put_in_place(const char *tmp, const char *out, sw_err *err) {
  char old[PATH_MAX + 64];
  bool had = is_dir(out);
  if (had) {
    snprintf(old, sizeof old, "%s.old.tmp.%ld", out, (long)getpid());
    if (rename(out, old)) return sw_fail(err, SW_EOUTPUT, "%s: cannot move the old bundle aside: %s", out, strerror(errno));
  }
  if (rename(tmp, out)) {
    int e = errno;
    if (had) rename(old, out);
    return sw_fail(err, SW_EOUTPUT, "%s: cannot move the new bundle in place: %s", out, strerror(e));
  }
  if (had) rm_tree(old);
  return SW_OK;
}

int cmd_lv2(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  const char *out = NULL, *uri_s = NULL, *name_s = NULL;
  cli_opt opts[] = {{"--out", &out, NULL}, {"--uri", &uri_s, NULL}, {"--name", &name_s, NULL}};
  const char *pos[1];
  int npos = 0;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 3, pos, 1, &npos, &err);
  if (!rc && npos != 1) rc = sw_fail(&err, SW_EUSAGE, "expected MODEL.nam (see --help)");
  if (!rc && (!out || !out[0])) rc = sw_fail(&err, SW_EUSAGE, "--out NAME.lv2 is required");
  if (!rc && uri_s && !sw_lv2_uri_ok(uri_s)) rc = sw_fail(&err, SW_EUSAGE, "--uri %s: not a usable URI (scheme:rest, no spaces, quotes or <>)", uri_s);
  if (rc) { fprintf(stderr, "slimwave lv2: %s\n", err.msg); return rc; }
  char so[PATH_MAX + 64];
  if ((rc = cli_lv2_bundle(SW_LV2_BINARY, so, sizeof so, &err))) { fprintf(stderr, "slimwave lv2: %s\n", err.msg); return rc; }

  /* the model as the plugin will take it: loaded, every width prepared, at its own rate */
  sw_model m;
  if ((rc = sw_model_load(pos[0], &m, &err))) { fprintf(stderr, "slimwave lv2: %s\n", err.msg); return rc; }
  double rate = m.sub[0].sample_rate;
  sw_plug_model *r = NULL;
  char why[128];
  rc = sw_plug_model_open(pos[0], rate, 512, sw_backend_default(why, sizeof why), &r, &err);
  char name[300], uri[1024], s[64], desc[4600] = "";
  if (!rc) {
    sw_plug_model_describe(r, desc, sizeof desc);
    if (name_s) snprintf(name, sizeof name, "%s", name_s);
    else {
      char mn[260];
      model_name(&m, pos[0], mn, sizeof mn);
      snprintf(name, sizeof name, "slimwave: %s", mn);
    }
    slug(name_s ? name_s : name + 10, s, sizeof s);
    if (uri_s) snprintf(uri, sizeof uri, "%s", uri_s);
    else snprintf(uri, sizeof uri, "%s%s-%08llx", SW_LV2_MODEL_PREFIX, s, (unsigned long long)(fnv1a(pos[0]) >> 32));
  }
  sw_plug_model_free(r);
  sw_model_free(&m);
  if (rc) { fprintf(stderr, "slimwave lv2: %s\n", err.msg); return rc; }

  char o[PATH_MAX];
  snprintf(o, sizeof o, "%s", out);
  for (size_t n = strlen(o); n > 1 && o[n - 1] == '/'; n--) o[n - 1] = 0;
  char u[PATH_MAX + 64];
  snprintf(u, sizeof u, "%s/%s", o, SW_LV2_URI_FILE);
  struct stat st;
  if (!stat(o, &st) && (!S_ISDIR(st.st_mode) || access(u, F_OK))) {
    fprintf(stderr, "slimwave lv2: %s: exists and is not a bundle made by slimwave lv2\n", o);
    return SW_EOUTPUT;
  }
  char parent[PATH_MAX], base[PATH_MAX], tmp[2 * PATH_MAX + 32];
  snprintf(parent, sizeof parent, "%s", o), snprintf(base, sizeof base, "%s", o);
  snprintf(tmp, sizeof tmp, "%s/.%s.tmp.XXXXXX", dirname(parent), basename(base));
  if (!mkdtemp(tmp)) {
    fprintf(stderr, "slimwave lv2: %s: cannot create a folder there: %s\n", o, strerror(errno));
    return SW_EOUTPUT;
  }
  chmod(tmp, 0755);
  rc = write_bundle(tmp, so, pos[0], uri, name, &err);
  if (!rc) rc = put_in_place(tmp, o, &err);
  if (rc) {
    rm_tree(tmp);
    fprintf(stderr, "slimwave lv2: %s\n", err.msg);
    return rc;
  }
  printf("%s: plugin <%s> \"%s\"\n  %s\n", o, uri, name, desc);
  printf("install: cp -r %s ~/.lv2/   (or LV2_PATH=<the folder holding it>)\n", o);
  return 0;
}
