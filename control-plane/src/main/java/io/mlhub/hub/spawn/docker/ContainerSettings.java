package io.mlhub.hub.spawn.docker;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.DeviceRequest;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Volume;
import io.mlhub.hub.spawn.WorkspaceNames;
import io.mlhub.hub.spawn.WorkspaceOptions;
import io.mlhub.hub.spawn.WorkspaceSpec;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The container a workspace spec requests: image, labels, environment and resource limits, plus a digest of
 * all of them that decides whether a stopped container can be resumed.
 */
record ContainerSettings(
        String image,
        Map<String, String> labels,
        List<String> environment,
        WorkspaceOptions options,
        @Nullable String volume,
        String digest) {

    static ContainerSettings of(WorkspaceSpec spec, DockerSpawnerConfig config) {
        WorkspaceOptions options = spec.options();
        List<String> environment = environment(spec, config);
        String volume = options.mountVolume() ? WorkspaceNames.volume(spec.ref()) : null;

        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.ORIGIN, spec.ref().hubName());
        labels.put(Labels.USER, spec.ref().user());
        labels.put(Labels.SERVER_NAME, spec.ref().server());
        if (spec.expiresAt() != null) {
            labels.put(Labels.EXPIRES_AT, spec.expiresAt().toString());
        }
        String digest = digest(options.image(), environment, options, volume, labels);
        labels.put(Labels.CONFIG_DIGEST, digest);
        return new ContainerSettings(options.image(), Map.copyOf(labels), environment, options, volume, digest);
    }

    /**
     * Returns the environment: the user's {@code env} option, then the hub's {@code JUPYTERHUB_*} set, then
     * the path prefix, listening address and thread count that this spawner decides.
     */
    private static List<String> environment(WorkspaceSpec spec, DockerSpawnerConfig config) {
        Map<String, String> environment = new TreeMap<>(spec.options().environment());
        environment.putAll(spec.environment());
        // The server listens on every interface of the container, so the hub can reach it on the user network.
        environment.put("JUPYTERHUB_SERVICE_PREFIX", spec.baseUrl());
        environment.put("JUPYTERHUB_SERVICE_URL", "http://0.0.0.0:" + config.workspacePort() + spec.baseUrl());
        environment.put("WORKSPACE_PORT", Integer.toString(config.workspacePort()));
        Double cpus = spec.options().cpuLimit();
        if (cpus != null) {
            environment.put("MAX_NUM_THREADS", Long.toString(Math.max(1, (long) Math.ceil(cpus))));
        }
        List<String> entries = new ArrayList<>();
        environment.forEach((name, value) -> entries.add(name + "=" + value));
        return List.copyOf(entries);
    }

    HostConfig hostConfig(String network) {
        HostConfig host = HostConfig.newHostConfig().withNetworkMode(network);
        if (options.cpuLimit() != null) {
            host.withNanoCPUs(Math.round(options.cpuLimit() * 1_000_000_000L));
        }
        if (options.memoryLimitBytes() != null) {
            // Equal memory and memory+swap limits give the workspace no swap beyond its memory limit.
            host.withMemory(options.memoryLimitBytes()).withMemorySwap(options.memoryLimitBytes());
        }
        if (options.shmSizeBytes() != null) {
            host.withShmSize(options.shmSizeBytes());
        }
        DeviceRequest gpus = gpuRequest(options);
        if (gpus != null) {
            host.withDeviceRequests(List.of(gpus));
        }
        if (volume != null) {
            host.withBinds(new Bind(volume, new Volume(DockerSpawner.VOLUME_MOUNT)));
        }
        return host;
    }

    /** Returns the device request of {@code docker run --gpus}, or {@code null} for no GPUs. */
    private static @Nullable DeviceRequest gpuRequest(WorkspaceOptions options) {
        DeviceRequest request = new DeviceRequest().withCapabilities(List.of(List.of("gpu")));
        if (!options.gpuDeviceIds().isEmpty()) {
            return request.withDeviceIds(options.gpuDeviceIds());
        }
        if (options.gpuCount() != 0) {
            return request.withCount(options.gpuCount());
        }
        return null;
    }

    private static String digest(String image, List<String> environment, WorkspaceOptions options,
            @Nullable String volume, Map<String, String> labels) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java runtime provides SHA-256", impossible);
        }
        List<Object> parts = List.of(image, environment, String.valueOf(options.cpuLimit()),
                String.valueOf(options.memoryLimitBytes()), String.valueOf(options.shmSizeBytes()),
                options.gpuCount(), options.gpuDeviceIds(), String.valueOf(volume), new TreeMap<>(labels));
        for (Object part : parts) {
            byte[] bytes = part.toString().getBytes(UTF_8);
            sha256.update((bytes.length + ":").getBytes(UTF_8));
            sha256.update(bytes);
        }
        return HexFormat.of().formatHex(sha256.digest(), 0, 16);
    }
}
