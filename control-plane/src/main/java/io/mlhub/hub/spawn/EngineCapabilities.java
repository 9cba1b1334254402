package io.mlhub.hub.spawn;

import java.util.ArrayList;
import java.util.List;

/**
 * What an engine supports, for the options form and for option validation.
 *
 * @param gpus whether workspaces can be given GPUs
 * @param volumes whether a named volume can be mounted at {@code /workspace}
 * @param resourceLimits whether CPU and memory limits are enforced
 * @param images whether the user can choose among the configured workspace images
 * @param sharedMemory whether the size of {@code /dev/shm} can be set
 */
public record EngineCapabilities(boolean gpus, boolean volumes, boolean resourceLimits, boolean images,
        boolean sharedMemory) {

    /** Returns the capabilities of a container engine, which supports every option but maybe GPUs. */
    public static EngineCapabilities container(boolean gpus) {
        return new EngineCapabilities(gpus, true, true, true, true);
    }

    /**
     * Returns the {@code user_options} fields this engine can honour, in the order of
     * {@link WorkspaceOptionsParser#FIELDS}; a request that sets any other field is rejected.
     */
    public List<String> supportedOptions() {
        List<String> supported = new ArrayList<>();
        for (String field : WorkspaceOptionsParser.FIELDS) {
            if (supports(field)) {
                supported.add(field);
            }
        }
        return List.copyOf(supported);
    }

    /** Returns whether the engine can honour the {@code user_options} field {@code field}. */
    public boolean supports(String field) {
        return switch (field) {
            case "image" -> images;
            case "cpu_limit", "mem_limit" -> resourceLimits;
            case "gpus" -> gpus;
            case "shm_size" -> sharedMemory;
            case "volume" -> volumes;
            default -> true;
        };
    }
}
