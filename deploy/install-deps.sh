#!/usr/bin/env bash
# Installs, with apt, every Debian bookworm package frontdoor needs to build,
# test and run, skipping those already present. Nothing else is downloaded.
set -euo pipefail

packages=(
  cmake g++ clang make ccache pkg-config
  libclang-rt-14-dev
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  librocksdb-dev
  libprotobuf-dev protobuf-compiler
  libspdlog-dev libfmt-dev
  libyaml-cpp-dev
  libabsl-dev
  libhowardhinnant-date-dev tzdata
  libssl-dev
  libjwt-dev libcurl4-openssl-dev
  python3-aiosmtpd python3-jwt
  libkainjow-mustache-dev
  libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  chromium
  systemd
)
# The pages are built with node and npm. Debian's nodejs and npm only when
# there is none: a machine with NodeSource's node 20 (which brings its own
# npm) would conflict with them.
if ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "installing: ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
