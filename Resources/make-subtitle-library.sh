#!/bin/sh
# Makes a small library with subtitles for mydia-server's tests under DIR, with real ffmpeg:
#   Movies/Subtitled (2020).mkv            H.264/AAC, 2 s, with two subtitle streams:
#                                            2: SubRip, language ger, title "Deutsch", forced
#                                            3: PGS (image-based), language eng
#   Movies/Subtitled (2020).en.srt         sidecar SubRip
#   Movies/Subtitled (2020).en.sdh.vtt     sidecar WebVTT
#   Movies/Subtitled (2020).eng.forced.ass sidecar ASS
#   Movies/Plain (2021).mp4                H.264/AAC, no subtitles
# Idempotent: files that already exist are kept. Quiet unless something fails.
#
# Usage: make-subtitle-library.sh DIR
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 DIR" >&2
    exit 64
fi
command -v ffmpeg >/dev/null 2>&1 || { echo "$0: ffmpeg is not installed" >&2; exit 69; }

root=$1
movies="$root/Movies"
mkdir -p "$movies"
work="$root/.work.$$"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT

# text FILE CONTENT: writes CONTENT unless the file exists.
text() {
    [ -s "$1" ] && return 0
    printf '%s' "$2" > "$1.partial.$$"
    mv "$1.partial.$$" "$1"
}

if [ ! -s "$movies/Subtitled (2020).mkv" ]; then
    printf '1\n00:00:00,500 --> 00:00:01,500\nHallo <i>Welt</i>\n\n2\n00:00:01,600 --> 00:00:01,900\nZweite Zeile\n' > "$work/de.srt"
    # One HDMV PGS display set showing a 2x2 bitmap at 0.5 s and one clearing it at 1.5 s. Each
    # segment: "PG", PTS and DTS (90 kHz, 4 bytes each), type, size (2 bytes), payload.
    {
        # 0.5 s: presentation composition (320x240, epoch start, one object at 10,10)
        printf '\120\107\000\000\257\310\000\000\000\000\026\000\023\001\100\000\360\020\000\000\200\000\000\001\000\000\000\000\000\012\000\012'
        # window definition (one 2x2 window at 10,10)
        printf '\120\107\000\000\257\310\000\000\000\000\027\000\012\001\000\000\012\000\012\000\002\000\002'
        # palette (entry 1: white, opaque)
        printf '\120\107\000\000\257\310\000\000\000\000\024\000\007\000\000\001\353\200\200\377'
        # object: 2x2, run-length coded rows of colour 1
        printf '\120\107\000\000\257\310\000\000\000\000\025\000\023\000\000\000\300\000\000\014\000\002\000\002\001\001\000\000\001\001\000\000'
        # end of display set
        printf '\120\107\000\000\257\310\000\000\000\000\200\000\000'
        # 1.5 s: composition without objects, window, end
        printf '\120\107\000\002\017\130\000\000\000\000\026\000\013\001\100\000\360\020\000\001\000\000\000\000'
        printf '\120\107\000\002\017\130\000\000\000\000\027\000\012\001\000\000\012\000\012\000\002\000\002'
        printf '\120\107\000\002\017\130\000\000\000\000\200\000\000'
    } > "$work/en.sup"
    ffmpeg -nostdin -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=320x240:rate=24:duration=2" \
        -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=2" \
        -i "$work/de.srt" -f sup -i "$work/en.sup" \
        -map 0:v -map 1:a -map 2:s -map 3:s \
        -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 64k -c:s:0 srt -c:s:1 copy \
        -metadata:s:s:0 language=ger -metadata:s:s:0 title=Deutsch -disposition:s:0 forced \
        -metadata:s:s:1 language=eng -disposition:s:1 0 -shortest \
        -f matroska "$work/movie.mkv"
    mv "$work/movie.mkv" "$movies/Subtitled (2020).mkv"
fi

text "$movies/Subtitled (2020).en.srt" '1
00:00:00,250 --> 00:00:01,000
Hello from the sidecar

'
text "$movies/Subtitled (2020).en.sdh.vtt" 'WEBVTT

00:00.250 --> 00:01.000
[tone] Hello, hard of hearing
'
text "$movies/Subtitled (2020).eng.forced.ass" '[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,2,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.50,0:00:01.50,Default,,0,0,0,,Only the sign
'

if [ ! -s "$movies/Plain (2021).mp4" ]; then
    ffmpeg -nostdin -hide_banner -loglevel error -y \
        -f lavfi -i "testsrc2=size=320x240:rate=24:duration=2" \
        -f lavfi -i "sine=frequency=523:sample_rate=48000:duration=2" \
        -c:v libx264 -preset ultrafast -pix_fmt yuv420p -c:a aac -b:a 64k -shortest \
        -f mp4 "$work/plain.mp4"
    mv "$work/plain.mp4" "$movies/Plain (2021).mp4"
fi
