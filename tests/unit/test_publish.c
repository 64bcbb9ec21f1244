/* test_publish.c: message drafts (MQTT 5 extras), the saved-messages file, `mqscope pub` flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mqscope/config.h"
#include "mqscope/msg.h"
#include "mqscope/options.h"
#include "mqscope/pub_draft.h"
#include "mqscope/saved.h"
#include "mqscope/util.h"

static void unit__pub_draft__user_props_parse(void **state)
{
	char **pairs, err[200];
	size_t n;

	(void)state;
	assert_int_equal(
	    pub_draft_parse_props(" a=1 ; b = two words;;c=", &pairs, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 3);
	assert_string_equal(pairs[0], "a");
	assert_string_equal(pairs[1], "1");
	assert_string_equal(pairs[2], "b");
	assert_string_equal(pairs[3], "two words");
	assert_string_equal(pairs[4], "c");
	assert_string_equal(pairs[5], "");
	for (size_t i = 0; i < 2 * n; i++)
		free(pairs[i]);
	free(pairs);
	assert_int_equal(pub_draft_parse_props("", &pairs, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pub_draft_parse_props(NULL, &pairs, &n, err, sizeof(err)), 0);
	assert_int_equal(pub_draft_parse_props("a=1; novalue", &pairs, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "'novalue' has no '='"));
	assert_int_equal(pub_draft_parse_props("=x", &pairs, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no key"));
}

static void unit__pub_draft__from_value_and_build(void **state)
{
	uint8_t props[256];
	size_t off = 0;
	struct tree_value *v = malloc(sizeof(*v) + 3 + sizeof(props));
	struct pub_draft d;
	struct pub_built b;
	char err[200];

	(void)state;
	assert_true(props_put_str(props, sizeof(props), &off, PROP_CONTENT_TYPE, "text/x", 6));
	assert_true(props_put_str(props, sizeof(props), &off, PROP_RESPONSE_TOPIC, "r/t", 3));
	assert_true(props_put_pair(props, sizeof(props), &off, "k1", 2, "v1", 2));
	assert_true(props_put_pair(props, sizeof(props), &off, "k2", 2, "v 2", 3));
	memset(v, 0, sizeof(*v));
	v->len = v->orig_len = 3;
	v->props_len = (uint32_t)off;
	v->qos = 1;
	v->retained = 1;
	memcpy(v->data, "a\0b", 3);
	memcpy(v->data + 3, props, off);

	pub_draft_init(&d);
	pub_draft_from_value(&d, "x/y", v);
	assert_string_equal(d.topic, "x/y");
	assert_int_equal(d.len, 3);
	assert_memory_equal(d.payload, "a\0b", 3);
	assert_int_equal(d.qos, 1);
	assert_true(d.retain);
	assert_string_equal(d.content_type, "text/x");
	assert_string_equal(d.response_topic, "r/t");
	assert_string_equal(d.user_props, "k1=v1; k2=v 2");

	assert_int_equal(pub_draft_build(&d, true, &b, err, sizeof(err)), 0);
	assert_string_equal(b.req.topic, "x/y");
	assert_int_equal(b.req.len, 3);
	assert_int_equal(b.req.nuser_props, 2);
	assert_string_equal(b.req.user_props[3], "v 2");
	assert_string_equal(b.req.content_type, "text/x");
	pub_built_free(&b);
	/* MQTT 3: no properties go out. */
	assert_int_equal(pub_draft_build(&d, false, &b, err, sizeof(err)), 0);
	assert_null(b.req.content_type);
	assert_int_equal(b.req.nuser_props, 0);
	pub_built_free(&b);

	free(d.topic);
	d.topic = xstrdup("a/+");
	assert_int_equal(pub_draft_build(&d, true, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "not a filter"));
	free(d.topic);
	d.topic = xstrdup("");
	assert_int_equal(pub_draft_build(&d, true, &b, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "empty"));
	pub_draft_free(&d);
	free(v);
}

static void unit__saved__write_and_read_back(void **state)
{
	char dir[] = "/tmp/mqscope-saved.XXXXXX", path[256], err[300];
	struct saved_msg m[2], *got;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/dir/messages", dir);
	memset(m, 0, sizeof(m));
	m[0].name = "quotes \" and \\ back";
	m[0].topic = "a/b";
	m[0].payload = "line 1\nline 2\ttab \x01\x1b[2J \x7f \xc3\xa9 \xff";
	m[0].qos = 2;
	m[0].retain = true;
	m[1].name = "second";
	m[1].group = "g: one";
	m[1].topic = "c";
	m[1].payload = "";
	assert_int_equal(saved_write(path, m, 2, err, sizeof(err)), 0);
	assert_int_equal(saved_load(path, &got, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 2);
	assert_string_equal(got[0].name, m[0].name);
	assert_string_equal(got[0].payload, m[0].payload);
	assert_int_equal(got[0].qos, 2);
	assert_true(got[0].retain);
	assert_null(got[0].group);
	assert_string_equal(got[1].group, "g: one");
	assert_string_equal(got[1].payload, "");
	assert_false(got[1].retain);
	saved_remove(got, &n, 0);
	assert_int_equal(n, 1);
	assert_string_equal(got[0].name, "second");
	saved_free(got, n);

	/* An empty list is a valid file; a missing file is an empty list. */
	assert_int_equal(saved_write(path, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(saved_load(path, &got, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	unlink(path);
	assert_int_equal(saved_load(path, &got, &n, err, sizeof(err)), 0);
	assert_int_equal(n, 0);

	/* A broken file is reported with file:line. */
	{
		FILE *f = fopen(path, "w");
		fputs("messages = (\n  { name = \"x\"; }\n);\n", f);
		fclose(f);
	}
	assert_int_equal(saved_load(path, &got, &n, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "messages:2:"));
	assert_non_null(strstr(err, "needs topic"));
	unlink(path);

	assert_false(saved_payload_ok("a\0b", 3, err, sizeof(err)));
	assert_true(saved_payload_ok("ab", 2, err, sizeof(err)));
	snprintf(path, sizeof(path), "%s/sub/dir", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sub", dir);
	rmdir(path);
	rmdir(dir);
}

static enum options_result parse(struct settings *s, int argc, char **argv)
{
	FILE *null = fopen("/dev/null", "w");
	enum options_result r;

	settings_init(s);
	r = options_parse(argc, argv, s, null);
	fclose(null);
	return r;
}

static void unit__options__publish_flags(void **state)
{
	char *a1[] = {"pub", "-t", "a/b", "-m", "hello world", "-q", "2", "-r", NULL};
	char *a2[] = {"pub", "--file", "/x", "--stdin-file", "--null-message", "--retain", NULL};
	struct settings s;

	(void)state;
	assert_int_equal(parse(&s, 8, a1), OPTIONS_OK);
	assert_string_equal(s.topics[0], "a/b");
	assert_string_equal(s.pub_message, "hello world");
	assert_int_equal(s.qos, 2);
	assert_true(s.pub_retain);
	assert_int_equal(options_given_in_group(&s, "publish"), OPT_MESSAGE);
	settings_free(&s);
	assert_int_equal(parse(&s, 6, a2), OPTIONS_OK);
	assert_string_equal(s.pub_file, "/x");
	assert_true(s.pub_stdin);
	assert_true(s.pub_null);
	assert_true(s.pub_retain);
	settings_free(&s);
	{
		char *a3[] = {"mqscope", "-h", "x", NULL};
		char name[48];

		assert_int_equal(parse(&s, 3, a3), OPTIONS_OK);
		assert_int_equal(options_given_in_group(&s, "publish"), -1);
		settings_free(&s);
		options_flag_name(OPT_NULL_MESSAGE, name, sizeof(name));
		assert_string_equal(name, "-n/--null-message");
	}
}

static void unit__config__profiles_cannot_set_publish_flags(void **state)
{
	char path[] = "/tmp/mqscope-cfg.XXXXXX", err[300];
	struct settings s;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	(void)state;
	fputs("default_profile = \"home\";\nprofiles = {\n  home = {\n    host = \"h\";\n"
	      "    retain = true;\n  };\n};\n",
	      f);
	fclose(f);
	settings_init(&s);
	assert_int_equal(config_load_file(&s, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":5: unknown profile setting 'retain'"));
	assert_false(s.pub_retain);
	settings_free(&s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(unit__pub_draft__user_props_parse),
	    cmocka_unit_test(unit__pub_draft__from_value_and_build),
	    cmocka_unit_test(unit__saved__write_and_read_back),
	    cmocka_unit_test(unit__options__publish_flags),
	    cmocka_unit_test(unit__config__profiles_cannot_set_publish_flags),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
