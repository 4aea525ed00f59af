#!/usr/bin/env bash
# Regenerates test/fixtures/red-64x48.heic (needs heif-enc: apt-get install libheif-examples).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
node -e "require('sharp')({create:{width:64,height:48,channels:3,background:{r:200,g:60,b:30}}}).png().toFile('$tmp/src.png')"
heif-enc -q 90 -o test/fixtures/red-64x48.heic "$tmp/src.png"
