#!/usr/bin/env bash
# Build the nbvc wheel, install it (alone: what `pip install nbvc` does) into a fresh venv whose
# PATH has no node, check that jupyter lists the nbvc server extension and the prebuilt
# JupyterLab extension as enabled and OK, then start `jupyter lab` from that venv and fetch the
# page, the panel's JavaScript and the panel's REST API: what a user gets from `pip install nbvc`
# and `jupyter lab` on a machine without Node.js.
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
quietly "$work/venv/bin/pip" install "$wheel"
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

# `jupyter lab` from the venv, on a free loopback port, with throwaway config and runtime folders
lab_log="$work/lab.log"
port=$("$work/venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token=$("$work/venv/bin/python" -c 'import secrets; print(secrets.token_hex(16))')
mkdir -p "$work/lab-config" "$work/lab-runtime" "$work/lab-root"
root_flag=$([ "$(id -u)" = 0 ] && echo --allow-root || true)
env PATH="$work/venv/bin" JUPYTER_CONFIG_DIR="$work/lab-config" \
  JUPYTER_RUNTIME_DIR="$work/lab-runtime" HOME="$work" \
  "$work/venv/bin/jupyter" lab --no-browser $root_flag --ip 127.0.0.1 --port "$port" \
  --ServerApp.root_dir="$work/lab-root" --IdentityProvider.token="$token" >"$lab_log" 2>&1 &
lab_pid=$!
trap 'kill "$lab_pid" 2>/dev/null; wait "$lab_pid" 2>/dev/null; rm -rf "$work"' EXIT
nodeless python - "$port" "$token" <<'PY' || { cat "$lab_log" >&2; fail "jupyter lab does not serve the nbvc panel"; }
import json, re, sys, time, urllib.request
port, token = sys.argv[1], sys.argv[2]
base = f"http://127.0.0.1:{port}"
def get(path):
    request = urllib.request.Request(base + path, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read().decode()
deadline = time.monotonic() + 60
while True:
    try:
        get("/api/status")
        break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
page = get("/lab")
config = json.loads(re.search(r'id="jupyter-config-data"[^>]*>(.*?)</script>', page, re.S).group(1))
(nbvc,) = [e for e in config["federated_extensions"] if e["name"] == "nbvc"]
get(f"/lab/extensions/nbvc/{nbvc['load']}")  # the panel's JavaScript is served
assert json.loads(get("/nbvc/api/openapi.json"))["openapi"].startswith("3.")
print(f"jupyter lab serves the nbvc panel ({nbvc['load']}) and its REST API")
PY

echo "check-wheel: OK: $(basename "$wheel") built in ${built} s, installed alone without node in" \
  "${installed} s; server extension and labextension enabled OK; jupyter lab serves the panel"
