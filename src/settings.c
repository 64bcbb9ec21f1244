/* settings.c: defaults and ownership of run settings. */
#define _GNU_SOURCE
#include "mqscope/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mqscope/options.h"
#include "mqscope/util.h"

void settings_init(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	s->keepalive = 60;
	s->session_expiry = -1;
	s->protocol = MQTT_AUTO;
	s->fps = 20;
	s->tree_width = 45;
	s->tree_height = 55;
	s->mouse = true;
	s->history = 32;
	s->value_budget = (size_t)256 << 20;
	s->payload_cap = (size_t)4 << 20;
	s->max_topics = 5000000;
	s->ring_bytes = (size_t)32 << 20;
	s->ring_count = 1000000;
	s->replay_speed = 1;
	s->stream_bytes = (size_t)32 << 20;
	s->bell = true;
	s->silence_factor = 2.5;
	s->silence_floor = 1000;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void settings_free(struct settings *s)
{
	char **strs[] = {&s->host,         &s->unix_path,   &s->client_id,
	                 &s->id_prefix,    &s->user,        &s->password,
	                 &s->bind_address, &s->cafile,      &s->capath,
	                 &s->cert,         &s->key,         &s->tls_version,
	                 &s->ciphers,      &s->alpn,        &s->psk,
	                 &s->psk_identity, &s->will_topic,  &s->will_payload,
	                 &s->config_path,  &s->profile,     &s->theme,
	                 &s->stats_path,   &s->config_file, &s->warning,
	                 &s->proxy_host,   &s->proxy_user,  &s->proxy_password,
	                 &s->pub_message,  &s->pub_file,    &s->record_path,
	                 &s->replay_path,  &s->ws_path};

	settings_wipe_secrets(s);
	for (size_t i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		free(*strs[i]);
		*strs[i] = NULL;
	}
	for (size_t i = 0; i < s->ntoggles; i++) {
		struct toggle_rule *r = &s->toggles[i];
		free(r->filter);
		free(r->command);
		free(r->on);
		free(r->off);
		free(r->field);
	}
	free(s->toggles);
	for (size_t i = 0; i < s->nsaved; i++) {
		struct saved_msg *m = &s->saved[i];
		free(m->name);
		free(m->group);
		free(m->topic);
		free(m->payload);
		free(m->broker);
	}
	free(s->saved);
	for (size_t i = 0; i < s->nwatches; i++) {
		struct watch_rule *w = &s->watches[i];
		free(w->name);
		free(w->filter);
		free(w->field);
		free(w->condition);
	}
	free(s->watches);
	for (size_t i = 0; i < s->nwills; i++) {
		struct will_rule *w = &s->wills[i];
		free(w->filter);
		free(w->field);
		free(w->offline);
		free(w->online);
	}
	free(s->wills);
	for (size_t i = 0; i < s->nkeys; i++) {
		free(s->keys[i].action);
		free_list(s->keys[i].keys, s->keys[i].nkeys);
	}
	free(s->keys);
	for (size_t i = 0; i < s->ndecoders; i++)
		decode_rule_free(&s->decoders[i]);
	free(s->decoders);
	s->decoders = NULL;
	s->ndecoders = 0;
	s->toggles = NULL;
	s->saved = NULL;
	s->keys = NULL;
	s->watches = NULL;
	s->wills = NULL;
	s->ntoggles = s->nsaved = s->nkeys = s->nwatches = s->nwills = 0;
	free_list(s->topics, s->ntopics);
	free_list(s->excludes, s->nexcludes);
	free_list(s->unsubs, s->nunsubs);
	free_list(s->out_fields, s->nout_fields);
	free_list(s->ws_headers, s->nws_headers);
	free_list(s->brokers, s->nbrokers);
	s->topics = s->excludes = s->unsubs = s->out_fields = s->ws_headers = s->brokers = NULL;
	s->ntopics = s->nexcludes = s->nunsubs = s->nout_fields = s->nws_headers = s->nbrokers = 0;
}

void settings_set_str(char **dst, const char *src)
{
	/* Copy before freeing: src may be *dst itself. */
	char *copy = src ? xstrdup(src) : NULL;

	free(*dst);
	*dst = copy;
}

void settings_set_secret(char **dst, const char *src)
{
	char *copy = src ? xstrdup(src) : NULL;

	/* Secrets do not linger in freed memory. */
	if (*dst != NULL)
		explicit_bzero(*dst, strlen(*dst));
	free(*dst);
	*dst = copy;
}

void settings_wipe_secrets(struct settings *s)
{
	settings_set_secret(&s->password, NULL);
	settings_set_secret(&s->psk, NULL);
	settings_set_secret(&s->proxy_password, NULL);
}

void settings_add_str(char ***list, size_t *n, const char *v)
{
	*list = xrealloc(*list, (*n + 1) * sizeof(**list));
	(*list)[(*n)++] = xstrdup(v);
}

void settings_clear_list(char ***list, size_t *n)
{
	free_list(*list, *n);
	*list = NULL;
	*n = 0;
}

bool settings_wants_tls(const struct settings *s)
{
	if (s->no_tls || s->unix_path)
		return false;
	return s->cafile || s->capath || s->cert || s->key || s->tls_version || s->ciphers ||
	       s->alpn || s->psk || s->os_certs || s->insecure || s->tls_by_url || s->port == 8883;
}

void settings_finish_connection(struct settings *s)
{
	s->tls = settings_wants_tls(s);
	if (s->host == NULL)
		settings_set_str(&s->host, "localhost");
	if (s->port == 0)
		s->port = s->ws ? (s->tls ? 443 : 80) : s->tls ? 8883 : 1883;
}

void settings_finish(struct settings *s)
{
	bool broker_named = s->host != NULL || s->port != 0 || s->unix_path || s->config_broker;

	if (!broker_named && !s->demo && !s->replay_path)
		s->demo = true;
	settings_finish_connection(s);
	if (s->ntopics == 0) {
		settings_add_str(&s->topics, &s->ntopics, "#");
		settings_add_str(&s->topics, &s->ntopics, "$SYS/#");
	}
	if (s->fps < 1)
		s->fps = 1;
	if (s->fps > 120)
		s->fps = 120;
}

/* The label of one broker before others are told apart from it. */
static void branch_base(const struct settings *c, size_t i, char *buf, size_t cap)
{
	/* A profile named on the line (not a default_profile under -L) names the branch. */
	if (c->profile && c->config_broker && OPTION_GIVEN(c, OPT_PROFILE))
		snprintf(buf, cap, "%s", c->profile);
	else if (c->unix_path)
		snprintf(buf, cap, "%s", c->unix_path);
	else
		settings_broker_label(c, buf, cap);
	for (char *p = buf; *p; p++)
		if (*p == '/' || *p == '+' || *p == '#' || (unsigned char)*p < 0x20)
			*p = '_';
	if (buf[0] == '\0' || buf[0] == '$')
		snprintf(buf, cap, "broker%zu", i + 1);
}

void settings_branch_label(const struct settings *const *all, size_t i, char *buf, size_t cap)
{
	char base[64], other[64];
	bool taken = true;

	branch_base(all[i], i, base, sizeof(base));
	snprintf(buf, cap, "%s", base);
	/* Two brokers of one name (two ports of one host) are told apart by their place. */
	for (unsigned n = 2; taken; n++) {
		taken = false;
		for (size_t j = 0; j < i && !taken; j++) {
			settings_branch_label(all, j, other, sizeof(other));
			taken = strcmp(other, buf) == 0;
		}
		if (taken)
			snprintf(buf, cap, "%.50s-%u", base, n);
	}
}

void settings_broker_label(const struct settings *s, char *buf, size_t cap)
{
	const char *h = s->host ? s->host : "localhost";

	if (s->unix_path)
		snprintf(buf, cap, "unix:%s", s->unix_path);
	else if (s->ws)
		snprintf(buf, cap, "%s://%s%s%s:%d%s", s->tls ? "wss" : "ws",
		         strchr(h, ':') ? "[" : "", h, strchr(h, ':') ? "]" : "", s->port,
		         s->ws_path ? s->ws_path : "/mqtt");
	else if (strchr(h, ':') != NULL)
		snprintf(buf, cap, "%s[%s]:%d", s->tls ? "mqtts://" : "", h, s->port);
	else
		snprintf(buf, cap, "%s%s:%d", s->tls ? "mqtts://" : "", h, s->port);
}
