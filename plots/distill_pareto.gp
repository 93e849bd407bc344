# Pareto plot of one distill/capture run: ESR against the device on the held-out input versus
# real-time factor, one labelled point per width (log axes). Variables: datafile (widths.csv:
# channels,macs_per_sample,rtf,backend,esr_vs_device), teacher_rtf (0: none), plottitle.
# Terminal and output are set by the caller (slimwave distill / capture).
set datafile separator ","
set title sprintf("%s: fidelity vs speed (lower right is better)", plottitle) noenhanced  # file names keep their underscores
set xlabel "real-time factor (audio s / wall s, best backend, 64-sample blocks, 1 thread)"
set ylabel "ESR vs device, held-out input"
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key top left box
set arrow 1 from graph 0, first 0.01 to graph 1, first 0.01 nohead dt 2 lc rgb "#cc4444"
set label 1 "target ESR 0.01" at graph 0.02, first 0.012 tc rgb "#cc4444" font ",9"
if (teacher_rtf > 0) {
  set arrow 2 from first teacher_rtf, graph 0 to first teacher_rtf, graph 1 nohead dt 3 lc rgb "#4444cc"
  set label 2 "teacher" at first teacher_rtf, graph 0.95 offset 0.5,0 tc rgb "#4444cc" font ",9"
}
plot datafile skip 1 using 3:5 with linespoints pt 7 ps 1.2 lw 2 title "student widths", \
     datafile skip 1 using 3:5:1 with labels offset 0.8,0.7 font ",8" notitle
