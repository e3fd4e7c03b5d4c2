package dev.mnistpipeline.ingest.domain;

/** The four MNIST-format IDX files of a dataset, each raw or gzipped, not yet validated. */
public record RawDataset(byte[] trainImages, byte[] trainLabels, byte[] testImages, byte[] testLabels) {
    /** Canonical MNIST file names, in the order of the record components. */
    public static final String[] FILE_NAMES = {"train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"};
}
