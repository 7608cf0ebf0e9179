#ifndef KDR_MODEL_ACL_H
#define KDR_MODEL_ACL_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/*
 * Kafka ACL bindings, as kdr's desired state (AccessPolicy grants, expanded
 * to one binding per operation) and the live snapshot (DescribeAcls) both
 * hold them. A binding is Kafka's AclBinding: a resource pattern (type,
 * name, pattern type) and an access control entry (principal, host,
 * operation, permission). The enums cover what Kafka can return, also the
 * kinds an AccessPolicy may not declare (delegation tokens, users), so that
 * a live snapshot round-trips. Names are kdr's (lowercase, kebab-case);
 * Kafka's wire codes are mapped in pkg/kafka.
 */

enum kdr_acl_resource_type {
	KDR_ACL_TOPIC,
	KDR_ACL_GROUP,
	KDR_ACL_CLUSTER,
	KDR_ACL_TRANSACTIONAL_ID,
	KDR_ACL_DELEGATION_TOKEN, /* live only */
	KDR_ACL_USER,             /* live only */
};
#define KDR_ACL_N_RESOURCE_TYPES (KDR_ACL_USER + 1)
/* The types an AccessPolicy may declare: topic, group, cluster, transactional-id. */
#define KDR_ACL_N_DECLARABLE_TYPES (KDR_ACL_TRANSACTIONAL_ID + 1)

enum kdr_acl_pattern {
	KDR_ACL_LITERAL,
	KDR_ACL_PREFIXED,
};

/* Kafka's AclOperation, without UNKNOWN and ANY (filters only). */
enum kdr_acl_operation {
	KDR_ACL_OP_ALL,
	KDR_ACL_OP_READ,
	KDR_ACL_OP_WRITE,
	KDR_ACL_OP_CREATE,
	KDR_ACL_OP_DELETE,
	KDR_ACL_OP_ALTER,
	KDR_ACL_OP_DESCRIBE,
	KDR_ACL_OP_CLUSTER_ACTION,
	KDR_ACL_OP_DESCRIBE_CONFIGS,
	KDR_ACL_OP_ALTER_CONFIGS,
	KDR_ACL_OP_IDEMPOTENT_WRITE,
	KDR_ACL_OP_CREATE_TOKENS,
	KDR_ACL_OP_DESCRIBE_TOKENS,
};
#define KDR_ACL_N_OPERATIONS (KDR_ACL_OP_DESCRIBE_TOKENS + 1)

enum kdr_acl_permission {
	KDR_ACL_ALLOW,
	KDR_ACL_DENY,
};

/* The only name Kafka accepts for the CLUSTER resource. */
#define KDR_ACL_CLUSTER_NAME "kafka-cluster"
/* The wildcard resource name (literal only) and host. */
#define KDR_ACL_WILDCARD "*"

struct kdr_acl {
	enum kdr_acl_resource_type resource_type;
	char *resource_name;
	enum kdr_acl_pattern pattern;
	char *principal; /* "Type:name", e.g. "User:billing" */
	char *host;      /* "*" for any */
	enum kdr_acl_operation operation;
	enum kdr_acl_permission permission;
};

/* A list of bindings; sorted (kdr_acl_compare) wherever it is kept. */
struct kdr_acl_list {
	struct kdr_acl *v;
	size_t n;
	size_t cap;
};

/* kdr's names: "topic", "transactional-id", "literal", "describe-configs", "allow" ... */
const char *kdr_acl_resource_type_name(enum kdr_acl_resource_type type);
const char *kdr_acl_pattern_name(enum kdr_acl_pattern pattern);
const char *kdr_acl_operation_name(enum kdr_acl_operation op);
const char *kdr_acl_permission_name(enum kdr_acl_permission permission);

/* Parses kdr's names; 0, or KDR_EINVALID (message names the allowed values). */
int kdr_acl_resource_type_parse(enum kdr_acl_resource_type *out, const char *name);
int kdr_acl_pattern_parse(enum kdr_acl_pattern *out, const char *name);
int kdr_acl_operation_parse(enum kdr_acl_operation *out, const char *name);
int kdr_acl_permission_parse(enum kdr_acl_permission *out, const char *name);

/* The names of all values, in enum order, for did-you-mean and schemas (static arrays). */
extern const char *const kdr_acl_resource_type_names[KDR_ACL_N_RESOURCE_TYPES];
extern const char *const kdr_acl_operation_names[KDR_ACL_N_OPERATIONS];

/*
 * Whether Kafka supports `op` on `type`: AclEntry.supportedOperations of
 * Kafka 4.x (server-common org.apache.kafka.security.authorizer.AclEntry),
 * plus ALL, which kafka-acls accepts on every type (AclCommand).
 */
bool kdr_acl_operation_supported(enum kdr_acl_resource_type type, enum kdr_acl_operation op);

/*
 * Whether a binding allowing/denying `granted` also covers `wanted`, as
 * Kafka's authorizer decides: ALL covers everything; READ, WRITE, DELETE
 * and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS
 * (StandardAuthorizerData / AclAuthorizer implied operations, ALLOW only).
 */
bool kdr_acl_operation_covers(enum kdr_acl_operation granted, enum kdr_acl_operation wanted, bool allow);

/*
 * Whether the binding's resource pattern matches resource `name` of its
 * type: literal equal, literal "*", or prefixed with a prefix of `name`.
 */
bool kdr_acl_pattern_matches(const struct kdr_acl *acl, const char *name);

/* Total order over every field (principal, type, name, pattern, operation, permission, host). */
int kdr_acl_compare(const struct kdr_acl *a, const struct kdr_acl *b);
/* Same, ignoring permission: two bindings for the same principal/resource/op/host. */
int kdr_acl_compare_except_permission(const struct kdr_acl *a, const struct kdr_acl *b);

/*
 * One line for humans and sort keys: "User:billing allow read topic:orders"
 * with " (prefixed)" and " host=H" (when not "*") appended as they apply.
 */
void kdr_acl_format(struct kdr_buf *out, const struct kdr_acl *acl);
/* The same as a new heap string. */
char *kdr_acl_to_string(const struct kdr_acl *acl);

void kdr_acl_copy(struct kdr_acl *out, const struct kdr_acl *src);
void kdr_acl_release(struct kdr_acl *acl);

/* Appends a copy of `acl`. */
void kdr_acl_list_push(struct kdr_acl_list *list, const struct kdr_acl *acl);
/* Sorts and drops exact duplicates. */
void kdr_acl_list_sort(struct kdr_acl_list *list);
/* The index of an equal binding in a sorted list, or -1. */
long kdr_acl_list_find(const struct kdr_acl_list *list, const struct kdr_acl *acl);
void kdr_acl_list_copy(struct kdr_acl_list *out, const struct kdr_acl_list *src);
void kdr_acl_list_release(struct kdr_acl_list *list);

#endif
