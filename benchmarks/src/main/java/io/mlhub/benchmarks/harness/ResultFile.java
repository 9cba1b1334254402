package io.mlhub.benchmarks.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The Markdown page of one run: title, date, machine, software versions, command and the table. */
final class ResultFile {
    private ResultFile() {}

    static String render(Options options, Report report, ZonedDateTime started, ZonedDateTime finished,
            String loadAverages) {
        StringBuilder out = new StringBuilder();
        String mode = options.quick() ? "quick" : "full";
        out.append("# Side-by-side run, ").append(started.toLocalDate()).append(" (").append(mode);
        if (!options.label().isBlank()) {
            out.append(", ").append(options.label());
        }
        out.append(")\n\n");

        out.append("- Date: ").append(started.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(" to ")
                .append(finished.format(DateTimeFormatter.ISO_LOCAL_TIME)).append(" UTC (")
                .append(Duration.between(started, finished).toMinutes()).append(" min)\n");
        out.append("- Machine: ").append(machine()).append('\n');
        out.append("- Load average (1, 5, 15 min): ").append(loadAverages)
                .append("; other work on the machine during the run lowers and spreads the numbers\n");
        out.append("- Command: `").append(options.command().strip()).append("`\n");
        out.append("- Repeats: ").append(options.repeats()).append(" per measure and server, interleaved; load runs of ")
                .append(options.duration().toSeconds()).append(" s; groups: ").append(String.join(", ",
                        Options.GROUPS.stream().filter(options.groups()::contains).toList())).append('\n');
        out.append("- Pinning: servers and the backend on core ").append(Stack.TARGET_CORE)
                .append(", the load generators (wrk, the harness's websocket and HTTP clients, ssh) on core ")
                .append(Stack.LOAD_CORE).append(" (taskset)\n");
        out.append("- Software: ");
        versions().forEach((name, version) -> out.append(name).append(' ').append(version).append("; "));
        out.setLength(out.length() - 2);
        out.append("\n\n");

        out.append("Median over the repeats, spread as min–max over the same samples. `vs X` divides this row's median "
                + "by X's median on the same measure (for latency, memory and time, below 1 is better). The target "
                + "column states the product's goal and whether this run met it; a row that says `not run` gives "
                + "the reason instead of a number.\n\n");
        out.append(report.table());
        return out.toString();
    }

    /** Writes {@code DIR/DATE.md}, or {@code DIR/DATE-HHMM.md} when a file for that date exists. */
    static Path write(Path dir, LocalDate date, String markdown) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(date + ".md");
        if (Files.exists(file)) {
            String time = ZonedDateTime.now(java.time.ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("HHmm"));
            file = dir.resolve(date + "-" + time + ".md");
        }
        Files.writeString(file, markdown);
        return file;
    }

    static String machine() {
        String model = "unknown CPU";
        String memory = "";
        try {
            model = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse(model);
            memory = Files.readAllLines(Path.of("/proc/meminfo")).stream().filter(l -> l.startsWith("MemTotal"))
                    .findFirst().map(l -> Math.round(Long.parseLong(l.replaceAll("\\D", "")) / 1048576.0) + " GiB RAM")
                    .orElse("");
        } catch (IOException | RuntimeException e) {
            // A machine without /proc gets a shorter line.
        }
        return ProcStat.machineCpus() + " cores, " + model + ", " + memory + ", Linux "
                + System.getProperty("os.version") + ", Java " + System.getProperty("java.version");
    }

    private static Map<String, String> versions() {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("nginx", version(List.of("/usr/sbin/nginx", "-v"), "nginx/"));
        versions.put("HAProxy", version(List.of("/usr/sbin/haproxy", "-v"), "version "));
        versions.put("sslh", version(List.of("/usr/sbin/sslh", "-V"), "sslh"));
        versions.put("configurable-http-proxy", version(List.of(
                Path.of(System.getProperty("user.home"), ".cache/mlhub-benchmarks/chp/bin/configurable-http-proxy")
                        .toString(), "--version"), ""));
        versions.put("node", version(List.of("node", "--version"), "v"));
        versions.put("wrk", version(List.of("dpkg-query", "-W", "-f", "${Version}", "wrk"), ""));
        versions.put("OpenSSH", version(List.of("ssh", "-V"), "OpenSSH_"));
        versions.put("JupyterHub", version(List.of("/usr/bin/jupyterhub", "--version"), ""));
        return versions;
    }

    private static String version(List<String> command, String prefix) {
        try {
            String output = Commands.run(command, Duration.ofSeconds(30)).strip();
            int at = output.indexOf(prefix);
            String rest = at >= 0 ? output.substring(at + prefix.length()) : output;
            return rest.split("[\\s,]")[0].replaceFirst("^-", "");
        } catch (IOException | InterruptedException e) {
            return "(not found)";
        }
    }
}
