# convtrace — the two commands a newcomer types: `make lessons` (the main job) and `make test`.
# Both install the system packages the project needs first (apt-get when run as root, else the
# exact command to run is printed).

SWIFT ?= swift
APT_PACKAGES := libcairo2-dev libpng-dev libgif-dev pkg-config tmux fonts-dejavu-core

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

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

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
