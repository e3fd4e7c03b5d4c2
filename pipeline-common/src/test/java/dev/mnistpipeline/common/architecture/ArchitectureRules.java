package dev.mnistpipeline.common.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;

import java.util.Map;
import java.util.Set;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The architecture of every module, as rules. Each module runs them against its own main classes (its
 * {@code ArchitectureTest}: {@code @ArchTest ArchTests rules = ArchTests.in(ArchitectureRules.class)}).
 *
 * <ol>
 *   <li>Modules: a service builds on {@code pipeline-common} only; the stack (Kafka, S3, the services as processes or
 *       containers, their clients) on common; the CLI on the stack; the benchmarks on the stack, the CLI's option
 *       parsing and the trainer's graphs (their in-process reference). No service reaches into another.</li>
 *   <li>Within a service, a request comes in through {@code api} (REST) or {@code messaging} (Kafka), and both hand
 *       it to {@code domain}, where the pipeline's logic lives; neither calls the other.</li>
 *   <li>{@code domain} knows nothing of transport: no REST or Kafka types, and nothing from {@code api} or
 *       {@code messaging}.</li>
 *   <li>No package cycles: every package can be read, tested and moved with what it depends on.</li>
 * </ol>
 */
public final class ArchitectureRules {
    private static final String ROOT = "dev.mnistpipeline.";
    /** Which modules' packages each module may use, besides its own (keyed by the package after {@value #ROOT}). */
    private static final Map<String, Set<String>> MODULE_DEPENDENCIES = Map.of(
            "common", Set.of(),
            "ingest", Set.of("common"),
            "preprocess", Set.of("common"),
            "trainer", Set.of("common"),
            "evaluator", Set.of("common"),
            "stack", Set.of("common"),
            "cli", Set.of("common", "stack"),
            // The benchmarks run on the stack with the CLI's training options, and train the trainer's own graphs in
            // process as the in-run reference their figures stand beside.
            "bench", Set.of("common", "stack", "cli", "trainer"));

    private ArchitectureRules() {
    }

    /** 1. Each module uses only the modules it builds on. */
    @ArchTest
    public static final ArchRule MODULES_USE_ONLY_WHAT_THEY_BUILD_ON = classes().that().resideInAPackage("dev.mnistpipeline..")
            .should(new ArchCondition<JavaClass>("use only the modules their module builds on") {
                @Override
                public void check(JavaClass item, ConditionEvents events) {
                    String own = module(item);
                    Set<String> allowed = MODULE_DEPENDENCIES.getOrDefault(own, Set.of());
                    for (Dependency d : item.getDirectDependenciesFromSelf()) {
                        String target = module(d.getTargetClass());
                        if (target != null && !target.equals(own) && !allowed.contains(target)) {
                            events.add(SimpleConditionEvent.violated(d, d.getDescription()));
                        }
                    }
                }
            });

    /** 2. REST and Kafka entry points hand work to the domain, never to each other. */
    @ArchTest
    public static final ArchRule ENTRY_POINTS_CALL_ONLY_THE_DOMAIN = layeredArchitecture().consideringOnlyDependenciesInLayers()
            .withOptionalLayers(true)
            .layer("REST API").definedBy(ownPackage("api"))
            .layer("Kafka messaging").definedBy(ownPackage("messaging"))
            .layer("Domain").definedBy(ownPackage("domain"))
            .whereLayer("REST API").mayNotBeAccessedByAnyLayer()
            .whereLayer("Kafka messaging").mayNotBeAccessedByAnyLayer()
            .whereLayer("Domain").mayOnlyBeAccessedByLayers("REST API", "Kafka messaging");

    /** 3. The domain is free of transport. */
    @ArchTest
    public static final ArchRule DOMAIN_KNOWS_NO_TRANSPORT = noClasses().that().resideInAPackage(ROOT + "*.domain..")
            .should().dependOnClassesThat().resideInAnyPackage(
                    "jakarta.ws.rs..", "org.jboss.resteasy..", "io.vertx.ext.web..",
                    "org.eclipse.microprofile.reactive.messaging..", "io.smallrye.reactive.messaging..", "org.apache.kafka..")
            .because("the domain is what the pipeline does, whatever carries the request")
            .allowEmptyShould(true); // common and the CLI have no domain package

    /** 4. No package cycles. */
    @ArchTest
    public static final ArchRule NO_PACKAGE_CYCLES = slices().matching(ROOT + "(**)").should().beFreeOfCycles();

    /** The module a class belongs to (the package after {@value #ROOT}), or null outside the project. */
    private static String module(JavaClass c) {
        String pkg = c.getPackageName();
        if (!pkg.startsWith(ROOT)) {
            return null;
        }
        String rest = pkg.substring(ROOT.length());
        int dot = rest.indexOf('.');
        return dot < 0 ? rest : rest.substring(0, dot);
    }

    /** A service's own package of that role ({@code dev.mnistpipeline.<service>.<role>}), not common's namesake. */
    private static DescribedPredicate<JavaClass> ownPackage(String role) {
        return resideInAPackage(ROOT + "*." + role + "..").and(DescribedPredicate.not(resideInAPackage(ROOT + "common.."))).as(role);
    }
}
