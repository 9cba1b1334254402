package io.mlhub.hub.server;

import io.mlhub.hub.spawn.EngineCapabilities;
import io.mlhub.hub.spawn.WorkspaceOptions;
import java.util.List;
import java.util.Map;

/**
 * The validator the hub uses when none is given: it accepts only {@code image}, from the configured list, and
 * rejects every other option by name.
 */
public final class ImageOptionsValidator implements OptionsValidator {
    private final List<String> images;

    public ImageOptionsValidator(List<String> images) {
        this.images = List.copyOf(images);
    }

    @Override
    public WorkspaceOptions validate(Map<String, Object> userOptions, EngineCapabilities capabilities) {
        String image = images.get(0);
        for (Map.Entry<String, Object> option : userOptions.entrySet()) {
            if (!option.getKey().equals("image")) {
                throw new IllegalArgumentException("user_options." + option.getKey()
                        + ": unsupported option (expected: image)");
            }
            if (!(option.getValue() instanceof String requested) || !images.contains(requested)) {
                throw new IllegalArgumentException("user_options.image: " + option.getValue()
                        + " (expected: one of " + images + ")");
            }
            image = requested;
        }
        return new WorkspaceOptions(image, null, null, 0, List.of(), Map.of(), null, null, false);
    }
}
