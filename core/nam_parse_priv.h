/* Shared by the .nam reader's files (nam_parse.c: the file, WaveNet and containers;
   nam_parse_arch.c: LSTM, ConvNet, Linear): typed getters that refuse with one line naming the
   file, the place and the key. */
#ifndef SW_NAM_PARSE_PRIV_H
#define SW_NAM_PARSE_PRIV_H

#include <cjson/cJSON.h>

#include "model.h"

typedef struct sw_parse_ctx {
  const char *path;
  sw_err *err;
} sw_parse_ctx;

#define FAIL(c, ...) sw_fail((c)->err, SW_EINPUT, __VA_ARGS__)

/* An integer-valued number within [lo, hi] at key (where: the place, for messages). */
int sw_parse_int(sw_parse_ctx *c, const cJSON *obj, const char *key, const char *where, int lo, int hi, int *out);
int sw_parse_int_item(sw_parse_ctx *c, const cJSON *v, const char *what, const char *where, int lo, int hi, int *out);
/* Absent or null: dflt. */
int sw_parse_bool(sw_parse_ctx *c, const cJSON *obj, const char *key, const char *where, bool dflt, bool *out);
/* An activation: a name, or {"type": name, "negative_slope": x}. */
int sw_parse_act(sw_parse_ctx *c, const cJSON *v, const char *where, sw_act *out);

/* config of an LSTM, ConvNet or Linear (net->arch set): every size checked before anything is
   allocated. */
int sw_parse_arch_config(sw_parse_ctx *c, const cJSON *cfg, sw_net *net);

#endif
