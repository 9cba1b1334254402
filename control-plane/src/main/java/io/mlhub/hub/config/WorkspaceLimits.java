package io.mlhub.hub.config;

import java.util.Map;

/**
 * Maximums a user may request for one workspace; the options parser checks {@code user_options} against them.
 *
 * @param maxCpus maximum CPU limit in cores
 * @param maxMemoryGb maximum memory limit in GB
 * @param maxGpus maximum number of GPUs
 * @param maxDaysToLive maximum days to live; {@code 0} means no maximum
 * @param maxShmSizeGb maximum shared memory in GB
 */
public record WorkspaceLimits(double maxCpus, double maxMemoryGb, int maxGpus, int maxDaysToLive, double maxShmSizeGb) {
    public static final WorkspaceLimits DEFAULT = new WorkspaceLimits(8, 32, 0, 0, 8);

    public WorkspaceLimits {
        positiveOrZero("limits.maxCpus", maxCpus);
        positiveOrZero("limits.maxMemoryGb", maxMemoryGb);
        positiveOrZero("limits.maxGpus", maxGpus);
        positiveOrZero("limits.maxDaysToLive", maxDaysToLive);
        positiveOrZero("limits.maxShmSizeGb", maxShmSizeGb);
    }

    static WorkspaceLimits from(Map<String, Object> yaml) {
        YamlReader reader = new YamlReader("limits", yaml);
        return new WorkspaceLimits(
                reader.decimal("maxCpus", DEFAULT.maxCpus),
                reader.decimal("maxMemoryGb", DEFAULT.maxMemoryGb),
                reader.integer("maxGpus", DEFAULT.maxGpus),
                reader.integer("maxDaysToLive", DEFAULT.maxDaysToLive),
                reader.decimal("maxShmSizeGb", DEFAULT.maxShmSizeGb));
    }

    private static void positiveOrZero(String setting, double value) {
        if (value < 0 || Double.isNaN(value)) {
            throw ConfigException.invalid(setting, value, ">= 0");
        }
    }
}
