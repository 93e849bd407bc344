"""The bad-input catalogue: every case is made here (files generated from scratch), run through
the real `slimwave` binary, and checked for its exit code (core/err.h: 2 usage, 3 bad input,
4 output), a fragment of its one-line message (which names the offending file where there is
one), and that nothing is left behind: no output file and no temporary file.

  python3 catalogue.py SLIMWAVE [--sanitized]   run every case ("N passed, N failed")
  python3 catalogue.py --list                   the catalogue as a markdown table
  python3 catalogue.py --lv2 LV2_REFUSALS [--sanitized]
                                                every bad model handed to slimwave.lv2 instead
                                                (tests/lv2_refusals.c): refused with a log line
                                                holding the same fragment, the good model still
                                                playing

Every case runs with an address-space limit (RLIMIT_AS, 1 GiB) so that a file that would make
slimwave allocate without bound fails loudly instead of passing by luck; sanitizer builds
(--sanitized) reserve terabytes of shadow memory and run without it."""
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import namgen as g  # noqa: E402

OK, USAGE, INPUT, OUTPUT = 0, 2, 3, 4
RATE = 48000


def base(**kw):
    return g.model([g.array_cfg(**kw)])


def text(m):
    return g.dumps(m)


def edit(m, fn):
    fn(m)
    return m


def arr(m):
    return m["config"]["layers"][0]


GOOD = text(base())
IN = g.wav(g.tone(512))

# name, files {name: bytes|str}, argv (after `slimwave`), expected code, message fragment,
# file the message must name (or None), output path that must not exist afterwards (or None).
CASES = []


def case(name, argv, code, frag, files=None, names=None, out="out.wav", fsize=None, keep_out=False):
    fl = {"model.nam": GOOD, "in.wav": IN}
    fl.update(files or {})
    CASES.append(dict(name=name, argv=argv, code=code, frag=frag, files=fl, names=names, out=out,
                      fsize=fsize, keep_out=keep_out))


def model_case(name, content, frag, code=INPUT):
    """A bad model: refused by `process` (nothing written) and by `info`."""
    case("model: " + name, ["process", "bad.nam", "in.wav", "out.wav"], code, frag,
         {"bad.nam": content}, names="bad.nam")


# ---- models: syntax ----
model_case("truncated JSON", GOOD[: len(GOOD) // 2], "malformed JSON")
model_case("malformed JSON (missing value)", '{"version": "0.5.4", "architecture": }', "malformed JSON")
model_case("trailing garbage after JSON", GOOD + "}}", "malformed JSON")
model_case("empty file", "", "empty file")
model_case("binary (a WAV as model)", IN, "malformed JSON")
model_case("top level is a list", "[1, 2, 3]", "not a JSON object")
model_case("NaN literal in weights", GOOD.replace('"weights":[', '"weights":[NaN,'), "malformed JSON")
# ---- models: weights ----
model_case("Inf weight (1e999)", GOOD.replace('"weights":[', '"weights":[1e999,', 1).replace(",0.02]", "]"),
           "not a finite float")
model_case("weight beyond float range (1e39)", GOOD.replace('"weights":[', '"weights":[1e39,', 1).replace(",0.02]", "]"),
           "not a finite float")
model_case("weight is a string", GOOD.replace('"weights":[', '"weights":["0.5",', 1).replace(",0.02]", "]"),
           "is not a number")
model_case("one weight too few", text(edit(base(), lambda m: m["weights"].pop())), "but the config needs")
model_case("one weight too many", text(edit(base(), lambda m: m["weights"].append(0.1))), "but the config needs")
model_case("no weights list", text(edit(base(), lambda m: m.pop("weights"))), 'missing "weights"')
# ---- models: sizes ----
model_case("channels 0", text(base(C=0)), '"channels" = 0 out of range')
model_case("channels -4", text(base(C=-4)), '"channels" = -4 out of range')
model_case("channels 1e9 (refused before allocating)", text(base(C=10**9)), '"channels" = 1e+09 out of range 1..256')
model_case("channels 2.5", text(base(C=2.5)), '"channels" = 2.5 out of range')
model_case("kernel_size 0", text(base(K=0)), '"kernel_size" = 0 out of range')
model_case("kernel_size 100000", text(base(K=100000)), '"kernel_size" = 100000 out of range')
model_case("dilation 0", text(base(dil=(1, 0))), "a dilation = 0 out of range")
model_case("dilation 1e7", text(base(dil=(1, 10**7))), "a dilation = 1e+07 out of range")
model_case("no dilations", text(base(dil=())), "0 dilations")
model_case("300 layers (over the layer limit)", text(base(dil=[1] * 300)), "300 dilations (expected 1..256)")
model_case("receptive field over the limit", text(g.model([g.array_cfg(K=64, dil=[8192] * 200)], nw=0)),
           "receptive field")
model_case("weight count over the limit (no weights given)",
           text(g.model([g.array_cfg(C=256, K=64, dil=[1] * 250)], nw=0)), "exceed the limit")
model_case("head_size 2 on the last array", text(base(H=2)), "mono output needs 1")
model_case("sample_rate -1", text(edit(base(), lambda m: m.update(sample_rate=-1))), '"sample_rate" is not a valid rate')
# ---- models: versions, architectures, options ----
model_case("unknown version 9.9.9", text(base() | {"version": "9.9.9"}), "version 9.9.9 is not supported")
model_case("version not X.Y.Z", text(base() | {"version": "banana"}), "is not of the form X.Y.Z")
model_case("unknown architecture GRU", text(base() | {"architecture": "GRU"}), 'architecture "GRU" is not supported')
# ---- models: LSTM, ConvNet, Linear (each size refused before anything is allocated) ----
model_case("LSTM hidden_size 1e9", text(g.lstm(H=10**9, nw=0)), '"hidden_size" = 1e+09 out of range 1..256')
model_case("LSTM num_layers 0", text(g.lstm(L=0)), '"num_layers" = 0 out of range 1..16')
model_case("LSTM input_size 2", text(g.lstm() | {"config": {"input_size": 2, "hidden_size": 3, "num_layers": 1}}),
           "LSTM input_size 2 not supported (mono input only)")
model_case("LSTM out_channels 2", text(g.lstm(out_channels=2)), '"out_channels" 2 is not supported (mono models only)')
model_case("LSTM one weight too few", text(edit(g.lstm(), lambda m: m["weights"].pop())), "but the config needs 70")
model_case("LSTM weights over the limit (no weights given)", text(g.lstm(H=256, L=16, nw=0)), "weights exceeds the limit")
model_case("ConvNet 300 dilations", text(g.convnet(dil=[1] * 300, nw=0)), "300 dilations (expected 1..256)")
model_case("ConvNet dilation 0", text(g.convnet(dil=(1, 0))), "a dilation = 0 out of range")
model_case("ConvNet without batchnorm", text(edit(g.convnet(), lambda m: m["config"].pop("batchnorm"))),
           '"batchnorm" missing or not true/false')
model_case("ConvNet groups 2", text(g.convnet(groups=2)), 'ConvNet "groups" 2 is not supported')
model_case("ConvNet unknown activation", text(g.convnet(act="Swish")), 'unknown activation "Swish"')
model_case("ConvNet receptive field over the limit", text(g.convnet(dil=[8192] * 40, nw=0)), "receptive field")
model_case("Linear receptive_field 1e9", text(g.linear(R=10**9, nw=0)), '"receptive_field" = 1e+09 out of range 1..262144')
model_case("Linear implementation unknown", text(g.linear(implementation="magic")), 'Linear "implementation" must be')
model_case("container with a bad LSTM submodel", text(g.container([(0.5, g.lstm(H=0)), (1.0, base())])),
           '"hidden_size" = 0 out of range')
model_case("5M JSON values in 10 MB (over the reader's byte budget)",
           '{"version":"0.5.4","architecture":"WaveNet","weights":[' + "0," * 5000000 + "0]}",
           "over the limit of 384 MiB")
case("model: a container of an LSTM and a WaveNet is processed", ["process", "mixed.nam", "in.wav", "out.wav", "--slim", "0"],
     OK, "", {"mixed.nam": text(g.container([(0.5, g.lstm(H=2)), (1.0, base())]))}, keep_out=True)
case("model: a ConvNet is processed", ["process", "cn.nam", "in.wav", "out.wav"], OK, "",
     {"cn.nam": text(g.convnet(C=3, dil=(1, 2, 4), bn=True))}, keep_out=True)
case("model: a Linear model is processed", ["process", "lin.nam", "in.wav", "out.wav"], OK, "",
     {"lin.nam": text(g.linear(R=16))}, keep_out=True)
case("cli: --channels on an LSTM", ["process", "l.nam", "in.wav", "out.wav", "--channels", "2"], USAGE,
     "LSTM models are not slimmable: the one width is 3", {"l.nam": text(g.lstm())})
case("cli: --block 1048576 on a 30-block ConvNet (state over the byte budget)",
     ["process", "cn.nam", "in.wav", "out.wav", "--block", "1048576"], INPUT,
     "streaming state for blocks of 1048576 samples needs", {"cn.nam": text(g.convnet(C=16, dil=[1] * 30))}, names="cn.nam")
model_case("unknown activation Swish", text(base(act="Swish")), 'unknown activation "Swish"')
model_case("activation option not supported", text(base(act={"type": "Tanh", "beta": 2})),
           'activation option "beta" is not supported')
model_case("FiLM active (conv_pre_film)", text(edit(base(), lambda m: arr(m).update(conv_pre_film={"active": True}))),
           '"conv_pre_film" is active')
model_case("groups 2 (groups_input)", text(edit(base(), lambda m: arr(m).update(groups_input=2))), '"groups_input" other than 1')
model_case("bottleneck differs from channels", text(edit(base(), lambda m: arr(m).update(bottleneck=1))),
           '"bottleneck" 1 differs from channels 2')
model_case("control characters in a name are not echoed",
           text(base(act="Tanh\u001b[31m\nEVIL")), 'unknown activation "Tanh?[31m?EVIL"')
model_case("container submodel without max_value",
           text(g.container([(0.5, base())]) | {"config": {"submodels": [{"model": base()}]}}), 'numeric "max_value"')
model_case("container max_value not rising", text(g.container([(0.5, base()), (0.5, base())])), "max_value must rise")
model_case("huge file (over the size limit, sparse)", None, "larger than")
case("model: info refuses it too", ["info", "bad.nam"], INPUT, "malformed JSON", {"bad.nam": "{"}, names="bad.nam", out=None)

# ---- audio ----
case("audio: 0-length WAV", ["process", "model.nam", "a.wav", "out.wav"], INPUT, "no audio frames", {"a.wav": g.wav([])}, "a.wav")
case("audio: 1-sample WAV is processed", ["process", "model.nam", "a.wav", "out.wav"], OK, "", {"a.wav": g.wav([0.25])}, keep_out=True)
case("audio: NaN sample", ["process", "model.nam", "a.wav", "out.wav"], INPUT, "sample 3 is not a finite number",
     {"a.wav": g.wav([0.1, 0.2, 0.3, float("nan"), 0.5])}, "a.wav")
case("audio: Inf sample", ["process", "model.nam", "a.wav", "out.wav"], INPUT, "sample 0 is not a finite number",
     {"a.wav": g.wav([float("inf"), 0.5])}, "a.wav")
case("audio: wrong sample rate (44100 for a 48000 model)", ["process", "model.nam", "a.wav", "out.wav"], INPUT,
     "sample rate 44100 Hz, but the model expects 48000 Hz", {"a.wav": g.wav(g.tone(64), rate=44100)}, "a.wav")
case("audio: stereo is a warning, first channel used", ["process", "model.nam", "a.wav", "out.wav"], OK,
     "warning: a.wav has 2 channels; using the first", {"a.wav": g.wav([s for s in g.tone(64) for _ in (0, 1)], channels=2)},
     keep_out=True)
case("audio: text file", ["process", "model.nam", "a.wav", "out.wav"], INPUT, "not a readable audio file",
     {"a.wav": "hello, not audio\n" * 10}, "a.wav")
case("audio: truncated header", ["process", "model.nam", "a.wav", "out.wav"], INPUT, "not a readable audio file",
     {"a.wav": IN[:20]}, "a.wav")
case("audio: input does not exist", ["process", "model.nam", "missing.wav", "out.wav"], INPUT, "not a readable audio file",
     names="missing.wav")
case("audio: input is a directory", ["process", "model.nam", "adir", "out.wav"], INPUT, "is a directory",
     {"adir/": None}, "adir")
# ---- paths and output ----
case("model path does not exist", ["process", "missing.nam", "in.wav", "out.wav"], INPUT, "cannot open", names="missing.nam")
case("model path is a directory", ["process", "mdir", "in.wav", "out.wav"], INPUT, "is a directory", {"mdir/": None}, "mdir")
case("output path is a directory", ["process", "model.nam", "in.wav", "odir"], OUTPUT, "is a directory", {"odir/": None},
     "odir", out=None)
case("output folder does not exist", ["process", "model.nam", "in.wav", "nodir/out.wav"], OUTPUT, "cannot create a file there",
     names="nodir/out.wav", out="nodir/out.wav")
case("disk full (file-size limit 4 KiB)", ["process", "model.nam", "long.wav", "out.wav"], OUTPUT, "write failed",
     {"long.wav": g.wav(g.tone(8192))}, "out.wav", fsize=4096)
# ---- dataset manifests (slimwave dataset info) ----
DX = [0.5 * __import__("math").sin(0.05 * i) * (i % 97) / 97 for i in range(4800)]
DRY, WET = g.wav(DX), g.wav([0.0] * 3 + [__import__("math").tanh(2 * v) for v in DX[:-3]])
MAN = {"format": "slimwave-dataset", "version": 1, "name": "f", "input": "in.wav", "output": "wet.wav",
       "sample_rate": 48000, "layout": "custom", "latency": 3}


def manifest_case(name, fields, frag, code=INPUT, names="m.json", drop=(), extra_files=None):
    m = {k: v for k, v in dict(MAN, **fields).items() if k not in drop}
    files = {"in.wav": DRY, "wet.wav": WET, "m.json": json.dumps(m)}
    files.update(extra_files or {})
    case("manifest: " + name, ["dataset", "info", "m.json"], code, frag, files, names, out=None)


case("manifest: a valid one loads (control)", ["dataset", "info", "m.json"], OK, "",
     {"in.wav": DRY, "wet.wav": WET, "m.json": json.dumps(MAN)}, out=None)
case("manifest: malformed JSON", ["dataset", "info", "m.json"], INPUT, "malformed manifest",
     {"m.json": json.dumps(MAN)[:40]}, "m.json", out=None)
manifest_case("no input/output", {}, '"input" and "output"', drop=("input",))
manifest_case("sample_rate not a number", {"sample_rate": "fast"}, '"sample_rate" must be an integer')
manifest_case("latency not a number", {"latency": "soon"}, '"latency" must be an integer')
manifest_case("latency beyond the audio", {"latency": 90000}, "nothing left after removing latency")
manifest_case("unknown layout", {"layout": "weird"}, '"layout" is "weird"')
manifest_case("input file missing", {"input": "gone.wav"}, "gone.wav", names="gone.wav")
manifest_case("rate differs from the audio", {"sample_rate": 44100}, "the manifest says 44100 Hz", names="in.wav")
manifest_case("sha256 differs (file changed)", {"provenance": {"sha256": {"input": "0" * 64}}},
              "differs from the manifest's", names="in.wav")
manifest_case("train span reversed", {"train_samples": [500, 100]}, '"train_samples" [500, 100] is not a span')
manifest_case("validation_fraction 2", {"validation_fraction": 2}, '"validation_fraction" must be in (0, 1)')
manifest_case("unknown check in override (fuzz regression: was exit 2, no file name)", {"override": "lal"},
              '"override": override: unknown check "lal"')
manifest_case("override with control characters (fuzz regression)", {"override": "al\u001b[2Jl"},
              '"override": override: unknown check "al?[2Jl"')
# ---- experiment files (slimwave sweep plan) ----
EXP = {"name": "x", "description": "d", "data": {"default": "lv2", "lv2": [{"recipe": "lv2-clean", "tone": "clean"}]},
       "models": [{"id": "m", "label": "M", "arch": "nano", "schedule": "uniform", "eval_widths": "all", "role": "slimmable"}],
       "seeds": [1]}


def exp_case(name, e, frag, code=INPUT, argv=()):
    case("experiment: " + name, ["sweep", "plan", "e.json"] + list(argv), code, frag,
         {"e.json": e if isinstance(e, str) else json.dumps(e)}, "e.json", out=None)


exp_case("malformed JSON", json.dumps(EXP)[:30], "malformed JSON")
exp_case("no data object", {k: v for k, v in EXP.items() if k != "data"}, 'missing "data" object')
exp_case("unknown data family", dict(EXP, data={"default": "nope", "lv2": EXP["data"]["lv2"]}), 'data family "nope" is not defined')
exp_case("empty arch", dict(EXP, models=[dict(EXP["models"][0], arch="")]), '"arch" must be a non-empty string')
exp_case("unknown profile", EXP, 'profile "bogus" is not defined', argv=["--profile", "bogus"])
EXPQ = dict(EXP, profiles={"quick": {"epochs": 4}})
M0 = EXP["models"][0]
exp_case("unknown model setting", dict(EXPQ, models=[dict(M0, lossy="x")]), 'e.json: m: unknown setting "lossy"')
exp_case("unknown loss", dict(EXPQ, models=[dict(M0, loss="l1")]), '"loss" must be one of: nam paper esr mse')
exp_case("channels not a list", dict(EXPQ, models=[dict(M0, channels="4,x")]), "channels must be C or C1,C2,..")
exp_case("channels for too few arrays", dict(EXPQ, models=[dict(M0, channels="2")]), 'model m: channels "2" give 1 arrays, its arch has 2')
exp_case("unknown validation convention", dict(EXPQ, validation="zero"), '"validation" must be one of: padded nam')
exp_case("profile lists an unknown model", dict(EXP, profiles={"quick": {"models": ["zz"]}}), 'models: "zz" is no model id of the file')
exp_case("profile lists an unknown tone", dict(EXP, profiles={"quick": {"tones": ["funk"]}}), 'tones: "funk" is no tone of data family "lv2"')
exp_case("equal passes that do not divide the epochs",
         dict(EXP, models=[dict(M0, schedule="sandwich:2")], profiles={"quick": {"epochs": 6, "equal_passes": True}}),
         "equal_passes needs epochs (6) divisible by the 4 sub-steps of a mini-batch of model m (sandwich:2)")

# ---- command line ----
P = ["process", "model.nam", "in.wav", "out.wav"]
case("cli: --slim 1.5", P + ["--slim", "1.5"], USAGE, "--slim: 1.5 outside [0, 1]")
case("cli: --slim -0.1", P + ["--slim", "-0.1"], USAGE, "--slim: -0.1 outside [0, 1]")
case("cli: --slim nan", P + ["--slim", "nan"], USAGE, '--slim: "nan" is not a number')
case("cli: --slim 0.5x", P + ["--slim=0.5x"], USAGE, '"0.5x" is not a number')
case("cli: --channels 0", P + ["--channels", "0"], USAGE, "--channels: 0 out of range")
case("cli: --channels wider than the model", P + ["--channels", "3"], USAGE, "channels 3 for layer array 0 out of range 1..2")
case("cli: --channels for two arrays on a one-array model", P + ["--channels", "2,2"], USAGE,
     "2 channel counts given for a model with 1 layer arrays")
case("cli: --channels 4,x", P + ["--channels", "4,x"], USAGE, "is not a list of channel counts")
case("cli: --slim with --channels", P + ["--slim", "0.5", "--channels", "2"], USAGE, "exclude each other")
case("cli: --block 0", P + ["--block", "0"], USAGE, "--block: 0 out of range")
case("cli: --block abc", P + ["--block", "abc"], USAGE, '--block: "abc" is not an integer')
case("cli: --block 99999999999999999999", P + ["--block", "99999999999999999999"], USAGE, "is not an integer")
case("cli: --block 1048576 on a 16-channel, 30-layer model (state over the byte budget)",
     ["process", "wide.nam", "in.wav", "out.wav", "--block", "1048576"], INPUT,
     "streaming state for blocks of 1048576 samples needs", {"wide.nam": text(base(C=16, dil=[1] * 30))},
     names="wide.nam")
case("cli: unknown option", P + ["--frobnicate"], USAGE, "unknown option --frobnicate")
case("cli: option without its value", P + ["--slim"], USAGE, "--slim needs a value")
case("cli: flag given a value", P + ["--fast-tanh=1"], USAGE, "--fast-tanh takes no value")
case("cli: unknown backend", P + ["--backend", "quantum"], USAGE, 'no backend "quantum"')
case("cli: missing arguments", ["process", "model.nam"], USAGE, "expected MODEL.nam IN OUT", out=None)
case("cli: extra argument", P + ["extra"], USAGE, 'unexpected argument "extra"')
case("cli: train --val bogus", ["train", "--data", "m.json", "--arch", "nano", "--out", "o.nam", "--val", "bogus"], USAGE,
     '--val: "bogus" is neither padded nor nam', out="o.nam")
case("cli: eval --val bogus", ["eval", "model.nam", "--data", "m.json", "--val", "bogus"], USAGE,
     '--val: "bogus" is neither padded nor nam', out=None)
case("cli: unknown command", ["frobnicate"], USAGE, 'unknown command "frobnicate"', out=None)
case("cli: no command", [], USAGE, "usage: slimwave", out=None)


def huge_file(path):
    with open(path, "wb") as f:
        f.truncate(600 << 20)  # sparse: takes no disk


def limits(fsize, sanitized):
    def fn():
        if not sanitized:
            resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        if fsize:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() then fails with EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
    return fn


def run_case(exe, c, root, sanitized):
    d = tempfile.mkdtemp(dir=root)
    for name, content in c["files"].items():
        p = os.path.join(d, name)
        if name.endswith("/"):
            os.mkdir(p)
        elif content is None:
            huge_file(p)
        else:
            with open(p, "wb") as f:
                f.write(content.encode() if isinstance(content, str) else content)
    before = set(os.listdir(d))
    env = dict(os.environ, SLIMWAVE_BACKEND="naive")
    r = subprocess.run([exe] + c["argv"], cwd=d, capture_output=True, text=True, errors="replace",
                       preexec_fn=limits(c["fsize"], sanitized), env=env, timeout=120)
    why = []
    if r.returncode != c["code"]:
        why.append(f"exit {r.returncode}, expected {c['code']}")
    lines = [ln for ln in r.stderr.splitlines() if c["frag"] in ln]
    if not lines and c["frag"]:
        why.append(f"no stderr line contains {c['frag']!r}")
    elif c["names"] and c["names"] not in lines[0]:
        why.append(f"message does not name {c['names']}")
    after = set(os.listdir(d)) | {os.path.join(x, y) for x in os.listdir(d) if os.path.isdir(os.path.join(d, x))
                                  for y in os.listdir(os.path.join(d, x))}
    left = sorted(x for x in after - before if ".tmp." in x or (c["code"] != OK and not c["keep_out"]))
    if left:
        why.append(f"left behind: {left}")
    if c["keep_out"] and c["code"] == OK and not os.path.isfile(os.path.join(d, c["out"])):
        why.append("no output written")
    if c["code"] == OK and c["keep_out"]:
        pass
    elif c["out"] and os.path.exists(os.path.join(d, c["out"])):
        why.append(f"{c['out']} exists after a failure")
    msg = lines[0] if lines else r.stderr.strip().splitlines()[-1:] or [""]
    return why, (msg if isinstance(msg, str) else msg[0])


def run_lv2(host, sanitized):
    """The model cases through the plugin: one lv2_refusals run loads GOOD, then every bad file."""
    cases = [c for c in CASES if c["name"].startswith("model: ") and "bad.nam" in c["files"]]
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="sw-bad-lv2-") as root:
        good = os.path.join(root, "good.nam")
        with open(good, "w") as f:
            f.write(GOOD)
        paths = []
        for i, c in enumerate(cases):
            p = os.path.join(root, f"case{i:02d}.nam")
            content = c["files"]["bad.nam"]
            if content is None:
                huge_file(p)
            else:
                with open(p, "wb") as f:
                    f.write(content.encode() if isinstance(content, str) else content)
            paths.append(p)
        # the fast unwinder: make test-asan asks for the slow one to match Guitarix's leaks, which
        # this host never loads; with it the 7.5 MB "kernel_size 100000" file alone parsed for 17 s
        env = dict(os.environ)
        if "ASAN_OPTIONS" in env:
            env["ASAN_OPTIONS"] += ":fast_unwind_on_malloc=1"
        r = subprocess.run([host, good] + paths, capture_output=True, text=True, errors="replace",
                           preexec_fn=limits(None, sanitized), env=env, timeout=600)
        seen = {}
        for line in r.stdout.splitlines():
            kind, path, *rest = line.split("\t") + [""]
            seen.setdefault(path, []).append((kind, rest[0]))
        for c, p in zip(cases, paths):
            got = seen.get(p, [("nothing", "")])
            kind, msg = got[0]
            why = []
            if kind != "REFUSED":
                why.append(f"{kind}, expected REFUSED")
            elif c["frag"] not in msg or p not in msg:
                why.append(f"the log line lacks \"{c['frag']}\" or the file's path")
            why += [f"{k}: {m}" for k, m in got[1:]]  # NOT RUNNING lines
            if why:
                failed += 1
                print(f"FAIL lv2 {c['name']}: {'; '.join(why)}\n     log: {msg}")
            else:
                passed += 1
                print(f"ok   lv2 {c['name']}: {msg}")
        if r.returncode not in (0, 1):
            failed += 1
            print(f"FAIL lv2_refusals exited {r.returncode}: {r.stderr.strip()}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "--lv2":
        return run_lv2(os.path.abspath(sys.argv[2]), "--sanitized" in sys.argv)
    if len(sys.argv) > 1 and sys.argv[1] == "--list":
        print("| # | case | command | exit | message contains |\n|---|---|---|---|---|")
        for i, c in enumerate(CASES, 1):
            print(f"| {i} | {c['name']} | `slimwave {' '.join(c['argv'])}` | {c['code']} | `{c['frag']}` |")
        return 0
    exe = os.path.abspath(sys.argv[1])
    sanitized = "--sanitized" in sys.argv
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="sw-bad-inputs-") as root:
        for c in CASES:
            why, msg = run_case(exe, c, root, sanitized)
            if why:
                failed += 1
                print(f"FAIL {c['name']}: {'; '.join(why)}\n     stderr: {msg}")
            else:
                passed += 1
                print(f"ok   {c['name']}: exit {c['code']}: {msg}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
