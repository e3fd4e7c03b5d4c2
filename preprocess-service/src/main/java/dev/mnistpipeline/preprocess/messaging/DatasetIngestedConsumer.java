package dev.mnistpipeline.preprocess.messaging;

import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import dev.mnistpipeline.common.errors.Outages;
import dev.mnistpipeline.common.events.DatasetIngested;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.preprocess.domain.DatasetPreparer;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.reactive.messaging.Incoming;

import java.time.temporal.ChronoUnit;

/**
 * dataset.ingested → normalize, split, summarize → dataset.prepared. Bad input goes to dataset.ingested.dlq; an
 * outage of storage or the broker is retried with backoff until it ends ({@code Outages}).
 */
@ApplicationScoped
public class DatasetIngestedConsumer {

    private final DatasetPreparer preparer;

    public DatasetIngestedConsumer(DatasetPreparer preparer) {
        this.preparer = preparer;
    }

    @Incoming(Topics.Channels.DATASET_INGESTED)
    @Blocking
    @Retry(maxRetries = -1, delay = Outages.FIRST_DELAY_MS, maxDuration = Outages.MAX_DAYS, durationUnit = ChronoUnit.DAYS,
            retryOn = DependencyUnavailableException.class)
    @ExponentialBackoff(maxDelay = Outages.MAX_DELAY_MS)
    public void onDatasetIngested(String payload) {
        preparer.prepare(Events.parse(payload, DatasetIngested.class));
    }
}
