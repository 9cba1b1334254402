package io.mlhub.hub.spawn;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Options of one workspace, already validated against the configured maximums; see
 * {@code WorkspaceOptionsParser} for the rules and the JSON field names.
 *
 * @param image container image, one of the configured workspace images
 * @param cpuLimit CPU limit in cores, or {@code null} for none
 * @param memoryLimitBytes memory limit in bytes, or {@code null} for none
 * @param gpuCount number of GPUs, {@code -1} for all, {@code 0} for none; ignored when {@code gpuDeviceIds} is set
 * @param gpuDeviceIds explicit GPU device ids, empty for none
 * @param environment extra environment variables the user asked for
 * @param daysToLive days until the workspace expires, or {@code null} for never
 * @param shmSizeBytes shared memory size in bytes, or {@code null} for the engine's default
 * @param mountVolume whether a named volume is mounted at {@code /workspace}
 */
public record WorkspaceOptions(
        String image,
        @Nullable Double cpuLimit,
        @Nullable Long memoryLimitBytes,
        int gpuCount,
        List<String> gpuDeviceIds,
        Map<String, String> environment,
        @Nullable Integer daysToLive,
        @Nullable Long shmSizeBytes,
        boolean mountVolume) {
    public WorkspaceOptions {
        requireNonNull(image, "image");
        gpuDeviceIds = List.copyOf(requireNonNull(gpuDeviceIds, "gpuDeviceIds"));
        environment = Map.copyOf(requireNonNull(environment, "environment"));
    }
}
