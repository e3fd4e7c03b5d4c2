package dev.mnistpipeline.ingest.domain;

import dev.mnistpipeline.common.manifest.DatasetManifest;
import dev.mnistpipeline.common.manifest.DatasetManifest.Part;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The content hashes of every published sample in the newest version of each dataset, kept in memory so that
 * appending a batch costs the batch and not the whole history. It follows the versions part by part: the sample parts
 * of a version that it has not seen yet (written by another replica, or before a restart) are read once, so replicas
 * that extend a dataset in turn each read the others' new parts, never the whole history again. A version that does
 * not hold every part it knows (a new base version of the name) starts it over. Storage stays the truth. Memory grows
 * with the number of distinct samples (8 bytes of hash each, plus set overhead), not with time.
 */
@ApplicationScoped
public class SampleIndex {
    /** What is known of one name: the sample parts read (by their blobs) and the hashes of their samples. */
    private static final class Known {
        final Set<String> parts = new HashSet<>();
        final Set<Long> hashes = new HashSet<>();
    }

    private final Map<String, Known> byName = new HashMap<>();

    /**
     * Which of {@code candidates} are not yet in {@code version}: {@code load} reads the hashes of a sample part this
     * index has not seen. Answers the candidates' indexes, each new hash once (a batch may repeat a sample).
     */
    public synchronized List<Integer> unknown(String name, DatasetManifest version, long[] candidates,
                                              Function<Part, Collection<Long>> load) {
        Known known = byName.get(name);
        List<Part> sampleParts = version.train().stream().filter(p -> DatasetManifest.SAMPLES.equals(p.origin())).toList();
        Set<String> inVersion = new HashSet<>();
        sampleParts.forEach(p -> inVersion.add(id(p)));
        if (known == null || !inVersion.containsAll(known.parts)) {
            known = new Known();
            byName.put(name, known);
        }
        for (Part p : sampleParts) {
            if (!known.parts.contains(id(p))) {
                known.hashes.addAll(load.apply(p));
                known.parts.add(id(p));
            }
        }
        Set<Long> batch = new HashSet<>();
        List<Integer> fresh = new ArrayList<>();
        for (int i = 0; i < candidates.length; i++) {
            if (!known.hashes.contains(candidates[i]) && batch.add(candidates[i])) {
                fresh.add(i);
            }
        }
        return fresh;
    }

    /** A part this replica stored, now in the newest version: its samples are known without reading it back. */
    public synchronized void stored(String name, Part part, Collection<Long> hashes) {
        Known known = byName.computeIfAbsent(name, n -> new Known());
        known.parts.add(id(part));
        known.hashes.addAll(hashes);
    }

    /** A part is its images and labels blobs (both content-addressed). */
    private static String id(Part p) {
        return p.imagesSha256() + "+" + p.labelsSha256();
    }
}
