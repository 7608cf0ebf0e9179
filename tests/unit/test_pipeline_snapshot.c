/*
 * kdr snapshot's run (snapshot.c): a declared cluster that cannot be read
 * is missing from the snapshot, which fails the run though the read stage
 * did not. The cluster is a loopback port nothing listens on (refused at
 * once); no backend.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "pipeline/pipeline.h"
#include "source/source.h"
#include "util/alloc.h"
#include "util/file.h"

/* A loopback port that was free a moment ago: connecting to it is refused. */
static int closed_port(void)
{
	struct sockaddr_in addr = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(addr);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&addr, sizeof(addr)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&addr, &len), 0);
	close(fd);
	return ntohs(addr.sin_port);
}

static void test_an_unreadable_cluster_fails_the_snapshot(void **state)
{
	char dir[] = "/tmp/kdr-test-snapshot-XXXXXX";
	char *path = NULL, *text = NULL;
	struct kdr_desired desired = { 0 };
	struct kdr_diags diags = KDR_DIAGS_INIT;
	struct kdr_pipeline_result run = { 0 };
	struct kdr_pipeline_options options = { .timeout_ms = 2000 };

	(void)state;
	assert_non_null(mkdtemp(dir));
	path = kdr_asprintf("%s/cluster.yaml", dir);
	text = kdr_asprintf("apiVersion: kdr.io/v1alpha1\nkind: KafkaCluster\nmetadata: {name: down}\n"
			    "spec:\n  bootstrapServers: 127.0.0.1:%d\n",
			    closed_port());
	assert_int_equal(kdr_file_write(path, text, strlen(text)), 0);
	assert_int_equal(kdr_source_load_dir(&desired, &diags, dir, 0), 0);

	assert_int_equal(kdr_pipeline_snapshot_run(&run, &desired, &options), 0);
	assert_int_equal(run.p.read.n_clusters, 1);
	assert_int_equal(run.p.read_ok.n, 0);
	assert_int_equal(run.outcome, KDR_PIPELINE_FAILED);
	assert_null(run.error); /* the read's messages say why */
	assert_false(run.read_failed);
	assert_true(run.p.read.messages.n > 0);

	kdr_pipeline_result_release(&run);
	kdr_desired_release(&desired);
	kdr_diags_release(&diags);
	unlink(path);
	rmdir(dir);
	free(path);
	free(text);
}

/* With every cluster read (none declared), the snapshot's run is OK. */
static void test_every_cluster_read_is_ok(void **state)
{
	static const struct kdr_desired desired = { 0 };
	struct kdr_pipeline_result run = { 0 };
	struct kdr_pipeline_options options = { 0 };

	(void)state;
	assert_int_equal(kdr_pipeline_snapshot_run(&run, &desired, &options), 0);
	assert_int_equal(run.outcome, KDR_PIPELINE_OK);
	kdr_pipeline_result_release(&run);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_an_unreadable_cluster_fails_the_snapshot),
		cmocka_unit_test(test_every_cluster_read_is_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
