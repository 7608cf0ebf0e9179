#ifndef KDR_CONNECT_INTERNAL_H
#define KDR_CONNECT_INTERNAL_H

#include <jansson.h>

#include "connect/connect.h"

/* GET `path`, parsed; errors name the URL and `subject`. */
int kdr_connect__get_json(struct kdr_connect_client *client, const char *path, const char *subject, json_t **out);
const char *kdr_connect__url(const struct kdr_connect_client *client);

#endif
