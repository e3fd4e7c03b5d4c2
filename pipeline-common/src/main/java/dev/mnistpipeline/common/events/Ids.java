package dev.mnistpipeline.common.events;

import dev.mnistpipeline.common.errors.InvalidDataException;

import java.util.regex.Pattern;

/**
 * The shape of every id that may arrive from outside (a REST body or path, an event), checked before the id is
 * used: ids become object keys, metric labels, log lines and dashboard text, so anything else (a path traversal,
 * markup, an empty or a very long string) is refused with a reason that does not echo it back verbatim.
 */
public final class Ids {
    /** Run ids are chosen by callers: letters, digits, {@code . _ -}, up to 101 characters, not starting with a dot. */
    public static final String RUN = "[A-Za-z0-9][A-Za-z0-9._-]{0,100}";
    public static final Pattern RUN_ID = Pattern.compile(RUN);
    public static final Pattern DATASET_ID = Pattern.compile("ds-[0-9a-f]{16}");
    public static final Pattern PREPARED_ID = Pattern.compile("pp-[0-9a-f]{16}");
    public static final Pattern MODEL_ID = Pattern.compile("model-" + RUN);
    public static final Pattern EVALUATION_ID = Pattern.compile("eval-model-" + RUN);
    public static final Pattern DATASET_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    /** Sample and request ids, chosen by whoever publishes. */
    public static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    private Ids() {
    }

    public static String runId(String id) {
        return require(RUN_ID, "runId", id, "letters, digits, '.', '_' or '-', 1-101 characters, starting with a letter or digit");
    }

    public static String datasetId(String id) {
        return require(DATASET_ID, "datasetId", id, "ds- and 16 hex digits");
    }

    public static String preparedId(String id) {
        return require(PREPARED_ID, "preparedId", id, "pp- and 16 hex digits");
    }

    public static String modelId(String id) {
        return require(MODEL_ID, "modelId", id, "'model-' and a run id");
    }

    public static String evaluationId(String id) {
        return require(EVALUATION_ID, "evaluationId", id, "'eval-model-' and a run id");
    }

    public static String datasetName(String name) {
        return require(DATASET_NAME, "dataset name", name, "lowercase letters, digits and dashes, 1-63 characters");
    }

    public static String clientId(String field, String id) {
        return require(CLIENT_ID, field, id, "letters, digits, '.', '_', ':' or '-', 1-128 characters");
    }

    /** {@code id} if present and well-formed; null stays null (optional fields). */
    public static String optional(Pattern pattern, String field, String id, String shape) {
        return id == null ? null : require(pattern, field, id, shape);
    }

    private static String require(Pattern pattern, String field, String id, String shape) {
        if (id == null || id.length() > 200 || !pattern.matcher(id).matches()) {
            throw new InvalidDataException(field + " must be " + shape + ", got " + describe(id));
        }
        return id;
    }

    /** A refused id as the reason shows it: its length and its harmless characters, never markup or separators. */
    private static String describe(String id) {
        if (id == null) {
            return "none";
        }
        if (id.isEmpty()) {
            return "an empty string";
        }
        String shown = id.length() > 40 ? id.substring(0, 40) + "…" : id;
        return "'" + shown.replaceAll("[^A-Za-z0-9._-]", "?") + "' (" + id.length() + " characters)";
    }
}
