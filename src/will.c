/* will.c: which messages say a device went offline or came back (see will.h for the rules). */
#define _GNU_SOURCE
#include "mqscope/will.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mqscope/payload_number.h"
#include "mqscope/topic.h"

#define SPARKPLUG       "spBv1.0/"
#define WORD_MAX        32
#define STATUS_JSON_MAX 4096

static const char *const status_levels[] = {
    "status",     "state", "availability", "available", "online", "connected",
    "connection", "lwt",   "will",         "presence",  "alive",
};
/* Levels where a boolean payload says whether the device is there. */
static const char *const bool_levels[] = {"online", "connected", "available", "alive"};
static const char *const offline_words[] = {"offline", "disconnected", "dead",
                                            "lost",    "unavailable",  "unreachable"};
static const char *const online_words[] = {"online", "connected", "alive", "available", "ready"};
static const char *const json_members[] = {"state", "status", "online", "connected",
                                           "availability"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *will_kind_name(enum will_kind k)
{
	return k == WILL_OFFLINE ? "offline" : k == WILL_ONLINE ? "online" : "";
}

static bool in_list(const char *w, size_t n, const char *const *list, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (strlen(list[i]) == n && strncasecmp(w, list[i], n) == 0)
			return true;
	return false;
}

/* The payload as one short word: trimmed, quotes of a JSON string taken off; false if longer. */
static bool as_word(const char *p, size_t n, char *out)
{
	while (n > 0 && isspace((unsigned char)*p))
		p++, n--;
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	if (n >= 2 && p[0] == '"' && p[n - 1] == '"')
		p++, n -= 2;
	if (n == 0 || n >= WORD_MAX)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}

/* What a word says on a status level (bools only on levels that are booleans by name). */
static enum will_kind judge_word(const char *w, bool boolean)
{
	size_t n = strlen(w);

	if (in_list(w, n, offline_words, COUNT(offline_words)))
		return WILL_OFFLINE;
	if (in_list(w, n, online_words, COUNT(online_words)))
		return WILL_ONLINE;
	if (boolean && (!strcasecmp(w, "false") || !strcmp(w, "0")))
		return WILL_OFFLINE;
	if (boolean && (!strcasecmp(w, "true") || !strcmp(w, "1")))
		return WILL_ONLINE;
	return WILL_NONE;
}

/* A JSON status document: {"state":"offline"}, {"online":false}. */
static enum will_kind judge_json(const char *p, size_t n)
{
	enum will_kind k = WILL_NONE;
	cJSON *root;

	if (n > STATUS_JSON_MAX)
		return WILL_NONE;
	root = cJSON_ParseWithLength(p, n);
	if (!cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return WILL_NONE;
	}
	for (size_t i = 0; i < COUNT(json_members) && k == WILL_NONE; i++) {
		const cJSON *m = cJSON_GetObjectItem(root, json_members[i]);
		bool boolean = in_list(json_members[i], strlen(json_members[i]), bool_levels,
		                       COUNT(bool_levels));

		if (cJSON_IsString(m) && m->valuestring && strlen(m->valuestring) < WORD_MAX)
			k = judge_word(m->valuestring, false);
		else if (cJSON_IsBool(m) && boolean)
			k = cJSON_IsTrue(m) ? WILL_ONLINE : WILL_OFFLINE;
	}
	cJSON_Delete(root);
	return k;
}

/* Writes the first n bytes of s as the device's topic. */
static bool put_dev(char *dev, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return false;
	memcpy(dev, s, n);
	dev[n] = '\0';
	return true;
}

/* spBv1.0/G/NDEATH/E, spBv1.0/G/DDEATH/E/D and their BIRTHs; the device is the DEATH topic. */
static enum will_kind sparkplug(const char *t, size_t tlen, char *dev, size_t cap)
{
	const char *g = t + strlen(SPARKPLUG), *end = t + tlen, *type, *rest;
	enum will_kind k;
	int n;

	type = memchr(g, '/', (size_t)(end - g));
	if (type == NULL || type == g)
		return WILL_NONE;
	type++;
	if (end - type < 7 || type[6] != '/')
		return WILL_NONE;
	if (memcmp(type + 1, "DEATH", 5) == 0)
		k = WILL_OFFLINE;
	else if (memcmp(type + 1, "BIRTH", 5) == 0)
		k = WILL_ONLINE;
	else
		return WILL_NONE;
	if (type[0] != 'N' && type[0] != 'D')
		return WILL_NONE;
	rest = type + 7;
	if (rest == end)
		return WILL_NONE;
	/* NDEATH names a node (one level), DDEATH a node and a device (two). */
	if ((type[0] == 'N') != (memchr(rest, '/', (size_t)(end - rest)) == NULL))
		return WILL_NONE;
	n = snprintf(dev, cap, "%.*s%cDEATH/%.*s", (int)(type - t), t, type[0], (int)(end - rest),
	             rest);
	return n > 0 && (size_t)n < cap ? k : WILL_NONE;
}

/* A rule from the config file: the value (or field) equal to its offline or online text. */
static enum will_kind by_rule(const struct will_rule *r, const char *payload, size_t plen)
{
	char buf[256];
	const char *val;
	size_t vlen;
	double num;
	bool is_num;

	if (!payload_value(payload, plen, r->field, buf, sizeof(buf), &val, &vlen, &num, &is_num))
		return WILL_NONE;
	if (r->offline && strlen(r->offline) == vlen && memcmp(r->offline, val, vlen) == 0)
		return WILL_OFFLINE;
	if (r->online && strlen(r->online) == vlen && memcmp(r->online, val, vlen) == 0)
		return WILL_ONLINE;
	return WILL_NONE;
}

/* Whether a last level (its '$' taken off) names a status topic. */
static bool status_level(const char *level, size_t llen)
{
	/* Most topics are not status topics: the length and first letter tell at once. */
	if (llen < 3 || llen > 12)
		return false;
	switch (level[0] | 0x20) {
	case 's':
	case 'a':
	case 'o':
	case 'c':
	case 'l':
	case 'w':
	case 'p':
		return in_list(level, llen, status_levels, COUNT(status_levels));
	default:
		return false;
	}
}

enum will_kind will_classify(const struct will_rule *rules, size_t nrules, const char *topic,
                             size_t tlen, const char *payload, size_t plen, char *dev, size_t cap)
{
	const char *slash = memrchr(topic, '/', tlen);
	const char *level = slash ? slash + 1 : topic;
	size_t llen = (size_t)(topic + tlen - level), dlen = slash ? (size_t)(slash - topic) : tlen;
	enum will_kind k = WILL_NONE;
	char w[WORD_MAX];

	/* A topic a rule names is judged by the rule alone. */
	for (size_t i = 0; i < nrules; i++) {
		if (!topic_matches(rules[i].filter, topic, tlen))
			continue;
		k = by_rule(&rules[i], payload, plen);
		return k != WILL_NONE && put_dev(dev, cap, topic, dlen) ? k : WILL_NONE;
	}
	if (tlen > strlen(SPARKPLUG) && topic[0] == 's' &&
	    memcmp(topic, SPARKPLUG, strlen(SPARKPLUG)) == 0)
		return sparkplug(topic, tlen, dev, cap);
	/* $SYS/broker/clients/connected is a count of clients, not a device's state. */
	if (tlen >= 5 && memcmp(topic, "$SYS/", 5) == 0)
		return WILL_NONE;
	if (llen > 0 && *level == '$')
		level++, llen--;
	if (plen == 0 || !status_level(level, llen))
		return WILL_NONE;
	if (as_word(payload, plen, w))
		k = judge_word(w, in_list(level, llen, bool_levels, COUNT(bool_levels)));
	if (k == WILL_NONE && plen > 1 && payload[0] == '{')
		k = judge_json(payload, plen);
	if (k != WILL_NONE && !put_dev(dev, cap, topic, dlen))
		return WILL_NONE;
	return k;
}
