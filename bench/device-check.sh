#!/usr/bin/env bash
# The cuda-gpu GPU proof, in two steps.
#
#   bench/device-check.sh prepare [--arch x86_64|aarch64] [DIR]
#       on the build machine, after `mvn install` (nvcc not needed): puts into DIR (default bench/target/device-check)
#       a jlink'd Java runtime (jre/), the benchmark's classpath (lib/, ONNX Runtime cut down to the target's native),
#       the four models and the ONNX node tests of the operators cuda-gpu claims (data/), and prints its size
#       (it must stay within what is carried to the GPU machine: 64 MiB).
#   bench/device-check.sh run [DIR] [OUTPUT]
#       on the GPU machine (NVIDIA driver only: no CUDA toolkit, no Maven, no Karaf): runs
#       org.sparoa.bench.CudaDeviceCheck, which writes machine.txt, summary.txt, conformance.tsv, models.csv and
#       sparse-1x1.csv to OUTPUT (default $OUT, else DIR/results). BENCH_ITERATIONS, BENCH_PARTS (abcd),
#       BENCH_THREADS, BENCH_ZERO_COPY (auto|on|off), BENCH_MODELS (e.g. mlsd,cls: file names containing one) and
#       BENCH_ORT_SPINNING (default within-run, as the distribution configures ort-cpu) pass through.
#       Exit 0: all checks passed; 1: a correctness check failed; 2: no GPU.
#   bench/device-check.sh labels [DIR] [OUTPUT]
#       on the GPU machine: the threshold predictor's data set with the GPU pair measured (PredictorDataset --gpu):
#       every operator of the data set's models and synthetic grid on sparse-cpu and cuda-gpu, written to
#       OUTPUT/predictor-dataset-gpu.jsonl (resumable). BENCH_LEVELS (default 0: the intensity labels need only the
#       dense level) and BENCH_THREADS (CPU backends' threads, default 2 as on the build machine) pass through.
#   bench/device-check.sh all [DIR] [OUTPUT]
#       the three in one bounded call (about 8 minutes at most; BENCH_ABD_SECONDS, BENCH_LABELS_SECONDS,
#       BENCH_C_SECONDS): run with parts abd (BENCH_ITERATIONS, default 5), labels, run with part c (BENCH_C_ITERATIONS,
#       default 15); all files packed into OUTPUT/results.tgz, the summaries beside it; exit as (a, b, d).
#
# Results belong in bench/results/cuda-<machine>/ with README-cuda.md's table updated from summary.txt.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
mode="${1:-}"
shift || true

prepare() {
  local arch="x86_64"
  if [[ "${1:-}" == "--arch" ]]; then arch="$2"; shift 2; fi
  local dir="${1:-$root/bench/target/device-check}"
  local mvn_opts=(-B -q -o)
  rm -rf "$dir"
  mkdir -p "$dir/lib" "$dir/data/models" "$dir/data/onnx-backend-tests/node"
  (cd "$root" && mvn "${mvn_opts[@]}" -pl bench dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$dir/lib")
  cp "$root"/bench/target/sparoa-bench-*.jar "$dir/lib/"
  # only what CudaDeviceCheck and PredictorDataset load: the bench's other dependencies (DL4J/ND4J with its natives,
  # gRPC, Jetty, the serving and SAC bundles: 400+ MB) stay behind; the models come as files under data/
  local jar
  for jar in "$dir"/lib/*.jar; do
    case "$(basename "$jar")" in
      org.sparoa.ml-*|org.sparoa.serving*|org.sparoa.policy.sac-*|org.sparoa.batching-*|org.sparoa.shell-*) rm -f "$jar" ;;
      org.sparoa.*|sparoa-bench-*|onnxruntime-*|gson-*|slf4j-*|jna-5*|protobuf-java-*|jcuda*) ;;
      *) rm -f "$jar" ;;
    esac
  done
  # ONNX Runtime's jar carries natives for five platforms (186 MB unpacked): keep the target's only
  local ort; ort="$(ls "$dir"/lib/onnxruntime-*.jar)"
  local keep="linux-x64"; [[ "$arch" == "aarch64" ]] && keep="linux-aarch64"
  local tmp; tmp="$(mktemp -d)"
  (cd "$tmp" && unzip -q "$ort" && find ai/onnxruntime/native -mindepth 1 -maxdepth 1 -type d ! -name "$keep" -exec rm -rf {} + \
      && rm -f "$ort" && zip -q -r "$ort" .)
  rm -rf "$tmp"
  # JCuda's natives exist for x86-64 only; on aarch64 the backend binds libcuda.so.1 through JNA
  local shared="${SPAROA_SHARED:-$root/../shared}"
  cp "$shared/models/blazeface_back_256x256.onnx" "$shared/models/mlsd_320x320_tiny.onnx" "$dir/data/models/"
  cp "$root/bench/target/models/ch_ppocr_mobile_v2.0_cls_infer.onnx" "$root/bench/target/models/ch_PP-OCRv3_det_infer.onnx" \
      "$dir/data/models/"
  # the data set's other real models (labels mode), small
  cp "$shared/models/blazeface_front_128x128.onnx" "$shared/onnx-backend-tests/light/light_squeezenet.onnx" \
      "$shared/onnx-backend-tests/light/light_shufflenet.onnx" "$dir/data/models/"
  local suite="$shared/onnx-backend-tests"
  cp "$suite/cnn-ops.tsv" "$dir/data/onnx-backend-tests/"
  # a wildcard class path: a list of the same jars in name order crashed a JVM in native code on this machine
  local cp="$dir/lib/*"
  local ops; ops="$(java -cp "$cp" org.sparoa.bench.CudaDeviceCheck --claimed-operators | tr '\n' ' ')"
  while IFS=$'\t' read -r op test _; do
    for claimed in $ops; do
      # cases over 100 KB are the 3-D pooling ones cuda-gpu refuses anyway: not worth their 2.5 MB of the 64
      if [[ "$op" == "$claimed" && -d "$suite/node/$test" && $(du -sk --apparent-size "$suite/node/$test" | cut -f1) -le 100 ]]; then
        cp -r "$suite/node/$test" "$dir/data/onnx-backend-tests/node/"
      fi
    done
  done < "$suite/cnn-ops.tsv"
  # the smallest runtime the classpath needs (jdeps), plus the Vector API for sparse-cpu's SIMD kernels; the JDK of
  # the `java` on PATH (its jmods), not whichever jlink comes first
  local jdk; jdk="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
  local modules
  # (jdeps also lists java.desktop, java.sql, java.prefs for optional corners of JNA and Gson this run never enters;
  # the run below, `--smoke`, proves the smaller set loads and runs ONNX Runtime, protobuf and the sparse kernels)
  local modules="java.base,java.logging,java.management,jdk.unsupported"
  if [[ "$arch" == "$(uname -m)" ]]; then
    "$jdk/bin/jlink" --add-modules "$modules,jdk.incubator.vector,jdk.unsupported" --strip-debug --no-man-pages \
        --no-header-files --compress=2 --output "$dir/jre"
    # the JDK's native libraries keep their symbol tables (libjvm.so: 23.5 MB, 20 MB stripped)
    if command -v strip >/dev/null; then find "$dir/jre" -name '*.so' -exec strip --strip-unneeded {} + ; fi
  else
    echo "target $arch differs from this machine ($(uname -m)): no jlink'd runtime; the GPU machine needs a Java 17+" >&2
  fi
  if [[ -x "$dir/jre/bin/java" ]]; then
    "$dir/jre/bin/java" --add-modules jdk.incubator.vector -cp "$cp" org.sparoa.bench.CudaDeviceCheck --smoke "$dir/data"
  fi
  du -sh --apparent-size "$dir"/* | sed 's/^/  /'
  local mib; mib=$(( $(du -sk --apparent-size "$dir" | cut -f1) / 1024 ))
  echo "prepared $dir: $mib MiB"
  if (( mib > 64 )); then echo "WARNING: more than 64 MiB to carry" >&2; fi
}

# the carried runtime where there is one, else the java on PATH
runtime() {
  if [[ -x "$1/jre/bin/java" ]]; then echo "$1/jre/bin/java"; else echo "java"; fi
}

run() {
  local dir="${1:-$root/bench/target/device-check}"
  local out="${2:-${OUT:-$dir/results}}"
  local java; java="$(runtime "$dir")"
  mkdir -p "$out"
  local cp="$dir/lib/*"
  "$java" -Xmx8g --add-modules jdk.incubator.vector \
      -Dbench.iterations="${BENCH_ITERATIONS:-20}" -Dbench.parts="${BENCH_PARTS:-abcd}" \
      ${BENCH_THREADS:+-Dbench.threads=$BENCH_THREADS} ${BENCH_ZERO_COPY:+-Dbench.zeroCopy=$BENCH_ZERO_COPY} \
      -Dbench.ortSpinning="${BENCH_ORT_SPINNING:-within-run}" \
      ${BENCH_MODELS:+-Dbench.models=$BENCH_MODELS} -cp "$cp" org.sparoa.bench.CudaDeviceCheck "$out" "$dir/data" 2>&1 | tee "$out/log.txt"
  return "${PIPESTATUS[0]}"
}

labels() {
  local dir="${1:-$root/bench/target/device-check}"
  local out="${2:-${OUT:-$dir/results}}"
  local java; java="$(runtime "$dir")"
  mkdir -p "$out"
  # PredictorDataset reads ../shared's layout and the OCR models' folder: both made of links to data/models
  local layout; layout="$(mktemp -d)"
  mkdir -p "$layout/shared/models" "$layout/shared/onnx-backend-tests/light" "$layout/ocr"
  local m; for m in blazeface_front_128x128 blazeface_back_256x256 mlsd_320x320_tiny; do
    ln -s "$(readlink -f "$dir/data/models/$m.onnx")" "$layout/shared/models/"; done
  for m in light_squeezenet light_shufflenet; do
    ln -s "$(readlink -f "$dir/data/models/$m.onnx")" "$layout/shared/onnx-backend-tests/light/"; done
  for m in ch_ppocr_mobile_v2.0_cls_infer ch_PP-OCRv3_det_infer; do
    ln -s "$(readlink -f "$dir/data/models/$m.onnx")" "$layout/ocr/"; done
  local cp="$dir/lib/*"
  "$java" -Xmx8g --add-modules jdk.incubator.vector -Dsparoa.shared="$layout/shared" -Dsparoa.models="$layout/ocr" \
      -Dbench.ortSpinning=within-run -cp "$cp" org.sparoa.bench.PredictorDataset --gpu --levels "${BENCH_LEVELS:-0}" \
      --threads "${BENCH_THREADS:-2}" --keep-going --out "$out/predictor-dataset-gpu.jsonl" 2>&1 | tee "$out/labels-log.txt"
  local rc="${PIPESTATUS[0]}"
  rm -rf "$layout"
  return "$rc"
}

# one short session on a lent GPU machine: correctness and the CSR kernel first, then the predictor's GPU labels, then
# the timed policies, each bounded so that the first two come back even when the slot is short
all() {
  local dir="${1:-$root/bench/target/device-check}"
  local out="${2:-${OUT:-$dir/results}}"
  mkdir -p "$out"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv > "$out/nvidia-smi.csv" 2>&1 || true
  local rc_abd=0 rc_labels=0 rc_c=0
  BENCH_PARTS=abd BENCH_ITERATIONS="${BENCH_ITERATIONS:-5}" timeout "${BENCH_ABD_SECONDS:-170}" \
      bash "$0" run "$dir" "$out/check-abd" > "$out/check-abd.log" 2>&1 || rc_abd=$?
  timeout "${BENCH_LABELS_SECONDS:-150}" bash "$0" labels "$dir" "$out/labels" > "$out/labels.log" 2>&1 || rc_labels=$?
  if [[ -f "$out/labels/predictor-dataset-gpu.jsonl" ]]; then gzip -f "$out/labels/predictor-dataset-gpu.jsonl"; fi
  # part (c) at 15 rounds: at 5, repeats of one plan differed by up to 25 % on the H200 machine
  BENCH_PARTS=c BENCH_ITERATIONS="${BENCH_C_ITERATIONS:-15}" timeout "${BENCH_C_SECONDS:-170}" \
      bash "$0" run "$dir" "$out/check-c" > "$out/check-c.log" 2>&1 || rc_c=$?
  echo "check (a, b, d): exit $rc_abd; labels: exit $rc_labels; check (c): exit $rc_c (124: its time ran out)"
  for f in "$out"/check-abd/summary.txt "$out"/check-c/summary.txt; do [[ -f "$f" ]] && tail -n 25 "$f"; done
  grep -h "measured\|Exception" "$out/labels.log" | tail -n 3 || true
  # a lent machine sends back only a few files: everything in one archive, the summaries beside it
  local packed; packed="$(mktemp -d)"
  mv "$out"/* "$packed"/
  tar czf "$out/results.tgz" -C "$packed" .
  for part in abd c; do
    [[ -f "$packed/check-$part/summary.txt" ]] && cp "$packed/check-$part/summary.txt" "$out/summary-$part.txt"
  done
  rm -rf "$packed"
  return "$rc_abd"
}

case "$mode" in
  prepare) prepare "$@" ;;
  run) run "$@" ;;
  labels) labels "$@" ;;
  all) all "$@" ;;
  *) sed -n '2,20p' "$0"; exit 64 ;;
esac
