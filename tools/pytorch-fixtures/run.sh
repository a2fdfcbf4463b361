#!/usr/bin/env bash
# tools — regenerates the PyTorch float64 fixtures in Tests/EngineTests/Fixtures/ (CI never runs this).
# Creates tools/.venv (git-ignored) with CPU PyTorch and PyYAML on first use, then runs make_fixtures.py.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/tools/.venv"
python="${PYTHON:-python3}"
if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import torch, yaml" 2>/dev/null; then
  # CPU build first (the +cpu wheel is ~200 MB); fall back to the default PyPI wheel.
  "$venv/bin/pip" install --quiet "torch==2.13.0+cpu" \
    || "$venv/bin/pip" install --quiet torch
  "$venv/bin/pip" install --quiet pyyaml
fi
exec "$venv/bin/python" "$here/make_fixtures.py" "$@"
