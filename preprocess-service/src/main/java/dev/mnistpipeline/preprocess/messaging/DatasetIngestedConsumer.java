package dev.mnistpipeline.preprocess.messaging;

import dev.mnistpipeline.common.quarkus.WaitsOutOutages;
import dev.mnistpipeline.common.events.DatasetIngested;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.preprocess.domain.DatasetPreparer;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;


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
    @WaitsOutOutages
    public void onDatasetIngested(String payload) {
        preparer.prepare(Events.parse(payload, DatasetIngested.class));
    }
}
