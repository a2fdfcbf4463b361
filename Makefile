# convtrace — the two commands a newcomer types: `make lessons` (the main job) and `make test`.
# Both install the system packages the project needs first (apt-get when run as root, else the
# exact command to run is printed).

SWIFT ?= swift
APT_PACKAGES := libcairo2-dev libpng-dev libgif-dev pkg-config tmux fonts-dejavu-core \
  chromium chromium-driver libcmark-gfm-dev libcmark-gfm-extensions-dev

.PHONY: all deps build test lessons lessons-check bench bench-pytorch clean

all: build

# Installs only what is missing; a no-op on a machine that has everything.
deps:
	@missing=""; \
	for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    echo "make: installing system packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null || exit 1; \
	  else \
	    echo "make: missing system packages:$$missing"; \
	    echo "make: run: sudo apt-get install -y$$missing"; exit 1; \
	  fi; \
	fi

build: deps
	$(SWIFT) build

# The example package first, so the main suite's summary is the last line; the whole run has a deadline
# (each child process and browser session in the tests has its own, shorter one).
test: deps
	$(MAKE) example-test
	$(SWIFT) build --build-tests
	timeout --kill-after=30 1800 $(SWIFT) test --skip-build

# libFuzzer targets (tools/fuzz): spec parser, trace readers, lesson reader, shape arithmetic; each runs
# FUZZ_SECONDS (default 600). Not part of `make test`; the corpus it keeps is replayed by CLITests.
.PHONY: fuzz
fuzz: deps
	$(SWIFT) build -c release --product convtrace
	tools/fuzz/run.sh

# The example package that uses the ConvtraceVerify library by path (examples/verify-in-tests): its own
# .build, so it compiles the library's modules once more (debug; no argument parser, no CLI).
.PHONY: example-test
example-test:
	cd examples/verify-in-tests && $(SWIFT) build --build-tests && $(SWIFT) test --skip-build

lessons: deps
	$(SWIFT) build -c release --product convtrace
	$$($(SWIFT) build -c release --show-bin-path)/convtrace lessons --in Lessons --out Output

lessons-check: deps
	$(SWIFT) build -c release --product convtrace
	$$($(SWIFT) build -c release --show-bin-path)/convtrace lessons --in Lessons --out Output --check

bench: deps
	$(SWIFT) build -c release --product convtrace
	$$($(SWIFT) build -c release --show-bin-path)/convtrace bench --json

# convtrace's untraced forward + backward against PyTorch (one thread, float64) in the same run; needs
# tools/.venv with torch and PyYAML (tools/pytorch-fixtures/run.sh creates it). Not part of `make test`.
bench-pytorch: deps
	$(SWIFT) build -c release --product convtrace
	tools/.venv/bin/python tools/bench_vs_pytorch.py --binary $$($(SWIFT) build -c release --show-bin-path)/convtrace

clean:
	rm -rf .build

# Re-records the PyTorch float64 fixtures in Tests/EngineTests/Fixtures/ (creates tools/.venv with CPU
# PyTorch from PyPI on first use). Tests and CI read the committed JSON; they never run this.
.PHONY: fixtures
fixtures:
	tools/pytorch-fixtures/run.sh

# Installs the release binary, shell completions (bash, zsh, fish, from swift-argument-parser's
# --generate-completion-script) and the man page (docs/convtrace.1, made by `make man`) under PREFIX.
# DESTDIR is prepended for packaging. Example: make install PREFIX=$HOME/.local
PREFIX ?= /usr/local
.PHONY: install man
install: deps
	$(SWIFT) build -c release --product convtrace
	@bin=$$($(SWIFT) build -c release --show-bin-path)/convtrace; set -e; \
	install -d "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(PREFIX)/share/man/man1" \
	  "$(DESTDIR)$(PREFIX)/share/bash-completion/completions" "$(DESTDIR)$(PREFIX)/share/zsh/site-functions" \
	  "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d"; \
	install -m 755 "$$bin" "$(DESTDIR)$(PREFIX)/bin/convtrace"; \
	"$$bin" --generate-completion-script bash > "$(DESTDIR)$(PREFIX)/share/bash-completion/completions/convtrace"; \
	"$$bin" --generate-completion-script zsh > "$(DESTDIR)$(PREFIX)/share/zsh/site-functions/_convtrace"; \
	"$$bin" --generate-completion-script fish > "$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/convtrace.fish"; \
	install -m 644 docs/convtrace.1 "$(DESTDIR)$(PREFIX)/share/man/man1/convtrace.1"; \
	echo "installed convtrace, completions and man page under $(DESTDIR)$(PREFIX)"

# Regenerates docs/convtrace.1 with swift-argument-parser's generate-manual plugin (builds the package
# in debug mode first, which `make test` has already done; the date is fixed so the page is byte-identical from run to run).
man:
	$(SWIFT) package plugin generate-manual --configuration debug --date 2026-01-01 \
	  --authors "the convtrace authors"
	cp .build/plugins/GenerateManual/outputs/convtrace/convtrace.1 docs/convtrace.1
