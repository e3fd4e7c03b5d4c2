package dev.mnistpipeline.common.messaging;

import dev.mnistpipeline.common.data.Sha256;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serializer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Serializes dead-letter records so that every one fits its topic, however large the poison was. A record at the
 * source topic's size limit plus the dead-letter headers would exceed the producer's and the broker's limits, the
 * dead-letter write would fail, and the consumer would stop for good. So the payload beyond
 * {@link Topics#DEAD_LETTER_PAYLOAD_BYTES} is cut off and replaced by its SHA-256 and size
 * ({@code dead-letter-payload-sha256}, {@code dead-letter-payload-bytes}, {@code dead-letter-payload-truncated}),
 * the key is cut the same way, and each header value (the publisher's own included) is cut at
 * {@link Topics#DEAD_LETTER_HEADER_BYTES}, at most {@link Topics#DEAD_LETTER_MAX_HEADERS} of them.
 *
 * <p>Configured per consumed channel as {@code dead-letter-queue.key.serializer} and {@code .value.serializer}.
 */
public class DeadLetterSerializer implements Serializer<String> {
    public static final String PAYLOAD_SHA256 = "dead-letter-payload-sha256";
    public static final String PAYLOAD_BYTES = "dead-letter-payload-bytes";
    public static final String PAYLOAD_TRUNCATED = "dead-letter-payload-truncated";
    public static final String HEADERS_DROPPED = "dead-letter-headers-dropped";

    private static final int MAX_HEADER_KEY_CHARS = 256;

    private boolean isKey;

    @Override
    public void configure(Map<String, ?> configs, boolean isKey) {
        this.isKey = isKey;
    }

    @Override
    public byte[] serialize(String topic, String data) {
        return data == null ? null : cut(data.getBytes(StandardCharsets.UTF_8), isKey ? Topics.DEAD_LETTER_KEY_BYTES : Topics.DEAD_LETTER_PAYLOAD_BYTES);
    }

    @Override
    public byte[] serialize(String topic, Headers headers, String data) {
        if (headers != null && !isKey) {
            boundHeaders(headers);
        }
        if (data == null) {
            return null;
        }
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        int limit = isKey ? Topics.DEAD_LETTER_KEY_BYTES : Topics.DEAD_LETTER_PAYLOAD_BYTES;
        if (bytes.length > limit && headers != null) {
            String prefix = isKey ? "dead-letter-key" : "dead-letter-payload";
            headers.add(prefix + "-sha256", Sha256.hex(bytes).getBytes(StandardCharsets.UTF_8));
            headers.add(prefix + "-bytes", Integer.toString(bytes.length).getBytes(StandardCharsets.UTF_8));
            headers.add(prefix + "-truncated", "true".getBytes(StandardCharsets.UTF_8));
        }
        return cut(bytes, limit);
    }

    /** At most the first {@code limit} bytes. */
    static byte[] cut(byte[] bytes, int limit) {
        return bytes.length <= limit ? bytes : Arrays.copyOf(bytes, limit);
    }

    private static void boundHeaders(Headers headers) {
        List<Header> all = new ArrayList<>();
        headers.forEach(all::add);
        boolean oversized = all.size() > Topics.DEAD_LETTER_MAX_HEADERS
                || all.stream().anyMatch(h -> h.key().length() > MAX_HEADER_KEY_CHARS
                || (h.value() != null && h.value().length > Topics.DEAD_LETTER_HEADER_BYTES));
        if (!oversized) {
            return;
        }
        all.forEach(h -> headers.remove(h.key()));
        int kept = Math.min(all.size(), Topics.DEAD_LETTER_MAX_HEADERS);
        // The dead-letter headers come last (the connector adds them after copying the original ones): keep those.
        for (Header h : all.subList(all.size() - kept, all.size())) {
            String key = h.key().length() > MAX_HEADER_KEY_CHARS ? h.key().substring(0, MAX_HEADER_KEY_CHARS) : h.key();
            headers.add(key, h.value() == null ? null : cut(h.value(), Topics.DEAD_LETTER_HEADER_BYTES));
        }
        if (kept < all.size()) {
            headers.add(HEADERS_DROPPED, Integer.toString(all.size() - kept).getBytes(StandardCharsets.UTF_8));
        }
    }
}
