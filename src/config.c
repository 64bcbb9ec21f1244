/* config.c: reads the libconfig file; profile keys go through the same code as flags. */
#define _GNU_SOURCE
#include "mqscope/config.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mqscope/actions.h"
#include "mqscope/options.h"
#include "mqscope/pbschema.h"
#include "mqscope/payload_number.h"
#include "mqscope/safe_file.h"
#include "mqscope/secret.h"
#include "mqscope/topic.h"
#include "mqscope/util.h"
#include "mqscope/watch.h"

struct ctx {
	struct settings *s;
	const char *path;
	char *err;
	size_t cap;
	bool has_password;
};

static int fail_at(struct ctx *c, const config_setting_t *st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Formats "file:line: message" into the error buffer and returns -1. */
static int fail_at(struct ctx *c, const config_setting_t *st, const char *fmt, ...)
{
	const char *file = st ? config_setting_source_file(st) : NULL;
	int line = st ? (int)config_setting_source_line(st) : 0;
	int n;
	va_list ap;

	/* An error about the file as a whole (no profile named X) has no line. */
	if (line > 0)
		n = snprintf(c->err, c->cap, "%s:%d: ", file ? file : c->path, line);
	else
		n = snprintf(c->err, c->cap, "%s: ", file ? file : c->path);
	if (n < 0 || (size_t)n >= c->cap)
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->cap - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* Edit distance, for "did you mean" hints. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;
			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

void config_suggest(char *buf, size_t cap, const char *name, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t bd = 3;

	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		size_t d = distance(name, cands[i]);
		if (d < bd) {
			bd = d;
			best = cands[i];
		}
	}
	if (best)
		snprintf(buf, cap, " (did you mean '%s'?)", best);
}

static const char *type_name(int type)
{
	switch (type) {
	case CONFIG_TYPE_GROUP:
		return "a group { ... }";
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "a number";
	case CONFIG_TYPE_FLOAT:
		return "a number";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "true or false";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ... ]";
	case CONFIG_TYPE_LIST:
		return "a list ( ... )";
	default:
		return "nothing";
	}
}

static int want_type(struct ctx *c, const config_setting_t *st, int type)
{
	int t = config_setting_type(st);

	if (t == type || (type == CONFIG_TYPE_INT && t == CONFIG_TYPE_INT64))
		return 0;
	return fail_at(c, st, "'%s' must be %s, not %s",
	               config_setting_name(st) ? config_setting_name(st) : "value", type_name(type),
	               type_name(t));
}

/* A setting's value as text for options_apply: strings as they are, numbers printed. */
static int scalar_text(struct ctx *c, const config_setting_t *st, char *buf, size_t cap)
{
	switch (config_setting_type(st)) {
	case CONFIG_TYPE_STRING:
		snprintf(buf, cap, "%s", config_setting_get_string(st));
		return 0;
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		snprintf(buf, cap, "%lld", config_setting_get_int64(st));
		return 0;
	default:
		return fail_at(c, st, "'%s' must be a string or a number, not %s",
		               config_setting_name(st), type_name(config_setting_type(st)));
	}
}

/* Profile key aliases that read more naturally in a file than the flag names. */
static const char *alias(const char *name)
{
	static const char *const map[][2] = {
	    {"password", "pw"},
	    {"user", "username"},
	    {"client_id", "id"},
	    {"client-id", "id"},
	    {"topics", "topic"},
	    {"exclude", "filter-out"},
	    {"protocol", "protocol-version"},
	    {"version", "protocol-version"},
	    {"persistent", "disable-clean-session"},
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(name, map[i][0]) == 0)
			return map[i][1];
	return name;
}

/* Options a profile may set: the broker, TLS and will ones (not the program's or no-ops). */
static bool profile_option(enum option_id id)
{
	const char *g = options_group(id);

	/* Publish and output flags belong to one `mqscope pub` or `log` call, not to a profile. */
	return strcmp(g, "program") != 0 && strcmp(g, "compat") != 0 && strcmp(g, "publish") != 0 &&
	       strcmp(g, "output") != 0;
}

static bool is_path_option(enum option_id id)
{
	return id == OPT_CAFILE || id == OPT_CAPATH || id == OPT_CERT || id == OPT_KEY ||
	       id == OPT_UNIX;
}

/* "~/x" in a file name means $HOME/x, as a shell would have made it on the command line. */
static int expand_home(struct ctx *c, const config_setting_t *st, char *val, size_t cap)
{
	const char *home = getenv("HOME");
	char tmp[4096];

	if (strncmp(val, "~/", 2) != 0)
		return 0;
	if (home == NULL || *home == '\0')
		return fail_at(c, st, "'%s': ~ needs $HOME", val);
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s%s", home, val + 1) >= cap)
		return fail_at(c, st, "'%s': path too long", val);
	snprintf(val, cap, "%s", tmp);
	return 0;
}

/* brokers = ["house", "cloud"]: a profile that opens other profiles side by side. */
static int apply_brokers(struct ctx *c, const config_setting_t *st)
{
	const config_setting_t *profiles = config_setting_parent(config_setting_parent(st));
	int n = config_setting_length(st);

	if (config_setting_type(st) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(st) != CONFIG_TYPE_LIST)
		return fail_at(c, st,
		               "'brokers' is a list of profile names: [\"house\", \"cloud\"]");
	if (n < 1 || n > 8)
		return fail_at(c, st, "'brokers' names 1 to 8 profiles, not %d", n);
	settings_clear_list(&c->s->brokers, &c->s->nbrokers);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(st, (unsigned)i), *p;
		const char *name;

		if (want_type(c, e, CONFIG_TYPE_STRING))
			return -1;
		name = config_setting_get_string(e);
		p = config_setting_get_member(profiles, name);
		if (p == NULL)
			return fail_at(c, e, "'brokers': no profile '%s'", name);
		if (p == config_setting_parent(st) ||
		    (config_setting_is_group(p) && config_setting_get_member(p, "brokers")))
			return fail_at(c, e, "'brokers': '%s' lists brokers itself", name);
		settings_add_str(&c->s->brokers, &c->s->nbrokers, name);
	}
	return 0;
}

/* Applies one profile setting through the option table, as if it were a flag. */
static int apply_profile_key(struct ctx *c, const config_setting_t *st)
{
	const char *name = config_setting_name(st);
	int id = options_find(alias(name));
	char val[4096], msg[512];
	int rc;

	if (strcmp(name, "brokers") == 0)
		return apply_brokers(c, st);
	if (strcmp(name, "clean_session") == 0 || strcmp(name, "clean-session") == 0) {
		if (want_type(c, st, CONFIG_TYPE_BOOL))
			return -1;
		c->s->persistent = !config_setting_get_bool(st);
		return 0;
	}
	if (id < 0 || !profile_option((enum option_id)id)) {
		const char *cands[OPT__COUNT + 4];
		size_t n = 0;
		char hint[96];

		for (int i = 0; i < OPT__COUNT; i++)
			if (profile_option((enum option_id)i))
				cands[n++] = options_long_name((enum option_id)i);
		cands[n++] = "password";
		cands[n++] = "topics";
		cands[n++] = "clean_session";
		config_suggest(hint, sizeof(hint), name, cands, n);
		return fail_at(c, st, "unknown profile setting '%s'%s", name, hint);
	}
	if (id == OPT_PASSWORD || id == OPT_PSK)
		c->has_password = true;
	if ((id == OPT_URL || id == OPT_PROXY) && config_setting_type(st) == CONFIG_TYPE_STRING &&
	    strchr(config_setting_get_string(st), '@'))
		c->has_password = true;
	if (!options_takes_arg((enum option_id)id)) {
		if (want_type(c, st, CONFIG_TYPE_BOOL))
			return -1;
		if (config_setting_get_bool(st) &&
		    options_apply(c->s, (enum option_id)id, NULL, msg, sizeof(msg)))
			return fail_at(c, st, "%s", msg);
		return 0;
	}
	if (config_setting_is_aggregate(st)) {
		if (id != OPT_TOPIC && id != OPT_EXCLUDE && id != OPT_UNSUBSCRIBE &&
		    id != OPT_WS_HEADER)
			return fail_at(c, st, "'%s' takes one value, not %s", name,
			               type_name(config_setting_type(st)));
		for (int i = 0; i < config_setting_length(st); i++) {
			const config_setting_t *e = config_setting_get_elem(st, (unsigned)i);

			if (want_type(c, e, CONFIG_TYPE_STRING))
				return -1;
			if (options_apply(c->s, (enum option_id)id, config_setting_get_string(e),
			                  msg, sizeof(msg)))
				return fail_at(c, e, "%s", msg);
		}
		return 0;
	}
	if (scalar_text(c, st, val, sizeof(val)))
		return -1;
	if (is_path_option((enum option_id)id) && expand_home(c, st, val, sizeof(val)))
		return -1;
	rc = options_apply(c->s, (enum option_id)id, val, msg, sizeof(msg));
	explicit_bzero(val, sizeof(val)); /* it may have been a password */
	return rc ? fail_at(c, st, "%s", msg) : 0;
}

/* Applies every setting of profile p to c->s. */
static int apply_profile(struct ctx *c, const config_setting_t *p)
{
	if (want_type(c, p, CONFIG_TYPE_GROUP))
		return -1;
	for (int i = 0; i < config_setting_length(p); i++)
		if (apply_profile_key(c, config_setting_get_elem(p, (unsigned)i)))
			return -1;
	return 0;
}

static int apply_profiles(struct ctx *c, const config_setting_t *root)
{
	const config_setting_t *profiles = config_setting_get_member(root, "profiles");
	const config_setting_t *def = config_setting_get_member(root, "default_profile");
	const char *want = c->s->profile;
	const config_setting_t *p;

	if (profiles && want_type(c, profiles, CONFIG_TYPE_GROUP))
		return -1;
	if (def && want_type(c, def, CONFIG_TYPE_STRING))
		return -1;
	/* Every profile is checked, not just the one in use: a typo shows up today. */
	for (int i = 0; profiles && i < config_setting_length(profiles); i++) {
		struct settings scratch;
		struct ctx sc = *c;
		int rc;

		settings_init(&scratch);
		sc.s = &scratch;
		rc = apply_profile(&sc, config_setting_get_elem(profiles, (unsigned)i));
		settings_free(&scratch);
		if (rc)
			return -1;
	}
	if (want == NULL && def)
		want = config_setting_get_string(def);
	if (want == NULL)
		return 0;
	p = profiles ? config_setting_get_member(profiles, want) : NULL;
	if (p == NULL) {
		char names[512] = "";
		size_t o = 0;

		for (int i = 0; profiles && i < config_setting_length(profiles); i++) {
			const char *n =
			    config_setting_name(config_setting_get_elem(profiles, (unsigned)i));
			int w = snprintf(names + o, sizeof(names) - o, "%s%s", i ? ", " : "", n);

			if (w < 0 || (size_t)w >= sizeof(names) - o)
				break;
			o += (size_t)w;
		}
		return fail_at(c, c->s->profile ? profiles : def, "no profile '%s'; %s%s", want,
		               o ? "profiles here: " : "this file has no profiles", names);
	}
	if (apply_profile(c, p))
		return -1;
	settings_set_str(&c->s->profile, want);
	c->s->config_broker = true;
	return 0;
}

static int get_size(struct ctx *c, const config_setting_t *st, size_t *out)
{
	if (config_setting_type(st) == CONFIG_TYPE_INT ||
	    config_setting_type(st) == CONFIG_TYPE_INT64) {
		long long v = config_setting_get_int64(st);
		if (v < 0)
			return fail_at(c, st, "'%s' must not be negative", config_setting_name(st));
		*out = (size_t)v;
		return 0;
	}
	if (config_setting_type(st) == CONFIG_TYPE_STRING &&
	    parse_size(config_setting_get_string(st), out))
		return 0;
	return fail_at(c, st, "'%s' must be a size like 64M, 512K or a number of bytes",
	               config_setting_name(st));
}

static int get_int(struct ctx *c, const config_setting_t *st, long min, long max, long *out)
{
	long long v;

	if (want_type(c, st, CONFIG_TYPE_INT))
		return -1;
	v = config_setting_get_int64(st);
	if (v < min || v > max)
		return fail_at(c, st, "'%s' must be between %ld and %ld", config_setting_name(st),
		               min, max);
	*out = (long)v;
	return 0;
}

static int apply_ui(struct ctx *c, const config_setting_t *ui)
{
	static const char *const keys[] = {"fps",
	                                   "history",
	                                   "memory_budget",
	                                   "payload_cap",
	                                   "max_topics",
	                                   "ascii",
	                                   "theme",
	                                   "ring_bytes",
	                                   "bell",
	                                   "silence_factor",
	                                   "silence_floor_ms",
	                                   "tree_width",
	                                   "tree_height",
	                                   "mouse"};
	struct settings *s = c->s;

	if (want_type(c, ui, CONFIG_TYPE_GROUP))
		return -1;
	for (int i = 0; i < config_setting_length(ui); i++) {
		const config_setting_t *st = config_setting_get_elem(ui, (unsigned)i);
		const char *n = config_setting_name(st);
		long v;
		size_t z;

		if (!strcmp(n, "fps")) {
			if (get_int(c, st, 1, 120, &v))
				return -1;
			s->fps = (int)v;
		} else if (!strcmp(n, "history")) {
			if (get_int(c, st, 1, 65535, &v))
				return -1;
			s->history = (unsigned)v;
		} else if (!strcmp(n, "memory_budget")) {
			if (get_size(c, st, &s->value_budget))
				return -1;
		} else if (!strcmp(n, "payload_cap")) {
			if (get_size(c, st, &z))
				return -1;
			if (z < 64)
				return fail_at(c, st, "'payload_cap' must be at least 64 bytes");
			s->payload_cap = z;
		} else if (!strcmp(n, "max_topics")) {
			if (get_int(c, st, 1, 2000000000L, &v))
				return -1;
			s->max_topics = (size_t)v;
		} else if (!strcmp(n, "ring_bytes")) {
			if (get_size(c, st, &z))
				return -1;
			if (z < 65536)
				return fail_at(c, st, "'ring_bytes' must be at least 64K");
			s->ring_bytes = z;
		} else if (!strcmp(n, "tree_width") || !strcmp(n, "tree_height")) {
			if (get_int(c, st, 10, 90, &v))
				return -1;
			*(n[5] == 'w' ? &s->tree_width : &s->tree_height) = (int)v;
		} else if (!strcmp(n, "mouse")) {
			if (want_type(c, st, CONFIG_TYPE_BOOL))
				return -1;
			s->mouse = config_setting_get_bool(st);
		} else if (!strcmp(n, "ascii")) {
			if (want_type(c, st, CONFIG_TYPE_BOOL))
				return -1;
			s->ascii = config_setting_get_bool(st);
		} else if (!strcmp(n, "theme")) {
			if (want_type(c, st, CONFIG_TYPE_STRING))
				return -1;
			settings_set_str(&s->theme, config_setting_get_string(st));
		} else if (!strcmp(n, "stream_memory")) {
			if (get_size(c, st, &z))
				return -1;
			if (z < 65536)
				return fail_at(c, st, "'stream_memory' must be at least 64K");
			s->stream_bytes = z;
		} else if (!strcmp(n, "bell")) {
			if (want_type(c, st, CONFIG_TYPE_BOOL))
				return -1;
			s->bell = config_setting_get_bool(st);
		} else if (!strcmp(n, "silence_factor")) {
			double f;

			if (config_setting_type(st) == CONFIG_TYPE_FLOAT)
				f = config_setting_get_float(st);
			else if (want_type(c, st, CONFIG_TYPE_INT))
				return -1;
			else
				f = (double)config_setting_get_int64(st);
			if (!(f >= 1.5 && f <= 100))
				return fail_at(c, st,
				               "'silence_factor' must be between 1.5 and 100");
			s->silence_factor = f;
		} else if (!strcmp(n, "silence_floor_ms")) {
			if (get_int(c, st, 0, 86400000L, &v))
				return -1;
			s->silence_floor = v;
		} else {
			char hint[96];
			config_suggest(hint, sizeof(hint), n, keys, sizeof(keys) / sizeof(keys[0]));
			return fail_at(c, st, "unknown ui setting '%s'%s", n, hint);
		}
	}
	return 0;
}

/* Names of the actions of mode m, for suggestions; returns how many. */
static size_t mode_action_names(enum key_mode m, bool top, const char **out)
{
	size_t k = 0;

	for (int a = 1; a < ACT__COUNT; a++) {
		enum key_mode am = action_mode((enum action)a);

		if (top ? mode_group(am) == NULL : am == m)
			out[k++] = action_name((enum action)a);
	}
	return k;
}

/* libconfig names may not hold '-': accept move_up for move-up. */
static void dashed(char *buf, size_t cap, const char *name)
{
	snprintf(buf, cap, "%s", name);
	for (char *p = buf; *p; p++)
		if (*p == '_')
			*p = '-';
}

/* One binding: "action = key" or "action = [keys]"; the action is qualified name qname. */
static int add_binding(struct ctx *c, const config_setting_t *st, const char *qname)
{
	struct settings *s = c->s;
	const char *n = config_setting_name(st);
	struct key_binding *b;

	s->keys = xrealloc(s->keys, (s->nkeys + 1) * sizeof(*s->keys));
	b = &s->keys[s->nkeys++];
	memset(b, 0, sizeof(*b));
	b->action = xstrdup(qname);
	b->line = (int)config_setting_source_line(st);
	if (config_setting_type(st) == CONFIG_TYPE_STRING) {
		settings_add_str(&b->keys, &b->nkeys, config_setting_get_string(st));
		return 0;
	}
	if (!config_setting_is_array(st) && !config_setting_is_list(st))
		return fail_at(c, st, "'%s' must be a key like \"p\" or a list [\"p\", \"C-p\"]",
		               n);
	for (int j = 0; j < config_setting_length(st); j++) {
		const config_setting_t *e = config_setting_get_elem(st, (unsigned)j);
		if (want_type(c, e, CONFIG_TYPE_STRING))
			return -1;
		settings_add_str(&b->keys, &b->nkeys, config_setting_get_string(e));
	}
	return 0;
}

/* The bindings of one mode's group inside keys ("form = { send = \"C-s\"; }"). */
static int apply_mode_keys(struct ctx *c, const config_setting_t *group, enum key_mode m)
{
	const char *cands[ACT__COUNT];
	size_t k = mode_action_names(m, false, cands);

	for (int i = 0; i < config_setting_length(group); i++) {
		const config_setting_t *st = config_setting_get_elem(group, (unsigned)i);
		char name[64], qname[128], hint[96];

		dashed(name, sizeof(name), config_setting_name(st));
		if (action_in_mode(m, name) == ACT_NONE) {
			config_suggest(hint, sizeof(hint), name, cands, k);
			return fail_at(c, st, "unknown action '%s' in keys.%s%s",
			               config_setting_name(st), mode_group(m), hint);
		}
		snprintf(qname, sizeof(qname), "%s.%s", mode_group(m), name);
		if (add_binding(c, st, qname))
			return -1;
	}
	return 0;
}

static int apply_keys(struct ctx *c, const config_setting_t *keys)
{
	if (want_type(c, keys, CONFIG_TYPE_GROUP))
		return -1;
	for (int i = 0; i < config_setting_length(keys); i++) {
		const config_setting_t *st = config_setting_get_elem(keys, (unsigned)i);
		const char *n = config_setting_name(st);
		char name[64];

		dashed(name, sizeof(name), n);
		if (config_setting_type(st) == CONFIG_TYPE_GROUP) {
			/* A mode's own table: help_window, form, subscriptions_window... */
			enum key_mode m = mode_by_group(n);

			if (m == MODE_NONE) {
				const char *cands[MODE__COUNT];
				char hint[96];
				size_t k = 0;

				for (int g = 0; g < MODE__COUNT; g++)
					if (mode_group((enum key_mode)g))
						cands[k++] = mode_group((enum key_mode)g);
				config_suggest(hint, sizeof(hint), n, cands, k);
				return fail_at(c, st, "unknown key group '%s'%s", n, hint);
			}
			if (apply_mode_keys(c, st, m))
				return -1;
			continue;
		}
		if (action_by_name(name) == ACT_NONE) {
			const char *cands[ACT__COUNT];
			char hint[96];
			size_t k = mode_action_names(MODE_NONE, true, cands);

			config_suggest(hint, sizeof(hint), name, cands, k);
			return fail_at(c, st, "unknown action '%s'%s", n, hint);
		}
		if (add_binding(c, st, name))
			return -1;
	}
	return 0;
}

/* Looks up an optional string member; -1 on a wrong type. */
static int opt_str(struct ctx *c, const config_setting_t *g, const char *name, char **out)
{
	const config_setting_t *st = config_setting_get_member(g, name);

	if (st == NULL)
		return 0;
	if (want_type(c, st, CONFIG_TYPE_STRING))
		return -1;
	settings_set_str(out, config_setting_get_string(st));
	return 0;
}

static int opt_qos(struct ctx *c, const config_setting_t *g, int *out)
{
	const config_setting_t *st = config_setting_get_member(g, "qos");
	long v;

	if (st == NULL)
		return 0;
	if (get_int(c, st, 0, 2, &v))
		return -1;
	*out = (int)v;
	return 0;
}

/* Rejects members of g that are not in allowed. */
static int only_members(struct ctx *c, const config_setting_t *g, const char *what,
                        const char *const *allowed, size_t n)
{
	for (int i = 0; i < config_setting_length(g); i++) {
		const config_setting_t *st = config_setting_get_elem(g, (unsigned)i);
		const char *name = config_setting_name(st);
		bool ok = false;
		char hint[96];

		for (size_t j = 0; j < n && !ok; j++)
			ok = strcmp(name, allowed[j]) == 0;
		if (ok)
			continue;
		config_suggest(hint, sizeof(hint), name, allowed, n);
		return fail_at(c, st, "unknown %s setting '%s'%s", what, name, hint);
	}
	return 0;
}

static int apply_toggles(struct ctx *c, const config_setting_t *list)
{
	static const char *const allowed[] = {"filter", "command", "values",
	                                      "field",  "qos",     "retain"};
	struct settings *s = c->s;

	if (!config_setting_is_list(list) && !config_setting_is_array(list))
		return fail_at(c, list,
		               "'toggles' must be a list ( { filter = \"...\"; ... }, ... )");
	for (int i = 0; i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		const config_setting_t *st;
		struct toggle_rule *r;

		if (want_type(c, g, CONFIG_TYPE_GROUP) || only_members(c, g, "toggle", allowed, 6))
			return -1;
		s->toggles = xrealloc(s->toggles, (s->ntoggles + 1) * sizeof(*s->toggles));
		r = &s->toggles[s->ntoggles++];
		memset(r, 0, sizeof(*r));
		r->qos = -1;
		r->retain = -1;
		r->line = (int)config_setting_source_line(g);
		if (opt_str(c, g, "filter", &r->filter) || opt_str(c, g, "command", &r->command) ||
		    opt_str(c, g, "field", &r->field) || opt_qos(c, g, &r->qos))
			return -1;
		if (r->filter == NULL)
			return fail_at(c, g, "a toggle needs filter = \"topic/filter\"");
		if (!topic_filter_valid(r->filter))
			return fail_at(c, config_setting_get_member(g, "filter"),
			               "'%s' is not a valid topic filter", r->filter);
		if ((st = config_setting_get_member(g, "retain")) != NULL) {
			if (want_type(c, st, CONFIG_TYPE_BOOL))
				return -1;
			r->retain = config_setting_get_bool(st);
		}
		if ((st = config_setting_get_member(g, "values")) != NULL) {
			if (!config_setting_is_aggregate(st) || config_setting_length(st) != 2 ||
			    config_setting_type(config_setting_get_elem(st, 0)) !=
			        CONFIG_TYPE_STRING ||
			    config_setting_type(config_setting_get_elem(st, 1)) !=
			        CONFIG_TYPE_STRING)
				return fail_at(
				    c, st, "'values' must be two strings, like [\"ON\", \"OFF\"]");
			r->on = xstrdup(config_setting_get_string(config_setting_get_elem(st, 0)));
			r->off = xstrdup(config_setting_get_string(config_setting_get_elem(st, 1)));
		}
	}
	return 0;
}

static int apply_messages(struct ctx *c, const config_setting_t *list)
{
	static const char *const allowed[] = {"name",   "group", "topic", "payload",
	                                      "broker", "qos",   "retain"};
	struct settings *s = c->s;

	if (!config_setting_is_list(list) && !config_setting_is_array(list))
		return fail_at(
		    c, list,
		    "'messages' must be a list ( { name = \"...\"; topic = \"...\"; }, ... )");
	for (int i = 0; i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		const config_setting_t *st;
		struct saved_msg *m;

		if (want_type(c, g, CONFIG_TYPE_GROUP) || only_members(c, g, "message", allowed, 7))
			return -1;
		s->saved = xrealloc(s->saved, (s->nsaved + 1) * sizeof(*s->saved));
		m = &s->saved[s->nsaved++];
		memset(m, 0, sizeof(*m));
		m->line = (int)config_setting_source_line(g);
		if (opt_str(c, g, "name", &m->name) || opt_str(c, g, "group", &m->group) ||
		    opt_str(c, g, "topic", &m->topic) || opt_str(c, g, "payload", &m->payload) ||
		    opt_str(c, g, "broker", &m->broker) || opt_qos(c, g, &m->qos))
			return -1;
		if (m->topic == NULL)
			return fail_at(c, g, "a message needs topic = \"...\"");
		if (m->topic[0] == '\0' || topic_has_wildcard(m->topic))
			return fail_at(c, config_setting_get_member(g, "topic"),
			               "'%s' is not a topic one can publish to", m->topic);
		if (m->name == NULL)
			m->name = xstrdup(m->topic);
		if (m->payload == NULL)
			m->payload = xstrdup("");
		if ((st = config_setting_get_member(g, "retain")) != NULL) {
			if (want_type(c, st, CONFIG_TYPE_BOOL))
				return -1;
			m->retain = config_setting_get_bool(st);
		}
	}
	return 0;
}

/* A descriptor set named in the file: ~/ is $HOME, a relative path is next to the file. */
static int schema_path(struct ctx *c, const config_setting_t *st, char *out, size_t cap)
{
	const char *v = config_setting_get_string(st);
	const char *slash = strrchr(c->path, '/');

	snprintf(out, cap, "%s", v);
	if (expand_home(c, st, out, cap))
		return -1;
	if (out[0] != '/' && slash) {
		char tmp[4096];

		if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s/%s", (int)(slash - c->path), c->path,
		                     out) >= cap)
			return fail_at(c, st, "'%s': path too long", v);
		snprintf(out, cap, "%s", tmp);
	}
	return 0;
}

/* Checks a protobuf rule's schema and message type, loading the schema. */
static int apply_schema(struct ctx *c, const config_setting_t *g, struct decode_rule *r)
{
	const config_setting_t *sst = config_setting_get_member(g, "schema");
	const config_setting_t *mst = config_setting_get_member(g, "message");
	char path[4096], why[1024], hint[160];

	if (r->format != DECODE_PROTOBUF) {
		if (sst || mst)
			return fail_at(c, sst ? sst : mst, "'%s' is only for format = \"protobuf\"",
			               sst ? "schema" : "message");
		return 0;
	}
	if (sst == NULL && mst == NULL)
		return 0; /* protobuf without a schema: field numbers and wire types */
	if (sst == NULL)
		return fail_at(
		    c, mst, "'message' needs schema = \"file.desc\" (protoc --descriptor_set_out)");
	if (schema_path(c, sst, path, sizeof(path)))
		return -1;
	settings_set_str(&r->schema_path, path);
	r->schema = pbschema_load(path, why, sizeof(why));
	if (r->schema == NULL)
		return fail_at(c, sst, "%s", why);
	if (mst == NULL) {
		char list[512] = "";
		size_t o = 0, n = pbschema_types(r->schema);

		for (size_t i = 0; i < n && o < sizeof(list) - 1; i++) {
			int w = snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "",
			                 pbschema_type(r->schema, i));
			if (w < 0)
				break;
			o += (size_t)w;
		}
		return fail_at(c, sst, "a schema needs message = \"package.Type\"; %s has %s", path,
		               list);
	}
	if (pbschema_type_name(r->schema, r->message) == NULL) {
		size_t n = pbschema_types(r->schema);
		const char **cands = xmalloc((n ? n : 1) * sizeof(*cands));

		for (size_t i = 0; i < n; i++)
			cands[i] = pbschema_type(r->schema, i);
		config_suggest(hint, sizeof(hint), r->message, cands, n);
		free(cands);
		return fail_at(c, mst, "no message type '%s' in %s%s", r->message, path, hint);
	}
	return 0;
}

/* Checks that a setting is a list of groups, for watches and wills. */
static int want_list(struct ctx *c, const config_setting_t *list, const char *example)
{
	if (config_setting_is_list(list) || config_setting_is_array(list))
		return 0;
	return fail_at(c, list, "'%s' must be a list ( { %s }, ... )", config_setting_name(list),
	               example);
}

/* Reads a topic filter member that must be there. */
static int need_filter(struct ctx *c, const config_setting_t *g, const char *what, char **out)
{
	if (opt_str(c, g, "filter", out))
		return -1;
	if (*out == NULL)
		return fail_at(c, g, "a %s needs filter = \"topic/filter\"", what);
	if (!topic_filter_valid(*out))
		return fail_at(c, config_setting_get_member(g, "filter"),
		               "'%s' is not a valid topic filter", *out);
	return 0;
}

static int apply_watches(struct ctx *c, const config_setting_t *list)
{
	static const char *const allowed[] = {"name", "filter", "field", "condition", "bell"};
	struct settings *s = c->s;

	if (want_list(c, list, "filter = \"...\"; condition = \"> 30\";"))
		return -1;
	for (int i = 0; i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		const config_setting_t *st;
		struct watch_rule *r;
		struct watch_cond cond;
		char why[300];

		if (want_type(c, g, CONFIG_TYPE_GROUP) ||
		    only_members(c, g, "watch", allowed, sizeof(allowed) / sizeof(allowed[0])))
			return -1;
		if (s->nwatches == WATCH_MAX)
			return fail_at(c, g, "at most %d watches", WATCH_MAX);
		s->watches = xrealloc(s->watches, (s->nwatches + 1) * sizeof(*s->watches));
		r = &s->watches[s->nwatches++];
		memset(r, 0, sizeof(*r));
		r->bell = -1;
		r->line = (int)config_setting_source_line(g);
		if (opt_str(c, g, "name", &r->name) || need_filter(c, g, "watch", &r->filter) ||
		    opt_str(c, g, "field", &r->field) || opt_str(c, g, "condition", &r->condition))
			return -1;
		if (r->condition == NULL)
			return fail_at(c, g,
			               "a watch needs condition = \"> 30\" (or changes, "
			               "contains TEXT, matches REGEX, silent)");
		if (watch_cond_parse(r->condition, &cond, why, sizeof(why)) != 0)
			return fail_at(c, config_setting_get_member(g, "condition"), "%s", why);
		if (cond.op == WATCH_SILENT && r->field && *r->field) {
			watch_cond_free(&cond);
			return fail_at(c, config_setting_get_member(g, "field"),
			               "'silent' is about the topic, not a field");
		}
		watch_cond_free(&cond);
		if (r->field && strlen(r->field) >= PAYLOAD_PATH_MAX)
			return fail_at(c, config_setting_get_member(g, "field"),
			               "the field name is too long");
		if ((st = config_setting_get_member(g, "bell")) != NULL) {
			if (want_type(c, st, CONFIG_TYPE_BOOL))
				return -1;
			r->bell = config_setting_get_bool(st);
		}
	}
	return 0;
}

static int apply_decoders(struct ctx *c, const config_setting_t *list)
{
	static const char *const allowed[] = {"filter", "format", "schema", "message"};
	static const char *const formats[] = {"sparkplug", "protobuf", "cbor", "msgpack", "none"};
	struct settings *s = c->s;

	if (!config_setting_is_list(list) && !config_setting_is_array(list))
		return fail_at(
		    c, list,
		    "'decoders' must be a list ( { filter = \"...\"; format = \"cbor\"; }, ... )");
	for (int i = 0; i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		const config_setting_t *fst = config_setting_get_member(g, "format");
		struct decode_rule *r;
		const char *format;
		char hint[96];

		if (want_type(c, g, CONFIG_TYPE_GROUP) || only_members(c, g, "decoder", allowed, 4))
			return -1;
		s->decoders = xrealloc(s->decoders, (s->ndecoders + 1) * sizeof(*s->decoders));
		r = &s->decoders[s->ndecoders++];
		memset(r, 0, sizeof(*r));
		r->line = (int)config_setting_source_line(g);
		if (opt_str(c, g, "filter", &r->filter) || opt_str(c, g, "message", &r->message) ||
		    (fst && want_type(c, fst, CONFIG_TYPE_STRING)))
			return -1;
		if (r->filter == NULL)
			return fail_at(c, g, "a decoder needs filter = \"topic/filter\"");
		if (!topic_filter_valid(r->filter))
			return fail_at(c, config_setting_get_member(g, "filter"),
			               "'%s' is not a valid topic filter", r->filter);
		if (fst == NULL)
			return fail_at(c, g,
			               "a decoder needs format = \"sparkplug\", \"protobuf\", "
			               "\"cbor\", \"msgpack\" or \"none\"");
		format = config_setting_get_string(fst);
		if (!decode_format_parse(format, &r->format)) {
			config_suggest(hint, sizeof(hint), format, formats, 5);
			return fail_at(c, fst,
			               "unknown format '%s'%s; formats: sparkplug, protobuf, cbor, "
			               "msgpack, none",
			               format, hint);
		}
		if ((config_setting_get_member(g, "schema") &&
		     want_type(c, config_setting_get_member(g, "schema"), CONFIG_TYPE_STRING)) ||
		    apply_schema(c, g, r))
			return -1;
	}
	return 0;
}

static int apply_wills(struct ctx *c, const config_setting_t *list)
{
	static const char *const allowed[] = {"filter", "field", "offline", "online"};
	struct settings *s = c->s;

	if (want_list(c, list, "filter = \"...\"; offline = \"Offline\";"))
		return -1;
	for (int i = 0; i < config_setting_length(list); i++) {
		const config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
		struct will_rule *r;

		if (want_type(c, g, CONFIG_TYPE_GROUP) ||
		    only_members(c, g, "will", allowed, sizeof(allowed) / sizeof(allowed[0])))
			return -1;
		s->wills = xrealloc(s->wills, (s->nwills + 1) * sizeof(*s->wills));
		r = &s->wills[s->nwills++];
		memset(r, 0, sizeof(*r));
		r->line = (int)config_setting_source_line(g);
		if (need_filter(c, g, "will", &r->filter) || opt_str(c, g, "field", &r->field) ||
		    opt_str(c, g, "offline", &r->offline) || opt_str(c, g, "online", &r->online))
			return -1;
		if (r->offline == NULL || *r->offline == '\0')
			return fail_at(c, g, "a will needs offline = \"the payload it sends\"");
		if (r->field && strlen(r->field) >= PAYLOAD_PATH_MAX)
			return fail_at(c, config_setting_get_member(g, "field"),
			               "the field name is too long");
	}
	return 0;
}

static int apply_root(struct ctx *c, const config_setting_t *root)
{
	static const char *const known[] = {
	    "default_profile", "profiles", "ui",      "keys", "toggles",
	    "messages",        "decoders", "watches", "wills"};
	const config_setting_t *st;

	if (only_members(c, root, "top-level", known, sizeof(known) / sizeof(known[0])))
		return -1;
	if (apply_profiles(c, root))
		return -1;
	if ((st = config_setting_get_member(root, "ui")) && apply_ui(c, st))
		return -1;
	if ((st = config_setting_get_member(root, "keys")) && apply_keys(c, st))
		return -1;
	if ((st = config_setting_get_member(root, "toggles")) && apply_toggles(c, st))
		return -1;
	if ((st = config_setting_get_member(root, "messages")) && apply_messages(c, st))
		return -1;
	if ((st = config_setting_get_member(root, "decoders")) && apply_decoders(c, st))
		return -1;
	if ((st = config_setting_get_member(root, "watches")) && apply_watches(c, st))
		return -1;
	if ((st = config_setting_get_member(root, "wills")) && apply_wills(c, st))
		return -1;
	return 0;
}

/* Overwrites every string value under st: libconfig frees them without, and some are secrets. */
static void wipe_strings(config_setting_t *st)
{
	if (config_setting_type(st) == CONFIG_TYPE_STRING) {
		char *v = (char *)config_setting_get_string(st);

		if (v != NULL)
			explicit_bzero(v, strlen(v));
		return;
	}
	for (int i = 0; config_setting_is_aggregate(st) && i < config_setting_length(st); i++)
		wipe_strings(config_setting_get_elem(st, (unsigned)i));
}

int config_read_bounded(struct config_t *cf, const char *path, size_t max, char *err, size_t cap)
{
	char *text;
	size_t len;
	int line = 1, rc = 0;

	if (safe_file_read(path, max, &text, &len, err, cap) != 0)
		return -1;
	if (memchr(text, '\0', len) != NULL) {
		snprintf(err, cap, "%s: holds NUL bytes (not a text file)", path);
		rc = -1;
	}
	/* libconfig takes @include at the start of a line (after blanks). */
	for (const char *p = text; rc == 0 && p < text + len; line++) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));

		p += strspn(p, " \t");
		if (strncmp(p, "@include", 8) == 0) {
			snprintf(err, cap,
			         "%s:%d: @include is not supported (put the settings in this file)",
			         path, line);
			rc = -1;
		}
		p = nl ? nl + 1 : text + len;
	}
	if (rc == 0 && !config_read_string(cf, text)) {
		snprintf(err, cap, "%s:%d: %s", path, config_error_line(cf), config_error_text(cf));
		rc = -1;
	}
	explicit_bzero(text, len);
	free(text);
	return rc;
}

int config_load_file(struct settings *s, const char *path, char *err, size_t cap)
{
	struct ctx c = {.s = s, .path = path, .err = err, .cap = cap};
	struct stat sb;
	config_t cf;
	int rc;

	config_init(&cf);
	if (config_read_bounded(&cf, path, CONFIG_FILE_MAX, err, cap) != 0) {
		config_destroy(&cf);
		return -1;
	}
	rc = apply_root(&c, config_root_setting(&cf));
	wipe_strings(config_root_setting(&cf));
	config_destroy(&cf);
	if (rc == 0) {
		settings_set_str(&s->config_file, path);
		if (c.has_password && stat(path, &sb) == 0 && (sb.st_mode & 0044)) {
			char w[600];
			snprintf(w, sizeof(w),
			         "%s holds a password and is readable by others (chmod 600 %s)",
			         path, path);
			settings_set_str(&s->warning, w);
		}
	}
	return rc;
}

void config_dir_file(char *buf, size_t cap, const char *name)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg && *xdg)
		snprintf(buf, cap, "%s/mqscope/%s", xdg, name);
	else
		snprintf(buf, cap, "%s/.config/mqscope/%s", home && *home ? home : ".", name);
}

void config_default_path(char *buf, size_t cap)
{
	config_dir_file(buf, cap, "config");
}

int config_load(struct settings *s, char *err, size_t cap)
{
	char path[4096];

	if (s->config_path)
		return config_load_file(s, s->config_path, err, cap);
	config_default_path(path, sizeof(path));
	if (access(path, F_OK) != 0) {
		if (s->profile) {
			snprintf(err, cap, "--profile %s: no config file (looked for %s)",
			         s->profile, path);
			return -1;
		}
		return 0;
	}
	return config_load_file(s, path, err, cap);
}

int config_from_command_line(struct settings *s, int argc, char **argv)
{
	struct settings first;
	char err[1024];

	settings_init(s); /* the caller frees it whatever happens here */
	settings_init(&first);
	switch (options_parse(argc, argv, &first, stderr)) {
	case OPTIONS_EXIT:
		settings_free(&first);
		return 0;
	case OPTIONS_ERROR:
		settings_free(&first);
		return 2;
	case OPTIONS_OK:
		break;
	}
	settings_set_str(&s->config_path, first.config_path);
	settings_set_str(&s->profile, first.profile);
	settings_free(&first);
	if (config_load(s, err, sizeof(err)) != 0) {
		fprintf(stderr, "mqscope: %s\n", err);
		return 2;
	}
	if (options_parse(argc, argv, s, stderr) != OPTIONS_OK)
		return 2;
	/* The command line is parsed for good: hide its passwords from ps(1). */
	options_scrub_argv(argc, argv);
	secret_from_env(s);
	if (options_check(s, err, sizeof(err)) != 0) {
		fprintf(stderr, "mqscope: %s\n", err);
		return 2;
	}
	return -1;
}
