# The two commands: `make run` and `make test`. Both install missing Debian packages first.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
# Tests mostly wait (on daemons, schedules, agents): twice the cores keeps both busy.
# docs/decisions.md, "Build time".
TEST_JOBS  ?= $(shell echo $$(( $$(nproc) * 2 )))
DATA_DIR   ?= ./data
CTEST_ARGS ?=

.PHONY: all deps build run test test-ui test-asan bench clean

all: build

deps:
	@bash scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

run: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD) --target runtime -j$(JOBS)
	$(BUILD)/bin/steward serve --data-dir $(DATA_DIR)

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(TEST_JOBS) $(CTEST_ARGS)

# Only the dashboard's browser tests (they are part of `make test` too).
test-ui: build
	cd $(BUILD) && ctest --output-on-failure -j$(TEST_JOBS) -L ui $(CTEST_ARGS)

# Debug build with AddressSanitizer + UBSan; the same tests must pass under it.
test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSTEWARD_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

# Benchmarks are separate from `make test`: each prints a Markdown table (docs/benchmarks.md).
bench: build
	bash bench/webhook_peer.sh
	bash bench/webhook_peer.sh --endpoint webhook
	python3 bench/sse_fanout.py --subscribers 100 --mbytes 10 --window-bytes 16777216
	bash bench/backup.sh
	bash bench/devices.sh 1000
	bash bench/cluster.sh

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
