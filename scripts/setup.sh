#!/usr/bin/env bash
# Installs what ByzantineSim needs from Debian/Ubuntu packages, only when it is missing:
#   g++, patchelf          build the TorchSharp loader fix (build/torchsharp/README.md)
#   dataset-fashion-mnist  the real data set used by tests and experiments/*.yaml
#   chromium, chromium-driver  headless browser that the report tests open report.html in
# NuGet packages are restored by `dotnet build` itself. Safe to run again: it does nothing
# when everything is present.
set -euo pipefail

packages=(g++ patchelf dataset-fashion-mnist chromium chromium-driver)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: missing ${missing[*]}, and apt-get is not available; install them by other means" >&2
  exit 1
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi

echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; refresh them once, quietly.
"${sudo[@]}" apt-get update -qq >/dev/null
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
