// One JVM of kdr's real-Kafka test bed (started by hack/kafka-real, compiled by it with
// javac into the jar cache at first use).
//
//   java KdrKafkaBed nodes CLUSTER_ID CONTROLLER.properties BROKER.properties...
//       formats each node's log dirs (Kafka's StorageTool, as `kafka-storage.sh format`),
//       then runs one KRaft controller and several brokers (KafkaRaftServer each, as
//       `kafka-server-start.sh` does) in this one JVM, so a cluster costs one JVM.
//   java KdrKafkaBed connect WORKER.properties
//       runs Kafka Connect's distributed worker (ConnectDistributed) with MirrorMaker 2
//       on the classpath.
//
// Both halt the JVM at once when their standard input closes (the launcher died or
// stopped them) or on SIGTERM: the bed is throw-away (its data dir is deleted), so
// nothing needs a graceful shutdown, and halting frees every port immediately.
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.server.policy.CreateTopicPolicy;

public final class KdrKafkaBed {
    private KdrKafkaBed() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("connect")) {
            haltOnStdinClose();
            org.apache.kafka.connect.cli.ConnectDistributed.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length < 3 || !args[0].equals("nodes")) {
            System.err.println("usage: KdrKafkaBed nodes CLUSTER_ID NODE.properties... | connect WORKER.properties");
            Runtime.getRuntime().halt(2);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> Runtime.getRuntime().halt(0)));
        haltOnStdinClose();
        String clusterId = args[1];
        List<KafkaRaftServer> servers = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            PrintStream err = System.err;
            int rc = kafka.tools.StorageTool.execute(
                new String[] {"format", "-t", clusterId, "-c", args[i], "--ignore-formatted"}, err);
            if (rc != 0) {
                System.err.println("KdrKafkaBed: formatting " + args[i] + " failed (" + rc + ")");
                Runtime.getRuntime().halt(1);
            }
            Properties props = new Properties();
            try (InputStream in = new FileInputStream(args[i])) {
                props.load(in);
            }
            servers.add(new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM));
        }
        // A broker's startup blocks until the controller has unfenced it: start them all at once.
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> starters = new ArrayList<>();
        for (KafkaRaftServer server : servers) {
            Thread t = new Thread(() -> {
                try {
                    server.startup();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "kdr-start");
            t.start();
            starters.add(t);
        }
        for (Thread t : starters)
            t.join();
        if (failure.get() != null) {
            System.err.println("KdrKafkaBed: a node failed to start");
            failure.get().printStackTrace();
            Runtime.getRuntime().halt(1);
        }
        System.out.println("KdrKafkaBed: started " + servers.size() + " nodes");
        System.out.flush();
        for (KafkaRaftServer server : servers)
            server.awaitShutdown();
    }

    private static void haltOnStdinClose() {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                }
            } catch (Exception e) {
                // closed
            }
            Runtime.getRuntime().halt(0);
        }, "kdr-stdin-watch");
        t.setDaemon(true);
        t.start();
    }

    /**
     * The sandbox's createTopicPolicy: kdr.policy.min.replication.factor and
     * kdr.policy.max.partitions from the controller's config, same messages as kdr-sandbox.
     */
    public static final class LimitsPolicy implements CreateTopicPolicy {
        private int minRf;
        private int maxPartitions;

        @Override
        public void configure(Map<String, ?> configs) {
            minRf = intConfig(configs.get("kdr.policy.min.replication.factor"));
            maxPartitions = intConfig(configs.get("kdr.policy.max.partitions"));
        }

        private static int intConfig(Object v) {
            return v == null ? 0 : Integer.parseInt(v.toString().trim());
        }

        @Override
        public void validate(RequestMetadata request) throws PolicyViolationException {
            int rf;
            int partitions;
            if (request.replicasAssignments() != null && !request.replicasAssignments().isEmpty()) {
                partitions = request.replicasAssignments().size();
                rf = request.replicasAssignments().values().iterator().next().size();
            } else {
                rf = request.replicationFactor() == null ? 0 : request.replicationFactor();
                partitions = request.numPartitions() == null ? 0 : request.numPartitions();
            }
            if (minRf > 0 && rf < minRf)
                throw new PolicyViolationException("Topic " + request.topic() + ": replication factor " + rf
                    + " is below the minimum of " + minRf);
            if (maxPartitions > 0 && partitions > maxPartitions)
                throw new PolicyViolationException("Topic " + request.topic() + ": " + partitions
                    + " partitions exceed the maximum of " + maxPartitions);
        }

        @Override
        public void close() {
        }
    }
}
