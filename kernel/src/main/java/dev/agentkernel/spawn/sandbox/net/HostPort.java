package dev.agentkernel.spawn.sandbox.net;

/** A proxy request's target. {@code host} has no brackets; {@link #toString()} adds them back for IPv6. */
record HostPort(String host, int port) {

    /**
     * Parses {@code host:port} or {@code [v6]:port}; without a port, {@code defaultPort} (negative: the port
     * is required).
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    static HostPort parse(String authority, int defaultPort) {
        String host;
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) throw new IllegalArgumentException("'" + authority + "' has no closing ']'");
            host = authority.substring(1, close);
            String rest = authority.substring(close + 1);
            if (!rest.isEmpty() && !rest.startsWith(":")) throw new IllegalArgumentException("'" + authority + "' is not [address]:port");
            port = rest.isEmpty() ? null : rest.substring(1);
        } else {
            int colon = authority.lastIndexOf(':');
            host = colon < 0 ? authority : authority.substring(0, colon);
            port = colon < 0 ? null : authority.substring(colon + 1);
            if (host.contains(":")) throw new IllegalArgumentException("'" + authority + "' has an IPv6 address without brackets");
        }
        if (host.isEmpty()) throw new IllegalArgumentException("'" + authority + "' names no host");
        if (port == null) {
            if (defaultPort < 0) throw new IllegalArgumentException("'" + authority + "' has no port");
            return new HostPort(host, defaultPort);
        }
        int p = port.matches("[0-9]{1,5}") ? Integer.parseInt(port) : -1;
        if (p < 1 || p > 65535) throw new IllegalArgumentException("'" + authority + "' has no valid port");
        return new HostPort(host, p);
    }

    @Override
    public String toString() { return (host.contains(":") ? "[" + host + "]" : host) + ":" + port; }
}
