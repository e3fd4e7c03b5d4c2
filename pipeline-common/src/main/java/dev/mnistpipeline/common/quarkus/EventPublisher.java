package dev.mnistpipeline.common.quarkus;

import dev.mnistpipeline.common.errors.DependencyUnavailableException;
import dev.mnistpipeline.common.errors.PermanentFaultException;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import dev.mnistpipeline.common.events.EventOutlet;
import dev.mnistpipeline.common.events.PipelineEvent;
import dev.mnistpipeline.common.json.Json;
import dev.mnistpipeline.common.storage.ObjectKeys;
import dev.mnistpipeline.common.storage.ObjectStore;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.ce.OutgoingCloudEventMetadata;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.Metadata;
import org.jboss.logging.Logger;

import java.net.URI;
import java.time.Instant;
import java.time.ZonedDateTime;

/**
 * Sends pipeline events with their key and CloudEvents headers and waits for the broker's acknowledgement.
 * {@link #publishOnce} makes emission idempotent under redelivery: a marker object records what was published.
 */
@ApplicationScoped
public class EventPublisher {
    private static final Logger LOG = Logger.getLogger(EventPublisher.class);

    private final ObjectStore store;
    private final PublishedMarkers markers;
    private final ExpiringMarkers expiringMarkers;
    private final String source;

    public EventPublisher(ObjectStore store, PublishedMarkers markers, ExpiringMarkers expiringMarkers,
                          @ConfigProperty(name = "quarkus.application.name") String source) {
        this.store = store;
        this.markers = markers;
        this.expiringMarkers = expiringMarkers;
        this.source = source;
    }

    /**
     * Sends now, whether or not it was sent before (progress metrics), and waits for the broker's acknowledgement.
     *
     * @throws DependencyUnavailableException when the broker does not acknowledge it: an outage, retried by callers
     */
    public void send(MutinyEmitter<String> emitter, PipelineEvent event) {
        try {
            emitter.sendMessageAndAwait(toMessage(event));
        } catch (RuntimeException e) {
            String reason = "the broker did not acknowledge " + event.eventId() + ": " + e.getMessage();
            if (isPermanent(e)) {
                // Our own event is too large for our topic, or this service may not write it: no retry will change
                // that, but the record is not at fault either. Retried, and loud (StuckWork).
                throw new PermanentFaultException(reason, e);
            }
            throw new DependencyUnavailableException(reason, e);
        }
    }

    private static boolean isPermanent(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof AuthorizationException || t instanceof AuthenticationException || t instanceof RecordTooLargeException) {
                return true;
            }
        }
        return false;
    }

    /** The topic behind {@code emitter}, as the domain sees it. */
    public EventOutlet outlet(MutinyEmitter<String> emitter) {
        return new EventOutlet() {
            @Override
            public void send(PipelineEvent event) {
                EventPublisher.this.send(emitter, event);
            }

            @Override
            public boolean publishOnce(PipelineEvent event) {
                return EventPublisher.this.publishOnce(emitter, event);
            }
        };
    }

    /** Sends unless this event id was already published; returns whether it was sent now. */
    public boolean publishOnce(MutinyEmitter<String> emitter, PipelineEvent event) {
        return publishOnce(emitter, event, ObjectKeys.publishedMarker(source, event.eventId()));
    }

    /**
     * {@link #publishOnce} for high-volume events (inference results): the marker is filed under the hour the
     * causing record was published, {@code causedAt}, which a redelivery repeats, and deleted after a retention.
     */
    public boolean publishOnceExpiring(MutinyEmitter<String> emitter, PipelineEvent event, Instant causedAt) {
        return publishOnce(emitter, event, expiringMarkers.markerFor(causedAt, event.eventId()));
    }

    private boolean publishOnce(MutinyEmitter<String> emitter, PipelineEvent event, String marker) {
        if (store.exists(marker)) {
            LOG.infof("%s already published; not sending again", event.eventId());
            return false;
        }
        send(emitter, event);
        // Sent: from here on only the record of it may fail, and failing the handler for that would send the
        // event again on its retry. So the marker waits out a storage outage itself.
        markers.record(marker);
        LOG.infof("Published %s", event.eventId());
        return true;
    }

    private Message<String> toMessage(PipelineEvent event) {
        return Message.of(Json.write(event), Metadata.of(
                OutgoingKafkaRecordMetadata.<String>builder().withKey(event.key()).build(),
                OutgoingCloudEventMetadata.builder()
                        .withId(event.eventId())
                        .withType(event.type())
                        .withSource(URI.create("urn:mnist-pipeline:" + source))
                        .withSubject(event.key())
                        .withTimestamp(ZonedDateTime.now())
                        .build()));
    }
}
