package dev.mnistpipeline.evaluator.api;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import java.util.List;

/**
 * Which spans are kept: every one, except that a prediction request that starts a trace ({@code POST /predict},
 * {@code POST /v2/models/{name}[/versions/{version}]/infer}) is kept at {@code pipeline.predict.trace-sampling}
 * (1 % by default). Serving answers thousands of requests a second and tracing each took 12 % of the throughput
 * ({@code serving-levers}); a trace that arrives already sampled (its caller's) and the pipeline's traces, which
 * start elsewhere, are kept whole. Quarkus wraps this sampler in its own, which drops health and metrics routes.
 */
@ApplicationScoped
public class ServingTraceSampler implements Sampler {
    private static final Logger LOG = Logger.getLogger(ServingTraceSampler.class);
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");

    private final double ratio;
    private final Sampler predictions;
    private final Sampler others = Sampler.parentBased(Sampler.alwaysOn());

    public ServingTraceSampler(@ConfigProperty(name = "pipeline.predict.trace-sampling", defaultValue = "0.01") double ratio) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("pipeline.predict.trace-sampling must be a fraction in [0, 1], got " + ratio);
        }
        this.ratio = ratio;
        this.predictions = Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
        LOG.infof("Traces: prediction requests that start one are kept at %.4f, everything else whole", ratio);
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                       Attributes attributes, List<LinkData> parentLinks) {
        boolean prediction = spanKind == SpanKind.SERVER && isPrediction(attributes.get(URL_PATH));
        return (prediction ? predictions : others).shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    /** {@code /predict}, or the inference protocol's {@code /v2/models/{name}[/versions/{version}]/infer}. */
    static boolean isPrediction(String path) {
        return path != null && (path.equals("/predict") || path.startsWith("/v2/models/") && path.endsWith("/infer"));
    }

    @Override
    public String getDescription() {
        return "ServingTraceSampler{predictions=" + ratio + ", others=always}";
    }
}
