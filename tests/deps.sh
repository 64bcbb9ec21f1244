#!/usr/bin/env bash
# Installs what only the tests need (tests/run calls it; .ci/setup installs what building and
# running mqscope needs): tools, the brokers that are not mosquitto, and the npm packages pinned in
# tests/node. Idempotent: only what is missing is installed.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(mosquitto-clients tmux python3 openssl groff-base procps clang valgrind microsocks tinyproxy-bin
	linux-perf strace rabbitmq-server)

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

missing=()
for p in "${PACKAGES[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (with its own npm): only a missing one is added.
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)

if [ ${#missing[@]} -gt 0 ]; then
	echo "tests/deps: installing ${missing[*]}" >&2
	# The tests run RabbitMQ as their own node: the package's system service must not start.
	policy=/usr/sbin/policy-rc.d
	made_policy=
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null
		$SUDO chmod 755 "$policy"
		made_policy=1
	fi
	$SUDO apt-get update -qq
	$SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
	[ -n "$made_policy" ] && $SUDO rm -f "$policy"
	# Should the service have started anyway (systemd ignores policy-rc.d), stop and disable it.
	if pgrep -u rabbitmq -x beam.smp >/dev/null 2>&1; then
		if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
			$SUDO systemctl disable --now rabbitmq-server >/dev/null 2>&1 || true
		else
			$SUDO service rabbitmq-server stop >/dev/null 2>&1 || true
			$SUDO update-rc.d rabbitmq-server disable >/dev/null 2>&1 || true
		fi
	fi
fi

# The npm tools (aedes-cli broker, independent payload encoders), as pinned in the lock file.
if [ ! -f tests/node/node_modules/.package-lock.json ] ||
	[ tests/node/package-lock.json -nt tests/node/node_modules/.package-lock.json ]; then
	echo "tests/deps: npm ci in tests/node" >&2
	(cd tests/node && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
