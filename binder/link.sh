#!/usr/bin/env bash
# Print the Binder link that opens the quickstart demo of this clone's GitHub repository (the
# remote named by $1, default origin), for the README badge once the repository is published.
set -euo pipefail
remote=${1:-origin}
url=$(git -C "$(dirname "$0")/.." remote get-url "$remote" 2>/dev/null) || {
  echo "binder-link: this clone has no git remote '$remote'" >&2
  exit 1
}
# https://github.com/OWNER/REPO(.git), git@github.com:OWNER/REPO(.git), ssh://git@github.com/...
slug=$(sed -nE 's#^(https://|ssh://git@|git@)github\.com[:/]([^/]+/[^/]+)$#\2#p' <<<"$url")
slug=${slug%.git}
if [ -z "$slug" ]; then
  echo "binder-link: $remote is $url, not a GitHub repository (Binder's gh/ links need one)" >&2
  exit 1
fi
echo "https://mybinder.org/v2/gh/$slug/HEAD?labpath=demos%2Fquickstart.ipynb"
