#!/usr/bin/env bash
# Packs ByzantineSim into a local NuGet feed (a folder): the library packages (ByzantineSim and
# one per layer, each with README, licence and a .snupkg of symbols) and the .NET tool
# ByzantineSim.Cli (command `byzsim`), one package per platform plus the package that points at them.
#   scripts/pack.sh                          into artifacts/packages, tool for every platform
#   scripts/pack.sh FEED linux-x64           into FEED, tool for linux-x64 only (faster)
# Then, from anywhere:
#   dotnet tool install --global ByzantineSim.Cli --add-source FEED
# The version is VersionPrefix in Directory.Build.props; -p:VersionSuffix=... via PACK_ARGS.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
feed="$(realpath -m "${1:-$root/artifacts/packages}")"
rids="${2:-linux-x64;win-x64;osx-arm64}"
# Extra MSBuild arguments for every step, e.g. PACK_ARGS=-p:VersionSuffix=preview.1
read -r -a extra <<<"${PACK_ARGS:-}"
"$root/scripts/setup.sh"
mkdir -p "$feed"

# packaging/packages.slnf lists every packed project: one MSBuild run builds and packs them all.
# The tool is published per platform (with the TorchSharp loader fix where this machine needs it,
# build/torchsharp/README.md).
# The platform list is quoted for MSBuild: a bare ';' in -p separates properties, so
# -p:X=linux-x64;win-x64 would fail with "MSB1006: Property is not valid. Switch: win-x64".
dotnet pack "$root/packaging/packages.slnf" -c Release -nologo -v quiet -clp:ErrorsOnly -o "$feed" \
  "-p:ToolPackageRuntimeIdentifiers=\"$rids\"" "${extra[@]}" >&2
echo "$feed"
