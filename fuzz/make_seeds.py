"""Writes the seed corpus of one fuzz target into a folder: small hand-made inputs generated
here, plus symbolic links to the real files in ../shared (never copies)."""
import glob
import json
import os
import sys

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "..", "tests", "bad-inputs"))
import namgen as g  # noqa: E402


def shared():
    s = os.environ.get("SLIMWAVE_SHARED") or os.path.join(here, "..", "..", "shared")
    return s if os.path.isdir(s) else None


def put(out, name, data):
    with open(os.path.join(out, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def link(out, pattern, prefix):
    sh = shared()
    if not sh:
        return
    for p in sorted(glob.glob(os.path.join(sh, pattern))):
        os.symlink(os.path.abspath(p), os.path.join(out, prefix + os.path.basename(p)))


def nam(out):
    link(out, "models/*.nam", "shared_")
    a07 = {"input_size": 1, "condition_size": 1, "channels": 3, "head": {"out_channels": 1, "kernel_size": 4, "bias": True},
           "kernel_sizes": [2, 3], "dilations": [1, 4],
           "activation": [{"type": "LeakyReLU", "negative_slope": 0.2}, "Tanh"], "gating_mode": ["none", "gated"],
           "layer1x1": {"active": False, "groups": 1}, "bottleneck": 3,
           "slimmable": {"method": "slice_channels_uniform", "kwargs": {"allowed_channels": [1, 3]}}}
    two = [g.array_cfg(C=3, H=2, K=2, dil=(1, 2)), g.array_cfg(C=2, H=1, K=3, dil=(1,), din=3, head_bias=True)]
    seeds = {
        "legacy.nam": g.model(),
        "gated_relu.nam": g.model([g.array_cfg(C=2, K=3, dil=(1, 2, 4), act="ReLU", gated=True)]),
        "two_arrays.nam": g.model(two, version="0.5.2"),
        "form07.nam": g.model([a07], version="0.7.0"),
        "container.nam": g.container([(0.5, g.model([g.array_cfg(C=1)])), (1.0, g.model([g.array_cfg(C=2)]))]),
        "acts.nam": g.model([g.array_cfg(C=1, dil=(1,), act="Hardtanh"), g.array_cfg(C=1, dil=(2,), act="Sigmoid", din=1)]),
        "meta.nam": g.model(extra={"metadata": {"name": "x", "loudness": -12.5, "training": {"validation_esr": 0.01}}}),
        "lstm.nam": g.lstm(H=3),
        "lstm_2layers.nam": g.lstm(H=2, L=2, in_channels=1, out_channels=1),
        "convnet.nam": g.convnet(C=2, dil=(1, 2, 4)),
        "convnet_bn_leaky.nam": g.convnet(C=3, dil=(2, 1), bn=True, act={"type": "LeakyReLU", "negative_slope": 0.1}),
        "linear.nam": g.linear(R=8, bias=True, implementation="fft"),
        "linear_nobias.nam": g.linear(R=3, bias=False),
        "container_mixed.nam": g.container([(0.3, g.lstm(H=2)), (0.6, g.convnet(C=1, dil=(1,))), (1.0, g.model())]),
    }
    for k, v in seeds.items():
        put(out, k, g.dumps(v))
    put(out, "empty_obj.nam", "{}")
    put(out, "bad_weight.nam", g.dumps(g.model()).replace('"weights":[', '"weights":[1e999,'))


def audio(out):
    link(out, "models/nam_loudness_input.wav", "shared_")
    link(out, "datasets/real_amp_clips_aem/blackstar_ht1_input.wav", "shared_")
    t = g.tone(64)
    put(out, "f32.wav", g.wav(t))
    put(out, "f64.wav", g.wav(t, fmt="float", bits=64))
    for b in (8, 16, 24, 32):
        put(out, f"pcm{b}.wav", g.wav(t, fmt="pcm", bits=b))
    put(out, "stereo.wav", g.wav([s for s in t for _ in (0, 1)], channels=2))
    put(out, "rate44k.wav", g.wav(t, rate=44100))
    put(out, "one.wav", g.wav([0.25]))
    # finite floats beyond 3.4e38 (the old check of this target called them non-finite)
    put(out, "huge.wav", g.wav([-3.4027e38, 3.4028234e38, 1e-45]))
    put(out, "empty.wav", g.wav([]))
    put(out, "s16.au", g.au(t))
    put(out, "s16.aiff", g.aiff(t))


def cli(out):
    cases = [
        ["model.nam", "in.wav", "out.wav", "--slim", "0.5"],
        ["--channels", "16,8", "--block=64", "--backend", "naive", "--fast-tanh"],
        ["--slim=1e-3", "--block", "1048576", "a", "b", "c", "d"],
        ["--channels=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17"],
        ["--slim", "nan", "--block", "-1", "--channels", "0", "--help"],
        ["--fast-tanh=1", "--unknown", "--"],
        ["-h", "--slim", "0x1p-3", "--block", "+12", "--channels", "256,"],
    ]
    for i, c in enumerate(cases):
        put(out, f"argv{i}", "\0".join(c))


def manifest(out):
    """Manifests over the fuzzer's own in.wav/out.wav (48 kHz, 4800 samples) and in44.wav."""
    base = {"format": "slimwave-dataset", "version": 1, "name": "f", "input": "in.wav", "output": "out.wav",
            "sample_rate": 48000, "layout": "custom", "latency": 3}
    seeds = {
        "custom.json": base,
        "spans.json": dict(base, train_samples=[0, 3000], validation_samples=[3000, 4700]),
        "seconds.json": dict(base, train=[0, 0.05], validation=[0.05, 0.09], validation_fraction=0.2),
        "resample.json": dict(base, input="in44.wav", override="all"),
        "v3_auto.json": dict(base, layout="nam-v3", latency="auto"),
        "sha.json": dict(base, provenance={"sha256": {"input": "0" * 64}}),
        "neg_latency.json": dict(base, latency=-5),
    }
    for k, v in seeds.items():
        put(out, k, json.dumps(v))


def experiment(out):
    for p in sorted(glob.glob(os.path.join(here, "..", "experiments", "*.json"))):
        os.symlink(os.path.abspath(p), os.path.join(out, os.path.basename(p)))
    put(out, "small.json", json.dumps({
        "name": "s", "description": "d", "data": {"default": "lv2", "lv2": [{"recipe": "lv2-clean", "tone": "clean"}]},
        "models": [{"id": "m", "label": "M", "arch": "nano", "schedule": "uniform", "eval_widths": "all", "role": "slimmable"}],
        "seeds": [1, 2]}))


if __name__ == "__main__":
    target, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    {"fuzz_nam": nam, "fuzz_audio": audio, "fuzz_cli": cli, "fuzz_manifest": manifest,
     "fuzz_experiment": experiment}[target](out)
