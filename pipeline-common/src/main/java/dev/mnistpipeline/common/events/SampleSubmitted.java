package dev.mnistpipeline.common.events;

/**
 * A labelled sample a user publishes on {@code samples.submitted}. Exactly one of {@code pixels} (base64 of 784
 * row-major bytes, 0 = background, 255 = ink, as in MNIST) or {@code png} (base64 PNG, any size; it is
 * converted the MNIST way) is set.
 *
 * <p>Keyed by {@code <dataset>/<sampleId>}, so one dataset's samples spread over the topic's partitions and ingest
 * replicas share them (a dataset-name key would put every sample of a dataset on one partition, one consumer). A
 * redelivery has the same key, so the same partition; dedupe is by content in any case (see the ingest service).
 *
 * @param dataset the dataset name the sample extends; default {@code mnist}
 */
public record SampleSubmitted(String sampleId, Integer label, String pixels, String png,
                              String dataset) implements PipelineEvent {
    @Override
    public String key() {
        return datasetName() + "/" + sampleId;
    }

    /** The dataset the sample extends. */
    public String datasetName() {
        return dataset == null ? "mnist" : dataset;
    }

    @Override
    public String type() {
        return EventTypes.SAMPLE_SUBMITTED;
    }

    @Override
    public String eventId() {
        return type() + ":" + sampleId;
    }

    @Override
    public void checkIds() {
        Ids.clientId("sampleId", sampleId);
        if (dataset != null) {
            Ids.datasetName(dataset);
        }
    }
}
