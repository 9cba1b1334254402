package io.mlhub.hub.spawn.process;

import io.mlhub.hub.spawn.WorkspaceOptions;
import io.mlhub.hub.spawn.WorkspaceRef;
import io.mlhub.hub.spawn.WorkspaceSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A stand-in hub for {@link ProcessSpawnerTest}: starts one sleeping workspace with the process spawner in
 * the data folder given as the first argument, prints {@code started <pid>}, then waits to be killed.
 */
final class HubProcessMain {
    private HubProcessMain() {}

    public static void main(String[] args) throws Exception {
        ProcessSpawner spawner = new ProcessSpawner(ProcessSpawnerConfig.defaults(Path.of(args[0]))
                .withCommand(List.of("sh", "-c", "exec sleep 600"))
                .withSshd(false));
        WorkspaceOptions options = new WorkspaceOptions("sleep", null, null, 0, List.of(), Map.of(), null, null, false);
        WorkspaceSpec spec = new WorkspaceSpec(new WorkspaceRef("mlhub", "zoe", ""), options, Map.of(), "/user/zoe/",
                List.of(), null);
        System.out.println("started " + spawner.start(spec, (percent, message) -> {}).engineId());
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
