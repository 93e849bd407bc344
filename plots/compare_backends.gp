# make compare-backends: a metric against the channel count of one preset, one line per backend,
# 64-sample blocks. Variables: datadir, arch, metric (rtf|efficiency), backends, cpu.
set title sprintf("%s preset on %s: %s vs width (64-sample blocks, 1 thread)", arch, cpu, metric eq "rtf" ? "real-time factor" : "fraction of FMA peak") noenhanced
set xlabel "channels (first layer array)"
set ylabel (metric eq "rtf" ? "real-time factor (x)" : "efficiency (GFLOP/s / measured FMA peak)")
if (metric eq "rtf") set logscale y
set grid
set key outside right top box
col = (metric eq "rtf") ? 2 : 3
plot for [b in backends] sprintf("%s/%s_%s.dat", datadir, arch, b) using 1:col with linespoints lw 2 ps 1.1 title b
