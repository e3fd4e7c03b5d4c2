package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.errors.InvalidDataException;
import org.junit.jupiter.api.Test;

import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleDecoderTest {
    private static final String PIXELS = Base64.getEncoder().encodeToString(new byte[784]);

    @Test
    void acceptsRawPixels() {
        byte[] px = new byte[784];
        px[300] = (byte) 200;
        assertArrayEquals(px, SampleDecoder.pixels(new SampleSubmitted("a", 3, Base64.getEncoder().encodeToString(px), null, null)));
    }

    @Test
    void rejectsBadLabelsSizesAndAmbiguity() {
        assertTrue(assertThrows(InvalidDataException.class, () -> SampleDecoder.pixels(new SampleSubmitted("a", 10, PIXELS, null, null)))
                .getMessage().contains("label"));
        assertTrue(assertThrows(InvalidDataException.class, () -> SampleDecoder.pixels(new SampleSubmitted("a", 1,
                Base64.getEncoder().encodeToString(new byte[100]), null, null))).getMessage().contains("784"));
        assertThrows(InvalidDataException.class, () -> SampleDecoder.pixels(new SampleSubmitted("a", 1, PIXELS, PIXELS, null)));
        assertThrows(InvalidDataException.class, () -> SampleDecoder.pixels(new SampleSubmitted("a", 1, "***", null, null)));
    }
}
