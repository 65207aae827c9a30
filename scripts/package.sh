#!/bin/sh
# make package: the installable artefacts, in dist/.
#   scripts/package.sh FYNE_TOOL VERSION
# - tppwizard-VERSION-linux-amd64.tar.xz: the binary, a .desktop entry and
#   the icon, with a Makefile that installs them (see the README);
# - tppwizard-VERSION-windows-amd64.exe: the Windows program, with its icon
#   and manifest, cross-built with Debian's mingw-w64.
# The package version and build number come from FyneApp.toml; VERSION
# (git describe) is what `tppwizard --version` prints.
set -eu
fyne=$1; version=$2
out=dist
mkdir -p "$out"
# fyne package rewrites FyneApp.toml (it counts builds); the file in git
# is the one that holds.
saved=$(mktemp)
cp FyneApp.toml "$saved"
trap 'cp "$saved" FyneApp.toml; rm -f "$saved"' EXIT
flags="-buildvcs=false -ldflags=-X=github.com/tppwizard/tppwizard/app.Version=$version"
name="TPP Onboarding Wizard"

GOFLAGS=$flags "$fyne" package --os linux --release
mv "$name.tar.xz" "$out/tppwizard-$version-linux-amd64.tar.xz"
cp "$saved" FyneApp.toml

GOFLAGS=$flags CC=x86_64-w64-mingw32-gcc GOOS=windows GOARCH=amd64 "$fyne" package --os windows --release
mv "$name.exe" "$out/tppwizard-$version-windows-amd64.exe"
ls -l "$out"
