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
	@tools/run-tests.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(BUILD).configure.log

# Datasets (issue 5): build every recipe into datasets/cache/ (reused when unchanged; recipes that
# need ../shared are skipped without it). DATASET_SECONDS=40 builds the short variants (CI smoke).
DATASET_SECONDS ?=
.PHONY: datasets
datasets: build
	@$(BUILD)/slimwave dataset build all $(if $(DATASET_SECONDS),--seconds $(DATASET_SECONDS))
