/* pbschema.h: Protocol Buffers with the user's schema: a compiled descriptor set (protoc
 * --descriptor_set_out) turned into libprotobuf-c descriptors at run time, and messages decoded
 * with them into documents with field names, enum names and nested types. */
#ifndef MQSCOPE_PBSCHEMA_H
#define MQSCOPE_PBSCHEMA_H

#include <stddef.h>

struct cJSON;
struct pbschema;

/* Reads a FileDescriptorSet file; NULL with "why" in err (cap may be 0). */
struct pbschema *pbschema_load(const char *path, char *err, size_t cap);
/* The same from bytes in memory. */
struct pbschema *pbschema_parse(const void *data, size_t len, char *err, size_t cap);
void pbschema_free(struct pbschema *s);

/* The schema's spelling of a message type ("pkg.Type", a leading '.' allowed), or NULL. */
const char *pbschema_type_name(const struct pbschema *s, const char *name);
/* Message types the schema holds, and the i-th one's full name. */
size_t pbschema_types(const struct pbschema *s);
const char *pbschema_type(const struct pbschema *s, size_t i);

/* Decodes a message of the named type; NULL with why in err. */
struct cJSON *pbschema_decode(const struct pbschema *s, const char *type, const void *data,
                              size_t len, char *err, size_t cap);

#endif
