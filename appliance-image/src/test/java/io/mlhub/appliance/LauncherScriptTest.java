package io.mlhub.appliance;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the {@code mlhub-java} launcher with a stand-in {@code java} that prints the arguments it gets. */
class LauncherScriptTest {
    private static final Path LAUNCHER = Path.of("src/image/mlhub-java").toAbsolutePath();

    @TempDir
    Path directory;

    private Path javaHome;
    private Path cache;

    @BeforeEach
    void createStandInJava() throws Exception {
        javaHome = directory.resolve("jdk");
        Files.createDirectories(javaHome.resolve("bin"));
        Path java = javaHome.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\necho \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(javaHome.resolve("release"), "JAVA_RUNTIME_VERSION=\"25.0.3+9-LTS\"\n");
        cache = directory.resolve("cache");
    }

    @Test
    void serveGetsArchive() throws Exception {
        Path jar = jar("one");

        assertThat(launch(jar, "serve", "--port", "9000")).contains("-XX:SharedArchiveFile=" + cache)
                .endsWith("-jar " + jar + " serve --port 9000");
    }

    @Test
    void shortCommandsGetNoArchive() throws Exception {
        Path jar = jar("one");

        assertThat(launch(jar, "token", "admin")).doesNotContain("SharedArchiveFile");
        assertThat(launch(jar, "serve", "--help")).doesNotContain("SharedArchiveFile");
        assertThat(launch(jar, "--version")).doesNotContain("SharedArchiveFile");
    }

    @Test
    void checkoutsKeepTheirOwnArchives() throws Exception {
        Path first = jar("one");
        Path second = jar("two");
        String firstArchive = archiveOf(launch(first, "serve"));
        Files.write(Path.of(firstArchive), new byte[] {(byte) 0xa8, (byte) 0xba, 0x0b, (byte) 0xf0});

        String secondArchive = archiveOf(launch(second, "serve"));

        assertThat(secondArchive).isNotEqualTo(firstArchive);
        assertThat(Path.of(firstArchive)).as("the other checkout's archive").exists();
    }

    @Test
    void halfWrittenArchiveIsRemoved() throws Exception {
        Path jar = jar("one");
        Path archive = Path.of(archiveOf(launch(jar, "serve")));
        Files.writeString(archive, "cut short");

        launch(jar, "serve");

        assertThat(archive).doesNotExist();
    }

    private Path jar(String folder) throws Exception {
        Path jar = directory.resolve(folder).resolve("mlhub.jar");
        Files.createDirectories(jar.getParent());
        Files.writeString(jar, "not a real jar");
        return jar;
    }

    private static String archiveOf(String arguments) {
        for (String argument : arguments.split(" ")) {
            if (argument.startsWith("-XX:SharedArchiveFile=")) {
                return argument.substring("-XX:SharedArchiveFile=".length());
            }
        }
        throw new AssertionError("no archive in: " + arguments);
    }

    private String launch(Path jar, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(List.of("sh", LAUNCHER.toString(), cache.toString(), jar.toString()));
        command.addAll(List.of(arguments));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("JAVA_HOME", javaHome.toString());
        builder.environment().remove("MLHUB_CDS");
        builder.environment().remove("MLHUB_JAVA_OPTS");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
