# A backend metric (rtf or efficiency) against the channel count of the slimmable model, one line
# per backend. Variables: datadir, metric, backends (space-separated).
set title (metric eq "rtf" ? "Real-time factor vs width, per backend (64-sample blocks, 1 thread)" : "Fraction of the measured single-core FMA peak vs width, per backend")
set xlabel "channels"
set ylabel (metric eq "rtf" ? "real-time factor (x)" : "efficiency (GFLOP/s / FMA peak)")
if (metric eq "rtf") set logscale y
set grid
set key outside right top box
plot for [b in backends] sprintf("%s/%s_%s.dat", datadir, metric, b) using 1:3 with linespoints lw 2 ps 1.2 title b
