package io.mlhub.hub.spawn.docker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Frame;
import io.mlhub.hub.config.ConfigLoader;
import io.mlhub.hub.config.HubConfig;
import io.mlhub.hub.config.WorkspaceLimits;
import io.mlhub.hub.spawn.SpawnException;
import io.mlhub.hub.spawn.StartedWorkspace;
import io.mlhub.hub.spawn.WorkspaceNames;
import io.mlhub.hub.spawn.WorkspaceOptions;
import io.mlhub.hub.spawn.WorkspaceReadiness;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import io.mlhub.hub.spawn.WorkspaceStatus;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Runs workspaces on the real Docker engine from the locally built test images. Each test uses its own hub
 * name, and removes every container, network and volume labelled with it afterwards.
 */
@Tag("slow")
class DockerSpawnerTest {
    static final String TINY = "mlhub-test-tiny:latest";
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final String hubName = uniqueHubName();
    private DockerSpawner spawner;
    private DockerClient docker;
    private final List<String> otherHubs = new ArrayList<>();
    private final List<DockerSpawner> otherSpawners = new ArrayList<>();

    @BeforeEach
    void createSpawner() {
        spawner = new DockerSpawner(DockerSpawnerConfig.defaults(hubName).withStopTimeout(Duration.ofSeconds(2)));
        docker = spawner.client();
        assumeTinyImage(docker);
    }

    @AfterEach
    void removeEverythingOfThisHub() throws Exception {
        removeAll(docker, hubName);
        for (String otherHub : otherHubs) {
            removeAll(docker, otherHub);
        }
        for (DockerSpawner other : otherSpawners) {
            other.close();
        }
        spawner.close();
    }

    @Test
    void labelsAndLimitsReadBack() throws Exception {
        Instant expiry = Instant.now().plus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
        WorkspaceOptions options = new WorkspaceOptions(TINY, 0.5, 64L << 20, 0, List.of(),
                Map.of("COLOUR", "blue"), 3, 16L << 20, true);
        WorkspaceSpec spec = new WorkspaceSpec(new WorkspaceRef(hubName, "alice", "lab"), options,
                Map.of("JUPYTERHUB_API_TOKEN", "very-secret-token"), "/user/alice/lab/", List.of(), expiry);

        StartedWorkspace workspace = spawner.start(spec, (percent, message) -> {});
        InspectContainerResponse container = docker.inspectContainerCmd(workspace.engineId()).exec();

        String name = WorkspaceNames.container(spec.ref());
        assertThat(container.getName()).isEqualTo("/" + name);
        assertThat(container.getConfig().getHostName()).isEqualTo(name);
        assertThat(container.getConfig().getLabels())
                .containsEntry("mlhub.origin", hubName)
                .containsEntry("mlhub.user", "alice")
                .containsEntry("mlhub.server_name", "lab")
                .containsEntry("mlhub.expires_at", expiry.toString());
        assertThat(container.getConfig().getLabels().values()).as("no secret in labels")
                .noneMatch(value -> value.contains("very-secret-token"));
        assertThat(container.getHostConfig().getNanoCPUs()).isEqualTo(500_000_000L);
        assertThat(container.getHostConfig().getMemory()).isEqualTo(64L << 20);
        assertThat(container.getHostConfig().getMemorySwap()).isEqualTo(64L << 20);
        assertThat(container.getHostConfig().getShmSize()).isEqualTo(16L << 20);
        assertThat(container.getHostConfig().getNetworkMode()).isEqualTo(WorkspaceNames.network(hubName, "alice"));
        assertThat(container.getHostConfig().getBinds()).singleElement().satisfies(bind -> {
            assertThat(bind.getPath()).isEqualTo(WorkspaceNames.volume(spec.ref()));
            assertThat(bind.getVolume().getPath()).isEqualTo("/workspace");
        });
        assertThat(container.getConfig().getEnv()).contains("COLOUR=blue", "MAX_NUM_THREADS=1",
                "JUPYTERHUB_SERVICE_PREFIX=/user/alice/lab/",
                "JUPYTERHUB_API_TOKEN=very-secret-token", "JUPYTERHUB_SERVICE_URL=http://0.0.0.0:8888/user/alice/lab/");

        new WorkspaceReadiness().awaitReady(spawner, spec.ref(), api(workspace, spec), READY_TIMEOUT);
        assertThat(get(api(workspace, spec)).body()).contains("\"user\": \"\"");
        assertThat(spawner.status(spec.ref()).orElseThrow().expiresAt()).isEqualTo(expiry);
    }

    @Test
    void usersCannotReachEachOthersWorkspaces() throws Exception {
        WorkspaceSpec aliceA = spec("alice", "a", TINY, Map.of());
        WorkspaceSpec aliceB = spec("alice", "b", TINY, Map.of());
        WorkspaceSpec bob = spec("bob", "", TINY, Map.of());
        StartedWorkspace first = startReady(aliceA);
        StartedWorkspace second = startReady(aliceB);
        StartedWorkspace other = startReady(bob);

        // busybox 1.35's static wget crashes with -T, so the timeout comes from busybox timeout instead.
        ExecResult sameUser = exec(first.engineId(), "timeout", "5", "wget", "-q", "-O", "-",
                api(second, aliceB).toString());
        ExecResult otherUser = exec(first.engineId(), "timeout", "5", "wget", "-q", "-O", "-",
                api(other, bob).toString());
        ExecResult otherUserBack = exec(other.engineId(), "sh", "-c",
                "nc -w 3 " + first.httpTarget().getHost() + " 8888 < /dev/null");
        ExecResult sameUserBack = exec(second.engineId(), "sh", "-c",
                "nc -w 3 " + first.httpTarget().getHost() + " 8888 < /dev/null");

        assertThat(sameUser.exitCode()).as("alice's workspaces reach each other: %s", sameUser.output()).isZero();
        assertThat(sameUser.output()).contains("\"version\": \"tiny\"");
        assertThat(otherUser.exitCode()).as("alice cannot reach bob: %s", otherUser.output()).isNotZero();
        assertThat(otherUserBack.exitCode()).as("bob cannot reach alice").isNotZero();
        assertThat(sameUserBack.exitCode()).as("nc itself works: %s", sameUserBack.output()).isZero();
        assertThat(get(api(other, bob)).statusCode()).as("the hub reaches every workspace").isEqualTo(200);
    }

    @Test
    void volumesAreKeptOrRemovedAsAsked() throws Exception {
        WorkspaceOptions withVolume = new WorkspaceOptions(TINY, null, null, 0, List.of(), Map.of(), null, null, true);
        WorkspaceSpec spec = new WorkspaceSpec(new WorkspaceRef(hubName, "carol", "data"), withVolume, Map.of(),
                "/user/carol/data/", List.of(), null);
        String volume = WorkspaceNames.volume(spec.ref());

        StartedWorkspace first = spawner.start(spec, (percent, message) -> {});
        assertThat(exec(first.engineId(), "sh", "-c", "echo kept > /workspace/note").exitCode()).isZero();
        spawner.delete(spec.ref(), false);

        assertThat(docker.inspectVolumeCmd(volume).exec().getLabels()).containsEntry("mlhub.origin", hubName);
        assertThat(spawner.status(spec.ref())).isEmpty();

        StartedWorkspace second = spawner.start(spec, (percent, message) -> {});
        assertThat(second.engineId()).isNotEqualTo(first.engineId());
        assertThat(exec(second.engineId(), "cat", "/workspace/note").output()).isEqualTo("kept");

        spawner.delete(spec.ref(), true);

        assertThatThrownBy(() -> docker.inspectVolumeCmd(volume).exec()).isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> docker.inspectNetworkCmd().withNetworkId(WorkspaceNames.network(hubName, "carol"))
                .exec()).as("the user's last workspace took its network along").isInstanceOf(NotFoundException.class);
    }

    @Test
    void missingImageIsNamedInTheError() {
        WorkspaceSpec spec = spec("dave", "", "mlhub-test-missing:latest", Map.of());

        assertThatThrownBy(() -> spawner.start(spec, (percent, message) -> {}))
                .isInstanceOf(SpawnException.class)
                .hasMessageContaining("workspace image 'mlhub-test-missing:latest' not found");
    }

    @Test
    void containerThatExitsAtOnceFailsFast() {
        WorkspaceSpec spec = spec("erin", "", TINY, Map.of("TINY_EXIT_CODE", "3"));

        assertThatThrownBy(() -> {
            StartedWorkspace workspace = spawner.start(spec, (percent, message) -> {});
            new WorkspaceReadiness().awaitReady(spawner, spec.ref(), api(workspace, spec), READY_TIMEOUT);
        })
                .isInstanceOf(SpawnException.class)
                .hasMessageContaining("exited with code 3")
                .hasMessageContaining("exiting at once with code 3");
    }

    @Test
    void hostileNamesGetWorkingWorkspaces() throws Exception {
        String user = "Bob.Smith@Example.org";
        String server = "my lab/../--x";
        WorkspaceSpec spec = new WorkspaceSpec(new WorkspaceRef(hubName, user, server), tinyOptions(Map.of()),
                Map.of(), "/user/bob/lab/", List.of(), null);

        StartedWorkspace workspace = startReady(spec);
        WorkspaceStatus status = spawner.status(spec.ref()).orElseThrow();

        assertThat(status.ref()).isEqualTo(spec.ref());
        assertThat(status.running()).isTrue();
        assertThat(spawner.list()).extracting(WorkspaceStatus::ref).containsExactly(spec.ref());
        assertThat(docker.inspectContainerCmd(workspace.engineId()).exec().getConfig().getLabels())
                .containsEntry("mlhub.user", user)
                .containsEntry("mlhub.server_name", server);

        spawner.delete(spec.ref(), true);

        assertThat(spawner.list()).isEmpty();
    }

    @Test
    void stopAndStartAreIdempotent() throws Exception {
        WorkspaceSpec spec = spec("frank", "", TINY, Map.of());
        StartedWorkspace first = startReady(spec);

        StartedWorkspace again = spawner.start(spec, (percent, message) -> {});
        assertThat(again.engineId()).isEqualTo(first.engineId());

        spawner.stop(spec.ref());
        spawner.stop(spec.ref());
        WorkspaceStatus stopped = spawner.status(spec.ref()).orElseThrow();
        assertThat(stopped.running()).isFalse();
        assertThat(stopped.exitCode()).isNotNull();
        assertThat(stopped.httpTarget()).isNull();

        StartedWorkspace resumed = startReady(spec);
        assertThat(resumed.engineId()).as("a stop keeps the container for the next start").isEqualTo(first.engineId());

        spawner.stop(spec.ref());
        WorkspaceSpec changed = spec("frank", "", TINY, Map.of("COLOUR", "red"));
        StartedWorkspace replaced = startReady(changed);
        assertThat(replaced.engineId()).as("changed settings get a new container").isNotEqualTo(first.engineId());

        spawner.delete(spec.ref(), true);
        spawner.delete(spec.ref(), true);
        assertThat(spawner.status(spec.ref())).isEmpty();
    }

    @Test
    void listFindsOnlyThisHubsWorkspaces() throws Exception {
        String otherHub = uniqueHubName();
        DockerSpawner otherSpawner = new DockerSpawner(DockerSpawnerConfig.defaults(otherHub));
        otherHubs.add(otherHub);
        otherSpawners.add(otherSpawner);
        WorkspaceSpec mine = spec("gina", "", TINY, Map.of());
        WorkspaceSpec mineToo = spec("gina", "two", TINY, Map.of());
        spawner.start(mine, (percent, message) -> {});
        spawner.start(mineToo, (percent, message) -> {});
        otherSpawner.start(new WorkspaceSpec(new WorkspaceRef(otherHub, "gina", ""), tinyOptions(Map.of()),
                Map.of(), "/user/gina/", List.of(), null), (percent, message) -> {});

        List<WorkspaceStatus> listed = spawner.list();

        assertThat(listed).extracting(WorkspaceStatus::ref).containsExactlyInAnyOrder(mine.ref(), mineToo.ref());
        assertThat(listed).allSatisfy(status -> {
            assertThat(status.running()).isTrue();
            assertThat(status.httpTarget()).isNotNull();
        });
        assertThat(otherSpawner.list()).singleElement().extracting(WorkspaceStatus::ref)
                .isEqualTo(new WorkspaceRef(otherHub, "gina", ""));
    }

    @Test
    void sshKeysCopiedAndUpdated() throws Exception {
        String first = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFirstKeyFirstKeyFirstKeyFirstKeyFirstKey first";
        String second = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAISecondKeySecondKeySecondKeySecondKeySecon second";
        WorkspaceSpec spec = new WorkspaceSpec(new WorkspaceRef(hubName, "hana", ""), tinyOptions(Map.of()), Map.of(),
                "/user/hana/", List.of(first), null);
        StartedWorkspace workspace = startReady(spec);

        assertThat(exec(workspace.engineId(), "cat", DockerSpawner.AUTHORIZED_KEYS_PATH).output()).contains(first);

        spawner.updateSshKeys(spec.ref(), List.of(second));

        String keys = exec(workspace.engineId(), "cat", DockerSpawner.AUTHORIZED_KEYS_PATH).output();
        assertThat(keys).contains(second).doesNotContain(first);
        assertThat(exec(workspace.engineId(), "stat", "-c", "%a %u", DockerSpawner.AUTHORIZED_KEYS_PATH).output())
                .isEqualTo("644 0");
        assertThat(spawner.status(spec.ref()).orElseThrow().engineId()).isEqualTo(workspace.engineId());
        assertThat(spawner.status(spec.ref()).orElseThrow().running()).isTrue();
    }

    @Test
    void userResourcesAreListedAndRemoved() throws Exception {
        WorkspaceOptions withVolume = new WorkspaceOptions(TINY, null, null, 0, List.of(), Map.of(), null, null, true);
        WorkspaceRef deletedUsersWorkspace = new WorkspaceRef(hubName, "julia", "lab");
        spawner.start(new WorkspaceSpec(deletedUsersWorkspace, withVolume, Map.of(), "/user/julia/lab/", List.of(), null),
                (percent, message) -> {});
        spawner.start(spec("kim", "", TINY, Map.of()), (percent, message) -> {});

        assertThat(spawner.usersWithResources()).containsExactlyInAnyOrder("julia", "kim");

        spawner.removeUserResources("julia");

        assertThat(spawner.usersWithResources()).containsExactly("kim");
        assertThat(spawner.status(deletedUsersWorkspace)).isEmpty();
        assertThatThrownBy(() -> docker.inspectVolumeCmd(WorkspaceNames.volume(deletedUsersWorkspace)).exec())
                .isInstanceOf(NotFoundException.class);
        assertThatThrownBy(() -> docker.inspectNetworkCmd().withNetworkId(WorkspaceNames.network(hubName, "julia"))
                .exec()).isInstanceOf(NotFoundException.class);
    }

    @Test
    void killedContainerReportedStopped() throws Exception {
        WorkspaceSpec spec = spec("lena", "", TINY, Map.of());
        StartedWorkspace workspace = startReady(spec);

        docker.killContainerCmd(workspace.engineId()).exec();

        WorkspaceStatus status = spawner.status(spec.ref()).orElseThrow();
        assertThat(status.running()).isFalse();
        assertThat(status.exitCode()).isEqualTo(137);
        assertThat(spawner.list()).singleElement().satisfies(listed -> {
            assertThat(listed.running()).isFalse();
            assertThat(listed.exitCode()).isEqualTo(137);
        });
        assertThat(startReady(spec).engineId()).as("the next start resumes it").isEqualTo(workspace.engineId());
    }

    @Test
    void gpuRequestWithoutEngineSupportFailsClearly() throws Exception {
        WorkspaceOptions gpus = new WorkspaceOptions(TINY, null, null, 1, List.of(), Map.of(), null, null, false);
        WorkspaceSpec spec = new WorkspaceSpec(new WorkspaceRef(hubName, "mia", ""), gpus, Map.of(), "/user/mia/",
                List.of(), null);
        assumeTrue(!spawner.capabilities().gpus(), "this engine has GPU support");

        assertThatThrownBy(() -> spawner.start(spec, (percent, message) -> {}))
                .isInstanceOf(SpawnException.class)
                .hasMessageContaining("Docker engine failed to start workspace")
                .hasMessageContaining("gpu");
        assertThat(spawner.status(spec.ref())).as("the container that cannot start is removed").isEmpty();
    }

    @Test
    void failedNetworkJoinFailsTheSpawnAtOnce() throws Exception {
        DockerSpawnerConfig defaults = DockerSpawnerConfig.defaults(hubName);
        DockerSpawnerConfig withMissingHub = new DockerSpawnerConfig(hubName, defaults.dockerHost(),
                defaults.workspacePort(), defaults.sshPort(), defaults.stopTimeout(), defaults.logLines(),
                "mlhub-test-no-such-hub-container");
        try (DockerSpawner joining = new DockerSpawner(withMissingHub)) {
            assertThatThrownBy(() -> joining.start(spec("nora", "", TINY, Map.of()), (percent, message) -> {}))
                    .isInstanceOf(SpawnException.class)
                    .hasMessageContaining("the hub's container mlhub-test-no-such-hub-container failed to join network "
                            + WorkspaceNames.network(hubName, "nora"));
        }
        assertThat(spawner.status(new WorkspaceRef(hubName, "nora", ""))).isEmpty();
    }

    @Test
    void concurrentStartsOfOneUserShareOneNetwork() throws Exception {
        List<WorkspaceSpec> specs = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            specs.add(spec("olga", "s" + i, TINY, Map.of()));
        }

        try (var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            List<java.util.concurrent.Future<StartedWorkspace>> started = new ArrayList<>();
            for (WorkspaceSpec spec : specs) {
                started.add(threads.submit(() -> spawner.start(spec, (percent, message) -> {})));
            }
            for (var future : started) {
                assertThat(future.get(60, TimeUnit.SECONDS).httpTarget()).isNotNull();
            }
        }

        assertThat(spawner.list()).hasSize(6).allMatch(WorkspaceStatus::running);
        assertThat(docker.listNetworksCmd().withFilter("label", List.of("mlhub.origin=" + hubName)).exec())
                .extracting(com.github.dockerjava.api.model.Network::getName)
                .containsExactly(WorkspaceNames.network(hubName, "olga"));
    }

    @Test
    void nameTakenByAForeignContainerIsNotAdopted() throws Exception {
        WorkspaceRef ref = new WorkspaceRef(hubName, "ivan", "");
        String id = docker.createContainerCmd(TINY).withName(WorkspaceNames.container(ref))
                .withLabels(Map.of("mlhub.origin", hubName)).exec().getId();

        assertThatThrownBy(() -> spawner.start(spec("ivan", "", TINY, Map.of()), (percent, message) -> {}))
                .isInstanceOf(SpawnException.class)
                .hasMessageContaining("is taken by a container that is not this workspace's");
        docker.removeContainerCmd(id).withForce(true).exec();
    }

    private StartedWorkspace startReady(WorkspaceSpec spec) throws Exception {
        StartedWorkspace workspace = spawner.start(spec, (percent, message) -> {});
        new WorkspaceReadiness().awaitReady(spawner, spec.ref(), api(workspace, spec), READY_TIMEOUT);
        return workspace;
    }

    private WorkspaceSpec spec(String user, String server, String image, Map<String, String> env) {
        String prefix = "/user/" + user + "/" + (server.isEmpty() ? "" : server + "/");
        WorkspaceOptions options = new WorkspaceOptions(image, null, null, 0, List.of(), env, null, null, false);
        return new WorkspaceSpec(new WorkspaceRef(hubName, user, server), options,
                Map.of("JUPYTERHUB_SERVICE_PREFIX", prefix), prefix, List.of(), null);
    }

    static WorkspaceOptions tinyOptions(Map<String, String> env) {
        return new WorkspaceOptions(TINY, null, null, 0, List.of(), env, null, null, false);
    }

    private static URI api(StartedWorkspace workspace, WorkspaceSpec spec) {
        return workspace.httpTarget().resolve(spec.baseUrl() + "api");
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    record ExecResult(long exitCode, String output) {}

    ExecResult exec(String containerId, String... command) throws Exception {
        return exec(docker, containerId, command);
    }

    static ExecResult exec(DockerClient docker, String containerId, String... command) throws Exception {
        String execId = docker.execCreateCmd(containerId).withCmd(command).withAttachStdout(true)
                .withAttachStderr(true).exec().getId();
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (ResultCallback.Adapter<Frame> callback = docker.execStartCmd(execId).exec(new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                output.writeBytes(frame.getPayload());
            }
        })) {
            assertThat(callback.awaitCompletion(60, TimeUnit.SECONDS)).as("exec finished").isTrue();
        }
        Long exitCode = docker.inspectExecCmd(execId).exec().getExitCodeLong();
        return new ExecResult(exitCode == null ? -1 : exitCode, output.toString(UTF_8).strip());
    }

    /** Skips the test when the engine lacks the tiny workspace image. */
    static void assumeTinyImage(DockerClient docker) {
        assumeTrue(imageExists(docker, TINY), "image " + TINY + " is missing; build it with "
                + "appliance-image/src/test-images/build-test-images (bin/test does this first)");
    }

    /** Returns the configuration of a hub that offers only the tiny image, with the cleanup service off. */
    static HubConfig tinyHubConfig(String hubName, Path dataDir) {
        return ConfigLoader.load(null, Map.of("HUB_NAME", hubName, "DATA_FOLDER", dataDir.toString()))
                .withWorkspaces(List.of(TINY), new WorkspaceLimits(1, 1, 0, 30, 1), null, null)
                .withLifecycle(-1, 0);
    }

    static boolean imageExists(DockerClient docker, String image) {
        try {
            docker.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException missing) {
            return false;
        }
    }

    /** Returns a hub name valid for HUB_NAME (1 to 5 characters, not all digits) and unique to this test. */
    static String uniqueHubName() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        SecureRandom random = new SecureRandom();
        StringBuilder name = new StringBuilder("t");
        for (int i = 0; i < 4; i++) {
            name.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return name.toString();
    }

    /** Removes every container, network and volume labelled with {@code hub}. */
    static void removeAll(DockerClient docker, String hub) {
        Map<String, String> label = Map.of("mlhub.origin", hub);
        docker.listContainersCmd().withShowAll(true).withLabelFilter(label).exec()
                .forEach(container -> docker.removeContainerCmd(container.getId()).withForce(true).exec());
        docker.listNetworksCmd().withFilter("label", List.of("mlhub.origin=" + hub)).exec()
                .forEach(network -> docker.removeNetworkCmd(network.getId()).exec());
        docker.listVolumesCmd().withFilter("label", List.of("mlhub.origin=" + hub)).exec().getVolumes()
                .forEach(volume -> docker.removeVolumeCmd(volume.getName()).exec());
    }
}
