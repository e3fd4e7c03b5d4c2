package dev.mnistpipeline.e2e;

import dev.mnistpipeline.common.data.LocalFiles;
import dev.mnistpipeline.stack.Layout;
import dev.mnistpipeline.stack.cluster.ClusterDrill;
import dev.mnistpipeline.stack.cluster.NetworkNamespaces;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Three brokers, S3 and the four services (two trainers) on hosts of their own, in network namespaces: the leader of
 * {@code samples.submitted}/0 loses its link while samples are published, versions prepared and a run trains, then
 * the trainer holding the run loses its link ({@link ClusterDrill}). Nothing acknowledged is lost, nothing lands
 * twice, nothing is dead-lettered, and the other trainer finishes the run once.
 */
class ClusterChaosTest {
    @Test
    void aClusterLosesABrokerThenATrainerAndLosesNothing() throws Exception {
        String unavailable = NetworkNamespaces.unavailableBecause();
        assumeTrue(unavailable == null, () -> "skipped: " + unavailable);
        Path workDir = Path.of("target", "cluster-chaos").toAbsolutePath(); // its logs outlive a failure
        LocalFiles.deleteTree(workDir);
        ClusterDrill.Result r = ClusterDrill.run(new Layout(Path.of("..").toAbsolutePath().normalize()), workDir);
        System.out.println("cluster drill: " + r.figures());

        assertEquals(ClusterDrill.SAMPLES, r.acknowledged(), "the publisher's retries carry every sample over the leader change");
        assertEquals(0, r.samplesLost(), "every acknowledged sample is in the newest version");
        assertEquals(0, r.duplicates(), "no sample twice");
        assertTrue(r.leaderFailoverS() > 0, "a new leader was elected: " + r.leaderFailoverS());
        assertTrue(r.recoveryS() > 0, "samples sent after the cut landed: " + r.recoveryS());
        assertTrue(r.isrRestoredS() >= 0, "the healed broker caught up");
        assertTrue(r.runTrainedThroughCut(), "the first run was training when the broker was cut, and finished");
        assertEquals(0, r.versionsPreparedTwice(), "each version prepared once");
        assertEquals(0, r.deadLettered(), "an outage is not bad input");
        assertNotEquals(r.cutTrainer(), r.finishedBy(), "the other trainer finished the run");
        assertTrue(r.runResumedOnOtherTrainer(), "resumed from its checkpoint, not started again");
        assertEquals(2, r.modelsTrained(), "one model.trained per run");
    }
}
