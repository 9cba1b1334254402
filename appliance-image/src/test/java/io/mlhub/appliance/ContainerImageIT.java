package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Builds the hub's image from local files with {@code src/image/build-local-image} and checks its documented
 * layout. Also builds {@code Dockerfile} when its base images are present locally (no registry is reachable here).
 * {@link ImageDockerEndToEndIT} runs the whole flow on the image.
 */
@Tag("slow")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerImageIT {
    private static final String IMAGE = LocalImage.NAME;
    private static final String TEST_LABEL = "io.mlhub.test=container-image-it";
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(15);

    private final Path moduleDir = Path.of("").toAbsolutePath();
    private final Set<String> builtImages = new LinkedHashSet<>();

    @BeforeAll
    void buildLocalImage() throws Exception {
        LocalImage.build();
    }

    @AfterAll
    void removeEverythingCreated() throws Exception {
        for (String image : builtImages) {
            docker("image", "rm", image);
        }
    }

    @Test
    @Order(1)
    void imageHasDocumentedLayout() throws Exception {
        String config = docker("image", "inspect", "-f",
                "{{json .Config.Entrypoint}} {{json .Config.ExposedPorts}} {{json .Config.Volumes}} {{json .Config.Env}}",
                IMAGE).output();

        assertThat(config).contains("[\"/opt/mlhub/mlhub-java\",\"/data/cache\",\"/opt/mlhub/mlhub.jar\"]");
        assertThat(config).contains("\"8080/tcp\"");
        assertThat(config).contains("\"/data\"");
        assertThat(config).contains("DATA_FOLDER=/data");

        Result version = run(List.of("docker", "run", "--rm", "--label", TEST_LABEL, IMAGE, "--version"),
                Duration.ofSeconds(60));
        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output()).startsWith("mlhub ");

        Result asHubUser = run(List.of("docker", "run", "--rm", "--label", TEST_LABEL, "--user", "mlhub",
                "--entrypoint", "/bin/sh", IMAGE, "-c", "touch /data/written && id -un"), Duration.ofSeconds(60));
        assertThat(asHubUser.exitCode()).as("the mlhub user can write /data: %s", asHubUser.output()).isZero();
        assertThat(asHubUser.output().trim()).isEqualTo("mlhub");
    }

    @Test
    @Order(2)
    void dockerfileBuildsWhenBaseImagesPresent() throws Exception {
        Path dockerfile = moduleDir.resolve("Dockerfile");
        List<String> missing = new ArrayList<>();
        for (String base : baseImages(Files.readString(dockerfile))) {
            if (docker("image", "inspect", base).exitCode() != 0) {
                missing.add(base);
            }
        }
        Assumptions.assumeTrue(missing.isEmpty(),
                "Dockerfile build skipped: base images not present locally and no registry to pull from: " + missing);

        String tag = "mlhub-it-dockerfile:" + randomSuffix(8);
        builtImages.add(tag);
        ProcessBuilder build = new ProcessBuilder("docker", "build", "--label", TEST_LABEL, "-f",
                dockerfile.toString(), "-t", tag, moduleDir.getParent().toString());
        build.environment().put("DOCKER_BUILDKIT", "1");
        Result result = run(build, BUILD_TIMEOUT);
        assertThat(result.exitCode()).as(result.output()).isZero();
    }

    /** Returns the images the Dockerfile's FROM lines name, leaving out the names of its own stages. */
    static List<String> baseImages(String dockerfile) {
        Pattern from = Pattern.compile("(?im)^FROM\\s+(?:--platform=\\S+\\s+)?(\\S+)(?:\\s+AS\\s+(\\S+))?");
        Set<String> stages = new LinkedHashSet<>();
        List<String> images = new ArrayList<>();
        Matcher matcher = from.matcher(dockerfile);
        while (matcher.find()) {
            if (!stages.contains(matcher.group(1))) {
                images.add(matcher.group(1));
            }
            if (matcher.group(2) != null) {
                stages.add(matcher.group(2));
            }
        }
        return images;
    }

    private static Result docker(String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("docker");
        command.addAll(List.of(arguments));
        return run(command, Duration.ofSeconds(60));
    }

    private static Result run(List<String> command, Duration timeout) throws Exception {
        return run(new ProcessBuilder(command), timeout);
    }

    private static Result run(ProcessBuilder builder, Duration timeout) throws Exception {
        Path output = Files.createTempFile("mlhub-container-it", ".log");
        try {
            Process process = builder.redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor();
                throw new AssertionError("timed out after " + timeout + ": " + builder.command() + "\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }

    private static String randomSuffix(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder result = new StringBuilder();
        for (int i = 0; i < length; i++) {
            result.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return result.toString();
    }

    private record Result(int exitCode, String output) {}
}
