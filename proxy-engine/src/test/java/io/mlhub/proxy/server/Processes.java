package io.mlhub.proxy.server;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command line tool (curl, openssl, ssh) and returns what it printed. */
final class Processes {
    private Processes() {}

    /** Output and exit code of a finished process. */
    record Result(int exitCode, String stdout, String stderr) {}

    static Result run(List<String> command, String stdin) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).start();
        process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        var stdout = process.getInputStream();
        var stderr = process.getErrorStream();
        byte[][] out = new byte[2][];
        Thread errReader = Thread.ofVirtual().start(() -> {
            try {
                out[1] = stderr.readAllBytes();
            } catch (IOException e) {
                out[1] = e.toString().getBytes(StandardCharsets.UTF_8);
            }
        });
        out[0] = stdout.readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("timed out: " + command);
        }
        errReader.join();
        return new Result(process.exitValue(), new String(out[0], StandardCharsets.UTF_8),
                new String(out[1], StandardCharsets.UTF_8));
    }

    static Result run(String... command) throws IOException, InterruptedException {
        return run(List.of(command), "");
    }
}
