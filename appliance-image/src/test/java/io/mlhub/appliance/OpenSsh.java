package io.mlhub.appliance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real OpenSSH client jumping through the hub's public port: one key pair and one client config per hub user,
 * so that the jump connection (which OpenSSH runs as a second {@code ssh} with the same {@code -F} file) uses
 * them too.
 */
final class OpenSsh {
    private final Path key;
    private final Path config;
    private final String hubUser;
    private final int hubPort;

    private OpenSsh(Path key, Path config, String hubUser, int hubPort) {
        this.key = key;
        this.config = config;
        this.hubUser = hubUser;
        this.hubPort = hubPort;
    }

    /** The exit code and the combined output of a finished command. */
    record Result(int exitCode, String output) {}

    /** Makes an Ed25519 key pair for {@code hubUser} in {@code directory} and a client config that uses it. */
    static OpenSsh forUser(Path directory, String hubUser, int hubPort) throws Exception {
        Path folder = Files.createDirectories(directory.resolve("ssh-" + hubUser));
        Path key = folder.resolve("id_ed25519");
        Result keygen = run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", hubUser + "@test", "-f",
                key.toString()), 30);
        if (keygen.exitCode() != 0) {
            throw new IllegalStateException("ssh-keygen failed: " + keygen.output());
        }
        Path config = Files.writeString(folder.resolve("config"), String.join("\n",
                "Host *",
                "  IdentityFile " + key,
                "  IdentitiesOnly yes",
                "  BatchMode yes",
                "  StrictHostKeyChecking no",
                "  UserKnownHostsFile /dev/null",
                "  LogLevel ERROR",
                "  ConnectTimeout 20",
                ""));
        return new OpenSsh(key, config, hubUser, hubPort);
    }

    /** Returns the public key line ({@code ssh-ed25519 AAAA... comment}). */
    String publicKey() throws IOException {
        return Files.readString(key.resolveSibling(key.getFileName() + ".pub")).strip();
    }

    /** Runs {@code command} in the workspace {@code target} as {@code loginUser}, jumping through the hub. */
    Result exec(String loginUser, String target, String command) throws Exception {
        return run(List.of("ssh", "-F", config.toString(), "-J", jump(), loginUser + "@" + target, command), 60);
    }

    /** Copies a local file to {@code remotePath} in the workspace with scp through the hub. */
    Result copyTo(Path local, String loginUser, String target, String remotePath) throws Exception {
        return run(List.of("scp", "-F", config.toString(), "-J", jump(), local.toString(),
                loginUser + "@" + target + ":" + remotePath), 60);
    }

    /** Copies {@code remotePath} from the workspace to a local file with scp through the hub. */
    Result copyFrom(String loginUser, String target, String remotePath, Path local) throws Exception {
        return run(List.of("scp", "-F", config.toString(), "-J", jump(), loginUser + "@" + target + ":" + remotePath,
                local.toString()), 60);
    }

    /** Logs in to the hub itself without a jump, which prints the help text. */
    Result hubHelp() throws Exception {
        return run(List.of("ssh", "-F", config.toString(), "-p", Integer.toString(hubPort), "-T",
                hubUser + "@127.0.0.1"), 60);
    }

    private String jump() {
        return hubUser + "@127.0.0.1:" + hubPort;
    }

    static Result run(List<String> command, int timeoutSeconds) throws Exception {
        Path output = Files.createTempFile("mlhub-ssh", ".out");
        try {
            Process process = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true)
                    .redirectOutput(output.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
                return new Result(-1, "timed out after " + timeoutSeconds + " s: " + command + "\n"
                        + Files.readString(output, StandardCharsets.UTF_8));
            }
            return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(output);
        }
    }
}
