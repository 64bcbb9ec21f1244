/* sim.c: demo devices (bulbs, lights, sensors, machines) that publish and obey commands. */
#define _GNU_SOURCE
#include <math.h>
#include <mosquitto.h>
#include <mqtt_protocol.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mqscope/demo.h"
#include "mqscope/options.h"
#include "mqscope/util.h"

#define NBULBS    4
#define NMACHINES 12
#define NLINES    4
#define NDEVICES  20

/*
 * Devices that misbehave, for debugging sessions in the demo: a sensor
 * that drops out for a while every minute, one whose readings carry late
 * (and now and then out-of-order) timestamps, and a device that leaves
 * with its last will every minute and comes back.
 */
#define CYCLE_TICKS   120 /* one minute of 500 ms ticks */
#define DROPOUT_START 80  /* the cellar sensor is quiet from here to the end of the cycle */
#define FLAKY_LEAVES  90  /* the flaky device disconnects with its will here... */
#define FLAKY_RETURNS 110 /* ...and reconnects here */
#define FLAKY_STATUS  "devices/flaky/status"

static volatile sig_atomic_t quit;

static const char *rooms[] = {"kitchen", "living", "bedroom", "bathroom",
                              "office",  "garage", "garden",  "attic"};
#define NROOMS (sizeof(rooms) / sizeof(rooms[0]))

static const char *lights[] = {"kitchen", "living", "porch"};
#define NLIGHTS (sizeof(lights) / sizeof(lights[0]))

struct sim {
	struct mosquitto *mosq;
	bool bulb_on[NBULBS];
	bool light_on[NLIGHTS];
	int light_brightness[NLIGHTS];
	double temp[NROOMS], hum[NROOMS];
	double rpm[NLINES][NMACHINES], mtemp[NLINES][NMACHINES];
	unsigned long count[NLINES][NMACHINES];
	double power, energy;
	bool door_open;
	bool connected;
	unsigned long tick;
	double cellar, shed;
	int64_t shed_last_ts;
	struct mosquitto *flaky; /* a second client, with a last will */
	bool flaky_connected;
	double flaky_temp;
};

static void on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static double jitter(double span)
{
	return ((double)rand() / RAND_MAX - 0.5) * span;
}

static void pub(struct sim *s, const char *topic, const char *payload, bool retain)
{
	mosquitto_publish(s->mosq, NULL, topic, (int)strlen(payload), payload, 0, retain);
}

static void pubf(struct sim *s, const char *topic, bool retain, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void pubf(struct sim *s, const char *topic, bool retain, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	pub(s, topic, buf, retain);
}

static void iso_now(char *buf, size_t cap)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void publish_bulb(struct sim *s, int i)
{
	char t[64];

	snprintf(t, sizeof(t), "house/bulbs/bulb%d", i + 1);
	pub(s, t, s->bulb_on[i] ? "ON" : "OFF", true);
}

static void publish_light(struct sim *s, size_t i)
{
	char t[64];

	snprintf(t, sizeof(t), "house/lights/%s", lights[i]);
	pubf(s, t, true, "{\"state\":\"%s\",\"brightness\":%d}", s->light_on[i] ? "ON" : "OFF",
	     s->light_brightness[i]);
}

/* Reads ON/OFF/TOGGLE (any case, or true/false/1/0) into *on; false if it is none of them. */
static bool parse_switch(const char *p, size_t len, bool cur, bool *on)
{
	char w[16];

	if (len == 0 || len >= sizeof(w))
		return false;
	memcpy(w, p, len);
	w[len] = '\0';
	if (!strcasecmp(w, "on") || !strcasecmp(w, "true") || !strcmp(w, "1"))
		*on = true;
	else if (!strcasecmp(w, "off") || !strcasecmp(w, "false") || !strcmp(w, "0"))
		*on = false;
	else if (!strcasecmp(w, "toggle"))
		*on = !cur;
	else
		return false;
	return true;
}

/* Finds "key":"value" or "key":number in a small JSON object; crude but enough for commands. */
static bool json_field(const char *p, size_t len, const char *key, char *out, size_t cap)
{
	char pat[40];
	const char *k, *end = p + len;
	size_t o = 0;
	char *copy = strndup(p, len);

	if (copy == NULL)
		return false;
	snprintf(pat, sizeof(pat), "\"%s\"", key);
	k = strstr(copy, pat);
	if (k == NULL) {
		free(copy);
		return false;
	}
	k += strlen(pat);
	k = p + (k - copy);
	free(copy);
	while (k < end && (*k == ' ' || *k == ':'))
		k++;
	if (k < end && *k == '"')
		k++;
	while (k < end && *k != '"' && *k != ',' && *k != '}' && o + 1 < cap)
		out[o++] = *k++;
	out[o] = '\0';
	return o > 0;
}

static void on_message(struct mosquitto *m, void *obj, const struct mosquitto_message *msg)
{
	struct sim *s = obj;
	const char *t = msg->topic, *p = msg->payload;
	size_t len = msg->payloadlen > 0 ? (size_t)msg->payloadlen : 0;
	int n = 0;
	bool on;

	(void)m;
	if (sscanf(t, "house/bulbs/bulb%d", &n) == 1 && n >= 1 && n <= NBULBS) {
		bool is_set = strstr(t, "/set") != NULL;
		char expect[64];

		snprintf(expect, sizeof(expect),
		         is_set ? "house/bulbs/bulb%d/set" : "house/bulbs/bulb%d", n);
		if (strcmp(t, expect) != 0 || !parse_switch(p, len, s->bulb_on[n - 1], &on))
			return;
		if (on == s->bulb_on[n - 1] && !is_set)
			return; /* already in that state: nothing to report */
		s->bulb_on[n - 1] = on;
		publish_bulb(s, n - 1);
		return;
	}
	for (size_t i = 0; i < NLIGHTS; i++) {
		char set[64], state[64], val[32];
		bool changed = false, was_on = s->light_on[i];
		int was_brightness = s->light_brightness[i];

		snprintf(set, sizeof(set), "house/lights/%s/set", lights[i]);
		snprintf(state, sizeof(state), "house/lights/%s", lights[i]);
		/* Like the bulbs, a light also takes a new state written to its own topic. */
		bool on_state_topic = strcmp(t, state) == 0;
		if (strcmp(t, set) != 0 && !on_state_topic)
			continue;
		if (parse_switch(p, len, s->light_on[i], &on)) {
			s->light_on[i] = on;
			changed = true;
		} else {
			if (json_field(p, len, "state", val, sizeof(val)) &&
			    parse_switch(val, strlen(val), s->light_on[i], &on)) {
				s->light_on[i] = on;
				changed = true;
			}
			if (json_field(p, len, "brightness", val, sizeof(val))) {
				int b = atoi(val);
				s->light_brightness[i] = b < 0 ? 0 : b > 100 ? 100 : b;
				changed = true;
			}
		}
		if (on_state_topic && s->light_on[i] == was_on &&
		    s->light_brightness[i] == was_brightness)
			return; /* already in that state: nothing to report */
		if (changed)
			publish_light(s, i);
		return;
	}
}

static void on_connect(struct mosquitto *m, void *obj, int rc)
{
	struct sim *s = obj;
	char *subs[] = {"house/bulbs/+", "house/bulbs/+/set", "house/lights/+",
	                "house/lights/+/set"};

	if (rc != 0)
		return;
	s->connected = true;
	/* No-local: our own state reports must not come back as commands. */
	mosquitto_subscribe_multiple(m, NULL, 4, subs, 1, MQTT_SUB_OPT_NO_LOCAL, NULL);
	for (int i = 0; i < NBULBS; i++)
		publish_bulb(s, i);
	for (size_t i = 0; i < NLIGHTS; i++)
		publish_light(s, i);
	pub(s, "house/doors/front", s->door_open ? "open" : "closed", true);
	for (int d = 0; d < NDEVICES; d++) {
		char t[64];

		snprintf(t, sizeof(t), "devices/node%02d/status", d + 1);
		pub(s, t, "online", true);
		snprintf(t, sizeof(t), "devices/node%02d/firmware", d + 1);
		pubf(s, t, true, "1.%d.%d", 2 + d % 3, d * 7 % 10);
	}
	pub(s, "house/info", "Demo house.\nFour bulbs, three lights, sensors in eight rooms.",
	    true);
}

static void publish_sensors(struct sim *s)
{
	char ts[32], t[96];

	iso_now(ts, sizeof(ts));
	for (size_t r = 0; r < NROOMS; r++) {
		if ((s->tick + r) % 4 != 0) /* each room every 2 s */
			continue;
		s->temp[r] += jitter(0.3);
		s->hum[r] += jitter(1.0);
		if (s->hum[r] < 20)
			s->hum[r] = 20;
		if (s->hum[r] > 95)
			s->hum[r] = 95;
		snprintf(t, sizeof(t), "sensors/%s/temperature", rooms[r]);
		pubf(s, t, false,
		     "{\"value\":%.1f,\"unit\":\"\xc2\xb0\x43\",\"ts\":%lld,\"time\":\"%s\"}",
		     s->temp[r], (long long)time(NULL), ts);
		snprintf(t, sizeof(t), "sensors/%s/humidity", rooms[r]);
		pubf(s, t, false, "{\"value\":%.0f,\"unit\":\"%%\",\"ts\":%lld,\"time\":\"%s\"}",
		     s->hum[r], (long long)time(NULL), ts);
	}
}

/* Wall-clock ms. */
static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The cellar sensor reports every second but drops out for 20 s a minute;
 * the shed sensor's readings are stamped 3 to 8 s before they are sent,
 * and one in ten carries a stamp older than the one before.
 */
static void publish_troublemakers(struct sim *s)
{
	unsigned long phase = s->tick % CYCLE_TICKS;

	if (s->tick % 2 == 0 && phase < DROPOUT_START) {
		s->cellar += jitter(0.2);
		pubf(s, "sensors/cellar/temperature", false,
		     "{\"value\":%.1f,\"unit\":\"\xc2\xb0\x43\",\"ts\":%lld}", s->cellar,
		     (long long)now_ms());
	}
	if (s->tick % 4 == 1) {
		int64_t ts = now_ms() - 3000 - rand() % 5000;

		if (rand() % 10 == 0 && s->shed_last_ts)
			ts = s->shed_last_ts - 1000 - rand() % 2000;
		else
			s->shed_last_ts = ts;
		s->shed += jitter(0.4);
		pubf(s, "sensors/shed/temperature", false, "{\"value\":%.1f,\"ts\":%lld}", s->shed,
		     (long long)ts);
	}
}

static void on_flaky_connect(struct mosquitto *m, void *obj, int rc)
{
	struct sim *s = obj;

	(void)m;
	if (rc != 0)
		return;
	s->flaky_connected = true;
	mosquitto_publish(s->flaky, NULL, FLAKY_STATUS, 6, "online", 0, true);
}

/* The flaky device: a temperature every 2 s; leaves with its will, comes back. */
static void run_flaky(struct sim *s)
{
	unsigned long phase = s->tick % CYCLE_TICKS;

	if (s->flaky == NULL)
		return;
	if (phase == FLAKY_LEAVES && s->flaky_connected) {
		/* MQTT 5 reason 4: the broker sends the will as if the device had died. */
		mosquitto_disconnect_v5(s->flaky, MQTT_RC_DISCONNECT_WITH_WILL_MSG, NULL);
		s->flaky_connected = false;
	} else if (phase == FLAKY_RETURNS && !s->flaky_connected) {
		mosquitto_reconnect(s->flaky);
	} else if (s->flaky_connected && s->tick % 4 == 2) {
		char buf[64];

		s->flaky_temp += jitter(0.3);
		snprintf(buf, sizeof(buf), "%.1f", s->flaky_temp);
		mosquitto_publish(s->flaky, NULL, "devices/flaky/temperature", (int)strlen(buf),
		                  buf, 0, false);
	}
}

/* Starts the flaky device's own connection, with its will; NULL when it cannot. */
static struct mosquitto *flaky_start(struct sim *s, const struct settings *cfg)
{
	struct mosquitto *m = mosquitto_new(NULL, true, s);

	if (m == NULL)
		return NULL;
	mosquitto_int_option(m, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	if (cfg->user || cfg->password)
		mosquitto_username_pw_set(m, cfg->user, cfg->password);
	mosquitto_will_set(m, FLAKY_STATUS, 7, "offline", 0, true);
	mosquitto_connect_callback_set(m, on_flaky_connect);
	if (mosquitto_connect(m, cfg->host, cfg->port, 30) != MOSQ_ERR_SUCCESS) {
		mosquitto_destroy(m);
		return NULL;
	}
	return m;
}

static void publish_factory(struct sim *s)
{
	static const char *states[] = {"running", "running", "running", "idle", "maintenance"};
	char t[96];

	for (int l = 0; l < NLINES; l++) {
		for (int m = 0; m < NMACHINES; m++) {
			if ((s->tick + (unsigned long)(l * NMACHINES + m)) % 10 !=
			    0) /* every 5 s */
				continue;
			s->rpm[l][m] = fabs(s->rpm[l][m] + jitter(40));
			s->mtemp[l][m] += jitter(0.8);
			s->count[l][m] += (unsigned long)(rand() % 20);
			snprintf(t, sizeof(t), "factory/line%d/machine%02d/rpm", l + 1, m + 1);
			pubf(s, t, false, "%.0f", s->rpm[l][m]);
			snprintf(t, sizeof(t), "factory/line%d/machine%02d/temperature", l + 1,
			         m + 1);
			pubf(s, t, false, "%.1f", s->mtemp[l][m]);
			snprintf(t, sizeof(t), "factory/line%d/machine%02d/count", l + 1, m + 1);
			pubf(s, t, false, "%lu", s->count[l][m]);
			if (s->tick % 40 == 0 || s->count[l][m] < 20) {
				snprintf(t, sizeof(t), "factory/line%d/machine%02d/state", l + 1,
				         m + 1);
				pub(s, t, states[(l + m + s->tick / 40) % 5], true);
			}
		}
	}
}

static void publish_misc(struct sim *s)
{
	char t[96];

	if (s->tick % 2 == 0) {
		s->power = fabs(s->power + jitter(120));
		s->energy += s->power / 3600.0 / 1000.0;
		pubf(s, "energy/meter/power", false, "%.0f", s->power);
		pubf(s, "energy/meter/total_kwh", false, "%.3f", s->energy);
	}
	if (s->tick % 20 == 0) {
		pubf(s, "weather/station1/temperature", false, "%.1f", 8 + jitter(4));
		pubf(s, "weather/station1/wind", false, "%.1f", fabs(12 + jitter(8)));
		pubf(s, "weather/station1/pressure", false, "%.0f", 1013 + jitter(10));
		pubf(s, "weather/station1/rain", false, "%.1f", fabs(jitter(1)));
	}
	if (s->tick % 30 == 0) {
		for (int d = 0; d < NDEVICES; d++) {
			snprintf(t, sizeof(t), "devices/node%02d/uptime", d + 1);
			pubf(s, t, false, "%lu", s->tick / 2 + (unsigned long)d * 1000);
			snprintf(t, sizeof(t), "devices/node%02d/rssi", d + 1);
			pubf(s, t, false, "%d", -40 - rand() % 50);
		}
	}
	if (s->tick % 20 == 5) {
		unsigned char img[48];

		for (size_t i = 0; i < sizeof(img); i++)
			img[i] = (unsigned char)rand();
		img[0] = 0x89, img[1] = 'P', img[2] = 'N', img[3] = 'G';
		mosquitto_publish(s->mosq, NULL, "devices/camera1/snapshot", sizeof(img), img, 0,
		                  false);
	}
	if (s->tick % 60 == 30) {
		s->door_open = !s->door_open;
		pub(s, "house/doors/front", s->door_open ? "open" : "closed", true);
	}
}

int sim_main(int argc, char **argv)
{
	struct settings cfg;
	struct sim s;
	int64_t next;

	settings_init(&cfg);
	if (options_parse(argc, argv, &cfg, stderr) != OPTIONS_OK) {
		settings_free(&cfg);
		return 2;
	}
	if (cfg.host == NULL)
		settings_set_str(&cfg.host, "localhost");
	if (cfg.port == 0)
		cfg.port = 1883;

	memset(&s, 0, sizeof(s));
	srand((unsigned)getpid());
	s.bulb_on[0] = false;
	s.bulb_on[1] = true;
	s.bulb_on[2] = false;
	s.bulb_on[3] = true;
	for (size_t i = 0; i < NLIGHTS; i++)
		s.light_brightness[i] = 40 + 20 * (int)i;
	for (size_t r = 0; r < NROOMS; r++) {
		s.temp[r] = 19 + (double)r * 0.7;
		s.hum[r] = 40 + (double)r * 3;
	}
	for (int l = 0; l < NLINES; l++)
		for (int m = 0; m < NMACHINES; m++) {
			s.rpm[l][m] = 1200 + 100 * m;
			s.mtemp[l][m] = 45 + l;
		}
	s.power = 850;
	s.cellar = 12.5;
	s.shed = 6.0;
	s.flaky_temp = 21.0;

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	mosquitto_lib_init();
	s.mosq = mosquitto_new(NULL, true, &s);
	if (s.mosq == NULL)
		return 1;
	mosquitto_int_option(s.mosq, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V5);
	if (cfg.user || cfg.password)
		mosquitto_username_pw_set(s.mosq, cfg.user, cfg.password);
	mosquitto_connect_callback_set(s.mosq, on_connect);
	mosquitto_message_callback_set(s.mosq, on_message);
	mosquitto_connect(s.mosq, cfg.host, cfg.port, 30);
	s.flaky = flaky_start(&s, &cfg);

	next = clock_mono_ms();
	while (!quit) {
		int64_t now = clock_mono_ms();
		int rc;

		if (now >= next && s.connected) {
			publish_sensors(&s);
			publish_factory(&s);
			publish_misc(&s);
			publish_troublemakers(&s);
			run_flaky(&s);
			s.tick++;
			next += 500;
			if (next < now)
				next = now + 500;
		}
		if (s.flaky)
			mosquitto_loop(s.flaky, 0, 1);
		rc = mosquitto_loop(s.mosq, (int)(next - now > 0 ? next - now : 0), 1);
		if (rc != MOSQ_ERR_SUCCESS && !quit) {
			s.connected = false;
			sleep(1);
			mosquitto_reconnect(s.mosq);
		}
	}
	if (s.flaky) {
		mosquitto_disconnect(s.flaky);
		mosquitto_destroy(s.flaky);
	}
	mosquitto_disconnect(s.mosq);
	mosquitto_destroy(s.mosq);
	mosquitto_lib_cleanup();
	settings_free(&cfg);
	return 0;
}
