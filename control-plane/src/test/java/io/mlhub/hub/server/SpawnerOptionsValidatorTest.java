package io.mlhub.hub.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.config.WorkspaceLimits;
import io.mlhub.hub.spawn.EngineCapabilities;
import io.mlhub.hub.spawn.WorkspaceOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SpawnerOptionsValidatorTest {
    private static final EngineCapabilities DOCKER = EngineCapabilities.container(false);

    @Test
    void cpuMaximumIsCappedAtMachineCores() {
        HubConfig config = withMaxCpus(8);

        assertThat(SpawnerOptionsValidator.settings(config, 2).maxCpus()).isEqualTo(2.0);
        assertThat(SpawnerOptionsValidator.settings(config, 16).maxCpus()).isEqualTo(8.0);
    }

    @Test
    void noCpuMaximumMeansMachineCores() {
        assertThat(SpawnerOptionsValidator.settings(withMaxCpus(0), 4).maxCpus()).isEqualTo(4.0);
    }

    @Test
    void omittedCpuLimitFitsTheMachine() {
        SpawnerOptionsValidator validator = new SpawnerOptionsValidator(SpawnerOptionsValidator.settings(
                withMaxCpus(8), 2));

        WorkspaceOptions options = validator.validate(Map.of(), DOCKER);

        assertThat(options.cpuLimit()).isEqualTo(2.0);
    }

    private static HubConfig withMaxCpus(double maxCpus) {
        HubConfig defaults = HubConfig.defaults(Path.of("target/unused"));
        WorkspaceLimits limits = new WorkspaceLimits(maxCpus, 4, 0, 0, 1);
        return defaults.withWorkspaces(List.of("image:1"), limits, null, null);
    }
}
