package io.mlhub.hub.server;

import io.mlhub.hub.spawn.EngineCapabilities;
import io.mlhub.hub.spawn.WorkspaceOptions;
import java.util.Map;

/**
 * Turns a request's {@code user_options} JSON object into validated workspace options. The hub calls it before it
 * records or starts anything, so a bad value gets a 400 response and never a failed spawn later.
 */
@FunctionalInterface
public interface OptionsValidator {

    /**
     * Validates {@code userOptions} against the configured images and maximums and what the engine supports.
     *
     * @param userOptions the JSON object as Jackson reads it: strings, numbers, booleans, lists and maps
     * @throws IllegalArgumentException with a message that names the bad field and what it accepts
     */
    WorkspaceOptions validate(Map<String, Object> userOptions, EngineCapabilities capabilities);
}
