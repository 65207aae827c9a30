#!/bin/sh
# Long fuzzing of every parser of untrusted input, then the inputs the fuzzer
# found interesting are kept as seeds in each package's testdata/fuzz, where
# `go test` (and so `make test`) replays them.
#
#   scripts/fuzz.sh [FUZZTIME] [JOBS]     e.g. scripts/fuzz.sh 10m 2
#
# JOBS targets run side by side, the CPUs shared between them. A crash stops
# nothing else: its input is written to testdata/fuzz by go test itself, the
# target is reported as failed and the script exits non-zero.
set -eu
FUZZTIME=${1:-10m}
JOBS=${2:-1}
TARGETS="
core/pki:FuzzParseCertificates
core/pki:FuzzParsePrivateKey
core/pki:FuzzParseDN
core/ssa:FuzzParse
core/profile:FuzzParse
core/httpsig:FuzzParse
core/registration:FuzzParseError
core/registration:FuzzParseSuccess
core/discovery:FuzzParse
core/oauth:FuzzParseToken
core/csr:FuzzParsePEM
core/sandbox:FuzzUKRegistration
core/sandbox:FuzzSTETRegistration
core/sandbox:FuzzCertificateUpload
"
MODULE=$(go list -m)
CACHE=$(go env GOCACHE)/fuzz/$MODULE
CPUS=$(nproc 2>/dev/null || echo 1)
PARALLEL=$((CPUS / JOBS)); [ "$PARALLEL" -ge 1 ] || PARALLEL=1
LOGS=${FUZZLOGS:-fuzz-logs}
mkdir -p "$LOGS"

run_one() {
	pkg=${1%%:*}; target=${1##*:}
	log="$LOGS/$(echo "$pkg" | tr / _)_$target.log"
	if CGO_ENABLED=0 go test -tags ci -run '^$' -fuzz "^$target\$" -fuzztime "$FUZZTIME" -fuzzminimizetime 10s -timeout 0 -parallel "$PARALLEL" "./$pkg/" >"$log" 2>&1; then
		result=ok
	else
		result=FAILED
	fi
	# Keep what the fuzzer learnt as committed seeds.
	if [ -d "$CACHE/$pkg/$target" ]; then
		mkdir -p "$pkg/testdata/fuzz/$target"
		cp -n "$CACHE/$pkg/$target"/* "$pkg/testdata/fuzz/$target/" 2>/dev/null || true
	fi
	last=$(grep -o 'elapsed: [^,]*, execs: [0-9]*' "$log" | tail -1)
	seeds=$(ls "$pkg/testdata/fuzz/$target" 2>/dev/null | wc -l)
	echo "$result $pkg $target ($last; $seeds seeds kept)"
}

if [ "${FUZZ_ONE:-}" ]; then
	run_one "$FUZZ_ONE"
	exit 0
fi
summary=$(echo "$TARGETS" | grep . | xargs -P "$JOBS" -I{} env FUZZ_ONE={} "$0" "$FUZZTIME" "$JOBS")
echo "$summary"
case "$summary" in *FAILED*) exit 1 ;; esac
