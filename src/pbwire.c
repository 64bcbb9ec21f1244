/* pbwire.c: Protocol Buffers wire format, read field by field with every length checked. */
#include "mqscope/pbwire.h"

#include <protobuf-c/protobuf-c.h>
#include <string.h>

#define PBWIRE_GROUP_MAX 64 /* deepest group nesting pbwire_next follows */

void pbwire_init(struct pbwire *r, const void *data, size_t len)
{
	r->p = data;
	r->end = r->p + len;
	r->bad = false;
}

/* A varint of at most ten bytes, the tenth holding only the top bit. */
static bool varint(const uint8_t **pp, const uint8_t *end, uint64_t *out)
{
	const uint8_t *p = *pp;
	uint64_t v = 0;

	for (unsigned i = 0; i < 10 && p < end; i++, p++) {
		if (i == 9 && *p > 1)
			return false;
		v |= (uint64_t)(*p & 0x7f) << (7 * i);
		if (!(*p & 0x80)) {
			*pp = p + 1;
			*out = v;
			return true;
		}
	}
	return false;
}

/* Reads a tag: field number (1 .. 2^29-1) and wire type (0-5). */
static bool tag(const uint8_t **pp, const uint8_t *end, uint32_t *number, enum pbwire_type *type)
{
	uint64_t t;

	if (!varint(pp, end, &t) || (t >> 3) == 0 || (t >> 3) > 0x1fffffff || (t & 7) > 5)
		return false;
	*number = (uint32_t)(t >> 3);
	*type = (enum pbwire_type)(t & 7);
	return true;
}

/* Skips one value of wire type `type` (not a group) at *pp. */
static bool skip_value(const uint8_t **pp, const uint8_t *end, enum pbwire_type type)
{
	uint64_t v;

	switch (type) {
	case PBWIRE_VARINT:
		return varint(pp, end, &v);
	case PBWIRE_FIXED64:
		if (end - *pp < 8)
			return false;
		*pp += 8;
		return true;
	case PBWIRE_FIXED32:
		if (end - *pp < 4)
			return false;
		*pp += 4;
		return true;
	case PBWIRE_BYTES:
		if (!varint(pp, end, &v) || v > (uint64_t)(end - *pp))
			return false;
		*pp += v;
		return true;
	default:
		return false;
	}
}

/* Finds the end of the group `number` whose fields start at *pp; *content_end is where its end
 * tag starts. Nested groups are followed without recursion. */
static bool group_end(const uint8_t **pp, const uint8_t *end, uint32_t number, unsigned depth_max,
                      const uint8_t **content_end)
{
	uint32_t open[PBWIRE_GROUP_MAX];
	unsigned depth = 1;

	if (depth_max > PBWIRE_GROUP_MAX)
		depth_max = PBWIRE_GROUP_MAX;
	if (depth_max == 0)
		return false;
	open[0] = number;
	while (*pp < end) {
		const uint8_t *at = *pp;
		uint32_t n;
		enum pbwire_type t;

		if (!tag(pp, end, &n, &t))
			return false;
		if (t == PBWIRE_GROUP_START) {
			if (depth == depth_max)
				return false;
			open[depth++] = n;
		} else if (t == PBWIRE_GROUP_END) {
			if (open[depth - 1] != n)
				return false;
			if (--depth == 0) {
				*content_end = at;
				return true;
			}
		} else if (!skip_value(pp, end, t)) {
			return false;
		}
	}
	return false;
}

bool pbwire_next(struct pbwire *r, struct pbwire_field *f, unsigned depth_max)
{
	const uint8_t *p = r->p;
	uint64_t v;

	if (r->bad || p >= r->end)
		return false;
	memset(f, 0, sizeof(*f));
	if (!tag(&p, r->end, &f->number, &f->type))
		goto bad;
	switch (f->type) {
	case PBWIRE_VARINT:
		if (!varint(&p, r->end, &f->num))
			goto bad;
		break;
	case PBWIRE_FIXED64:
		if (r->end - p < 8)
			goto bad;
		for (int i = 7; i >= 0; i--)
			f->num = f->num << 8 | p[i];
		p += 8;
		break;
	case PBWIRE_FIXED32:
		if (r->end - p < 4)
			goto bad;
		for (int i = 3; i >= 0; i--)
			f->num = f->num << 8 | p[i];
		p += 4;
		break;
	case PBWIRE_BYTES:
		if (!varint(&p, r->end, &v) || v > (uint64_t)(r->end - p))
			goto bad;
		f->data = p;
		f->len = (size_t)v;
		p += v;
		break;
	case PBWIRE_GROUP_START: {
		const uint8_t *content_end;

		f->data = p;
		if (!group_end(&p, r->end, f->number, depth_max, &content_end))
			goto bad;
		f->len = (size_t)(content_end - f->data);
		break;
	}
	default: /* an end without a start */
		goto bad;
	}
	r->p = p;
	return true;
bad:
	r->bad = true;
	return false;
}

bool pbwire_is_message(const void *data, size_t len, unsigned depth_max)
{
	struct pbwire r;
	struct pbwire_field f;
	size_t n = 0;

	pbwire_init(&r, data, len);
	while (pbwire_next(&r, &f, depth_max))
		n++;
	return !r.bad && n > 0;
}

bool pbwire_find_varint(const void *data, size_t len, uint32_t number, uint64_t *out)
{
	struct pbwire r;
	struct pbwire_field f;

	pbwire_init(&r, data, len);
	while (pbwire_next(&r, &f, PBWIRE_GROUP_MAX)) {
		if (f.number == number && f.type == PBWIRE_VARINT) {
			*out = f.num;
			return true;
		}
	}
	return false;
}

bool pbwire_depth_ok(const struct ProtobufCMessageDescriptor *desc, const void *data, size_t len,
                     unsigned depth_max)
{
	struct pbwire r;
	struct pbwire_field f;

	if (depth_max == 0)
		return false;
	pbwire_init(&r, data, len);
	while (pbwire_next(&r, &f, PBWIRE_GROUP_MAX)) {
		const ProtobufCFieldDescriptor *fd =
		    protobuf_c_message_descriptor_get_field(desc, f.number);

		if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE && f.type == PBWIRE_BYTES &&
		    !pbwire_depth_ok(fd->descriptor, f.data, f.len, depth_max - 1))
			return false;
	}
	return !r.bad;
}
