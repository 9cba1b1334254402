package io.mlhub.hub.server;

import static java.util.Objects.requireNonNull;

import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.config.WorkspaceLimits;
import io.mlhub.hub.spawn.EngineCapabilities;
import io.mlhub.hub.spawn.InvalidOptionException;
import io.mlhub.hub.spawn.SpawnerSettings;
import io.mlhub.hub.spawn.WorkspaceOptions;
import io.mlhub.hub.spawn.WorkspaceOptionsParser;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The hub's validator of {@code user_options}: the spawners' {@link WorkspaceOptionsParser} with the configured
 * images and limits. A rejected field becomes an {@link InvalidUserOptionException} that names it.
 */
public final class SpawnerOptionsValidator implements OptionsValidator {
    private static final double BYTES_PER_GB = 1024.0 * 1024 * 1024;

    private final SpawnerSettings settings;

    public SpawnerOptionsValidator(SpawnerSettings settings) {
        this.settings = requireNonNull(settings, "settings");
    }

    /** Returns the validator for the images and limits of {@code config}. */
    public static SpawnerOptionsValidator from(HubConfig config) {
        return new SpawnerOptionsValidator(settings(config));
    }

    /**
     * Returns the parser settings for {@code config}: its images, and its limits where a limit of {@code 0} means
     * no maximum, except {@code maxGpus} where {@code 0} forbids GPUs. The CPU maximum, which is also the limit of
     * a workspace that requests none, is capped at this machine's cores, because Docker rejects a CPU limit above
     * the engine's core count and the engine runs on the hub's machine.
     */
    public static SpawnerSettings settings(HubConfig config) {
        return settings(config, Runtime.getRuntime().availableProcessors());
    }

    static SpawnerSettings settings(HubConfig config, int machineCores) {
        WorkspaceLimits limits = config.limits();
        double maxCpus = limits.maxCpus() > 0 ? Math.min(limits.maxCpus(), machineCores) : machineCores;
        return new SpawnerSettings(
                config.workspaceImages(),
                maxCpus,
                gigabytes(limits.maxMemoryGb()),
                limits.maxGpus(),
                limits.maxDaysToLive() > 0 ? limits.maxDaysToLive() : null,
                gigabytes(limits.maxShmSizeGb()),
                SpawnerSettings.SHELL_VARIABLE_NAME,
                true);
    }

    /** Returns the settings this validator checks against. */
    public SpawnerSettings settings() {
        return settings;
    }

    @Override
    public WorkspaceOptions validate(Map<String, Object> userOptions, EngineCapabilities capabilities) {
        try {
            return new WorkspaceOptionsParser(settings, capabilities).parse(userOptions);
        } catch (InvalidOptionException e) {
            throw new InvalidUserOptionException(e.field(), e.getMessage());
        }
    }

    private static @Nullable Long gigabytes(double value) {
        return value > 0 ? Math.round(value * BYTES_PER_GB) : null;
    }
}
