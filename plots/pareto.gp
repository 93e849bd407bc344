# Pareto curve for one tone: validation ESR against real-time factor, log axes.
# Variables: datafile, tone, nmodels (data blocks, one per model with points), titles (their model
# ids, space-separated), ptypes (their point types; colour: line type ptype - 4, so a model keeps
# marker and colour when others have no points yet). Terminal and output are set by slimwave report.
set title sprintf("Fidelity vs speed, %s tone (lower right is better)", tone)
set xlabel "real-time factor (audio s / wall s, best backend, 64-sample blocks, 1 thread)"
set ylabel "validation ESR"
set logscale xy
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key outside right top box
set style data linespoints
plot for [i=0:nmodels-1] datafile index i using 1:2 with linespoints pt (word(ptypes, i+1) + 0) lc (word(ptypes, i+1) - 4) ps 1.3 lw 2 title word(titles, i+1), \
     for [i=0:nmodels-1] datafile index i using 1:2:3 with labels offset 0.8,0.6 font ",8" notitle
