-- Where a running workspace's sshd listens, as host:port (IPv6 hosts in brackets), so that the SSH service can
-- forward a user's connection to it. NULL while the server is stopped or its image runs no sshd.
ALTER TABLE servers ADD COLUMN ssh_address VARCHAR(300);
