#!/usr/bin/env bash
# Debian packages the test suite needs: chromium (the real-browser sign-in test),
# gnome-keyring + dbus (the Secret Service keychain test), zsh + tmux (shell completion typed into
# a real terminal), git + curl (real clients of git-credential and serve-identity), python3-azure
# (Debian's azure.identity as a real SDK client, run with /usr/bin/python3), kubectl (the
# kubernetes-client package when the machine has no kubectl). Skips what is already installed.
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
command -v dbus-run-session >/dev/null || missing+=(dbus)
command -v zsh >/dev/null || missing+=(zsh)
command -v tmux >/dev/null || missing+=(tmux)
command -v git >/dev/null || missing+=(git)
command -v curl >/dev/null || missing+=(curl)
command -v kubectl >/dev/null || missing+=(kubernetes-client)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import azure.identity' 2>/dev/null || missing+=(python3-azure)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg process (unattended upgrades, a second install) instead of failing at once.
lock_wait=(-o DPkg::Lock::Timeout=300)
$sudo apt-get "${lock_wait[@]}" update -qq
$sudo apt-get "${lock_wait[@]}" install -y -qq "${missing[@]}" >/dev/null
