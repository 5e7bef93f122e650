#!/usr/bin/env bash
# Trunk's post-build hook (Trunk.toml): splits the console's wasm module at
# its `#[wasm_split]` points (app/src/ui/lazy.rs), so the sign-in page loads
# only the main module and each other page fetches its own when opened.
#
# Trunk has built the module with cargo and run wasm-bindgen on it whole;
# this replaces its output in the staging directory with:
#   1. `wasm-split-cli` (crates.io `wasm_split_cli_support`, what
#      cargo-leptos uses) on cargo's module, which must be linked with
#      `--emit-relocs` (.cargo/config.toml): the main module, one module
#      per split point and chunks of code that several of them share, and
#      the loader that fetches them (`__wasm_split.js`);
#   2. wasm-bindgen on the main module (`--keep-lld-exports`, which the
#      split modules link against), under Trunk's hashed name;
#   3. the split modules and the loader renamed with the same hash
#      (`<name>-<hash>_split…`: cached as immutable, like Trunk's files,
#      and never mixed with another build's), and index.html's integrity
#      hashes of the script and the module updated.
set -euo pipefail

stage=${TRUNK_STAGING_DIR:?run by Trunk as a post_build hook}
command -v wasm-split-cli >/dev/null || {
    echo "wasm-split-cli is missing: run scripts/run.sh or scripts/test.sh, which install it" >&2
    exit 1
}

mapfile -t scripts < <(cd "$stage" && ls | grep -E '^frontend(-[0-9a-f]+)?\.js$')
[ "${#scripts[@]}" = 1 ] || { echo "expected one frontend script in $stage, found: ${scripts[*]}" >&2; exit 1; }
name=${scripts[0]%.js}

target_dir=${CARGO_TARGET_DIR:-$(cargo metadata --format-version 1 --no-deps --offline |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')}
case "${TRUNK_PROFILE:-release}" in
    release) profile_dir=wasm-release ;;
    *) profile_dir=debug ;;
esac
input="$target_dir/wasm32-unknown-unknown/$profile_dir/frontend.wasm"
[ -f "$input" ] || { echo "cargo's module is not at $input" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/split" "$work/bindgen"

wasm-split-cli "$input" "$work/split" --out-name "$name" --target web || {
    echo "wasm-split-cli failed: the module must be linked with --emit-relocs (.cargo/config.toml; a RUSTFLAGS variable replaces it)" >&2
    exit 1
}
wasm-bindgen --target web --keep-lld-exports --no-demangle --no-typescript \
    --out-dir "$work/bindgen" --out-name "$name" "$work/split/$name.wasm"

loader="${name}_split.js"
cp "$work/bindgen/$name.js" "$stage/$name.js"
cp "$work/bindgen/${name}_bg.wasm" "$stage/${name}_bg.wasm"
# The script imports the loader by the module name the wasm imports from;
# only the import statement takes the new file name.
sed -i "s#from '\./__wasm_split\.js'#from './$loader'#; s#from \"\./__wasm_split\.js\"#from \"./$loader\"#" "$stage/$name.js"
grep -q "$loader" "$stage/$name.js" || { echo "the main script does not import the split loader" >&2; exit 1; }
cp "$work/split/__wasm_split.js" "$stage/$loader"
for module in "$work"/split/*.wasm; do
    file=$(basename "$module")
    [ "$file" = "$name.wasm" ] && continue
    cp "$module" "$stage/${name}_$file"
    sed -i "s#\"\./$file\"#\"./${name}_$file\"#" "$stage/$loader"
done

# Trunk wrote the integrity of the script and the module it built whole.
integrity() {
    python3 -c 'import base64, hashlib, sys; print("sha384-" + base64.b64encode(hashlib.sha384(open(sys.argv[1], "rb").read()).digest()).decode(), end="")' "$1"
}
for file in "$name.js" "${name}_bg.wasm"; do
    sed -i -E "s#(href=\"[^\"]*/$file\"[^>]*integrity=\")[^\"]*\"#\1$(integrity "$stage/$file")\"#" "$stage/index.html"
done
# The main script imports the loader: fetch it alongside, not after.
preload="<link rel=\"modulepreload\" href=\"${TRUNK_PUBLIC_URL:-/}$loader\" crossorigin=\"anonymous\" integrity=\"$(integrity "$stage/$loader")\">"
sed -i "s#</head>#$preload</head>#" "$stage/index.html"
grep -q "$loader" "$stage/index.html" || { echo "index.html does not preload the split loader" >&2; exit 1; }
