/* slimwave info MODEL.nam */
#include <math.h>
#include <stdio.h>

#include "../core/archs.h"
#include "../core/nam_file.h"
#include "cli.h"

static const char *usage =
  "usage: slimwave info MODEL.nam\n"
  "Prints the architecture, version, sample rate, weight count, receptive field, the allowed\n"
  "widths with MACs and activations per sample at each, and the metadata.\n";

/* An LSTM, ConvNet or Linear: its config in a line (one width, runs on the naive path). */
static void print_arch(const sw_net *net) {
  if (net->arch == SW_ARCH_LSTM)
    printf("  LSTM: %d layer%s, hidden size %d, input size %d (prewarm %ld samples of silence)\n", net->lstm.num_layers,
           net->lstm.num_layers > 1 ? "s" : "", net->lstm.hidden_size, net->lstm.input_size, sw_arch_prewarm(net));
  else if (net->arch == SW_ARCH_CONVNET) {
    printf("  ConvNet: channels %d, %d blocks (kernel 2), activation %s%s, dilations", net->convnet.channels,
           net->convnet.n_blocks, sw_act_name(net->convnet.act.kind), net->convnet.batchnorm ? ", batchnorm" : "");
    for (int b = 0; b < net->convnet.n_blocks; b++) printf(" %d", net->convnet.dilations[b]);
    printf("\n");
  } else
    printf("  Linear: impulse response of %d taps%s\n", net->linear.receptive_field, net->linear.bias ? ", bias" : "");
  printf("  not slimmable: one width; runs on the naive path\n");
}

static void print_net(const sw_net *net) {
  printf("  sample_rate: %g\n  weights: %ld\n  receptive_field: %ld samples\n", net->sample_rate, net->nw,
         sw_net_receptive_field(net));
  if (net->arch == SW_ARCH_WAVENET) printf("  head_scale: %.9g\n", net->head_scale);
  else print_arch(net);
  for (int i = 0; i < net->n_arrays; i++) {
    const sw_array_cfg *a = &net->arrays[i];
    printf("  array %d: channels %d, head %d (kernel %d%s), %d layers, activation %s%s%s, slimmable %s, allowed",
           i, a->channels, a->head_size, a->head_kernel, a->head_bias ? ", bias" : "", a->n_layers,
           sw_act_name(a->layers[0].act.kind), a->layers[0].gated ? " gated" : "", a->layer1x1 ? "" : ", no layer 1x1",
           a->slimmable ? "yes" : "no (any width runs, untrained for it)");
    for (int j = 0; j < a->n_allowed; j++) printf("%s%d", j ? "," : " ", a->allowed[j]);
    printf("\n    kernels/dilations:");
    for (int l = 0; l < a->n_layers; l++) printf(" %d/%d", a->layers[l].kernel, a->layers[l].dilation);
    printf("\n");
  }
  sw_widths steps[SW_MAX_CHANNELS];
  int n = sw_net_width_steps(net, steps, SW_MAX_CHANNELS);
  if (n > SW_MAX_CHANNELS) n = SW_MAX_CHANNELS;
  printf(net->arch == SW_ARCH_WAVENET ? "  widths (slim value -> channels per array: MACs/sample, activations/sample, weights used):\n"
                                      : "  cost (its one width: MACs/sample, activations/sample, weights used):\n");
  for (int j = 0; j < n; j++) {
    char ws[64];
    cli_widths_str(&steps[j], ws, sizeof ws);
    printf("    %-10s %8ld MACs  %6ld act  %8ld weights\n", ws, sw_net_macs(net, &steps[j]),
           sw_net_activations(net, &steps[j]), sw_net_weights_used(net, &steps[j]));
  }
}

static void print_meta(const sw_meta *m, const char *indent) {
  if (m->name[0]) printf("%sname: %s\n", indent, m->name);
  if (m->gear_make[0] || m->gear_model[0]) printf("%sgear: %s %s (%s)\n", indent, m->gear_make, m->gear_model, m->gear_type);
  if (m->tone_type[0]) printf("%stone: %s\n", indent, m->tone_type);
  if (!isnan(m->loudness)) printf("%sloudness: %.3f dB\n", indent, m->loudness);
  if (!isnan(m->validation_esr)) printf("%svalidation_esr: %.6g\n", indent, m->validation_esr);
  double g = sw_meta_number(m, "target_gain_db");
  if (!isnan(g) && g != 0)
    printf("%starget_gain_db: %.2f (trained on the device's output times this gain: %+.2f dB of output gain gives its level)\n",
           indent, g, -g);
}

int cmd_info(int argc, char **argv) {
  if (cli_is_help(argc, argv)) { fputs(usage, stdout); return 0; }
  const char *pos[1];
  int npos;
  sw_err err = {0};
  if (cli_parse(argc, argv, NULL, 0, pos, 1, &npos, &err) || npos != 1) {
    fprintf(stderr, "slimwave info: %s\n", npos != 1 && !err.msg[0] ? "expected one MODEL.nam" : err.msg);
    fputs(usage, stderr);
    return SW_EUSAGE;
  }
  sw_model m;
  int rc = sw_model_load(pos[0], &m, &err);
  if (rc) { fprintf(stderr, "slimwave info: %s\n", err.msg); return rc; }
  printf("%s\n  version: %s\n  architecture: %s\n", pos[0], m.version, m.container ? "SlimmableContainer" : sw_arch_name(m.sub[0].arch));
  print_meta(&m.meta, "  ");
  for (int i = 0; i < m.n_sub; i++) {
    if (m.container) {
      printf("submodel %d (slim < %g): %s\n", i, m.max_value[i], sw_arch_name(m.sub[i].arch));
      print_meta(&m.sub[i].meta, "  ");
    }
    print_net(&m.sub[i]);
  }
  sw_model_free(&m);
  return 0;
}
