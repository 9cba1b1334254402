package io.mlhub.sshmux;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;

/** Runs the real OpenSSH tools (ssh, scp, sftp, ssh-keygen) as processes with a time limit. */
final class OpenSsh {

    private static final long TIMEOUT_SECONDS = 40;

    /** The outcome of one run. */
    record Result(int exitCode, String stdout, String stderr, long millis) {

        @Override
        public String toString() {
            return "exit=" + exitCode + " stdout=[" + stdout + "] stderr=[" + stderr + "]";
        }
    }

    private OpenSsh() {
    }

    static Result run(List<String> command) {
        return run(command, null);
    }

    /** Runs {@code command} with {@code stdin} as its input (none when null) and waits for it. */
    static Result run(List<String> command, Path stdin) {
        return run(new ProcessBuilder(command), stdin);
    }

    /** Runs {@code builder}'s command, for example with extra environment variables, and waits for it. */
    static Result run(ProcessBuilder builder) {
        return run(builder, null);
    }

    private static Result run(ProcessBuilder builder, Path stdin) {
        List<String> command = builder.command();
        try {
            Path out = Files.createTempFile("openssh", ".out");
            Path err = Files.createTempFile("openssh", ".err");
            builder.redirectOutput(out.toFile())
                    .redirectError(err.toFile());
            builder.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())
                    : ProcessBuilder.Redirect.from(stdin.toFile()));
            long start = System.nanoTime();
            Process process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out after " + TIMEOUT_SECONDS + " s: " + command + " stderr="
                        + Files.readString(err));
            }
            long millis = (System.nanoTime() - start) / 1_000_000;
            Result result = new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), millis);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    /**
     * Writes an ssh_config to {@code file} that applies to every host, the hub and the workspaces alike, because
     * {@code -J} passes {@code -F} on to the jump connection: batch mode, only {@code key}, and host keys
     * accepted into {@code knownHosts}.
     */
    static Path writeClientConfig(Path file, Path key, Path knownHosts) {
        try {
            Files.writeString(file, String.join("\n",
                    "Host *",
                    "    BatchMode yes",
                    "    IdentitiesOnly yes",
                    "    IdentityFile " + key,
                    "    UserKnownHostsFile " + knownHosts,
                    "    StrictHostKeyChecking no",
                    "    ConnectTimeout 10",
                    ""));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Generates an Ed25519 key pair without passphrase at {@code file} and {@code file.pub}. */
    static Path generateKey(Path file) {
        Result result = run(List.of("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", file.getFileName().toString(),
                "-f", file.toString()));
        if (result.exitCode() != 0) {
            throw new AssertionError("ssh-keygen failed: " + result);
        }
        return file;
    }

    static String publicKeyLine(Path privateKey) {
        try {
            return Files.readString(Path.of(privateKey + ".pub")).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static PublicKey publicKey(Path privateKey) {
        try {
            AuthorizedKeyEntry entry = AuthorizedKeyEntry.parseAuthorizedKeyEntry(publicKeyLine(privateKey));
            return entry.resolvePublicKey(null, PublicKeyEntryResolver.FAILING);
        } catch (IOException | GeneralSecurityException e) {
            throw new AssertionError("cannot read public key of " + privateKey, e);
        }
    }
}
