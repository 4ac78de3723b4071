#!/usr/bin/env bash
# Build the nbvc wheel, install it into a fresh venv whose PATH has no node, and check that
# jupyter lists the nbvc server extension and the prebuilt JupyterLab extension as enabled and
# OK: what a user gets from `pip install nbvc` on a machine without Node.js.
set -euo pipefail
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
work=$(mktemp -d -t nbvc-wheel-XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "check-wheel: FAIL: $*" >&2; exit 1; }
plain() { sed 's/\x1b\[[0-9;]*m//g'; }  # drop colour codes from jupyter's lists

quietly() {  # run a pip step; show its output only if it fails
  "$@" >"$work/step.log" 2>&1 || { cat "$work/step.log" >&2; fail "$*"; }
}

start=$SECONDS
quietly "$python" -m pip wheel --no-deps --wheel-dir "$work/dist" .
wheel=$(ls "$work"/dist/nbvc-*.whl)
built=$((SECONDS - start))

contents=$("$python" -m zipfile -l "$wheel")
for expected in \
  "nbvc-0.1.0.data/data/share/jupyter/labextensions/nbvc/package.json" \
  "nbvc-0.1.0.data/data/share/jupyter/labextensions/nbvc/install.json" \
  "nbvc-0.1.0.data/data/share/jupyter/labextensions/nbvc/static/style.js" \
  "nbvc-0.1.0.data/data/etc/jupyter/jupyter_server_config.d/nbvc.json" \
  "nbvc/server/openapi.yaml"; do
  grep -qF "$expected" <<<"$contents" || fail "$expected is missing from $(basename "$wheel")"
done
grep -q "nbvc/labextension/" <<<"$contents" && fail "the bundle is shipped twice (nbvc/labextension)"

start=$SECONDS
quietly "$python" -m venv "$work/venv"
quietly "$work/venv/bin/pip" install "$wheel" "jupyterlab>=4.6,<5"
installed=$((SECONDS - start))

nodeless() { env PATH="$work/venv/bin" "$@"; }  # only the venv on PATH: no node, no npm
if nodeless /bin/sh -c 'command -v node || command -v npm' >/dev/null; then
  fail "node is on the PATH of the check"
fi
servers=$(nodeless jupyter server extension list 2>&1 | plain)
labs=$(nodeless jupyter labextension list 2>&1 | plain)
grep -qE "^\s*nbvc enabled" <<<"$servers" || fail "server extension not enabled:
$servers"
grep -qE "^\s*nbvc 0\.1\.0 OK" <<<"$servers" || fail "server extension not OK:
$servers"
grep -qE "^\s*nbvc v0\.1\.0 enabled OK \(python, nbvc\)" <<<"$labs" || fail "labextension not enabled OK:
$labs"
nodeless nbvc --version >/dev/null || fail "the nbvc CLI does not run"

echo "check-wheel: OK: $(basename "$wheel") built in ${built} s, installed without node in" \
  "${installed} s; server extension and labextension enabled OK"
