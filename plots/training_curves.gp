# Validation ESR per epoch at each width of the slimmable model. Variables: datafile, widths, tone.
set title sprintf("Training curves, %s tone: validation ESR per epoch at each width", tone)
set xlabel "epoch"
set ylabel "validation ESR"
set logscale y
set grid
set key outside right top box title "channels"
plot for [i=1:words(widths)] datafile index (i-1) using 1:2 with linespoints lw 2 ps 0.8 title word(widths, i)
