package dev.mnistpipeline.trainer;

import dev.mnistpipeline.common.data.InvalidDataException;
import dev.mnistpipeline.common.events.Hyperparameters;
import dev.mnistpipeline.trainer.domain.TrainingRules;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingRulesTest {

    @Test
    void fillsDefaults() {
        Hyperparameters hp = TrainingRules.validate(new Hyperparameters(null, 3, null, null, "sgd", null, null));
        assertEquals("cnn", hp.architecture());
        assertEquals(3, hp.epochs());
        assertEquals(128, hp.batchSize());
        assertEquals("sgd", hp.optimizer());
        assertEquals("cross_entropy", hp.loss());
    }

    @Test
    void listsEveryProblem() {
        var e = assertThrows(InvalidDataException.class, () -> TrainingRules.validate(
                new Hyperparameters("resnet", 0, 0, -1.0, "rmsprop", "hinge", 1L)));
        for (String expected : new String[]{"architecture 'resnet'", "epochs", "batchSize", "learningRate", "optimizer 'rmsprop'", "loss 'hinge'"}) {
            assertTrue(e.getMessage().contains(expected), e.getMessage());
        }
    }
}
