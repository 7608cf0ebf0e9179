/*
 * ACLs through librdkafka 2.0.2: one DescribeAcls (filter ANY) per read, and
 * the plan's create-acl / delete-acl actions in batched CreateAcls and
 * DeleteAcls requests (one binding, or one exact filter, per action; up to
 * KDR_KAFKA_ACL_BATCH per request, one request in flight).
 *
 * librdkafka 2.0.2 drops the top-level error code of a DescribeAcls answer
 * (rd_kafka_DescribeAclsResponse_parse keeps it in a local and returns no
 * error), so SECURITY_DISABLED and CLUSTER_AUTHORIZATION_FAILED both read
 * as an empty list. Whether the cluster has an authorizer therefore comes
 * from the brokers' authorizer.class.name (read.c reads the broker configs
 * anyway): none set -> no authorizer, DescribeAcls is not even sent.
 *
 * A refused DescribeAcls (CLUSTER_AUTHORIZATION_FAILED) also reads as an
 * empty list, so an empty answer is checked (probe_empty): with an
 * authorizer, a principal that may describe the ACLs either holds an ACL
 * that says so (then the list is not empty) or is a super user (or the
 * cluster allows everyone when no ACL is found), and then it may alter them
 * too. So an empty answer is asked again with a DeleteAcls of one filter
 * that matches nothing (an exact binding of a principal and topic no one
 * uses): it deletes nothing, and Kafka refuses it with
 * CLUSTER_AUTHORIZATION_FAILED exactly when kdr's principal may not alter
 * the ACLs, i.e. when the empty answer was a refusal. Then the ACLs are not
 * read (acls_error says so), never "none". The check is made only when the
 * desired state manages ACLs on the cluster (kdr_kafka_options.
 * verify_empty_acls: an AccessPolicy on it, or a flow with mirrorAcls into
 * it), so that a read of any other cluster sends nothing but reads. The event-error branch stays for
 * a librdkafka that reports DescribeAcls' error.
 *
 * librdkafka 2.0.2 names resource type 4 BROKER; on the wire it is Kafka's
 * CLUSTER (ResourceType code 4), which is what kdr sends and reads. It knows
 * no type above 4 (TRANSACTIONAL_ID is 5): it refuses to build such a
 * binding, and reads such bindings back as UNKNOWN, which kdr leaves out of
 * the snapshot (it cannot name them, so it never plans against them).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kafka/kafka_internal.h"
#include "util/alloc.h"
#include "util/error.h"

/* Kafka's controller takes up to 10,000 records per user operation; stay well below. */
#define KDR_KAFKA_ACL_BATCH 1000

static rd_kafka_ResourceType_t wire_type(enum kdr_acl_resource_type type)
{
	switch (type) {
	case KDR_ACL_TOPIC:
		return RD_KAFKA_RESOURCE_TOPIC;
	case KDR_ACL_GROUP:
		return RD_KAFKA_RESOURCE_GROUP;
	case KDR_ACL_CLUSTER:
		return RD_KAFKA_RESOURCE_BROKER; /* code 4: Kafka's CLUSTER */
	case KDR_ACL_TRANSACTIONAL_ID:
		return (rd_kafka_ResourceType_t)5;
	case KDR_ACL_DELEGATION_TOKEN:
		return (rd_kafka_ResourceType_t)6;
	case KDR_ACL_USER:
		return (rd_kafka_ResourceType_t)7;
	}
	return RD_KAFKA_RESOURCE_UNKNOWN;
}

static bool kdr_type(enum kdr_acl_resource_type *out, int code)
{
	static const enum kdr_acl_resource_type types[] = { KDR_ACL_TOPIC, KDR_ACL_GROUP, KDR_ACL_CLUSTER,
							    KDR_ACL_TRANSACTIONAL_ID, KDR_ACL_DELEGATION_TOKEN,
							    KDR_ACL_USER };

	if (code < 2 || code > 7)
		return false;
	*out = types[code - 2];
	return true;
}

/* kdr's operations are Kafka's AclOperation codes 2 (ALL) .. 14 (DESCRIBE_TOKENS), in order. */
static rd_kafka_AclOperation_t wire_operation(enum kdr_acl_operation op)
{
	return (rd_kafka_AclOperation_t)((int)op + RD_KAFKA_ACL_OPERATION_ALL);
}

static rd_kafka_AclPermissionType_t wire_permission(enum kdr_acl_permission permission)
{
	return permission == KDR_ACL_DENY ? RD_KAFKA_ACL_PERMISSION_TYPE_DENY : RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW;
}

static rd_kafka_ResourcePatternType_t wire_pattern(enum kdr_acl_pattern pattern)
{
	return pattern == KDR_ACL_PREFIXED ? RD_KAFKA_RESOURCE_PATTERN_PREFIXED : RD_KAFKA_RESOURCE_PATTERN_LITERAL;
}

/* A live binding in kdr's terms; false for what kdr cannot name (it is left out). */
static bool from_wire(struct kdr_acl *out, const rd_kafka_AclBinding_t *binding)
{
	int op = (int)rd_kafka_AclBinding_operation(binding);
	int pattern = (int)rd_kafka_AclBinding_resource_pattern_type(binding);
	int permission = (int)rd_kafka_AclBinding_permission_type(binding);

	memset(out, 0, sizeof(*out));
	if (!kdr_type(&out->resource_type, (int)rd_kafka_AclBinding_restype(binding)))
		return false;
	if (op < RD_KAFKA_ACL_OPERATION_ALL || op - RD_KAFKA_ACL_OPERATION_ALL >= KDR_ACL_N_OPERATIONS)
		return false;
	if (pattern != RD_KAFKA_RESOURCE_PATTERN_LITERAL && pattern != RD_KAFKA_RESOURCE_PATTERN_PREFIXED)
		return false;
	if (permission != RD_KAFKA_ACL_PERMISSION_TYPE_ALLOW && permission != RD_KAFKA_ACL_PERMISSION_TYPE_DENY)
		return false;
	out->operation = (enum kdr_acl_operation)(op - RD_KAFKA_ACL_OPERATION_ALL);
	out->pattern = pattern == RD_KAFKA_RESOURCE_PATTERN_PREFIXED ? KDR_ACL_PREFIXED : KDR_ACL_LITERAL;
	out->permission = permission == RD_KAFKA_ACL_PERMISSION_TYPE_DENY ? KDR_ACL_DENY : KDR_ACL_ALLOW;
	out->resource_name = kdr_strdup(rd_kafka_AclBinding_name(binding) ? rd_kafka_AclBinding_name(binding) : "");
	out->principal =
	    kdr_strdup(rd_kafka_AclBinding_principal(binding) ? rd_kafka_AclBinding_principal(binding) : "");
	out->host = kdr_strdup(rd_kafka_AclBinding_host(binding) ? rd_kafka_AclBinding_host(binding) : "*");
	return true;
}

/* One admin request on one ACL filter: what it holds until acl_call_release. */
struct acl_call {
	rd_kafka_AclBindingFilter_t *filter;
	struct kdr_kafka__admin_call admin;
};

static void acl_call_release(struct acl_call *call)
{
	kdr_kafka__admin_call_release(&call->admin);
	if (call->filter)
		rd_kafka_AclBinding_destroy(call->filter);
}

/* A binding no one has: the probe's filter matches it exactly, so it matches nothing. */
#define PROBE_PRINCIPAL "User:kdr-probe-no-such-principal"
#define PROBE_TOPIC "__kdr_probe_no_such_topic"
#define PROBE_HOST "kdr-probe-no-such-host"

/*
 * An empty DescribeAcls answer on a cluster with an authorizer: NULL when it
 * is really empty, else why the ACLs could not be read (heap). See the top
 * of this file.
 */
static char *probe_empty(struct kdr_kafka_conn *conn, bool *no_authorizer)
{
	char errstr[256] = "";
	struct acl_call call = { 0 };
	const rd_kafka_DeleteAcls_result_t *result = NULL;
	const rd_kafka_DeleteAcls_result_response_t **responses = NULL;
	const rd_kafka_error_t *error = NULL;
	size_t n = 0;
	char *why = NULL;

	call.filter = rd_kafka_AclBindingFilter_new(RD_KAFKA_RESOURCE_TOPIC, PROBE_TOPIC,
						    RD_KAFKA_RESOURCE_PATTERN_LITERAL, PROBE_PRINCIPAL, PROBE_HOST,
						    RD_KAFKA_ACL_OPERATION_DESCRIBE, RD_KAFKA_ACL_PERMISSION_TYPE_DENY,
						    errstr, sizeof(errstr));
	call.admin.options = call.filter ? kdr_kafka__admin_options(conn, RD_KAFKA_ADMIN_OP_DELETEACLS, false) : NULL;
	if (!call.filter || !call.admin.options || kdr_kafka__admin_to_answered(call.admin.options, conn) != 0) {
		why = kdr_asprintf("DescribeAcls answered no binding and it could not be checked: %s",
				   call.filter ? kdr_error_message() : errstr);
		goto cleanup;
	}
	call.admin.queue = rd_kafka_queue_new(conn->rk);
	rd_kafka_DeleteAcls(conn->rk, &call.filter, 1, call.admin.options, call.admin.queue);
	call.admin.ev = kdr_kafka__wait_event(conn, call.admin.queue, kdr_kafka__admin_deadline(conn));
	if (!call.admin.ev) {
		why = kdr_strdup("DescribeAcls answered no binding and the check of it got no answer in time");
		goto cleanup;
	}
	result = rd_kafka_event_DeleteAcls_result(call.admin.ev);
	responses = result ? rd_kafka_DeleteAcls_result_responses(result, &n) : NULL;
	if (rd_kafka_event_error(call.admin.ev)) {
		why = kdr_asprintf("DescribeAcls answered no binding and the check of it failed: %s: %s",
				   rd_kafka_err2name(rd_kafka_event_error(call.admin.ev)),
				   rd_kafka_event_error_string(call.admin.ev));
		goto cleanup;
	}
	error = n == 1 ? rd_kafka_DeleteAcls_result_response_error(responses[0]) : NULL;
	if (!error)
		goto cleanup; /* really empty */
	switch (rd_kafka_error_code(error)) {
	case RD_KAFKA_RESP_ERR_CLUSTER_AUTHORIZATION_FAILED:
		why = kdr_strdup("DescribeAcls refused: kdr's principal may not describe the cluster's ACLs "
				 "(CLUSTER_AUTHORIZATION_FAILED; librdkafka 2.0.2 reports the refusal as an empty "
				 "list, so kdr checked it); grant it DESCRIBE and ALTER on the cluster resource, or "
				 "make it a super user");
		break;
	case RD_KAFKA_RESP_ERR_SECURITY_DISABLED:
		why = kdr_strdup("the cluster has no authorizer (SECURITY_DISABLED): ACLs are not supported there");
		*no_authorizer = true;
		break;
	default: {
		char *detail = kdr_kafka__scrub(conn, rd_kafka_error_string(error));

		why = kdr_asprintf("DescribeAcls answered no binding and the check of it failed: %s: %s",
				   rd_kafka_error_name(error), detail ? detail : "");
		free(detail);
		break;
	}
	}
cleanup:
	acl_call_release(&call);
	return why;
}

int kdr_kafka__read_acls(struct kdr_live_cluster *out, struct kdr_kafka_conn *conn)
{
	char errstr[256] = "";
	struct acl_call call = { 0 };
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
	const rd_kafka_DescribeAcls_result_t *result = NULL;
	const rd_kafka_AclBinding_t **bindings = NULL;
	size_t n = 0;

	if (conn->authorizer == 0) {
		out->acls_error = kdr_strdup("the cluster has no authorizer (no broker sets authorizer.class.name): "
					     "ACLs are not supported there");
		out->acls_no_authorizer = true;
		return 0;
	}
	call.filter = rd_kafka_AclBindingFilter_new(RD_KAFKA_RESOURCE_ANY, NULL, RD_KAFKA_RESOURCE_PATTERN_ANY, NULL,
						    NULL, RD_KAFKA_ACL_OPERATION_ANY, RD_KAFKA_ACL_PERMISSION_TYPE_ANY,
						    errstr, sizeof(errstr));
	call.admin.options = call.filter ? kdr_kafka__admin_options(conn, RD_KAFKA_ADMIN_OP_DESCRIBEACLS, false) : NULL;
	if (!call.filter || !call.admin.options || kdr_kafka__admin_to_answered(call.admin.options, conn) != 0) {
		out->acls_error = kdr_asprintf("DescribeAcls: %s", call.filter ? kdr_error_message() : errstr);
		goto cleanup;
	}
	call.admin.queue = rd_kafka_queue_new(conn->rk);
	rd_kafka_DescribeAcls(conn->rk, call.filter, call.admin.options, call.admin.queue);
	call.admin.ev = kdr_kafka__wait_event(conn, call.admin.queue, kdr_kafka__admin_deadline(conn));
	if (!call.admin.ev) {
		out->acls_error = kdr_strdup("DescribeAcls: no answer in time");
		goto cleanup;
	}
	err = rd_kafka_event_error(call.admin.ev);
	if (err) {
		char *detail = kdr_kafka__scrub(conn, rd_kafka_event_error_string(call.admin.ev));

		/* Not fatal to the read: only a plan that manages ACLs on this cluster needs them. */
		out->acls_no_authorizer = err == RD_KAFKA_RESP_ERR_SECURITY_DISABLED;
		if (err == RD_KAFKA_RESP_ERR_SECURITY_DISABLED)
			out->acls_error = kdr_asprintf("the cluster has no authorizer (DescribeAcls: "
						       "SECURITY_DISABLED: %s): ACLs are not supported there",
						       detail ? detail : "");
		else
			out->acls_error =
			    kdr_asprintf("DescribeAcls: %s: %s", rd_kafka_err2name(err), detail ? detail : "");
		free(detail);
		goto cleanup;
	}
	result = rd_kafka_event_DescribeAcls_result(call.admin.ev);
	bindings = result ? rd_kafka_DescribeAcls_result_acls(result, &n) : NULL;
	if (n == 0 && conn->verify_empty_acls && (out->acls_error = probe_empty(conn, &out->acls_no_authorizer)) != NULL)
		goto cleanup; /* a refusal, never "no bindings" */
	out->acls_read = true;
	for (size_t i = 0; i < n; i++) {
		struct kdr_acl acl;

		if (!from_wire(&acl, bindings[i]))
			continue;
		out->acls.v = kdr_grow(out->acls.v, &out->acls.cap, out->acls.n + 1, sizeof(*out->acls.v));
		out->acls.v[out->acls.n++] = acl;
	}
	kdr_acl_list_sort(&out->acls);
cleanup:
	acl_call_release(&call);
	return 0;
}

/* --- apply --- */

static void acl_fail(struct kdr_action_result *result, const struct kdr_kafka_conn *conn, const char *binding,
		     int code, const char *error_name, const char *prefix, const char *detail)
{
	char *scrubbed = kdr_kafka__scrub(conn, detail ? detail : "");

	kdr_action_result_release(result);
	result->attempted = true;
	result->code = code;
	result->error_name = error_name ? kdr_strdup(error_name) : NULL;
	result->message = kdr_asprintf("cluster '%s': ACL '%s': %s%s%s%s", conn->cluster, binding ? binding : "",
				       prefix ? prefix : "", error_name ? error_name : "", error_name ? ": " : "",
				       scrubbed ? scrubbed : "");
	free(scrubbed);
}

static void acl_ok(struct kdr_action_result *result)
{
	kdr_action_result_release(result);
	result->attempted = true;
	result->code = 0;
}

/* One binding's answer: done when the broker gave no `error`, failed with it otherwise. */
static void acl_settle(struct kdr_action_result *result, const struct kdr_kafka_conn *conn, const char *binding,
		       const rd_kafka_error_t *error)
{
	if (!error) {
		acl_ok(result);
		return;
	}
	acl_fail(result, conn, binding, kdr_kafka__error_code(rd_kafka_error_code(error)),
		 rd_kafka_err2name(rd_kafka_error_code(error)), NULL, rd_kafka_error_string(error));
}

/* Sends one request of up to KDR_KAFKA_ACL_BATCH actions and records each outcome. */
static void run_batch(struct kdr_action_result *results, struct kdr_kafka_conn *conn, const struct kdr_plan *plan,
		      enum kdr_action_kind kind, const size_t *items, size_t n)
{
	const char *request = kind == KDR_ACTION_CREATE_ACL ? "CreateAcls" : "DeleteAcls";
	rd_kafka_AclBinding_t **objects = kdr_calloc(n + 1, sizeof(*objects));
	size_t *sent = kdr_calloc(n + 1, sizeof(*sent));
	size_t n_sent = 0, count = 0;
	struct kdr_kafka__admin_call call = { 0 };
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
	char prefix[64] = "";

	snprintf(prefix, sizeof(prefix), "%s request: ", request);
	for (size_t i = 0; i < n; i++) {
		const struct kdr_action *action = &plan->actions[items[i]];
		const struct kdr_acl *acl = &action->acl;
		char errstr[256] = "";
		rd_kafka_AclBinding_t *object = NULL;

		/* An exact binding is also the exact filter that deletes only it. */
		object = rd_kafka_AclBinding_new(wire_type(acl->resource_type), acl->resource_name,
						 wire_pattern(acl->pattern), acl->principal, acl->host ? acl->host : "*",
						 wire_operation(acl->operation), wire_permission(acl->permission), errstr,
						 sizeof(errstr));
		if (!object) {
			acl_fail(&results[items[i]], conn, action->resource, KDR_EUNSUPPORTED, NULL,
				 "librdkafka 2.0.2 cannot send this binding: ", errstr);
			continue;
		}
		objects[n_sent] = object;
		sent[n_sent++] = items[i];
	}
	if (n_sent == 0)
		goto cleanup;
	call.options = kdr_kafka__admin_options(
	    conn, kind == KDR_ACTION_CREATE_ACL ? RD_KAFKA_ADMIN_OP_CREATEACLS : RD_KAFKA_ADMIN_OP_DELETEACLS, false);
	if (!call.options) {
		for (size_t i = 0; i < n_sent; i++)
			acl_fail(&results[sent[i]], conn, plan->actions[sent[i]].resource, KDR_EINVALID, NULL, NULL,
				 kdr_error_message());
		goto cleanup;
	}
	call.queue = rd_kafka_queue_new(conn->rk);
	if (kind == KDR_ACTION_CREATE_ACL)
		rd_kafka_CreateAcls(conn->rk, objects, n_sent, call.options, call.queue);
	else
		rd_kafka_DeleteAcls(conn->rk, objects, n_sent, call.options, call.queue);
	call.ev = kdr_kafka__wait_event(conn, call.queue, kdr_kafka__admin_deadline(conn));
	err = call.ev ? rd_kafka_event_error(call.ev) : RD_KAFKA_RESP_ERR__TIMED_OUT;
	if (err) {
		/* The whole request failed (timeout, broker down, not authorized): so did each action in it. */
		const char *detail = call.ev ? rd_kafka_event_error_string(call.ev) : "no answer in time";

		for (size_t i = 0; i < n_sent; i++)
			acl_fail(&results[sent[i]], conn, plan->actions[sent[i]].resource, kdr_kafka__error_code(err),
				 rd_kafka_err2name(err), prefix, detail);
		goto cleanup;
	}
	/* Both answers list one result per binding / filter, in request order. */
	if (kind == KDR_ACTION_CREATE_ACL) {
		const rd_kafka_CreateAcls_result_t *result = rd_kafka_event_CreateAcls_result(call.ev);
		const rd_kafka_acl_result_t **acls = result ? rd_kafka_CreateAcls_result_acls(result, &count) : NULL;

		for (size_t i = 0; i < n_sent && i < count; i++)
			acl_settle(&results[sent[i]], conn, plan->actions[sent[i]].resource,
				   rd_kafka_acl_result_error(acls[i]));
	} else {
		const rd_kafka_DeleteAcls_result_t *result = rd_kafka_event_DeleteAcls_result(call.ev);
		const rd_kafka_DeleteAcls_result_response_t **responses =
		    result ? rd_kafka_DeleteAcls_result_responses(result, &count) : NULL;

		/* A filter that matched nothing: the binding is already gone, which is what was wanted. */
		for (size_t i = 0; i < n_sent && i < count; i++)
			acl_settle(&results[sent[i]], conn, plan->actions[sent[i]].resource,
				   rd_kafka_DeleteAcls_result_response_error(responses[i]));
	}
	for (size_t i = count; i < n_sent; i++)
		acl_fail(&results[sent[i]], conn, plan->actions[sent[i]].resource, KDR_EINVALID, NULL, prefix,
			 "the broker's answer has no result for this binding");
cleanup:
	kdr_kafka__admin_call_release(&call);
	for (size_t i = 0; i < n_sent; i++)
		rd_kafka_AclBinding_destroy(objects[i]);
	free(objects);
	free(sent);
}

void kdr_kafka__apply_acls(struct kdr_action_result *results, struct kdr_kafka_conn *conn,
			   const struct kdr_plan *plan, enum kdr_action_kind kind)
{
	size_t *items = kdr_calloc(plan->n_actions + 1, sizeof(*items));
	size_t n = 0;

	for (size_t i = 0; i < plan->n_actions; i++) {
		const struct kdr_action *action = &plan->actions[i];

		if (action->kind != kind || !action->cluster || strcmp(action->cluster, conn->cluster) != 0)
			continue;
		if (conn->validate_only) {
			/* CreateAcls and DeleteAcls have no validate-only mode: not sent, and said so. */
			results[i].message = kdr_asprintf("cluster '%s': ACL '%s': not sent: %s has no validate-only "
							  "mode",
							  conn->cluster, action->resource ? action->resource : "",
							  kind == KDR_ACTION_CREATE_ACL ? "CreateAcls" : "DeleteAcls");
			continue;
		}
		if (!action->acl.principal || !action->acl.resource_name) {
			acl_fail(&results[i], conn, action->resource, KDR_EINVALID, NULL, NULL, "action without a binding");
			continue;
		}
		items[n++] = i;
	}
	for (size_t start = 0; start < n; start += KDR_KAFKA_ACL_BATCH)
		run_batch(results, conn, plan, kind, items + start,
			  n - start < KDR_KAFKA_ACL_BATCH ? n - start : KDR_KAFKA_ACL_BATCH);
	free(items);
}
