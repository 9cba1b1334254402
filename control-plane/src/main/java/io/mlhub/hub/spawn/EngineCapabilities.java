package io.mlhub.hub.spawn;

/**
 * What an engine supports.
 *
 * @param gpus whether workspaces can be given GPUs
 * @param volumes whether a named volume can be mounted at {@code /workspace}
 * @param resourceLimits whether CPU and memory limits are enforced
 */
public record EngineCapabilities(boolean gpus, boolean volumes, boolean resourceLimits) {}
