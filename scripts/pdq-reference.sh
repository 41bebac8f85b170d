#!/usr/bin/env bash
# Prints the path of Meta's C++ reference pdq-photo-hasher, building it if
# needed; prints nothing (and says why on stderr) when there is no source.
#
# PDQ_REFERENCE names a built binary. Otherwise the binary is built in
# PDQ_REFERENCE_DIR (default: a folder under /tmp, kept between runs) from
# PDQ_REFERENCE_SRC, a ThreatExchange checkout or bare git repository
# (default ../.mirror/facebook+ThreatExchange/repo), with g++ -O3, CImg and
# the system libjpeg and libpng, as upstream's Makefile does with CImg's
# JPEG and PNG support switched on.
#
# Usage: scripts/pdq-reference.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(dirname "${PDQ_REFERENCE_DIR:-/tmp/pdq-reference-build/ref}")
mkdir -p "$tmp"
if [ -z "${PDQ_REFERENCE:-}" ] && [ -x "$tmp/ref/pdq-photo-hasher" ]; then
	echo "$tmp/ref/pdq-photo-hasher"
	exit 0
fi

# build_reference prints the path of a pdq-photo-hasher binary, building it
# from source if needed; nothing when there is no source.
build_reference() {
	if [ -n "${PDQ_REFERENCE:-}" ]; then
		echo "$PDQ_REFERENCE"
		return
	fi
	local src=${PDQ_REFERENCE_SRC:-../.mirror/facebook+ThreatExchange/repo}
	local dir=$tmp/ref
	mkdir -p "$dir"
	if git --git-dir="$src" rev-parse --verify -q HEAD:pdq/cpp >/dev/null 2>&1 ||
		git -C "$src" rev-parse --verify -q HEAD:pdq/cpp >/dev/null 2>&1; then
		local gd=$src
		git --git-dir="$src" rev-parse -q HEAD >/dev/null 2>&1 || gd=$(git -C "$src" rev-parse --git-dir)
		case $gd in /*) ;; *) [ "$gd" = "$src" ] || gd=$src/$gd ;; esac
		local f
		for f in $(git --git-dir="$gd" ls-tree -r --name-only HEAD pdq/cpp |
			grep -E '^pdq/cpp/(CImg\.h|bin/pdq-photo-hasher\.cpp|(common|hashing|downscaling|io|index)/[^/]+\.(h|cpp))$'); do
			mkdir -p "$dir/$(dirname "$f")"
			git --git-dir="$gd" show "HEAD:$f" >"$dir/$f"
		done
	elif [ -f "$src/pdq/cpp/CImg.h" ]; then
		cp -r "$src/pdq" "$dir/"
	else
		echo "no ThreatExchange source at $src; set PDQ_REFERENCE or PDQ_REFERENCE_SRC" >&2
		return
	fi
	(cd "$dir/pdq/cpp" && g++ -std=c++11 -O3 -w -Dcimg_display=0 -Dcimg_use_jpeg -Dcimg_use_png -I../.. -I. \
		bin/pdq-photo-hasher.cpp common/pdqhashtypes.cpp io/hashio.cpp common/pdqhamming.cpp \
		hashing/pdqhashing.cpp downscaling/downscaling.cpp io/pdqio.cpp hashing/torben.cpp common/pdqutils.cpp \
		-o "$dir/pdq-photo-hasher" -ljpeg -lpng -lz -lm -lpthread) >&2 || return
	echo "$dir/pdq-photo-hasher"
}
build_reference
