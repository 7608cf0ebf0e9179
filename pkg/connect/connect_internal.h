#ifndef KDR_CONNECT_INTERNAL_H
#define KDR_CONNECT_INTERNAL_H

#include <jansson.h>

#include "connect/connect.h"

/* GET `path`, parsed; errors name the URL and `subject`. */
int kdr_connect__get_json(struct kdr_connect_client *client, const char *path, const char *subject, json_t **out);
/*
 * POST `path` without a body; *out gets the answer parsed, or NULL when it
 * has none or it is not JSON (the request succeeded either way: the caller
 * decides what a missing body means). Errors name the URL and `subject`.
 */
int kdr_connect__post_json(struct kdr_connect_client *client, const char *path, const char *subject, json_t **out);
const char *kdr_connect__url(const struct kdr_connect_client *client);

/*
 * Decodes Connect's GET / (`root`, may be NULL) and GET
 * /connectors?expand=status&expand=info (`list`) answers into `out` (zeroed
 * first; present set on success). Pure: the Connect decoder the fuzz target
 * fuzz_connect_decode runs. Returns 0 or KDR_EINVALID naming `url`; the
 * caller releases `out` either way (kdr_live_cluster_release of its connect).
 */
int kdr_connect__decode(struct kdr_live_connect *out, const char *url, json_t *root, json_t *list);

#endif
