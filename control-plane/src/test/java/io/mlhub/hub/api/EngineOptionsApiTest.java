package io.mlhub.hub.api;

import static io.mlhub.hub.testing.HubClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlhub.hub.spawn.EngineCapabilities;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.testing.HubClient;
import io.mlhub.hub.testing.RunningHub;
import io.mlhub.hub.testing.TestDatabases;
import io.mlhub.hub.testing.TestDatabases.Kind;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The options a hub offers follow its workspace engine: a process engine without cgroups lists only env and
 * days_to_live in ui-config, and rejects the other options with a 400 that names the field.
 */
@ExtendWith(TestDatabases.class)
class EngineOptionsApiTest {
    private static final ObjectMapper OBJECT_MAPPER = new ObjectMapper();
    private static final EngineCapabilities PROCESSES = new EngineCapabilities(false, false, false, false, false);

    @Test
    void uiConfigListsSupportedOptions(TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(Kind.H2), UnaryOperator.identity())) {
            String admin = hub.client.signupAndToken("admin", "admin-password");
            JsonNode containers = json(hub.client.get("/hub/api/ui-config", admin));
            hub.spawner.capabilities = PROCESSES;
            JsonNode processes = json(hub.client.get("/hub/api/ui-config", admin));

            assertThat(names(containers.get("supportedOptions")))
                    .containsExactly("image", "cpu_limit", "mem_limit", "env", "days_to_live", "shm_size");
            assertThat(names(processes.get("supportedOptions"))).containsExactly("env", "days_to_live");
            assertThat(processes.get("defaults").get("volume").asBoolean()).isFalse();
            assertThat(processes.get("gpusAvailable").asBoolean()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"image\": \"other:latest\"}", "{\"cpu_limit\": 1}", "{\"mem_limit\": \"1G\"}",
            "{\"shm_size\": \"64M\"}", "{\"volume\": true}"})
    void unsupportedOptionRejectedNamingField(String options, TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(Kind.H2), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            hub.spawner.capabilities = PROCESSES;
            String field = OBJECT_MAPPER.readTree(options).fieldNames().next();

            HttpResponse<String> start = c.post("/hub/api/users/admin/server", admin, options);

            assertThat(start.statusCode()).as(start.body()).isEqualTo(400);
            assertThat(json(start).get("field").asText()).isEqualTo(field);
            assertThat(json(start).get("message").asText()).contains("not supported by this hub's workspace engine");
            assertThat(hub.spawner.isRunning(new WorkspaceRef("mlhub", "admin", ""))).isFalse();
        }
    }

    @Test
    void supportedOptionsStartWorkspace(TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(Kind.H2), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            hub.spawner.capabilities = PROCESSES;

            HttpResponse<String> start = c.post("/hub/api/users/admin/server", admin,
                    "{\"env\": {\"COLOUR\": \"blue\"}, \"volume\": false}");

            assertThat(start.statusCode()).as(start.body()).isEqualTo(201);
            assertThat(hub.spawner.isRunning(new WorkspaceRef("mlhub", "admin", ""))).isTrue();
        }
    }

    @Test
    void storedUnsupportedOptionsDroppedOnRestart(TestDatabases.Factory db) throws Exception {
        try (RunningHub hub = RunningHub.start(db.create(Kind.H2), UnaryOperator.identity())) {
            HubClient c = hub.client;
            String admin = c.signupAndToken("admin", "admin-password");
            HttpResponse<String> first = c.post("/hub/api/users/admin/server", admin,
                    "{\"cpu_limit\": 1, \"mem_limit\": \"1G\", \"shm_size\": \"64M\"}");
            HttpResponse<String> stop = c.delete("/hub/api/users/admin/server", admin, null);
            hub.spawner.capabilities = PROCESSES;

            HttpResponse<String> restart = c.post("/hub/api/users/admin/server", admin, "{}");

            assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
            assertThat(stop.statusCode()).isEqualTo(204);
            assertThat(restart.statusCode()).as(restart.body()).isEqualTo(201);
            WorkspaceRef ref = new WorkspaceRef("mlhub", "admin", "");
            assertThat(hub.spawner.spec(ref).orElseThrow().options().cpuLimit()).isNull();
            assertThat(hub.spawner.spec(ref).orElseThrow().options().shmSizeBytes()).isNull();
        }
    }

    private static List<String> names(JsonNode array) {
        List<String> names = new ArrayList<>();
        array.forEach(item -> names.add(item.asText()));
        return names;
    }
}
