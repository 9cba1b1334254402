package io.mlhub.hub.spawn;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Configured choices and maximums for workspace options; {@link WorkspaceOptionsParser} checks every
 * {@code user_options} value against them. A {@code null} maximum means no maximum.
 *
 * @param workspaceImages the images users may choose; the first is the default
 * @param maxCpus the maximum CPU limit in cores; also the limit of a workspace that sets none
 * @param maxMemoryBytes the maximum memory limit; also the limit of a workspace that sets none
 * @param maxGpus the maximum number of GPUs, {@code 0} to forbid GPUs, {@code null} for no maximum (only
 *     then may a user ask for {@code all})
 * @param maxDaysToLive the maximum days to live; also the expiry of a workspace that sets none
 * @param maxShmBytes the maximum shared-memory size
 * @param allowedEnvNames the names users may set with {@code env}; names starting with
 *     {@code JUPYTERHUB_}, {@code JPY_} or {@code MLHUB_} and {@code MAX_NUM_THREADS} are always rejected
 *     because the hub sets them
 * @param volumesAllowed whether users may ask for a named volume at {@code /workspace}
 */
public record SpawnerSettings(
        List<String> workspaceImages,
        @Nullable Double maxCpus,
        @Nullable Long maxMemoryBytes,
        @Nullable Integer maxGpus,
        @Nullable Integer maxDaysToLive,
        @Nullable Long maxShmBytes,
        Pattern allowedEnvNames,
        boolean volumesAllowed) {

    /** The default for {@link #allowedEnvNames}: a POSIX shell variable name. */
    public static final Pattern SHELL_VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    public SpawnerSettings {
        workspaceImages = List.copyOf(requireNonNull(workspaceImages, "workspaceImages"));
        if (workspaceImages.isEmpty()) {
            throw new IllegalArgumentException("workspaceImages: [] (expected: at least one image)");
        }
        for (String image : workspaceImages) {
            if (image.isBlank()) {
                throw new IllegalArgumentException("workspaceImages: blank image name (expected: an image such as "
                        + "mlhub-test-jupyter:latest)");
            }
        }
        if (maxCpus != null && !(maxCpus > 0 && Double.isFinite(maxCpus))) {
            throw new IllegalArgumentException("maxCpus: " + maxCpus + " (expected: > 0)");
        }
        if (maxMemoryBytes != null && maxMemoryBytes < WorkspaceOptionsParser.MIN_MEMORY_BYTES) {
            throw new IllegalArgumentException("maxMemoryBytes: " + maxMemoryBytes + " (expected: >= "
                    + WorkspaceOptionsParser.MIN_MEMORY_BYTES + ")");
        }
        if (maxGpus != null && maxGpus < 0) {
            throw new IllegalArgumentException("maxGpus: " + maxGpus + " (expected: >= 0)");
        }
        if (maxDaysToLive != null && maxDaysToLive < 1) {
            throw new IllegalArgumentException("maxDaysToLive: " + maxDaysToLive + " (expected: >= 1)");
        }
        if (maxShmBytes != null && maxShmBytes < WorkspaceOptionsParser.MIN_SHM_BYTES) {
            throw new IllegalArgumentException("maxShmBytes: " + maxShmBytes + " (expected: >= "
                    + WorkspaceOptionsParser.MIN_SHM_BYTES + ")");
        }
        requireNonNull(allowedEnvNames, "allowedEnvNames");
    }

    /**
     * Returns settings with the given images and no maximums, no GPUs, volumes allowed and
     * {@link #SHELL_VARIABLE_NAME} for environment names.
     */
    public static SpawnerSettings defaults(List<String> workspaceImages) {
        return new SpawnerSettings(workspaceImages, null, null, 0, null, null, SHELL_VARIABLE_NAME, true);
    }

    /** Returns the image a workspace gets when the user chooses none. */
    public String defaultImage() {
        return workspaceImages.getFirst();
    }
}
