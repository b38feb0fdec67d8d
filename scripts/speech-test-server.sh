#!/usr/bin/env bash
# A real OpenAI-compatible speech-to-text server for the `openai` listener tests: the
# `faster-whisper-server` package (PyPI, no torch) serving the packaged Whisper base
# model that voxdial assembles into $VOXDIAL_CACHE/models/whisper-base.
#
# Usage:
#   scripts/speech-test-server.sh prepare            install the server into its venv
#   scripts/speech-test-server.sh paths              print SPEECH_PYTHON=... and SPEECH_MODEL=...
#   scripts/speech-test-server.sh serve PORT [MODEL_DIR]   run it on 127.0.0.1:PORT (foreground)
#
# The server lives in a venv of its own, as a speech box would live on a machine of its
# own, so its dependencies never meet the project's:
#   $VOXDIAL_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/voxdial)
#     speech-venv/   faster-whisper-server and what it needs
# `prepare` is idempotent. The model directory is assembled by voxdial itself on first
# use (voice/asr.py assemble_model; the tests do it before `serve`).
set -euo pipefail

CACHE="${VOXDIAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/voxdial}"
SPEECH_VENV="$CACHE/speech-venv"
MODEL="$CACHE/models/whisper-base"
SERVER_VERSION="${VOXDIAL_FASTER_WHISPER_SERVER_VERSION:-0.0.3}"
READY="$SPEECH_VENV/.voxdial-ready-$SERVER_VERSION"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
MODEL_NAME=whisper-1  # the name faster-whisper-server 0.0.3 answers to (see below)

log() { echo "speech-test-server: $*" >&2; }

prepare_server() {
  if [ -f "$READY" ] && "$SPEECH_VENV/bin/python" -c 'import faster_whisper_server.api' \
    >/dev/null 2>&1; then
    return 0
  fi
  if [ ! -x "$SPEECH_VENV/bin/python" ]; then
    "$PYTHON" -m venv "$SPEECH_VENV"
  fi
  log "installing faster-whisper-server $SERVER_VERSION into $SPEECH_VENV"
  "$SPEECH_VENV/bin/pip" install -q --upgrade pip
  "$SPEECH_VENV/bin/pip" install -q "faster-whisper-server==$SERVER_VERSION"
  "$SPEECH_VENV/bin/python" -c 'import faster_whisper_server.api'
  touch "$READY"
}

serve() {
  local port="$1" model="$2" config
  [ -f "$model/model.bin" ] || { log "no Whisper model in $model"; exit 1; }
  [ -x "$SPEECH_VENV/bin/python" ] || { log "not prepared: $0 prepare"; exit 1; }
  # one config per model directory, rewritten whole each time (the server reads it once
  # at start, and exec leaves no shell behind to clean up after it)
  config="$SPEECH_VENV/voxdial-$(printf '%s' "$model" | cksum | cut -d' ' -f1).yaml"
  # One model, decoded the way a call wants it: greedy, no timestamps, no fallback
  # re-decodes, no carried-over text. 0.0.3 reads the request's model from a form field
  # it calls `model_name` (default whisper-1), not OpenAI's `model`, so the entry is
  # named whisper-1 and every request lands on it.
  cat >"$config.$$" <<EOF
models:
  - name: $MODEL_NAME
    path: $model
    model_options: {device: cpu, compute_type: int8, cpu_threads: 2}
    transcribe_options:
      beam_size: 1
      temperature: 0.0
      condition_on_previous_text: false
      vad_filter: false
      without_timestamps: true
EOF
  mv "$config.$$" "$config"
  # no hub look-ups: the model is a local directory
  HF_HUB_OFFLINE=1 exec "$SPEECH_VENV/bin/python" -m faster_whisper_server \
    --config "$config" --host 127.0.0.1 --port "$port" --log-level warning
}

case "${1:-prepare}" in
  prepare)
    prepare_server
    ;;
  paths)
    echo "SPEECH_PYTHON=$SPEECH_VENV/bin/python"
    echo "SPEECH_READY=$READY"
    echo "SPEECH_MODEL=$MODEL"
    ;;
  serve)
    serve "${2:?usage: $0 serve PORT [MODEL_DIR]}" "${3:-$MODEL}"
    ;;
  *)
    echo "usage: $0 prepare|paths|serve PORT [MODEL_DIR]" >&2
    exit 2
    ;;
esac
