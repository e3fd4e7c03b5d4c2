package dev.mnistpipeline.trainer.model;

import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every variable of a training graph (weights, normalisation statistics, optimizer slots and beta powers) read
 * into Java arrays and written back: the best epoch's weights for early stopping, and checkpoints. Build it after
 * the whole graph, optimizer included, exists.
 */
public final class ModelState {
    private final List<String> names = new ArrayList<>();
    private final List<Operand<TFloat32>> reads = new ArrayList<>();
    private final List<Placeholder<TFloat32>> inputs = new ArrayList<>();
    private final List<Op> writes = new ArrayList<>();
    private final List<Shape> shapes = new ArrayList<>();

    @SuppressWarnings("unchecked")
    public ModelState(Graph graph) {
        Ops tf = Ops.create(graph);
        List<GraphOperation> variables = new ArrayList<>();
        for (Iterator<GraphOperation> it = graph.operations(); it.hasNext(); ) {
            GraphOperation op = it.next();
            if (op.type().equals("VariableV2")) {
                variables.add(op);
            }
        }
        for (GraphOperation v : variables) {
            var output = (org.tensorflow.Output<TFloat32>) (org.tensorflow.Output<?>) v.output(0);
            Shape shape = output.shape();
            names.add(v.name());
            shapes.add(shape);
            reads.add(tf.identity(output));
            Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
            inputs.add(in);
            writes.add(tf.assign(output, in));
        }
    }

    /** Variable name → values (row-major). */
    public Map<String, float[]> read(Session session) {
        Session.Runner runner = session.runner();
        reads.forEach(runner::fetch);
        Map<String, float[]> values = new LinkedHashMap<>();
        try (Result result = runner.run()) {
            for (int i = 0; i < names.size(); i++) {
                TFloat32 t = (TFloat32) result.get(i);
                float[] data = new float[(int) t.size()];
                t.asRawTensor().data().asFloats().read(data);
                values.put(names.get(i), data);
            }
        }
        return values;
    }

    /** Writes values read from a graph of the same architecture; every variable must be present with its size. */
    public void write(Session session, Map<String, float[]> values) {
        for (int i = 0; i < names.size(); i++) {
            float[] data = values.get(names.get(i));
            if (data == null || data.length != shapes.get(i).size()) {
                throw new IllegalStateException("state has no value of size " + shapes.get(i).size() + " for " + names.get(i));
            }
        }
        writeMatching(session, values);
    }

    /**
     * Writes the variables that {@code values} holds with the right size and leaves the others as they are
     * (transfer learning: a head of another size keeps its fresh initialisation). Returns the names written.
     */
    public List<String> writeMatching(Session session, Map<String, float[]> values) {
        Session.Runner runner = session.runner();
        List<Tensor> feeds = new ArrayList<>();
        List<String> written = new ArrayList<>();
        try {
            for (int i = 0; i < names.size(); i++) {
                float[] data = values.get(names.get(i));
                if (data == null || data.length != shapes.get(i).size()) {
                    continue;
                }
                written.add(names.get(i));
                TFloat32 t = TFloat32.tensorOf(shapes.get(i), DataBuffers.of(data, true, false));
                feeds.add(t);
                runner.feed(inputs.get(i), t).addTarget(writes.get(i));
            }
            if (!written.isEmpty()) {
                runner.run().close();
            }
        } finally {
            feeds.forEach(Tensor::close);
        }
        return written;
    }

    public List<String> names() {
        return names;
    }
}
