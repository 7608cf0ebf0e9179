#ifndef KDR_SANDBOX_CONNECT_REST_H
#define KDR_SANDBOX_CONNECT_REST_H

#include <stddef.h>

#include <jansson.h>

#include "connect_state.h"
#include "util/strvec.h"

/*
 * Connect's REST resources (RootResource, ConnectorsResource,
 * ConnectorPluginsResource) as a pure function of a request and the worker's
 * state: routing, path decoding, body parsing, status codes and
 * {"error_code","message"} bodies. Knows nothing of HTTP transport. Private
 * to the sandbox.
 */

struct kdr_connect_request {
	const char *method;
	const char *path;	      /* raw, still percent-encoded, without the query */
	struct kdr_strvec query_keys; /* decoded; query_values[i] belongs to query_keys[i] */
	struct kdr_strvec query_values;
	const char *content_type; /* NULL: none sent */
	const char *body;	  /* NULL when empty */
	size_t body_len;
	const char *base_url; /* "http://127.0.0.1:P", for Location */
	const char *kafka_cluster_id;
};

struct kdr_connect_response {
	int status;
	json_t *body;	   /* NULL: no body */
	char *location;	   /* NULL: no Location header */
	const char *allow; /* NULL: no Allow header (static) */
};

/* Serves `req` against `store`, filling `*resp` (whose contents the caller releases). */
void kdr_connect_rest_serve(struct kdr_connect_response *resp, struct kdr_connect_state_store *store,
			    const struct kdr_connect_request *req);

/* Fills `*resp` with Connect's error body {"error_code": status, "message": message}. */
void kdr_connect_rest_error(struct kdr_connect_response *resp, int status, const char *message);

/* Frees the response's contents. */
void kdr_connect_rest_response_release(struct kdr_connect_response *resp);

/* Decodes %XX escapes of `s` (len bytes) into a new heap string; NULL when an escape is malformed. */
char *kdr_connect_rest_percent_decode(const char *s, size_t len);

#endif
