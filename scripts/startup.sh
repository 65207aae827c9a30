#!/bin/sh
# Start-up and idle memory of a Fyne program under Xvfb: time from starting
# the process to its window being shown, and resident memory once idle.
# Like any desktop, the run has a D-Bus session bus (without one, the
# wizard's keyring client would spend half a second autolaunching one).
#   scripts/startup.sh BINARY "WINDOW TITLE" [RUNS]
# Prints: median_startup_ms median_rss_kib
set -eu
bin=$1; title=$2; runs=${3:-5}
. "$(dirname "$0")/xvfb.sh"
start_xvfb 1024x768x24
trap 'kill $XVFB_PID 2>/dev/null || true' EXIT
home=$(mktemp -d)
mkdir -p "$home/.cache" "$home/.config"
eval "$(HOME=$home dbus-launch --sh-syntax)"
trap 'kill $XVFB_PID $DBUS_SESSION_BUS_PID 2>/dev/null || true' EXIT
starts=""; rss=""
for _ in $(seq "$runs"); do
	t0=$(date +%s%N)
	HOME=$home LANG=en_GB.UTF-8 "$bin" >/dev/null 2>&1 &
	pid=$!
	timeout 60 xdotool search --sync --onlyvisible --name "$title" >/dev/null
	t1=$(date +%s%N)
	starts="$starts $(( (t1 - t0) / 1000000 ))"
	sleep 5 # idle
	rss="$rss $(awk '/VmRSS/ {print $2}' /proc/$pid/status)"
	kill $pid; wait $pid 2>/dev/null || true
done
median() { echo "$@" | tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "$(median $starts) $(median $rss)"
rm -rf "$home"
