package dev.mnistpipeline.common.messaging;

import dev.mnistpipeline.common.data.Sha256;
import dev.mnistpipeline.common.events.Ids;
import dev.mnistpipeline.common.errors.InvalidDataException;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.AbstractRecords;
import org.apache.kafka.common.record.CompressionType;
import org.apache.kafka.common.record.RecordBatch;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every dead-letter record fits its topic, whatever the poison looked like; small ones pass unchanged. */
class DeadLetterSerializerTest {

    private static DeadLetterSerializer serializer(boolean isKey) {
        DeadLetterSerializer s = new DeadLetterSerializer();
        s.configure(Map.of(), isKey);
        return s;
    }

    @Test
    void aSmallRecordPassesUnchanged() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("dead-letter-reason", "bad label".getBytes(StandardCharsets.UTF_8));
        byte[] out = serializer(false).serialize("samples.submitted.dlq", headers, "{\"label\":12}");
        assertEquals("{\"label\":12}", new String(out, StandardCharsets.UTF_8));
        assertEquals(1, headers.toArray().length);
    }

    @Test
    void aRecordAtTheTopicLimitWithHugeHeadersAndKeyStillFitsWithItsHashAndSize() {
        String payload = "x".repeat(Topics.maxRecordBytes(Topics.SAMPLES_SUBMITTED));
        RecordHeaders headers = new RecordHeaders();
        for (int i = 0; i < 100; i++) {
            headers.add("publisher-" + i, new byte[10_000]); // a publisher's own headers, copied by the dead-letter queue
        }
        headers.add("k".repeat(5_000), new byte[1]);
        headers.add("dead-letter-reason", "r".repeat(50_000).getBytes(StandardCharsets.UTF_8));
        byte[] key = serializer(true).serialize("samples.submitted.dlq", headers, "k".repeat(900_000));
        byte[] value = serializer(false).serialize("samples.submitted.dlq", headers, payload);

        assertEquals(Topics.DEAD_LETTER_PAYLOAD_BYTES, value.length);
        assertEquals(Topics.DEAD_LETTER_KEY_BYTES, key.length);
        assertEquals(Sha256.hex(payload.getBytes(StandardCharsets.UTF_8)), text(headers.lastHeader(DeadLetterSerializer.PAYLOAD_SHA256)));
        assertEquals(Integer.toString(payload.length()), text(headers.lastHeader(DeadLetterSerializer.PAYLOAD_BYTES)));
        assertEquals("true", text(headers.lastHeader(DeadLetterSerializer.PAYLOAD_TRUNCATED)));
        assertTrue(text(headers.lastHeader("dead-letter-reason")).startsWith("rrr"), "the dead-letter reason is kept");
        int size = AbstractRecords.estimateSizeInBytesUpperBound(RecordBatch.CURRENT_MAGIC_VALUE, CompressionType.NONE,
                key, value, headers.toArray());
        assertTrue(size < Topics.DEAD_LETTER_MAX_RECORD_BYTES, "fits the dead-letter topic: " + size);
        assertTrue(size < (Integer) ProducerConfig.configDef().defaultValues().get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG),
                "fits the producer's default max.request.size: " + size);
    }

    @Test
    void aCutNeverGrowsAndNullStaysNull() {
        assertArrayEquals(new byte[]{1, 2}, DeadLetterSerializer.cut(new byte[]{1, 2, 3}, 2));
        assertNull(serializer(false).serialize("t.dlq", new RecordHeaders(), null));
    }

    @Test
    void clientIdsCannotMakeAnEmptyKeySegment() {
        assertEquals("user-1:sample:7", Ids.clientId("sampleId", "user-1:sample:7"));
        assertThrows(InvalidDataException.class, () -> Ids.clientId("sampleId", "a::b"));
        assertThrows(InvalidDataException.class, () -> Ids.clientId("sampleId", "a:"));
        assertThrows(InvalidDataException.class, () -> Ids.clientId("sampleId", "x".repeat(129)));
        assertEquals(128, Ids.clientId("sampleId", "x".repeat(128)).length());
    }

    private static String text(Header h) {
        return new String(h.value(), StandardCharsets.UTF_8);
    }
}
