package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The hub's image {@code mlhub:local}, built from the jar under test with {@code src/image/build-local-image} once
 * per test JVM. The script itself skips the build when the jar and its recipe did not change.
 */
final class LocalImage {
    static final String NAME = "mlhub:local";
    private static final int BUILD_TIMEOUT_SECONDS = 15 * 60;
    private static boolean built;

    private LocalImage() {}

    /** Builds the image from {@link HubProcess#jar()} unless this JVM did already. */
    static synchronized void build() throws Exception {
        if (built) {
            return;
        }
        Path script = Path.of("src/image/build-local-image").toAbsolutePath();
        long started = System.nanoTime();
        OpenSsh.Result result = OpenSsh.run(List.of(script.toString(), HubProcess.jar().toString()),
                BUILD_TIMEOUT_SECONDS);
        System.out.printf("LocalImage: build-local-image took %d s%n%s",
                TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), result.output());
        assertThat(result.exitCode()).as("build-local-image failed:%n%s", result.output()).isZero();
        built = true;
    }
}
