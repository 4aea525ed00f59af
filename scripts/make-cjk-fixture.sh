#!/usr/bin/env bash
# Regenerates test/fixtures/NotoSansSC-subset.otf: Noto Sans SC (SIL OFL 1.1, the npm package
# @fontsource/noto-sans-sc) cut down to the characters the caption tests draw, renamed
# "Noto Sans SC Subset" (the OFL asks a modified font not to keep its reserved name as is).
# A whole CJK font is ~20 MB: collage does not bundle one, a manifest adds it with "fonts".
# Needs npm, and fonttools with brotli (apt-get install fonttools python3-brotli).
set -euo pipefail
cd "$(dirname "$0")/.."
chars='你好世界北京上海东京中国日本'
version=5.3.0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "@fontsource/noto-sans-sc@$version" >/dev/null && tar xzf "fontsource-noto-sans-sc-$version.tgz" package/files/noto-sans-sc-chinese-simplified-400-normal.woff2)
pyftsubset "$tmp/package/files/noto-sans-sc-chinese-simplified-400-normal.woff2" --text="$chars" --layout-features='*' \
  --name-IDs='0,1,2,3,4,5,6,13,14,16,17' --output-file="$tmp/subset.otf"
/usr/bin/python3 - "$tmp/subset.otf" test/fixtures/NotoSansSC-subset.otf <<'PY'
import sys
from fontTools.ttLib import TTFont
font = TTFont(sys.argv[1])
names = font['name']
for record in names.names:
    if record.nameID in (1, 16):
        record.string = 'Noto Sans SC Subset'
    elif record.nameID in (4,):
        record.string = 'Noto Sans SC Subset Regular'
    elif record.nameID == 6:
        record.string = 'NotoSansSCSubset-Regular'
names.removeNames(nameID=17)
font.save(sys.argv[2])
PY
ls -l test/fixtures/NotoSansSC-subset.otf
