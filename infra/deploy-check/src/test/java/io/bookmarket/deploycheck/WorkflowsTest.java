package io.bookmarket.deploycheck;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What the offline linter (infra/ci/lint-workflows.sh) cannot know: the workflows name this repository's modules and
 * files. Syntax, expressions and action inputs are the linter's job.
 */
class WorkflowsTest {

    private static final List<String> APPS = List.of("regrequest-service", "approval-service", "publisher-view");

    private final Path root = Repo.root();

    private JsonNode workflow(String name) {
        List<JsonNode> docs = Repo.yamlDocuments(root.resolve(".github/workflows").resolve(name));
        assertThat(docs).hasSize(1);
        return docs.get(0);
    }

    @Test
    void ciRunsTheProjectsCheckScriptOnJdk25() {
        String ci = Repo.read(root.resolve(".github/workflows/ci.yml"));
        assertThat(ci).contains("bash .ci/run", "java-version: '25'", "cache: maven");
    }

    @Test
    void matricesNameExactlyTheServiceModules() {
        for (String name : List.of("native.yml", "images.yml")) {
            List<String> found = new ArrayList<>();
            workflow(name).path("jobs").forEach(job -> job.at("/strategy/matrix/service").forEach(s -> found.add(s.asText())));
            assertThat(found).as(name).containsExactlyInAnyOrderElementsOf(APPS);
        }
        // deploy.yml applies the services one after the other (one protected job, in order).
        assertThat(workflow("deploy.yml").at("/jobs/deploy/env/SERVICES").asText().split(" "))
                .containsExactlyInAnyOrderElementsOf(APPS);
        APPS.forEach(app -> assertThat(root.resolve(app).resolve("pom.xml")).exists());
    }

    @Test
    void nativeBuildUsesMandrelForJdk25() {
        String text = Repo.read(root.resolve(".github/workflows/native.yml"));
        assertThat(text).contains("graalvm/setup-graalvm@v1", "distribution: mandrel", "java-version: '25'", "-Dnative");
    }

    @Test
    void everyWorkflowDeclaresMinimalPermissionsAndOnlyPushingJobsWritePackages() throws Exception {
        try (var files = Files.list(root.resolve(".github/workflows"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yml")).toList()) {
                JsonNode wf = Repo.yamlDocuments(file).get(0);
                String name = file.getFileName().toString();
                assertThat(wf.at("/permissions/contents").asText()).as(name + " top-level permissions").isEqualTo("read");
                assertThat(wf.path("permissions").size()).as(name + " top-level permissions").isEqualTo(1);
                wf.path("jobs").fields().forEachRemaining(job -> {
                    String packages = job.getValue().at("/permissions/packages").asText();
                    if ("write".equals(packages)) {
                        assertThat(name).as("only images.yml pushes packages").isEqualTo("images.yml");
                    }
                });
            }
        }
    }

    @Test
    void deployIsProtectedAndUsesTheKubeconfigSecret() {
        String text = Repo.read(root.resolve(".github/workflows/deploy.yml"));
        assertThat(text).contains("environment: production", "secrets.KUBECONFIG_B64", "workflow_dispatch",
                "rollout status", "target/kubernetes/kubernetes.yml");
        assertThat(text).doesNotContain(":latest");
    }
}
