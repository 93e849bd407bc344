# The schedule study's Pareto plot for one dataset: mean validation ESR over seeds against MACs per
# sample, every arm over its widths and the dedicated models (one per width) as one curve.
# Variables: datafile, dataset, narms (data blocks), titles (space-separated). Terminal and output
# are set by slimwave report.
set title sprintf("Fidelity vs inference cost, %s (lower left is better)", dataset)
set xlabel "multiply-adds per output sample"
set ylabel "validation ESR (mean over seeds)"
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key outside right top box
plot for [i=0:narms-1] datafile index i using 1:2 with linespoints pt (i % 13 + 1) lw 2 ps 1.1 title word(titles, i+1)
