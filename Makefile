# Thin wrapper over CMake so that `make`, `make test` and `make paper-table` work from the root.
# Every target first runs `make deps` (installs missing Debian packages, else does nothing).
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=Release

.PHONY: all deps configure build test clean

all: build

deps:
	@tools/deps.sh

configure: deps
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) > $(BUILD).configure.log 2>&1 || { cat $(BUILD).configure.log; exit 1; }

build: configure
	@cmake --build $(BUILD) -j$(JOBS)

test: build
	@CTEST_PARALLEL_LEVEL=$(JOBS) tools/run-tests.sh $(BUILD)

# make test-slurm: the smoke sweep through real Slurm daemons started on this machine for the test
# (installs slurm-wlm and munge if missing; skipped, saying why, when not root). CI runs it after make test.
.PHONY: test-slurm
test-slurm: build
	@tests/test_slurm.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD).configure.log

# ---- the harness (issue 6) ----
# make paper-table [PROFILE=quick|full|smoke] [DATA=lv2|captured] [RENDER=1]: run the paper
# experiment's cells on this machine (resumable; -j$(JOBS) in parallel) into the run's own folder,
# results/paper-<data>-<profile>/ (git-ignored), collect, and write the table (beside the committed
# reference in results/reference/ and the paper's figures) and plots. RENDER=1 trains and times
# nothing: it re-renders the committed reference's table from its rows.
# make schedules [PROFILE=quick|full|smoke] [DATA=captured|lv2] [RENDER=1]: the same for the schedule
# study (experiments/schedules.json).
PROFILE ?= quick
DATA ?=
RENDER ?=
SW = $(BUILD)/slimwave
.PHONY: paper-table schedules run-experiment counters compare-backends
paper-table: build
	@$(MAKE) --no-print-directory run-experiment EXPERIMENT=experiments/paper.json
schedules: build
	@$(MAKE) --no-print-directory run-experiment EXPERIMENT=experiments/schedules.json

# (the data family defaults to the experiment file's own: lv2 for the paper, captured for schedules)
EXP_OPTS = --profile $(PROFILE) $(if $(DATA),--data $(DATA))
EXP_PLAN = $(BUILD)/plans/$(basename $(notdir $(EXPERIMENT)))-$(PROFILE)$(if $(DATA),-$(DATA)).mk
run-experiment:
ifeq ($(RENDER),1)
	$(SW) report $(EXPERIMENT) $(EXP_OPTS) --reference
else
	@mkdir -p $(BUILD)/plans
	$(SW) sweep plan $(EXPERIMENT) --make $(EXP_OPTS) > $(EXP_PLAN)
	$(MAKE) --no-print-directory -f $(EXP_PLAN) -j$(JOBS) all
	$(SW) sweep collect $(EXPERIMENT) $(EXP_OPTS)
	$(SW) report $(EXPERIMENT) $(EXP_OPTS)
endif

# make counters: PAPI presets (NA with the reason where the machine has none) and slimwave's
# software-defined events at every width of the real models, as CSV under results/counters/.
SHARED ?= ../shared
counters: build
	@mkdir -p results/counters
	@for m in core_wavenet_a1_standard na_boss_sd1_feather na_boss_sd1_nano core_slimmable_wavenet; do \
	  f=$(SHARED)/models/$$m.nam; [ -f $$f ] || { echo "counters: $$f not found (set SHARED=)"; continue; }; \
	  $(SW) counters $$f --widths all > results/counters/$$m.csv.part && mv results/counters/$$m.csv.part results/counters/$$m.csv \
	    && echo "counters: results/counters/$$m.csv"; \
	done
	$(SW) provenance results/counters/provenance.json

# make compare-backends: every usable backend x every width of 5 presets x 4 block sizes on this
# CPU, to results/backends/<cpu-id>/ (table.md, bench.csv, plots, provenance).
compare-backends: build
	tools/compare-backends.sh $(SW)

# make train-bench: training steps of the standard and paper presets at every width, 1 and 2
# threads, beside the PyTorch peer when python3-torch is installed -> results/train-bench/<cpu-id>/.
.PHONY: train-bench
train-bench: build
	tools/train-bench.py $(SW) --shared $(SHARED)

# Datasets (issue 5): build every recipe into datasets/cache/ (reused when unchanged; recipes that
# need ../shared are skipped without it). DATASET_SECONDS=40 builds the short variants (CI smoke).
DATASET_SECONDS ?=
.PHONY: datasets
datasets: build
	@$(BUILD)/slimwave dataset build all $(if $(DATASET_SECONDS),--seconds $(DATASET_SECONDS))

# ---- reliability (issue 7) ----
# make fuzz [FUZZ_SECONDS=N]: build the libFuzzer targets with clang in $(FUZZ_BUILD) and run each
# for N seconds; the corpus grows in fuzz/corpus-run/ (ignored), reproducers go to
# $(FUZZ_BUILD)/artifacts/. make test-sanitize = make test-asan (ASan+UBSan build running the
# whole ctest suite, $(JOBS) tests at a time; CI runs it after make test) + make test-valgrind
# (memcheck over the core tests of the normal build: slow, tens of minutes, so not in CI).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 600
ASAN_BUILD ?= build-asan
.PHONY: fuzz test-sanitize test-asan test-valgrind
fuzz: deps
	@fuzz/run.sh build $(FUZZ_BUILD) clang
	@for t in $$(fuzz/run.sh list $(FUZZ_BUILD)); do fuzz/run.sh run $(FUZZ_BUILD) $$t $(FUZZ_SECONDS) fuzz/corpus-run/$$t || exit 1; done

test-sanitize: test-asan test-valgrind

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DSW_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo > $(ASAN_BUILD).configure.log 2>&1 \
	  || { cat $(ASAN_BUILD).configure.log; exit 1; }
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@# alloc_dealloc_mismatch=0: Guitarix's gx_redeye plugin (C++) frees new[] memory with delete; slimwave
	@# is C (malloc/free only), so the check has nothing of ours to catch. Guitarix plugins also leak
	@# on unload (tests/lsan.supp); their code has no frame pointers, so matching those stacks needs
	@# the slow unwinder (fast_unwind_on_malloc=0).
	@ASAN_OPTIONS=detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:alloc_dealloc_mismatch=0:fast_unwind_on_malloc=0 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 CTEST_PARALLEL_LEVEL=$(JOBS) tools/run-tests.sh $(ASAN_BUILD)

test-valgrind: build
	@tests/valgrind-core.sh $(BUILD)
