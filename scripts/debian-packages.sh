# Sourced by scripts/setup.sh and benchmarks/peers/run-byzfl.sh: installs the Debian packages
# given that are not installed yet, waiting for another apt-get's lock rather than failing.
#   install_debian_packages NAME PACKAGE...   (NAME prefixes the messages)
install_debian_packages() {
  local name=$1
  shift
  local missing=() package
  for package in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$package")
    fi
  done
  if ((${#missing[@]} == 0)); then
    return 0
  fi

  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$name: missing ${missing[*]}, and apt-get is not available; install them by other means" >&2
    return 1
  fi

  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    sudo=(sudo)
  fi

  echo "$name: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine may have no package lists yet; refresh them once, quietly. Another apt-get
  # (a parallel setup) holds the lock for a while: wait for it rather than fail.
  "${sudo[@]}" apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null
  "${sudo[@]}" apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends "${missing[@]}" >/dev/null
}
