#!/usr/bin/env bash
# `make fuzz`: builds each libFuzzer target (release, -sanitize=fuzzer,address,
# in .build-fuzz), seeds its corpus, runs it for FUZZ_SECONDS (default 60),
# and prints executions, executions per second and coverage per target. A
# crash fails the run and leaves its input in .build-fuzz/work/crash-<target>-*;
# copy it into Tests/Fuzz/regressions/<target>/ once fixed (the tests replay
# every file there). Builds the debug sluice and its plugins (as `make test`
# does) to produce a real model archive as a seed.
set -euo pipefail
cd "$(dirname "$0")/../.."
SWIFT=${SWIFT:-swift}
EACH=${FUZZ_SECONDS:-60}
TARGETS=${FUZZ_TARGETS:-"drop config archive formats"}
WORK=.build-fuzz/work
mkdir -p "$WORK"

# libFuzzer without its main (SwiftPM renames an executable's main to
# <module>_main, which each target defines and hands to LLVMFuzzerRunDriver);
# the code under test gets AddressSanitizer and libFuzzer's coverage counters.
resource="$("$SWIFT" -print-target-info 2>/dev/null | sed -n 's/.*"runtimeResourcePath": "\(.*\)".*/\1/p' | head -1)"
nomain=$(ls "$resource"/../clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a 2>/dev/null | head -1)
[ -n "$nomain" ] || nomain=$(ls "$(dirname "$(command -v "$SWIFT")")"/../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-x86_64.a | head -1)
[ -f "$nomain" ] || { echo "libclang_rt.fuzzer_no_main not found in the Swift toolchain"; exit 1; }
flags=(-c release --build-path .build-fuzz -Xswiftc -DFUZZING -Xswiftc -sanitize=address
       -Xswiftc -sanitize-coverage=edge,inline-8bit-counters,pc-table,trace-cmp -Xlinker "$nomain" -Xlinker -lstdc++)
for target in $TARGETS; do
  echo "== building sluice-fuzz-$target"
  "$SWIFT" build "${flags[@]}" --product "sluice-fuzz-$target" 2>&1 | grep -E "error:|Build of product" || true
done
bin="$("$SWIFT" build --build-path .build-fuzz -c release --show-bin-path)"

# Seeds: small drops, the example config, and a real model archive and its members.
seeds="$WORK/seeds"
rm -rf "$seeds" && mkdir -p "$seeds"/{drop,config,archive,formats}
cp Tests/Fuzz/seeds/drop/* "$seeds/drop/"
cp inbox-example/sluice.yaml systemd/sluice.yaml "$seeds/config/" 2>/dev/null || cp inbox-example/sluice.yaml "$seeds/config/"
# The debug build with its plugins (what `make test` builds), for a real archive.
"$SWIFT" build >"$WORK/build.log" 2>&1 || { echo "swift build failed (its log: $WORK/build.log)"; tail -5 "$WORK/build.log"; exit 1; }
sluice="$("$SWIFT" build --show-bin-path)/sluice"
scratch="$WORK/example"
rm -rf "$scratch" && mkdir -p "$scratch" && cp -R inbox-example/. "$scratch/"
"$sluice" serve --once --config "$scratch/sluice.yaml" >"$WORK/example.log" 2>&1 \
  || { echo "the example run for the archive seed failed (its log: $WORK/example.log)"; tail -5 "$WORK/example.log"; exit 1; }
cp "$scratch"/outbox/churn/churn-v1.tar.gz "$seeds/archive/"
tar -xzf "$seeds/archive/churn-v1.tar.gz" -C "$seeds/formats" --wildcards '*.json' 2>/dev/null || true
find "$seeds/formats" -mindepth 2 -type f -exec mv {} "$seeds/formats/" \; 2>/dev/null || true

printf '\n%-8s %10s %10s %8s %8s  %s\n' target seconds execs exec/s cov features
failed=0
for target in $TARGETS; do
  corpus="$WORK/corpus/$target"
  mkdir -p "$corpus"
  cp "$seeds/$target"/* "$corpus/" 2>/dev/null || true
  log="$WORK/$target.log"
  status=0
  "$bin/sluice-fuzz-$target" -max_total_time="$EACH" -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$WORK/crash-$target-" "$corpus" "Tests/Fuzz/regressions/$target" >"$log" 2>&1 || status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  cov=$(echo "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
  ft=$(echo "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
  printf '%-8s %10s %10s %8s %8s  %s\n' "$target" "$EACH" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}"
  if [ "$status" -ne 0 ]; then
    failed=1
    echo "   sluice-fuzz-$target failed (status $status); its log: $log; the input: $(ls "$WORK"/crash-"$target"-* 2>/dev/null | head -1)"
    grep -E "ERROR|SUMMARY|Fatal error|panic" "$log" | head -5 | sed 's/^/   /'
  fi
done
exit $failed
