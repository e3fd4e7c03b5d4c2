package dev.mnistpipeline.e2e.docs;

import dev.mnistpipeline.cli.PipelineCli;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every {@code ./pipeline} command line in the READMEs' code blocks is one the CLI takes as written: the command
 * exists and its options and arguments parse (nothing runs). A renamed option or a removed command fails here, with
 * the line. {@code bench} and {@code images} belong to the launcher script and the benchmark module; {@code help X}
 * must name a command.
 */
class ReadmeCommandsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Set<String> SCRIPT_COMMANDS = Set.of("bench", "images");

    @Test
    void everyDocumentedCommandLineParses() throws IOException {
        List<String> problems = new ArrayList<>();
        int checked = 0;
        for (Path doc : List.of(ROOT.resolve("README.md"), ROOT.resolve("deploy/README.md"))) {
            for (String line : commandLines(Files.readAllLines(doc))) {
                List<String> args = words(line);
                if (args.isEmpty() || SCRIPT_COMMANDS.contains(args.get(0))) {
                    continue;
                }
                checked++;
                try {
                    CommandLine cli = PipelineCli.commandLine();
                    if (args.get(0).equals("help")) {
                        if (args.size() > 1 && !cli.getSubcommands().containsKey(args.get(1))) {
                            problems.add(doc.getFileName() + ": " + line + "  -> no command '" + args.get(1) + "'");
                        }
                        continue;
                    }
                    cli.parseArgs(args.toArray(String[]::new));
                } catch (CommandLine.ParameterException e) {
                    problems.add(doc.getFileName() + ": ./pipeline " + line + "  -> " + e.getMessage());
                }
            }
        }
        System.out.println("README command lines parsed: " + checked);
        assertTrue(checked >= 20, "found only " + checked + " command lines: is the extraction still right?");
        if (!problems.isEmpty()) {
            fail("README command lines the CLI does not take:\n" + String.join("\n", problems));
        }
    }

    /** The {@code ./pipeline ...} lines inside fenced code blocks, continuations joined, comments cut, without the prefix. */
    static List<String> commandLines(List<String> lines) {
        List<String> commands = new ArrayList<>();
        boolean inBlock = false;
        StringBuilder pending = null;
        for (String raw : lines) {
            if (raw.startsWith("```")) {
                inBlock = !inBlock;
                continue;
            }
            if (!inBlock) {
                continue;
            }
            String line = raw.strip();
            if (pending != null) {
                pending.append(' ').append(line);
            } else {
                if (line.startsWith("$ ")) {
                    line = line.substring(2);
                }
                if (!line.startsWith("./pipeline ")) {
                    continue;
                }
                pending = new StringBuilder(line.substring("./pipeline ".length()));
            }
            if (pending.toString().endsWith("\\")) {
                pending.setLength(pending.length() - 1);
                continue;
            }
            commands.add(cutComment(pending.toString()).strip());
            pending = null;
        }
        return commands;
    }

    private static String cutComment(String line) {
        boolean single = false, dbl = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\'' && !dbl) {
                single = !single;
            } else if (c == '"' && !single) {
                dbl = !dbl;
            } else if (c == '#' && !single && !dbl && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            } else if ((c == '|' || c == ';' || c == '&') && !single && !dbl) {
                return line.substring(0, i); // a pipeline or a second command: only the ./pipeline part is ours
            }
        }
        return line;
    }

    /** Shell words: whitespace-separated, single and double quotes kept together, quotes removed. */
    static List<String> words(String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (char c : line.toCharArray()) {
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c)) {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        if (word != null) {
            words.add(word.toString());
        }
        return words;
    }
}
