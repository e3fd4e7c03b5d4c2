package dev.mnistpipeline.evaluator.messaging;

import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.events.SampleDecoder;
import dev.mnistpipeline.common.events.SampleSubmitted;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.common.quarkus.WaitsOutOutages;
import dev.mnistpipeline.common.registry.RegisteredModels;
import dev.mnistpipeline.evaluator.domain.LiveAccuracy;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * samples.submitted → the serving models' live accuracy. An observer beside the ingest service (which owns the
 * topic and dead-letters what it cannot read): a sample it cannot read is skipped here.
 */
@ApplicationScoped
public class LiveSamplesConsumer {
    private static final Logger LOG = Logger.getLogger(LiveSamplesConsumer.class);

    private final LiveAccuracy accuracy;

    public LiveSamplesConsumer(LiveAccuracy accuracy) {
        this.accuracy = accuracy;
    }

    @Incoming(Topics.Channels.LIVE_SAMPLES)
    @Blocking(ordered = false)
    @WaitsOutOutages
    public void onSample(String payload) {
        SampleSubmitted sample;
        byte[] pixels;
        try {
            sample = Events.parse(payload, SampleSubmitted.class);
            pixels = SampleDecoder.pixels(sample);
        } catch (RuntimeException e) {
            LOG.debugf("Live accuracy skipped a sample the ingest service refuses: %s", e.getMessage());
            return;
        }
        accuracy.score(RegisteredModels.orDefault(sample.dataset()), pixels, sample.label());
    }
}
