#!/usr/bin/env bash
# Install the engines tests/test_latex.py renders with (called by .ci/run; safe to run by hand):
#   - KaTeX (npm package, pinned) into .ci-cache/katex, for the Markdown output;
#   - pdflatex with amsmath/amssymb (Debian's texlive-latex-base, ~1 minute), for the .tex output.
# Idempotent: whatever is already there is kept. Quiet: prints one line per engine, and the
# installer's log only when it fails. Needs root (or sudo) for apt-get, and npm (installed from
# Debian's packages when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

KATEX_VERSION="${KATEX_VERSION:-0.19.1}"
KATEX_DIR=".ci-cache/katex"
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo"; fi
APT_UPDATED=0

quiet() {  # run a command with its output in $LOG; show the log if it fails
  if ! "$@" >"$LOG" 2>&1; then
    echo "install-latex-engines: failed: $*" >&2
    tail -n 40 "$LOG" >&2
    exit 1
  fi
}

apt_install() {
  if [ "$APT_UPDATED" = 0 ]; then
    quiet $SUDO apt-get update -qq
    APT_UPDATED=1
  fi
  quiet $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"
}

# --- KaTeX ---------------------------------------------------------------------------------
katex_version() {
  node -e 'console.log(require(require.resolve("katex", {paths: [process.argv[1]]})).version)' "$KATEX_DIR" 2>/dev/null
}

if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  start=$(date +%s)
  apt_install nodejs npm
  echo "nodejs $(node --version) and npm: installed from Debian in $(( $(date +%s) - start ))s"
fi

if [ "$(katex_version)" = "$KATEX_VERSION" ]; then
  echo "KaTeX $KATEX_VERSION: already in $KATEX_DIR"
else
  start=$(date +%s)
  mkdir -p "$KATEX_DIR"
  # --prefix makes $KATEX_DIR its own npm project (package.json + node_modules there only).
  quiet npm install --prefix "$KATEX_DIR" --no-audit --no-fund --no-save --loglevel=error "katex@$KATEX_VERSION"
  installed="$(katex_version)"
  if [ "$installed" != "$KATEX_VERSION" ]; then
    echo "install-latex-engines: KaTeX $KATEX_VERSION did not install in $KATEX_DIR (found '${installed}')" >&2
    exit 1
  fi
  echo "KaTeX $installed: installed in $KATEX_DIR in $(( $(date +%s) - start ))s"
fi

# --- pdflatex + amsmath/amssymb -----------------------------------------------------------
tex_ready() {
  command -v pdflatex >/dev/null 2>&1 && command -v kpsewhich >/dev/null 2>&1 \
    && [ -n "$(kpsewhich amsmath.sty)" ] && [ -n "$(kpsewhich amssymb.sty)" ] && [ -n "$(kpsewhich geometry.sty)" ]
}

if tex_ready; then
  echo "pdflatex: already installed ($(pdflatex --version | head -n 1))"
else
  start=$(date +%s)
  # texlive-latex-base brings pdflatex, amsmath, geometry and (via texlive-base) amssymb.
  apt_install texlive-latex-base
  if ! tex_ready; then
    echo "install-latex-engines: texlive-latex-base installed but pdflatex/amsmath/amssymb are missing" >&2
    exit 1
  fi
  echo "pdflatex: installed texlive-latex-base in $(( $(date +%s) - start ))s ($(pdflatex --version | head -n 1))"
fi
