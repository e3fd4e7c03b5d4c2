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
    private static final String RUN = "[A-Za-z0-9][A-Za-z0-9._-]{0,100}";

    /** One kind of id: the pattern it must match and how a refusal describes it. */
    private record Shape(Pattern pattern, String description) {
        Shape(String regex, String description) {
            this(Pattern.compile(regex), description);
        }

        String require(String field, String id) {
            if (id == null || id.length() > 200 || !pattern.matcher(id).matches()) {
                throw new InvalidDataException(field + " must be " + description + ", got " + describe(id));
            }
            return id;
        }
    }

    private static final Shape RUN_ID = new Shape(RUN, "letters, digits, '.', '_' or '-', 1-101 characters, starting with a letter or digit");
    private static final Shape DATASET_ID = new Shape("ds-[0-9a-f]{16}", "ds- and 16 hex digits");
    private static final Shape PREPARED_ID = new Shape("pp-[0-9a-f]{16}", "pp- and 16 hex digits");
    private static final Shape MODEL_ID = new Shape("model-" + RUN, "'model-' and a run id");
    private static final Shape EVALUATION_ID = new Shape("eval-model-" + RUN, "'eval-model-' and a run id");
    private static final Shape DATASET_NAME = new Shape("[a-z0-9][a-z0-9-]{0,62}", "lowercase letters, digits and dashes, 1-63 characters");
    private static final Shape REGISTERED_MODEL = new Shape("[a-z0-9][a-z0-9-]{0,62}", "lowercase letters, digits and dashes, 1-63 characters");
    /** Never the shape of a model id, so that a version is either one or the other. */
    private static final Shape ALIAS = new Shape("(?!model-)[a-z][a-z0-9-]{0,31}", "a lowercase letter, then lowercase letters, digits and dashes, 1-32 characters, not starting with 'model-'");
    /** Sample and request ids, chosen by whoever publishes. */
    // ':' becomes '/' in marker keys: never two in a row or at the end, so that no id maps to an empty key segment.
    private static final Shape CLIENT_ID = new Shape("(?=.{1,128}$)[A-Za-z0-9][A-Za-z0-9._-]*(:[A-Za-z0-9._-]+)*",
            "letters, digits, '.', '_', '-' or single ':' between them, 1-128 characters");

    private Ids() {
    }

    public static String runId(String id) {
        return RUN_ID.require("runId", id);
    }

    /** A sweep id: a run id's shape, short enough that its trials' run ids ({@code <sweepId>-t<nn>}) are too. */
    public static String sweepId(String id) {
        RUN_ID.require("sweepId", id);
        if (id.length() > 60) {
            throw new InvalidDataException("sweepId must be at most 60 characters, got " + id.length());
        }
        return id;
    }

    public static String datasetId(String id) {
        return DATASET_ID.require("datasetId", id);
    }

    public static String preparedId(String id) {
        return PREPARED_ID.require("preparedId", id);
    }

    /** An optional prepared id: null stays null. */
    public static String optionalPreparedId(String id) {
        return id == null ? null : preparedId(id);
    }

    public static String modelId(String id) {
        return MODEL_ID.require("modelId", id);
    }

    /** An optional model id in the named field (a base model): null stays null. */
    public static String optionalModelId(String field, String id) {
        return id == null ? null : MODEL_ID.require(field, id);
    }

    public static String evaluationId(String id) {
        return EVALUATION_ID.require("evaluationId", id);
    }

    public static String datasetName(String name) {
        return DATASET_NAME.require("dataset name", name);
    }

    /** The name of a registered model (by default its dataset's name). */
    public static String registeredModel(String name) {
        return REGISTERED_MODEL.require("registered model name", name);
    }

    /** An optional registered model name: null stays null. */
    public static String optionalRegisteredModel(String name) {
        return name == null ? null : registeredModel(name);
    }

    /** The name of a model alias ({@code champion}, {@code staging}, {@code canary}, ...). */
    public static String alias(String alias) {
        return ALIAS.require("alias", alias);
    }

    /** True when {@code version} has the shape of a model id (else it may be an alias). */
    public static boolean isRunId(String id) {
        return id != null && id.length() <= 200 && RUN_ID.pattern().matcher(id).matches();
    }

    public static boolean isModelId(String version) {
        return version != null && MODEL_ID.pattern().matcher(version).matches();
    }

    public static String clientId(String field, String id) {
        return CLIENT_ID.require(field, id);
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
