#!/usr/bin/env python3
"""Fits the rational tanh of backends/simd_act.h: tanh(x) ~ x P(x^2) / Q(x^2), Q(0) = 1, minimising
the maximum relative error on (0, C] (Loeb's linearisation with Lawson's reweighting, mpmath at 40
digits). Usage: tools/fit_tanh.py [P_DEGREE Q_DEGREE C]  (default 4 4 9: the kernels' fit).
Prints the max relative error on stderr and the coefficients of P then Q, constant term first."""
import sys

import mpmath as mp

mp.mp.dps = 40
np_, nq = (int(sys.argv[1]), int(sys.argv[2])) if len(sys.argv) > 2 else (4, 4)
c = mp.mpf(sys.argv[3]) if len(sys.argv) > 3 else mp.mpf(9)
N = 600
xs = [c * (mp.mpf(i) / N) ** 1.3 for i in range(1, N + 1)]  # denser near 0
ts = [mp.tanh(x) for x in xs]
w, qprev, best = [mp.mpf(1)] * N, [mp.mpf(1)] * N, None
for it in range(60):
    # unknowns p0..p_np, q1..q_nq; residual (x P(s) - t Q(s)) / (t Qprev(s)), s = x^2
    rows, rhs = [], []
    for x, t, wi, qp in zip(xs, ts, w, qprev):
        s, sc = x * x, mp.sqrt(wi) / (t * qp)
        rows.append([sc * x * s**k for k in range(np_ + 1)] + [-sc * t * s**j for j in range(1, nq + 1)])
        rhs.append(sc * t)
    sol = mp.qr_solve(mp.matrix(rows), mp.matrix(rhs))[0]
    p = [sol[k] for k in range(np_ + 1)]
    q = [mp.mpf(1)] + [sol[np_ + j] for j in range(1, nq + 1)]
    def ev(cs, s):
        return sum(ck * s**k for k, ck in enumerate(cs))
    errs = [abs(x * ev(p, x * x) / ev(q, x * x) - t) / t for x, t in zip(xs, ts)]
    if best is None or max(errs) < best[0]:
        best = (max(errs), p, q)
    tot = sum(wi * e for wi, e in zip(w, errs))
    w = [wi * e / tot * N for wi, e in zip(w, errs)]
    qprev = [ev(q, x * x) for x in xs]
print("max relative error", mp.nstr(best[0], 4), file=sys.stderr)
print("P:", " ".join(mp.nstr(v, 12) for v in best[1]))
print("Q:", " ".join(mp.nstr(v, 12) for v in best[2]))
