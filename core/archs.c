/* Config checks, weight counts and costs of the LSTM, ConvNet and Linear architectures. */
#include "archs.h"

#include <string.h>

static const struct { const char *name; sw_arch a; } names[] = {
  {"WaveNet", SW_ARCH_WAVENET}, {"LSTM", SW_ARCH_LSTM}, {"ConvNet", SW_ARCH_CONVNET}, {"Linear", SW_ARCH_LINEAR},
};

const char *sw_arch_name(sw_arch a) {
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (names[i].a == a) return names[i].name;
  return "?";
}

int sw_arch_parse(const char *name, sw_arch *out) {
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (!strcmp(names[i].name, name)) { *out = names[i].a; return 0; }
  return -1;
}

long sw_arch_count_weights(const sw_net *net) {
  long n = 0;
  switch (net->arch) {
  case SW_ARCH_LSTM: {
    const sw_lstm_cfg *c = &net->lstm;
    for (int l = 0; l < c->num_layers; l++) n += sw_lstm_layer_floats(l ? c->hidden_size : c->input_size, c->hidden_size);
    return n + c->hidden_size + 1;
  }
  case SW_ARCH_CONVNET: {
    const sw_convnet_cfg *c = &net->convnet;
    for (int b = 0; b < c->n_blocks; b++) n += sw_convnet_block_floats(b ? c->channels : 1, c->channels, c->batchnorm);
    return n + c->channels + 1;
  }
  case SW_ARCH_LINEAR: return net->linear.receptive_field + (net->linear.bias ? 1 : 0);
  case SW_ARCH_WAVENET: break;
  }
  return 0;
}

long sw_arch_receptive_field(const sw_net *net) {
  long rf = 1;
  if (net->arch == SW_ARCH_CONVNET)
    for (int b = 0; b < net->convnet.n_blocks; b++) rf += net->convnet.dilations[b];
  else if (net->arch == SW_ARCH_LINEAR) rf = net->linear.receptive_field;
  return rf;
}

long sw_arch_prewarm(const sw_net *net) {
  if (net->arch != SW_ARCH_LSTM) return sw_arch_receptive_field(net) - 1;
  long n = (long)(0.5 * net->sample_rate);
  return n > 0 ? n : 1;
}

int sw_arch_width(const sw_net *net) {
  return net->arch == SW_ARCH_LSTM ? net->lstm.hidden_size : net->arch == SW_ARCH_CONVNET ? net->convnet.channels : 1;
}

long sw_arch_macs(const sw_net *net) {
  long n = 0;
  if (net->arch == SW_ARCH_LSTM) {
    const sw_lstm_cfg *c = &net->lstm;
    long H = c->hidden_size;
    for (int l = 0; l < c->num_layers; l++) n += 4 * H * ((l ? H : c->input_size) + H);
    return n + H;
  }
  if (net->arch == SW_ARCH_CONVNET) {
    const sw_convnet_cfg *c = &net->convnet;
    long C = c->channels;
    for (int b = 0; b < c->n_blocks; b++) n += 2 * C * (b ? C : 1);
    return n + C; /* batchnorm: a per-channel scale and shift, counted like a bias (not) */
  }
  return net->arch == SW_ARCH_LINEAR ? net->linear.receptive_field : 0;
}

long sw_arch_activations(const sw_net *net) {
  if (net->arch == SW_ARCH_LSTM) return 5L * net->lstm.hidden_size * net->lstm.num_layers;
  if (net->arch == SW_ARCH_CONVNET) return (long)net->convnet.channels * net->convnet.n_blocks;
  return 0;
}

int sw_arch_check(const sw_net *net, const char *what, long *n_weights, sw_err *err) {
  const char *an = sw_arch_name(net->arch);
  if (net->arch == SW_ARCH_LSTM) {
    const sw_lstm_cfg *c = &net->lstm;
    if (c->input_size != 1)
      return sw_fail(err, SW_EINPUT, "%s: LSTM input_size %d not supported (mono input only)", what, c->input_size);
    if (c->hidden_size < 1 || c->hidden_size > SW_MAX_CHANNELS)
      return sw_fail(err, SW_EINPUT, "%s: LSTM hidden_size %d out of range 1..%d", what, c->hidden_size, SW_MAX_CHANNELS);
    if (c->num_layers < 1 || c->num_layers > SW_MAX_LSTM_LAYERS)
      return sw_fail(err, SW_EINPUT, "%s: LSTM num_layers %d out of range 1..%d", what, c->num_layers, SW_MAX_LSTM_LAYERS);
  } else if (net->arch == SW_ARCH_CONVNET) {
    const sw_convnet_cfg *c = &net->convnet;
    if (c->channels < 1 || c->channels > SW_MAX_CHANNELS)
      return sw_fail(err, SW_EINPUT, "%s: ConvNet channels %d out of range 1..%d", what, c->channels, SW_MAX_CHANNELS);
    if (c->n_blocks < 1 || c->n_blocks > SW_MAX_LAYERS)
      return sw_fail(err, SW_EINPUT, "%s: ConvNet has %d dilations (expected 1..%d)", what, c->n_blocks, SW_MAX_LAYERS);
    for (int b = 0; b < c->n_blocks; b++)
      if (c->dilations[b] < 1 || c->dilations[b] > SW_MAX_DILATION)
        return sw_fail(err, SW_EINPUT, "%s: ConvNet block %d: dilation %d out of range 1..%d", what, b, c->dilations[b], SW_MAX_DILATION);
  } else if (net->arch == SW_ARCH_LINEAR) {
    if (net->linear.receptive_field < 1 || net->linear.receptive_field > SW_MAX_RF)
      return sw_fail(err, SW_EINPUT, "%s: Linear receptive_field %d out of range 1..%ld", what, net->linear.receptive_field, SW_MAX_RF);
  } else {
    return sw_fail(err, SW_EINPUT, "%s: unknown architecture", what);
  }
  long rf = sw_arch_receptive_field(net);
  if (rf > SW_MAX_RF) return sw_fail(err, SW_EINPUT, "%s: receptive field %ld exceeds the limit %ld", what, rf, SW_MAX_RF);
  long n = sw_arch_count_weights(net);
  if (n > SW_MAX_WEIGHTS) return sw_fail(err, SW_EINPUT, "%s: %s of %ld weights exceeds the limit %ld", what, an, n, SW_MAX_WEIGHTS);
  if (!(net->sample_rate > 0 && net->sample_rate <= 1e6))
    return sw_fail(err, SW_EINPUT, "%s: sample_rate %g out of range", what, net->sample_rate);
  if (n_weights) *n_weights = n;
  return SW_OK;
}
