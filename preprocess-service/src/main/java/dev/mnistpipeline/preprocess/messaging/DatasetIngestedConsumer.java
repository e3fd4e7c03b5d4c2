package dev.mnistpipeline.preprocess.messaging;

import dev.mnistpipeline.common.events.DatasetIngested;
import dev.mnistpipeline.common.events.Events;
import dev.mnistpipeline.common.messaging.Topics;
import dev.mnistpipeline.preprocess.domain.DatasetPreparer;
import io.smallrye.common.annotation.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/** dataset.ingested → normalize, split, summarize → dataset.prepared. Failures go to dataset.ingested.dlq. */
@ApplicationScoped
public class DatasetIngestedConsumer {

    private final DatasetPreparer preparer;

    public DatasetIngestedConsumer(DatasetPreparer preparer) {
        this.preparer = preparer;
    }

    @Incoming(Topics.Channels.DATASET_INGESTED)
    @Blocking
    public void onDatasetIngested(String payload) {
        preparer.prepare(Events.parse(payload, DatasetIngested.class));
    }
}
