#!/usr/bin/env python3
"""The training losses against PyTorch: rebuilds NAM's loss (auraloss's multi-resolution STFT
loss written with torch.stft, center=True, reflect padding, periodic Hann window) in float64
and compares value and autograd gradient with `test_loss --dump KIND`. Skips (77) without
torch. Usage: loss_torch_check.py PATH/TO/test_loss"""
import subprocess
import sys

try:
    import torch
except ImportError:
    print("torch not available: skipped")
    sys.exit(77)

torch.set_default_dtype(torch.float64)


def signals(batch=2, ny=1500):
    x = torch.arange(ny, dtype=torch.float64)
    t = torch.stack([0.4 * torch.sin(0.013 * x + b) + 0.2 * torch.sin(0.29 * x + 0.5 * b) + 0.05 * torch.sin(2.1 * x)
                     for b in range(batch)])
    p = torch.stack([1.5 * t[b] + 0.1 * torch.sin(0.7 * x + b) + 0.03 * torch.cos(2.9 * x) for b in range(batch)])
    return p, t


def stft_mag(x, n_fft, hop, win):
    X = torch.stft(x, n_fft, hop_length=hop, win_length=win, window=torch.hann_window(win),
                   center=True, pad_mode="reflect", return_complex=True)
    return torch.sqrt(torch.clamp(X.real ** 2 + X.imag ** 2, min=1e-8))


def mrstft(p, t):
    total = 0.0
    for n_fft, hop, win in zip([1024, 2048, 512], [120, 240, 50], [600, 1200, 240]):
        xm, ym = stft_mag(p, n_fft, hop, win), stft_mag(t, n_fft, hop, win)
        sc = torch.norm(ym - xm, p="fro") / torch.norm(ym, p="fro")
        lg = torch.nn.functional.l1_loss(torch.log(ym), torch.log(xm))
        total = total + sc + lg
    return total / 3


def pre(x, c=0.85):
    return x[..., 1:] - c * x[..., :-1]


def loss(kind, p, t):
    mse = torch.mean((p - t) ** 2)
    if kind == "nam":
        return mse + 2e-4 * mrstft(pre(p), pre(t))
    if kind == "paper":
        return mse + 2e-4 * mrstft(p, t)
    if kind == "mrstft":
        return mrstft(p, t)
    if kind == "esr":
        return torch.mean(torch.mean((p - t) ** 2, dim=1) / torch.mean(t ** 2, dim=1))
    return mse


def main():
    exe = sys.argv[1]
    passed = failed = 0
    for kind in ["mrstft", "nam", "paper", "esr", "mse"]:
        out = subprocess.run([exe, "--dump", kind], capture_output=True, text=True, check=True).stdout.split()
        v_c, g_c = float(out[0]), torch.tensor([float(s) for s in out[1:]])
        p, t = signals()
        p.requires_grad_(True)
        v = loss(kind, p, t)
        v.backward()
        g = p.grad.flatten()
        dv = abs(v.item() - v_c) / abs(v.item())
        dg = (g - g_c).abs().max().item() / g.abs().max().item()
        ok = dv <= 1e-12 and dg <= 1e-10
        print(f"{kind:6s}: value {v_c:.15g} torch {v.item():.15g} (rel {dv:.2g}); gradient max rel error {dg:.2g}"
              f" {'ok' if ok else 'FAIL'}")
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
