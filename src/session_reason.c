/* session_reason.c: why a connection failed or ended, and its events, in words. */
#define _GNU_SOURCE
#include "mqscope/session.h"

#include <errno.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>

#include "mqscope/negotiate.h"
#include "mqscope/proxy.h"
#include "mqscope/transport_tls.h"
#include "mqscope/transport_ws.h"

static const char *v5_reason_words(int code)
{
	switch (code) {
	case MQTT_RC_UNSPECIFIED:
		return "unspecified error";
	case MQTT_RC_MALFORMED_PACKET:
		return "malformed packet";
	case MQTT_RC_PROTOCOL_ERROR:
		return "protocol error";
	case MQTT_RC_IMPLEMENTATION_SPECIFIC:
		return "refused by the broker (implementation specific)";
	case MQTT_RC_UNSUPPORTED_PROTOCOL_VERSION:
		return "protocol version not supported by the broker";
	case MQTT_RC_CLIENTID_NOT_VALID:
		return "client id rejected";
	case MQTT_RC_BAD_USERNAME_OR_PASSWORD:
		return "bad username or password";
	case MQTT_RC_NOT_AUTHORIZED:
		return "not authorized";
	case MQTT_RC_SERVER_UNAVAILABLE:
		return "server unavailable";
	case MQTT_RC_SERVER_BUSY:
		return "server busy";
	case MQTT_RC_BANNED:
		return "banned by the broker";
	case MQTT_RC_SERVER_SHUTTING_DOWN:
		return "server shutting down";
	case MQTT_RC_BAD_AUTHENTICATION_METHOD:
		return "bad authentication method";
	case MQTT_RC_KEEP_ALIVE_TIMEOUT:
		return "keepalive timeout";
	case MQTT_RC_SESSION_TAKEN_OVER:
		return "session taken over by another client with this id";
	case MQTT_RC_TOPIC_FILTER_INVALID:
		return "topic filter invalid";
	case MQTT_RC_TOPIC_NAME_INVALID:
		return "topic name invalid";
	case MQTT_RC_PACKET_ID_IN_USE:
		return "packet id in use";
	case MQTT_RC_PACKET_ID_NOT_FOUND:
		return "packet id not found";
	case MQTT_RC_RECEIVE_MAXIMUM_EXCEEDED:
		return "receive maximum exceeded";
	case MQTT_RC_TOPIC_ALIAS_INVALID:
		return "topic alias invalid";
	case MQTT_RC_PACKET_TOO_LARGE:
		return "packet too large";
	case MQTT_RC_MESSAGE_RATE_TOO_HIGH:
		return "message rate too high";
	case MQTT_RC_QUOTA_EXCEEDED:
		return "quota exceeded";
	case MQTT_RC_ADMINISTRATIVE_ACTION:
		return "disconnected by an administrator";
	case MQTT_RC_PAYLOAD_FORMAT_INVALID:
		return "payload format invalid";
	case MQTT_RC_RETAIN_NOT_SUPPORTED:
		return "retain not supported";
	case MQTT_RC_QOS_NOT_SUPPORTED:
		return "QoS not supported";
	case MQTT_RC_USE_ANOTHER_SERVER:
		return "use another server";
	case MQTT_RC_SERVER_MOVED:
		return "server moved";
	case MQTT_RC_SHARED_SUBS_NOT_SUPPORTED:
		return "shared subscriptions not supported";
	case MQTT_RC_CONNECTION_RATE_EXCEEDED:
		return "connection rate exceeded";
	case MQTT_RC_MAXIMUM_CONNECT_TIME:
		return "maximum connect time reached";
	case MQTT_RC_SUBSCRIPTION_IDS_NOT_SUPPORTED:
		return "subscription identifiers not supported";
	case MQTT_RC_WILDCARD_SUBS_NOT_SUPPORTED:
		return "wildcard subscriptions not supported";
	default:
		return NULL;
	}
}

static const char *tls_words(int code)
{
	switch (code) {
	case TLS_ERR_UNKNOWN_CA:
		return "TLS: broker certificate not trusted (unknown CA; give the CA with "
		       "--cafile)";
	case TLS_ERR_HOSTNAME:
		return "TLS: broker certificate does not match the host name";
	case TLS_ERR_EXPIRED:
		return "TLS: broker certificate expired or not yet valid";
	case TLS_ERR_BAD_KEY:
		return "TLS: client key unusable (unreadable, or not the key of --cert)";
	case TLS_ERR_CERT_REQUIRED:
		return "TLS: broker requires a client certificate (--cert and --key)";
	case TLS_ERR_CERT_REJECTED:
		return "TLS: broker rejected the client certificate";
	case TLS_ERR_VERSION:
		return "TLS: no TLS version or cipher both sides accept";
	case TLS_ERR_CLOSED:
		return "TLS: broker closed the connection during the handshake (not a TLS port?)";
	case TLS_ERR_HANDSHAKE:
		return "TLS: handshake failed (is this a TLS port?)";
	case TLS_ERR_PSK:
		return "TLS: broker rejected the pre-shared key (--psk, --psk-identity)";
	case TLS_ERR_CA:
		return "TLS: cannot read the CA certificates";
	default:
		return "TLS error";
	}
}

/* Short enough for the status bar: the log view ('c') has room for the rest. */
static const char *peer_words(int code)
{
	switch (code) {
	case PEER_CLOSED:
		return "the broker closed the connection";
	case PEER_CLOSED_AT_ONCE:
		return "the broker closed the connection right after CONNACK";
	case PEER_KEEPALIVE:
		return "keepalive timeout: the broker did not answer PINGREQ";
	case PEER_NO_CONNACK:
		return "no CONNACK: the broker never answered CONNECT";
	case PEER_BAD_UTF8:
		return "the broker sent a topic with invalid UTF-8 or control chars";
	case PEER_PROTOCOL:
		return "the broker sent a packet that breaks the MQTT protocol";
	case PEER_MALFORMED:
		return "the broker sent a malformed packet";
	case PEER_DUP_PROPERTY:
		return "the broker sent a duplicated MQTT 5 property";
	case PEER_UNKNOWN_PROPERTY:
		return "the broker sent an unknown MQTT 5 property";
	case PEER_PROPERTY_NOT_ALLOWED:
		return "the broker sent an MQTT 5 property where it is not allowed";
	case PEER_BAD_PROPERTY:
		return "the broker sent an MQTT 5 property with a bad value";
	default:
		return "the broker misbehaved";
	}
}

/* code: an enum proxy_fail, plus PROXY_HTTP_BIT for an HTTP proxy. */
static void proxy_words(int code, char *buf, size_t cap)
{
	const char *kind = code & PROXY_HTTP_BIT ? "HTTP" : "SOCKS";

	switch (code & ~PROXY_HTTP_BIT) {
	case PROXY_AUTH:
		snprintf(buf, cap, "the %s proxy refused the username or password", kind);
		break;
	case PROXY_UNREACHABLE:
		snprintf(buf, cap, "the %s proxy could not reach the broker", kind);
		break;
	case PROXY_REFUSED:
		snprintf(buf, cap, "the %s proxy does not allow the connection", kind);
		break;
	default:
		snprintf(buf, cap, "the proxy does not speak %s as expected",
		         code & PROXY_HTTP_BIT ? "HTTP CONNECT" : "SOCKS5");
		break;
	}
}

static const char *ws_words(int code)
{
	switch (code) {
	case WS_NOT_HTTP:
		return "WebSocket: the server does not speak HTTP (a plain MQTT port? use mqtt://)";
	case WS_NOT_UPGRADED:
		return "WebSocket: the server refused the upgrade (wrong path?)";
	case WS_BAD_ACCEPT:
		return "WebSocket: the server's handshake does not answer ours";
	case WS_BAD_PROTOCOL:
		return "WebSocket: the server does not speak the mqtt subprotocol";
	case WS_CLOSED:
		return "the broker closed the WebSocket";
	case WS_DENIED:
		return "WebSocket: the server refused us access (a header it needs? --ws-header)";
	default:
		return "WebSocket: the broker broke the framing rules";
	}
}

/* libmosquitto's codes in our words (libmosquitto's own are for its thread alone). */
static const char *lib_words(int code)
{
	switch (code) {
	case MOSQ_ERR_CONN_LOST:
		return "connection lost";
	case MOSQ_ERR_KEEPALIVE:
		return "keepalive timeout";
	case MOSQ_ERR_PROTOCOL:
		return "protocol error (is this an MQTT port?)";
	case MOSQ_ERR_NOMEM:
		return "out of memory";
	case MOSQ_ERR_NO_CONN:
		return "not connected";
	case MOSQ_ERR_CONN_REFUSED:
		return "connection refused by the broker";
	case MOSQ_ERR_MALFORMED_PACKET:
		return "malformed packet";
	case MOSQ_ERR_MALFORMED_UTF8:
		return "invalid UTF-8";
	case MOSQ_ERR_DUPLICATE_PROPERTY:
		return "duplicated MQTT 5 property";
	case MOSQ_ERR_OVERSIZE_PACKET:
		return "packet too large";
	case MOSQ_ERR_ERRNO:
		return "a system error";
	default:
		return "libmosquitto error";
	}
}

bool session_reason_is_auth(enum session_reason r, int code)
{
	if (r == REASON_CONNACK)
		return code == 4 || code == 5;
	if (r == REASON_V5)
		return code == MQTT_RC_BAD_USERNAME_OR_PASSWORD || code == MQTT_RC_NOT_AUTHORIZED;
	return false;
}

void session_reason_text(enum session_reason r, int code, char *buf, size_t cap)
{
	static const char *const connack[] = {"accepted",
	                                      "protocol version not supported by the broker",
	                                      "client id rejected",
	                                      "server unavailable",
	                                      "bad username or password",
	                                      "not authorized"};
	const char *w = NULL;

	switch (r) {
	case REASON_NONE:
		w = "";
		break;
	case REASON_ERRNO:
		if (code == ECONNREFUSED)
			w = "connection refused";
		else if (code == ETIMEDOUT)
			w = "connection timed out";
		else if (code == EHOSTUNREACH || code == ENETUNREACH)
			w = "host unreachable";
		else
			w = strerror(code);
		break;
	case REASON_DNS:
		w = code == EAI_NONAME || code == EAI_NODATA ? "host name not found"
		                                             : "host name lookup failed";
		break;
	case REASON_LIB:
		w = lib_words(code);
		break;
	case REASON_CONNACK:
		if (code >= 0 && code < 6) {
			w = connack[code];
		} else {
			snprintf(buf, cap, "refused by the broker (return code %d)", code);
			return;
		}
		break;
	case REASON_V5:
		w = v5_reason_words(code);
		if (w == NULL) {
			snprintf(buf, cap, "reason code 0x%02x", (unsigned)code);
			return;
		}
		break;
	case REASON_TLS:
		w = tls_words(code);
		break;
	case REASON_BOUND:
		w = "stopped reading";
		break;
	case REASON_CLOSED:
		w = code == CLOSED_TLS ? "the broker answered in TLS: a TLS port (use mqtts:// or "
		                         "--cafile)"
		    : code == CLOSED_FIXED_V5
		        ? "the broker closed the connection before answering (no MQTT 5? leave "
		          "out -V)"
		        : "the broker closed the connection before answering";
		break;
	case REASON_VERSION:
		if (code & 0x100)
			snprintf(buf, cap,
			         "the broker refused MQTT %s (asked for with -V; leave it out to "
			         "negotiate)",
			         negotiate_version_name(code & 0xff));
		else if ((code & 0xff) == 5)
			snprintf(buf, cap,
			         "the broker has no MQTT 5, and only MQTT 5 sends a "
			         "password without a username (add -u)");
		else
			snprintf(buf, cap, "the broker accepts none of MQTT 5, 3.1.1 and 3.1");
		return;
	case REASON_PEER:
		w = peer_words(code);
		break;
	case REASON_PROXY:
		proxy_words(code, buf, cap);
		return;
	case REASON_WS:
		w = ws_words(code);
		break;
	}
	snprintf(buf, cap, "%s", w ? w : "");
}

/* sep and the MQTT version in use with why ("MQTT 3.1.1: the broker has no MQTT 5"), or "". */
static void version_words(int version, bool fixed, int why, const char *sep, char *buf, size_t cap)
{
	char v[96];

	buf[0] = '\0';
	if (version == 0)
		return; /* not told (an entry made before any attempt) */
	negotiate_describe(version, fixed, (enum negotiate_answer)why, v, sizeof(v));
	snprintf(buf, cap, "%s%s", sep, v);
}

/* "850 ms", "12s", "3m 20s", "2h 5m". */
static void fmt_span(char *buf, size_t cap, int64_t ms)
{
	int64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, cap, "%lld ms", (long long)ms);
	else if (s < 60)
		snprintf(buf, cap, "%llds", (long long)s);
	else if (s < 3600)
		snprintf(buf, cap, "%lldm %llds", (long long)(s / 60), (long long)(s % 60));
	else
		snprintf(buf, cap, "%lldh %lldm", (long long)(s / 3600),
		         (long long)(s % 3600 / 60));
}

void session_log_describe(const struct session_log_entry *e, char *buf, size_t cap)
{
	char why[128 + SESSION_DETAIL_MAX], lasted[32], retry[32];
	size_t n;

	if (e->kind == SESSION_LOG_CONNECTED) {
		version_words(e->protocol, e->protocol_fixed, e->protocol_why, "; ", why,
		              sizeof(why));
		snprintf(buf, cap, "connected (connection %llu)%s%s%s",
		         (unsigned long long)e->connection, e->via[0] ? " over " : "", e->via, why);
		return;
	}
	if (e->kind == SESSION_LOG_FALLBACK) {
		snprintf(buf, cap, "MQTT %s refused, MQTT %s at once: %s",
		         negotiate_version_name(e->code), negotiate_version_name(e->protocol),
		         negotiate_answer_words(e->protocol_why));
		return;
	}
	session_reason_text(e->reason, e->code, why, sizeof(why));
	n = strlen(why);
	if (e->detail[0] != '\0')
		snprintf(why + n, sizeof(why) - n, ": %s", e->detail);
	fmt_span(retry, sizeof(retry), e->retry_ms);
	if (e->kind == SESSION_LOG_LOST) {
		fmt_span(lasted, sizeof(lasted), e->lasted_ms);
		snprintf(buf, cap, "lost after %s: %s; next attempt in %s", lasted, why, retry);
	} else {
		snprintf(buf, cap, "failed: %s; next attempt in %s", why, retry);
	}
}

void session_describe(const struct session_status *st, int64_t now_ms, char *buf, size_t cap)
{
	char why[128 + SESSION_DETAIL_MAX];
	int64_t left;

	switch (st->state) {
	case SESSION_IDLE:
		snprintf(buf, cap, "idle");
		break;
	case SESSION_CONNECTING:
		if (st->attempt)
			snprintf(buf, cap, "connecting (attempt %u)", st->attempt + 1);
		else
			snprintf(buf, cap, "connecting");
		break;
	case SESSION_CONNECTED:
		/* MQTT 5 goes without saying here (the log says it); anything older is news. */
		version_words(st->protocol == MQTT_V5 ? 0 : st->protocol, st->protocol_fixed,
		              st->protocol_why, " ", why, sizeof(why));
		snprintf(buf, cap, "connected%s", why);
		break;
	case SESSION_WAITING:
		session_reason_text(st->reason, st->code, why, sizeof(why));
		if (st->detail[0] != '\0') {
			size_t n = strlen(why);
			snprintf(why + n, sizeof(why) - n, ": %s", st->detail);
		}
		left = (st->retry_at_ms - now_ms + 999) / 1000;
		if (left < 0)
			left = 0;
		snprintf(buf, cap, "%s%s, retrying in %llds", st->connects ? "lost: " : "", why,
		         (long long)left);
		break;
	case SESSION_STOPPED:
		snprintf(buf, cap, "disconnected");
		break;
	}
}
