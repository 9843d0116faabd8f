#!/usr/bin/env bash
# Installs what ByzantineSim needs, only when it is missing. From Debian/Ubuntu packages:
#   g++, patchelf          build the TorchSharp loader fix (build/torchsharp/README.md)
#   dataset-fashion-mnist  the real data set used by tests and experiments/*.yaml
#   chromium, chromium-driver  headless browser that the report tests open report.html in
#   jupyter-notebook, jupyter-nbconvert, jupyter-client, python3-ipykernel
#                          Jupyter, to open the notebooks under samples/ and to execute them headless
# and from NuGet the .NET tool Microsoft.dotnet-interactive (the C# kernel of those notebooks, a
# global tool at the version below), registered with Jupyter as the kernel `.net-csharp`.
# Other NuGet packages are restored by `dotnet build` itself. Safe to run again: it does nothing
# when everything is present.
set -euo pipefail

packages=(g++ patchelf dataset-fashion-mnist chromium chromium-driver
  jupyter-notebook jupyter-nbconvert jupyter-client python3-ipykernel)
missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} > 0)); then
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
  # A fresh machine may have no package lists yet; refresh them once, quietly. Another apt-get
  # (a parallel setup) holds the lock for a while: wait for it rather than fail.
  "${sudo[@]}" apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null
  "${sudo[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
fi

# The notebooks' kernel. Microsoft stopped developing .NET Interactive in 2026; this last version
# still runs on .NET 10.
interactive_version=1.0.712001
tools="$HOME/.dotnet/tools"
# (Listings are read whole before grep: grep -q would end the pipe early and, under pipefail,
# fail the listing command.)
installed="$(dotnet tool list --global)"
if ! grep -qi "^microsoft\.dotnet-interactive  *$interactive_version " <<<"$installed"; then
  echo "setup: installing the .NET tool Microsoft.dotnet-interactive $interactive_version" >&2
  dotnet tool uninstall --global Microsoft.dotnet-interactive >/dev/null 2>&1 || true
  dotnet tool install --global Microsoft.dotnet-interactive --version "$interactive_version" >/dev/null
fi
kernels="$(jupyter kernelspec list 2>/dev/null || true)"
if ! grep -q '^ *\.net-csharp ' <<<"$kernels"; then
  echo "setup: registering the .NET Interactive kernels with Jupyter" >&2
  # Without the folder, the kernel install fails.
  mkdir -p "${JUPYTER_DATA_DIR:-$HOME/.local/share/jupyter}/kernels"
  PATH="$PATH:$tools" dotnet interactive jupyter install >/dev/null
fi
