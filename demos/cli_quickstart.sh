#!/usr/bin/env bash
# A two-minute tour of nbvc on the command line, in a throwaway folder.
set -euo pipefail
work=$(mktemp -d -t nbvc-demo-XXXXXX)
cd "$work"
echo "# demo folder: $work"
run() { echo; echo "\$ $*"; "$@"; }

run git init -q .
run nbvc init
mkdir -p data/raw
for i in 1 2 3; do seq 1 $((i * 1000)) > "data/raw/part$i.csv"; done
echo "weights-v1" > model.bin
run nbvc add data model.bin -m "first snapshot" --tag baseline
run git add -A
run git commit -qm "track data and model with nbvc"
seq 1 5000 > data/raw/part2.csv
echo "weights-v2" > model.bin
run nbvc status
run nbvc add data model.bin -m "more data, retrained"
run git commit -qam "more data, retrained"
run nbvc log model.bin
run nbvc diff data@v1 data@v2
run nbvc checkout model.bin@baseline
run cat model.bin
run nbvc checkout model.bin@HEAD
run nbvc status
run nbvc fsck
echo
echo "# done; the demo repo is in $work"
