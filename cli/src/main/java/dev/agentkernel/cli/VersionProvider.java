package dev.agentkernel.cli;

import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The project version Maven wrote into {@code version.properties}, plus the Java running us. */
public final class VersionProvider implements CommandLine.IVersionProvider {

    static String version() {
        Properties p = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) p.load(in);
        } catch (IOException e) {
            // Fall through to "unknown": the version line is informative, not load-bearing.
        }
        return p.getProperty("version", "unknown");
    }

    @Override
    public String[] getVersion() {
        return new String[] {
                "agentkernel " + version(),
                "Java " + Runtime.version() + " (" + System.getProperty("java.home") + ")"};
    }
}
