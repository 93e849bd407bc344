/* .nam reader, the configs of NAM's other architectures (keys as NeuralAmpModelerCore reads them):
   LSTM {input_size, hidden_size, num_layers}, ConvNet {channels, dilations, batchnorm, activation,
   groups}, Linear {receptive_field, bias, implementation}; each optionally {in,out}_channels. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "archs.h"
#include "nam_parse_priv.h"

/* Only mono models: in_channels and out_channels absent or 1. */
static int mono(sw_parse_ctx *c, const cJSON *cfg) {
  static const char *const keys[] = {"in_channels", "out_channels"};
  for (int i = 0; i < 2; i++) {
    int v = 1;
    if (cJSON_GetObjectItemCaseSensitive(cfg, keys[i])) {
      int rc = sw_parse_int(c, cfg, keys[i], "config", 1, 1 << 20, &v);
      if (rc) return rc;
    }
    if (v != 1) return FAIL(c, "%s: config: \"%s\" %d is not supported (mono models only)", c->path, keys[i], v);
  }
  return SW_OK;
}

/* A bool NAM Core requires (it has no default). */
static int need_bool(sw_parse_ctx *c, const cJSON *cfg, const char *key, bool *out) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);
  if (!cJSON_IsBool(v)) return FAIL(c, "%s: config: \"%s\" missing or not true/false", c->path, key);
  *out = cJSON_IsTrue(v);
  return SW_OK;
}

static int lstm(sw_parse_ctx *c, const cJSON *cfg, sw_lstm_cfg *l) {
  int rc;
  if ((rc = sw_parse_int(c, cfg, "input_size", "config", 1, SW_MAX_CHANNELS, &l->input_size))) return rc;
  if ((rc = sw_parse_int(c, cfg, "hidden_size", "config", 1, SW_MAX_CHANNELS, &l->hidden_size))) return rc;
  return sw_parse_int(c, cfg, "num_layers", "config", 1, SW_MAX_LSTM_LAYERS, &l->num_layers);
}

static int convnet(sw_parse_ctx *c, const cJSON *cfg, sw_convnet_cfg *n) {
  int rc;
  if ((rc = sw_parse_int(c, cfg, "channels", "config", 1, SW_MAX_CHANNELS, &n->channels))) return rc;
  if ((rc = need_bool(c, cfg, "batchnorm", &n->batchnorm))) return rc;
  const cJSON *act = cJSON_GetObjectItemCaseSensitive(cfg, "activation");
  if (!act) return FAIL(c, "%s: config: missing \"activation\"", c->path);
  if ((rc = sw_parse_act(c, act, "config", &n->act))) return rc;
  if (cJSON_GetObjectItemCaseSensitive(cfg, "groups")) { /* NAM Core's first block has 1 input: only 1 builds */
    int g;
    if ((rc = sw_parse_int(c, cfg, "groups", "config", 1, SW_MAX_CHANNELS, &g))) return rc;
    if (g != 1) return FAIL(c, "%s: config: ConvNet \"groups\" %d is not supported (the mono input has 1 channel)", c->path, g);
  }
  const cJSON *dil = cJSON_GetObjectItemCaseSensitive(cfg, "dilations");
  if (!cJSON_IsArray(dil)) return FAIL(c, "%s: config: \"dilations\" missing or not a list", c->path);
  int nb = cJSON_GetArraySize(dil);
  if (nb < 1 || nb > SW_MAX_LAYERS) return FAIL(c, "%s: config: %d dilations (expected 1..%d)", c->path, nb, SW_MAX_LAYERS);
  n->dilations = calloc((size_t)nb, sizeof(int));
  if (!n->dilations) return sw_fail(c->err, SW_ENOMEM, "%s: out of memory", c->path);
  n->n_blocks = nb;
  int i = 0;
  for (const cJSON *d = dil->child; d; d = d->next, i++)
    if ((rc = sw_parse_int_item(c, d, "a dilation", "config", 1, SW_MAX_DILATION, &n->dilations[i]))) return rc;
  return SW_OK;
}

static int linear(sw_parse_ctx *c, const cJSON *cfg, sw_linear_cfg *l) {
  int rc;
  if ((rc = sw_parse_int(c, cfg, "receptive_field", "config", 1, (int)SW_MAX_RF, &l->receptive_field))) return rc;
  if ((rc = need_bool(c, cfg, "bias", &l->bias))) return rc;
  /* NAM Core's choice of algorithm (direct or FFT), not of the output: checked, not kept */
  const cJSON *im = cJSON_GetObjectItemCaseSensitive(cfg, "implementation");
  if (im) {
    static const char *const known[] = {"auto", "direct", "legacy", "old", "fft", "partitioned_fft", "partitioned-fft"};
    char low[24] = "";
    if (cJSON_IsString(im) && strlen(im->valuestring) < sizeof low)
      for (size_t k = 0; im->valuestring[k]; k++) low[k] = (char)tolower((unsigned char)im->valuestring[k]);
    bool ok = false;
    for (size_t k = 0; k < sizeof known / sizeof *known; k++) ok |= !strcmp(low, known[k]);
    if (!ok) return FAIL(c, "%s: config: Linear \"implementation\" must be auto, direct or fft", c->path);
  }
  return SW_OK;
}

int sw_parse_arch_config(sw_parse_ctx *c, const cJSON *cfg, sw_net *net) {
  int rc = mono(c, cfg);
  if (rc) return rc;
  switch (net->arch) {
  case SW_ARCH_LSTM: return lstm(c, cfg, &net->lstm);
  case SW_ARCH_CONVNET: return convnet(c, cfg, &net->convnet);
  case SW_ARCH_LINEAR: return linear(c, cfg, &net->linear);
  case SW_ARCH_WAVENET: break;
  }
  return FAIL(c, "%s: config: not an LSTM, ConvNet or Linear", c->path);
}
