package io.mlhub.hub.spawn.docker;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.model.Frame;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the last lines a container wrote to stdout and stderr. */
final class ContainerLogs {
    private static final Logger logger = LoggerFactory.getLogger(ContainerLogs.class);

    private ContainerLogs() {}

    /** Returns up to {@code count} last lines, or a single line saying why they could not be read. */
    static List<String> lastLines(DockerClient docker, String containerId, int count) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        try (ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                output.writeBytes(frame.getPayload());
            }
        }) {
            docker.logContainerCmd(containerId)
                    .withStdOut(true)
                    .withStdErr(true)
                    .withTail(count)
                    .exec(callback);
            if (!callback.awaitCompletion(10, TimeUnit.SECONDS)) {
                return List.of("(logs not read: timed out)");
            }
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
            return List.of("(logs not read: interrupted)");
        } catch (DockerException | java.io.IOException failed) {
            logger.debug("failed to read container logs container={} error={}", containerId, failed.getMessage());
            return List.of("(logs not read: " + failed.getMessage() + ")");
        }
        return Arrays.stream(output.toString(UTF_8).split("\\R")).filter(line -> !line.isBlank()).toList();
    }
}
