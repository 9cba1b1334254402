package io.mlhub.appliance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Runs code in a Jupyter kernel through the hub: starts a kernel with the notebook REST API and sends an
 * {@code execute_request} over the kernel's websocket (messaging protocol 5, JSON frames).
 */
final class KernelClient {
    private KernelClient() {}

    /** Starts a kernel in the workspace at {@code workspacePath} (such as {@code /user/alice/}); returns its id. */
    static String startKernel(HubSession session, String workspacePath) throws Exception {
        HttpResponse<String> created = session.send("POST", workspacePath + "api/kernels", "{}");
        if (created.statusCode() != 201) {
            throw new AssertionError("starting a kernel answered " + created.statusCode() + ": " + created.body()
                    + " cookies=" + session.cookieDebug());
        }
        return HubSession.JSON.readTree(created.body()).path("id").asText();
    }

    /** Executes {@code code} and returns the text the kernel printed to stdout. */
    static String execute(HubSession session, String workspacePath, String kernelId, String code)
            throws Exception {
        String sessionId = UUID.randomUUID().toString();
        String msgId = UUID.randomUUID().toString();
        StringBuilder stdout = new StringBuilder();
        CompletableFuture<String> done = new CompletableFuture<>();
        WebSocket.Listener listener = new WebSocket.Listener() {
            private final StringBuilder frame = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                frame.append(data);
                if (last) {
                    handle(frame.toString());
                    frame.setLength(0);
                }
                socket.request(1);
                return null;
            }

            private void handle(String text) {
                try {
                    JsonNode message = HubSession.JSON.readTree(text);
                    if (!msgId.equals(message.path("parent_header").path("msg_id").asText())) {
                        return;
                    }
                    String type = message.path("msg_type").asText();
                    if (type.equals("stream") && message.path("content").path("name").asText().equals("stdout")) {
                        stdout.append(message.path("content").path("text").asText());
                    } else if (type.equals("error")) {
                        done.completeExceptionally(new AssertionError("kernel error: " + message.path("content")));
                    } else if (type.equals("status")
                            && message.path("content").path("execution_state").asText().equals("idle")) {
                        done.complete(stdout.toString());
                    }
                } catch (Exception e) {
                    done.completeExceptionally(e);
                }
            }

            @Override
            public void onError(WebSocket socket, Throwable error) {
                done.completeExceptionally(error);
            }

            @Override
            public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
                done.completeExceptionally(new AssertionError("websocket closed " + status + " " + reason));
                return null;
            }
        };
        WebSocket socket = session.websocket(workspacePath + "api/kernels/" + kernelId + "/channels?session_id="
                + sessionId, listener);
        try {
            socket.sendText(executeRequest(sessionId, msgId, code), true).get(10, TimeUnit.SECONDS);
            return done.get(60, TimeUnit.SECONDS);
        } finally {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done");
        }
    }

    private static String executeRequest(String sessionId, String msgId, String code) {
        ObjectNode message = HubSession.JSON.createObjectNode();
        ObjectNode header = message.putObject("header");
        header.put("msg_id", msgId);
        header.put("username", "test");
        header.put("session", sessionId);
        header.put("date", Instant.now().toString());
        header.put("msg_type", "execute_request");
        header.put("version", "5.3");
        message.putObject("parent_header");
        message.putObject("metadata");
        ObjectNode content = message.putObject("content");
        content.put("code", code);
        content.put("silent", false);
        content.put("store_history", true);
        content.putObject("user_expressions");
        content.put("allow_stdin", false);
        content.put("stop_on_error", true);
        message.put("channel", "shell");
        message.putArray("buffers");
        return message.toString();
    }
}
