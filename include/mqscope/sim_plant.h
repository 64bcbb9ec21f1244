/* sim_plant.h: the demo's devices that speak binary formats: a Sparkplug B edge node with two
 * devices, a CBOR sensor and a MessagePack meter. The connection is the caller's: it hands
 * over a publish function, the commands that arrive, and a tick every 500 ms. */
#ifndef MQSCOPE_SIM_PLANT_H
#define MQSCOPE_SIM_PLANT_H

#include <stdbool.h>
#include <stddef.h>

/* Publishes len bytes (QoS 0); content_type is the MQTT 5 content type, or NULL. */
typedef void (*sim_publish_fn)(void *ctx, const char *topic, const void *payload, size_t len,
                               bool retain, const char *content_type);

struct sim_plant;

#define SIM_PLANT_GROUP "Plant1"
#define SIM_PLANT_NODE  "Edge1"

struct sim_plant *sim_plant_new(sim_publish_fn publish, void *ctx);
void sim_plant_free(struct sim_plant *p);
/* The topic filters the devices take commands on. */
const char *const *sim_plant_topics(size_t *n);
/* A new connection: the node and devices are born again (NBIRTH, DBIRTHs, sensor states). */
void sim_plant_online(struct sim_plant *p);
/* Every 500 ms: values change and are published. */
void sim_plant_tick(struct sim_plant *p, unsigned long tick);
/* A message on one of sim_plant_topics(); false when it is not for these devices. */
bool sim_plant_message(struct sim_plant *p, const char *topic, const void *payload, size_t len);

#endif
