# mydia-tui — one Makefile for the whole system. `make demo` and `make test` are the two commands
# a newcomer needs; both install their system packages first.

SWIFT       ?= swift
# CI builds with warnings as errors (STYLE). Locally too: a warning today is a bug tomorrow.
SWIFT_FLAGS ?= -Xswiftc -warnings-as-errors
FUZZ_RUNS   ?= 1000000
# `make fuzz`: each target runs for FUZZ_SECONDS (libFuzzer -max_total_time); FUZZ_RUNS bounds `fuzz-loop`.
FUZZ_SECONDS ?= 120
FUZZ_TARGETS = frame handshake relay tunnel media graphql proxyroute dns playlist
FUZZ_RT      = $(shell find $$(dirname $$(dirname $$(readlink -f $$(command -v swiftc))))/lib/clang -name 'libclang_rt.fuzzer_no_main-x86_64.a' 2>/dev/null | head -1)

export SWIFT_BACKTRACE = interactive=no

.PHONY: deps build release test bench fuzz fuzz-loop faultlab soak demo clean

deps:
	@bash scripts/deps.sh

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

# Builds everything once (sources and tests) and runs the whole suite once. Tests run one at a
# time: the integration tests start real relays, servers, ffmpeg and TLS listeners, and on a 2-core
# machine running them side by side turns their timing bounds into noise (serial: about a minute).
# LAN discovery stays off in client sessions under test (MYDIA_DISCOVERY): the discovery tests
# browse the loopback interface explicitly, and nothing else should multicast onto the real network.
test: export MYDIA_DISCOVERY = off
# The suite takes about five minutes; a run past TEST_LIMIT is a hung test, and ends as a failure
# that says so (the last "◇ Test … started." without its result names it).
TEST_LIMIT ?= 40m
test: deps
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	@timeout --signal=INT --kill-after=30s $(TEST_LIMIT) $(SWIFT) test --skip-build --no-parallel; rc=$$?; \
	  if [ $$rc -eq 124 ] || [ $$rc -eq 137 ]; then echo "make test: the suite ran past $(TEST_LIMIT); a test hangs (see the last test started above)" >&2; fi; \
	  exit $$rc

# Release builds link the Swift runtime and Foundation into each binary (--static-swift-stdlib):
# they run where no Swift toolchain is installed (they need only the Debian packages of `make deps`),
# and a process maps and relocates only the parts it uses (PROTOCOL.md §13.75). The binaries land
# in .build/release/.
RELEASE = $(SWIFT) build -c release --static-swift-stdlib $(SWIFT_FLAGS)
release: deps
	$(RELEASE) --product mydia-tui
	$(RELEASE) --product mydia-relay
	$(RELEASE) --product mydia-server

# Release build; each figure is one `BENCH <name> <value> <unit> [target…]` line. Ratios are measured
# against a baseline run in the same process, interleaved, because these machines are noisy.
bench: deps
	$(RELEASE) --product mydia-bench
	$(RELEASE) --product mydia-relay
	$(RELEASE) --product mydia-relay-bench
	$(RELEASE) --product mydia-server-bench
	$(RELEASE) --product mydia-tui
	$(RELEASE) --product mydia-playback-bench
	$(RELEASE) --product mydia-tui-bench
	$(RELEASE) --product mydia-fleet-bench
	.build/release/mydia-bench
	.build/release/mydia-relay-bench
	.build/release/mydia-server-bench
	.build/release/mydia-playback-bench
	.build/release/mydia-tui-bench
	.build/release/mydia-fleet-bench

# libFuzzer campaigns (coverage-guided, AddressSanitizer), FUZZ_SECONDS per target. The committed
# corpus in Fuzz/corpus/<target> seeds a scratch corpus under Fuzz/artifacts/; a crash leaves its
# input in Fuzz/artifacts/<target>-crash-… and fails the run. Results go to RELIABILITY.md.
fuzz: deps
	@test -n "$(FUZZ_RT)" || { echo "libFuzzer runtime not found; run 'make fuzz-loop' instead"; exit 1; }
	$(SWIFT) build -c release --scratch-path .build-fuzz --product mydia-fuzz \
	  -Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table \
	  -Xswiftc -DFUZZING -Xlinker --undefined=LLVMFuzzerRunDriver \
	  -Xlinker --export-dynamic-symbol=LLVMFuzzerRunDriver -Xlinker $(FUZZ_RT) -Xlinker -lstdc++
	@for t in $(FUZZ_TARGETS); do \
	  mkdir -p Fuzz/artifacts/corpus-$$t; \
	  echo "fuzz $$t: $(FUZZ_SECONDS) s"; \
	  MYDIA_FUZZ_TARGET=$$t .build-fuzz/release/mydia-fuzz -max_total_time=$(FUZZ_SECONDS) -max_len=4096 -print_final_stats=1 \
	    -artifact_prefix=Fuzz/artifacts/$$t- Fuzz/artifacts/corpus-$$t Fuzz/corpus/$$t 2>&1 \
	    | grep -E '^Done|DONE|ERROR|SUMMARY|crash|deadly|stat::number_of_executed_units' || exit 1; \
	  test -z "$$(ls Fuzz/artifacts/$$t-crash-* Fuzz/artifacts/$$t-leak-* Fuzz/artifacts/$$t-timeout-* 2>/dev/null)" || exit 1; \
	done

# The fallback where libFuzzer is unavailable: a bounded, seeded mutation loop from the corpus.
fuzz-loop: deps
	$(SWIFT) build -c release --product mydia-fuzz $(SWIFT_FLAGS)
	@for t in $(FUZZ_TARGETS); do .build/release/mydia-fuzz $$t $(FUZZ_RUNS) 1 Fuzz/corpus/$$t || exit 1; done

# The fault lab (RELIABILITY.md): network namespaces, the real relay/server/client, scripted faults
# (fault proxy, nftables). Needs root; skips with a message where namespaces are unavailable.
# `make test` runs scenarios 2, 5 and 4 (quick) through Tests/MydiaClientTests/FaultLabTests.swift.
# Playback scenarios (1, 1d, 4, 9, sec, 10, soak) run real headless mpv; 10 plays a download with the link down.
FAULTLAB_SCENARIOS ?= 1,1d,1dr,1r,2,3,4,4r,5,6,6b,7,8b,8a,9,sec,10,dos-relay,dos-direct,dos-graphql,mdns-offlink
# `make soak`: SOAK_SECONDS of playback (the 60 s lab clip looped) with the direct path toggled
# every 2 min; the client's RSS and open fds are sampled every 10 s and must stay flat.
SOAK_SECONDS ?= 3600
faultlab: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	@python3 scripts/faultlab/lab.py --scenarios $(FAULTLAB_SCENARIOS) --bin .build/debug --json .build/faultlab.json; \
	  s=$$?; if [ $$s -eq 77 ]; then exit 0; fi; exit $$s

soak: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	@python3 scripts/faultlab/lab.py --scenarios soak --soak-seconds $(SOAK_SECONDS) --bin .build/debug --json .build/soak.json; \
	  s=$$?; if [ $$s -eq 77 ]; then exit 0; fi; exit $$s

# `make fleet` (docs/FLEET.md): PostgreSQL and three relay nodes in network namespaces; the client
# is moved between nodes, node A is killed mid-playback, PostgreSQL is restarted. Needs root.
.PHONY: fleet
fleet: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	@python3 scripts/faultlab/fleet.py --bin .build/debug --json .build/fleet.json; \
	  s=$$?; if [ $$s -eq 77 ]; then exit 0; fi; exit $$s

# The demo: relay + server with the sample library on loopback, a client paired, the TUI open.
demo: build
	@bash scripts/demo.sh

clean:
	rm -rf .build .build-fuzz Fuzz/artifacts .demo
