package dev.mnistpipeline.common.registry;

import dev.mnistpipeline.common.json.Versioned;

import java.time.Instant;

/**
 * A named pointer of a registered model to one of its versions, beside {@code champion}: {@code staging},
 * {@code canary}, or any name an operator gives. Serving addresses it as a version ({@code /v2/models/mnist/versions/staging}).
 */
public record ModelAlias(String registeredModel, String alias, String modelId, String by, String reason,
                         Instant setAt) implements Versioned {
}
