package dev.mnistpipeline.evaluator.domain;

import java.util.function.Function;
import dev.mnistpipeline.common.errors.InvalidDataException;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * One request of the run list: filters (all optional, all must match), one sort key, and a page. Built from the
 * query string by {@link #parse}, which refuses what it cannot honour with a reason (a 400), never by ignoring it.
 *
 * @param text         a case-insensitive substring of the run id, registered model, dataset, tags or note
 * @param dataset      the dataset name, dataset version id or prepared id
 * @param states       any of these states; empty: all
 * @param from         created at or after (inclusive); null: no bound
 * @param to           created before (exclusive); null: no bound
 * @param sort         {@code createdAt}, {@code updatedAt}, {@code runId}, or a final figure's name
 *                     ({@code validationAccuracy}, {@code testAccuracy}, ...): runs without it come last either way
 */
public record RunQuery(String text, String dataset, String architecture, Set<String> states, String tag, String sweep,
                       Instant from, Instant to, String sort, boolean descending, int offset, int limit) {

    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;
    public static final List<String> STATES = List.of("queued", "waiting", "training", "completed", "failed", "cancelled", "refused");
    static final Set<String> FIELD_SORTS = Set.of("createdAt", "updatedAt", "runId");

    /** A page of the list: {@code total} runs match, these are {@code offset} to {@code offset + runs.size()}. */
    public record Page(int total, int offset, int limit, String sort, String order, List<RunSummary> runs) {
    }

    /**
     * @param figures the figures some run has (the sort keys beyond the fields)
     */
    public static RunQuery parse(String text, String dataset, String architecture, String state, String tag, String sweep,
                                 String from, String to, String sort, String order, Integer offset, Integer limit,
                                 Set<String> figures) {
        Set<String> states = state == null || state.isBlank() ? Set.of()
                : Arrays.stream(state.split(",")).map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        for (String s : states) {
            if (!STATES.contains(s)) {
                throw new InvalidDataException("state '" + s + "' is not one of " + STATES);
            }
        }
        String sortKey = sort == null || sort.isBlank() ? "createdAt" : sort;
        if (!FIELD_SORTS.contains(sortKey) && !figures.contains(sortKey)) {
            throw new InvalidDataException("sort '" + sortKey + "' is not a field (" + FIELD_SORTS.stream().sorted().toList()
                    + ") or a figure any run has (" + figures.stream().sorted().toList() + ")");
        }
        String ord = order == null || order.isBlank() ? "desc" : order.toLowerCase(Locale.ROOT);
        if (!ord.equals("asc") && !ord.equals("desc")) {
            throw new InvalidDataException("order must be asc or desc, got '" + order + "'");
        }
        int off = offset == null ? 0 : offset;
        if (off < 0) {
            throw new InvalidDataException("offset must be 0 or more, got " + off);
        }
        int lim = limit == null ? DEFAULT_LIMIT : limit;
        if (lim < 1 || lim > MAX_LIMIT) {
            throw new InvalidDataException("limit must be 1 to " + MAX_LIMIT + ", got " + lim);
        }
        Instant fromTime = instant("from", from);
        Instant toTime = instant("to", to);
        if (fromTime != null && toTime != null && !fromTime.isBefore(toTime)) {
            throw new InvalidDataException("from (" + fromTime + ") must be before to (" + toTime + ")");
        }
        return new RunQuery(blankToNull(text), blankToNull(dataset), blankToNull(architecture), states, blankToNull(tag),
                blankToNull(sweep), fromTime, toTime, sortKey, ord.equals("desc"), off, lim);
    }

    public Predicate<RunSummary> filter() {
        String needle = text == null ? null : text.toLowerCase(Locale.ROOT);
        return r -> (states.isEmpty() || states.contains(r.state()))
                && (dataset == null || dataset.equals(r.dataset()) || dataset.equals(r.datasetId()) || dataset.equals(r.preparedId()))
                && (architecture == null || architecture.equals(r.architecture()))
                && (tag == null || r.tags().contains(tag))
                && (sweep == null || sweep.equals(r.sweepId()))
                && (from == null || (r.createdAt() != null && !r.createdAt().isBefore(from)))
                && (to == null || (r.createdAt() != null && r.createdAt().isBefore(to)))
                && (needle == null || matches(r, needle));
    }

    /** The order of the page: by the sort key (missing values last in either order), then by run id. */
    public Comparator<RunSummary> order() {
        Comparator<RunSummary> byKey = switch (sort) {
            case "runId" -> Comparator.comparing(RunSummary::runId);
            case "createdAt" -> nullsLast(RunSummary::createdAt);
            case "updatedAt" -> nullsLast(RunSummary::updatedAt);
            default -> nullsLast(r -> r.figures().get(sort));
        };
        return byKey.thenComparing(RunSummary::runId);
    }

    private <T extends Comparable<T>> Comparator<RunSummary> nullsLast(Function<RunSummary, T> key) {
        Comparator<T> natural = descending ? Comparator.<T>reverseOrder() : Comparator.<T>naturalOrder();
        return Comparator.comparing(key, Comparator.nullsLast(natural));
    }

    public String orderName() {
        return descending ? "desc" : "asc";
    }

    private static boolean matches(RunSummary r, String needle) {
        return contains(r.runId(), needle) || contains(r.registeredModel(), needle) || contains(r.dataset(), needle)
                || contains(r.note(), needle) || r.tags().stream().anyMatch(t -> contains(t, needle));
    }

    private static boolean contains(String value, String needle) {
        return value != null && value.toLowerCase(Locale.ROOT).contains(needle);
    }

    private static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw new InvalidDataException(name + " must be an ISO-8601 instant such as 2026-12-07T00:00:00Z, got '" + value + "'");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
