package dev.mnistpipeline.common.quarkus;

import jakarta.interceptor.InterceptorBinding;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * On an {@code @Incoming} handler (or anything else that must not give up): an outage of storage or the broker, or
 * a permanent fault, is retried in place with exponential backoff until it ends ({@link OutageRetries}); bad input
 * is thrown at once, for the dead-letter topic. Retrying longer than {@code pipeline.stuck-after} shows in
 * {@link StuckWork}.
 */
@InterceptorBinding
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface WaitsOutOutages {
}
