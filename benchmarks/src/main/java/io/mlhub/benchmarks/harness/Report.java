package io.mlhub.benchmarks.harness;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Collects samples per measure and server, and renders them as one Markdown table of medians, spreads,
 * ratios and product goals. Servers keep the order in which their first sample or note arrived.
 */
final class Report {
    private final Map<String, Measure> measures = new LinkedHashMap<>();
    private final Map<String, Map<String, List<Double>>> samples = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> notes = new LinkedHashMap<>();
    private final List<Goal> goals = new ArrayList<>();

    /** Declares a measure. Rows appear in declaration order. */
    void declare(Measure measure) {
        measures.put(measure.id(), measure);
        samples.putIfAbsent(measure.id(), new LinkedHashMap<>());
        notes.putIfAbsent(measure.id(), new LinkedHashMap<>());
    }

    void goal(Goal goal) {
        goals.add(goal);
    }

    /** Records one sample. A NaN sample stands for a failed run and counts as none. */
    void add(String measureId, String server, double value) {
        measure(measureId);
        samples.get(measureId).computeIfAbsent(server, s -> new ArrayList<>()).add(value);
    }

    /** Records why a server has no number for a measure (not built yet, failed, not applicable). */
    void note(String measureId, String server, String text) {
        measure(measureId);
        samples.get(measureId).computeIfAbsent(server, s -> new ArrayList<>());
        notes.get(measureId).put(server, text);
    }

    /** Returns the median of a server on a measure, or NaN when it has no sample. */
    double median(String measureId, @Nullable String server) {
        Stats stats = stats(measureId, server);
        return stats == null ? Double.NaN : stats.median();
    }

    @Nullable Stats stats(String measureId, @Nullable String server) {
        if (server == null) {
            return null;
        }
        List<Double> values = samples.getOrDefault(measureId, Map.of()).get(server);
        if (values == null || values.stream().allMatch(v -> v.isNaN())) {
            return null;
        }
        return Stats.of(values);
    }

    /** Renders the table in Markdown. */
    String table() {
        StringBuilder out = new StringBuilder();
        out.append("| measure | server | median | spread (min–max) | n | vs nginx | vs CHP | vs direct | target |\n");
        out.append("|---|---|---:|---|---:|---:|---:|---:|---|\n");
        for (Measure measure : measures.values()) {
            for (String server : samples.get(measure.id()).keySet()) {
                out.append(row(measure, server)).append('\n');
            }
        }
        return out.toString();
    }

    private String row(Measure measure, String server) {
        Stats stats = stats(measure.id(), server);
        String note = notes.get(measure.id()).get(server);
        String label = measure.label() + " (" + measure.unit() + ")";
        if (stats == null) {
            String reason = note == null ? "no sample (every run failed, see the log)" : note;
            return cells(label, server, "not run", reason, "0", "", "", "", goalCell(measure, server));
        }
        String spread = stats.range(Report::format);
        if (note != null) {
            spread += " (" + note + ")";
        }
        return cells(label, server, format(stats.median()), spread, Integer.toString(stats.n()),
                ratioCell(measure, measure.nginx(), stats), ratioCell(measure, measure.chp(), stats),
                ratioCell(measure, measure.direct(), stats), goalCell(measure, server));
    }

    private String ratioCell(Measure measure, @Nullable String reference, Stats stats) {
        double ratio = Stats.ratio(stats.median(), median(measure.id(), reference));
        return Double.isNaN(ratio) ? "" : String.format(Locale.ROOT, "%.2f×", ratio);
    }

    private String goalCell(Measure measure, String server) {
        List<String> cells = new ArrayList<>();
        for (Goal goal : goals) {
            if (!goal.measureId().equals(measure.id()) || !goal.server().equals(server)) {
                continue;
            }
            double value = median(measure.id(), server);
            double reference = median(goal.referenceMeasureId(), goal.reference());
            if (Double.isNaN(value) || Double.isNaN(reference)) {
                cells.add("not measured: " + goal.text());
            } else {
                cells.add((goal.isMet(value, reference, measure.higherIsBetter()) ? "met: " : "**missed**: ")
                        + goal.text());
            }
        }
        return String.join("; ", cells);
    }

    private Measure measure(String measureId) {
        Measure measure = measures.get(measureId);
        if (measure == null) {
            throw new IllegalArgumentException("measureId: " + measureId + " (expected: one of " + measures.keySet() + ")");
        }
        return measure;
    }

    private static String cells(String... values) {
        return "| " + String.join(" | ", values) + " |";
    }

    /** Formats a number with three significant digits and a k/M suffix for large values. */
    static String format(double value) {
        requireNonNull(Double.valueOf(value));
        double magnitude = Math.abs(value);
        if (magnitude >= 1e6) {
            return String.format(Locale.ROOT, "%.3gM", value / 1e6);
        }
        if (magnitude >= 1e4) {
            return String.format(Locale.ROOT, "%.3gk", value / 1e3);
        }
        if (magnitude >= 100) {
            return String.format(Locale.ROOT, "%.0f", value);
        }
        return String.format(Locale.ROOT, "%.3g", value);
    }
}
