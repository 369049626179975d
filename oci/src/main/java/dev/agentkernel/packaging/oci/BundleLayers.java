package dev.agentkernel.packaging.oci;

import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One image layer from an unpacked bundle. Every entry gets the same modification time, root ownership and
 * one of two modes, and the entries are sorted, so the layer's bytes depend only on the bundle's content;
 * that is what makes a rebuild produce the same digest and push nothing.
 */
final class BundleLayers {
    /** Jib's own default for reproducible layers (epoch + 1 s; some tools treat 0 as "unset"). */
    static final Instant MODIFICATION_TIME = Instant.ofEpochSecond(1);
    static final AbsoluteUnixPath BUNDLES_ROOT = AbsoluteUnixPath.get("/opt/agentkernel/bundles");

    private static final FilePermissions DIR = FilePermissions.fromOctalString("755");
    private static final FilePermissions EXEC = FilePermissions.fromOctalString("755");
    private static final FilePermissions FILE = FilePermissions.fromOctalString("644");

    private BundleLayers() {}

    /** Layer with the tree under {@code dir} at {@code target}; {@code layerName} shows in Jib's logs. */
    static FileEntriesLayer layer(String layerName, Path dir, AbsoluteUnixPath target) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(dir)) {
            paths = new ArrayList<>(walk.toList());
        }
        paths.sort((a, b) -> rel(dir, a).compareTo(rel(dir, b)));
        FileEntriesLayer.Builder layer = FileEntriesLayer.builder().setName(layerName);
        for (Path p : paths) {
            String rel = rel(dir, p);
            AbsoluteUnixPath at = rel.isEmpty() ? target : target.resolve(rel);
            FilePermissions mode = Files.isDirectory(p) ? DIR : Files.isExecutable(p) ? EXEC : FILE;
            layer.addEntry(new FileEntry(p, at, mode, MODIFICATION_TIME, "0:0"));
        }
        return layer.build();
    }

    private static String rel(Path dir, Path p) {
        return dir.relativize(p).toString().replace('\\', '/');
    }
}
