package dev.mnistpipeline.evaluator.api;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Prediction requests that start a trace are sampled at the configured ratio; everything else is kept. */
class ServingTraceSamplerTest {
    private static final IdGenerator IDS = IdGenerator.random();

    private static int kept(ServingTraceSampler sampler, Context parent, SpanKind kind, String path, int spans) {
        int kept = 0;
        for (int i = 0; i < spans; i++) {
            SamplingDecision d = sampler.shouldSample(parent, IDS.generateTraceId(), "POST", kind,
                    Attributes.of(ServingTraceSampler.URL_PATH, path), List.of()).getDecision();
            kept += d == SamplingDecision.RECORD_AND_SAMPLE ? 1 : 0;
        }
        return kept;
    }

    @Test
    void predictionsThatStartATraceAreSampledAtTheRatioAndTheRestIsKept() {
        ServingTraceSampler sampler = new ServingTraceSampler(0.01);
        int predict = kept(sampler, Context.root(), SpanKind.SERVER, "/predict", 20_000);
        int infer = kept(sampler, Context.root(), SpanKind.SERVER, "/v2/models/mnist/versions/champion/infer", 20_000);
        assertTrue(predict > 100 && predict < 320, "about 1 % of 20,000: " + predict);
        assertTrue(infer > 100 && infer < 320, "about 1 % of 20,000: " + infer);
        assertEquals(1_000, kept(sampler, Context.root(), SpanKind.SERVER, "/models", 1_000), "other routes: every one");
        assertEquals(1_000, kept(sampler, Context.root(), SpanKind.SERVER, "/v2/models/mnist", 1_000), "model metadata is not a prediction");
        assertEquals(1_000, kept(sampler, Context.root(), SpanKind.CONSUMER, "/predict", 1_000), "not a request to this server");

        Context sampledCaller = Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(IDS.generateTraceId(),
                IDS.generateSpanId(), TraceFlags.getSampled(), TraceState.getDefault())));
        assertEquals(1_000, kept(sampler, sampledCaller, SpanKind.SERVER, "/predict", 1_000), "a caller's sampled trace stays whole");
    }

    @Test
    void theRatioIsAFraction() {
        assertEquals(0, kept(new ServingTraceSampler(0), Context.root(), SpanKind.SERVER, "/predict", 1_000));
        assertEquals(1_000, kept(new ServingTraceSampler(1), Context.root(), SpanKind.SERVER, "/predict", 1_000));
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> new ServingTraceSampler(1.5));
        assertEquals("pipeline.predict.trace-sampling must be a fraction in [0, 1], got 1.5", refused.getMessage());
        assertFalse(ServingTraceSampler.isPrediction(null));
    }
}
