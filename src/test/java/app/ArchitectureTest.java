package app;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/**
 * The layering rule of README's "Layout": the engine ({@code tensor}, {@code kernels},
 * {@code backprop}, {@code cuda}) never depends on what is built around it ({@code data},
 * {@code app}); {@code data} never depends on {@code app}.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("tensor", "kernels", "backprop", "cuda", "data", "app");

    @Test
    void theEngineDoesNotDependOnTheApplicationOrItsData() {
        noClasses().that().resideInAnyPackage("tensor..", "kernels..", "backprop..", "cuda..")
                .should().dependOnClassesThat().resideInAnyPackage("data..", "app..")
                .check(MAIN);
    }

    @Test
    void dataDoesNotDependOnTheApplication() {
        noClasses().that().resideInAPackage("data..")
                .should().dependOnClassesThat().resideInAPackage("app..")
                .check(MAIN);
    }

    @Test
    void tensorsAndKernelsDoNotDependOnLayers() {
        noClasses().that().resideInAnyPackage("tensor..", "kernels..")
                .should().dependOnClassesThat().resideInAnyPackage("backprop..", "cuda..")
                .check(MAIN);
    }

    @Test
    void theRuleSeesTheWholeTree() {
        // a rule over zero classes passes vacuously: make sure the importer found the packages
        for (String pkg : new String[] {"tensor", "kernels", "backprop", "cuda", "data", "app.cli"}) {
            if (MAIN.stream().noneMatch(c -> c.getPackageName().equals(pkg))) throw new AssertionError("no classes imported from " + pkg);
        }
    }
}
