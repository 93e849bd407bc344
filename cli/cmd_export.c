/* slimwave export: a plain model of one width, cut out of a slimmable one (sw_net_slice). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "../core/nam_file.h"
#include "cli.h"

static const char *usage =
  "usage: slimwave export MODEL.nam (--slim V | --channels C1[,C2..]) --out SMALL.nam\n"
  "Writes the leading-channel slice of MODEL at that width as an ordinary .nam (no \"slimmable\" key),\n"
  "which NeuralAmpModelerCore loads and which gives the same output as MODEL run at that width.\n"
  "  --slim V      slim value in [0,1] mapped through the allowed widths (0 smallest, 1 full)\n"
  "  --channels C  explicit channels per layer array, e.g. 8 or 12,6\n";

/* A model trained by slimwave lists the validation ESR per width: the exported model reports its
   own width's figure (or none), not the full model's. */
static void meta_for_width(sw_net *n, const sw_widths *w) {
  cJSON *md = n->meta.json ? cJSON_Parse(n->meta.json) : NULL;
  cJSON *tr = md ? cJSON_GetObjectItemCaseSensitive(md, "training") : NULL;
  cJSON *pw = tr ? cJSON_GetObjectItemCaseSensitive(tr, "validation_esr_per_width") : NULL;
  if (!cJSON_IsArray(pw)) { cJSON_Delete(md); return; }
  double esr = NAN;
  const cJSON *e;
  cJSON_ArrayForEach(e, pw) {
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(e, "channels"), *v = cJSON_GetObjectItemCaseSensitive(e, "esr");
    if (!cJSON_IsArray(ch) || !cJSON_IsNumber(v) || cJSON_GetArraySize(ch) != w->n) continue;
    bool same = true;
    for (int i = 0; i < w->n; i++) same &= cJSON_GetArrayItem(ch, i)->valuedouble == w->c[i];
    if (same) esr = v->valuedouble;
  }
  cJSON_DeleteItemFromObjectCaseSensitive(tr, "validation_esr");
  if (!isnan(esr)) cJSON_AddNumberToObject(tr, "validation_esr", esr);
  cJSON *ew = cJSON_CreateIntArray(w->c, w->n);
  if (ew) cJSON_AddItemToObject(tr, "exported_channels", ew);
  char *text = cJSON_PrintUnformatted(md);
  cJSON_Delete(md);
  if (!text) return;
  free(n->meta.json);
  n->meta.json = text;
  n->meta.validation_esr = esr;
}

int cmd_export(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  const char *slim_s = NULL, *ch_s = NULL, *out_s = NULL;
  cli_opt opts[] = {{"--slim", &slim_s, NULL}, {"--channels", &ch_s, NULL}, {"--out", &out_s, NULL}};
  const char *pos[1];
  int npos = 0;
  sw_err err = {0};
  int rc = cli_parse(argc, argv, opts, 3, pos, 1, &npos, &err);
  if (!rc && npos != 1) rc = sw_fail(&err, SW_EUSAGE, "expected MODEL.nam (see --help)");
  if (!rc && !out_s) rc = sw_fail(&err, SW_EUSAGE, "--out SMALL.nam is required");
  if (!rc && !!slim_s == !!ch_s) rc = sw_fail(&err, SW_EUSAGE, "give exactly one of --slim and --channels");
  double slim = 1.0;
  sw_widths w = {0};
  if (!rc && slim_s) rc = cli_double("--slim", slim_s, 0.0, 1.0, &slim, &err);
  if (!rc && ch_s) rc = cli_widths(ch_s, &w, &err);
  if (rc) { fprintf(stderr, "slimwave export: %s\n", err.msg); return rc; }
  sw_model m, out;
  sw_net small;
  if ((rc = sw_model_load(pos[0], &m, &err))) { fprintf(stderr, "slimwave export: %s\n", err.msg); return rc; }
  const sw_net *net = sw_model_pick(&m, slim);
  if (slim_s) w = sw_net_widths_for_slim(net, slim);
  if ((rc = sw_net_check_widths(net, &w, &err))) {
    fprintf(stderr, "slimwave export: %s: %s\n", pos[0], err.msg);
    sw_model_free(&m);
    return rc;
  }
  long nws = 0;
  if (!(rc = sw_net_slice(net, &w, &small, &err))) {
    nws = small.nw;
    meta_for_width(&small, &w);
    if (!(rc = sw_model_from_net(&small, &out, &err))) {
      rc = sw_model_save(&out, out_s, &err);
      sw_model_free(&out);
    }
    sw_net_free(&small);
  }
  if (rc) fprintf(stderr, "slimwave export: %s\n", err.msg);
  else {
    char ws[64];
    cli_widths_str(&w, ws, sizeof ws);
    fprintf(stderr, "slimwave export: %s at channels %s (%ld weights) -> %s\n", pos[0], ws, nws, out_s);
  }
  sw_model_free(&m);
  return rc;
}
