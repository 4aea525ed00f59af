#!/usr/bin/env bash
# `npm test` runs this first: the PDF tests read the output with poppler (pdfinfo, pdftoppm) and
# the queue tests start their own redis-server. Installs what is missing from Debian's packages
# when it can (root, apt-get), else names what to install.
set -euo pipefail
missing=()
command -v pdfinfo >/dev/null || missing+=(poppler-utils)
command -v redis-server >/dev/null || missing+=(redis-server)
[ ${#missing[@]} -eq 0 ] && exit 0
if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  echo "test setup: installing ${missing[*]} (apt-get)" >&2
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
else
  echo "test setup: the tests need ${missing[*]}; install them (Debian: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
