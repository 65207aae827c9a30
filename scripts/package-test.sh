#!/bin/sh
# Checks what make package made, as a person with the archive would use it:
# the Linux archive is installed into a temporary prefix with its own
# Makefile, the .desktop entry is validated and points at the installed
# program and icon, and the installed program is started under Xvfb until
# its window shows. The Windows program is checked to be a 64-bit Windows
# GUI executable.
#   scripts/package-test.sh dist/tppwizard-V-linux-amd64.tar.xz dist/tppwizard-V-windows-amd64.exe
set -eu
archive=$1; exe=$2
work=$(mktemp -d)
. "$(dirname "$0")/xvfb.sh"
cleanup() {
	kill ${pid:-} 2>/dev/null && wait ${pid:-} 2>/dev/null
	kill ${XVFB_PID:-} ${DBUS_SESSION_BUS_PID:-} 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "package-test: $*" >&2; exit 1; }

mkdir -p "$work/unpacked" "$work/root"
tar -xJf "$archive" -C "$work/unpacked"
make -s -C "$work/unpacked" install DESTDIR="$work/root" PREFIX=/usr
prefix=$work/root/usr
for f in bin/tppwizard share/applications/io.github.tppwizard.desktop share/pixmaps/io.github.tppwizard.png; do
	[ -f "$prefix/$f" ] || fail "the archive did not install $f"
done
desktop=$prefix/share/applications/io.github.tppwizard.desktop
desktop-file-validate "$desktop" || fail "the .desktop entry is not valid"
grep -qx 'Exec=tppwizard' "$desktop" || fail "the .desktop entry does not start tppwizard"
grep -qx 'Icon=io.github.tppwizard' "$desktop" || fail "the .desktop entry does not name the installed icon"
"$prefix/bin/tppwizard" --version | grep -q '^tppwizard ' || fail "the installed program does not say its version"

# Started as the desktop would start it: from PATH, in a session with D-Bus.
start_xvfb 1024x768x24 || fail "Xvfb did not start"
mkdir -p "$work/home/.cache" "$work/home/.config"
eval "$(HOME=$work/home dbus-launch --sh-syntax)"
HOME=$work/home PATH=$prefix/bin:$PATH LANG=en_GB.UTF-8 tppwizard >"$work/log" 2>&1 &
pid=$!
timeout 60 xdotool search --sync --onlyvisible --name "TPP Onboarding Wizard" >/dev/null ||
	{ cat "$work/log" >&2; fail "the installed program showed no window within 60 s"; }
kill -0 $pid || fail "the installed program exited"
echo "package-test: installed into a temporary prefix; $("$prefix/bin/tppwizard" --version 2>/dev/null) started and showed its window"

# The Windows program: MZ, then a PE32+ header for x86-64 with the GUI subsystem.
[ "$(head -c 2 "$exe")" = "MZ" ] || fail "$exe is not a Windows executable"
pe=$(od -An -tu4 -j60 -N4 "$exe" | tr -d ' ')
[ "$(od -An -c -j"$pe" -N4 "$exe" | tr -d ' ')" = 'PE\0\0' ] || fail "$exe has no PE header"
[ "$(od -An -tx2 -j$((pe + 4)) -N2 "$exe" | tr -d ' ')" = "8664" ] || fail "$exe is not for x86-64"
[ "$(od -An -tu2 -j$((pe + 24 + 68)) -N2 "$exe" | tr -d ' ')" = "2" ] || fail "$exe is not a GUI program (it would open a console)"
echo "package-test: $exe is a 64-bit Windows GUI program ($(wc -c <"$exe") bytes)"
echo
