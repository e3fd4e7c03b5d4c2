package dev.mnistpipeline.common.data;

import dev.mnistpipeline.common.errors.InvalidDataException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {

    @Test
    void roundTripsFloatsWithShape() {
        float[] values = {0f, 0.5f, 1f, 0.25f, 0.75f, 0.125f};
        byte[] file = Npy.writeFloats(values, 2, 3);
        Npy.Array array = Npy.read(file);
        assertArrayEquals(new int[]{2, 3}, array.shape());
        assertArrayEquals(values, array.floats());
        assertEquals(0, (10 + ((file[8] & 0xff) | (file[9] & 0xff) << 8)) % 64, "header is 64-byte aligned as NumPy requires");
    }

    @Test
    void writesNumpyCompatibleHeaderForVectors() {
        byte[] file = Npy.writeBytes(new byte[]{1, 2, 3}, 3);
        String header = new String(file, 10, 60, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }"), header);
        assertArrayEquals(new byte[]{1, 2, 3}, Npy.read(file).bytes());
    }

    @Test
    void refusesWrongDtype() {
        Npy.Array labels = Npy.read(Npy.writeBytes(new byte[]{1}, 1));
        assertThrows(InvalidDataException.class, labels::floats);
        assertThrows(InvalidDataException.class, () -> Npy.read(new byte[]{1, 2, 3}));
    }
}
