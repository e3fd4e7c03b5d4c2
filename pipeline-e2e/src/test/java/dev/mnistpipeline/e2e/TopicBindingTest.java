package dev.mnistpipeline.e2e;

import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.common.access.ServiceAccess;
import dev.mnistpipeline.common.messaging.Topics;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Every channel a service binds names a topic from {@link Topics}, every consumed topic has its dead-letter topic,
 * and the topics and groups match what {@link ServiceAccess} grants the service.
 */
class TopicBindingTest {

    @Test
    void servicesBindOnlyKnownTopicsAndDeadLetterTopics() throws Exception {
        int bindings = 0;
        for (String service : Layout.SERVICES) {
            Properties p = load(service);
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith("mp.messaging.") && key.endsWith(".topic") && !key.endsWith("dead-letter-queue.topic")) {
                    String topic = p.getProperty(key);
                    if (ownDeadLetters(p, key)) {
                        continue; // checked below: the dead-letter topic of a topic the service consumes
                    }
                    assertTrue(Topics.ALL.contains(topic), service + ": " + key + "=" + topic + " is not in Topics.ALL");
                    bindings++;
                    if (key.startsWith("mp.messaging.incoming.") && !observer(p, key)) {
                        String channel = key.substring("mp.messaging.incoming.".length(), key.length() - ".topic".length());
                        assertTrue(Topics.CONSUMED.contains(topic), topic + " is consumed but not listed in Topics.CONSUMED");
                        assertEquals(Topics.deadLetter(topic), p.getProperty("mp.messaging.incoming." + channel + ".dead-letter-queue.topic"), service + " " + channel);
                        assertEquals("waiting-dead-letter-queue", p.getProperty("mp.messaging.incoming." + channel + ".failure-strategy"), service + " " + channel);
                    }
                }
                if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".topics")) {
                    // multi-topic observers (the dashboard feed) read exactly the topics named for them
                    assertEquals(Topics.DASHBOARD_FEED, List.of(p.getProperty(key).split(",")), service + " " + key);
                    bindings++;
                }
            }
        }
        assertEquals(18, bindings, "channel bindings across the four services");
    }

    /** The broker grants (ACLs, KafkaUsers) come from ServiceAccess; each service binds exactly what it is granted. */
    @Test
    void eachServiceBindsExactlyTheTopicsAndGroupsItIsGranted() throws Exception {
        for (String service : Layout.SERVICES) {
            Properties p = load(service);
            ServiceAccess access = ServiceAccess.of(service);
            Set<String> consumed = new HashSet<>(), observed = new HashSet<>(), produced = new HashSet<>();
            for (String key : p.stringPropertyNames()) {
                if (key.endsWith(".dead-letter-queue.topic")) {
                    continue; // checked above: the dead-letter topic of a consumed one
                }
                if (ownDeadLetters(p, key)) {
                    String topic = p.getProperty(key);
                    assertTrue(access.consumes().stream().map(Topics::deadLetter).anyMatch(topic::equals),
                            service + " writes dead letters to " + topic + " but does not consume its source");
                    assertEquals("dev.mnistpipeline.common.messaging.DeadLetterSerializer",
                            p.getProperty(key.replace(".topic", ".value.serializer")), "dead letters always fit: " + key);
                    continue;
                }
                if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".topic") && observer(p, key)) {
                    observed.add(p.getProperty(key));
                } else if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".topic")) {
                    consumed.add(p.getProperty(key));
                } else if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".topics")) {
                    observed.addAll(List.of(p.getProperty(key).split(",")));
                } else if (key.startsWith("mp.messaging.outgoing.") && key.endsWith(".topic")) {
                    produced.add(p.getProperty(key));
                } else if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".group.id")) {
                    String group = p.getProperty(key);
                    assertTrue(group.equals("${quarkus.application.name}")
                                    || (!access.groupPrefix().isEmpty() && group.startsWith(access.groupPrefix())),
                            service + ": group " + group + " is not granted");
                }
            }
            assertEquals(service, p.getProperty("quarkus.application.name"), "the default group id is the service name");
            assertEquals(Set.copyOf(access.consumes()), consumed, service + " consumes");
            assertEquals(Set.copyOf(access.observes()), observed, service + " observes");
            assertEquals(Set.copyOf(access.produces()), produced, service + " produces");
        }
    }

    /**
     * An incoming channel that only observes a topic another service consumes (live accuracy reads samples.submitted):
     * it ignores what it cannot read instead of dead-lettering it, in an observer group.
     */
    private static boolean observer(Properties p, String topicKey) {
        String channel = topicKey.substring(0, topicKey.length() - ".topic".length());
        return "ignore".equals(p.getProperty(channel + ".failure-strategy"));
    }

    /**
     * An outgoing channel that writes dead letters itself (a batch consumer dead-letters single records of a poll):
     * its topic is a dead-letter topic.
     */
    private static boolean ownDeadLetters(Properties p, String key) {
        return key.startsWith("mp.messaging.outgoing.") && key.endsWith(".topic") && p.getProperty(key).endsWith(".dlq");
    }

    private static Properties load(String service) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(Path.of("..", service, "src/main/resources/application.properties"))) {
            p.load(r);
        }
        return p;
    }
}
