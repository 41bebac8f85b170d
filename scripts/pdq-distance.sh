#!/usr/bin/env bash
# Measures how far marsad's PDQ hashes are from Meta's C++ reference
# pdq-photo-hasher, on photos the fast JPEG path was not tuned on (it was
# tuned on ThreatExchange's upstream test photos, which are left out here).
#
# For every image it hashes with `marsad hash` (the default, fast JPEG
# mode), `marsad hash --exact` and the reference, and prints the mean, 95th
# percentile and maximum Hamming distance of default-reference,
# exact-reference and default-exact, with how many images are more than 16
# bits (upstream's conformance tolerance) and more than 31 bits (the match
# distance) from the reference.
#
# Images: every JPEG/PNG under PHOTOS (a folder of your own photos, the
# best test) if set; otherwise a set built in a temporary folder from
# photos found on a Debian machine (matplotlib's grace_hopper.jpg, Go's
# x/image yellow_rose.png, go-exif's sample photos) and from ffmpeg's
# procedural sources (mandelbrot, cellular automata, test pattern) with
# grain. Each is re-encoded with ImageMagick and libjpeg the ways photos
# reach a platform: three sizes, JPEG quality 92 and 75, baseline and
# progressive, 4:2:0 and 4:4:4 chroma. Missing tools are skipped.
#
# Usage: scripts/pdq-distance.sh
#   env: PHOTOS=dir  PDQ_REFERENCE=binary  MARSAD=binary (default: built here)
#        KEEP=dir (keep the images and the three hash lists there)
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ref=$(scripts/pdq-reference.sh)
if [ -z "$ref" ]; then
	echo "no reference pdq-photo-hasher: set PDQ_REFERENCE or PDQ_REFERENCE_SRC" >&2
	exit 1
fi
marsad=${MARSAD:-$tmp/marsad}
[ -n "${MARSAD:-}" ] || go build -o "$marsad" ./cmd/marsad

have() { command -v "$1" >/dev/null 2>&1; }
img=$tmp/img
mkdir -p "$img" "$tmp/src"
if [ -n "${PHOTOS:-}" ]; then
	find "$PHOTOS" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) -exec cp {} "$img/" \;
else
	modcache=$(go env GOMODCACHE)
	for f in /usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg \
		"$modcache"/golang.org/x/image@*/testdata/yellow_rose.png \
		"$modcache"/github.com/dsoprea/go-exif/v3@*/assets/NDM_8901.jpg \
		"$modcache"/github.com/dsoprea/go-exif/v3@*/assets/gps.jpg; do
		[ -f "$f" ] && cp "$f" "$tmp/src/$(basename "$(dirname "$(dirname "$f")")")-$(basename "$f")"
	done
	if have ffmpeg; then
		n=0
		for src in "mandelbrot=s=1600x1200:start_scale=2" "mandelbrot=s=1600x1200:start_x=-0.75:start_y=0.1:start_scale=0.05" \
			"cellauto=s=1600x1200:rule=30:scroll=0" "life=s=1600x1200:mold=10:ratio=0.3" "testsrc2=s=1600x1200"; do
			n=$((n + 1))
			ffmpeg -v error -y -f lavfi -i "$src" -frames:v 1 -vf "gblur=sigma=1.5,noise=alls=12:allf=t" "$tmp/src/gen$n.png" || true
		done
	fi
	for f in "$tmp"/src/*; do
		b=$(basename "${f%.*}")
		if have convert; then
			for w in 1908 1280 2600; do
				for q in 92 75; do
					convert "$f" -resize "${w}x" -quality "$q" -sampling-factor 4:2:0 "$img/$b-$w-q$q.jpg"
					have jpegtran && jpegtran -progressive -outfile "$img/$b-$w-q$q-prog.jpg" "$img/$b-$w-q$q.jpg"
				done
				convert "$f" -resize "${w}x" -quality 90 -sampling-factor 4:4:4 "$img/$b-$w-444.jpg"
			done
			# The reference reads RGB and grey PNGs only, not alpha.
			convert "$f" -alpha off -type TrueColor "PNG24:$img/$b.png"
		else
			cp "$f" "$img/"
		fi
	done
fi
mapfile -t files < <(find "$img" -type f | sort)
echo "${#files[@]} images; reference: $ref"

"$marsad" hash "${files[@]}" >"$tmp/default.csv"
"$marsad" hash --exact "${files[@]}" >"$tmp/exact.csv"
# One process a file: the reference exits at the first image it cannot
# read (a PNG with alpha, say), and that image is then left out.
for f in "${files[@]}"; do
	"$ref" "$f" || echo "reference cannot hash $f; left out" >&2
done >"$tmp/ref.csv"
[ -z "${KEEP:-}" ] || { mkdir -p "$KEEP" && cp "$img"/* "$tmp"/*.csv "$KEEP/"; }

python3 - "$tmp/default.csv" "$tmp/exact.csv" "$tmp/ref.csv" <<'PY'
import sys

def load(path):
    out = {}
    for line in open(path):
        h, q, name = line.strip().split(",", 2)
        out[name] = (int(h, 16), int(q))
    return out

d, e, r = (load(p) for p in sys.argv[1:4])
names = sorted(set(d) & set(e) & set(r))

def stats(label, a, b):
    ds = sorted(bin(a[n][0] ^ b[n][0]).count("1") for n in names)
    p95 = ds[min(len(ds) - 1, int(0.95 * len(ds)))]
    print(f"{label:20s} n={len(ds)} mean={sum(ds)/len(ds):.2f} p95={p95} max={ds[-1]}"
          f" >16: {sum(x > 16 for x in ds)} >31: {sum(x > 31 for x in ds)}")

import os

def dist(a, b, n):
    return bin(a[n][0] ^ b[n][0]).count("1")

all_names = names
groups = [("all", all_names),
          ("photos", [n for n in all_names if not os.path.basename(n).startswith("gen")]),
          ("generated", [n for n in all_names if os.path.basename(n).startswith("gen")])]
for g, ns in groups:
    if not ns:
        continue
    names = ns
    print(f"== {g}")
    stats("default-reference", d, r)
    stats("exact-reference", e, r)
    stats("default-exact", d, e)
names = all_names
print("== farthest from the reference in the default mode")
for n in sorted(names, key=lambda n: -dist(d, r, n))[:8]:
    print(f"{dist(d, r, n):4d} {os.path.basename(n)} (quality {r[n][1]})")
PY
