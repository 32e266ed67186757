#!/usr/bin/env bash
# Debian packages the test suite needs: chromium (the real-browser sign-in test),
# gnome-keyring + dbus (the Secret Service keychain test), zsh + tmux (shell completion typed into
# a real terminal). Skips what is already installed. kubectl is used by the exec-credential test
# when the machine has one (Debian's kubernetes-client is too old for ExecCredential v1).
set -euo pipefail
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v gnome-keyring-daemon >/dev/null || missing+=(gnome-keyring)
command -v dbus-run-session >/dev/null || missing+=(dbus)
command -v zsh >/dev/null || missing+=(zsh)
command -v tmux >/dev/null || missing+=(tmux)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${missing[@]}" >/dev/null
