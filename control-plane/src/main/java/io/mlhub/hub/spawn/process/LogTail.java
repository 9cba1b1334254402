package io.mlhub.hub.spawn.process;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** Reads the last lines of a log file without reading all of it. */
final class LogTail {
    /** Reads at most this many bytes from the end, enough for a few hundred log lines. */
    private static final int MAX_BYTES = 64 * 1024;

    private LogTail() {}

    /** Returns the last {@code count} lines of {@code file}, or an empty list when it does not exist. */
    static List<String> lastLines(Path file, int count) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }

        byte[] tail;
        try (RandomAccessFile input = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, input.length() - MAX_BYTES);
            tail = new byte[(int) (input.length() - start)];
            input.seek(start);
            input.readFully(tail);
        }
        List<String> lines = Arrays.asList(new String(tail, StandardCharsets.UTF_8).split("\\R"));
        List<String> nonEmpty = lines.stream().filter(line -> !line.isBlank()).toList();
        return nonEmpty.subList(Math.max(0, nonEmpty.size() - count), nonEmpty.size());
    }
}
