/* pbschema.c: a FileDescriptorSet (read with the protobuf-c code generated from
 * google/protobuf/descriptor.proto) turned into libprotobuf-c message descriptors at run time,
 * so that libprotobuf-c itself unpacks the user's messages; the unpacked message is then walked
 * with the same descriptors into a document. */
#define _GNU_SOURCE
#include "mqscope/pbschema.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <protobuf-c/protobuf-c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "descriptor.pb-c.h"
#include "mqscope/decode.h"
#include "mqscope/pbwire.h"
#include "mqscope/util.h"

#define SCHEMA_FILE_MAX (64u << 20)
/*
 * The layout of an unpacked message: libprotobuf-c's header, then one slot per field (a oneof
 * shares one): the quantifier (has_, n_ or the oneof case) and the value (16 bytes hold the
 * largest, ProtobufCBinaryData).
 */
#define SLOT_QUANT 8
#define SLOT_SIZE  (SLOT_QUANT + 16)
#define HEAD_SIZE  ((sizeof(ProtobufCMessage) + 7) & ~(size_t)7)

struct pbs_enum {
	ProtobufCEnumDescriptor d; /* first: the descriptor's address is the pbs_enum's */
	const Google__Protobuf__EnumDescriptorProto *proto;
	const char *package;
	char *full;
	ProtobufCEnumValue *values;
	ProtobufCEnumValueIndex *by_name;
	ProtobufCIntRange *ranges;
};

struct pbs_msg {
	ProtobufCMessageDescriptor d; /* first: the descriptor's address is the pbs_msg's */
	const Google__Protobuf__DescriptorProto *proto;
	const char *package;
	bool proto3;
	bool map_entry; /* a map<K, V> field's entry type: shown as an object */
	char *full;
	ProtobufCFieldDescriptor *fields;
	unsigned *by_name;
	ProtobufCIntRange *ranges;
};

struct pbschema {
	Google__Protobuf__FileDescriptorSet *set;
	struct pbs_msg *msgs;
	size_t nmsgs;
	struct pbs_enum *enums;
	size_t nenums;
};

/* ---- loading ---- */

static char *join(const char *scope, const char *name)
{
	char *s;

	if (scope == NULL || scope[0] == '\0')
		return xstrdup(name ? name : "");
	if (asprintf(&s, "%s.%s", scope, name ? name : "") < 0)
		abort();
	return s;
}

/* Counts the message and enum types below msgs (nested ones too). */
static void count(Google__Protobuf__DescriptorProto **msgs, size_t n, size_t *nm, size_t *ne)
{
	for (size_t i = 0; i < n; i++) {
		*nm += 1;
		*ne += msgs[i]->n_enum_type;
		count(msgs[i]->nested_type, msgs[i]->n_nested_type, nm, ne);
	}
}

/* Lists the types below msgs with their full names. */
static void collect(struct pbschema *s, Google__Protobuf__DescriptorProto **msgs, size_t n,
                    const char *scope, const char *package, bool proto3)
{
	for (size_t i = 0; i < n; i++) {
		struct pbs_msg *m = &s->msgs[s->nmsgs++];

		m->proto = msgs[i];
		m->package = package;
		m->proto3 = proto3;
		m->full = join(scope, msgs[i]->name);
		m->map_entry = msgs[i]->options && msgs[i]->options->has_map_entry &&
		               msgs[i]->options->map_entry;
		for (size_t e = 0; e < msgs[i]->n_enum_type; e++) {
			struct pbs_enum *en = &s->enums[s->nenums++];

			en->proto = msgs[i]->enum_type[e];
			en->package = package;
			en->full = join(m->full, en->proto->name);
		}
		collect(s, msgs[i]->nested_type, msgs[i]->n_nested_type, m->full, package, proto3);
	}
}

static struct pbs_msg *find_msg(const struct pbschema *s, const char *name)
{
	if (name[0] == '.')
		name++;
	for (size_t i = 0; i < s->nmsgs; i++)
		if (strcmp(s->msgs[i].full, name) == 0)
			return &s->msgs[i];
	return NULL;
}

static struct pbs_enum *find_enum(const struct pbschema *s, const char *name)
{
	if (name[0] == '.')
		name++;
	for (size_t i = 0; i < s->nenums; i++)
		if (strcmp(s->enums[i].full, name) == 0)
			return &s->enums[i];
	return NULL;
}

/*
 * Resolves a field's type name: fully qualified (".pkg.Type", as protoc writes descriptor sets)
 * or, failing that, relative to the scopes around the message, innermost first.
 */
static const void *resolve(const struct pbschema *s, const char *scope, const char *name,
                           bool is_enum)
{
	char *buf = NULL;
	const void *r;
	size_t n;

	if (name[0] == '.')
		return is_enum ? (const void *)find_enum(s, name) : (const void *)find_msg(s, name);
	n = strlen(scope);
	for (;;) {
		free(buf);
		if (asprintf(&buf, "%.*s%s%s", (int)n, scope, n ? "." : "", name) < 0)
			abort();
		r = is_enum ? (const void *)find_enum(s, buf) : (const void *)find_msg(s, buf);
		if (r || n == 0)
			break;
		while (n > 0 && scope[n - 1] != '.')
			n--;
		if (n > 0)
			n--;
	}
	free(buf);
	return r;
}

static ProtobufCType c_type(Google__Protobuf__FieldDescriptorProto__Type t)
{
	switch (t) {
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_DOUBLE:
		return PROTOBUF_C_TYPE_DOUBLE;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_FLOAT:
		return PROTOBUF_C_TYPE_FLOAT;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_INT64:
		return PROTOBUF_C_TYPE_INT64;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_UINT64:
		return PROTOBUF_C_TYPE_UINT64;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_INT32:
		return PROTOBUF_C_TYPE_INT32;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_FIXED64:
		return PROTOBUF_C_TYPE_FIXED64;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_FIXED32:
		return PROTOBUF_C_TYPE_FIXED32;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_BOOL:
		return PROTOBUF_C_TYPE_BOOL;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_STRING:
		return PROTOBUF_C_TYPE_STRING;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_MESSAGE:
		return PROTOBUF_C_TYPE_MESSAGE;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_BYTES:
		return PROTOBUF_C_TYPE_BYTES;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_UINT32:
		return PROTOBUF_C_TYPE_UINT32;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_ENUM:
		return PROTOBUF_C_TYPE_ENUM;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SFIXED32:
		return PROTOBUF_C_TYPE_SFIXED32;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SFIXED64:
		return PROTOBUF_C_TYPE_SFIXED64;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SINT32:
		return PROTOBUF_C_TYPE_SINT32;
	case GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__TYPE__TYPE_SINT64:
		return PROTOBUF_C_TYPE_SINT64;
	default: /* groups */
		return (ProtobufCType)-1;
	}
}

static int field_by_id(const void *a, const void *b)
{
	const ProtobufCFieldDescriptor *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int field_by_name(const void *a, const void *b, void *fields)
{
	const ProtobufCFieldDescriptor *f = fields;

	return strcmp(f[*(const unsigned *)a].name, f[*(const unsigned *)b].name);
}

/* Ranges of consecutive numbers, then the end marker, as libprotobuf-c looks numbers up. */
static ProtobufCIntRange *ranges(const int *nums, size_t n, unsigned *nranges)
{
	ProtobufCIntRange *r = xcalloc(n + 1, sizeof(*r));
	unsigned k = 0;

	for (size_t i = 0; i < n; i++) {
		if (i == 0 || nums[i] != nums[i - 1] + 1) {
			r[k].start_value = nums[i];
			r[k].orig_index = (unsigned)i;
			k++;
		}
	}
	r[k].start_value = 0;
	r[k].orig_index = (unsigned)n;
	*nranges = k;
	return r;
}

static bool build_enum(struct pbs_enum *e, char *err, size_t cap)
{
	const Google__Protobuf__EnumDescriptorProto *p = e->proto;
	size_t n = 0;
	int *nums;

	e->values = xcalloc(p->n_value + 1, sizeof(*e->values));
	/* Sorted by number, one name per number (an alias keeps the first name). */
	for (size_t i = 0; i < p->n_value; i++) {
		size_t j;
		int v = p->value[i]->number;

		for (j = 0; j < n && e->values[j].value != v; j++)
			;
		if (j < n)
			continue;
		e->values[n].name = p->value[i]->name ? p->value[i]->name : "";
		e->values[n].c_name = e->values[n].name;
		e->values[n].value = v;
		n++;
	}
	for (size_t i = 1; i < n; i++) {
		ProtobufCEnumValue t = e->values[i];
		size_t j = i;

		for (; j > 0 && e->values[j - 1].value > t.value; j--)
			e->values[j] = e->values[j - 1];
		e->values[j] = t;
	}
	nums = xmalloc((n + 1) * sizeof(*nums));
	for (size_t i = 0; i < n; i++)
		nums[i] = e->values[i].value;
	e->ranges = ranges(nums, n, &e->d.n_value_ranges);
	free(nums);
	e->by_name = xcalloc(n + 1, sizeof(*e->by_name));
	for (size_t i = 0; i < n; i++) {
		e->by_name[i].name = e->values[i].name;
		e->by_name[i].index = (unsigned)i;
	}
	e->d.magic = PROTOBUF_C__ENUM_DESCRIPTOR_MAGIC;
	e->d.name = e->full;
	e->d.short_name = p->name ? p->name : "";
	e->d.c_name = e->full;
	e->d.package_name = e->package ? e->package : "";
	e->d.n_values = (unsigned)n;
	e->d.values = e->values;
	e->d.n_value_names = (unsigned)n;
	e->d.values_by_name = e->by_name;
	e->d.value_ranges = e->ranges;
	(void)err, (void)cap;
	return true;
}

static bool build_msg(const struct pbschema *s, struct pbs_msg *m, char *err, size_t cap)
{
	const Google__Protobuf__DescriptorProto *p = m->proto;
	size_t n = p->n_field, off = HEAD_SIZE;
	size_t *oneof_at = xcalloc(p->n_oneof_decl + 1, sizeof(*oneof_at));
	int *nums;

	m->fields = n ? xcalloc(n, sizeof(*m->fields)) : NULL;
	for (size_t i = 0; i < n; i++) {
		const Google__Protobuf__FieldDescriptorProto *fp = p->field[i];
		ProtobufCFieldDescriptor *f = &m->fields[i];
		bool proto3_optional = fp->has_proto3_optional && fp->proto3_optional;
		bool oneof = fp->has_oneof_index && !proto3_optional && fp->oneof_index >= 0 &&
		             (size_t)fp->oneof_index < p->n_oneof_decl;
		size_t slot;

		f->name = fp->name ? fp->name : "";
		if (!fp->has_number || fp->number <= 0) {
			decode_error(err, cap, m->full, "field '%s' has no number", f->name);
			goto fail;
		}
		f->id = (uint32_t)fp->number;
		f->type = c_type(fp->type);
		if ((int)f->type < 0) {
			decode_error(err, cap, m->full,
			             "field '%s' is a group (proto2 groups are not supported)",
			             f->name);
			goto fail;
		}
		if (f->type == PROTOBUF_C_TYPE_MESSAGE || f->type == PROTOBUF_C_TYPE_ENUM) {
			const void *t = fp->type_name ? resolve(s, m->full, fp->type_name,
			                                        f->type == PROTOBUF_C_TYPE_ENUM)
			                              : NULL;

			if (t == NULL) {
				decode_error(err, cap, m->full,
				             "field '%s': type '%s' is not in the set", f->name,
				             fp->type_name ? fp->type_name : "?");
				goto fail;
			}
			/* Both structs start with their libprotobuf-c descriptor. */
			f->descriptor = t;
		}
		/* Required fields are read as optional: a viewer shows what came. */
		if (fp->has_label &&
		    fp->label == GOOGLE__PROTOBUF__FIELD_DESCRIPTOR_PROTO__LABEL__LABEL_REPEATED)
			f->label = PROTOBUF_C_LABEL_REPEATED;
		else if (m->proto3 && !oneof && !proto3_optional &&
		         f->type != PROTOBUF_C_TYPE_MESSAGE)
			f->label = PROTOBUF_C_LABEL_NONE;
		else
			f->label = PROTOBUF_C_LABEL_OPTIONAL;
		if (oneof) {
			f->flags |= PROTOBUF_C_FIELD_FLAG_ONEOF;
			if (oneof_at[fp->oneof_index] == 0) {
				oneof_at[fp->oneof_index] = off;
				off += SLOT_SIZE;
			}
			slot = oneof_at[fp->oneof_index];
		} else {
			slot = off;
			off += SLOT_SIZE;
		}
		f->quantifier_offset = (unsigned)slot;
		f->offset = (unsigned)(slot + SLOT_QUANT);
	}
	free(oneof_at);
	oneof_at = NULL;
	if (n)
		qsort(m->fields, n, sizeof(*m->fields), field_by_id);
	nums = xmalloc((n + 1) * sizeof(*nums));
	for (size_t i = 0; i < n; i++) {
		nums[i] = (int)m->fields[i].id;
		if (i && nums[i] == nums[i - 1]) {
			decode_error(err, cap, m->full, "field number %d is used twice", nums[i]);
			free(nums);
			goto fail;
		}
	}
	m->ranges = ranges(nums, n, &m->d.n_field_ranges);
	free(nums);
	m->by_name = xcalloc(n + 1, sizeof(*m->by_name));
	for (size_t i = 0; i < n; i++)
		m->by_name[i] = (unsigned)i;
	if (n)
		qsort_r(m->by_name, n, sizeof(*m->by_name), field_by_name, m->fields);
	m->d.magic = PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC;
	m->d.name = m->full;
	m->d.short_name = p->name ? p->name : "";
	m->d.c_name = m->full;
	m->d.package_name = m->package ? m->package : "";
	m->d.sizeof_message = off;
	m->d.n_fields = (unsigned)n;
	m->d.fields = m->fields;
	m->d.fields_sorted_by_name = m->by_name;
	m->d.field_ranges = m->ranges;
	m->d.message_init = NULL; /* libprotobuf-c's generic initialiser zeroes the message */
	return true;
fail:
	free(oneof_at);
	return false;
}

void pbschema_free(struct pbschema *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->nmsgs; i++) {
		free(s->msgs[i].full);
		free(s->msgs[i].fields);
		free(s->msgs[i].by_name);
		free(s->msgs[i].ranges);
	}
	for (size_t i = 0; i < s->nenums; i++) {
		free(s->enums[i].full);
		free(s->enums[i].values);
		free(s->enums[i].by_name);
		free(s->enums[i].ranges);
	}
	free(s->msgs);
	free(s->enums);
	google__protobuf__file_descriptor_set__free_unpacked(s->set, NULL);
	free(s);
}

struct pbschema *pbschema_parse(const void *data, size_t len, char *err, size_t cap)
{
	struct pbschema *s;
	size_t nm = 0, ne = 0;

	if (!pbwire_depth_ok(&google__protobuf__file_descriptor_set__descriptor, data, len,
	                     DECODE_DEPTH_MAX)) {
		decode_error(err, cap, "descriptor set", "not a FileDescriptorSet");
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->set = google__protobuf__file_descriptor_set__unpack(NULL, len, data);
	if (s->set == NULL || s->set->n_file == 0) {
		decode_error(err, cap, "descriptor set",
		             "not a FileDescriptorSet (make one with protoc --descriptor_set_out)");
		pbschema_free(s);
		return NULL;
	}
	for (size_t i = 0; i < s->set->n_file; i++) {
		const Google__Protobuf__FileDescriptorProto *f = s->set->file[i];

		ne += f->n_enum_type;
		count(f->message_type, f->n_message_type, &nm, &ne);
	}
	s->msgs = xcalloc(nm + 1, sizeof(*s->msgs));
	s->enums = xcalloc(ne + 1, sizeof(*s->enums));
	for (size_t i = 0; i < s->set->n_file; i++) {
		const Google__Protobuf__FileDescriptorProto *f = s->set->file[i];
		bool proto3 = f->syntax && strcmp(f->syntax, "proto3") == 0;

		for (size_t e = 0; e < f->n_enum_type; e++) {
			struct pbs_enum *en = &s->enums[s->nenums++];

			en->proto = f->enum_type[e];
			en->package = f->package;
			en->full = join(f->package, en->proto->name);
		}
		collect(s, f->message_type, f->n_message_type, f->package, f->package, proto3);
	}
	for (size_t i = 0; i < s->nenums; i++) {
		if (!build_enum(&s->enums[i], err, cap)) {
			pbschema_free(s);
			return NULL;
		}
	}
	for (size_t i = 0; i < s->nmsgs; i++) {
		if (!build_msg(s, &s->msgs[i], err, cap)) {
			pbschema_free(s);
			return NULL;
		}
	}
	if (s->nmsgs == 0) {
		decode_error(err, cap, "descriptor set", "holds no message types");
		pbschema_free(s);
		return NULL;
	}
	return s;
}

struct pbschema *pbschema_load(const char *path, char *err, size_t cap)
{
	/* Non-blocking: opening a FIFO must not wait for a writer. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	uint8_t *buf;
	size_t len = 0;
	ssize_t n;
	struct pbschema *s;

	if (fd < 0) {
		decode_error(err, cap, path, "cannot read: %s", strerror(errno));
		return NULL;
	}
	/* Only a regular file: a device or a pipe could be endless. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		decode_error(err, cap, path, "not a regular file");
		close(fd);
		return NULL;
	}
	if ((uint64_t)st.st_size > SCHEMA_FILE_MAX) {
		decode_error(err, cap, path, "larger than %u MiB", SCHEMA_FILE_MAX >> 20);
		close(fd);
		return NULL;
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (
	    len < (size_t)st.st_size &&
	    ((n = read(fd, buf + len, (size_t)st.st_size - len)) > 0 || (n < 0 && errno == EINTR)))
		len += n > 0 ? (size_t)n : 0;
	close(fd);
	s = pbschema_parse(buf, len, err, cap);
	free(buf);
	if (s == NULL && cap) {
		char why[512];

		snprintf(why, sizeof(why), "%s", err);
		snprintf(err, cap, "%s: %s", path, why);
	}
	return s;
}

const char *pbschema_type_name(const struct pbschema *s, const char *name)
{
	const struct pbs_msg *m = find_msg(s, name);

	return m ? m->full : NULL;
}

size_t pbschema_types(const struct pbschema *s)
{
	return s->nmsgs;
}

const char *pbschema_type(const struct pbschema *s, size_t i)
{
	return i < s->nmsgs ? s->msgs[i].full : NULL;
}

/* ---- decoding ---- */

struct walk {
	struct decode_budget budget;
	bool spent;
	size_t unknown;
};

static cJSON *message(struct walk *w, const ProtobufCMessage *msg, unsigned depth);

/* One value of field f at p (a scalar, string, bytes or message). */
static cJSON *value(struct walk *w, const ProtobufCFieldDescriptor *f, const void *p,
                    unsigned depth)
{
	int32_t i32;
	uint32_t u32;
	int64_t i64;
	uint64_t u64;
	float fl;
	double db;

	w->spent = w->spent || !decode_spend(&w->budget);
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		memcpy(&i32, p, 4);
		return decode_int(i32);
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		memcpy(&u32, p, 4);
		return decode_uint(u32);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		memcpy(&i64, p, 8);
		return decode_int(i64);
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		memcpy(&u64, p, 8);
		return decode_uint(u64);
	case PROTOBUF_C_TYPE_FLOAT:
		memcpy(&fl, p, 4);
		return decode_float(fl);
	case PROTOBUF_C_TYPE_DOUBLE:
		memcpy(&db, p, 8);
		return decode_double(db);
	case PROTOBUF_C_TYPE_BOOL:
		return decode_bool(*(const protobuf_c_boolean *)p != 0);
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *ev;

		memcpy(&i32, p, 4);
		ev = protobuf_c_enum_descriptor_get_value(f->descriptor, i32);
		/* A number the enum does not name stays a number. */
		return ev ? decode_string(ev->name, strlen(ev->name)) : decode_int(i32);
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;

		return decode_string(s ? s : "", s ? strlen(s) : 0);
	}
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;

		return decode_bytes(b->len ? b->data : (const uint8_t *)"", b->len);
	}
	default: { /* a message */
		const ProtobufCMessage *sub = *(ProtobufCMessage *const *)p;

		return sub ? message(w, sub, depth + 1) : decode_null();
	}
	}
}

/* Bytes one value of a type takes in a repeated field's array (as libprotobuf-c lays it out). */
static size_t elt_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default:
		return 4;
	}
}

/* Whether a field without presence (proto3) holds its default, which the wire leaves out. */
static bool is_default(const ProtobufCFieldDescriptor *f, const void *p)
{
	static const uint8_t zero[16];

	switch (f->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(char *const *)p;

		return s == NULL || s[0] == '\0';
	}
	case PROTOBUF_C_TYPE_BYTES:
		return ((const ProtobufCBinaryData *)p)->len == 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(ProtobufCMessage *const *)p == NULL;
	default:
		return memcmp(p, zero, elt_size(f->type)) == 0;
	}
}

/* The entries of a map field as an object keyed by the entries' keys. */
static cJSON *map(struct walk *w, const ProtobufCFieldDescriptor *f, ProtobufCMessage *const *e,
                  size_t n, unsigned depth)
{
	const ProtobufCMessageDescriptor *ed = f->descriptor;
	const ProtobufCFieldDescriptor *kf = protobuf_c_message_descriptor_get_field(ed, 1),
	                               *vf = protobuf_c_message_descriptor_get_field(ed, 2);
	cJSON *o = decode_object();

	for (size_t i = 0; i < n && !w->spent && kf && vf; i++) {
		const char *base = (const char *)e[i];

		decode_add_keyed(o, value(w, kf, base + kf->offset, depth),
		                 value(w, vf, base + vf->offset, depth));
	}
	return o;
}

/* Fields the schema does not know, read without it: tag and value bytes make the wire form. */
static void unknown(struct walk *w, cJSON *o, const ProtobufCMessage *msg)
{
	cJSON *u = decode_object();

	for (unsigned i = 0; i < msg->n_unknown_fields && !w->spent; i++) {
		const ProtobufCMessageUnknownField *uf = &msg->unknown_fields[i];
		uint8_t *buf = xmalloc(uf->len + 10);
		uint64_t tag = (uint64_t)uf->tag << 3 | uf->wire_type;
		size_t k = 0;
		cJSON *raw;

		do {
			buf[k++] = (uint8_t)((tag & 0x7f) | (tag > 0x7f ? 0x80 : 0));
			tag >>= 7;
		} while (tag);
		memcpy(buf + k, uf->data, uf->len);
		raw = decode_protobuf_raw(buf, k + uf->len, NULL, 0);
		free(buf);
		w->unknown++;
		/* The field's entry from the raw reading ({"7": value}) moves into u. */
		while (raw && raw->child) {
			cJSON *c = cJSON_DetachItemViaPointer(raw, raw->child);

			cJSON_AddItemToObject(u, c->string, c);
		}
		cJSON_Delete(raw);
	}
	cJSON_AddItemToObject(o, "$unknown", u);
}

/* The present fields of msg by name, in field number order. */
static cJSON *message(struct walk *w, const ProtobufCMessage *msg, unsigned depth)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	const char *base = (const char *)msg;
	cJSON *o = decode_object();

	for (unsigned i = 0; i < d->n_fields && !w->spent && depth <= DECODE_DEPTH_MAX; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const void *p = base + f->offset;
		cJSON *v;

		if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			uint32_t which;

			memcpy(&which, base + f->quantifier_offset, sizeof(which));
			if (which != f->id)
				continue;
			v = value(w, f, p, depth);
		} else if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n, size = elt_size(f->type);
			const char *arr = *(char *const *)p;

			memcpy(&n, base + f->quantifier_offset, sizeof(n));
			if (n == 0)
				continue;
			if (f->type == PROTOBUF_C_TYPE_MESSAGE &&
			    ((const struct pbs_msg *)f->descriptor)->map_entry) {
				v = map(w, f, (ProtobufCMessage *const *)arr, n, depth);
			} else {
				v = decode_array();
				for (size_t k = 0; k < n && !w->spent; k++)
					cJSON_AddItemToArray(v, value(w, f, arr + k * size, depth));
			}
		} else if (f->label == PROTOBUF_C_LABEL_NONE) {
			if (is_default(f, p))
				continue;
			v = value(w, f, p, depth);
		} else {
			protobuf_c_boolean has;

			memcpy(&has, base + f->quantifier_offset, sizeof(has));
			if (f->type == PROTOBUF_C_TYPE_STRING || f->type == PROTOBUF_C_TYPE_MESSAGE
			        ? *(void *const *)p == NULL
			        : !has)
				continue;
			v = value(w, f, p, depth);
		}
		cJSON_AddItemToObject(o, f->name, v);
	}
	if (msg->n_unknown_fields)
		unknown(w, o, msg);
	return o;
}

struct cJSON *pbschema_decode(const struct pbschema *s, const char *type, const void *data,
                              size_t len, char *err, size_t cap)
{
	const struct pbs_msg *m = find_msg(s, type);
	ProtobufCMessage *msg;
	struct walk w = {0};
	cJSON *doc;

	if (m == NULL) {
		decode_error(err, cap, "protobuf", "no message type '%s' in the schema", type);
		return NULL;
	}
	if (!pbwire_depth_ok(&m->d, data, len, DECODE_DEPTH_MAX)) {
		decode_error(err, cap, "protobuf", "not a %s (malformed, or nested too deep)",
		             m->full);
		return NULL;
	}
	msg = protobuf_c_message_unpack(&m->d, NULL, len, data);
	if (msg == NULL) {
		decode_error(err, cap, "protobuf", "not a %s", m->full);
		return NULL;
	}
	doc = message(&w, msg, 0);
	protobuf_c_message_free_unpacked(msg, NULL);
	if (w.spent) {
		decode_error(err, cap, "protobuf", "more than %d values", DECODE_NODES_MAX);
		cJSON_Delete(doc);
		return NULL;
	}
	return doc;
}
