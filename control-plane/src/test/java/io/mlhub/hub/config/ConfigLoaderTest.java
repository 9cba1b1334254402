package io.mlhub.hub.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void noFileAndNoEnvironmentGiveWorkingDefaults() {
        HubConfig config = ConfigLoader.load(null, Map.of());

        assertThat(config.hubName()).isEqualTo("mlhub");
        assertThat(config.executionMode()).isEqualTo(ExecutionMode.AUTO);
        assertThat(config.cleanupIntervalSeconds()).isEqualTo(3600);
        assertThat(config.adminUsers()).containsExactly("admin");
        assertThat(config.baseUrl()).isEqualTo("/");
        assertThat(config.whitelistPath()).isEqualTo(Path.of("/resources/users/dynamic_whitelist.txt"));
        assertThat(config.database().jdbcUrl()).startsWith("jdbc:h2:file:");
        assertThat(config.dynamicWhitelistEnabled()).isFalse();
    }

    @Test
    void environmentAndYamlOverrideDefaults() throws IOException {
        Path yaml = write("""
                baseUrl: /hub-base/
                adminUsers: [Root, ops]
                openSignup: true
                namedServerLimitPerUser: 3
                workspaceImages: [img:1, img:2]
                limits: {maxCpus: 2, maxGpus: 1}
                lockout: {maxFailedLogins: 3, seconds: 60}
                whitelistPath: /tmp/list.txt
                database: {url: "jdbc:postgresql://127.0.0.1:5432/hub", user: hub, password: pw}
                """);
        Map<String, String> env = Map.of("HUB_NAME", "ab-1", "SSL_ENABLED", "true", "EXECUTION_MODE", "process",
                "DYNAMIC_WHITELIST_ENABLED", "true", "CLEANUP_INTERVAL_SECONDS", "-1",
                "DATA_FOLDER", dir.toString());

        HubConfig config = ConfigLoader.load(yaml, env);

        assertThat(config.hubName()).isEqualTo("ab-1");
        assertThat(config.sslEnabled()).isTrue();
        assertThat(config.executionMode()).isEqualTo(ExecutionMode.PROCESS);
        assertThat(config.cleanupIntervalSeconds()).isEqualTo(-1);
        assertThat(config.baseUrl()).isEqualTo("/hub-base/");
        assertThat(config.hubPrefix()).isEqualTo("/hub-base/hub/");
        assertThat(config.adminUsers()).as("admin names are normalised").containsExactly("root", "ops");
        assertThat(config.openSignup()).isTrue();
        assertThat(config.namedServerLimitPerUser()).isEqualTo(3);
        assertThat(config.workspaceImages()).containsExactly("img:1", "img:2");
        assertThat(config.limits().maxCpus()).isEqualTo(2.0);
        assertThat(config.limits().maxGpus()).isEqualTo(1);
        assertThat(config.lockout()).isEqualTo(new LockoutSettings(3, Duration.ofSeconds(60)));
        assertThat(config.whitelistPath()).isEqualTo(Path.of("/tmp/list.txt"));
        assertThat(config.database().isPostgres()).isTrue();
        assertThat(config.database().user()).isEqualTo("hub");
        assertThat(config.database().toString()).doesNotContain("pw");
        assertThat(config.dataDir()).isEqualTo(dir);
    }

    @ParameterizedTest
    @ValueSource(strings = {"123", "-ab", "ab-", "abcdef", "a_b", ""})
    void badHubNameStopsStartWithOneLine(String name) {
        Map<String, String> env = name.isEmpty() ? Map.of("HUB_NAME", " ") : Map.of("HUB_NAME", name);

        assertThatThrownBy(() -> ConfigLoader.load(null, env))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("invalid setting HUB_NAME=")
                .hasMessageContaining("1 to 5 letters")
                .message().doesNotContain("\n");
    }

    @Test
    void badValuesNameSettingValueAndAcceptedValues() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("EXECUTION_MODE", "swarm")))
                .hasMessage("invalid setting EXECUTION_MODE=swarm (expected: local, k8s, process or auto)");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("CLEANUP_INTERVAL_SECONDS", "0")))
                .hasMessageContaining("CLEANUP_INTERVAL_SECONDS=0");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("SSL_ENABLED", "maybe")))
                .hasMessage("invalid setting SSL_ENABLED=maybe (expected: true or false)");
        assertThatThrownBy(() -> ConfigLoader.load(write("baseUrl: hub"), Map.of()))
                .hasMessageContaining("baseUrl=hub");
        assertThatThrownBy(() -> ConfigLoader.load(write("adminUsers: [\"bad name\"]"), Map.of()))
                .hasMessageContaining("adminUsers=bad name");
        assertThatThrownBy(() -> ConfigLoader.load(write("limits: {maxCpus: lots}"), Map.of()))
                .hasMessageContaining("limits.maxCpus=lots");
        assertThatThrownBy(() -> ConfigLoader.load(write("database: {url: 'jdbc:mysql://x'}"), Map.of()))
                .hasMessageContaining("database.url=jdbc:mysql://x");
    }

    @Test
    void unknownKeyAndBrokenYamlAreRejected() throws IOException {
        assertThatThrownBy(() -> ConfigLoader.load(write("adminUser: [x]"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("adminUser=(unknown key)")
                .hasMessageContaining("adminUsers");
        assertThatThrownBy(() -> ConfigLoader.load(write("a: [unclosed"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("valid YAML");
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml"), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing.yaml");
    }

    private Path write(String text) throws IOException {
        Path file = Files.createTempFile(dir, "hub", ".yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void idleTimeoutAndLogoAreReadAndChecked() throws IOException {
        Path logo = Files.writeString(dir.resolve("logo.svg"), "<svg/>");
        Path good = write("idleTimeoutSeconds: 900\nlogoFile: " + logo + "\n");
        Path negative = write("idleTimeoutSeconds: -5\n");
        Path missingLogo = write("logoFile: " + dir.resolve("missing.png") + "\n");

        HubConfig config = ConfigLoader.load(good, Map.of());

        assertThat(config.idleTimeoutSeconds()).isEqualTo(900);
        assertThat(config.logoFile()).isEqualTo(logo);
        assertThat(ConfigLoader.load(null, Map.of()).idleTimeoutSeconds()).as("idle culling is off by default")
                .isZero();
        assertThatThrownBy(() -> ConfigLoader.load(negative, Map.of())).hasMessageContaining("idleTimeoutSeconds=-5");
        assertThatThrownBy(() -> ConfigLoader.load(missingLogo, Map.of())).hasMessageContaining("logoFile=");
    }
}
