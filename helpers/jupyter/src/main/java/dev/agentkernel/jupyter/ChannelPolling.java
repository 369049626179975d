package dev.agentkernel.jupyter;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.ShellChannel;

import java.lang.reflect.Field;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Shortens how long the basekernel's shell and control loops sleep between polls. Those loops poll without
 * waiting and then sleep a fixed 50 ms, so every request (an execute, a completion, an interrupt) waits 25 ms
 * on average before the kernel even sees it. The sleep is a private field the library offers no setter for;
 * if it cannot be changed (a newer basekernel, a stricter JVM) the kernel keeps working at the old latency.
 */
final class ChannelPolling {
    private static final Logger LOG = Logger.getLogger(ChannelPolling.class.getName());

    private ChannelPolling() {}

    /** Must run before {@code connection.connect()}: the loops read the sleep when they are created. */
    static boolean shorten(JupyterConnection connection, long sleepMillis) {
        try {
            for (String channel : new String[]{"shell", "control"}) {
                Field channelField = JupyterConnection.class.getDeclaredField(channel);
                channelField.setAccessible(true);
                ShellChannel shell = (ShellChannel) channelField.get(connection);
                Field sleep = ShellChannel.class.getDeclaredField("sleep");
                sleep.setAccessible(true);
                sleep.setLong(shell, sleepMillis);
            }
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(Level.WARNING, "Could not shorten the Jupyter channel poll interval; requests wait up to 50 ms", e);
            return false;
        }
    }
}
