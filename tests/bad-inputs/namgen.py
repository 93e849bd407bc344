"""Small .nam models and audio files made from scratch, for the bad-input catalogue and the fuzz
seeds (nothing binary is committed; ../shared files are only ever referenced by path)."""
import json
import math
import struct


def array_cfg(C=2, H=1, K=2, dil=(1, 2), act="Tanh", gated=False, head_bias=False, din=1):
    return {"input_size": din, "condition_size": 1, "channels": C, "head_size": H,
            "kernel_size": K, "dilations": list(dil), "activation": act, "gated": gated,
            "head_bias": head_bias}


def count_weights(layers):
    """Weights of a config in .nam order (SPEC section 2), legacy or 0.7 keys."""
    n = 1  # head_scale
    for a in layers:
        C = a["channels"]
        head = a.get("head") or {}
        H = head.get("out_channels", a.get("head_size"))
        Kh = head.get("kernel_size", 1)
        hb = head.get("bias", a.get("head_bias", False))
        dil = a["dilations"]
        ks = a.get("kernel_sizes") or [a.get("kernel_size")] * len(dil)
        gm = a.get("gating_mode")
        l1 = (a.get("layer1x1") or {}).get("active", True)
        n += C * a["input_size"]
        for i, K in enumerate(ks):
            g = a.get("gated", False)
            if gm is not None:
                g = (gm[i] if isinstance(gm, list) else gm) == "gated"
            cm = 2 * C if g else C
            n += cm * C * K + cm + cm * a["condition_size"]
            if l1:
                n += C * C + C
        n += H * C * Kh + (H if hb else 0)
    return n


def weights(n, seed=1):
    out, s = [], seed
    for _ in range(max(0, int(n))):
        s = (s * 1103515245 + 12345) & 0x7FFFFFFF
        out.append(round((s / 0x7FFFFFFF - 0.5) * 0.4, 6))
    if out:
        out[-1] = 0.02  # head_scale
    return out


def model(layers=None, version="0.5.4", sample_rate=48000, extra=None, nw=None):
    layers = layers if layers is not None else [array_cfg()]
    m = {"version": version, "architecture": "WaveNet",
         "config": {"layers": layers, "head": None, "head_scale": 0.02},
         "weights": weights(nw if nw is not None else count_weights(layers) if count_weights(layers) <= 10**6 else 0),
         "sample_rate": sample_rate}
    if extra:
        m.update(extra)
    return m


def _other(arch, config, nw, version="0.5.4", sample_rate=48000):
    w = weights(nw if nw <= 10**6 else 0)
    if w:
        w[-1] = 0.01  # a head bias, not a head_scale
    return {"version": version, "architecture": arch, "config": config, "weights": w, "sample_rate": sample_rate}


def lstm(H=3, L=1, nw=None, **cfg):
    """NAM's LSTM: per layer W [4H][in+H], b [4H], h0 [H], c0 [H]; head [H] + 1."""
    n = sum(4 * H * ((1 if l == 0 else H) + H) + 6 * H for l in range(L)) + H + 1
    return _other("LSTM", dict({"input_size": 1, "hidden_size": H, "num_layers": L}, **cfg), n if nw is None else nw)


def convnet(C=2, dil=(1, 2), bn=False, act="Tanh", nw=None, **cfg):
    """NAM's ConvNet: per block conv [C][cin][2] + bias [C] (or batchnorm 4C + 1); head [C] + 1."""
    n = sum(2 * C * (1 if i == 0 else C) + (4 * C + 1 if bn else C) for i in range(len(dil))) + C + 1
    m = _other("ConvNet", dict({"channels": C, "dilations": list(dil), "batchnorm": bn, "activation": act}, **cfg),
               n if nw is None else nw)
    if bn:  # running variances must be positive
        p = 0
        for i in range(len(dil)):
            p += 2 * C * (1 if i == 0 else C)
            for o in range(C):
                m["weights"][p + C + o] = 1.0
            p += 4 * C + 1
    return m


def linear(R=8, bias=True, nw=None, **cfg):
    return _other("Linear", dict({"receptive_field": R, "bias": bias}, **cfg), (R + bias) if nw is None else nw)


def container(subs, version="0.7.0"):
    return {"version": version, "architecture": "SlimmableContainer",
            "config": {"submodels": [{"max_value": mv, "model": s} for mv, s in subs]}}


def dumps(m):
    return json.dumps(m, separators=(",", ":"), allow_nan=True)


# --- audio: written by hand (RIFF/AIFF/AU headers) so no audio library is needed ---

def wav(samples, rate=48000, channels=1, fmt="float", bits=32):
    """samples: interleaved floats. fmt float (32/64) or pcm (8/16/24/32)."""
    if fmt == "float":
        code = 3
        data = b"".join(struct.pack("<f" if bits == 32 else "<d", s) for s in samples)
    else:
        code = 1
        full = (1 << (bits - 1)) - 1
        parts = []
        for s in samples:
            v = max(-full - 1, min(full, int(round(s * full))))
            if bits == 8:
                parts.append(struct.pack("<B", v + 128))
            elif bits == 24:
                parts.append(struct.pack("<i", v)[:3])
            else:
                parts.append(struct.pack("<h" if bits == 16 else "<i", v))
        data = b"".join(parts)
    ba = channels * bits // 8
    fmt_chunk = struct.pack("<HHIIHH", code, channels, rate, rate * ba, ba, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt_chunk)) + fmt_chunk
    if code == 3:
        body += b"fact" + struct.pack("<II", 4, len(samples) // channels)
    body += b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def au(samples, rate=48000, channels=1):
    """Sun .au, 16-bit big-endian PCM."""
    data = b"".join(struct.pack(">h", max(-32768, min(32767, int(s * 32767)))) for s in samples)
    return b".snd" + struct.pack(">IIIII", 24, len(data), 3, rate, channels) + data


def aiff(samples, rate=48000, channels=1):
    """AIFF, 16-bit PCM (80-bit extended sample rate written by hand)."""
    data = b"".join(struct.pack(">h", max(-32768, min(32767, int(s * 32767)))) for s in samples)
    e = int(math.floor(math.log2(rate)))
    mant = int(rate * (1 << (63 - e)))
    ext = struct.pack(">HQ", 16383 + e, mant)
    comm = struct.pack(">hIh", channels, len(samples) // channels, 16) + ext
    ssnd = struct.pack(">II", 0, 0) + data
    body = b"AIFF" + b"COMM" + struct.pack(">I", len(comm)) + comm + b"SSND" + struct.pack(">I", len(ssnd)) + ssnd
    return b"FORM" + struct.pack(">I", len(body)) + body


def tone(n, freq=220.0, rate=48000, amp=0.5):
    return [amp * math.sin(2 * math.pi * freq * t / rate) for t in range(n)]
