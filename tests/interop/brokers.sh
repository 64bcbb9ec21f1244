# brokers.sh: brokers that are not mosquitto, each run by the test itself on free loopback ports
# and stopped by PID. Sourced after lib.sh and publib.sh; sets BROKER_PORT so pub, bg_sub and
# retained_of talk to the broker under test. Nothing system-wide is used or touched: RabbitMQ
# runs as the current user with its own directory, node name, epmd, ports and config files.

INTEROP_PIDS=""  # brokers and epmd started here, stopped at exit (newest first)
RMQ_PID=""
RMQ_EPMD_PID=""
AEDES_PID=""
NODE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../node" && pwd)"

# Stops PID with SIGTERM, then SIGKILL after SECONDS (default 10).
stop_pid() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null
	wait_pid_gone "$1" "${2:-10}" || kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

interop_stop_all() {
	stop_aedes
	stop_rabbitmq
	[ -n "$RMQ_EPMD_PID" ] && stop_pid "$RMQ_EPMD_PID" 5
	RMQ_EPMD_PID=""
}

# Every broker of the test goes before lib.sh's cleanup (tmux, mosquitto, temp dir).
trap 'rc=$?; stop_subs; interop_stop_all; (exit $rc); cleanup' EXIT

# wait_port_open PORT PID SECONDS WHAT: until PORT accepts connections, while PID lives.
wait_port_open() {
	local deadline=$(($(now_ms) + $3 * 1000))
	until port_open "$1"; do
		kill -0 "$2" 2>/dev/null || fail "$4 exited while starting"
		[ "$(now_ms)" -ge "$deadline" ] && fail "$4 did not open port $1 within $3 s"
		sleep 0.1
	done
}

# start_aedes: aedes-cli from tests/node (npm ci there; tests/run does it) on BROKER_PORT.
start_aedes() {
	local bin="$NODE_DIR/node_modules/.bin/aedes"
	[ -x "$bin" ] || fail "aedes is not installed: run 'npm ci' in tests/node (tests/run does)"
	command -v node >/dev/null || fail "node is not installed (tests/run installs nodejs)"
	BROKER_PORT=${BROKER_PORT:-$(free_port)}
	"$bin" start --host 127.0.0.1 --port "$BROKER_PORT" --broker-id interop \
		--heartbeatInterval 2000 >>"$T_DIR/aedes.log" 2>&1 &
	AEDES_PID=$!
	wait_port_open "$BROKER_PORT" "$AEDES_PID" 30 "aedes"
	poll_until 30 "aedes to take a publish" takes_publish "$BROKER_PORT"
}

stop_aedes() {
	stop_pid "$AEDES_PID" 5
	AEDES_PID=""
}

# start_rabbitmq: a RabbitMQ node of this test with the MQTT plugin on BROKER_PORT. The first
# call makes its directory and picks its ports; later calls (a restart) reuse them, data included.
start_rabbitmq() {
	local server=/usr/lib/rabbitmq/bin/rabbitmq-server
	[ -x "$server" ] || fail "RabbitMQ is not installed (tests/run installs rabbitmq-server)"
	if [ -z "${RMQ_DIR:-}" ]; then
		RMQ_DIR="$T_DIR/rabbitmq"
		mkdir -p "$RMQ_DIR"
		BROKER_PORT=$(free_port)
		RMQ_EPMD_PORT=$(free_port)
		RMQ_DIST_PORT=$(free_port)
		# No AMQP listener: only MQTT, on loopback; guest may log in from loopback.
		cat >"$RMQ_DIR/rabbitmq.conf" <<-EOF
			listeners.tcp = none
			mqtt.listeners.tcp.1 = 127.0.0.1:$BROKER_PORT
			mqtt.allow_anonymous = true
			log.console = false
			log.file.level = warning
		EOF
		echo '[rabbitmq_mqtt].' >"$RMQ_DIR/enabled_plugins"
		: >"$RMQ_DIR/rabbitmq-env.conf"
	fi
	# Its own epmd on its own port, so no system epmd is used or started.
	if [ -z "$RMQ_EPMD_PID" ]; then
		epmd -port "$RMQ_EPMD_PORT" -address 127.0.0.1 >>"$RMQ_DIR/epmd.log" 2>&1 &
		RMQ_EPMD_PID=$!
		wait_port_open "$RMQ_EPMD_PORT" "$RMQ_EPMD_PID" 10 "epmd"
	fi
	# HOME: the Erlang cookie goes here, not into the user's home.
	env HOME="$RMQ_DIR" \
		RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf" \
		RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf" \
		RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config" \
		RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins" \
		RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia" \
		RABBITMQ_LOG_BASE="$RMQ_DIR/log" \
		RABBITMQ_PLUGINS_EXPAND_DIR="$RMQ_DIR/plugins-expand" \
		RABBITMQ_PID_FILE="$RMQ_DIR/pid" \
		RABBITMQ_NODENAME="mqscope$BROKER_PORT@localhost" \
		RABBITMQ_USE_LONGNAME=false \
		RABBITMQ_DIST_PORT="$RMQ_DIST_PORT" \
		ERL_EPMD_PORT="$RMQ_EPMD_PORT" \
		"$server" >>"$RMQ_DIR/server.log" 2>&1 &
	RMQ_PID=$!
	# Slow to start (10 s on an idle machine, more under load).
	wait_port_open "$BROKER_PORT" "$RMQ_PID" 120 "RabbitMQ (see $RMQ_DIR/log)"
}

# stop_rabbitmq: its start script stops the Erlang VM on SIGTERM and waits for it.
stop_rabbitmq() {
	local beam=""
	[ -n "$RMQ_PID" ] || return 0
	[ -s "${RMQ_DIR:-/nonexistent}/pid" ] && beam=$(cat "$RMQ_DIR/pid")
	stop_pid "$RMQ_PID" 30
	# Should the script have gone first, the VM it started goes by its own PID.
	[ -n "$beam" ] && kill -0 "$beam" 2>/dev/null && stop_pid "$beam" 10
	RMQ_PID=""
}
