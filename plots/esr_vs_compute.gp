# The schedule study: validation ESR at one width (mean over seeds, per epoch) against the
# sample-passes trained so far, every arm and the dedicated model of that width. Variables:
# datafile, dataset, width, narms, titles. Terminal and output are set by slimwave report.
set title sprintf("ESR against compute, %s, %s channels", dataset, width)
set xlabel "sample-passes (forward + backward of one output sample)"
set ylabel "validation ESR (mean over seeds)"
set logscale y
set grid
set key outside right top box
plot for [i=0:narms-1] datafile index i using 1:2 with linespoints pt 7 ps 0.4 lw 2 title word(titles, i+1)
