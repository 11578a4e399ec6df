#!/usr/bin/env bash
# Fill fuzz/corpus/<target>/ with seeds: the small inputs committed under fuzz/seeds/, the
# repository's fixtures and, when present, samples of ../shared/corpus (never committed: the
# corpus folders are in .gitignore). Usage: bash fuzz/seed.sh [CORPUS_DIR]
set -euo pipefail
cd "$(dirname "$0")"
shared=${1:-/work/shared/corpus}
fixtures=../fixtures
rm -rf corpus && mkdir -p corpus/{load,intrinsics,pattern,python,js}
copy() { # target, files...
  local t=$1; shift
  for f in "$@"; do cp -- "$f" "corpus/$t/$(sha1sum -- "$f" | cut -c1-16)"; done
}
templates=$(find "$fixtures" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \) | sort)
if [ -d "$shared" ]; then
  # a sample: every 4th template of the corpus, at most 64 KiB each
  templates+=$'\n'$(find "$shared" -type f \( -name '*.yaml' -o -name '*.yml' -o -name '*.json' -o -name '*.template' \) -size -64k | sort | awk 'NR % 4 == 0')
fi
mapfile -t tpl <<<"$templates"
copy load "${tpl[@]}"
copy intrinsics "${tpl[@]}" seeds/intrinsics/*
# event patterns from the templates (EventPattern and Pattern values), as JSON documents
python3 - "${tpl[@]}" <<'PY'
import hashlib, json, sys
try:
    import yaml
except ImportError:
    sys.exit(0)
class Loader(yaml.SafeLoader):
    pass
Loader.add_multi_constructor("!", lambda l, s, n: None)
def walk(x):
    if isinstance(x, dict):
        for k, v in x.items():
            if k in ("EventPattern", "Pattern") and isinstance(v, dict):
                yield v
            yield from walk(v)
    elif isinstance(x, list):
        for v in x:
            yield from walk(v)
for path in sys.argv[1:]:
    try:
        doc = yaml.load(open(path, encoding="utf-8"), Loader=Loader)
    except Exception:
        continue
    for p in walk(doc):
        text = json.dumps({"pattern": p, "event": {"source": "app.orders", "detail-type": "OrderPlaced", "detail": {"status": "NEW"}}}, default=str)
        open("corpus/pattern/" + hashlib.sha1(text.encode()).hexdigest()[:16], "w").write(text)
PY
copy pattern seeds/pattern/*
copy python $(find "$fixtures" -name '*.py' | sort) seeds/python/*
copy js $(find "$fixtures" \( -name '*.js' -o -name '*.mjs' -o -name '*.ts' \) | sort) seeds/js/*
for t in corpus/*; do echo "$t: $(ls "$t" | wc -l) seeds"; done
