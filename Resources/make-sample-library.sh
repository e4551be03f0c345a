#!/bin/sh
# Makes a small sample library for mydia-server under DIR: three movies (one accented title, one
# CJK title), one show with two seasons, and JSON sidecars with overviews. H.264/AAC test patterns,
# two seconds each. Idempotent: files that already exist are kept. Quiet unless something fails.
#
# Usage: make-sample-library.sh DIR
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 64
fi
command -v ffmpeg >/dev/null 2>&1 || { echo "$0: ffmpeg is not installed" >&2; exit 69; }

root=$1
mkdir -p "$root/Movies" "$root/Shows"

# clip OUTPUT PATTERN FREQUENCY: a 2 s 320x240 test pattern with a sine tone.
clip() {
    out=$1
    [ -s "$out" ] && return 0
    mkdir -p "$(dirname "$out")"
    tmp="$out.partial.$$"
    case "$out" in *.mkv) fmt=matroska ;; *) fmt=mp4 ;; esac
    ffmpeg -nostdin -hide_banner -loglevel error -y \
        -f lavfi -i "$2=size=320x240:rate=24:duration=2" \
        -f lavfi -i "sine=frequency=$3:sample_rate=48000:duration=2" \
        -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 64k -shortest \
        -f "$fmt" "$tmp"
    mv "$tmp" "$out"
}

# sidecar FILE JSON: writes JSON unless the file exists.
sidecar() {
    [ -s "$1" ] && return 0
    mkdir -p "$(dirname "$1")"
    printf '%s\n' "$2" > "$1"
}

clip "$root/Movies/Big Test Pattern (2019).mp4" testsrc2 440
sidecar "$root/Movies/Big Test Pattern (2019).json" \
    '{"overview":"A colourful test pattern goes on an adventure.","genres":["Documentary","Test"]}'

clip "$root/Movies/Amélie à Paris (2001).mkv" smptebars 523
sidecar "$root/Movies/Amélie à Paris (2001).json" \
    '{"overview":"Une jeune femme change la vie des gens autour d’elle.","genres":["Comédie","Romance"]}'

clip "$root/Movies/東京物語 (1953).mp4" testsrc2 330
sidecar "$root/Movies/東京物語 (1953).json" \
    '{"overview":"老夫婦が東京の子供たちを訪ねる。","genres":["Drama"]}'

show="$root/Shows/Signal Hour"
sidecar "$show/show.json" '{"overview":"Engineers chase a stray test signal.","year":2021,"status":"ended"}'
clip "$show/Season 1/Signal Hour - S01E01 - Pilot.mp4" smptebars 600
sidecar "$show/Season 1/Signal Hour - S01E01 - Pilot.json" '{"overview":"The tone appears.","airDate":"2021-03-01"}'
clip "$show/Season 1/Signal Hour - S01E02 - Colour Bars.mp4" testsrc2 620
clip "$show/Season 1/Signal Hour - S01E03 - Static.mp4" smptebars 640
clip "$show/Season 2/Signal Hour - S02E01 - Return.mp4" testsrc2 660
clip "$show/Season 2/Signal Hour - S02E02 - Finale.mkv" smptebars 680
