#!/usr/bin/env bash
# Builds and installs skillsctl from this checkout with `cargo install --locked`.
# Safe to run again: it reinstalls the current checkout over the old binary.
#
#   ./install.sh                 install the binary into cargo's bin folder
#   ./install.sh --completions   also install bash, zsh and fish completions and the man pages
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
with_completions=false
for arg in "$@"; do
  case "$arg" in
    --completions) with_completions=true ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option $arg (try --help)" >&2; exit 2 ;;
  esac
done

if ! command -v cargo >/dev/null 2>&1; then
  cat >&2 <<'MSG'
install.sh: cargo was not found.
skillsctl is built from source with Rust's package manager. Install Rust with your
system's package manager or with rustup, open a new shell so
that ~/.cargo/bin is on PATH, and run ./install.sh again.
MSG
  exit 3
fi

echo "==> cargo install --locked --path $here" >&2
cargo install --locked --force --path "$here"

bin="$(command -v skillsctl || true)"
if [ -z "$bin" ]; then
  bin="${CARGO_HOME:-$HOME/.cargo}/bin/skillsctl"
  echo "note: $(dirname "$bin") is not on PATH; add it to use skillsctl by name" >&2
fi

if $with_completions; then
  data="${XDG_DATA_HOME:-$HOME/.local/share}"
  mkdir -p "$data/bash-completion/completions" "$HOME/.zfunc" "${XDG_CONFIG_HOME:-$HOME/.config}/fish/completions" "$data/man/man1"
  "$bin" completions bash > "$data/bash-completion/completions/skillsctl"
  "$bin" completions zsh > "$HOME/.zfunc/_skillsctl"
  "$bin" completions fish > "${XDG_CONFIG_HOME:-$HOME/.config}/fish/completions/skillsctl.fish"
  "$bin" --quiet man --out-dir "$data/man/man1"
  echo "==> completions installed (zsh: add ~/.zfunc to fpath); man pages in $data/man/man1" >&2
fi

echo "==> $("$bin" --version) installed at $bin" >&2
