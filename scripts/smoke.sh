#!/bin/sh
# Starts the real (cgo) binary under Xvfb, waits for its window, clicks
# "Try it with the demo bank" and saves screenshots. Usage:
#   scripts/smoke.sh ./tppwizard OUTDIR
# Nothing here reaches the network: the demo bank listens on 127.0.0.1.
set -eu
bin=$1
out=${2:-smoke}
mkdir -p "$out"
home=$(mktemp -d)
mkdir -p "$home/.cache"
display=:$(( ( $$ % 400 ) + 100 ))
Xvfb "$display" -screen 0 1024x768x24 >/dev/null 2>&1 &
xvfb=$!
cleanup() {
	if [ -n "$app" ]; then kill "$app" 2>/dev/null || true; wait "$app" 2>/dev/null || true; fi
	kill "$xvfb" 2>/dev/null || true
	rm -rf "$home" || true
}
app=
trap cleanup EXIT
sleep 1
HOME=$home DISPLAY=$display LANG=en_GB.UTF-8 "$bin" >"$out/smoke.log" 2>&1 &
app=$!
if ! DISPLAY=$display timeout 60 xdotool search --sync --name "TPP Onboarding Wizard" >/dev/null; then
	echo "smoke: no window within 60 s"; cat "$out/smoke.log"; exit 1
fi
sleep 2
DISPLAY=$display import -window root "$out/home.png"
# The demo button sits at a fixed place in the 900x650 window.
DISPLAY=$display xdotool mousemove 228 187 click 1
sleep 6
DISPLAY=$display import -window root "$out/demo-banks.png"
kill -0 "$app" || { echo "smoke: the wizard exited"; cat "$out/smoke.log"; exit 1; }
echo "smoke: window up, screenshots in $out"
