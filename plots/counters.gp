# Work per output sample against width, as counted by slimwave's software-defined events read
# back through PAPI, beside the MAC formula. Variables: datafile.
set title "Work per sample vs width (PAPI software-defined events)"
set xlabel "channels"
set ylabel "count per output sample"
set logscale y
set grid
set key outside right top box
plot datafile using 1:2 with lines lw 3 dt 2 title "MACs (formula)", \
     datafile using 1:3 with points pt 7 ps 1.3 title "MACs (SDE)", \
     datafile using 1:4 with linespoints pt 5 title "activations (SDE)", \
     datafile using 1:5 with linespoints pt 9 title "weight bytes (SDE)"
