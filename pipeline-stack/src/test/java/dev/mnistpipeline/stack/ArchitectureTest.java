package dev.mnistpipeline.stack;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import dev.mnistpipeline.common.architecture.ArchitectureRules;

/** pipeline-stack keeps the architecture ({@link ArchitectureRules}). */
@AnalyzeClasses(packages = "dev.mnistpipeline.stack", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchTests RULES = ArchTests.in(ArchitectureRules.class);
}
