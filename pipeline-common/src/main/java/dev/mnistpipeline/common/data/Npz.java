package dev.mnistpipeline.common.data;

import dev.mnistpipeline.common.errors.InvalidDataException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Named float arrays as a NumPy {@code .npz} (a zip of {@code .npy} files): {@code numpy.load} reads it. */
public final class Npz {
    private Npz() {
    }

    public static byte[] write(Map<String, float[]> arrays) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (var e : arrays.entrySet()) {
                zip.putNextEntry(new ZipEntry(e.getKey() + ".npy"));
                zip.write(Npy.writeFloats(e.getValue(), e.getValue().length));
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static Map<String, float[]> read(byte[] data) {
        Map<String, float[]> arrays = new LinkedHashMap<>();
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(data))) {
            for (ZipEntry e = zip.getNextEntry(); e != null; e = zip.getNextEntry()) {
                if (!e.getName().endsWith(".npy")) {
                    throw new InvalidDataException("not an .npz of arrays: entry " + e.getName());
                }
                arrays.put(e.getName().substring(0, e.getName().length() - ".npy".length()), Npy.read(zip.readAllBytes()).floats());
            }
        } catch (IOException e) {
            throw new InvalidDataException("cannot read .npz: " + e.getMessage(), e);
        }
        return arrays;
    }
}
