package dev.mnistpipeline.common.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.mnistpipeline.common.data.Idx;
import dev.mnistpipeline.common.data.MnistImage;
import dev.mnistpipeline.common.errors.InvalidDataException;
import dev.mnistpipeline.common.events.DatasetIngested;
import dev.mnistpipeline.common.events.DatasetPrepared;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.InferenceRequested;
import dev.mnistpipeline.common.events.ModelTrained;
import dev.mnistpipeline.common.events.PipelineEvent;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.events.TrainingRequested;

import java.util.List;

/**
 * The parsers that take outside bytes: IDX files (raw and gzip), pictures, and every consumed event. Only the
 * declared bad-input exception may escape; anything else (a NullPointerException, an OutOfMemoryError from a size
 * taken from an untrusted header) is a finding. {@code ./mvnw test} replays the committed corpus
 * ({@code src/test/resources/.../ParsersFuzzTestInputs/<method>/}); {@code JAZZER_FUZZ=1} fuzzes (README, "Security").
 */
class ParsersFuzzTest {
    private static final List<Class<? extends PipelineEvent>> CONSUMED = List.of(SampleSubmitted.class, DatasetIngested.class,
            DatasetPrepared.class, TrainingRequested.class, ModelTrained.class, InferenceRequested.class);

    @FuzzTest(maxDuration = "60s")
    void idxImages(byte[] data) {
        try {
            Idx.Images images = Idx.readImages(data, "fuzz");
            if (images.pixels().length != images.count() * Idx.PIXELS) {
                throw new IllegalStateException("pixels do not match the count");
            }
        } catch (InvalidDataException expected) {
            // bad input, told apart
        }
    }

    @FuzzTest(maxDuration = "60s")
    void idxLabels(byte[] data) {
        try {
            for (byte label : Idx.readLabels(data, "fuzz")) {
                if (label < 0 || label > 9) {
                    throw new IllegalStateException("label " + label + " passed validation");
                }
            }
        } catch (InvalidDataException expected) {
            // bad input, told apart
        }
    }

    @FuzzTest(maxDuration = "60s")
    void pictures(byte[] data) {
        try {
            if (MnistImage.fromEncoded(data, 4096).length != Idx.PIXELS) {
                throw new IllegalStateException("not 28x28");
            }
        } catch (InvalidDataException expected) {
            // bad input, told apart
        }
    }

    @FuzzTest(maxDuration = "60s")
    void events(FuzzedDataProvider input) {
        Class<? extends PipelineEvent> type = CONSUMED.get(input.consumeInt(0, CONSUMED.size() - 1));
        try {
            Events.parse(input.consumeRemainingAsString(), type);
        } catch (InvalidDataException expected) {
            // bad input, told apart
        }
    }
}
