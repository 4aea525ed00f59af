#!/usr/bin/env bash
# Regenerates test/fixtures/{cmyk-plain,cmyk-adobe,ycck-adobe}.jpg with libjpeg (not run in CI).
# Needs gcc and libjpeg's headers: apt-get install gcc libc6-dev libjpeg62-turbo-dev
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gcc -O2 -Wall -Werror -o "$tmp/make-cmyk-fixtures" scripts/make-cmyk-fixtures.c -ljpeg
"$tmp/make-cmyk-fixtures" test/fixtures
