package io.mlhub.hub.spawn.docker;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Tells whether a subnet lies in a private range: 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918),
 * or fc00::/7 (RFC 4193). Networks in a public range would hide real hosts from every workspace.
 */
final class PrivateSubnets {
    private PrivateSubnets() {}

    /** Returns whether {@code cidr}, such as {@code 172.18.0.0/16}, is entirely inside a private range. */
    static boolean isPrivate(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            return false;
        }
        byte[] address;
        int prefix;
        try {
            String host = cidr.substring(0, slash);
            // Only literal addresses: a host name here would start a DNS lookup.
            if (!host.matches("[0-9a-fA-F:.]+")) {
                return false;
            }
            address = InetAddress.getByName(host).getAddress();
            prefix = Integer.parseInt(cidr.substring(slash + 1));
        } catch (UnknownHostException | NumberFormatException invalid) {
            return false;
        }

        if (address.length == 4) {
            int first = address[0] & 0xff;
            int second = address[1] & 0xff;
            return (first == 10 && prefix >= 8)
                    || (first == 172 && second >= 16 && second <= 31 && prefix >= 12)
                    || (first == 192 && second == 168 && prefix >= 16);
        }
        return (address[0] & 0xfe) == 0xfc && prefix >= 7;
    }
}
