/* will.h: recognising a device's last will (or Sparkplug death) and its return, from a message. */
#ifndef MQSCOPE_WILL_H
#define MQSCOPE_WILL_H

#include <stdbool.h>
#include <stddef.h>

#include "mqscope/settings.h"

/*
 * A subscriber cannot tell a last will from any other PUBLISH: the broker
 * sends it like one. So mqscope goes by what wills look like in practice:
 *
 * - Rules from the config file (wills = ( { filter; offline; online; field; } )):
 *   a message on a matching topic whose value (or JSON field) is the
 *   offline text marks the device offline, the online text back online.
 *   A topic a rule matches is judged by that rule alone.
 * - Status topics: a topic whose last level is status, state, availability,
 *   online, connected, connection, lwt, will, presence or alive ('$' allowed,
 *   as in Homie's $state), whose payload (or its JSON member state, status,
 *   online, connected or availability) is offline, disconnected, dead, lost,
 *   unavailable or unreachable; online, connected, alive, available or
 *   ready bring it back; true/false and 1/0 count on levels named online,
 *   connected, available or alive. Retained or not: a will set with retain
 *   is how a device that died before mqscope started is seen at once.
 * - Sparkplug B: NDEATH and DDEATH (spBv1.0/GROUP/NDEATH/NODE[/DEVICE]) mark
 *   that topic offline; the NBIRTH or DBIRTH of the same node or device
 *   brings it back.
 *
 * The device is the parent of a status topic (devices/node01 for
 * devices/node01/status), or the DEATH topic itself for Sparkplug.
 */

enum will_kind { WILL_NONE, WILL_OFFLINE, WILL_ONLINE };

/*
 * What a message on topic says about a device; on WILL_OFFLINE or
 * WILL_ONLINE, dev (cap bytes, NUL-terminated) names the device's topic.
 * Cheap for ordinary topics: a look at the last level.
 */
enum will_kind will_classify(const struct will_rule *rules, size_t nrules, const char *topic,
                             size_t tlen, const char *payload, size_t plen, char *dev, size_t cap);

/* "offline" / "online" / "" */
const char *will_kind_name(enum will_kind k);

#endif
