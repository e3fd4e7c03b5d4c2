package dev.mnistpipeline.common.events;

/**
 * Where the domain sends the events of one topic, without knowing the transport: each service's {@code messaging}
 * package makes one per topic it publishes to (an emitter behind {@code EventPublisher}), injected with the
 * qualifier {@code @Outlet(<channel>)}.
 */
public interface EventOutlet {
    /** Sends now, whether or not it was sent before (progress metrics), and waits for the broker's acknowledgement. */
    void send(PipelineEvent event);

    /** Sends unless this event id was already published; returns whether it was sent now. */
    boolean publishOnce(PipelineEvent event);
}
