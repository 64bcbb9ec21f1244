/* sim.c: demo devices (bulbs, lights, sensors, machines) that publish and obey commands; the
 * binary-format ones are in sim_plant.c. */
#define _GNU_SOURCE
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <errno.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mqscope/connect_opts.h"
#include "mqscope/demo.h"
#include "mqscope/msg.h"
#include "mqscope/ring.h"
#include "mqscope/session.h"
#include "mqscope/sim_plant.h"
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
#define CYCLE_TICKS   120   /* one minute of 500 ms ticks */
#define DROPOUT_START 80    /* the cellar sensor is quiet from here to the end of the cycle */
#define FLAKY_LIFE_MS 45000 /* the flaky device lives this long... */
#define FLAKY_AWAY_MS 10000 /* ...then is gone this long */
#define FLAKY_STATUS  "devices/flaky/status"

static volatile sig_atomic_t quit;

static const char *rooms[] = {"kitchen", "living", "bedroom", "bathroom",
                              "office",  "garage", "garden",  "attic"};
#define NROOMS (sizeof(rooms) / sizeof(rooms[0]))

static const char *lights[] = {"kitchen", "living", "porch"};
#define NLIGHTS (sizeof(lights) / sizeof(lights[0]))

struct sim {
	struct session *ss;
	struct sim_plant *plant; /* Sparkplug B, CBOR and MessagePack devices */
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

/* Publishes at QoS 0 (content_type: MQTT 5's, or NULL); a message sent while the connection is
 * down is simply not sent. The devices of sim_plant.c publish through it too. */
static void plant_publish(void *ctx, const char *topic, const void *payload, size_t len,
                          bool retain, const char *content_type)
{
	struct sim *s = ctx;
	struct pub_req req = {.topic = topic,
	                      .payload = payload,
	                      .len = len,
	                      .retain = retain,
	                      .content_type = content_type};
	char err[128];
	int mid;

	session_publish(s->ss, &req, &mid, err, sizeof(err));
}

static void pub_bytes(struct sim *s, const char *topic, const void *payload, size_t len,
                      bool retain)
{
	plant_publish(s, topic, payload, len, retain, NULL);
}

static void pub(struct sim *s, const char *topic, const char *payload, bool retain)
{
	pub_bytes(s, topic, payload, strlen(payload), retain);
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

/* A command for a device (our own state reports come back too, and change nothing). */
static void on_message(struct sim *s, const char *t, const char *p, size_t len)
{
	int n = 0;
	bool on;

	if (sim_plant_message(s->plant, t, p, len))
		return;
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

/* Every device says its state when a connection starts (the session subscribes by itself). */
static void on_connect(struct sim *s)
{
	sim_plant_online(s->plant);
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
		     (long long)clock_wall_ms());
	}
	if (s->tick % 4 == 1) {
		int64_t ts = clock_wall_ms() - 3000 - rand() % 5000;

		if (rand() % 10 == 0 && s->shed_last_ts)
			ts = s->shed_last_ts - 1000 - rand() % 2000;
		else
			s->shed_last_ts = ts;
		s->shed += jitter(0.4);
		pubf(s, "sensors/shed/temperature", false, "{\"value\":%.1f,\"ts\":%lld}", s->shed,
		     (long long)ts);
	}
}

/* Publishes from the flaky device's own process; QoS 0, nothing to wait for. */
static void flaky_pub(struct session *ss, const char *topic, const char *payload, bool retain)
{
	struct pub_req req = {
	    .topic = topic, .payload = payload, .len = strlen(payload), .retain = retain};
	char err[128];
	int mid;

	session_publish(ss, &req, &mid, err, sizeof(err));
}

/*
 * The flaky device, in a process of its own with its own connection and a
 * retained "offline" will: says "online", a temperature every 2 s, and
 * after FLAKY_LIFE_MS ends without a DISCONNECT, the way devices die, so
 * the broker sends its will. Never returns.
 */
static void flaky_device(struct settings *cfg)
{
	struct ring ring;
	struct session *ss;
	struct session_status st;
	struct session_event ev;
	uint64_t connects = 0;
	int64_t born = 0, next = 0;
	double temp = 21.0;

	/* Ends at SIGTERM like any device, not with the handler of the process that started it. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* Its own client id (from the pid), no subscriptions, the will. */
	free(cfg->client_id);
	cfg->client_id = NULL;
	cfg->ntopics = 0;
	free(cfg->will_topic);
	cfg->will_topic = xstrdup(FLAKY_STATUS);
	free(cfg->will_payload);
	cfg->will_payload = xstrdup("offline");
	cfg->will_qos = 0;
	cfg->will_retain = true;
	if (ring_init(&ring, (size_t)64 << 10, 64) != 0)
		_exit(1);
	session_lib_init();
	ss = session_new(cfg, &ring);
	settings_wipe_secrets(cfg);
	if (ss == NULL || session_start(ss) != 0)
		_exit(1);
	for (;;) {
		int64_t now = clock_mono_ms();
		struct pollfd pfd = {.fd = ring.wake_fd, .events = POLLIN};

		ring_clear_wake(&ring);
		while (ring_peek(&ring, &(size_t){0}) != NULL)
			ring_release(&ring);
		while (session_next_event(ss, &ev))
			;
		session_status(ss, &st);
		if (st.state == SESSION_CONNECTED && st.connects != connects) {
			connects = st.connects;
			if (born == 0)
				born = now;
			flaky_pub(ss, FLAKY_STATUS, "online", true);
		}
		if (born && now - born >= FLAKY_LIFE_MS)
			_exit(0); /* the kernel closes the connection; no DISCONNECT */
		if (st.state == SESSION_CONNECTED && now >= next) {
			char buf[32];

			temp += jitter(0.3);
			snprintf(buf, sizeof(buf), "%.1f", temp);
			flaky_pub(ss, "devices/flaky/temperature", buf, false);
			next = now + 2000;
		}
		if (ring_prepare_sleep(&ring, false))
			poll(&pfd, 1, 500);
	}
}

static volatile sig_atomic_t flaky_quit;

static void on_flaky_signal(int sig)
{
	(void)sig;
	flaky_quit = 1;
}

/*
 * Starts the process that keeps the flaky device coming and going: a
 * device process that lives FLAKY_LIFE_MS, then FLAKY_AWAY_MS without one.
 * Forked before any thread starts; -1 when it cannot be.
 */
static pid_t flaky_start(struct settings *cfg)
{
	struct sigaction sa = {.sa_handler = on_flaky_signal}; /* no SA_RESTART: waits end */
	pid_t sim = getpid(), pid = fork();

	if (pid != 0)
		return pid;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (getppid() != sim)
		_exit(0);
	while (!flaky_quit) {
		struct timespec away = {FLAKY_AWAY_MS / 1000, 0};
		pid_t dev = fork();

		if (dev == 0)
			flaky_device(cfg);
		if (dev < 0)
			break;
		while (!flaky_quit && waitpid(dev, NULL, 0) < 0 && errno == EINTR)
			;
		if (flaky_quit) {
			kill(dev, SIGTERM);
			waitpid(dev, NULL, 0);
			break;
		}
		nanosleep(&away, NULL);
	}
	_exit(0);
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
		pub_bytes(s, "devices/camera1/snapshot", img, sizeof(img), false);
	}
	if (s->tick % 60 == 30) {
		s->door_open = !s->door_open;
		pub(s, "house/doors/front", s->door_open ? "open" : "closed", true);
	}
}

/* Hands the commands that arrived to the devices; notices a new connection. */
static void take_messages(struct sim *s, struct ring *ring, uint64_t *connects)
{
	struct session_status st;
	struct session_event ev;
	const void *rec;
	size_t len;

	ring_clear_wake(ring);
	while ((rec = ring_peek(ring, &len)) != NULL) {
		struct msg_view v;
		char topic[256];

		if (msg_read(rec, len, &v) && v.h->topic_len < sizeof(topic)) {
			memcpy(topic, v.topic, v.h->topic_len);
			topic[v.h->topic_len] = '\0';
			on_message(s, topic, v.payload, v.h->len);
		}
		ring_release(ring);
	}
	while (session_next_event(s->ss, &ev))
		; /* QoS 0: nothing to wait for */
	session_status(s->ss, &st);
	s->connected = st.state == SESSION_CONNECTED;
	if (s->connected && st.connects != *connects) {
		*connects = st.connects;
		on_connect(s);
	}
}

/* The devices' first state. */
static void sim_init(struct sim *s)
{
	memset(s, 0, sizeof(*s));
	srand((unsigned)getpid());
	s->bulb_on[1] = true;
	s->bulb_on[3] = true;
	for (size_t i = 0; i < NLIGHTS; i++)
		s->light_brightness[i] = 40 + 20 * (int)i;
	for (size_t r = 0; r < NROOMS; r++) {
		s->temp[r] = 19 + (double)r * 0.7;
		s->hum[r] = 40 + (double)r * 3;
	}
	for (int l = 0; l < NLINES; l++)
		for (int m = 0; m < NMACHINES; m++) {
			s->rpm[l][m] = 1200 + 100 * m;
			s->mtemp[l][m] = 45 + l;
		}
	s->power = 850;
	s->cellar = 12.5;
	s->shed = 6.0;
}

int sim_main(int argc, char **argv)
{
	static const char *const commands[] = {"house/bulbs/+", "house/bulbs/+/set",
	                                       "house/lights/+", "house/lights/+/set"};
	struct settings cfg;
	struct ring ring;
	struct sim s;
	uint64_t connects = 0;
	int64_t next;
	pid_t flaky;
	int rc;

	/* The connection flags, config file and profiles of the TUI and pub, TLS decided alike. */
	rc = connect_opts_load(&cfg, CONNECT_SIM, argc, argv, NULL);
	if (rc >= 0) {
		settings_free(&cfg);
		return rc;
	}
	settings_clear_list(&cfg.topics, &cfg.ntopics);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		settings_add_str(&cfg.topics, &cfg.ntopics, commands[i]);
	{
		size_t n;
		const char *const *plant = sim_plant_topics(&n);

		for (size_t i = 0; i < n; i++)
			settings_add_str(&cfg.topics, &cfg.ntopics, plant[i]);
	}
	cfg.qos = 0;
	sim_init(&s);
	s.plant = sim_plant_new(plant_publish, &s);
	if (s.plant == NULL || ring_init(&ring, (size_t)1 << 20, 4096) != 0) {
		sim_plant_free(s.plant);
		settings_free(&cfg);
		return 1;
	}
	flaky = flaky_start(&cfg);
	session_lib_init();
	s.ss = session_new(&cfg, &ring);
	settings_wipe_secrets(&cfg); /* libmosquitto has its own copy */
	if (s.ss == NULL || session_start(s.ss) != 0) {
		fputs("mqscope sim: cannot set up the connection (bad TLS files?)\n", stderr);
		session_free(s.ss);
		sim_plant_free(s.plant);
		ring_free(&ring);
		session_lib_cleanup();
		settings_free(&cfg);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);

	next = clock_mono_ms();
	while (!quit) {
		int64_t now = clock_mono_ms();
		struct pollfd pfd = {.fd = ring.wake_fd, .events = POLLIN};

		take_messages(&s, &ring, &connects);
		if (now >= next && s.connected) {
			publish_sensors(&s);
			publish_factory(&s);
			publish_misc(&s);
			sim_plant_tick(s.plant, s.tick);
			publish_troublemakers(&s);
			s.tick++;
			next += 500;
			if (next < now)
				next = now + 500;
		}
		now = clock_mono_ms();
		if (ring_prepare_sleep(&ring, false))
			poll(&pfd, 1, next > now ? (int)(next - now) : s.connected ? 0 : 500);
	}
	session_stop(s.ss, 2000);
	session_free(s.ss);
	sim_plant_free(s.plant);
	ring_free(&ring);
	session_lib_cleanup();
	if (flaky > 0) {
		kill(flaky, SIGTERM);
		waitpid(flaky, NULL, 0);
	}
	settings_free(&cfg);
	return 0;
}
