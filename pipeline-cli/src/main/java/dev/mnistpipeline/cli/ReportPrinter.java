package dev.mnistpipeline.cli;

import dev.mnistpipeline.common.manifest.EvaluationReport;

import java.io.PrintStream;

/** The evaluation table as a terminal shows it. */
final class ReportPrinter {
    private ReportPrinter() {
    }

    static void print(EvaluationReport r, PrintStream out) {
        out.println();
        out.printf("Evaluation %s of %s on %d test images%n", r.evaluationId(), r.modelId(), r.testCount());
        out.println("class  precision  recall     f1  support");
        for (EvaluationReport.ClassMetrics c : r.perClass()) {
            out.printf("%5d  %9.4f  %6.4f  %5.4f  %7d%n", c.label(), c.precision(), c.recall(), c.f1(), c.support());
        }
        out.printf("macro  %9.4f  %6.4f  %5.4f  %7d%n", r.macro().precision(), r.macro().recall(), r.macro().f1(), r.testCount());
        out.printf("wtd    %9.4f  %6.4f  %5.4f  %7d%n", r.weighted().precision(), r.weighted().recall(), r.weighted().f1(), r.testCount());
        out.printf("accuracy %.4f   log loss %.4f   calibration error (ECE) %.4f   DJL scoring %.2f s%n", r.accuracy(),
                r.logLoss(), r.calibration().expectedCalibrationError(), r.inferenceSeconds());
        out.println("most confused: " + String.join(", ", r.topConfusedPairs().stream().limit(5)
                .map(p -> p.label() + "→" + p.predicted() + " ×" + p.count()).toList()));
        out.println();
        out.println("confusion matrix (rows: true label, columns: predicted)");
        out.print("     ");
        for (int c = 0; c < r.confusionMatrix().length; c++) {
            out.printf("%6d", c);
        }
        out.println();
        for (int t = 0; t < r.confusionMatrix().length; t++) {
            out.printf("%5d", t);
            for (int p = 0; p < r.confusionMatrix()[t].length; p++) {
                out.printf("%6d", r.confusionMatrix()[t][p]);
            }
            out.println();
        }
        out.println();
    }
}
