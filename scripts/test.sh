#!/usr/bin/env bash
# The whole test suite. Notebooks are the source of truth: exporting and cleaning them must leave the tree unchanged;
# then every notebook's tests (nbdev-test) and the integration tests (pytest) must pass. Any failure exits non-zero,
# including pytest's exit 5 when it collects no test.
set -euo pipefail
cd "$(dirname "$0")/.."
nbdev-export
nbdev-clean
if [ -n "$(git status --porcelain -- autost_nb nbs)" ]; then
  git status --short -- autost_nb nbs
  echo "nbdev-export / nbdev-clean changed the tree: run them and commit notebooks and package together." >&2
  exit 1
fi
# Pin the CPU kernels (autost_nb.PINNED_KERNELS) for every process the tests start, also one that imports torch before
# autost_nb (nbdev-test runs several notebooks in one worker process), so records compare bit for bit.
eval "$(python -c 'import os, shlex, autost_nb as a; print("; ".join(f"export {k}={shlex.quote(os.environ[k])}" for k in a.PINNED_KERNELS if k in os.environ))')"
nbdev-test --n-workers 2
pytest -q tests
