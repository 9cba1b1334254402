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
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads the last lines a container wrote to stdout and stderr. */
final class ContainerLogs {
    private static final Logger logger = LoggerFactory.getLogger(ContainerLogs.class);

    private ContainerLogs() {}

    /** Returns up to {@code count} last lines, or a single line saying why they could not be read. */
    static List<String> lastLines(DockerClient docker, String containerId, int count) {
        ByteArrayOutputStream output = new ByteArrayOutputStream();
        AtomicReference<Throwable> error = new AtomicReference<>();
        try (ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                output.writeBytes(frame.getPayload());
            }

            /**
             * Records the failure without the adapter's ERROR log and stack trace, because a container that is
             * dying or being removed, as after an engine event, has no logs to read.
             */
            @Override
            public void onError(Throwable failure) {
                error.compareAndSet(null, failure);
                try {
                    close();
                } catch (java.io.IOException ignored) {
                    // The stream is gone already.
                }
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
            if (error.get() != null) {
                String message = error.get() instanceof RuntimeException engineError
                        ? DockerSpawner.engineMessage(engineError) : String.valueOf(error.get().getMessage());
                logger.debug("failed to read container logs container={} error={}", containerId, message);
                return List.of("(logs not read: " + message + ")");
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
