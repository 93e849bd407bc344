/* The report of a distill/capture run: work/widths.csv, <out>.md and the Pareto plot
   <out>-pareto.png/.svg (gnuplot, plots/distill_pareto.gp). */
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/atomic_file.h"
#include "distill.h"
#include "spawn.h"

static void widths_str(const sw_widths *w, char *buf, size_t len) {
  size_t m = 0;
  buf[0] = 0;
  for (int i = 0; i < w->n && m < len; i++) m += (size_t)snprintf(buf + m, len - m, "%s%d", i ? "-" : "", w->c[i]);
}

/* <out> without .nam, plus suffix. */
static void beside(const char *out, const char *suffix, char *buf, size_t len) {
  size_t n = strlen(out);
  if (n > 4 && !strcmp(out + n - 4, ".nam")) n -= 4;
  snprintf(buf, len, "%.*s%s", (int)n, out, suffix);
}

static int plot(const char *script, const char *csv, double teacher_rtf, const char *title, const char *base, sw_err *err) {
  static const char *const terms[][2] = {{"pngcairo size 900,600 font ',11'", "png"}, {"svg size 900,600 font ',11'", "svg"}};
  for (int t = 0; t < 2; t++) {
    char out[4300], tmp[4400], e[16384];
    snprintf(out, sizeof out, "%s.%s", base, terms[t][1]);
    if (sw_atomic_tmpname(out, tmp, sizeof tmp, err)) return SW_EOUTPUT;
    snprintf(e, sizeof e, "datafile='%s'; teacher_rtf=%.6g; plottitle='%s'; set terminal %s; set output '%s'", csv,
             teacher_rtf, title, terms[t][0], tmp);
    char *argv[] = {"gnuplot", "-e", e, (char *)script, NULL};
    if (sw_child_run(argv, NULL, err)) { remove(tmp); return SW_EFAIL; }
    if (sw_atomic_rename(tmp, out, err)) return SW_EOUTPUT;
  }
  return SW_OK;
}

/* Names for gnuplot's single-quoted strings: no quotes or backslashes (underscores stay: the
   script sets the title noenhanced). */
static void plain(const char *s, char *out, size_t len) {
  size_t k = 0;
  for (; *s && k + 1 < len; s++) out[k++] = (*s == '\'' || *s == '\\') ? ' ' : *s;
  out[k] = 0;
}

int sw_distill_report(const sw_distill_opts *o, const sw_distill_info *in, sw_distill_result *res, sw_err *err) {
  char csv[4200], md[4200], base[4200], name[1024], ch[256];
  snprintf(csv, sizeof csv, "%s/widths.csv", in->work);
  beside(o->out, ".md", md, sizeof md);
  beside(o->out, "-pareto", base, sizeof base);
  if (snprintf(res->report, sizeof res->report, "%s", md) >= (int)sizeof res->report) return sw_fail(err, SW_EUSAGE, "%s: path too long", md);
  /* the CSV: one row per width */
  size_t cap = 64 * 1024, n = 0;
  char *b = malloc(cap);
  if (!b) return sw_fail(err, SW_ENOMEM, "out of memory");
  n += (size_t)snprintf(b + n, cap - n, "channels,macs_per_sample,rtf,backend,esr_vs_device\n");
  for (int j = 0; j < res->n; j++) {
    const sw_distill_row *r = &res->rows[j];
    widths_str(&r->w, ch, sizeof ch);
    n += (size_t)snprintf(b + n, cap - n, "%s,%ld,%.4g,%s,%.6g\n", ch, r->macs, r->rtf, r->backend, r->esr);
  }
  int rc = sw_write_file_atomic(csv, b, n, err);
  if (rc) { free(b); return rc; }
  /* the plot; a missing gnuplot costs the picture, not the run */
  char script[4200], title[1200], nb[4200];
  snprintf(script, sizeof script, "%s/distill_pareto.gp", o->plots_dir ? o->plots_dir : SW_SOURCE_DIR "/plots");
  snprintf(nb, sizeof nb, "%s", o->out);
  snprintf(name, sizeof name, "%s", basename(nb));
  plain(name, title, sizeof title);
  sw_err pe = {0};
  bool plotted = !plot(script, csv, res->have_teacher_row ? res->teacher.rtf : 0, title, base, &pe);
  if (!plotted) snprintf(res->plot_warning, sizeof res->plot_warning, "no Pareto plot: %s", pe.msg);
  /* the page */
  time_t now = time(NULL);
  char when[64];
  strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", gmtime(&now));
  n = 0;
  const sw_distill_row *full = res->n ? &res->rows[res->n - 1] : NULL;
  n += (size_t)snprintf(b + n, cap - n, "# %s\n\nA slimmable model %s by `slimwave %s` on %s.\n\n", name,
                        o->teacher ? "distilled from a teacher model" : "captured from an LV2 plugin",
                        o->teacher ? "distill" : "capture", when);
  char thr[32] = "all cores", gain[300] = "";
  if (in->target_gain_db != 0)
    snprintf(gain, sizeof gain, "| target gain | %.2f dB: the device's output went above full scale and was scaled to a peak of "
             "0.5; the model plays that much quieter than the device (target_gain_db in its metadata) |\n", in->target_gain_db);
  if (in->threads > 0) snprintf(thr, sizeof thr, "%d thread%s", in->threads, in->threads > 1 ? "s" : "");
  n += (size_t)snprintf(b + n, cap - n,
                        "| | |\n|---|---|\n| device | %s |\n| student architecture | %s |\n| width schedule | %s |\n"
                        "| initialisation | %s |\n| capture signal | %.1f s (NAM v3 layout), material: %s |\n| dataset latency | %ld samples |\n"
                        "%s"
                        "| training | %d epochs, lr %g, %.0f s wall (%.2f h), %s |\n| held out | %s |\n| work folder | %s |\n\n",
                        in->what, in->arch, in->schedule,
                        res->warm ? "the teacher's weights (full width starts equal to the teacher)" : "fresh (trained from scratch)",
                        in->seconds, in->signal, in->latency, gain, res->epochs_done,
                        res->lr, res->train_s, res->train_s / 3600, thr,
                        res->holdout, in->work);
  n += (size_t)snprintf(b + n, cap - n,
                        "Per width: channels per layer array, multiply-adds per sample, real-time factor on this CPU "
                        "(one thread, 64-sample blocks, the fastest usable backend on 1 s, then its best of two runs over at most 8 s "
                        "of the held-out input) and ESR against the %s on the held-out input.\n\n"
                        "| channels | MACs/sample | RTF | backend | ESR vs %s |\n|---:|---:|---:|---|---:|\n",
                        o->teacher ? "teacher" : "plugin's output", o->teacher ? "teacher" : "plugin");
  for (int j = res->n - 1; j >= 0; j--) {
    const sw_distill_row *r = &res->rows[j];
    widths_str(&r->w, ch, sizeof ch);
    n += (size_t)snprintf(b + n, cap - n, "| %s | %ld | %.1f | %s | %.4g |\n", ch, r->macs, r->rtf, r->backend, r->esr);
  }
  if (res->have_teacher_row) {
    widths_str(&res->teacher.w, ch, sizeof ch);
    n += (size_t)snprintf(b + n, cap - n, "| teacher (%s) | %ld | %.1f | %s | - |\n", ch, res->teacher.macs,
                          res->teacher.rtf, res->teacher.backend);
  }
  if (full)
    n += (size_t)snprintf(b + n, cap - n, "\nFull width: ESR %.4g, %s the target of %g.%s\n", full->esr,
                          full->esr <= SW_DISTILL_TARGET_ESR ? "meets" : "does not meet", SW_DISTILL_TARGET_ESR,
                          full->esr <= SW_DISTILL_TARGET_ESR ? "" : " More epochs (rerun with a larger --epochs: training continues "
                                                         "from the checkpoint) or a longer signal should close the gap.");
  if (plotted) {
    char pb[4200];
    snprintf(pb, sizeof pb, "%s", base);
    n += (size_t)snprintf(b + n, cap - n, "\n![Pareto: ESR against real-time factor](%s.png)\n\n(SVG: %s.svg)\n",
                          basename(pb), basename(pb));
  } else {
    n += (size_t)snprintf(b + n, cap - n, "\n(%s)\n", res->plot_warning);
  }
  n += (size_t)snprintf(b + n, cap - n,
                        "\nFiles: the widths as CSV in %s, per-epoch validation ESR in %s. Listen at any width with "
                        "`slimwave process %s IN.wav OUT --sweep`.\n", csv, in->train_csv, o->out);
  rc = n < cap ? sw_write_file_atomic(md, b, n, err) : sw_fail(err, SW_EFAIL, "%s: report too long", md);
  free(b);
  return rc;
}
