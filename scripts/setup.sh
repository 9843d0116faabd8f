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

# shellcheck source=scripts/debian-packages.sh
source "$(dirname "${BASH_SOURCE[0]}")/debian-packages.sh"
install_debian_packages setup g++ patchelf dataset-fashion-mnist chromium chromium-driver \
  jupyter-notebook jupyter-nbconvert jupyter-client python3-ipykernel

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
