package io.mlhub.benchmarks.harness;

import java.nio.file.Path;

/**
 * Configuration files of the anchors, written for one run on 127.0.0.1. Each server gets what a careful
 * operator would set for a reverse proxy in front of one upstream. That is keep-alive on both legs, websocket
 * upgrades passed through, TLS 1.2 and 1.3, and access logs off. Each runs one worker, because the targets
 * share one core.
 */
final class AnchorConfigs {
    private AnchorConfigs() {}

    /** nginx 1.22: one plain and one TLS listener in front of the backend, with upstream keep-alive. */
    static String nginx(Path dir, int plainPort, int tlsPort, int backendPort, Path cert, Path key, long fileLimit) {
        String location = """
                        location / {
                            proxy_pass http://backend;
                            proxy_http_version 1.1;
                            proxy_set_header Host $host;
                            proxy_set_header Upgrade $http_upgrade;
                            proxy_set_header Connection $connection_upgrade;
                            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                            proxy_read_timeout 3600s;
                            proxy_send_timeout 3600s;
                        }
                """;
        return """
                daemon off;
                master_process on;
                user root;
                worker_processes 1;
                worker_rlimit_nofile %8$d;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log warn;
                events {
                    worker_connections %9$d;
                }
                http {
                    access_log off;
                    client_body_temp_path %1$s/nginx-body;
                    proxy_temp_path %1$s/nginx-proxy;
                    keepalive_requests 1000000;
                    map $http_upgrade $connection_upgrade {
                        default upgrade;
                        '' '';
                    }
                    upstream backend {
                        server 127.0.0.1:%4$d;
                        keepalive 256;
                        keepalive_requests 1000000;
                    }
                    server {
                        listen 127.0.0.1:%2$d backlog=4096;
                %7$s
                    }
                    server {
                        listen 127.0.0.1:%3$d ssl backlog=4096;
                        ssl_certificate %5$s;
                        ssl_certificate_key %6$s;
                        ssl_protocols TLSv1.2 TLSv1.3;
                        ssl_session_cache shared:tls:10m;
                %7$s
                    }
                }
                """.formatted(dir, plainPort, tlsPort, backendPort, cert, key, location, fileLimit,
                        fileLimit);
    }

    /**
     * HAProxy 2.6: one frontend with a plain and a TLS bind, HTTP mode, connection reuse to the backend.
     * HAProxy refuses to start when {@code maxconn} needs more files than the limit allows (two per proxied
     * connection), so {@code maxconn} follows the limit.
     */
    static String haproxy(int plainPort, int tlsPort, int backendPort, Path certAndKey, long fileLimit) {
        long maxconn = Math.min(60_000, (fileLimit - 300) / 2);
        return """
                global
                    maxconn %5$d
                    nbthread 1
                    tune.ssl.default-dh-param 2048
                    ssl-default-bind-options ssl-min-ver TLSv1.2
                defaults
                    mode http
                    timeout connect 5s
                    timeout client 3600s
                    timeout server 3600s
                    timeout tunnel 3600s
                    option http-keep-alive
                    http-reuse always
                frontend public
                    bind 127.0.0.1:%1$d
                    bind 127.0.0.1:%2$d ssl crt %3$s alpn http/1.1
                    maxconn %5$d
                    default_backend backend
                backend backend
                    server backend1 127.0.0.1:%4$d maxconn %5$d
                """.formatted(plainPort, tlsPort, certAndKey, backendPort, maxconn);
    }

    /** OpenSSH sshd on 127.0.0.1 with one host key and root login by public key only. */
    static String sshd(Path dir, int port, Path hostKey, Path authorizedKeys) {
        return """
                Port %d
                ListenAddress 127.0.0.1
                HostKey %s
                AuthorizedKeysFile %s
                PidFile %s
                PermitRootLogin prohibit-password
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                StrictModes no
                AllowTcpForwarding yes
                MaxStartups 100:30:200
                LogLevel ERROR
                """.formatted(port, hostKey, authorizedKeys, dir.resolve("sshd-" + port + ".pid"));
    }

    /** OpenSSH client configuration. ProxyJump passes {@code -F} on, so it also covers the jump host. */
    static String sshClient(Path identity) {
        return """
                Host *
                    User root
                    IdentityFile %s
                    IdentitiesOnly yes
                    StrictHostKeyChecking no
                    UserKnownHostsFile /dev/null
                    LogLevel ERROR
                    BatchMode yes
                """.formatted(identity);
    }
}
