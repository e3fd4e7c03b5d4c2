package dev.mnistpipeline.common.quarkus;

import dev.mnistpipeline.common.storage.ObjectStore;
import dev.mnistpipeline.common.storage.StorageConfig;
import dev.mnistpipeline.common.storage.StorageException;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Makes the pipeline bucket injectable in every service; config keys {@code pipeline.storage.*}. */
@ApplicationScoped
public class StorageProducer {
    private static final Logger LOG = Logger.getLogger(StorageProducer.class);

    @Produces
    @ApplicationScoped
    @Startup
    ObjectStore objectStore(@ConfigProperty(name = "pipeline.storage.endpoint") String endpoint,
                            @ConfigProperty(name = "pipeline.storage.access-key") String accessKey,
                            @ConfigProperty(name = "pipeline.storage.secret-key") String secretKey,
                            @ConfigProperty(name = "pipeline.storage.bucket", defaultValue = StorageConfig.DEFAULT_BUCKET) String bucket) {
        ObjectStore store = new ObjectStore(new StorageConfig(endpoint, accessKey, secretKey, bucket));
        try {
            store.ensureBucket();
        } catch (StorageException e) {
            // Start anyway: readiness stays DOWN (and creates the bucket) until storage answers, and handlers
            // wait for it; refusing to start would only turn an outage into a crash loop.
            LOG.warnf("Object storage not reachable at startup: %s", e.getMessage());
        }
        return store;
    }

    void close(@Disposes ObjectStore store) {
        store.close();
    }
}
