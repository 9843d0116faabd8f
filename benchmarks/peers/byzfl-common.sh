# Sourced by run-byzfl.sh and run-byzfl-crosscheck.sh: checks the ByzFL checkout, installs what
# ByzFL imports from Debian's packages (as scripts/setup.sh does; root or sudo) and runs
# scripts/setup.sh. See benchmarks/peers/README.md.

# byzfl_prepare SCRIPT CHECKOUT OPTIONS: sets byzfl (the checkout's absolute path) and repo; exits
# 2 with a usage line naming OPTIONS when CHECKOUT does not hold ByzFL's sources.
byzfl_prepare() {
  local script=$1 checkout=$2 options=$3
  if [[ -z $checkout || ! -f "$checkout/byzfl/aggregators/aggregators.py" || ! -f "$checkout/byzfl/benchmark/train.py" ]]; then
    echo "usage: $script BYZFL_CHECKOUT $options: BYZFL_CHECKOUT must hold ByzFL's sources (byzfl/aggregators/aggregators.py, byzfl/benchmark/train.py); see benchmarks/peers/README.md" >&2
    exit 2
  fi
  byzfl=$(cd "$checkout" && pwd)
  repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  # shellcheck source=scripts/debian-packages.sh
  source "$repo/scripts/debian-packages.sh"
  install_debian_packages "$(basename "$script" .sh)" python3-torch python3-torchvision python3-numpy python3-scipy python3-matplotlib python3-seaborn dataset-fashion-mnist
  "$repo/scripts/setup.sh"
}
