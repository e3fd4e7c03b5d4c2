package dev.mnistpipeline.trainer.model;

import dev.mnistpipeline.common.events.Hyperparameters;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Adam, AdamW or SGD with momentum whose learning rate is a graph input, so the trainer can follow a schedule step by
 * step ({@code tensorflow-framework}'s optimizers bake the rate in as a constant). The updates are TF's own
 * {@code ApplyAdam} and {@code ApplyMomentum} kernels; slots ({@code m}, {@code v}) and Adam's beta powers are
 * ordinary variables, so checkpoints carry the optimizer state. AdamW (Loshchilov and Hutter) is Adam followed by
 * {@code w -= learningRate * decay * w} on the decayed weights, after their update in the same step.
 */
final class ScheduledOptimizer extends Optimizer {
    static final float BETA_ONE = 0.9f, BETA_TWO = 0.999f, EPSILON = 1e-7f, MOMENTUM = 0.9f;

    private final boolean adam;
    private final Operand<TFloat32> learningRate;
    private final float decoupledDecay;
    private final Set<String> decayed;
    private Variable<TFloat32> betaOnePower;
    private Variable<TFloat32> betaTwoPower;

    /**
     * @param decoupledDecay AdamW's decay (0 for none)
     * @param decayed        the variables it applies to, by name
     */
    ScheduledOptimizer(Graph graph, Hyperparameters.Optimizer kind, Operand<TFloat32> learningRate, double decoupledDecay,
                       Set<String> decayed) {
        super(graph, kind.toString());
        this.adam = kind != Hyperparameters.Optimizer.SGD;
        this.learningRate = learningRate;
        this.decoupledDecay = (float) decoupledDecay;
        this.decayed = Set.copyOf(decayed);
    }

    /**
     * Gradients of {@code loss} for the given variables only. The framework's own {@code computeGradients} takes
     * every variable in the graph, including batch-norm statistics that the loss does not reach.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    List<GradAndVar<?>> gradients(Operand<TFloat32> loss, List<Variable<TFloat32>> variables) {
        Output<?>[] outputs = variables.stream().map(Variable::asOutput).toArray(Output[]::new);
        Output<?>[] gradients = graph.addGradients(loss.asOutput(), outputs);
        List<GradAndVar<?>> pairs = new ArrayList<>();
        for (int i = 0; i < outputs.length; i++) {
            pairs.add(new GradAndVar(gradients[i], outputs[i]));
        }
        return pairs;
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void createSlots(List<Output<? extends TType>> variables) {
        for (Output<? extends TType> v : variables) {
            Output<TFloat32> variable = (Output<TFloat32>) v;
            createSlot(variable, "m", tf.zeros(tf.constant(variable.shape()), TFloat32.class));
            if (adam) {
                createSlot(variable, "v", tf.zeros(tf.constant(variable.shape()), TFloat32.class));
            }
        }
        if (adam) {
            betaOnePower = tf.withName("beta1_power").variable(tf.constant(BETA_ONE));
            betaTwoPower = tf.withName("beta2_power").variable(tf.constant(BETA_TWO));
        }
    }

    @Override
    protected Optional<Op> prepare(String name) {
        return Optional.empty();
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T extends TType> Op applyDense(Ops deps, Output<T> gradient, Output<T> variable) {
        Output<TFloat32> g = (Output<TFloat32>) gradient, v = (Output<TFloat32>) variable;
        Variable<TFloat32> m = getSlot(v, "m").orElseThrow();
        if (!adam) {
            return deps.train.applyMomentum(v, m, learningRate, g, deps.constant(MOMENTUM));
        }
        Variable<TFloat32> second = getSlot(v, "v").orElseThrow();
        Op update = deps.train.applyAdam(v, m, second, betaOnePower, betaTwoPower, learningRate, deps.constant(BETA_ONE),
                deps.constant(BETA_TWO), deps.constant(EPSILON), g);
        if (decoupledDecay == 0 || !decayed.contains(v.op().name())) {
            return update;
        }
        Ops after = deps.withControlDependencies(List.of(update));
        return after.assignSub(v, after.math.mul(v, after.math.mul(learningRate, after.constant(decoupledDecay))));
    }

    @Override
    protected Op finish(List<Op> updates, String name) {
        List<Op> all = new ArrayList<>(updates);
        if (adam) {
            Ops after = tf.withControlDependencies(updates);
            all.add(after.assign(betaOnePower, after.math.mul(betaOnePower, after.constant(BETA_ONE))));
            all.add(after.assign(betaTwoPower, after.math.mul(betaTwoPower, after.constant(BETA_TWO))));
        }
        return super.finish(all, name);
    }

    @Override
    public String getOptimizerName() {
        return !adam ? "ScheduledMomentum" : decoupledDecay > 0 ? "ScheduledAdamW" : "ScheduledAdam";
    }
}
