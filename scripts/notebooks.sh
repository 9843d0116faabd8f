#!/usr/bin/env bash
# The C# notebooks under samples/ (Jupyter with the .NET Interactive kernel):
#   scripts/notebooks.sh                 install what is missing, build the library, start Jupyter on samples/
#   scripts/notebooks.sh --execute DIR   the same, but run every notebook headless instead, writing the
#                                        executed copies to DIR/<name>.ipynb (what the CI test does)
# The notebooks reference the library as built from this clone (#r "../artifacts/notebook/ByzantineSim.dll"),
# not the NuGet package: README, "Notebooks", says why.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/scripts/setup.sh"
export PATH="$PATH:$HOME/.dotnet/tools"

# The library and all its dependencies in one folder, for this platform: the native libraries
# (libtorch, and on Debian 12 the patched TorchSharp library, build/torchsharp/README.md) sit
# beside TorchSharp.dll, where TorchSharp looks for them. Built apart from the clone's own build
# (--artifacts-path), whose obj/ a platform-specific restore would otherwise rewrite.
rid="$(dotnet --info | awk '/^ *RID:/ { print $2; exit }')"
dotnet publish "$root/Library/ByzantineSim.csproj" -c Release -r "$rid" --self-contained false -nologo -v quiet -clp:ErrorsOnly \
  --artifacts-path "$root/artifacts/notebook-build" -o "$root/artifacts/notebook" >&2

if [[ "${1:-}" != "--execute" ]]; then
  exec jupyter notebook --notebook-dir "$root/samples"
fi

out="$(realpath -m "${2:?usage: scripts/notebooks.sh --execute DIR}")"
mkdir -p "$out"
for notebook in "$root"/samples/*.ipynb; do
  start=$SECONDS
  # The kernel starts in the notebook's folder, so its relative paths hold.
  jupyter nbconvert --to notebook --execute "$notebook" --output-dir "$out" --ExecutePreprocessor.timeout=1200 >&2
  echo "$(basename "$notebook"): executed in $((SECONDS - start)) s" >&2
done
