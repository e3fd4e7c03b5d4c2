package dev.mnistpipeline.cli;

import dev.mnistpipeline.cli.stack.Layout;
import dev.mnistpipeline.common.messaging.Topics;
import org.junit.jupiter.api.Test;

import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every channel a service binds names a topic from {@link Topics}, and every consumed topic has its dead-letter topic. */
class TopicBindingTest {

    @Test
    void servicesBindOnlyKnownTopicsAndDeadLetterTopics() throws Exception {
        int bindings = 0;
        for (String service : Layout.SERVICES) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(Path.of("..", service, "src/main/resources/application.properties"))) {
                p.load(r);
            }
            for (String key : p.stringPropertyNames()) {
                if (key.startsWith("mp.messaging.") && key.endsWith(".topic") && !key.endsWith("dead-letter-queue.topic")) {
                    String topic = p.getProperty(key);
                    assertTrue(Topics.ALL.contains(topic), service + ": " + key + "=" + topic + " is not in Topics.ALL");
                    bindings++;
                    if (key.startsWith("mp.messaging.incoming.")) {
                        String channel = key.substring("mp.messaging.incoming.".length(), key.length() - ".topic".length());
                        assertTrue(Topics.CONSUMED.contains(topic), topic + " is consumed but not listed in Topics.CONSUMED");
                        assertEquals(Topics.deadLetter(topic), p.getProperty("mp.messaging.incoming." + channel + ".dead-letter-queue.topic"), service + " " + channel);
                        assertEquals("dead-letter-queue", p.getProperty("mp.messaging.incoming." + channel + ".failure-strategy"), service + " " + channel);
                    }
                }
                if (key.startsWith("mp.messaging.incoming.") && key.endsWith(".topics")) {
                    // multi-topic observers (the dashboard feed) read exactly the topics named for them
                    assertEquals(Topics.DASHBOARD_FEED, java.util.List.of(p.getProperty(key).split(",")), service + " " + key);
                    bindings++;
                }
            }
        }
        assertEquals(16, bindings, "channel bindings across the four services");
    }
}
