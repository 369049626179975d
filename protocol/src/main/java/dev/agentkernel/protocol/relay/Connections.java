package dev.agentkernel.protocol.relay;


import java.io.Closeable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The channels a listener has open, so that closing the listener also ends every conversation it relays
 * (an agent being killed must lose its connections, not keep them until the peers hang up).
 */
public final class Connections {
    private final Set<Closeable> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** Tracks {@code c}; if everything is already closed, closes it and returns false. */
    public boolean add(Closeable c) {
        open.add(c);
        // Checked after adding: either closeAll() sees c in the set or we see the flag.
        if (closed) {
            open.remove(c);
            Pump.closeQuietly(c);
            return false;
        }
        return true;
    }

    /** Closes {@code c} and forgets it. */
    public void close(Closeable c) {
        if (c == null) return;
        Pump.closeQuietly(c);
        open.remove(c);
    }

    public int size() { return open.size(); }

    public void closeAll() {
        closed = true;
        for (Closeable c : open) Pump.closeQuietly(c);
        open.clear();
    }
}
