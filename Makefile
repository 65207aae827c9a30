# TPP Onboarding Wizard. `make run` opens the wizard, `make test` runs every
# test. Both install what they need on a fresh Debian/Ubuntu machine first.

GO       ?= go
SUDO     := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# cgo GL/X11 headers for Fyne's real driver, Xvfb, xdotool and ImageMagick
# for the real-window test and the screenshots,
# GNOME Keyring and D-Bus for the keyring integration test; mingw-w64 and
# desktop-file-utils for the packages.
APT_PKGS := gcc pkg-config libgl1-mesa-dev xorg-dev xvfb xauth xdotool imagemagick gnome-keyring dbus dbus-x11 \
	gcc-mingw-w64-x86-64 desktop-file-utils
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/tppwizard/tppwizard/app.Version=$(VERSION)

.PHONY: all deps run build test test-fast test-race test-keyring test-window test-package package screenshots lint fuzz bench clean

all: build

# Installs missing Debian packages; does nothing when all are present.
deps:
	@missing=""; for p in $(APT_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

run: deps
	$(GO) run -ldflags "$(LDFLAGS)" .

build: deps
	$(GO) build -ldflags "$(LDFLAGS)" -o tppwizard .

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	CGO_ENABLED=0 $(GO) vet -tags ci ./...

# Headless: Fyne's software driver, no cgo. Fuzz targets run their seeds.
test-fast:
	CGO_ENABLED=0 $(GO) test -tags ci -count=1 ./...

test-keyring: deps
	dbus-run-session -- ./scripts/keyring-test.sh

# The real cgo binary under Xvfb, driven by the keyboard alone: three
# registrations with the demo bank (UK, France, UAE), screens saved in smoke/.
test-window: build
	./scripts/screenshots.sh ./tppwizard smoke

# The screenshots: the same run in English and French, light and dark, in
# the smallest window the wizard supports and in a full HD one, saved in
# docs/screenshots/LANG-THEME-SIZE/. Re-run it when a screen changes.
SHOT_LANGS := en fr
SHOT_THEMES := light dark
SHOT_SIZES := 800x600 1920x1080
screenshots: build
	rm -rf docs/screenshots
	for l in $(SHOT_LANGS); do for t in $(SHOT_THEMES); do for s in $(SHOT_SIZES); do \
		SHOT_LANG=$$l SHOT_THEME=$$t SHOT_SIZE=$$s ./scripts/screenshots.sh ./tppwizard docs/screenshots/$$l-$$t-$$s || exit 1; \
	done; done; done

# The race detector over every package (cgo, the headless driver).
test-race: deps
	CGO_ENABLED=1 $(GO) test -race -tags ci -count=1 ./...

# Fyne's packaging tool, pinned in tools/go.mod.
FYNE := bin/fyne
$(FYNE): tools/go.mod tools/go.sum
	cd tools && $(GO) build -o ../$(FYNE) fyne.io/tools/cmd/fyne

# The Linux archive and the Windows program, in dist/ (about 15 minutes
# the first time: both are release builds).
package: deps $(FYNE)
	./scripts/package.sh $(FYNE) $(VERSION)

# Installs the Linux archive into a temporary prefix and starts it under
# Xvfb; checks the Windows program is a 64-bit GUI executable.
test-package: package
	./scripts/package-test.sh dist/tppwizard-$(VERSION)-linux-amd64.tar.xz dist/tppwizard-$(VERSION)-windows-amd64.exe

test: deps lint test-fast test-race test-keyring build test-window test-package
	@echo "make test: all checks passed"

# Benchmarks beside their floors, written to docs/benchmarks.md (not part
# of make test; about 5 minutes).
bench: deps
	./scripts/bench.sh docs/benchmarks.md

# Long fuzzing of the parsers of untrusted input: FUZZTIME per target,
# FUZZJOBS targets at a time. What the fuzzer learns is kept in each
# package's testdata/fuzz, which `make test` replays; commit it.
FUZZTIME ?= 10m
FUZZJOBS ?= 1
fuzz:
	./scripts/fuzz.sh $(FUZZTIME) $(FUZZJOBS)

clean:
	rm -rf tppwizard smoke bin dist
