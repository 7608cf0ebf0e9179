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
//
// The `nodes` JVM reads commands from standard input, one a line (the launcher's
// control channel, hack/kafka-real): "stop ID" shuts node ID down (KafkaRaftServer
// shutdown, as kafka-server-stop.sh's SIGTERM does: controlled shutdown, log dirs
// closed, listener gone), "start ID" starts it again from the same properties and
// log dirs, "requests" counts the requests per API the JVM's nodes received. Each
// answers one line on standard output, "ok stop ID" / "ok start ID" / "ok requests
// API=N..." or "error ...", once done.
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;

import com.yammer.metrics.core.Meter;
import com.yammer.metrics.core.Metric;
import com.yammer.metrics.core.MetricName;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.errors.PolicyViolationException;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.server.metrics.KafkaYammerMetrics;
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
        String clusterId = args[1];
        Map<Integer, Properties> nodes = new HashMap<>();
        List<KafkaRaftServer> servers = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
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
            ids.add(Integer.parseInt(props.getProperty("node.id").trim()));
            nodes.put(ids.get(ids.size() - 1), props);
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
        Map<Integer, KafkaRaftServer> running = new HashMap<>();
        for (int i = 0; i < servers.size(); i++)
            running.put(ids.get(i), servers.get(i));
        System.out.println("KdrKafkaBed: started " + servers.size() + " nodes");
        System.out.flush();
        commands(nodes, running); // returns when standard input closes
        Runtime.getRuntime().halt(0);
    }

    /** The control commands of standard input (see the top of the file); returns at its end. */
    private static void commands(Map<Integer, Properties> nodes, Map<Integer, KafkaRaftServer> running) {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (;;) {
            String line;
            try {
                line = in.readLine();
            } catch (Exception e) {
                return;
            }
            if (line == null)
                return;
            String[] words = line.trim().split("\\s+");
            String answer;
            try {
                answer = command(words, nodes, running);
            } catch (Throwable e) {
                e.printStackTrace();
                answer = "error " + line.trim() + ": " + e;
            }
            System.out.println(answer.replace('\n', ' '));
            System.out.flush();
        }
    }

    /**
     * "requests": how many requests of each API this JVM's brokers and controller
     * received since they started, from Kafka's own RequestsPerSec meters
     * (kafka.network:type=RequestMetrics,name=RequestsPerSec,request=API,version=V). The
     * meters carry no node id, so all nodes of the JVM -- the cluster -- share each one.
     */
    private static String requests() {
        Map<String, Long> counts = new TreeMap<>();
        for (Map.Entry<MetricName, Metric> e : KafkaYammerMetrics.defaultRegistry().allMetrics().entrySet()) {
            String bean = e.getKey().getMBeanName();
            if (!(e.getValue() instanceof Meter) || !bean.startsWith("kafka.network:type=RequestMetrics,name=RequestsPerSec,"))
                continue;
            String api = null;
            for (String part : bean.substring(bean.indexOf(',') + 1).split(","))
                if (part.startsWith("request="))
                    api = part.substring("request=".length());
            if (api != null)
                counts.merge(api, ((Meter) e.getValue()).count(), Long::sum);
        }
        StringBuilder out = new StringBuilder("ok requests");
        for (Map.Entry<String, Long> c : counts.entrySet())
            out.append(' ').append(c.getKey()).append('=').append(c.getValue());
        return out.toString();
    }

    private static String command(String[] words, Map<Integer, Properties> nodes,
                                  Map<Integer, KafkaRaftServer> running) {
        if (words.length == 1 && words[0].equals("requests"))
            return requests();
        if (words.length != 2 || !(words[0].equals("stop") || words[0].equals("start")))
            return "error expected 'stop ID' or 'start ID'";
        int id;
        try {
            id = Integer.parseInt(words[1]);
        } catch (NumberFormatException e) {
            return "error not a node id: " + words[1];
        }
        if (!nodes.containsKey(id))
            return "error no node " + id + " in this JVM";
        KafkaRaftServer server = running.get(id);
        if (words[0].equals("stop")) {
            if (server == null)
                return "error node " + id + " is not running";
            server.shutdown();
            server.awaitShutdown();
            running.put(id, null);
            return "ok stop " + id;
        }
        if (server != null)
            return "error node " + id + " is running";
        server = new KafkaRaftServer(KafkaConfig.fromProps(nodes.get(id), false), Time.SYSTEM);
        running.put(id, server);
        server.startup();
        return "ok start " + id;
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
