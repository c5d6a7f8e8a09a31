# Sourced by demo.sh and test.sh: makes `cargo` available, installing Rust the standard
# way (rustup, into ~/.cargo and ~/.rustup) when it is missing. Sourced, not run, so the
# PATH set by ~/.cargo/env reaches the caller.
if ! command -v cargo >/dev/null && [ -f "$HOME/.cargo/env" ]; then
  # shellcheck source=/dev/null
  . "$HOME/.cargo/env"
fi
if ! command -v cargo >/dev/null; then
  command -v curl >/dev/null || {
    echo "packbell: curl is needed to install Rust; run scripts/install-deps.sh" >&2
    exit 1
  }
  echo "packbell: Rust is not installed; installing it with rustup (https://rustup.rs)" >&2
  curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal \
    --component rustfmt,clippy
  # shellcheck source=/dev/null
  . "$HOME/.cargo/env"
  command -v cargo >/dev/null || {
    echo "packbell: rustup finished but cargo is still not on PATH" >&2
    exit 1
  }
fi
