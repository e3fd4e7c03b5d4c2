package dev.mnistpipeline.stack.client;

import java.io.PrintStream;

/** A progress bar on a terminal; a line every two seconds otherwise; nothing when quiet (--json). */
public final class ProgressBar {
    private static final int WIDTH = 20;

    private final PrintStream out;
    private final boolean quiet;
    private final boolean terminal = System.console() != null;
    private long lastLine;

    public ProgressBar(PrintStream out, boolean quiet) {
        this.out = out;
        this.quiet = quiet;
    }

    public void show(String what, int done, int total, long startNanos) {
        if (quiet) {
            return;
        }
        long now = System.nanoTime();
        if (!terminal && now - lastLine < 2_000_000_000L && done < total) {
            return;
        }
        lastLine = now;
        int filled = total == 0 ? WIDTH : (int) ((long) WIDTH * done / total);
        double rate = done / Math.max(1e-3, (now - startNanos) / 1e9);
        String line = String.format("%-10s [%s%s] %d/%d (%,.0f/s)", what, "#".repeat(filled), "-".repeat(WIDTH - filled), done, total, rate);
        if (terminal) {
            out.print("\r" + line);
            out.flush();
        } else {
            out.println(line);
        }
    }

    public void done() {
        if (!quiet && terminal) {
            out.println();
        }
    }
}
