package dev.mnistpipeline.cli;

import com.fasterxml.jackson.databind.JsonNode;

/** How {@code promote} and {@code rollback} report the change of the champion they made. */
final class ChangePrinter {
    private ChangePrinter() {
    }

    static int print(JsonNode change, StackOptions stack, String verb) {
        if (!stack.printedJson(change, System.out)) {
            System.out.printf("%s %s (accuracy %.4f), replacing %s: generation %d, by %s: %s%n", verb,
                    change.path("modelId").asText(), change.path("accuracy").asDouble(), change.path("replacedModelId").asText("none"),
                    change.path("generation").asLong(), change.path("by").asText(), change.path("reason").asText());
        }
        return 0;
    }
}
