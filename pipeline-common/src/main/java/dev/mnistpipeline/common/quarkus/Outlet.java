package dev.mnistpipeline.common.quarkus;

import jakarta.inject.Qualifier;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Names the outgoing channel ({@code Topics.Channels}) of an injected {@link dev.mnistpipeline.common.events.EventOutlet}. */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.FIELD, ElementType.PARAMETER, ElementType.METHOD, ElementType.TYPE})
public @interface Outlet {
    String value();
}
